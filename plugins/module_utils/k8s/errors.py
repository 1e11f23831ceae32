# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Errors of cluster operations, each a complete sentence for the user.

Every error names what was attempted (``apply ConfigMap default/web``) and why it failed: the
HTTP status, the server's ``Status`` reason, message and causes, or the connection problem.
``details()`` gives the same facts as data for a module's failure result. Pure Python.
"""

from __future__ import annotations

import json
from typing import Any

# HTTP statuses worth another attempt: throttling and the apiserver's transient failures.
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))


class K8sError(Exception):
    """A cluster operation failed. ``str()`` is the whole message; no traceback is needed."""

    retryable = False
    retry_after: str | None = None

    def __init__(self, message: str, verb: str | None = None, target: object = None) -> None:
        super().__init__(message)
        self.verb = verb
        self.target = target
        self.attempts = 1
        self.hint = None

    def __str__(self) -> str:
        text = self.args[0]
        if self.attempts > 1:
            text += " (gave up after %d attempts)" % self.attempts
        if self.hint:
            text += ". " + self.hint
        return text

    def details(self) -> dict:
        """Facts for a module's failure result (merged into ``fail_json``)."""
        return {}


class ConfigError(K8sError):
    """The connection settings are missing, contradictory or unreadable."""


class DiscoveryError(K8sError):
    """The server does not serve the requested apiVersion or kind."""


class ApiError(K8sError):
    """The API server answered with an error status."""

    def __init__(self, verb: str, target: object, code: int, http_reason: str | None, body: Any = None,
                 retry_after: str | None = None) -> None:
        self.code = code
        self.http_reason = http_reason or ""
        self.status = _status_object(body)
        self.body = body if self.status is None else None
        self.retry_after = retry_after  # the Retry-After header as the server sent it (see retry)
        super().__init__(self._render(verb, target), verb, target)

    @property
    def retryable(self) -> bool:  # type: ignore[override]  # a class attribute elsewhere
        return self.code in RETRYABLE_STATUSES

    @property
    def reason(self) -> str:
        """The ``Status.reason`` (``Conflict``, ``NotFound``, ``Invalid``...), else the HTTP reason."""
        return (self.status or {}).get("reason") or self.http_reason

    @property
    def message(self) -> str:
        if self.status is not None:
            return self.status.get("message") or ""
        return _text(self.body)

    @property
    def causes(self) -> list:
        return ((self.status or {}).get("details") or {}).get("causes") or []

    @property
    def field_manager_conflict(self) -> bool:
        """A server-side apply conflict: another field manager owns fields this apply sets (``force`` takes them)."""
        return self.code == 409 and any(isinstance(c, dict) and c.get("reason") == "FieldManagerConflict" for c in self.causes)

    @property
    def modified_conflict(self) -> bool:
        """409 "the object has been modified": it changed since it was read; a fresh read and a new try can succeed."""
        return self.code == 409 and self.reason in ("Conflict", "") and not self.field_manager_conflict

    def _render(self, verb, target):
        head = "%s %s failed: HTTP %s %s" % (verb, target, self.code, self.http_reason)
        if self.reason.replace(" ", "").lower() != self.http_reason.replace(" ", "").lower():  # "Unprocessable Entity (Invalid)"
            head += " (%s)" % self.reason
        message = self.message
        extra = [_cause_text(c) for c in self.causes if not _said(c, message)]
        text = head + (": " + message if message else "")
        if extra:
            text += "; causes: " + "; ".join(extra)
        return text

    def details(self) -> dict:
        return {"status": self.code, "reason": self.reason, "causes": self.causes}


class ConnectionFailure(K8sError):
    """No HTTP answer: the connection was refused, dropped, timed out, or TLS failed."""

    def __init__(self, verb: str, target: object, host: str, cause: Any, retryable: bool = True) -> None:
        self.host = host
        self.cause = cause
        self.retryable = retryable
        super().__init__("%s %s failed: no answer from the API server at %s: %s" % (verb, target, host, cause), verb, target)


class WaitTimeout(K8sError):
    """The object did not reach the awaited state in time; ``last`` is the last object seen."""

    def __init__(self, target: object, awaited: str, seconds: float, observed: str, last: Any) -> None:
        self.last = last
        super().__init__("timed out after %ss waiting for %s to %s; last seen: %s" % (seconds, target, awaited, observed),
                         "wait", target)

    def details(self) -> dict:
        return {"last_object": self.last}


def _status_object(body):
    """The ``Status`` object in a response body, or None."""
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if isinstance(body, dict) and body.get("kind") == "Status":
        return body
    return None


def _text(body, limit=500):
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8", "replace")
    text = " ".join(str(body or "").split())
    return text if len(text) <= limit else text[:limit] + "..."


def _said(cause, message):
    """Whether ``message`` already states the cause (its field and its message)."""
    return all(part in message for part in (cause.get("field"), cause.get("message")) if part)


def _cause_text(cause):
    field = cause.get("field") or ""
    message = cause.get("message") or cause.get("reason") or ""
    return "%s: %s" % (field, message) if field else message

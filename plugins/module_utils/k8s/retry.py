# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Bounded retries with exponential backoff, honouring the server's Retry-After: urllib3's ``Retry``.

Every request the collection makes is idempotent (server-side apply, get, list, delete), so a
request whose answer was lost can be sent again safely.

urllib3 would run a ``Retry`` inside its connection pool, but there the Kubernetes client turns the last answer into
an ``ApiException`` that no longer says how many attempts were made, and a module must say it ("gave up
after 5 attempts") next to what it did and did not do. So the same ``Retry`` is driven from here: it
decides which statuses are retried (``status_forcelist``, and 413/429/503 with ``Retry-After``), counts the
attempts, computes the backoff and reads ``Retry-After``; this module only sleeps and re-raises the
collection's own errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import RETRYABLE_STATUSES, ApiError, K8sError

try:
    from urllib3 import HTTPResponse
    from urllib3.exceptions import InvalidHeader, MaxRetryError
    from urllib3.util.retry import RequestHistory, Retry
except ImportError:  # urllib3 comes with the kubernetes client, whose absence the modules report first
    Retry = None  # type: ignore[assignment,misc]  # a class or None: no name can hold both types


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; urllib3's backoff: none before the first retry, then ``base * 2**(n-1)``
    seconds before retry n, plus up to ``base`` of jitter, capped at ``cap``.

    A server's ``Retry-After`` replaces the backoff (as urllib3's ``Retry.sleep`` does), capped at
    ``max_retry_after`` so that a misbehaving proxy cannot stall a play.
    """

    attempts: int = 5
    base: float = 0.25
    cap: float = 4.0
    max_retry_after: float = 30.0
    jitter: bool = True  # clients that failed together do not retry together; tests turn it off

    def retry(self, history: tuple = ()) -> Retry:
        """A urllib3 ``Retry`` for one request under this policy (``history``: the failed attempts so far)."""
        return Retry(total=self.attempts - 1, connect=None, read=None, redirect=0, status=None, other=None,
                     allowed_methods=None,  # every method: the collection's requests are all idempotent
                     status_forcelist=RETRYABLE_STATUSES, backoff_factor=self.base, backoff_max=self.cap,
                     backoff_jitter=self.base if self.jitter else 0.0, respect_retry_after_header=True,
                     raise_on_status=False, history=history)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) when the caller retries itself
        (a 409 "the object has been modified" is answered by a fresh read, not by this module's loop)."""
        failed = (RequestHistory(None, None, None, None, None),) * attempt
        return self.retry(failed).get_backoff_time()


def call(func: Callable[[], Any], policy: RetryPolicy, sleep: Callable[[float], Any] = time.sleep,
         method: str | None = None) -> Any:
    """``func()``, tried again while urllib3's ``Retry`` says its :class:`K8sError` is worth another attempt.

    The error that ends the loop is re-raised with ``attempts`` set to the number of tries.
    """
    retry = policy.retry()
    attempt = 1
    while True:
        try:
            return func()
        except K8sError as exc:
            answer = _answer(exc)
            if answer is None:
                # No HTTP answer: urllib3 would retry a TLS failure or a malformed URL too, but those fail the
                # same way every time; the error says whether it is worth another attempt.
                worth = exc.retryable
            else:
                worth = retry.is_retry(method or "GET", answer.status, "Retry-After" in answer.headers)
            if not worth:
                exc.attempts = attempt
                raise
            try:
                retry = retry.increment(method, None, response=answer, error=exc if answer is None else None)
            except MaxRetryError:
                exc.attempts = attempt
                raise exc from None
            sleep(_pause(retry, answer, policy))
            attempt += 1


def _answer(exc):
    """The HTTP answer behind an :class:`ApiError`, as urllib3's ``Retry`` reads one; None for no answer."""
    if not isinstance(exc, ApiError):
        return None
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
    return HTTPResponse(body=b"", headers=headers, status=exc.code, preload_content=False)


def _pause(retry, answer, policy):
    if answer is not None:
        try:
            after = retry.get_retry_after(answer)
        except InvalidHeader:  # neither seconds nor an HTTP date: the backoff applies
            after = None
        if after:
            return min(after, policy.max_retry_after)
    return retry.get_backoff_time()

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""What a wait waits for, and the polling loop. Pure Python (the fetch function is injected).

A check has ``matches(obj)``, ``awaited`` (a phrase: "have condition Ready=True") and
``observed(obj)`` (what was seen instead), so a timeout explains itself. :class:`Ready` is what ``wait: true``
waits for by default, kind by kind as kubernetes.core's waiter.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import WaitTimeout

WAIT_ARG_SPEC = {
    "wait": {"type": "bool", "default": False},
    "wait_sleep": {"type": "int", "default": 5},
    "wait_timeout": {"type": "int", "default": 120},
    "wait_condition": {
        "type": "dict",
        "options": {
            "type": {"type": "str", "required": True},
            "status": {"type": "str", "default": "True", "choices": ["True", "False", "Unknown"]},
            "reason": {"type": "str"},
        },
    },
    "wait_jsonpath": {
        "type": "dict",
        "options": {
            "path": {"type": "str", "required": True},
            "value": {"type": "raw"},
        },
    },
}


def check_timing(timeout: Any, sleep: Any) -> None:
    """``wait_timeout`` (seconds, 0: check once) and ``wait_sleep`` (at least a second between polls); ``InputError``."""
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 0:
        raise InputError("wait_timeout must be 0 or more (seconds), got %s" % (timeout,))
    if not isinstance(sleep, int) or isinstance(sleep, bool) or sleep < 1:
        raise InputError("wait_sleep must be at least 1 (second), got %s" % (sleep,))


def _conditions(obj):
    conditions = ((obj or {}).get("status") or {}).get("conditions")
    return [c for c in conditions if isinstance(c, dict)] if isinstance(conditions, list) else []


@dataclass(frozen=True)
class Condition:
    """``status.conditions`` holds ``type`` with ``status`` (and ``reason`` when given)."""

    type: str
    status: str = "True"
    reason: str | None = None

    @property
    def awaited(self) -> str:
        text = "have condition %s=%s" % (self.type, self.status)
        return text + (" with reason %s" % self.reason if self.reason else "")

    def matches(self, obj: dict | None) -> bool:
        found = self._find(obj)
        return (found is not None and str(found.get("status")) == self.status
                and (self.reason is None or found.get("reason") == self.reason))

    def observed(self, obj: dict | None) -> str:
        found = self._find(obj)
        if obj is None:
            return "the object does not exist"
        if found is None:
            seen = ", ".join(str(c.get("type")) for c in _conditions(obj)) or "none"
            return "no %s condition (conditions: %s)" % (self.type, seen)
        text = "%s=%s" % (self.type, found.get("status"))
        details = ["%s: %s" % (k, found[k]) for k in ("reason", "message") if found.get(k)]
        return text + (" (%s)" % ", ".join(details) if details else "")

    def _find(self, obj):
        return next((c for c in _conditions(obj) if c.get("type") == self.type), None)


@dataclass(frozen=True)
class JsonPath:
    """A JSONPath (kubectl's subset) yields results, all equal to ``value``; without ``value``, any non-null result."""

    path: str
    value: object = None

    def __post_init__(self) -> None:
        parse_jsonpath(self.path)  # reject a bad path before any request

    @property
    def awaited(self) -> str:
        if self.value is None:
            return "have a value at %s" % self.path
        return "have %s = %s" % (self.path, _text(self.value))

    def matches(self, obj: dict | None) -> bool:
        results = jsonpath(obj, self.path) if obj is not None else []
        if self.value is None:
            return any(r is not None for r in results)
        return bool(results) and all(_text(r) == _text(self.value) for r in results)

    def observed(self, obj: dict | None) -> str:
        if obj is None:
            return "the object does not exist"
        results = jsonpath(obj, self.path)
        return "%s = %s" % (self.path, ", ".join(_text(r) for r in results) if results else "(nothing)")


def _fields(obj, *names):
    """``(spec, status, metadata)`` of ``obj`` as mappings (empty when missing or not mappings)."""
    return tuple(obj.get(n) if isinstance(obj.get(n), dict) else {} for n in names)


def _deployment_ready(obj):
    spec, status, meta = _fields(obj, "spec", "status", "metadata")
    return bool(status and spec.get("replicas") == (status.get("replicas") or 0)
                and status.get("availableReplicas") == status.get("replicas")
                and status.get("observedGeneration") == meta.get("generation")
                and not status.get("unavailableReplicas"))


def _daemonset_ready(obj):
    status, meta = _fields(obj, "status", "metadata")
    desired = status.get("desiredNumberScheduled")
    return bool(status and desired is not None and (status.get("updatedNumberScheduled") or 0) == desired
                and status.get("numberReady") == desired and status.get("observedGeneration") == meta.get("generation")
                and not status.get("unavailableReplicas"))


def _statefulset_ready(obj):
    spec, status, meta = _fields(obj, "spec", "status", "metadata")
    strategy = (spec.get("updateStrategy") or {}).get("type")
    reconciled = status.get("observedGeneration") == (meta.get("generation") or 0)
    if strategy == "OnDelete":
        return bool(status and reconciled and status.get("replicas") == spec.get("replicas"))
    return bool(status and strategy == "RollingUpdate" and reconciled
                and status.get("updateRevision") == status.get("currentRevision")
                and (status.get("updatedReplicas") or 0) == spec.get("replicas")
                and (status.get("readyReplicas") or 0) == spec.get("replicas")
                and status.get("replicas") == spec.get("replicas"))


def _pod_ready(obj):
    status = _fields(obj, "status")[0]
    containers = status.get("containerStatuses")
    return bool(status and containers is not None and all(isinstance(c, dict) and c.get("ready") for c in containers))


def _cluster_operator_ready(obj):
    found = {c.get("type"): c.get("status") for c in _conditions(obj)}
    return found.get("Degraded") == "False" and found.get("Progressing") == "False" and found.get("Available") == "True"


# kind -> (predicate, what is awaited, the status fields a timeout message shows): kubernetes.core's waiter
# (module_utils/k8s/waiter.py, RESOURCE_PREDICATES), field for field; every other kind is ready once it exists.
_READY = {
    "Deployment": (_deployment_ready, "finish its rollout (spec.replicas available, none unavailable, "
                   "status.observedGeneration equal to metadata.generation)",
                   ("replicas", "updatedReplicas", "availableReplicas", "unavailableReplicas", "observedGeneration")),
    "DaemonSet": (_daemonset_ready, "finish its rollout (every desired pod updated and ready, none unavailable, "
                  "status.observedGeneration equal to metadata.generation)",
                  ("desiredNumberScheduled", "updatedNumberScheduled", "numberReady", "unavailableReplicas",
                   "observedGeneration")),
    "StatefulSet": (_statefulset_ready, "finish its rollout (spec.replicas updated and ready, the update revision "
                    "current, status.observedGeneration equal to metadata.generation)",
                    ("replicas", "updatedReplicas", "readyReplicas", "currentRevision", "updateRevision",
                     "observedGeneration")),
    "Pod": (_pod_ready, "have every container ready", ()),
    "ClusterOperator": (_cluster_operator_ready, "be Available, not Progressing and not Degraded", ()),
}


@dataclass(frozen=True)
class Ready:
    """What ``wait: true`` waits for without a condition, as kubernetes.core's ``k8s`` waits: a Deployment, DaemonSet or
    StatefulSet until its rollout is complete, a Pod until every container is ready, a ClusterOperator until it is
    Available; any other kind until it exists."""

    kind: str

    @property
    def awaited(self) -> str:
        return _READY[self.kind][1] if self.kind in _READY else "exist"

    def matches(self, obj: dict | None) -> bool:
        if obj is None:
            return False
        return _READY[self.kind][0](obj) if self.kind in _READY else True

    def observed(self, obj: dict | None) -> str:
        if obj is None:
            return "the object does not exist"
        status, meta = _fields(obj, "status", "metadata")
        if self.kind == "Pod":
            containers = [c for c in status.get("containerStatuses") or [] if isinstance(c, dict)]
            if not containers:
                return "no container status (phase %s)" % (status.get("phase") or "unknown")
            return "ready: " + ", ".join("%s %s" % (c.get("name"), bool(c.get("ready"))) for c in containers)
        if self.kind == "ClusterOperator":
            return "conditions: " + (", ".join("%s=%s" % (c.get("type"), c.get("status")) for c in _conditions(obj))
                                     or "none")
        fields = _READY.get(self.kind, (None, None, ()))[2]
        shown = ["spec.replicas %s" % _fields(obj, "spec")[0].get("replicas")] if "replicas" in fields else []
        shown += ["%s %s" % (name, status.get(name)) for name in fields]
        return ", ".join(shown + ["generation %s" % meta.get("generation")]) if fields else "it exists"


@dataclass(frozen=True)
class Gone:
    """The object no longer exists."""

    awaited = "be deleted"

    def matches(self, obj: dict | None) -> bool:
        return obj is None

    def observed(self, obj: dict) -> str:  # asked only while the object exists
        deleting = (obj.get("metadata") or {}).get("deletionTimestamp")
        finalizers = (obj.get("metadata") or {}).get("finalizers") or []
        if deleting:
            return "deletion pending since %s (finalizers: %s)" % (deleting, ", ".join(finalizers) or "none")
        return "the object still exists"


def poll(fetch: Callable[[], Any], check: Any, target: object, timeout: float, interval: float,
         clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] = time.sleep) -> Any:
    """``fetch()`` every ``interval`` seconds until ``check`` matches; returns the matching object.

    Raises :class:`WaitTimeout` with the last object seen (``None`` if it did not exist) when
    ``timeout`` seconds pass first. ``target`` names the object in the message.
    """
    deadline = clock() + timeout
    while True:
        obj = fetch()
        if check.matches(obj):
            return obj
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeout(target, check.awaited, timeout, check.observed(obj), obj)
        sleep(min(interval, remaining))


# ---------------------------------------------------------------------------------------------
# JSONPath: the subset kubectl's --for=jsonpath and -o jsonpath use on single objects:
# {.a.b}, .a.b, a.b, [n], [-n], [*], ['key'] / ["key"], escaped dots (a\.b), and filters
# [?(@.x=="v")], [?(@.x!="v")], [?(@.x)].
# The only JSONPath of the collection, and its own: what wait_jsonpath promises is kubectl's dialect (relaxed braces,
# results compared as kubectl prints them), which no declared library speaks (jsonpath-ng parses another one).
# ---------------------------------------------------------------------------------------------

_FILTER = re.compile(r"""^\?\(@((?:\.[^.=!\s)]+)+)\s*(?:(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+)))?\s*\)$""")


# kubectl's RelaxedJSONPathExpression (kubectl wait --for=jsonpath): one optional pair of braces around the whole path.
_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


def parse_jsonpath(path: str) -> list:
    """Steps of ``path``: ``("key", name)``, ``("index", n)``, ``("all", None)`` or ``("filter", (steps, op, value))``."""
    text = path.strip()
    if not text:
        raise InputError("JSONPath %r: a path is required, such as {.status.phase}" % path)
    if not _RELAXED.match(text):
        raise InputError("JSONPath %r: unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
                         "'{name1.name2}' or '{.name1.name2}'" % path)
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    if text.startswith("$"):
        text = text[1:]
    steps, i = [], 0
    if text and text[0] not in ".[":
        text = "." + text
    while i < len(text):
        if text[i] == ".":
            name, i = _read_name(text, i + 1, path)
            steps.append(("key", name))
        elif text[i] == "[":
            end = _bracket_end(text, i, path)
            steps.append(_bracket(text[i + 1:end].strip(), path))
            i = end + 1
        else:
            raise InputError("JSONPath %r: unexpected %r at position %d" % (path, text[i], i))
    return steps


def _read_name(text, i, path):
    name = []
    while i < len(text) and text[i] not in ".[":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        name.append(text[i])
        i += 1
    if not name:
        raise InputError("JSONPath %r: empty field name" % path)
    return "".join(name), i


def _bracket_end(text, start, path):
    depth, quote = 0, None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
    raise InputError("JSONPath %r: unclosed '['" % path)


def _bracket(inner, path):
    if inner == "*":
        return ("all", None)
    if re.fullmatch(r"-?\d+", inner):
        return ("index", int(inner))
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return ("key", inner[1:-1])
    match = _FILTER.match(inner)
    if not match:
        raise InputError("JSONPath %r: unsupported expression [%s]" % (path, inner))
    field_path, op, *literal = match.groups()
    value = next((v for v in literal if v is not None), None)
    return ("filter", (parse_jsonpath(field_path), op, value))


def jsonpath(obj: Any, path: str) -> list:
    """Every value ``path`` selects in ``obj`` (a list; empty when nothing matches)."""
    nodes = [obj]
    for kind, arg in parse_jsonpath(path):
        nodes = [found for node in nodes for found in _step(node, kind, arg)]
    return nodes


def _step(node, kind, arg):
    if kind == "key":
        return [node[arg]] if isinstance(node, dict) and arg in node else []
    if kind == "index":
        return [node[arg]] if isinstance(node, list) and -len(node) <= arg < len(node) else []
    items = node if isinstance(node, list) else list(node.values()) if isinstance(node, dict) else []
    if kind == "all":
        return items
    steps, op, value = arg
    return [item for item in items if _filter_matches(item, steps, op, value)]


def _filter_matches(item, steps, op, value):
    found = [item]
    for kind, arg in steps:
        found = [x for node in found for x in _step(node, kind, arg)]
    if op is None:
        return any(x is not None for x in found)
    equal = any(_text(x) == value for x in found)
    return equal if op == "==" else not equal


def _text(value):
    """kubectl's rendering of a JSONPath result: strings bare, everything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), sort_keys=True)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Input handling shared by every core module: one error type and plain-builtin conversion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class InputError(ValueError):
    """Bad input from a user: the message names the field, the bad value and what is valid.

    Filters turn it into ``AnsibleFilterError`` and modules into ``fail_json``; anything else
    escaping the core is a bug.
    """


# Deeper than any Kubernetes object or setting, and shallow enough for the recursive code behind every edge.
MAX_DEPTH = 100
# Python refuses to print an integer of more digits than this (sys.int_info.default_max_str_digits, 3.11+).
MAX_INT_DIGITS = 4300
_MAX_INT = 10 ** MAX_INT_DIGITS


def check_structure(value: Any, what: str) -> None:
    """Refuse (``InputError``) input nested more than ``MAX_DEPTH`` levels deep or holding an integer of more than
    ``MAX_INT_DIGITS`` digits: either would end in Python's own error text deep inside. ``what`` names the input.

    Iterative, so that the check itself copes with any depth.
    """
    stack: list[tuple[Any, int, tuple]] = [(value, 0, ())]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool):
            if abs(item) >= _MAX_INT:
                raise InputError("%s holds an integer of more than %d digits; no Kubernetes field or setting takes one"
                                 % (_path_text(what, path), MAX_INT_DIGITS))
            continue
        children: Any
        if isinstance(item, Mapping):
            children = item.items()
        elif isinstance(item, (list, tuple, set, frozenset)):
            children = enumerate(item)
        else:
            continue
        if depth >= MAX_DEPTH:
            raise InputError("%s is nested more than %d levels deep; no Kubernetes object or setting is"
                             % (_path_text(what, path[:5]) + ("..." if len(path) > 5 else ""), MAX_DEPTH))
        for key, child in children:
            stack.append((child, depth + 1, path + (key,)))


class _Refused(Exception):
    """Raised inside :func:`_plain`; ``path`` collects the keys on the way out, innermost first."""

    def __init__(self, too_deep):
        super().__init__()
        self.too_deep = too_deep
        self.path = []


def plain_input(value: Any, what: str) -> Any:
    """:func:`check_structure` then :func:`to_builtin`, in one walk: what a filter reads its arguments with.

    Ansible's lazy containers render each value they are asked for; walking them once instead of twice halves the cost
    of a filter call inside templating. Refuses exactly what :func:`check_structure` refuses, with the same message,
    found in the same order (children last to first, as its stack pops them).
    """
    try:
        return _plain(value, 0)
    except _Refused as refused:
        path = tuple(reversed(refused.path))
        if refused.too_deep:
            raise InputError("%s is nested more than %d levels deep; no Kubernetes object or setting is"
                             % (_path_text(what, path[:5]) + ("..." if len(path) > 5 else ""), MAX_DEPTH)) from None
        raise InputError("%s holds an integer of more than %d digits; no Kubernetes field or setting takes one"
                         % (_path_text(what, path), MAX_INT_DIGITS)) from None


def _plain(value, depth):
    kind = type(value)
    if kind is str or value is None or kind is bool or kind is float:
        return value
    if isinstance(value, int) and kind is not bool:
        if -_MAX_INT < value < _MAX_INT:
            return value if kind is int else int(value)
        raise _Refused(False)
    if isinstance(value, Mapping):
        if depth >= MAX_DEPTH:
            raise _Refused(True)
        items = list(value.items())
        converted = [None] * len(items)
        for i in range(len(items) - 1, -1, -1):
            key, child = items[i]
            try:
                converted[i] = (to_builtin(key), _plain(child, depth + 1))
            except _Refused as refused:
                refused.path.append(key)
                raise
        return dict(converted)
    if isinstance(value, (list, tuple, set, frozenset)):
        if depth >= MAX_DEPTH:
            raise _Refused(True)
        items = list(value)
        for i in range(len(items) - 1, -1, -1):
            try:
                items[i] = _plain(items[i], depth + 1)
            except _Refused as refused:
                refused.path.append(i)
                raise
        return items
    return to_builtin(value)


def shown(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` to show (a module's ``invocation``): what is nested deeper than ``MAX_DEPTH`` is left out."""
    if depth > MAX_DEPTH:
        return "(nested too deep to show)"
    if isinstance(value, Mapping):
        return {k: shown(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shown(v, depth + 1) for v in value]
    return value


def _path_text(what, path):
    text = what
    for part in path:
        if isinstance(part, str) and part.isidentifier():
            text += "." + part
        elif isinstance(part, str):
            text += "[%s]" % _short(part, 40)
        else:
            text += "[%s]" % (part if isinstance(part, int) and abs(part) < 10 ** 20 else type_name(part))
    return text


def to_builtin(value: Any) -> Any:
    """Deep-convert Ansible's tagged/lazy containers and strings into plain builtins.

    ansible-core 2.19 hands plugins subclasses of str/dict/list; JSON, jmespath and ``type() is``
    checks expect the builtins themselves.
    """
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, Mapping):
        return {to_builtin(k): to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_builtin(v) for v in value]
    return value


def type_name(value: Any) -> str:
    """The YAML/JSON name of a value's type, for error messages."""
    if value is None:
        return "null"
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
                       (Mapping, "mapping"), (list, "list")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def expect(value: Any, kind: type, what: str) -> Any:
    """Return ``value`` if it is a ``kind`` (``dict``, ``list``, ``str``, ``int`` or ``bool``), else raise.

    ``what`` names the field, e.g. ``"pod.spec.hostAliases"``.
    """
    if type(value) is kind or (isinstance(value, kind) and not (kind is int and isinstance(value, bool))):  # pylint: disable=unidiomatic-typecheck
        return value
    raise InputError("%s must be %s, got %s %s" % (what, _KIND_NAMES.get(kind, kind.__name__), type_name(value), _short(value)))


_KIND_NAMES = {dict: "a mapping", list: "a list", str: "a string", int: "an integer", bool: "a boolean"}


def optional(value: Any, kind: type, what: str, default: Any = None) -> Any:
    """Like :func:`expect` but ``None`` gives ``default``."""
    if value is None:
        return default
    return expect(value, kind, what)


def field(obj: dict, name: str, kind: type, path: str, default: Any = None) -> Any:
    """The one typed-field reader: ``obj[name]`` as a ``kind`` (absent or null gives ``default``); an error names
    ``path.name``. The path is built only on failure: these reads run for every field of every object."""
    value = obj.get(name)
    if value is None:
        return default
    if type(value) is kind or (isinstance(value, kind) and not isinstance(value, bool)):  # pylint: disable=unidiomatic-typecheck
        return value
    return expect(value, kind, "%s.%s" % (path, name) if path else name)


def strings(value: Any, path: str) -> list[str]:
    """A list of strings (``None`` is an empty list); an error names ``path[i]``."""
    if value is None:
        return []
    if type(value) is not list:  # pylint: disable=unidiomatic-typecheck
        expect(value, list, path)
    for i, item in enumerate(value):
        if type(item) is not str:  # pylint: disable=unidiomatic-typecheck
            expect(item, str, "%s[%d]" % (path, i))
    return list(value)


def _short(value, limit=60):
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MAX_INT:
        return "(an integer of more than %d digits)" % MAX_INT_DIGITS
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # too deep, or holding an integer too long to print
        text = "(%s too large to show)" % type_name(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Input handling shared by every core module: one error type and plain-builtin conversion."""

from __future__ import annotations

from collections.abc import Mapping


class InputError(ValueError):
    """Bad input from a user: the message names the field, the bad value and what is valid.

    Filters turn it into ``AnsibleFilterError`` and modules into ``fail_json``; anything else
    escaping the core is a bug.
    """


def to_builtin(value):
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


def type_name(value):
    """The YAML/JSON name of a value's type, for error messages."""
    if value is None:
        return "null"
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
                       (Mapping, "mapping"), (list, "list")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def expect(value, kind, what):
    """Return ``value`` if it is a ``kind`` (``dict``, ``list``, ``str``, ``int`` or ``bool``), else raise.

    ``what`` names the field, e.g. ``"pod.spec.hostAliases"``.
    """
    names = {dict: "a mapping", list: "a list", str: "a string", int: "an integer", bool: "a boolean"}
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        raise InputError("%s must be %s, got %s %s" % (what, names.get(kind, kind.__name__), type_name(value), _short(value)))
    return value


def optional(value, kind, what, default=None):
    """Like :func:`expect` but ``None`` gives ``default``."""
    if value is None:
        return default
    return expect(value, kind, what)


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."

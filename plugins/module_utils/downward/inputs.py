# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Reading a pod for the Downward API: lists of mappings with their field paths, int32 fields, and the marker of a
value this offline model cannot know (:class:`Unresolved`). Every field is type-checked where it is read.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import child, index


class Unresolved(object):
    """A value the kubelet computes from something this offline model does not know."""

    __slots__ = ("reason", "field")

    def __init__(self, reason, field=None):
        self.reason = reason
        self.field = field

    def at(self, field: str | None) -> Unresolved:
        return Unresolved(self.reason, field)

    def as_dict(self, name: str | None) -> dict:
        return {"name": name, "field": self.field, "reason": self.reason}


def mappings(obj: dict, key: str, path: str) -> list[tuple[dict, str]]:
    """``(item, item path)`` for every mapping in the list ``obj[key]``."""
    base = child(path, key)
    found = []
    for i, item in enumerate(field(obj, key, list, path, [])):
        item_path = index(base, i)
        found.append((item if type(item) is dict else expect(item, dict, item_path), item_path))  # pylint: disable=unidiomatic-typecheck
    return found


def int32(obj: dict, key: str, path: str) -> int | None:
    value = field(obj, key, int, path)
    if value is not None and not -(1 << 31) <= value < (1 << 31):
        raise InputError("%s must fit in an int32, got %d" % (child(path, key), value))
    return value

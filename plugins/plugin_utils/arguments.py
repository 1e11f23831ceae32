# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""How a filter reads its arguments: as plain builtins, structure checked (``common.plain_input``).

From ansible-core 2.19 a filter's container arguments are lazy: each value read is passed through the templar (and
its access checks) first, which costs several times the value itself. Most values need none of that: plain
strings without template syntax, numbers, and containers of them, tagged only with where they came from. Those are
read straight from the containers' storage here; anything else (a template still to render, a vaulted or undefined
value, a deprecated variable, a huge number, deep nesting) sends the whole argument through the public path, so the
result and every error stay exactly what ``plain_input`` gives.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils.common import MAX_DEPTH, MAX_INT_DIGITS, plain_input, to_builtin

try:  # ansible-core 2.19 and later; before, arguments arrive rendered and only the public path is used
    from ansible._internal._datatag._tags import Origin, SourceWasEncrypted, TrustedAsTemplate, VaultedValue
    from ansible._internal._templating._lazy_containers import (
        _AnsibleLazyTemplateDict, _AnsibleLazyTemplateList, _LazyValue)
    from ansible.module_utils._internal._datatag import (
        _AnsibleTaggedDict, _AnsibleTaggedFloat, _AnsibleTaggedInt, _AnsibleTaggedList, _AnsibleTaggedStr)
except ImportError:  # pragma: no cover - depends on the ansible-core release
    _LazyValue = None

_MAX_INT = 10 ** MAX_INT_DIGITS


class _Slow(Exception):
    """The argument holds something only the templar may read."""


if _LazyValue is not None:
    # tags that change nothing about reading a value that is not a template
    _HARMLESS_TAGS = frozenset((Origin, TrustedAsTemplate, VaultedValue, SourceWasEncrypted))
    _DICTS = frozenset((dict, _AnsibleTaggedDict, _AnsibleLazyTemplateDict))
    _LISTS = frozenset((list, _AnsibleTaggedList, _AnsibleLazyTemplateList))
    _TAGGED_SCALARS = {_AnsibleTaggedStr: str, _AnsibleTaggedInt: int, _AnsibleTaggedFloat: float}
    _TAGGED = frozenset((_AnsibleTaggedDict, _AnsibleLazyTemplateDict, _AnsibleTaggedList, _AnsibleLazyTemplateList))


def _tags(value):
    # a lazy container made by the templar itself (a filter's output fed to the next) may carry no tag mapping
    return getattr(value, "_ansible_tags_mapping", ())


def _raw(value, depth):
    kind = type(value)
    if kind is _LazyValue:  # not yet seen by the templar
        value = value.value
        kind = type(value)
    if kind in _TAGGED_SCALARS:
        if not _HARMLESS_TAGS.issuperset(_tags(value)):
            raise _Slow()
        value = _TAGGED_SCALARS[kind](value)
        kind = type(value)
    if kind is str:
        if "{" in value or value.startswith("#jinja2:"):  # Jinja's start strings, the overrides header
            raise _Slow()
        return value
    if kind is int:
        if -_MAX_INT < value < _MAX_INT:
            return value
        raise _Slow()
    if value is None or kind is bool or kind is float:
        return value
    if depth >= MAX_DEPTH:
        raise _Slow()
    if kind in _TAGGED and not _HARMLESS_TAGS.issuperset(_tags(value)):
        raise _Slow()
    if kind in _DICTS:
        return {(key if type(key) is str else to_builtin(key)): _raw(item, depth + 1)  # pylint: disable=unidiomatic-typecheck
                for key, item in dict.items(value)}
    if kind in _LISTS:
        return [_raw(item, depth + 1) for item in list.__iter__(value)]
    raise _Slow()


def read_argument(value, name):
    """``plain_input(value, name)``, reading lazy containers' storage directly when nothing in them needs the templar."""
    if _LazyValue is not None:
        try:
            return _raw(value, 0)
        except (_Slow, AttributeError, TypeError):  # private classes may change within 2.19.x: the public path is exact
            pass
    return plain_input(value, name)

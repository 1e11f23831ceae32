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
    _harmless = _HARMLESS_TAGS.issuperset
    _DICTS = frozenset((dict, _AnsibleTaggedDict, _AnsibleLazyTemplateDict))
    _LISTS = frozenset((list, _AnsibleTaggedList, _AnsibleLazyTemplateList))
    _TAGGED_NUMBERS = {_AnsibleTaggedInt: int, _AnsibleTaggedFloat: float}


def _tags(value):
    # a lazy container made by the templar itself (a filter's output fed to the next) may carry no tag mapping
    return getattr(value, "_ansible_tags_mapping", ())


# Every value of an argument passes here, so the order of the tests is the order of how common each kind is in a
# Kubernetes object: strings (a playbook's are tagged), then containers, then numbers. A tagged scalar always carries
# its tag mapping (read directly: no getattr per string); should one not, the AttributeError sends the argument
# through the public path.
def _raw(value, depth):
    kind = type(value)
    if kind is _LazyValue:  # not yet seen by the templar
        value = value.value
        kind = type(value)
    if kind is str or kind is _AnsibleTaggedStr:
        # Jinja's start strings, the overrides header
        if "{" in value or value.startswith("#jinja2:") or (kind is not str and not _harmless(value._ansible_tags_mapping)):
            raise _Slow()
        return value if kind is str else str(value)
    if kind in _DICTS:
        if depth >= MAX_DEPTH or (kind is not dict and not _harmless(_tags(value))):
            raise _Slow()
        depth += 1
        # keys: what to_builtin makes of them (a string subclass gives its str; str() of a str is the str itself)
        return {(str(key) if isinstance(key, str) else to_builtin(key)): _raw(item, depth) for key, item in dict.items(value)}
    if kind in _LISTS:
        if depth >= MAX_DEPTH or (kind is not list and not _harmless(_tags(value))):
            raise _Slow()
        depth += 1
        return [_raw(item, depth) for item in list.__iter__(value)]
    if kind in _TAGGED_NUMBERS:
        if not _harmless(value._ansible_tags_mapping):
            raise _Slow()
        value = _TAGGED_NUMBERS[kind](value)
        kind = type(value)
    if kind is int:
        if -_MAX_INT < value < _MAX_INT:
            return value
        raise _Slow()
    if value is None or kind is bool or kind is float:
        return value
    raise _Slow()


def read_argument(value, name):
    """``plain_input(value, name)``, reading lazy containers' storage directly when nothing in them needs the templar."""
    if _LazyValue is not None:
        try:
            return _raw(value, 0)
        except (_Slow, AttributeError, TypeError):  # private classes may change within 2.19.x: the public path is exact
            pass
    return plain_input(value, name)

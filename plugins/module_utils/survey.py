# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Ansible-side values as Ansible's argument specs read them: AWX survey answers, ``-e key=value`` and templated
values on ansible-core before 2.19 (whose templates always give strings) arrive as strings.

Filters and modules convert with these before the core sees a value, so ``'24'`` works wherever ``24`` does, and a
string that cannot be read gets a plain error naming the option and the value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ansible.module_utils.common.validation import check_type_bool, check_type_dict, check_type_int

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, check_structure, to_builtin


def as_int(value: Any, what: str) -> Any:
    """``value``, with a string of digits (``'24'``, ``' 2 '``) read as the integer it holds; other types are left for
    the caller's own checks. Raises ``InputError`` for a string that holds no integer."""
    if not isinstance(value, str):
        return value
    try:
        number = check_type_int(value.strip())
    except (TypeError, ValueError):
        raise InputError("%s must be an integer, got the string %r" % (what, _short(value))) from None
    check_structure(number, what)   # a string of thousands of digits: refused as the same integer given as one
    return number


def _short(text, limit=60):
    return text if len(text) <= limit else "%s...(%d characters)" % (text[:limit], len(text))


def as_node_mask_sizes(value: Any, what: str = "node_mask_sizes") -> Any:
    """``node_mask_sizes`` from a string as a survey gives it: ``'24'`` (one mask), ``'IPv4=24,IPv6=64'`` or JSON
    ``'{"IPv4": 24, "IPv6": 64}'`` (per family), ``'24,64'`` or ``'[24, 64]'`` (one per cluster CIDR); an empty
    string means unset. Other values are returned as they are, with string masks inside read as integers."""
    value = to_builtin(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.startswith("[") or ("," in text and "=" not in text):
            try:
                value = json.loads(text) if text.startswith("[") else [part.strip() for part in text.split(",")]
            except ValueError:
                raise InputError("%s: %r is not a list of masks such as [24, 64] or 24,64" % (what, value)) from None
        elif text.startswith("{") or "=" in text:
            try:
                value = check_type_dict(text)
            except (TypeError, ValueError):
                raise InputError("%s: %r is not a mapping of masks such as IPv4=24,IPv6=64 or {\"IPv4\": 24, \"IPv6\": 64}"
                                 % (what, value)) from None
        else:
            return as_int(text, what)
    if isinstance(value, dict):
        return {key: as_int(mask, "%s.%s" % (what, key)) for key, mask in value.items()}
    if isinstance(value, list):
        return [as_int(mask, "%s[%d]" % (what, i)) for i, mask in enumerate(value)]
    return value


# A survey's list of names or CIDRs: items separated by commas and/or whitespace (a text area's newlines).
_WORD = re.compile(r"[^,\s]+")
# A survey's list of entries that hold spaces ("ip name ..."): items separated by commas and/or newlines.
_ENTRY = re.compile(r"[^,\n]+")
# A survey's mapping as NAME=value pairs separated by commas and/or whitespace (a value may be empty).
_PAIR = re.compile(r"([^=,\s]+)=([^,\s]*)")


def as_words(value: Any, what: str | None = None) -> Any:  # pylint: disable=unused-argument
    """A list from a survey's text: the items between commas and whitespace (``'a, b'``, ``'a\\nb'``: ``['a', 'b']``).
    Other values are returned as they are."""
    return _WORD.findall(value) if isinstance(value, str) else value


def as_entries(value: Any, what: str | None = None) -> Any:  # pylint: disable=unused-argument
    """A list from a survey's text of entries that hold spaces (``'10.0.0.5 db, 10.0.0.6 cache'``): the items
    between commas and newlines, trimmed, empty ones dropped. Other values are returned as they are."""
    if not isinstance(value, str):
        return value
    return [entry.strip() for entry in _ENTRY.findall(value) if entry.strip()]


def as_mapping(value: Any, what: str = "value") -> Any:
    """A mapping from a survey's text: JSON or YAML when it starts with ``{``, else ``NAME=value`` pairs separated by
    commas or whitespace (``'a=1,b=2'``). Other values are returned as they are. Raises ``InputError`` for text
    that starts with ``{`` but is no YAML mapping."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text.startswith("{"):
        return dict(_PAIR.findall(value))
    # only filters read survey text (modules never do): PyYAML is imported where it is needed
    import yaml  # pylint: disable=import-outside-toplevel
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError("%s: %r is neither JSON nor YAML: %s" % (what, _short(value), str(exc).splitlines()[0])) from None
    if not isinstance(loaded, dict):
        raise InputError("%s: %r is not a mapping" % (what, _short(value)))
    return loaded


def _leniently(convert, value, what):
    """``convert(value)``, or ``value`` itself when it cannot be converted (the argument spec names that mistake)."""
    try:
        return convert(value, what)
    except (InputError, TypeError, ValueError):
        return value


def _as_bool(value, what):  # pylint: disable=unused-argument
    return check_type_bool(value) if isinstance(value, str) else value


_BY_TYPE = {"dict": as_mapping, "int": as_int, "bool": _as_bool}


def survey_value(value: Any, spec: dict, what: str = "value") -> Any:
    """``value`` converted as the argument spec ``spec`` (one option: ``type``, ``elements``, ``options``) reads it,
    from the text a survey gives: a list of strings from words (:func:`as_words`), a list of other elements from
    entries (:func:`as_entries`), a mapping from JSON, YAML or
    ``NAME=value`` pairs (:func:`as_mapping`), an integer or a boolean from its text; the options of a mapping, or of
    each mapping of a list, likewise. A value that cannot be converted is left as it is: the argument spec itself
    says what is wrong with it."""
    spec = spec if isinstance(spec, dict) else {}
    kind = spec.get("type", "str")
    if kind == "list":
        value = as_words(value) if spec.get("elements") == "str" else as_entries(value)
    elif kind in _BY_TYPE:
        value = _leniently(_BY_TYPE[kind], value, what)
    options = spec.get("options")
    if isinstance(options, dict):
        if isinstance(value, dict):
            value = survey_values(value, options, what + ".")
        elif isinstance(value, list):
            value = [survey_values(item, options, "%s[%d]." % (what, i)) if isinstance(item, dict) else item
                     for i, item in enumerate(value)]
    return value


def survey_values(values: dict, options: dict, prefix: str = "") -> dict:
    """``values`` (a mapping of option name to value) with each value converted by its option's spec in ``options``
    (:func:`survey_value`); names without a spec are left as they are."""
    return {name: survey_value(value, options[name], prefix + str(name)) if name in options else value
            for name, value in values.items()}

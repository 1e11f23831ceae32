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

from ansible.module_utils.common.validation import check_type_dict, check_type_int

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, check_structure, to_builtin


def as_int(value, what):
    """``value``, with a string of digits (``'24'``, ``' 2 '``) read as the integer it holds; other types are left for
    the caller's own checks. Raises ``InputError`` for a string that holds no integer."""
    if not isinstance(value, str):
        return value
    try:
        number = check_type_int(value.strip())
    except (TypeError, ValueError):
        raise InputError("%s must be an integer, got the string %r" % (what, value)) from None
    check_structure(number, what)  # a string of more digits than Python prints back
    return number


def as_node_mask_sizes(value, what="node_mask_sizes"):
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

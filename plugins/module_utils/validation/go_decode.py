# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The error kube-apiserver returns when a request body does not decode into the kind's Go type.

Before any validation rule runs, kube-apiserver decodes the JSON body into the versioned Go struct with
``sigs.k8s.io/json`` (``UnmarshalCaseSensitivePreserveInts``, a fork of Go's ``encoding/json``). A value
of the wrong JSON type, or a number a Go integer cannot hold, fails the whole request with one message
(``handlers.transformDecodeError``)::

    Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into
    Go struct field DeploymentSpec.spec.replicas of type int32

How the decoder walks the document, as in ``decode.go`` of the fork:

- members in document order (a dict's order here: the order the client serializes); unknown members
  are skipped (kube-apiserver only warns about them); ``null`` is accepted anywhere;
- a type mismatch is remembered and decoding goes on: the first one is reported
  (``decodeState.saveError``); its field path is the JSON names from the root, with the Go names of
  embedded structs (``VolumeSource``, ``ProbeHandler``, ``EphemeralContainerCommon``...), without list
  indexes or map keys; the struct named is the one holding the last field;
- a type that decodes itself (``json.Unmarshaler``) fails the request at once, ahead of a remembered
  mismatch: ``resource.Quantity`` (its parse errors), ``intstr.IntOrString`` (a non-string that is not
  an int32), ``metav1.Time`` (not a string; the time text itself is not reproduced: see
  ``_time_text``), ``metav1.FieldsV1`` (never fails).

The Go types come from ``_go_types`` (generated from the pinned release by ``tests/kube/gotypes.py``).
JSON numbers are read from their text as Python's ``json`` module writes them (``1.0`` is not an int).

The rules, their upstream origin and the assumptions: docs/validation.md#decoding.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.validation import _go_types
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import _parse_text as parse_quantity_text

_GO_SPACE = "\t\n\v\f\r \x85\xa0"

# Go's time.RFC3339 layout, as time.Parse reads it in the common case (two-digit fields, optional
# fraction, Z or a +hh:mm offset)
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,]\d+)?(?:Z|[+-](\d{2}):(\d{2}))\Z")


class _Failed(Exception):
    """A decoding error that ends decoding at once (returned by a json.Unmarshaler)."""


def decoding_error(obj: Any, kind: str) -> str | None:
    """The error text kube-apiserver answers when ``obj`` (a manifest of builtin ``kind``) does not
    decode, ``None`` when it decodes (or ``kind`` is not a builtin kind this module knows)."""
    root = _go_types.ROOTS.get(kind)
    if root is None:
        return None
    state = _State()
    try:
        state.value(obj, root, None, ())
    except _Failed as failed:
        return str(failed)
    return state.saved


def _json_literal(number):
    """The JSON text of a number, as Python's json module writes it."""
    if isinstance(number, float) and not math.isfinite(number):
        raise InputError("%r is not a JSON number" % number)
    return json.dumps(number)


def _json_key(key):
    """A dict key as JSON writes it (json.dumps turns non-string keys into strings)."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise InputError("a key of type %s is not JSON: %r" % (type_name(key), key))


def _what(value):
    """How a JSON value is named in an UnmarshalTypeError, or None for null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    raise InputError("a value of type %s is not JSON: %r" % (type_name(value), value))


def _type_error(what, type_index, struct, stack):
    """``UnmarshalTypeError.Error()``: with its field context when there is one."""
    name = _go_types.TYPES[type_index][1]
    if struct is not None or stack:
        return "json: cannot unmarshal %s into Go struct field %s.%s of type %s" % (what, struct or "", ".".join(stack), name)
    return "json: cannot unmarshal %s into Go value of type %s" % (what, name)


def _fits(number, bits):
    limit = 1 << (bits - 1)
    return -limit <= number < limit


def _int_literal_value(value):
    """The int a JSON number decodes to with strconv.ParseInt, or None (a fraction or exponent)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


class _State(object):
    __slots__ = ("saved",)

    def __init__(self):
        self.saved = None

    def save(self, what, type_index, struct, stack):
        if self.saved is None:
            self.saved = _type_error(what, type_index, struct, stack)

    def value(self, value, type_index, struct, stack):
        kind, _name, detail = _go_types.TYPES[type_index]
        what = _what(value)
        if kind == "custom":
            _custom(value, what, type_index, struct, stack)
            return
        if what is None or kind == "any":
            return
        if what == "object":
            if kind == "struct":
                self.struct(value, detail, struct, stack)
            elif kind == "map":
                for key, item in value.items():
                    _json_key(key)
                    self.value(item, detail, struct, stack)
            else:
                self.save("object", type_index, struct, stack)
        elif what == "array":
            if kind == "slice":
                for item in value:
                    self.value(item, detail, struct, stack)
            else:
                self.save("array", type_index, struct, stack)
        elif what == "string":
            if kind != "string":
                self.save("string", type_index, struct, stack)
        elif what == "bool":
            if kind != "bool":
                self.save("bool", type_index, struct, stack)
        elif kind == "int":
            number = _int_literal_value(value)
            if number is None or not _fits(number, detail):
                self.save("number " + _json_literal(value), type_index, struct, stack)
        else:
            _json_literal(value)
            self.save("number", type_index, struct, stack)

    def struct(self, obj, detail, _outer_struct, stack):
        struct_name, fields = detail
        by_name = _fields_by_name(fields)
        for key, item in obj.items():
            field = by_name.get(_json_key(key))
            if field is None:
                continue
            name, type_index, via, _depth = field
            self.value(item, type_index, struct_name, stack + via + (name,))


_FIELDS: dict[int, dict[str, tuple[str, int, tuple[str, ...], int]]] = {}


def _fields_by_name(fields):
    """Exact-name lookup of a struct's JSON fields; of fields with one name, the shallowest wins (Go's
    dominant field)."""
    key = id(fields)
    found = _FIELDS.get(key)
    if found is None:
        found = {}
        for field in fields:
            if field[0] not in found or field[3] < found[field[0]][3]:
                found[field[0]] = field
        _FIELDS[key] = found
    return found


def _custom(value, what, type_index, struct, stack):
    name = _go_types.TYPES[type_index][1]
    if name == "resource.Quantity":
        _quantity(value, what)
    elif name == "intstr.IntOrString":
        if what in (None, "string"):
            return
        if what == "number":
            number = _int_literal_value(value)
            if number is not None and _fits(number, 32):
                return
            what = "number " + _json_literal(value)
        raise _Failed(_type_error(what, _INT32, struct, stack))
    elif name == "v1.Time":
        if what is None:
            return
        if what != "string":
            raise _Failed(_type_error(what, _STRING, struct, stack))
        _time_text(value, stack)
    elif name == "v1.FieldsV1":
        if what is not None:
            json.dumps(value)
    else:  # a new json.Unmarshaler in a later release: tests/differential/test_go_types.py says so
        raise InputError("validation_errors cannot decode %s (a Go type that decodes itself)" % name)


def _quantity(value, what):
    """``Quantity.UnmarshalJSON``: the JSON text, without its quotes, trimmed, must parse."""
    if what is None:
        return
    if what == "string":
        text = json.dumps(value)[1:-1]
    elif what == "number":
        text = _json_literal(value)
    elif what == "bool":
        text = "true" if value else "false"
    else:
        text = json.dumps(value)
    parsed = parse_quantity_text(text.strip(_GO_SPACE))
    if isinstance(parsed, str):
        raise _Failed(parsed)


def _time_text(text, stack):
    """``metav1.Time`` text: RFC 3339. Go's time.Parse error texts are not reproduced: a text this
    module cannot vouch for is refused as input instead of being answered wrongly."""
    match = _RFC3339.match(text)
    if match:
        year, month, day, hour, minute, second, zone_hour, zone_minute = (int(g) if g else 0 for g in match.groups())
        try:
            datetime.date(year, month, day)
        except ValueError:
            match = None
        else:
            if hour > 23 or minute > 59 or second > 59 or zone_hour > 23 or zone_minute > 59:
                match = None
    if not match:
        raise InputError("%s: %r: validation_errors does not reproduce how kube-apiserver parses a time that is not "
                         "RFC 3339 (2006-01-02T15:04:05Z)" % (".".join(stack), text))


def _type_index(name):
    for i, entry in enumerate(_go_types.TYPES):
        if entry[1] == name and entry[0] != "custom":
            return i
    raise KeyError(name)


_INT32 = _type_index("int32")
_STRING = _type_index("string")

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""CRD schema errors as apiextensions-apiserver reports kube-openapi's checks (types, strings, integers,
arrays).

Pure Python, no Ansible imports. The rules, their upstream origin and the assumptions:
docs/validation.md.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    FieldError, invalid, too_long, too_many)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import GoSyntax, go_quote


def json_type(value: Any) -> str:
    """The OpenAPI type name kube-openapi reports for a decoded JSON/YAML value."""
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
                       (dict, "object"), (list, "array")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def schema_type_error(field: str, value: Any, expected: str) -> FieldError:
    """A CRD schema type mismatch as apiextensions-apiserver reports kube-openapi's ``InvalidType``.

    ``spec.port: Invalid value: "string": spec.port in body must be of type integer: "string"``
    """
    actual = json_type(value)
    return FieldError("TypeInvalid", field, actual, "%s in body must be of type %s: %s" % (field, expected, go_quote(actual)))


def _go_regexp(pattern):
    # RE2's "$" (no multi-line flag) matches only at the very end; Python's also before a final "\n".
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            ch = "\\Z"
        out.append(ch)
    return re.compile("".join(out))


_SCHEMA_PATTERNS: dict[str, re.Pattern[str]] = {}


def schema_string_error(field: str, value: Any, max_length: int | None = None, min_length: int | None = None,
                        pattern: str | None = None) -> FieldError | None:
    """The CRD schema's string checks, as the API server reports the first that fails; ``None`` when valid.

    kube-openapi's ``stringValidator`` checks maxLength, minLength, then pattern (counted in characters,
    pattern searched unanchored like Go's ``MatchString``). ``pattern`` is the CRD's Go regexp text.
    """
    if not isinstance(value, str):
        return schema_type_error(field, value, "string")
    if max_length is not None and len(value) > max_length:
        return too_long(field, max_length)
    if min_length is not None and len(value) < min_length:
        return invalid(field, value, "%s in body should be at least %d chars long" % (field, min_length))
    if pattern is not None:
        if pattern not in _SCHEMA_PATTERNS:
            _SCHEMA_PATTERNS[pattern] = _go_regexp(pattern)
        if not _SCHEMA_PATTERNS[pattern].search(value):
            return invalid(field, value, "%s in body should match '%s'" % (field, pattern))
    return None


def schema_int_error(field: str, value: Any, minimum: int | None = None,
                     maximum: int | None = None) -> FieldError | None:
    """The CRD schema's integer checks (type, minimum, maximum); ``None`` when valid."""
    if json_type(value) != "integer":
        return schema_type_error(field, value, "integer")
    if minimum is not None and value < minimum:
        return invalid(field, value, "%s in body should be greater than or equal to %d" % (field, minimum))
    if maximum is not None and value > maximum:
        return invalid(field, value, "%s in body should be less than or equal to %d" % (field, maximum))
    return None


def schema_int32_errors(field: str, value: Any, minimum: int | None = None,
                        maximum: int | None = None) -> list[FieldError]:
    """The CRD schema's checks of an ``integer`` of ``format: int32`` (kube-openapi), every error: a string
    or an array is of the wrong type; a boolean or an object fails the int32 format and prints as ``""``;
    a number with a fraction fails it as ``float64`` and as a value that must be an int32 (a JSON
    integer out of the int32 range only as the latter); then the range, the value as Go prints it."""
    errors = []
    kind = json_type(value)
    if kind in ("string", "array"):
        return [schema_type_error(field, value, "integer")]
    if kind in ("boolean", "object"):
        return [FieldError("TypeInvalid", field, "", '%s in body must be of type int32: ""' % field)]
    not_int32 = FieldError("Invalid", "<nil>", "", "Checked value must be of type integer with format int32 in %s" % field)
    in_range = -(1 << 31) <= value < (1 << 31)
    if isinstance(value, float) and not (math.isfinite(value) and value == int(value) and in_range):
        errors += [FieldError("TypeInvalid", field, "float64", '%s in body must be of type int32: "float64"' % field), not_int32]
    elif not in_range:
        errors.append(not_int32)
    shown = GoSyntax(_go_float(value)) if isinstance(value, float) else value
    if minimum is not None and value < minimum:
        errors.append(invalid(field, shown, "%s in body should be greater than or equal to %d" % (field, minimum)))
    if maximum is not None and value > maximum:
        errors.append(invalid(field, shown, "%s in body should be less than or equal to %d" % (field, maximum)))
    return errors


def _go_float(value):
    """A float64 as Go's ``%v`` prints it (``strconv.FormatFloat(f, 'g', -1, 64)``): 1e+20, 1.5, 2."""
    text = repr(value)
    if "e" in text or "E" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
        sign = "-" if exponent.startswith("-") else "+"
        return "%se%s%02d" % (mantissa, sign, int(exponent.lstrip("+-")))
    if abs(value) >= 1e21:
        return _go_float(float("%e" % value))
    return text[:-2] if text.endswith(".0") else text


def schema_items_error(field: str, value: Any, min_items: int | None = None,
                       max_items: int | None = None) -> FieldError | None:
    """The CRD schema's array checks (type, minItems, maxItems); ``None`` when valid."""
    if not isinstance(value, list):
        return schema_type_error(field, value, "array")
    if min_items is not None and len(value) < min_items:
        return invalid(field, len(value), "%s in body should have at least %d items" % (field, min_items))
    if max_items is not None and len(value) > max_items:
        return too_many(field, len(value), max_items)
    return None

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Field errors in kube-apiserver's format: ``field.Path`` and ``field.Error``.

Pure Python, no Ansible imports. Source: apimachinery ``pkg/util/validation/field/errors.go`` and
``path.go``, ``pkg/util/errors`` (``NewAggregate``).

The rules, their upstream origin and the assumptions: docs/validation.md.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import GoSyntax, go_json, go_quote


# ---------------------------------------------------------------------------------------------
# field.Path and field.Error
# ---------------------------------------------------------------------------------------------


def child(path: str, *names: str) -> str:
    """``field.Path.Child``: ``spec`` + ``hostAliases`` -> ``spec.hostAliases``."""
    for name in names:
        path = "%s.%s" % (path, name) if path else name
    return path


def index(path: str, i: int) -> str:
    """``field.Path.Index``: ``spec.hostAliases[0]``."""
    return "%s[%d]" % (path, i)


def key(path: str, k: str) -> str:
    """``field.Path.Key``: ``metadata.labels[app]``."""
    return "%s[%s]" % (path, k)


OMIT = object()  # field.OmitValueType: the error prints its type without a value

_TYPE_TEXT = {
    "NotFound": "Not found",
    "Required": "Required value",
    "Duplicate": "Duplicate value",
    "Invalid": "Invalid value",
    "NotSupported": "Unsupported value",
    "Forbidden": "Forbidden",
    "TooLong": "Too long",
    "TooMany": "Too many",
    "Internal": "Internal error",
    "TypeInvalid": "Invalid value",
}


def format_value(value: Any) -> str:
    """How ``field.Error.ErrorBody`` prints a bad value (apimachinery 1.34+).

    ``string`` with ``%q``, integers and booleans as they are, anything else (a slice, a map,
    ``nil``) with ``json.Marshal``: ``null`` is not quoted.
    """
    if isinstance(value, GoSyntax):
        return value.text
    if isinstance(value, str):
        return go_quote(value)
    return go_json(value)


class FieldError(object):
    """One ``field.Error``: ``str()`` gives the apiserver's text ``path: Type: value: detail``."""

    __slots__ = ("type", "field", "value", "detail")

    def __init__(self, type_, field, value=OMIT, detail=""):
        self.type = type_
        self.field = field
        self.value = value
        self.detail = detail

    def body(self):
        text = _TYPE_TEXT[self.type]
        if self.type not in ("Required", "Forbidden", "TooLong", "Internal") and self.value is not OMIT:
            text = "%s: %s" % (text, format_value(self.value))
        if self.detail:
            text = "%s: %s" % (text, self.detail)
        return text

    def __str__(self):
        return "%s: %s" % (self.field, self.body()) if self.field else self.body()

    __repr__ = __str__

    def as_dict(self):
        return {"field": self.field, "type": self.type, "detail": self.detail}

    def __eq__(self, other):
        return isinstance(other, FieldError) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))


def invalid(field: str, value: Any, detail: str) -> FieldError:
    return FieldError("Invalid", field, value, detail)


def required(field: str, detail: str = "") -> FieldError:
    return FieldError("Required", field, OMIT, detail)


def forbidden(field: str, detail: str) -> FieldError:
    return FieldError("Forbidden", field, OMIT, detail)


def duplicate(field: str, value: Any) -> FieldError:
    return FieldError("Duplicate", field, value)


def not_found(field: str, value: Any) -> FieldError:
    return FieldError("NotFound", field, value)


def internal_error(field: str, detail: str) -> FieldError:
    """``field.InternalError``: the detail is the Go error's text."""
    return FieldError("Internal", field, OMIT, detail)


def too_long(field: str, max_length: int) -> FieldError:
    """``field.TooLong``: the value is never printed; the limit is in bytes."""
    return FieldError("TooLong", field, OMIT, "may not be more than %d %s" % (max_length, "byte" if max_length == 1 else "bytes"))


def too_many(field: str, actual: int | None, limit: int) -> FieldError:
    if actual is None:
        detail = "must have at most %d items" % limit
        return FieldError("TooMany", field, OMIT, detail)
    return FieldError("TooMany", field, actual, "must have at most %d items" % limit)


def not_supported(field: str, value: Any, valid_values: Sequence[str]) -> FieldError:
    detail = ""
    if valid_values:
        detail = "supported values: " + ", ".join(go_quote(v) for v in valid_values)
    return FieldError("NotSupported", field, value, detail)


def aggregate(errors: Iterable[object]) -> str:
    """``utilerrors.NewAggregate(...).Error()``: one error prints as itself; several print once each
    (a repeated text is dropped), as ``[a, b]`` unless only one text is left."""
    texts = list(dict.fromkeys(str(e) for e in errors))
    if len(texts) == 1:
        return texts[0]
    return "[" + ", ".join(texts) + "]"

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Findings: one rule of docs/persistent-ip.md#validation that fired, and the list of them about one object,
which records API server rules in the API server's own text and the collection's rules with their code."""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    child, forbidden, invalid, not_supported, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import GoSyntax, go_json, go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import validate_dns1123_subdomain
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.schema import (
    json_type, schema_items_error, schema_type_error)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.selectors import validate_label_selector


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------

ERROR, WARNING = "error", "warning"


class Finding(object):
    """One rule of docs/persistent-ip.md#validation that fired: its ``code`` and ``path`` as the docs name them;
    ``str()`` is the message.

    ``extra`` holds the rule's optional keys: ``gkeReason`` (the Accepted reason the controller would
    set), ``upstreamMessage``, ``gatewayApiReason``, ``claimedBy``.
    """

    __slots__ = ("code", "path", "severity", "message", "extra", "error_type", "cel")

    def __init__(self, code, path, message, severity=ERROR, extra=None, error_type=None, cel=False):
        self.code = code
        self.path = path
        self.severity = severity
        self.message = message
        self.extra = extra or {}
        self.error_type = error_type  # the field.Error type of an API server rule, None for the collection's
        self.cel = cel  # an x-kubernetes-validations rule of the CRD

    def __str__(self):
        return self.message

    __repr__ = __str__

    def as_dict(self):
        out = {"code": self.code, "path": self.path, "message": self.message}
        out.update(self.extra)
        return out


_WRONG = object()  # a field whose type the CRD schema rejects; the error is already recorded


def _drop_nulls(value):
    """The object as the API server validates it: a member whose value is null is dropped (list items stay)."""
    if isinstance(value, dict):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


class _Findings(list):
    """The findings about one object; ``prefix`` (``GW`` or ``IPR``) names its schema type errors."""

    def __init__(self, prefix):
        super().__init__()
        self.type_code = prefix + "_FIELD_TYPE_INVALID"

    def upstream(self, code, path, error, **extra):
        """A rule the API server enforces: its own text."""
        self.append(Finding(code, path, str(error), ERROR, extra, error.type))

    def cel(self, code, path, error, **extra):
        """A CEL rule (x-kubernetes-validations) of the CRD: its own text; it runs only when the schema's
        checks found no blocking error."""
        self.append(Finding(code, path, str(error), ERROR, extra, error.type, cel=True))

    def ours(self, code, path, error, severity=ERROR, **extra):
        """A controller or collection rule: the message ends with the code to look up."""
        self.append(Finding(code, path, "%s [%s]" % (error, code), severity, extra))

    def check(self, code, path, error, **extra):
        """Record a schema error (or a list of them), if any, under ``code`` (type errors under the type
        code); True when none."""
        if not error:
            return True
        for one in error if isinstance(error, list) else [error]:
            self.upstream(self.type_code if one.type == "TypeInvalid" else code, path, one, **extra)
        return False

    def field(self, parent, name, path, kind):
        """``parent[name]`` if absent or of schema type ``kind``; else record the type error and return ``_WRONG``.

        A null counts as absent: the API server drops nulls from objects it stores.
        """
        value = parent.get(name)
        if value is None or json_type(value) == kind:
            return value
        self.upstream(self.type_code, path, schema_type_error(path, value, kind))
        return _WRONG

    def unknown_fields(self, obj, known, path):
        """``additionalProperties: false`` in the GKEIPRoute CRD (IPR_SPEC_UNKNOWN_FIELD)."""
        for name in sorted((k for k in obj if k not in known), key=str):
            self.ours("IPR_SPEC_UNKNOWN_FIELD", child(path, name), forbidden(child(path, name), (
                "unknown field: the API server drops it, or rejects it under strict field validation; known fields: "
                + ", ".join(known))))

    def selector(self, code, path, selector, **extra):
        """Record a label selector's errors (``ValidateLabelSelector``) under ``code``; True when valid. Its
        schema errors (a value of the wrong type, ``key`` or ``operator`` missing) are the CRD schema's:
        the API server's own texts."""
        errors = validate_label_selector(_drop_nulls(selector), path)
        for error in errors:
            if error.type == "TypeInvalid" or (error.type == "Required" and not error.detail):
                self.upstream(code, path, error, **extra)
            else:
                self.ours(code, path, error, **extra)
        return not errors

    def errors(self):
        return [f for f in self if f.severity == ERROR]

    def apiserver_errors(self):
        """The errors as the API server lists them on create: when a schema check fails with a blocking
        error (NotSupported, Required, TooLong, TooMany or a type error) the CRD's CEL rules do not run,
        and the server says so once at the end (``hasBlockingErr``, apiextensions-apiserver
        ``customresource/strategy.go``)."""
        errors = self.errors()
        if any(f.error_type in _BLOCKING for f in errors):
            errors = [f for f in errors if not f.cel]
            errors.append(Finding("CRD_RULES_NOT_CHECKED", "", "<nil>: " + str(invalid("", None, _NOT_CHECKED)), ERROR,
                                  error_type="Invalid"))
        return errors


_BLOCKING = ("NotSupported", "Required", "TooLong", "TooMany", "TypeInvalid")
_NOT_CHECKED = "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"


def _missing_items(path, value):
    # CRD "required" for an absent list, "minItems: 1" for an empty one.
    return required(path) if value is None else schema_items_error(path, value, min_items=1)


def _duplicates(keyed):
    """The texts of each key given more than once, in first-seen order, from ``(key, text)`` pairs."""
    seen = {}
    for key_, text in keyed:
        seen.setdefault(key_, []).append(text)
    return [texts for texts in seen.values() if len(texts) > 1]


def _type_meta_findings(out, obj, api_versions, kind, prefix):
    """apiVersion and kind (GW_API_VERSION, GW_KIND, IPR_API_VERSION, IPR_KIND)."""
    for name, valid, code in (("apiVersion", api_versions, prefix + "_API_VERSION"), ("kind", (kind,), prefix + "_KIND")):
        value = out.field(obj, name, name, "string")
        if value is None:
            out.ours(code, name, required(name))
        elif value is not _WRONG and value not in valid:
            out.ours(code, name, not_supported(name, value, valid))


def _metadata_findings(out, obj, code):
    """metadata.name as ``ValidateObjectMeta`` checks it (DNS-1123 subdomain); returns metadata or None."""
    metadata = out.field(obj, "metadata", "metadata", "object")
    if metadata is _WRONG:
        return None
    metadata = metadata or {}
    name = out.field(metadata, "name", "metadata.name", "string")
    if name is None and not metadata.get("generateName"):
        out.upstream(code, "metadata.name", required("metadata.name", "name or generateName is required"))
    elif isinstance(name, str):
        for error in validate_dns1123_subdomain(name, "metadata.name"):
            out.upstream(code, "metadata.name", error)
    return metadata


def _enum_value(value):
    """A value the CRD's enum refuses, as kube-openapi prints it: a string quoted, an object as ``{}``
    (its members are not printed), a list with its items so printed."""
    def render(item, top):
        if isinstance(item, dict):
            return "{}"
        if isinstance(item, list):
            return "[%s]" % ",".join(render(x, False) for x in item)
        if isinstance(item, str):
            return go_quote(item) if top else go_json(item)
        return go_json(item)
    return value if isinstance(value, str) else GoSyntax(render(value, True))

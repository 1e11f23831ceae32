# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Resource definitions as plain data: parsing, references, server-owned fields, diffs."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.common.dict_transformations import recursive_diff

from ansible_collections.clusternet.k8s.plugins.module_utils.common import MAX_DEPTH, InputError, to_builtin, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import aggregate, invalid
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import (
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_valid_path_segment_name)

try:
    import yaml
except ImportError:  # only YAML text needs it; the module reports it through missing_required_lib
    yaml = None

# Metadata the API server writes: never part of what a user configures, so never part of a diff.
SERVER_METADATA = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink")

# kube-apiserver's name rule (the nameFn its ValidateObjectMeta is given) for built-in kinds, by (group, kind):
# pkg/apis/core/validation (ValidatePodName, ValidateServiceName, ValidateNamespaceName, ValidateConfigMapName...),
# pkg/apis/apps/validation and pkg/apis/batch/validation. Every other kind (other built-ins, custom resources,
# aggregated APIs) is held to the rule every name obeys, a valid URL path segment (apimachinery's
# path.IsValidPathSegmentName, which client-go checks before any request); its server judges the rest.
NAME_RULES = dict(
    [(("", kind), is_dns1123_subdomain) for kind in ("Pod", "ReplicationController", "Node", "LimitRange", "ResourceQuota",
                                                     "Secret", "ServiceAccount", "Endpoints", "ConfigMap", "PodTemplate")]
    + [(("apps", kind), is_dns1123_subdomain) for kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet")]
    + [(("batch", kind), is_dns1123_subdomain) for kind in ("Job", "CronJob")]
    + [(("", "Service"), is_dns1035_label), (("", "Namespace"), is_dns1123_label)])


@dataclass(frozen=True)
class Ref:
    """Which object: ``apiVersion``, ``kind``, ``name`` and, for namespaced kinds, ``namespace``."""

    api_version: str
    kind: str
    name: str
    namespace: str | None = None

    def __str__(self) -> str:
        return "%s %s" % (self.kind, "%s/%s" % (self.namespace, self.name) if self.namespace else self.name)

    def as_dict(self) -> dict:
        return {"apiVersion": self.api_version, "kind": self.kind, "name": self.name, "namespace": self.namespace}


def load_definitions(value: Any, what: str = "definition", defaults: dict | None = None) -> list:
    """Resource definitions from a mapping, a list, or multi-document YAML text, as a flat list of dicts.

    Empty YAML documents and ``None`` entries are skipped; ``kind: List`` (and ``*List``) objects
    are replaced by their ``items``. Each definition needs ``apiVersion``, ``kind`` and
    ``metadata.name``; ``defaults`` (``apiVersion``, ``kind``, ``name``: kubernetes.core's shorthand options) fill
    those a definition lacks.
    """
    value = to_builtin(value)
    if isinstance(value, str):
        value = _yaml_documents(value, what)
    elif isinstance(value, dict):
        value = [value]
    elif not isinstance(value, list):
        raise InputError("%s must be a mapping, a list or YAML text, got %s" % (what, type_name(value)))
    found = []
    for i, item in enumerate(value):
        found.extend(_flatten(item, "%s[%d]" % (what, i), defaults or {}))
    return found


def read_definitions(path: str, defaults: dict | None = None) -> list:
    """Resource definitions from a (multi-document) YAML file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("src: cannot read %s: %s" % (path, exc)) from None
    return load_definitions(text, what=path, defaults=defaults)


def _yaml_documents(text, what):
    if yaml is None:
        raise InputError("%s: parsing YAML text needs the PyYAML Python library" % what)
    try:
        return list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise InputError("%s is not valid YAML: %s" % (what, yaml_error_text(exc))) from None


def yaml_error_text(exc: Exception) -> str:
    """A YAML error as one line with its position, without PyYAML's snippet of the text (it could hold a secret)."""
    problem = getattr(exc, "problem", None)
    if problem is None:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = problem
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        text = "line %d, column %d: %s" % (mark.line + 1, mark.column + 1, text)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context:
        text += " (%s%s)" % (context, " started at line %d, column %d" % (context_mark.line + 1, context_mark.column + 1)
                             if context_mark is not None else "")
    return text


def _flatten(item, what, defaults):
    if item is None:
        return []
    if not isinstance(item, dict):
        raise InputError("%s must be a mapping (a resource definition), got %s" % (what, type_name(item)))
    if str(item.get("kind", "")).endswith("List") and isinstance(item.get("items"), list):
        return [d for i, sub in enumerate(item["items"]) for d in _flatten(sub, "%s.items[%d]" % (what, i), defaults)]
    item = _with_defaults(item, defaults)
    _check_definition(item, what)
    return [item]


def _with_defaults(item, defaults):
    """``item`` with ``apiVersion``, ``kind`` and ``metadata.name`` from ``defaults`` where it has none (a copy when
    anything is filled), as kubernetes.core merges its ``api_version``, ``kind`` and ``name`` options."""
    missing = {key: value for key, value in defaults.items() if value is not None and
               not ((item.get("metadata") or {}).get("name") if key == "name" else item.get(key))}
    if not missing:
        return item
    item = dict(item)
    for key in ("apiVersion", "kind"):
        if key in missing:
            item[key] = missing[key]
    if "name" in missing:
        metadata = item.get("metadata")
        item["metadata"] = dict(metadata if isinstance(metadata, dict) else {}, name=missing["name"])
    return item


def _check_definition(item, what):
    for field in ("apiVersion", "kind"):
        if not isinstance(item.get(field), str) or not item[field]:
            raise InputError("%s: %s is required (a non-empty string)" % (what, field))
    try:
        group = split_api_version(item["apiVersion"])[0]
    except InputError as exc:
        raise InputError("%s: %s" % (what, exc)) from None
    metadata = item.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        raise InputError("%s (%s): metadata.name is required (a non-empty string); server-side apply cannot use generateName"
                         % (what, item["kind"]))
    if metadata.get("namespace") is not None and not isinstance(metadata["namespace"], str):
        raise InputError("%s (%s %s): metadata.namespace must be a string" % (what, item["kind"], metadata["name"]))
    errors = name_errors(group, item["kind"], metadata["name"])
    if errors:
        raise InputError("%s: %s" % (what, invalid_object(group, item["kind"], metadata["name"], errors)))


def split_api_version(api_version: str) -> tuple[str, str]:
    """``(group, version)`` of an ``apiVersion`` (``v1``: the core group ``""``), as apimachinery's ParseGroupVersion
    splits it; both parts must be names an API server can serve (a DNS-1123 subdomain and label), so that neither
    can change the discovery URL they go into. Raises ``InputError``."""
    if api_version.count("/") > 1:
        raise InputError("apiVersion: unexpected GroupVersion string: %s" % api_version)
    group, _slash, version = api_version.rpartition("/")
    for part, value, check in (("group", group, is_dns1123_subdomain), ("version", version, is_dns1123_label)):
        if part == "group" and not _slash:
            continue
        messages = ["must be non-empty"] if not value else ["%s: %s" % (part, m) for m in check(value)]
        if messages:
            raise InputError(str(invalid("apiVersion", api_version, "the %s %s" % (part, messages[0])
                                         if not value else "the " + messages[0])))
    return group, version


def qualified_kind(group: str, kind: str) -> str:
    """``schema.GroupKind.String()``: ``ConfigMap``, ``Deployment.apps``."""
    return "%s.%s" % (kind, group) if group else kind


def name_errors(group: str, kind: str, name: str) -> list:
    """The field errors kube-apiserver gives ``metadata.name`` of a ``kind`` (see ``NAME_RULES``)."""
    rule = NAME_RULES.get((group, kind), is_valid_path_segment_name)
    return [invalid("metadata.name", name, message) for message in rule(name)]


def namespace_errors(namespace: str) -> list:
    """The field errors of ``metadata.namespace`` (``ValidateNamespaceName``: a DNS-1123 label), for a namespaced kind."""
    return [invalid("metadata.namespace", namespace, message) for message in is_dns1123_label(namespace)]


def invalid_object(group: str, kind: str, name: str, errors: list) -> str:
    """kube-apiserver's ``NewInvalid`` text: ``ConfigMap "x" is invalid: metadata.name: Invalid value: ...``."""
    return "%s %s is invalid: %s" % (qualified_kind(group, kind), go_quote(name), aggregate(errors))


def ref_of(definition: dict, namespaced: bool, default_namespace: str | None = None) -> Ref:
    """The :class:`Ref` of a definition; namespaced kinds without a namespace get ``default_namespace`` or ``default``.

    The namespace of a namespaced kind must be a namespace name (``InputError`` with kube-apiserver's text);
    a cluster-scoped kind's is ignored, as kube-apiserver ignores it.
    """
    metadata = definition["metadata"]
    namespace = None
    if namespaced:
        namespace = metadata.get("namespace") or default_namespace or "default"
        errors = namespace_errors(namespace)
        if errors:
            group = split_api_version(definition["apiVersion"])[0]
            raise InputError(invalid_object(group, definition["kind"], metadata["name"], errors))
    return Ref(definition["apiVersion"], definition["kind"], metadata["name"], namespace)


def apply_body(definition: dict, ref: Ref) -> dict:
    """The body to apply: a copy of ``definition`` with the namespace of ``ref`` and without ``managedFields``.

    The API server rejects an applied ``managedFields``; objects fetched from a cluster carry it.
    Cluster-scoped objects lose any ``metadata.namespace``, as kubectl ignores it.
    """
    body = copy.deepcopy(definition)
    metadata = body["metadata"]
    metadata.pop("managedFields", None)
    if ref.namespace:
        metadata["namespace"] = ref.namespace
    else:
        metadata.pop("namespace", None)
    return body


# Secret values, masked as kubectl diff masks them (kubectl pkg/cmd/diff Masker): "***" everywhere, and where a key
# has different values on the two sides of a diff, "*** (before)" and "*** (after)", so the change still shows.
SECRET_MASK, SECRET_MASK_BEFORE, SECRET_MASK_AFTER = "***", "*** (before)", "*** (after)"
SECRET_FIELDS = ("data", "stringData")  # kubectl masks data, the only one a server returns; stringData is written too
_MASK_DEPTH = MAX_DEPTH


def is_secret(obj: Any) -> bool:
    """Whether ``obj`` is a core v1 Secret (kubectl masks exactly these)."""
    return isinstance(obj, dict) and obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def mask_secret(obj: Any) -> Any:
    """``obj`` with every value of a Secret's ``data`` and ``stringData`` replaced by ``***`` (a copy; other
    objects are returned as they are)."""
    return masked_pair(obj, None)[0] if is_secret(obj) else obj


def masked_pair(before: Any, after: Any) -> tuple[Any, Any]:
    """Two versions of an object, masked as kubectl diff masks a Secret: equal values become ``***``, different ones
    ``*** (before)`` and ``*** (after)``, keys on one side only ``***``. Other kinds are returned as they are."""
    if not (is_secret(before) or is_secret(after)):
        return before, after
    before, after = copy.deepcopy(before), copy.deepcopy(after)
    for field in SECRET_FIELDS:
        old: Any = before.get(field) if isinstance(before, dict) else None
        new: Any = after.get(field) if isinstance(after, dict) else None
        old, new = (old if isinstance(old, dict) else None), (new if isinstance(new, dict) else None)
        for key in list(old or {}):
            if new is not None and key in new and old[key] != new[key]:
                old[key], new[key] = SECRET_MASK_BEFORE, SECRET_MASK_AFTER
                continue
            if new is not None and key in new:
                new[key] = SECRET_MASK
            old[key] = SECRET_MASK
        for key in list(new or {}):
            if old is None or key not in old:
                new[key] = SECRET_MASK
        for obj, masked in ((before, old), (after, new)):
            if isinstance(obj, dict) and field in obj and masked is None and obj[field] is not None:
                obj[field] = SECRET_MASK  # a data that is no mapping: nothing of it may show either
    return before, after


def mask_secrets_in(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` (module arguments, say) with every Secret in it masked, wherever it is: in mappings,
    lists, and YAML text holding Secrets (shown as the masked documents). What is nested too deep to look
    through is not shown at all."""
    if depth > _MASK_DEPTH:
        return "(nested too deep to show)"
    if isinstance(value, dict):
        value = mask_secret(value)
        return {k: mask_secrets_in(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_secrets_in(v, depth + 1) for v in value]
    if isinstance(value, str) and "Secret" in value and yaml is not None:
        try:
            documents = list(yaml.safe_load_all(value))
        except (yaml.YAMLError, RecursionError, ValueError):
            return value
        if _holds_secret(documents):
            return mask_secrets_in(documents, depth + 1)
    return value


def _holds_secret(value, depth=0):
    if depth > _MASK_DEPTH:
        return True
    if isinstance(value, dict):
        return is_secret(value) or any(_holds_secret(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secret(v, depth + 1) for v in value)
    return False


def strip_server_fields(obj: dict | None) -> dict | None:
    """A copy of ``obj`` without server-owned metadata and ``status``: what a user's configuration decides."""
    if obj is None:
        return None
    stripped = {k: copy.deepcopy(v) for k, v in obj.items() if k != "status"}
    metadata = stripped.get("metadata")
    if isinstance(metadata, dict):
        for key in SERVER_METADATA:
            metadata.pop(key, None)
    return stripped


def without_managed_fields(obj: dict | None) -> dict | None:
    """A shallow copy of ``obj`` without ``metadata.managedFields`` (for results: it is noise to a reader)."""
    if not obj or "managedFields" not in obj.get("metadata", {}):
        return obj
    metadata = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    return dict(obj, metadata=metadata)


def differs(before: dict | None, after: dict | None) -> bool:
    """Whether two versions of an object differ in anything but server-owned fields."""
    return strip_server_fields(before) != strip_server_fields(after)


def changed_fields(before: dict | None, after: dict | None) -> tuple[dict, dict]:
    """``(before, after)`` reduced to the fields that differ, server-owned fields excluded.

    ansible-core's ``recursive_diff``: mappings are compared key by key; lists and scalars that differ are
    kept whole; a key only on one side is kept only on that side. ``None`` (no object) becomes ``{}``.
    """
    found = recursive_diff(strip_server_fields(before) or {}, strip_server_fields(after) or {})
    return found if found else ({}, {})

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Downward API field paths: the field labels a client may send and the metadata values they select.

Sources, in kubernetes/kubernetes: ``pkg/fieldpath/fieldpath.go`` (``SplitMaybeSubscriptedPath``, ``FormatMap``,
``ExtractFieldPathAsString``) and ``pkg/apis/core/pods/helpers.go`` (``ConvertDownwardAPIFieldLabel``).
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import child
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import is_qualified_name

# ConvertDownwardAPIFieldLabel: every label a v1 client may send (some only work as field selectors)
FIELD_LABELS = frozenset((
    "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
    "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName", "status.phase",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs", "spec.terminationGracePeriodSeconds"))
LEGACY_FIELD_LABELS = {"spec.host": "spec.nodeName"}  # backwards compatibility with old v1 clients
MAP_FIELD_PATHS = ("metadata.annotations", "metadata.labels")


class FieldLabelError(InputError):
    """A field label ``ConvertDownwardAPIFieldLabel`` refuses; the message is the Go error text."""


def _string_map(obj, key, path):
    """A ``map[string]string`` such as ``metadata.labels``."""
    mapping = field(obj, key, dict, path, {})
    for name, value in mapping.items():
        expect(name, str, "a key of %s" % child(path, key))
        expect(value, str, "%s[%s]" % (child(path, key), name))
    return mapping


def _go_to_lower(text):
    """Go's ``strings.ToLower``: rune by rune (no final-sigma rule), and U+0130 becomes plain ``i``."""
    if text.isascii():
        return text.lower()
    return "".join("i" if ch == "\u0130" else ch.lower() for ch in text)


def split_maybe_subscripted_path(field_path: str) -> tuple[str, str, bool]:
    """``SplitMaybeSubscriptedPath``: ``metadata.labels['k']`` -> ``("metadata.labels", "k", True)``.

    The key runs from the first ``['`` to the final ``']``, verbatim.
    """
    if not field_path.endswith("']"):
        return field_path, "", False
    head, sep, subscript = field_path[:-2].partition("['")
    if not sep or not head:
        return field_path, "", False
    return head, subscript, True


def convert_downward_api_field_label(version: str, label: str, value: str) -> tuple[str, str]:
    """``ConvertDownwardAPIFieldLabel``: ``(internal label, value)`` or ``FieldLabelError``."""
    if version != "v1":
        raise FieldLabelError("unsupported pod version: %s" % version)
    path, _subscript, subscripted = split_maybe_subscripted_path(label)
    if subscripted:
        if path in MAP_FIELD_PATHS:
            return label, value
        raise FieldLabelError("field label does not support subscript: %s" % label)
    if label in FIELD_LABELS:
        return label, value
    if label in LEGACY_FIELD_LABELS:
        return LEGACY_FIELD_LABELS[label], value
    raise FieldLabelError("field label not supported: %s" % label)


def format_map(mapping: dict) -> str:
    """``FormatMap``: ``key="Go-quoted value"`` lines sorted by key bytes, no trailing newline.

    Code-point order is UTF-8 byte order, so ``sorted`` sorts as Go's ``sort.Strings``. Kubernetes
    PR #112661 (2022) rewrote it with ``sort.Strings``, a ``strings.Builder`` and ``strconv.Quote``;
    the output (pinned by ``TestFormatMap``) did not change.
    """
    return "\n".join("%s=%s" % (key, go_quote(mapping[key])) for key in sorted(mapping))


def subscript_key_errors(path: str, subscript: str) -> tuple[str, list[str]]:
    """The label key rule on a subscript: annotations are checked lower-cased, labels as written."""
    key = _go_to_lower(subscript) if path == "metadata.annotations" else subscript
    return key, is_qualified_name(key)


def extract_field_path_as_string(obj: dict, field_path: str) -> str:
    """``ExtractFieldPathAsString``: the metadata fields a Downward API volume file can hold."""
    metadata = field(expect(obj, dict, "pod"), "metadata", dict, "", {})
    path, subscript, subscripted = split_maybe_subscripted_path(field_path)
    if subscripted:
        if path not in MAP_FIELD_PATHS:
            raise InputError("fieldPath %s does not support subscript" % go_quote(field_path))
        _key, errors = subscript_key_errors(path, subscript)
        if errors:
            raise InputError("invalid key subscript in %s: %s" % (field_path, ";".join(errors)))
        return _string_map(metadata, path.split(".")[1], "metadata").get(subscript, "")
    if field_path in MAP_FIELD_PATHS:
        return format_map(_string_map(metadata, field_path.split(".")[1], "metadata"))
    if field_path in ("metadata.name", "metadata.namespace", "metadata.uid"):
        return field(metadata, field_path.split(".")[1], str, "metadata", "")
    raise InputError("unsupported fieldPath: %s" % field_path)

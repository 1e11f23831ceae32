# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Label selector validation: ``metav1validation.ValidateLabelSelector``. (Evaluating a valid
selector is ``label_selector.compile_selector``.)

Pure Python, no Ansible imports. The rules, their upstream origin and the assumptions:
docs/validation.md#label-selectors.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    FieldError, child, forbidden, index, invalid, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import (
    is_qualified_name, is_valid_label_value)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.schema import (
    schema_items_error, schema_type_error)


def validate_label_selector(selector: Any, field: str) -> list[FieldError]:
    """``metav1validation.ValidateLabelSelector`` on a selector decoded from YAML/JSON.

    The schema's type checks come first, since a decoded mapping may hold anything; map keys are
    visited in sorted order where Go's map order is random.
    """
    if not isinstance(selector, dict):
        return [schema_type_error(field, selector, "object")]
    errs = []
    labels_path = child(field, "matchLabels")
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, dict):
        for name in sorted(match_labels, key=str):
            errs.extend(_label_pair_errors(name, match_labels[name], labels_path))
    elif match_labels is not None:
        errs.append(schema_type_error(labels_path, match_labels, "object"))
    expressions = selector.get("matchExpressions")
    if expressions is not None:
        error = schema_items_error(child(field, "matchExpressions"), expressions)
        if error:
            return errs + [error]
        for i, requirement in enumerate(expressions):
            errs.extend(_requirement_errors(requirement, index(child(field, "matchExpressions"), i)))
    return errs


def _label_pair_errors(name, value, field):
    # ValidateLabels: both messages are reported at matchLabels itself, not at the key.
    if not isinstance(name, str):
        return [schema_type_error(field, name, "string")]
    if not isinstance(value, str):
        return [schema_type_error(child(field, name), value, "string")]
    errs = [invalid(field, name, msg) for msg in is_qualified_name(name)]
    return errs + [invalid(field, value, msg) for msg in is_valid_label_value(value)]


def _requirement_errors(requirement, field):
    """``ValidateLabelSelectorRequirement``, after the schema's checks of one matchExpressions item."""
    if not isinstance(requirement, dict):
        return [schema_type_error(field, requirement, "object")]
    shape = [required(child(field, name)) for name in ("key", "operator") if requirement.get(name) is None]
    for name in ("key", "operator"):
        if requirement.get(name) is not None and not isinstance(requirement[name], str):
            shape.append(schema_type_error(child(field, name), requirement[name], "string"))
    values = requirement.get("values")
    values = [] if values is None else values
    if not isinstance(values, list):
        shape.append(schema_type_error(child(field, "values"), values, "array"))
    else:
        shape.extend(schema_type_error(index(child(field, "values"), i), v, "string")
                     for i, v in enumerate(values) if not isinstance(v, str))
    if shape:
        return shape
    errs = []
    operator = requirement["operator"]
    if operator in ("In", "NotIn"):
        if not values:
            errs.append(required(child(field, "values"), "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errs.append(forbidden(child(field, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    else:
        errs.append(invalid(child(field, "operator"), operator, "not a valid selector operator"))
    errs.extend(invalid(child(field, "key"), requirement["key"], msg) for msg in is_qualified_name(requirement["key"]))
    for i, value in enumerate(values):
        errs.extend(invalid(index(child(field, "values"), i), value, msg) for msg in is_valid_label_value(value))
    return errs

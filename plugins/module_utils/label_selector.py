# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Label selectors as Kubernetes evaluates them.

Pure Python, no Ansible imports. Source: apimachinery ``pkg/apis/meta/v1/helpers.go``
(``LabelSelectorAsSelector``) and ``pkg/labels/selector.go`` (``Requirement.Matches``). Validation of a
selector lives in ``validation.selectors.validate_label_selector``; this module only evaluates valid ones. It is the
collection's only evaluator (workload selectors and persistent-IP pod selectors both use it): the Kubernetes Python
client has none, and the API server evaluates the selectors a module sends it.

The rules, their upstream origin and the assumptions: docs/validation.md#label-selectors.
"""

from __future__ import annotations

from typing import Any, Callable


def _nothing(labels):  # pylint: disable=unused-argument
    return False


def compile_selector(selector: dict[str, Any] | None) -> Callable[[dict[str, str]], bool]:
    """A function ``labels -> bool`` for a selector that ``validate_label_selector`` accepts.

    ``LabelSelectorAsSelector``: a nil selector selects nothing, an empty one everything; every
    ``matchLabels`` pair and ``matchExpressions`` item must hold (they are ANDed).
    """
    if selector is None:
        return _nothing
    requirements = [(name, "In", frozenset([value])) for name, value in (selector.get("matchLabels") or {}).items()]
    requirements += [(item["key"], item["operator"], frozenset(item.get("values") or ()))
                     for item in selector.get("matchExpressions") or ()]

    def matches(labels):
        for name, operator, values in requirements:
            if not _requirement_matches(labels, name, operator, values):
                return False
        return True

    return matches


def _requirement_matches(labels, name, operator, values):
    """``Requirement.Matches``: ``NotIn`` and ``DoesNotExist`` hold when the label is absent."""
    if operator == "In":
        return name in labels and labels[name] in values
    if operator == "NotIn":
        return name not in labels or labels[name] not in values
    if operator == "Exists":
        return name in labels
    return name not in labels  # DoesNotExist, the only operator left once validated

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The ``query`` option of the reporting modules: a JMESPath expression (the language of ``community.general.json_query``
and the AWX/AAP ecosystem) over the module's whole result, whose value replaces the long per-object reports, so that an
AWX job's output shows only what was asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError

try:
    import jmespath
    import jmespath.exceptions
except ImportError as exc:  # reported by the module through missing_required_lib, only when query is set
    jmespath = None
    JMESPATH_IMPORT_ERROR: ImportError | None = exc
else:
    JMESPATH_IMPORT_ERROR = None

QUERY_ARG_SPEC = {"query": {"type": "str"}}


def compile_query(expression: str | None) -> Any:
    """The compiled ``query`` (``None`` when unset); ``InputError`` naming it when it does not parse. Call it before any
    request, so that a typo costs nothing."""
    if expression is None:
        return None
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        raise InputError("query %r is not a JMESPath expression: %s" % (expression, " ".join(str(exc).split())))\
            from None


def apply_query(query: Any, result: dict, reports: Iterable[str]) -> dict:
    """``result`` with the keys ``reports`` (the per-object reports) dropped and ``query`` set to the value of the
    expression over the whole result; ``result`` unchanged when there is no query."""
    if query is None:
        return result
    try:
        value = query.search(result)
    except jmespath.exceptions.JMESPathError as exc:
        raise InputError("query %r cannot be evaluated on the result: %s" % (query.expression, exc)) from None
    trimmed = {key: item for key, item in result.items() if key not in reports}
    trimmed["query"] = value
    return trimmed

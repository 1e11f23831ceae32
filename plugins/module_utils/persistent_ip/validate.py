# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Entry points of persistent-IP validation (docs/persistent-ip.md#validation): a Gateway or a GKEIPRoute,
chosen by kind, with the cross-object rules its context enables."""

from __future__ import annotations

from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    GATEWAY_GROUP, GATEWAY_KIND, ROUTE_GROUP, ROUTE_KIND)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.findings import ERROR, WARNING, Finding
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.gateway import _gateway_findings
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.route import _route_findings


# ---------------------------------------------------------------------------------------------
# Entry points of validation
# ---------------------------------------------------------------------------------------------

CONTEXT_KEYS = ("clusterVersion", "gateway", "namespaces", "networks", "existingRoutes", "oldObject", "namedAddresses")


def _context(context):
    context = optional(context, dict, "context", {})
    unknown = sorted((k for k in context if k not in CONTEXT_KEYS), key=str)
    if unknown:
        raise InputError("context has unknown keys %s; known keys: %s" % (", ".join(map(repr, unknown)), ", ".join(CONTEXT_KEYS)))
    return context


def _findings(obj, context):
    """Gateway or GKEIPRoute rules, chosen by kind, else by API group (so a misspelt kind is reported)."""
    obj = expect(obj, dict, "object")
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    group = api_version.split("/")[0] if isinstance(api_version, str) else None
    if kind == GATEWAY_KIND or (kind != ROUTE_KIND and group == GATEWAY_GROUP):
        return _gateway_findings(obj, context)
    if kind == ROUTE_KIND or group == ROUTE_GROUP:
        return _route_findings(obj, context)
    raise InputError("object must be a %s (%s) or a %s (%s), got kind %r, apiVersion %r"
                     % (GATEWAY_KIND, GATEWAY_GROUP, ROUTE_KIND, ROUTE_GROUP, kind, api_version))


def validate(obj: Any, context: Any = None) -> dict[str, Any]:
    """Every persistent-IP rule (docs/persistent-ip.md#validation) for a Gateway or a GKEIPRoute: ``{valid, errors, warnings}``.

    ``context`` enables the cross-object rules: ``clusterVersion``; ``gateway`` (the parent Gateway,
    None when it does not exist; leave the key out to skip the Gateway rules); ``namespaces``
    (``{name: labels}``); ``networks`` (``{name: {type, ready}}``); ``existingRoutes``; ``oldObject``
    (for updates); ``namedAddresses`` (``{NamedAddress value: IPv4}``). Errors and warnings are dicts
    with ``code``, ``path``, ``message`` and, where the spec defines them, ``gkeReason``,
    ``upstreamMessage``, ``gatewayApiReason``, ``claimedBy``.
    """
    findings = _findings(obj, _context(context))
    return {"valid": not findings.errors(),
            "errors": [f.as_dict() for f in findings if f.severity == ERROR],
            "warnings": [f.as_dict() for f in findings if f.severity == WARNING]}


def validate_gateway(obj: Any) -> list[Finding]:
    """The Gateway errors that need no other object (for ``validation_errors``)."""
    return _gateway_findings(obj, {}).apiserver_errors()


def validate_gkeiproute(obj: Any) -> list[Finding]:
    """The GKEIPRoute errors that need no other object (for ``validation_errors``)."""
    return _route_findings(obj, {}).apiserver_errors()

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Gateway API attachment of a GKEIPRoute to a Gateway's listeners (docs/persistent-ip.md#attachment)."""

from __future__ import annotations

import collections
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.label_selector import compile_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.selectors import validate_label_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    GATEWAY_GROUP, GATEWAY_KIND, GATEWAY_NOT_FOUND, ROUTE_GROUP, ROUTE_KIND, UNATTACHABLE)


# ---------------------------------------------------------------------------------------------
# Gateway API attachment (docs/persistent-ip.md#attachment)
# ---------------------------------------------------------------------------------------------

_ParentRef = collections.namedtuple("_ParentRef", "group kind namespace name section port")


def _resolve_parent_ref(ref, route_namespace, what):
    """A ParentReference with Gateway API's defaults applied: group, kind Gateway, the route's namespace."""
    ref = expect(ref, dict, what)
    return _ParentRef(
        optional(ref.get("group"), str, what + ".group", GATEWAY_GROUP),
        optional(ref.get("kind"), str, what + ".kind", GATEWAY_KIND),
        optional(ref.get("namespace"), str, what + ".namespace") or route_namespace,  # "" = unspecified
        expect(ref.get("name"), str, what + ".name"),
        optional(ref.get("sectionName"), str, what + ".sectionName") or None,
        optional(ref.get("port"), int, what + ".port"))


def _as_dict(value):
    return value if isinstance(value, dict) else {}


def _as_list(value):
    return value if isinstance(value, list) else []


def _identity(obj, what):
    """``(namespace, name)`` from an object's metadata."""
    metadata = optional(expect(obj, dict, what).get("metadata"), dict, what + ".metadata", {})
    return metadata.get("namespace"), metadata.get("name")


def _spec_of(obj, what):
    return optional(expect(obj, dict, what).get("spec"), dict, what + ".spec", {})


def _labels(value, what):
    """A label map whose keys and values are strings (label selectors compare strings)."""
    labels = optional(value, dict, what, {})
    for name, text in labels.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise InputError("%s must map label names to strings, got %r: %r" % (what, name, text))
    return labels


def _namespace_labels(namespaces, name):
    """A namespace's labels plus ``kubernetes.io/metadata.name`` when absent (docs/persistent-ip.md#vectors)."""
    namespaces = optional(namespaces, dict, "namespaces", {})
    labels = dict(_labels(namespaces.get(name), "namespaces[%s]" % name))
    labels.setdefault("kubernetes.io/metadata.name", name)
    return labels


def _parent_ref_selects_listener(listener, ref):
    """parentRef sectionName (= listener name) and port, both when both are set."""
    return (ref.section is None or listener.get("name") == ref.section) and (ref.port is None or listener.get("port") == ref.port)


def _allowed_routes_namespaces_admit(listener, route_namespace, gateway_namespace, labels):
    """allowedRoutes.namespaces.from: Same (the default), All, or Selector over the namespace's labels."""
    namespaces = _as_dict(_as_dict(listener.get("allowedRoutes")).get("namespaces"))
    source = namespaces.get("from") or "Same"
    if source == "All":
        return True
    if source == "Same":
        return route_namespace == gateway_namespace
    selector = namespaces.get("selector")
    if source != "Selector" or selector is None or validate_label_selector(selector, ""):
        return False  # docs/persistent-ip.md#assumption-11: a nil selector admits nothing; so does an invalid one or an unknown "from"
    return compile_selector(selector)(labels)


def _kind_admits(entry, kind, group):
    """docs/persistent-ip.md#assumption-12: a RouteGroupKind admits on ``kind``; its group (default gateway.networking.k8s.io) may be either."""
    if not isinstance(entry, dict) or entry.get("kind") != kind:
        return False
    entry_group = entry.get("group")
    return (GATEWAY_GROUP if entry_group is None else entry_group) in (GATEWAY_GROUP, group)


def _allowed_routes_kinds_admit(listener, kind, group):
    kinds = _as_list(_as_dict(listener.get("allowedRoutes")).get("kinds"))
    return not kinds or any(_kind_admits(entry, kind, group) for entry in kinds)


def _verdict(admitted, gateway_api_reason, gke_reason, listeners=()):
    return {"admitted": admitted, "acceptedListeners": list(listeners), "gatewayApiReason": gateway_api_reason,
            "gkeIPRouteAcceptedReason": gke_reason}


def _gateway_api_attach(gateway, ref, route_namespace, namespaces=None, route_kind=ROUTE_KIND, route_group=ROUTE_GROUP):
    """The admission algorithm of docs/persistent-ip.md#attachment for one resolved :class:`_ParentRef`; ``gateway`` None means not found.

    Gateway API failures map to the GKEIPRoute reason ``Unattachable`` (docs/persistent-ip.md#assumption-13).
    """
    if (ref.group, ref.kind) != (GATEWAY_GROUP, GATEWAY_KIND):
        return _verdict(False, None, UNATTACHABLE)
    if gateway is None or _identity(gateway, "gateway") != (ref.namespace, ref.name):
        return _verdict(False, None, GATEWAY_NOT_FOUND)
    listeners = [listener for listener in _as_list(_spec_of(gateway, "gateway").get("listeners"))
                 if isinstance(listener, dict) and _parent_ref_selects_listener(listener, ref)]
    if not listeners:
        return _verdict(False, "NoMatchingParent", UNATTACHABLE)
    labels = _namespace_labels(namespaces, route_namespace)
    accepted = [listener.get("name") for listener in listeners
                if _allowed_routes_namespaces_admit(listener, route_namespace, ref.namespace, labels)
                and _allowed_routes_kinds_admit(listener, route_kind, route_group)]
    if not accepted:
        return _verdict(False, "NotAllowedByListeners", UNATTACHABLE)
    return _verdict(True, "Accepted", "Accepted", accepted)


def route_admission(gateway: Any, route: Any, namespaces: Any = None) -> dict[str, Any]:
    """Whether ``gateway`` admits a route (docs/persistent-ip.md#attachment), in the shape of the admission vectors.

    ``route`` is ``{namespace, parentRef, kind: GKEIPRoute, group: networking.gke.io}``; ``namespaces``
    maps namespace names to their labels. Returns ``{admitted, acceptedListeners, gatewayApiReason,
    gkeIPRouteAcceptedReason}``.
    """
    route = expect(route, dict, "route")
    namespace = expect(route.get("namespace"), str, "route.namespace")
    ref = _resolve_parent_ref(route.get("parentRef"), namespace, "route.parentRef")
    kind = optional(route.get("kind"), str, "route.kind", ROUTE_KIND)
    return _gateway_api_attach(gateway, ref, namespace, namespaces, kind, optional(route.get("group"), str, "route.group", ROUTE_GROUP))

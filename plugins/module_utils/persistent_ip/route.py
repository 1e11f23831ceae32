# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""GKEIPRoute validation, alone and against its context: cluster version, networks, Gateway, other routes,
old object (docs/persistent-ip.md#gkeiproute, docs/persistent-ip.md#gkeiproute-codes)."""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    FieldError, OMIT, child, forbidden, index, invalid, not_supported, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import validate_dns1123_label
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.schema import (
    schema_int32_errors, schema_items_error, schema_string_error, schema_type_error)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.address import (
    _address_network, _network_findings)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    ADDRESS_CIDR, ADDRESS_IP, ADDRESS_NAMED, ADDRESS_TYPE_RE, DEFAULT_NETWORKS, DEFAULT_NETWORK_MIN_VERSION,
    EXTERNAL_CLASSES, FAST_CLASSES, GATEWAY_GROUP, GATEWAY_KIND, GATEWAY_NOT_FOUND, GROUP_RE, INVALID_ADDRESSES,
    INVALID_LABELS, KIND_RE, LOAD_BALANCING_MIN_VERSION, MAX_ADDRESSES, MAX_PARENT_REFS, MIN_CLUSTER_VERSION,
    MISSING_PARENT_REFS, NAMESPACE_RE, NETWORK_NOT_FOUND, NETWORK_NOT_READY, NETWORK_TYPES, REACTION_MODES,
    ROUTE_API_VERSIONS, ROUTE_KIND, SECTION_NAME_RE, SUPPORTED_CLASSES, UNATTACHABLE)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.attachment import (
    _as_list, _gateway_api_attach, _identity, _resolve_parent_ref, _spec_of)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.findings import (
    WARNING, _Findings, _WRONG, _duplicates, _enum_value, _metadata_findings, _missing_items, _type_meta_findings)


# ---------------------------------------------------------------------------------------------
# GKEIPRoute validation (docs/persistent-ip.md#gkeiproute, docs/persistent-ip.md#gkeiproute-codes)
# ---------------------------------------------------------------------------------------------

ROUTE_SPEC_FIELDS = ("addresses", "allowGlobalAccess", "haPolicy", "loadBalancing", "network", "nodeSelector",
                     "parentRefs", "podSelector", "reactionMode")
PARENT_REF_FIELDS = ("group", "kind", "name", "namespace", "port", "sectionName")

_PARENT_REF_CHECKS = (
    ("name", "IPR_PARENTREF_NAME_INVALID", lambda path, value: schema_string_error(path, value, 253, 1)),
    ("namespace", "IPR_PARENTREF_NAMESPACE_INVALID", lambda path, value: schema_string_error(path, value, 63, 1, NAMESPACE_RE)),
    ("sectionName", "IPR_PARENTREF_SECTIONNAME_INVALID",
     lambda path, value: schema_string_error(path, value, 253, 1, SECTION_NAME_RE)),
    ("port", "IPR_PARENTREF_PORT_INVALID", lambda path, value: schema_int32_errors(path, value, 1, 65535)),
    ("group", "IPR_PARENTREF_KIND_UNSUPPORTED", lambda path, value: schema_string_error(path, value, 253, None, GROUP_RE)),
    ("kind", "IPR_PARENTREF_KIND_UNSUPPORTED", lambda path, value: schema_string_error(path, value, 63, 1, KIND_RE)),
)


class _Route(object):
    """What the cross-object rules may rely on once the field rules ran."""

    __slots__ = ("namespace", "name", "spec", "parent", "addresses")

    def __init__(self, namespace, name, spec, parent, addresses):
        self.namespace = namespace  # None when missing or invalid
        self.name = name
        self.spec = spec
        self.parent = parent  # the first ParentRef, or None when absent or invalid
        self.addresses = addresses  # [(index, value, network)] of the valid addresses


def _route_findings(route, context):
    out = _Findings("IPR")
    _type_meta_findings(out, route, ROUTE_API_VERSIONS, ROUTE_KIND, "IPR")
    metadata = _metadata_findings(out, route, "IPR_METADATA_NAME")
    namespace = _route_namespace_findings(out, metadata)
    spec = out.field(route, "spec", "spec", "object")
    if spec is _WRONG:
        return out
    if spec is None:  # the CRD does not require a spec (only what is in one)
        out.ours("IPR_PODSELECTOR_REQUIRED", "spec", required("spec", "a GKEIPRoute without a spec claims nothing: give its "
                                                              "podSelector, addresses and parentRefs"))
        return out
    out.unknown_fields(spec, ROUTE_SPEC_FIELDS, "spec")
    _pod_selector_findings(out, spec)
    if out.field(spec, "reactionMode", "spec.reactionMode", "string") is not None:  # the enum is checked whatever the type
        error = crd_reaction_mode_enum_error(spec["reactionMode"], "spec.reactionMode")
        if error:
            out.upstream("IPR_REACTIONMODE_INVALID", "spec.reactionMode", error)
    addresses = _route_addresses_findings(out, spec)
    parent = _parent_refs_findings(out, spec, namespace)
    _optional_fields_findings(out, spec)
    name = metadata.get("name") if metadata else None
    _route_context_findings(out, _Route(namespace, name, spec, parent, addresses), context)
    return out


def crd_reaction_mode_enum_error(value: Any, path: str) -> FieldError | None:
    """The GKEIPRoute CRD's enum on spec.reactionMode (IPR_REACTIONMODE_INVALID,
    docs/persistent-ip.md#gkeiproute-codes): the API server's NotSupported error, or None for a valid mode."""
    if value in REACTION_MODES:
        return None
    return not_supported(path, _enum_value(value), REACTION_MODES)


def pod_selector_not_empty(selector: Any) -> bool:
    """The controller's rule that a podSelector selects something: it refuses an empty one with InvalidLabels
    (IPR_PODSELECTOR_EMPTY, docs/persistent-ip.md#gkeiproute-codes)."""
    return isinstance(selector, dict) and bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def _route_namespace_findings(out, metadata):
    """metadata.namespace: a GKEIPRoute is namespaced and selects Pods of its own namespace."""
    path = "metadata.namespace"
    namespace = None if metadata is None else out.field(metadata, "namespace", path, "string")
    if namespace is None and metadata is not None:
        out.ours("IPR_NAMESPACE_REQUIRED", path, required(path, (
            "a GKEIPRoute is namespaced and binds Pods of its own namespace; set the namespace explicitly")))
    if not isinstance(namespace, str):
        return None
    errors = validate_dns1123_label(namespace, path)
    for error in errors:
        out.upstream("IPR_NAMESPACE_INVALID", path, error)
    return None if errors else namespace


def _pod_selector_findings(out, spec):
    """spec.podSelector: required, valid, not empty (CRD; the controller's InvalidLabels)."""
    path = "spec.podSelector"
    selector = spec.get("podSelector")
    if selector is None:
        out.upstream("IPR_PODSELECTOR_REQUIRED", path, required(path))
        return
    if not out.selector("IPR_PODSELECTOR_INVALID", path, selector, gkeReason=INVALID_LABELS):
        return
    out.unknown_fields(selector, ("matchExpressions", "matchLabels"), path)
    if not pod_selector_not_empty(selector):
        out.ours("IPR_PODSELECTOR_EMPTY", path, invalid(path, OMIT, (
            "Empty selector is not allowed: it would select every Pod of the namespace; select the Pods with "
            "matchLabels or matchExpressions")), gkeReason=INVALID_LABELS)


def _route_addresses_findings(out, spec):
    """spec.addresses: 1-16 IPv4 CIDRs, none twice; returns the valid ones."""
    path = "spec.addresses"
    addresses = out.field(spec, "addresses", path, "array")
    if addresses is _WRONG:
        return []
    if not addresses:
        out.upstream("IPR_ADDRESSES_REQUIRED", path, _missing_items(path, addresses))
        return []
    if len(addresses) > MAX_ADDRESSES:  # DOC D1, not the CRD
        out.ours("IPR_ADDRESSES_TOO_MANY", path, FieldError("TooMany", path, len(addresses), (
            "must have at most %d items; put the others in another GKEIPRoute" % MAX_ADDRESSES)))
    valid = []
    for i, address in enumerate(addresses):
        network = _route_address_findings(out, address, index(path, i))
        if network is not None:
            valid.append((i, address["value"], network))
    for texts in _duplicates((network, text) for _index, text, network in valid):
        out.ours("IPR_ADDRESS_DUPLICATE", path, FieldError("Duplicate", path, texts[-1], (
            "the same network is listed %d times; list each address once" % len(texts))), gkeReason=INVALID_ADDRESSES)
    return valid


def _route_address_findings(out, address, path):
    """One route address: its value must be an IPv4 CIDR, whatever its type (the datapath's net.ParseCIDR)."""
    if not isinstance(address, dict):
        out.upstream(out.type_code, path, schema_type_error(path, address, "object"))
        return None
    out.unknown_fields(address, ("type", "value"), path)
    type_path, value_path = child(path, "type"), child(path, "value")
    address_type = ADDRESS_IP if address.get("type") is None else address["type"]
    type_valid = out.check("IPR_ADDRESS_TYPE_INVALID", type_path,
                           schema_string_error(type_path, address_type, 253, 1, ADDRESS_TYPE_RE))
    if type_valid and address_type != ADDRESS_CIDR:  # docs/persistent-ip.md#assumption-2
        out.ours("IPR_ADDRESS_TYPE_NOT_CIDR", type_path, invalid(type_path, address_type, (
            "the datapath reads every GKEIPRoute address as a CIDR; write type %s" % ADDRESS_CIDR)), WARNING)
    value = address.get("value")
    error = required(value_path) if value is None else schema_string_error(value_path, value, 253, 1)
    if not out.check("IPR_ADDRESS_VALUE_INVALID", value_path, error, gkeReason=INVALID_ADDRESSES):
        return None
    return _network_findings(out, "IPR", ADDRESS_CIDR, value, value_path, gkeReason=INVALID_ADDRESSES)


def _parent_refs_findings(out, spec, namespace):
    """spec.parentRefs: at least one (MissingParentRefs), at most 32, distinct; returns the first, resolved, if usable."""
    path = "spec.parentRefs"
    refs = out.field(spec, "parentRefs", path, "array")
    if refs is _WRONG:
        return None
    if not refs:
        out.ours("IPR_PARENTREFS_REQUIRED", path, required(path, (
            "the persistent-IP controller needs the Gateway whose addresses this route claims; add {name: <gateway>, "
            "namespace: <its namespace>}")), gkeReason=MISSING_PARENT_REFS)
        return None
    out.check("IPR_PARENTREFS_TOO_MANY", path, schema_items_error(path, refs, max_items=MAX_PARENT_REFS))
    if len(refs) > 1:  # docs/persistent-ip.md#assumption-19
        out.ours("IPR_PARENTREF_MULTIPLE", path, invalid(path, len(refs), (
            "one parentRef is the supported shape; only the first is checked against its Gateway")), WARNING)
    resolved = [_parent_ref_findings(out, ref, index(path, i), namespace) for i, ref in enumerate(refs)]
    seen = []
    for i, ref in enumerate(resolved):
        if ref is not None and ref in seen:
            out.ours("IPR_PARENTREF_DUPLICATE", index(path, i), FieldError("Duplicate", index(path, i), (
                "%s/%s" % (ref.namespace, ref.name)), "It is invalid to reference an identical parent more than once"))
        seen.append(ref)
    return resolved[0] if namespace is not None else None


def _parent_ref_findings(out, ref, path, namespace):
    """One ParentReference (CRD patterns and ranges); resolved when valid and a Gateway."""
    if not isinstance(ref, dict):
        out.upstream(out.type_code, path, schema_type_error(path, ref, "object"))
        return None
    mark = len(out.errors())
    out.unknown_fields(ref, PARENT_REF_FIELDS, path)
    for name, code, check in _PARENT_REF_CHECKS:
        field_path, value = child(path, name), ref.get(name)
        if value is not None:
            out.check(code, field_path, check(field_path, value))
        elif name == "name":
            out.upstream(code, field_path, required(field_path))
    if len(out.errors()) > mark:
        return None
    resolved = _resolve_parent_ref(ref, namespace, path)
    if (resolved.group, resolved.kind) != (GATEWAY_GROUP, GATEWAY_KIND):  # docs/persistent-ip.md#assumption-13
        out.ours("IPR_PARENTREF_KIND_UNSUPPORTED", path, invalid(path, "%s/%s" % (resolved.group, resolved.kind), (
            "a GKEIPRoute attaches to a Gateway: group %s, kind %s (the defaults)" % (GATEWAY_GROUP, GATEWAY_KIND))),
            gkeReason=UNATTACHABLE)
        return None
    return resolved


def _optional_fields_findings(out, spec):
    """network, loadBalancing, haPolicy, allowGlobalAccess, nodeSelector (newest CRD)."""
    out.field(spec, "network", "spec.network", "string")
    out.field(spec, "allowGlobalAccess", "spec.allowGlobalAccess", "boolean")
    load_balancing = out.field(spec, "loadBalancing", "spec.loadBalancing", "object")
    if isinstance(load_balancing, dict):
        _load_balancing_findings(out, load_balancing, "spec.loadBalancing")
    ha_policy = out.field(spec, "haPolicy", "spec.haPolicy", "boolean")
    if isinstance(ha_policy, bool) and load_balancing is not None:
        out.ours("IPR_HAPOLICY_WITH_LOADBALANCING", "spec.haPolicy", forbidden("spec.haPolicy", (
            "can only be set on a non-load-balancing, non-fast-failover route; remove haPolicy or spec.loadBalancing")))
    if spec.get("nodeSelector") is not None:
        out.selector("IPR_NODESELECTOR_INVALID", "spec.nodeSelector", spec["nodeSelector"])


def _load_balancing_findings(out, load_balancing, path):
    """spec.loadBalancing.healthCheckName is required (CRD); an empty name names no health check."""
    out.unknown_fields(load_balancing, ("healthCheckName",), path)
    name_path = child(path, "healthCheckName")
    name = out.field(load_balancing, "healthCheckName", name_path, "string")
    if name is None:
        out.upstream("IPR_LOADBALANCING_HEALTHCHECK_REQUIRED", name_path, required(name_path))
    elif name == "":
        out.ours("IPR_LOADBALANCING_HEALTHCHECK_REQUIRED", name_path, required(name_path, (
            "name the regional health check (same project and region as the cluster) that decides which Pods get traffic")))


# ---------------------------------------------------------------------------------------------
# GKEIPRoute against its context: cluster version, networks, Gateway, other routes, old object
# ---------------------------------------------------------------------------------------------

_VERSION_RE = re.compile(r"v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?(?:-gke\.([0-9]+))?\Z")


def _cluster_version(text):
    """``1.31.1-gke.1146000`` -> ``(1, 31, 1, 1146000)``; missing parts count as 0."""
    match = _VERSION_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise InputError("context.clusterVersion must be a GKE version such as 1.31.1-gke.1146000, got %r" % (text,))
    return tuple(int(part or 0) for part in match.groups())


def _network_name(spec):
    network = spec.get("network")
    return "default" if network is None else network if isinstance(network, str) else None


def _route_context_findings(out, route, context):
    """The rules that need other objects; the Gateway and other routes need a valid namespace and parentRef."""
    if context.get("clusterVersion") is not None:
        _version_findings(out, route.spec, context["clusterVersion"])
    if "networks" in context:
        _network_context_findings(out, route.spec, context["networks"])
    if "oldObject" in context:
        _ha_policy_change_findings(out, route.spec, context["oldObject"])
    if route.namespace is None or route.parent is None:
        return  # docs/persistent-ip.md#evaluation-order: cross-object rules are skipped
    if "gateway" in context:
        _gateway_ref_findings(out, route, context)
    if "existingRoutes" in context:
        _one_route_per_address_findings(out, route, context["existingRoutes"])


def _version_findings(out, spec, text):
    """GKE versions: 1.29+ (DOC D2), 1.31+ on the default network (DOC D1), 1.32.3-gke.1440000+ for loadBalancing (DOC D4)."""
    version = _cluster_version(text)
    path = "context.clusterVersion"
    if version < MIN_CLUSTER_VERSION:
        out.ours("IPR_CLUSTER_VERSION_UNSUPPORTED", path, invalid(path, text, (
            "persistent IPs for Pods need GKE 1.29 or later (1.31 or later on the default network); upgrade the cluster")))
    elif _network_name(spec) in DEFAULT_NETWORKS and version < DEFAULT_NETWORK_MIN_VERSION:
        out.ours("IPR_NETWORK_DEFAULT_UNSUPPORTED_ON_VERSION", "spec.network", invalid("spec.network", _network_name(spec), (
            "before GKE 1.31 the default network has no persistent IPs (cluster %s); use a Layer 3 or Device "
            "multi-network, or upgrade to 1.31" % text)))
    if spec.get("loadBalancing") is not None and version < LOAD_BALANCING_MIN_VERSION:
        out.ours("IPR_LOADBALANCING_VERSION", "spec.loadBalancing", forbidden("spec.loadBalancing", (
            "health-check-based load balancing needs GKE 1.32.3-gke.1440000 or later (cluster %s); upgrade the cluster "
            "or remove spec.loadBalancing" % text)))


def _network_context_findings(out, spec, networks):
    """spec.network against the cluster's Network objects (``{name: {type, ready}}``)."""
    networks = expect(networks, dict, "context.networks")
    name = _network_name(spec)
    if name is None or name in DEFAULT_NETWORKS:
        return
    path = "spec.network"
    if name not in networks:
        out.ours("IPR_NETWORK_NOT_FOUND", path, FieldError("NotFound", path, name, (
            "no networking.gke.io/v1 Network of that name; create it (type L3 or Device) with its GKENetworkParamSet, "
            "or use the default network")), gkeReason=NETWORK_NOT_FOUND)
        return
    network = expect(networks[name], dict, "context.networks[%s]" % name)
    if network.get("type") not in NETWORK_TYPES:  # DOC D1: L2 is not supported
        out.ours("IPR_NETWORK_TYPE_UNSUPPORTED", path, invalid(path, name, (
            "Network of type %s: persistent IPs need a Layer 3 (L3) or Device network" % network.get("type"))))
    if optional(network.get("ready"), bool, "context.networks[%s].ready" % name, True) is False:
        out.ours("IPR_NETWORK_NOT_READY", path, invalid(path, name, (
            "the Network is not Ready: check its GKENetworkParamSet (VPC, subnet, secondary range)")),
            gkeReason=NETWORK_NOT_READY)


def _ha_policy_change_findings(out, spec, old):
    """spec.haPolicy: CEL ``self == oldSelf`` (runs when both objects set it)."""
    before, after = _spec_of(old, "context.oldObject").get("haPolicy"), spec.get("haPolicy")
    if isinstance(before, bool) and isinstance(after, bool) and before != after:
        out.upstream("IPR_HAPOLICY_IMMUTABLE", "spec.haPolicy", invalid("spec.haPolicy", "boolean", "HAPolicy is immutable"))


def _gateway_ref_findings(out, route, context):
    """parentRefs[0] against the Gateway: found, of a persistent-IP class, admitting the route, owning its addresses."""
    path = "spec.parentRefs[0]"
    gateway, ref = context["gateway"], route.parent
    wanted = "%s/%s" % (ref.namespace, ref.name)
    if gateway is None or _identity(gateway, "context.gateway") != (ref.namespace, ref.name):
        out.ours("IPR_GATEWAY_NOT_FOUND", path, FieldError("NotFound", path, wanted, (
            "Gateway %s does not exist; create it, or fix parentRefs[0].name/namespace (the namespace defaults to "
            "the route's, %s)" % (wanted, route.namespace))), gkeReason=GATEWAY_NOT_FOUND)
        return
    gateway_class = _spec_of(gateway, "context.gateway").get("gatewayClassName")
    if gateway_class not in SUPPORTED_CLASSES + FAST_CLASSES:  # docs/persistent-ip.md#assumption-13: Unattachable
        out.ours("IPR_GATEWAY_CLASS_UNSUPPORTED", path, invalid(path, wanted, (
            "Gateway of class %s, which the persistent-IP controller does not handle; point parentRefs[0] at a "
            "%s or %s Gateway" % ((gateway_class,) + SUPPORTED_CLASSES))), gkeReason=UNATTACHABLE)
        return
    verdict = _gateway_api_attach(gateway, ref, route.namespace, context.get("namespaces"))
    if not verdict["admitted"]:
        out.ours("IPR_NOT_ADMITTED", path, invalid(path, wanted, _NOT_ADMITTED[verdict["gatewayApiReason"]] % {
            "namespace": route.namespace}), gkeReason=UNATTACHABLE, gatewayApiReason=verdict["gatewayApiReason"])
    _addresses_in_gateway_pool_findings(out, route, gateway, wanted, context.get("namedAddresses"))
    _gateway_class_rule_findings(out, route.spec, gateway_class, wanted)


_NOT_ADMITTED = {
    "NotAllowedByListeners": ("no listener admits a GKEIPRoute from namespace %(namespace)s (NotAllowedByListeners); label "
                              "the namespace to match allowedRoutes.namespaces.selector, use from: All, or list kind "
                              "GKEIPRoute in allowedRoutes.kinds"),
    "NoMatchingParent": ("sectionName/port match no listener of the Gateway (NoMatchingParent); fix them or leave them "
                         "unset to attach to every listener"),
}


def _gateway_pool(gateway, named_addresses=None):
    """The networks a Gateway hands out, and the NamedAddress names ``named_addresses`` does not resolve."""
    named = optional(named_addresses, dict, "context.namedAddresses", {})
    pool, unresolved = [], []
    for address in _as_list(_spec_of(gateway, "context.gateway").get("addresses")):
        if not isinstance(address, dict) or not isinstance(address.get("value"), str):
            continue
        address_type, value = address.get("type") or ADDRESS_IP, address["value"]
        if address_type == ADDRESS_NAMED:  # docs/persistent-ip.md#assumption-2: the caller resolves names through gcloud
            if value not in named:
                unresolved.append(value)
                continue
            network = _resolved_network(named, value)
        elif address_type in (ADDRESS_IP, ADDRESS_CIDR):
            network = _address_network(address_type, value, "")[0]
        else:
            continue
        if network is not None:
            pool.append(network)
    return pool, unresolved


def _resolved_network(named, name):
    what = "context.namedAddresses[%s]" % name
    text = expect(named[name], str, what)
    network, problem = _address_network(ADDRESS_CIDR if "/" in text else ADDRESS_IP, text, what)
    if problem:
        raise InputError(str(problem[1]))
    return network


def _addresses_in_gateway_pool_findings(out, route, gateway, wanted, named_addresses):
    """Every address must be one of the Gateway's (CODE C3: InvalidAddresses), compared as networks."""
    pool, unresolved = _gateway_pool(gateway, named_addresses)
    for i, text, network in route.addresses:
        if network in pool:
            continue
        path = index("spec.addresses", i)
        detail = "not an address of Gateway %s (%s); claim one of those or add it to the Gateway's spec.addresses" % (
            wanted, ", ".join(str(n) for n in pool) or "it has none")
        if unresolved:
            detail += "; its NamedAddress %s is unresolved: give context.namedAddresses" % ", ".join(unresolved)
        out.ours("IPR_ADDRESS_NOT_IN_GATEWAY", path, invalid(path, text, detail), gkeReason=INVALID_ADDRESSES)


def _gateway_class_rule_findings(out, spec, gateway_class, wanted):
    """allowGlobalAccess is for internal classes only (CRD); nodeSelector iff fast failover (CRD, docs/persistent-ip.md#assumption-20)."""
    if spec.get("allowGlobalAccess") is not None and gateway_class in EXTERNAL_CLASSES:
        out.ours("IPR_ALLOWGLOBALACCESS_EXTERNAL", "spec.allowGlobalAccess", forbidden("spec.allowGlobalAccess", (
            "cannot be set for external GKEIPRoutes (Gateway %s is %s): it enables cross-regional access to internal "
            "persistent IPs only; remove it" % (wanted, gateway_class))))
    fast = gateway_class in FAST_CLASSES
    if (spec.get("nodeSelector") is not None) != fast:
        detail = ("must be set if and only if the persistent IP uses fast failover (a gke-persistent-fast-regional-* "
                  "class); Gateway %s is %s" % (wanted, gateway_class))
        error = required("spec.nodeSelector", detail) if fast else forbidden("spec.nodeSelector", detail)
        out.ours("IPR_NODESELECTOR_MISMATCH", "spec.nodeSelector", error)


def _one_route_per_address_findings(out, route, existing):
    """docs/persistent-ip.md#assumption-9: an address may be claimed by one GKEIPRoute only."""
    claims = {}
    for j, other in enumerate(expect(existing, list, "context.existingRoutes")):
        what = "context.existingRoutes[%d]" % j
        owner = _identity(other, what)
        if owner == (route.namespace, route.name):
            continue
        for address in _as_list(_spec_of(other, what).get("addresses")):
            if isinstance(address, dict) and isinstance(address.get("value"), str):
                network = _address_network(ADDRESS_CIDR, address["value"], what)[0]
                if network is not None:
                    claims.setdefault(network, "/".join(str(part) for part in owner if part))
    for i, text, network in route.addresses:
        if network in claims:
            path = index("spec.addresses", i)
            out.ours("IPR_ADDRESS_CLAIMED_BY_OTHER_ROUTE", path, invalid(path, text, (
                "already claimed by GKEIPRoute %s; an address belongs to one route at a time (the datapath keeps the "
                "last writer); remove it from one of them" % claims[network])),
                gkeReason=INVALID_ADDRESSES, claimedBy=claims[network])

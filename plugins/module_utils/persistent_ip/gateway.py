# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Gateway validation (docs/persistent-ip.md#gateway, docs/persistent-ip.md#gateway-codes)."""

from __future__ import annotations

import collections
import re

from ansible_collections.clusternet.k8s.plugins.module_utils.common import expect
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    FieldError, OMIT, child, forbidden, index, invalid, not_supported, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import GoSyntax, go_json, go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import (
    is_dns1035_label, validate_dns1123_label)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import parse_ip_sloppy, parse_ip_stdlib
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.schema import (
    json_type, schema_int32_errors, schema_items_error, schema_string_error, schema_type_error)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.address import _is_private, _network_findings
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    ADDRESS_IP, ADDRESS_NAMED, ADDRESS_TYPE_RE, CLASS_EXTERNAL, CLASS_INTERNAL, EXTERNAL_CLASSES, FAST_CLASSES,
    FROM_VALUES, GATEWAY_ADDRESS_TYPES, GATEWAY_API_VERSIONS, GATEWAY_GROUP, GATEWAY_KIND, GROUP_RE, INTERNAL_CLASSES,
    KIND_RE, MAX_ADDRESSES, MAX_KINDS, MAX_LISTENERS, PROTOCOL_RE, ROUTE_GROUP, ROUTE_KIND, SECTION_NAME_RE,
    SUPPORTED_CLASSES)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.attachment import (
    _as_list, _identity, _kind_admits, _resolve_parent_ref, _spec_of)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.findings import (
    WARNING, _Findings, _WRONG, _duplicates, _enum_value, _metadata_findings, _missing_items, _type_meta_findings)


# ---------------------------------------------------------------------------------------------
# Gateway validation (docs/persistent-ip.md#gateway, docs/persistent-ip.md#gateway-codes)
# ---------------------------------------------------------------------------------------------


def _gateway_findings(gateway, context):
    out = _Findings("GW")
    _type_meta_findings(out, gateway, GATEWAY_API_VERSIONS, GATEWAY_KIND, "GW")
    _gateway_namespace_findings(out, _metadata_findings(out, gateway, "GW_METADATA_NAME"))
    spec = out.field(gateway, "spec", "spec", "object")
    if spec is _WRONG:
        return out
    if spec is None:  # required by the Gateway API CRD
        out.upstream("GW_CLASS_UNSUPPORTED", "spec", required("spec"))
        return out
    gateway_class = _gateway_class_findings(out, spec)
    _listeners_findings(out, spec)
    _gateway_addresses_findings(out, spec, gateway_class)
    if "oldObject" in context:
        _class_change_findings(out, gateway, gateway_class, context)
    return out


def _gateway_namespace_findings(out, metadata):
    """metadata.namespace, when given: a namespace name (``ValidateObjectMeta``: a DNS-1123 label)."""
    namespace = None if metadata is None else out.field(metadata, "namespace", "metadata.namespace", "string")
    if isinstance(namespace, str):
        for error in validate_dns1123_label(namespace, "metadata.namespace"):
            out.upstream("GW_NAMESPACE_INVALID", "metadata.namespace", error)


def _gateway_class_findings(out, spec):
    """spec.gatewayClassName: one of the two persistent-IP classes (DOC D3); fast ones only warn."""
    path = "spec.gatewayClassName"
    gateway_class = out.field(spec, "gatewayClassName", path, "string")
    if gateway_class is None:
        out.upstream("GW_CLASS_UNSUPPORTED", path, required(path))
    elif isinstance(gateway_class, str) and not out.check("GW_CLASS_UNSUPPORTED", path, schema_string_error(path, gateway_class, 253, 1)):
        pass  # the CRD's ObjectName: 1 to 253 characters
    elif gateway_class in FAST_CLASSES:
        out.ours("GW_CLASS_FAST", path, invalid(path, gateway_class, (
            "a fast-failover class: it needs Device-type multi-networks and spec.nodeSelector on its GKEIPRoutes, "
            "and its failover is outside what this collection simulates")), WARNING)
    elif gateway_class is not _WRONG and gateway_class not in SUPPORTED_CLASSES:
        out.ours("GW_CLASS_UNSUPPORTED", path, invalid(path, gateway_class, (
            "gatewayClassName must be %s or %s" % SUPPORTED_CLASSES)))
    return gateway_class if isinstance(gateway_class, str) else None


def _class_change_findings(out, gateway, gateway_class, context):
    """GW_CLASS_CHANGED: DOC D4 (generalised) forbids changing the class once GKEIPRoutes use the Gateway.

    Without ``existingRoutes`` in the context the routes are assumed to exist.
    """
    old_class = _spec_of(context["oldObject"], "context.oldObject").get("gatewayClassName")
    if not isinstance(old_class, str) or gateway_class is None or old_class == gateway_class:
        return
    routes = context.get("existingRoutes")
    if routes is not None and not any(_references(route, _identity(gateway, "object"), "context.existingRoutes[%d]" % i)
                                      for i, route in enumerate(expect(routes, list, "context.existingRoutes"))):
        return
    path = "spec.gatewayClassName"
    out.ours("GW_CLASS_CHANGED", path, invalid(path, gateway_class, (
        "was %s: a persistent-IP Gateway's class cannot change once GKEIPRoutes use it; delete those routes, "
        "recreate the Gateway, then recreate the routes" % go_quote(old_class))))


def _references(route, gateway_identity, what):
    """Whether a GKEIPRoute's parentRefs name the Gateway ``(namespace, name)``."""
    namespace = _identity(route, what)[0]
    for i, ref in enumerate(_as_list(_spec_of(route, what).get("parentRefs"))):
        ref = _resolve_parent_ref(ref, namespace, "%s.spec.parentRefs[%d]" % (what, i))
        if (ref.group, ref.kind, ref.namespace, ref.name) == (GATEWAY_GROUP, GATEWAY_KIND) + tuple(gateway_identity):
            return True
    return False


_LISTENER_CHECKS = (
    ("name", "GW_LISTENER_NAME_INVALID", lambda path, value: schema_string_error(path, value, 253, 1, SECTION_NAME_RE)),
    ("port", "GW_LISTENER_PORT_INVALID", lambda path, value: schema_int32_errors(path, value, 1, 65535)),
    ("protocol", "GW_LISTENER_PROTOCOL_INVALID", lambda path, value: schema_string_error(path, value, 255, 1, PROTOCOL_RE)),
)


def _listeners_findings(out, spec):
    """spec.listeners: 1-64 listeners, each well formed, and the CRD's CEL rules over the list."""
    path = "spec.listeners"
    listeners = out.field(spec, "listeners", path, "array")
    if listeners is _WRONG:
        return
    if not listeners:
        out.upstream("GW_LISTENERS_REQUIRED", path, _missing_items(path, listeners))
        return
    out.check("GW_LISTENERS_TOO_MANY", path, schema_items_error(path, listeners, max_items=MAX_LISTENERS))
    for i, listener in enumerate(listeners):
        _listener_findings(out, listener, index(path, i))
    _list_map_findings(out, listeners, path, ("name",))
    _listener_cel_findings(out, listeners, path)


def _listener_findings(out, listener, path):
    if not isinstance(listener, dict):
        out.upstream(out.type_code, path, schema_type_error(path, listener, "object"))
        return
    for name, code, check in _LISTENER_CHECKS:
        field_path = child(path, name)
        value = listener.get(name)
        out.check(code, field_path, required(field_path) if value is None else check(field_path, value))
    # optional fields the persistent-IP rules do not use, checked as the CRD schema checks them
    if listener.get("hostname") is not None:
        hostname_path = child(path, "hostname")
        out.check("GW_LISTENER_HOSTNAME_INVALID", hostname_path,
                  schema_string_error(hostname_path, listener["hostname"], 253, 1, _HOSTNAME_VALUE_RE))
    out.field(listener, "tls", child(path, "tls"), "object")
    _allowed_routes_findings(out, listener, child(path, "allowedRoutes"))


def _cel_ready(listener):
    # CEL rules run on a schema-valid list; malformed listeners are reported by the schema checks.
    return (isinstance(listener, dict) and isinstance(listener.get("name"), str) and isinstance(listener.get("protocol"), str)
            and json_type(listener.get("port")) == "integer" and isinstance(listener.get("hostname") or "", str))


def _listener_combination_key(listener):
    hostname = listener.get("hostname")
    return listener["port"], listener["protocol"], hostname is not None, hostname


_LISTENER_CEL = (
    # (code, field of the first offender or None for the list, message, passes(listener, counts))
    ("GW_LISTENER_TLS_FORBIDDEN", "tls", "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
     lambda listener, _counts: listener["protocol"] not in ("HTTP", "TCP", "UDP") or listener.get("tls") is None),
    ("GW_LISTENER_HOSTNAME_FORBIDDEN", "hostname", "hostname must not be specified for protocols ['TCP', 'UDP']",
     lambda listener, _counts: listener["protocol"] not in ("TCP", "UDP") or not listener.get("hostname")),
    ("GW_LISTENER_NAME_DUPLICATE", None, "Listener name must be unique within the Gateway",
     lambda listener, counts: counts[0][listener["name"]] == 1),
    ("GW_LISTENER_COMBINATION_DUPLICATE", None, "Combination of port, protocol and hostname must be unique for each listener",
     lambda listener, counts: counts[1][_listener_combination_key(listener)] == 1),
)


def _cel_error(path, message):
    """A failed CEL rule as the API server reports it: ``Invalid value`` without the value."""
    return FieldError("Invalid", path, OMIT, message)


def _list_map_findings(out, items, path, keys):
    """``x-kubernetes-list-type: map`` (``structurallisttype.ValidateListSetsAndMaps``): every item an
    object, no two with the same keys (a Duplicate of the key fields)."""
    seen = set()
    for i, item in enumerate(items):
        if item is None:  # the schema's type error only
            continue
        if not isinstance(item, dict):
            out.upstream(out.type_code, index(path, i), invalid(index(path, i), _enum_value(item),
                                                                "must be an object for an array of list-type map"))
            continue
        key_ = tuple((name, item.get(name)) for name in keys if item.get(name) is not None)
        if not all(isinstance(value, (str, int, bool)) for _name, value in key_):
            continue
        if key_ in seen:
            out.upstream(out.type_code, index(path, i), FieldError("Duplicate", index(path, i), GoSyntax(go_json(dict(key_)))))
        seen.add(key_)


def _listener_cel_findings(out, listeners, path):
    """The Gateway CRD's CEL rules on spec.listeners; the API server reports each failing rule once."""
    if not all(_cel_ready(listener) for listener in listeners):
        return
    counts = (collections.Counter(listener["name"] for listener in listeners),
              collections.Counter(_listener_combination_key(listener) for listener in listeners))
    for code, field_name, message, passes in _LISTENER_CEL:
        offenders = [i for i, listener in enumerate(listeners) if not passes(listener, counts)]
        if offenders:
            at = child(index(path, offenders[0]), field_name) if field_name else path
            out.cel(code, at, _cel_error(path, message))


def _allowed_routes_findings(out, listener, path):
    allowed = out.field(listener, "allowedRoutes", path, "object")
    if isinstance(allowed, dict):
        _route_namespaces_findings(out, allowed, child(path, "namespaces"))
        _route_kinds_findings(out, allowed, child(path, "kinds"))


def _route_namespaces_findings(out, allowed, path):
    """allowedRoutes.namespaces: ``from`` enum, and a selector exactly when from is Selector."""
    namespaces = out.field(allowed, "namespaces", path, "object")
    if not isinstance(namespaces, dict):
        return
    from_path, selector_path = child(path, "from"), child(path, "selector")
    source = out.field(namespaces, "from", from_path, "string")
    if source is not None and namespaces["from"] not in FROM_VALUES:  # the enum is checked whatever the type
        out.upstream("GW_ALLOWEDROUTES_FROM_INVALID", from_path, not_supported(from_path, _enum_value(namespaces["from"]),
                                                                               FROM_VALUES))
    selector = namespaces.get("selector")
    if selector is None:
        if source == "Selector":  # Gateway API text, no CEL rule: a collection rule (docs/persistent-ip.md#assumption-11)
            out.ours("GW_ALLOWEDROUTES_SELECTOR_MISSING", selector_path, required(selector_path, (
                "selector is required when from is Selector (without one no namespace is admitted); select namespaces "
                "by label, e.g. matchLabels {kubernetes.io/metadata.name: <namespace>}")))
        return
    out.selector("GW_ALLOWEDROUTES_SELECTOR_INVALID", selector_path, selector)
    if source is not _WRONG and (source or "Same") != "Selector":
        out.ours("GW_ALLOWEDROUTES_SELECTOR_IGNORED", selector_path, forbidden(selector_path, (
            "ignored unless from is Selector; set from: Selector or remove the selector")), WARNING)


def _route_kinds_findings(out, allowed, path):
    """allowedRoutes.kinds: at most 8, and one of them must admit GKEIPRoute (collection rule, docs/persistent-ip.md#assumption-12)."""
    kinds = out.field(allowed, "kinds", path, "array")
    if not isinstance(kinds, list) or not kinds:
        return
    out.check("GW_ALLOWEDROUTES_KINDS_TOO_MANY", path, schema_items_error(path, kinds, max_items=MAX_KINDS))
    for i, entry in enumerate(kinds):
        if not isinstance(entry, dict):
            out.upstream(out.type_code, index(path, i), schema_type_error(index(path, i), entry, "object"))
        else:  # a RouteGroupKind as the CRD schema checks it
            kind_path, group_path = child(index(path, i), "kind"), child(index(path, i), "group")
            out.check("GW_ALLOWEDROUTES_KINDS_EXCLUDES_GKEIPROUTE", kind_path, required(kind_path) if entry.get("kind") is None
                      else schema_string_error(kind_path, entry["kind"], 63, 1, KIND_RE))
            if entry.get("group") is not None:
                out.check("GW_ALLOWEDROUTES_KINDS_EXCLUDES_GKEIPROUTE", group_path,
                          schema_string_error(group_path, entry["group"], 253, None, GROUP_RE))
    if not any(_kind_admits(entry, ROUTE_KIND, ROUTE_GROUP) for entry in kinds):
        listed = ", ".join(str(entry.get("kind")) for entry in kinds if isinstance(entry, dict))
        out.ours("GW_ALLOWEDROUTES_KINDS_EXCLUDES_GKEIPROUTE", path, invalid(path, listed, (
            "no entry admits GKEIPRoute, so no GKEIPRoute can attach to this listener; add {kind: GKEIPRoute} "
            "or remove kinds")))


def _gateway_addresses_findings(out, spec, gateway_class):
    """spec.addresses: required here (docs/persistent-ip.md#assumption-3), at most 16, each valid, none twice."""
    path = "spec.addresses"
    addresses = out.field(spec, "addresses", path, "array")
    if addresses is _WRONG:
        return
    if not addresses:
        out.ours("GW_ADDRESSES_REQUIRED", path, required(path, (
            "a persistent-IP Gateway must list the reserved addresses it hands out (it assigns none itself); add "
            "{type: gke.networking.io/cidr, value: <reserved IPv4>/32}")))
        return
    out.check("GW_ADDRESSES_TOO_MANY", path, schema_items_error(path, addresses, max_items=MAX_ADDRESSES))
    keyed = []
    for i, address in enumerate(addresses):
        key_ = _gateway_address_findings(out, address, index(path, i), gateway_class)
        if key_ is not None:
            keyed.append((key_, address["value"]))
    # the CRD's CEL rules: an IPAddress (the default type) or Hostname value given twice, as written
    exact = False
    for address_type, message in ((ADDRESS_IP, "IPAddress values must be unique"), ("Hostname", "Hostname values must be unique")):
        values = [a["value"] for a in addresses if isinstance(a, dict) and a.get("value") is not None
                  and (a.get("type") or ADDRESS_IP) == address_type]
        if any(values.count(value) != 1 for value in values):
            exact = True
            out.cel("GW_ADDRESS_DUPLICATE", path, _cel_error(path, message), upstreamMessage=message)
    for texts in ([] if exact else _duplicates(keyed)):
        out.ours("GW_ADDRESS_DUPLICATE", path, FieldError("Duplicate", path, texts[-1], (
            "IPAddress values must be unique (checked here for every type, as networks); list each address once")),
            upstreamMessage="IPAddress values must be unique")


# the Gateway CRD's CEL rule on a Hostname address (only an absent value passes, not an empty one)
_HOSTNAME_VALUE_RE = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_HOSTNAME_VALUE = re.compile(_HOSTNAME_VALUE_RE[:-1] + r"\Z")


def _one_of_error(path, found):
    """kube-openapi's oneOf failure: reported without a field (``<nil>``)."""
    return FieldError("Invalid", "<nil>", "", '"%s" must validate one and only one schema (oneOf). %s' % (path, found))


def _is_openapi_ip(value):
    """The CRD's ``anyOf: [{format: ipv4}, {format: ipv6}]`` (kube-openapi strfmt: ``ParseIPSloppy`` with a
    dot, or ``net.ParseIP`` with a colon)."""
    return ("." in value and parse_ip_sloppy(value) is not None) or (":" in value and parse_ip_stdlib(value) is not None)


def _gateway_address_findings(out, address, path, gateway_class):
    """One Gateway address; returns what it is compared by (a network, or a NamedAddress name) when valid."""
    if not isinstance(address, dict):
        out.upstream(out.type_code, path, schema_type_error(path, address, "object"))
        if address is not None:  # neither oneOf branch constrains a non-object (null skips the oneOf)
            out.upstream(out.type_code, path, _one_of_error(path, "Found 2 valid alternatives"))
        return None
    type_path, value_path = child(path, "type"), child(path, "value")
    address_type = ADDRESS_IP if address.get("type") is None else address["type"]
    value = address.get("value")
    if not out.check("GW_ADDRESS_TYPE_INVALID", type_path, schema_string_error(type_path, address_type, 253, 1, ADDRESS_TYPE_RE)):
        if value is not None:
            out.check("GW_ADDRESS_VALUE_INVALID", value_path, schema_string_error(value_path, value, 253))
        return None
    if address_type == ADDRESS_IP and value is not None and not isinstance(value, list) and not (
            isinstance(value, str) and _is_openapi_ip(value)):
        # the CRD's oneOf: an IPAddress value is an IPv4 or IPv6 address, not a CIDR. kube-openapi's format
        # check prints what it saw: the text, "int64"/"float64" for a number, "" for anything else (and
        # skips an array)
        shown = value if isinstance(value, str) else ("" if isinstance(value, (bool, dict)) else
                                                      "int64" if isinstance(value, int) else "float64")
        out.upstream("GW_ADDRESS_VALUE_INVALID", path, _one_of_error(path, "Found none valid"))
        out.upstream("GW_ADDRESS_VALUE_INVALID", value_path, FieldError(
            "Invalid", "<nil>", "", '"%s" must validate at least one schema (anyOf)' % value_path))
        out.upstream("GW_ADDRESS_VALUE_INVALID", value_path, FieldError(
            "TypeInvalid", value_path, shown, "%s in body must be of type ipv4: %s" % (value_path, go_quote(shown))))
    value_ok = value is None or out.check("GW_ADDRESS_VALUE_INVALID", value_path, schema_string_error(value_path, value, 253))
    if address_type == ADDRESS_IP and isinstance(value, str) and not _is_openapi_ip(value):
        return None
    if address_type == "Hostname" and isinstance(value, str) and not _HOSTNAME_VALUE.match(value):
        out.cel("GW_ADDRESS_VALUE_INVALID", path, _cel_error(path, "Hostname value must be empty or contain only valid "
                                                                   "characters (matching %s)" % _HOSTNAME_VALUE_RE))
    if address_type not in GATEWAY_ADDRESS_TYPES:  # docs/persistent-ip.md#assumption-2
        out.ours("GW_ADDRESS_TYPE_UNSUPPORTED", type_path, not_supported(type_path, address_type, GATEWAY_ADDRESS_TYPES))
        return None
    if value is None:
        out.ours("GW_ADDRESS_VALUE_INVALID", value_path, required(value_path, (
            "a persistent-IP Gateway assigns no address itself; give the reserved address")))
        return None
    if not value_ok:
        return None
    if address_type == ADDRESS_NAMED:
        return _named_address_findings(out, value, value_path)
    network = _network_findings(out, "GW", address_type, value, value_path)
    if network is not None:
        _address_scope_findings(out, network, value, value_path, gateway_class)
    return network


def _named_address_findings(out, value, path):
    """A NamedAddress is the name of a reserved regional address: GCE names are RFC 1035 labels."""
    messages = is_dns1035_label(value)
    for message in messages:
        out.ours("GW_ADDRESS_VALUE_INVALID", path, invalid(path, value, "a reserved address name: " + message))
    return None if messages else (ADDRESS_NAMED, value)


def _address_scope_findings(out, network, value, path, gateway_class):
    """docs/persistent-ip.md#assumption-17 (prefixes shorter than /32) and docs/persistent-ip.md#assumption-18 (private/public against the class)."""
    if network.prefixlen < 32:
        out.ours("GW_ADDRESS_PREFIX_NOT_32", path, invalid(path, value, (
            "a /%d range: each GKEIPRoute address taken from it must be claimed exactly as written here" % network.prefixlen)),
            WARNING)
    private = _is_private(network)
    if private and gateway_class in EXTERNAL_CLASSES:
        out.ours("GW_ADDRESS_PRIVATE_ON_EXTERNAL", path, invalid(path, value, (
            "an RFC 1918/6598 address on the external class %s; use %s for internal addresses, or reserve an "
            "external regional address" % (gateway_class, CLASS_INTERNAL))))
    elif not private and gateway_class in INTERNAL_CLASSES:
        out.ours("GW_ADDRESS_PUBLIC_ON_INTERNAL", path, invalid(path, value, (
            "a public address on the internal class %s: fine for a privately used public range of your VPC, "
            "otherwise use %s" % (gateway_class, CLASS_EXTERNAL))), WARNING)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""GKE persistent IPs for Pods: Gateway admission, validation, binding decision, route health.

Pure Python, no Ansible imports. Every rule is in ``docs/persistent-ip.md``: the Gateway and GKEIPRoute
fields (docs/persistent-ip.md#gateway, docs/persistent-ip.md#gkeiproute), Gateway API attachment
(docs/persistent-ip.md#attachment), which Pod holds the IP (docs/persistent-ip.md#binding-table), the
validation codes (docs/persistent-ip.md#validation), troubleshooting (docs/persistent-ip.md#troubleshooting)
and the numbered assumptions (docs/persistent-ip.md#assumptions), cited where they apply.

Validation returns :class:`Finding` objects: the rule's code and path (docs/persistent-ip.md#validation), and a message. Rules the API
server enforces (the GKEIPRoute and Gateway API CRD schemas and CEL rules) keep the API server's own
text; the others (controller and collection rules) say what is wrong and how to fix it, and end with
their code in brackets.
"""

from __future__ import annotations

import collections
import datetime
import ipaddress
import re

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.label_selector import compile_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import (
    OMIT, FieldError, GoSyntax, child, forbidden, go_json, go_quote, index, invalid, is_dns1035_label, is_valid_cidr, is_valid_ip,
    json_type, not_supported, parse_cidr_sloppy, parse_ip_sloppy, parse_ip_stdlib, required, schema_int32_errors, schema_items_error,
    schema_string_error, schema_type_error, validate_dns1123_label, validate_dns1123_subdomain, validate_label_selector)

GATEWAY_GROUP = "gateway.networking.k8s.io"
GATEWAY_KIND = "Gateway"
GATEWAY_API_VERSIONS = (GATEWAY_GROUP + "/v1", GATEWAY_GROUP + "/v1beta1")
ROUTE_GROUP = "networking.gke.io"
ROUTE_KIND = "GKEIPRoute"
ROUTE_API_VERSIONS = (ROUTE_GROUP + "/v1",)

CLASS_EXTERNAL = "gke-persistent-regional-external-managed"
CLASS_INTERNAL = "gke-persistent-regional-internal-managed"
CLASS_FAST_EXTERNAL = "gke-persistent-fast-regional-external-managed"
CLASS_FAST_INTERNAL = "gke-persistent-fast-regional-internal-managed"
SUPPORTED_CLASSES = (CLASS_EXTERNAL, CLASS_INTERNAL)
FAST_CLASSES = (CLASS_FAST_EXTERNAL, CLASS_FAST_INTERNAL)  # docs/persistent-ip.md#assumption-20: "fast failover"
EXTERNAL_CLASSES = (CLASS_EXTERNAL, CLASS_FAST_EXTERNAL)
INTERNAL_CLASSES = (CLASS_INTERNAL, CLASS_FAST_INTERNAL)

ADDRESS_CIDR = "gke.networking.io/cidr"  # docs/persistent-ip.md#assumption-2
ADDRESS_NAMED = "NamedAddress"
ADDRESS_IP = "IPAddress"
GATEWAY_ADDRESS_TYPES = (ADDRESS_CIDR, ADDRESS_NAMED, ADDRESS_IP)

REACTION_MODES = ("ReadyCondition", "Exists")
FROM_VALUES = ("All", "Selector", "Same")  # CRD enum order
DEFAULT_NETWORKS = ("default", "pod-network", "")
NETWORK_TYPES = ("L3", "Device")
CONDITION_TYPES = ("Accepted", "GCPReady", "DPV2Ready", "Ready")
GCP_READY_ALIAS = "IPRouteGCPReady"  # docs/persistent-ip.md#assumption-4

MAX_LISTENERS, MAX_KINDS, MAX_ADDRESSES, MAX_PARENT_REFS = 64, 8, 16, 32
MIN_CLUSTER_VERSION = (1, 29, 0, 0)
DEFAULT_NETWORK_MIN_VERSION = (1, 31, 0, 0)
LOAD_BALANCING_MIN_VERSION = (1, 32, 3, 1440000)

# Go regexps of the Gateway API and GKEIPRoute CRDs, quoted verbatim in the API server's messages.
SECTION_NAME_RE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
PROTOCOL_RE = (r"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
               r"\/[A-Za-z0-9]+$")
ADDRESS_TYPE_RE = (r"^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
                   r"\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$")
NAMESPACE_RE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
GROUP_RE = r"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
KIND_RE = r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$"

# docs/persistent-ip.md#assumption-18: RFC 1918 and RFC 6598 space is "private".
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))

# GKEIPRoute Accepted reasons (vendored constants.go), and the order in which this collection
# assumes the controller checks them when several apply.
MISSING_PARENT_REFS, GATEWAY_NOT_FOUND, UNATTACHABLE = "MissingParentRefs", "GatewayNotFound", "Unattachable"
INVALID_ADDRESSES, INVALID_LABELS = "InvalidAddresses", "InvalidLabels"
NETWORK_NOT_FOUND, NETWORK_NOT_READY, NO_PODS_FOUND = "NetworkNotFound", "NetworkNotReady", "NoPodsFound"
ACCEPTED_REASON_ORDER = (MISSING_PARENT_REFS, GATEWAY_NOT_FOUND, UNATTACHABLE, INVALID_ADDRESSES,
                         NETWORK_NOT_FOUND, NETWORK_NOT_READY, INVALID_LABELS)

ERROR, WARNING = "error", "warning"
CONTEXT_KEYS = ("clusterVersion", "gateway", "namespaces", "networks", "existingRoutes", "oldObject", "namedAddresses")

# docs/persistent-ip.md#troubleshooting: observed status -> (likely cause, what to check next).
TROUBLESHOOTING = {
    "NoStatus": ("the persistent-IP controller has not reported on this route: the cluster may lack GKE Dataplane V2 or "
                 "the Gateway API, run GKE before 1.29 (1.31 on the default network), or miss the CRD or GatewayClass",
                 "kubectl get crd gkeiproutes.networking.gke.io; kubectl get gatewayclass (expect controller "
                 "networking.gke.io/persistent-ip-controller); gcloud container clusters describe"),
    MISSING_PARENT_REFS: ("spec.parentRefs is empty", "add a parentRef that names the Gateway"),
    GATEWAY_NOT_FOUND: ("the parentRef's name or namespace is wrong; the namespace defaults to the route's own",
                        "fix spec.parentRefs[0].name and .namespace; kubectl get gateways -A"),
    "GatewayNotAccepted": ("the Gateway is not accepted yet: wrong class, invalid addresses, or an address that is not "
                           "reserved or is in another region",
                           "kubectl describe gateway; gcloud compute addresses describe NAME --region REGION"),
    UNATTACHABLE: ("a listener's allowedRoutes excludes the route's namespace or kind, sectionName/port match no "
                   "listener, or the Gateway is not of a persistent-IP class",
                   "validate the route with the Gateway as context; label the namespace or change "
                   "allowedRoutes.namespaces.from"),
    INVALID_ADDRESSES: ("an address is not an IPv4 CIDR, or not one of the Gateway's addresses",
                        "compare spec.addresses with the Gateway's spec.addresses"),
    INVALID_LABELS: ("spec.podSelector cannot be parsed, or is empty", "fix spec.podSelector"),
    NETWORK_NOT_FOUND: ("spec.network names a Network that does not exist",
                        "kubectl get network,gkenetworkparamset -o yaml"),
    NETWORK_NOT_READY: ("the Network's GKENetworkParamSet is not Ready (VPC, subnet or secondary range missing)",
                        "kubectl get network,gkenetworkparamset -o yaml"),
    NO_PODS_FOUND: ("no Pod matches spec.podSelector, or none qualifies under the reaction mode (not Ready under "
                    "ReadyCondition, unscheduled under Exists)",
                    "check the Pods' labels, namespace and readiness; use reactionMode Exists only where serving "
                    "before Ready is acceptable"),
    "GCPNotReady": ("Google Cloud programming is in progress", "wait, then check again"),
    "GCPFailed": ("Google Cloud programming failed: quota, address in use, wrong region, or a BYOIP prefix not delegated",
                  "read the condition message and the Cloud audit logs"),
    "DPV2NotReady": ("the node agent could not write the eBPF routing entry (the message holds its error)",
                     "read the anetd logs on the Pod's node; retry"),
    "DPV2ReadyMissing": ("the Pod is not on a node whose agent found its endpoint on spec.network (for example "
                         "multi-NIC disabled with a non-default network), or it lacks that network's interface annotation",
                         "check the Pod's networking.gke.io/interfaces annotation and the node pool's additional networks"),
    "Mutated": ("the spec changed and is being reprogrammed", "wait until observedGeneration equals metadata.generation"),
    "Stale": ("the condition describes an older generation: the spec changed and is being reprogrammed",
              "wait until observedGeneration equals metadata.generation"),
    "CleanupComplete": ("Google Cloud resources were deleted: the route is being deleted",
                        "wait for the finalizer networking.gke.io/gke-ipr-controller to go"),
    "AwaitingAccepted": ("set only once the route is Accepted", "fix the Accepted condition first"),
    "NotReported": ("the controller has not reported this yet", "wait, then check again; if it persists, see the "
                                                                "other conditions"),
    "TooManyPods": ("status.pods lists several Pods; outside load-balancing mode the datapath programs the route only "
                    "when it lists exactly one", "check spec.loadBalancing and the controller's condition messages"),
}


# ---------------------------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Addresses: IPv4 literals and CIDRs (DOC D1: IPv4 only; CODE C4: routes are parsed as CIDRs)
# ---------------------------------------------------------------------------------------------


def _address_network(address_type, value, path):
    """``(network, None)`` for a valid IPAddress literal or CIDR value, else ``(None, (code suffix, FieldError))``."""
    if address_type == ADDRESS_IP:
        ip = parse_ip_sloppy(value)
        if ip is None:
            return None, ("VALUE_INVALID", invalid(path, value, "must be an IPv4 address such as 34.123.10.1"))
        if ":" in value:
            return None, ("IPV6_UNSUPPORTED", invalid(path, value, "persistent IPs are IPv4 only; reserve a regional IPv4 address"))
        errors = is_valid_ip(path, value)
        if errors:
            return None, ("VALUE_INVALID", errors[0])
        return ipaddress.IPv4Network(ip), None
    parsed = parse_cidr_sloppy(value)
    if parsed is None:
        return None, ("VALUE_INVALID", invalid(path, value, "must be an IPv4 CIDR such as 34.123.10.1/32"))
    address, network = parsed
    if ":" in value:
        return None, ("IPV6_UNSUPPORTED", invalid(path, value, "persistent IPs are IPv4 only; reserve a regional IPv4 address"))
    if address != network.network_address:  # docs/persistent-ip.md#assumption-17: net.ParseCIDR would mask them silently
        return None, ("CIDR_HOST_BITS", invalid(path, value, "has bits set beyond the /%d prefix, so it would attract %s; "
                                                "write %s, or %s/32 for the single address"
                                                % (network.prefixlen, network, network, address)))
    errors = is_valid_cidr(path, value)
    if errors:
        return None, ("VALUE_INVALID", errors[0])
    return network, None


def _network_findings(out, prefix, address_type, value, path, **extra):
    """Record why ``value`` is not a usable address (``<prefix>_ADDRESS_*``); its network when it is."""
    network, problem = _address_network(address_type, value, path)
    if problem:
        out.ours(prefix + "_ADDRESS_" + problem[0], path, problem[1], **extra)
    return network


def _is_private(network):
    return any(network.overlaps(space) for space in PRIVATE_RANGES)


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


def _listener_selected(listener, ref):
    """parentRef sectionName (= listener name) and port, both when both are set."""
    return (ref.section is None or listener.get("name") == ref.section) and (ref.port is None or listener.get("port") == ref.port)


def _namespace_allowed(listener, route_namespace, gateway_namespace, labels):
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


def _kind_allowed(listener, kind, group):
    kinds = _as_list(_as_dict(listener.get("allowedRoutes")).get("kinds"))
    return not kinds or any(_kind_admits(entry, kind, group) for entry in kinds)


def _verdict(admitted, gateway_api_reason, gke_reason, listeners=()):
    return {"admitted": admitted, "acceptedListeners": list(listeners), "gatewayApiReason": gateway_api_reason,
            "gkeIPRouteAcceptedReason": gke_reason}


def _admit(gateway, ref, route_namespace, namespaces=None, route_kind=ROUTE_KIND, route_group=ROUTE_GROUP):
    """The admission algorithm of docs/persistent-ip.md#attachment for one resolved :class:`_ParentRef`; ``gateway`` None means not found.

    Gateway API failures map to the GKEIPRoute reason ``Unattachable`` (docs/persistent-ip.md#assumption-13).
    """
    if (ref.group, ref.kind) != (GATEWAY_GROUP, GATEWAY_KIND):
        return _verdict(False, None, UNATTACHABLE)
    if gateway is None or _identity(gateway, "gateway") != (ref.namespace, ref.name):
        return _verdict(False, None, GATEWAY_NOT_FOUND)
    listeners = [listener for listener in _as_list(_spec_of(gateway, "gateway").get("listeners"))
                 if isinstance(listener, dict) and _listener_selected(listener, ref)]
    if not listeners:
        return _verdict(False, "NoMatchingParent", UNATTACHABLE)
    labels = _namespace_labels(namespaces, route_namespace)
    accepted = [listener.get("name") for listener in listeners
                if _namespace_allowed(listener, route_namespace, ref.namespace, labels)
                and _kind_allowed(listener, route_kind, route_group)]
    if not accepted:
        return _verdict(False, "NotAllowedByListeners", UNATTACHABLE)
    return _verdict(True, "Accepted", "Accepted", accepted)


def route_admission(gateway, route, namespaces=None):
    """Whether ``gateway`` admits a route (docs/persistent-ip.md#attachment), in the shape of the admission vectors.

    ``route`` is ``{namespace, parentRef, kind: GKEIPRoute, group: networking.gke.io}``; ``namespaces``
    maps namespace names to their labels. Returns ``{admitted, acceptedListeners, gatewayApiReason,
    gkeIPRouteAcceptedReason}``.
    """
    route = expect(route, dict, "route")
    namespace = expect(route.get("namespace"), str, "route.namespace")
    ref = _resolve_parent_ref(route.get("parentRef"), namespace, "route.parentRef")
    kind = optional(route.get("kind"), str, "route.kind", ROUTE_KIND)
    return _admit(gateway, ref, namespace, namespaces, kind, optional(route.get("group"), str, "route.group", ROUTE_GROUP))


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


def _combination(listener):
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
     lambda listener, counts: counts[1][_combination(listener)] == 1),
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
              collections.Counter(_combination(listener) for listener in listeners))
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
    reaction_mode = out.field(spec, "reactionMode", "spec.reactionMode", "string")
    if reaction_mode is not None and spec["reactionMode"] not in REACTION_MODES:  # the enum is checked whatever the type
        out.upstream("IPR_REACTIONMODE_INVALID", "spec.reactionMode", not_supported(
            "spec.reactionMode", _enum_value(spec["reactionMode"]), REACTION_MODES))
    addresses = _route_addresses_findings(out, spec)
    parent = _parent_refs_findings(out, spec, namespace)
    _optional_fields_findings(out, spec)
    name = metadata.get("name") if metadata else None
    _route_context_findings(out, _Route(namespace, name, spec, parent, addresses), context)
    return out


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
    if not _selects_something(selector):
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
        _claimed_findings(out, route, context["existingRoutes"])


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
    verdict = _admit(gateway, ref, route.namespace, context.get("namespaces"))
    if not verdict["admitted"]:
        out.ours("IPR_NOT_ADMITTED", path, invalid(path, wanted, _NOT_ADMITTED[verdict["gatewayApiReason"]] % {
            "namespace": route.namespace}), gkeReason=UNATTACHABLE, gatewayApiReason=verdict["gatewayApiReason"])
    _pool_findings(out, route, gateway, wanted, context.get("namedAddresses"))
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


def _pool_findings(out, route, gateway, wanted, named_addresses):
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


def _claimed_findings(out, route, existing):
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


# ---------------------------------------------------------------------------------------------
# Entry points of validation
# ---------------------------------------------------------------------------------------------


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


def validate(obj, context=None):
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


def validate_gateway(obj):
    """The Gateway errors that need no other object (for ``validation_errors``)."""
    return _gateway_findings(obj, {}).apiserver_errors()


def validate_gkeiproute(obj):
    """The GKEIPRoute errors that need no other object (for ``validation_errors``)."""
    return _route_findings(obj, {}).apiserver_errors()


# ---------------------------------------------------------------------------------------------
# Binding decision (docs/persistent-ip.md#pod-selection, docs/persistent-ip.md#binding-table)
# ---------------------------------------------------------------------------------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_NEVER = datetime.timedelta.min  # a Pod without creationTimestamp is the oldest

QUALIFIES = {
    "ReadyCondition": "Ready=True, not terminating, not Succeeded/Failed",
    "Exists": "scheduled (spec.nodeName set), not terminating, not Succeeded/Failed",
}


def _route_parts(route):
    """``(namespace, spec, reactionMode)`` of a GKEIPRoute given to the simulator."""
    route = expect(route, dict, "route")
    namespace = expect(optional(route.get("metadata"), dict, "route.metadata", {}).get("namespace"), str,
                       "route.metadata.namespace")
    spec = optional(route.get("spec"), dict, "route.spec", {})
    mode = optional(spec.get("reactionMode"), str, "route.spec.reactionMode", REACTION_MODES[0])
    if mode not in REACTION_MODES:
        raise InputError("route.spec.reactionMode must be ReadyCondition or Exists, got %r" % (mode,))
    if spec.get("podSelector") is None:
        raise InputError("route.spec.podSelector is required (the API server rejects a GKEIPRoute without it)")
    return namespace, spec, mode


def _ineligibility(pod, mode, what="pod"):
    """Why a Pod may not hold the IP under ``mode`` (docs/persistent-ip.md#binding-table rows 1-8), or None when it may."""
    metadata = pod["metadata"]
    if metadata.get("deletionTimestamp") is not None:
        return "terminating (metadata.deletionTimestamp is set)"  # docs/persistent-ip.md#assumption-5
    status = optional(pod.get("status"), dict, what + ".status", {})
    phase = status.get("phase")
    if phase in ("Succeeded", "Failed"):
        return "terminal (phase %s)" % phase  # docs/persistent-ip.md#assumption-6
    if mode == "Exists":  # scheduled is enough, even when Ready is False or the phase Unknown
        node = optional(optional(pod.get("spec"), dict, what + ".spec", {}).get("nodeName"), str, what + ".spec.nodeName", "")
        return None if node else "not scheduled (spec.nodeName is empty)"
    ready = _ready_status(status, what)
    return None if ready == "True" else "not Ready (%s)" % ("Ready=%s" % ready if ready is not None else "no Ready condition")


def _ready_status(status, what):
    for j, condition in enumerate(optional(status.get("conditions"), list, what + ".status.conditions", [])):
        condition = expect(condition, dict, "%s.status.conditions[%d]" % (what, j))
        if condition.get("type") == "Ready":
            return condition.get("status")
    return None


def _created(metadata, what, cache):
    """creationTimestamp as a sortable offset from the epoch (docs/persistent-ip.md#assumption-7: newest = greatest)."""
    text = metadata.get("creationTimestamp")
    if text is None:
        return _NEVER
    text = expect(text, str, what)
    if text not in cache:
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except (ValueError, OverflowError):
            raise InputError("%s must be an RFC 3339 time such as 2025-01-01T10:00:00Z, got %r" % (what, text)) from None
        cache[text] = (stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)) - _EPOCH
    return cache[text]


def _pod_identity(pod, i):
    """``(metadata, name, namespace)`` of ``pods[i]``; an InputError names the field of the wrong type."""
    metadata = pod.get("metadata") if isinstance(pod, dict) else None
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str) and isinstance(metadata.get("namespace"), str):
        return metadata, metadata["name"], metadata["namespace"]  # no field names to build for a well-formed Pod
    what = "pods[%d]" % i
    metadata = expect(expect(pod, dict, what).get("metadata"), dict, what + ".metadata")
    return (metadata, expect(metadata.get("name"), str, what + ".metadata.name"),
            expect(metadata.get("namespace"), str, what + ".metadata.namespace"))


def _candidates(pods, namespace, matches, mode, explain=False):
    """The Pods of ``namespace`` that match: ``(eligible names newest first, [(name, why not)] if explain)``.

    Ties on creationTimestamp go to the smallest name (docs/persistent-ip.md#assumption-7). One pass plus one sort.
    """
    eligible, others, cache = [], [], {}
    for i, pod in enumerate(expect(pods, list, "pods")):
        metadata, name, pod_namespace = _pod_identity(pod, i)
        if pod_namespace != namespace or not matches(_labels(metadata.get("labels"), "pods[%d].metadata.labels" % i)):
            continue
        why = _ineligibility(pod, mode, "pods[%d]" % i)
        if why is None:
            eligible.append((_created(metadata, "pods[%d].metadata.creationTimestamp" % i, cache), name))
        elif explain:
            others.append((name, why))
    eligible.sort(key=lambda item: item[1])
    eligible.sort(key=lambda item: item[0], reverse=True)  # stable: equal times keep name order
    return [item[1] for item in eligible], others


def _selects_something(selector):
    """Whether a podSelector selects anything: the controller refuses an empty one (IPR_PODSELECTOR_EMPTY, InvalidLabels)."""
    return isinstance(selector, dict) and bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def _condition(status, reason, message):
    return {"status": status, "reason": reason, "message": message}


def _acceptance(route, spec, gateway, namespaces):
    """The Accepted condition: the podSelector alone, or every check against ``gateway`` when given."""
    if gateway is None:
        out = _Findings("IPR")
        _pod_selector_findings(out, spec)
        checked = "spec.podSelector is valid; the Gateway was not checked (none given)"
    else:
        out = _route_findings(route, {"gateway": gateway, "namespaces": namespaces})
        checked = "attached to Gateway %s/%s" % _identity(gateway, "gateway")
    failed = [f for f in out.errors() if f.extra.get("gkeReason")]
    if not failed:
        return _condition("True", "Accepted", checked)
    first = min(failed, key=lambda f: ACCEPTED_REASON_ORDER.index(f.extra["gkeReason"]))
    return _condition("False", first.extra["gkeReason"], first.message)


def _binding_conditions(accepted, bound, namespace, mode):
    """The steady state of docs/persistent-ip.md#binding-table; docs/persistent-ip.md#assumption-8 for where NoPodsFound and a failed Accepted show."""
    if accepted["status"] != "True":  # the controller programs nothing: GCPReady and DPV2Ready stay unset
        return {"Accepted": accepted, "GCPReady": None, "DPV2Ready": None,
                "Ready": _condition("False", accepted["reason"], accepted["message"])}
    if bound is None:
        message = "no Pod of namespace %s matches spec.podSelector and qualifies under reactionMode %s (%s)" % (
            namespace, mode, QUALIFIES[mode])
        return {"Accepted": accepted, "GCPReady": _condition("False", NO_PODS_FOUND, message),
                "DPV2Ready": _condition("False", NO_PODS_FOUND, message), "Ready": _condition("False", NO_PODS_FOUND, message)}
    pod = "%s/%s" % (namespace, bound)
    return {
        "Accepted": accepted,
        "GCPReady": _condition("True", None, "Google Cloud resources programmed (the reason GKE sets is not published)"),
        "DPV2Ready": _condition("True", "DPV2Ready", "datapath programmed on the node of Pod %s" % pod),
        "Ready": _condition("True", "ProgrammingComplete",
                            "GCP and datapath components are programmed to send the persistent IPs to Pod %s" % pod),
    }


def persistent_ip_binding(route, pods, gateway=None, namespaces=None):
    """Which Pod holds a GKEIPRoute's addresses, and the conditions the route would show
    (docs/persistent-ip.md#pod-selection, docs/persistent-ip.md#binding-table).

    Returns ``{boundPod, statusPods, eligiblePods, conditions: {Accepted, GCPReady, DPV2Ready, Ready}}``;
    ``eligiblePods`` lists the Pods that qualify, newest first, even when the route is not accepted for
    another reason than its podSelector: an invalid or empty podSelector (InvalidLabels) selects no Pod,
    as the controller considers none with it.
    Each condition is ``{status, reason, message}``, or None where the controller would not set it.
    """
    namespace, spec, mode = _route_parts(route)
    accepted = _acceptance(route, spec, optional(gateway, dict, "gateway"), optional(namespaces, dict, "namespaces"))
    selector = spec["podSelector"]
    if validate_label_selector(selector, "spec.podSelector") or not _selects_something(selector):
        eligible = []
    else:
        eligible = _candidates(pods, namespace, compile_selector(selector), mode)[0]
    bound = eligible[0] if eligible and accepted["status"] == "True" else None
    return {"boundPod": bound, "statusPods": [bound] if bound else [], "eligiblePods": eligible,
            "conditions": _binding_conditions(accepted, bound, namespace, mode)}


# ---------------------------------------------------------------------------------------------
# Health of a live route (docs/persistent-ip.md#route-status, docs/persistent-ip.md#troubleshooting)
# ---------------------------------------------------------------------------------------------


def _explained(problem, key_):
    known = TROUBLESHOOTING.get(key_) if isinstance(key_, str) else None
    cause, check = known or ("reason %s is not in the troubleshooting table" % (key_,), "read the condition message")
    problem.update(cause=cause, check=check)
    return problem


def _conditions_by_type(status):
    """Conditions keyed by type; the vendored ``IPRouteGCPReady`` stands for GCPReady (docs/persistent-ip.md#assumption-4)."""
    found = {}
    for j, condition in enumerate(optional(status.get("conditions"), list, "route.status.conditions", [])):
        condition = expect(condition, dict, "route.status.conditions[%d]" % j)
        type_ = condition.get("type")
        type_ = "GCPReady" if type_ == GCP_READY_ALIAS else type_
        if isinstance(type_, str) and type_ not in found:
            found[type_] = condition
    return found


def _condition_problem(type_, found, generation, pods):
    """Missing, not True, or True for an older generation (the DPv2 reconciler ignores stale Accepted)."""
    condition = found.get(type_)
    if condition is None:
        if not found:
            cause = "NoStatus"
        elif type_ == "DPV2Ready" and len(pods) == 1:
            cause = "DPV2ReadyMissing"
        elif type_ != "Accepted" and found.get("Accepted", {}).get("status") != "True":
            cause = "AwaitingAccepted"
        else:
            cause = "NotReported"
        return _explained({"condition": type_, "problem": "missing"}, cause)
    if condition.get("status") != "True":
        return _explained({"condition": type_, "problem": "notTrue", "status": condition.get("status"),
                           "reason": condition.get("reason"), "message": condition.get("message") or ""},
                          condition.get("reason"))
    observed = condition.get("observedGeneration")
    if generation is not None and observed is not None and observed != generation:
        return _explained({"condition": type_, "problem": "stale", "observedGeneration": observed,
                           "generation": generation}, "Stale")
    return None


def persistent_ip_status(route):
    """Health of a live GKEIPRoute: ``{healthy, boundPod, problems}``.

    Healthy means exactly one Pod in ``status.pods`` and Accepted, GCPReady, DPV2Ready and Ready all
    True at ``metadata.generation``. Each problem names a ``condition`` (or ``field``), the
    ``problem`` (``missing``, ``notTrue``, ``stale``, ``expectedExactlyOnePod``), the reason where
    there is one, and from docs/persistent-ip.md#troubleshooting the likely ``cause`` and what to ``check`` next.
    """
    route = expect(route, dict, "route")
    metadata = optional(route.get("metadata"), dict, "route.metadata", {})
    generation = optional(metadata.get("generation"), int, "route.metadata.generation")
    status = optional(route.get("status"), dict, "route.status", {})
    pods = optional(status.get("pods"), list, "route.status.pods", [])
    found = _conditions_by_type(status)
    problems = [p for p in (_condition_problem(t, found, generation, pods) for t in CONDITION_TYPES) if p]
    if len(pods) != 1:
        if found.get("Accepted", {}).get("status") != "True":
            cause = "AwaitingAccepted" if found else "NoStatus"
        else:
            cause = NO_PODS_FOUND if not pods else "TooManyPods"
        problems.append(_explained({"field": "status.pods", "problem": "expectedExactlyOnePod", "count": len(pods)}, cause))
    bound = expect(pods[0], str, "route.status.pods[0]") if len(pods) == 1 else None
    return {"healthy": not problems, "boundPod": bound, "problems": problems}


def _failing_condition(problems, found):
    """Ready as the route shows it, else the first condition with a problem."""
    if "Ready" in found:
        ready = found["Ready"]
        return {"type": "Ready", "status": ready.get("status"), "reason": ready.get("reason"), "message": ready.get("message") or ""}
    for problem in problems:
        if "condition" in problem:
            return {"type": problem["condition"], "status": problem.get("status"), "reason": problem.get("reason"),
                    "message": problem.get("message", "")}
    return None


def explain_not_ready(route, pods=None):
    """Why a live GKEIPRoute is not Ready, for a timeout message: the failing condition, the Pods that
    match the selector but do not qualify, and what to check next.

    ``pods`` are the Pods of the route's namespace (others are ignored). Returns ``{route, healthy,
    boundPod, condition, problems, expectedPod, podsNotQualifying, check, summary}``; ``expectedPod``
    is the Pod docs/persistent-ip.md#binding-table would bind.
    """
    health = persistent_ip_status(route)
    namespace, spec, mode = _route_parts(route)
    name = optional(route["metadata"].get("name"), str, "route.metadata.name", "")
    selector = spec["podSelector"]
    matches = compile_selector(None if validate_label_selector(selector, "spec.podSelector") else selector)
    eligible, others = _candidates([] if pods is None else pods, namespace, matches, mode, explain=True)
    condition = _failing_condition(health["problems"], _conditions_by_type(optional(route.get("status"), dict, "route.status", {})))
    checks = []
    for problem in health["problems"]:
        if problem["check"] not in checks:
            checks.append(problem["check"])
    result = {"route": "%s/%s" % (namespace, name), "healthy": health["healthy"], "boundPod": health["boundPod"],
              "condition": condition, "problems": health["problems"], "expectedPod": eligible[0] if eligible else None,
              "podsNotQualifying": [{"name": pod, "why": why} for pod, why in others], "check": checks}
    result["summary"] = _summary(result, mode)
    return result


def _summary(result, mode):
    parts = ["GKEIPRoute %s is %s" % (result["route"], "healthy" if result["healthy"] else "not Ready")]
    condition = result["condition"]
    if condition:
        text = "%s=%s reason %s" % (condition["type"], condition["status"], condition["reason"])
        parts.append(text + (": %s" % (condition["message"],) if condition["message"] else ""))
    if result["podsNotQualifying"]:
        parts.append("Pods matching spec.podSelector that do not qualify under reactionMode %s: %s" % (
            mode, ", ".join("%s (%s)" % (p["name"], p["why"]) for p in result["podsNotQualifying"])))
    if result["expectedPod"] and result["expectedPod"] != result["boundPod"]:
        parts.append("Pod %s qualifies and should be bound" % result["expectedPod"])
    if result["check"]:
        parts.append("check: " + "; ".join(result["check"]))
    return ". ".join(parts)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The persistent-IP API objects: groups, kinds and versions, GatewayClasses, address types, enums, the CRDs'
Go patterns, minimum GKE versions and the GKEIPRoute Accepted reasons (docs/persistent-ip.md#object-model)."""

from __future__ import annotations

import ipaddress


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

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""``network_plan``: a cluster's pod, service and node networks checked together before they are used.

Pure Python, no Ansible imports. The components' own rules come from ``cidrset`` (kube-controller-manager),
``component_flags`` (kube-apiserver) and ``service_ips`` (the ClusterIP allocator); what is added here is what no
single component checks but every installer must: overlaps in both directions between pod, service and node
networks, node counts and pods per node against the node blocks of each family, and stacks that are dual-stack on
one side only or put a different family first.

The rules and their origin: docs/dualstack-checks.md#network-plan.
"""

from __future__ import annotations

import math
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset, component_flags, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import cidr_family
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.ranges import service_cidr_info
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    go_cidr_string, go_ip_string, parse_cidr_sloppy)

# Addresses of a node block no pod gets: the network address and the last address (the IPv4
# broadcast; CNI host-local also leaves the last IPv6 address out of its default range).
RESERVED_PER_NODE_BLOCK = 2
KUBELET_MAX_PODS = 110


def _flag_text(value):
    return value if isinstance(value, str) else ",".join(value)


class _Plan(object):
    """Collects errors and warnings and the capacity figures of one plan."""

    def __init__(self):
        self.errors = []
        self.warnings = []
        self.capacity = {}


# ---------------------------------------------------------------------------------------------
# Pod networks: what kube-controller-manager will do with them
# ---------------------------------------------------------------------------------------------


def _pod_networks(plan, cluster_cidrs, node_mask_sizes, services):
    """``(cluster networks, CidrSets)`` kube-controller-manager would start with; what it refuses is reported."""
    try:
        cluster, masks = cidrset.node_ipam_config(cluster_cidrs, node_mask_sizes)
        return cluster, cidrset.RangeAllocator(cluster, masks, services).sets
    except cidrset.CIDRAllocatorError as err:
        plan.errors.append("kube-controller-manager refuses --cluster-cidr=%s with node_mask_sizes=%r: %s"
                           % (_flag_text(cluster_cidrs), node_mask_sizes, err))
    try:
        return cidrset.cluster_cidrs_from(cluster_cidrs), []  # still checked for overlaps
    except cidrset.CIDRAllocatorError:
        return [], []


def _pods_per_block(cidr_set):
    return max(0, (1 << (cidr_set.cluster_cidr.max_prefixlen - cidr_set.node_mask)) - RESERVED_PER_NODE_BLOCK)


def _pod_capacity(cidr_set, max_pods):
    """``pods_per_node``: what a node can run, the kubelet's ``--max-pods`` or fewer when the block is smaller (not the
    block's size: an IPv6 /64 holds 2^64 addresses, a number that plans nothing)."""
    return {
        "cidr": go_cidr_string(cidr_set.cluster_cidr),
        "family": cidr_family(cidr_set.cluster_cidr),
        "node_mask": cidr_set.node_mask,
        "node_blocks": cidr_set.max_cidrs,
        "reserved_blocks": cidr_set.allocated,
        "nodes": cidr_set.max_cidrs - cidr_set.allocated,
        "pods_per_node": min(max_pods, _pods_per_block(cidr_set)),
    }


def _check_node_count(plan, cidr_set, node_count):
    """Every node needs one block of every cluster CIDR: name the cluster prefix that would fit them."""
    nodes = cidr_set.max_cidrs - cidr_set.allocated
    if node_count is None or node_count <= nodes:
        return
    net, family = cidr_set.cluster_cidr, cidr_family(cidr_set.cluster_cidr)
    needed = cidr_set.node_mask - math.ceil(math.log2(node_count + cidr_set.allocated))
    advice = "a /%d or larger --cluster-cidr" % needed if needed >= 0 else "a larger node mask"
    if family == "IPv6" and cidr_set.node_mask - needed > cidrset.CLUSTER_SUBNET_MAX_DIFF:
        advice = ("several clusters: kube-controller-manager hands out at most %d IPv6 node blocks per cluster CIDR"
                  % (1 << cidrset.CLUSTER_SUBNET_MAX_DIFF))
    plan.errors.append("node_count %d exceeds the %d %s node podCIDRs of --cluster-cidr %s with /%d node blocks%s; "
                       "use %s" % (node_count, nodes, family, go_cidr_string(net), cidr_set.node_mask,
                                   " (%d reserved by service ranges)" % cidr_set.allocated if cidr_set.allocated else "",
                                   advice))


def _check_max_pods(plan, cidr_set, max_pods):
    """kubelet ``--max-pods`` pods need that many addresses in every family's node block."""
    available = _pods_per_block(cidr_set)
    if max_pods <= available:
        return
    net, family = cidr_set.cluster_cidr, cidr_family(cidr_set.cluster_cidr)
    mask = net.max_prefixlen - math.ceil(math.log2(max_pods + RESERVED_PER_NODE_BLOCK))
    advice = ("use a node mask of /%d or shorter for %s, or lower --max-pods" % (mask, family) if mask >= net.prefixlen
              else "lower --max-pods: no node block of --cluster-cidr %s holds that many" % go_cidr_string(net))
    plan.errors.append("max_pods %d exceeds the %d pod addresses of a /%d %s node block; %s"
                       % (max_pods, available, cidr_set.node_mask, family, advice))


# ---------------------------------------------------------------------------------------------
# Service networks: what kube-apiserver will do with them
# ---------------------------------------------------------------------------------------------


def _service_networks(plan, service_cidrs):
    """kube-apiserver's completed and validated service ranges (``[]`` after reporting why it would not start)."""
    value = _flag_text(service_cidrs)
    try:
        primary, secondary, kubernetes_ip = component_flags.complete_service_ip_ranges(value)
    except component_flags.FlagError as err:
        plan.errors.append("kube-apiserver refuses --service-cluster-ip-range=%s: %s" % (value, err))
        return []
    gates = {gate: releases.enabled(gate) for gate in component_flags.SERVICE_ALLOCATOR_GATES}
    errors = component_flags.validate_cluster_ip_flags(value, primary, secondary, gates)
    plan.errors.extend("kube-apiserver refuses --service-cluster-ip-range=%s: %s" % (value, e) for e in errors)
    if errors:
        return []
    networks = [net for net in (primary, secondary) if net is not None]
    legacy = [e for net, flag in zip(networks, ("--service-cluster-ip-range", "--service-cluster-ip-range[1]"))
              for e in [component_flags.validate_max_cidr_range(net, flag)] if e]
    plan.warnings.extend("kube-apiserver before 1.34 (the legacy ClusterIP allocator) would refuse it: %s" % e
                         for e in legacy)
    plan.capacity["kubernetes_service_ip"] = go_ip_string(kubernetes_ip)
    return networks


def _service_capacity(plan, net):
    """Allocatable ClusterIPs and the KEP-3070 bands of one service CIDR (the ClusterIP allocator's rules)."""
    try:
        info = service_cidr_info(go_cidr_string(net))
    except InputError as err:
        plan.errors.append("kube-apiserver cannot allocate from --service-cluster-ip-range entry %s: %s"
                           % (go_cidr_string(net), err))
        return {"cidr": go_cidr_string(net), "family": cidr_family(net)}
    static = info["static"]["size"] if info["static"] else 0
    return {"cidr": info["cidr"], "family": info["family"], "size": info["size"], "static_band": static,
            "dynamic_band": info["size"] - static}


# ---------------------------------------------------------------------------------------------
# Overlaps and stack shapes
# ---------------------------------------------------------------------------------------------


def _relation(a, b):
    """How two same-family CIDRs overlap: prefixes only ever nest, so one holds the other."""
    if a == b:
        return "is the same range as"
    return "contains" if b.subnet_of(a) else "lies inside"


def _check_overlaps(plan, pods, services, nodes):
    """Every overlap between pod, service and node networks, in both directions."""
    named = ([("--cluster-cidr %s" % go_cidr_string(n), "pod", n) for n in pods]
             + [("--service-cluster-ip-range %s" % go_cidr_string(n), "service", n) for n in services]
             + [("node network %s" % go_cidr_string(n), "node", n) for n in nodes])
    for i, (name_a, kind_a, a) in enumerate(named):
        for name_b, kind_b, b in named[i + 1:]:
            if kind_a == kind_b or a.version != b.version or not a.overlaps(b):
                continue
            relation = _relation(a, b)
            filtered = not isinstance(b, cidrset.V4MappedNetwork)  # kube-controller-manager cannot occupy it
            if kind_a == "pod" and kind_b == "service" and relation == "contains" and filtered:
                plan.warnings.append("%s contains %s: kube-controller-manager keeps the node blocks it touches out of "
                                     "node podCIDRs, but CNI plugins with their own IPAM may not" % (name_a, name_b))
            else:
                plan.errors.append("%s %s %s: %s and %s addresses would collide; choose disjoint ranges"
                                   % (name_a, relation, name_b, kind_a, kind_b))


def _families_of(networks):
    return [cidr_family(n) for n in networks]


def _check_stacks(plan, pods, services, nodes):
    """Dual-stack on one side only, and a different family first on each side."""
    pod_families, service_families = _families_of(pods), _families_of(services)
    if pods and services and set(pod_families) != set(service_families):
        if len(pod_families) > len(service_families):
            plan.warnings.append("pods are dual-stack (%s) but --service-cluster-ip-range is single-stack (%s): every "
                                 "Service is %s only and RequireDualStack Services are rejected"
                                 % (", ".join(pod_families), service_families[0], service_families[0]))
        else:
            plan.warnings.append("--service-cluster-ip-range has %s but pods only %s: Services of the other family have "
                                 "no endpoints" % (", ".join(service_families), ", ".join(pod_families)))
    if pods and services and pod_families[0] != service_families[0]:
        plan.warnings.append("--cluster-cidr puts %s first but --service-cluster-ip-range puts %s first: single-stack "
                             "Services get %s cluster IPs while pods' primary IP is %s; put the same family first in both"
                             % (pod_families[0], service_families[0], service_families[0], pod_families[0]))
    node_families = set(_families_of(nodes))
    if nodes:
        for family in sorted(set(pod_families) - node_families):
            plan.warnings.append("pods get %s addresses but no node network is %s: dual-stack nodes need an %s "
                                 "address (kubelet --node-ip=<IPv4>,<IPv6>)" % (family, family, family))
        if services and cidr_family(nodes[0]) != service_families[0]:
            plan.warnings.append("the first node network %s is %s but the primary service range is %s: kube-apiserver "
                                 "stops with \"service IP family ... must match public address family ...\" unless its "
                                 "--advertise-address is %s" % (go_cidr_string(nodes[0]), cidr_family(nodes[0]),
                                                                service_families[0], service_families[0]))


# ---------------------------------------------------------------------------------------------
# network_plan
# ---------------------------------------------------------------------------------------------


def _node_networks(value):
    networks = []
    for i, text in enumerate(optional(value, list, "node_networks", [])):
        parsed = parse_cidr_sloppy(expect(text, str, "node_networks[%d]" % i))
        if parsed is None:
            raise InputError("node_networks[%d] %r is not a CIDR (e.g. 192.168.0.0/24 or 2001:db8:1::/64)" % (i, text))
        networks.append(parsed[1])
    return networks


def _count(value, what, default=None):
    value = optional(value, int, what, default)
    if value is not None and value < 0:
        raise InputError("%s must be a non-negative integer, got %r" % (what, value))
    return value


def network_plan(cluster_cidrs: str | list, service_cidrs: str | list, node_mask_sizes: Any = None,
                 node_count: int | None = None, max_pods: int | None = KUBELET_MAX_PODS,
                 node_networks: list | None = None) -> dict:
    """``{errors, warnings, capacity}`` for a cluster's networks.

    ``cluster_cidrs``/``service_cidrs``: ``--cluster-cidr``/``--service-cluster-ip-range`` (a
    comma list or a list); ``node_mask_sizes`` as for ``node_pod_cidrs``; ``node_count`` nodes
    to fit; ``max_pods`` the kubelet's ``--max-pods``; ``node_networks`` the nodes' own CIDRs.
    """
    cidrset.split_flag_list(cluster_cidrs, "cluster_cidrs")
    cidrset.split_flag_list(service_cidrs, "service_cidrs")
    node_count = _count(node_count, "node_count")
    max_pods = _count(max_pods, "max_pods", KUBELET_MAX_PODS)
    nodes = _node_networks(node_networks)
    plan = _Plan()
    services = _service_networks(plan, service_cidrs)
    # kube-controller-manager reads the same flag its own way (an IPv4-mapped range keeps a 16-byte mask)
    kcm_services = cidrset.kcm_service_cidrs(service_cidrs)[0] if services else []
    pods, sets = _pod_networks(plan, cluster_cidrs, node_mask_sizes, kcm_services)
    pod_networks = [_pod_capacity(s, max_pods) for s in sets]
    by_family = {p["family"]: p for p in pod_networks}
    plan.capacity.update({
        "pod_networks": pod_networks,
        "nodes": {family: p["nodes"] for family, p in by_family.items()},
        "pods_per_node": {family: p["pods_per_node"] for family, p in by_family.items()},
        "service_networks": [_service_capacity(plan, net) for net in services],
        "max_pods": max_pods,
    })
    if pod_networks:
        binding = min(pod_networks, key=lambda p: p["nodes"])
        plan.capacity["max_nodes"] = binding["nodes"]
        plan.capacity["limited_by"] = binding["family"]
    for cidr_set in sets:
        if cidr_set.allocated == cidr_set.max_cidrs:
            plan.errors.append("service ranges take every node block of --cluster-cidr %s: no node gets an %s podCIDR"
                               % (go_cidr_string(cidr_set.cluster_cidr), cidr_family(cidr_set.cluster_cidr)))
        else:
            _check_node_count(plan, cidr_set, node_count)
        _check_max_pods(plan, cidr_set, max_pods)
    _check_overlaps(plan, pods, kcm_services or services, nodes)
    _check_stacks(plan, pods, services, nodes)
    return {"errors": plan.errors, "warnings": plan.warnings, "capacity": plan.capacity}

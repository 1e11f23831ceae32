# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: network_plan
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: Errors, warnings and capacity of a cluster's pod, service and node networks
description:
  - Checks a cluster's networks before they are used, the way kube-controller-manager and
    kube-apiserver will, and adds the checks installers usually miss.
  - 'Errors: what kube-controller-manager or kube-apiserver would refuse (their own texts, e.g.
    C(New CIDR set failed; the node CIDR size is too big)); every overlap between pod, service and
    node networks in either direction (a range inside another, or the same range); service ranges
    that take every node block; more nodes than node blocks in any family; C(max_pods) above the
    pod addresses of a node block in any family, IPv6 included.'
  - 'Warnings: a service range inside a cluster CIDR (kube-controller-manager reserves those node
    blocks); pods dual-stack but services single-stack or the reverse; a different family first in
    C(cluster_cidrs) and C(service_cidrs) (IPv6-primary on one side only); a pod family no node
    network has; a first node network whose family is not the primary service family; service
    ranges the pre-1.34 ClusterIP allocator would refuse.'
  - 'Capacity: per pod network its node mask, node blocks, blocks reserved by service ranges, nodes
    and pod addresses per node; nodes and pod addresses per node by family; C(max_nodes) and the
    family that limits it; per service network its allocatable ClusterIPs and KEP-3070 static and
    dynamic band sizes; the IP of the C(kubernetes) Service.'
options:
  _input:
    description: C(--cluster-cidr), the pod networks, as a comma-separated string or a list (IPv4 and/or IPv6).
    type: raw
    required: true
  service_cidrs:
    description: C(--service-cluster-ip-range), primary first, as a comma-separated string or a list.
    type: raw
    required: true
  node_mask_sizes:
    description:
      - Node block prefix lengths, as for P(clusternet.k8s.node_pod_cidrs#filter) - omitted for the defaults
        (C(/24), C(/64)), an integer for C(--node-cidr-mask-size), a mapping C({IPv4, IPv6}) for the
        per-family flags, or a list with one mask per cluster CIDR.
    type: raw
  node_count:
    description: How many nodes must fit; omitted to skip that check.
    type: int
  max_pods:
    description: The kubelet's C(--max-pods).
    type: int
    default: 110
  node_networks:
    description:
      - The nodes' own networks (CIDRs), the first one holding the control plane's advertise address.
    type: list
    elements: str
notes:
  - Assumption (docs/dualstack-checks.md#assumption-2) - pod addresses per node block are the block minus 2 (the
    network address and the last address), as CNI host-local hands them out; a bridge gateway takes one more.
  - Assumption (docs/dualstack-checks.md#assumption-3) - kube-apiserver is checked with its Kubernetes 1.34+ ClusterIP
    allocator (both allocator gates on); what the older allocator would refuse is a warning.
  - Assumption (docs/dualstack-checks.md#assumption-4) - the control plane's advertise address is in the first node
    network.
  - The allocatable ClusterIPs and bands come from P(clusternet.k8s.service_cidr_info#filter).
requirements:
  - netaddr (Python library)
seealso:
  - plugin: clusternet.k8s.node_pod_cidrs
    plugin_type: filter
  - plugin: clusternet.k8s.component_flag_errors
    plugin_type: filter
  - plugin: clusternet.k8s.service_cidr_info
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Stop before installing a cluster whose networks do not fit
  ansible.builtin.assert:
    that: plan.errors | length == 0
    fail_msg: "{{ plan.errors | join('; ') }}"
  vars:
    plan: >-
      {{ ['10.244.0.0/16', 'fd00:10:244::/56'] | clusternet.k8s.network_plan(
           ['10.96.0.0/12', 'fd00:10:96::/108'], node_count=300, max_pods=250,
           node_networks=['192.168.10.0/24', '2001:db8:10::/64']) }}
  # errors: node_count 300 exceeds the 256 IPv4 node podCIDRs of --cluster-cidr 10.244.0.0/16 ...

- name: How many nodes and pods the plan allows, as a table per family
  ansible.builtin.debug:
    msg: "{{ (pod_cidrs | clusternet.k8s.network_plan(service_cidrs, node_count=20)).table }}"
  # IPv4
  #   CIDR           NODE MASK  NODES THAT FIT  PODS PER NODE
  #   10.244.0.0/16  /24        256             110
  #   free in 10.244.0.0/16 (after the blocks of 20 nodes): 10.244.20.0/22, 10.244.24.0/21, ...
  #   overlaps: none
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    errors:
      description: What would break the cluster; each names the flag or argument, the value and what would work.
      type: list
      elements: str
    warnings:
      description: What works but surprises; same form.
      type: list
      elements: str
    capacity:
      description:
        - C(pod_networks) (list of C({cidr, family, node_mask, node_blocks, reserved_blocks, nodes,
          pods_per_node})), C(nodes) and C(pods_per_node) (by family), C(max_nodes), C(limited_by),
          C(max_pods), C(service_networks) (list of C({cidr, family, size, static_band,
          dynamic_band})) and C(kubernetes_service_ip). Figures that cannot be computed because a
          network is refused are left out.
        - C(pods_per_node) is what a node can run - O(max_pods), or fewer when a node block holds fewer pod addresses.
      type: dict
    families:
      description:
        - Per family (C(IPv4), C(IPv6)) - C(networks), the pod networks' rows (C({cidr, node_mask, nodes,
          pods_per_node})); C(free), per pod network the CIDRs left once O(node_count) nodes have their blocks (in
          kube-controller-manager's order) and service and node networks inside it are kept out; C(overlaps), each
          C({between, ranges}) - two networks of different kinds and the exact CIDRs they share. Computed with
          netaddr's C(IPSet).
      type: dict
    table:
      description: The same per family as lines of aligned columns (CIDR, node mask, nodes that fit, pods per node), for a
        job log.
      type: list
      elements: str
    markdown:
      description: The same as Markdown, one section per family.
      type: str
"""

from ansible_collections.clusternet.k8s.plugins.module_utils.survey import as_int, as_node_mask_sizes
from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_network_plan = core("network_plan", "network_plan")
network_report = core("network_report", "network_report")


@filter_entry(versioned=True, node_mask_sizes=as_node_mask_sizes, node_count=as_int, max_pods=as_int)
def network_plan(cluster_cidrs, service_cidrs, node_mask_sizes=None, node_count=None, max_pods=110, node_networks=None):
    plan = _network_plan(cluster_cidrs, service_cidrs, node_mask_sizes, node_count, max_pods, node_networks)
    plan.update(network_report(plan, cluster_cidrs, service_cidrs, node_mask_sizes, node_count, node_networks))
    return plan


class FilterModule(object):
    def filters(self):
        return {"network_plan": network_plan}

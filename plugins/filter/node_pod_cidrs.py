# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_pod_cidrs
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The spec.podCIDRs kube-controller-manager gives each node
description:
  - Reproduces kube-controller-manager's C(RangeAllocator) offline, exactly - one C(CidrSet) per
    cluster CIDR, the same block order, the same wrap-around and the same error texts.
  - Service ranges that overlap a cluster CIDR are occupied first, then the podCIDRs nodes already
    have (in node name order, as kube-controller-manager lists them at start), then each node without
    podCIDRs gets the next free block of every cluster CIDR, in C(--cluster-cidr) order (a
    C([IPv4, IPv6]) or C([IPv6, IPv4]) pair, or one CIDR).
  - 'Configuration kube-controller-manager refuses, and allocations it cannot make, fail with its
    own message, for example C(CIDR allocation failed; there are no remaining CIDRs left to allocate
    in the accepted range) or C(New CIDR set failed; the node CIDR size is too big) (an IPv6 node
    mask more than 16 bits longer than its cluster CIDR).'
options:
  _input:
    description:
      - The nodes, in the order they register, as names or Node objects. A Node's
        C(spec.podCIDRs) (or legacy C(spec.podCIDR)) is kept and its blocks are occupied.
    type: list
    elements: raw
    required: true
  cluster_cidrs:
    description:
      - C(--cluster-cidr) of kube-controller-manager, as a comma-separated string (split and
        parsed exactly as kube-controller-manager does, so no spaces around commas) or a list.
    type: raw
    required: true
  node_mask_sizes:
    description:
      - Node block prefix lengths. Omitted - the defaults, C(/24) for IPv4 and C(/64) for IPv6.
      - An integer is C(--node-cidr-mask-size) (single-stack clusters only).
      - 'A mapping C({IPv4: n, IPv6: m}) is C(--node-cidr-mask-size-ipv4) and
        C(--node-cidr-mask-size-ipv6); C(0) means unset, as for the flags.'
      - A list gives one mask per cluster CIDR, as the allocator receives them.
    type: raw
  service_cidrs:
    description:
      - C(--service-cluster-ip-range) of kube-controller-manager (one CIDR or a dual-stack pair).
        Node blocks they overlap are never handed out.
    type: raw
notes:
  - Assumption (docs/pod-cidrs.md#assumption-1) - nodes are allocated in the order given. kube-controller-manager
    handles nodes in the order its informer delivers them (registration order; at start-up its node list is sorted by
    name) but with 30 concurrent workers, so only a one-at-a-time registration order is deterministic. Sort the list
    by name to model a restart with many nodes waiting.
  - A service CIDR that does not parse is an error here; kube-controller-manager would only log it
    and then hand out podCIDRs inside the service range.
  - A node mask longer than the address (for example 33 for IPv4) is refused with this
    collection's own message; kube-controller-manager does not check it and fails every allocation.
  - IPv4-mapped IPv6 CIDRs (C(::ffff:a.b.c.d/n)) are treated as the IPv4 CIDR they denote.
seealso:
  - plugin: clusternet.k8s.network_plan
    plugin_type: filter
  - plugin: clusternet.k8s.component_flag_errors
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Pod CIDRs of three new nodes on a dual-stack cluster
  ansible.builtin.debug:
    msg: "{{ ['node-a', 'node-b', 'node-c'] | clusternet.k8s.node_pod_cidrs('10.244.0.0/16,fd00:10:244::/56') }}"
  # {"node-a": ["10.244.0.0/24", "fd00:10:244::/64"],
  #  "node-b": ["10.244.1.0/24", "fd00:10:244:1::/64"],
  #  "node-c": ["10.244.2.0/24", "fd00:10:244:2::/64"]}

- name: Existing Node objects keep their podCIDRs; new ones fill the gaps in allocator order
  ansible.builtin.set_fact:
    plan: >-
      {{ nodes.resources | clusternet.k8s.node_pod_cidrs(['10.244.0.0/16', 'fd00:10:244::/56'],
         node_mask_sizes={'IPv4': 25, 'IPv6': 64}, service_cidrs=['10.96.0.0/12', 'fd00:10:96::/108']) }}
"""

RETURN = r"""
_value:
  description:
    - A mapping of node name to its C(spec.podCIDRs), in the order of the input nodes; one CIDR
      per cluster CIDR, in C(--cluster-cidr) order. Nodes that already had podCIDRs keep them.
  type: dict
"""

from ansible_collections.clusternet.k8s.plugins.module_utils.survey import as_node_mask_sizes
from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_node_pod_cidrs = core("cidrset", "node_pod_cidrs")


@filter_entry(versioned=True, node_mask_sizes=as_node_mask_sizes)
def node_pod_cidrs(nodes, cluster_cidrs, node_mask_sizes=None, service_cidrs=None):
    return _node_pod_cidrs(nodes, cluster_cidrs, node_mask_sizes, service_cidrs)


class FilterModule(object):
    def filters(self):
        return {"node_pod_cidrs": node_pod_cidrs}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: component_flag_errors
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The dual-stack flag errors a Kubernetes component would stop with
description:
  - Runs a component's own checks of its dual-stack flags, in its order, and returns its error
    texts; an empty list means the component accepts them.
  - 'C(kube-apiserver): C(--service-cluster-ip-range) (completion - an empty value means
    C(10.0.0.0/24), a primary range needs 8 addresses; then C(validateClusterIPFlags) - at most two
    entries, one per family, and with the legacy ClusterIP allocator IPv4 C(/12) and IPv6 C(/108)
    at most), C(--feature-gates) (C(MultiCIDRServiceAllocator), C(DisableAllocatorDualWrite)),
    C(--advertise-address) and C(--endpoint-reconciler-type) (the primary service family must be
    the advertise address family).'
  - 'C(kube-controller-manager): C(--allocate-node-cidrs), C(--cidr-allocator-type),
    C(--cluster-cidr), C(--service-cluster-ip-range), C(--node-cidr-mask-size),
    C(--node-cidr-mask-size-ipv4), C(--node-cidr-mask-size-ipv6) - the node IPAM controller''s
    start-up checks, including the allocator''s (IPv6 node mask at most 16 bits longer than the
    cluster CIDR).'
  - 'C(kubelet): C(--node-ip) and C(--cloud-provider), as C(ParseNodeIPArgument), e.g.
    C(bad --node-ip "10.0.0.1,10.0.0.2": must contain either a single IP or a dual-stack pair of IPs).'
  - 'C(kube-proxy): C(--detect-local-mode), C(--cluster-cidr), C(--pod-bridge-interface),
    C(--pod-interface-name-prefix), reported as its configuration field errors.'
options:
  _input:
    description:
      - The flags, as a mapping of flag name (with or without the leading C(--)) to value, or as a
        list of C(--name=value) strings. Comma-list flags may be given as lists. Flags other than
        those above are ignored.
      - C(--feature-gates) may be a C(Gate=true,Other=false) string or a mapping of gate to boolean.
    type: raw
    required: true
  component:
    description: Which component checks the flags.
    type: str
    required: true
    choices: [kube-apiserver, kube-controller-manager, kubelet, kube-proxy]
notes:
  - C(--feature-gates) is read as kube-apiserver reads it (C(featureGate.Set)); in Kubernetes 1.37
    both C(MultiCIDRServiceAllocator) and C(DisableAllocatorDualWrite) are locked on, so setting either
    to C(false) is refused (C(cannot set feature gate ... to false, feature is locked to true)) and the
    legacy allocator's range size limit no longer applies. With several refused gates kube-apiserver
    lists them in Go map order (random); here in the order given. Gates this collection does not model
    are ignored, where kube-apiserver refuses a gate it does not know (C(unrecognized feature gate)).
  - kube-controller-manager checks nothing about node CIDRs unless C(--allocate-node-cidrs) is true
    (its default is false; kubeadm sets it when a pod subnet is configured). C(IPAMFromCluster) and
    C(IPAMFromCloud) get the controller checks only; the legacy cloud IPAM itself is not modelled.
  - A node mask longer than the address (for example 33 for IPv4) or a C(--cluster-cidr) written as
    IPv4-mapped IPv6 gives no error, as kube-controller-manager starts with it; it then assigns no usable
    podCIDR, which P(clusternet.k8s.node_pod_cidrs#filter) and P(clusternet.k8s.network_plan#filter) refuse.
  - kube-apiserver's family check of C(--advertise-address) runs only when it is given and specified (without it, or
    with C(0.0.0.0) or C(::), kube-apiserver advertises an address of the host, assumed to be one of the primary
    service range's family, docs/component-flags.md#assumption-1). IP addresses are parsed as Kubernetes parses them
    sloppily (IPv4 leading zeros allowed).
  - kube-proxy's C(--detect-local-mode) defaults to C(ClusterCIDR) on Linux (docs/component-flags.md#assumption-2);
    C(--cluster-cidr) is split on commas into C(DetectLocal.ClusterCIDRs).
seealso:
  - plugin: clusternet.k8s.network_plan
    plugin_type: filter
  - plugin: clusternet.k8s.node_pod_cidrs
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Refuse kubelet flags the kubelet would refuse
  ansible.builtin.assert:
    that: errors | length == 0
    fail_msg: "{{ errors | join('; ') }}"
  vars:
    errors: "{{ {'--node-ip': '192.168.1.10,2001:db8::10'} | clusternet.k8s.component_flag_errors('kubelet') }}"

- name: kube-controller-manager flags of a dual-stack cluster
  ansible.builtin.debug:
    msg: >-
      {{ {'allocate-node-cidrs': true, 'cluster-cidr': '10.244.0.0/16,fd00:10:244::/56',
          'node-cidr-mask-size': 24} | clusternet.k8s.component_flag_errors('kube-controller-manager') }}
  # ["usage of --node-cidr-mask-size is not allowed with dual-stack clusters"]

- name: kube-apiserver as Kubernetes 1.33 would check it
  ansible.builtin.debug:
    msg: >-
      {{ ['--service-cluster-ip-range=10.96.0.0/12,fd00:10:96::/64',
          '--feature-gates=MultiCIDRServiceAllocator=false'] | clusternet.k8s.component_flag_errors('kube-apiserver') }}
  # ["specified --service-cluster-ip-range[1] is too large; for 128-bit addresses, the mask must be >= 108"]
"""

RETURN = r"""
_value:
  description: The component's error texts, in the order it reports them; empty when it accepts the flags.
  type: list
  elements: str
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_component_flag_errors = core("component_flags", "component_flag_errors")


@filter_entry(versioned=True)
def component_flag_errors(flags, component):
    return _component_flag_errors(flags, component)


class FilterModule(object):
    def filters(self):
        return {"component_flag_errors": component_flag_errors}

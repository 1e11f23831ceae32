# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: service_ip_plan
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The IP families and cluster IPs kube-apiserver gives a Service
description:
  - Computes, offline, what kube-apiserver writes into C(spec.ipFamilyPolicy), C(spec.ipFamilies),
    C(spec.clusterIP) and C(spec.clusterIPs) when the Service is created (or updated, with O(old)),
    on a single-stack IPv4 or IPv6 cluster or a dual-stack one with either family primary.
  - 'Follows the apiserver step by step: v1 defaulting (C(type) ClusterIP), C(normalizeClusterIPs),
    C(initIPFamilyFields) (policy and family defaulting, the headless and selectorless special
    case, the families configured on the cluster), ClusterIP allocation, then
    C(ValidateServiceCreate); for updates C(defaultOnReadService) on O(old),
    C(patchAllocatedValues), C(updateClusterIPs) (upgrade to and downgrade from dual-stack, to and
    from ExternalName), C(dropTypeDependentFields) and C(ValidateServiceUpdate).'
  - 'When the apiserver refuses the Service the filter fails with the apiserver''s own message,
    for example C(Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack":
    this cluster is not configured for dual-stack services), raised at the same stage.'
  - Addresses are taken as kube-apiserver 1.34 and later take them (IPAddress objects, one
    allocator per service CIDR) - see the notes for how a picked address is chosen.
options:
  _input:
    description:
      - The Service, as a manifest or as the API returns it (C(kind), C(metadata.name) and C(spec)).
      - Or a list of Services, planned in order as if created one after the other; each one's
        addresses are taken before the next is planned. Fails at the first refused Service, naming
        its index.
    type: raw
    required: true
  service_cidrs:
    description:
      - The cluster's C(--service-cluster-ip-range), primary first - a list of one or two CIDRs of
        different families, or the comma-separated flag value.
      - The primary range needs at least 8 addresses and an IPv6 range a prefix of /64 or longer,
        as kube-apiserver requires.
    type: raw
    required: true
  allocated:
    description:
      - Cluster IPs already taken on the cluster (for example every C(spec.clusterIPs) entry of
        C(kubectl get services -A)). C(None) and empty entries are ignored; addresses outside
        O(service_cidrs) do not matter.
      - On a running cluster include the address of C(default/kubernetes) (the primary range's
        first address, see P(clusternet.k8s.service_cidr_info#filter)); it is not added for you.
        The addresses of O(old) are always taken.
    type: list
    elements: str
  old:
    description:
      - The Service as currently stored, to plan an update (a PUT of O(_input) over it). Only with
        a single Service.
    type: dict
notes:
  - DETERMINISTIC PICK - kube-apiserver picks a free address at random from the dynamic band
    (the addresses above the KEP-3070 static band) and only falls back to the static band when
    the dynamic band is full. This filter takes the lowest free address of the dynamic band, then
    the lowest free address of the static band, so a plan is repeatable. Requested addresses may
    lie in either band.
  - With two families to allocate, Go allocates them in map order (random); here in
    C(ipFamilies) order. It only matters for which error is reported when both fail.
  - 'Requested address errors are those of the 1.34+ allocator: outside every service CIDR of its
    family, or its network address or IPv4 broadcast (no allocator contains them,
    C(servicecidr.PrefixContainsIP)) - C(the provided network does not match the current range); taken -
    C(provided IP is already allocated). A dynamic pick on a full range fails
    with C(Internal error occurred: failed to allocate a serviceIP for Service "<name>": range is full).'
  - Only the IP-family and cluster IP rules are applied; ports, node ports, selectors and the
    other Service fields are not validated, and node ports are not allocated.
  - An address released by an update (downgrade to SingleStack, switch to ExternalName) is
    listed in C(released); an address of a family the cluster no longer has is kept, as upstream.
  - Field error values print as kube-apiserver 1.34 and later prints them, as JSON
    (C(["10.0.0.1",""]) for C(clusterIPs), C(null) for an unset value); strings stay quoted.
seealso:
  - plugin: clusternet.k8s.service_cidr_info
    plugin_type: filter
  - plugin: clusternet.k8s.validation_errors
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Families and addresses of a PreferDualStack Service on a dual-stack cluster
  ansible.builtin.debug:
    msg: "{{ service | clusternet.k8s.service_ip_plan(['10.96.0.0/12', 'fd00:10:96::/108']) }}"
  # {"ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4", "IPv6"], "clusterIP": "10.96.1.1",
  #  "clusterIPs": ["10.96.1.1", "fd00:10:96::101"], "released": []}

- name: Plan every Service of an application against the addresses already in use
  ansible.builtin.set_fact:
    plans: "{{ services | clusternet.k8s.service_ip_plan('10.96.0.0/12,fd00:10:96::/108', allocated=in_use) }}"

- name: Would this update downgrade the Service, and which address would it free?
  ansible.builtin.debug:
    msg: "{{ (new_service | clusternet.k8s.service_ip_plan(cidrs, old=stored_service)).released }}"
"""

RETURN = r"""
_value:
  description:
    - The Service's IP fields after the apiserver has defaulted and allocated them; a list of
      these when O(_input) is a list.
  type: raw
  contains:
    ipFamilyPolicy:
      description: C(SingleStack), C(PreferDualStack) or C(RequireDualStack); null for ExternalName.
      type: str
    ipFamilies:
      description: The families, primary first; empty for ExternalName.
      type: list
      elements: str
    clusterIP:
      description: C(clusterIPs[0]); C(None) for a headless Service, empty for ExternalName.
      type: str
    clusterIPs:
      description: One address per family (requested or picked), C([None]) for a headless Service.
      type: list
      elements: str
    released:
      description: Addresses the update frees once stored; empty on create.
      type: list
      elements: str
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_service_ip_plan = core("service_ips.plan", "service_ip_plan")


@filter_entry(versioned=True)
def service_ip_plan(service, service_cidrs, allocated=None, old=None):
    return _service_ip_plan(service, service_cidrs, allocated, old)


class FilterModule(object):
    def filters(self):
        return {"service_ip_plan": service_ip_plan}

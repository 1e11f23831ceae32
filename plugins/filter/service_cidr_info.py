# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: service_cidr_info
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The allocatable ClusterIPs of a service CIDR
description:
  - What kube-apiserver can allocate from one C(--service-cluster-ip-range) entry (or one
    ServiceCIDR prefix), computed by arithmetic - a /64 is answered as fast as a /28.
  - 'Size, first and last address of the IPAddress allocator (kube-apiserver 1.33 and later,
    C(NewIPAllocator)): the network address is never allocated, nor the IPv4 broadcast; the IPv6
    all-ones address is.'
  - 'The KEP-3070 bands (C(calculateRangeOffset)): the static band is the lowest C(offset)
    addresses, kept for Services that request an address; dynamic picks come from the rest.
    C(offset) is 0 up to 16 addresses, else C(RangeSize/16) clamped to 16..256.'
  - The address kube-apiserver gives C(default/kubernetes) when the range is the primary one, and
    the range of the legacy bitmap allocator (before 1.33), which never used more than the first
    65535 addresses of an IPv6 range.
options:
  _input:
    description:
      - A CIDR, parsed as kube-apiserver parses it (leading zeros allowed, host bits dropped).
      - Or the cluster's service CIDRs as the other filters take them (P(clusternet.k8s.service_ip_plan#filter)'s
        C(service_cidrs)) - a list, or a comma-separated string, of one CIDR or an IPv4/IPv6 pair, primary first - for
        a list of the figures, one per range.
    type: raw
    required: true
notes:
  - Fails for an IPv6 prefix shorter than /64 with the allocator's message
    C(shortest allowed prefix length for service CIDR is 64, got <n>).
  - C(RangeSize) (k8s.io/utils/net) is 0 for /0 and /1, which gives those ranges a static band
    of 0, as upstream.
  - The rules are in docs/service-ips.md#range-size and docs/service-ips.md#static-band.
seealso:
  - plugin: clusternet.k8s.service_ip_plan
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: How many Services fit, and which addresses to keep for static assignment
  ansible.builtin.debug:
    msg: "{{ '10.96.0.0/12' | clusternet.k8s.service_cidr_info }}"
  # {"cidr": "10.96.0.0/12", "family": "IPv4", "size": 1048574, "first": "10.96.0.1",
  #  "last": "10.111.255.254", "offset": 256,
  #  "static": {"first": "10.96.0.1", "last": "10.96.1.0", "size": 256},
  #  "dynamic": {"first": "10.96.1.1", "last": "10.111.255.254", "size": 1048318},
  #  "kubernetes_service_ip": "10.96.0.1",
  #  "legacy": {"first": "10.96.0.1", "last": "10.111.255.254", "size": 1048574}}

- name: Refuse a service range too small for the Services planned
  ansible.builtin.assert:
    that: (service_cidr | clusternet.k8s.service_cidr_info).dynamic.size >= planned_services | int
    fail_msg: "{{ service_cidr }} leaves too few addresses for dynamic allocation"

- name: Both ranges of a dual-stack cluster, given as the other filters take them
  ansible.builtin.debug:
    msg: "{{ ['10.96.0.0/16', 'fd00:10:96::/112'] | clusternet.k8s.service_cidr_info | map(attribute='size') }}"
  # [65534, 65535]
"""

RETURN = r"""
_value:
  description: The range's figures; for a list of ranges, a list of these, in the same order.
  type: raw
  contains:
    cidr:
      description: The CIDR in canonical form (host bits cleared).
      type: str
    family:
      description: C(IPv4) or C(IPv6).
      type: str
    size:
      description: Allocatable addresses (at most 2^64-1 for an IPv6 /64).
      type: int
    first:
      description: The first allocatable address; null when C(size) is 0.
      type: str
    last:
      description: The last allocatable address; null when C(size) is 0.
      type: str
    offset:
      description: The static band's size.
      type: int
    static:
      description: C({first, last, size}) of the static band; null when C(offset) is 0.
      type: dict
    dynamic:
      description: C({first, last, size}) of the dynamic band; null when empty.
      type: dict
    kubernetes_service_ip:
      description:
        - The address of the C(kubernetes) Service when this is the primary range; null when
          kube-apiserver refuses the range as primary (fewer than 8 addresses).
      type: str
    legacy:
      description: C({first, last, size}) of the legacy bitmap allocator (first and last null when empty).
      type: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_service_cidr_info = core("service_ips.ranges", "service_cidr_info")


@filter_entry(versioned=True)
def service_cidr_info(cidr):
    return _service_cidr_info(cidr)


class FilterModule(object):
    def filters(self):
        return {"service_cidr_info": service_cidr_info}

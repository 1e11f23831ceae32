# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: host_aliases
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: A validated pod spec.hostAliases list from simple host entries
description:
  - Turns host entries into a C(spec.hostAliases) list kube-apiserver accepts, one item per IP.
  - Entries are merged by IP in first-seen order and a hostname appears at most once per IP.
    Spellings of one address merge (C(FD00::6) and C(fd00::6), or C(::ffff:10.0.0.1) and
    C(10.0.0.1)); the first spelling is kept, as the kubelet writes it unchanged.
  - 'Each IP is checked as kube-apiserver of O(kubernetes_version) does (C(IsValidIPForLegacyField); where the
    C(StrictIPCIDRValidation) gate is on, by default from 1.36, IPv4 with leading zeros and IPv4-mapped
    IPv6 are refused; a non-canonical IPv6 text passes) and each hostname must be a lowercase DNS-1123
    subdomain. Errors carry the apiserver''s text, e.g.
    C(spec.hostAliases[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)).'
options:
  _input:
    description:
      - 'One of: a mapping of hostname to an IP or a list of IPs; a list of C({ip, hostnames})
        mappings; a list of C("ip name name") strings (whitespace-separated, one line each: a string
        of several lines is refused). A list may mix these items and C([ip, [names]]) pairs.'
    type: raw
    required: true
  validate:
    description:
      - V(false) skips kube-apiserver's checks and returns the result as built (malformed input still
        fails). For callers that validate the whole object with P(clusternet.k8s.validation_errors#filter),
        whose errors then carry the object's own field paths.
    type: bool
    default: true
notes:
  - The index in an error path is the item's index in the merged result, which is what
    kube-apiserver would report for the returned list.
  - An IP without hostnames is kept (kube-apiserver accepts it; the kubelet writes the IP and a TAB).
  - C(ValidateHostAliases) uses C(IsValidIPForLegacyField) since 1.33 (docs/hosts.md#assumption-4); before
    1.33 the same sloppy IP parsing applied through C(IsValidIP). The gate's default
    is upstream's (kubernetes PR 137053, beta in 1.36; PR 141979 makes it GA in 1.38).
  - A hostname with a trailing dot (C(example.com.)) is refused, as kube-apiserver does; the
    C(HostAliasesAllowFQDN) proposal (kubernetes PR 139058, KEP 6075) is not merged.
seealso:
  - plugin: clusternet.k8s.pod_hosts
    plugin_type: filter
  - plugin: clusternet.k8s.validation_errors
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: From a mapping of hostname to IPs
  ansible.builtin.set_fact:
    aliases: "{{ {'db': '10.0.0.5', 'cache': ['10.0.0.6', 'fd00::6'], 'db.internal': '10.0.0.5'} | clusternet.k8s.host_aliases }}"
  # [{"ip": "10.0.0.5", "hostnames": ["db", "db.internal"]},
  #  {"ip": "10.0.0.6", "hostnames": ["cache"]},
  #  {"ip": "fd00::6", "hostnames": ["cache"]}]

- name: From hosts-file style lines, into a Deployment
  ansible.builtin.set_fact:
    deployment: >-
      {{ deployment | combine({'spec': {'template': {'spec': {'hostAliases':
         ['10.0.0.5 db db.internal', '10.0.0.6 cache'] | clusternet.k8s.host_aliases}}}}, recursive=true) }}
"""

RETURN = r"""
_value:
  description: The C(spec.hostAliases) list, each item C({ip, hostnames}).
  type: list
  elements: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_host_aliases = core("hosts", "host_aliases")


@filter_entry(versioned=True)
def host_aliases(entries, validate=True):
    return _host_aliases(entries, validate)


class FilterModule(object):
    def filters(self):
        return {"host_aliases": host_aliases}

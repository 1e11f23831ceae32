# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_ip_family
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The family the kubelet reads an address as, in its --node-ip; none when it cannot parse it
description:
  - The kubelet reads each comma-separated entry of C(--node-ip) trimmed, with Go's sloppy parser
    (C(ParseNodeIPArgument)), and only logs and ignores an entry it cannot parse.
  - This filter says how it reads one address - C(IPv4), C(IPv6) (an IPv4-mapped IPv6 address is C(IPv4)), or
    an empty string when the text is not one IP address it can parse (a comma, a CIDR, a name).
  - Whether the whole flag is accepted (one address per family, a cloud provider, C(0.0.0.0) or C(::)) is
    P(clusternet.k8s.component_flag_errors#filter)'s answer for the C(kubelet).
options:
  _input:
    description: The address.
    type: str
    required: true
seealso:
  - plugin: clusternet.k8s.component_flag_errors
    plugin_type: filter
  - plugin: clusternet.k8s.node_address
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Check that the node's IPv6 address is one the kubelet reads as IPv6
  ansible.builtin.assert:
    that: node_ipv6 | clusternet.k8s.node_ip_family == 'IPv6'
  # '2001:db8::10' -> 'IPv6'; ' 192.0.2.1 ' -> 'IPv4'; '::ffff:192.0.2.1' -> 'IPv4'; '2001:db8::/64' -> ''
"""

RETURN = r"""
_value:
  description: C(IPv4), C(IPv6), or an empty string.
  type: str
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_node_ip_family = core("node_network", "node_ip_family")


@filter_entry
def node_ip_family(text):
    return _node_ip_family(text) or ""


class FilterModule(object):
    def filters(self):
        return {"node_ip_family": node_ip_family}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_address
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: A node's IPv4 or IPv6 address, from its inventory variables, else from its gathered facts
description:
  - The one rule the node roles (C(clusternet.k8s.node_hosts), C(clusternet.k8s.dualstack_node)) find a node's
    address of a family by.
  - The first of the values given (the inventory's, most specific first) that is not empty once trimmed; else,
    from the node's gathered facts, the address of its default route (C(default_ipv4.address),
    C(default_ipv6.address)), then its first other address (C(all_ipv4_addresses), C(all_ipv6_addresses)); never a
    loopback (C(127.0.0.0/8), C(::1)) or link-local (C(169.254.0.0/16), C(fe80::/10)) address.
  - An empty string when there is none.
options:
  _input:
    description: The inventory's values for the address, most specific first; empty ones (and C(none)) are skipped.
    type: list
    elements: raw
    required: true
  family:
    description: Which address.
    type: str
    required: true
    choices: [IPv4, IPv6]
  facts:
    description: The node's gathered facts (C(ansible_facts)); omitted or empty when none were gathered.
    type: dict
seealso:
  - plugin: clusternet.k8s.node_ip_family
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The node's IPv6 address, from the role's variable, the shared one, else the facts
  ansible.builtin.set_fact:
    node_ipv6: "{{ [dualstack_node_ipv6, clusternet_node_ipv6 | default('')] | clusternet.k8s.node_address('IPv6', ansible_facts) }}"
  # with both variables empty and a default route through fe80::1 from 2001:db8::10: "2001:db8::10"
"""

RETURN = r"""
_value:
  description: The address as given or as the facts spell it, or an empty string.
  type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_node_address = core("node_network", "node_address")


def node_address(given, family, default_address, addresses):
    return _node_address(given, family, default_address, addresses)


_address = filter_entry(node_address)


def _arguments(given, family, facts=None):
    return given, family, facts


def node_address_of(*args, **kwargs):
    try:
        given, family, facts = _arguments(*args, **kwargs)
    except TypeError as exc:  # wrong number or names of arguments, as filter_entry reports them
        raise AnsibleFilterError("node_address: %s" % str(exc).replace("_arguments()", "node_address()")) from None
    # only the facts of the family are read (a host's facts are large)
    facts = facts if isinstance(facts, Mapping) else {}
    suffix = family.lower() if isinstance(family, str) else ""
    default_route = facts.get("default_" + suffix) if suffix else None
    default_address = default_route.get("address", "") if isinstance(default_route, Mapping) else ""
    return _address(given, family, default_address or "", facts.get("all_%s_addresses" % suffix) or [])


class FilterModule(object):
    def filters(self):
        return {"node_address": node_address_of}

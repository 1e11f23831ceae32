# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Gateway and GKEIPRoute addresses: IPv4 literals and CIDRs (docs/persistent-ip.md#gateway-addresses)."""

from __future__ import annotations

import ipaddress

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import invalid
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    is_valid_cidr, is_valid_ip, parse_cidr_sloppy, parse_ip_sloppy)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import ADDRESS_IP, PRIVATE_RANGES


# ---------------------------------------------------------------------------------------------
# Addresses: IPv4 literals and CIDRs (DOC D1: IPv4 only; CODE C4: routes are parsed as CIDRs)
# ---------------------------------------------------------------------------------------------


def _address_network(address_type, value, path):
    """``(network, None)`` for a valid IPAddress literal or CIDR value, else ``(None, (code suffix, FieldError))``."""
    if address_type == ADDRESS_IP:
        ip = parse_ip_sloppy(value)
        if ip is None:
            return None, ("VALUE_INVALID", invalid(path, value, "must be an IPv4 address such as 34.123.10.1"))
        if ":" in value:
            return None, ("IPV6_UNSUPPORTED", invalid(path, value, "persistent IPs are IPv4 only; reserve a regional IPv4 address"))
        errors = is_valid_ip(path, value)
        if errors:
            return None, ("VALUE_INVALID", errors[0])
        return ipaddress.IPv4Network(ip), None
    parsed = parse_cidr_sloppy(value)
    if parsed is None:
        return None, ("VALUE_INVALID", invalid(path, value, "must be an IPv4 CIDR such as 34.123.10.1/32"))
    address, network = parsed
    if ":" in value:
        return None, ("IPV6_UNSUPPORTED", invalid(path, value, "persistent IPs are IPv4 only; reserve a regional IPv4 address"))
    if address != network.network_address:  # docs/persistent-ip.md#assumption-17: net.ParseCIDR would mask them silently
        return None, ("CIDR_HOST_BITS", invalid(path, value, "has bits set beyond the /%d prefix, so it would attract %s; "
                                                "write %s, or %s/32 for the single address"
                                                % (network.prefixlen, network, network, address)))
    errors = is_valid_cidr(path, value)
    if errors:
        return None, ("VALUE_INVALID", errors[0])
    return network, None


def _network_findings(out, prefix, address_type, value, path, **extra):
    """Record why ``value`` is not a usable address (``<prefix>_ADDRESS_*``); its network when it is."""
    network, problem = _address_network(address_type, value, path)
    if problem:
        out.ours(prefix + "_ADDRESS_" + problem[0], path, problem[1], **extra)
    return network


def _is_private(network):
    return any(network.overlaps(space) for space in PRIVATE_RANGES)

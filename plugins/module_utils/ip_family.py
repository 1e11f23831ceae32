# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The IP family of an address or a CIDR, as the Kubernetes components read it.

Pure Python, no Ansible imports. Text is parsed sloppily (``netutils.ParseIPSloppy``/``ParseCIDRSloppy``): an
IPv4-mapped IPv6 address or range is IPv4, as in Go. A value that is no IP (or no CIDR) has no family: the answer
is ``unknown``, ``None`` unless the caller names another (alloc.go's ``familyOf`` says ``"unknown"``).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import ip_value_sloppy, parse_cidr_sloppy

IPV4 = "IPv4"
IPV6 = "IPv6"
FAMILIES = (IPV4, IPV6)


def ip_family(ip: Any, unknown: str | None = None) -> str | None:
    """``IPv4`` or ``IPv6`` for an address (text, or a parsed ``ipaddress`` address); ``unknown`` when it is none."""
    version = getattr(ip, "version", None)
    if version is None:
        parsed = ip_value_sloppy(ip)
        if parsed is None:
            return unknown
        version = parsed[1]
    return IPV4 if version == 4 else IPV6


def cidr_family(cidr: Any, unknown: str | None = None) -> str | None:
    """``IPv4`` or ``IPv6`` for a CIDR (text, or a parsed ``ipaddress`` network); ``unknown`` when it is none."""
    if not isinstance(cidr, str):
        version = getattr(cidr, "version", None)
        return unknown if version is None else IPV4 if version == 4 else IPV6
    parsed = parse_cidr_sloppy(cidr)
    return unknown if parsed is None else IPV4 if parsed[1].version == 4 else IPV6


def other_family(family: str) -> str:
    """The family a dual-stack object has besides ``family``."""
    return IPV6 if family == IPV4 else IPV4

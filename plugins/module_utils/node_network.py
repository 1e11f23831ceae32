# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""A node's own addresses, as the node roles (``node_hosts``, ``dualstack_node``) find them, and the kubelet's
``--node-ip`` as it reads one address and its ``KUBELET_EXTRA_ARGS``.

- :func:`node_address`: a node's address of one family, from the inventory (the values given, first non-empty one
  wins), else from its gathered facts (the default route's address, then its other addresses), never a loopback or
  link-local address.
- :func:`node_ip_family`: the family of one ``--node-ip`` entry as the kubelet parses it (``ParseNodeIPArgument``).
- :func:`kubelet_extra_args`: the ``KUBELET_EXTRA_ARGS=`` line of kubeadm's kubelet environment file with a new
  ``--node-ip``.
"""

from __future__ import annotations

import re

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.component_flags import parse_node_ip_argument
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import FAMILIES, ip_family

# Addresses a node is never known by: loopback (127.0.0.0/8, ::1) and link-local (169.254.0.0/16, fe80::/10),
# as the facts spell them.
_NOT_THE_NODES = {
    "IPv4": re.compile(r"(127|169[.]254)[.]"),
    "IPv6": re.compile(r"(fe[89ab][0-9a-f]:|::1$)", re.IGNORECASE),
}


def _checked_family(family):
    if family not in FAMILIES:
        raise InputError("family must be IPv4 or IPv6, got %r" % (family,))
    return family


def node_address(given: list | None, family: str, default_address: str = "", addresses: list | None = None) -> str:
    """The node's ``family`` address: the first of ``given`` (the inventory's values, most specific first) that is
    not empty once trimmed, else the first of ``default_address`` (the facts' default route address) and
    ``addresses`` (the facts' list of the family's addresses) that is neither loopback nor link-local; ``''`` when
    there is none."""
    pattern = _NOT_THE_NODES[_checked_family(family)]
    for value in optional(given, list, "given", []):
        text = str(value).strip() if value else ""
        if text:
            return text
    for i, address in enumerate([default_address] + optional(addresses, list, "addresses", [])):
        if address and not pattern.match(expect(address, str, "address" if i == 0 else "addresses[%d]" % (i - 1))):
            return address
    return ""


def node_ip_family(text: str) -> str | None:
    """``IPv4`` or ``IPv6``: the family the kubelet reads ``text`` as, one entry of ``--node-ip``
    (``ParseNodeIPArgument``: trimmed, parsed sloppily; an IPv4-mapped IPv6 address is IPv4); ``None`` when it is
    not one IP address the kubelet can parse (the kubelet ignores such an entry)."""
    expect(text, str, "node IP")
    if "," in text:
        return None
    ips = parse_node_ip_argument(text)[0]
    return ip_family(ips[0]) if ips else None


_EXTRA_ARGS = re.compile(r"[ \t]*KUBELET_EXTRA_ARGS=")


def kubelet_extra_args(env_text: str, node_ip: str) -> str:
    """The ``KUBELET_EXTRA_ARGS=`` line of kubeadm's kubelet environment file ``env_text`` with ``--node-ip=node_ip``.

    Every other argument of the file's last such line (the one systemd and a shell use) is kept, in order, its
    quotes (matching single or double quotes around the whole value) removed; earlier ``--node-ip`` values
    (``--node-ip=X`` or ``--node-ip X``) are dropped and the new one is appended. The value is quoted with double
    quotes when it holds more than one argument."""
    expect(env_text, str, "env_text")
    expect(node_ip, str, "node_ip")
    lines = [line for line in env_text.splitlines() if _EXTRA_ARGS.match(line)]
    value = lines[-1].split("=", 1)[1].strip() if lines else ""
    if len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]:
        value = value[1:-1]
    kept, skip = [], False
    for arg in value.split():
        if skip:
            skip = False
        elif arg == "--node-ip":
            skip = True
        elif not arg.startswith("--node-ip="):
            kept.append(arg)
    args = kept + ["--node-ip=" + node_ip]
    return "KUBELET_EXTRA_ARGS=" + (args[0] if len(args) == 1 else '"%s"' % " ".join(args))

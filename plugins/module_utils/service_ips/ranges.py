# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Service CIDRs as kube-apiserver's ClusterIP allocator sees them (docs/service-ips.md#range-size,
docs/service-ips.md#static-band): sizes and KEP-3070 bands by arithmetic, never by walking a range, and the
per-family pool of taken addresses the allocator picks from.

Pure Python, no Ansible imports. Sources: ``pkg/registry/core/service/ipallocator/`` (``ipallocator.go``,
``cidrallocator.go``, ``bitmap.go``, ``interfaces.go``), ``k8s.io/utils/net`` ``RangeSize``,
``pkg/controlplane/apiserver/options`` ``ServiceIPRange``.
"""

from __future__ import annotations

import ipaddress
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import IPV4, IPV6, cidr_family
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    go_cidr_string, go_netip_string, ip_text, parse_cidr_sloppy)

MAX_INT64 = (1 << 63) - 1
MAX_UINT64 = (1 << 64) - 1
LEGACY_BITMAP_MAX = 1 << 16
MIN_PRIMARY_RANGE = 8


def range_size(prefixlen: int, width: int) -> int:
    """``netutils.RangeSize``: ``2^hostbits``, but 0 for /0 and /1 and MaxInt64 from 63 host bits."""
    host_bits = width - prefixlen
    if host_bits >= width - 1:
        return 0
    if host_bits >= 63:
        return MAX_INT64
    return 1 << host_bits


def range_offset(size: int) -> int:
    """``calculateRangeOffset`` (bitmap.go, KEP-3070): how many addresses the static band holds.

    ``size`` is ``RangeSize`` of the CIDR, not the allocatable count.
    """
    if size <= 16:
        return 0
    return min(max(size // 16, 16), 256)


def hosts_per_network(host_bits: int, family: str) -> int:
    """``hostsPerNetwork`` (ipallocator.go): neither the network address nor the IPv4 broadcast."""
    if host_bits >= 64:
        return MAX_UINT64
    count = (1 << host_bits) - 1
    if family == IPV4 and count:
        count -= 1
    return count


def _address(family, value):
    return ipaddress.IPv4Address(value) if family == IPV4 else ipaddress.IPv6Address(value)


class ClusterIPRange(object):
    """One service CIDR as kube-apiserver's IPAddress allocator sees it (``NewIPAllocator``).

    Addresses are integers. ``first``..``last`` are the allocatable addresses (``size`` of them);
    the static band is the ``offset`` lowest, the dynamic band the rest.
    """

    __slots__ = ("cidr", "family", "version", "network", "broadcast", "first", "last", "size", "offset", "range_size",
                 "dynamic_first")

    def __init__(self, net):
        self.cidr = go_cidr_string(net)
        self.family = cidr_family(net)
        self.version = net.version
        width = net.max_prefixlen
        host_bits = width - net.prefixlen
        self.network = int(net.network_address)
        self.broadcast = self.network | ((1 << host_bits) - 1)
        self.first = self.network + 1
        # IPv6 has no broadcast: its all-ones address is allocatable
        self.last = self.broadcast - 1 if self.family == IPV4 else self.broadcast
        self.size = hosts_per_network(host_bits, self.family)
        self.range_size = range_size(net.prefixlen, width)
        self.offset = range_offset(self.range_size)
        self.dynamic_first = self.first + self.offset

    def text(self, value: int) -> str:
        """An address as kube-apiserver writes it into a Service (``net.IP.String()``)."""
        return ip_text(value, self.version)

    def text_family(self, value: int) -> str:
        """The family of :meth:`text`: Go reads an IPv4-mapped address of an IPv6 range back as IPv4."""
        return IPV4 if self.version == 4 or value >> 32 == 0xFFFF else IPV6

    def allocator_text(self, value: int) -> str:
        """An address as the IPAddress allocator names it (``netip.Addr.String()``)."""
        return go_netip_string(_address(self.family, value))

    def _band(self, first, count, text=None):
        if count <= 0:
            return None
        text = text or self.allocator_text
        return {"first": text(first), "last": text(first + count - 1), "size": count}

    def kubernetes_service_ip(self) -> str | None:
        """``ServiceIPRange``: ``default/kubernetes`` gets the first address of the primary range,
        which must hold ``min(RangeSize, 65536) >= 8`` addresses; ``None`` when it does not."""
        if min(self.range_size, LEGACY_BITMAP_MAX) < MIN_PRIMARY_RANGE:
            return None
        return self.text(self.first)

    def legacy_bitmap(self) -> dict:
        """The bitmap allocator of kube-apiserver before 1.33 (``ipallocator.New``, bitmap.go).

        It never uses more than the first 65535 addresses of an IPv6 range.
        """
        count = self.range_size
        count = min(count, LEGACY_BITMAP_MAX) if self.family == IPV6 else count - 1
        count = max(0, count - 1)
        return self._band(self.first, count, self.text) or {"first": None, "last": None, "size": 0}

    def info(self) -> dict:
        """What :func:`service_cidr_info` returns."""
        whole = self._band(self.first, self.size)
        return {
            "cidr": self.cidr,
            "family": self.family,
            "size": self.size,
            "first": whole["first"] if whole else None,
            "last": whole["last"] if whole else None,
            "offset": self.offset,
            "static": self._band(self.first, self.offset),
            "dynamic": self._band(self.dynamic_first, self.size - self.offset),
            "kubernetes_service_ip": self.kubernetes_service_ip(),
            "legacy": self.legacy_bitmap(),
        }


def parse_service_cidr(text: str, what: str) -> ClusterIPRange:
    """A service CIDR as kube-apiserver reads it (``ParseCIDRSloppy``); refused where its allocator refuses it."""
    expect(text, str, what)
    parsed = parse_cidr_sloppy(text)
    if parsed is None:
        raise InputError("%s: %s is not a valid CIDR (e.g. 10.96.0.0/12 or fd00:10:96::/108)" % (what, go_quote(text)))
    net = parsed[1]
    if net.version == 6 and net.prefixlen < 64:
        raise InputError("%s: %s: shortest allowed prefix length for service CIDR is 64, got %d"
                         % (what, go_quote(text), net.prefixlen))
    if int(net.network_address) == (1 << net.max_prefixlen) - 1:
        # NewIPAllocator: the address after the network address does not exist (netip.Addr.Next is
        # the zero Addr), so addOffsetAddress fails
        raise InputError("%s: %s: invalid address []" % (what, go_quote(text)))
    return ClusterIPRange(net)


def service_cidr_info(cidr: str | list) -> dict | list:
    """The allocatable addresses of a service CIDR: sizes, first/last, KEP-3070 bands.

    Keys: ``cidr`` (canonical), ``family``, ``size`` (allocatable addresses), ``first``, ``last``
    (``None`` when ``size`` is 0), ``offset`` (static band size), ``static`` and ``dynamic``
    (``{first, last, size}`` or ``None`` when empty), ``kubernetes_service_ip`` (the address of
    ``default/kubernetes`` when this is the primary range, ``None`` when kube-apiserver refuses it
    as primary) and ``legacy`` (``{first, last, size}`` of the pre-1.33 bitmap allocator).

    The ``service_cidrs`` the other filters take - a list, or a comma-separated string, of one CIDR or an IPv4/IPv6
    pair, primary first (``--service-cluster-ip-range``) - give a list of these, ``kubernetes_service_ip`` set in
    the primary's only.
    """
    if isinstance(cidr, str) and "," not in cidr:
        return parse_service_cidr(cidr, "cidr").info()
    if not isinstance(cidr, (str, list)):
        raise InputError("cidr must be a string or a list of one or two CIDRs, got %s %r" % (type_name(cidr), cidr))
    entries = cidr.split(",") if isinstance(cidr, str) else cidr
    if len(entries) not in (1, 2):
        raise InputError("cidr: a list holds one CIDR or an IPv4/IPv6 pair, primary first (as --service-cluster-ip-range), "
                         "got %d entries" % len(entries))
    ranges = [parse_service_cidr(text, "cidr[%d]" % i) for i, text in enumerate(entries)]
    if len(ranges) == 2 and ranges[0].family == ranges[1].family:
        raise InputError("cidr: %s and %s must be of different IP family" % (ranges[0].cidr, ranges[1].cidr))
    infos = [rng.info() for rng in ranges]
    for info in infos[1:]:
        info["kubernetes_service_ip"] = None  # kube-apiserver takes it from the primary range only
    return infos


class _AllocatorError(Exception):
    """An ipallocator error; ``str()`` is its Go text (interfaces.go)."""


class _FamilyPool(object):
    """The addresses of one service CIDR and which are taken (the cluster's IPAddress objects).

    Each band keeps a cursor below which every address is taken, so finding the lowest free
    address only ever steps over taken addresses, never over the range.
    """

    __slots__ = ("range", "taken", "dynamic_taken", "cursors")

    def __init__(self, rng, taken):
        self.range = rng
        self.taken = {value for value in taken if rng.first <= value <= rng.last}
        self.dynamic_taken = sum(1 for value in self.taken if value >= rng.dynamic_first)
        self.cursors = [rng.dynamic_first, rng.first]

    def _take(self, value):
        self.taken.add(value)
        if value >= self.range.dynamic_first:
            self.dynamic_taken += 1

    def take(self, value):
        """Mark an address of the range as taken (nothing for another range's, or a taken one)."""
        if self.range.first <= value <= self.range.last and value not in self.taken:
            self._take(value)

    def allocate(self, value):
        """``MetaAllocator.AllocateService``: reserve a requested address (an integer). The allocator of a range
        is found with ``servicecidr.PrefixContainsIP``, which leaves out the network address and the IPv4
        broadcast: for those, as for an address of no range, there is no allocator."""
        rng = self.range
        if not rng.first <= value <= rng.last:
            raise _AllocatorError("the provided network does not match the current range")
        if value in self.taken:
            raise _AllocatorError("provided IP is already allocated")
        self._take(value)

    def allocate_next(self):
        """``AllocateNextService`` made deterministic: the lowest free address of the dynamic band,
        else of the static band (the apiserver's fallback order), else "range is full". Returns
        ``(text, family)``: the text as written into the Service and the family Go reads from it."""
        rng = self.range
        if self.dynamic_taken < rng.size - rng.offset:
            band = 0
        elif len(self.taken) < rng.size:
            band = 1
        else:
            raise _AllocatorError("range is full")
        value = self.cursors[band]
        while value in self.taken:
            value += 1
        self.cursors[band] = value + 1
        self._take(value)
        return rng.text(value), rng.text_family(value)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""kube-controller-manager's node podCIDR allocation, reproduced offline.

Pure Python, no Ansible imports. Sources (kubernetes/kubernetes):

- ``pkg/controller/nodeipam/ipam/cidrset/cidr_set.go``: ``CidrSet`` (bitmap, order, wrap, errors);
- ``pkg/controller/nodeipam/ipam/range_allocator.go``: ``NewCIDRRangeAllocator``,
  ``AllocateOrOccupyCIDR``, ``filterOutServiceRange``, ``occupyCIDRs``;
- ``pkg/controller/nodeipam/node_ipam_controller.go``: ``NewNodeIpamController`` checks;
- ``cmd/kube-controller-manager/app/core.go``: ``validateCIDRs``/``processCIDRs``,
  ``setNodeCIDRMaskSizes``; ``k8s.io/utils/net``: ``ParseCIDRs``, ``IsDualStackCIDRs``.

The rules, their upstream origin and the assumptions: docs/pod-cidrs.md.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left, bisect_right
from typing import Any, cast

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import cidr_family
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    go_cidr_string, go_ip_string, ip_text, parse_cidr_sloppy)

ERR_NO_CIDRS_REMAINING = "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"
ERR_NODE_CIDR_TOO_BIG = "New CIDR set failed; the node CIDR size is too big"
ERR_NO_CLUSTER_CIDR = "Controller: Must specify --cluster-cidr if --allocate-node-cidrs is set"
ERR_CLUSTER_CIDR_MASK = ("Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to "
                         "--node-cidr-mask-size configured for CIDR family")

# cidr_set.go clusterSubnetMaxDiff: the uncompressed bitmap limit, enforced for IPv6 only.
CLUSTER_SUBNET_MAX_DIFF = 16
# core.go defaultNodeMaskCIDRIPv4 / defaultNodeMaskCIDRIPv6
DEFAULT_NODE_MASK = {"IPv4": 24, "IPv6": 64}
ADDRESS_BITS = {"IPv4": 32, "IPv6": 128}

RANGE_ALLOCATOR = "RangeAllocator"
CLOUD_ALLOCATOR = "CloudAllocator"


class CIDRAllocatorError(InputError):
    """A configuration or allocation kube-controller-manager refuses; ``str()`` is its own error text."""


# ---------------------------------------------------------------------------------------------
# Parsing, as kube-controller-manager parses its flags
# ---------------------------------------------------------------------------------------------


class V4MappedNetwork(ipaddress.IPv4Network):
    """An IPv4 network written as IPv4-mapped IPv6 (``::ffff:10.244.0.0/112``).

    Go parses it as IPv4 but keeps a 16-byte mask: ``Mask.Size()`` says 112 of 128 bits.
    """

    @property
    def go_mask_size(self):
        return self.prefixlen + 96


def go_mask_size(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> int:
    """``net.IPNet.Mask.Size()`` ones: the prefix length as written."""
    return net.go_mask_size if isinstance(net, V4MappedNetwork) else net.prefixlen


def parse_kcm_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """``ParseCIDRSloppy`` as kube-controller-manager keeps the result: the masked network, a
    :class:`V4MappedNetwork` when written as IPv4-mapped IPv6, or ``None``."""
    parsed = parse_cidr_sloppy(text)
    if parsed is None:
        return None
    net = parsed[1]
    if net.version == 4 and ":" in text.partition("/")[0]:
        net = V4MappedNetwork((int(net.network_address), net.prefixlen))
    return net


def parse_cidrs(entries: list) -> list:
    """``netutils.ParseCIDRs``: the masked networks, or the first entry's parse error."""
    networks = []
    for i, entry in enumerate(entries):
        net = parse_kcm_cidr(entry)
        if net is None:
            raise CIDRAllocatorError("invalid CIDR[%d]: <nil> (invalid CIDR address: %s)" % (i, entry))
        networks.append(net)
    return networks


def is_dual_stack(networks: list) -> bool:
    """``netutils.IsDualStackCIDRs``: at least one network of each family."""
    return len({net.version for net in networks}) == 2


def split_flag_list(value: str | list, what: str) -> list:
    """A comma-list flag given as a string (split like Go's ``strings.Split``) or as a list of strings.

    For a filter or module argument (``what`` not a ``--flag``) an entry with spaces around it is refused in plain
    words: kube-controller-manager's own text for it (``invalid CIDR[1]: <nil> (invalid CIDR address:  fd00::/56)``)
    only makes sense to whoever wrote the flag.
    """
    if isinstance(value, str):
        entries = value.split(",")
        if not what.startswith("--"):
            for i, entry in enumerate(entries):
                if entry.strip() and entry != entry.strip():
                    fixed = ",".join(e.strip() for e in entries)
                    raise InputError("%s: entry %d of %r, %r, has spaces around it: write the list without spaces "
                                     "(%r) or as a YAML list" % (what, i, value, entry, fixed))
        return entries
    for i, entry in enumerate(expect(value, list, what)):
        expect(entry, str, "%s[%d]" % (what, i))
    return list(value)


def cluster_cidrs_from(value: str | list, what: str = "cluster_cidrs") -> list:
    """``validateCIDRs`` (core.go): parse ``--cluster-cidr`` and enforce one or a dual-stack pair."""
    if isinstance(value, str):
        value = value.strip()
    networks = parse_cidrs(split_flag_list(value, what))
    if len(networks) > 1 and not is_dual_stack(networks):
        raise CIDRAllocatorError("len of ClusterCIDRs==%d and they are not configured as dual stack (at least one "
                                 "from each IPFamily" % len(networks))
    if len(networks) > 2:
        raise CIDRAllocatorError("length of clusterCIDRs is:%d more than max allowed of 2" % len(networks))
    return networks


# ---------------------------------------------------------------------------------------------
# Node mask sizes: setNodeCIDRMaskSizes and NewNodeIpamController
# ---------------------------------------------------------------------------------------------


def _mask_value(value, what):
    value = expect(value, int, what)
    if not -(1 << 31) <= value < (1 << 31):  # the flags are int32
        raise InputError("%s must be a prefix length, got %d" % (what, value))
    return value


def set_node_cidr_mask_sizes(cluster: list, mask: int = 0, mask_ipv4: int = 0, mask_ipv6: int = 0) -> list:
    """``setNodeCIDRMaskSizes`` (core.go): one node mask per cluster CIDR from the three flags (0 = unset)."""
    def per_cidr(ipv4, ipv6):
        return [ipv6 if net.version == 6 else ipv4 for net in cluster]

    v4, v6 = DEFAULT_NODE_MASK["IPv4"], DEFAULT_NODE_MASK["IPv6"]
    if len(cluster) > 1:
        if mask:
            raise CIDRAllocatorError("usage of --node-cidr-mask-size is not allowed with dual-stack clusters")
        return per_cidr(mask_ipv4 or v4, mask_ipv6 or v6)
    if mask:
        if mask_ipv4 or mask_ipv6:
            raise CIDRAllocatorError(
                "usage of --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6 is not allowed if "
                "--node-cidr-mask-size is set. For dual-stack clusters please unset it and use IPFamily specific flags")
        return per_cidr(mask, mask)
    single_stack_v6 = bool(cluster) and cluster[0].version == 6
    if mask_ipv4:
        if single_stack_v6:
            raise CIDRAllocatorError("usage of --node-cidr-mask-size-ipv4 is not allowed for a single-stack IPv6 cluster")
        v4 = mask_ipv4
    if mask_ipv6:
        if not single_stack_v6:
            raise CIDRAllocatorError("usage of --node-cidr-mask-size-ipv6 is not allowed for a single-stack IPv4 cluster")
        v6 = mask_ipv6
    return per_cidr(v4, v6)


def node_mask_sizes_from(value: Any, cluster: list, what: str = "node_mask_sizes") -> list:
    """Node masks per cluster CIDR from the filters' ``node_mask_sizes`` argument.

    ``None``: the defaults; an integer: ``--node-cidr-mask-size``; a mapping ``{IPv4: n, IPv6: m}``:
    ``--node-cidr-mask-size-ipv4/-ipv6`` (0 means unset, as for the flags); a list: one mask per
    cluster CIDR, as the allocator receives them.
    """
    if value is None:
        return set_node_cidr_mask_sizes(cluster)
    if isinstance(value, int) and not isinstance(value, bool):
        return set_node_cidr_mask_sizes(cluster, mask=_mask_value(value, what))
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in ADDRESS_BITS)
        if unknown:
            raise InputError("%s keys must be IPv4 and/or IPv6, got %s" % (what, ", ".join(unknown)))
        masks = {family: _mask_value(value.get(family, 0), "%s.%s" % (what, family)) for family in ADDRESS_BITS}
        return set_node_cidr_mask_sizes(cluster, mask_ipv4=masks["IPv4"], mask_ipv6=masks["IPv6"])
    if isinstance(value, list):
        if len(value) != len(cluster):
            raise InputError("%s must hold one mask per cluster CIDR (%d), got %d" % (what, len(cluster), len(value)))
        return [_mask_value(mask, "%s[%d]" % (what, i)) for i, mask in enumerate(value)]
    raise InputError("%s must be an integer, a mapping of IPv4/IPv6 to integers or a list of integers, got %s"
                     % (what, type_name(value)))


def check_node_ipam_controller(cluster: list, masks: list, allocator_type: str = RANGE_ALLOCATOR) -> None:
    """``NewNodeIpamController``: a cluster CIDR is required and must not be smaller than its node mask.

    The cloud allocator does not use cluster CIDRs, so nothing is checked for it.
    """
    if allocator_type == CLOUD_ALLOCATOR:
        return
    if not cluster:
        raise CIDRAllocatorError(ERR_NO_CLUSTER_CIDR)
    for net, mask in zip(cluster, masks):
        if go_mask_size(net) > mask:
            raise CIDRAllocatorError(ERR_CLUSTER_CIDR_MASK)


def check_node_mask_width(cluster: list, masks: list, what: str = "node mask") -> None:
    """A node mask longer than the address cannot name a block (kube-controller-manager does not check this)."""
    for net, mask in zip(cluster, masks):
        family = cast(str, cidr_family(net))  # a parsed network always has one
        if isinstance(net, V4MappedNetwork):
            # NewCIDRSet reads the first 4 of its 16 address bytes: every block is 0.0.0.0/<mask-96>
            raise CIDRAllocatorError("--cluster-cidr %s is written as an IPv4-mapped IPv6 CIDR (mask %d of 128 bits); "
                                     "kube-controller-manager would start but give every node 0.0.0.0/%d; write it as %s"
                                     % (go_cidr_string(net), net.go_mask_size, max(0, mask - 96), go_cidr_string(net)))
        if mask > ADDRESS_BITS[family]:
            raise CIDRAllocatorError("%s %d for %s is longer than an %s address (%d bits); kube-controller-manager "
                                     "would start but fail every allocation" % (what, mask, go_cidr_string(net),
                                                                                family, ADDRESS_BITS[family]))


# ---------------------------------------------------------------------------------------------
# CidrSet
# ---------------------------------------------------------------------------------------------


class _UsedBits(object):
    """The CidrSet's ``used`` bitmap, kept as sorted runs ``[start, end]`` of set bits.

    Same answers as Go's ``big.Int`` bitmap, but occupying a /12 of /32 node blocks is one run,
    not 2^20 bits, and finding the next free index is a binary search.
    """

    __slots__ = ("starts", "ends")

    def __init__(self):
        self.starts = []
        self.ends = []

    def is_set(self, index):
        k = bisect_right(self.starts, index) - 1
        return k >= 0 and self.ends[k] >= index

    def first_clear(self, index):
        """The smallest clear index at or after ``index`` (runs never touch, so one step is enough)."""
        k = bisect_right(self.starts, index) - 1
        if k >= 0 and self.ends[k] >= index:
            return self.ends[k] + 1
        return index

    def set_one(self, index):
        """Set one bit; return 1 if it changed, else 0. (Node allocation sets one bit at a time, next to the last.)"""
        starts, ends = self.starts, self.ends
        k = bisect_right(starts, index) - 1
        if k >= 0 and ends[k] >= index:
            return 0
        left = k >= 0 and ends[k] == index - 1
        right = k + 1 < len(starts) and starts[k + 1] == index + 1
        if left and right:
            ends[k] = ends[k + 1]
            del starts[k + 1]
            del ends[k + 1]
        elif left:
            ends[k] = index
        elif right:
            starts[k + 1] = index
        else:
            starts.insert(k + 1, index)
            ends.insert(k + 1, index)
        return 1

    def set_range(self, begin, end):
        """Set ``[begin, end]``; return how many bits changed."""
        lo = bisect_left(self.ends, begin - 1)  # first run ending at or after begin-1 (touching)
        hi = bisect_right(self.starts, end + 1)  # runs starting at or before end+1 (touching)
        changed = end - begin + 1 - sum(max(0, min(e, end) - max(s, begin) + 1)
                                        for s, e in zip(self.starts[lo:hi], self.ends[lo:hi]))
        if lo < hi:
            begin, end = min(begin, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [begin]
        self.ends[lo:hi] = [end]
        return changed

    def clear_range(self, begin, end):
        """Clear ``[begin, end]``; return how many bits changed."""
        lo = bisect_left(self.ends, begin)  # first run ending at or after begin
        hi = bisect_right(self.starts, end)  # runs starting at or before end
        cleared, starts, ends = 0, [], []
        for s, e in zip(self.starts[lo:hi], self.ends[lo:hi]):
            cleared += min(e, end) - max(s, begin) + 1
            if s < begin:
                starts.append(s)
                ends.append(begin - 1)
            if e > end:
                starts.append(end + 1)
                ends.append(e)
        self.starts[lo:hi] = starts
        self.ends[lo:hi] = ends
        return cleared


def _same_family_overlap(a, b):
    """Go's ``a.Contains(b.IP.Mask(a.Mask)) || b.Contains(a.IP.Mask(b.Mask))``: false across families."""
    return a.version == b.version and a.overlaps(b)


class CidrSet(object):
    """``cidrset.CidrSet``: the node blocks of one cluster CIDR, handed out in a fixed order."""

    def __init__(self, cluster_cidr, node_mask):
        """``NewCIDRSet``: ``cluster_cidr`` is a parsed (masked) network, ``node_mask`` the node prefix length."""
        diff = node_mask - cluster_cidr.prefixlen
        if cluster_cidr.version == 6 and diff > CLUSTER_SUBNET_MAX_DIFF:
            raise CIDRAllocatorError(ERR_NODE_CIDR_TOO_BIG)
        self.cluster_cidr = cluster_cidr
        self.node_mask = node_mask
        self._bits = cluster_cidr.max_prefixlen
        self._base = int(cluster_cidr.network_address)
        # Go computes 1 << uint32(diff) in an int: a negative difference shifts everything out.
        self.max_cidrs = 1 << diff if 0 <= diff < 63 else 0
        self.allocated = 0
        self.next_candidate = 0
        self._used = _UsedBits()

    def index_to_cidr(self, index):
        """``indexToCIDRBlock``: the cluster network with ``index`` written into the node bits."""
        value = self._base | (index << (self._bits - self.node_mask))
        return type(self.cluster_cidr)((value, self.node_mask))

    def cidr_text(self, index):
        """``go_cidr_string(index_to_cidr(index))``, from integers."""
        return "%s/%d" % (ip_text(self._base | (index << (self._bits - self.node_mask)), self.cluster_cidr.version), self.node_mask)

    def index_of(self, address):
        """``getIndexForIP``: which node block ``address`` falls in."""
        # Go compares with uint32(maxCIDRs) for IPv4: a 32-bit difference (1<<32) truncates to 0
        limit = self.max_cidrs & 0xFFFFFFFF if self.cluster_cidr.version == 4 else self.max_cidrs
        if address.version != self.cluster_cidr.version:
            index = limit  # Go mixes 4- and 16-byte forms here; the result is never in range
        else:
            index = (self._base ^ int(address)) >> (self._bits - self.node_mask)
            if address.version == 6:
                index &= (1 << 64) - 1  # big.Int.Uint64() keeps the low 64 bits only
        if index >= limit:
            raise CIDRAllocatorError("CIDR: %s/%d is out of the range of CIDR allocator"
                                     % (go_ip_string(address), self.node_mask))
        return index

    def _index_range(self, cidr):
        """``getBeginningAndEndIndices``: the node blocks ``cidr`` touches (a smaller CIDR takes its whole block)."""
        if not _same_family_overlap(self.cluster_cidr, cidr):
            raise CIDRAllocatorError("cidr %s is out the range of cluster cidr %s"
                                     % (go_cidr_string(cidr), go_cidr_string(self.cluster_cidr)))
        if go_mask_size(cidr) <= self.cluster_cidr.prefixlen:
            return 0, self.max_cidrs - 1
        host = (1 << (self._bits - self.node_mask)) - 1
        first = type(cidr.network_address)(int(cidr.network_address) & ~host)
        last = type(cidr.network_address)(int(cidr.broadcast_address) & ~host)
        if isinstance(cidr, V4MappedNetwork):
            # Go reads the last address from the first 4 of its 16 IP and mask bytes: 0 | ^0xFFFFFFFF
            last = type(first)(0)
        return self.index_of(first), self.index_of(last)

    def allocate_next_index(self):
        """``AllocateNext``: the index of the first free block at or after the one following the last allocation,
        wrapping."""
        if self.allocated == self.max_cidrs:
            raise CIDRAllocatorError(ERR_NO_CIDRS_REMAINING)
        candidate = self._used.first_clear(self.next_candidate)
        if candidate >= self.max_cidrs:
            candidate = self._used.first_clear(0)
        self.next_candidate = (candidate + 1) % self.max_cidrs
        self.allocated += self._used.set_one(candidate)
        return candidate

    def allocate_next(self):
        """``AllocateNext`` as a network."""
        return self.index_to_cidr(self.allocate_next_index())

    def occupy(self, cidr):
        """``Occupy``: mark every block ``cidr`` touches as used; only newly used blocks are counted."""
        begin, end = self._index_range(cidr)
        if begin <= end:  # Go's loop runs from begin to end
            self.allocated += self._used.set_range(begin, end)

    def release(self, cidr):
        """``Release``: free every block ``cidr`` touches; only blocks that were used are counted."""
        begin, end = self._index_range(cidr)
        if begin <= end:
            self.allocated -= self._used.clear_range(begin, end)

    def used_runs(self):
        """The used block indexes as ``[(first, last), ...]``."""
        return list(zip(self._used.starts, self._used.ends))


# ---------------------------------------------------------------------------------------------
# RangeAllocator
# ---------------------------------------------------------------------------------------------


class RangeAllocator(object):
    """``rangeAllocator``: one CidrSet per cluster CIDR, index-aligned with ``--cluster-cidr``."""

    def __init__(self, cluster, masks, service_cidrs=()):
        """``NewCIDRRangeAllocator`` up to the node list: sets created, service ranges filtered out."""
        self.cluster = cluster
        self.sets = [CidrSet(net, mask) for net, mask in zip(cluster, masks)]
        for service in service_cidrs:
            self._filter_out_service_range(service)

    def _filter_out_service_range(self, service):
        """``filterOutServiceRange``: node blocks overlapping a service range are never handed out.

        kube-controller-manager only logs an ``Occupy`` error here; the blocks then stay free.
        """
        for net, cidr_set in zip(self.cluster, self.sets):
            if _same_family_overlap(net, service):
                try:
                    cidr_set.occupy(service)
                except CIDRAllocatorError:
                    pass

    def occupy_node(self, name, pod_cidrs, pod_cidr=""):
        """``occupyCIDRs``: an existing node's podCIDRs are marked used; garbage or out of range is fatal.

        ``pod_cidr`` is the node's ``spec.podCIDR``, which Go prints in the parse error.
        """
        for idx, text in enumerate(pod_cidrs):
            parsed = parse_kcm_cidr(text)
            if parsed is None:
                raise CIDRAllocatorError("failed to parse node %s, CIDR %s" % (name, pod_cidr))
            if idx >= len(self.sets):
                raise CIDRAllocatorError("node:%s has an allocated cidr: %s at index:%d that does not exist in cluster "
                                         "cidrs configuration" % (name, text, idx))
            try:
                self.sets[idx].occupy(parsed)
            except CIDRAllocatorError as err:
                raise CIDRAllocatorError("failed to mark cidr[%s] at idx [%d] as occupied for node: %s: %s"
                                         % (go_cidr_string(parsed), idx, name, err)) from None

    def allocate_node(self, name):
        """``AllocateOrOccupyCIDR`` for a node without podCIDRs: the next block of every cluster CIDR, in order, as
        ``net.IPNet.String()`` writes them into ``spec.podCIDRs``.

        A failure reads as kube-controller-manager logs it from ``syncNode``.
        """
        cidrs = []
        for idx, cidr_set in enumerate(self.sets):
            try:
                cidrs.append(cidr_set.cidr_text(cidr_set.allocate_next_index()))
            except CIDRAllocatorError as err:
                raise RangeExhausted(name, cidr_set, "error syncing '%s': failed to allocate cidr from cluster cidr at "
                                     "idx:%d: %s, requeuing" % (name, idx, err)) from None
        return cidrs


class RangeExhausted(CIDRAllocatorError):
    """No block of a cluster CIDR is left for a node: ``str()`` is kube-controller-manager's log line, ``plain()`` the
    same in plain words (for filter and module users, who never see that log)."""

    def __init__(self, node, cidr_set, message):
        super().__init__(message)
        self.node, self.cidr_set = node, cidr_set

    def plain(self):
        cidr_set = self.cidr_set
        return ("no podCIDR is left for node %r in cluster CIDR %s: it holds %d blocks of /%d and the nodes before it "
                "(and the service range inside it, if any) took them all; give a larger cluster CIDR or a longer node "
                "mask size (kube-controller-manager would log: %s)"
                % (self.node, go_cidr_string(cidr_set.cluster_cidr), cidr_set.max_cidrs, cidr_set.node_mask, self))


# ---------------------------------------------------------------------------------------------
# The service ranges kube-controller-manager keeps out of node podCIDRs
# ---------------------------------------------------------------------------------------------


def kcm_service_cidrs(value: str | list | None, what: str = "service_cidrs") -> tuple[list, list]:
    """kube-controller-manager's ``--service-cluster-ip-range``: ``(networks, unparsable entries)``.

    ``NodeIPAMControllerOptions.Validate`` allows two entries; ``ApplyTo`` keeps the first two;
    ``newNodeIpamController`` only logs an entry it cannot parse and rejects a same-family pair.
    """
    if value is None:
        return [], []
    entries = split_flag_list(value, what)
    if len(entries) > 2:
        raise CIDRAllocatorError("--service-cluster-ip-range can not contain more than two entries")
    networks, unparsable = [], []
    for entry in entries:
        if not entry.strip():
            continue
        parsed = parse_kcm_cidr(entry)
        if parsed is None:
            unparsable.append(entry)
        else:
            networks.append(parsed)
    if len(networks) == 2 and not is_dual_stack(networks):
        raise CIDRAllocatorError("serviceCIDR and secondaryServiceCIDR are not dualstack (from different IPfamiles)")
    return networks, unparsable


# ---------------------------------------------------------------------------------------------
# node_pod_cidrs
# ---------------------------------------------------------------------------------------------


def _node_entry(node, i):
    """``(name, podCIDRs, podCIDR)`` of a node name or Node object."""
    what = "nodes[%d]" % i
    if isinstance(node, str):
        name, pod_cidrs, pod_cidr = node, [], ""
    else:
        expect(node, dict, what)
        meta = optional(node.get("metadata"), dict, what + ".metadata", {})
        name = expect(meta.get("name"), str, what + ".metadata.name")
        spec = optional(node.get("spec"), dict, what + ".spec", {})
        pod_cidrs = optional(spec.get("podCIDRs"), list, what + ".spec.podCIDRs", [])
        for j, cidr in enumerate(pod_cidrs):
            expect(cidr, str, "%s.spec.podCIDRs[%d]" % (what, j))
        pod_cidr = optional(spec.get("podCIDR"), str, what + ".spec.podCIDR", "")
        if not pod_cidrs and pod_cidr:
            pod_cidrs = [pod_cidr]  # v1 conversion fills podCIDRs from the legacy field
    if not name:
        raise InputError("%s: a node needs a non-empty name" % what)
    return name, pod_cidrs, pod_cidr or (pod_cidrs[0] if pod_cidrs else "")


def node_ipam_config(cluster_cidrs: str | list, node_mask_sizes: Any = None) -> tuple[list, list]:
    """``(cluster networks, node masks)`` as kube-controller-manager derives and checks them.

    ``validateCIDRs``, ``setNodeCIDRMaskSizes`` (``node_mask_sizes`` as :func:`node_mask_sizes_from`
    takes it) and ``NewNodeIpamController``; raises ``CIDRAllocatorError`` with its message.
    """
    cluster = cluster_cidrs_from(cluster_cidrs)
    masks = node_mask_sizes_from(node_mask_sizes, cluster)
    check_node_ipam_controller(cluster, masks)
    check_node_mask_width(cluster, masks)
    return cluster, masks


def allocator_config(cluster_cidrs: str | list, node_mask_sizes: Any = None,
                     service_cidrs: str | list | None = None) -> tuple[list, list, list]:
    """``(cluster networks, node masks, service networks)`` kube-controller-manager would start with.

    Raises ``InputError`` naming the arguments, with kube-controller-manager's own message.
    """
    try:
        cluster, masks = node_ipam_config(cluster_cidrs, node_mask_sizes)
        services, unparsable = kcm_service_cidrs(service_cidrs)
    except CIDRAllocatorError as err:
        raise InputError("kube-controller-manager rejects cluster_cidrs=%r, node_mask_sizes=%r, service_cidrs=%r: %s"
                         % (cluster_cidrs, node_mask_sizes, service_cidrs, err)) from None
    if unparsable:
        raise InputError("service_cidrs entry %r is not a CIDR (e.g. 10.96.0.0/12); kube-controller-manager would only "
                         "log it and hand out node podCIDRs inside the service range" % unparsable[0])
    return cluster, masks, services


def node_pod_cidrs(nodes: list, cluster_cidrs: str | list, node_mask_sizes: Any = None,
                   service_cidrs: str | list | None = None) -> dict:
    """The ``spec.podCIDRs`` kube-controller-manager gives each node: ``{name: [cidr per cluster CIDR]}``.

    ``nodes`` are names or Node objects, in the order they register; nodes that already have
    podCIDRs keep them and their blocks are occupied first, then the others are allocated in order.
    """
    cluster, masks, services = allocator_config(cluster_cidrs, node_mask_sizes, service_cidrs)
    try:
        allocator = RangeAllocator(cluster, masks, services)
    except CIDRAllocatorError as err:
        raise InputError("kube-controller-manager rejects cluster_cidrs=%r, node_mask_sizes=%r: %s"
                         % (cluster_cidrs, node_mask_sizes, err)) from None
    # A name is the common case: it needs no entry, so the loop allocates only what it returns (fewer objects for
    # the cyclic collector to walk keeps large node lists linear).
    order, existing = [], {}
    for i, node in enumerate(expect(nodes, list, "nodes")):
        if node and isinstance(node, str):
            order.append(node)
            continue
        name, pod_cidrs, pod_cidr = _node_entry(node, i)
        order.append(name)
        if pod_cidrs:
            existing[name] = (pod_cidrs, pod_cidr)
    if len(set(order)) != len(order):
        seen = set()
        for name in order:
            if name in seen:
                raise InputError("nodes: node %r is listed twice; node names are unique" % name)
            seen.add(name)
    # kube-controller-manager occupies them from its start-up node list, which the apiserver returns
    # in name order (the storage key order)
    for name in sorted(existing, key=lambda name: name.encode("utf-8", "surrogatepass")):
        allocator.occupy_node(name, *existing[name])
    result = {}
    try:
        for name in order:
            kept = existing.get(name)
            result[name] = list(kept[0]) if kept else allocator.allocate_node(name)
    except RangeExhausted as err:
        raise InputError(err.plain()) from None
    return result

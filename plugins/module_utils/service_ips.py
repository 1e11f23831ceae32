# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""kube-apiserver's Service IP families and ClusterIP allocation, reproduced offline.

Pure Python, no Ansible imports. Sources (kubernetes/kubernetes):

* ``pkg/registry/core/service/storage/storage.go``: ``beginCreate``, ``beginUpdate``,
  ``normalizeClusterIPs``, ``patchAllocatedValues``, ``defaultOnReadService``;
* ``pkg/registry/core/service/storage/alloc.go``: ``initIPFamilyFields``, ``allocClusterIPs``,
  ``allocIPs``, ``updateClusterIPs`` and their helpers;
* ``pkg/registry/core/service/strategy.go``: ``dropTypeDependentFields``;
* ``pkg/apis/core/validation/validation.go``: ``ValidateService``,
  ``ValidateServiceClusterIPsRelatedFields``, ``validateUpgradeDowngradeClusterIPs/IPFamilies``;
* ``pkg/registry/core/service/ipallocator/``: ``ipallocator.go`` (the IPAddress allocator),
  ``cidrallocator.go`` (``MetaAllocator``), ``bitmap.go`` (``calculateRangeOffset``, the legacy
  bitmap), ``interfaces.go`` (error texts); ``k8s.io/utils/net`` ``RangeSize``;
* ``pkg/controlplane/apiserver/options``: ``ServiceIPRange``.

The allocator modelled is the one kube-apiserver uses since 1.34 (``MultiCIDRServiceAllocator``
and ``DisableAllocatorDualWrite`` on): IPAddress objects, one allocator per service CIDR. Where
the apiserver picks at random, this module picks the lowest free address of the dynamic band,
then of the static band, which is the apiserver's own fallback order.

The rules, their upstream origin and the assumptions: docs/service-ips.md.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.clusternet.k8s.plugins.module_utils import ports, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import (
    aggregate, duplicate, forbidden, go_cidr_string, go_json_value, go_netip_string, go_quote, go_string_slice, index, invalid,
    ip_text, ip_value_sloppy, is_valid_ip_for_legacy_field, not_supported, parse_cidr_sloppy, required,
    validate_dns1123_subdomain)

IPV4 = "IPv4"
IPV6 = "IPv6"
SINGLE_STACK = "SingleStack"
PREFER_DUAL_STACK = "PreferDualStack"
REQUIRE_DUAL_STACK = "RequireDualStack"
CLUSTER_IP_NONE = "None"
CLUSTER_IP = "ClusterIP"
NODE_PORT = "NodePort"
LOAD_BALANCER = "LoadBalancer"
EXTERNAL_NAME = "ExternalName"

# sets.List order (sorted), as the NotSupported messages print them
SERVICE_TYPES = (CLUSTER_IP, EXTERNAL_NAME, LOAD_BALANCER, NODE_PORT)
IP_FAMILIES = (IPV4, IPV6)
IP_FAMILY_POLICIES = (PREFER_DUAL_STACK, REQUIRE_DUAL_STACK, SINGLE_STACK)

CLUSTER_IPS = "spec.clusterIPs"
IP_FAMILIES_FIELD = "spec.ipFamilies"
IP_FAMILY_POLICY = "spec.ipFamilyPolicy"

MAX_INT64 = (1 << 63) - 1
MAX_UINT64 = (1 << 64) - 1
LEGACY_BITMAP_MAX = 1 << 16
MIN_PRIMARY_RANGE = 8

# ---------------------------------------------------------------------------------------------
# ClusterIP ranges (docs/service-ips.md#range-size, docs/service-ips.md#static-band): sizes and bands by
# arithmetic, never by walking a range.
# ---------------------------------------------------------------------------------------------


def range_size(prefixlen, width):
    """``netutils.RangeSize``: ``2^hostbits``, but 0 for /0 and /1 and MaxInt64 from 63 host bits."""
    host_bits = width - prefixlen
    if host_bits >= width - 1:
        return 0
    if host_bits >= 63:
        return MAX_INT64
    return 1 << host_bits


def range_offset(size):
    """``calculateRangeOffset`` (bitmap.go, KEP-3070): how many addresses the static band holds.

    ``size`` is ``RangeSize`` of the CIDR, not the allocatable count.
    """
    if size <= 16:
        return 0
    return min(max(size // 16, 16), 256)


def hosts_per_network(host_bits, family):
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

    __slots__ = ("cidr", "family", "version", "network", "broadcast", "first", "last", "size", "offset", "range_size")

    def __init__(self, net):
        self.cidr = go_cidr_string(net)
        self.family = IPV4 if net.version == 4 else IPV6
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

    @property
    def dynamic_first(self):
        return self.first + self.offset

    def text(self, value):
        """An address as kube-apiserver writes it into a Service (``net.IP.String()``)."""
        return ip_text(value, self.version)

    def text_family(self, value):
        """The family of :meth:`text`: Go reads an IPv4-mapped address of an IPv6 range back as IPv4."""
        return IPV4 if self.version == 4 or value >> 32 == 0xFFFF else IPV6

    def allocator_text(self, value):
        """An address as the IPAddress allocator names it (``netip.Addr.String()``)."""
        return go_netip_string(_address(self.family, value))

    def _band(self, first, count, text=None):
        if count <= 0:
            return None
        text = text or self.allocator_text
        return {"first": text(first), "last": text(first + count - 1), "size": count}

    def kubernetes_service_ip(self):
        """``ServiceIPRange``: ``default/kubernetes`` gets the first address of the primary range,
        which must hold ``min(RangeSize, 65536) >= 8`` addresses; ``None`` when it does not."""
        if min(self.range_size, LEGACY_BITMAP_MAX) < MIN_PRIMARY_RANGE:
            return None
        return self.text(self.first)

    def legacy_bitmap(self):
        """The bitmap allocator of kube-apiserver before 1.33 (``ipallocator.New``, bitmap.go).

        It never uses more than the first 65535 addresses of an IPv6 range.
        """
        count = self.range_size
        count = min(count, LEGACY_BITMAP_MAX) if self.family == IPV6 else count - 1
        count = max(0, count - 1)
        return self._band(self.first, count, self.text) or {"first": None, "last": None, "size": 0}

    def info(self):
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


def parse_service_cidr(text, what):
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


def service_cidr_info(cidr):
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


# ---------------------------------------------------------------------------------------------
# The apiserver's answer: a Service, or its error as text and as data.
# ---------------------------------------------------------------------------------------------


class ServiceIPError(InputError):
    """kube-apiserver refusing a Service: ``str()`` is its message, the attributes are the Status.

    ``code`` (422 or 500), ``reason`` (``Invalid`` or ``InternalError``), ``message``, ``stage``
    (the upstream function that refused: ``initIPFamilyFields``, ``allocIPs``,
    ``ValidateServiceCreate`` or ``ValidateServiceUpdate``) and ``causes`` (field errors).
    """

    def __init__(self, code, reason, message, stage, causes=(), where=None):
        self.code = code
        self.reason = reason
        self.message = message
        self.stage = stage
        self.causes = list(causes)
        self.where = where
        super().__init__("%s: %s" % (where, message) if where else message)

    def at(self, where):
        """The same error, said of one Service of a list."""
        return ServiceIPError(self.code, self.reason, self.message, self.stage, self.causes, where)

    def as_dict(self):
        causes = [dict(error.as_dict(), message=str(error)) for error in self.causes]
        return {"code": self.code, "reason": self.reason, "message": self.message, "stage": self.stage,
                "causes": causes}


def _invalid_error(svc, errors, stage):
    """``errors.NewInvalid``: the message drops repeated errors as ``ErrorList.ToAggregate`` does."""
    message = "Service %s is invalid: %s" % (go_quote(svc.name), aggregate(list(dict.fromkeys(errors))))
    return ServiceIPError(422, "Invalid", message, stage, errors)


def _internal_error(text, stage):
    """``errors.NewInternalError``."""
    return ServiceIPError(500, "InternalError", "Internal error occurred: " + text, stage)


def _refuse_if(svc, errors, stage):
    if errors:
        raise _invalid_error(svc, errors, stage)


# ---------------------------------------------------------------------------------------------
# The Service as the apiserver holds it
# ---------------------------------------------------------------------------------------------


class _Service(object):
    """The IP-related fields of a Service; ``policy`` ``None`` is an unset ``ipFamilyPolicy``; ``spec`` is the
    object's spec as given (its ports are validated); ``produced`` maps the addresses the allocator wrote into it to
    their family (valid by construction: never parsed again)."""

    __slots__ = ("name", "type", "cluster_ip", "cluster_ips", "ip_families", "policy", "has_selector", "external_name",
                 "spec", "produced")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields[name])


def _string_list(value, what):
    if value is None:
        return []
    if type(value) is not list:  # pylint: disable=unidiomatic-typecheck
        expect(value, list, what)
    for i, item in enumerate(value):
        if type(item) is not str:  # pylint: disable=unidiomatic-typecheck
            expect(item, str, index(what, i))
    return list(value)


def _read_service(obj, what):
    """A Service (manifest or API form), type-checked, with ``SetDefaults_Service``'s type default.

    Written for speed (a plan may hold thousands of Services): each field is ``default if None, the value if it
    has the type, else expect()'s error``, with the field's name joined only for the error."""
    expect(obj, dict, what or "service")
    top = what + "." if what else ""
    kind = obj.get("kind")
    if kind is not None and kind != "Service":
        expect(kind, str, top + "kind")
        raise InputError("%skind must be Service, got %s" % (top, go_quote(kind)))
    meta, spec = obj.get("metadata"), obj.get("spec")
    meta = {} if meta is None else meta if type(meta) is dict else expect(meta, dict, top + "metadata")  # noqa: E721 pylint: disable=unidiomatic-typecheck
    spec = {} if spec is None else spec if type(spec) is dict else expect(spec, dict, top + "spec")  # noqa: E721 pylint: disable=unidiomatic-typecheck
    path = top + "spec."
    get = spec.get
    svc = _Service.__new__(_Service)
    value = meta.get("name")
    svc.name = "" if value is None else value if type(value) is str else expect(value, str, top + "metadata.name")  # noqa: E721 pylint: disable=unidiomatic-typecheck
    value = get("type")
    svc.type = (value if type(value) is str else "" if value is None else expect(value, str, path + "type")) or CLUSTER_IP  # noqa: E721 pylint: disable=unidiomatic-typecheck
    value = get("clusterIP")
    svc.cluster_ip = "" if value is None else value if type(value) is str else expect(value, str, path + "clusterIP")  # noqa: E721 pylint: disable=unidiomatic-typecheck
    svc.cluster_ips = _string_list(get("clusterIPs"), path + "clusterIPs")
    svc.ip_families = _string_list(get("ipFamilies"), path + "ipFamilies")
    value = get("ipFamilyPolicy")
    svc.policy = value if value is None or type(value) is str else expect(value, str, path + "ipFamilyPolicy")  # noqa: E721 pylint: disable=unidiomatic-typecheck
    value = get("selector")
    svc.has_selector = bool(value if value is None or type(value) is dict else expect(value, dict, path + "selector"))  # noqa: E721 pylint: disable=unidiomatic-typecheck
    value = get("externalName")
    svc.external_name = "" if value is None else value if type(value) is str else expect(value, str, path + "externalName")  # noqa: E721 pylint: disable=unidiomatic-typecheck
    svc.spec = spec
    svc.produced = {}
    return svc


def _other_family(family):
    return IPV6 if family == IPV4 else IPV4


def _family_of(ip, produced):
    """``familyOf`` (alloc.go): an IPv4-mapped IPv6 address counts as IPv4, as in Go. ``produced``: the
    addresses the allocator wrote, whose family is known."""
    family = produced.get(ip)
    if family is not None:
        return family
    parsed = ip_value_sloppy(ip)
    return "unknown" if parsed is None else IPV4 if parsed[1] == 4 else IPV6


def _is_ipv6_string(ip, produced):
    """``netutils.IsIPv6String``."""
    return _family_of(ip, produced) == IPV6


def _is_headless(svc):
    """``isHeadlessService`` (validation.go): by ``clusterIPs``."""
    return len(svc.cluster_ips) == 1 and svc.cluster_ips[0] == CLUSTER_IP_NONE


def _is_headless_selectorless(svc):
    """The special case of ``initIPFamilyFields`` and ``defaultOnReadIPFamilies``: by ``clusterIP``."""
    return svc.cluster_ip == CLUSTER_IP_NONE and not svc.has_selector


def _normalize_cluster_ips(new, old):
    """``normalizeClusterIPs`` (storage.go): keep ``clusterIP`` and ``clusterIPs`` in step for old clients."""
    if old is None:
        # a client that knows only clusterIP; clusterIP is never filled from clusterIPs
        if new.cluster_ip and not new.cluster_ips:
            new.cluster_ips = [new.cluster_ip]
        return
    if old.cluster_ips and not new.cluster_ips and old.cluster_ip == new.cluster_ip:
        new.cluster_ips = list(old.cluster_ips)
    if old.cluster_ip != new.cluster_ip and new.cluster_ips == old.cluster_ips:
        new.cluster_ips = [new.cluster_ip] if new.cluster_ip else []


def _patch_allocated_values(new, old):
    """``patchAllocatedValues`` (storage.go): resubmitting a manifest keeps the allocated addresses."""
    if old.type != EXTERNAL_NAME and new.type != EXTERNAL_NAME:
        new.cluster_ip = new.cluster_ip or old.cluster_ip
        if not new.cluster_ips and old.cluster_ips:
            new.cluster_ips = list(old.cluster_ips)


def _default_on_read(svc, primary):
    """``defaultOnReadService`` (storage.go): a Service stored before dual-stack gets families and a policy."""
    _normalize_cluster_ips(svc, None)
    if svc.type == EXTERNAL_NAME or svc.ip_families:
        return
    if svc.cluster_ip == CLUSTER_IP_NONE:
        if svc.has_selector:
            svc.policy, svc.ip_families = SINGLE_STACK, [primary]
        else:
            svc.policy, svc.ip_families = REQUIRE_DUAL_STACK, [primary, _other_family(primary)]
        return
    svc.ip_families = [IPV6 if _is_ipv6_string(ip, svc.produced) else IPV4 for ip in svc.cluster_ips]
    if len(svc.ip_families) == 1:
        svc.policy = SINGLE_STACK
    elif len(svc.ip_families) == 2:
        svc.policy = REQUIRE_DUAL_STACK


# ---------------------------------------------------------------------------------------------
# Validation (validation.go)
# ---------------------------------------------------------------------------------------------


def _cluster_ip_sync_errors(svc):
    """``clusterIPs[0]`` must be ``clusterIP``, and ``clusterIPs`` empty when ``clusterIP`` is."""
    if svc.cluster_ip:
        if not svc.cluster_ips:
            return [required(CLUSTER_IPS)]
        if svc.cluster_ips[0] != svc.cluster_ip:
            return [invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "first value must match `clusterIP`")]
    elif svc.cluster_ips:
        return [invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "must be empty when `clusterIP` is not specified")]
    return []


def _ip_families_errors(svc):
    families = svc.ip_families
    if not families or (len(families) == 1 and families[0] in IP_FAMILIES):
        return []
    errors = []
    seen = set()
    for i, family in enumerate(families):
        if family not in IP_FAMILIES:
            errors.append(not_supported(index(IP_FAMILIES_FIELD, i), go_json_value(family), IP_FAMILIES))
        if family in seen:
            errors.append(duplicate(index(IP_FAMILIES_FIELD, i), go_json_value(family)))
        seen.add(family)
    return errors


def _cluster_ips_errors(svc, old):
    """Each entry an IP by ``IsValidIPForLegacyField`` (never a canonical-form check), with the
    StrictIPCIDRValidation default of Kubernetes 1.36; the stored Service's own addresses are
    accepted again (KEP-4858 ratcheting). ``None`` only alone at index 0."""
    if not svc.cluster_ips:
        return []
    valid_old = old.cluster_ips if old is not None else ()
    errors = []
    for i, ip in enumerate(svc.cluster_ips):
        if ip in svc.produced:
            continue
        if i == 0 and ip == CLUSTER_IP_NONE:
            if len(svc.cluster_ips) > 1:
                errors.append(invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "'None' must be the first and only value"))
            continue
        errors += is_valid_ip_for_legacy_field(index(CLUSTER_IPS, i), ip, releases.enabled("StrictIPCIDRValidation"), valid_old)
    return errors


def _family_match_errors(svc):
    """Each ``clusterIPs[i]`` of the family ``ipFamilies[i]`` names (headless services excepted)."""
    if not svc.cluster_ips or _is_headless(svc):
        return []
    errors = []
    for i, (ip, family) in enumerate(zip(svc.cluster_ips, svc.ip_families)):
        if family == IPV4 and _is_ipv6_string(ip, svc.produced):
            errors.append(invalid(index(CLUSTER_IPS, i), ip, "expected an IPv4 value as indicated by `ipFamilies[%d]`" % i))
        if family == IPV6 and not _is_ipv6_string(ip, svc.produced):
            errors.append(invalid(index(CLUSTER_IPS, i), ip, "expected an IPv6 value as indicated by `ipFamilies[%d]`" % i))
    return errors


def _validate_cluster_ips_related_fields(svc, old=None):
    """``ValidateServiceClusterIPsRelatedFields`` (validation.go); ``old`` is the stored Service on update."""
    if svc.type == EXTERNAL_NAME:
        return []
    errors = _cluster_ip_sync_errors(svc) + _ip_families_errors(svc)
    if svc.policy is not None and svc.policy not in IP_FAMILY_POLICIES:
        errors.append(not_supported(IP_FAMILY_POLICY, go_json_value(svc.policy), IP_FAMILY_POLICIES))
    ip_errors = _cluster_ips_errors(svc, old)
    errors += ip_errors
    if len(svc.cluster_ips) > 2:
        errors.append(invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "may only hold up to 2 values"))
    if ip_errors:
        # bad entries would skew the checks below
        return errors
    if len(svc.cluster_ips) > 1 and {_family_of(ip, svc.produced) for ip in svc.cluster_ips} != {IPV4, IPV6}:
        errors.append(invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "may specify no more than one IP for each IP family"))
    return errors + _family_match_errors(svc)


def _external_name_errors(svc):
    """``ValidateService``, type ExternalName: no IP fields, and a DNS name."""
    errors = []
    for field, is_set in ((CLUSTER_IPS, svc.cluster_ips), (IP_FAMILIES_FIELD, svc.ip_families),
                          (IP_FAMILY_POLICY, svc.policy is not None)):
        if is_set:
            errors.append(forbidden(field, "may not be set for ExternalName services"))
    # a trailing dot marks the name fully qualified
    cname = svc.external_name[:-1] if svc.external_name.endswith(".") else svc.external_name
    if cname:
        return errors + validate_dns1123_subdomain(cname, "spec.externalName")
    return errors + [required("spec.externalName")]


def _validate_service(svc, old=None, spec=None):
    """The rules of ``ValidateService`` (validation.go) about type, cluster IPs and IP families; with
    ``spec`` (the object's spec) also about its ports."""
    errors = []
    if spec is not None and not (spec.get("ports") or []) and not _is_headless(svc) and svc.type != EXTERNAL_NAME:
        errors.append(required("spec.ports"))
    if svc.type in (LOAD_BALANCER, NODE_PORT) and _is_headless(svc):
        errors.append(invalid(index(CLUSTER_IPS, 0), svc.cluster_ips[0], "may not be set to 'None' for %s services" % svc.type))
    elif svc.type == EXTERNAL_NAME:
        errors += _external_name_errors(svc)
    if spec is not None:
        errors += ports.validate_service_ports(spec, "spec")
    errors += _validate_cluster_ips_related_fields(svc, old)
    if svc.type not in SERVICE_TYPES:
        errors.append(not_supported("spec.type", go_json_value(svc.type), SERVICE_TYPES))
    if spec is not None:
        errors += ports.service_port_duplicates(spec, "spec")
    return errors


def _validate_upgrade_downgrade_cluster_ips(old, new):
    """``validateUpgradeDowngradeClusterIPs``: the primary cluster IP never changes; dropping the
    secondary needs SingleStack."""
    if EXTERNAL_NAME in (old.type, new.type) or (_is_headless(old) and _is_headless(new)):
        return []
    value = go_string_slice(new.cluster_ips)
    if len(old.cluster_ips) == len(new.cluster_ips):
        return [invalid(index(CLUSTER_IPS, i), value, "may not change once set")
                for i, ip in enumerate(old.cluster_ips) if ip != new.cluster_ips[i]]
    errors = []
    primary_changed = old.cluster_ips and new.cluster_ips and old.cluster_ips[0] != new.cluster_ips[0]
    if len(old.cluster_ips) > len(new.cluster_ips):
        if not new.cluster_ips:
            errors.append(invalid(index(CLUSTER_IPS, 0), value, "primary clusterIP can not be unset"))
        if primary_changed:
            errors.append(invalid(index(CLUSTER_IPS, 0), value, "may not change once set"))
        if len(new.cluster_ips) == 1 and new.policy != SINGLE_STACK:
            errors.append(invalid(IP_FAMILY_POLICY, go_json_value(new.policy), "must be set to 'SingleStack' when releasing the secondary clusterIP"))
    elif primary_changed:
        errors.append(invalid(index(CLUSTER_IPS, 0), value, "may not change once set"))
    return errors


def _validate_upgrade_downgrade_ip_families(old, new):
    """``validateUpgradeDowngradeIPFamilies``. Upstream quirks kept: a change at any index is
    reported at ``ipFamilies[0]``; "can not be unset" tests ``clusterIPs``; some values are the
    cluster IPs."""
    if EXTERNAL_NAME in (old.type, new.type) or _is_headless(old) or _is_headless(new):
        return []
    families = go_string_slice(new.ip_families)
    cluster_ips = go_string_slice(new.cluster_ips)
    field = index(IP_FAMILIES_FIELD, 0)
    if len(old.ip_families) == len(new.ip_families):
        return [invalid(field, families, "may not change once set")
                for i, family in enumerate(old.ip_families) if family != new.ip_families[i]]
    errors = []
    primary_changed = old.ip_families and new.ip_families and old.ip_families[0] != new.ip_families[0]
    if len(old.ip_families) > len(new.ip_families):
        if not new.cluster_ips:
            errors.append(invalid(field, families, "primary ipFamily can not be unset"))
        if primary_changed:
            errors.append(invalid(field, cluster_ips, "may not change once set"))
        if len(new.ip_families) == 1 and new.policy != SINGLE_STACK:
            errors.append(invalid(IP_FAMILY_POLICY, go_json_value(new.policy), "must be set to 'SingleStack' when releasing the secondary ipFamily"))
    elif primary_changed:
        errors.append(invalid(field, cluster_ips, "may not change once set"))
    return errors


def _validate_service_update(new, old):
    """The IP rules of ``ValidateServiceUpdate`` (validation.go)."""
    return (_validate_upgrade_downgrade_cluster_ips(old, new) + _validate_upgrade_downgrade_ip_families(old, new)
            + _validate_service(new, old, new.spec))


def validate_service(obj):
    """``validation_errors`` for a Service: the cluster-independent IP rules of the create path.

    The object is taken as kube-apiserver sees it on create: ``type`` defaulted to ClusterIP and
    ``clusterIPs`` filled from ``clusterIP``; ``initIPFamilyFields`` checks the IP fields first and its
    errors are then the only ones, else ``ValidateService``'s. Rules that depend on the cluster's
    families and addresses are :func:`service_ip_plan`'s.
    """
    svc = _read_service(obj, "")
    _normalize_cluster_ips(svc, None)
    # beginCreate runs initIPFamilyFields before any validation: its own checks of the IP fields
    # (on the policy it defaulted) refuse the Service alone, ValidateServiceCreate never runs
    if svc.type != EXTERNAL_NAME:
        staged = _Service(**{name: getattr(svc, name) for name in _Service.__slots__})
        if staged.policy is None:
            _default_policy(staged, None)
        errors = _validate_cluster_ips_related_fields(staged) or _single_stack_errors(staged)
        if errors:
            return errors
    return _validate_service(svc, spec=svc.spec)


# ---------------------------------------------------------------------------------------------
# initIPFamilyFields (alloc.go)
# ---------------------------------------------------------------------------------------------


def _same_cluster_ips(lhs, rhs):
    """alloc.go's ``sameClusterIPs`` compares ``clusterIPs`` only."""
    return lhs.cluster_ips == rhs.cluster_ips


def _is_matching_prefer_dual_stack(new, old):
    """``isMatchingPreferDualStackClusterIPFields``: an unchanged PreferDualStack Service is never
    upgraded or downgraded when the cluster gains or loses a family."""
    return (old is not None and new.policy == PREFER_DUAL_STACK and old.policy in (None, PREFER_DUAL_STACK)
            and old.type == new.type and new.type in (CLUSTER_IP, NODE_PORT, LOAD_BALANCER)
            and _same_cluster_ips(old, new) and old.ip_families == new.ip_families)


def _default_policy(svc, old):
    """An unset policy: inherited on update, RequireDualStack for headless selectorless, else SingleStack."""
    if old is not None and old.policy is not None:
        svc.policy = old.policy
    elif _is_headless_selectorless(svc):
        svc.policy = REQUIRE_DUAL_STACK
    else:
        svc.policy = SINGLE_STACK


def _update_prep_errors(svc, old):
    """Update only: SingleStack with unchanged fields means "drop the secondary"; any other policy
    may not drop it."""
    if svc.policy == SINGLE_STACK:
        if _same_cluster_ips(old, svc) and len(svc.cluster_ips) > 1:
            svc.cluster_ips = svc.cluster_ips[:1]
        if old.ip_families == svc.ip_families and len(svc.ip_families) > 1:
            svc.ip_families = svc.ip_families[:1]
        return []
    errors = []
    if svc.cluster_ips and len(svc.cluster_ips) < len(old.cluster_ips):
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy), "must be 'SingleStack' to release the secondary cluster IP"))
    if svc.ip_families and len(svc.ip_families) < len(old.ip_families):
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy), "must be 'SingleStack' to release the secondary IP family"))
    return errors


def _single_stack_errors(svc):
    if svc.policy != SINGLE_STACK:
        return []
    errors = []
    if len(svc.cluster_ips) == 2:
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy),
                              "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
    if len(svc.ip_families) == 2:
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy),
                              "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
    return errors


def _infer_families_from_cluster_ips(svc, configured):
    """Missing ``ipFamilies`` entries come from the requested cluster IPs, if the cluster has that family."""
    errors = []
    for i, ip in enumerate(svc.cluster_ips):
        if ip == CLUSTER_IP_NONE:
            break
        if i < len(svc.ip_families):
            continue
        family = _family_of(ip, svc.produced)
        if family in configured:
            svc.ip_families.append(family)
        else:
            errors.append(invalid(index(CLUSTER_IPS, i), go_string_slice(svc.cluster_ips), "%s is not configured on this cluster" % family))
    return errors


def _cluster_support_errors(svc, configured):
    """RequireDualStack needs two families; each requested family must be configured."""
    errors = []
    if svc.policy == REQUIRE_DUAL_STACK and len(configured) < 2:
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy), "this cluster is not configured for dual-stack services"))
    for i, family in enumerate(svc.ip_families):
        if family not in configured:
            errors.append(invalid(index(IP_FAMILIES_FIELD, i), go_json_value(family), "not configured on this cluster"))
    return errors


def _init_ip_family_fields(svc, old, cluster):
    """``initIPFamilyFields`` (alloc.go): default ``ipFamilyPolicy`` and ``ipFamilies`` from the
    cluster's families and check them. Completes ``svc`` in place; returns the errors."""
    if svc.type == EXTERNAL_NAME or _is_matching_prefer_dual_stack(svc, old):
        return []
    if svc.policy is None:
        _default_policy(svc, old)
    errors = _validate_cluster_ips_related_fields(svc, old)
    if errors:
        return errors
    errors = _update_prep_errors(svc, old) if old is not None else []
    errors += _single_stack_errors(svc)
    errors += _infer_families_from_cluster_ips(svc, cluster.families)
    if errors:
        return errors
    if _is_headless_selectorless(svc):
        # may name families the cluster lacks: its endpoints are the user's
        svc.ip_families = svc.ip_families or [cluster.primary]
        if len(svc.ip_families) < 2 and svc.policy != SINGLE_STACK:
            svc.ip_families.append(_other_family(svc.ip_families[0]))
        return []
    errors = _cluster_support_errors(svc, cluster.families)
    if errors:
        return errors
    svc.ip_families = svc.ip_families or [cluster.primary]
    if svc.policy != SINGLE_STACK and len(svc.ip_families) == 1 and len(cluster.families) == 2:
        svc.ip_families.append(_other_family(svc.ip_families[0]))
    return []


# ---------------------------------------------------------------------------------------------
# Allocation (alloc.go) and the create/update sequences (storage.go, strategy.go)
# ---------------------------------------------------------------------------------------------


def _alloc_ips(svc, requests, cluster):
    """``allocIPs``: per family, the requested address or the next free one.

    Go visits the families in map order (random); here in ``ipFamilies`` order, which decides only
    which error is reported when both fail.
    """
    allocated = {}
    for family, ip in requests:
        pool = cluster.pools.get(family)
        if pool is None:
            # a headless selectorless Service may name a family the cluster lacks; upgrading a stored
            # single-stack Service to it makes allocIPs use a missing allocator: kube-apiserver panics
            # and the request gets no response (seen in 1.37.2)
            raise ServiceIPError(500, "InternalError", "kube-apiserver fails this request without a response: allocIPs "
                                 "has no %s allocator on this cluster (it panics)" % family, "allocIPs")
        if not ip:
            try:
                text, read_as = pool.allocate_next()
            except _AllocatorError as exc:
                named = " for Service %s" % go_quote(svc.name) if releases.current().rule("AllocationErrorNamesService") else ""
                raise _internal_error("failed to allocate a serviceIP%s: %s" % (named, exc), "allocIPs") from None
            svc.produced[text] = read_as
            allocated[family] = text
            continue
        address = ip_value_sloppy(ip)
        if address is None:
            raise _internal_error("failed to parse service IP %s" % go_quote(ip), "allocIPs")
        try:
            pool.allocate(address[0])
        except _AllocatorError as exc:
            error = invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "failed to allocate IP %s: %s" % (ip, exc))
            raise _invalid_error(svc, [error], "allocIPs") from None
        allocated[family] = ip
    return allocated


def _alloc_cluster_ips(svc, cluster):
    """``allocClusterIPs``: one address per ``ipFamilies`` entry; ExternalName and headless get none."""
    if svc.type == EXTERNAL_NAME or (svc.cluster_ips and svc.cluster_ips[0] == CLUSTER_IP_NONE):
        return
    # "" marks an address to pick
    svc.cluster_ips += [""] * (len(svc.ip_families) - len(svc.cluster_ips))
    allocated = _alloc_ips(svc, list(zip(svc.ip_families, svc.cluster_ips)), cluster)
    for i, family in enumerate(svc.ip_families):
        svc.cluster_ips[i] = allocated[family]
        if i == 0:
            svc.cluster_ip = allocated[family]


def _update_cluster_ips(svc, old, cluster):
    """``updateClusterIPs`` (alloc.go): allocate on upgrade or from ExternalName; returns the
    addresses released once the update is stored."""
    if _is_matching_prefer_dual_stack(svc, old):
        return []
    if old.type == EXTERNAL_NAME and svc.type != EXTERNAL_NAME:
        _alloc_cluster_ips(svc, cluster)
        return []
    if old.cluster_ips and old.cluster_ips[0] == CLUSTER_IP_NONE:
        return []
    if old.type != EXTERNAL_NAME and svc.type == EXTERNAL_NAME:
        return _releasable(zip(old.ip_families, old.cluster_ips), cluster)
    if len(old.ip_families) == 1 and len(svc.ip_families) == 2:
        svc.cluster_ips += [""] * (2 - len(svc.cluster_ips))
        allocated = _alloc_ips(svc, [(svc.ip_families[1], svc.cluster_ips[1])], cluster)
        svc.cluster_ips[1] = allocated[svc.ip_families[1]]
        return []
    if len(old.ip_families) == 2 and len(svc.ip_families) == 1:
        return _releasable(zip(old.ip_families[1:], old.cluster_ips[1:2]), cluster)
    return []


def _releasable(pairs, cluster):
    """``releaseIPs``: an address of a family the cluster no longer has is kept, not released."""
    return [ip for family, ip in pairs if family in cluster.pools]


def _drop_type_dependent_fields(new, old):
    """``dropTypeDependentFields`` (strategy.go), IP part: switching to ExternalName wipes the IP
    fields the user left as they were."""
    if old.type == EXTERNAL_NAME or new.type != EXTERNAL_NAME:
        return
    if old.cluster_ip == new.cluster_ip and old.cluster_ips == new.cluster_ips:
        new.cluster_ip, new.cluster_ips = "", []
    if old.ip_families == new.ip_families:
        new.ip_families = []
    if (old.policy or "") == (new.policy or ""):
        new.policy = None


def _plan(svc, released):
    return {"ipFamilyPolicy": svc.policy, "ipFamilies": list(svc.ip_families), "clusterIP": svc.cluster_ip,
            "clusterIPs": list(svc.cluster_ips), "released": released}


class _Cluster(object):
    """kube-apiserver's Service IP configuration: its families (primary first) and their allocators."""

    def __init__(self, service_cidrs, allocated):
        ranges = _parse_service_cidrs(service_cidrs)
        self.families = [rng.family for rng in ranges]
        self.primary = self.families[0]
        taken = _parse_allocated(allocated)
        self.pools = {rng.family: _FamilyPool(rng, taken[rng.family]) for rng in ranges}

    def create(self, svc):
        """``beginCreate`` then ``ValidateServiceCreate``."""
        _normalize_cluster_ips(svc, None)
        _refuse_if(svc, _init_ip_family_fields(svc, None, self), "initIPFamilyFields")
        _alloc_cluster_ips(svc, self)
        _refuse_if(svc, _validate_service(svc, spec=svc.spec), "ValidateServiceCreate")
        return _plan(svc, [])

    def update(self, svc, old):
        """``beginUpdate``, ``PrepareForUpdate`` then ``ValidateServiceUpdate``."""
        _default_on_read(old, self.primary)
        _patch_allocated_values(svc, old)
        _normalize_cluster_ips(svc, old)
        _refuse_if(svc, _init_ip_family_fields(svc, old, self), "initIPFamilyFields")
        released = _update_cluster_ips(svc, old, self)
        _drop_type_dependent_fields(svc, old)
        _refuse_if(svc, _validate_service_update(svc, old), "ValidateServiceUpdate")
        # the store's Decorator (defaultOnReadService) shapes the object the apiserver returns: an
        # ExternalName Service updated by a client that kept clusterIP alone shows it in clusterIPs
        _default_on_read(svc, self.primary)
        return _plan(svc, released)


def _parse_service_cidrs(service_cidrs):
    """``--service-cluster-ip-range``: one CIDR, or two of different families; primary first."""
    if isinstance(service_cidrs, str):
        service_cidrs = service_cidrs.split(",")
    entries = expect(service_cidrs, list, "service_cidrs")
    if len(entries) not in (1, 2):
        raise InputError("service_cidrs must hold one or two CIDRs, primary first (--service-cluster-ip-range), got %d"
                         % len(entries))
    ranges = [parse_service_cidr(text, "service_cidrs[%d]" % i) for i, text in enumerate(entries)]
    if len(ranges) == 2 and ranges[0].family == ranges[1].family:
        raise InputError("service_cidrs: %s and %s must be of different IP family" % (ranges[0].cidr, ranges[1].cidr))
    if ranges[0].kubernetes_service_ip() is None:
        raise InputError("service_cidrs[0] %s: error determining service IP ranges for primary service cidr: "
                         "the service cluster IP range must be at least 8 IP addresses" % ranges[0].cidr)
    return ranges


def _parse_allocated(allocated):
    """Addresses already taken, per family; ``None`` and ``""`` (headless, ExternalName) are skipped."""
    taken = {4: [], 6: []}
    for i, text in enumerate(optional(allocated, list, "allocated", [])):
        if type(text) is not str:  # pylint: disable=unidiomatic-typecheck
            expect(text, str, "allocated[%d]" % i)
        if text == "" or text == CLUSTER_IP_NONE:
            continue
        address = ip_value_sloppy(text)
        if address is None:
            raise InputError("allocated[%d]: %s is not a valid IP address (e.g. 10.96.0.10 or fd00::10)" % (i, go_quote(text)))
        taken[address[1]].append(address[0])
    return {IPV4: taken[4], IPV6: taken[6]}


def service_ip_plan(service, service_cidrs, allocated=None, old=None):
    """``ipFamilyPolicy``, ``ipFamilies``, ``clusterIP``, ``clusterIPs`` as kube-apiserver sets them.

    ``service``: a Service, or a list of Services planned in order (each one's addresses are taken
    before the next). ``service_cidrs``: the cluster's ``--service-cluster-ip-range`` (list or
    comma-separated), primary first. ``allocated``: addresses already taken. ``old``: the stored
    Service, for an update. The result also holds ``released``: the addresses the update frees.
    Raises :class:`ServiceIPError` (an ``InputError``) with the apiserver's message when it refuses.
    """
    cluster = _Cluster(service_cidrs, allocated)
    if isinstance(service, list):
        if old is not None:
            raise InputError("old is the stored version of one Service; it cannot go with a list of Services")
        plans = []
        for i, item in enumerate(service):
            where = "service[%d]" % i
            try:
                plans.append(cluster.create(_read_service(item, where)))
            except ServiceIPError as exc:
                raise exc.at(where) from None
        return plans
    svc = _read_service(service, "service")
    if old is None:
        return cluster.create(svc)
    stored = _read_service(old, "old")
    # the stored Service holds its own addresses: they are taken, whether or not allocated lists them
    for ip in stored.cluster_ips or ([stored.cluster_ip] if stored.cluster_ip else []):
        address = ip_value_sloppy(ip)
        family = address and (IPV4 if address[1] == 4 else IPV6)
        if family in cluster.pools:
            cluster.pools[family].take(address[0])
    return cluster.update(svc, stored)

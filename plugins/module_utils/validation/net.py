# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""IPs and CIDRs as Kubernetes parses them: Go's ``net.ParseIP`` as forked by ``k8s.io/utils/net``
(``ParseIPSloppy``), ``netip``, and the apimachinery validators of ``ip.go``.

Pure Python, no Ansible imports. The rules, their upstream origin and the assumptions:
docs/validation.md.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any, Container, Union

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import FieldError, invalid
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote


# ---------------------------------------------------------------------------------------------
# IPs and CIDRs: Go's net.ParseIP as forked by k8s.io/utils/net (ParseIPSloppy) and netip.
# ---------------------------------------------------------------------------------------------

# Parsed forms, for annotations: Union, as ``X | Y`` of classes fails at import on the Pythons before 3.10.
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"
_GO_BIG = 0xFFFFFF


def _go_number(digits, base):
    """Go's forked ``dtoi``/``xtoi``: the value of a run of digits, ``None`` once it reaches 0xFFFFFF.

    There is no limit on the number of digits: leading zeros never make the value grow.
    """
    significant = digits.lstrip("0")
    if len(significant) > 8:  # at least 16**8 or 10**8, both past 0xFFFFFF
        return None
    value = int(significant or "0", base)
    return value if value < _GO_BIG else None


def _parse_ipv4_fields(text, sloppy):
    """Four dotted decimal fields; ``sloppy`` allows leading zeros (Go 1.16 net.ParseIP)."""
    fields = text.split(".")
    if len(fields) != 4:
        return None
    value = 0
    for f in fields:
        if not f or any(c not in _DIGITS for c in f):
            return None
        if not sloppy and len(f) > 1 and f[0] == "0":
            return None
        n = _go_number(f, 10)
        if n is None or n > 255:
            return None
        value = (value << 8) | n
    return value


def _parse_ipv6_int(text, sloppy):
    """Go parseIPv6: hex groups, one ``::``, an optional trailing dotted IPv4. No zones."""
    if not text:
        return None
    groups = []
    ellipsis = -1
    s = text
    if s.startswith("::"):
        ellipsis = 0
        s = s[2:]
        if not s:
            return 0
    while s:
        i = 0
        while i < len(s) and s[i] in _HEX:
            i += 1
        if i == 0:
            return None
        if i < len(s) and s[i] == ".":
            # trailing IPv4: must be the last part and leave room for 2 groups
            if ellipsis < 0 and len(groups) != 6:
                return None
            if len(groups) + 2 > 8:
                return None
            v4 = _parse_ipv4_fields(s, sloppy)
            if v4 is None:
                return None
            groups.extend([v4 >> 16, v4 & 0xFFFF])
            s = ""
            break
        if not sloppy and i > 4:
            return None
        n = _go_number(s[:i], 16)
        if n is None or n > 0xFFFF:
            return None
        groups.append(n)
        s = s[i:]
        if not s:
            break
        if s[0] != ":" or len(s) == 1:
            return None
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                return None
            ellipsis = len(groups)
            s = s[1:]
            if not s:
                break
        if len(groups) == 8:
            return None
    if len(groups) > 8:
        return None
    if ellipsis < 0:
        if len(groups) != 8:
            return None
    else:
        if len(groups) >= 8:
            return None
        groups = groups[:ellipsis] + [0] * (8 - len(groups)) + groups[ellipsis:]
    value = 0
    for g in groups:
        value = (value << 16) | g
    return value


_V4_MAPPED = 0xFFFF << 32


def _to_address(value, is_v6_text):
    """Go's view of a parsed address: an IPv4-mapped IPv6 address is IPv4."""
    if not is_v6_text:
        return ipaddress.IPv4Address(value)
    if value >> 32 == 0xFFFF:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return ipaddress.IPv6Address(value)


def parse_ip_sloppy(text: Any) -> IPAddress | None:
    """``netutils.ParseIPSloppy``: an ``ipaddress`` address (IPv4 for v4-mapped) or ``None``."""
    if not isinstance(text, str):
        return None
    try:  # the common forms through inet_pton, as in ip_value_sloppy (same subset, same values)
        if ":" not in text:
            return ipaddress.IPv4Address(socket.inet_pton(socket.AF_INET, text))
        if "." not in text and _HEX_COLON.fullmatch(text):
            addr6 = ipaddress.IPv6Address(socket.inet_pton(socket.AF_INET6, text))
            return addr6 if addr6.ipv4_mapped is None else addr6.ipv4_mapped
    except (OSError, ValueError):
        pass
    if "%" not in text:  # Python's parser accepts a subset of Go's forms (plus zones): a fast path
        try:
            addr = ipaddress.ip_address(text)
        except ValueError:
            pass
        else:
            return addr if addr.version == 4 or addr.ipv4_mapped is None else addr.ipv4_mapped
    if ":" in text:
        value = _parse_ipv6_int(text, sloppy=True)
        return None if value is None else _to_address(value, True)
    value = _parse_ipv4_fields(text, sloppy=True)
    return None if value is None else _to_address(value, False)


_HEX_COLON = re.compile(r"[0-9a-fA-F:]{2,39}")


def ip_value_sloppy(text: Any) -> tuple[int, int] | None:
    """:func:`parse_ip_sloppy` as integers: ``(value, 4 or 6)`` in Go's view (an IPv4-mapped IPv6 address is IPv4),
    or ``None``. Parsing an address once into an integer, and formatting it once (:func:`ip_text`), is the cheap way.

    The common forms are read by the C library's ``inet_pton``, which POSIX holds to four decimal fields of at most
    three digits for IPv4 (a subset of Go's forms, same value) and every implementation to RFC 4291 text for hex
    groups with at most one ``::``. Everything else (leading zeros, longer groups, embedded IPv4) goes through the
    full parser.
    """
    if not isinstance(text, str):
        return None
    try:
        if ":" not in text:
            return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big"), 4
        if "." not in text and _HEX_COLON.fullmatch(text):
            value = int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
            return (value & 0xFFFFFFFF, 4) if value >> 32 == 0xFFFF else (value, 6)
    except (OSError, ValueError):  # refused here (e.g. leading zeros, longer groups): the full parser decides
        pass
    address = parse_ip_sloppy(text)
    return None if address is None else (int(address), address.version)


def _v6_layout(zeros):
    """``(format, first, count)`` for the groups whose bits in ``zeros`` are set (first group highest) being zero: the
    longest run of two or more zero groups (the first of equals) is written ``::`` (RFC 5952, as Go and Python)."""
    best_first, best_count, first = -1, 1, -1
    for i in range(8):
        if not zeros >> (7 - i) & 1:
            first = -1
            continue
        if first < 0:
            first = i
        if i - first + 1 > best_count:
            best_first, best_count = first, i - first + 1
    if best_first < 0:
        return ":".join(["%x"] * 8), -1, 0
    return ":".join(["%x"] * best_first) + "::" + ":".join(["%x"] * (8 - best_first - best_count)), best_first, best_count


_V6_LAYOUTS = [_v6_layout(zeros) for zeros in range(256)]


def _v6_text(value):
    """RFC 5952 text of an IPv6 address (as Go's ``net.IP.String()`` and Python print it)."""
    groups = (value >> 112, value >> 96 & 0xFFFF, value >> 80 & 0xFFFF, value >> 64 & 0xFFFF,
              value >> 48 & 0xFFFF, value >> 32 & 0xFFFF, value >> 16 & 0xFFFF, value & 0xFFFF)
    text, first, count = _V6_LAYOUTS[(not groups[0]) << 7 | (not groups[1]) << 6 | (not groups[2]) << 5 | (not groups[3]) << 4
                                     | (not groups[4]) << 3 | (not groups[5]) << 2 | (not groups[6]) << 1 | (not groups[7])]
    return text % (groups if first < 0 else groups[:first] + groups[first + count:])


def ip_text(value: int, version: int) -> str:
    """``net.IP.String()`` of an address given as an integer: dotted IPv4, an IPv4-mapped IPv6 address as IPv4."""
    if version == 4:
        return "%d.%d.%d.%d" % (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)
    if value >> 32 == 0xFFFF:
        return ip_text(value & 0xFFFFFFFF, 4)
    return _v6_text(value)


def _parse_ip_strict(text):
    """``netip.ParseAddr`` minus zones: ``(address, is4in6)`` or ``None``."""
    if ":" in text:
        value = _parse_ipv6_int(text, sloppy=False)
        if value is None:
            return None
        return ipaddress.IPv6Address(value), value >> 32 == 0xFFFF
    value = _parse_ipv4_fields(text, sloppy=False)
    return None if value is None else (ipaddress.IPv4Address(value), False)


def parse_ip_stdlib(text: Any) -> IPAddress | None:
    """Go's own ``net.ParseIP`` (``netip.ParseAddr`` without zones since Go 1.22), as pflag's IP flags
    use it: leading zeros are refused; an IPv4-mapped address is IPv4. ``None`` when it does not parse."""
    parsed = _parse_ip_strict(text) if isinstance(text, str) else None
    if parsed is None:
        return None
    address, mapped = parsed
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if mapped else address


def go_ip_string(addr: IPAddress) -> str:
    """``net.IP.String()`` of a parsed address: an IPv4-mapped IPv6 address prints as IPv4."""
    if addr.version == 4:
        return str(addr)
    mapped = addr.ipv4_mapped
    return str(mapped) if mapped is not None else addr.compressed


def go_netip_string(addr: IPAddress) -> str:
    """``netip.Addr.String()``: as :func:`go_ip_string`, but an IPv4-mapped IPv6 address keeps its
    IPv6 form, ``::ffff:1.2.3.4``."""
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return "::ffff:%s" % addr.ipv4_mapped
    return go_ip_string(addr)


def _parse_ip_errors(field, value, strict):
    ip = parse_ip_sloppy(value)
    if ip is None:
        return None, [invalid(field, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    errs = []
    if strict:
        mapped = _strict_is4in6(value)
        if mapped is None:
            errs.append(invalid(field, value, "must not have leading 0s"))
        elif mapped:
            errs.append(invalid(field, value, "must not be an IPv4-mapped IPv6 address"))
    return ip, errs


_LEADING_ZERO = re.compile(r"(?:^|\.)0[0-9]")


def _strict_is4in6(text):
    """Whether ``netip.ParseAddr`` reads ``text`` as an IPv4-mapped IPv6 address; ``None`` when it refuses it.

    The forms ``inet_pton`` reads (see :func:`ip_value_sloppy`) are strict ones, but for leading zeros in IPv4, which
    some C libraries accept; everything else goes through the full parser.
    """
    try:
        if ":" not in text:
            if not _LEADING_ZERO.search(text):
                socket.inet_pton(socket.AF_INET, text)
                return False
        elif "." not in text and _HEX_COLON.fullmatch(text):
            return int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big") >> 32 == 0xFFFF
    except (OSError, ValueError):
        pass
    parsed = _parse_ip_strict(text)
    return None if parsed is None else parsed[1]


def is_valid_ip_for_legacy_field(field: str, value: Any, strict: bool = False,
                                 valid_old: Container[Any] = ()) -> list[FieldError]:
    """``IsValidIPForLegacyField``; ``strict`` is the StrictIPCIDRValidation gate (default off).

    ``valid_old``: the values of the stored object, accepted as they are (KEP-4858 ratcheting).
    Never checks canonical form: legacy fields only warn about it.
    """
    if value in valid_old:
        return []
    return _parse_ip_errors(field, value, strict)[1]


def is_valid_ip(field: str, value: Any) -> list[FieldError]:
    """``IsValidIP``: strict parsing and canonical form."""
    ip, errs = _parse_ip_errors(field, value, True)
    if errs:
        return errs
    canonical = go_ip_string(ip)
    if value != canonical:
        return [invalid(field, value, "must be in canonical form (%s)" % go_quote(canonical))]
    return []


def _split_cidr(text):
    if not isinstance(text, str) or "/" not in text:
        return None
    ip_text, _sep, bits = text.partition("/")
    return ip_text, bits


def parse_cidr_sloppy(text: Any) -> tuple[IPAddress, IPNetwork] | None:
    """``netutils.ParseCIDRSloppy``: the masked network (IPv4 for v4-mapped) or ``None``.

    Returns ``(address, network)``: the address as written and the network it belongs to.
    """
    parts = _split_cidr(text)
    if parts is None:
        return None
    ip_text, bits = parts
    is6 = ":" in ip_text
    value = _parse_ipv6_int(ip_text, True) if is6 else _parse_ipv4_fields(ip_text, True)
    if value is None or not bits or any(c not in _DIGITS for c in bits):
        return None
    width = 128 if is6 else 32
    prefix = _go_number(bits, 10)
    if prefix is None or prefix > width:
        return None
    masked = value & (((1 << width) - 1) ^ ((1 << (width - prefix)) - 1))
    if is6 and masked >> 32 == 0xFFFF and prefix >= 96:
        net: IPNetwork = ipaddress.IPv4Network((masked & 0xFFFFFFFF, prefix - 96))
    elif is6:
        net = ipaddress.IPv6Network((masked, prefix))
    else:
        net = ipaddress.IPv4Network((masked, prefix))
    return _to_address(value, is6), net


def go_cidr_string(net: IPNetwork) -> str:
    """``net.IPNet.String()``."""
    return "%s/%d" % (go_ip_string(net.network_address), net.prefixlen)


def _parse_cidr_errors(field, value, strict):
    parsed = parse_cidr_sloppy(value)
    if parsed is None:
        return None, [invalid(field, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    errs = []
    if strict:
        ip_text, bits = _split_cidr(value)
        strict_ip = _parse_ip_strict(ip_text)
        if strict_ip is None or (len(bits) > 1 and bits[0] == "0"):
            errs.append(invalid(field, value, "must not have leading 0s in IP or prefix length"))
        elif strict_ip[1]:
            errs.append(invalid(field, value, "must not have an IPv4-mapped IPv6 address"))
        else:
            addr = strict_ip[0]
            if int(addr) != int(ipaddress.ip_network((int(addr), int(bits)), strict=False).network_address):
                errs.append(invalid(field, value, "must not have bits set beyond the prefix length"))
    return parsed[1], errs


def is_valid_cidr_for_legacy_field(field: str, value: Any, strict: bool = False,
                                   valid_old: Container[Any] = ()) -> list[FieldError]:
    """``IsValidCIDRForLegacyField``: as :func:`is_valid_ip_for_legacy_field`, for CIDRs."""
    if value in valid_old:
        return []
    return _parse_cidr_errors(field, value, strict)[1]


def is_valid_cidr(field: str, value: Any) -> list[FieldError]:
    """``IsValidCIDR``: strict, subnet form, canonical."""
    net, errs = _parse_cidr_errors(field, value, True)
    if errs:
        return errs
    canonical = go_cidr_string(net)
    if value != canonical:
        return [invalid(field, value, "must be in canonical form (%s)" % go_quote(canonical))]
    return []

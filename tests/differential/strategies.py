"""Inputs for the differential tier: realistic ones, and the hostile ones an apiserver, a kubelet or a
component's command line still receives (names one character too long, IPs with leading zeros or in
IPv4-mapped form, non-canonical CIDRs, quantities in every form).

Each strategy draws from a mix: mostly valid values (so that the rendering paths are exercised, not
only the refusals), edge values at every limit, and junk.
"""
from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from tests.property.strategies import HOSTILE_TEXT

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"


def _weighted(*pairs):
    """``one_of`` with integer weights: ``(3, a), (1, b)`` draws ``a`` three times as often."""
    return st.one_of(*[strategy for weight, strategy in pairs for _copy in range(weight)])


# --- names ---------------------------------------------------------------------------------------

def _label_from(text):
    """A DNS-1123 label from any text of the label alphabet: ends made alphanumeric."""
    text = text.strip("-") or "a"
    return text


VALID_LABEL = st.text(LOWER + DIGITS + "-", min_size=1, max_size=12).map(_label_from)
LONG_LABEL = st.integers(min_value=60, max_value=66).flatmap(
    lambda n: st.text(LOWER + DIGITS + "-", min_size=n, max_size=n).map(lambda s: "a" + s[1:-1] + "z"))
BAD_LABEL = st.sampled_from(["A", "Web", "a_b", "-a", "a-", "a.b", "", " ", "a b", "é", "a\n", "0" * 64, "x" * 63 + ".y"])
LABEL = _weighted((6, VALID_LABEL), (1, LONG_LABEL), (1, BAD_LABEL))


def _join(parts):
    return ".".join(parts)


VALID_SUBDOMAIN = st.lists(VALID_LABEL, min_size=1, max_size=4).map(_join)
# around the kubelet's 63-byte hostname cut: '-' and '.' where the cut falls
TRUNCATED_NAME = st.tuples(st.integers(min_value=55, max_value=70), st.sampled_from(["-", ".", "a", "-.", ".-", "--"]),
                           st.integers(min_value=58, max_value=64)).map(
    lambda t: ("w" * t[2] + t[1] + "x" * max(0, t[0] - t[2] - len(t[1])))[: max(t[0], t[2] + len(t[1]) + 1)].rstrip("-.") or "w")
LONG_SUBDOMAIN = st.integers(min_value=240, max_value=260).map(lambda n: ".".join(["a" * 62] * 5)[:n].rstrip("."))
BAD_SUBDOMAIN = st.sampled_from(["A.b", "a..b", ".a", "a.", "a_b.c", "", "a b", "ß", "a.-b", "x" * 254])
SUBDOMAIN = _weighted((6, VALID_SUBDOMAIN), (2, TRUNCATED_NAME), (1, LONG_SUBDOMAIN), (1, BAD_SUBDOMAIN), (1, LABEL))


# --- addresses -----------------------------------------------------------------------------------

IPV4_INT = st.integers(min_value=0, max_value=2 ** 32 - 1)
IPV6_INT = st.integers(min_value=0, max_value=2 ** 128 - 1)
CANONICAL_V4 = IPV4_INT.map(lambda i: str(ipaddress.IPv4Address(i)))
CANONICAL_V6 = IPV6_INT.map(lambda i: ipaddress.IPv6Address(i).compressed)


def _leading_zeros(text):
    return ".".join(("0" + part) for part in text.split("."))


NONCANONICAL_V4 = st.one_of(CANONICAL_V4.map(_leading_zeros), CANONICAL_V4.map(lambda s: "::ffff:" + s))
NONCANONICAL_V6 = st.one_of(IPV6_INT.map(lambda i: ipaddress.IPv6Address(i).exploded),
                            CANONICAL_V6.map(str.upper), IPV6_INT.map(lambda i: ipaddress.IPv6Address(i).exploded.replace(":0", ":")))
BAD_IP = st.sampled_from(["", "10.0.0", "10.0.0.256", "1.2.3.4.5", "fd00::1::2", "fd00::g", "10.0.0.1/24", " 10.0.0.1",
                          "10.0.0.1 ", "localhost", "1.2.3.4%eth0", "fe80::1%eth0", "::ffff:300.1.1.1"])
IP = _weighted((5, CANONICAL_V4), (5, CANONICAL_V6), (1, NONCANONICAL_V4), (1, NONCANONICAL_V6), (1, BAD_IP))
VALID_IP = st.one_of(CANONICAL_V4, CANONICAL_V6)


def cidr_text(family, prefix_min, prefix_max, host_bits=False):
    """A CIDR of ``family`` (4 or 6), prefix in range; ``host_bits`` leaves bits set past the prefix."""
    width = 32 if family == 4 else 128
    maker = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address

    def build(args):
        value, prefix, keep = args
        if not keep:
            value &= ((1 << width) - 1) ^ ((1 << (width - prefix)) - 1)
        address = maker(value)
        return "%s/%d" % (address.compressed if family == 6 else address, prefix)

    return st.tuples(st.integers(min_value=0, max_value=2 ** width - 1), st.integers(min_value=prefix_min, max_value=prefix_max),
                     st.just(False) if not host_bits else st.booleans()).map(build)


# --- quantities ----------------------------------------------------------------------------------

SUFFIXES = ["", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u"]
QUANTITY = _weighted(
    (6, st.tuples(st.integers(min_value=0, max_value=5000), st.sampled_from(SUFFIXES)).map(lambda t: "%d%s" % t)),
    (2, st.tuples(st.integers(min_value=0, max_value=999), st.integers(min_value=0, max_value=999),
                  st.sampled_from(SUFFIXES)).map(lambda t: "%d.%d%s" % t)),
    (1, st.tuples(st.integers(min_value=0, max_value=99), st.sampled_from(["e", "E"]),
                  st.integers(min_value=-3, max_value=12)).map(lambda t: "%d%s%d" % t)),
    (1, st.sampled_from(["0", "1", "1000m", "0.5", "+1", "01", "1e0", "1E3", "1000E", "9223372036854775807",
                         "9223372036854775808", "8Ei", "1n", "0.0001", ".5", "5.", "1Mi", "1k", "-1"])),
    (1, st.integers(min_value=0, max_value=10 ** 6)),
)
DIVISOR = st.sampled_from(["1", "1m", "1k", "1M", "1G", "1Ki", "1Mi", "1Gi", "1Ti", "1Ei", "1000m", "2", "0", "1u", "10m"])


# --- text ----------------------------------------------------------------------------------------

TEXT = _weighted((4, st.text(LOWER + DIGITS + "-_.", max_size=12)), (1, HOSTILE_TEXT))

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Kubernetes resource quantities as apimachinery's ``resource.Quantity`` holds them.

Pure Python, no Ansible imports. The numeric conversion of SI and binary suffixes is done by
``kubernetes.utils.quantity.parse_quantity`` (the official client); around it this module adds
what that helper does not reproduce: Go's accepted syntax and error texts, the rounding up to
nano units and the int64 cap of the slow parse path, ``Value()``/``MilliValue()`` rounding, and
``String()`` (the canonical form).

Source: apimachinery ``pkg/api/resource/quantity.go`` (``ParseQuantity``,
``parseQuantityString``, ``CanonicalizeBytes``), ``suffix.go`` and ``amount.go``.
"""

from __future__ import annotations

import decimal
import functools
import math
import re

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, type_name

try:
    from kubernetes.utils.quantity import parse_quantity as _parse_quantity
except ImportError:  # reported when a quantity is first needed
    _parse_quantity = None

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ERR_NUMERIC = "unable to parse numeric value"
ERR_SUFFIX = "unable to parse quantity's suffix"

# parseQuantityString: sign, digits, optional fraction, suffix letters, optional signed digits.
_SYNTAX = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX_OF = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIX_OF = {0: "", **{exp: suffix for suffix, exp in _BINARY_SUFFIXES.items()}}

MAX_INT64 = (1 << 63) - 1
_NANO = decimal.Decimal("1e-9")
_MAX_ALLOWED = decimal.Decimal(MAX_INT64)
_MAX_INT64_FACTORS = 18  # maxInt64Factors: decimal digits an int64 always holds


def _int32(value):
    """Go's ``int32(x)`` conversion of an int64: wraps around."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def _interpret_suffix(suffix):
    """``quantitySuffixer.interpret``: ``(base, exponent, format)`` or ``None``."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[+-]?[0-9]+", suffix[1:]):
        exponent = int(suffix[1:])
        if -(1 << 63) <= exponent <= MAX_INT64:  # strconv.ParseInt(..., 64)
            return 10, _int32(exponent), DECIMAL_EXPONENT
    return None


def _takes_fast_path(num, denom, exponent, fmt):
    """Whether ``ParseQuantity`` stores the value exactly (int64 mantissa, scale >= nano).

    Values parsed this way are neither rounded to nano units nor capped at the int64 maximum.
    """
    if fmt == BINARY_SI:
        if denom:
            return False
        # float32(exponent)*3/10 is exact for the binary exponents 0, 10, ..., 60
        return 15 - len(num) - exponent * 3 // 10 - 1 >= 0
    return _MAX_INT64_FACTORS - (len(num) + len(denom)) >= 0 and exponent - len(denom) >= -9


def _exact_value(sign, num, denom, suffix, exponent, fmt):
    """The exact number written, scaled by its suffix, via the kubernetes client's parser."""
    if _parse_quantity is None:
        raise InputError("resource quantities need the Python package 'kubernetes' (pip install kubernetes)")
    digits = num + ("." + denom if denom else "")
    text = sign + digits + (suffix if fmt != DECIMAL_EXPONENT else "e%d" % exponent)
    with decimal.localcontext() as ctx:
        # wide enough that parse_quantity's multiplication by the suffix is exact
        ctx.prec = len(text) + 40
        ctx.Emax = decimal.MAX_EMAX
        ctx.Emin = decimal.MIN_EMIN
        return _parse_quantity(text)


def _round_and_cap(value):
    """The slow path of ``ParseQuantity``: round the magnitude up to nano units, cap at int64 max."""
    if value == 0:
        return decimal.Decimal(0)
    magnitude = abs(value)
    if magnitude.adjusted() > 19:
        magnitude = _MAX_ALLOWED
    elif magnitude.adjusted() < -10:
        magnitude = _NANO
    else:
        with decimal.localcontext() as ctx:
            ctx.prec = 60
            magnitude = min(magnitude.quantize(_NANO, rounding=decimal.ROUND_UP), _MAX_ALLOWED)
    return magnitude if value > 0 else -magnitude


def _text_of(value, what):
    """The quantity's text: JSON numbers are parsed from their text, as Go's UnmarshalJSON does."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise InputError("%s must be a quantity string such as \"100m\" or \"1Gi\", got %s %r" % (what, type_name(value), value))


class Quantity(object):
    """A parsed ``resource.Quantity``: its exact value (``Decimal``) and its format."""

    __slots__ = ("value", "format")

    def __init__(self, value, fmt=DECIMAL_SI):
        self.value = value
        self.format = fmt

    @classmethod
    def parse(cls, value, what="quantity"):
        """``resource.ParseQuantity``; ``what`` names the field in the error message."""
        text = _text_of(value, what)
        parsed = _parse_text(text)
        if isinstance(parsed, str):
            raise InputError("%s: %s" % (what, "%r: %s" % (text, parsed) if text else parsed))
        return parsed

    def is_zero(self):
        return self.value == 0

    def _scaled(self, factor, what):
        """``ScaledValue``: rounded away from zero; Go wraps silently past int64, we refuse."""
        scaled = self.value * factor
        result = int(scaled.to_integral_value(rounding=decimal.ROUND_UP))
        if not -MAX_INT64 - 1 <= result <= MAX_INT64:
            raise InputError("%s: %s does not fit in an int64 (Go would silently overflow)" % (what, self))
        return result

    def value_int(self, what="quantity"):
        """``Quantity.Value()``: the value rounded up to an integer."""
        return self._scaled(1, what)

    def milli_value(self, what="quantity"):
        """``Quantity.MilliValue()``: the value in thousandths, rounded up."""
        return self._scaled(1000, what)

    def __str__(self):
        """``Quantity.String()``: the canonical form (``1000m`` -> ``1``, ``1024Ki`` -> ``1Mi``)."""
        if self.value == 0:
            return "0"
        sign = "-" if self.value < 0 else ""
        magnitude = abs(self.value)
        integral = magnitude == magnitude.to_integral_value()
        if self.format == BINARY_SI and magnitude >= 1024 and integral:
            return sign + _base1024(int(magnitude))
        mantissa, exponent = _base1000(magnitude)
        if self.format == DECIMAL_EXPONENT:
            suffix = "e%d" % exponent if exponent else ""
        else:
            # Go prints no suffix at all past "E" (e.g. "1000E" reads back as "1")
            suffix = _DECIMAL_SUFFIX_OF.get(exponent, "")
        return sign + str(mantissa) + suffix

    __repr__ = __str__


@functools.lru_cache(maxsize=1024)
def _parse_text(text):
    """The ``Quantity`` written as ``text``, or Go's error text. Cached: pods repeat their quantities."""
    match = _SYNTAX.fullmatch(text) if text else None
    if match is None:
        return ERR_FORMAT_WRONG
    sign, raw_num, denom, suffix = match.group(1), match.group(2), match.group(3) or "", match.group(4)
    interpreted = _interpret_suffix(suffix)
    if interpreted is None:
        return ERR_SUFFIX
    _base, exponent, fmt = interpreted
    num = raw_num.lstrip("0") or "0"
    if _takes_fast_path(num, denom, exponent, fmt):
        return Quantity(_exact_value(sign, num, denom, suffix, exponent, fmt), fmt)
    if not raw_num and not denom:
        return ERR_NUMERIC
    value = _round_and_cap(_exact_value(sign, num, denom, suffix, exponent, fmt))
    if fmt == BINARY_SI and 0 < value < 1:
        fmt = DECIMAL_SI
    return Quantity(value, fmt)


def _base1024(number):
    """``AsCanonicalBase1024Bytes``: strip factors of 1024 into a binary suffix."""
    exponent = 0
    while number % 1024 == 0 and exponent < 60:
        number //= 1024
        exponent += 10
    return str(number) + _BINARY_SUFFIX_OF[exponent]


def _base1000(magnitude):
    """``AsCanonicalBytes``: integer mantissa and an exponent that is a multiple of 3."""
    _sign, digits, exponent = magnitude.normalize(decimal.Context(prec=80)).as_tuple()
    mantissa = int("".join(map(str, digits)))
    shift = exponent % 3
    return mantissa * 10 ** shift, exponent - shift


def ceil_ratio(quantity, divisor, milli, what):
    """``int64(math.Ceil(float64(q) / float64(divisor)))`` on ``Value()`` or ``MilliValue()``.

    Source: ``pkg/api/v1/resource/helpers.go`` ``convertResource*ToString``.
    """
    if milli:
        numerator, denominator = quantity.milli_value(what), divisor.milli_value(what)
    else:
        numerator, denominator = quantity.value_int(what), divisor.value_int(what)
    result = math.ceil(float(numerator) / float(denominator))
    if not -MAX_INT64 - 1 <= result <= MAX_INT64:
        raise InputError("%s: %s / %s overflows int64; the kubelet's value depends on its CPU architecture"
                         % (what, quantity, divisor))
    return str(result)

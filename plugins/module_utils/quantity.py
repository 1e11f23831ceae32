# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Kubernetes resource quantities as apimachinery's ``resource.Quantity`` holds them.

Pure Python, no Ansible imports. The numeric conversion of SI and binary suffixes is done by
``kubernetes.utils.quantity.parse_quantity`` (the official client); around it this module adds
what that helper does not reproduce: Go's accepted syntax and error texts, the two ways Go holds
a parsed value (an exact ``int64Amount`` from the fast path, an ``inf.Dec`` rounded up to nano
units from the slow path, capped at the int64 maximum only for binary suffixes), the text
``ParseQuantity`` keeps when it is already canonical, ``String()``, ``Value()``/``MilliValue()``
with Go's rounding and int64 overflow, ``RoundUp`` and the JSON decoding (surrounding whitespace).

Source: apimachinery ``pkg/api/resource/quantity.go`` (``ParseQuantity``, ``parseQuantityString``,
``CanonicalizeBytes``, ``ScaledValue``, ``RoundUp``, ``UnmarshalJSON``), ``suffix.go``,
``amount.go``, ``math.go`` (``positiveScaleInt64``, ``negativeScaleInt64``) and ``scale_int.go``
(``scaledValue``); the expected values in ``quantity_test.go`` (``TestParseQuantity``,
``TestQuantityParse``, ``TestQuantityString``, ``TestJSONWhitespace``).

The rules, their upstream origin and the assumptions: docs/validation.md#quantities.
"""

from __future__ import annotations

import decimal
import functools
import importlib.util
import math
import os
import re
import sys
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, type_name

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

# parseQuantityString: sign, digits, optional fraction, suffix letters, optional signed digits.
_SYNTAX = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")
# strings.TrimSpace: unicode.IsSpace (not str.strip, which also strips \x1c-\x1f)
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX_OF = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIX_OF = {0: "", **{exp: suffix for suffix, exp in _BINARY_SUFFIXES.items()}}

MAX_INT64 = (1 << 63) - 1
_NANO = decimal.Decimal("1e-9")
_MAX_ALLOWED = decimal.Decimal(MAX_INT64)
_MAX_INT64_FACTORS = 18  # maxInt64Factors: decimal digits an int64 always holds
_MILLI = -3


def _int32(value):
    """Go's ``int32(x)`` conversion of an int64: wraps around."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def _int64(value):
    """Go's int64 arithmetic: wraps around."""
    return (value + (1 << 63)) % (1 << 64) - (1 << 63)


def _big_int64(value):
    """``big.Int.Int64()``: the low 64 bits of the magnitude, then the sign (wrapping)."""
    low = _int64(abs(value) % (1 << 64))
    return _int64(-low) if value < 0 else low


def _interpret_suffix(suffix):
    """``quantitySuffixer.interpret``: ``(base, exponent, format)`` or ``None``."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[+-]?[0-9]+", suffix[1:]):
        if len(suffix[1:].lstrip("+-").lstrip("0")) > 19:  # out of the int64 range whatever the digits
            return None
        exponent = int(suffix[1:])
        if -(1 << 63) <= exponent <= MAX_INT64:  # strconv.ParseInt(..., 64)
            return 10, _int32(exponent), DECIMAL_EXPONENT
    return None


_CLIENT_QUANTITY = "kubernetes.utils.quantity"


def _load_parse_quantity():
    """The client's ``kubernetes.utils.quantity.parse_quantity``, or ``None`` when the package is missing.

    Importing ``kubernetes`` imports the whole client (about a third of a second, in every task that parses a quantity);
    its ``utils/quantity.py`` needs only ``decimal``, so unless the client is loaded already that file is loaded alone.
    """
    loaded = sys.modules.get(_CLIENT_QUANTITY)
    if loaded is not None:
        return loaded.parse_quantity
    package = importlib.util.find_spec("kubernetes")
    path = os.path.join(os.path.dirname(package.origin), "utils", "quantity.py") if package and package.origin else None
    if path is None or not os.path.isfile(path):
        try:
            from kubernetes.utils.quantity import parse_quantity   # pylint: disable=import-outside-toplevel
        except ImportError:
            return None
        return parse_quantity
    spec = importlib.util.spec_from_file_location("_clusternet_k8s_client_quantity", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_quantity


_parse_quantity = None  # loaded when a quantity is first parsed


def _decimal(text):
    """The exact number ``text`` (digits, a binary suffix or ``e<N>``), via the kubernetes client."""
    global _parse_quantity   # pylint: disable=global-statement
    if _parse_quantity is None:
        _parse_quantity = _load_parse_quantity()
        if _parse_quantity is None:
            raise InputError("resource quantities need the Python package 'kubernetes' (pip install kubernetes)")
    with decimal.localcontext() as ctx:
        # wide enough that parse_quantity's multiplication by the suffix is exact
        ctx.prec = len(text) + 40
        ctx.Emax = decimal.MAX_EMAX
        ctx.Emin = decimal.MIN_EMIN
        return _parse_quantity(text)


def _fast_path(sign, num, denom, exponent, fmt):
    """``ParseQuantity``'s int64 path: ``(mantissa, scale, canonical)`` (an ``int64Amount``) or ``None``.

    The value is exact (no rounding, no cap); ``canonical`` says whether Go keeps the text as the
    quantity's ``String()``.
    """
    if fmt == BINARY_SI:
        # float32(exponent)*3/10 is exact for the binary exponents 10, ..., 60
        if denom or 15 - len(num) - exponent * 3 // 10 - 1 < 0:
            return None
        shifted = int(num)
        mantissa = (shifted << exponent) * (-1 if sign == "-" else 1)
        return mantissa, 0, shifted & 7 != 0
    if _MAX_INT64_FACTORS - (len(num) + len(denom)) < 0:
        return None
    scale = _int32(exponent - len(denom))  # int32 arithmetic, as in Go
    if scale < -9:
        return None
    shifted = num + denom
    mantissa = int(shifted) * (-1 if sign == "-" else 1)
    canonical = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
    return mantissa, scale, canonical


def _slow_path(sign, num, denom, suffix, exponent, fmt):
    """``ParseQuantity``'s inf.Dec path: ``(value, format, inf.Dec scale)``, rounded up to nano units,
    binary values capped at the int64 maximum."""
    digits = num + ("." + denom if denom else "")
    if fmt == BINARY_SI:
        value = _decimal(digits + suffix)
    else:
        # Scale(exponent).infScale() negates an int32: -(-2^31) stays -2^31, i.e. 10^(2^31)
        value = _decimal("%se%d" % (digits, (1 << 31) if exponent == -(1 << 31) else exponent))
    magnitude = value.copy_abs()
    scale = 9
    if magnitude:
        magnitude = _round_up(magnitude, _NANO)
    if fmt == BINARY_SI and magnitude > _MAX_ALLOWED:
        magnitude, scale = _MAX_ALLOWED, 0  # maxAllowed is an inf.Dec of scale 0
    if fmt == BINARY_SI and 0 < magnitude < 1:
        fmt = DECIMAL_SI  # "This avoids rounding and hopefully confusion, too."
    return (magnitude.copy_negate() if sign == "-" else magnitude), fmt, scale


def _round_up(magnitude, unit):
    """``inf.Dec.Round(x, scale, inf.RoundUp)`` of a non-negative value: up to a multiple of ``unit``."""
    if magnitude.as_tuple().exponent >= unit.as_tuple().exponent:
        return magnitude
    with decimal.localcontext() as ctx:
        ctx.prec = max(28, magnitude.adjusted() - unit.as_tuple().exponent + 2)
        return magnitude.quantize(unit, rounding=decimal.ROUND_UP)


def _text_of(value, what):
    """The quantity's text: JSON numbers are parsed from their text, as Go's UnmarshalJSON does."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise InputError("%s must be a quantity string such as \"100m\" or \"1Gi\", got %s %r" % (what, type_name(value), value))


def _coefficient(value):
    """``(coefficient, exponent)`` with ``value == coefficient * 10^exponent``."""
    sign, digits, exponent = value.as_tuple()
    return _int_of_digits(digits) * (-1 if sign else 1), exponent


def _int_of_digits(digits):
    """The int of a ``Decimal``'s digit tuple, however many digits (Python 3.11+ refuses ``int()`` of a long text)."""
    return int(decimal.Decimal((0, digits or (0,), 0)))


def _int_text(number):
    """``str()`` of an int, however many digits (Python 3.11+ refuses to print a long one)."""
    return str(number) if number.bit_length() < 10000 else format(decimal.Decimal(number), "f")


def _big_int64_of(coefficient, power):
    """``big.Int.Int64()`` of ``coefficient * 10^power`` (``power >= 0``) without building a huge integer."""
    low = abs(coefficient) * pow(10, power, 1 << 64) % (1 << 64)
    return _big_int64(-low if coefficient < 0 else low)


def _away_from_zero_div(value, divisor):
    """``negativeScaleInt64``: division rounded away from zero."""
    quotient, remainder = divmod(abs(value), divisor)
    quotient += 1 if remainder else 0
    return -quotient if value < 0 else quotient


class Quantity(object):
    """A parsed ``resource.Quantity``: its exact ``value`` (``Decimal``), ``format``, the ``text``
    Go keeps as its ``String()`` (``None`` when it computes the canonical form), and how Go holds
    it: ``int64_scale`` is the scale of an ``int64Amount`` (mantissa x 10^scale), ``None`` for an
    ``inf.Dec`` of scale ``dec_scale``."""

    __slots__ = ("value", "format", "text", "int64_scale", "dec_scale", "_parts")

    def __init__(self, value, fmt=DECIMAL_SI, text=None, int64_scale=0, dec_scale=9):
        self.value = value
        self.format = fmt
        self.text = text
        self.int64_scale = int64_scale
        self.dec_scale = dec_scale
        self._parts = None  # _coefficient(value), once: parsed quantities are cached and read many times

    @classmethod
    def parse(cls, value: Any, what: str = "quantity") -> Quantity:
        """``resource.ParseQuantity``; ``what`` names the field in the error message."""
        text = _text_of(value, what)
        parsed = _parse_text(text)
        if isinstance(parsed, str):
            raise InputError("%s: %s" % (what, "%r: %s" % (text, parsed) if text else parsed))
        return parsed

    @classmethod
    def decode(cls, value: Any, what: str = "quantity") -> Quantity:
        """``Quantity.UnmarshalJSON``: a field of an object read from JSON or YAML. Surrounding
        whitespace is trimmed first (``strings.TrimSpace``), then the text is parsed."""
        if isinstance(value, str):
            value = value.strip(_GO_SPACE)
        return cls.parse(value, what)

    def is_zero(self) -> bool:
        return self.value == 0

    def scaled_value(self, scale: int) -> int:
        """``ScaledValue(scale)``: the value in units of 10^scale, rounded up as Go does, with Go's
        int64 overflow (an ``int64Amount`` gives 0, an ``inf.Dec`` wraps around).

        As in apimachinery up to v0.37 (Kubernetes 1.37, the mirror's HEAD of 2026-07-23). Merged
        after it for 1.38: kubernetes PR #141305 saturates at the int64 limits instead, and #138510
        rounds negative ``inf.Dec`` values away from zero.
        """
        if self._parts is None:
            self._parts = _coefficient(self.value)
        coefficient, exponent = self._parts
        if self.int64_scale is not None:  # int64Amount.AsScaledInt64
            mantissa = coefficient * 10 ** (exponent - self.int64_scale)  # exponent == int64_scale when parsed
            if self.int64_scale < scale:
                return _away_from_zero_div(mantissa, 10 ** (scale - self.int64_scale))
            shift = self.int64_scale - scale
            if mantissa and shift > 18:  # positiveScaleInt64 overflows: (0, false)
                return 0
            product = mantissa * 10 ** shift
            return product if -MAX_INT64 - 1 <= product <= MAX_INT64 else 0
        # scaledValue(unscaled, scale, newScale): unscaled = coefficient * 10^power, power >= 0 here
        # (a parsed inf.Dec is a multiple of 10^-dec_scale); huge powers are handled modulo 2^64
        power = exponent + self.dec_scale
        dif = self.dec_scale + scale
        if dif <= 0:
            return _int64(_big_int64_of(coefficient, power) * 10 ** -dif)
        below_max = coefficient <= 0 or (power < 19 and coefficient * 10 ** power < MAX_INT64)
        if below_max and dif < 19:  # int64 arithmetic: truncating division, +1 if inexact
            small = _big_int64_of(coefficient, power)
            quotient = abs(small) // 10 ** dif * (-1 if small < 0 else 1)
            return quotient + 1 if small != quotient * 10 ** dif else quotient
        if power >= dif:  # big.Int.DivMod, exact
            return _big_int64_of(coefficient, power - dif)
        quotient, remainder = divmod(coefficient * 10 ** power, 10 ** dif)  # floor for a positive divisor
        return _int64(_big_int64(quotient) + 1) if remainder else _big_int64(quotient)

    def value_int(self) -> int:
        """``Quantity.Value()``."""
        return self.scaled_value(0)

    def milli_value(self) -> int:
        """``Quantity.MilliValue()``."""
        return self.scaled_value(_MILLI)

    def round_up_milli(self) -> Quantity:
        """``RoundUp(-3)``, as ``SetDefaults_ResourceList`` applies to every ``ResourceList`` value:
        finer values are rounded up (away from zero) to milli units and lose their kept text."""
        if self.int64_scale is not None and self.int64_scale >= _MILLI:
            return self
        rounded = _round_up(self.value.copy_abs(), decimal.Decimal("1e-3"))
        return Quantity(rounded.copy_negate() if self.value < 0 else rounded, self.format, None, None, 3)

    def add(self, other: Quantity) -> Quantity:
        """``q.Add(y)`` on a copy of ``q``: the exact sum, which prints in its canonical form (the kept text goes),
        in ``q``'s format unless ``q`` is zero (then ``y``'s). Two ``int64Amount`` values stay one, at the finer of
        their scales, while the sum fits in an int64; otherwise the sum is an ``inf.Dec`` of the finer scale."""
        fmt = other.format if self.value == 0 else self.format
        with decimal.localcontext() as ctx:
            ctx.prec = decimal.MAX_PREC  # the sum of two finite decimals is exact
            ctx.Emax, ctx.Emin = decimal.MAX_EMAX, decimal.MIN_EMIN
            total = self.value + other.value
            if self.int64_scale is not None and other.int64_scale is not None:  # int64Amount.Add
                if other.value == 0:
                    return Quantity(self.value, fmt, None, self.int64_scale)
                if self.value == 0:
                    return Quantity(other.value, fmt, None, other.int64_scale)
                scale = min(self.int64_scale, other.int64_scale)
                if all(abs(q.value.scaleb(-scale)) <= MAX_INT64 for q in (self, other)) and \
                        -MAX_INT64 - 1 <= total.scaleb(-scale) <= MAX_INT64:
                    return Quantity(total, fmt, None, scale)
        scales = [-q.int64_scale if q.int64_scale is not None else q.dec_scale for q in (self, other)]
        return Quantity(total, fmt, None, None, max(scales))

    def stored(self) -> Quantity:
        """The quantity another component reads back: the apiserver serializes ``String()`` and
        the reader parses that text again."""
        return _parse_text(str(self))

    def __str__(self):
        """``Quantity.String()``: the text ``ParseQuantity`` kept, else the canonical form
        (``1000m`` -> ``1``, ``1024Ki`` -> ``1Mi``)."""
        if self.text is not None:
            return self.text
        if self.value == 0:
            return "0"
        sign = "-" if self.value < 0 else ""
        magnitude = self.value.copy_abs()
        integral = magnitude == magnitude.to_integral_value()
        if self.format == BINARY_SI and magnitude >= 1024 and integral:
            return sign + _base1024(int(magnitude))
        mantissa, exponent = _base1000(magnitude)
        if self.format == DECIMAL_EXPONENT:
            suffix = "e%d" % exponent if exponent else ""
        else:
            # Go prints no suffix at all past "E" (e.g. "1000E" reads back as "1")
            suffix = _DECIMAL_SUFFIX_OF.get(exponent, "")
        return sign + _int_text(mantissa) + suffix

    __repr__ = __str__


@functools.lru_cache(maxsize=16384)
def _parse_text(text):
    """The ``Quantity`` written as ``text``, or Go's error text. Cached: pods repeat their quantities, and the
    cache holds every distinct one of a pod of thousands of containers (a few MiB at most)."""
    match = _SYNTAX.fullmatch(text) if text else None
    if match is None:
        return ERR_FORMAT_WRONG
    if text == "0":
        return Quantity(decimal.Decimal(0), DECIMAL_SI, "0")
    sign, raw_num, denom, suffix = match.group(1), match.group(2), match.group(3) or "", match.group(4)
    interpreted = _interpret_suffix(suffix)
    if interpreted is None:
        return ERR_SUFFIX
    _base, exponent, fmt = interpreted
    num = raw_num.lstrip("0") or "0"
    fast = _fast_path(sign, num, denom, exponent, fmt)
    if fast is not None:
        mantissa, scale, canonical = fast
        return Quantity(_decimal("%de%d" % (mantissa, scale)), fmt, text if canonical else None, scale)
    if not raw_num and not denom:
        return ERR_NUMERIC  # inf.Dec.SetString finds no digit
    value, fmt, scale = _slow_path(sign, num, denom, suffix, exponent, fmt)
    return Quantity(value, fmt, None, None, scale)


def _base1024(number):
    """``AsCanonicalBase1024Bytes``: strip factors of 1024 into a binary suffix."""
    exponent = 0
    while number % 1024 == 0 and exponent < 60:
        number //= 1024
        exponent += 10
    return _int_text(number) + _BINARY_SUFFIX_OF[exponent]


def _base1000(magnitude):
    """``AsCanonicalBytes``: integer mantissa and an exponent that is a multiple of 3."""
    _sign, digits, exponent = magnitude.as_tuple()
    mantissa = _int_of_digits(digits)
    while mantissa and mantissa % 10 == 0:  # removeBigIntFactors(amount, 10)
        mantissa //= 10
        exponent += 1
    shift = exponent % 3
    return mantissa * 10 ** shift, exponent - shift


def ceil_ratio(quantity: Quantity, divisor: Quantity, milli: bool, what: str) -> str:
    """``int64(math.Ceil(float64(q) / float64(divisor)))`` on ``Value()`` or ``MilliValue()``.

    Source: ``pkg/api/v1/resource/helpers.go`` ``convertResource*ToString``. Go's conversion of a
    float64 beyond the int64 range is implementation-specific, so that case is refused.
    """
    if milli:
        numerator, denominator = quantity.milli_value(), divisor.milli_value()
    else:
        numerator, denominator = quantity.value_int(), divisor.value_int()
    if denominator == 0:
        raise InputError("%s: the divisor %s is 0 in %s units; the kubelet's value depends on its CPU architecture"
                         % (what, divisor, "milli" if milli else "whole"))
    result = math.ceil(float(numerator) / float(denominator))
    if not -MAX_INT64 - 1 <= result <= MAX_INT64:
        raise InputError("%s: %s / %s overflows int64; the kubelet's value depends on its CPU architecture"
                         % (what, quantity, divisor))
    return str(result)

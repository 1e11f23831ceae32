"""apimachinery resource.Quantity: Go's syntax, rounding, capping, Value()/MilliValue() and String()."""
import decimal

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils import quantity
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity, ceil_ratio


@pytest.mark.parametrize("text, value, fmt", [
    ("1", "1", quantity.DECIMAL_SI),
    ("100m", "0.1", quantity.DECIMAL_SI),
    ("1.5", "1.5", quantity.DECIMAL_SI),
    ("1Ki", "1024", quantity.BINARY_SI),
    ("100Mi", "104857600", quantity.BINARY_SI),
    ("1e3", "1000", quantity.DECIMAL_EXPONENT),
    ("1E3", "1000", quantity.DECIMAL_EXPONENT),
    ("1E", "1000000000000000000", quantity.DECIMAL_SI),
    ("+5", "5", quantity.DECIMAL_SI),
    ("-5m", "-0.005", quantity.DECIMAL_SI),
    ("007", "7", quantity.DECIMAL_SI),
    (".", "0", quantity.DECIMAL_SI),      # Go reads a lone "." as zero
    ("-", "0", quantity.DECIMAL_SI),
    ("1.", "1", quantity.DECIMAL_SI),
    ("1.e3", "1000", quantity.DECIMAL_EXPONENT),
    # the slow parse path rounds the magnitude up to nano units ...
    ("0.0000000001", "0.000000001", quantity.DECIMAL_SI),
    ("-0.0000000001", "-0.000000001", quantity.DECIMAL_SI),
    ("1.0000000001", "1.000000001", quantity.DECIMAL_SI),
    # ... and caps it at the int64 maximum
    ("9223372036854775808", "9223372036854775807", quantity.DECIMAL_SI),
    ("8Ei", "9223372036854775807", quantity.BINARY_SI),
    ("12345678901234567890123e-3", "9223372036854775807", quantity.DECIMAL_EXPONENT),
    # the fast path (an int64 mantissa) does neither: 10E is exactly 1e19
    ("10E", "10000000000000000000", quantity.DECIMAL_SI),
    ("1e100", "1e100", quantity.DECIMAL_EXPONENT),
    # exponents are truncated to int32 as in Go
    ("1e4294967296", "1", quantity.DECIMAL_EXPONENT),
    # a binary quantity below 1 becomes decimal
    ("0.0000009765625Ki", "0.001", quantity.DECIMAL_SI),
])
def test_parse(text, value, fmt):
    parsed = Quantity.parse(text)
    assert parsed.value == decimal.Decimal(value)
    assert parsed.format == fmt


@pytest.mark.parametrize("value, text", [(2, "2"), (0.5, "0.5"), (1e-05, "1e-05"), (1e16, "1e+16")])
def test_json_numbers_parse_from_their_text(value, text):
    assert Quantity.parse(value).value == Quantity.parse(text).value


@pytest.mark.parametrize("text, message", [
    ("", quantity.ERR_FORMAT_WRONG),
    ("1.5.5", quantity.ERR_FORMAT_WRONG),
    ("1 ", quantity.ERR_FORMAT_WRONG),
    ("abc", quantity.ERR_FORMAT_WRONG),
    ("1e3i", quantity.ERR_FORMAT_WRONG),
    ("1K", quantity.ERR_SUFFIX),          # only lower-case k is kilo
    ("1ki", quantity.ERR_SUFFIX),
    ("1e", quantity.ERR_SUFFIX),
    ("1ee3", quantity.ERR_SUFFIX),
    ("1e99999999999999999999", quantity.ERR_SUFFIX),  # exponent not an int64
    (".e-10", quantity.ERR_NUMERIC),      # the slow path needs digits
])
def test_parse_errors(text, message):
    with pytest.raises(InputError) as err:
        Quantity.parse(text, "spec.x")
    assert str(err.value).startswith("spec.x: ")
    assert str(err.value).endswith(message)


@pytest.mark.parametrize("value", [None, True, [], {}, float("nan"), float("inf")])
def test_parse_rejects_other_types(value):
    with pytest.raises(InputError, match="must be a quantity string"):
        Quantity.parse(value, "divisor")


@pytest.mark.parametrize("text, canonical", [
    ("1000m", "1"), ("1000", "1k"), ("1024", "1024"), ("1e3", "1e3"), ("12e6", "12e6"), ("1E3", "1e3"),
    ("1Ki", "1Ki"), ("1024Ki", "1Mi"), ("0.5Ki", "512"), ("1.5Gi", "1536Mi"), ("100m", "100m"),
    ("0.1", "100m"), ("1.5", "1500m"), ("1500", "1500"), ("10E", "10E"), ("1000E", "1"), ("0", "0"),
    ("-1", "-1"), ("0.000000001", "1n"), ("8Ei", "9223372036854775807"), ("1Mi", "1Mi"),
    ("0.0000009765625Ki", "1m"),
])
def test_canonical_string(text, canonical):
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize("text, value, milli", [
    ("1", 1, 1000), ("0.5m", 1, 1), ("1.5", 2, 1500), ("100m", 1, 100), ("-2.5", -3, -2500), ("0", 0, 0),
    ("9223372036854775807", 9223372036854775807, None),
])
def test_value_and_milli_value_round_away_from_zero(text, value, milli):
    parsed = Quantity.parse(text)
    assert parsed.value_int() == value
    if milli is None:
        with pytest.raises(InputError, match="does not fit in an int64"):
            parsed.milli_value()
    else:
        assert parsed.milli_value() == milli


def test_value_of_an_uncapped_fast_path_quantity_overflows():
    with pytest.raises(InputError, match="does not fit in an int64"):
        Quantity.parse("10E").value_int()


@pytest.mark.parametrize("value, divisor, milli, expected", [
    ("1200m", "100m", True, "12"),
    ("100m", "1", True, "1"),
    ("100Mi", "1Mi", False, "100"),
    ("100Mi", "1", False, "104857600"),
    ("1500M", "1Gi", False, "2"),
    ("2500m", "1", True, "3"),
    ("0", "1", True, "0"),
    # float64 division: 2^53 + 1 bytes is not representable and rounds down before the ceiling
    ("9007199254740993", "1", False, "9007199254740992"),
])
def test_ceil_ratio(value, divisor, milli, expected):
    assert ceil_ratio(Quantity.parse(value), Quantity.parse(divisor), milli, "x") == expected


def test_ceil_ratio_refuses_int64_overflow():
    with pytest.raises(InputError, match="overflows int64"):
        ceil_ratio(Quantity.parse("9223372036854775807"), Quantity.parse("1"), False, "limits.memory")


def test_missing_kubernetes_package_is_a_clean_error(monkeypatch):
    monkeypatch.setattr(quantity, "_parse_quantity", None)
    quantity._parse_text.cache_clear()
    with pytest.raises(InputError, match="pip install kubernetes"):
        Quantity.parse("1Gi")

"""apimachinery resource.Quantity: Go's syntax, rounding, capping, Value()/MilliValue() and String()."""
import decimal
import sys

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
    # ... and caps binary quantities (only those) at the int64 maximum: ParseQuantity's
    # "format == BinarySI && amount.Cmp(maxAllowed.Dec) > 0" (TestParseQuantity: 9223372036854775808 stays)
    ("9223372036854775808", "9223372036854775808", quantity.DECIMAL_SI),
    ("8Ei", "9223372036854775807", quantity.BINARY_SI),
    ("12345678901234567890123e-3", "12345678901234567890.123", quantity.DECIMAL_EXPONENT),
    # the fast path (an int64 mantissa) does neither: 10E is exactly 1e19
    ("10E", "10000000000000000000", quantity.DECIMAL_SI),
    ("1e100", "1e100", quantity.DECIMAL_EXPONENT),
    # exponents are truncated to int32 as in Go
    ("1e4294967296", "1", quantity.DECIMAL_EXPONENT),
    # a binary quantity below 1 becomes decimal
    ("0.0000009765625Ki", "0.001", quantity.DECIMAL_SI),
    # TestQuantityParse: "Things that saturate/round", "fractional binary", "written by trolls"
    ("3.001n", "4e-9", quantity.DECIMAL_SI),
    ("1.1E-9", "2e-9", quantity.DECIMAL_EXPONENT),
    ("0.00000000050", "1e-9", quantity.DECIMAL_SI),
    ("0.00000012345", "124e-9", quantity.DECIMAL_SI),
    ("9223372036854775807Ki", "9223372036854775807", quantity.BINARY_SI),
    ("12E", "12e18", quantity.DECIMAL_SI),
    ("100.035Ki", "102435.84", quantity.BINARY_SI),
    ("0.025Ti", "27487790694.4", quantity.BINARY_SI),
    ("0.000000000001Ki", "2e-9", quantity.DECIMAL_SI),
    ("-0.000000000001Ki", "-2e-9", quantity.DECIMAL_SI),  # the sign does not keep it binary
    (".0001k", "0.1", quantity.DECIMAL_SI),
    ("1.G", "1e9", quantity.DECIMAL_SI),
    ("0.5e-9", "1e-9", quantity.DECIMAL_EXPONENT),
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
    ("1000m", "1"), ("1000", "1k"), ("1024", "1024"), ("1e3", "1e3"), ("12e6", "12e6"), ("1E3", "1E3"),
    ("1Ki", "1Ki"), ("1024Ki", "1Mi"), ("0.5Ki", "512"), ("1.5Gi", "1536Mi"), ("100m", "100m"),
    ("0.1", "100m"), ("1.5", "1500m"), ("1500", "1500"), ("10E", "10E"), ("1000E", "1"), ("0", "0"),
    ("-1", "-1"), ("0.000000001", "1n"), ("8Ei", "9223372036854775807"), ("1Mi", "1Mi"),
    ("0.0000009765625Ki", "1m"),
])
def test_canonical_string(text, canonical):
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize("text, value, milli", [
    ("1", 1, 1000), ("0.5m", 1, 1), ("1.5", 2, 1500), ("100m", 1, 100), ("-2.5", -3, -2500), ("0", 0, 0),
    # an inf.Dec (slow path) beyond int64: scaledValue's big.Int.Int64() keeps the low 64 bits
    ("9223372036854775807", 9223372036854775807, -1000),
])
def test_value_and_milli_value_round_away_from_zero(text, value, milli):
    parsed = Quantity.parse(text)
    assert parsed.value_int() == value
    assert parsed.milli_value() == milli


def test_value_of_an_uncapped_fast_path_quantity_overflows_to_zero():
    """An int64Amount whose scaled value overflows: ``positiveScaleInt64`` returns ``(0, false)`` and
    ``ScaledValue`` ignores the flag (apimachinery math.go, quantity.go)."""
    assert Quantity.parse("10E").value_int() == 0
    assert Quantity.parse("9E").value_int() == 9 * 10 ** 18
    assert Quantity.parse("9E").milli_value() == 0


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
    monkeypatch.setattr(quantity, "_load_parse_quantity", lambda: None)
    quantity._parse_text.cache_clear()
    with pytest.raises(InputError, match="pip install kubernetes"):
        Quantity.parse("1Gi")
    quantity._parse_text.cache_clear()


def test_the_client_quantity_parser_is_loaded_without_the_whole_client(monkeypatch):
    """parse_quantity comes from the kubernetes package's own file, without importing the package (a third of a
    second in every task that parses a quantity); with the client already imported, its module is used."""
    import kubernetes.utils.quantity as client_quantity   # pylint: disable=import-outside-toplevel
    for name in [n for n in sys.modules if n == "kubernetes" or n.startswith("kubernetes.")]:
        monkeypatch.delitem(sys.modules, name)
    parse = quantity._load_parse_quantity()
    assert "kubernetes" not in sys.modules
    assert parse.__code__.co_filename == client_quantity.parse_quantity.__code__.co_filename
    assert parse("1.5Gi") == client_quantity.parse_quantity("1.5Gi")
    monkeypatch.setitem(sys.modules, "kubernetes.utils.quantity", client_quantity)
    assert quantity._load_parse_quantity() is client_quantity.parse_quantity


# --- upstream vectors (apimachinery pkg/api/resource/quantity_test.go) --------------------------

@pytest.mark.parametrize("text, value, canonical", [
    # TestParseQuantity: decimal values are never capped; a reserialized input keeps its text
    ("999999999999999999", "999999999999999999", None),
    ("-999999999999999999.1", "-999999999999999999.1", "-999999999999999999100m"),
    ("9999999999999999999", "9999999999999999999", None),
    ("1000000000000000000", "1000000000000000000", "1E"),
    ("-1.0E", "-1000000000000000000", "-1E"),
    ("10.0000000000000000001E", "10000000000000000000.1", "10000000000000000000100m"),
    ("10000000000000000000000m", "10000000000000000000", "10E"),
    ("-10.000000000000000001E", "-10000000000000000001", "-10000000000000000001"),
    ("9223372036854775808", "9223372036854775808", None),
    ("9223372036854775807.1", "9223372036854775807.1", "9223372036854775807100m"),
    ("-9223372036854775809000m", "-9223372036854775809", "-9223372036854775809"),
])
def test_parse_quantity_vectors(text, value, canonical):
    parsed = Quantity.parse(text)
    assert parsed.value == decimal.Decimal(value)
    assert str(parsed) == (canonical or text)


@pytest.mark.parametrize("text, canonical", [
    # TestQuantityParseEmit and the alternates of TestQuantityString (parsed, then String())
    ("1024Mi", "1Gi"), ("1000M", "1G"), (".001Ki", "1024m"), (".000001Ki", "1024u"), (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"), ("-.001Ki", "-1024m"), ("307200Ki", "300Mi"), ("1025024Mi", "1001Gi"),
    ("5000m", "5"), ("0.5", "500m"), ("0.001T", "1G"), ("1000u", "1m"), ("1.08", "1080m"), ("1080000000n", "1080m"),
    (".001e12", "1e9"), ("0.001e0", "1e-3"), ("1000e-12", "1e-9"), ("00", "0"),
])
def test_string_vectors(text, canonical):
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize("text", ["+1", "01", "1e0", "1.500", "01Ki", "1E3", "007", "+5m", "1025Ki"])
def test_parse_keeps_a_text_it_deems_canonical(text):
    """``ParseQuantity`` keeps the input as the ``String()`` when its int64 path finds it canonical
    (binary: the number is not a multiple of 8; decimal: scale a multiple of 3, digits neither
    ending in 000 nor starting with 0 once leading zeros are dropped), even with a sign or zeros."""
    assert str(Quantity.parse(text)) == text


@pytest.mark.parametrize("text, canonical", [("8Ki", "8Ki"), ("1024Ki", "1Mi"), ("1000m", "1"), ("0.10", "100m"),
                                             ("+1000", "1k"), ("1.5e3", "1500")])
def test_parse_computes_the_canonical_form_otherwise(text, canonical):
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize("raw, canonical", [(" 1", "1"), ("1 ", "1"), (" -1", "-1"), ("\t1Gi\n", "1Gi"), ("\u00a01", "1")])
def test_json_decoding_trims_go_whitespace(raw, canonical):
    """TestJSONWhitespace: ``UnmarshalJSON`` applies ``strings.TrimSpace`` before parsing."""
    assert str(Quantity.decode(raw)) == canonical


def test_json_decoding_keeps_what_go_does_not_call_space():
    with pytest.raises(InputError, match="must match the regular expression"):
        Quantity.decode("\x1c1")  # str.strip() would remove it; unicode.IsSpace does not


@pytest.mark.parametrize("text, value, milli", [
    # inf.Dec (slow path) values: scaledValue truncates in int64 and adds 1 when inexact
    ("-0.0000000001", 1, 1),
    ("-1.0000000001", 0, -999),
    ("1.0000000001", 2, 1001),
    ("12345678901234567890", 12345678901234567890 - 2 ** 64, 12345678901234567890000 % 2 ** 64),  # low 64 bits
])
def test_scaled_value_of_inf_dec_quantities(text, value, milli):
    parsed = Quantity.parse(text)
    assert (parsed.value_int(), parsed.milli_value()) == (value, milli)


@pytest.mark.parametrize("text, stored", [
    ("1000E", "1"),                  # String() has no suffix past E: the apiserver stores 1
    ("100000000000000000E", "100"),
    ("1.0000001", "1001m"),          # SetDefaults_ResourceList: RoundUp(-3)
    ("+1", "+1"),                    # a kept text survives: its scale is not below milli
    ("1.5n", "1m"),
    ("500m", "500m"),
])
def test_resource_list_value_as_stored(text, stored):
    assert str(Quantity.decode(text).round_up_milli().stored()) == stored

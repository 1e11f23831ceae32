"""apimachinery field errors and validators, and Go's strconv.Quote."""
import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.module_utils.validation import canonical_ip as v_canonical_ip
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import field as v_field
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import go_text as v_go_text
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import names as v_names
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import net as v_net
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import schema as v_schema
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import selectors as v_selectors


@pytest.mark.parametrize("raw, quoted", [
    ("abc", '"abc"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ("caf\u00e9 \u65e5\u672c \U0001F600", '"caf\u00e9 \u65e5\u672c \U0001F600"'),
    ("\x7f\x00\xa0\u200b", '"\\x7f\\x00\\u00a0\\u200b"'),
    ("\x07\b\f\x0b\n\r\t", '"\\a\\b\\f\\v\\n\\r\\t"'),
    ("\U000E0001", '"\\U000e0001"'),
    (b"a\xffb", '"a\\xffb"'),
])
def test_go_quote(raw, quoted):
    assert v_go_text.go_quote(raw) == quoted


@pytest.mark.parametrize("raw, quoted", [
    # assigned in Unicode 15.0.0, the tables of Go 1.21 to 1.26: printed as they are
    ("\u0cf3\U0001e4d0\U0001fa75\U00031350", '"\u0cf3\U0001e4d0\U0001fa75\U00031350"'),
    # assigned in Unicode 15.1.0, which those Go releases do not know: escaped
    ("\u2ffc\u31ef\U0002ebf0", '"\\u2ffc\\u31ef\\U0002ebf0"'),
    # a lone surrogate is what Go's JSON decoder turns into U+FFFD, which strconv.Quote prints as is
    ("a\ud800b", '"a\ufffdb"'),
])
def test_go_quote_follows_go_unicode_tables(raw, quoted):
    """strconv.IsPrint follows Go's unicode tables (Unicode 15.0.0 in Go 1.21-1.26), whatever
    Unicode version this Python's unicodedata has."""
    assert v_go_text.go_quote(raw) == quoted


def test_error_formats():
    assert str(v_field.invalid("spec.x", "v", "bad")) == 'spec.x: Invalid value: "v": bad'
    assert str(v_field.invalid("spec.x", 7, "bad")) == "spec.x: Invalid value: 7: bad"
    assert str(v_field.invalid("spec.x", True, "")) == "spec.x: Invalid value: true"
    # apimachinery 1.34+ (c58e197e "Nicer value rendering in API errors"): nil goes through json.Marshal
    assert str(v_field.invalid("spec.x", None, "d")) == "spec.x: Invalid value: null: d"
    assert str(v_field.invalid("spec.x", ["a"], "d")) == 'spec.x: Invalid value: ["a"]: d'
    assert str(v_field.required("spec.x")) == "spec.x: Required value"
    assert str(v_field.required("spec.x", "why")) == "spec.x: Required value: why"
    assert str(v_field.forbidden("spec.x", "no")) == "spec.x: Forbidden: no"
    assert str(v_field.duplicate("spec.x[1]", "a")) == 'spec.x[1]: Duplicate value: "a"'
    assert str(v_field.not_supported("f", "x", ["a", "b"])) == 'f: Unsupported value: "x": supported values: "a", "b"'
    assert v_field.child("", "spec", "hostAliases") == "spec.hostAliases"
    assert v_field.index("spec.hostAliases", 2) == "spec.hostAliases[2]"
    assert v_field.key("metadata.labels", "app") == "metadata.labels[app]"
    assert v_field.aggregate([v_field.required("a")]) == "a: Required value"
    assert v_field.aggregate([v_field.required("a"), v_field.required("b")]) == "[a: Required value, b: Required value]"


def test_dns1123_label():
    assert v_names.is_dns1123_label("web-0") == []
    assert v_names.is_dns1123_label("a.b") == ["must not contain dots"]
    assert v_names.is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    (msg,) = v_names.is_dns1123_label("Web_1")
    assert msg == ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                   "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
    assert v_names.is_dns1123_label("abc\n") != []


def test_dns1123_subdomain():
    assert v_names.is_dns1123_subdomain("foo.bar") == []
    assert v_names.is_dns1123_subdomain("foo.") != []
    assert v_names.is_dns1123_subdomain("a" * 254)[0] == "must be no more than 253 characters"


def test_qualified_name():
    assert v_names.is_qualified_name("example.com/MyName") == []
    assert v_names.is_qualified_name("/a") == ["prefix part must be non-empty"]
    assert v_names.is_qualified_name("a/")[0] == "name part must be non-empty"
    assert v_names.is_qualified_name("a" * 64)[0] == "name part must be no more than 63 bytes"
    (msg,) = v_names.is_qualified_name("a/b/c")
    assert msg.startswith("a valid label key must consist of") and msg.endswith("(e.g. 'example.com/MyName')")
    assert v_names.is_qualified_name("Upper.COM/x")[0].startswith("prefix part a lowercase RFC 1123 subdomain")


def test_dns_lengths_count_utf8_bytes():
    """Go's ``len`` counts bytes: ``IsDNS1123Label``/``IsDNS1123Subdomain``/``IsDNS1035Label``
    (apimachinery pkg/util/validation/validation.go) report the length error for 40 two-byte characters."""
    assert v_names.is_dns1123_label("\u00e9" * 40)[0] == "must be no more than 63 characters"
    assert v_names.is_dns1123_subdomain("\u00e9" * 127)[0] == "must be no more than 253 characters"
    assert v_names.is_dns1035_label("\u00e9" * 40)[0] == "must be no more than 63 characters"
    assert len(v_names.is_dns1123_label("\u00e9" * 31)) == 1  # 62 bytes: only the regex message


def test_label_key_prefix_length_says_bytes():
    """Since apimachinery v0.35 ``IsQualifiedName`` is ``content.IsLabelKey``, which checks the prefix
    with ``content.IsDNS1123Subdomain``; its ``MaxLenError`` says "bytes" (pkg/api/validate/content)."""
    assert v_names.is_qualified_name("a" * 254 + "/x") == ["prefix part must be no more than 253 bytes"]
    assert v_names.is_qualified_name("\u00e9" * 127 + "/x")[0] == "prefix part must be no more than 253 bytes"


@pytest.mark.parametrize("text, sloppy, legacy_strict, strict", [
    ("10.0.0.1", "10.0.0.1", [], []),
    ("010.001.002.003", "10.1.2.3", ["must not have leading 0s"], ["must not have leading 0s"]),
    ("::ffff:1.2.3.4", "1.2.3.4", ["must not be an IPv4-mapped IPv6 address"],
     ["must not be an IPv4-mapped IPv6 address"]),
    ("2001:DB8::1", "2001:db8::1", [], ['must be in canonical form ("2001:db8::1")']),
    ("fe80::1%eth0", None, None, None),
    ("1.2.3", None, None, None),
    ("1::2::3", None, None, None),
    ("1.2.3.256", None, None, None),
    (" 1.2.3.4", None, None, None),
    ("::", "::", [], []),
    ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304", [], ['must be in canonical form ("1:2:3:4:5:6:102:304")']),
])
def test_ips(text, sloppy, legacy_strict, strict):
    ip = v_net.parse_ip_sloppy(text)
    assert (v_net.go_ip_string(ip) if ip is not None else None) == sloppy
    invalid = ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    assert [e.detail for e in v_net.is_valid_ip_for_legacy_field("f", text, True)] == (legacy_strict if sloppy else invalid)
    assert [e.detail for e in v_net.is_valid_ip("f", text)] == (strict if sloppy else invalid)
    if sloppy:
        assert v_net.is_valid_ip_for_legacy_field("f", text) == []


@pytest.mark.parametrize("text, parsed", [
    ("0000000001.2.3.4", "1.2.3.4"),
    ("1.2.3.0000000000000000000004", "1.2.3.4"),
    ("::00000000001", "::1"),
    ("0000000ffff::", "ffff::"),
    ("::ffff:0000000001.2.3.4", "1.2.3.4"),
    ("1.2.3.0000000256", None),
    ("::0000001ffff", None),
    ("100000000.2.3.4", None),
])
def test_sloppy_parse_has_no_digit_limit(text, parsed):
    """The forked Go 1.16 parser (k8s.io/utils internal/third_party/forked/golang/net: ``dtoi``/``xtoi``)
    stops only when the value reaches 0xFFFFFF, so any number of leading zeros parses."""
    ip = v_net.parse_ip_sloppy(text)
    assert (v_net.go_ip_string(ip) if ip is not None else None) == parsed


def test_sloppy_cidr_prefix_has_no_digit_limit():
    """``ParseCIDR`` reads the prefix length with ``dtoi`` too: ``/0000000024`` is /24."""
    assert v_net.go_cidr_string(v_net.parse_cidr_sloppy("10.1.2.3/0000000024")[1]) == "10.1.2.0/24"
    assert v_net.go_cidr_string(v_net.parse_cidr_sloppy("0000000010.1.2.3/8")[1]) == "10.0.0.0/8"
    assert v_net.parse_cidr_sloppy("10.1.2.3/0000000033") is None


@pytest.mark.parametrize("text, net, strict", [
    ("10.0.0.0/8", "10.0.0.0/8", []),
    ("10.0.0.1/8", "10.0.0.0/8", ["must not have bits set beyond the prefix length"]),
    ("10.0.0.0/08", "10.0.0.0/8", ["must not have leading 0s in IP or prefix length"]),
    ("::ffff:1.2.3.0/120", "1.2.3.0/24", ["must not have an IPv4-mapped IPv6 address"]),
    ("fd00:0::/108", "fd00::/108", ['must be in canonical form ("fd00::/108")']),
    ("10.0.0.0/33", None, None),
    ("10.0.0.0", None, None),
])
def test_cidrs(text, net, strict):
    parsed = v_net.parse_cidr_sloppy(text)
    assert (v_net.go_cidr_string(parsed[1]) if parsed else None) == net
    expected = strict if net else ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]
    assert [e.detail for e in v_net.is_valid_cidr("f", text)] == expected


def test_go_string_slice():
    """Since apimachinery 1.34 (c58e197e "Nicer value rendering in API errors") ``ErrorBody`` prints
    every bad value that is not a plain string, integer or boolean with ``json.Marshal``."""
    assert str(v_go_text.go_string_slice(["10.0.0.1", ""])) == '["10.0.0.1",""]'
    assert str(v_go_text.go_string_slice(["IPv6"])) == '["IPv6"]'
    assert str(v_go_text.go_string_slice([])) == "null"
    error = v_field.invalid("spec.clusterIPs", v_go_text.go_string_slice(["a\nb"]), "d")
    assert str(error) == 'spec.clusterIPs: Invalid value: ["a\\nb"]: d'


def test_go_json_escapes_as_encoding_json():
    """``encoding/json``: HTML characters and U+2028/2029 as \\u escapes, \\b \\f \\n \\r \\t short (Go 1.22+),
    other control characters as \\u00XX, non-ASCII kept, DEL kept, lone surrogates as U+FFFD; map keys sorted."""
    assert v_go_text.go_json(["<a&b>", "\u2028", "\b\f\x01\x7f", "\u00e9", "\udc80"]) == \
        '["\\u003ca\\u0026b\\u003e","\\u2028","\\b\\f\\u0001\x7f","\u00e9","\\ufffd"]'
    assert v_go_text.go_json({"b": [1, True], "a": None}) == '{"a":null,"b":[1,true]}'
    assert str(v_field.invalid("spec.x", [], "d")) == "spec.x: Invalid value: []: d"
    assert str(v_field.not_supported("spec.ipFamilies[0]", v_go_text.go_json_value("IPv<4"), ["IPv4", "IPv6"])) == \
        'spec.ipFamilies[0]: Unsupported value: "IPv\\u003c4": supported values: "IPv4", "IPv6"'
    assert str(v_field.invalid("spec.ipFamilyPolicy", v_go_text.go_json_value(None), "d")) == "spec.ipFamilyPolicy: Invalid value: null: d"


def test_go_struct_values_and_internal_error():
    """Internal API types have no json tags: ``core.PodIP`` prints ``{"IP":...}``."""
    pod_ip = v_go_text.go_struct([("IP", "10.0.0.1")])
    assert str(pod_ip) == '{"IP":"10.0.0.1"}'
    assert str(v_go_text.go_struct_slice([pod_ip, pod_ip])) == '[{"IP":"10.0.0.1"},{"IP":"10.0.0.1"}]'
    assert str(v_go_text.go_struct_slice([])) == "null"
    spec = v_go_text.go_struct([("CIDRs", v_go_text.go_string_slice(["10.0.0.0/8"]))])
    assert str(spec) == '{"CIDRs":["10.0.0.0/8"]}'
    assert str(v_field.internal_error("status.podIPs", "boom")) == "status.podIPs: Internal error: boom"


def test_dns1035_label():
    assert v_names.is_dns1035_label("ip-1") == []
    assert v_names.is_dns1035_label("a" * 64)[0] == "must be no more than 63 characters"
    (msg,) = v_names.is_dns1035_label("1st")
    assert msg == ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                   "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
                   "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


@pytest.mark.parametrize("error, text", [
    (v_schema.schema_type_error("spec.port", "80", "integer"),
     'spec.port: Invalid value: "string": spec.port in body must be of type integer: "string"'),
    (v_schema.schema_type_error("spec.x", None, "object"), 'spec.x: Invalid value: "null": spec.x in body must be of type object: "null"'),
    (v_schema.schema_string_error("n", "a" * 4, max_length=3), "n: Too long: may not be more than 3 bytes"),
    (v_schema.schema_string_error("n", "", 3, 1), 'n: Invalid value: "": n in body should be at least 1 chars long'),
    (v_schema.schema_string_error("n", "A", 3, 1, "^[a-z]$"), "n: Invalid value: \"A\": n in body should match '^[a-z]$'"),
    (v_schema.schema_string_error("n", "a\n", pattern="^[a-z]$"), "n: Invalid value: \"a\\n\": n in body should match '^[a-z]$'"),
    (v_schema.schema_int_error("p", 0, 1, 9), "p: Invalid value: 0: p in body should be greater than or equal to 1"),
    (v_schema.schema_int_error("p", 10, 1, 9), "p: Invalid value: 10: p in body should be less than or equal to 9"),
    (v_schema.schema_int_error("p", True, 1, 9), 'p: Invalid value: "boolean": p in body must be of type integer: "boolean"'),
    (v_schema.schema_items_error("l", [], min_items=1), "l: Invalid value: 0: l in body should have at least 1 items"),
    (v_schema.schema_items_error("l", [1, 2], max_items=1), "l: Too many: 2: must have at most 1 items"),
])
def test_schema_errors(error, text):
    assert str(error) == text


def test_schema_errors_pass():
    assert v_schema.schema_string_error("n", "ab", 3, 1, "^a|x$") is None  # Go's MatchString is unanchored
    assert v_schema.schema_string_error("n", "xa$b", pattern="^[$a-z]+$") is None  # "$" inside a class stays literal
    assert v_schema.schema_int_error("p", 5, 1, 9) is None
    assert v_schema.schema_items_error("l", [1], 1, 1) is None


@pytest.mark.parametrize("selector, texts", [
    ({}, []),
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a", "b"]}]}, []),
    ({"matchExpressions": [{"key": "tier", "operator": "In"}]},
     ["s.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist", "values": ["a"]}]},
     ["s.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]),
    ({"matchExpressions": [{"key": "a/b/c", "operator": "Equals", "values": ["-x"]}]}, [
        's.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator',
        "s.matchExpressions[0].key: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
        "subdomain prefix and '/' (e.g. 'example.com/MyName')",
        "s.matchExpressions[0].values[0]: Invalid value: \"-x\": a valid label must be an empty string or consist of "
        "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
        "or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    ({"matchLabels": {"b": "-x", "a": "ok"}}, [
        "s.matchLabels: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
        "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    ("app=web", ['s: Invalid value: "string": s in body must be of type object: "string"']),
    ({"matchLabels": {"a": 1, 2: "b"}}, ['s.matchLabels: Invalid value: "integer": s.matchLabels in body must be of type string: "integer"',
                                         's.matchLabels.a: Invalid value: "integer": s.matchLabels.a in body must be of type string: '
                                         '"integer"']),
    ({"matchExpressions": {}}, ['s.matchExpressions: Invalid value: "object": s.matchExpressions in body must be of type array: "object"']),
    ({"matchExpressions": ["a"]}, ['s.matchExpressions[0]: Invalid value: "string": s.matchExpressions[0] in body must be of type '
                                   'object: "string"']),
    ({"matchExpressions": [{"values": "a"}]}, ["s.matchExpressions[0].key: Required value", "s.matchExpressions[0].operator: Required value",
                                               's.matchExpressions[0].values: Invalid value: "string": s.matchExpressions[0].values in '
                                               'body must be of type array: "string"']),
])
def test_validate_label_selector(selector, texts):
    assert [str(e) for e in v_selectors.validate_label_selector(selector, "s")] == texts


# --- addresses as integers: parsed once, formatted once (issue 15) -----------------------------

IP_TEXTS = ["10.0.0.1", "010.000.0.01", "0000000010.1.1.1", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3",
            " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "1_0.2.3.4", "١.2.3.4", "1.2.3.-4", "::", "::1", "1::", "fd00::1f3a",
            "FD00:0:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1::2::3", "12345::1", "00001::1", "0x1::1",
            "::ffff:1.2.3.4", "::ffff:102:304", "::ffff:010.1.1.1", "::1.2.3.4", "fe80::1%eth0", "1:::2", ":::", ":", "",
            "g::1", "::ffff:0:0", "0:0:0:0:0:ffff:a00:1", "2001:db8::", "2001:0db8:0000:0000:0001:0000:0000:0001"]


@pytest.mark.parametrize("text", IP_TEXTS)
def test_ip_value_sloppy_is_parse_ip_sloppy(text):
    address = v_net.parse_ip_sloppy(text)
    assert v_net.ip_value_sloppy(text) == (None if address is None else (int(address), address.version))


def _ip_text_of(text):
    parsed = v_net.ip_value_sloppy(text)
    return None if parsed is None else v_net.ip_text(*parsed)


# --- IP texts already canonical: recognised without a parse (issue 15) ---------------------------

CANONICAL_TEXTS = ["0.0.0.0", "10.0.0.1", "255.255.255.255", "1.22.199.250", "::", "::1", "1::", "fd00::1f3a",
                   "2001:db8::a:1", "1:2:3:4:5:6:7:8", "a:b:c:d:e:f::", "::a:b:c:d:e:f", "fd00:1::2:3", "::ffff", "::a00:1"]
NOT_RECOGNISED = ["", "10.0.0.01", "010.0.0.1", "256.0.0.1", "10.0.0", "10.0.0.1.2", "10.0.0.1 ", "FD00::1", "fd00::01",
                  "fd00:0::1", "1:0:2:3:4:5:6:7", "a:b:c:d:e:f:1::", "::2:3:4:5:6:7:8", "1::2::3", "1:2:3:4:5:6:7:8:9",
                  "::ffff:a00:1", "::ffff:10.0.0.1", "::1.2.3.4", "fe80::1%eth0", "fd00::1\n", "12345::1", ":::", "::1:"]


@pytest.mark.parametrize("text", CANONICAL_TEXTS)
def test_canonical_ip_recognises_the_usual_canonical_texts(text):
    assert v_canonical_ip.is_canonical_ip(text) and _ip_text_of(text) == text


@pytest.mark.parametrize("text", NOT_RECOGNISED + IP_TEXTS)
def test_canonical_ip_recognises_only_canonical_texts(text):
    # False says nothing (the full parser decides); True must mean the text is its own net.IP.String()
    assert not v_canonical_ip.is_canonical_ip(text) or _ip_text_of(text) == text
    assert v_canonical_ip.all_canonical_ips([text, "10.0.0.1"]) == v_canonical_ip.is_canonical_ip(text)


@given(st.one_of(st.integers(0, 2 ** 32 - 1).map(lambda n: v_net.ip_text(n, 4)),
                 st.lists(st.sampled_from([0, 0, 0, 1, 0xffff, 0xab, 0x1000]), min_size=8, max_size=8).map(
                     lambda gs: ipaddress.IPv6Address(sum(g << (16 * (7 - i)) for i, g in enumerate(gs)))).flatmap(
                     lambda a: st.sampled_from([a.compressed, a.exploded, a.compressed.upper(), v_net.ip_text(int(a), 6)])),
                 st.text("0123456789abcdefF:.", max_size=24)))
def test_a_recognised_ip_text_is_its_own_ip_text(text):
    if v_canonical_ip.is_canonical_ip(text):
        assert _ip_text_of(text) == text


@given(st.lists(st.sampled_from([0, 0, 0, 1, 0xffff, 0xab]), min_size=8, max_size=8))
def test_the_canonical_text_of_an_address_is_recognised_unless_unusual(groups):
    value = sum(g << (16 * (7 - i)) for i, g in enumerate(groups))
    text = v_net.ip_text(value, 6)
    zero_written = re.search("(^|:)0(:|$)", text)  # a zero group besides those "::" stands for
    if "." not in text and not text.startswith("::ffff:") and not zero_written:  # the rare spellings go to the parser
        assert v_canonical_ip.is_canonical_ip(text), text


@pytest.mark.parametrize("text", IP_TEXTS + ["1.2.3.04", "1.02.3.4", "0.0.0.0", "10.0.0.0", "1.2.3.0", "00.1.2.3"])
def test_strict_fast_path_is_the_strict_parser(text):
    parsed = v_net._parse_ip_strict(text)  # pylint: disable=protected-access
    assert v_net._strict_is4in6(text) == (None if parsed is None else parsed[1])  # pylint: disable=protected-access


@given(st.one_of(st.integers(0, 2 ** 32 - 1).map(lambda n: (n, 4)), st.integers(0, 2 ** 128 - 1).map(lambda n: (n, 6)),
                 st.lists(st.sampled_from([0, 0, 0, 1, 0xffff, 0xab]), min_size=8, max_size=8).map(
                     lambda gs: (sum(g << (16 * (7 - i)) for i, g in enumerate(gs)), 6))))
def test_ip_text_is_go_ip_string(value_version):
    value, version = value_version
    address = ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)
    text = v_net.ip_text(value, version)
    assert text == v_net.go_ip_string(address)
    assert v_net.ip_value_sloppy(text) == v_net.ip_value_sloppy(str(address)) == (
        (int(address), version) if version == 4 or address.ipv4_mapped is None else (int(address.ipv4_mapped), 4))
    assert v_net.ip_value_sloppy(address.exploded) == v_net.ip_value_sloppy(text)

"""apimachinery field errors and validators, and Go's strconv.Quote."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils import validation as v


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
    assert v.go_quote(raw) == quoted


def test_error_formats():
    assert str(v.invalid("spec.x", "v", "bad")) == 'spec.x: Invalid value: "v": bad'
    assert str(v.invalid("spec.x", 7, "bad")) == "spec.x: Invalid value: 7: bad"
    assert str(v.invalid("spec.x", True, "")) == "spec.x: Invalid value: true"
    assert str(v.invalid("spec.x", None, "d")) == 'spec.x: Invalid value: "null": d'
    assert str(v.invalid("spec.x", ["a"], "d")) == 'spec.x: Invalid value: ["a"]: d'
    assert str(v.required("spec.x")) == "spec.x: Required value"
    assert str(v.required("spec.x", "why")) == "spec.x: Required value: why"
    assert str(v.forbidden("spec.x", "no")) == "spec.x: Forbidden: no"
    assert str(v.duplicate("spec.x[1]", "a")) == 'spec.x[1]: Duplicate value: "a"'
    assert str(v.not_supported("f", "x", ["a", "b"])) == 'f: Unsupported value: "x": supported values: "a", "b"'
    assert v.child("", "spec", "hostAliases") == "spec.hostAliases"
    assert v.index("spec.hostAliases", 2) == "spec.hostAliases[2]"
    assert v.key("metadata.labels", "app") == "metadata.labels[app]"
    assert v.aggregate([v.required("a")]) == "a: Required value"
    assert v.aggregate([v.required("a"), v.required("b")]) == "[a: Required value, b: Required value]"


def test_dns1123_label():
    assert v.is_dns1123_label("web-0") == []
    assert v.is_dns1123_label("a.b") == ["must not contain dots"]
    assert v.is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    (msg,) = v.is_dns1123_label("Web_1")
    assert msg == ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                   "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
    assert v.is_dns1123_label("abc\n") != []


def test_dns1123_subdomain():
    assert v.is_dns1123_subdomain("foo.bar") == []
    assert v.is_dns1123_subdomain("foo.") != []
    assert v.is_dns1123_subdomain("a" * 254)[0] == "must be no more than 253 characters"


def test_qualified_name():
    assert v.is_qualified_name("example.com/MyName") == []
    assert v.is_qualified_name("/a") == ["prefix part must be non-empty"]
    assert v.is_qualified_name("a/")[0] == "name part must be non-empty"
    assert v.is_qualified_name("a" * 64)[0] == "name part must be no more than 63 bytes"
    (msg,) = v.is_qualified_name("a/b/c")
    assert msg.startswith("a valid label key must consist of") and msg.endswith("(e.g. 'example.com/MyName')")
    assert v.is_qualified_name("Upper.COM/x")[0].startswith("prefix part a lowercase RFC 1123 subdomain")


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
    ip = v.parse_ip_sloppy(text)
    assert (v.go_ip_string(ip) if ip is not None else None) == sloppy
    invalid = ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    assert [e.detail for e in v.is_valid_ip_for_legacy_field("f", text, True)] == (legacy_strict if sloppy else invalid)
    assert [e.detail for e in v.is_valid_ip("f", text)] == (strict if sloppy else invalid)
    if sloppy:
        assert v.is_valid_ip_for_legacy_field("f", text) == []


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
    parsed = v.parse_cidr_sloppy(text)
    assert (v.go_cidr_string(parsed[1]) if parsed else None) == net
    expected = strict if net else ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]
    assert [e.detail for e in v.is_valid_cidr("f", text)] == expected


def test_go_string_slice():
    assert str(v.go_string_slice(["10.0.0.1", ""])) == '[]string{"10.0.0.1", ""}'
    assert str(v.go_string_slice(["IPv6"], "core.IPFamily")) == '[]core.IPFamily{"IPv6"}'
    assert str(v.go_string_slice([])) == "[]string(nil)"
    error = v.invalid("spec.clusterIPs", v.go_string_slice(["a\nb"]), "d")
    assert str(error) == 'spec.clusterIPs: Invalid value: []string{"a\\nb"}: d'


def test_go_struct_values_and_internal_error():
    pod_ip = v.go_struct("core.PodIP", [("IP", "10.0.0.1")])
    assert str(pod_ip) == 'core.PodIP{IP:"10.0.0.1"}'
    assert str(v.go_struct_slice("core.PodIP", [pod_ip, pod_ip])) == \
        '[]core.PodIP{core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"10.0.0.1"}}'
    assert str(v.go_struct_slice("core.PodIP", [])) == "[]core.PodIP(nil)"
    spec = v.go_struct("networking.ServiceCIDRSpec", [("CIDRs", v.go_string_slice(["10.0.0.0/8"]))])
    assert str(spec) == 'networking.ServiceCIDRSpec{CIDRs:[]string{"10.0.0.0/8"}}'
    assert str(v.internal_error("status.podIPs", "boom")) == "status.podIPs: Internal error: boom"

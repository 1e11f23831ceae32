"""The service_cidr_info filter, called as Jinja calls it, on every vector it can express."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.service_cidr_info import FilterModule

service_cidr_info = FilterModule().filters()["service_cidr_info"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def vectors(feature, where=lambda v: True):
    cases = [v for v in VECTORS if v["feature"] == feature and where(v)]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


@vectors("static-band-offset")
def test_static_band_offset_vectors(vec):
    info = service_cidr_info(vec["input"]["cidr"])
    assert info["offset"] == vec["expected"]["offset"]
    assert (info["static"] or {"size": 0})["size"] == vec["expected"]["offset"]


@vectors("ipaddress-allocator")
def test_ipaddress_allocator_vectors(vec):
    expected = vec["expected"]
    if "error" in expected:
        with pytest.raises(AnsibleFilterError) as err:
            service_cidr_info(vec["input"]["cidr"])
        assert str(err.value) == 'service_cidr_info: cidr: "%s": %s' % (vec["input"]["cidr"], expected["error"])
        return
    info = service_cidr_info(vec["input"]["cidr"])
    assert [info[k] for k in ("size", "first", "last", "offset")] == [expected[k] for k in ("size", "first", "last", "rangeOffset")]


@vectors("clusterip-bitmap", lambda v: "max_usable" in v["expected"] or v["name"] in ("TestAllocate/IPv4", "TestAllocateTiny"))
def test_clusterip_bitmap_size_vectors(vec):
    info, expected = service_cidr_info(vec["input"]["cidr"]), vec["expected"]
    if "max_usable" not in expected:
        assert info["legacy"]["size"] == info["size"] == expected["free"]
        return
    assert info["legacy"] == {"size": expected["max_usable"], "first": expected["first"], "last": expected["last"]}
    assert info["offset"] == expected["static_band_size"]
    assert info["kubernetes_service_ip"] == expected["kubernetes_default_service_ip"]
    assert (info["kubernetes_service_ip"] is not None) is expected["apiserver_accepts_as_primary_range"]


def test_whole_result_for_a_slash_64():
    assert service_cidr_info("fd00:10:96::/64") == {
        "cidr": "fd00:10:96::/64", "family": "IPv6", "size": 2 ** 64 - 1,
        "first": "fd00:10:96::1", "last": "fd00:10:96:0:ffff:ffff:ffff:ffff", "offset": 256,
        "static": {"first": "fd00:10:96::1", "last": "fd00:10:96::100", "size": 256},
        "dynamic": {"first": "fd00:10:96::101", "last": "fd00:10:96:0:ffff:ffff:ffff:ffff", "size": 2 ** 64 - 257},
        "kubernetes_service_ip": "fd00:10:96::1",
        "legacy": {"first": "fd00:10:96::1", "last": "fd00:10:96::ffff", "size": 65535},
    }


@pytest.mark.parametrize("cidr, message", [
    ("not-a-cidr", 'service_cidr_info: cidr: "not-a-cidr" is not a valid CIDR (e.g. 10.96.0.0/12 or fd00:10:96::/108)'),
    ({"cidr": "10.0.0.0/8"}, "service_cidr_info: cidr must be a string or a list of one or two CIDRs, got mapping {'cidr': '10.0.0.0/8'}"),
])
def test_errors_are_filter_errors(cidr, message):
    with pytest.raises(AnsibleFilterError) as err:
        service_cidr_info(cidr)
    assert str(err.value) == message


@pytest.mark.parametrize("given", [["10.96.0.0/16", "fd00:10:96::/112"], "10.96.0.0/16,fd00:10:96::/112"])
def test_the_dual_stack_list_of_the_other_filters(given):
    infos = service_cidr_info(given)
    assert infos == [service_cidr_info("10.96.0.0/16"), dict(service_cidr_info("fd00:10:96::/112"), kubernetes_service_ip=None)]


@pytest.mark.parametrize("given, message", [
    (["10.96.0.0/16", "10.97.0.0/16"], "service_cidr_info: cidr: 10.96.0.0/16 and 10.97.0.0/16 must be of different IP family"),
    (["10.96.0.0/16", "fd00::/112", "10.1.0.0/16"],
     "service_cidr_info: cidr: a list holds one CIDR or an IPv4/IPv6 pair, primary first (as --service-cluster-ip-range), got 3 entries"),
    (["10.96.0.0/16", " fd00::/112"], 'service_cidr_info: cidr[1]: " fd00::/112" is not a valid CIDR (e.g. 10.96.0.0/12 or fd00:10:96::/108)'),
])
def test_a_bad_list_is_named(given, message):
    with pytest.raises(AnsibleFilterError) as raised:
        service_cidr_info(given)
    assert raised.value.message == message

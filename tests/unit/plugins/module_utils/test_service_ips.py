"""Service IP families, ClusterIP ranges and allocation (service_ips core), against the vectors and edge cases."""
import ipaddress
import json
import os

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips import plan, ranges, validate
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips import service as service_model
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.plan import service_ip_plan
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.ranges import service_cidr_info
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.service import ServiceIPError

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def vectors(feature):
    cases = [v for v in VECTORS if v["feature"] == feature]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


# The ranges of the Go tests (storage_test.go newStorage): every vector IP lies in them.
CIDRS = {"IPv4": "10.0.0.0/16", "IPv6": "2000::/108"}
# Deterministic picks with nothing allocated: the first address of the dynamic band, i.e. the
# network address + 1 + the 256-address static band.
FIRST_PICK = {"IPv4": "10.0.1.1", "IPv6": "2000::101"}


def service(spec, name="foo"):
    """A Service around ``spec``; without ports it gets the one of upstream's svctest.MakeService (every
    Service but an ExternalName needs one: ValidateService, ``spec.ports: Required value``)."""
    if "ports" not in spec and spec.get("type") != "ExternalName":
        spec = dict(spec, ports=[{"port": 93, "targetPort": 76, "protocol": "TCP"}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def cidrs_for(families):
    return [CIDRS[f] for f in families]


def check_addresses(actual, expected):
    """``<allocated IPvX>`` in a vector: a free address of that family, here the deterministic first pick."""
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        if want.startswith("<allocated "):
            family = want[len("<allocated "):-1]
            assert ipaddress.ip_address(got) in ipaddress.ip_network(CIDRS[family])
            assert got == FIRST_PICK[family]
        else:
            assert got == want


def causes(exc):
    return [{"field": e.field, "type": e.type, "detail": e.detail} for e in exc.causes]


def check_plan(plan, expected):
    assert plan["ipFamilyPolicy"] == expected["ipFamilyPolicy"]
    assert plan["ipFamilies"] == expected["ipFamilies"]
    check_addresses(plan["clusterIPs"], expected["clusterIPs"])
    if "clusterIP" in expected:
        check_addresses([plan["clusterIP"]], [expected["clusterIP"]])
    assert plan["released"] == expected.get("released", [])


# ---------------------------------------------------------------------------------------------
# Vectors
# ---------------------------------------------------------------------------------------------


@vectors("service-ipfamily-create")
def test_create_vectors(vec):
    families = vec["input"]["cluster_service_families"]
    svc = service(vec["input"]["service_spec"])
    expected = vec["expected"]
    if not expected["error"]:
        check_plan(service_ip_plan(svc, cidrs_for(families)), expected)
        return
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(svc, cidrs_for(families))
    assert causes(err.value) == expected["derived_errors"]
    assert err.value.stage == expected["derived_error_stage"]
    assert err.value.code == 422 and err.value.reason == "Invalid"


@vectors("service-ipfamily-update")
def test_update_vectors(vec):
    inp, expected = vec["input"], vec["expected"]
    old, new = service(inp["old_spec"]), service(inp["new_spec"])
    args = (new, cidrs_for(inp["cluster_service_families"]), inp["old_spec"]["clusterIPs"], old)
    if not expected["error"]:
        check_plan(service_ip_plan(*args), expected)
        return
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(*args)
    for cause in expected["errors_include"]:
        assert cause in causes(err.value)


def error_dicts(errors):
    return [{"field": e.field, "type": e.type, "detail": e.detail} for e in errors]


@vectors("service-clusterips-related-validation")
def test_cluster_ips_related_validation_vectors(vec):
    """The vectors are ValidateServiceClusterIPsRelatedFields' own, on the spec as given."""
    svc = service_model._read_service(service(vec["input"]["service_spec"]), "")
    service_model._normalize_cluster_ips(svc, None)
    assert error_dicts(validate._validate_cluster_ips_related_fields(svc)) == vec["expected"]["errors"]


def test_validate_service_defaults_the_policy_first():
    """On create, initIPFamilyFields defaults an unset policy to SingleStack before it checks the IP
    fields: two families or addresses are then refused (the oracle agrees)."""
    spec = {"type": "ClusterIP", "clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1", "2000::1"], "ipFamilies": ["IPv4", "IPv6"]}
    assert [e.detail for e in plan.validate_service(service(spec))] == [
        "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
        "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"]
    assert plan.validate_service(service(dict(spec, ipFamilyPolicy="PreferDualStack", ports=[{"port": 80}]))) == []


@vectors("service-type-validation")
def test_type_validation_vectors(vec):
    svc = service(vec["input"]["service_spec"])
    found = error_dicts(plan.validate_service(svc))
    for error in vec["expected"]["errors_include"]:
        assert error in found
    # the same refusal from the full create sequence, at validation
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(svc, cidrs_for(["IPv4", "IPv6"]))
    assert err.value.stage == "ValidateServiceCreate"
    for error in vec["expected"]["errors_include"]:
        assert error in causes(err.value)


@vectors("static-band-offset")
def test_static_band_offset_vectors(vec):
    assert service_cidr_info(vec["input"]["cidr"])["offset"] == vec["expected"]["offset"]


@vectors("ipaddress-allocator")
def test_ipaddress_allocator_vectors(vec):
    expected = vec["expected"]
    if "error" in expected:
        with pytest.raises(InputError) as err:
            service_cidr_info(vec["input"]["cidr"])
        assert str(err.value).endswith(": " + expected["error"])
        return
    info = service_cidr_info(vec["input"]["cidr"])
    assert (info["size"], info["first"], info["last"], info["offset"]) == (
        expected["size"], expected["first"], expected["last"], expected["rangeOffset"])


def hosts(cidr):
    return [str(ip) for ip in ipaddress.ip_network(cidr).hosts()]


def bitmap_allocate(vec):
    """TestAllocate/IPv4: requested addresses out of range, full range, release then pick."""
    cidr, expected = vec["input"]["cidr"], vec["expected"]
    info = service_cidr_info(cidr)
    assert (info["family"], info["size"], info["legacy"]["size"]) == (expected["family"], expected["free"], expected["free"])
    for ip in expected["not_in_range"]:
        svc = service({"clusterIP": ip, "selector": {"k": "v"}})
        with pytest.raises(ServiceIPError) as err:
            service_ip_plan(svc, [cidr])
        # the network address and the IPv4 broadcast are in no allocator (servicecidr.PrefixContainsIP),
        # like an address of another range: the bitmap's own "not in the valid range" is unreachable
        reason = "the provided network does not match the current range"
        assert str(err.value) == 'Service "foo" is invalid: spec.clusterIPs: Invalid value: ["%s"]: failed to allocate IP %s: %s' % (
            ip, ip, reason)
    full = hosts(cidr)
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service({}), [cidr], full)
    assert str(err.value) == 'Internal error occurred: failed to allocate a serviceIP for Service "foo": range is full'
    assert expected["after_full_allocation"]["AllocateNext"].endswith("(%s)" % err.value.message.rsplit(": ", 1)[1])
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service({"clusterIP": "192.168.1.1"}), [cidr], full)
    assert err.value.message.endswith("failed to allocate IP 192.168.1.1: provided IP is already allocated")
    released = expected["release_then_allocate_next_returns_released_ip"]
    plan = service_ip_plan(service({}), [cidr], [ip for ip in full if ip != released])
    assert plan["clusterIPs"] == [released]


def bitmap_tiny(vec):
    """TestAllocateTiny: a /32 has nothing to give (as the secondary range: it cannot be primary)."""
    info = service_cidr_info(vec["input"]["cidr"])
    assert (info["size"], info["legacy"]["size"]) == (vec["expected"]["free"], vec["expected"]["free"])
    svc = service({"ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv4", "IPv6"]})
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(svc, ["2000::/108", vec["input"]["cidr"]])
    assert str(err.value) == 'Internal error occurred: failed to allocate a serviceIP for Service "foo": range is full'
    assert vec["expected"]["AllocateNext"] == "ErrFull"


def bitmap_snapshot(vec):
    """TestNewFromSnapshot: N dynamic picks, then the same state handed back as ``allocated``."""
    cidr, calls = vec["input"]["cidr"], vec["input"]["AllocateNext_calls"]
    plans = service_ip_plan([service({}, "s%d" % i) for i in range(calls)], [cidr])
    used = [p["clusterIP"] for p in plans]
    assert len(set(used)) == vec["expected"]["used"]
    assert service_cidr_info(cidr)["size"] - len(set(used)) == vec["expected"]["free"]
    more = service_ip_plan([service({}, "t%d" % i) for i in range(vec["expected"]["free"])], [cidr], used)
    assert not set(p["clusterIP"] for p in more) & set(used)


def bitmap_overflow(vec):
    """TestClusterIPMetrics ipv4-24-overflow: N AllocateNext calls on a /24, the surplus fails."""
    cidr, calls = vec["input"]["cidr"], vec["input"]["AllocateNext_calls"]
    size = service_cidr_info(cidr)["size"]
    plans = service_ip_plan([service({}, "s%d" % i) for i in range(size)], [cidr])
    used = sorted({p["clusterIP"] for p in plans}, key=ipaddress.ip_address)
    assert used == hosts(cidr)
    errors = 0
    for i in range(calls - size):
        with pytest.raises(ServiceIPError):
            service_ip_plan(service({}, "x%d" % i), [cidr], used)
        errors += 1
    expected = vec["expected"]
    assert (len(used), size - len(used), errors) == (expected["used"], expected["free"], expected["dynamic_allocation_errors"])


BITMAP_CHECKS = {
    "TestAllocate/IPv4": bitmap_allocate,
    "TestAllocateTiny": bitmap_tiny,
    "TestNewFromSnapshot": bitmap_snapshot,
    "TestClusterIPMetrics/ipv4-24-overflow": bitmap_overflow,
}


@vectors("clusterip-bitmap")
def test_clusterip_bitmap_vectors(vec):
    if vec["name"] in BITMAP_CHECKS:
        BITMAP_CHECKS[vec["name"]](vec)
        return
    info, expected = service_cidr_info(vec["input"]["cidr"]), vec["expected"]
    legacy = info["legacy"]
    assert (legacy["size"], legacy["first"], legacy["last"]) == (expected["max_usable"], expected["first"], expected["last"])
    assert info["offset"] == expected["static_band_size"]
    assert info["kubernetes_service_ip"] == expected["kubernetes_default_service_ip"]
    assert (info["kubernetes_service_ip"] is not None) == expected["apiserver_accepts_as_primary_range"]


# ---------------------------------------------------------------------------------------------
# Ranges: edge cases
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cidr, size, first, last, offset, static_last, kubernetes", [
    ("10.0.0.0/31", 0, None, None, 0, None, None),
    ("10.0.0.0/32", 0, None, None, 0, None, None),
    ("10.0.0.0/30", 2, "10.0.0.1", "10.0.0.2", 0, None, None),
    ("10.0.0.0/29", 6, "10.0.0.1", "10.0.0.6", 0, None, "10.0.0.1"),
    ("10.0.0.0/27", 30, "10.0.0.1", "10.0.0.30", 16, "10.0.0.16", "10.0.0.1"),
    ("10.96.0.0/12", 1048574, "10.96.0.1", "10.111.255.254", 256, "10.96.1.0", "10.96.0.1"),
    ("0.0.0.0/0", 2 ** 32 - 2, "0.0.0.1", "255.255.255.254", 0, None, None),
    ("fd00::/128", 0, None, None, 0, None, None),
    ("fd00::/127", 1, "fd00::1", "fd00::1", 0, None, None),
    ("fd00::/64", 2 ** 64 - 1, "fd00::1", "fd00::ffff:ffff:ffff:ffff", 256, "fd00::100", "fd00::1"),
    ("fd00:10:96::/108", 2 ** 20 - 1, "fd00:10:96::1", "fd00:10:96::f:ffff", 256, "fd00:10:96::100", "fd00:10:96::1"),
    ("192.168.1.77/24", 254, "192.168.1.1", "192.168.1.254", 16, "192.168.1.16", "192.168.1.1"),
    ("010.000.000.000/16", 65534, "10.0.0.1", "10.0.255.254", 256, "10.0.1.0", "10.0.0.1"),
])
def test_range_arithmetic(cidr, size, first, last, offset, static_last, kubernetes):
    info = service_cidr_info(cidr)
    assert (info["size"], info["first"], info["last"], info["offset"]) == (size, first, last, offset)
    assert (info["static"] or {}).get("last") == static_last
    assert info["kubernetes_service_ip"] == kubernetes
    if info["dynamic"]:
        assert info["dynamic"]["size"] + offset == size
        assert info["dynamic"]["last"] == last


def test_dynamic_band_starts_after_static_band():
    info = service_cidr_info("fd00::/64")
    assert info["static"] == {"first": "fd00::1", "last": "fd00::100", "size": 256}
    assert info["dynamic"] == {"first": "fd00::101", "last": "fd00::ffff:ffff:ffff:ffff", "size": 2 ** 64 - 1 - 256}
    assert info["legacy"] == {"first": "fd00::1", "last": "fd00::ffff", "size": 65535}
    assert info["cidr"] == "fd00::/64" and info["family"] == "IPv6"


@pytest.mark.parametrize("cidr, message", [
    ("fd00::/63", 'cidr: "fd00::/63": shortest allowed prefix length for service CIDR is 64, got 63'),
    ("10.0.0.0/33", 'cidr: "10.0.0.0/33" is not a valid CIDR (e.g. 10.96.0.0/12 or fd00:10:96::/108)'),
    ("10.0.0.1", 'cidr: "10.0.0.1" is not a valid CIDR (e.g. 10.96.0.0/12 or fd00:10:96::/108)'),
    (None, "cidr must be a string or a list of one or two CIDRs, got null None"),
])
def test_bad_cidr(cidr, message):
    with pytest.raises(InputError) as err:
        service_cidr_info(cidr)
    assert str(err.value) == message


def test_range_helpers():
    assert ranges.range_size(0, 32) == 0 and ranges.range_size(1, 128) == 0
    assert ranges.range_size(64, 128) == 2 ** 63 - 1
    assert ranges.range_offset(16) == 0 and ranges.range_offset(17) == 16
    assert ranges.range_offset(4096) == 256 and ranges.range_offset(2048) == 128
    assert ranges.hosts_per_network(1, "IPv4") == 0 and ranges.hosts_per_network(0, "IPv6") == 0


# ---------------------------------------------------------------------------------------------
# Allocation: deterministic picks, bands, requested addresses
# ---------------------------------------------------------------------------------------------


def test_picks_lowest_free_of_dynamic_band_then_static_band():
    cidr = "10.0.0.0/27"  # static .1-.16, dynamic .17-.30
    dynamic = ["10.0.0.%d" % i for i in range(17, 31)]
    plan = service_ip_plan(service({}), [cidr], dynamic[:3] + dynamic[4:])
    assert plan["clusterIPs"] == ["10.0.0.20"]
    plan = service_ip_plan(service({}), [cidr], dynamic + ["10.0.0.1"])
    assert plan["clusterIPs"] == ["10.0.0.2"]


def test_requested_address_may_use_the_static_band():
    plan = service_ip_plan(service({"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"]}), ["10.96.0.0/12"])
    assert plan == {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"], "clusterIP": "10.96.0.10",
                    "clusterIPs": ["10.96.0.10"], "released": []}


def test_list_of_services_takes_addresses_in_order():
    svc = service({"ipFamilyPolicy": "RequireDualStack"})
    plans = service_ip_plan([svc, svc, service({"clusterIP": "10.0.1.9"})], ["10.0.0.0/16", "2000::/108"],
                            ["10.0.1.2", "None", "", "2000::101"])
    assert [p["clusterIPs"] for p in plans] == [["10.0.1.1", "2000::102"], ["10.0.1.3", "2000::103"], ["10.0.1.9"]]


def test_list_failure_names_the_service():
    svc = service({"clusterIP": "10.0.1.5"})
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan([svc, svc], ["10.0.0.0/16"])
    assert str(err.value) == ('service[1]: Service "foo" is invalid: spec.clusterIPs: Invalid value: ["10.0.1.5"]: '
                              'failed to allocate IP 10.0.1.5: provided IP is already allocated')
    assert err.value.where == "service[1]" and err.value.stage == "allocIPs"


def test_ipv6_slash64_pick_is_arithmetic():
    plan = service_ip_plan(service({"ipFamilies": ["IPv6"]}), ["fd00::/64"], ["fd00::101", "fd00::102"])
    assert plan["clusterIPs"] == ["fd00::103"]


def test_ipv6_all_ones_is_allocatable_ipv4_broadcast_is_not():
    svc6 = service({"clusterIP": "fd00::ffff", "clusterIPs": ["fd00::ffff"]})
    assert service_ip_plan(svc6, ["fd00::/112"])["clusterIPs"] == ["fd00::ffff"]
    svc4 = service({"clusterIP": "10.0.0.255"})
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(svc4, ["10.0.0.0/24"])
    assert err.value.message.endswith("failed to allocate IP 10.0.0.255: the provided network does not match the current range")


def test_big_ranges_with_many_allocated_stay_fast():
    allocated = ["10.%d.%d.%d" % (96 + i // 65536, (i // 256) % 256, i % 256) for i in range(257, 50257)]
    allocated += ["fd00::%x" % i for i in range(257, 10257)]
    plans = service_ip_plan([service({"ipFamilyPolicy": "PreferDualStack"}, "s%d" % i) for i in range(100)],
                            ["10.96.0.0/12", "fd00::/108"], allocated)
    assert plans[0]["clusterIPs"] == ["10.96.196.81", "fd00::2811"]
    assert plans[99]["clusterIPs"] == ["10.96.196.180", "fd00::2874"]


# ---------------------------------------------------------------------------------------------
# Families: IPv6-primary clusters and messages as the apiserver prints them
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec, families, expected", [
    ({}, ["IPv6", "IPv4"], ("SingleStack", ["IPv6"], ["2000::101"])),
    ({"ipFamilyPolicy": "PreferDualStack"}, ["IPv6", "IPv4"], ("PreferDualStack", ["IPv6", "IPv4"], ["2000::101", "10.0.1.1"])),
    ({"ipFamilyPolicy": "PreferDualStack"}, ["IPv6"], ("PreferDualStack", ["IPv6"], ["2000::101"])),
    ({"ipFamilies": ["IPv4"]}, ["IPv6", "IPv4"], ("SingleStack", ["IPv4"], ["10.0.1.1"])),
    ({"clusterIP": "None", "selector": {}}, ["IPv6", "IPv4"], ("RequireDualStack", ["IPv6", "IPv4"], ["None"])),
    ({"clusterIP": "None", "selector": {"a": "b"}}, ["IPv6", "IPv4"], ("SingleStack", ["IPv6"], ["None"])),
    ({"clusterIP": "None", "selector": {}, "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"]}, ["IPv6"], ("SingleStack", ["IPv4"], ["None"])),
    ({"type": "NodePort", "ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv4"]}, ["IPv6", "IPv4"],
     ("RequireDualStack", ["IPv4", "IPv6"], ["10.0.1.1", "2000::101"])),
])
def test_ipv6_primary_clusters(spec, families, expected):
    spec = dict({"selector": {"k": "v"}}, **spec)
    plan = service_ip_plan(service(spec), cidrs_for(families))
    assert (plan["ipFamilyPolicy"], plan["ipFamilies"], plan["clusterIPs"]) == expected
    assert plan["clusterIP"] == plan["clusterIPs"][0]


@pytest.mark.parametrize("spec, families, message", [
    ({"ipFamilyPolicy": "RequireDualStack"}, ["IPv6"],
     'Service "foo" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for '
     'dual-stack services'),
    ({"ipFamilies": ["IPv4"]}, ["IPv6"], 'Service "foo" is invalid: spec.ipFamilies[0]: Invalid value: "IPv4": not configured on this cluster'),
    ({"clusterIP": "10.0.0.5", "clusterIPs": ["10.0.0.5", "2000::5"], "ipFamilyPolicy": "PreferDualStack"}, ["IPv4"],
     'Service "foo" is invalid: spec.clusterIPs[1]: Invalid value: ["10.0.0.5","2000::5"]: IPv6 is not configured on this cluster'),
    ({"clusterIPs": ["10.0.0.5"]}, ["IPv4"],
     'Service "foo" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.5"]: must be empty when `clusterIP` is not specified'),
    ({"clusterIP": "10.0.0.5", "clusterIPs": ["10.0.0.6"]}, ["IPv4"],
     'Service "foo" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.6"]: first value must match `clusterIP`'),
    ({"ipFamilies": ["IPv5", "IPv5"]}, ["IPv4"],
     'Service "foo" is invalid: [spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6", '
     'spec.ipFamilies[1]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6", spec.ipFamilies[1]: Duplicate value: "IPv5"]'),
    ({"ipFamilyPolicy": ""}, ["IPv4"],
     'Service "foo" is invalid: spec.ipFamilyPolicy: Unsupported value: "": supported values: "PreferDualStack", '
     '"RequireDualStack", "SingleStack"'),
    ({"clusterIP": "010.0.0.5"}, ["IPv4"],
     'Service "foo" is invalid: spec.clusterIPs[0]: Invalid value: "010.0.0.5": must not have leading 0s'),
    ({"type": "Foo"}, ["IPv4"],
     'Service "foo" is invalid: spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", '
     '"LoadBalancer", "NodePort"'),
    ({"type": "ExternalName"}, ["IPv4"], 'Service "foo" is invalid: spec.externalName: Required value'),
    ({"type": "ExternalName", "externalName": "Bad_Name.", "ipFamilyPolicy": "SingleStack", "clusterIP": "10.0.0.1"}, ["IPv4"],
     'Service "foo" is invalid: [spec.clusterIPs: Forbidden: may not be set for ExternalName services, spec.ipFamilyPolicy: '
     'Forbidden: may not be set for ExternalName services, spec.externalName: Invalid value: "Bad_Name": a lowercase RFC 1123 '
     "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]"),
])
def test_refusals_print_as_the_apiserver(spec, families, message):
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service(dict({"selector": {"k": "v"}}, **spec)), cidrs_for(families))
    assert str(err.value) == message


def test_error_as_data():
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service({"ipFamilyPolicy": "RequireDualStack"}), ["10.0.0.0/16"])
    assert err.value.as_dict() == {
        "code": 422, "reason": "Invalid", "stage": "initIPFamilyFields",
        "message": 'Service "foo" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not '
                   'configured for dual-stack services',
        "causes": [{"field": "spec.ipFamilyPolicy", "type": "Invalid", "detail": "this cluster is not configured for dual-stack services",
                    "message": 'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for '
                               'dual-stack services'}]}
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service({}), ["10.0.0.0/29"], ["10.0.0.%d" % i for i in range(1, 7)])
    assert (err.value.code, err.value.reason, err.value.stage, err.value.causes) == (500, "InternalError", "allocIPs", [])


def test_externalname_and_legacy_clusterip_only_clients():
    plan = service_ip_plan(service({"type": "ExternalName", "externalName": "db.example.com."}), ["10.0.0.0/16"])
    assert plan == {"ipFamilyPolicy": None, "ipFamilies": [], "clusterIP": "", "clusterIPs": [], "released": []}
    plan = service_ip_plan(service({"clusterIP": "10.0.0.7"}), ["10.0.0.0/16", "2000::/108"])
    assert plan["clusterIPs"] == ["10.0.0.7"] and plan["ipFamilies"] == ["IPv4"]


# ---------------------------------------------------------------------------------------------
# Updates
# ---------------------------------------------------------------------------------------------

DUAL = ["10.0.0.0/16", "2000::/108"]
STORED = {"type": "ClusterIP", "selector": {"k": "v"}, "ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv4", "IPv6"],
          "clusterIP": "10.0.0.10", "clusterIPs": ["10.0.0.10", "2000::10"]}


def test_update_resubmitting_the_manifest_keeps_addresses():
    plan = service_ip_plan(service({"selector": {"k": "v"}, "ipFamilyPolicy": "RequireDualStack"}), DUAL,
                           STORED["clusterIPs"], service(STORED))
    assert plan["clusterIPs"] == STORED["clusterIPs"] and plan["released"] == []


def test_update_without_policy_inherits_it_and_may_upgrade():
    old = {"selector": {"k": "v"}, "ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4"], "clusterIP": "10.0.0.10",
           "clusterIPs": ["10.0.0.10"]}
    plan = service_ip_plan(service({"selector": {"k": "v"}}), DUAL, ["10.0.0.10"], service(old))
    assert plan["ipFamilyPolicy"] == "PreferDualStack"
    assert plan["clusterIPs"] == ["10.0.0.10", "2000::101"]


def test_update_legacy_object_is_defaulted_on_read():
    old = {"selector": {"k": "v"}, "clusterIP": "2000::10"}  # stored before dual-stack: no families, no clusterIPs
    plan = service_ip_plan(service({"selector": {"k": "v"}, "clusterIP": "2000::10"}), ["2000::/108", "10.0.0.0/16"],
                           ["2000::10"], service(old))
    assert plan == {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv6"], "clusterIP": "2000::10",
                    "clusterIPs": ["2000::10"], "released": []}


def test_update_to_externalname_releases_everything():
    new = {"type": "ExternalName", "externalName": "db.example.com", "selector": {"k": "v"}}
    plan = service_ip_plan(service(new), DUAL, STORED["clusterIPs"], service(STORED))
    assert plan == {"ipFamilyPolicy": None, "ipFamilies": [], "clusterIP": "", "clusterIPs": [],
                    "released": ["10.0.0.10", "2000::10"]}


def test_update_from_externalname_allocates():
    old = {"type": "ExternalName", "externalName": "db.example.com"}
    plan = service_ip_plan(service({"selector": {"k": "v"}, "ipFamilyPolicy": "PreferDualStack"}), DUAL, [], service(old))
    assert plan["clusterIPs"] == ["10.0.1.1", "2000::101"]


def test_downgrade_on_a_cluster_that_lost_the_family_keeps_the_address():
    new = dict(STORED, ipFamilyPolicy="SingleStack")
    plan = service_ip_plan(service(new), ["10.0.0.0/16"], ["10.0.0.10"], service(STORED))
    assert plan["clusterIPs"] == ["10.0.0.10"] and plan["released"] == []


def test_update_downgrade_keeping_both_addresses_in_the_request():
    new = dict(STORED, ipFamilyPolicy="SingleStack")
    plan = service_ip_plan(service(new), DUAL, STORED["clusterIPs"], service(STORED))
    assert plan == {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"], "clusterIP": "10.0.0.10",
                    "clusterIPs": ["10.0.0.10"], "released": ["2000::10"]}


@pytest.mark.parametrize("new, stage, message", [
    (dict(STORED, clusterIP="10.0.0.11", clusterIPs=["10.0.0.11", "2000::10"]), "ValidateServiceUpdate",
     'Service "foo" is invalid: spec.clusterIPs[0]: Invalid value: ["10.0.0.11","2000::10"]: may not change once set'),
    (dict(STORED, ipFamilies=["IPv6", "IPv4"], clusterIP="2000::10", clusterIPs=["2000::10", "10.0.0.10"]),
     "ValidateServiceUpdate",
     'Service "foo" is invalid: [spec.clusterIPs[0]: Invalid value: ["2000::10","10.0.0.10"]: may not change once set, '
     'spec.clusterIPs[1]: Invalid value: ["2000::10","10.0.0.10"]: may not change once set, '
     'spec.ipFamilies[0]: Invalid value: ["IPv6","IPv4"]: may not change once set]'),
    (dict(STORED, ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv4"]), "initIPFamilyFields",
     'Service "foo" is invalid: spec.ipFamilyPolicy: Invalid value: "PreferDualStack": must be \'SingleStack\' to release the '
     'secondary IP family'),
    (dict(STORED, ipFamilyPolicy="SingleStack", ipFamilies=["IPv6"], clusterIPs=["10.0.0.10"]), "initIPFamilyFields",
     'Service "foo" is invalid: spec.clusterIPs[0]: Invalid value: "10.0.0.10": expected an IPv6 value as indicated by '
     '`ipFamilies[0]`'),
])
def test_update_refusals(new, stage, message):
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service(new), DUAL, STORED["clusterIPs"], service(STORED))
    assert (err.value.stage, str(err.value)) == (stage, message)


# ---------------------------------------------------------------------------------------------
# Bad input: clean errors that name the field
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    ((None, DUAL), "service must be a mapping, got null None"),
    ((service({"clusterIPs": ["10.0.0.1", 5]}), DUAL), "service.spec.clusterIPs[1] must be a string, got integer 5"),
    ((service({"selector": ["a"]}), DUAL), "service.spec.selector must be a mapping, got list ['a']"),
    (({"kind": "Pod"}, DUAL), 'service.kind must be Service, got "Pod"'),
    ((service({}), []), "service_cidrs must hold one or two CIDRs, primary first (--service-cluster-ip-range), got 0"),
    ((service({}), "10.0.0.0/16,10.1.0.0/16"), "service_cidrs: 10.0.0.0/16 and 10.1.0.0/16 must be of different IP family"),
    ((service({}), ["10.0.0.0/30"]), "service_cidrs[0] 10.0.0.0/30: error determining service IP ranges for primary service "
                                     "cidr: the service cluster IP range must be at least 8 IP addresses"),
    ((service({}), ["fd00::/48"]), 'service_cidrs[0]: "fd00::/48": shortest allowed prefix length for service CIDR is 64, got 48'),
    ((service({}), DUAL, ["10.0.0.300"]), 'allocated[0]: "10.0.0.300" is not a valid IP address (e.g. 10.96.0.10 or fd00::10)'),
    ((service({}), DUAL, "10.0.0.1"), "allocated must be a list, got string '10.0.0.1'"),
    (([service({})], DUAL, None, service({})), "old is the stored version of one Service; it cannot go with a list of Services"),
    (([service({}), 3], DUAL), "service[1] must be a mapping, got integer 3"),
])
def test_bad_input(args, message):
    with pytest.raises(InputError) as err:
        service_ip_plan(*args)
    assert str(err.value) == message


# ---------------------------------------------------------------------------------------------
# clusterIPs are a "legacy" IP field (KEP-4858): IsValidIPForLegacyField, never a canonical-form check
# ---------------------------------------------------------------------------------------------


def test_cluster_ips_need_not_be_canonical():
    """``ValidateServiceClusterIPsRelatedFields`` checks ``clusterIPs`` with ``IsValidIPForLegacyField``
    (Kubernetes 1.33+, StrictIPCIDRValidation on by default from 1.36): leading zeros and IPv4-mapped
    addresses are refused, a non-canonical IPv6 address is accepted and kept as written (alloc.go
    stores the requested string)."""
    plan = service_ip_plan(service({"clusterIP": "2000:0::05", "ipFamilies": ["IPv6"]}), DUAL)
    assert (plan["clusterIP"], plan["clusterIPs"], plan["ipFamilies"]) == ("2000:0::05", ["2000:0::05"], ["IPv6"])
    assert validation_errors(service({"clusterIP": "2000::01", "ports": [{"port": 80}]})) == []
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service({"clusterIP": "::ffff:10.0.0.5"}), DUAL)
    assert str(err.value) == ('Service "foo" is invalid: spec.clusterIPs[0]: Invalid value: "::ffff:10.0.0.5": '
                              'must not be an IPv4-mapped IPv6 address')


def test_cluster_ips_ratchet_on_update():
    """An address the stored Service already holds is accepted again on update (KEP-4858 ratcheting:
    ``validOldIPs``), even where a new one would be refused; the address is taken by that Service."""
    stored = dict(STORED, clusterIP="010.0.0.10", clusterIPs=["010.0.0.10", "2000::10"])
    plan = service_ip_plan(service(dict(stored, ports=[{"port": 80}])), DUAL, ["10.0.0.10", "2000::10"], service(stored))
    assert plan["clusterIPs"] == ["010.0.0.10", "2000::10"]
    with pytest.raises(ServiceIPError) as err:
        service_ip_plan(service(dict(stored, clusterIP="010.0.0.11", clusterIPs=["010.0.0.11", "2000::10"])), DUAL,
                        ["10.0.0.10", "2000::10"], service(stored))
    assert 'spec.clusterIPs[0]: Invalid value: "010.0.0.11": must not have leading 0s' in str(err.value)

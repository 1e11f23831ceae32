"""The service_ip_plan filter, called as Jinja calls it, on every vector it can express."""
import ipaddress
import json
import os
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.service_ip_plan import FilterModule

service_ip_plan = FilterModule().filters()["service_ip_plan"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def vectors(*features):
    cases = [v for v in VECTORS if v["feature"] in features]
    assert cases, features
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


CIDRS = {"IPv4": "10.0.0.0/16", "IPv6": "2000::/108"}  # storage_test.go's ranges
FIRST_PICK = {"IPv4": "10.0.1.1", "IPv6": "2000::101"}  # network + 1 + 256 (the static band)
TYPE_TEXT = {"Invalid": "Invalid value", "Forbidden": "Forbidden", "Required": "Required value",
             "Duplicate": "Duplicate value", "NotSupported": "Unsupported value"}


def service(spec, name="foo"):
    """A Service around ``spec``; without ports it gets the one of upstream's svctest.MakeService (every
    Service but an ExternalName needs one: ValidateService, ``spec.ports: Required value``)."""
    if "ports" not in spec and spec.get("type") != "ExternalName":
        spec = dict(spec, ports=[{"port": 93, "targetPort": 76, "protocol": "TCP"}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


def error_pattern(error):
    """One field error of the apiserver's message; its value is printed by Go and not in the vectors."""
    if error["type"] in ("Forbidden", "Required"):
        return re.escape("%s: %s: %s" % (error["field"], TYPE_TEXT[error["type"]], error["detail"]))
    return re.escape("%s: %s: " % (error["field"], TYPE_TEXT[error["type"]])) + ".*?" + re.escape(": " + error["detail"])


def message_pattern(errors):
    body = ", ".join(error_pattern(e) for e in errors)
    return re.escape('service_ip_plan: Service "foo" is invalid: ') + (r"\[%s\]" % body if len(errors) > 1 else body)


def check(plan, expected):
    assert (plan["ipFamilyPolicy"], plan["ipFamilies"]) == (expected["ipFamilyPolicy"], expected["ipFamilies"])
    want = [FIRST_PICK[ip[len("<allocated "):-1]] if ip.startswith("<allocated ") else ip for ip in expected["clusterIPs"]]
    assert plan["clusterIPs"] == want
    assert plan["clusterIP"] == (want[0] if want else "")
    assert plan["released"] == expected.get("released", [])


@vectors("service-ipfamily-create")
def test_create_vectors(vec):
    svc = service(vec["input"]["service_spec"])
    cidrs = [CIDRS[f] for f in vec["input"]["cluster_service_families"]]
    expected = vec["expected"]
    if not expected["error"]:
        check(service_ip_plan(svc, cidrs), expected)
        return
    with pytest.raises(AnsibleFilterError) as err:
        service_ip_plan(svc, cidrs)
    assert re.fullmatch(message_pattern(expected["derived_errors"]), str(err.value))


@vectors("service-ipfamily-update")
def test_update_vectors(vec):
    inp, expected = vec["input"], vec["expected"]
    cidrs = ",".join(CIDRS[f] for f in inp["cluster_service_families"])
    args = (service(inp["new_spec"]), cidrs)
    kwargs = {"allocated": inp["old_spec"]["clusterIPs"], "old": service(inp["old_spec"])}
    if not expected["error"]:
        check(service_ip_plan(*args, **kwargs), expected)
        return
    with pytest.raises(AnsibleFilterError) as err:
        service_ip_plan(*args, **kwargs)
    for error in expected["errors_include"]:
        assert re.search(error_pattern(error), str(err.value))


@vectors("service-type-validation")
def test_type_validation_vectors(vec):
    with pytest.raises(AnsibleFilterError) as err:
        service_ip_plan(service(vec["input"]["service_spec"]), [CIDRS["IPv4"], CIDRS["IPv6"]])
    for error in vec["expected"]["errors_include"]:
        assert re.search(error_pattern(error), str(err.value))


def hosts(cidr):
    return [str(ip) for ip in ipaddress.ip_network(cidr).hosts()]


ALLOCATION_VECTORS = ["TestAllocate/IPv4", "TestAllocateTiny", "TestNewFromSnapshot", "TestClusterIPMetrics/ipv4-24-overflow"]


@pytest.mark.parametrize("vec", [v for v in VECTORS if v["name"] in ALLOCATION_VECTORS], ids=ALLOCATION_VECTORS)
def test_clusterip_bitmap_allocation_vectors(vec):
    """The clusterip-bitmap vectors about allocating (the size ones belong to service_cidr_info)."""
    cidr, expected = vec["input"]["cidr"], vec["expected"]
    if vec["name"] == "TestAllocateTiny":
        with pytest.raises(AnsibleFilterError, match="failed to allocate a serviceIP for Service \"[^\"]*\": range is full$"):
            service_ip_plan(service({"ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv4"]}), ["2000::/108", cidr])
        return
    if vec["name"] == "TestAllocate/IPv4":
        for ip in expected["not_in_range"]:
            with pytest.raises(AnsibleFilterError, match="failed to allocate IP %s: the provided (IP|network)" % re.escape(ip)):
                service_ip_plan(service({"clusterIP": ip}), [cidr])
        released = expected["release_then_allocate_next_returns_released_ip"]
        assert service_ip_plan(service({}), [cidr], [ip for ip in hosts(cidr) if ip != released])["clusterIPs"] == [released]
        with pytest.raises(AnsibleFilterError, match="provided IP is already allocated"):
            service_ip_plan(service({"clusterIP": "192.168.1.1"}), [cidr], hosts(cidr))
        return
    calls = vec["input"]["AllocateNext_calls"]
    used = [p["clusterIP"] for p in service_ip_plan([service({}, "s%d" % i) for i in range(min(calls, 254))], [cidr])]
    assert len(set(used)) == expected["used"] and 254 - len(set(used)) == expected["free"]
    errors = 0
    for _extra in range(calls - len(used)):
        with pytest.raises(AnsibleFilterError, match="range is full"):
            service_ip_plan(service({}), [cidr], used)
        errors += 1
    assert errors == expected.get("dynamic_allocation_errors", 0)


def test_plain_builtins_and_list_results():
    plans = service_ip_plan([service({"ipFamilyPolicy": "PreferDualStack"})] * 2, "10.96.0.0/12,fd00::/108")
    assert plans.__class__ is list and plans[0].__class__ is dict  # plain builtins, not Ansible's tagged types
    assert [p["clusterIPs"] for p in plans] == [["10.96.1.1", "fd00::101"], ["10.96.1.2", "fd00::102"]]


@pytest.mark.parametrize("args, message", [
    ((service({"ipFamilyPolicy": "RequireDualStack"}), ["10.96.0.0/12"]),
     'service_ip_plan: Service "foo" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not '
     'configured for dual-stack services'),
    ((service({}), ["fd00::/48"]),
     'service_ip_plan: service_cidrs[0]: "fd00::/48": shortest allowed prefix length for service CIDR is 64, got 48'),
    ((service({}),), "service_ip_plan: missing a required argument: 'service_cidrs'"),
    ((42, ["10.96.0.0/12"]), "service_ip_plan: service must be a mapping, got integer 42"),
])
def test_errors_are_filter_errors(args, message):
    with pytest.raises(AnsibleFilterError) as err:
        service_ip_plan(*args)
    assert str(err.value) == message

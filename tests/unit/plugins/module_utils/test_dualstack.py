"""Node podCIDRs, Pod podIPs and ServiceCIDR validation; the "Validate IPv4/IPv6 dual-stack" checks."""
import json
import os
import re

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack
from ansible_collections.clusternet.k8s.plugins.filter.downward_values import FilterModule as DownwardFilters
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.plan import service_ip_plan

downward_values = DownwardFilters().filters()["downward_values"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def vectors(feature, having=None):
    return [pytest.param(v, id=v["name"]) for v in VECTORS
            if v["feature"] == feature and (having is None or having in v["input"])]


def as_dicts(errors):
    return [e.as_dict() for e in errors]


def test_vector_counts():
    counts = {feature: sum(v["feature"] == feature for v in VECTORS) for feature in (
        "node-podcidrs-validation", "pod-ips-validation", "servicecidr-validation", "dualstack-task-check")}
    assert counts == {"node-podcidrs-validation": 5, "pod-ips-validation": 3, "servicecidr-validation": 3,
                      "dualstack-task-check": 5}


def node_obj(pod_cidrs, name="n1", addresses=None):
    return {"kind": "Node", "metadata": {"name": name}, "spec": {"podCIDRs": pod_cidrs},
            "status": {"addresses": addresses or []}}


def pod_obj(ips, pod_ip=None, host_network=False):
    return {"kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "i"}], "hostNetwork": host_network},
            "status": {"podIP": ips[0] if ips and pod_ip is None else pod_ip, "podIPs": [{"ip": ip} for ip in ips]}}


# --- Node spec.podCIDRs ------------------------------------------------------------------------

@pytest.mark.parametrize("vector", vectors("node-podcidrs-validation", "spec.podCIDRs"))
def test_validate_node_vectors(vector):
    node = node_obj(vector["input"]["spec.podCIDRs"])
    assert as_dicts(dualstack.validate_node(node)) == vector["expected"]["errors"]
    assert as_dicts(validation_errors(node)) == vector["expected"]["errors"]


@pytest.mark.parametrize("vector", vectors("node-podcidrs-validation", "old.spec.podCIDRs"))
def test_validate_node_update_vectors(vector):
    new, old = node_obj(vector["input"]["new.spec.podCIDRs"]), node_obj(vector["input"]["old.spec.podCIDRs"])
    assert as_dicts(dualstack.validate_node_update(new, old)) == vector["expected"]["errors"]


def test_node_errors_in_apiserver_form():
    assert [str(e) for e in dualstack.validate_node(node_obj(["10.244.1.0/24", "10.244.1.0/24"]))] == [
        'spec.podCIDRs: Invalid value: ["10.244.1.0/24","10.244.1.0/24"]: may specify no more than one CIDR '
        'for each IP family']
    assert [str(e) for e in dualstack.validate_node(node_obj(["10.244.1.0/24", "bogus"]))] == [
        'spec.podCIDRs[1]: Invalid value: "bogus": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        "spec.podCIDRs: Internal error: invalid PodCIDRs. failed to check with dual stack with error:invalid CIDR[1]: "
        "<nil> (invalid CIDR address: bogus)",
        'spec.podCIDRs: Invalid value: ["10.244.1.0/24","bogus"]: may specify no more than one CIDR for each '
        'IP family']


@pytest.mark.parametrize("pod_cidrs, details", [
    (["10.244.1.0/24", "fd00::/64", "10.244.2.0/24"], ["may specify no more than one CIDR for each IP family"]),
    (["10.244.1.1/24"], ["must not have bits set beyond the prefix length"]),
    # podCIDRs is a legacy CIDR field (IsValidCIDRForLegacyField, KEP-4858): non-canonical IPv6 passes,
    # leading zeros and IPv4-mapped addresses do not (StrictIPCIDRValidation, on by default from 1.36)
    (["fd00:0::/64"], []),
    (["010.244.1.0/24"], ["must not have leading 0s in IP or prefix length"]),
    (["::ffff:10.244.1.0/120"], ["must not have an IPv4-mapped IPv6 address"]),
    ([], []),
])
def test_node_pod_cidrs_rules(pod_cidrs, details):
    assert [e.detail for e in dualstack.validate_node(node_obj(pod_cidrs))] == details


def test_node_update_forbids_any_change_once_set():
    forbidden = 'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'
    old = node_obj(["10.244.1.0/24"])
    assert [str(e) for e in dualstack.validate_node_update(node_obj(["10.244.1.0/24", "fd00::/64"]), old)] == [forbidden]
    assert [str(e) for e in dualstack.validate_node_update(node_obj(["10.244.2.0/24"]), old)] == [forbidden]
    assert [str(e) for e in dualstack.validate_node_update(node_obj([]), old)] == [forbidden]
    assert dualstack.validate_node_update(old, old) == []
    # a value the stored Node already holds is accepted again (KEP-4858 ratcheting, validOldCIDRs)
    legacy = node_obj(["010.244.1.0/24"])
    assert dualstack.validate_node_update(legacy, legacy) == []


# --- Pod status.podIPs ---------------------------------------------------------------------------

@pytest.mark.parametrize("vector", vectors("pod-ips-validation"))
def test_pod_ips_vectors(vector):
    ips = vector["input"]["status.podIPs"]
    status = {"podIPs": [{"ip": ip} for ip in ips]}
    assert as_dicts(dualstack.validate_pod_status(status, "status")) == vector["expected"]["errors"]
    assert validation_errors(pod_obj(ips)) == []  # kube-apiserver drops a Pod's status on create


def test_pod_ips_in_apiserver_form():
    status = {"podIPs": [{"ip": "10.244.1.4"}, {"ip": "10.244.1.4"}]}
    assert [str(e) for e in dualstack.validate_pod_status(status, "status")] == [
        'status.podIPs: Invalid value: [{"IP":"10.244.1.4"},{"IP":"10.244.1.4"}]: may '
        'specify no more than one IP for each IP family']
    status = {"podIPs": [{"ip": "10.244.1.4"}, {}]}
    assert [str(e) for e in dualstack.validate_pod_status(status, "status")][:2] == [
        'status.podIPs[1]: Invalid value: "": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        "status.podIPs: Internal error: failed to check for dual stack with error:invalid IP[1]: "]
    # status.podIPs is a legacy IP field (validatePodIPs uses IsValidIPForLegacyField, KEP-4858)
    status = {"podIPs": [{"ip": "2001:db8:0::4"}]}
    assert dualstack.validate_pod_status(status, "status") == []
    status = {"podIPs": [{"ip": "010.244.1.4"}, {"ip": "::ffff:10.244.1.5"}]}
    assert [e.detail for e in dualstack.validate_pod_status(status, "status")] == [
        "must not have leading 0s", "must not be an IPv4-mapped IPv6 address",
        "may specify no more than one IP for each IP family"]


# --- ServiceCIDR -----------------------------------------------------------------------------------

@pytest.mark.parametrize("vector", vectors("servicecidr-validation"))
def test_service_cidr_vectors(vector):
    obj = {"kind": "ServiceCIDR", "metadata": {"name": "default"}, "spec": {"cidrs": vector["input"]["spec.cidrs"]}}
    assert as_dicts(dualstack.validate_service_cidr(obj)) == vector["expected"]["errors"]
    assert as_dicts(validation_errors(obj)) == vector["expected"]["errors"]


@pytest.mark.parametrize("cidrs, errors", [
    (["10.96.0.0/16", "10.97.0.0/16", "fd00::/108"],
     ['spec.cidrs: Invalid value: {"CIDRs":["10.96.0.0/16","10.97.0.0/16","fd00::/108"]}: may only hold up to 2 values']),
    # validateServiceCIDRSpec: the CIDRs first, then a family pair test whose bad value is the list
    (["10.96.0.0/16", "10.97.0.0/16"],
     ['spec.cidrs: Invalid value: ["10.96.0.0/16","10.97.0.0/16"]: may '
      'specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64']),
    # an unparsable CIDR has no family: only its own error
    (["10.96.0.0/16", "bogus"],
     ['spec.cidrs[1]: Invalid value: "bogus": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']),
    (["10.96.0.1/16", "10.97.0.0/16"],
     ['spec.cidrs[0]: Invalid value: "10.96.0.1/16": must not have bits set beyond the prefix length',
      'spec.cidrs: Invalid value: ["10.96.0.1/16","10.97.0.0/16"]: may '
      'specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64']),
    (["10.96.0.1/16"], ['spec.cidrs[0]: Invalid value: "10.96.0.1/16": must not have bits set beyond the prefix length']),
    (None, ["spec.cidrs: Required value: at least one CIDR required"]),
])
def test_service_cidr_rules(cidrs, errors):
    assert [str(e) for e in dualstack.validate_service_cidr({"kind": "ServiceCIDR", "spec": {"cidrs": cidrs}})] == errors


@pytest.mark.parametrize("obj, message", [
    ({"kind": "Node", "spec": {"podCIDRs": [None]}}, "node.spec.podCIDRs[0] must be a string"),
])
def test_bad_objects_raise_input_errors(obj, message):
    with pytest.raises(InputError) as err:
        validation_errors(obj)
    assert message in str(err.value)


@pytest.mark.parametrize("obj, message", [
    ({"kind": "Node", "spec": {"podCIDRs": "10.0.0.0/8"}},
     'Node in version "v1" cannot be handled as a Node: json: cannot unmarshal string into Go struct field '
     'NodeSpec.spec.podCIDRs of type []string'),
    ({"kind": "Node", "spec": []},
     'Node in version "v1" cannot be handled as a Node: json: cannot unmarshal array into Go struct field Node.spec of type v1.NodeSpec'),
    ({"kind": "ServiceCIDR", "spec": {"cidrs": [1]}},
     'ServiceCIDR in version "v1" cannot be handled as a ServiceCIDR: json: cannot unmarshal number into Go struct field '
     'ServiceCIDRSpec.spec.cidrs of type string'),
])
def test_objects_that_do_not_decode(obj, message):
    """kube-apiserver refuses a body that does not decode into the kind's Go type before any rule."""
    assert validation_errors(obj) == [message]


# --- the task's checks -------------------------------------------------------------------------

SERVICE_CIDRS = {("IPv4",): ["10.96.0.0/12"], ("IPv4", "IPv6"): ["10.96.0.0/12", "fd00:10:96::/108"],
                 ("IPv6", "IPv4"): ["fd00:10:96::/108", "10.96.0.0/12"]}


def checks_of(report):
    return {c["check"]: c["pass"] for c in report["checks"]}


@pytest.mark.parametrize("vector", vectors("dualstack-task-check", "node.spec.podCIDRs"))
def test_node_task_vectors(vector):
    report = dualstack.check_node(node_obj(vector["input"]["node.spec.podCIDRs"]))
    assert checks_of(report)["podCIDRs"] is vector["expected"]["pass"]
    if "rule" in vector["expected"]:
        assert [c["reason"] for c in report["checks"] if c["check"] == "podCIDRs"] == [
            "one IPv4 and one IPv6 CIDR: 10.244.1.0/24, 2001:db8::/64"]


@pytest.mark.parametrize("vector", vectors("dualstack-task-check", "pod.status.podIPs"))
def test_pod_task_vectors(vector):
    ips = [entry["ip"] for entry in vector["input"]["pod.status.podIPs"]]
    pod = pod_obj(ips)
    report = dualstack.check_pod(pod)
    assert report["pass"] is vector["expected"]["pass"]
    assert checks_of(report) == {"podIPs": True, "podIP": True}
    # step 4 of the task: the Downward API value of status.podIPs (the Downward API core's rule)
    pod["spec"]["containers"][0]["env"] = [{"name": "MY_POD_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}}]
    assert downward_values(pod)["c"]["env"]["MY_POD_IPS"] == vector["expected"]["downward_api_MY_POD_IPS"]


def live_service(spec, plan):
    """The Service as kube-apiserver stores it: the plan's IP fields, a node port per port for NodePort/LB."""
    spec = dict(spec, **{k: plan[k] for k in ("ipFamilyPolicy", "ipFamilies", "clusterIP", "clusterIPs")})
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        spec["ports"] = [dict(port, nodePort=30000 + i) for i, port in enumerate(spec["ports"])]
    return {"kind": "Service", "metadata": {"name": "svc", "namespace": "default"}, "spec": spec}


@pytest.mark.parametrize("vector", vectors("dualstack-task-check", "service_spec"))
def test_service_task_vectors(vector):
    given, expected = vector["input"], vector["expected"]
    cidrs = SERVICE_CIDRS[tuple(given["cluster_service_families"])]
    plan = service_ip_plan({"kind": "Service", "metadata": {"name": "svc"}, "spec": given["service_spec"]}, cidrs)
    assert (plan["ipFamilyPolicy"], plan["ipFamilies"], len(plan["clusterIPs"])) == \
        (expected["ipFamilyPolicy"], expected["ipFamilies"], expected["clusterIPs_count"])
    service = live_service(given["service_spec"], plan)
    report = dualstack.check_service(service, cidrs)
    assert report["pass"], report
    assert checks_of(report).get("nodePorts", False) is expected.get("nodePort_allocated", False)
    families = {"IPv4": 4, "IPv6": 6}
    assert dualstack.parse_ip_sloppy(service["spec"]["clusterIP"]).version == families[expected["clusterIP_family"]]


def test_node_with_two_ipv4_pod_cidrs_and_cluster_cidrs():
    node = node_obj(["10.244.1.0/24", "10.244.2.0/24"], addresses=[
        {"type": "InternalIP", "address": "192.168.0.10"}, {"type": "Hostname", "address": "n1"}])
    report = dualstack.check_node(node, "10.244.0.0/16,fd00:10:244::/56")
    assert not report["pass"]
    assert [(c["check"], c["pass"], c["reason"]) for c in report["checks"]] == [
        ("podCIDRs", False, "spec.podCIDRs holds 2 CIDRs (10.244.1.0/24, 10.244.2.0/24) of family IPv4, IPv4: a "
                            "dual-stack object has exactly one IPv4 and one IPv6 CIDR"),
        ("podCIDRs-from-cluster-cidr", False, "spec.podCIDRs[1] 10.244.2.0/24 is not inside --cluster-cidr entry 1 "
                                              "fd00:10:244::/56"),
        ("addresses", False, "status.addresses has no IPv6 InternalIP; a dual-stack kubelet reports an InternalIP of "
                             "each family (--node-ip=<IPv4>,<IPv6>) and a Hostname")]


def test_healthy_dual_stack_node_and_its_pod():
    node = node_obj(["fd00:10:244:1::/64", "10.244.1.0/24"], addresses=[
        {"type": "InternalIP", "address": "2001:db8::10"}, {"type": "InternalIP", "address": "192.168.0.10"},
        {"type": "Hostname", "address": "n1"}])
    node["spec"]["podCIDR"] = "fd00:10:244:1::/64"
    report = dualstack.check_node(node, ["fd00:10:244::/56", "10.244.0.0/16"])
    assert report["pass"] and list(checks_of(report)) == ["podCIDRs", "podCIDR", "podCIDRs-from-cluster-cidr", "addresses"]
    pod = dualstack.check_pod(pod_obj(["fd00:10:244:1::5", "10.244.1.5"]), node)
    assert pod["pass"] and list(checks_of(pod)) == ["podIPs", "podIP", "podIPs-primary-family", "podIPs-in-podCIDRs"]
    assert (pod["kind"], pod["name"], pod["namespace"]) == ("Pod", "p", "default")
    wrong = dualstack.check_pod(pod_obj(["10.244.1.5", "fd00:10:244:2::5"], pod_ip="10.244.1.6"), node)
    assert checks_of(wrong) == {"podIPs": True, "podIP": False, "podIPs-primary-family": False,
                                "podIPs-in-podCIDRs": False}
    host = dualstack.check_pod(pod_obj(["2001:db8::10", "192.168.0.10"], host_network=True), node)
    assert list(checks_of(host)) == ["podIPs", "podIP", "podIPs-primary-family"] and host["pass"]


def test_node_podcidrs_not_from_the_cluster_cidrs():
    node = node_obj(["10.244.1.0/25", "fd00:10:244:1::/64"])
    report = dualstack.check_node(node, ["10.244.0.0/16", "fd00:10:244::/56"])
    assert [c["reason"] for c in report["checks"] if c["check"] == "podCIDRs-from-cluster-cidr"] == [
        "spec.podCIDRs[0] 10.244.1.0/25 is not a /24 node block"]
    with pytest.raises(InputError, match="kube-controller-manager rejects cluster_cidrs"):
        dualstack.check_node(node, "10.244.0.0/16,10.245.0.0/16")


def test_pod_without_ips_and_with_garbage():
    assert dualstack.check_pod(pod_obj([]))["checks"] == [
        {"check": "podIPs", "pass": False,
         "reason": "status.podIPs is empty: a dual-stack object has one IPv4 and one IPv6 IP"}]
    assert not dualstack.check_pod(pod_obj(["10.0.0.1", "x"]))["pass"]


def service(spec):
    return {"kind": "Service", "metadata": {"name": "s", "namespace": "ns"}, "spec": spec}


def test_prefer_dual_stack_service_on_single_stack_and_stale_on_dual_stack():
    spec = {"ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4"], "clusterIP": "10.96.0.10",
            "clusterIPs": ["10.96.0.10"], "selector": {"app": "a"}}
    single = dualstack.check_service(service(spec), "10.96.0.0/12")
    assert single["pass"] and single["namespace"] == "ns"
    stale = dualstack.check_service(service(spec), ["10.96.0.0/12", "fd00:10:96::/108"])
    assert checks_of(stale) == {"ipFamilies": False, "clusterIPs": True}
    assert stale["checks"][0]["reason"] == (
        "PreferDualStack Service has spec.ipFamilies [IPv4] where the API server assigns 2 families on a [IPv4, IPv6] "
        "cluster; the API server never upgrades an existing PreferDualStack Service: set spec.ipFamilies to both "
        "families, or recreate it")


@pytest.mark.parametrize("spec, passed", [
    ({"type": "ExternalName", "externalName": "x.example"}, {"type": True}),
    ({"clusterIP": "None", "clusterIPs": ["None"], "ipFamilyPolicy": "RequireDualStack",
      "ipFamilies": ["IPv4", "IPv6"]}, {"ipFamilies": True, "clusterIPs": True}),  # headless selectorless: any cluster
    ({"clusterIP": "None", "clusterIPs": ["None"], "ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv4", "IPv6"],
      "selector": {"a": "b"}}, {"ipFamilies": False, "clusterIPs": True}),
    ({"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "ipFamilies": ["IPv4"]},
     {"ipFamilies": False, "clusterIPs": True}),
    ({"clusterIP": "10.97.0.1", "clusterIPs": ["10.97.0.1", "fd00::1"], "ipFamilyPolicy": "SingleStack",
      "ipFamilies": ["IPv4"]}, {"ipFamilies": True, "clusterIPs": False}),
    ({"clusterIP": "fd00::1", "clusterIPs": ["fd00::1"], "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv6"]},
     {"ipFamilies": False, "clusterIPs": False}),
    ({"type": "NodePort", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "ipFamilyPolicy": "SingleStack",
      "ipFamilies": ["IPv4"], "ports": [{"port": 80}]}, {"ipFamilies": True, "clusterIPs": True, "nodePorts": False}),
    ({"type": "LoadBalancer", "allocateLoadBalancerNodePorts": False, "clusterIP": "10.96.0.1",
      "clusterIPs": ["10.96.0.1"], "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"], "ports": [{"port": 80}]},
     {"ipFamilies": True, "clusterIPs": True}),
])
def test_service_checks_on_a_single_stack_cluster(spec, passed):
    assert checks_of(dualstack.check_service(service(spec), ["10.96.0.0/12"])) == passed


@pytest.mark.parametrize("cidrs, message", [
    ("10.96.0.0/12,10.97.0.0/16", "service_cidrs must be one CIDR or an IPv4/IPv6 pair"),
    ([], "service_cidrs must be one CIDR or an IPv4/IPv6 pair"),
    ("bogus", "service_cidrs[0] 'bogus' is not a CIDR"),
    (5, "service_cidrs must be a list"),
])
def test_check_service_needs_the_cluster_service_cidrs(cidrs, message):
    with pytest.raises(InputError) as err:
        dualstack.check_service(service({}), cidrs)
    assert message in str(err.value)


@pytest.mark.parametrize("status, message", [
    ({"podIPs": ["10.0.0.1"]}, "status.podIPs[0] must be a mapping"),
    ({"podIPs": [{"ip": 1}]}, "status.podIPs[0].ip must be a string"),
])
def test_bad_pod_status_raises_input_errors(status, message):
    with pytest.raises(InputError, match=re.escape(message)):
        dualstack.validate_pod_status(status, "status")

"""The apiserver's own defaulting: Service IP families and ClusterIPs (against the dual-stack vectors), ports, Pods."""
import ipaddress
import json
import os
import urllib.error
import urllib.request

import pytest

from tests.support.kube_apiserver import services

VECTORS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "unit", "vectors", "dualstack.json")
CIDRS = {"IPv4": "10.0.0.0/16", "IPv6": "2000::/108"}


def vectors(feature):
    with open(VECTORS, encoding="utf-8") as handle:
        found = [v for v in json.load(handle)["vectors"] if v["feature"] == feature]
    return pytest.mark.parametrize("vector", found, ids=[v["name"] for v in found])


@pytest.fixture(scope="module")
def services_api(kube_server):
    """Plain HTTP calls on the session server (many cases: no per-test reset); cleaned up afterwards."""
    def call(method, path, body=None):
        request = urllib.request.Request(kube_server.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())
    yield call
    kube_server.reset()


def check_ips(expected, actual, cidrs):
    assert len(actual) == len(expected)
    for want, got in zip(expected, actual):
        if want.startswith("<allocated "):
            family = want[len("<allocated "):-1]
            assert services.family_of(got) == family and ipaddress.ip_address(got) in ipaddress.ip_network(cidrs[family])
        else:
            assert got == want


def check_errors(status, body, expected):
    assert (status, body["reason"]) == (422, "Invalid"), body
    causes = [(c["field"], c["reason"], c["message"]) for c in body["details"]["causes"]]
    for error in expected:
        reason = {"Invalid": "FieldValueInvalid", "Forbidden": "FieldValueForbidden", "Required": "FieldValueRequired"}[error["type"]]
        assert any(f == error["field"] and r == reason and m.endswith(error["detail"]) for f, r, m in causes), (error, causes)


@vectors("service-ipfamily-create")
def test_service_ip_families_on_create(services_api, kube_server, vector):
    families = vector["input"]["cluster_service_families"]
    kube_server.set_service_cidrs([CIDRS[f] for f in families])
    status, body = services_api("POST", "/api/v1/namespaces/default/services", {"metadata": {"name": "svc"}, "spec": vector["input"]["service_spec"]})
    services_api("DELETE", "/api/v1/namespaces/default/services/svc")
    expected = vector["expected"]
    if expected["error"]:
        check_errors(status, body, expected.get("derived_errors", []))
        return
    assert status == 201, body
    spec = body["spec"]
    assert (spec.get("ipFamilyPolicy"), spec.get("ipFamilies", [])) == (expected["ipFamilyPolicy"], expected["ipFamilies"])
    check_ips(expected["clusterIPs"], spec.get("clusterIPs", []), CIDRS)
    assert spec.get("clusterIP") == (spec["clusterIPs"][0] if spec.get("clusterIPs") else None)


@vectors("service-ipfamily-update")
def test_service_ip_families_on_update(services_api, kube_server, vector):
    path = "/api/v1/namespaces/default/services/"
    ports = [{"port": 80}]
    kube_server.set_service_cidrs([CIDRS[f] for f in vector["input"]["old_spec"]["ipFamilies"]])     # the cluster as it was
    status, old = services_api("POST", path, {"metadata": {"name": "old"}, "spec": dict(vector["input"]["old_spec"], ports=ports)})
    kube_server.set_service_cidrs([CIDRS[f] for f in vector["input"]["cluster_service_families"]])
    try:
        assert status == 201, old["message"]
        status, body = services_api("PUT", path + "old", {"metadata": {"name": "old"}, "spec": dict(vector["input"]["new_spec"], ports=ports)})
    finally:
        services_api("DELETE", path + "old")
    expected = vector["expected"]
    if expected["error"]:
        check_errors(status, body, expected["errors_include"])
        return
    assert status == 200, body["message"]
    assert (body["spec"]["ipFamilyPolicy"], body["spec"]["ipFamilies"]) == (expected["ipFamilyPolicy"], expected["ipFamilies"])
    check_ips(expected["clusterIPs"], body["spec"]["clusterIPs"], CIDRS)


@vectors("service-type-validation")
def test_service_type_validation(services_api, kube_server, vector):
    kube_server.set_service_cidrs([CIDRS["IPv4"], CIDRS["IPv6"]])
    status, body = services_api("POST", "/api/v1/namespaces/default/services", {"metadata": {"name": "typed"}, "spec": vector["input"]["service_spec"]})
    services_api("DELETE", "/api/v1/namespaces/default/services/typed")
    check_errors(status, body, vector["expected"]["errors_include"])


@vectors("service-clusterips-related-validation")
def test_cluster_ips_related_validation(vector):
    found = [(e.field, e.kind, e.detail) for e in services.cluster_ips_related_errors(dict(vector["input"]["service_spec"]))]
    assert found == [(e["field"], e["type"].lower(), e["detail"]) for e in vector["expected"]["errors"]]


def test_static_band_offsets():
    with open(VECTORS, encoding="utf-8") as handle:
        cases = [v for v in json.load(handle)["vectors"] if v["feature"] in ("static-band-offset", "ipaddress-allocator")]
    for case in cases:
        want = case["expected"].get("offset", case["expected"].get("rangeOffset"))
        if want is None:        # a range the allocator refuses
            with pytest.raises(ValueError):
                services.ServiceCIDRs([case["input"]["cidr"]])
        else:
            assert services.static_band(ipaddress.ip_network(case["input"]["cidr"], strict=False)) == want, case["name"]


def test_dynamic_allocation_prefers_the_dynamic_band(kube, raw, namespace):
    kube.set_service_cidrs(["10.1.0.0/27"])        # 30 addresses, the first 16 of them the static band
    path = "/api/v1/namespaces/%s/services" % namespace
    ips = [raw("POST", path, {"metadata": {"name": "s%d" % i}, "spec": {"ports": [{"port": 80}]}})[2]["spec"]["clusterIP"] for i in range(15)]
    assert sorted(int(ipaddress.ip_address(ip)) & 31 for ip in ips[:14]) == list(range(17, 31))
    assert int(ipaddress.ip_address(ips[14])) & 31 in range(1, 17)


def test_service_and_port_defaults(core, namespace):
    svc = core.create_namespaced_service(namespace, {"metadata": {"name": "web"}, "spec": {
        "type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert (svc.spec.session_affinity, svc.spec.external_traffic_policy, svc.spec.internal_traffic_policy) == ("None", "Cluster", "Cluster")
    port = svc.spec.ports[0]
    assert (port.protocol, port.target_port) == ("TCP", 80)
    assert 30000 <= port.node_port <= 32767
    assert svc.spec.cluster_ip == svc.spec.cluster_ips[0]


def test_external_name_service_applied_twice(raw, namespace):
    """An update of an ExternalName Service that never had cluster IPs (a second server-side apply)."""
    path = "/api/v1/namespaces/%s/services/ext" % namespace
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
            "spec": {"type": "ExternalName", "externalName": "example.com"}}
    for _attempt in range(2):
        reply = raw("PATCH", path, body, content_type="application/apply-patch+yaml", query=[("fieldManager", "t")])
        assert reply[0] in (200, 201) and "clusterIP" not in reply[2]["spec"], reply


def test_pod_defaults(core, namespace):
    pod = core.create_namespaced_pod(namespace, {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "image": "nginx:1.27", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}})
    assert (pod.spec.restart_policy, pod.spec.dns_policy, pod.spec.scheduler_name) == ("Always", "ClusterFirst", "default-scheduler")
    assert pod.spec.containers[0].image_pull_policy == "IfNotPresent"
    assert (pod.status.phase, pod.status.qos_class) == ("Pending", "Guaranteed")

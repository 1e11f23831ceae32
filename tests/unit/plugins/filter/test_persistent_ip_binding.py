"""The persistent_ip_binding filter, called as Jinja calls it, on the spec's binding vectors."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.persistent_ip_binding import FilterModule

persistent_ip_binding = FilterModule().filters()["persistent_ip_binding"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "persistent-ip.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


# Vectors resting on an ASSUMPTION carry the suffix; test_persistent_ip.ASSUMPTIONS names their numbers (5-8).
@pytest.mark.parametrize("vec", [pytest.param(v, id=v["name"] + ("-ASSUMPTION" if v["assumption"] else ""))
                                 for v in VECTORS if v["feature"] == "binding"])
def test_binding_vectors_through_the_filter(vec):
    flat = vec["input"]["route"]
    route = {"metadata": {"name": "r", "namespace": flat["namespace"]},
             "spec": {k: value for k, value in flat.items() if k != "namespace"}}
    got = persistent_ip_binding(route, vec["input"]["pods"])
    expected = vec["expected"]
    assert (got["boundPod"], got["statusPods"], got["eligiblePods"]) == (
        expected["boundPod"], expected["statusPods"], expected["eligiblePods"])
    for type_, want in expected["conditions"].items():
        assert got["conditions"][type_]["status"] == want["status"]
        if want["reason"] is not None:  # null: not published, not asserted
            assert got["conditions"][type_]["reason"] == want["reason"]


# The admission vectors through the filter: a route with that parentRef, checked against that Gateway,
# shows the vector's GKEIPRoute Accepted reason (ASSUMPTION-11 to 13 for the marked ones).
@pytest.mark.parametrize("vec", [pytest.param(v, id=v["name"] + ("-ASSUMPTION" if v["assumption"] else ""))
                                 for v in VECTORS if v["feature"] == "admission"])
def test_admission_vectors_through_the_filter(vec):
    i = vec["input"]
    gateway = {"metadata": {"name": i["gateway"]["name"], "namespace": i["gateway"]["namespace"]},
               "spec": {"gatewayClassName": i["gateway"]["gatewayClassName"], "listeners": i["gateway"]["listeners"]}}
    route = {"metadata": {"name": "r", "namespace": i["route"]["namespace"]},
             "spec": {"parentRefs": [i["route"]["parentRef"]], "podSelector": {"matchLabels": {"app": "proxy"}}}}
    pod = dict(POD, metadata=dict(POD["metadata"], namespace=i["route"]["namespace"]))
    got = persistent_ip_binding(route, [pod], gateway, i["namespaces"])
    reason = vec["expected"]["gkeIPRouteAcceptedReason"]
    assert got["conditions"]["Accepted"]["status"] == ("True" if vec["expected"]["admitted"] else "False")
    assert (got["conditions"]["Accepted"]["reason"], got["conditions"]["Ready"]["reason"]) == (
        reason, "ProgrammingComplete" if vec["expected"]["admitted"] else reason)
    assert got["boundPod"] == ("proxy-a" if vec["expected"]["admitted"] else None)


ROUTE = {"metadata": {"name": "r", "namespace": "app"},
         "spec": {"podSelector": {"matchLabels": {"app": "proxy"}}, "parentRefs": [{"name": "gw", "namespace": "infra"}],
                  "addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}]}}
POD = {"metadata": {"name": "proxy-a", "namespace": "app", "labels": {"app": "proxy"}, "creationTimestamp": "2025-01-01T10:00:00Z"},
       "spec": {"nodeName": "n1"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
GATEWAY = {"metadata": {"name": "gw", "namespace": "infra"},
           "spec": {"gatewayClassName": "gke-persistent-regional-internal-managed",
                    "listeners": [{"name": "default", "port": 443, "protocol": "All", "allowedRoutes": {"namespaces": {
                        "from": "Selector", "selector": {"matchLabels": {"persistent-ip": "allowed"}}}}}],
                    "addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}]}}


def test_gateway_and_namespaces_as_keywords():
    allowed = persistent_ip_binding(ROUTE, [POD], gateway=GATEWAY, namespaces={"app": {"persistent-ip": "allowed"}})
    assert allowed["boundPod"] == "proxy-a"
    refused = persistent_ip_binding(ROUTE, [POD], gateway=GATEWAY)
    assert refused["boundPod"] is None
    assert refused["conditions"]["Accepted"]["reason"] == "Unattachable"


@pytest.mark.parametrize("args, message", [
    ((ROUTE,), r"^persistent_ip_binding: missing a required argument: 'pods'"),
    ((ROUTE, "proxy-a"), r"^persistent_ip_binding: pods must be a list, got string 'proxy-a'"),
    (({"metadata": {"namespace": "app"}}, [POD]), r"^persistent_ip_binding: route.spec.podSelector is required"),
    ((ROUTE, [POD], "gw"), r"^persistent_ip_binding: gateway must be a mapping"),
])
def test_bad_input_is_a_filter_error(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        persistent_ip_binding(*args)


@pytest.mark.parametrize("selector", [{}, {"matchLabels": {}}, {"matchLabels": {}, "matchExpressions": []},
                                      {"matchLabels": {"app": "-bad-"}}])
@pytest.mark.parametrize("gateway", [None, {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                                            "metadata": {"name": "gw", "namespace": "app"}, "spec": {}}],
                         ids=["without-gateway", "with-gateway"])
def test_a_route_whose_selector_selects_nothing_has_no_eligible_pod(selector, gateway):
    """Issue 13, defect 9: with an empty podSelector (Accepted False, InvalidLabels) every Pod was listed eligible;
    the controller considers none."""
    route = {"metadata": {"name": "r", "namespace": "app"}, "spec": {"podSelector": selector}}
    pod = {"metadata": {"name": "a", "namespace": "app", "labels": {"app": "x"}},
           "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    got = persistent_ip_binding(route, [pod], gateway)
    assert (got["boundPod"], got["eligiblePods"], got["conditions"]["Accepted"]["status"]) == (None, [], "False")

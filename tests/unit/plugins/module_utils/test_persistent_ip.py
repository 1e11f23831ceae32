"""Persistent IPs for Pods: admission, validation, binding decision and route health (spec persistent-ip.md)."""
import copy
import json
import os

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    ADDRESS_TYPE_RE, CLASS_EXTERNAL, CLASS_FAST_EXTERNAL, CLASS_FAST_INTERNAL, CLASS_INTERNAL, PROTOCOL_RE)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.attachment import route_admission
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.binding import persistent_ip_binding
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.health import (
    TROUBLESHOOTING, explain_not_ready, persistent_ip_status)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.validate import validate
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "persistent-ip.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

# Vectors whose expected value rests on an assumption of docs/persistent-ip.md#assumptions (the vector says
# "assumption": true),
# with the ASSUMPTION number(s); their test ids end in "-ASSUMPTION-<n>".
ASSUMPTIONS = {
    "kinds-include-GKEIPRoute-admitted": "12",  # kinds match GKEIPRoute on kind, any of the two groups
    "selector-empty-object-selects-all": "11",  # {} selects every namespace
    "parentRef-kind-not-Gateway": "13",  # a non-Gateway parent is Unattachable
    "exists-unscheduled-pending-pod": "8",  # NoPodsFound placement
    "label-mismatch-no-pod": "8",
    "no-pods-at-all": "8",
    "exists-node-lost-unknown-phase-still-bound": "6",  # phase Unknown + nodeName stays eligible under Exists
    "creationTimestamp-tie-broken-by-name": "7",  # ties go to the smallest name
    "readycondition-newest-terminating-skipped": "5",  # terminating Pods never qualify
    "gkeiproute-address-claimed-by-other-route": "9",  # one route per address
    "gateway-public-address-on-internal-class": "18",  # public on internal only warns
    "gateway-kinds-exclude-gkeiproute": "12",  # collection rule built on kind matching
    "gateway-selector-missing": "11",  # collection rule: a nil selector admits nothing
    "gkeiproute-address-host-bits-set": "17",  # canonical CIDRs only
    "gkeiproute-valid-minimal": "2",  # address type gke.networking.io/cidr
    "gateway-valid-external": "1-2",  # listener shape, address type
    "gkeiproute-address-type-omitted-defaults-IPAddress": "2",
    "gateway-hostname-address": "2",
    "gkeiproute-nodeSelector-without-fast-class": "20",  # fast failover = gke-persistent-fast-* class
    "gkeiproute-gateway-wrong-class": "13",  # a Gateway of another class is Unattachable
    "gateway-class-change-rejected": "DOC-D4-generalised",  # docs/persistent-ip.md#assumption-22 (GW_CLASS_CHANGED)
    "gcp-condition-under-vendored-type-name": "4",  # IPRouteGCPReady read as GCPReady
}


def cases(feature, select=lambda vec: True):
    return [pytest.param(v, id=v["name"] + ("-ASSUMPTION-" + ASSUMPTIONS[v["name"]] if v["assumption"] else ""))
            for v in VECTORS if v["feature"] == feature and select(v)]


def test_every_assumption_vector_is_marked():
    assert set(ASSUMPTIONS) == {v["name"] for v in VECTORS if v["assumption"]}
    assert len(VECTORS) == 65


# --- admission (docs/persistent-ip.md#attachment) -------------------------------------------------------------------


def gateway_object(flat):
    """The vectors give a Gateway as {name, namespace, gatewayClassName, listeners}."""
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
            "metadata": {"name": flat["name"], "namespace": flat["namespace"]},
            "spec": {"gatewayClassName": flat["gatewayClassName"], "listeners": flat["listeners"]}}


@pytest.mark.parametrize("vec", cases("admission"))
def test_admission_vector(vec):
    i = vec["input"]
    assert route_admission(gateway_object(i["gateway"]), i["route"], i["namespaces"]) == vec["expected"]


GW = gateway_object({"name": "gw", "namespace": "infra", "gatewayClassName": CLASS_EXTERNAL, "listeners": [
    {"name": "a", "port": 443, "protocol": "All", "allowedRoutes": {"namespaces": {"from": "All"}}},
    {"name": "b", "port": 443, "protocol": "TCP", "allowedRoutes": {"namespaces": {"from": "Same"}}},
    {"name": "c", "port": 80, "protocol": "All",
     "allowedRoutes": {"namespaces": {"from": "Selector", "selector": {"matchExpressions": [
         {"key": "env", "operator": "NotIn", "values": ["prod"]}]}}}},
]})


@pytest.mark.parametrize("ref, namespace, listeners, reason", [
    ({"name": "gw", "namespace": "infra"}, "infra", ["a", "b", "c"], "Accepted"),
    ({"name": "gw", "namespace": "infra"}, "app", ["a", "c"], "Accepted"),  # NotIn holds when the label is absent
    ({"name": "gw", "namespace": "infra", "port": 443}, "app", ["a"], "Accepted"),
    ({"name": "gw", "namespace": "infra", "sectionName": "b"}, "app", [], "NotAllowedByListeners"),
    ({"name": "gw", "namespace": "infra", "sectionName": "zz"}, "app", [], "NoMatchingParent"),
    ({"name": "gw", "namespace": "", "sectionName": "b"}, "infra", ["b"], "Accepted"),  # "" = the route's namespace
    ({"name": "gw"}, "app", [], None),  # app/gw does not exist
    ({"name": "gw", "namespace": "infra", "group": "gateway.networking.k8s.io", "kind": "Gateway", "port": 80}, "prod", [],
     "NotAllowedByListeners"),
])
def test_admission_listener_selection(ref, namespace, listeners, reason):
    got = route_admission(GW, {"namespace": namespace, "parentRef": ref}, {"prod": {"env": "prod"}, "app": {}})
    assert got["acceptedListeners"] == listeners
    assert got["gatewayApiReason"] == reason
    assert got["admitted"] is bool(listeners)


def test_admission_selector_sees_the_metadata_name_label():
    gateway = copy.deepcopy(GW)
    gateway["spec"]["listeners"] = [{"name": "x", "port": 1, "protocol": "All", "allowedRoutes": {"namespaces": {
        "from": "Selector", "selector": {"matchLabels": {"kubernetes.io/metadata.name": "app"}}}}}]
    assert route_admission(gateway, {"namespace": "app", "parentRef": {"name": "gw", "namespace": "infra"}})["admitted"]
    assert not route_admission(gateway, {"namespace": "web", "parentRef": {"name": "gw", "namespace": "infra"}})["admitted"]


@pytest.mark.parametrize("namespaces_spec, kinds, admitted", [
    ({"from": "Selector"}, None, False),  # docs/persistent-ip.md#assumption-11: a nil selector admits nothing
    ({"from": "Selector", "selector": {"matchExpressions": [{"key": "x", "operator": "Bogus"}]}}, None, False),
    ({"from": "Other"}, None, False),
    ({"from": "All"}, [{"group": "networking.gke.io", "kind": "GKEIPRoute"}], True),
    ({"from": "All"}, [{"group": "gateway.networking.k8s.io", "kind": "GKEIPRoute"}], True),
    ({"from": "All"}, [{"group": "", "kind": "GKEIPRoute"}], False),  # "" is the core group
    ({"from": "All"}, [{"kind": "HTTPRoute"}, {"kind": "GKEIPRoute"}], True),
    ({}, [], True),  # from defaults to Same; empty kinds admit any kind
])
def test_admission_allowed_routes(namespaces_spec, kinds, admitted):
    allowed = {"namespaces": namespaces_spec}
    if kinds is not None:
        allowed["kinds"] = kinds
    gateway = copy.deepcopy(GW)
    gateway["spec"]["listeners"] = [{"name": "x", "port": 1, "protocol": "All", "allowedRoutes": allowed}]
    assert route_admission(gateway, {"namespace": "infra", "parentRef": {"name": "gw", "namespace": "infra"}})["admitted"] is admitted


def test_admission_without_gateway_is_gateway_not_found():
    got = route_admission(None, {"namespace": "app", "parentRef": {"name": "gw"}})
    assert got == {"admitted": False, "acceptedListeners": [], "gatewayApiReason": None, "gkeIPRouteAcceptedReason": "GatewayNotFound"}


@pytest.mark.parametrize("route, namespaces, message", [
    ({"namespace": 3, "parentRef": {"name": "gw"}}, None, "route.namespace must be a string"),
    ({"namespace": "a", "parentRef": "gw"}, None, "route.parentRef must be a mapping"),
    ({"namespace": "a", "parentRef": {"name": "gw", "port": "80"}}, None, "route.parentRef.port must be an integer"),
    ({"namespace": "infra", "parentRef": {"name": "gw"}}, {"infra": {"a": ["b"]}}, "namespaces\\[infra\\] must map label names to strings"),
])
def test_admission_bad_input(route, namespaces, message):
    with pytest.raises(InputError, match=message):
        route_admission(GW, route, namespaces)


# --- binding decision (docs/persistent-ip.md#pod-selection, docs/persistent-ip.md#binding-table) --------------------


def route_object(flat, **spec):
    """The vectors give a route as {namespace, podSelector, reactionMode?}."""
    spec.update({k: v for k, v in flat.items() if k != "namespace"})
    return {"apiVersion": "networking.gke.io/v1", "kind": "GKEIPRoute", "metadata": {"name": "r", "namespace": flat["namespace"]},
            "spec": spec}


def assert_binding(got, expected):
    assert (got["boundPod"], got["statusPods"], got["eligiblePods"]) == (
        expected["boundPod"], expected["statusPods"], expected["eligiblePods"])
    assert set(got["conditions"]) == set(expected["conditions"])
    for type_, want in expected["conditions"].items():
        assert got["conditions"][type_]["status"] == want["status"], type_
        if want["reason"] is not None:  # null: not published, not asserted (docs/persistent-ip.md#vectors)
            assert got["conditions"][type_]["reason"] == want["reason"], type_


@pytest.mark.parametrize("vec", cases("binding"))
def test_binding_vector(vec):
    assert_binding(persistent_ip_binding(route_object(vec["input"]["route"]), vec["input"]["pods"]), vec["expected"])


def pod(name, created="2025-01-01T10:00:00Z", ready="True", node="n1", namespace="app", labels=None, **extra):
    obj = {"metadata": {"name": name, "namespace": namespace, "labels": {"app": "proxy"} if labels is None else labels,
                        "creationTimestamp": created},
           "spec": {"nodeName": node} if node else {},
           "status": {"phase": extra.pop("phase", "Running"), "conditions": [{"type": "Ready", "status": ready}] if ready else []}}
    obj["metadata"].update(extra)
    return obj


ROUTE = route_object({"namespace": "app", "podSelector": {"matchLabels": {"app": "proxy"}}},
                     parentRefs=[{"name": "gw", "namespace": "infra"}],
                     addresses=[{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}])
PIP_GW = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "infra"},
          "spec": {"gatewayClassName": CLASS_EXTERNAL,
                   "listeners": [{"name": "default", "port": 443, "protocol": "All", "allowedRoutes": {
                       "namespaces": {"from": "Selector", "selector": {"matchLabels": {"persistent-ip": "allowed"}}},
                       "kinds": [{"kind": "GKEIPRoute"}]}}],
                   "addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}]}}


def test_binding_ready_condition_states():
    pods = [pod("a"), pod("b", ready="Unknown"), pod("c", ready=None), pod("d", phase="Succeeded"),
            pod("e", deletionTimestamp="2025-01-01T11:00:00Z"), pod("f", node=None, ready="False")]
    got = persistent_ip_binding(ROUTE, pods)
    assert got["eligiblePods"] == ["a"]
    exists = copy.deepcopy(ROUTE)
    exists["spec"]["reactionMode"] = "Exists"
    assert persistent_ip_binding(exists, pods)["eligiblePods"] == ["a", "b", "c"]  # d terminal, e terminating, f unscheduled


def test_binding_orders_by_time_then_name_across_offsets():
    pods = [pod("z", "2025-01-01T12:00:00+02:00"), pod("y", "2025-01-01T10:00:00Z"), pod("old", "2024-12-31T23:59:59Z"),
            pod("x", "2025-01-01T10:00:00.5Z"), pod("nots")]
    pods[-1]["metadata"].pop("creationTimestamp")
    assert persistent_ip_binding(ROUTE, pods)["eligiblePods"] == ["x", "y", "z", "old", "nots"]


def test_binding_with_gateway_admitted():
    got = persistent_ip_binding(ROUTE, [pod("a")], PIP_GW, {"app": {"persistent-ip": "allowed"}})
    assert got["boundPod"] == "a"
    assert got["conditions"]["Accepted"] == {"status": "True", "reason": "Accepted", "message": "attached to Gateway infra/gw"}
    assert got["conditions"]["Ready"]["message"] == (
        "GCP and datapath components are programmed to send the persistent IPs to Pod app/a")


def test_binding_with_gateway_not_admitted():
    got = persistent_ip_binding(ROUTE, [pod("a")], PIP_GW, {"app": {}})
    assert (got["boundPod"], got["statusPods"], got["eligiblePods"]) == (None, [], ["a"])
    accepted = got["conditions"]["Accepted"]
    assert (accepted["status"], accepted["reason"]) == ("False", "Unattachable")
    assert accepted["message"].startswith('spec.parentRefs[0]: Invalid value: "infra/gw": no listener admits a GKEIPRoute '
                                          'from namespace app (NotAllowedByListeners)')
    assert got["conditions"]["Ready"] == dict(accepted)
    assert got["conditions"]["GCPReady"] is None and got["conditions"]["DPV2Ready"] is None


@pytest.mark.parametrize("change, reason", [
    (lambda r: r["spec"].pop("parentRefs"), "MissingParentRefs"),
    (lambda r: r["spec"]["parentRefs"][0].update(name="other"), "GatewayNotFound"),
    (lambda r: r["spec"]["addresses"][0].update(value="34.123.10.7/32"), "InvalidAddresses"),
    (lambda r: r["spec"]["podSelector"].update(matchLabels={"a": "-bad-"}), "InvalidLabels"),
    # several failures: the first in the controller's order
    (lambda r: (r["spec"]["addresses"][0].update(value="bad"), r["spec"].update(podSelector={})), "InvalidAddresses"),
])
def test_binding_accepted_reasons_with_gateway(change, reason):
    route = copy.deepcopy(ROUTE)
    change(route)
    got = persistent_ip_binding(route, [pod("a")], PIP_GW, {"app": {"persistent-ip": "allowed"}})
    assert (got["conditions"]["Accepted"]["reason"], got["conditions"]["Ready"]["reason"], got["boundPod"]) == (reason, reason, None)


@pytest.mark.parametrize("selector", [{}, {"matchLabels": {}}, {"matchExpressions": [{"key": "a", "operator": "In"}]}])
def test_binding_invalid_selector_without_gateway(selector):
    route = route_object({"namespace": "app", "podSelector": selector})
    got = persistent_ip_binding(route, [pod("a")])
    assert got["conditions"]["Accepted"]["reason"] == "InvalidLabels"
    assert got["eligiblePods"] == []  # an invalid or empty selector selects nothing: the controller considers no Pod
    assert got["boundPod"] is None


def test_binding_no_pods_message():
    got = persistent_ip_binding(ROUTE, [pod("a", ready="False")])
    assert got["conditions"]["Ready"] == {"status": "False", "reason": "NoPodsFound", "message": (
        "no Pod of namespace app matches spec.podSelector and qualifies under reactionMode ReadyCondition "
        "(Ready=True, not terminating, not Succeeded/Failed)")}


@pytest.mark.parametrize("route, pods, message", [
    ("r", [], "route must be a mapping"),
    ({"metadata": {}, "spec": {"podSelector": {}}}, [], "route.metadata.namespace must be a string"),
    (route_object({"namespace": "app"}), [], "route.spec.podSelector is required"),
    (route_object({"namespace": "app", "podSelector": {}, "reactionMode": "Sometimes"}), [],
     'route.spec.reactionMode: Unsupported value: "Sometimes": supported values: "ReadyCondition", "Exists"'),
    (ROUTE, {"a": 1}, "pods must be a list"),
    (ROUTE, [None], r"pods\[0\] must be a mapping"),
    (ROUTE, [{"metadata": {"name": "a"}}], r"pods\[0\].metadata.namespace must be a string"),
    (ROUTE, [pod("a", labels={"app": ["proxy"]})], r"pods\[0\].metadata.labels must map label names to strings"),
    (ROUTE, [pod("a", created="yesterday")], r"pods\[0\].metadata.creationTimestamp must be an RFC 3339 time"),
    (ROUTE, [pod("a", created=["x"])], r"pods\[0\].metadata.creationTimestamp must be a string"),
    (ROUTE, [dict(pod("a"), status={"conditions": "Ready"})], r"pods\[0\].status.conditions must be a list"),
])
def test_binding_bad_input(route, pods, message):
    with pytest.raises(InputError, match=message):
        persistent_ip_binding(route, pods)


# --- validation (docs/persistent-ip.md#validation) ------------------------------------------------------------------


def assert_findings(got, expected):
    """(code, path) as sets (docs/persistent-ip.md#vectors), plus every key the vector gives (gkeReason, upstreamMessage, ...)."""
    assert got["valid"] is expected["valid"]
    for kind in ("errors", "warnings"):
        assert sorted((f["code"], f["path"]) for f in got[kind]) == sorted((f["code"], f["path"]) for f in expected[kind])
        for want in expected[kind]:
            (found,) = [f for f in got[kind] if (f["code"], f["path"]) == (want["code"], want["path"])][:1]
            assert {k: found.get(k) for k in want} == want
            assert found["message"]


@pytest.mark.parametrize("vec", cases("validation"))
def test_validation_vector(vec):
    assert_findings(validate(vec["input"]["object"], vec["input"].get("context")), vec["expected"])


@pytest.mark.parametrize("vec", cases("validation", lambda v: "context" not in v["input"]))
def test_context_free_validation_vector_through_validation_errors(vec):
    texts = [str(e) for e in validation_errors(vec["input"]["object"]) if str(e) != NOT_CHECKED]
    assert len(texts) == len(vec["expected"]["errors"])
    for want in vec["expected"]["errors"]:
        assert any(text.startswith(want["path"]) and text.endswith("[%s]" % want["code"]) or text.startswith(want["path"] + ":")
                   for text in texts), (want, texts)
    assert texts == [e["message"] for e in validate(vec["input"]["object"])["errors"]]


def gateway(**spec):
    obj = copy.deepcopy(PIP_GW)
    obj["spec"].update(spec)
    return obj


def listener(name="default", port=443, protocol="All", **extra):
    return dict(extra, name=name, port=port, protocol=protocol)


# Once a CRD schema check fails with a blocking error (Required, Unsupported, Too many, Too long, a type
# error), the API server runs no CEL rule and says so last (checked against kube-apiserver, tests/differential).
NOT_CHECKED = ("<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
               "correct the existing errors to complete validation")


# Exact texts: the API server's own for CRD schema and CEL rules; the collection's (ending in the code) otherwise.
@pytest.mark.parametrize("obj, messages", [
    (gateway(listeners=[]), ["spec.listeners: Invalid value: 0: spec.listeners in body should have at least 1 items"]),
    (gateway(listeners=None), ["spec.listeners: Required value", NOT_CHECKED]),
    # listeners are a list-type map keyed by name: a second name is also a Duplicate of the key
    (gateway(listeners=[listener("a"), listener("a", 80)]),
     ['spec.listeners[1]: Duplicate value: {"name":"a"}', 'spec.listeners: Invalid value: Listener name must be unique within the Gateway']),
    (gateway(listeners=[listener("a"), listener("b")]),
     ['spec.listeners: Invalid value: Combination of port, protocol and hostname must be unique for each listener']),
    (gateway(listeners=[listener("a", protocol="TCP", hostname="x.example"), listener("b", protocol="UDP", hostname="y")]),
     ["spec.listeners: Invalid value: hostname must not be specified for protocols ['TCP', 'UDP']"]),
    (gateway(listeners=[listener("a", protocol="HTTP", tls={"mode": "Terminate"})]),
     ["spec.listeners: Invalid value: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"]),
    (gateway(listeners=[listener("Bad_Name", port="443", protocol="a b")]), [
        "spec.listeners[0].name: Invalid value: \"Bad_Name\": spec.listeners[0].name in body should match "
        "'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
        'spec.listeners[0].port: Invalid value: "string": spec.listeners[0].port in body must be of type integer: "string"',
        "spec.listeners[0].protocol: Invalid value: \"a b\": spec.listeners[0].protocol in body should match "
        "'" + PROTOCOL_RE + "'", NOT_CHECKED]),
    (gateway(listeners=[listener(port=65536)]),
     ["spec.listeners[0].port: Invalid value: 65536: spec.listeners[0].port in body should be less than or equal to 65535"]),
    (gateway(listeners=[listener(name="l%d" % i, port=i + 1) for i in range(65)]),
     ["spec.listeners: Too many: 65: must have at most 64 items", NOT_CHECKED]),
    (gateway(listeners=[listener(allowedRoutes={"kinds": [{"kind": "K%d" % i} for i in range(9)] + [{"kind": "GKEIPRoute"}]})]),
     ["spec.listeners[0].allowedRoutes.kinds: Too many: 10: must have at most 8 items", NOT_CHECKED]),
    (gateway(listeners=[listener(allowedRoutes={"namespaces": {"from": "Selector", "selector": {"matchLabels": {"-a": "b"}}}})]),
     ["spec.listeners[0].allowedRoutes.namespaces.selector.matchLabels: Invalid value: \"-a\": name part must consist of "
      "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
      "or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
      "[GW_ALLOWEDROUTES_SELECTOR_INVALID]"]),
    (gateway(addresses=[]), [
        "spec.addresses: Required value: a persistent-IP Gateway must list the reserved addresses it hands out (it assigns "
        "none itself); add {type: gke.networking.io/cidr, value: <reserved IPv4>/32} [GW_ADDRESSES_REQUIRED]"]),
    (gateway(addresses=[{"type": "gke.networking.io/cidr", "value": "34.1.2.%d/32" % i} for i in range(17)]),
     ["spec.addresses: Too many: 17: must have at most 16 items", NOT_CHECKED]),
    (gateway(addresses=[{"type": "example.com/Ip"}]), [
        'spec.addresses[0].type: Unsupported value: "example.com/Ip": supported values: "gke.networking.io/cidr", '
        '"NamedAddress", "IPAddress" [GW_ADDRESS_TYPE_UNSUPPORTED]']),
    (gateway(addresses=[{"type": "ip"}]), [
        "spec.addresses[0].type: Invalid value: \"ip\": spec.addresses[0].type in body should match '" + ADDRESS_TYPE_RE + "'"]),
    (gateway(addresses=[{"type": "NamedAddress", "value": "1st-ip"}]), [
        "spec.addresses[0].value: Invalid value: \"1st-ip\": a reserved address name: a DNS-1035 label must consist of lower "
        "case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character "
        "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?') [GW_ADDRESS_VALUE_INVALID]"]),
    (gateway(addresses=[{"type": "gke.networking.io/cidr", "value": "10.0.0.1/32"}]), [
        'spec.addresses[0].value: Invalid value: "10.0.0.1/32": an RFC 1918/6598 address on the external class '
        "gke-persistent-regional-external-managed; use gke-persistent-regional-internal-managed for internal addresses, "
        "or reserve an external regional address [GW_ADDRESS_PRIVATE_ON_EXTERNAL]"]),
    (gateway(addresses=[{"value": "034.1.2.3"}]),
     ['spec.addresses[0].value: Invalid value: "034.1.2.3": must not have leading 0s [GW_ADDRESS_VALUE_INVALID]']),
    (gateway(addresses=[{"type": "gke.networking.io/cidr", "value": "34.1.2.3"}]), [
        'spec.addresses[0].value: Invalid value: "34.1.2.3": must be an IPv4 CIDR such as 34.123.10.1/32 [GW_ADDRESS_VALUE_INVALID]']),
    (gateway(gatewayClassName=None), ["spec.gatewayClassName: Required value", NOT_CHECKED]),
    (dict(gateway(), apiVersion="gateway.networking.k8s.io/v1alpha2"), [
        'apiVersion: Unsupported value: "gateway.networking.k8s.io/v1alpha2": supported values: '
        '"gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1" [GW_API_VERSION]']),
    (dict(gateway(), metadata={"name": "Pip_GW"}), [
        'metadata.name: Invalid value: "Pip_GW": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
        "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
        "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]),
    (dict(gateway(), metadata={}), ["metadata.name: Required value: name or generateName is required", NOT_CHECKED]),
    (dict(gateway(), metadata={"name": "gw", "namespace": "../x"}), [
        'metadata.namespace: Invalid value: "../x": a lowercase RFC 1123 label must consist of lower case alphanumeric '
        "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]),
    (dict(gateway(), spec=[]), ['spec: Invalid value: "array": spec in body must be of type object: "array"', NOT_CHECKED]),
])
def test_gateway_messages(obj, messages):
    assert [str(e) for e in validation_errors(obj)] == messages


def codes(result, kind="errors"):
    return [(f["code"], f["path"]) for f in result[kind]]


def test_gateway_warnings_and_valid_shapes():
    result = validate(gateway(
        gatewayClassName=CLASS_FAST_EXTERNAL,
        listeners=[listener(allowedRoutes={"namespaces": {"from": "All", "selector": {}}})],
        addresses=[{"type": "gke.networking.io/cidr", "value": "34.1.2.0/28"}, {"type": "NamedAddress", "value": "ip-1"},
                   {"value": "34.1.2.20"}]))
    assert result["valid"]
    assert codes(result, "warnings") == [
        ("GW_CLASS_FAST", "spec.gatewayClassName"),
        ("GW_ALLOWEDROUTES_SELECTOR_IGNORED", "spec.listeners[0].allowedRoutes.namespaces.selector"),
        ("GW_ADDRESS_PREFIX_NOT_32", "spec.addresses[0].value")]


@pytest.mark.parametrize("addresses, errors", [
    ([{"type": "gke.networking.io/cidr", "value": "34.1.2.3/32"}, {"value": "34.1.2.3"}], [("GW_ADDRESS_DUPLICATE", "spec.addresses")]),
    ([{"type": "NamedAddress", "value": "a"}, {"type": "NamedAddress", "value": "a"}], [("GW_ADDRESS_DUPLICATE", "spec.addresses")]),
    ([{"type": "gke.networking.io/cidr", "value": "fd00::1/128"}], [("GW_ADDRESS_IPV6_UNSUPPORTED", "spec.addresses[0].value")]),
    ([{"type": "gke.networking.io/cidr", "value": "34.1.2.3/24"}], [("GW_ADDRESS_CIDR_HOST_BITS", "spec.addresses[0].value")]),
    ([{"type": "IPAddress"}], [("GW_ADDRESS_VALUE_INVALID", "spec.addresses[0].value")]),
    # a non-object: the type error, and the CRD's oneOf (both branches hold for a non-object)
    (["34.1.2.3"], [("GW_FIELD_TYPE_INVALID", "spec.addresses[0]"), ("GW_FIELD_TYPE_INVALID", "spec.addresses[0]")]),
])
def test_gateway_address_codes(addresses, errors):
    assert codes(validate(gateway(addresses=addresses))) == errors


def test_gateway_misspelt_kind_is_found_by_group():
    result = validate(dict(gateway(), kind="Gatway"))
    assert codes(result) == [("GW_KIND", "kind")]


def test_gateway_class_change_needs_routes_that_use_it():
    old = gateway()
    new = gateway(gatewayClassName=CLASS_INTERNAL, addresses=[{"value": "10.0.0.5"}])
    other_route = dict(ROUTE, spec=dict(ROUTE["spec"], parentRefs=[{"name": "elsewhere", "namespace": "infra"}]))
    assert validate(new, {"oldObject": old, "existingRoutes": [other_route]})["valid"]
    assert codes(validate(new, {"oldObject": old, "existingRoutes": [other_route, ROUTE]})) == [
        ("GW_CLASS_CHANGED", "spec.gatewayClassName")]
    assert validate(gateway(), {"oldObject": old})["valid"]


def route(**spec):
    obj = copy.deepcopy(ROUTE)
    obj["spec"].update(spec)
    return obj


CONTEXT = {"clusterVersion": "1.33.1-gke.1000000", "gateway": PIP_GW, "namespaces": {"app": {"persistent-ip": "allowed"}}}


@pytest.mark.parametrize("obj, messages", [
    (route(reactionMode="Sometimes"),
     ['spec.reactionMode: Unsupported value: "Sometimes": supported values: "ReadyCondition", "Exists"', NOT_CHECKED]),
    (route(addresses=None), ["spec.addresses: Required value", NOT_CHECKED]),
    (route(podSelector={"matchLabels": {"app": "proxy"}, "labelSelector": {}}), [
        "spec.podSelector.labelSelector: Forbidden: unknown field: the API server drops it, or rejects it under strict field "
        "validation; known fields: matchExpressions, matchLabels [IPR_SPEC_UNKNOWN_FIELD]"]),
    (route(podSelector={}), ["spec.podSelector: Invalid value: Empty selector is not allowed: it would select every Pod of the "
                             "namespace; select the Pods with matchLabels or matchExpressions [IPR_PODSELECTOR_EMPTY]"]),
    (route(podSelector={"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]}), [
        "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
        "'DoesNotExist' [IPR_PODSELECTOR_INVALID]"]),
    (route(parentRefs=[{"name": "gw", "namespace": "Infra", "port": 0}]), [
        "spec.parentRefs[0].namespace: Invalid value: \"Infra\": spec.parentRefs[0].namespace in body should match "
        "'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'",
        "spec.parentRefs[0].port: Invalid value: 0: spec.parentRefs[0].port in body should be greater than or equal to 1"]),
    (route(parentRefs=[{"namespace": "infra"}]), ["spec.parentRefs[0].name: Required value", NOT_CHECKED]),
    (route(parentRefs=[{"name": "svc", "group": "", "kind": "Service"}]), [
        'spec.parentRefs[0]: Invalid value: "/Service": a GKEIPRoute attaches to a Gateway: group gateway.networking.k8s.io, '
        "kind Gateway (the defaults) [IPR_PARENTREF_KIND_UNSUPPORTED]"]),
    (route(parentRefs=[{"name": "gw"}, {"name": "gw", "namespace": "app"}]), [
        'spec.parentRefs[1]: Duplicate value: "app/gw": It is invalid to reference an identical parent more than once '
        "[IPR_PARENTREF_DUPLICATE]"]),
    (route(addresses=[{"value": "34.1.2.3/32"}, {"type": "gke.networking.io/cidr", "value": "34.1.2.3/32"}]), [
        'spec.addresses: Duplicate value: "34.1.2.3/32": the same network is listed 2 times; list each address once '
        "[IPR_ADDRESS_DUPLICATE]"]),
    (route(addresses=[{"type": "NamedAddress", "value": "ip-1"}]), [
        'spec.addresses[0].value: Invalid value: "ip-1": must be an IPv4 CIDR such as 34.123.10.1/32 [IPR_ADDRESS_VALUE_INVALID]']),
    (route(addresses=[{"value": "2001:db8::1/128"}]), [
        'spec.addresses[0].value: Invalid value: "2001:db8::1/128": persistent IPs are IPv4 only; reserve a regional IPv4 '
        "address [IPR_ADDRESS_IPV6_UNSUPPORTED]"]),
    (route(addresses=[{"value": "34.1.2.%d/32" % i} for i in range(17)]), [
        "spec.addresses: Too many: 17: must have at most 16 items; put the others in another GKEIPRoute [IPR_ADDRESSES_TOO_MANY]"]),
    (route(loadBalancing={"healthCheckName": "hc"}, haPolicy=True), [
        "spec.haPolicy: Forbidden: can only be set on a non-load-balancing, non-fast-failover route; remove haPolicy or "
        "spec.loadBalancing [IPR_HAPOLICY_WITH_LOADBALANCING]"]),
    (route(loadBalancing={"healthCheckName": ""}), [
        "spec.loadBalancing.healthCheckName: Required value: name the regional health check (same project and region as "
        "the cluster) that decides which Pods get traffic [IPR_LOADBALANCING_HEALTHCHECK_REQUIRED]"]),
    (route(nodeSelector={"matchLabels": "pool"}), [
        'spec.nodeSelector.matchLabels: Invalid value: "string": spec.nodeSelector.matchLabels in body must be of type '
        'object: "string"', NOT_CHECKED]),
    (dict(route(), metadata={"name": "r"}), [
        "metadata.namespace: Required value: a GKEIPRoute is namespaced and binds Pods of its own namespace; set the "
        "namespace explicitly [IPR_NAMESPACE_REQUIRED]"]),
    (dict(route(), metadata={"name": "r", "namespace": "App"}), [
        "metadata.namespace: Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
        "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]),
    (route(network=["default"]), ['spec.network: Invalid value: "array": spec.network in body must be of type string: "array"',
                                  NOT_CHECKED]),
])
def test_route_messages(obj, messages):
    assert [str(e) for e in validation_errors(obj)] == messages


def test_route_multiple_parent_refs_warn():
    result = validate(route(parentRefs=[{"name": "gw", "namespace": "infra"}, {"name": "gw2", "namespace": "infra"}]), CONTEXT)
    assert result["valid"] and codes(result, "warnings") == [("IPR_PARENTREF_MULTIPLE", "spec.parentRefs")]


@pytest.mark.parametrize("spec, context, errors", [
    ({"loadBalancing": {"healthCheckName": "hc"}}, {"clusterVersion": "1.32.3-gke.1439999"},
     [("IPR_LOADBALANCING_VERSION", "spec.loadBalancing")]),
    ({"loadBalancing": {"healthCheckName": "hc"}}, {"clusterVersion": "v1.32.3-gke.1440000"}, []),
    ({"network": "l3"}, {"clusterVersion": "1.30.5-gke.1014001", "networks": {"l3": {"type": "L3", "ready": False}}},
     [("IPR_NETWORK_NOT_READY", "spec.network")]),
    ({"network": "dev"}, {"networks": {"dev": {"type": "Device"}}}, []),
    ({"nodeSelector": {"matchLabels": {"pool": "dpdk"}}},
     {"gateway": dict(PIP_GW, spec=dict(PIP_GW["spec"], gatewayClassName=CLASS_FAST_EXTERNAL)),
      "namespaces": {"app": {"persistent-ip": "allowed"}}}, []),
    ({}, {"gateway": dict(PIP_GW, spec=dict(PIP_GW["spec"], gatewayClassName=CLASS_FAST_INTERNAL))},
     [("IPR_NOT_ADMITTED", "spec.parentRefs[0]"), ("IPR_NODESELECTOR_MISMATCH", "spec.nodeSelector")]),
    ({"parentRefs": [{"name": "gw", "namespace": "infra", "sectionName": "other"}]}, {"gateway": PIP_GW, "namespaces": {}},
     [("IPR_NOT_ADMITTED", "spec.parentRefs[0]")]),
    ({"addresses": [{"value": "34.123.10.1/32"}]}, {"gateway": None}, [("IPR_GATEWAY_NOT_FOUND", "spec.parentRefs[0]")]),
    ({"haPolicy": False}, {"oldObject": route(haPolicy=True)}, [("IPR_HAPOLICY_IMMUTABLE", "spec.haPolicy")]),
    ({"haPolicy": False}, {"oldObject": route()}, []),
    ({"addresses": [{"value": "34.123.10.1/32"}]}, {"existingRoutes": [ROUTE]}, []),  # the route itself
    # the Gateway and other routes are skipped when parentRefs[0] is invalid
    ({"parentRefs": [{"name": "gw", "port": "x"}]}, {"gateway": None, "existingRoutes": [dict(ROUTE, metadata={"name": "o"})]},
     [("IPR_FIELD_TYPE_INVALID", "spec.parentRefs[0].port")]),
])
def test_route_context_rules(spec, context, errors):
    assert codes(validate(route(**spec), context)) == errors


def test_route_named_addresses_resolve_through_the_context():
    named_gateway = dict(PIP_GW, spec=dict(PIP_GW["spec"], addresses=[{"type": "NamedAddress", "value": "proxy-ip"}]))
    context = dict(CONTEXT, gateway=named_gateway)
    result = validate(route(), context)
    assert codes(result) == [("IPR_ADDRESS_NOT_IN_GATEWAY", "spec.addresses[0]")]
    assert result["errors"][0]["message"].endswith(
        "not an address of Gateway infra/gw (it has none); claim one of those or add it to the Gateway's spec.addresses; its "
        "NamedAddress proxy-ip is unresolved: give context.namedAddresses [IPR_ADDRESS_NOT_IN_GATEWAY]")
    assert validate(route(), dict(context, namedAddresses={"proxy-ip": "34.123.10.1"}))["valid"]
    with pytest.raises(InputError, match=r'context.namedAddresses\[proxy-ip\]: Invalid value: "nope": must be an IPv4 address'):
        validate(route(), dict(context, namedAddresses={"proxy-ip": "nope"}))


@pytest.mark.parametrize("obj, context, message", [
    ([], None, "object must be a mapping"),
    ({"kind": "Service", "apiVersion": "v1"}, None, "object must be a Gateway .* or a GKEIPRoute"),
    (ROUTE, {"gatway": None}, "context has unknown keys 'gatway'"),
    (ROUTE, {"clusterVersion": "1.31"}, None),
    (ROUTE, {"clusterVersion": "latest"}, "context.clusterVersion must be a GKE version"),
    (ROUTE, {"gateway": "gw"}, "context.gateway must be a mapping"),
    (ROUTE, {"networks": []}, "context.networks must be a mapping"),
    (route(network="n"), {"networks": []}, "context.networks must be a mapping"),
    (route(network="n"), {"networks": {"n": {"type": "L3", "ready": "yes"}}}, r"context.networks\[n\].ready must be a boolean"),
    (ROUTE, {"existingRoutes": {}}, "context.existingRoutes must be a list"),
    (ROUTE, {"oldObject": 1}, "context.oldObject must be a mapping"),
])
def test_validate_bad_input(obj, context, message):
    if message is None:
        validate(obj, context)
    else:
        with pytest.raises(InputError, match=message):
            validate(obj, context)


# --- health of a live route (docs/persistent-ip.md#route-status, docs/persistent-ip.md#troubleshooting) -------------


@pytest.mark.parametrize("vec", cases("status_check"))
def test_status_vector(vec):
    got = persistent_ip_status(vec["input"]["object"])
    assert (got["healthy"], got["boundPod"]) == (vec["expected"]["healthy"], vec["expected"]["boundPod"])
    assert len(got["problems"]) == len(vec["expected"]["problems"])
    for found, want in zip(got["problems"], vec["expected"]["problems"]):
        assert {k: found.get(k) for k in want} == want
        assert found["cause"] and found["check"]


def live(conditions, pods=("proxy-a",), generation=2):
    return {"metadata": {"name": "proxy-ip", "namespace": "app", "generation": generation},
            "spec": {"podSelector": {"matchLabels": {"app": "proxy"}}},
            "status": {"pods": list(pods), "conditions": [
                {"type": t, "status": s, "reason": r, "observedGeneration": g, "message": "m-" + t} for t, s, r, g in conditions]}}


ALL_TRUE = [("Accepted", "True", "Accepted", 2), ("GCPReady", "True", "X", 2), ("DPV2Ready", "True", "DPV2Ready", 2),
            ("Ready", "True", "ProgrammingComplete", 2)]


def test_status_stale_and_pod_count():
    route_ = live(ALL_TRUE[:1] + [("GCPReady", "True", "X", 1)] + ALL_TRUE[2:], pods=("a", "b"))
    got = persistent_ip_status(route_)
    assert got["boundPod"] is None
    assert [(p.get("condition") or p["field"], p["problem"]) for p in got["problems"]] == [
        ("GCPReady", "stale"), ("status.pods", "expectedExactlyOnePod")]
    assert got["problems"][0]["observedGeneration"] == 1 and got["problems"][1]["count"] == 2
    assert got["problems"][1]["cause"] == TROUBLESHOOTING["TooManyPods"][0]


def test_status_causes():
    assert persistent_ip_status(live(ALL_TRUE))["healthy"]
    no_status = persistent_ip_status({"metadata": {"generation": 1}})
    assert [p["cause"] for p in no_status["problems"]][:4] == [TROUBLESHOOTING["NoStatus"][0]] * 4
    dpv2_missing = persistent_ip_status(live([c for c in ALL_TRUE if c[0] != "DPV2Ready"]))
    assert dpv2_missing["problems"][0]["check"] == TROUBLESHOOTING["DPV2ReadyMissing"][1]
    odd = persistent_ip_status(live([("Accepted", "False", "SomethingNew", 2)]))
    assert odd["problems"][0]["cause"] == "reason SomethingNew is not in the troubleshooting table"
    gcp_failed = persistent_ip_status(live([ALL_TRUE[0], ("GCPReady", "False", "GCPFailed", 2)]))
    assert gcp_failed["problems"][0]["message"] == "m-GCPReady"
    assert gcp_failed["problems"][0]["check"] == "read the condition message and the Cloud audit logs"


@pytest.mark.parametrize("obj, message", [
    ([], "route must be a mapping"),
    ({"metadata": {"generation": "1"}}, "route.metadata.generation must be an integer"),
    ({"status": {"conditions": {}}}, "route.status.conditions must be a list"),
    ({"status": {"conditions": ["Ready"]}}, r"route.status.conditions\[0\] must be a mapping"),
    ({"status": {"pods": [{"name": "a"}]}}, r"route.status.pods\[0\] must be a string"),
])
def test_status_bad_input(obj, message):
    with pytest.raises(InputError, match=message):
        persistent_ip_status(obj)


def test_explain_not_ready_names_the_reason_and_the_pods():
    route_ = live([("Accepted", "True", "Accepted", 2)] + [(t, "False", "NoPodsFound", 2) for t in ("GCPReady", "DPV2Ready", "Ready")],
                  pods=())
    pods = [pod("proxy-a", ready="False"), pod("proxy-b", node=None, ready=None), pod("other", labels={"app": "web"}, ready="False")]
    got = explain_not_ready(route_, pods)
    assert got["route"] == "app/proxy-ip" and not got["healthy"]
    assert got["condition"] == {"type": "Ready", "status": "False", "reason": "NoPodsFound", "message": "m-Ready"}
    assert got["podsNotQualifying"] == [{"name": "proxy-a", "why": "not Ready (Ready=False)"},
                                        {"name": "proxy-b", "why": "not Ready (no Ready condition)"}]
    assert got["expectedPod"] is None
    assert got["summary"] == (
        "GKEIPRoute app/proxy-ip is not Ready. Ready=False reason NoPodsFound: m-Ready. Pods matching spec.podSelector that "
        "do not qualify under reactionMode ReadyCondition: proxy-a (not Ready (Ready=False)), proxy-b (not Ready (no Ready "
        "condition)). check: " + TROUBLESHOOTING["NoPodsFound"][1])
    assert got["check"] == [TROUBLESHOOTING["NoPodsFound"][1]]


def test_explain_not_ready_when_a_pod_qualifies_but_is_not_bound():
    route_ = live([("Accepted", "True", "Accepted", 2)], pods=())
    got = explain_not_ready(route_, [pod("proxy-a")])
    assert got["expectedPod"] == "proxy-a"
    assert "Pod proxy-a qualifies and should be bound" in got["summary"]
    assert got["condition"]["type"] == "GCPReady" and got["condition"]["status"] is None

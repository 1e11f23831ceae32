"""The persistent-IP test controller (tests/support/pip_controller.py) against the test control plane.

The controller stands in for GKE in the integration tests of the ``persistent_ip`` module, so it is
tested itself here: the CRDs are served, every row of the binding decision table (docs/persistent-ip.md#binding-table) and the
Accepted reasons behave as the spec says, and the controller agrees with the ``binding`` and
``admission`` vectors when their objects are fed to the API server. The controller is written
apart from the collection's code, so the vectors give an independent check of both.
"""
import ast
import json
import os

import pytest

from tests.support.pip_controller import FINALIZER
from tests.support.pytest_pip import DEFAULT_ADDRESS, PipCluster

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "tests", "unit", "vectors", "persistent-ip.json"), encoding="utf-8") as _handle:
    VECTORS = json.load(_handle)["vectors"]
BINDING = [v for v in VECTORS if v["feature"] == "binding"]
ADMISSION = [v for v in VECTORS if v["feature"] == "admission"]
PROXY = {"app": "proxy"}


@pytest.fixture
def pip(pip_cluster):
    """A Gateway ``infra/pip-gw`` that admits routes from every namespace, and a namespace ``app``."""
    pip_cluster.namespace("app")
    pip_cluster.gateway(namespace="infra", allowed_from="All")
    return pip_cluster


def route(pip, name="proxy-ip", mode=None, selector=None, **kwargs):
    return pip.route(name, "app", selector or PROXY, gateway_namespace="infra", reaction_mode=mode, **kwargs)


def settled(pip, name="proxy-ip", namespace="app"):
    """``(status.pods, {type: (status, reason)})`` once the controller has nothing left to write."""
    pip.settle()
    obj = pip.get_route(namespace, name)
    return (obj.get("status") or {}).get("pods") or [], PipCluster.conditions(obj)


ALL_TRUE = {"Accepted": ("True", "Accepted"), "GCPReady": ("True", "GCPReady"),
            "DPV2Ready": ("True", "DPV2Ready"), "Ready": ("True", "ProgrammingComplete")}
NO_PODS = {"Accepted": ("True", "Accepted"), "GCPReady": ("False", "NoPodsFound"),
           "DPV2Ready": ("False", "NoPodsFound"), "Ready": ("False", "NoPodsFound")}


def not_accepted(reason):
    return {"Accepted": ("False", reason), "Ready": ("False", reason)}


# -- the CRDs --------------------------------------------------------------------------------------

def test_crds_are_served_to_kubectl(pip_cluster, kubectl):
    out = kubectl("api-resources", "-o", "wide", "--api-group=gateway.networking.k8s.io")
    assert out.returncode == 0, out.stderr
    assert "gatewayclasses" in out.stdout and "gateways" in out.stdout
    out = kubectl("api-resources", "--api-group=networking.gke.io", "-o", "name")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["gkeiproutes.networking.gke.io"]
    out = kubectl("get", "gatewayclass", "-o", "jsonpath={.items[*].spec.controllerName}")
    assert set(out.stdout.split()) == {"networking.gke.io/persistent-ip-controller"}


def test_crds_are_served_to_dynamic_discovery(pip_cluster):
    from kubernetes.dynamic import DynamicClient  # pylint: disable=import-outside-toplevel
    dynamic = DynamicClient(pip_cluster.api_client)
    found = {}
    for api_version, kind in (("gateway.networking.k8s.io/v1", "GatewayClass"), ("gateway.networking.k8s.io/v1", "Gateway"),
                              ("gateway.networking.k8s.io/v1beta1", "Gateway"), ("networking.gke.io/v1", "GKEIPRoute")):
        res = dynamic.resources.get(api_version=api_version, kind=kind)
        found[kind] = (res.name, res.namespaced)
        assert res.subresources.get("status") is not None, kind
    assert found == {"GatewayClass": ("gatewayclasses", False), "Gateway": ("gateways", True), "GKEIPRoute": ("gkeiproutes", True)}


# -- binding: the decision table (docs/persistent-ip.md#binding-table) ---------------------------------------------------------------

def test_ready_matching_pod_is_bound(pip):
    pip.pod("proxy-a", labels=PROXY, ready=True)
    pip.pod("web-a", labels={"app": "web"}, ready=True)                   # row 9: labels don't match
    pip.pod("proxy-x", "other", labels=PROXY, ready=True)                 # row 10: other namespace
    route(pip)
    assert settled(pip) == (["proxy-a"], ALL_TRUE)
    conditions = pip.get_route("app", "proxy-ip")["status"]["conditions"]
    assert [c["type"] for c in conditions] == ["Accepted", "GCPReady", "DPV2Ready", "Ready"]
    assert {c["observedGeneration"] for c in conditions} == {pip.get_route("app", "proxy-ip")["metadata"].get("generation", 1)}


def test_readycondition_without_ready_pod_is_nopodsfound(pip):
    pip.pod("proxy-a", labels=PROXY, ready=False)                          # row 3
    pip.pod("proxy-b", labels=PROXY, node=None, ready=False)               # row 1
    route(pip)
    assert settled(pip) == ([], NO_PODS)
    ready = next(c for c in pip.get_route("app", "proxy-ip")["status"]["conditions"] if c["type"] == "Ready")
    assert "proxy-a (Ready is False)" in ready["message"] and "proxy-b (not scheduled" in ready["message"]


def test_no_matching_pod_at_all_is_nopodsfound(pip):
    route(pip)
    pods, conditions = settled(pip)
    assert (pods, conditions) == ([], NO_PODS)
    assert "pods" not in pip.get_route("app", "proxy-ip")["status"]


@pytest.mark.parametrize("ready", [False, "Unknown", None])
def test_exists_binds_scheduled_pod_that_is_not_ready(pip, ready):
    pip.pod("proxy-a", labels=PROXY, ready=ready)                          # rows 2, 3, 5
    route(pip, mode="Exists")
    assert settled(pip) == (["proxy-a"], ALL_TRUE)


def test_exists_skips_unscheduled_pod(pip):
    pip.pod("proxy-a", labels=PROXY, node=None, ready=False)               # row 1
    route(pip, mode="Exists")
    assert settled(pip) == ([], NO_PODS)


def test_exists_keeps_pod_of_lost_node_but_not_finished_pods(pip):
    pip.pod("proxy-lost", labels=PROXY, phase="Unknown", ready=False, created="2025-01-01T10:00:00Z")   # row 6
    pip.pod("proxy-done", labels=PROXY, phase="Succeeded", ready=False, created="2025-01-01T11:00:00Z")  # row 8
    pip.pod("proxy-failed", labels=PROXY, phase="Failed", ready=False, created="2025-01-01T12:00:00Z")  # row 8
    route(pip, mode="Exists")
    assert settled(pip) == (["proxy-lost"], ALL_TRUE)


def test_newest_ready_pod_wins(pip):
    pip.pod("proxy-old", labels=PROXY, created="2025-01-01T10:00:00Z")
    pip.pod("proxy-mid", labels=PROXY, created="2025-01-01T10:30:00Z")
    pip.pod("proxy-new", labels=PROXY, created="2025-01-01T11:00:00Z")
    route(pip)
    assert settled(pip)[0] == ["proxy-new"]


def test_creation_timestamp_tie_goes_to_smallest_name(pip):
    pip.pod("proxy-b", labels=PROXY, created="2025-01-01T10:00:00Z")
    pip.pod("proxy-a", labels=PROXY, created="2025-01-01T10:00:00Z")
    route(pip)
    assert settled(pip)[0] == ["proxy-a"]


@pytest.mark.parametrize("mode", ["ReadyCondition", "Exists"])
def test_terminating_pod_loses(pip, mode):
    pip.pod("proxy-old", labels=PROXY, created="2025-01-01T10:00:00Z")
    pip.pod("proxy-new", labels=PROXY, created="2025-01-01T11:00:00Z", terminating=True)     # row 7
    assert pip.get_pod("app", "proxy-new")["metadata"].get("deletionTimestamp")
    route(pip, mode=mode)
    assert settled(pip)[0] == ["proxy-old"]


def test_binding_follows_pods_and_is_not_sticky(pip):
    pip.pod("proxy-old", labels=PROXY, created="2025-01-01T10:00:00Z")
    pip.pod("proxy-new", labels=PROXY, ready=False, created="2025-01-01T11:00:00Z")
    route(pip)
    assert settled(pip)[0] == ["proxy-old"]                         # newest not Ready: older keeps it
    pip.set_pod_ready("app", "proxy-new", True)
    assert settled(pip)[0] == ["proxy-new"]                         # rollout: the new Pod takes over
    pip.set_pod_ready("app", "proxy-new", False)
    assert settled(pip)[0] == ["proxy-old"]                         # failover back
    pip.set_pod_ready("app", "proxy-old", False)
    assert settled(pip) == ([], NO_PODS)


# -- acceptance ----------------------------------------------------------------------------------

def test_missing_gateway_is_gatewaynotfound(pip):
    pip.pod("proxy-a", labels=PROXY)
    pip.route("proxy-ip", "app", PROXY, gateway="nope", gateway_namespace="infra")
    pip.route("same-ns", "app", PROXY, gateway="pip-gw")           # parentRef namespace defaults to the route's
    assert settled(pip) == ([], not_accepted("GatewayNotFound"))
    assert settled(pip, "same-ns") == ([], not_accepted("GatewayNotFound"))
    message = pip.get_route("app", "proxy-ip")["status"]["conditions"][0]["message"]
    assert "infra/nope" in message


def test_missing_parent_refs_is_missingparentrefs(pip):
    pip.route("proxy-ip", "app", PROXY, parent_refs=[])
    assert settled(pip) == ([], not_accepted("MissingParentRefs"))


def test_empty_pod_selector_is_invalidlabels(pip):
    pip.route("proxy-ip", "app", {}, gateway_namespace="infra")
    assert settled(pip) == ([], not_accepted("InvalidLabels"))


def test_gateway_of_other_class_is_unattachable(pip):
    pip.gateway("l7", namespace="infra", class_name="gke-l7-regional-external-managed", allowed_from="All")
    pip.pod("proxy-a", labels=PROXY)
    route(pip, gateway="l7")
    assert settled(pip) == ([], not_accepted("Unattachable"))
    assert "status" not in pip.get_gateway("infra", "l7") or not pip.get_gateway("infra", "l7")["status"].get("listeners")


def test_gateway_without_gatewayclass_is_not_accepted(pip_cluster):
    pip = pip_cluster
    pip.custom.delete_cluster_custom_object("gateway.networking.k8s.io", "v1", "gatewayclasses", "gke-persistent-regional-internal-managed")
    pip.gateway(namespace="app", class_name="gke-persistent-regional-internal-managed", addresses=["10.10.0.5/32"])
    pip.route("proxy-ip", "app", PROXY, addresses=["10.10.0.5/32"])
    assert settled(pip) == ([], not_accepted("GatewayNotAccepted"))


def test_same_namespace_default_admission(pip_cluster):
    pip = pip_cluster
    pip.gateway(namespace="infra")                                   # allowedRoutes default: Same
    pip.pod("proxy-a", "infra", labels=PROXY)
    pip.pod("proxy-a", "app", labels=PROXY)
    pip.route("in-infra", "infra", PROXY)
    pip.route("from-app", "app", PROXY, gateway_namespace="infra")
    assert settled(pip, "in-infra", "infra") == (["proxy-a"], ALL_TRUE)
    assert settled(pip, "from-app", "app") == ([], not_accepted("Unattachable"))


def test_selector_admission_follows_namespace_labels(pip_cluster):
    pip = pip_cluster
    pip.gateway(namespace="infra", allowed_from="Selector", selector={"matchLabels": {"persistent-ip": "allowed"}})
    pip.namespace("app")
    pip.pod("proxy-a", "app", labels=PROXY)
    pip.route("proxy-ip", "app", PROXY, gateway_namespace="infra")
    assert settled(pip) == ([], not_accepted("Unattachable"))
    assert "NotAllowedByListeners" in pip.get_route("app", "proxy-ip")["status"]["conditions"][0]["message"]
    pip.namespace("app", labels={"persistent-ip": "allowed"})
    assert settled(pip) == (["proxy-a"], ALL_TRUE)


def test_address_outside_gateway_pool_is_invalidaddresses(pip):
    pip.pod("proxy-a", labels=PROXY)
    route(pip, addresses=["34.123.10.9/32"])
    assert settled(pip) == ([], not_accepted("InvalidAddresses"))
    route(pip, "bad-cidr", addresses=["34.123.10.1"])
    assert settled(pip, "bad-cidr") == ([], not_accepted("InvalidAddresses"))


def test_address_claimed_twice_goes_to_the_older_route(pip):
    pip.pod("proxy-a", labels=PROXY)
    route(pip, "older")
    pip.next_second()
    route(pip, "newer")          # sorts before "older" by name: the creationTimestamp decides
    assert settled(pip, "older") == (["proxy-a"], ALL_TRUE)
    assert settled(pip, "newer") == ([], not_accepted("InvalidAddresses"))
    assert "app/older" in pip.get_route("app", "newer")["status"]["conditions"][0]["message"]


def test_missing_network_is_networknotfound(pip):
    pip.pod("proxy-a", labels=PROXY)
    route(pip, network="l3-net")
    assert settled(pip) == ([], not_accepted("NetworkNotFound"))


# -- Gateway and GatewayClass status ---------------------------------------------------------------

def test_gateway_and_gatewayclass_status(pip):
    pip.pod("proxy-a", labels=PROXY)
    route(pip)
    pip.settle()
    gateway = pip.get_gateway("infra", "pip-gw")
    assert PipCluster.conditions(gateway) == {"Accepted": ("True", "Accepted"), "Programmed": ("True", "Programmed")}
    assert gateway["status"]["addresses"] == [{"type": "gke.networking.io/cidr", "value": DEFAULT_ADDRESS}]
    assert [(l["name"], l["attachedRoutes"], l["supportedKinds"]) for l in gateway["status"]["listeners"]] == [
        ("default", 1, [{"group": "networking.gke.io", "kind": "GKEIPRoute"}])]
    gateway_class = pip.get_gateway_class("gke-persistent-regional-external-managed")
    assert PipCluster.conditions(gateway_class) == {"Accepted": ("True", "Accepted")}


def test_gateway_without_addresses_is_not_programmed(pip_cluster):
    pip = pip_cluster
    pip.gateway(namespace="infra", addresses=())
    pip.settle()
    assert PipCluster.conditions(pip.get_gateway("infra", "pip-gw"))["Programmed"] == ("False", "AddressNotAssigned")


# -- writes, generations, deletion, the background thread ------------------------------------------

def test_status_is_written_only_when_it_changes(pip):
    pip.pod("proxy-a", labels=PROXY)
    route(pip)
    pip.settle()
    before = pip.get_route("app", "proxy-ip")["metadata"]["resourceVersion"]
    assert pip.controller.reconcile_once() == []
    assert pip.get_route("app", "proxy-ip")["metadata"]["resourceVersion"] == before


def test_spec_change_is_observed_and_can_show_mutated(pip):
    pip.controller.stop()
    pip.controller.settle_passes = 2
    pip.pod("proxy-a", labels=PROXY)
    pip.pod("proxy-b", labels={"app": "proxy-b"})
    route(pip)
    pip.controller.reconcile_once()                                  # finalizer
    pip.controller.reconcile_once()
    assert pip.route_conditions("app", "proxy-ip")["GCPReady"] == ("False", "GCPNotReady")
    assert pip.settle() >= 1 and pip.route_conditions("app", "proxy-ip") == ALL_TRUE
    obj = pip.get_route("app", "proxy-ip")
    obj["spec"]["podSelector"] = {"matchLabels": {"app": "proxy-b"}}
    pip.custom.replace_namespaced_custom_object("networking.gke.io", "v1", "app", "gkeiproutes", "proxy-ip", obj)
    generation = pip.get_route("app", "proxy-ip")["metadata"].get("generation")
    pip.controller.reconcile_once()
    obj = pip.get_route("app", "proxy-ip")
    assert PipCluster.conditions(obj)["Ready"] == ("False", "Mutated")
    assert obj["status"]["pods"] == ["proxy-a"]                      # the previous holder keeps the IP meanwhile
    pods, conditions = settled(pip)
    assert (pods, conditions) == (["proxy-b"], ALL_TRUE)
    if generation is not None:
        assert {c["observedGeneration"] for c in pip.get_route("app", "proxy-ip")["status"]["conditions"]} == {generation}


def test_injected_gcp_failure_keeps_route_unready(pip):
    pip.pod("proxy-a", labels=PROXY)
    route(pip)
    pip.controller.inject("app", "proxy-ip", "GCPReady", "False", "GCPFailed", "quota exceeded")
    pods, conditions = settled(pip)
    assert pods == ["proxy-a"]
    assert conditions["GCPReady"] == ("False", "GCPFailed") and conditions["Ready"] == ("False", "GCPFailed")


def test_finalizer_is_added_and_released_on_delete(pip):
    route(pip)
    pip.settle()
    assert FINALIZER in pip.get_route("app", "proxy-ip")["metadata"]["finalizers"]
    pip.custom.delete_namespaced_custom_object("networking.gke.io", "v1", "app", "gkeiproutes", "proxy-ip")
    pip.settle()
    with pytest.raises(pip.api_exception) as caught:
        pip.get_route("app", "proxy-ip")
    assert caught.value.status == 404


def test_background_thread_makes_kubectl_wait_succeed(pip, kubectl):
    """A waiter in another process (as a module under ansible-playbook) sees the status appear."""
    assert pip.controller.running
    route(pip)
    out = kubectl("wait", "--for=condition=Ready=False", "gkeiproute/proxy-ip", "-n", "app", "--timeout=15s")
    assert out.returncode == 0, out.stderr
    pip.pod("proxy-a", labels=PROXY)
    out = kubectl("wait", "--for=condition=Ready", "gkeiproute/proxy-ip", "-n", "app", "--timeout=15s")
    assert out.returncode == 0, out.stderr
    out = kubectl("get", "gkeiproute", "proxy-ip", "-n", "app", "-o", "jsonpath={.status.pods[0]}")
    assert out.stdout == "proxy-a"


# -- the vectors, fed through the API server ---------------------------------------------------------

def _expected_conditions(expected):
    return {t: (e["status"], e["reason"]) for t, e in expected["conditions"].items()}


@pytest.mark.parametrize("vector", BINDING, ids=[v["name"] for v in BINDING])
def test_binding_vector(pip_cluster, vector):
    """Each vector's pods as real Pods, its route as a GKEIPRoute: the controller must agree."""
    pip = pip_cluster
    spec = vector["input"]["route"]
    namespace = spec["namespace"]
    pip.gateway(namespace=namespace)
    for pod in sorted(vector["input"]["pods"], key=lambda p: p["metadata"].get("creationTimestamp") or ""):
        pip.pod_from_manifest(pod)
    pip.route("r", namespace, spec["podSelector"], reaction_mode=spec.get("reactionMode"))
    pods, conditions = settled(pip, "r", namespace)
    expected = vector["expected"]
    assert pods == expected["statusPods"]
    for ctype, (status, reason) in _expected_conditions(expected).items():
        assert conditions[ctype][0] == status, ctype
        if reason is not None:
            assert conditions[ctype][1] == reason, ctype
    if expected["eligiblePods"][1:]:
        ready = next(c for c in pip.get_route(namespace, "r")["status"]["conditions"] if c["type"] == "Ready")
        assert ready["message"].endswith("standby: " + ", ".join(expected["eligiblePods"][1:]))


@pytest.mark.parametrize("vector", ADMISSION, ids=[v["name"] for v in ADMISSION])
def test_admission_vector(pip_cluster, vector):
    """Each vector's Gateway, namespaces and route as live objects: same Accepted reason."""
    pip = pip_cluster
    data = vector["input"]
    for name, labels in data["namespaces"].items():
        pip.namespace(name, labels)
    gateway = data["gateway"]
    pip.gateway(gateway["name"], gateway["namespace"], class_name=gateway["gatewayClassName"], listeners=gateway["listeners"])
    namespace = data["route"]["namespace"]
    pip.pod("proxy-a", namespace, labels=PROXY)
    pip.route("r", namespace, PROXY, parent_ref=dict(data["route"]["parentRef"]))
    pods, conditions = settled(pip, "r", namespace)
    expected = vector["expected"]
    assert conditions["Accepted"] == ("True" if expected["admitted"] else "False", expected["gkeIPRouteAcceptedReason"])
    assert pods == (["proxy-a"] if expected["admitted"] else [])
    if expected["admitted"]:
        listeners = pip.get_gateway(gateway["namespace"], gateway["name"])["status"]["listeners"]
        assert [l["name"] for l in listeners if l["attachedRoutes"]] == expected["acceptedListeners"]


def test_kubectl_is_an_independent_reader(pip, kubectl):
    """kubectl (Go client) reads back what the controller wrote through the status subresource."""
    pip.pod("proxy-a", labels=PROXY)
    route(pip)
    pip.settle()
    out = kubectl("get", "gkeiproute", "proxy-ip", "-n", "app", "-o", "json")
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)["status"]
    assert status["pods"] == ["proxy-a"]
    out = kubectl("get", "gateway", "pip-gw", "-n", "infra", "-o", "jsonpath={.status.conditions[?(@.type=='Programmed')].status}")
    assert out.stdout == "True"


def test_pip_controller_has_no_collection_imports():
    """Independence: the controller shares no code with the collection under test."""
    with open(os.path.join(ROOT, "tests", "support", "pip_controller.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in imported if "plugins" in m or "ansible" in m], imported

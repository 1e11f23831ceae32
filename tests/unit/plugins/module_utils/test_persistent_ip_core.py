"""The persistent_ip module's pure parts: objects from options, validation of everything together, preflight,
reading the cluster, waiting and explaining (with a stand-in cluster)."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.backends import persistent_ip as pip
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, DiscoveryError

GATEWAY = {"name": "pip-gw", "namespace": "infra", "class": "external", "addresses": ["34.123.10.1", "34.123.10.2/32"],
           "allowed_namespaces": "All"}
ROUTE = {"name": "proxy-ip", "namespace": "app", "pod_selector": {"app": "proxy"}, "addresses": ["34.123.10.1"]}


def built(gateway=None, routes=None):
    return pip.build(dict(GATEWAY, **(gateway or {})), [ROUTE] if routes is None else routes)


def snapshot(gateway=None, namespaces=None, routes=(), networks=None):
    return {"gateway": gateway, "namespaces": {"infra": {}, "app": {}} if namespaces is None else namespaces,
            "routes": list(routes), "networks": networks or {}}


def codes(findings):
    return [(f["object"], f["code"]) for f in findings]


# -- objects -------------------------------------------------------------------------------------


def test_gateway_of_the_options_is_the_spec_example_shape():
    gateway, (route,) = built()
    assert gateway == {
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "pip-gw", "namespace": "infra"},
        "spec": {"gatewayClassName": "gke-persistent-regional-external-managed",
                 "listeners": [{"name": "default", "port": 443, "protocol": "All",
                                "allowedRoutes": {"namespaces": {"from": "All"}, "kinds": [{"kind": "GKEIPRoute"}]}}],
                 "addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"},
                               {"type": "gke.networking.io/cidr", "value": "34.123.10.2/32"}]}}
    assert route == {
        "apiVersion": "networking.gke.io/v1", "kind": "GKEIPRoute", "metadata": {"name": "proxy-ip", "namespace": "app"},
        "spec": {"parentRefs": [{"name": "pip-gw", "namespace": "infra"}],
                 "addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}],
                 "podSelector": {"matchLabels": {"app": "proxy"}}, "reactionMode": "ReadyCondition"}}


def test_internal_class_selector_listeners_network_section():
    addresses = ["10.10.0.5", "reserved-db-ip", {"type": "IPAddress", "value": "10.10.0.6"}]
    options = {"name": "gw", "namespace": "db", "class": "internal", "addresses": addresses,
               "namespace_selector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]},
               "listeners": [{"name": "a", "port": 443, "protocol": "All"}, {"name": "b", "port": 8443, "protocol": "TCP"}]}
    route = dict(ROUTE, network="l3-net", section_name="b", reaction_mode="Exists",
                 pod_selector={"matchLabels": {"app": "db"}}, addresses=[{"type": "gke.networking.io/cidr", "value": "10.10.0.5/32"}])
    gateway, (built_route,) = pip.build(options, [route])
    spec = gateway["spec"]
    assert spec["gatewayClassName"] == "gke-persistent-regional-internal-managed"
    assert spec["addresses"] == [{"type": "gke.networking.io/cidr", "value": "10.10.0.5/32"},
                                 {"type": "NamedAddress", "value": "reserved-db-ip"}, {"type": "IPAddress", "value": "10.10.0.6"}]
    assert [l["name"] for l in spec["listeners"]] == ["a", "b"]
    assert all(l["allowedRoutes"]["namespaces"] == {"from": "Selector", "selector": options["namespace_selector"]}
               for l in spec["listeners"])
    assert built_route["spec"]["parentRefs"] == [{"name": "gw", "namespace": "db", "sectionName": "b"}]
    assert built_route["spec"]["network"] == "l3-net" and built_route["spec"]["reactionMode"] == "Exists"
    assert built_route["spec"]["podSelector"] == {"matchLabels": {"app": "db"}}


def test_default_is_same_namespace_and_ipv6_keeps_its_prefix_for_the_core_to_refuse():
    gateway = built({"allowed_namespaces": None, "addresses": ["2001:db8::1"]})[0]
    assert gateway["spec"]["listeners"][0]["allowedRoutes"]["namespaces"] == {"from": "Same"}
    assert gateway["spec"]["addresses"] == [{"type": "gke.networking.io/cidr", "value": "2001:db8::1/128"}]


def test_managed_gateway_needs_class_and_addresses_and_unmanaged_is_a_reference():
    with pytest.raises(InputError, match="gateway.class and gateway.addresses are required"):
        pip.build({"name": "gw", "namespace": "infra", "manage": True}, [])
    gateway, (route,) = pip.build({"name": "gw", "namespace": "infra", "manage": False}, [ROUTE])
    assert "spec" not in gateway and route["spec"]["parentRefs"] == [{"name": "gw", "namespace": "infra"}]


def test_bad_address_shapes_are_input_errors():
    with pytest.raises(InputError, match=r"gateway.addresses\[0\]: unknown keys ip"):
        built({"addresses": [{"ip": "1.2.3.4"}]})
    with pytest.raises(InputError, match=r"routes\[0\].addresses\[0\] must be a string"):
        built(routes=[dict(ROUTE, addresses=[5])])


# -- validation together -------------------------------------------------------------------------


def test_valid_plan_has_no_findings():
    gateway, routes = built()
    assert pip.check(gateway, routes, snapshot()) == ([], [])


def test_address_outside_the_pool_and_claimed_twice_in_one_task():
    gateway, routes = built(routes=[ROUTE, dict(ROUTE, name="second", addresses=["34.123.10.1", "34.99.0.1"])])
    errors = pip.check(gateway, routes, snapshot())[0]
    assert sorted(codes(errors)) == [
        ("GKEIPRoute app/proxy-ip", "IPR_ADDRESS_CLAIMED_BY_OTHER_ROUTE"),
        ("GKEIPRoute app/second", "IPR_ADDRESS_CLAIMED_BY_OTHER_ROUTE"),
        ("GKEIPRoute app/second", "IPR_ADDRESS_NOT_IN_GATEWAY")]
    assert all(e["message"].startswith(e["object"] + ": ") for e in errors)


def test_claimed_by_a_live_route_not_given_here_but_not_by_the_route_being_replaced():
    gateway, routes = built()
    live_self = dict(routes[0])
    live_other = dict(routes[0], metadata={"name": "older", "namespace": "web"})
    assert pip.check(gateway, routes, snapshot(routes=[live_self]))[0] == []
    errors = pip.check(gateway, routes, snapshot(routes=[live_self, live_other]))[0]
    assert codes(errors) == [("GKEIPRoute app/proxy-ip", "IPR_ADDRESS_CLAIMED_BY_OTHER_ROUTE")]
    assert "web/older" in errors[0]["message"]


def test_namespaces_must_exist_and_be_admitted():
    gateway, routes = built({"allowed_namespaces": "Selector", "namespace_selector": {"persistent-ip": "allowed"}})
    errors = pip.check(gateway, routes, snapshot(namespaces={"infra": {}, "app": {"team": "x"}}))[0]
    assert codes(errors) == [("GKEIPRoute app/proxy-ip", "IPR_NOT_ADMITTED")]
    assert pip.check(gateway, routes, snapshot(namespaces={"infra": {}, "app": {"persistent-ip": "allowed"}}))[0] == []
    errors = pip.check(gateway, routes, snapshot(namespaces={"infra": None, "app": None}))[0]
    assert ("Gateway infra/pip-gw", "PIP_NAMESPACE_NOT_FOUND") in codes(errors)
    assert ("GKEIPRoute app/proxy-ip", "PIP_NAMESPACE_NOT_FOUND") in codes(errors)


def test_unmanaged_gateway_must_exist_and_is_used_as_it_is():
    gateway, routes = pip.build({"name": "pip-gw", "namespace": "infra", "manage": False}, [ROUTE])
    errors = pip.check(gateway, routes, snapshot(), managed=False)[0]
    assert codes(errors) == [("Gateway infra/pip-gw", "PIP_GATEWAY_NOT_FOUND")]
    live = built({"addresses": ["34.123.10.9"]})[0]
    errors = pip.check(gateway, routes, snapshot(gateway=live), managed=False)[0]
    assert codes(errors) == [("GKEIPRoute app/proxy-ip", "IPR_ADDRESS_NOT_IN_GATEWAY")]


def test_class_change_refused_while_routes_use_the_gateway():
    gateway, routes = built({"class": "internal", "addresses": ["10.0.0.5"]})
    live_gateway, live_routes = built()
    errors = pip.check(gateway, [], snapshot(gateway=live_gateway, routes=live_routes))[0]
    assert ("Gateway infra/pip-gw", "GW_CLASS_CHANGED") in codes(errors)
    assert routes  # the new routes are not what keeps the class


def test_gateway_update_that_drops_an_address_warns_about_routes_not_given_here():
    gateway = built({"addresses": ["34.123.10.2"]})[0]
    (live_route,) = built()[1]
    errors, warnings = pip.check(gateway, [], snapshot(routes=[live_route]))
    assert errors == []
    assert codes(warnings) == [("GKEIPRoute app/proxy-ip", "IPR_ADDRESS_NOT_IN_GATEWAY")]
    assert "would no longer list" in warnings[0]["message"]


def test_duplicate_routes_and_network_and_version_rules():
    route = dict(ROUTE, network="l3-net")
    gateway, routes = built(routes=[route, route])
    errors = pip.check(gateway, routes, snapshot(networks={}), cluster_version="1.28.3-gke.100")[0]
    found = codes(errors)
    assert ("GKEIPRoute app/proxy-ip", "PIP_ROUTE_DUPLICATE") in found
    assert ("GKEIPRoute app/proxy-ip", "IPR_NETWORK_NOT_FOUND") in found
    assert ("GKEIPRoute app/proxy-ip", "IPR_CLUSTER_VERSION_UNSUPPORTED") in found
    gateway, routes = built(routes=[route])
    errors = pip.check(gateway, routes, snapshot(networks={"l3-net": {"type": "L2", "ready": True}}))[0]
    assert codes(errors) == [("GKEIPRoute app/proxy-ip", "IPR_NETWORK_TYPE_UNSUPPORTED")]


def test_core_warnings_are_kept():
    gateway, routes = built(routes=[dict(ROUTE, addresses=[{"type": "IPAddress", "value": "34.123.10.1/32"}])])
    errors, warnings = pip.check(gateway, routes, snapshot())
    assert errors == [] and codes(warnings) == [("GKEIPRoute app/proxy-ip", "IPR_ADDRESS_TYPE_NOT_CIDR")]


def test_rendering_reads_nothing_and_demotes_selector_admission_without_labels():
    gateway, routes = built({"allowed_namespaces": "Selector", "namespace_selector": {"persistent-ip": "allowed"}})
    errors, warnings = pip.check(gateway, routes)
    assert errors == [] and codes(warnings) == [("GKEIPRoute app/proxy-ip", "IPR_NOT_ADMITTED")]
    errors, warnings = pip.check(gateway, routes, namespace_labels={"app": {"team": "x"}})
    assert codes(errors) == [("GKEIPRoute app/proxy-ip", "IPR_NOT_ADMITTED")]
    assert pip.check(gateway, routes, namespace_labels={"app": {"persistent-ip": "allowed"}}) == ([], [])
    same, routes = built({"allowed_namespaces": "Same"})
    assert codes(pip.check(same, routes)[0]) == [("GKEIPRoute app/proxy-ip", "IPR_NOT_ADMITTED")]
    stub, routes = pip.build({"name": "pip-gw", "namespace": "infra", "manage": False}, [ROUTE])
    errors, warnings = pip.check(stub, routes, managed=False)
    assert errors == [] and codes(warnings) == [("Gateway infra/pip-gw", "PIP_GATEWAY_NOT_CHECKED")]


def test_refusal_lists_every_problem():
    gateway, routes = built(routes=[dict(ROUTE, addresses=["34.99.0.1"], pod_selector={})])
    refused = pip.refusal(pip.check(gateway, routes, snapshot())[0])
    assert str(refused).startswith("2 problems found, nothing was applied: GKEIPRoute app/proxy-ip: ")
    assert [e["code"] for e in refused.details["errors"]] == ["IPR_PODSELECTOR_EMPTY", "IPR_ADDRESS_NOT_IN_GATEWAY"]
    assert refused.details["changed"] is False


# -- the cluster, with a stand-in -----------------------------------------------------------------


class FakeCluster:
    """Serves ``objects`` keyed by (kind, namespace, name); ``served`` kinds; ``forbidden`` list namespaces."""

    host = "https://test"

    def __init__(self, objects=(), served=("Gateway", "GKEIPRoute", "GatewayClass", "Namespace", "Pod"), forbid_all=False):
        self.objects = {}
        for obj in objects:
            self.add(obj)
        self.served = served
        self.forbid_all = forbid_all
        self.gets = 0

    def add(self, obj):
        metadata = obj["metadata"]
        self.objects[(obj["kind"], metadata.get("namespace"), metadata["name"])] = obj

    def resource(self, api_version, kind):
        if kind not in self.served:
            raise DiscoveryError("no %s" % kind, "discover", kind)

    def get(self, ref):
        self.resource(ref.api_version, ref.kind)
        self.gets += 1
        return self.objects.get((ref.kind, ref.namespace, ref.name))

    def list(self, api_version, kind, namespace=None):
        if namespace is None and self.forbid_all:
            raise ApiError("list", kind, 403, "Forbidden")
        return [o for (k, ns, _name), o in sorted(self.objects.items()) if k == kind and (namespace is None or ns == namespace)]


def namespace(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def test_preflight_names_what_gke_provides():
    with pytest.raises(pip.Refused) as refused:
        pip.preflight(FakeCluster(served=("Namespace",)), "gke-persistent-regional-external-managed")
    message = str(refused.value)
    assert "does not serve Gateway (gateway.networking.k8s.io/v1)" in message and "--gateway-api=standard" in message
    assert "does not serve GKEIPRoute (networking.gke.io/v1)" in message and "GKE 1.31" in message
    assert "Dataplane V2" in message and "installs nothing" in message
    assert len(refused.value.details["missing"]) == 2
    with pytest.raises(pip.Refused, match="GatewayClass gke-persistent-regional-external-managed does not exist"):
        pip.preflight(FakeCluster(), "gke-persistent-regional-external-managed")
    gateway_class = {"kind": "GatewayClass", "metadata": {"name": "gke-persistent-regional-external-managed"}}
    pip.preflight(FakeCluster([gateway_class]), "gke-persistent-regional-external-managed")
    pip.preflight(FakeCluster(), None)  # an unmanaged Gateway: its class is not ours to check


def test_read_cluster_and_forbidden_cluster_wide_list():
    gateway, routes = built()
    other = dict(routes[0], metadata={"name": "older", "namespace": "app"})
    cluster = FakeCluster([namespace("infra"), namespace("app", team="x"), other])
    snap = pip.read_cluster(cluster, gateway, routes)
    assert snap["gateway"] is None and snap["namespaces"] == {"app": {"team": "x"}, "infra": {}}
    assert snap["routes"] == [other] and snap["networks"] == {}
    warned = []
    cluster = FakeCluster([namespace("app"), other], forbid_all=True)
    snap = pip.read_cluster(cluster, gateway, routes, warn=warned.append)
    assert snap["namespaces"] == {"app": {}, "infra": None} and snap["routes"] == [other]
    assert "forbidden" in warned[0]


def test_read_cluster_networks():
    gateway, routes = built(routes=[dict(ROUTE, network="l3-net"), dict(ROUTE, name="b", network="gone", addresses=["34.123.10.2"])])
    network = {"kind": "Network", "metadata": {"name": "l3-net"}, "spec": {"type": "L3"},
               "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    snap = pip.read_cluster(FakeCluster([network], served=("Gateway", "GKEIPRoute", "Namespace", "Network")), gateway, routes)
    assert snap["networks"] == {"l3-net": {"type": "L3", "ready": True}}
    snap = pip.read_cluster(FakeCluster([network]), gateway, routes)  # Network not served: no multi-networking
    assert snap["networks"] == {}


def status(pods, ready="True", reason="ProgrammingComplete", generation=1):
    conditions = [{"type": t, "status": "True", "reason": t, "observedGeneration": generation}
                  for t in ("Accepted", "GCPReady", "DPV2Ready")]
    conditions.append({"type": "Ready", "status": ready, "reason": reason, "message": "m", "observedGeneration": generation})
    return {"pods": pods, "conditions": conditions}


def live_route(route, **status_args):
    return dict(route, metadata=dict(route["metadata"], generation=1), status=status(**status_args))


def pod(name, ready):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "app", "labels": {"app": "proxy"},
                                                            "creationTimestamp": "2025-01-01T10:00:00Z"},
            "spec": {"nodeName": "n"}, "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": ready}]}}


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_ready_returns_the_routes_once_ready():
    routes = built()[1]
    cluster = FakeCluster([live_route(routes[0], pods=["proxy-a"])])
    clock = Clock()
    (ready,) = pip.wait_ready(cluster, routes, 10, 1, clock=clock, sleep=clock.sleep)
    assert ready["status"]["pods"] == ["proxy-a"] and clock.now == 0


def test_wait_timeout_explains_each_route_that_is_not_ready():
    routes = built(routes=[ROUTE, dict(ROUTE, name="gone", addresses=["34.123.10.2"])])[1]
    cluster = FakeCluster([live_route(routes[0], pods=[], ready="False", reason="NoPodsFound"),
                           pod("proxy-a", "False"), pod("proxy-b", "True")])
    clock = Clock()
    with pytest.raises(pip.NotReady) as timeout:
        pip.wait_ready(cluster, routes, 3, 1, clock=clock, sleep=clock.sleep)
    message = str(timeout.value)
    assert message.startswith("timed out after 3s waiting for GKEIPRoutes app/proxy-ip, app/gone to be Ready: 2 of 2 not Ready.")
    assert "GKEIPRoute app/proxy-ip is not Ready. Ready=False reason NoPodsFound" in message
    assert "proxy-a (not Ready (Ready=False))" in message and "Pod proxy-b qualifies and should be bound" in message
    assert "GKEIPRoute app/gone does not exist" in message
    first, second = timeout.value.routes
    assert first["condition"]["reason"] == "NoPodsFound" and first["podsNotQualifying"] == [
        {"name": "proxy-a", "why": "not Ready (Ready=False)"}]
    assert second["route"] == "app/gone" and clock.now == 3


def test_route_report_and_reports():
    gateway, routes = built()
    live = live_route(routes[0], pods=["proxy-b"])
    report = pip.route_report(live, [pod("proxy-a", "False"), pod("proxy-b", "True")], gateway, {"app": {}})
    assert report["healthy"] and report["boundPod"] == "proxy-b" and report["problems"] == []
    assert report["conditions"]["Ready"] == {"status": "True", "reason": "ProgrammingComplete", "message": "m",
                                             "observedGeneration": 1}
    assert report["simulated"]["boundPod"] == "proxy-b" and report["simulated"]["eligiblePods"] == ["proxy-b"]
    assert "simulated" not in pip.route_report(live)
    cluster = FakeCluster([pod("proxy-b", "True")])
    found = pip.reports(cluster, dict(gateway, metadata=dict(gateway["metadata"], managedFields=[{}])), [live],
                        snapshot(namespaces={"app": {}, "infra": None}))
    assert "managedFields" not in found["gateway"]["metadata"] and found["routes"][0]["simulated"]["boundPod"] == "proxy-b"

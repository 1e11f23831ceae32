"""persistent_ip through real ansible-playbook runs against the test control plane with the Gateway API and
GKEIPRoute CRDs and the test persistent-IP controller (``pip_cluster``), or a real cluster with KUBECONFIG.

Objects are checked with the official kubernetes client (``pip_cluster``'s helpers), independently of
the module's own core.
"""
import json

import pytest
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from tests.support.ansible_run import run_playbook

GATEWAY = {"name": "pip-gw", "namespace": "infra", "class": "external", "addresses": ["34.123.10.1", "34.123.10.2/32"],
           "allowed_namespaces": "All"}
ROUTE = {"name": "proxy-ip", "namespace": "app", "pod_selector": {"app": "proxy"}, "addresses": ["34.123.10.1"]}
ROUTES = "/apis/networking.gke.io/v1/namespaces/app/gkeiproutes/proxy-ip"
GATEWAYS = "/apis/gateway.networking.k8s.io/v1/namespaces/infra/gateways/pip-gw"


def task(name, **args):
    args.setdefault("gateway", GATEWAY)
    args.setdefault("routes", [ROUTE])
    return {"name": name, "clusternet.k8s.persistent_ip": args}


@pytest.fixture
def pip(pip_cluster):
    pip_cluster.namespace("infra")
    pip_cluster.namespace("app", labels={"persistent-ip": "allowed"})
    return pip_cluster


@pytest.fixture
def run(pip_cluster):
    def runner(*tasks, **kwargs):
        play = [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks),
                 "module_defaults": {"group/clusternet.k8s.cluster": {"kubeconfig": pip_cluster.kubeconfig}}}]
        return run_playbook(play, **kwargs)
    return runner


def ok(res, name):
    found = res.task(name)
    assert found["status"] == "ok", json.dumps(found["result"], indent=1)[:4000]
    return found["result"]


def failed(res, name):
    found = res.task(name)
    assert found["status"] == "failed", json.dumps(found["result"], indent=1)[:4000]
    assert "Traceback" not in res.stdout + res.stderr
    return found["result"]


def exists(get, *args):
    try:
        get(*args)
    except Exception as exc:  # pylint: disable=broad-except
        if getattr(exc, "status", None) == 404:
            return False
        raise
    return True


def writes(kube, suffix):
    """Requests that wrote (not dry-run) to a path ending in ``suffix``."""
    return [r for r in kube.requests if r["method"] in ("POST", "PUT", "PATCH", "DELETE") and r["path"].endswith(suffix)
            and r["query"].get("dryRun") != "All"]


@pytest.mark.every_core
def test_apply_then_nothing_to_do(pip, run):
    res = run(task("apply"), task("again"))
    first, second = ok(res, "apply"), ok(res, "again")
    assert first["changed"] and [(e["kind"], e["action"]) for e in first["objects"]] == [
        ("Gateway", "created"), ("GKEIPRoute", "created")]
    assert not second["changed"] and [e["action"] for e in second["objects"]] == ["unchanged", "unchanged"]
    assert res.changed == 1
    gateway = pip.get_gateway("infra", "pip-gw")
    assert gateway["spec"]["gatewayClassName"] == "gke-persistent-regional-external-managed"
    assert [a["value"] for a in gateway["spec"]["addresses"]] == ["34.123.10.1/32", "34.123.10.2/32"]
    assert gateway["spec"]["listeners"][0]["allowedRoutes"]["namespaces"]["from"] == "All"
    route = pip.get_route("app", "proxy-ip")
    assert route["spec"]["parentRefs"][0]["name"] == "pip-gw" and route["spec"]["parentRefs"][0]["namespace"] == "infra"
    assert route["spec"]["addresses"] == [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}]
    assert route["spec"]["podSelector"] == {"matchLabels": {"app": "proxy"}}
    managers = {m["manager"] for m in route["metadata"]["managedFields"]}
    assert "clusternet.k8s" in managers
    assert second["routes"][0]["name"] == "proxy-ip" and "conditions" in second["routes"][0]


def test_wait_until_ready_when_the_controller_binds_a_ready_pod(pip, run):
    pip.pod("proxy-a", "app", labels={"app": "proxy"}, ready=True, created="2025-01-01T10:00:00Z")
    pip.pod("proxy-b", "app", labels={"app": "proxy"}, ready=False, created="2025-01-02T10:00:00Z")
    result = ok(run(task("apply and wait", wait=True, wait_timeout=30, wait_sleep=1)), "apply and wait")
    report = result["routes"][0]
    assert report["healthy"] and report["boundPod"] == "proxy-a"
    assert {t: c["status"] for t, c in report["conditions"].items()} == {
        "Accepted": "True", "GCPReady": "True", "DPV2Ready": "True", "Ready": "True"}
    assert report["conditions"]["Ready"]["reason"] == "ProgrammingComplete"
    assert report["simulated"]["boundPod"] == "proxy-a" and report["simulated"]["eligiblePods"] == ["proxy-a"]
    assert pip.route_pods("app", "proxy-ip") == ["proxy-a"]


def test_wait_times_out_and_explains_why(pip, run):
    pip.pod("proxy-a", "app", labels={"app": "proxy"}, ready=False)
    pip.pod("proxy-b", "app", labels={"app": "proxy"}, node=None, ready=None)
    pip.pod("other", "app", labels={"app": "db"}, ready=True)
    result = failed(run(task("apply and wait", wait=True, wait_timeout=3, wait_sleep=1)), "apply and wait")
    msg = result["msg"]
    assert "app/proxy-ip" in msg and "Ready=False" in msg and "NoPodsFound" in msg
    assert "proxy-a" in msg and "proxy-b" in msg and "other" not in msg.replace("other route", "")
    assert "check:" in msg
    assert result["changed"]  # the objects were applied before the wait
    (explained,) = result["not_ready"]
    assert explained["route"] == "app/proxy-ip"
    assert explained["condition"]["type"] == "Ready" and explained["condition"]["status"] == "False"
    assert explained["condition"]["reason"] == "NoPodsFound"
    assert sorted(p["name"] for p in explained["podsNotQualifying"]) == ["proxy-a", "proxy-b"]


def test_address_outside_the_pool_is_refused_before_anything_is_applied(pip, run, kube):
    route = dict(ROUTE, addresses=["34.99.0.1"])
    other = {"name": "web-ip", "namespace": "app", "pod_selector": {"app": "web"}, "addresses": ["34.123.10.2"]}
    result = failed(run(task("apply", routes=[other, route])), "apply")
    assert "34.99.0.1/32" in result["msg"] and "GKEIPRoute app/proxy-ip" in result["msg"]
    assert "nothing was applied" in result["msg"]
    assert [(e["object"], e["code"]) for e in result["errors"]] == [("GKEIPRoute app/proxy-ip", "IPR_ADDRESS_NOT_IN_GATEWAY")]
    assert not result["changed"]
    assert not exists(pip.get_gateway, "infra", "pip-gw") and not exists(pip.get_route, "app", "web-ip")
    if not kube.real:
        assert writes(kube, "/gateways/pip-gw") == [] and writes(kube, "/gkeiproutes/web-ip") == []


def test_address_claimed_by_a_route_in_the_cluster_is_refused(pip, run):
    ok(run(task("apply")), "apply")
    second = {"name": "second-ip", "namespace": "app", "pod_selector": {"app": "other"}, "addresses": ["34.123.10.1"]}
    result = failed(run(task("claim again", routes=[second])), "claim again")
    assert [e["code"] for e in result["errors"]] == ["IPR_ADDRESS_CLAIMED_BY_OTHER_ROUTE"]
    assert "app/proxy-ip" in result["msg"]
    assert not exists(pip.get_route, "app", "second-ip")


def test_namespace_not_admitted_is_refused(pip, run):
    gateway = {k: v for k, v in GATEWAY.items() if k != "allowed_namespaces"}
    gateway["namespace_selector"] = {"persistent-ip": "allowed"}  # from: Selector
    pip.namespace("other")
    route = dict(ROUTE, namespace="other")
    result = failed(run(task("apply", gateway=gateway, routes=[route])), "apply")
    assert [e["code"] for e in result["errors"]] == ["IPR_NOT_ADMITTED"]
    assert not exists(pip.get_gateway, "infra", "pip-gw")
    result = ok(run(task("apply", gateway=gateway)), "apply")  # namespace app carries the label
    assert result["changed"]


def test_existing_gateway_must_exist_when_not_managed(pip, run):
    gateway = {"name": "pip-gw", "namespace": "infra", "manage": False}
    result = failed(run(task("attach", gateway=gateway)), "attach")
    assert [e["code"] for e in result["errors"]] == ["PIP_GATEWAY_NOT_FOUND"]
    pip.gateway(namespace="infra", allowed_from="All", addresses=["34.123.10.1/32"])
    result = ok(run(task("attach", gateway=gateway)), "attach")
    assert [(e["kind"], e["action"]) for e in result["objects"]] == [("GKEIPRoute", "created")]
    assert result["gateway"]["metadata"]["name"] == "pip-gw"


def test_check_mode_creates_nothing(pip, run, kube):
    pip.pod("proxy-a", "app", labels={"app": "proxy"}, ready=True)
    if not kube.real:
        kube.clear_requests()
    result = ok(run(task("preview", wait=True), check=True), "preview")
    assert result["changed"] and [e["action"] for e in result["objects"]] == ["created", "created"]
    assert result["routes"][0]["simulated"]["boundPod"] == "proxy-a"
    assert not exists(pip.get_gateway, "infra", "pip-gw") and not exists(pip.get_route, "app", "proxy-ip")
    if not kube.real:
        patches = [r for r in kube.requests if r["method"] == "PATCH" and "/pods/" not in r["path"]]
        assert patches and all(r["query"].get("dryRun") == "All" for r in patches)


def test_diff_shows_the_change(pip, run):
    ok(run(task("apply")), "apply")
    changed = dict(ROUTE, addresses=["34.123.10.2"])
    res = run(task("change", routes=[changed]), diff=True)
    result = ok(res, "change")
    assert [(e["kind"], e["action"]) for e in result["objects"]] == [("Gateway", "unchanged"), ("GKEIPRoute", "updated")]
    (diff,) = result["diff"]
    assert diff["before"] == {"spec": {"addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}]}}
    assert diff["after"] == {"spec": {"addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.2/32"}]}}
    assert pip.get_route("app", "proxy-ip")["spec"]["addresses"][0]["value"] == "34.123.10.2/32"


@pytest.mark.cluster(crds=False)
def test_missing_crds_give_a_clear_message(kube, run_without_crds):
    result = failed(run_without_crds(task("apply")), "apply")
    msg = result["msg"]
    assert "does not serve GKEIPRoute (networking.gke.io/v1)" in msg and "does not serve Gateway" in msg
    assert "GKE 1.31" in msg and "Dataplane V2" in msg and "--gateway-api=standard" in msg
    assert "installs nothing" in msg and len(result["missing"]) == 2 and not result["changed"]


@pytest.mark.cluster(crds=False)
def test_missing_gateway_class_gives_a_clear_message(kube, run_without_crds):
    from tests.support.pytest_pip import ensure_crds  # pylint: disable=import-outside-toplevel
    ensure_crds(kube)
    api = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
    for name in ("infra", "app"):
        k8s_client.CoreV1Api(api).create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    api.close()
    result = failed(run_without_crds(task("apply")), "apply")
    assert "GatewayClass gke-persistent-regional-external-managed does not exist" in result["msg"]
    assert "persistent-ip-controller" in result["msg"]


@pytest.fixture
def run_without_crds(kube):
    def runner(*tasks, **kwargs):
        play = [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks),
                 "module_defaults": {"group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}}}]
        return run_playbook(play, **kwargs)
    return runner


def test_rendered_needs_no_cluster():
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [task("render", state="rendered")]}]
    result = ok(run_playbook(play, env={"K8S_AUTH_KUBECONFIG": "/nonexistent"}), "render")
    assert not result["changed"]
    assert [o["kind"] for o in result["rendered"]] == ["Gateway", "GKEIPRoute"]


def test_a_failure_after_the_apply_still_reports_what_was_applied(pip, run, kube):
    """Issue 13, defect 4: once the server accepted the objects, the task is changed whatever fails afterwards."""
    pip.controller.stop()
    kube.inject("GET", ROUTES, "500", times=None, after=1)  # the read before the apply goes through, the wait's do not
    result = failed(run(task("apply", wait=True, wait_timeout=30, wait_sleep=1)), "apply")
    assert result["changed"] is True
    assert [(e["kind"], e["action"]) for e in result["objects"]] == [("Gateway", "created"), ("GKEIPRoute", "created")]
    assert "HTTP 500" in result["msg"] and "[2 of 2 objects done: Gateway infra/pip-gw created, GKEIPRoute app/proxy-ip " \
        "created; not applied: none]" in result["msg"], result["msg"]
    assert pip.get_gateway("infra", "pip-gw")["spec"]["gatewayClassName"]


def test_query_trims_the_reports_for_a_job_log(pip, run):
    """Issue 14, point 5: a JMESPath query instead of the whole reports (jmespath earns its place)."""
    res = run(task("apply", query="routes[].{route: name, healthy: healthy}"))
    applied = ok(res, "apply")
    assert applied["query"] == [{"route": "proxy-ip", "healthy": False}]
    assert not {"gateway", "routes", "objects"} & set(applied) and applied["changed"] is True
    bad = run(task("bad", query="routes["))
    assert failed(bad, "bad")["msg"].startswith("query 'routes[' is not a JMESPath expression: ")

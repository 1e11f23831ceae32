"""Every cluster module x every fault x every position: what the task reports is what the server holds.

Faults (``kube.inject``): 409 Conflict, 429 with Retry-After, 500, 410 Expired, a slow response, a
dropped connection. Each one keeps firing at its position until the run ends, so the module has to
recover or fail; positions are the module's first request, a request in the middle of its run (the
write of its second object, or a later page or list), and a request of its wait (for the modules that
wait). 429, 500 and drop go to every position; 409 to the writes (a server answers a read with no
conflict), 410 to the lists (a continue token expires; a read of one object never does), and a slow
response to one position per module (where it costs most: the wait, else mid-run), so the matrix stays
within a few minutes of CI.

After each run (the fault struck, then cleared) the test reads the cluster back with the official client and
checks that ``changed`` says whether anything changed on the server, that every object or Node
listed as done holds what was asked and every one listed as not done is as it was, and that a
failure says so in a message of its own (issue 13). Only the ``kube`` fixture's interface and the
``kubectl`` fixture are used, so the matrix runs against any API server behind the fault proxy.
"""
import json
import os

import pytest
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from tests.support.ansible_run import run_playbook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CRDS = os.path.join(ROOT, "tests", "support", "crds")
FAULTS = {"409": "conflict", "429": "429", "500": "500", "410": "410", "slow": "delay", "drop": "drop"}
PYTHON_INTERNALS = ("Traceback", "recursion", "object has no attribute", "unhashable", "NoneType", "Module failed")


class Api:
    """The official client on ``kube``: the independent witness of what the server holds."""

    def __init__(self, kube):
        self.client = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
        self.core = k8s_client.CoreV1Api(self.client)
        self.custom = k8s_client.CustomObjectsApi(self.client)

    def read(self, method, *args):
        """The object as a dict, or None when it does not exist."""
        try:
            return json.loads(method(*args, _preload_content=False).data)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise


def run_task(kube, module, **args):
    """Run the module once; the fault is then cleared, after checking that it struck."""
    task = {"name": "under fault", "ignore_errors": True, "clusternet.k8s." + module: dict(args, kubeconfig=kube.kubeconfig)}
    found = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [task]}]).task("under fault")
    assert any(r.get("fault") for r in kube.requests), "the fault never struck: the cell tests nothing"
    kube.clear_faults()
    return found["status"], found["result"]


def clean(status, result):
    """A failure says what failed in a message of its own."""
    assert status in ("ok", "ignored"), (status, result)
    if status == "ignored":
        assert result.get("msg") and not any(m in result["msg"] for m in PYTHON_INTERNALS), result.get("msg")


EVERYWHERE = ("429", "500", "drop")


def cells(positions, writes=(), lists=()):
    """``(fault, position)`` pairs: 429, 500 and drop everywhere, 409 at ``writes``, 410 at ``lists``, slow once."""
    slow = "wait" if "wait" in positions else "mid"
    found = [(f, p) for f in EVERYWHERE for p in positions] + [("409", p) for p in writes] + [("410", p) for p in lists]
    return sorted(found + [("slow", slow)])


def inject(kube, fault, where):
    verb, path, after = where
    kube.inject(verb, path, FAULTS[fault], times=None, after=after)


# --- k8s_apply: three ConfigMaps, one of them updated, each awaited ---------------------------------

CONFIGMAPS = ("fm-a", "fm-b", "fm-c")


def configmap(name, value):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": {"v": value}}


K8S_APPLY_AT = {  # (verb, path glob, requests to let through first)
    "first": ("GET", "/api/v1", 0),                                  # discovery
    "mid": ("PATCH", "/api/v1/namespaces/default/configmaps/fm-b", 0),  # the second object's apply
    "wait": ("GET", "/api/v1/namespaces/default/configmaps/fm-b", 1),   # after the read before its apply
}


@pytest.mark.parametrize("fault, position", cells(K8S_APPLY_AT, writes=("mid",)))  # it lists nothing
def test_k8s_apply(kube, fault, position):
    api = Api(kube)  # fm-b exists, applied earlier by the same field manager: the run updates it
    api.core.patch_namespaced_config_map("fm-b", "default", configmap("fm-b", "old"), field_manager="clusternet.k8s",
                                         _content_type="application/apply-patch+yaml")
    before = {n: api.read(api.core.read_namespaced_config_map, n, "default") for n in CONFIGMAPS}
    inject(kube, fault, K8S_APPLY_AT[position])
    status, result = run_task(kube, "k8s_apply", definition=[configmap(n, "new") for n in CONFIGMAPS], wait=True,
                              wait_jsonpath={"path": "{.data.v}", "value": "new"}, wait_timeout=3, wait_sleep=1)
    after = {n: api.read(api.core.read_namespaced_config_map, n, "default") for n in CONFIGMAPS}
    clean(status, result)
    moved = [n for n in CONFIGMAPS if (before[n] or {}).get("data") != (after[n] or {}).get("data")]
    assert result["changed"] == bool(moved), (result["changed"], moved, result.get("msg"))
    actions = {o["name"]: o["action"] for o in result.get("objects") or []}
    for name in CONFIGMAPS:
        action = actions.get(name, "skipped")
        if action in ("created", "updated", "unchanged"):  # done: the server holds what was asked
            assert after[name]["data"] == {"v": "new"}, (name, action)
        else:  # not done: the server holds what it held
            assert action in ("failed", "skipped") and (after[name] or {}).get("data") == (before[name] or {}).get("data"), (
                name, action, after[name])
        assert (action in ("created", "updated")) == (name in moved), (name, action, moved)


# --- persistent_ip: a Gateway and two GKEIPRoutes, the CRDs installed with kubectl --------------------

GATEWAY = {"name": "pip-gw", "namespace": "infra", "class": "external", "addresses": ["34.123.10.1", "34.123.10.2"],
           "allowed_namespaces": "All"}
ROUTES = [{"name": r, "namespace": "app", "pod_selector": {"app": r}, "addresses": [a]}
          for r, a in (("r1", "34.123.10.1"), ("r2", "34.123.10.2"))]
GATEWAY_GROUP, ROUTE_GROUP = "gateway.networking.k8s.io", "networking.gke.io"
PERSISTENT_IP_AT = {
    "first": ("GET", "/apis/gateway.networking.k8s.io/v1", 0),                  # discovery, in the preflight
    "mid": ("PATCH", "/apis/networking.gke.io/v1/namespaces/app/gkeiproutes/r1", 0),  # the second object's apply
    "wait": ("GET", "/apis/networking.gke.io/v1/namespaces/app/gkeiproutes/r1", 1),
}
LIST_MID_RUN = ("list", "/api/v1/namespaces/app/pods", 0)  # after the apply, for the report


@pytest.fixture
def gke(kube, kubectl):
    """The Gateway API and GKEIPRoute CRDs, GKE's GatewayClass and the namespaces, as a GKE cluster has them."""
    applied = kubectl("apply", "--server-side", "-f", CRDS)
    assert applied.returncode == 0, applied.stderr
    established = kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all")
    assert established.returncode == 0, established.stderr
    api = Api(kube)
    api.custom.create_cluster_custom_object(GATEWAY_GROUP, "v1", "gatewayclasses", {
        "apiVersion": GATEWAY_GROUP + "/v1", "kind": "GatewayClass", "metadata": {"name": "gke-persistent-regional-external-managed"},
        "spec": {"controllerName": "networking.gke.io/persistent-ip-controller"}})
    for name in ("infra", "app"):
        api.core.create_namespace({"metadata": {"name": name}})
    return api


def pip_objects(api):
    return {("Gateway", "pip-gw"): api.read(api.custom.get_namespaced_custom_object, GATEWAY_GROUP, "v1", "infra", "gateways",
                                            "pip-gw"),
            **{("GKEIPRoute", r["name"]): api.read(api.custom.get_namespaced_custom_object, ROUTE_GROUP, "v1", "app",
                                                   "gkeiproutes", r["name"]) for r in ROUTES}}


@pytest.mark.parametrize("fault, position", cells(PERSISTENT_IP_AT, writes=("mid",), lists=("mid",)))
def test_persistent_ip(kube, gke, fault, position):
    inject(kube, fault, LIST_MID_RUN if fault == "410" else PERSISTENT_IP_AT[position])
    status, result = run_task(kube, "persistent_ip", gateway=GATEWAY, routes=ROUTES, wait=position == "wait",
                              wait_timeout=3, wait_sleep=1)
    live = pip_objects(gke)
    clean(status, result)
    assert result["changed"] == any(live.values()), (result["changed"], result.get("msg"))
    actions = {(o["kind"], o["name"]): o["action"] for o in result.get("objects") or []}
    for key, obj in live.items():
        action = actions.get(key, "skipped")
        assert (obj is not None) == (action == "created"), (key, action, result.get("msg"))
    if position == "wait" and status == "ignored":
        assert all(a == "created" for a in actions.values()), actions  # applied before the wait failed


# --- node_pod_cidrs: three Nodes without podCIDRs, listed one per page --------------------------------

NODES = ("n1", "n2", "n3")
NODE_POD_CIDRS_AT = {
    "first": ("list", "/api/v1/nodes", 0),
    "mid": ("patch", "/api/v1/nodes/n2", 0),  # the second Node's patch
}
NODE_LIST_MID_RUN = ("list", "/api/v1/nodes", 1)  # the second page


def pod_cidrs(api):
    return {n: (api.read(api.core.read_node, n).get("spec") or {}).get("podCIDRs") for n in NODES}


@pytest.mark.cluster(allocate_node_cidrs=False)     # kube-controller-manager would give the Nodes podCIDRs first
@pytest.mark.parametrize("fault, position", cells(NODE_POD_CIDRS_AT, writes=("mid",), lists=("first", "mid")))
def test_node_pod_cidrs(kube, fault, position):
    api = Api(kube)
    for name in NODES:
        api.core.create_node({"metadata": {"name": name}})
    inject(kube, fault, NODE_LIST_MID_RUN if (fault, position) == ("410", "mid") else NODE_POD_CIDRS_AT[position])
    status, result = run_task(kube, "node_pod_cidrs", cluster_cidrs=["10.244.0.0/16"], page_size=1)
    live = pod_cidrs(api)
    clean(status, result)
    given = {n: c for n, c in live.items() if c}
    assert result["changed"] == bool(given) and result["assignments"] == given, (result, live)


# --- dualstack_info: reads only; nothing may change, and a report is complete or the task fails -----------

DUALSTACK_INFO_AT = {"first": ("list", "/api/v1/nodes", 0), "mid": ("list", "/api/v1/pods", 1)}


def everything(api):
    return {kind: sorted((o["metadata"].get("namespace"), o["metadata"]["name"], o["metadata"]["resourceVersion"])
                         for o in json.loads(method(_preload_content=False).data)["items"])
            for kind, method in (("nodes", api.core.list_node), ("pods", api.core.list_pod_for_all_namespaces),
                                 ("services", api.core.list_service_for_all_namespaces))}


@pytest.mark.parametrize("fault, position", cells(DUALSTACK_INFO_AT, lists=("first", "mid")))  # it writes nothing
def test_dualstack_info(kube, fault, position):
    api = Api(kube)
    for i, name in enumerate(NODES):
        api.core.create_node({"metadata": {"name": name}, "spec": {"podCIDRs": ["10.244.%d.0/24" % i],
                                                                   "podCIDR": "10.244.%d.0/24" % i}})
    for name in ("p1", "p2", "p3"):
        api.core.create_namespaced_pod("default", {"metadata": {"name": name},
                                                   "spec": {"containers": [{"name": "c", "image": "x"}]}})
    before = everything(api)
    inject(kube, fault, DUALSTACK_INFO_AT[position])
    status, result = run_task(kube, "dualstack_info", page_size=1)
    clean(status, result)
    assert result["changed"] is False and everything(api) == before
    if status == "ok":  # every object was read: none is missing from the report
        assert sorted(n["name"] for n in result["nodes"]) == list(NODES)
        pods = result["summary"]["pods"]
        assert pods["total"] + pods["skipped"] == 3  # pods without an IP yet are counted as skipped

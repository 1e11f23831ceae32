"""The cluster-access core (``Cluster``) in-process against the test control plane: what modules build on."""
import time

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import wait
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.auth import build_configuration, resolve_auth
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import Cluster
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, DiscoveryError, WaitTimeout
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import Ref
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.retry import RetryPolicy

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]},
}


@pytest.fixture
def cluster(kube):
    configuration = build_configuration(resolve_auth({"kubeconfig": kube.kubeconfig}, {}))
    return Cluster.connect(configuration, policy=RetryPolicy(base=0.01))


def logged(kube, count, predicate):
    """The logged requests matching ``predicate`` once there are ``count`` of them (the server logs a request
    just after answering it, so the last one can lag behind the client), or after a second."""
    deadline = time.monotonic() + 1
    while True:
        found = [r for r in kube.requests if predicate(r)]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def pod(name, namespace="default"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def test_discovery(cluster):
    assert cluster.resource("v1", "Pod").path("p", "ns") == "/api/v1/namespaces/ns/pods/p"
    assert cluster.resource("v1", "Node").path("n", "ns") == "/api/v1/nodes/n"
    assert cluster.resource("apps/v1", "Deployment").path(namespace="x") == "/apis/apps/v1/namespaces/x/deployments"
    with pytest.raises(DiscoveryError, match="serves no kind Pods in v1 .*Pod"):
        cluster.resource("v1", "Pods")
    with pytest.raises(DiscoveryError, match="does not serve apiVersion example.com/v9"):
        cluster.resource("example.com/v9", "Widget")


def test_a_kind_served_after_its_crd_is_created(cluster):
    with pytest.raises(DiscoveryError):
        cluster.resource("example.com/v1", "Widget")
    cluster.apply(CRD, "test")
    cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}, "test")
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}}
    assert cluster.apply(widget, "test", default_namespace="team")["metadata"]["namespace"] == "team"
    assert cluster.get(Ref("example.com/v1", "Widget", "w", "team"))["spec"] == {"size": 1}


def test_get_apply_dry_run_and_delete(cluster):
    ref = Ref("v1", "Pod", "p", "default")
    assert cluster.get(ref) is None
    assert cluster.apply(pod("p"), "test", dry_run=True)["metadata"]["name"] == "p"
    assert cluster.get(ref) is None
    cluster.apply(pod("p"), "test")
    assert cluster.get(ref)["spec"]["containers"][0]["name"] == "c"
    cluster.delete(ref, dry_run=True)
    assert cluster.get(ref) is not None
    cluster.delete(ref)
    assert cluster.get(ref) is None
    assert cluster.delete(ref) is None


def test_list_pages_through_everything(cluster, kube):
    for i in range(7):
        cluster.apply(pod("p%d" % i, "default" if i % 2 else "kube-system"), "test")
    kube.clear_requests()
    pods = cluster.list("v1", "Pod", page_size=2)
    assert sorted(p["metadata"]["name"] for p in pods) == ["p%d" % i for i in range(7)]
    assert {(p["apiVersion"], p["kind"]) for p in pods} == {("v1", "Pod")}
    assert len(logged(kube, 4, lambda r: r["method"] == "GET" and r["path"] == "/api/v1/pods")) == 4
    assert sorted(p["metadata"]["name"] for p in cluster.list("v1", "Pod", "default")) == ["p1", "p3", "p5"]


def test_pages_yield_one_page_at_a_time(cluster, kube):
    for i in range(5):
        cluster.apply(pod("p%d" % i), "test")
    pages = cluster.pages("v1", "Pod", "default", page_size=2)
    first = next(pages)
    assert [p["metadata"]["name"] for p in first] == ["p0", "p1"] and first[0]["kind"] == "Pod"
    assert [[p["metadata"]["name"] for p in page] for page in pages] == [["p2", "p3"], ["p4"]]
    assert [len(page) for page in cluster.pages("v1", "Pod", "default", page_size=None)] == [5]


def test_patch_changes_an_existing_object_only_and_honours_its_resource_version(cluster):
    ref = Ref("v1", "Pod", "p", "default")
    with pytest.raises(ApiError) as raised:
        cluster.patch(ref, {"metadata": {"labels": {"a": "1"}}}, "test")
    assert raised.value.code == 404 and cluster.get(ref) is None
    version = cluster.apply(pod("p"), "test")["metadata"]["resourceVersion"]
    assert cluster.patch(ref, {"metadata": {"labels": {"a": "1"}}}, "test", dry_run=True)["metadata"]["labels"] == {"a": "1"}
    assert "labels" not in cluster.get(ref)["metadata"]
    patched = cluster.patch(ref, {"metadata": {"labels": {"a": "1"}, "resourceVersion": version}}, "test")
    assert patched["metadata"]["labels"] == {"a": "1"}
    with pytest.raises(ApiError) as raised:
        cluster.patch(ref, {"metadata": {"labels": {"a": "2"}, "resourceVersion": version}}, "test")
    assert raised.value.code == 409 and cluster.get(ref)["metadata"]["labels"] == {"a": "1"}


def test_list_starts_over_when_the_continue_token_expires(cluster, kube):
    for i in range(5):
        cluster.apply(pod("p%d" % i), "test")
    kube.inject("GET", "/api/v1/namespaces/default/pods", "410", times=1, after=1)
    kube.clear_requests()
    assert sorted(p["metadata"]["name"] for p in cluster.list("v1", "Pod", "default", page_size=2)) == ["p%d" % i for i in range(5)]
    pages = [(r["query"].get("continue") is not None, r["fault"]) for r in logged(kube, 5, lambda r: r["path"].endswith("/pods"))]
    assert pages == [(False, None), (True, "410"), (False, None), (True, None), (True, None)]


def test_errors_name_the_verb_and_the_object(cluster, kube):
    kube.inject("PATCH", "*/pods/p", "500", times=10)
    with pytest.raises(ApiError) as raised:
        cluster.apply(pod("p"), "test")
    assert str(raised.value).startswith("apply Pod default/p failed: HTTP 500")
    assert raised.value.attempts == 5


def test_wait_times_out_with_the_last_object(cluster):
    cluster.apply(pod("p"), "test")
    with pytest.raises(WaitTimeout) as raised:
        cluster.wait(Ref("v1", "Pod", "p", "default"), wait.Condition("Ready"), timeout=1, interval=0.2)
    assert raised.value.last["metadata"]["name"] == "p"
    assert "no Ready condition" in str(raised.value)

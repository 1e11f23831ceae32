"""node_pod_cidrs and dualstack_info through real ansible-playbook runs against the test control plane.

Objects are built and read back with the official kubernetes client, independently of the modules'
own core; the expected podCIDRs and check outcomes are written out by hand from docs/pod-cidrs.md#allocation-order
and docs/dualstack-checks.md (the "Validate IPv4/IPv6 dual-stack" task).
"""
import json
import time

import pytest
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from tests.support.ansible_run import run_playbook
from tests.support.kube_cluster import kubernetes_release

MERGE = "application/merge-patch+json"
CLUSTER = ["10.244.0.0/16", "fd00:10:244::/56"]
SERVICES = ["10.96.0.0/16", "fd00:10:96::/112"]
# node_pod_cidrs is for clusters whose kube-controller-manager does not allocate podCIDRs itself
NO_NODE_IPAM = pytest.mark.cluster(allocate_node_cidrs=False)


@pytest.fixture
def core(kube):
    api = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
    yield k8s_client.CoreV1Api(api)
    api.close()


@pytest.fixture
def run(kube):
    def runner(*tasks, **kwargs):
        plays = [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks),
                  "module_defaults": {"group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}}}]
        return run_playbook(plays, **kwargs)
    return runner


def task(module, name="t", ignore_errors=False, **args):
    found = {"name": name, "clusternet.k8s." + module: args}
    if ignore_errors:
        found["ignore_errors"] = True
    return found


def result_of(res, name="t", status="ok"):
    found = res.task(name)
    assert found["status"] == status or (status, found["status"]) == ("failed", "ignored"), json.dumps(found["result"], indent=1)[:4000]
    return found["result"]


def node(core, name, pod_cidrs=None, addresses=None, labels=None):
    spec = {"podCIDRs": pod_cidrs, "podCIDR": pod_cidrs[0]} if pod_cidrs else {}
    core.create_node({"metadata": {"name": name, "labels": labels or {}}, "spec": spec})
    if addresses:
        # A merge patch: a strategic merge patch would collapse the two InternalIPs (merge key "type").
        core.patch_node_status(name, {"status": {"addresses": [{"type": t, "address": a} for t, a in addresses]}},
                               _content_type=MERGE)


def dual_node(core, name, index, primary="IPv4"):
    """A dual-stack node as the task page shows one: podCIDRs per --cluster-cidr, both InternalIPs, a Hostname."""
    v4, v6 = ("InternalIP", "192.168.0.%d" % index), ("InternalIP", "fd00:192:168::%x" % index)
    node(core, name, ["10.244.%d.0/24" % index, "fd00:10:244:%x::/64" % index],
         [v4, v6, ("Hostname", name)] if primary == "IPv4" else [v6, v4, ("Hostname", name)])


def pod(core, name, node_name, ips, namespace="default", pod_ip=None, host_network=False, phase="Running", labels=None):
    spec = {"nodeName": node_name, "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}
    if host_network:
        spec["hostNetwork"] = True
    core.create_namespaced_pod(namespace, {"metadata": {"name": name, "labels": labels or {}}, "spec": spec})
    status = {"phase": phase}
    if ips:
        status.update(podIP=pod_ip or ips[0], podIPs=[{"ip": ip} for ip in ips])
    core.patch_namespaced_pod_status(name, namespace, {"status": status}, _content_type=MERGE)


def service(core, name, namespace="default", **spec):
    body = {"metadata": {"name": name}, "spec": dict({"selector": {"app": name}, "ports": [{"port": 80}]}, **spec)}
    return core.create_namespaced_service(namespace, body)


def pod_cidrs(core):
    return {n.metadata.name: (n.spec.pod_cidrs, n.spec.pod_cidr) for n in core.list_node().items}


def checks(report):
    return {c["check"]: c["pass"] for c in report["checks"]}


def by_name(reports):
    return {("%s/%s" % (r["namespace"], r["name"]) if "namespace" in r else r["name"]): r for r in reports}


# --- node_pod_cidrs -----------------------------------------------------------------------------


def allocate(**args):
    return task("node_pod_cidrs", cluster_cidrs=CLUSTER, service_cidrs=["10.244.0.0/24", SERVICES[1]], **args)


@pytest.mark.every_core
@NO_NODE_IPAM
def test_node_pod_cidrs_assigns_in_allocator_order_and_never_changes_a_set_value(run, core, kube):
    # names sort c, d, e, x, y: the order kube-controller-manager's informer would deliver them in
    for name in ("n-c", "n-d", "n-e"):
        node(core, name)
    node(core, "n-x", ["10.244.1.0/24", "fd00:10:244:1::/64"])
    node(core, "n-y", ["10.244.9.0/24"])  # single-stack podCIDRs on a dual-stack cluster: immutable, kept
    before = pod_cidrs(core)

    kube.clear_requests()
    res = run(allocate(), check=True, diff=True)
    planned = result_of(res)
    assert planned["changed"] and res.changed == 1
    # IPv4: block 0 is the service range 10.244.0.0/24, block 1 is n-x's; IPv6: block 1 is n-x's
    expected = {"n-c": ["10.244.2.0/24", "fd00:10:244::/64"],
                "n-d": ["10.244.3.0/24", "fd00:10:244:2::/64"],
                "n-e": ["10.244.4.0/24", "fd00:10:244:3::/64"]}
    assert planned["assignments"] == expected
    assert pod_cidrs(core) == before, "check mode wrote to the cluster"
    patches = [r for r in kube.requests if r["method"] == "PATCH"]
    assert len(patches) == 3 and all(r["query"].get("dryRun") == "All" for r in patches)
    assert [d["after"]["spec"] for d in planned["diff"]] == [{"podCIDR": c[0], "podCIDRs": c} for c in expected.values()]
    assert "Node n-c" in res.task("t")["result"]["diff"][0]["before_header"]

    first = result_of(run(allocate()))
    assert first["changed"] and first["assignments"] == expected
    after = pod_cidrs(core)
    assert {n: after[n] for n in expected} == {n: (c, c[0]) for n, c in expected.items()}
    assert after["n-x"] == before["n-x"] and after["n-y"] == before["n-y"]
    skipped = {s["name"]: s for s in first["skipped_nodes"]}
    assert set(skipped) == {"n-x", "n-y"}
    assert skipped["n-x"]["reason"] == "spec.podCIDRs is already set (10.244.1.0/24, fd00:10:244:1::/64)"
    assert skipped["n-y"]["podCIDRs"] == ["10.244.9.0/24"]
    assert "immutable" in skipped["n-y"]["reason"] and "1 entries for 2 --cluster-cidr entries" in skipped["n-y"]["reason"]

    kube.clear_requests()
    second = run(allocate(), allocate(name="again"))
    assert second.rc == 0 and second.changed == 0
    assert result_of(second, "again")["assignments"] == {}
    assert len(result_of(second, "again")["skipped_nodes"]) == 5
    assert not [r for r in kube.requests if r["method"] == "PATCH"], "an idempotent run patched a node"
    assert pod_cidrs(core) == after


@NO_NODE_IPAM
def test_node_pod_cidrs_subset_pagination_and_missing_names(run, core, kube):
    for name in ("a", "b", "c"):
        node(core, name)
    kube.clear_requests()
    result = result_of(run(allocate(nodes=["b", "zz"], page_size=1)))
    assert result["assignments"] == {"b": ["10.244.1.0/24", "fd00:10:244::/64"]}
    assert result["skipped_nodes"] == [{"name": "zz", "podCIDRs": [], "reason": "no Node of this name"}]
    lists = [r["query"] for r in kube.requests if r["verb"] == "list" and r["path"] == "/api/v1/nodes"]
    assert [q.get("limit") for q in lists] == ["1"] * 3 and [bool(q.get("continue")) for q in lists] == [False, True, True]
    assert pod_cidrs(core)["a"] == (None, None)


@NO_NODE_IPAM
def test_node_pod_cidrs_reports_the_nodes_patched_before_a_dropped_connection(run, core, kube):
    """Issue 13, defect 4: the task said changed: false, assignments: {} although the first Node was patched."""
    for name in ("a", "b", "c"):
        node(core, name)
    kube.inject("PATCH", "/api/v1/nodes/b", "drop", times=None)
    result = result_of(run(allocate(ignore_errors=True)), status="failed")
    assert result["changed"] is True and result["assignments"] == {"a": ["10.244.1.0/24", "fd00:10:244::/64"]}
    assert "no answer from the API server" in result["msg"] and "[podCIDRs set on 1 Node(s) before: a]" in result["msg"]
    assert pod_cidrs(core) == {"a": (["10.244.1.0/24", "fd00:10:244::/64"], "10.244.1.0/24"), "b": (None, None),
                               "c": (None, None)}


@NO_NODE_IPAM
def test_node_pod_cidrs_patches_a_node_modified_meanwhile_again(run, core, kube):
    """Issue 13, defect 8: a 409 "the object has been modified" on a Node still without podCIDRs is retried."""
    node(core, "a")
    kube.inject("PATCH", "/api/v1/nodes/a", "conflict", times=2)
    result = result_of(run(allocate()))
    assert result["changed"] and result["assignments"] == {"a": ["10.244.1.0/24", "fd00:10:244::/64"]}
    assert [r["method"] for r in kube.requests if r["path"] == "/api/v1/nodes/a"] == ["PATCH", "GET"] * 2 + ["PATCH"]
    assert pod_cidrs(core)["a"] == (["10.244.1.0/24", "fd00:10:244::/64"], "10.244.1.0/24")


@NO_NODE_IPAM
def test_node_pod_cidrs_changes_nothing_when_the_range_is_exhausted(run, core):
    for name in ("a", "b", "c"):
        node(core, name)
    failed = result_of(run(task("node_pod_cidrs", cluster_cidrs=["10.1.0.0/23"])), status="failed")
    assert failed["msg"].startswith("no podCIDR is left for node 'c' in cluster CIDR 10.1.0.0/23: it holds 2 blocks of /24")
    assert ("kube-controller-manager would log: error syncing 'c': failed to allocate cidr from cluster cidr at idx:0: "
            "CIDR allocation failed; there are no remaining CIDRs left to allocate") in failed["msg"]
    assert "nothing was changed" in failed["msg"] and not failed["changed"]
    assert all(v == (None, None) for v in pod_cidrs(core).values())


def test_node_pod_cidrs_refuses_what_kube_controller_manager_refuses(run):
    res = run(task("node_pod_cidrs", cluster_cidrs=["10.0.0.0/16", "10.1.0.0/16"], ignore_errors=True),
              task("node_pod_cidrs", "v6", cluster_cidrs=["fd00::/32"], node_mask_sizes={"IPv6": 64}, ignore_errors=True))
    assert "not configured as dual stack" in result_of(res, status="failed")["msg"]
    assert "the node CIDR size is too big" in result_of(res, "v6", status="failed")["msg"]


# --- dualstack_info -----------------------------------------------------------------------------


@pytest.fixture
def task_page_cluster(core):
    """Nodes, pods and services as the task page builds them, and the ways each can be wrong."""
    dual_node(core, "node-1", 1)
    dual_node(core, "node-2", 2)
    node(core, "node-outside", ["10.245.3.0/24", "fd00:10:245:3::/64"],
         [("InternalIP", "192.168.0.3"), ("InternalIP", "fd00:192:168::3"), ("Hostname", "node-outside")])
    node(core, "node-v4only", ["10.244.4.0/24"], [("InternalIP", "192.168.0.4"), ("Hostname", "node-v4only")])
    dual_node(core, "node-v6first", 5, primary="IPv6")
    pod(core, "pod01", "node-1", ["10.244.1.4", "fd00:10:244:1::4"])
    pod(core, "pod-v4", "node-1", ["10.244.1.5"])
    pod(core, "pod-podip", "node-2", ["10.244.2.6", "fd00:10:244:2::6"], pod_ip="10.244.2.7")
    pod(core, "pod-order", "node-2", ["fd00:10:244:2::8", "10.244.2.8"])
    pod(core, "pod-outside", "node-2", ["10.244.1.9", "fd00:10:244:2::9"])
    pod(core, "pod-v6node", "node-v6first", ["fd00:10:244:5::4", "10.244.5.4"])
    pod(core, "pod-host", "node-1", ["192.168.0.1", "fd00:192:168::1"], host_network=True)
    pod(core, "pod-pending", "node-1", [], phase="Pending")
    service(core, "my-service")                                          # dual-stack-default-svc.yaml
    service(core, "my-service-v6", ipFamilies=["IPv6"])                  # dual-stack-ipfamilies-ipv6.yaml
    service(core, "my-service-pds", ipFamilyPolicy="PreferDualStack")    # dual-stack-preferred-svc.yaml
    service(core, "my-service-lb", type="LoadBalancer", ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv6"])
    service(core, "my-service-rds-headless", clusterIP="None", ipFamilyPolicy="RequireDualStack", selector=None)
    service(core, "my-external", type="ExternalName", externalName="example.com", ports=None, selector=None)


def info(**args):
    return task("dualstack_info", **args)


@pytest.mark.every_core
def test_dualstack_info_reports_every_check_of_the_task(run, core, kube, task_page_cluster):
    res = run(info(cluster_cidrs=CLUSTER, page_size=2))
    result = result_of(res)
    assert not result["changed"]
    nodes = by_name(result["nodes"])
    assert checks(nodes["node-1"]) == {"podCIDRs": True, "podCIDR": True, "podCIDRs-from-cluster-cidr": True,
                                       "addresses": True}
    assert nodes["node-1"]["pass"] and nodes["node-v6first"]["pass"]
    # (two podCIDRs of one family, the task's other podCIDRs failure, never reach a real apiserver: the unit tests
    # have it)
    outside = checks(nodes["node-outside"])
    assert outside["podCIDRs"] and not outside["podCIDRs-from-cluster-cidr"] and outside["addresses"]
    reason = next(c["reason"] for c in nodes["node-outside"]["checks"] if c["check"] == "podCIDRs-from-cluster-cidr")
    assert "10.245.3.0/24" in reason
    assert checks(nodes["node-v4only"]) == {"podCIDRs": False, "podCIDR": True, "podCIDRs-from-cluster-cidr": False,
                                            "addresses": False}

    pods = by_name(result["pods"])
    assert "default/pod-pending" not in pods
    assert checks(pods["default/pod01"]) == {"podIPs": True, "podIP": True, "podIPs-primary-family": True,
                                             "podIPs-in-podCIDRs": True}
    assert checks(pods["default/pod-v4"])["podIPs"] is False
    # kube-apiserver keeps no podIP that differs from podIPs[0]: v1 podIP wins and podIPs becomes [podIP] (the
    # "podIP" check can only fail on manifests; the unit tests have it)
    assert core.read_namespaced_pod_status("pod-podip", "default").status.pod_ips[0].ip == "10.244.2.7"
    assert checks(pods["default/pod-podip"]) == {"podIPs": False, "podIP": True, "podIPs-primary-family": True,
                                                 "podIPs-in-podCIDRs": True}
    assert checks(pods["default/pod-order"])["podIPs-primary-family"] is False
    assert checks(pods["default/pod-outside"])["podIPs-in-podCIDRs"] is False
    assert all(checks(pods["default/pod-v6node"]).values())
    assert checks(pods["default/pod-host"]) == {"podIPs": True, "podIP": True, "podIPs-primary-family": True}

    services = by_name(result["services"])
    for name in ("kubernetes", "my-service", "my-service-v6", "my-service-pds", "my-service-lb",
                 "my-service-rds-headless", "my-external"):
        assert services["default/" + name]["pass"], services["default/" + name]
    assert checks(services["default/my-service-lb"]) == {"ipFamilies": True, "clusterIPs": True, "nodePorts": True}
    assert result["service_cidrs"] == SERVICES  # from the kubernetes ServiceCIDR

    summary = result["summary"]
    assert summary["nodes"] == {"total": 5, "passed": 3, "failed": 2, "skipped": 0, "checks": {
        "podCIDRs": {"passed": 4, "failed": 1}, "podCIDR": {"passed": 5, "failed": 0},
        "podCIDRs-from-cluster-cidr": {"passed": 3, "failed": 2}, "addresses": {"passed": 4, "failed": 1}}}
    assert summary["pods"]["total"] == 7 and summary["pods"]["skipped"] == 1 and summary["pods"]["failed"] == 4
    assert summary["pods"]["checks"]["podIPs-in-podCIDRs"] == {"passed": 5, "failed": 1}
    assert summary["services"] == {"total": 7, "passed": 7, "failed": 0, "skipped": 0, "checks": {
        "ipFamilies": {"passed": 6, "failed": 0}, "clusterIPs": {"passed": 6, "failed": 0},
        "nodePorts": {"passed": 1, "failed": 0}, "type": {"passed": 1, "failed": 0}}}
    assert summary["pass"] is False
    assert {"kind": "Node", "name": "node-outside", "checks": ["podCIDRs-from-cluster-cidr"]} in summary["failing"]
    assert {"kind": "Pod", "name": "pod-v4", "namespace": "default", "checks": ["podIPs"]} in summary["failing"]
    assert len(summary["failing"]) == 6

    # every list was paginated: limit on each request, continue on every request after the first of a listing
    assert result["list_requests"] == {"nodes": 3, "pods": 4, "services": 4}
    for path, pages in (("/api/v1/nodes", 3), ("/api/v1/pods", 4), ("/api/v1/services", 4)):
        lists = [r["query"] for r in kube.requests if r["verb"] == "list" and r["path"] == path]
        assert [q.get("limit") for q in lists] == ["2"] * pages
        assert [bool(q.get("continue")) for q in lists] == [False] + [True] * (pages - 1)


@pytest.mark.cluster(service_cidrs="10.96.0.0/16")
def test_prefer_dual_stack_on_a_single_stack_cluster(run, core, kube):
    created = service(core, "my-service-pds", ipFamilyPolicy="PreferDualStack")
    assert created.spec.ip_families == ["IPv4"] and len(created.spec.cluster_ips) == 1
    result = result_of(run(info(kinds=["services"])))
    assert result["service_cidrs"] == ["10.96.0.0/16"]
    report = by_name(result["services"])["default/my-service-pds"]
    assert report["pass"] and checks(report) == {"ipFamilies": True, "clusterIPs": True}
    assert "PreferDualStack with [IPv4], as the API server assigns on a [IPv4] cluster" in report["checks"][0]["reason"]
    # the same Service judged as if the cluster were dual-stack: the API server would have given it both families
    stale = by_name(result_of(run(info(kinds=["services"], service_cidrs=SERVICES)))["services"])["default/my-service-pds"]
    assert not stale["pass"] and "never upgrades an existing PreferDualStack Service" in stale["checks"][0]["reason"]
    # RequireDualStack is refused by the single-stack API server, as the task page says
    with pytest.raises(k8s_client.ApiException) as refused:
        service(core, "rds", ipFamilyPolicy="RequireDualStack")
    assert "this cluster is not configured for dual-stack services" in refused.value.body


def test_dualstack_info_filters_reports_and_fail_on_error(run, core, kube, task_page_cluster):
    core.create_namespace({"metadata": {"name": "team"}})
    pod(core, "web", "node-1", ["10.244.1.20", "fd00:10:244:1::20"], namespace="team", labels={"app": "web"})
    pod(core, "db", "node-1", ["10.244.1.21"], namespace="team", labels={"app": "db"})
    res = run(info(kinds=["pods"], namespaces=["team"], label_selector="app=web", name="web"),
              info(kinds=["pods"], namespaces=["team", "default"], report="failed", name="failed"),
              info(kinds=["nodes"], report="none", fail_on_error=True, name="strict", ignore_errors=True),
              info(kinds=["services"], fail_on_error=True, name="services", service_cidrs=SERVICES), check=True)
    web = result_of(res, "web")
    assert [p["name"] for p in web["pods"]] == ["web"] and "nodes" not in web and web["summary"]["pass"]
    assert web["list_requests"]["nodes"] == 1  # nodes are read for the pods' node checks
    failed = result_of(res, "failed")
    assert sorted(p["name"] for p in failed["pods"]) == ["db", "pod-order", "pod-outside", "pod-podip", "pod-v4"]
    assert failed["summary"]["pods"]["total"] == 9
    strict = result_of(res, "strict", status="failed")
    assert strict["msg"] == "1 of 5 objects fail the dual-stack checks: Node node-v4only (podCIDRs, addresses)"
    assert strict["nodes"] == [] and strict["summary"]["nodes"]["failed"] == 1
    assert result_of(res, "services")["summary"]["pass"]


def test_dualstack_info_fails_cleanly_on_bad_settings(run):
    res = run(info(cluster_cidrs=["10.0.0.0/16", "10.1.0.0/16"], ignore_errors=True),
              info(name="page", page_size=0, ignore_errors=True),
              info(name="masks", node_mask_sizes=24, ignore_errors=True),
              info(name="svc", service_cidrs=["10.96.0.0/16", "10.97.0.0/16"], ignore_errors=True),
              info(name="kinds", kinds=[], ignore_errors=True))
    assert "not configured as dual stack" in result_of(res, status="failed")["msg"]
    assert result_of(res, "page", status="failed")["msg"] == "page_size must be at least 1, got 0"
    assert result_of(res, "masks", status="failed")["msg"].startswith("node_mask_sizes needs cluster_cidrs")
    assert "must be one CIDR or an IPv4/IPv6 pair" in result_of(res, "svc", status="failed")["msg"]
    # no kinds: nothing is checked, the cluster's release (its /version) is the whole answer (issue 12)
    release = kubernetes_release()
    assert result_of(res, "kinds")["kubernetes_version"] == {
        "version": release, "minor": ".".join(release[1:].split(".")[:2]), "source": "cluster", "feature_gates": {}}
    assert "summary" not in result_of(res, "kinds")


def test_dualstack_info_answers_for_the_release_asked(run):
    res = run(info(kinds=["services"], kubernetes_version="1.35", feature_gates={"StrictIPCIDRValidation": True}),
              info(name="old", kinds=["services"], kubernetes_version="1.33", ignore_errors=True))
    assert result_of(res)["kubernetes_version"] == {"version": "1.35", "minor": "1.35", "source": "option",
                                                    "feature_gates": {"StrictIPCIDRValidation": True}}
    assert result_of(res, "old", status="failed")["msg"] == (
        "kubernetes_version 1.33: Kubernetes 1.33 is not supported; the supported releases are 1.34 to 1.37")


# --- the allocation against the real kube-controller-manager -----------------------------------------


def test_node_pod_cidrs_filter_predicts_kube_controller_manager(kube_clusters):
    """A control plane of its own (node IPAM on, its service range inside the cluster CIDR): the filter's plan
    equals the podCIDRs the real kube-controller-manager gives the same nodes, created in the same order."""
    from ansible_collections.clusternet.k8s.plugins.filter.node_pod_cidrs import node_pod_cidrs  # pylint: disable=import-outside-toplevel
    cluster_cidrs, service_cidrs = ["10.250.0.0/20", "fd00:10:250::/56"], ["10.250.0.0/24", "fd00:10:250::/112"]
    fresh = kube_clusters(service_cidrs=",".join(service_cidrs), cluster_cidrs=",".join(cluster_cidrs))
    api = k8s_config.new_client_from_config(config_file=fresh.kubeconfig)
    core = k8s_client.CoreV1Api(api)
    preset = {"metadata": {"name": "preset"}, "spec": {"podCIDRs": ["10.250.3.0/24", "fd00:10:250:1::/64"]}}
    names = ["n-%d" % i for i in range(12)]
    core.create_node(preset)
    for name in names:      # one at a time: the controller allocates in the order it sees them
        core.create_node({"metadata": {"name": name}})
        deadline = time.monotonic() + 20
        while not core.read_node(name).spec.pod_cidrs:
            assert time.monotonic() < deadline, "kube-controller-manager gave %s no podCIDRs in 20 s" % name
            time.sleep(0.05)
    actual = {n.metadata.name: n.spec.pod_cidrs for n in core.list_node().items if n.metadata.name != "preset"}
    api.close()
    planned = node_pod_cidrs([preset] + names, cluster_cidrs, [24, 64], service_cidrs)
    assert {n: c for n, c in planned.items() if n != "preset"} == actual


def test_dualstack_info_query_trims_the_reports(run, core, kube, task_page_cluster):
    """Issue 14, point 5: a JMESPath query replaces the per-object reports (for an AWX job's output)."""
    res = run(task("dualstack_info", name="q", query="{line: summary.line, failing: summary.failing[].name}"))
    found = res.task("q")["result"]
    assert set(found["query"]) == {"line", "failing"} and found["query"]["line"] == found["summary"]["line"]
    assert "nodes" not in found and "pods" not in found and "services" not in found
    bad = run(task("dualstack_info", name="bad", query="summary.[", ignore_errors=True))
    assert bad.task("bad")["result"]["msg"].startswith("query 'summary.[' is not a JMESPath expression: ")

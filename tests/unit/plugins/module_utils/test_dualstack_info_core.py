"""backends/dualstack_info: settings, streaming with restarts, tallies and reports, on a fake cluster."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.backends import dualstack_info as core
from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, DiscoveryError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.retry import RetryPolicy

SERVICES = ["10.96.0.0/16", "fd00:10:96::/112"]


class FakeCluster:
    """Objects per kind in memory, listed page by page; ``expire`` makes the n-th page request of a kind answer 410."""

    def __init__(self, objects, service_cidrs=None, expire=None, attempts=5):
        self.objects = objects
        self.service_cidrs = service_cidrs
        self.expire = dict(expire or {})
        self.policy = RetryPolicy(attempts=attempts)
        self.requests = []

    def pages(self, api_version, kind, namespace=None, label_selector=None, field_selector=None, page_size=500):
        items = [o for o in self.objects.get(kind, []) if namespace is None or o["metadata"].get("namespace") == namespace]
        if label_selector:
            key, value = label_selector.split("=")
            items = [o for o in items if (o["metadata"].get("labels") or {}).get(key) == value]
        for start in range(0, max(len(items), 1), page_size):
            self.requests.append((kind, namespace, start))
            if self.expire.get(kind) == len([r for r in self.requests if r[0] == kind]):
                raise ApiError("list", kind, 410, "Gone")
            yield [dict(o) for o in items[start:start + page_size]]

    def get(self, ref):
        if self.service_cidrs is None:
            raise DiscoveryError("not served", "discover", ref.kind)
        if ref.api_version != "networking.k8s.io/v1":
            raise AssertionError("v1 first")
        return {"spec": {"cidrs": self.service_cidrs}}


def node(name, cidrs=("10.244.1.0/24", "fd00:10:244:1::/64"), ips=("192.168.0.1", "fd00::1"), labels=None):
    addresses = [{"type": "InternalIP", "address": ip} for ip in ips]
    addresses += [{"type": "Hostname", "address": name}, {"type": "ExternalIP", "address": "1.2.3.4"}]
    return {"metadata": {"name": name, "labels": labels or {}}, "spec": {"podCIDRs": list(cidrs), "podCIDR": cidrs[0]},
            "status": {"addresses": addresses, "capacity": {"cpu": "4"}}}


def pod(name, ips, node_name="n1", namespace="default", phase="Running", labels=None):
    status = {"phase": phase}
    if ips:
        status.update(podIP=ips[0], podIPs=[{"ip": ip} for ip in ips])
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": {"nodeName": node_name, "containers": []}, "status": status}


def service(name, namespace="default", **spec):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


def good_service(name, namespace="default"):
    return service(name, namespace, type="ClusterIP", ipFamilyPolicy="SingleStack", ipFamilies=["IPv4"],
                   clusterIP="10.96.0.10", clusterIPs=["10.96.0.10"])


def cluster_objects():
    return {
        "Node": [node("n1"), node("n2", cidrs=("10.244.2.0/24", "10.245.2.0/24"))],
        "Pod": [pod("ok", ["10.244.1.4", "fd00:10:244:1::4"]), pod("v4", ["10.244.1.5"]),
                pod("pending", [], phase="Pending"), pod("elsewhere", ["10.244.1.6", "fd00:10:244:1::6"], "gone")],
        "Service": [good_service("web"), service("bad", ipFamilyPolicy="SingleStack", ipFamilies=["IPv6"],
                                                 clusterIP="10.96.0.11", clusterIPs=["10.96.0.11"])],
    }


def check(cluster=None, **settings):
    cluster = cluster or FakeCluster(cluster_objects(), SERVICES)
    return core.check_cluster(cluster, core.Settings(**settings))


def test_every_object_is_checked_with_the_core_checks():
    result = check(page_size=1)
    objects = cluster_objects()
    assert result["nodes"][0] == {k: v for k, v in dualstack.check_node(objects["Node"][0]).items() if k != "kind"}
    assert [n["pass"] for n in result["nodes"]] == [True, False]
    pods = {p["name"]: p for p in result["pods"]}
    assert set(pods) == {"ok", "v4", "elsewhere"}
    expected = dualstack.check_pod(objects["Pod"][0], objects["Node"][0])
    assert pods["ok"]["checks"] == expected["checks"] and pods["ok"]["namespace"] == "default"
    assert [c["check"] for c in pods["elsewhere"]["checks"]] == ["podIPs", "podIP"]  # its node was not read
    assert result["services"][1]["pass"] is False
    assert result["service_cidrs"] == SERVICES
    assert result["list_requests"] == {"nodes": 2, "pods": 4, "services": 2}


def test_summary_counts_per_check_and_the_failing_objects():
    summary = check()["summary"]
    assert summary["nodes"] == {"total": 2, "passed": 1, "failed": 1, "skipped": 0, "checks": {
        "podCIDRs": {"passed": 1, "failed": 1}, "podCIDR": {"passed": 2, "failed": 0}, "addresses": {"passed": 2, "failed": 0}}}
    assert summary["pods"]["total"] == 3 and summary["pods"]["skipped"] == 1 and summary["pods"]["failed"] == 1
    assert summary["failing"] == [
        {"kind": "Node", "name": "n2", "checks": ["podCIDRs"]},
        {"kind": "Pod", "name": "v4", "namespace": "default", "checks": ["podIPs"]},
        {"kind": "Service", "name": "bad", "namespace": "default", "checks": ["clusterIPs"]}]
    assert summary["pass"] is False


@pytest.mark.parametrize("report, kept", [("all", 3), ("failed", 1), ("none", 0)])
def test_report_keeps_all_failed_or_no_reports(report, kept):
    result = check(report=report, kinds=["pods"])
    assert len(result["pods"]) == kept and result["summary"]["pods"]["total"] == 3
    assert "nodes" not in result and "services" not in result["summary"]


def test_cluster_cidrs_add_their_check():
    result = check(kinds=["nodes"], cluster_cidrs=["10.244.0.0/16", "fd00:10:244::/56"], node_mask_sizes=[24, 64])
    assert result["summary"]["nodes"]["checks"]["podCIDRs-from-cluster-cidr"] == {"passed": 1, "failed": 1}


def test_namespaces_and_selectors():
    objects = cluster_objects()
    objects["Pod"].append(pod("t", ["10.244.1.7", "fd00:10:244:1::7"], namespace="team", labels={"app": "x"}))
    objects["Pod"].append(pod("u", ["10.244.1.8"], namespace="team"))
    objects["Node"].append(node("n3", labels={"pool": "b"}))
    cluster = FakeCluster(objects, SERVICES)
    result = check(cluster, kinds=["pods", "nodes"], namespaces=["team"], label_selector="app=x",
                   node_label_selector="pool=b")
    assert [p["name"] for p in result["pods"]] == ["t"] and [n["name"] for n in result["nodes"]] == ["n3"]
    assert [r[1] for r in cluster.requests if r[0] == "Pod"] == ["team"]


def test_nodes_are_read_for_pods_but_not_reported():
    cluster = FakeCluster(cluster_objects(), SERVICES)
    result = check(cluster, kinds=["pods"])
    assert "nodes" not in result and result["list_requests"]["nodes"] == 1
    ok = next(p for p in result["pods"] if p["name"] == "ok")
    assert "podIPs-in-podCIDRs" in [c["check"] for c in ok["checks"]]


def test_services_alone_do_not_read_nodes():
    cluster = FakeCluster(cluster_objects(), SERVICES)
    check(cluster, kinds=["services"])
    assert {r[0] for r in cluster.requests} == {"Service"}


def test_a_listing_starts_over_after_410_without_counting_twice():
    cluster = FakeCluster(cluster_objects(), SERVICES, expire={"Pod": 2, "Node": 2})
    result = check(cluster, page_size=1, namespaces=["default", "kube-system"])
    assert result["summary"]["pods"]["total"] == 3 and result["summary"]["pods"]["skipped"] == 1
    assert result["summary"]["nodes"]["total"] == 2
    assert result["list_requests"]["pods"] == 1 + 4 + 1  # the page before the 410, the full listing, kube-system


def test_410_every_time_gives_up():
    cluster = FakeCluster(cluster_objects(), SERVICES, expire={"Node": 1}, attempts=1)
    with pytest.raises(ApiError, match="410"):
        check(cluster)


def test_service_cidrs_from_the_cluster_or_a_warning():
    result = check(FakeCluster(cluster_objects(), None), kinds=["services"])
    assert result["services"] == [] and result["service_cidrs"] is None
    assert result["warnings"] and "set service_cidrs" in result["warnings"][0]
    given = check(FakeCluster(cluster_objects(), None), kinds=["services"], service_cidrs=SERVICES)
    assert len(given["services"]) == 2 and given["warnings"] == []


def test_an_unreadable_object_fails_its_own_report_only():
    objects = cluster_objects()
    objects["Node"].append({"metadata": {"name": "odd"}, "spec": {"podCIDRs": "10.0.0.0/24"}})
    objects["Pod"].append({"metadata": {"name": "odd", "namespace": "default"}, "spec": {"nodeName": 5},
                           "status": {"phase": "Running", "podIPs": [5]}})
    result = check(FakeCluster(objects, SERVICES), report="failed")
    odd = [r for r in result["nodes"] + result["pods"] if r["name"] == "odd"]
    assert [r["checks"][0]["check"] for r in odd] == ["object", "object"]
    assert "spec.podCIDRs must be a list" in odd[0]["checks"][0]["reason"]


@pytest.mark.parametrize("kwargs, message", [
    ({"kinds": []}, "kinds must be a non-empty list"),
    ({"kinds": ["nodes", "secrets"]}, "kinds must be a non-empty list"),
    ({"kinds": "nodes"}, "kinds must be a list"),
    ({"cluster_cidrs": ["10.0.0.0/8", "10.1.0.0/16"]}, "not configured as dual stack"),
    ({"node_mask_sizes": 24}, "node_mask_sizes needs cluster_cidrs"),
    ({"cluster_cidrs": ["10.0.0.0/8"], "node_mask_sizes": "x"}, "node_mask_sizes must be an integer"),
    ({"service_cidrs": ["10.96.0.0/16", "10.97.0.0/16"]}, "must be one CIDR or an IPv4/IPv6 pair"),
    ({"namespaces": [""]}, "namespaces must not hold an empty name"),
    ({"namespaces": "team"}, "namespaces must be a list"),
    ({"page_size": 0}, "page_size must be at least 1"),
    ({"page_size": True}, "page_size must be an integer"),
    ({"report": "some"}, "report must be one of all, failed, none"),
])
def test_settings_are_checked_before_any_request(kwargs, message):
    with pytest.raises(InputError, match=message):
        core.Settings(**kwargs)


def test_failure_message_names_the_first_failing_objects():
    result = check()
    assert core.failure_message(result) == (
        "3 of 7 objects fail the dual-stack checks: Node n2 (podCIDRs); Pod default/v4 (podIPs); "
        "Service default/bad (clusterIPs)")
    result["summary"]["failing"] = [{"kind": "Node", "name": "n%d" % i, "checks": ["podCIDRs"]} for i in range(25)]
    assert core.failure_message(result).endswith("Node n19 (podCIDRs) and 5 more")


def test_pod_has_ips():
    assert core._pod_has_ips(pod("a", ["10.0.0.1"]))
    assert core._pod_has_ips(pod("a", [], phase="Running"))
    assert not core._pod_has_ips(pod("a", [], phase="Pending"))
    assert not core._pod_has_ips({"metadata": {}})


def test_a_table_and_a_summary_line_a_person_can_read():
    """Issue 14, point 7: one line with the counts per kind, and one aligned row per failed check (kind,
    namespace/name, check, reason) instead of nested JSON."""
    result = check()
    assert result["summary"]["line"] == ("3 of 7 objects fail the dual-stack checks: Node 1 of 2, Pod 1 of 3 (1 skipped), "
                                         "Service 1 of 2")
    header, *rows = result["table"]
    assert header.split() == ["KIND", "NAMESPACE/NAME", "CHECK", "REASON"]
    assert [row.split()[:3] for row in rows] == [["Node", "n2", "podCIDRs"], ["Pod", "default/v4", "podIPs"],
                                                 ["Service", "default/bad", "clusterIPs"]]
    for column in ("NAMESPACE/NAME", "CHECK", "REASON"):  # the columns line up
        start = header.index(column)
        assert all(row[start - 1] == " " and row[start] != " " for row in rows), column
    assert check(kinds=["nodes"], cluster=FakeCluster({"Node": [node("n1")]}, SERVICES))["table"] == []


def test_the_table_cuts_long_reasons():
    lines = core.table(core.TABLE_HEADER, [("Pod", "default/p", "podIPs", "x" * 500)])
    assert len(lines[1]) < 200 and lines[1].endswith("...")

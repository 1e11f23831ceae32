"""backends/node_pod_cidrs: the plan (allocator order, kept and refused podCIDRs, subsets) and the patches, on a fake cluster."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.backends import node_pod_cidrs as core
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.retry import RetryPolicy

CLUSTER = ["10.244.0.0/16", "fd00:10:244::/56"]


class FakeCluster:
    """Nodes in memory; ``patch`` honours the resourceVersion precondition and never creates."""

    policy = RetryPolicy()

    def __init__(self, nodes, fail_patch=None):
        self.nodes = {n["metadata"]["name"]: n for n in nodes}
        self.patched, self.listed = [], []
        self.fail_patch = fail_patch or {}

    def pages(self, api_version, kind, namespace=None, label_selector=None, field_selector=None, page_size=500):
        items = [self.nodes[name] for name in sorted(self.nodes)]
        for start in range(0, len(items), page_size):
            self.listed.append(page_size)
            yield items[start:start + page_size]

    def get(self, ref):
        return self.nodes.get(ref.name)

    def pause(self, attempt):
        self.paused = getattr(self, "paused", 0) + 1

    def patch(self, ref, body, field_manager=None, dry_run=False):
        if ref.name in self.fail_patch:
            raise self.fail_patch.pop(ref.name)
        live = self.nodes.get(ref.name)
        if live is None:
            raise ApiError("patch", ref, 404, "Not Found")
        if body["metadata"]["resourceVersion"] != live["metadata"]["resourceVersion"]:
            raise ApiError("patch", ref, 409, "Conflict")
        self.patched.append((ref.name, body["spec"]["podCIDRs"], field_manager, dry_run))
        if not dry_run:
            live["spec"] = dict(body["spec"])
        return live


def node(name, pod_cidrs=None, version="1"):
    return {"metadata": {"name": name, "resourceVersion": version}, "spec": {"podCIDRs": pod_cidrs} if pod_cidrs else {}}


def settings(**kwargs):
    return core.Settings(kwargs.pop("cluster_cidrs", CLUSTER), **kwargs)


def run_plan(node_list, **kwargs):
    cluster = FakeCluster(node_list)
    found = core.read_nodes(cluster, 2)
    return core.plan(settings(**kwargs), found), cluster, found


def test_order_follows_the_list_and_skips_occupied_blocks():
    plan, cluster = run_plan([node("c"), node("a"), node("b", ["10.244.0.0/24", "fd00:10:244::/64"])],
                             service_cidrs=["10.244.1.0/24"])[:2]
    assert cluster.listed == [2, 2]
    assert plan.assignments == {"a": ["10.244.2.0/24", "fd00:10:244:1::/64"],
                                "c": ["10.244.3.0/24", "fd00:10:244:2::/64"]}
    assert plan.skipped == [{"name": "b", "podCIDRs": ["10.244.0.0/24", "fd00:10:244::/64"],
                             "reason": "spec.podCIDRs is already set (10.244.0.0/24, fd00:10:244::/64)"}]


def test_the_plan_is_the_filter_s_allocation():
    from ansible_collections.clusternet.k8s.plugins.module_utils.cidrset import node_pod_cidrs
    nodes = [node("n%02d" % i, ["10.244.%d.0/24" % (i * 3), "fd00:10:244:%x::/64" % (i * 3)] if i % 4 == 0 else None)
             for i in range(30)]
    plan = run_plan(nodes, node_mask_sizes={"IPv4": 24, "IPv6": 64})[0]
    expected = node_pod_cidrs([n if n["spec"] else n["metadata"]["name"] for n in nodes], CLUSTER, [24, 64])
    assert plan.assignments == {k: v for k, v in expected.items() if int(k[1:]) % 4}


def test_a_legacy_pod_cidr_alone_counts_as_set():
    legacy = {"metadata": {"name": "old", "resourceVersion": "3"}, "spec": {"podCIDR": "10.244.0.0/24"}}
    plan = run_plan([legacy, node("new")], cluster_cidrs=["10.244.0.0/16"])[0]
    assert plan.assignments == {"new": ["10.244.1.0/24"]}
    assert plan.skipped[0]["podCIDRs"] == ["10.244.0.0/24"]


@pytest.mark.parametrize("pod_cidrs, reason", [
    (["10.244.7.0/24"], "does not match cluster_cidrs: spec.podCIDRs has 1 entries for 2 --cluster-cidr entries"),
    (["10.244.7.0/25", "fd00:10:244:7::/64"], "spec.podCIDRs[0] 10.244.7.0/25 is not a /24 node block"),
    (["fd00:10:244:7::/64", "10.244.7.0/24"], "would refuse to start with it: failed to mark cidr[fd00:10:244:7::/64] at idx [0]"),
    (["10.9.0.0/24", "fd00:10:244:7::/64"],
     "kube-controller-manager would refuse to start with it: failed to mark cidr[10.9.0.0/24] at idx [0] as occupied "
     "for node: x: cidr 10.9.0.0/24 is out the range of cluster cidr 10.244.0.0/16"),
    (["10.244.7.0/24", "fd00:10:244:7::/64", "10.245.0.0/24"], "that does not exist in cluster cidrs configuration"),
    (["garbage"], "kube-controller-manager would refuse to start with it: failed to parse node x, CIDR garbage"),
])
def test_a_set_value_that_does_not_fit_is_reported_and_kept(pod_cidrs, reason):
    plan = run_plan([node("x", pod_cidrs), node("y")])[0]
    assert plan.skipped[0]["name"] == "x" and plan.skipped[0]["podCIDRs"] == pod_cidrs
    assert plan.skipped[0]["reason"].startswith(core.IMMUTABLE) and reason in plan.skipped[0]["reason"]
    assert list(plan.assignments) == ["y"]


def test_a_set_value_still_occupies_its_blocks():
    plan = run_plan([node("a", ["10.244.0.0/24"]), node("b")])[0]  # one family only: kept, and its block is taken
    assert plan.assignments["b"][0] == "10.244.1.0/24"


def test_subset_and_missing_names():
    plan = run_plan([node("a"), node("b"), node("c", ["10.244.0.0/24", "fd00:10:244::/64"])], nodes=["b", "ghost", "b"])[0]
    assert plan.assignments == {"b": ["10.244.1.0/24", "fd00:10:244:1::/64"]}
    assert plan.skipped == [{"name": "ghost", "podCIDRs": [], "reason": "no Node of this name"}]


def test_exhaustion_changes_nothing():
    with pytest.raises(InputError, match=r"^no podCIDR is left for node 'c' in cluster CIDR 10.1.0.0/23.*error syncing "
                                         r"'c': failed to allocate cidr from cluster cidr at idx:0: CIDR allocation "
                                         r"failed.*\(2 Node\(s\) could be given podCIDRs before that; nothing"):
        run_plan([node("a"), node("b"), node("c")], cluster_cidrs=["10.1.0.0/23"])


@pytest.mark.parametrize("kwargs, message", [
    ({"cluster_cidrs": ["10.0.0.0/8", "10.1.0.0/16"]}, "not configured as dual stack"),
    ({"cluster_cidrs": ["fd00::/32"], "node_mask_sizes": {"IPv6": 64}}, "the node CIDR size is too big"),
    ({"node_mask_sizes": 24}, "usage of --node-cidr-mask-size is not allowed with dual-stack clusters"),
    ({"service_cidrs": ["10.96.0.0/12", "10.97.0.0/16"]}, "not dualstack"),
    ({"service_cidrs": ["nope"]}, "service_cidrs entry 'nope' is not a CIDR"),
    ({"nodes": "a"}, "nodes must be a list"),
    ({"page_size": 0}, "page_size must be at least 1"),
])
def test_settings_are_checked_as_kube_controller_manager_checks_its_flags(kwargs, message):
    with pytest.raises(InputError, match=message):
        settings(**kwargs)


def test_assign_patches_with_the_resource_version_read():
    plan, cluster, found = run_plan([node("a", version="7"), node("b", version="8")])
    done = core.assign(cluster, plan, found, "mgr")
    assert done == plan.assignments
    assert [p[0] for p in cluster.patched] == ["a", "b"] and cluster.patched[0][2:] == ("mgr", False)
    assert cluster.nodes["a"]["spec"] == {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24", "fd00:10:244::/64"]}


def test_dry_run_stores_nothing():
    plan, cluster, found = run_plan([node("a")])
    assert core.assign(cluster, plan, found, "mgr", dry_run=True) == plan.assignments
    assert cluster.patched[0][3] is True and cluster.nodes["a"]["spec"] == {}


def test_a_node_given_pod_cidrs_meanwhile_is_reported_not_changed():
    plan, cluster, found = run_plan([node("a"), node("b"), node("c")])
    cluster.nodes["b"] = node("b", ["10.244.9.0/24", "fd00:10:244:9::/64"], version="9")  # kcm was faster
    del cluster.nodes["c"]
    done = core.assign(cluster, plan, found, "mgr")
    assert list(done) == ["a"]
    assert cluster.nodes["b"]["spec"]["podCIDRs"] == ["10.244.9.0/24", "fd00:10:244:9::/64"] and "c" not in cluster.nodes
    assert plan.skipped == [
        {"name": "b", "podCIDRs": ["10.244.9.0/24", "fd00:10:244:9::/64"],
         "reason": core.IMMUTABLE + "; it was set meanwhile by another client"},
        {"name": "c", "podCIDRs": [], "reason": "the Node was deleted meanwhile"}]


def test_a_patch_that_went_through_before_a_retry_counts_as_done():
    plan, cluster, found = run_plan([node("a")])
    cluster.nodes["a"] = node("a", plan.assignments["a"], version="2")
    assert core.assign(cluster, plan, found, "mgr") == plan.assignments


def test_a_failed_patch_reports_what_was_done_before():
    plan, cluster, found = run_plan([node("a"), node("b")])
    cluster.fail_patch["b"] = ApiError("patch", "Node b", 500, "Internal Server Error")
    with pytest.raises(core.AssignFailure) as raised:
        core.assign(cluster, plan, found, "mgr")
    assert list(raised.value.done) == ["a"] and "[podCIDRs set on 1 Node(s) before: a]" in str(raised.value)
    assert raised.value.details()["status"] == 500


def test_a_node_modified_meanwhile_but_still_without_pod_cidrs_is_patched_again_at_its_new_version():
    """Issue 13, defect 8: a 409 "the object has been modified" (a label, a status heartbeat) is retried after a fresh read."""
    plan, cluster, found = run_plan([node("a")])
    cluster.nodes["a"] = node("a", version="7")  # the kubelet's heartbeat
    assert core.assign(cluster, plan, found, "mgr") == plan.assignments
    assert cluster.nodes["a"]["spec"]["podCIDRs"] == plan.assignments["a"]


def conflict(ref):
    raise ApiError("patch", ref, 409, "Conflict")


def test_a_node_that_keeps_changing_fails_after_the_retries():
    plan, cluster, found = run_plan([node("a")])
    cluster.patch = lambda ref, body, *args: conflict(ref)
    with pytest.raises(core.AssignFailure, match="HTTP 409.*gave up after 5 attempts"):
        core.assign(cluster, plan, found, "mgr")


def test_diff():
    assert core.diff("a", ["10.0.0.0/24", "fd00::/64"]) == {
        "before": {"spec": {}}, "after": {"spec": {"podCIDR": "10.0.0.0/24", "podCIDRs": ["10.0.0.0/24", "fd00::/64"]}},
        "before_header": "Node a (live)", "after_header": "Node a (podCIDRs assigned)"}

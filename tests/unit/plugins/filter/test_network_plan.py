"""The network_plan filter, called as Jinja calls it, on the vectors it can express."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.network_plan import FilterModule

network_plan = FilterModule().filters()["network_plan"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

# node_mask_sizes as the filter takes them, from kube-controller-manager's three flags
MASK_FLAGS = {"--node-cidr-mask-size-ipv4": "IPv4", "--node-cidr-mask-size-ipv6": "IPv6"}


def vectors(feature, where=lambda v: True):
    cases = [v for v in VECTORS if v["feature"] == feature and where(v)]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


def node_mask_sizes(flags):
    if "--node-cidr-mask-size" in flags:
        return flags["--node-cidr-mask-size"]
    masks = {family: flags[flag] for flag, family in MASK_FLAGS.items() if flag in flags}
    return masks or None


@vectors("kcm-flags", lambda v: "node_mask_sizes" in v["expected"])
def test_node_masks_from_kcm_flags(vec):
    flags = vec["input"]["flags"]
    cluster = flags["--cluster-cidr"]
    services = ["10.96.0.0/12", "fd00:10:96::/108"][:len(cluster.split(","))]
    plan = network_plan(cluster, services, node_mask_sizes=node_mask_sizes(flags))
    assert plan["errors"] == []
    assert [p["node_mask"] for p in plan["capacity"]["pod_networks"]] == vec["expected"]["node_mask_sizes"]


def one_mask_argument(flags):
    """node_mask_sizes is one of the three flags' forms; mixing them is component_flag_errors' case."""
    return not ("--node-cidr-mask-size" in flags and any(flag in flags for flag in MASK_FLAGS))


@vectors("kcm-flags", lambda v: "error" in v["expected"] and "--cluster-cidr" in v["input"]["flags"]
         and one_mask_argument(v["input"]["flags"]))
def test_kcm_refusals(vec):
    flags = vec["input"]["flags"]
    plan = network_plan(flags["--cluster-cidr"], "10.96.0.0/12", node_mask_sizes=node_mask_sizes(flags))
    assert len(plan["errors"]) == 1 and plan["errors"][0].endswith(": " + vec["expected"]["error"])


@vectors("apiserver-flags", lambda v: "primary_service_cidr" in v["input"])
def test_kubernetes_service_ip(vec):
    plan = network_plan("fd00:10:244::/56", vec["input"]["primary_service_cidr"])
    assert plan["capacity"]["kubernetes_service_ip"] == vec["expected"]["kubernetes_default_ip"]


def test_lazy_types_and_clean_errors():
    class Tagged(list):
        pass

    plan = network_plan(Tagged(["10.244.0.0/16"]), "10.96.0.0/12", node_count=10, max_pods=110)
    assert plan["errors"] == [] and plan["capacity"]["max_nodes"] == 256
    with pytest.raises(AnsibleFilterError, match=r"^network_plan: max_pods must be a non-negative integer"):
        network_plan("10.244.0.0/16", "10.96.0.0/12", max_pods=-5)
    with pytest.raises(AnsibleFilterError, match=r"^network_plan: "):
        network_plan("10.244.0.0/16")


def test_the_report_per_family_without_2_to_the_64():
    """Issue 14, point 7: a table per family, the free space and overlaps as netaddr computes them, and Markdown."""
    plan = network_plan(["10.244.0.0/16", "fd00:10:244::/56"], ["10.96.0.0/16", "fd00:10:96::/112"], node_count=2,
                        node_networks=["192.0.2.0/24", "2001:db8:0:1::/64"])
    assert plan["table"][:3] == ["IPv4",
                                 "  CIDR           NODE MASK  NODES THAT FIT  PODS PER NODE",
                                 "  10.244.0.0/16  /24        256             110"]
    assert "  fd00:10:244::/56  /64        256             110" in plan["table"]
    assert not [line for line in plan["table"] if "18446744073709551614" in line]
    assert plan["families"]["IPv4"]["free"] == {"10.244.0.0/16": [
        "10.244.2.0/23", "10.244.4.0/22", "10.244.8.0/21", "10.244.16.0/20", "10.244.32.0/19", "10.244.64.0/18",
        "10.244.128.0/17"]}
    assert "| `10.244.0.0/16` | /24 | 256 | 110 |" in plan["markdown"].splitlines()


def test_the_report_names_the_exact_overlapping_ranges():
    plan = network_plan(["10.244.0.0/16"], ["10.244.255.0/24"], node_networks=["10.244.0.0/20"])
    assert plan["families"]["IPv4"]["overlaps"] == [
        {"between": ["--cluster-cidr 10.244.0.0/16", "--service-cluster-ip-range 10.244.255.0/24"],
         "ranges": ["10.244.255.0/24"]},
        {"between": ["--cluster-cidr 10.244.0.0/16", "node network 10.244.0.0/20"], "ranges": ["10.244.0.0/20"]}]
    assert plan["families"]["IPv4"]["free"] == {"10.244.0.0/16": [
        "10.244.16.0/20", "10.244.32.0/19", "10.244.64.0/18", "10.244.128.0/18", "10.244.192.0/19", "10.244.224.0/20",
        "10.244.240.0/21", "10.244.248.0/22", "10.244.252.0/23", "10.244.254.0/24"]}

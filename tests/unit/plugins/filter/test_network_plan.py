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

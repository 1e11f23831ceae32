"""The node_pod_cidrs filter, called as Jinja calls it, on every vector it can express.

Not expressible here (tested through the core in test_cidrset.py): what follows a ``Release``
(a filter call plans one allocation pass; a node deleted mid-way has no input form), and
``TestGetBitforCIDR/Get error with IPv6``, which calls ``getIndexForIP`` directly (through
``Occupy`` the range check runs first and reports ``cidr ... is out the range of cluster cidr``).
"""
import ipaddress
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.node_pod_cidrs import FilterModule

node_pod_cidrs = FilterModule().filters()["node_pod_cidrs"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

NO_REMAINING = "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"


def vectors(feature, where=lambda v: True):
    cases = [v for v in VECTORS if v["feature"] == feature and where(v)]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


def existing(name, *pod_cidrs):
    return {"kind": "Node", "metadata": {"name": name}, "spec": {"podCIDRs": list(pod_cidrs)}}


def new_nodes(count):
    return ["node-%d" % i for i in range(count)]


def block(cluster_cidr, node_mask, index):
    """The index-th node block, by plain address arithmetic."""
    net = ipaddress.ip_network(cluster_cidr, strict=False)
    first = int(net.network_address) + (index << (net.max_prefixlen - node_mask))
    return str(ipaddress.ip_network((first, node_mask)))


@vectors("cidrset", lambda v: "index" in v["input"])
def test_index_to_cidr_block_is_the_order_nodes_get(vec):
    given = vec["input"]
    count = given["index"] + 1
    result = node_pod_cidrs(new_nodes(count), given["cluster_cidr"], [given["node_mask"]])
    assert result["node-%d" % given["index"]] == [vec["expected"]["cidr"]]


@vectors("cidrset", lambda v: "subnet" in v["input"] and "index" in v["expected"])
def test_block_index_is_the_allocation_position(vec):
    given = vec["input"]
    result = node_pod_cidrs(new_nodes(vec["expected"]["index"] + 1), given["cluster_cidr"], [given["node_mask"]])
    assert result["node-%d" % vec["expected"]["index"]] == [given["subnet"]]


@vectors("cidrset", lambda v: "occupy" in v["input"])
def test_occupied_blocks_are_skipped(vec):
    """New nodes fill the blocks before the occupied range, then continue right after it."""
    given = vec["input"]
    first, last = vec["expected"]["used_index_range"]
    max_cidrs = 1 << (given["node_mask"] - int(given["cluster_cidr"].split("/")[1]))
    nodes = [existing("occupier", given["occupy"])] + new_nodes(first + 1)
    if last + 1 == max_cidrs:
        with pytest.raises(AnsibleFilterError) as err:
            node_pod_cidrs(nodes, given["cluster_cidr"], [given["node_mask"]])
        assert NO_REMAINING in str(err.value)
        return
    result = node_pod_cidrs(nodes, given["cluster_cidr"], [given["node_mask"]])
    before = [block(given["cluster_cidr"], given["node_mask"], i) for i in range(first)]
    assert [result["node-%d" % i][0] for i in range(first)] == before
    assert result["node-%d" % first] == [block(given["cluster_cidr"], given["node_mask"], last + 1)]


@vectors("cidrset", lambda v: "ops" in v["input"] and not isinstance(v["input"]["ops"], list) or
         "results" in v["expected"] or "first_three" in v["expected"])
def test_allocation_before_any_release(vec):
    """The release-free start of the operation scripts: successive nodes, then exhaustion."""
    given, expected = vec["input"], vec["expected"]
    mask = [given["node_mask"]]
    if "results" in expected:  # [cidr, error, ...]: one block only
        assert node_pod_cidrs(["a"], given["cluster_cidr"], mask) == {"a": [expected["results"][0]]}
        with pytest.raises(AnsibleFilterError) as err:
            node_pod_cidrs(["a", "b"], given["cluster_cidr"], mask)
        assert str(err.value).startswith("node_pod_cidrs: no podCIDR is left for node 'b' in cluster CIDR ")
        assert str(err.value).endswith("(kube-controller-manager would log: error syncing 'b': failed to allocate cidr "
                                       "from cluster cidr at idx:0: %s, requeuing)" % NO_REMAINING)
    elif "first_five" in expected:
        result = node_pod_cidrs(new_nodes(256), given["cluster_cidr"], mask)
        assert [result["node-%d" % i][0] for i in range(5)] == expected["first_five"]
        assert result["node-255"] == [expected["256th"]]
        with pytest.raises(AnsibleFilterError, match=NO_REMAINING):
            node_pod_cidrs(new_nodes(257), given["cluster_cidr"], mask)
    else:
        result = node_pod_cidrs(new_nodes(3), given["cluster_cidr"], mask)
        assert [result["node-%d" % i][0] for i in range(3)] == expected["first_three"]


@vectors("range-allocator")
def test_range_allocator_vectors(vec):
    given, expected = vec["input"], vec["expected"]
    service_cidrs = [given["service_cidr"]] if "service_cidr" in given else None
    if "allocator_creation_fails" in expected:
        nodes = [existing("node0", *given["existing_node_podCIDRs"])]
        if expected["allocator_creation_fails"]:
            with pytest.raises(AnsibleFilterError, match="as occupied for node: node0"):
                node_pod_cidrs(nodes, given["cluster_cidrs"], given["node_mask_sizes"], service_cidrs)
        else:
            result = node_pod_cidrs(nodes, given["cluster_cidrs"], given["node_mask_sizes"], service_cidrs)
            assert len(result["node0"]) == (len(given["existing_node_podCIDRs"]) or len(given["cluster_cidrs"]))
        return
    occupied = [existing("old-%s-%d" % (idx, i), cidr)
                for idx, cidrs in given.get("pre_occupied", {}).items() for i, cidr in enumerate(cidrs)]
    result = node_pod_cidrs(occupied + ["new"], given["cluster_cidrs"], given["node_mask_sizes"], service_cidrs)
    assert result["new"] == expected["podCIDRs"]


def test_ansible_types_and_clean_errors():
    class Tagged(str):
        pass

    assert node_pod_cidrs([Tagged("n")], Tagged("10.0.0.0/16")) == {"n": ["10.0.0.0/24"]}
    with pytest.raises(AnsibleFilterError, match=r"^node_pod_cidrs: nodes must be a list"):
        node_pod_cidrs("n", "10.0.0.0/16")
    with pytest.raises(AnsibleFilterError, match=r"^node_pod_cidrs: "):
        node_pod_cidrs(["n"])

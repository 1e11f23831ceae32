"""kube-controller-manager's node podCIDR allocation: CidrSet, RangeAllocator, NewNodeIpamController, node_pod_cidrs."""
import json
import os
import random
import re

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset
from ansible_collections.clusternet.k8s.plugins.module_utils import component_flags as cf
from ansible_collections.clusternet.k8s.plugins.module_utils.cidrset import CIDRAllocatorError, CidrSet, RangeAllocator
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import go_cidr_string, parse_cidr_sloppy

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

# cidr_set.go's error variables, by the names the vectors use
GO_ERRORS = {"ErrCIDRRangeNoCIDRsRemaining":
             "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range"}


def vectors(feature):
    return [pytest.param(v, id=v["name"]) for v in VECTORS if v["feature"] == feature]


def net(text):
    return parse_cidr_sloppy(text)[1]


def test_vector_counts():
    counts = {feature: sum(v["feature"] == feature for v in VECTORS)
              for feature in ("cidrset", "range-allocator", "nodeipam-controller")}
    assert counts == {"cidrset": 28, "range-allocator": 7, "nodeipam-controller": 6}


# --- CidrSet vectors ---------------------------------------------------------------------------

def run_ops(cidr_set, ops):
    """Run the vectors' operation scripts; allocations give a CIDR or an error name, releases "ok"."""
    results, allocated = [], []
    for op in ops:
        if isinstance(op, list):  # ["occupy"|"release", cidr]: the allocated count after each
            getattr(cidr_set, op[0])(net(op[1]))
            results.append(cidr_set.allocated)
            continue
        match = re.fullmatch(r"AllocateNext(?: x(\d+))?", op)
        if match:
            for attempt in range(int(match.group(1) or 1)):
                try:
                    allocated.append(cidr_set.allocate_next())
                    results.append(go_cidr_string(allocated[-1]))
                except CIDRAllocatorError as err:
                    results.append(next(name for name, text in GO_ERRORS.items() if text == str(err)))
            continue
        if op == "Release(first)":
            cidr_set.release(allocated[0])
        elif op.startswith("Release all "):
            for cidr in allocated[:int(op.split()[-1])]:
                cidr_set.release(cidr)
        else:
            cidr_set.release(net(op.split()[1]))
        results.append("ok")
    return results


def cidr_set_of(vector):
    return CidrSet(net(vector["input"]["cluster_cidr"]), vector["input"]["node_mask"])


@pytest.mark.parametrize("vector", vectors("cidrset"))
def test_cidrset_vectors(vector):
    given, expected = vector["input"], vector["expected"]
    cidr_set = cidr_set_of(vector)
    if "index" in given:
        assert go_cidr_string(cidr_set.index_to_cidr(given["index"])) == expected["cidr"]
    elif "subnet" in given:
        address = net(given["subnet"]).network_address
        if "error" in expected:
            with pytest.raises(CIDRAllocatorError) as err:
                cidr_set.index_of(address)
            assert str(err.value) == expected["error"]
        else:
            assert cidr_set.index_of(address) == expected["index"]
    elif "occupy" in given:
        cidr_set.occupy(net(given["occupy"]))
        first, last = expected["used_index_range"]
        assert cidr_set.used_runs() == [(first, last)]
        assert cidr_set.allocated == last - first + 1
    else:
        ops = given["ops"].split(", ") if isinstance(given["ops"], str) else given["ops"]
        results = run_ops(cidr_set, ops)
        if "results" in expected:
            assert results == expected["results"]
        if "first_five" in expected:
            assert results[:5] == expected["first_five"]
            assert results[255] == expected["256th"]
            assert results[256] == expected["257th"]
            assert (results[258:] == results[:256]) is expected["reallocation_equals_first_pass"]
        if "first_three" in expected:
            assert results[:3] == expected["first_three"]
            assert results[4:] == expected["then"]
        if "allocated_count_after_each_op" in expected:
            assert results == expected["allocated_count_after_each_op"]
            allocatable = 0
            with pytest.raises(CIDRAllocatorError) as err:
                while True:
                    cidr_set.allocate_next()
                    allocatable += 1
            assert allocatable == expected["then_allocatable"]
            assert str(err.value) == GO_ERRORS[expected["then_AllocateNext"]]


# --- CidrSet edge cases ------------------------------------------------------------------------

def test_ipv6_node_mask_at_most_16_bits_longer():
    CidrSet(net("fd00::/48"), 64)
    with pytest.raises(CIDRAllocatorError, match=r"^New CIDR set failed; the node CIDR size is too big$"):
        CidrSet(net("fd00::/32"), 49)


def test_ipv4_has_no_mask_difference_limit_and_large_ranges_cost_nothing():
    cidr_set = CidrSet(net("128.0.0.0/1"), 32)
    assert cidr_set.max_cidrs == 1 << 31
    cidr_set.occupy(net("128.0.0.0/2"))
    assert cidr_set.allocated == 1 << 30
    assert go_cidr_string(cidr_set.allocate_next()) == "192.0.0.0/32"
    cidr_set.occupy(net("255.255.255.255/32"))
    assert cidr_set.used_runs() == [(0, (1 << 30)), ((1 << 31) - 1, (1 << 31) - 1)]


def test_ipv4_32_bit_difference_overflows_the_index_check_as_go_does():
    """``getIndexForIP`` compares with ``uint32(s.maxCIDRs)``: 1<<32 truncates to 0, so a /0 cluster
    CIDR with /32 node blocks hands out blocks but can occupy none (cidr_set.go)."""
    cidr_set = CidrSet(net("0.0.0.0/0"), 32)
    assert cidr_set.max_cidrs == 1 << 32
    assert [go_cidr_string(cidr_set.allocate_next()) for dummy in range(2)] == ["0.0.0.0/32", "0.0.0.1/32"]
    with pytest.raises(CIDRAllocatorError) as err:
        cidr_set.occupy(net("10.0.0.0/24"))
    assert str(err.value) == "CIDR: 10.0.0.0/32 is out of the range of CIDR allocator"
    cidr_set.occupy(net("0.0.0.0/0"))  # as large as the cluster CIDR: the whole range, no index needed
    assert cidr_set.allocated == 1 << 32


def test_service_range_filter_failures_are_only_logged():
    """``filterOutServiceRange`` only logs an ``Occupy`` error (range_allocator.go): the blocks stay free,
    while an existing node's podCIDR that cannot be occupied stops kube-controller-manager."""
    allocator = RangeAllocator([net("0.0.0.0/0")], [32], [net("10.96.0.0/12")])
    assert allocator.sets[0].allocated == 0
    assert cidrset.node_pod_cidrs(["a"], "0.0.0.0/0", [32], "10.96.0.0/12") == {"a": ["0.0.0.0/32"]}
    with pytest.raises(InputError) as err:
        cidrset.node_pod_cidrs([{"metadata": {"name": "b"}, "spec": {"podCIDRs": ["10.0.0.1/32"]}}], "0.0.0.0/0", [32])
    assert str(err.value).endswith("failed to mark cidr[10.0.0.1/32] at idx [0] as occupied for node: b: CIDR: "
                                   "10.0.0.1/32 is out of the range of CIDR allocator")


def test_smaller_cidr_occupies_its_whole_block_and_release_only_counts_used_blocks():
    cidr_set = CidrSet(net("10.0.0.0/16"), 24)
    cidr_set.occupy(net("10.0.5.128/25"))
    assert cidr_set.used_runs() == [(5, 5)]
    cidr_set.release(net("10.0.4.0/22"))
    assert (cidr_set.allocated, cidr_set.used_runs()) == (0, [])


def test_occupy_and_release_outside_the_cluster_cidr():
    cidr_set = CidrSet(net("10.0.0.0/16"), 24)
    for cidr in ("10.1.0.0/24", "fd00::/64"):
        with pytest.raises(CIDRAllocatorError) as err:
            cidr_set.occupy(net(cidr))
        assert str(err.value) == "cidr %s is out the range of cluster cidr 10.0.0.0/16" % cidr


def test_next_candidate_is_not_moved_by_occupy_or_release():
    cidr_set = CidrSet(net("10.0.0.0/22"), 24)
    cidr_set.allocate_next()
    cidr_set.occupy(net("10.0.2.0/24"))
    assert [go_cidr_string(cidr_set.allocate_next()), go_cidr_string(cidr_set.allocate_next())] == [
        "10.0.1.0/24", "10.0.3.0/24"]


def test_ipv6_block_index_keeps_only_the_low_64_bits_as_go_does():
    cidr_set = CidrSet(net("2001:db8::/56"), 72)
    # differs from the cluster CIDR only in the first 8 bits: Go's Uint64() drops them
    assert cidr_set.index_of(net("2101:db8::/72").network_address) == 0
    with pytest.raises(CIDRAllocatorError, match="out of the range of CIDR allocator"):
        cidr_set.index_of(net("2001:db8:0:100::/72").network_address)


def test_negative_mask_difference_gives_an_empty_set():
    cidr_set = CidrSet(net("10.0.0.0/16"), 8)
    assert cidr_set.max_cidrs == 0
    with pytest.raises(CIDRAllocatorError, match="no remaining CIDRs"):
        cidr_set.allocate_next()


def test_used_bits_against_a_plain_set():
    rng = random.Random(7)
    cidr_set = CidrSet(net("10.0.0.0/16"), 24)
    model = set()
    for step in range(400):
        first = rng.randrange(256)
        prefix = rng.choice([24, 23, 22, 20])
        block = net("10.0.%d.0/%d" % (first, prefix))
        begin = (int(block.network_address) >> 8) & 0xFF
        indexes = set(range(begin, begin + (1 << (24 - prefix))))
        if rng.random() < 0.6:
            cidr_set.occupy(block)
            model |= indexes
        else:
            cidr_set.release(block)
            model -= indexes
        runs = cidr_set.used_runs()
        assert {i for a, b in runs for i in range(a, b + 1)} == model
        assert all(runs[k][1] + 1 < runs[k + 1][0] for k in range(len(runs) - 1))  # merged, never touching
        assert cidr_set.allocated == len(model)


# --- RangeAllocator vectors --------------------------------------------------------------------

def allocator_of(given):
    cluster = [net(c) for c in given["cluster_cidrs"]]
    services = [net(given["service_cidr"])] if given.get("service_cidr") else []
    return RangeAllocator(cluster, given["node_mask_sizes"], services)


@pytest.mark.parametrize("vector", vectors("range-allocator"))
def test_range_allocator_vectors(vector):
    given, expected = vector["input"], vector["expected"]
    allocator = allocator_of(given)
    if "allocator_creation_fails" in expected:
        if expected["allocator_creation_fails"]:
            with pytest.raises(CIDRAllocatorError):
                allocator.occupy_node("node0", given["existing_node_podCIDRs"])
        else:
            allocator.occupy_node("node0", given["existing_node_podCIDRs"])
        return
    for idx, cidrs in given.get("pre_occupied", {}).items():
        for cidr in cidrs:
            allocator.sets[int(idx)].occupy(net(cidr))
    assert allocator.allocate_node("node0") == expected["podCIDRs"]


def test_existing_node_errors_read_as_kube_controller_manager_writes_them():
    allocator = RangeAllocator([net("10.10.0.0/16"), net("ace:cab:deca::/8")], [24, 24])
    with pytest.raises(CIDRAllocatorError) as err:
        allocator.occupy_node("node0", ["10.10.0.1/24", "cdd::/86"])
    assert str(err.value) == ("failed to mark cidr[cdd::/86] at idx [1] as occupied for node: node0: "
                              "cidr cdd::/86 is out the range of cluster cidr a00::/8")
    with pytest.raises(CIDRAllocatorError) as err:
        allocator.occupy_node("node1", ["10.10.1.0/24", "a00::/24", "10.10.2.0/24"])
    assert str(err.value) == ("node:node1 has an allocated cidr: 10.10.2.0/24 at index:2 that does not exist in "
                              "cluster cidrs configuration")
    with pytest.raises(CIDRAllocatorError) as err:
        allocator.occupy_node("node2", ["garbage"], "garbage")
    assert str(err.value) == "failed to parse node node2, CIDR garbage"


def test_exhaustion_is_reported_as_the_sync_error():
    allocator = RangeAllocator([net("10.0.0.0/24"), net("fd00::/64")], [25, 64])
    allocator.allocate_node("a")
    with pytest.raises(CIDRAllocatorError) as err:
        allocator.allocate_node("b")
    assert str(err.value) == ("error syncing 'b': failed to allocate cidr from cluster cidr at idx:1: CIDR allocation "
                              "failed; there are no remaining CIDRs left to allocate in the accepted range, requeuing")


# --- NewNodeIpamController vectors -------------------------------------------------------------

def parsed_like_the_go_test(text):
    """TestNewNodeIpamControllerWithCIDRMasks parses with ParseCIDRs and ignores the error."""
    try:
        return cidrset.parse_cidrs(text.split(","))
    except CIDRAllocatorError:
        return []


@pytest.mark.parametrize("vector", vectors("nodeipam-controller"))
def test_node_ipam_controller_vectors(vector):
    given, expected = vector["input"], vector["expected"]
    cluster = parsed_like_the_go_test(given["cluster_cidr"])
    check = (cidrset.check_node_ipam_controller, cluster, given["node_cidr_mask_sizes"], given["allocator_type"])
    if expected["error"] is None:
        check[0](*check[1:])
    else:
        with pytest.raises(CIDRAllocatorError) as err:
            check[0](*check[1:])
        assert str(err.value) == expected["error"]


# --- kube-controller-manager configuration (kcm-flags vectors through the core) ----------------

KCM_MASK_FLAGS = ("--node-cidr-mask-size", "--node-cidr-mask-size-ipv4", "--node-cidr-mask-size-ipv6")


def kcm_config(flags):
    """What kube-controller-manager derives from the flags: node masks per cluster CIDR."""
    cidrset.kcm_service_cidrs(flags.get("--service-cluster-ip-range"))
    cluster = cidrset.cluster_cidrs_from(flags.get("--cluster-cidr", ""))
    return cidrset.set_node_cidr_mask_sizes(cluster, *[flags.get(name, 0) for name in KCM_MASK_FLAGS])


@pytest.mark.parametrize("vector", vectors("kcm-flags"))
def test_kcm_flag_vectors_through_the_core(vector):
    flags, expected = vector["input"]["flags"], vector["expected"]
    if "error" in expected:
        with pytest.raises(CIDRAllocatorError) as err:
            kcm_config(flags)
        assert str(err.value) == expected["error"]
    else:
        assert kcm_config(flags) == expected["node_mask_sizes"]


@pytest.mark.parametrize("value, error", [
    ("", "invalid CIDR[0]: <nil> (invalid CIDR address: )"),
    ("10.0.0.0/16, fd00::/48", "invalid CIDR[1]: <nil> (invalid CIDR address:  fd00::/48)"),
    ("10.0.0.0/16,fd00::/48,fd01::/48", "length of clusterCIDRs is:3 more than max allowed of 2"),
    ("fd00::/48,fd01::/48", "len of ClusterCIDRs==2 and they are not configured as dual stack (at least one from each "
                            "IPFamily"),
])
def test_cluster_cidrs_as_kube_controller_manager_reads_them(value, error):
    with pytest.raises(CIDRAllocatorError) as err:
        cidrset.cluster_cidrs_from(value, "--cluster-cidr")
    assert str(err.value) == error


def test_a_space_in_a_filter_argument_is_told_in_plain_words():
    """Only the flag's writer sees kube-controller-manager's text; a filter or module argument is Ansible's."""
    with pytest.raises(InputError) as err:
        cidrset.cluster_cidrs_from("10.0.0.0/16, fd00::/48")
    assert str(err.value) == ("cluster_cidrs: entry 1 of '10.0.0.0/16, fd00::/48', ' fd00::/48', has spaces around it: "
                              "write the list without spaces ('10.0.0.0/16,fd00::/48') or as a YAML list")


def test_cluster_cidrs_are_trimmed_as_a_whole_and_keep_their_order():
    assert [go_cidr_string(n) for n in cidrset.cluster_cidrs_from(" fd00::/48,10.0.0.0/16 ")] == ["fd00::/48", "10.0.0.0/16"]


def test_kcm_service_cidrs():
    assert cidrset.kcm_service_cidrs(None) == ([], [])
    networks, unparsable = cidrset.kcm_service_cidrs("10.96.0.0/12,bogus")
    assert ([go_cidr_string(n) for n in networks], unparsable) == (["10.96.0.0/12"], ["bogus"])
    with pytest.raises(CIDRAllocatorError, match=r"^serviceCIDR and secondaryServiceCIDR are not dualstack"):
        cidrset.kcm_service_cidrs(["10.96.0.0/12", "10.97.0.0/16"])


# --- node_pod_cidrs ----------------------------------------------------------------------------

def node(name, *pod_cidrs, legacy=None):
    spec = {"podCIDRs": list(pod_cidrs)} if pod_cidrs else {}
    if legacy:
        spec["podCIDR"] = legacy
    return {"kind": "Node", "metadata": {"name": name}, "spec": spec}


def test_node_pod_cidrs_in_cluster_cidr_order_existing_first():
    nodes = ["a", node("b", "10.244.0.0/24", "fd00:10:244::/64"), "c", node("d", legacy="10.244.3.0/24")]
    result = cidrset.node_pod_cidrs(nodes, "10.244.0.0/16,fd00:10:244::/56")
    assert result == {"a": ["10.244.1.0/24", "fd00:10:244:1::/64"], "b": ["10.244.0.0/24", "fd00:10:244::/64"],
                      "c": ["10.244.2.0/24", "fd00:10:244:2::/64"], "d": ["10.244.3.0/24"]}
    assert list(result) == ["a", "b", "c", "d"]


def test_node_pod_cidrs_ipv6_primary_masks_and_services():
    result = cidrset.node_pod_cidrs(["a", "b"], ["fd00::/48", "10.0.0.0/24"], node_mask_sizes={"IPv4": 26, "IPv6": 0},
                                    service_cidrs=["fd00::/108", "10.0.0.0/26"])
    assert result == {"a": ["fd00:0:0:1::/64", "10.0.0.64/26"], "b": ["fd00:0:0:2::/64", "10.0.0.128/26"]}


@pytest.mark.parametrize("kwargs, message", [
    ({"cluster_cidrs": "10.0.0.0/16,10.1.0.0/16"},
     "kube-controller-manager rejects cluster_cidrs='10.0.0.0/16,10.1.0.0/16', node_mask_sizes=None, service_cidrs=None: "
     "len of ClusterCIDRs==2 and they are not configured as dual stack"),
    ({"node_mask_sizes": 24, "cluster_cidrs": "10.0.0.0/16,fd00::/48"}, "usage of --node-cidr-mask-size is not allowed"),
    ({"node_mask_sizes": {"IPv4": 33}}, "node mask 33 for 10.0.0.0/16 is longer than an IPv4 address (32 bits)"),
    ({"node_mask_sizes": {"IPv6": 64}}, "usage of --node-cidr-mask-size-ipv6 is not allowed for a single-stack IPv4"),
    ({"node_mask_sizes": {"ipv4": 24}}, "node_mask_sizes keys must be IPv4 and/or IPv6, got ipv4"),
    ({"node_mask_sizes": [24, 64]}, "node_mask_sizes must hold one mask per cluster CIDR (1), got 2"),
    ({"node_mask_sizes": [8]}, "Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal"),
    ({"node_mask_sizes": True}, "node_mask_sizes must be an integer, a mapping"),
    ({"node_mask_sizes": 2 ** 40}, "node_mask_sizes must be a prefix length, got 1099511627776"),
    ({"service_cidrs": "nope"}, "service_cidrs entry 'nope' is not a CIDR"),
    ({"service_cidrs": "10.96.0.0/12,fd00::/108,10.97.0.0/16"}, "--service-cluster-ip-range can not contain more than two"),
    ({"cluster_cidrs": "fd00::/32,10.0.0.0/16"}, "New CIDR set failed; the node CIDR size is too big"),
])
def test_node_pod_cidrs_refusals_name_the_argument(kwargs, message):
    args = {"cluster_cidrs": "10.0.0.0/16"}
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        cidrset.node_pod_cidrs(["a"], **args)
    assert message in str(err.value)


@pytest.mark.parametrize("nodes, message", [
    ("a", "nodes must be a list"),
    ([None], "nodes[0] must be a mapping"),
    ([{"metadata": {}}], "nodes[0].metadata.name must be a string"),
    ([""], "nodes[0]: a node needs a non-empty name"),
    ([{"metadata": {"name": "a"}, "spec": {"podCIDRs": [1]}}], "nodes[0].spec.podCIDRs[0] must be a string"),
    (["a", "a"], "node 'a' is listed twice"),
    ([node("a", "10.1.0.0/24")], "failed to mark cidr[10.1.0.0/24] at idx [0] as occupied for node: a"),
])
def test_node_pod_cidrs_bad_nodes(nodes, message):
    with pytest.raises(InputError) as err:
        cidrset.node_pod_cidrs(nodes, "10.0.0.0/16")
    assert message in str(err.value)


def test_node_pod_cidrs_exhaustion_names_the_node():
    with pytest.raises(InputError, match=r"^no podCIDR is left for node 'c' in cluster CIDR 10.0.0.0/23: it holds 2 "
                                         r"blocks of /24 .*\(kube-controller-manager would log: error syncing 'c': failed "
                                         r"to allocate cidr from cluster cidr at idx:0"):
        cidrset.node_pod_cidrs(["a", "b", "c"], "10.0.0.0/23")


def test_ipv4_mapped_cluster_cidr_keeps_its_ipv6_mask_length():
    """``::ffff:10.244.0.0/112`` parses (ParseCIDRSloppy) as an IPv4 network whose mask is still 112 of 128
    bits: setNodeCIDRMaskSizes gives it the IPv4 default /24 and NewNodeIpamController compares 112 > 24."""
    with pytest.raises(InputError) as err:
        cidrset.node_pod_cidrs(["a"], "::ffff:10.244.0.0/112")
    assert str(err.value).endswith(cidrset.ERR_CLUSTER_CIDR_MASK)
    assert cf.component_flag_errors({"allocate-node-cidrs": "true", "cluster-cidr": "::ffff:10.244.0.0/112"},
                                    "kube-controller-manager") == [cidrset.ERR_CLUSTER_CIDR_MASK]
    # a node mask long enough passes that check, but every block the CidrSet writes is 0.0.0.0/24
    with pytest.raises(InputError, match="IPv4-mapped IPv6 CIDR"):
        cidrset.node_pod_cidrs(["a"], "::ffff:10.244.0.0/112", 120)
    assert cidrset.node_pod_cidrs(["a"], "10.244.0.0/16") == {"a": ["10.244.0.0/24"]}


def test_ipv4_mapped_service_and_node_cidrs_take_the_end_block_from_go_s_16_byte_form():
    """``getBeginningAndEndIndices`` on an IPv4-mapped CIDR: its 128-bit mask length is always longer than the
    cluster's, and the end address comes from the first four of the 16 address bytes, i.e. 0.0.0.0. So a
    mapped service range occupies nothing (the error is only logged) and a mapped node podCIDR is fatal."""
    assert cidrset.node_pod_cidrs(["a"], "10.96.0.0/16", None, "::ffff:10.96.0.0/120") == {"a": ["10.96.0.0/24"]}
    assert cidrset.node_pod_cidrs(["a"], "10.96.0.0/16", None, "10.96.0.0/24") == {"a": ["10.96.1.0/24"]}
    with pytest.raises(InputError) as err:
        cidrset.node_pod_cidrs([{"metadata": {"name": "b"}, "spec": {"podCIDRs": ["::ffff:10.96.5.0/120"]}}], "10.96.0.0/16")
    assert str(err.value).endswith("failed to mark cidr[10.96.5.0/24] at idx [0] as occupied for node: b: CIDR: "
                                   "0.0.0.0/24 is out of the range of CIDR allocator")
    # a cluster CIDR holding 0.0.0.0: the end index is 0, below the begin index, so nothing is marked
    cidr_set = CidrSet(net("0.0.0.0/16"), 24)
    cidr_set.occupy(cidrset.parse_cidrs(["::ffff:0.0.5.0/120"])[0])
    assert cidr_set.used_runs() == []
    cidr_set.occupy(cidrset.parse_cidrs(["::ffff:0.0.0.0/120"])[0])
    assert cidr_set.used_runs() == [(0, 0)]


@pytest.mark.parametrize("cluster, mask", [("10.0.0.0/8", 24), ("10.0.0.0/30", 32), ("fd00:10::/48", 64), ("::/112", 128),
                                           ("fd00::/100", 112), ("0.0.0.0/0", 16), ("::/8", 24)])
def test_block_text_is_the_network_text(cluster, mask):
    """Blocks are written from integers (fast) exactly as the network objects print; setting one bit at a time keeps
    the same runs as setting ranges."""
    cidr_set, ranges = CidrSet(net(cluster), mask), CidrSet(net(cluster), mask)
    for index in [0, 1, 2, 5, 3, 4, cidr_set.max_cidrs - 1, cidr_set.max_cidrs // 2][:cidr_set.max_cidrs]:
        assert cidr_set.cidr_text(index) == go_cidr_string(cidr_set.index_to_cidr(index))
        assert cidr_set._used.set_one(index) == ranges._used.set_range(index, index)
        assert cidr_set.used_runs() == ranges.used_runs()
    assert cidr_set._used.set_one(0) == 0

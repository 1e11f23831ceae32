"""network_plan: errors, warnings and capacity of a cluster's pod, service and node networks."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.network_plan import network_plan

DUAL_PODS = ["10.244.0.0/16", "fd00:10:244::/56"]
DUAL_SERVICES = ["10.96.0.0/12", "fd00:10:96::/108"]


def test_a_sound_dual_stack_plan():
    plan = network_plan(DUAL_PODS, DUAL_SERVICES, node_count=200, node_networks=["192.168.0.0/24", "2001:db8::/64"])
    assert (plan["errors"], plan["warnings"]) == ([], [])
    capacity = plan["capacity"]
    assert capacity["pod_networks"] == [
        {"cidr": "10.244.0.0/16", "family": "IPv4", "node_mask": 24, "node_blocks": 256, "reserved_blocks": 0,
         "nodes": 256, "pods_per_node": 110},
        {"cidr": "fd00:10:244::/56", "family": "IPv6", "node_mask": 64, "node_blocks": 256, "reserved_blocks": 0,
         "nodes": 256, "pods_per_node": 110}]
    assert capacity["nodes"] == {"IPv4": 256, "IPv6": 256}
    assert (capacity["max_nodes"], capacity["limited_by"], capacity["max_pods"]) == (256, "IPv4", 110)
    # what a node runs (--max-pods, the block permitting), not the 2^64-2 addresses of a /64 (issue 14, point 7)
    assert capacity["pods_per_node"] == {"IPv4": 110, "IPv6": 110}
    assert capacity["service_networks"] == [
        {"cidr": "10.96.0.0/12", "family": "IPv4", "size": 2 ** 20 - 2, "static_band": 256,
         "dynamic_band": 2 ** 20 - 258},
        {"cidr": "fd00:10:96::/108", "family": "IPv6", "size": 2 ** 20 - 1, "static_band": 256,
         "dynamic_band": 2 ** 20 - 257}]
    assert capacity["kubernetes_service_ip"] == "10.96.0.1"


def test_the_binding_family_and_node_count():
    plan = network_plan(["10.244.0.0/20", "fd00:10:244::/56"], DUAL_SERVICES, node_count=20)
    assert (plan["capacity"]["max_nodes"], plan["capacity"]["limited_by"]) == (16, "IPv4")
    assert plan["errors"] == ["node_count 20 exceeds the 16 IPv4 node podCIDRs of --cluster-cidr 10.244.0.0/20 with /24 "
                              "node blocks; use a /19 or larger --cluster-cidr"]


def test_ipv6_node_count_beyond_one_cidr_set():
    plan = network_plan("fd00::/48", "fd00:1::/108", node_mask_sizes=64, node_count=70000)
    assert plan["errors"] == ["node_count 70000 exceeds the 65536 IPv6 node podCIDRs of --cluster-cidr fd00::/48 with "
                              "/64 node blocks; use several clusters: kube-controller-manager hands out at most 65536 "
                              "IPv6 node blocks per cluster CIDR"]


def test_ipv6_max_pods():
    plan = network_plan(["10.244.0.0/16", "fd00:10:244::/104"], DUAL_SERVICES, node_mask_sizes={"IPv6": 120}, max_pods=300)
    assert plan["errors"] == [
        "max_pods 300 exceeds the 254 pod addresses of a /24 IPv4 node block; use a node mask of /23 or shorter for IPv4, "
        "or lower --max-pods",
        "max_pods 300 exceeds the 254 pod addresses of a /120 IPv6 node block; use a node mask of /119 or shorter for IPv6, "
        "or lower --max-pods"]
    assert plan["capacity"]["pods_per_node"] == {"IPv4": 254, "IPv6": 254}  # the blocks hold fewer than max_pods


@pytest.mark.parametrize("pods, services, nodes, error", [
    (["10.96.0.0/12"], ["10.96.0.0/16"], [], None),  # service inside pods: a warning
    (["10.96.0.0/16"], ["10.96.0.0/12"], [], "--cluster-cidr 10.96.0.0/16 lies inside --service-cluster-ip-range "
                                             "10.96.0.0/12: pod and service addresses would collide; choose disjoint ranges"),
    (["10.96.0.0/12"], ["10.96.0.0/12"], [], "--cluster-cidr 10.96.0.0/12 is the same range as --service-cluster-ip-range "
                                             "10.96.0.0/12: pod and service addresses would collide; choose disjoint ranges"),
    (["10.0.0.0/8"], ["192.168.0.0/16"], ["10.1.0.0/24"],
     "--cluster-cidr 10.0.0.0/8 contains node network 10.1.0.0/24: pod and node addresses would collide; choose "
     "disjoint ranges"),
    (["10.0.0.0/16"], ["192.168.0.0/16"], ["192.0.0.0/8"],
     "--service-cluster-ip-range 192.168.0.0/16 lies inside node network 192.0.0.0/8: service and node addresses would "
     "collide; choose disjoint ranges"),
])
def test_every_overlap_in_both_directions(pods, services, nodes, error):
    plan = network_plan(pods, services, node_networks=nodes)
    assert error in plan["errors"] if error else plan["errors"] == []


def test_service_range_inside_the_pod_range_reserves_blocks_and_can_take_all():
    plan = network_plan("10.0.0.0/16", "10.0.0.0/20")
    assert plan["warnings"] == ["--cluster-cidr 10.0.0.0/16 contains --service-cluster-ip-range 10.0.0.0/20: "
                                "kube-controller-manager keeps the node blocks it touches out of node podCIDRs, but CNI "
                                "plugins with their own IPAM may not"]
    assert plan["capacity"]["pod_networks"][0]["reserved_blocks"] == 16
    assert plan["capacity"]["nodes"] == {"IPv4": 240}
    full = network_plan("10.0.0.0/24", "10.0.0.0/24", node_mask_sizes=25, node_count=1)
    assert "service ranges take every node block of --cluster-cidr 10.0.0.0/24: no node gets an IPv4 podCIDR" in full["errors"]


def test_stack_shapes():
    assert network_plan(DUAL_PODS, "10.96.0.0/12")["warnings"] == [
        "pods are dual-stack (IPv4, IPv6) but --service-cluster-ip-range is single-stack (IPv4): every Service is IPv4 "
        "only and RequireDualStack Services are rejected"]
    assert network_plan("10.244.0.0/16", DUAL_SERVICES)["warnings"] == [
        "--service-cluster-ip-range has IPv4, IPv6 but pods only IPv4: Services of the other family have no endpoints"]
    assert network_plan(DUAL_PODS, list(reversed(DUAL_SERVICES)))["warnings"] == [
        "--cluster-cidr puts IPv4 first but --service-cluster-ip-range puts IPv6 first: single-stack Services get IPv6 "
        "cluster IPs while pods' primary IP is IPv4; put the same family first in both"]
    ipv6_primary = network_plan(list(reversed(DUAL_PODS)), list(reversed(DUAL_SERVICES)),
                                node_networks=["2001:db8::/64", "192.168.0.0/24"])
    assert (ipv6_primary["errors"], ipv6_primary["warnings"]) == ([], [])
    assert ipv6_primary["capacity"]["kubernetes_service_ip"] == "fd00:10:96::1"
    assert network_plan(DUAL_PODS, DUAL_SERVICES, node_networks=["2001:db8::/64"])["warnings"] == [
        "pods get IPv4 addresses but no node network is IPv4: dual-stack nodes need an IPv4 address (kubelet "
        "--node-ip=<IPv4>,<IPv6>)",
        'the first node network 2001:db8::/64 is IPv6 but the primary service range is IPv4: kube-apiserver stops with '
        '"service IP family ... must match public address family ..." unless its --advertise-address is IPv4']


@pytest.mark.parametrize("args, error", [
    ((["10.0.0.0/16", "10.1.0.0/16"], DUAL_SERVICES),
     "kube-controller-manager refuses --cluster-cidr=10.0.0.0/16,10.1.0.0/16 with node_mask_sizes=None: len of "
     "ClusterCIDRs==2 and they are not configured as dual stack (at least one from each IPFamily"),
    (("fd00::/32", "fd01::/108"), "kube-controller-manager refuses --cluster-cidr=fd00::/32 with node_mask_sizes=None: "
                                  "New CIDR set failed; the node CIDR size is too big"),
    (("10.0.0.0/16", "10.96.0.0/12", 12), "kube-controller-manager refuses --cluster-cidr=10.0.0.0/16 with "
                                          "node_mask_sizes=12: Controller: Invalid --cluster-cidr, mask size of cluster "
                                          "CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR "
                                          "family"),
    (("10.0.0.0/16", "10.96.0.0/29"), None),  # 8 addresses are enough
    (("10.0.0.0/16", "10.96.0.0/30"), "kube-apiserver refuses --service-cluster-ip-range=10.96.0.0/30: error determining "
                                      "service IP ranges for primary service cidr: the service cluster IP range must be "
                                      "at least 8 IP addresses"),
    (("10.0.0.0/16", "10.96.0.0/12,10.97.0.0/16"), "kube-apiserver refuses --service-cluster-ip-range=10.96.0.0/12,"
                                                   "10.97.0.0/16: --service-cluster-ip-range[0] and "
                                                   "--service-cluster-ip-range[1] must be of different IP family"),
    (("fd00:10:244::/56", "fd00:10:96::/48"), "kube-apiserver cannot allocate from --service-cluster-ip-range entry "
                                              "fd00:10:96::/48: cidr: \"fd00:10:96::/48\": shortest allowed prefix "
                                              "length for service CIDR is 64, got 48"),
])
def test_component_refusals_are_errors(args, error):
    plan = network_plan(*args)
    assert plan["errors"] == ([error] if error else [])


def test_legacy_allocator_limit_is_a_warning():
    plan = network_plan("10.0.0.0/16", "10.128.0.0/10")
    assert plan["warnings"] == ["kube-apiserver before 1.34 (the legacy ClusterIP allocator) would refuse it: specified "
                                "--service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12"]


@pytest.mark.parametrize("kwargs, message", [
    ({"cluster_cidrs": 5}, "cluster_cidrs must be a list"),
    ({"service_cidrs": [1]}, "service_cidrs[0] must be a string"),
    ({"node_count": -1}, "node_count must be a non-negative integer, got -1"),
    ({"node_count": True}, "node_count must be an integer"),
    ({"max_pods": "110"}, "max_pods must be an integer"),
    ({"node_networks": ["x"]}, "node_networks[0] 'x' is not a CIDR"),
    ({"node_networks": "10.0.0.0/8"}, "node_networks must be a list"),
    ({"node_mask_sizes": "24"}, "node_mask_sizes must be an integer, a mapping"),
])
def test_bad_input(kwargs, message):
    args = {"cluster_cidrs": "10.0.0.0/16", "service_cidrs": "10.96.0.0/12"}
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        network_plan(**args)
    assert message in str(err.value)


def test_an_ipv4_mapped_service_range_is_not_kept_out_of_node_blocks():
    """kube-controller-manager cannot occupy an IPv4-mapped service range (filterOutServiceRange only logs
    it), so its node blocks stay available and the overlap is an error, not a warning."""
    plan = network_plan("10.96.0.0/16", "::ffff:10.96.0.0/120")
    assert plan["capacity"]["nodes"] == {"IPv4": 256}
    assert plan["errors"] == ["--cluster-cidr 10.96.0.0/16 contains --service-cluster-ip-range 10.96.0.0/24: pod and service "
                              "addresses would collide; choose disjoint ranges"]
    plain = network_plan("10.96.0.0/16", "10.96.0.0/24")
    assert plain["capacity"]["nodes"] == {"IPv4": 255}

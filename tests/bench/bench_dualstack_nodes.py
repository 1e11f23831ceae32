"""Node podCIDR allocation at scale: node_pod_cidrs for 5,000 dual-stack nodes, a tenth already allocated.

The baseline is what a first version would look like: walk each cluster CIDR's node-sized
subnets with netaddr and hand out every subnet that is neither in the list of podCIDRs already
taken nor overlapping a service range (list membership, so quadratic in the nodes).
"""
import netaddr

from ansible_collections.clusternet.k8s.plugins.module_utils.cidrset import node_pod_cidrs
from tests.bench.harness import Benchmark

CLUSTER_CIDRS = ["10.0.0.0/8", "fd00:10::/48"]
SERVICE_CIDRS = ["10.96.0.0/12", "fd00:10::/108"]
MASKS = {"IPv4": 24, "IPv6": 64}


def make_nodes(count):
    """Every tenth node already has its podCIDRs (scattered blocks), the others are new."""
    nodes = []
    for i in range(count):
        if i % 10 == 0:
            block = 3 * i + 1
            nodes.append({"metadata": {"name": "node-%05d" % i},
                          "spec": {"podCIDRs": ["10.%d.%d.0/24" % (block // 256, block % 256),
                                                "fd00:10:0:%x::/64" % block]}})
        else:
            nodes.append("node-%05d" % i)
    return nodes


def naive_node_pod_cidrs(nodes):
    taken = [[], []]
    for node in nodes:
        if isinstance(node, dict):
            for i, cidr in enumerate(node["spec"]["podCIDRs"]):
                taken[i].append(str(netaddr.IPNetwork(cidr)))
    services = [netaddr.IPNetwork(s) for s in SERVICE_CIDRS]
    walkers = [netaddr.IPNetwork(c).subnet(MASKS["IPv4" if ":" not in c else "IPv6"]) for c in CLUSTER_CIDRS]
    result = {}
    for node in nodes:
        if isinstance(node, dict):
            result[node["metadata"]["name"]] = node["spec"]["podCIDRs"]
            continue
        cidrs = []
        for i, walker in enumerate(walkers):
            for subnet in walker:
                overlaps = any(subnet.version == s.version and (subnet in s or s in subnet) for s in services)
                if not overlaps and str(subnet) not in taken[i]:
                    taken[i].append(str(subnet))
                    cidrs.append(str(subnet))
                    break
        result[node] = cidrs
    return result


def benchmarks(scale=1.0):
    nodes = make_nodes(max(20, int(5000 * scale)))
    return [Benchmark(
        name="node_pod_cidrs: %d dual-stack nodes, a tenth pre-allocated, /8 + /48" % len(nodes),
        ours=lambda: node_pod_cidrs(nodes, CLUSTER_CIDRS, MASKS, SERVICE_CIDRS),
        naive=lambda: naive_node_pod_cidrs(nodes),
        repeat=3,
    )]

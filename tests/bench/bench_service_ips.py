"""ClusterIP planning and range arithmetic next to the baselines a newcomer would write.

* ``service_ip_plan``: 10,000 Services (SingleStack IPv4, PreferDualStack, SingleStack IPv6) planned
  one after the other on a /12 + /108 cluster where 50,000 addresses are already taken. The
  baseline walks each band from its first address for every Service, testing each address against
  the set of taken ones; ours keeps a cursor per band.
* ``service_cidr_info`` on a /64: a walking baseline could never finish (2^64 addresses), so the
  baseline is the straightforward one built on ``ipaddress`` objects.
* ``service_cidr_info`` against a baseline that walks the range: on a /108 (2^20 addresses) at
  scale 1, smaller with the scale.
"""
import ipaddress
import itertools
import math
import random

from tests.bench.harness import Benchmark

from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips import service_cidr_info, service_ip_plan

SERVICE_CIDRS = ["10.96.0.0/12", "fd00:10:96::/108"]
NETWORKS = {"IPv4": ipaddress.ip_network(SERVICE_CIDRS[0]), "IPv6": ipaddress.ip_network(SERVICE_CIDRS[1])}
SHAPES = [({}, ["IPv4"]), ({"ipFamilyPolicy": "PreferDualStack"}, ["IPv4", "IPv6"]), ({"ipFamilies": ["IPv6"]}, ["IPv6"])]


def _services(count):
    return [{"kind": "Service", "metadata": {"name": "svc-%d" % i},
             "spec": dict(SHAPES[i % len(SHAPES)][0], selector={"app": "a%d" % i}, ports=[{"port": 80}])}
            for i in range(count)]


def _allocated(count):
    """``count`` addresses taken at random (reproducibly), four in five of them IPv4."""
    rng = random.Random(4)
    v4, v6 = NETWORKS["IPv4"], NETWORKS["IPv6"]
    ips = [str(v4[i]) for i in rng.sample(range(1, v4.num_addresses - 1), count * 4 // 5)]
    return ips + [str(v6[i]) for i in rng.sample(range(1, v6.num_addresses), count - count * 4 // 5)]


def _naive_plan(services, allocated):
    """Per Service and family: walk the dynamic band, then the static band, from their first address."""
    taken = {int(ipaddress.ip_address(ip)) for ip in allocated}
    plans = []
    for i, _svc in enumerate(services):
        ips = []
        for family in SHAPES[i % len(SHAPES)][1]:
            net = NETWORKS[family]
            first = int(net.network_address) + 1
            last = int(net.broadcast_address) - (1 if family == "IPv4" else 0)
            for value in itertools.chain(range(first + 256, last + 1), range(first, first + 256)):
                if value not in taken:
                    taken.add(value)
                    ips.append(str(ipaddress.ip_address(value)))
                    break
        plans.append(ips)
    return plans


def _naive_cidr_info(cidr):
    """The same figures from ``ipaddress`` objects (correct only for the IPv6 /64 to /108 measured here)."""
    net = ipaddress.ip_network(cidr, strict=False)
    size = min(net.num_addresses - 1, 2 ** 64 - 1)
    offset = min(max(min(net.num_addresses, 2 ** 63 - 1) // 16, 16), 256)

    def band(first, count):
        return {"first": str(net[first]), "last": str(net[first + count - 1]), "size": count}

    return {"cidr": str(net), "family": "IPv6", "size": size, "first": str(net[1]), "last": str(net[size]),
            "offset": offset, "static": band(1, offset), "dynamic": band(1 + offset, size - offset),
            "kubernetes_service_ip": str(net[1]), "legacy": band(1, min(net.num_addresses, 65536) - 1)}


def _walking_cidr_info(cidr):
    """Count and locate the allocatable addresses by visiting each of them."""
    net = ipaddress.ip_network(cidr)
    offset = min(max(net.num_addresses // 16, 16), 256) if net.num_addresses > 16 else 0
    count, first, last, static_last = 0, None, None, None
    for address in net:
        if address == net.network_address:
            continue
        count += 1
        first = first or address
        last = address
        if count == offset:
            static_last = address
    dynamic_first = net[1 + offset]
    legacy_last = net[min(count, 65535)]
    return {"cidr": str(net), "family": "IPv6", "size": count, "first": str(first), "last": str(last), "offset": offset,
            "static": {"first": str(first), "last": str(static_last), "size": offset},
            "dynamic": {"first": str(dynamic_first), "last": str(last), "size": count - offset},
            "kubernetes_service_ip": str(first), "legacy": {"first": str(first), "last": str(legacy_last), "size": min(count, 65535)}}


def benchmarks(scale=1.0):
    services = _services(max(3, int(10000 * scale)))
    allocated = _allocated(max(10, int(50000 * scale)))
    calls = max(10, int(10000 * scale))
    host_bits = max(10, min(20, int(round(20 + math.log2(scale)))))
    walked = "fd00:10:96::/%d" % (128 - host_bits)
    return [
        Benchmark("service_ip_plan: %d Services, %d taken, /12 + /108" % (len(services), len(allocated)),
                  ours=lambda: [p["clusterIPs"] for p in service_ip_plan(services, SERVICE_CIDRS, allocated)],
                  naive=lambda: _naive_plan(services, allocated), repeat=1),
        Benchmark("service_cidr_info: /64, %d calls" % calls,
                  ours=lambda: [service_cidr_info("fd00:10:96::/64") for _call in range(calls)],
                  naive=lambda: [_naive_cidr_info("fd00:10:96::/64") for _call in range(calls)]),
        Benchmark("service_cidr_info: %s against walking it" % walked,
                  ours=lambda: service_cidr_info(walked), naive=lambda: _walking_cidr_info(walked), repeat=1),
    ]

"""Node podCIDRs for N dual-stack nodes (10.0.0.0/8 at /24, fd00:10::/48 at /64), next to what a user would run.

* plain ``ipaddress``: ``subnets(new_prefix=...)`` of each cluster CIDR, one per node (target: we are at least as fast);
* netaddr: ``IPNetwork.subnet(...)``;
* in a task: ``node_pod_cidrs`` in one ``set_fact``, against ``ansible.utils.ipsubnet(prefix, index)`` per node in a
  Jinja loop (both real ``ansible-playbook`` runs).
"""
from __future__ import annotations

import ipaddress

import netaddr

from ansible_collections.clusternet.k8s.plugins.filter.node_pod_cidrs import node_pod_cidrs
from tests.bench.harness import Job, play, playbook_env, ratio_at_least, run_play

CLUSTER = ["10.0.0.0/8", "fd00:10::/48"]


def names(count):
    return ["node-%05d" % i for i in range(count)]


def ours(nodes):
    return node_pod_cidrs(nodes, CLUSTER, [24, 64])


def plain(nodes):
    v4 = ipaddress.ip_network(CLUSTER[0]).subnets(new_prefix=24)
    v6 = ipaddress.ip_network(CLUSTER[1]).subnets(new_prefix=64)
    return {name: [str(next(v4)), str(next(v6))] for name in nodes}


def with_netaddr(nodes):
    v4 = netaddr.IPNetwork(CLUSTER[0]).subnet(24)
    v6 = netaddr.IPNetwork(CLUSTER[1]).subnet(64)
    return {name: [str(next(v4)), str(next(v6))] for name in nodes}


def _task(expression):
    return play([{"name": "t", "ansible.builtin.set_fact": {"cidrs": expression}}])


def in_a_task(nodes):
    plays = _task("{{ nodes | clusternet.k8s.node_pod_cidrs(%r, [24, 64]) }}" % CLUSTER)
    plays[0]["vars"] = {"nodes": nodes}
    return run_play(plays, playbook_env(())).task("t")["result"]["ansible_facts"]["cidrs"]


def ipsubnet_in_a_task(nodes):
    loop = ("{% set out = {} %}{% for n in nodes %}{% set _ = out.update({n: ["
            "'" + CLUSTER[0] + "' | ansible.utils.ipsubnet(24, loop.index0), "
            "'" + CLUSTER[1] + "' | ansible.utils.ipsubnet(64, loop.index0)]}) %}{% endfor %}{{ out }}")
    plays = _task(loop)
    plays[0]["vars"] = {"nodes": nodes}
    return run_play(plays, playbook_env()).task("t")["result"]["ansible_facts"]["cidrs"]


def jobs(scale=1.0):
    sizes = [max(2, int(n * scale)) for n in (4000, 8000, 16000, 32000)]
    task_sizes = [max(2, int(n * scale)) for n in (500, 1000, 2000, 4000)]
    return [
        Job(name="node_pod_cidrs", baseline_name="plain ipaddress subnets()", unit="nodes", sizes=sizes, prepare=names,
            ours=ours, baseline=plain, targets=[ratio_at_least(1.0, "at least as fast as plain ipaddress subnets()")]),
        Job(name="node_pod_cidrs", baseline_name="netaddr IPNetwork.subnet()", unit="nodes", sizes=sizes, prepare=names,
            ours=ours, baseline=with_netaddr),
        Job(name="node_pod_cidrs in a task", baseline_name="ansible.utils.ipsubnet in a task", unit="nodes",
            sizes=task_sizes, prepare=names, ours=in_a_task, baseline=ipsubnet_in_a_task, repeat=1, subprocess=(True, True)),
    ]

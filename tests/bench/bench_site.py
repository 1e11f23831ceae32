"""The main job end to end: ``playbooks/site.yml`` on generated sandbox inventories of 100 and 1,000 nodes.

The example inventory's shape with N nodes (each a sandbox root, dual-stack addresses), run as a user runs it. The
figures: seconds per host, and the share of the run spent in tasks of this collection (its modules, and the tasks
whose arguments call its filters), from the per-task times the test callback records (each task's time on each
host, summed; forks 10). Nothing else does this job, so there is no baseline: the two sizes show how the time per
host holds as the inventory grows. On demand only: ``python -m tests.bench site``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

from tests.bench.harness import ROOT


def inventory(directory, nodes):
    hosts = {"node-%d" % i: {"clusternet_node_ipv4": "10.%d.%d.%d" % (i // 62500, i // 250 % 250, i % 250 + 1),
                             "clusternet_node_ipv6": "fd00::%x" % (i + 1)} for i in range(nodes)}
    source = os.path.join(ROOT, "playbooks", "inventory", "example")
    target = os.path.join(directory, "inventory")
    shutil.copytree(os.path.join(source, "group_vars"), os.path.join(target, "group_vars"))
    with open(os.path.join(source, "hosts.yml"), encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
    doc["all"]["children"]["k8s_nodes"]["hosts"] = hosts
    with open(os.path.join(target, "hosts.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(doc, handle)
    return target


def run_site(nodes):
    """Seconds per host and our share, from one run of site.yml on ``nodes`` sandbox nodes."""
    from tests.support.ansible_run import CALLBACKS, COLLECTIONS, _last_json, ansible_env   # pylint: disable=import-outside-toplevel
    directory = tempfile.mkdtemp(prefix="bench-site-")
    try:
        env = ansible_env({"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS, "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
                           "ANSIBLE_STDOUT_CALLBACK": "clusternet_test_json", "ANSIBLE_FORKS": "10"})
        started = time.perf_counter()
        done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
                               inventory(directory, nodes), os.path.join(ROOT, "playbooks", "site.yml"),
                               "-e", "clusternet_sandbox=" + os.path.join(directory, "sandbox")],
                              env=env, capture_output=True, text=True, check=False, cwd=directory)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError("site.yml failed:\n" + done.stdout[-3000:] + done.stderr[-3000:])
        tasks = _last_json(done.stdout)["tasks"]
        ours = sum(t["duration"] or 0 for t in tasks if t["ours"])
        total = sum(t["duration"] or 0 for t in tasks) or 1
        return elapsed, ours / total
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def report(sizes=(100, 1000)):
    """Lines for the bench table: per size, seconds per host and the share in this collection's tasks."""
    lines = []
    for nodes in sizes:
        elapsed, share = run_site(nodes)
        lines.append("site.yml on %5d sandbox nodes: %7.1f s, %.3f s per host, %2.0f%% of task time in clusternet.k8s tasks"
                     % (nodes, elapsed, elapsed / (nodes + 1), share * 100))
    return lines


def jobs(scale=1.0):    # pylint: disable=unused-argument
    return []            # no pair to compare: ``python -m tests.bench site`` prints report()

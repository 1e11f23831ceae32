"""playbooks/site.yml on the example inventory, as ``scripts/run-site`` runs it: no cluster, no root.

The sandbox (the nodes' roots, the rendered manifests) is redirected to a temporary directory with
``-e clusternet_sandbox=...``, so the checkout's own ``.sandbox`` is never touched. Whatever site.yml imports is
held to the same contract (the naming test only lists the cluster roles' output directories).
"""
import os
import re

import pytest
import yaml

from tests.support.ansible_run import ROOT, run_playbook

SITE = os.path.join(ROOT, "playbooks", "site.yml")
INVENTORY = os.path.join(ROOT, "playbooks", "inventory", "example")
NO_CLUSTER = {"K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig", "KUBECONFIG": "/nonexistent/kubeconfig"}


def site(sandbox, **options):
    return run_playbook(SITE, inventory=INVENTORY, extra_vars={"clusternet_sandbox": str(sandbox)}, env=NO_CLUSTER, **options)


def files(directory):
    return sorted(os.path.relpath(os.path.join(d, f), directory) for d, _dirs, names in os.walk(directory) for f in names)


def summary(res):
    return "\n".join("%s %s %s: %s" % (t["host"], t["status"], t["task"], str(t["result"].get("msg", ""))[:500])
                     for t in res.failures()) or res.stdout[-5000:] + res.stderr[-3000:]


@pytest.mark.every_core
def test_check_mode_on_a_fresh_sandbox_writes_nothing(tmp_path):
    sandbox = tmp_path / "sandbox"
    res = site(sandbox, check=True, diff=True)
    assert res.rc == 0 and res.failed == 0, summary(res)
    assert res.changed > 0
    assert not sandbox.exists() or files(sandbox) == []


def test_second_run_changes_nothing(tmp_path):
    sandbox = tmp_path / "sandbox"
    first = site(sandbox)
    assert first.rc == 0 and first.failed == 0, summary(first)
    assert first.changed > 0 and files(sandbox), summary(first)
    written = {path: (sandbox / path).read_bytes() for path in files(sandbox)}
    second = site(sandbox)
    assert second.rc == 0 and second.changed == 0, [
        "%s %s" % (t["host"], t["task"]) for t in second.tasks if t["result"].get("changed")]
    assert {path: (sandbox / path).read_bytes() for path in files(sandbox)} == written
    checked = site(sandbox, check=True, diff=True)
    assert checked.rc == 0 and checked.changed == 0, [
        "%s %s" % (t["host"], t["task"]) for t in checked.tasks if t["result"].get("changed")]


@pytest.mark.every_core
def test_rendered_files_follow_one_naming_scheme(tmp_path):
    """Every cluster role renders the same way: <output_dir>/<kind>-<namespace>-<name>.yaml per object, a header
    naming the role, the field manager and the server-side apply command; only .yaml, lower case, hyphens."""
    sandbox = tmp_path / "sandbox"
    res = site(sandbox)
    assert res.rc == 0 and res.failed == 0, summary(res)
    manifests = sandbox / "manifests"
    where = res.task("List the files each role wrote, as absolute paths")["result"]["msg"]
    assert len(where) == 2 * 2 + 4 and not any(".." in line for line in where), where
    for role in ("host_aliases", "dualstack_cluster", "downward_api", "persistent_ip"):
        (line,) = [line for line in where if line.startswith(role + " ")]
        assert "%s/ (%s)" % (manifests / role, ", ".join(sorted(os.listdir(manifests / role)))) in line, line
    assert "node_hosts        node-1: %s (" % (sandbox / "nodes" / "node-1" / "etc" / "hosts") in where[0], where
    assert sorted(os.listdir(manifests)) == ["downward_api", "dualstack_cluster", "host_aliases", "persistent_ip"]
    not_objects = {"kubeadm-config.yaml", "network-plan.yaml", "node-pod-cidrs.yaml"}  # dualstack_cluster's plans
    for path in files(manifests):
        role, name = os.path.split(path)
        text = (manifests / path).read_text()
        if name == "network-plan.md":  # the plan as tables, for a reader (issue 14, point 7)
            assert role == "dualstack_cluster" and text.startswith(
                "<!-- Written by the clusternet.k8s.dualstack_cluster role; changes here are overwritten. -->\n"), path
            continue
        assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*\.yaml", name), path
        assert text.startswith("# Written by the clusternet.k8s.%s role; changes here are overwritten.\n" % role), path
        if name in not_objects:
            assert role == "dualstack_cluster", path
            continue
        (obj,) = list(yaml.safe_load_all(text))
        meta = obj["metadata"]
        assert name == "%s-%s-%s.yaml" % (obj["kind"].lower(), meta["namespace"], meta["name"]), path
        assert "# Apply with: kubectl apply --server-side --field-manager=clusternet.k8s.%s -f %s\n" % (role, name) in text, path

"""playbooks/site.yml on the example inventory, as ``scripts/run-site`` runs it: no cluster, no root.

The sandbox (the nodes' roots, the rendered manifests) is redirected to a temporary directory with
``-e clusternet_sandbox=...``, so the checkout's own ``.sandbox`` is never touched. Nothing here names a
role: whatever site.yml imports is held to the same contract.
"""
import os

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

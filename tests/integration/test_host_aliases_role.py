"""The host_aliases role through real ansible-playbook runs against the test control plane (or a real cluster
with KUBECONFIG).

The live objects are read, and another field manager's entries written, with a real ``kubectl``: a witness
independent of the collection's own code.
"""
import json

import pytest
import yaml

from tests.support.ansible_run import run_playbook

NS = "default"
ROLE = "clusternet.k8s.host_aliases"
MANAGER = "clusternet.k8s.host_aliases"


class Live:
    """Live objects as ``kubectl get -o json`` shows them."""

    def __init__(self, kubectl):
        self.kubectl = kubectl

    def get(self, name="web", kind="deployment"):
        proc = self.kubectl("get", kind, name, "-n", NS, "-o", "json", "--show-managed-fields")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def version(self, name="web", kind="deployment"):
        return self.get(name, kind)["metadata"]["resourceVersion"]

    def aliases(self, name="web", kind="deployment"):
        obj = self.get(name, kind)
        spec = obj["spec"] if kind == "pod" else obj["spec"]["template"]["spec"]
        return [(a["ip"], a.get("hostnames")) for a in spec.get("hostAliases") or []]

    def owned_ips(self, name="web", manager=MANAGER):
        """The hostAliases keys ``manager`` owns, from the live managedFields (None: it owns nothing)."""
        for entry in self.get(name)["metadata"].get("managedFields") or []:
            if entry["manager"] == manager:
                fields = entry["fieldsV1"].get("f:spec", {}).get("f:template", {}).get("f:spec", {}).get("f:hostAliases", {})
                return sorted(json.loads(key[2:])["ip"] for key in fields if key.startswith("k:"))
        return None


@pytest.fixture
def live(kubectl):
    return Live(kubectl)


def deployment(name, host_aliases=None):
    spec = {"containers": [{"name": "app", "image": "registry.example/app:1"}]}
    if host_aliases:
        spec["hostAliases"] = host_aliases
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


@pytest.fixture
def workloads(kube, kubectl):
    """Workloads created by another tool ("kubectl" server-side apply as field manager "creator")."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "tools", "namespace": NS},
           "spec": {"containers": [{"name": "shell", "image": "registry.example/shell:1"}]}}
    sts = dict(deployment("db"), kind="StatefulSet")
    sts["spec"]["serviceName"] = "db"
    docs = [deployment("web", [{"ip": "10.0.0.1", "hostnames": ["creator.example"]}]), deployment("api"), sts, pod]
    proc = kubectl("apply", "--server-side", "--field-manager=creator", "-f", "-", input=yaml.safe_dump_all(docs))
    assert proc.returncode == 0, proc.stderr


def other_manager_adds(kubectl, name, ip, hostnames, manager="ops"):
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
             "spec": {"template": {"spec": {"hostAliases": [{"ip": ip, "hostnames": hostnames}]}}}}
    proc = kubectl("apply", "--server-side", "--field-manager=" + manager, "-f", "-", input=yaml.safe_dump(patch))
    assert proc.returncode == 0, proc.stderr


def run_role(kube, check=False, diff=False, **role_vars):
    play = [{"hosts": "localhost", "gather_facts": False,
             "roles": [{"role": ROLE, "vars": role_vars}]}]
    return run_playbook(play, check=check, diff=diff, env={"K8S_AUTH_KUBECONFIG": kube.kubeconfig})


def task(res, name):
    return res.task("%s : %s" % (ROLE, name))


def failure(res):
    failed = res.failures()
    assert res.rc != 0 and failed, res.stdout[-3000:]
    return failed[0]["result"]["msg"]


WEB = {"kind": "Deployment", "name": "web", "entries": {"db.internal": "10.0.0.5", "cache": ["10.0.0.6", "fd00::6"]}}


def test_applies_entries_then_reports_no_change(kube, live, workloads):
    res = run_role(kube, host_aliases_workloads=[WEB])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    assert live.aliases() == [
        ("10.0.0.1", ["creator.example"]), ("10.0.0.5", ["db.internal"]), ("10.0.0.6", ["cache"]), ("fd00::6", ["cache"])]
    assert live.owned_ips("web") == ["10.0.0.5", "10.0.0.6", "fd00::6"]
    assert live.owned_ips("web", "creator") is not None
    again = run_role(kube, host_aliases_workloads=[WEB])
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]


def test_every_kind_at_its_pod_template(kube, live, workloads):
    entries = ["192.0.2.7 registry.example"]
    res = run_role(kube, host_aliases_workloads=[
        {"kind": "StatefulSet", "name": "db", "entries": entries},
        {"kind": "Deployment", "name": "api", "api_version": "apps/v1", "entries": entries}])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    want = [("192.0.2.7", ["registry.example"])]
    assert live.aliases("db", "statefulset") == want
    assert live.aliases("api") == want


def test_an_existing_pod_is_refused_by_the_dry_run_and_nothing_changes(kube, live, workloads):
    """kube-apiserver allows no change to hostAliases of an existing Pod: the dry run of every patch fails
    first, so the workloads listed with the Pod are not changed either."""
    entries = ["192.0.2.7 registry.example"]
    res = run_role(kube, host_aliases_workloads=[
        {"kind": "StatefulSet", "name": "db", "entries": entries},
        {"kind": "Pod", "name": "tools", "namespace": NS, "entries": entries}])
    assert 'Pod "tools" is invalid: spec: Forbidden: pod updates may not change fields other than' in failure(res)
    assert res.task(ROLE + " : Dry-run every patch first")["status"] == "failed"
    assert live.aliases("db", "statefulset") == [] and live.aliases("tools", "pod") == []


def test_entries_of_another_field_manager_survive(kube, live, kubectl, workloads):
    assert run_role(kube, host_aliases_workloads=[WEB]).rc == 0
    other_manager_adds(kubectl, "web", "10.0.0.9", ["ops.example"])
    fewer = dict(WEB, entries=["10.0.0.5 db.internal db"])  # drops cache, renames nothing of others
    res = run_role(kube, host_aliases_workloads=[fewer])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    assert live.aliases() == [("10.0.0.1", ["creator.example"]), ("10.0.0.5", ["db.internal", "db"]), ("10.0.0.9", ["ops.example"])]
    assert live.owned_ips("web") == ["10.0.0.5"]
    assert live.owned_ips("web", "ops") == ["10.0.0.9"]
    assert run_role(kube, host_aliases_workloads=[fewer]).changed == 0


def test_conflict_with_another_manager_fails_before_any_change(kube, live, workloads):
    before = live.version("api")
    res = run_role(kube, host_aliases_workloads=[
        {"kind": "Deployment", "name": "api", "entries": ["10.0.0.5 db"]},
        {"kind": "Deployment", "name": "web", "entries": ["10.0.0.1 mine.example"]}])  # creator owns 10.0.0.1
    message = failure(res)
    assert 'conflict with "creator"' in message and "hostnames" in message, message
    assert live.version("api") == before
    forced = run_role(kube, host_aliases_force_conflicts=True, host_aliases_workloads=[
        {"kind": "Deployment", "name": "web", "entries": ["10.0.0.1 mine.example"]}])
    assert forced.rc == 0, forced.stdout[-3000:]
    assert live.aliases() == [("10.0.0.1", ["mine.example"])]


def test_check_diff_shows_the_change_and_writes_nothing(kube, live, workloads):
    before = live.version("web")
    res = run_role(kube, check=True, diff=True, host_aliases_workloads=[WEB])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    diff = task(res, "Apply the patches")["result"]["diff"]
    assert [d["after_header"] for d in diff] == ["Deployment default/web (updated)"]
    after_ips = [a["ip"] for a in diff[0]["after"]["spec"]["template"]["spec"]["hostAliases"]]
    assert after_ips == ["10.0.0.1", "10.0.0.5", "10.0.0.6", "fd00::6"]
    assert live.version("web") == before
    assert live.aliases() == [("10.0.0.1", ["creator.example"])]
    assert live.owned_ips("web") is None


def test_render_mode_writes_files_only_when_they_change(kube, live, workloads, tmp_path):
    out = tmp_path / "manifests"
    before = live.version("web")
    cron = {"kind": "CronJob", "name": "nightly", "namespace": "batch-jobs", "entries": ["10.0.0.5 db"]}
    res = run_role(kube, host_aliases_output_dir=str(out), host_aliases_workloads=[WEB, cron])
    assert res.rc == 0 and res.changed == 2, res.stdout[-3000:]  # the directory and the files (one loop task)
    assert sorted(p.name for p in out.iterdir()) == ["cronjob-batch-jobs-nightly.yaml",
                                                     "deployment-default-web.yaml"]
    text = (out / "cronjob-batch-jobs-nightly.yaml").read_text()
    assert "kubectl apply --server-side --field-manager=clusternet.k8s.host_aliases" in text
    assert yaml.safe_load(text.split("---\n", 1)[1]) == {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "batch-jobs"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]}}}}}}
    mtime = (out / "deployment-default-web.yaml").stat().st_mtime_ns
    again = run_role(kube, host_aliases_output_dir=str(out), host_aliases_workloads=[WEB, cron])
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]
    assert (out / "deployment-default-web.yaml").stat().st_mtime_ns == mtime
    assert live.version("web") == before
    changed = run_role(kube, host_aliases_output_dir=str(out), host_aliases_workloads=[dict(WEB, entries=["10.0.0.5 db"]), cron])
    assert changed.rc == 0 and changed.changed == 1


def test_render_mode_never_contacts_the_cluster(tmp_path):
    """No kubeconfig, no server: render mode still works."""
    play = [{"hosts": "localhost", "gather_facts": False, "roles": [{"role": ROLE, "vars": {
        "host_aliases_output_dir": str(tmp_path), "host_aliases_workloads": [WEB]}}]}]
    res = run_playbook(play, env={"K8S_AUTH_KUBECONFIG": str(tmp_path / "missing")})
    assert res.rc == 0 and res.changed == 2, res.stdout[-3000:]


def test_validation_fails_before_anything_is_applied(kube, live, workloads, tmp_path):
    before = live.version("api")
    res = run_role(kube, host_aliases_output_dir="", host_aliases_workloads=[
        {"kind": "Deployment", "name": "api", "entries": ["10.0.0.5 db"]},
        {"kind": "StatefulSet", "name": "db", "entries": {"db.internal": "10.0.0.300", "Cache": "10.0.0.6"}}])
    message = failure(res)
    assert message == (
        'StatefulSet default/db: spec.template.spec.hostAliases[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, '
        "(e.g. 10.9.8.7 or 2001:db8::ffff); "
        'StatefulSet default/db: spec.template.spec.hostAliases[1].hostnames[0]: Invalid value: "Cache": a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
        "character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    assert live.version("api") == before
    assert not [t for t in res.tasks if t["action"] == "clusternet.k8s.k8s_apply"]
    rendered = run_role(kube, host_aliases_output_dir=str(tmp_path / "out"), host_aliases_workloads=[
        {"kind": "Deployment", "name": "api", "entries": ["10.0.0.300 db"]}])
    assert "spec.template.spec.hostAliases[0].ip" in failure(rendered)
    assert not (tmp_path / "out").exists()


def test_bad_variables_fail_with_a_clean_message(kube):
    res = run_role(kube, host_aliases_state="gone", host_aliases_force_conflicts="maybe",
                   host_aliases_workloads=[{"kind": "Service", "name": "web", "entriez": []}])
    message = json.dumps(res.failures()[0]["result"]["argument_errors"])
    assert "value of host_aliases_state must be one of: present, absent, got: gone" in message
    assert "host_aliases_force_conflicts" in message
    # the workloads (a list, or its text from a survey) are checked by the role's first task, in one line
    message = failure(run_role(kube, host_aliases_workloads=[{"kind": "Service", "name": "web", "entriez": []}]))
    assert message.startswith("host_aliases_workloads: ") and "argument_spec" not in message, message
    assert "value of kind must be one of: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, got: Service" in message
    assert "entriez" in message


def test_listing_a_workload_twice_fails(kube, workloads):
    res = run_role(kube, host_aliases_workloads=[WEB, dict(WEB, entries=["10.0.0.7 x"])])
    assert failure(res) == "Deployment default/web: listed more than once in host_aliases_workloads"


def test_missing_workload_fails_before_any_change(kube, live, workloads):
    before = live.version("web")
    res = run_role(kube, host_aliases_workloads=[WEB, {"kind": "Deployment", "name": "nope", "entries": ["10.0.0.7 x"]}])
    message = failure(res)
    assert "nope" in message, message
    assert live.version("web") == before


def test_absent_releases_only_its_own_entries(kube, live, kubectl, workloads):
    assert run_role(kube, host_aliases_workloads=[WEB]).rc == 0
    other_manager_adds(kubectl, "web", "10.0.0.9", ["ops.example"])
    res = run_role(kube, host_aliases_state="absent", host_aliases_workloads=[{"kind": "Deployment", "name": "web"}])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    assert live.aliases() == [("10.0.0.1", ["creator.example"]), ("10.0.0.9", ["ops.example"])]
    assert live.owned_ips("web") is None  # the field manager owns nothing any more
    again = run_role(kube, host_aliases_state="absent", host_aliases_workloads=[{"kind": "Deployment", "name": "web"}])
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]


def test_module_defaults_carry_the_connection(kube, live, workloads):
    play = [{"hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}},
             "roles": [{"role": ROLE, "vars": {"host_aliases_workloads": [WEB]}}]}]
    res = run_playbook(play, env={"K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"})
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    assert ("10.0.0.5", ["db.internal"]) in live.aliases()

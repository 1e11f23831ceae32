"""host_aliases and downward_api on workloads another tool made with ``kubectl create`` (an ``Update`` field
manager), among them CronJobs, Jobs and ReplicaSets: entries the creator owns too survive ``absent``, and an
``absent`` run on a workload that never had the role's fields changes nothing.

Against the test control plane, or a real cluster with KUBECONFIG; the live objects are read with a real kubectl.
"""
import json

import pytest
import yaml

from tests.support.ansible_run import run_playbook

NS = "default"
HOST_ALIASES = "clusternet.k8s.host_aliases"
DOWNWARD_API = "clusternet.k8s.downward_api"
CONTAINER = {"name": "app", "image": "registry.example/app:1"}


def pod_template(name, host_aliases=None, restart="Always"):
    spec = {"restartPolicy": restart, "containers": [dict(CONTAINER)]}
    if host_aliases:
        spec["hostAliases"] = host_aliases
    return {"metadata": {"labels": {"app": name}}, "spec": spec}


def manifests(host_aliases=None):
    aliases = host_aliases or None
    return [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": NS},
         "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": pod_template("web", aliases)}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "cache", "namespace": NS},
         "spec": {"selector": {"matchLabels": {"app": "cache"}}, "template": pod_template("cache", aliases)}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": NS},
         "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": pod_template("nightly", aliases, "OnFailure")}}}},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": NS},
         "spec": {"template": pod_template("once", aliases, "Never")}},
    ]


KINDS = {"web": "deployment", "cache": "replicaset", "nightly": "cronjob", "once": "job"}


@pytest.fixture
def created(kubectl):
    """The workloads, made by ``kubectl create`` (field manager ``kubectl-create``, operation Update)."""
    def make(host_aliases=None):
        proc = kubectl("create", "-f", "-", input=yaml.safe_dump_all(manifests(host_aliases)))
        assert proc.returncode == 0, proc.stderr
        return {name: live(kubectl, name) for name in KINDS}
    yield make
    kubectl("delete", "--ignore-not-found", "--wait=false", "-n", NS, "deployment/web", "replicaset/cache", "cronjob/nightly", "job/once")


def live(kubectl, name):
    proc = kubectl("get", KINDS[name], name, "-n", NS, "-o", "json", "--show-managed-fields")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def pod_spec(obj):
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def managers(obj):
    """Who manages the object itself; the controllers' status writes (subresource ``status``) are not counted."""
    return {e["manager"] for e in obj["metadata"].get("managedFields") or [] if e.get("subresource") != "status"}


def run_role(kube, role, **role_vars):
    play = [{"hosts": "localhost", "gather_facts": False, "roles": [{"role": role, "vars": role_vars}]}]
    return run_playbook(play, env={"K8S_AUTH_KUBECONFIG": kube.kubeconfig})


def workloads(names, **extra):
    kind = {"web": "Deployment", "cache": "ReplicaSet", "nightly": "CronJob", "once": "Job"}
    return [dict({"kind": kind[n], "name": n}, **extra) for n in names]


def test_entries_on_a_cron_job_and_a_replica_set_come_and_go(kube, kubectl, created):
    created()
    names = ["cache", "nightly"]
    res = run_role(kube, HOST_ALIASES, host_aliases_workloads=workloads(names, entries=["10.0.0.5 db"]))
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    for name in names:
        obj = live(kubectl, name)
        assert pod_spec(obj)["hostAliases"] == [{"ip": "10.0.0.5", "hostnames": ["db"]}], name
        assert HOST_ALIASES in managers(obj)
    again = run_role(kube, HOST_ALIASES, host_aliases_workloads=workloads(names, entries=["10.0.0.5 db"]))
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]
    gone = run_role(kube, HOST_ALIASES, host_aliases_state="absent", host_aliases_workloads=workloads(names))
    assert gone.rc == 0 and gone.changed == 1, gone.stdout[-3000:]
    for name in names:
        obj = live(kubectl, name)
        assert "hostAliases" not in pod_spec(obj) and HOST_ALIASES not in managers(obj), name


def test_absent_keeps_an_entry_the_creator_owns_too(kube, kubectl, created):
    created([{"ip": "10.0.0.1", "hostnames": ["creator.example"]}])
    entries = ["10.0.0.1 creator.example", "10.0.0.5 db"]      # 10.0.0.1 exactly as the creator has it: shared
    res = run_role(kube, HOST_ALIASES, host_aliases_workloads=workloads(["web", "nightly"], entries=entries))
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    gone = run_role(kube, HOST_ALIASES, host_aliases_state="absent", host_aliases_workloads=workloads(["web", "nightly"]))
    assert gone.rc == 0 and gone.changed == 1, gone.stdout[-3000:]
    for name in ("web", "nightly"):
        obj = live(kubectl, name)
        assert pod_spec(obj)["hostAliases"] == [{"ip": "10.0.0.1", "hostnames": ["creator.example"]}], name
        assert HOST_ALIASES not in managers(obj) and "kubectl-create" in managers(obj)


def test_absent_on_workloads_that_never_had_the_fields_changes_nothing(kube, kubectl, created):
    before = {name: obj["metadata"]["resourceVersion"] for name, obj in created().items()}
    res = run_role(kube, HOST_ALIASES, host_aliases_state="absent", host_aliases_workloads=workloads(KINDS))
    assert res.rc == 0 and res.changed == 0, res.stdout[-3000:]
    res = run_role(kube, DOWNWARD_API, downward_api_state="absent", downward_api_workloads=workloads(KINDS, containers=["app"]))
    assert res.rc == 0 and res.changed == 0, res.stdout[-3000:]
    for name in KINDS:
        obj = live(kubectl, name)
        assert obj["metadata"]["resourceVersion"] == before[name], name
        assert not {"hostAliases", "volumes"} & set(pod_spec(obj)), name
        assert managers(obj) == {"kubectl-create"}, name

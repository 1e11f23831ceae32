"""The test control plane itself: the real kube-apiserver and kube-controller-manager, and the proxy in front.

What the other tiers rely on is checked here with independent clients: the real ``kubectl``, the official
Python client and kubernetes.core's modules.
"""
import http.client
import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

import kubernetes
import pytest

from tests.support.ansible_run import COLLECTIONS, run_playbook
from tests.support.bundled_collections import collections_path
from tests.support.kube_cluster import ROOT, KubeCluster, kubernetes_release
from tests.support.pytest_cluster import KUBECTL

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %s
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: %s}}
    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}
"""


def test_server_version_is_the_pinned_release(kubectl):
    done = kubectl("version -o json")
    assert done.returncode == 0, done.stderr
    server = json.loads(done.stdout)["serverVersion"]
    assert server["gitVersion"] == kubernetes_release() == "v1.37.2"
    assert (server["major"], server["minor"]) == ("1", "37")


def test_string_replicas_are_refused_with_the_apiservers_message(kubectl):
    done = kubectl("apply --server-side -f -", input=DEPLOYMENT % ('"two"', "web"))
    assert done.returncode != 0
    assert ".spec.replicas: expected numeric (int or float), got string" in done.stderr


def test_a_port_out_of_range_is_refused_with_the_apiservers_message(kubectl):
    service = '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 99999}]}}'
    done = kubectl("apply --server-side -f -", input=service)
    assert done.returncode != 0
    assert 'The Service "s" is invalid' in done.stderr
    assert "spec.ports[0].port: Invalid value: 99999: must be between 1 and 65535, inclusive" in done.stderr


def test_a_selector_that_does_not_match_the_template_is_refused(kubectl):
    done = kubectl("apply --server-side -f -", input=DEPLOYMENT % (2, "other"))
    assert done.returncode != 0
    assert "spec.template.metadata.labels: Invalid value: " in done.stderr
    assert "`selector` does not match template `labels`" in done.stderr


def test_prefer_dual_stack_gets_one_cluster_ip_from_each_range(kubectl):
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ds"},
               "spec": {"ipFamilyPolicy": "PreferDualStack", "ports": [{"port": 80}]}}
    done = kubectl("apply --server-side -o json -f -", input=json.dumps(service))
    assert done.returncode == 0, done.stderr
    spec = json.loads(done.stdout)["spec"]
    assert spec["ipFamilies"] == ["IPv4", "IPv6"]
    v4, v6 = (ipaddress.ip_address(ip) for ip in spec["clusterIPs"])
    assert v4 in ipaddress.ip_network("10.96.0.0/16") and v6 in ipaddress.ip_network("fd00:10:96::/112")


def test_a_new_node_gets_a_pod_cidr_from_each_cluster_cidr(kubectl):
    done = kubectl("create -f -", input='{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "fresh"}}')
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 20
    cidrs = []
    while not cidrs and time.monotonic() < deadline:
        cidrs = json.loads(kubectl("get node fresh -o json").stdout)["spec"].get("podCIDRs") or []
        time.sleep(0.2)
    v4, v6 = (ipaddress.ip_network(c) for c in cidrs)
    assert v4.prefixlen == 24 and v4.subnet_of(ipaddress.ip_network("10.244.0.0/16"))
    assert v6.prefixlen == 64 and v6.subnet_of(ipaddress.ip_network("fd00:10:244::/56"))


def test_the_official_python_client_works(kube):
    with kubernetes.config.new_client_from_config(kube.tls_kubeconfig) as api:
        core = kubernetes.client.CoreV1Api(api)
        core.create_namespaced_config_map("default", {"metadata": {"name": "cm"}, "data": {"k": "v"}})
        assert core.read_namespaced_config_map("cm", "default").data == {"k": "v"}
        stream = kubernetes.watch.Watch().stream(core.list_namespaced_config_map, "default", field_selector="metadata.name=cm",
                                                 timeout_seconds=5)
        event = next(stream)
        assert (event["type"], event["object"].metadata.name) == ("ADDED", "cm")
        with pytest.raises(kubernetes.client.ApiException) as refused:
            core.create_namespaced_config_map("default", {"metadata": {"name": "Not_A_Name"}})
        assert refused.value.status == 422 and "a lowercase RFC 1123 subdomain must consist of" in refused.value.body


def test_kubernetes_core_modules_work(kube):
    """kubernetes.core (from PyPI's ansible package) applies, reads and waits through the proxy and over TLS."""
    env = {"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS + ":" + collections_path(["kubernetes.core"])}
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "apply", "kubernetes.core.k8s": {
            "kubeconfig": "{{ kc }}", "apply": True, "server_side_apply": {"field_manager": "test"},
            "definition": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "core", "namespace": "default"},
                           "data": {"k": "v"}}}},
        {"name": "again", "kubernetes.core.k8s": {
            "kubeconfig": "{{ kc }}", "apply": True, "server_side_apply": {"field_manager": "test"},
            "definition": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "core", "namespace": "default"},
                           "data": {"k": "v"}}}},
        {"name": "read", "kubernetes.core.k8s_info": {"kubeconfig": "{{ kc }}", "kind": "ConfigMap", "name": "core",
                                                      "namespace": "default"}},
        {"name": "namespace ready", "kubernetes.core.k8s": {
            "kubeconfig": "{{ kc }}", "wait": True, "wait_timeout": 30,
            "definition": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "from-core"}}}},
    ]}]
    for kubeconfig in (kube.kubeconfig, kube.tls_kubeconfig):
        kube.reset()
        res = run_playbook(play, extra_vars={"kc": kubeconfig}, env=env)
        assert res.failed == 0, res.failures()
        assert res.task("apply")["result"]["changed"] is True
        assert res.task("again")["result"]["changed"] is False
        assert res.task("read")["result"]["resources"][0]["data"] == {"k": "v"}
        assert res.task("namespace ready")["result"]["result"]["status"]["phase"] == "Active"


# -- the fault proxy ----------------------------------------------------------------------------

def _request(kube, method, path, body=None, headers=None):
    split = urllib.parse.urlsplit(kube.url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers=dict({"Content-Type": "application/json"}, **(headers or {})))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b"null")
    finally:
        connection.close()


CM_PATH = "/api/v1/namespaces/default/configmaps"


@pytest.mark.parametrize("action, code, reason", [("conflict", 409, "Conflict"), ("429", 429, "TooManyRequests"),
                                                  ("500", 500, "InternalError"), ("410", 410, "Expired")])
def test_the_proxy_fails_the_nth_matching_request_as_the_apiserver_would(kube, action, code, reason):
    kube.inject("PUT", CM_PATH + "/*", action, times=1, after=1, retry_after=3)
    _request(kube, "POST", CM_PATH, {"metadata": {"name": "a"}})
    first = _request(kube, "PUT", CM_PATH + "/a", {"metadata": {"name": "a"}, "data": {"n": "1"}})
    second = _request(kube, "PUT", CM_PATH + "/a", {"metadata": {"name": "a"}, "data": {"n": "2"}})
    third = _request(kube, "PUT", CM_PATH + "/a", {"metadata": {"name": "a"}, "data": {"n": "3"}})
    assert first[0] == third[0] == 200
    assert second[0] == code and second[2]["kind"] == "Status" and second[2]["reason"] == reason
    if action == "429":
        assert second[1]["Retry-After"] == "3"
    if action == "conflict":
        assert second[2]["message"] == ('Operation cannot be fulfilled on configmaps "a": the object has been modified; '
                                        "please apply your changes to the latest version and try again")
    log = [(r["verb"], r["status"], r["fault"]) for r in kube.requests if r["path"].startswith(CM_PATH)]
    assert log == [("create", 201, None), ("update", 200, None), ("update", code, action), ("update", 200, None)]
    assert _request(kube, "GET", CM_PATH + "/a")[2]["data"] == {"n": "3"}


def test_the_proxy_delays_and_drops(kube):
    kube.inject("list", CM_PATH, "delay", seconds=1)
    started = time.monotonic()
    assert _request(kube, "GET", CM_PATH)[0] == 200
    assert time.monotonic() - started >= 1
    kube.inject("get", CM_PATH + "/*", "drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _request(kube, "GET", CM_PATH + "/gone")
    assert _request(kube, "GET", CM_PATH + "/gone")[0] == 404
    assert [(r["verb"], r["status"], r["fault"]) for r in kube.requests] == [
        ("list", 200, "delay"), ("get", None, "drop"), ("get", 404, None)]


def test_the_proxy_streams_watches(kube):
    split = urllib.parse.urlsplit(kube.url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    connection.request("GET", CM_PATH + "?watch=true&timeoutSeconds=5")
    response = connection.getresponse()
    assert response.status == 200
    _request(kube, "POST", CM_PATH, {"metadata": {"name": "watched"}})
    names = set()
    while "watched" not in names:
        names.add(json.loads(response.readline())["object"]["metadata"]["name"])
    connection.close()


def test_reset_puts_the_storage_back(kube, kubectl):
    assert kubectl("create namespace scratch").returncode == 0
    assert kubectl("label namespace default scratch=yes").returncode == 0
    assert kubectl("-n scratch create configmap c").returncode == 0
    kube.reset()
    assert kubectl("get namespace scratch").returncode != 0
    assert "scratch" not in kubectl("get namespace default -o json").stdout
    assert kubectl("create namespace scratch").returncode == 0
    assert kubectl("-n scratch create configmap c").returncode == 0


def test_a_cluster_with_other_flags(kube_clusters, kubectl):
    single = kube_clusters(service_cidrs="10.97.0.0/16", allocate_node_cidrs=False)
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ds"},
               "spec": {"ipFamilyPolicy": "PreferDualStack", "ports": [{"port": 80}]}}
    done = kubectl("apply --server-side -o json -f -", input=json.dumps(service), kubeconfig=single.kubeconfig)
    spec = json.loads(done.stdout)["spec"]
    assert spec["ipFamilies"] == ["IPv4"] and ipaddress.ip_address(spec["clusterIP"]) in ipaddress.ip_network("10.97.0.0/16")
    assert kubectl("create -f -", input='{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}',
                   kubeconfig=single.kubeconfig).returncode == 0
    time.sleep(2)
    assert "podCIDRs" not in kubectl("get node n -o json", kubeconfig=single.kubeconfig).stdout


# -- starting and stopping ----------------------------------------------------------------------------

def test_the_command_prints_ready_and_stops_cleanly_on_a_signal(tmp_path):
    """``python -m tests.support.kube_cluster``: READY <url>, a working kubeconfig, and on SIGINT or SIGTERM a clean
    stop that leaves none of its temp dirs behind (it makes them in TMPDIR, here a directory of this test's own)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        kubeconfig, temp = tmp_path / ("kubeconfig-%d" % signum), tmp_path / ("tmp-%d" % signum)
        temp.mkdir()
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "tests.support.kube_cluster", "--kubeconfig", str(kubeconfig)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                   env=dict(os.environ, TMPDIR=str(temp)))
        try:
            line = process.stdout.readline()
            assert line.startswith("READY https://127.0.0.1:"), line + process.stderr.read()
            print("cached start: %.1f s" % (time.monotonic() - started))
            done = subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "get", "namespace", "default", "-o", "name"],
                                  capture_output=True, text=True, check=False)
            assert done.stdout.strip() == "namespace/default", done.stderr
            assert len(os.listdir(temp)) == 2, "the launcher's and the control plane's temp dirs"
            process.send_signal(signum)
            assert process.wait(60) == 0
            assert not os.listdir(temp)
        finally:
            if process.poll() is None:
                process.kill()


def test_stop_removes_the_data_dir():
    cluster = KubeCluster(crds=[]).start()
    try:
        assert os.path.isdir(cluster.data_dir) and os.listdir(cluster.data_dir)
    finally:
        cluster.stop()
    assert not os.path.exists(cluster.data_dir)
    assert cluster.process.returncode == 0

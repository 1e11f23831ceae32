"""The dualstack_cluster role through real ansible-playbook runs: rendered to files, and against the test control plane.

Rendered files are read back as YAML and compared with what kubeadm's v1beta4 format and the spec say;
cluster objects are read with the official kubernetes client.
"""
import json
import os
import re

import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from tests.support.ansible_run import ROOT, run_playbook
from tests.support.kube_cluster import kubernetes_release

TASK = "clusternet.k8s.dualstack_cluster : "
SERVICES = [
    {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}},
    {"metadata": {"name": "dns", "namespace": "kube-system"},
     "spec": {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv6"], "selector": {"app": "dns"},
              "ports": [{"port": 53, "protocol": "UDP"}]}},
    {"metadata": {"name": "ext"}, "spec": {"type": "ExternalName", "externalName": "example.com"}},
]


def role(**variables):
    return [{"hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "clusternet.k8s.dualstack_cluster", "vars": variables}]}]


def failures(res):
    return "\n".join("%s: %s" % (t["task"], json.dumps(t["result"])[:2000]) for t in res.failures()) or res.stderr[-3000:]


def documents(path):
    with open(path, encoding="utf-8") as handle:
        return list(yaml.safe_load_all(handle))


def failed_message(res):
    assert res.rc != 0, "the run did not fail"
    return " ".join(str(t["result"].get("msg", "")) for t in res.failures())


# --- rendering ----------------------------------------------------------------------------------


def test_renders_kubeadm_networking_services_and_pod_cidrs(tmp_path):
    out = tmp_path / "out"
    variables = dict(dualstack_cluster_output_dir=str(out), dualstack_cluster_assign_pod_cidrs=True,
                     dualstack_cluster_nodes=["node-1", "node-2"], dualstack_cluster_node_count=2,
                     dualstack_cluster_advertise_address="192.0.2.11", dualstack_cluster_node_ip="192.0.2.11,2001:db8::11",
                     dualstack_cluster_controller_manager_extra_args={"node-monitor-grace-period": "40s"},
                     dualstack_cluster_kubernetes_version="v1.36.3", dualstack_cluster_services=SERVICES)
    res = run_playbook(role(**variables))
    assert res.rc == 0, failures(res)
    assert sorted(p.name for p in out.iterdir()) == [
        "kubeadm-config.yaml", "network-plan.md", "network-plan.yaml", "node-pod-cidrs.yaml", "service-default-ext.yaml",
        "service-default-web.yaml", "service-kube-system-dns.yaml"]
    cluster, init = documents(out / "kubeadm-config.yaml")
    assert cluster == {
        "apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration", "kubernetesVersion": "v1.36.3",
        "networking": {"dnsDomain": "cluster.local", "podSubnet": "10.244.0.0/16,fd00:10:244::/56",
                       "serviceSubnet": "10.96.0.0/16,fd00:10:96::/112"},
        "controllerManager": {"extraArgs": [{"name": "node-cidr-mask-size-ipv4", "value": "24"},
                                            {"name": "node-cidr-mask-size-ipv6", "value": "64"},
                                            {"name": "node-monitor-grace-period", "value": "40s"}]}}
    assert init == {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "InitConfiguration",
                    "localAPIEndpoint": {"advertiseAddress": "192.0.2.11"},
                    "nodeRegistration": {"kubeletExtraArgs": [{"name": "node-ip", "value": "192.0.2.11,2001:db8::11"}]}}
    (web,), (dns,), (ext,) = (documents(out / name) for name in (
        "service-default-web.yaml", "service-kube-system-dns.yaml", "service-default-ext.yaml"))
    assert web["apiVersion"] == "v1" and web["kind"] == "Service" and web["metadata"] == {"name": "web", "namespace": "default"}
    assert (web["spec"]["ipFamilyPolicy"], web["spec"]["ipFamilies"]) == ("PreferDualStack", ["IPv4", "IPv6"])
    assert (dns["spec"]["ipFamilyPolicy"], dns["spec"]["ipFamilies"]) == ("SingleStack", ["IPv6"])
    assert "ipFamilies" not in ext["spec"] and "ipFamilyPolicy" not in ext["spec"]
    text = (out / "service-default-web.yaml").read_text()
    assert text.startswith("# Written by the clusternet.k8s.dualstack_cluster role; changes here are overwritten.\n")
    assert "kubectl apply --server-side --field-manager=clusternet.k8s.dualstack_cluster -f service-default-web.yaml" in text
    assert "ipFamilies IPv4, IPv6, one cluster IP each" in text
    assert [(n["metadata"]["name"], n["spec"]) for n in documents(out / "node-pod-cidrs.yaml")] == [
        ("node-1", {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24", "fd00:10:244::/64"]}),
        ("node-2", {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24", "fd00:10:244:1::/64"]})]
    plan = documents(out / "network-plan.yaml")[0]
    assert plan["errors"] == [] and plan["capacity"]["nodes"] == {"IPv4": 256, "IPv6": 256}
    assert plan["capacity"]["pods_per_node"] == {"IPv4": 110, "IPv6": 110} and "table" not in plan
    assert "| `fd00:10:244::/56` | /64 | 256 | 110 |" in (out / "network-plan.md").read_text().splitlines()

    written = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run_playbook(role(**variables))
    assert again.rc == 0 and again.changed == 0, failures(again)
    checked = run_playbook(role(**variables), check=True, diff=True)
    assert checked.rc == 0 and checked.changed == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == written


def test_check_mode_on_a_fresh_directory_writes_nothing(tmp_path):
    res = run_playbook(role(dualstack_cluster_output_dir=str(tmp_path / "out"), dualstack_cluster_services=SERVICES),
                       check=True)
    assert res.rc == 0 and res.changed > 0, failures(res)
    assert not (tmp_path / "out").exists()


def test_single_stack_gets_the_flags_of_its_family_only(tmp_path):
    out = tmp_path / "out"
    res = run_playbook(role(dualstack_cluster_output_dir=str(out), dualstack_cluster_cluster_cidrs=["fd00:10:244::/56"],
                            dualstack_cluster_service_cidrs=["fd00:10:96::/112"], dualstack_cluster_node_mask_sizes={"IPv6": 72},
                            dualstack_cluster_services=[SERVICES[0]]))
    assert res.rc == 0, failures(res)
    cluster = documents(out / "kubeadm-config.yaml")[0]
    assert cluster["controllerManager"]["extraArgs"] == [{"name": "node-cidr-mask-size-ipv6", "value": "72"}]
    assert cluster["networking"]["podSubnet"] == "fd00:10:244::/56"
    web = documents(out / "service-default-web.yaml")[0]
    assert (web["spec"]["ipFamilyPolicy"], web["spec"]["ipFamilies"]) == ("PreferDualStack", ["IPv6"])


@pytest.mark.parametrize("variables, message", [
    ({"dualstack_cluster_advertise_address": "2001:db8::1"},
     'kube-apiserver would refuse .*: service IP family "10.96.0.0/16" must match public address family '
     '"2001:db8::1"'),
    ({"dualstack_cluster_node_ip": "192.0.2.1,192.0.2.2"},
     'kubelet would refuse .*: bad --node-ip "192.0.2.1,192.0.2.2": must contain either a single IP or a '
     'dual-stack pair of IPs'),
    ({"dualstack_cluster_node_mask_sizes": {"IPv4": 24, "IPv6": 120}},
     "kube-controller-manager would refuse .*: New CIDR set failed; the node CIDR size is too big"),
    ({"dualstack_cluster_controller_manager_extra_args": {"node-cidr-mask-size": 24}},
     "usage of --node-cidr-mask-size is not allowed with dual-stack clusters"),
    ({"dualstack_cluster_cluster_cidrs": ["10.96.0.0/20", "fd00:10:244::/56"]},
     "--cluster-cidr 10.96.0.0/20 lies inside --service-cluster-ip-range 10.96.0.0/16: pod and service addresses would "
     "collide"),
    ({"dualstack_cluster_cluster_cidrs": ["10.244.0.0/16", "fd00:10:244::/56"], "dualstack_cluster_node_count": 300},
     "node_count 300 exceeds the 256 IPv4 node podCIDRs of --cluster-cidr 10.244.0.0/16"),
    ({"dualstack_cluster_service_cidrs": ["10.96.0.0/16"], "dualstack_cluster_service_ip_family_policy": "RequireDualStack",
      "dualstack_cluster_services": [SERVICES[0]]},
     'Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured '
     'for dual-stack services'),
])
def test_refuses_what_the_components_refuse_before_writing_anything(tmp_path, variables, message):
    res = run_playbook(role(dualstack_cluster_output_dir=str(tmp_path / "out"), **variables))
    assert re.search(message, failed_message(res)), failed_message(res)
    assert not (tmp_path / "out").exists()


def test_argument_spec_is_strict(tmp_path):
    res = run_playbook(role(dualstack_cluster_output_dir=str(tmp_path), dualstack_cluster_service_ip_family_policy="Dual",
                            dualstack_cluster_node_mask_sizes={"IPv4": "big"}))
    message = failed_message(res)
    assert "dualstack_cluster_service_ip_family_policy" in message and "dualstack_cluster_node_mask_sizes" in message


def test_survey_strings_render_exactly_as_their_values(tmp_path):
    """AWX passes survey answers as strings. The argument spec accepts what Ansible converts ("yes", "2", "a,b",
    "k=v,k=v", JSON); the role converts them the same way, so the files are those of the typed values."""
    typed = dict(dualstack_cluster_assign_pod_cidrs=True, dualstack_cluster_nodes=["node-1", "node-2"],
                 dualstack_cluster_node_count=2, dualstack_cluster_max_pods=100,
                 dualstack_cluster_cluster_cidrs=["10.244.0.0/16", "fd00:10:244::/56"],
                 dualstack_cluster_service_cidrs=["10.96.0.0/16", "fd00:10:96::/112"],
                 dualstack_cluster_node_networks=["192.0.2.0/24", "2001:db8::/64"],
                 dualstack_cluster_node_mask_sizes={"IPv4": 25, "IPv6": 64},
                 dualstack_cluster_controller_manager_extra_args={"node-monitor-grace-period": "40s"},
                 dualstack_cluster_apiserver_extra_args={"v": "2"}, dualstack_cluster_services=SERVICES)
    strings = dict(typed, dualstack_cluster_assign_pod_cidrs="yes", dualstack_cluster_nodes="node-1, node-2",
                   dualstack_cluster_node_count="2", dualstack_cluster_max_pods="100",
                   dualstack_cluster_cluster_cidrs="10.244.0.0/16,fd00:10:244::/56",
                   dualstack_cluster_service_cidrs="10.96.0.0/16\nfd00:10:96::/112",
                   dualstack_cluster_node_networks="192.0.2.0/24,2001:db8::/64",
                   dualstack_cluster_node_mask_sizes="IPv4=25,IPv6=64",
                   dualstack_cluster_controller_manager_extra_args='{"node-monitor-grace-period": "40s"}',
                   dualstack_cluster_apiserver_extra_args="v=2")
    rendered = {}
    for name, variables in (("typed", typed), ("strings", strings)):
        out = tmp_path / name
        res = run_playbook(role(dualstack_cluster_output_dir=str(out), **variables))
        assert res.rc == 0, failures(res)
        rendered[name] = {p.name: p.read_text() for p in out.iterdir()}
    assert rendered["strings"] == rendered["typed"]
    assert "- name: node-cidr-mask-size-ipv4\n    value: '25'" in rendered["typed"]["kubeadm-config.yaml"]
    off = run_playbook(role(dualstack_cluster_output_dir=str(tmp_path / "off"), dualstack_cluster_assign_pod_cidrs="false",
                            dualstack_cluster_nodes="node-1"))
    assert off.rc == 0, failures(off)
    assert "node-pod-cidrs.yaml" not in os.listdir(tmp_path / "off")


def test_survey_strings_that_are_no_value_are_refused_naming_the_variable(tmp_path):
    res = run_playbook(role(dualstack_cluster_output_dir=str(tmp_path), dualstack_cluster_node_count="many",
                            dualstack_cluster_verify="maybe"))
    message = failed_message(res)
    assert "dualstack_cluster_node_count" in message and "dualstack_cluster_verify" in message, message
    assert "Traceback" not in res.stdout


def test_plan_warnings_are_printed(tmp_path):
    res = run_playbook(role(dualstack_cluster_output_dir=str(tmp_path / "out"),
                            dualstack_cluster_service_cidrs=["fd00:10:96::/112", "10.96.0.0/16"]))
    assert res.rc == 0, failures(res)
    warning = res.task(TASK + "Print the network plan's warnings")["result"]["msg"]
    assert any("--cluster-cidr puts IPv4 first but --service-cluster-ip-range puts IPv6 first" in w for w in warning)


# --- against the cluster ----------------------------------------------------------------------


@pytest.fixture
def core(kube):
    api = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
    yield k8s_client.CoreV1Api(api)
    api.close()


@pytest.mark.cluster(allocate_node_cidrs=False)     # the role assigns podCIDRs where kube-controller-manager does not
def test_applies_to_the_cluster_and_verifies(kube, core):
    for name in ("worker-a", "worker-b"):
        core.create_node({"metadata": {"name": name}})
    core.create_node({"metadata": {"name": "worker-set"}, "spec": {"podCIDRs": ["10.244.7.0/24", "fd00:10:244:7::/64"]}})
    variables = dict(dualstack_cluster_assign_pod_cidrs=True, dualstack_cluster_services=SERVICES)
    env = {"K8S_AUTH_KUBECONFIG": kube.kubeconfig}

    checked = run_playbook(role(**variables), check=True, env=env)
    assert checked.rc == 0 and checked.changed > 0, failures(checked)
    assert not (core.read_node("worker-a").spec or k8s_client.V1NodeSpec()).pod_cidrs
    assert "web" not in [s.metadata.name for s in core.list_namespaced_service("default").items]

    res = run_playbook(role(**variables), env=env)
    assert res.rc == 0, failures(res)
    # the release every check answered for: the control plane's own, read from its /version (issue 12)
    release = kubernetes_release()
    assert res.task(TASK + "Print the Kubernetes release the checks answer for")["result"]["msg"] == (
        "Kubernetes release %s (detected from the cluster)" % release)
    verified = res.task(TASK + "Run the checks of the Validate IPv4/IPv6 dual-stack task")["result"]
    assert verified["kubernetes_version"] == {"version": release, "minor": ".".join(release[1:].split(".")[:2]),
                                              "source": "cluster", "feature_gates": {}}
    assert res.task(TASK + "Give nodes without podCIDRs the ones kube-controller-manager would give them")["result"][
        "assignments"] == {"worker-a": ["10.244.0.0/24", "fd00:10:244::/64"], "worker-b": ["10.244.1.0/24", "fd00:10:244:1::/64"]}
    assert core.read_node("worker-b").spec.pod_cidrs == ["10.244.1.0/24", "fd00:10:244:1::/64"]
    assert core.read_node("worker-set").spec.pod_cidrs == ["10.244.7.0/24", "fd00:10:244:7::/64"]
    web = core.read_namespaced_service("web", "default")
    assert web.spec.ip_family_policy == "PreferDualStack" and web.spec.ip_families == ["IPv4", "IPv6"]
    assert len(web.spec.cluster_ips) == 2
    assert core.read_namespaced_service("dns", "kube-system").spec.ip_families == ["IPv6"]
    summary = res.task(TASK + "Run the checks of the Validate IPv4/IPv6 dual-stack task")["result"]["summary"]
    printed = res.task(TASK + "Print the checks' summary line and the failed checks, one row each")["result"]["msg"]
    assert printed[0] == summary["line"] and printed[1].split() == ["KIND", "NAMESPACE/NAME", "CHECK", "REASON"]
    assert summary["services"]["failed"] == 0 and summary["services"]["total"] == 4  # with default/kubernetes
    # the nodes have podCIDRs but no addresses (no kubelet): the task page's address check fails for each
    assert summary["nodes"]["checks"]["podCIDRs"] == {"passed": 3, "failed": 0}
    assert summary["nodes"]["checks"]["addresses"] == {"passed": 0, "failed": 3}

    again = run_playbook(role(**variables), env=env)
    assert again.rc == 0 and again.changed == 0, [t["task"] for t in again.tasks if t["result"].get("changed")]

    older = run_playbook(role(dualstack_cluster_kubernetes_version="1.35"), env=env)
    assert older.rc == 0, failures(older)
    assert older.task(TASK + "Print the Kubernetes release the checks answer for")["result"]["msg"] == (
        "Kubernetes release 1.35 (dualstack_cluster_kubernetes_version)")
    unsupported = run_playbook(role(dualstack_cluster_kubernetes_version="v1.33.5"), env=env)
    assert "Kubernetes 1.33 is not supported; the supported releases are 1.34 to 1.37" in failed_message(unsupported)

    strict = run_playbook(role(dualstack_cluster_verify_fail_on_error=True), env=env)
    assert "3 of 7 objects fail the dual-stack checks: Node worker-a (addresses)" in failed_message(strict)


def test_verify_dualstack_playbook_prints_a_table_and_a_summary_line(kube, core, tmp_path):
    merge = "application/merge-patch+json"
    core.create_node({"metadata": {"name": "node-1"}, "spec": {"podCIDRs": ["10.244.0.0/24", "fd00:10:244::/64"]}})
    core.patch_node_status("node-1", {"status": {"addresses": [
        {"type": "InternalIP", "address": "192.0.2.11"}, {"type": "InternalIP", "address": "2001:db8:0:1::11"},
        {"type": "Hostname", "address": "node-1"}]}}, _content_type=merge)
    core.create_node({"metadata": {"name": "node-2"}, "spec": {"podCIDRs": ["10.245.1.0/24", "fd00:10:245:1::/64"]}})
    core.patch_node_status("node-2", {"status": {"addresses": [  # its podCIDRs are its only failed check
        {"type": "InternalIP", "address": "192.0.2.12"}, {"type": "InternalIP", "address": "2001:db8:0:1::12"},
        {"type": "Hostname", "address": "node-2"}]}}, _content_type=merge)
    playbook = os.path.join(ROOT, "playbooks", "verify_dualstack.yml")
    inventory = os.path.join(ROOT, "playbooks", "inventory", "example")
    args = dict(inventory=inventory, env={"K8S_AUTH_KUBECONFIG": kube.kubeconfig},
                extra_vars={"clusternet_sandbox": str(tmp_path)})
    res = run_playbook(playbook, **args)
    assert res.rc == 0, failures(res)
    checked = res.task("Run the checks of the task on every node, pod and Service")["result"]
    assert checked["summary"]["nodes"]["checks"]["podCIDRs-from-cluster-cidr"] == {"passed": 1, "failed": 1}
    assert checked["service_cidrs"] == ["10.96.0.0/16", "fd00:10:96::/112"]
    assert checked["nodes"] == []  # no per-object JSON (report: none): the table says it (issue 14, point 7)
    printed = res.task("Print the summary line and the failed checks, one row each")["result"]["msg"]
    assert printed[0] == "1 of 3 objects fails the dual-stack checks: Node 1 of 2, Pod 0 of 0, Service 0 of 1"
    assert printed[1].split() == ["KIND", "NAMESPACE/NAME", "CHECK", "REASON"]
    assert [row.split()[:3] for row in printed[2:]] == [["Node", "node-2", "podCIDRs-from-cluster-cidr"]]
    strict = run_playbook(playbook, **dict(args, extra_vars={"clusternet_sandbox": str(tmp_path),
                                                             "verify_dualstack_fail_on_error": True}))
    assert failed_message(strict) == ("1 of 3 objects fails the dual-stack checks: Node 1 of 2, Pod 0 of 0, Service 0 of 1 "
                                      "(each failed check is a row of the table above)")

"""The pod_hosts filter, called as Jinja calls it."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import FilterModule
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import parse_ip_sloppy

pod_hosts = FilterModule().filters()["pod_hosts"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def pod_from(vec, **spec):
    i = vec["input"]
    return {"metadata": {"name": i["hostname"], "namespace": "default"}, "spec": dict(spec, hostAliases=i["host_aliases"]),
            "status": {"podIPs": [{"ip": ip} for ip in i["host_ips"]]}}


# managed-file vectors whose names and aliases a real pod can carry (no domain: it comes from the subdomain)
@pytest.mark.parametrize("vec", [pytest.param(v, id=v["name"]) for v in VECTORS
                                 if v["feature"] == "hosts_managed" and not v["input"]["host_domain"]
                                 and v["input"]["hostname"].islower()])
def test_managed_vectors_through_the_filter(vec):
    assert pod_hosts(pod_from(vec)) == vec["expected"]


def test_statefulset_pod():
    (vec,) = [v for v in VECTORS if v["feature"] == "hosts_managed" and v["input"]["host_domain"].endswith(".svc.cluster.local")]
    pod = pod_from(vec, hostname="web-0", subdomain=vec["input"]["host_domain"].split(".")[0])
    assert pod_hosts(pod) == vec["expected"]


def host_network_pod(vec):
    return {"metadata": {"name": "p"}, "spec": {"hostNetwork": True, "hostAliases": vec["input"]["host_aliases"]}}


def apiserver_accepts(vec):
    return all(parse_ip_sloppy(a["ip"]) for a in vec["input"]["host_aliases"])


@pytest.mark.parametrize("vec", [pytest.param(v, id=v["name"]) for v in VECTORS
                                 if v["feature"] == "hosts_host_network" and apiserver_accepts(v)])
def test_host_network_vectors_through_the_filter(vec):
    node_hosts = vec["input"]["node_hosts_content"]
    assert pod_hosts(host_network_pod(vec), node_hosts=node_hosts) == vec["expected"]
    assert pod_hosts(host_network_pod(vec), node_hosts, "other.domain") == vec["expected"]


@pytest.mark.parametrize("vec", [pytest.param(v, id=v["name"]) for v in VECTORS
                                 if v["feature"] == "hosts_host_network" and not apiserver_accepts(v)])
def test_host_network_vectors_the_apiserver_rejects(vec):
    with pytest.raises(AnsibleFilterError, match=r"^pod_hosts: kube-apiserver would reject this pod: spec\.hostAliases\[1\]\.ip"):
        pod_hosts(host_network_pod(vec), node_hosts=vec["input"]["node_hosts_content"])


def test_cluster_domain_keyword():
    pod = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"subdomain": "s"}, "status": {"podIP": "10.0.0.1"}}
    assert pod_hosts(pod, cluster_domain="corp.example").endswith("10.0.0.1\tp.s.ns.svc.corp.example\tp\n")


@pytest.mark.parametrize("args, kwargs, message", [
    (({"metadata": {"name": "p"}},), {}, "pod_hosts: the pod has no IP"),
    (({"metadata": {"name": "p"}, "spec": {"hostNetwork": True}},), {}, "pod_hosts: a host-network pod gets the node's own hosts file"),
    (({"metadata": {"name": "p"}, "spec": {"hostAliases": [{"ip": "x"}]}, "status": {"podIP": "10.0.0.1"}},), {},
     'pod_hosts: kube-apiserver would reject this pod: spec.hostAliases[0].ip: Invalid value: "x": must be a valid IP address'),
    (("not a pod",), {}, "pod_hosts: pod must be a mapping"),
    ((None,), {}, "pod_hosts: pod must be a mapping"),
    (({},), {"cluster": "x"}, "pod_hosts: "),
    ((), {}, "pod_hosts: "),
])
def test_errors_are_filter_errors(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as err:
        pod_hosts(*args, **kwargs)
    assert str(err.value).startswith(message)

"""The kubelet's /etc/hosts rendering, HostAliases validation and normalising, node hosts blocks."""
import json
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils import hosts, hosts_block, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors
from tests.support.collection_tree import ROOT

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def vectors(feature):
    return [pytest.param(v, id=v["name"]) for v in VECTORS if v["feature"] == feature]


FIXED = ("# Kubernetes-managed hosts file.\n"
         "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n"
         "fe00::0\tip6-localnet\n"
         "fe00::0\tip6-mcastprefix\n"
         "fe00::1\tip6-allnodes\n"
         "fe00::2\tip6-allrouters\n")


def make_pod(name="web-0", namespace="default", ips=("10.244.1.5",), **spec):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec,
            "status": {"podIPs": [{"ip": ip} for ip in ips]}}


# --- vectors -----------------------------------------------------------------------------------

def test_vector_counts():
    features = [v["feature"] for v in VECTORS]
    mine = ("hosts_managed", "hosts_host_network", "hosts_mount_decision", "pod_hostname_truncate", "pod_hostname_domain",
            "pod_kernel_hostname", "validation_host_aliases", "validation_hostname")
    counts = {f: features.count(f) for f in mine}
    assert counts == {"hosts_managed": 5, "hosts_host_network": 4, "hosts_mount_decision": 4, "pod_hostname_truncate": 2,
                      "pod_hostname_domain": 4, "pod_kernel_hostname": 3, "validation_host_aliases": 6,
                      "validation_hostname": 3}


@pytest.mark.parametrize("vec", vectors("hosts_managed"))
def test_hosts_managed(vec):
    i = vec["input"]
    assert hosts.managed_hosts_content(i["host_ips"], i["hostname"], i["host_domain"], i["host_aliases"]) == vec["expected"]


@pytest.mark.parametrize("vec", vectors("hosts_host_network"))
def test_hosts_host_network(vec):
    i = vec["input"]
    assert hosts.node_hosts_content(i["node_hosts_content"], i["host_aliases"]) == vec["expected"]


@pytest.mark.parametrize("vec", [p for p in vectors("hosts_host_network") if "pod_ips" in p.values[0]["input"]])
def test_host_network_pod_gets_no_pod_lines(vec):
    i = vec["input"]
    pod = make_pod(name=i["pod_hostname"], ips=i["pod_ips"], hostNetwork=True, hostAliases=i["host_aliases"])
    assert hosts.pod_hosts(pod, node_hosts=i["node_hosts_content"]) == vec["expected"]


def mount_pod(i):
    mounts = [{"name": "v", "mountPath": p} for p in i["container_mount_paths"]]
    pod = {"spec": {"hostNetwork": i["host_network"], "containers": [{"name": "c", "volumeMounts": mounts}]},
           "status": {"podIPs": [{"ip": ip} for ip in i["pod_ips"]]}}
    if "has_windows_host_process_container" in i:
        pod["spec"]["securityContext"] = {"windowsOptions": {"hostProcess": i["has_windows_host_process_container"]}}
    return pod


@pytest.mark.parametrize("vec", vectors("hosts_mount_decision"))
def test_hosts_mount_decision(vec):
    i = vec["input"]
    assert hosts.should_mount_hosts_file(mount_pod(i), "c", goos=i["goos"]) is vec["expected"]


@pytest.mark.parametrize("vec", vectors("pod_hostname_truncate"))
def test_pod_hostname_truncate(vec):
    assert hosts.truncate_pod_hostname("test-pod", vec["input"]["hostname"]) == vec["expected"]


@pytest.mark.parametrize("vec", vectors("pod_hostname_domain"))
def test_pod_hostname_domain(vec):
    i = vec["input"]
    gate = i.get("feature_gates", {}).get("HostnameOverride", True)
    got = hosts.pod_hostname_and_domain(i["pod_name"], i["namespace"], i["hostname"], i["subdomain"], i["cluster_domain"],
                                        i.get("hostname_override"), gate)
    assert got == (vec["expected"]["hostname"], vec["expected"]["host_domain"])


@pytest.mark.parametrize("vec", vectors("pod_kernel_hostname"))
def test_pod_kernel_hostname(vec):
    i = vec["input"]
    assert hosts.kernel_hostname(i["hostname"], i["host_domain"], i["set_hostname_as_fqdn"]) == vec["expected"]


def assert_validation(errors, expected, root):
    texts = [str(e) for e in errors]
    if expected["valid"]:
        assert texts == []
    elif expected["error_contains"].startswith(root):
        assert expected["error_contains"] in texts
    else:
        assert any(expected["error_contains"] in t for t in texts), texts


@pytest.mark.parametrize("vec", vectors("validation_host_aliases"))
def test_validation_host_aliases(vec):
    i = vec["input"]
    assert_validation(hosts.validate_host_aliases(i["host_aliases"], i["field_path_root"]), vec["expected"], i["field_path_root"])
    spec = {"hostAliases": i["host_aliases"], "hostNetwork": i.get("host_network", False)}
    assert_validation(hosts.validate_pod_host_fields(spec, "spec"), vec["expected"], i["field_path_root"])


@pytest.mark.parametrize("vec", vectors("validation_hostname"))
def test_validation_hostname(vec):
    assert_validation(hosts.validate_pod_host_fields(dict(vec["input"]), "spec"), vec["expected"], "spec.")


# --- kubelet rendering: own cases --------------------------------------------------------------

@pytest.mark.parametrize("ips, lines", [
    (["10.244.1.5"], "10.244.1.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"),
    (["fd00:10:244::5"], "fd00:10:244::5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"),
    (["10.244.1.5", "fd00:10:244::5"], "10.244.1.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"
                                       "fd00:10:244::5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"),
    (["fd00:10:244::5", "10.244.1.5"], "fd00:10:244::5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"
                                       "10.244.1.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"),
], ids=["ipv4", "ipv6", "dual-stack", "ipv6-primary"])
def test_pod_hosts_families_with_subdomain(ips, lines):
    pod = make_pod(ips=ips, hostname="web-0", subdomain="nginx")
    assert hosts.pod_hosts(pod) == FIXED + lines


def test_pod_hosts_defaults_to_pod_name_and_aliases():
    pod = make_pod(name="api-7c9d", ips=["10.0.0.9", "fd00::9"],
                   hostAliases=[{"ip": "10.1.2.3", "hostnames": ["db", "db.internal"]}, {"ip": "fd00::1", "hostnames": ["v6"]}])
    assert hosts.pod_hosts(pod) == (FIXED + "10.0.0.9\tapi-7c9d\nfd00::9\tapi-7c9d\n\n# Entries added by HostAliases.\n"
                                    "10.1.2.3\tdb\tdb.internal\nfd00::1\tv6\n")


def test_pod_hosts_single_pod_ip_and_custom_domain():
    pod = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"subdomain": "s"}, "status": {"podIP": "10.0.0.1"}}
    assert hosts.pod_hosts(pod, cluster_domain="corp.example") == FIXED + "10.0.0.1\tp.s.ns.svc.corp.example\tp\n"
    assert hosts.pod_hosts(pod, cluster_domain="") == FIXED + "10.0.0.1\tp.s.ns.svc.\tp\n"
    del pod["metadata"]["namespace"]
    assert hosts.pod_hosts(pod) == FIXED + "10.0.0.1\tp.s.default.svc.cluster.local\tp\n"


def test_pod_hosts_status_pod_ip_wins_over_pod_ips():
    """SetDefaults_PodStatus: podIP fills an empty podIPs and podIPs[0] an empty podIP; when they differ,
    podIP wins and podIPs becomes [podIP] (compatibility with older kubelets)."""
    pod = make_pod(ips=["fd00::1", "10.0.0.1"])
    assert hosts.pod_hosts(pod).endswith("fd00::1\tweb-0\n10.0.0.1\tweb-0\n")
    pod["status"]["podIP"] = "fd00::1"
    assert hosts.pod_hosts(pod).endswith("fd00::1\tweb-0\n10.0.0.1\tweb-0\n")
    pod["status"]["podIP"] = "10.0.0.1"
    assert hosts.pod_hosts(pod).endswith("fe00::2\tip6-allrouters\n10.0.0.1\tweb-0\n")


def test_pod_hosts_hostname_override():
    pod = make_pod(hostname="h", subdomain="s", hostnameOverride="www.example.com")
    assert hosts.pod_hosts(pod) == FIXED + "10.244.1.5\twww.example.com\n"
    # kube-apiserver refuses it first (validatePodHostName); the kubelet's own check is behind it
    with pytest.raises(InputError, match=r'^kube-apiserver would reject this pod: spec.hostnameOverride: Invalid value: "Bad_Name": '
                                         r'a lowercase RFC 1123 subdomain'):
        hosts.pod_hosts(make_pod(hostnameOverride="Bad_Name"))
    with pytest.raises(InputError, match=r'^pod HostnameOverride "Bad_Name" is not a valid DNS subdomain: a lowercase RFC 1123'):
        hosts.pod_hostname_and_domain("p", "ns", hostname_override="Bad_Name")
    assert hosts.pod_hostname_and_domain("p", "ns", "h", "s", "cl", "www.example.com", False) == ("h", "s.ns.svc.cl")


@pytest.mark.parametrize("extra, error", [
    ({"setHostnameAsFQDN": True}, "spec.hostnameOverride: Forbidden: may not be specified when setHostnameAsFQDN is true"),
    ({"hostNetwork": True}, "spec.hostnameOverride: Forbidden: may not be specified when hostNetwork is true")])
def test_pod_hosts_refuses_what_the_apiserver_refuses_with_hostname_override(extra, error):
    """kubernetes PR #132558 (KEP-4762), validatePodHostName: kube-apiserver rejects ``hostnameOverride``
    together with ``setHostnameAsFQDN: true`` or ``hostNetwork: true``; no /etc/hosts is ever written for such a pod."""
    pod = make_pod(hostnameOverride="www.example.com", **extra)
    with pytest.raises(InputError) as raised:
        hosts.pod_hosts(pod, node_hosts="127.0.0.1 localhost\n")
    assert str(raised.value) == "kube-apiserver would reject this pod: " + error
    assert hosts.pod_hosts(make_pod(hostnameOverride="www.example.com", setHostnameAsFQDN=False)).endswith("www.example.com\n")


def test_hostname_63_and_64_bytes():
    name63 = "a" * 62 + "b"
    assert hosts.truncate_pod_hostname("p", name63) == name63
    assert hosts.truncate_pod_hostname("p", name63 + "c") == name63
    assert hosts.truncate_pod_hostname("p", "a" * 61 + ".-" + "z") == "a" * 61
    pod = make_pod(name=("x" * 62) + "-yz")  # a 65-byte pod name is a valid DNS subdomain
    assert hosts.pod_hosts(pod) == FIXED + "10.244.1.5\t" + "x" * 62 + "\n"


def test_truncation_to_nothing_is_the_kubelet_error():
    with pytest.raises(InputError) as err:
        hosts.truncate_pod_hostname("p", "-" * 64)
    assert str(err.value) == 'hostname for pod "p" was invalid: "%s"' % ("-" * 64)


def test_kubelet_hostname_errors():
    with pytest.raises(InputError) as err:
        hosts.pod_hostname_and_domain("p", "ns", hostname="a.b")
    assert str(err.value) == 'pod Hostname "a.b" is not a valid DNS label: must not contain dots'
    with pytest.raises(InputError) as err:
        hosts.pod_hostname_and_domain("p", "ns", subdomain="A")
    assert str(err.value).startswith('pod Subdomain "A" is not a valid DNS label: a lowercase RFC 1123 label')


def test_kernel_hostname_fqdn_limit_is_64():
    host, domain = "h" * 20, "s.ns.svc." + "c" * 34  # 20 + 1 + 43 = 64
    assert hosts.kernel_hostname(host, domain, True) == host + "." + domain
    assert hosts.kernel_hostname(host, domain + "x", None) == host
    with pytest.raises(InputError) as err:
        hosts.kernel_hostname(host, domain + "x", True)
    assert str(err.value) == ("failed to construct FQDN from pod hostname and cluster domain, FQDN %s.%sx is too long "
                              "(64 characters is the max, 65 characters requested)" % (host, domain))


def test_pod_hosts_refuses_a_pod_whose_sandbox_cannot_start():
    pod = make_pod(name="p" * 40, hostname="p" * 40, subdomain="s" * 20, setHostnameAsFQDN=True)
    with pytest.raises(InputError, match="FQDN .* is too long"):
        hosts.pod_hosts(pod)
    pod["spec"]["setHostnameAsFQDN"] = False
    assert "\tpppp" in hosts.pod_hosts(pod)


def test_pod_hosts_needs_what_the_kubelet_needs():
    with pytest.raises(InputError, match="no IP in status.podIPs"):
        hosts.pod_hosts(make_pod(ips=()))
    with pytest.raises(InputError, match="pass node_hosts"):
        hosts.pod_hosts(make_pod(hostNetwork=True))
    with pytest.raises(InputError, match="metadata.name is required"):
        hosts.pod_hosts({"status": {"podIP": "10.0.0.1"}})


def test_host_network_pod_keeps_node_file_bytes():
    pod = make_pod(ips=(), hostNetwork=True, hostAliases=[{"ip": "10.1.1.1", "hostnames": ["a"]}])
    assert hosts.pod_hosts(pod, node_hosts="127.0.0.1 localhost") == (
        "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n# Entries added by HostAliases.\n10.1.1.1\ta\n")


@pytest.mark.parametrize("pod, message", [
    (make_pod(hostAliases=[{"ip": "10.0.0.1\n6.6.6.6", "hostnames": ["x"]}]),
     'kube-apiserver would reject this pod: spec.hostAliases[0].ip: Invalid value: "10.0.0.1\\n6.6.6.6": must be a valid IP address'),
    (make_pod(hostAliases=[{"ip": "10.0.0.1", "hostnames": ["a\nb"]}]), 'spec.hostAliases[0].hostnames[0]: Invalid value: "a\\nb"'),
    (make_pod(name="a\nb"), 'metadata.name: Invalid value: "a\\nb"'),
    (make_pod(namespace="a b", subdomain="s"), 'metadata.namespace: Invalid value: "a b"'),
    (make_pod(hostname="Web_1"), 'spec.hostname: Invalid value: "Web_1"'),
    (make_pod(ips=["10.0.0.1\n"]), 'kube-apiserver would reject this pod\'s status: status.podIPs[0]: Invalid value: "10.0.0.1\\n"'),
    ({"metadata": {"name": "p"}, "status": {"podIP": "x"}}, 'status.podIPs[0]: Invalid value: "x": must be a valid IP address'),
], ids=["alias-ip-newline", "alias-name-newline", "pod-name", "namespace", "hostname", "pod-ip", "single-pod-ip"])
def test_pod_hosts_refuses_injection(pod, message):
    with pytest.raises(InputError) as err:
        hosts.pod_hosts(pod)
    assert message in str(err.value)


def test_pod_hosts_refuses_unsafe_cluster_domain():
    with pytest.raises(InputError, match="cluster_domain"):
        hosts.pod_hosts(make_pod(subdomain="s"), cluster_domain="x\n1.1.1.1 evil")


@pytest.mark.parametrize("bad", [None, 1, "x", [], {"spec": []}, {"spec": {"hostAliases": "x"}},
                                 {"spec": {"hostAliases": [None]}}, {"spec": {"hostAliases": [{"ip": 1}]}},
                                 {"spec": {"hostAliases": [{"ip": "1.1.1.1", "hostnames": [2]}]}},
                                 {"spec": {"hostNetwork": "yes"}}, {"metadata": [], "status": {"podIP": "1.1.1.1"}},
                                 {"status": {"podIPs": [None]}}, {"status": {"podIPs": [{"ip": 5}]}},
                                 {"metadata": {"name": "p"}, "spec": {"setHostnameAsFQDN": "true", "subdomain": "s"},
                                  "status": {"podIP": "1.1.1.1"}}])
def test_pod_hosts_bad_types_are_input_errors(bad):
    with pytest.raises(InputError):
        hosts.pod_hosts(bad)


def test_pod_hosts_bad_arguments():
    with pytest.raises(InputError):
        hosts.pod_hosts(make_pod(hostNetwork=True), node_hosts=3)
    with pytest.raises(InputError):
        hosts.pod_hosts(make_pod(), cluster_domain=None)


# --- mount decision ----------------------------------------------------------------------------

def test_mount_decision_per_container_and_host_process():
    pod = {"spec": {"containers": [{"name": "a", "volumeMounts": [{"mountPath": "/etc/hosts"}]}, {"name": "b"}],
                    "initContainers": [{"name": "i", "securityContext": {"windowsOptions": {"hostProcess": True}}}]},
           "status": {"podIPs": [{"ip": "10.0.0.1"}]}}
    assert hosts.should_mount_hosts_file(pod, "a") is False
    assert hosts.should_mount_hosts_file(pod, "b") is True
    assert hosts.should_mount_hosts_file(pod, "b", goos="windows") is False
    pod["spec"]["initContainers"][0]["securityContext"]["windowsOptions"]["hostProcess"] = False
    assert hosts.should_mount_hosts_file(pod, "b", goos="windows") is True
    pod["spec"]["securityContext"] = {"windowsOptions": {"hostProcess": True}}  # inherited by "a" and "b"
    assert hosts.should_mount_hosts_file(pod, "b", goos="windows") is False
    for c in pod["spec"]["containers"]:
        c["securityContext"] = {"windowsOptions": {"hostProcess": False}}  # the container's value wins
    assert hosts.should_mount_hosts_file(pod, "b", goos="windows") is True
    windows_path = {"spec": {"containers": [{"name": "w", "volumeMounts": [{"mountPath": "C:\\Windows\\System32\\drivers\\etc\\hosts"}]}]},
                    "status": {"podIP": "10.0.0.1"}}
    assert hosts.should_mount_hosts_file(windows_path, "w", goos="windows") is False
    assert hosts.should_mount_hosts_file(windows_path, "w") is True
    host_network = {"spec": {"hostNetwork": True, "containers": [{"name": "h"}]}}
    assert hosts.should_mount_hosts_file(host_network, "h") is True


def test_mount_decision_bad_input():
    pod = {"spec": {"containers": [{"name": "a"}]}}
    for args in ((pod, "missing"), (pod, "a", "plan9"), (pod, 1), ({"spec": {"containers": [1]}}, "a"),
                 ({"spec": {"containers": [{"name": "a", "volumeMounts": [{"mountPath": 1}]}]}}, "a")):
        with pytest.raises(InputError):
            hosts.should_mount_hosts_file(*args)


# --- validation through the dispatcher -----------------------------------------------------------

def test_validation_errors_reach_every_pod_template():
    spec = {"hostname": "a.b", "hostAliases": [{"ip": "x", "hostnames": ["ok"]}], "restartPolicy": "Never"}
    job = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}
    assert [str(e) for e in validation_errors(job)] == [
        'spec.jobTemplate.spec.template.spec.hostname: Invalid value: "a.b": must not contain dots',
        'spec.jobTemplate.spec.template.spec.hostAliases[0].ip: Invalid value: "x": must be a valid IP address, '
        '(e.g. 10.9.8.7 or 2001:db8::ffff)']


def test_host_aliases_strict_gate():
    """``StrictIPCIDRValidation`` is beta and on by default from Kubernetes 1.36 (kubernetes PR #137053;
    GA, always on, in 1.38 by PR #141979): leading zeros and IPv4-mapped IPv6 are refused by default."""
    aliases = [{"ip": "010.0.0.1"}, {"ip": "::ffff:1.2.3.4", "hostnames": []}]
    with releases.using(releases.release("1.35")):
        assert hosts.validate_host_aliases(aliases, "spec.hostAliases") == []
    strict_errors = [
        'spec.hostAliases[0].ip: Invalid value: "010.0.0.1": must not have leading 0s',
        'spec.hostAliases[1].ip: Invalid value: "::ffff:1.2.3.4": must not be an IPv4-mapped IPv6 address']
    with releases.using(releases.release("1.35", {"StrictIPCIDRValidation": True})):
        assert [str(e) for e in hosts.validate_host_aliases(aliases, "spec.hostAliases")] == strict_errors
    assert [str(e) for e in hosts.validate_host_aliases(aliases, "spec.hostAliases")] == strict_errors
    assert [str(e) for e in validation_errors({"kind": "Pod", "spec": {"hostAliases": aliases}})] == strict_errors


def test_host_alias_with_a_trailing_dot_is_refused():
    """The HostAliasesAllowFQDN proposal (kubernetes PR #139058, KEP-6075) is not merged: a trailing dot
    fails ``ValidateDNS1123Subdomain``."""
    errors = hosts.validate_host_aliases([{"ip": "10.0.0.1", "hostnames": ["example.com."]}], "spec.hostAliases")
    assert [str(e).split(": a lowercase", maxsplit=1)[0] for e in errors] == ['spec.hostAliases[0].hostnames[0]: Invalid value: "example.com."']


# --- host_aliases normalising ------------------------------------------------------------------

@pytest.mark.parametrize("entries", [
    {"db": "10.0.0.5", "cache": ["10.0.0.6", "fd00::6"], "db.internal": "10.0.0.5"},
    [{"ip": "10.0.0.5", "hostnames": ["db"]}, {"ip": "10.0.0.6", "hostnames": ["cache"]},
     {"ip": "fd00::6", "hostnames": ["cache"]}, {"ip": "10.0.0.5", "hostnames": ["db.internal", "db"]}],
    ["10.0.0.5 db", "10.0.0.6\tcache", "fd00::6 cache", "10.0.0.5  db.internal db"],
    [["10.0.0.5", ["db"]], ("10.0.0.6", ("cache",)), "fd00::6 cache", {"ip": "10.0.0.5", "hostnames": ["db.internal"]}],
], ids=["mapping", "objects", "strings", "mixed"])
def test_host_aliases_shapes(entries):
    assert hosts.host_aliases(entries) == [{"ip": "10.0.0.5", "hostnames": ["db", "db.internal"]},
                                           {"ip": "10.0.0.6", "hostnames": ["cache"]},
                                           {"ip": "fd00::6", "hostnames": ["cache"]}]


def test_host_aliases_merges_spellings_of_one_address():
    entries = ["fd00::6 a", "FD00:0::6 b", "::ffff:10.0.0.1 c", "10.0.0.1 d", "10.0.0.1"]
    assert hosts.host_aliases(entries, validate=False) == [
        {"ip": "fd00::6", "hostnames": ["a", "b"]}, {"ip": "::ffff:10.0.0.1", "hostnames": ["c", "d"]}]
    # the first spelling is kept, and kube-apiserver 1.36 refuses an IPv4-mapped one
    with pytest.raises(InputError, match=r'^spec.hostAliases\[1\].ip: Invalid value: "::ffff:10.0.0.1": must not be an IPv4-mapped'):
        hosts.host_aliases(entries)
    assert hosts.host_aliases(["fd00::6 a", "FD00:0::6 b", "10.0.0.1 d", "::ffff:10.0.0.1 c"]) == [
        {"ip": "fd00::6", "hostnames": ["a", "b"]}, {"ip": "10.0.0.1", "hostnames": ["d", "c"]}]
    assert hosts.host_aliases([]) == []


@pytest.mark.parametrize("entries, message", [
    ({"x": "x"}, 'spec.hostAliases[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
    (["10.0.0.1 Foo"], 'spec.hostAliases[0].hostnames[0]: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist'),
    (["10.0.0.1 a", "bad b", "bad c"], 'spec.hostAliases[1].ip: Invalid value: "bad"'),
    (["bad a", "10.0.0.1 A_"], '[spec.hostAliases[0].ip: Invalid value: "bad": must be a valid IP address'),
])
def test_host_aliases_apiserver_messages(entries, message):
    with pytest.raises(InputError) as err:
        hosts.host_aliases(entries)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("entries", [None, 5, "10.0.0.1 a", {"a": None}, {"a": [1]}, {1: "10.0.0.1"}, [None], [""], ["   "],
                                     [{"ip": "10.0.0.1", "hostname": ["a"]}], [{"hostnames": ["a"]}], [{"ip": "1.1.1.1", "hostnames": "a"}],
                                     [["10.0.0.1", "a"]], [["10.0.0.1", ["a"], 3]], [[1, ["a"]]], [3.5], [{"ip": "1.1.1.1", "hostnames": [None]}]])
def test_host_aliases_bad_shapes(entries):
    with pytest.raises(InputError):
        hosts.host_aliases(entries)


# --- node hosts files ----------------------------------------------------------------------------

def test_parse_hosts():
    text = ("# comment\n\n127.0.0.1\tlocalhost localhost.localdomain # inline\n  ::1 ip6-localhost\r\n"
            "10.0.0.1#nothing\n   # indented comment\n10.0.0.2\n192.168.0.1 \vNode-1\fnode-1.example\n")
    assert hosts_block.parse_hosts(text) == [("127.0.0.1", ["localhost", "localhost.localdomain"]), ("::1", ["ip6-localhost"]),
                                             ("10.0.0.1", []), ("10.0.0.2", []), ("192.168.0.1", ["Node-1", "node-1.example"])]
    assert hosts_block.parse_hosts("") == []
    assert hosts_block.parse_hosts("1.1.1.1 a\u00a0b") == [("1.1.1.1", ["a\u00a0b"])]  # only C isspace() splits
    with pytest.raises(InputError):
        hosts_block.parse_hosts(None)


def test_validate_host_entries_merges_and_canonicalises():
    entries = {"node-1": ["10.0.0.1", "fd00::1"], "Node-1.Example": "010.000.000.001", "node-2": "FD00:0:0::2"}
    assert hosts_block.validate_host_entries(entries) == [("10.0.0.1", ["node-1", "Node-1.Example"]), ("fd00::1", ["node-1"]),
                                                          ("fd00::2", ["node-2"])]
    assert hosts_block.validate_host_entries(hosts_block.validate_host_entries(entries)) == hosts_block.validate_host_entries(entries)
    assert hosts_block.validate_host_entries(["::ffff:10.0.0.1 a", "10.0.0.1 a b"]) == [("10.0.0.1", ["a", "b"])]


@pytest.mark.parametrize("entries, message", [
    (["10.0.0.1 a b\n"], None),  # one line (a final line break is no second line)
    (["10.0.0.1 a\nb"], 'entries[0] holds 2 lines: "10.0.0.1 a\\nb"'),  # not read as one line "10.0.0.1 a b"
    ([{"ip": "10.0.0.1", "hostnames": ["a\nb"]}], 'entries[0]: hostname "a\\nb" must be non-empty'),
    ([{"ip": "10.0.0.1", "hostnames": ["a b"]}], 'hostname "a b"'),
    ([{"ip": "10.0.0.1", "hostnames": ["a#b"]}], 'hostname "a#b"'),
    ([{"ip": "10.0.0.1", "hostnames": ["a\x00"]}], 'hostname "a\\x00"'),
    ([{"ip": "10.0.0.1", "hostnames": ["a\x85"]}], 'hostname "a\\u0085"'),
    ([{"ip": "10.0.0.1", "hostnames": ["a\u2028"]}], 'hostname "a\\u2028"'),
    ([{"ip": "10.0.0.1", "hostnames": ["\udcff"]}], 'hostname "\\xff"'),
    ([{"ip": "10.0.0.1", "hostnames": [""]}], 'hostname ""'),
    ({"a\tb": "10.0.0.1"}, 'entries["a\\tb"]: hostname "a\\tb"'),
    ({"a": "10.0.0.1\n1.2.3.4"}, 'entries["a"]: "10.0.0.1\\n1.2.3.4" is not an IP address'),
    (["not-an-ip a"], 'entries[0]: "not-an-ip" is not an IP address'),
    (["fe80::1%eth0 a"], '"fe80::1%eth0" is not an IP address'),
    (["10.0.0.1"], "entries: 10.0.0.1 has no hostnames"),
    ([{"ip": "10.0.0.1"}], "entries: 10.0.0.1 has no hostnames"),
])
def test_validate_host_entries_refuses_line_injection(entries, message):
    if message is None:
        assert hosts_block.validate_host_entries(entries) == [("10.0.0.1", ["a", "b"])]
        return
    with pytest.raises(InputError) as err:
        hosts_block.validate_host_entries(entries)
    assert message in str(err.value)


def test_validate_host_entries_keeps_non_dns_names():
    assert hosts_block.validate_host_entries(["10.0.0.1 UPPER under_score trailing. caf\u00e9"]) == [
        ("10.0.0.1", ["UPPER", "under_score", "trailing.", "caf\u00e9"])]


def test_validate_host_entries_names_the_field():
    with pytest.raises(InputError, match="^hosts_file entries"):
        hosts_block.validate_host_entries(5, what="hosts_file entries")


def test_duplicate_names():
    entries = ["10.0.0.1 node-1 api", "fd00::1 node-1", "10.0.0.2 Node-1", "10.0.0.3 api", "fd00::3 api", "fd00::4 api"]
    assert hosts_block.duplicate_names(entries) == {"node-1": ["10.0.0.1", "fd00::1", "10.0.0.2"],
                                                    "api": ["10.0.0.1", "10.0.0.3", "fd00::3", "fd00::4"]}
    assert hosts_block.duplicate_names(["10.0.0.1 a", "fd00::1 a", "10.0.0.1 a"]) == {}


BLOCK = "# BEGIN cluster nodes\n10.0.0.1\tnode-1 node-1.example\nfd00::1\tnode-1\n# END cluster nodes\n"
ENTRIES = ["10.0.0.1 node-1 node-1.example", "fd00::1 node-1"]


def test_render_block():
    assert hosts_block.render_block(ENTRIES, "cluster nodes") == BLOCK
    assert hosts_block.render_block([], "m") == "# BEGIN m\n# END m\n"
    for marker in ("", "a\nb", "a\rb", None, "x\x00"):
        with pytest.raises(InputError):
            hosts_block.render_block(ENTRIES, marker)


@pytest.mark.parametrize("before, after", [
    ("", BLOCK),
    ("127.0.0.1 localhost\n", "127.0.0.1 localhost\n" + BLOCK),
    ("127.0.0.1 localhost", "127.0.0.1 localhost\n" + BLOCK[:-1]),  # still no final newline
    ("a\n# BEGIN cluster nodes\nold\n# END cluster nodes\nb\n", "a\n" + BLOCK + "b\n"),
    ("a\n# BEGIN cluster nodes\n# END cluster nodes", "a\n" + BLOCK[:-1]),
    ("# BEGIN cluster nodes\r\nold\r\n# END cluster nodes\r\nz", BLOCK.replace("\n", "\r\n") + "z"),
    ("a\n# BEGIN other\nx\n# END other\n", "a\n# BEGIN other\nx\n# END other\n" + BLOCK),
], ids=["empty", "append", "append-no-final-newline", "replace", "replace-at-eof-no-newline", "crlf-markers", "other-block"])
def test_update_block(before, after):
    assert hosts_block.update_block(before, ENTRIES, "cluster nodes") == after
    assert hosts_block.update_block(after, ENTRIES, "cluster nodes") == after  # idempotent


@pytest.mark.parametrize("before, after", [
    ("a\n" + BLOCK + "b\n", "a\nb\n"),
    ("a\n# BEGIN cluster nodes\nx\n# END cluster nodes", "a"),  # the newline the block was appended after goes too
    ("a\n", "a\n"),
    ("a", "a"),
])
def test_update_block_removes(before, after):
    assert hosts_block.update_block(before, None, "cluster nodes") == after


# Files of every newline shape: none, LF, CRLF, CR only, with and without a final line break, mixed.
NEWLINE_SHAPES = ["", "a\n", "a", "a\nb", "a\r\n", "a\r\nb", "a\rb", "a\rb\r", "a\n\n", "\n", "a\r\nb\n"]


@pytest.mark.parametrize("original", NEWLINE_SHAPES, ids=repr)
def test_a_block_keeps_the_file_newline_style_and_removing_it_gives_back_the_original(original):
    """Issue 13, defect 7: removal added a final newline to files without one; CRLF files got an LF block."""
    newline = "\r\n" if "\r\n" in original[:3] else "\r" if original[1:2] == "\r" else "\n"
    with_block = hosts_block.update_block(original, ENTRIES, "cluster nodes")
    block = BLOCK.replace("\n", newline)
    ends = original.endswith(("\n", "\r"))
    expected = original + block if ends or not original else original + newline + block[:-len(newline)]
    assert with_block == expected
    assert hosts_block.update_block(with_block, ENTRIES, "cluster nodes") == with_block
    assert hosts_block.update_block(with_block, None, "cluster nodes") == original


def test_update_block_never_touches_other_lines():
    outside = "127.0.0.1   localhost  # keep   spacing\n\n# BEGIN cluster nodes x\n\t weird\tline \n"
    text = outside + BLOCK + "tail without newline"
    new = hosts_block.update_block(text, ["10.9.9.9 n"], "cluster nodes")
    assert new == outside + "# BEGIN cluster nodes\n10.9.9.9\tn\n# END cluster nodes\ntail without newline"
    assert hosts_block.update_block(new, None, "cluster nodes") == outside + "tail without newline"


@pytest.mark.parametrize("text, where", [
    (BLOCK + BLOCK, "BEGIN lines: 1, 5; END lines: 4, 8"),
    ("# BEGIN m\n", "BEGIN lines: 1; END lines: none"),
    ("x\n# END m\n", "BEGIN lines: none; END lines: 2"),
    ("# END m\n# BEGIN m\n", "BEGIN lines: 2; END lines: 1"),
])
def test_update_block_refuses_broken_markers(text, where):
    marker = "cluster nodes" if text.startswith(BLOCK) else "m"
    for entries in (ENTRIES, None):
        with pytest.raises(InputError) as err:
            hosts_block.update_block(text, entries, marker)
        assert "duplicated or unbalanced (%s)" % where in str(err.value)


def test_update_block_bad_input():
    for args in ((None, ENTRIES, "m"), ("", ENTRIES, None), ("", ["bad a"], "m"), ("", 5, "m")):
        with pytest.raises(InputError):
            hosts_block.update_block(*args)


def test_update_block_marker_is_matched_literally():
    text = "# BEGIN a.c\nx\n# END a.c\n"
    assert hosts_block.update_block(text, ["10.0.0.1 n"], "a+c") == text + "# BEGIN a+c\n10.0.0.1\tn\n# END a+c\n"
    assert hosts_block.update_block(text, None, "a.c") == ""


def test_unsafe_in_text_is_unsafe_name_less_what_cannot_be_in_a_field():
    # hosts_block reads a text of lines without checking each name when _UNSAFE_IN_TEXT finds nothing in it
    for code in range(0x110000):
        c = chr(code)
        expected = bool(hosts_block.UNSAFE_NAME.match(c)) and c not in " \t\v\f\r\n#"
        assert bool(hosts_block._UNSAFE_IN_TEXT.match(c)) == expected, hex(code)


def test_str_split_splits_a_safe_text_where_the_resolver_does():
    # hosts_block reads a text free of _UNSAFE_IN_TEXT with str.split(): whatever else it splits on must be unsafe
    for code in range(0x110000):
        c = chr(code)
        if c != "\n" and not hosts_block._UNSAFE_IN_TEXT.match(c):
            assert c.isspace() == (c in " \t\v\f\r"), hex(code)


@pytest.mark.parametrize("text, entries", [
    ("10.0.0.1 a b\nfd00::1 a\n\n  10.0.0.2\tc \n", [("10.0.0.1", ["a", "b"]), ("fd00::1", ["a"]), ("10.0.0.2", ["c"])]),
    ("10.0.0.1 a\n010.0.0.2 b\nFD00::1 c\n", [("10.0.0.1", ["a"]), ("10.0.0.2", ["b"]), ("fd00::1", ["c"])]),
    ("10.0.0.1 a # x\n# 10.0.0.9 z\n10.0.0.2 b#c\n", [("10.0.0.1", ["a"]), ("10.0.0.2", ["b"])]),
    ("10.0.0.1 a b a\n10.0.0.1 c a\n::ffff:10.0.0.1 d\n", [("10.0.0.1", ["a", "b", "c", "d"])]),
    ("10.0.0.1 a\r\n10.0.0.2\vb\fc\r\n", [("10.0.0.1", ["a"]), ("10.0.0.2", ["b", "c"])]),
    ("10.0.0.1\n10.0.0.1 a\n", [("10.0.0.1", ["a"])]),
    ("\n \n# only a comment\n", []),
    ("", []),
])
def test_a_text_of_lines_reads_as_each_line_on_its_own(text, entries):
    # the usual text is read in bulk, any other line by line, each IP parsed: the same entries either way
    assert hosts_block.validate_host_entries(text) == entries
    assert hosts_block.merge_by_ip(hosts_block._text_lines(text.split("\n"), True, "entries")) == entries


def test_the_usual_text_loads_no_parser_and_no_error_text():
    # the hosts_file module compiles every module it imports on every run (from its zip): its usual input, a text
    # of lines with canonical IPs, must not need the IP parser, field paths or Go quoting
    code = ("import sys; from ansible_collections.clusternet.k8s.plugins.module_utils.backends import hosts_file; "
            "change = hosts_file.plan_block('127.0.0.1 localhost\\n', '10.0.0.1 a b\\nfd00::1 a\\n', 'm'); "
            "assert change.entries == [('10.0.0.1', ['a', 'b']), ('fd00::1', ['a'])], change.entries; "
            "print(sorted(m.rsplit('.', 1)[-1] for m in sys.modules if '.module_utils.' in m))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "playbooks", "collections"), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == ["backends", "canonical_ip", "common", "hosts_block", "hosts_file", "validation"]


def test_merging_leaves_the_given_names_lists_alone():
    first, second = ["a", "b"], ["b", "c"]
    assert hosts_block.merge_by_ip([(1, "10.0.0.1", first), (1, "10.0.0.01", second), (1, "x", ["d"])]) == [
        ("10.0.0.1", ["a", "b", "c", "d"])]
    assert first == ["a", "b"] and second == ["b", "c"]


@pytest.mark.parametrize("text, message", [
    ("10.0.0.1 a\n10.0.0.2 b\x1fc\n", "entries line 2: hostname \"b\\x1fc\" must be non-empty"),
    ("10.0.0.1 a\nnot-an-ip b\x1fc\n", "entries line 2: \"not-an-ip\" is not an IP address"),
    ("10.0.0.1 a\u3000b\n", "entries line 1: hostname \"a\\u3000b\" must be non-empty"),
])
def test_a_text_of_lines_is_refused_line_by_line(text, message):
    with pytest.raises(InputError, match="^" + re.escape(message)):
        hosts_block.validate_host_entries(text)


def test_a_text_with_an_unsafe_character_only_in_a_comment_is_read():
    assert hosts_block.validate_host_entries("10.0.0.1 a # \x1f\n010.0.0.2 b\n") == [("10.0.0.1", ["a"]), ("10.0.0.2", ["b"])]


@pytest.mark.parametrize("text", ["x# BEGIN m\n", "# BEGIN m x\n", "# BEGIN m\r# BEGIN m", "# BEGIN m# BEGIN m\n# BEGIN m",
                                  "\r\n# BEGIN m\r\n", "", "# BEGIN mm\n# BEGIN m", "# BEGIN m"])
def test_a_marker_counts_only_as_a_whole_line(text):
    line = "# BEGIN m"
    whole_line = re.compile("(?<![^\r\n])" + re.escape(line) + "(?![^\r\n])")
    assert hosts_block._whole_lines(text, line) == [m.start() for m in whole_line.finditer(text)]

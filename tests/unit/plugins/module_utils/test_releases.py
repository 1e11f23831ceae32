"""The supported releases, the table of what changes between them, and the kubernetes_version / feature_gates
keywords of the filters."""
import os
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.component_flag_errors import component_flag_errors
from ansible_collections.clusternet.k8s.plugins.filter.host_aliases import host_aliases
from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import pod_hosts
from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import validation_errors
from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.module_release import module_release

LEADING_ZEROS = [{"ip": "010.001.002.003", "hostnames": ["db"]}]
# kube-apiserver's text where StrictIPCIDRValidation is on (IsValidIPForLegacyField)
STRICT_TEXT = 'spec.hostAliases[0].ip: Invalid value: "010.001.002.003": must not have leading 0s'


def pod(spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": dict({"containers": [{"name": "c", "image": "registry.example/app:1"}]}, **spec)}


@pytest.mark.parametrize("version, minor", [("1.34", 34), ("v1.35", 35), ("1.36.3", 36), ("v1.36.3", 36),
                                            ("v1.37.2-gke.1200000", 37), (None, 37), ("", 37)])
def test_versions_are_read_by_their_minor(version, minor):
    assert releases.release(version).minor == minor


@pytest.mark.parametrize("version", ["1.33", "v1.38.0", "v1.29.5-gke.1"])
def test_a_release_outside_the_range_is_refused_naming_the_range(version):
    with pytest.raises(InputError, match=r"^kubernetes_version %s: Kubernetes 1\.\d+ is not supported; the supported "
                                         r"releases are 1\.34 to 1\.37$" % re.escape(version)):
        releases.release(version)


@pytest.mark.parametrize("version", ["latest", "1", "2.0", "v1.x", 1.36])
def test_what_is_no_release_is_refused(version):
    with pytest.raises(InputError, match="1.34 to 1.37"):
        releases.release(version)


def test_gate_defaults_follow_the_table():
    strict = [releases.release("1.%d" % m).enabled("StrictIPCIDRValidation") for m in releases.SUPPORTED]
    assert strict == [False, False, True, True]
    override = [releases.release("1.%d" % m).enabled("HostnameOverride") for m in releases.SUPPORTED]
    assert override == [False, True, True, True]
    assert releases.release("1.35", {"StrictIPCIDRValidation": True}).enabled("StrictIPCIDRValidation")
    assert not releases.release(None, {"StrictIPCIDRValidation": "false"}).enabled("StrictIPCIDRValidation")


def test_a_locked_gate_refuses_the_other_value_as_kubernetes_does():
    with pytest.raises(InputError, match="^feature_gates: cannot set feature gate HostnameOverride to false, feature is "
                                         "locked to true$"):
        releases.release("1.37", {"HostnameOverride": False})
    assert not releases.release("1.36", {"HostnameOverride": False}).enabled("HostnameOverride")
    # DisableAllocatorDualWrite is locked from 1.35 on only
    assert not releases.release("1.34", {"DisableAllocatorDualWrite": False}).enabled("DisableAllocatorDualWrite")
    with pytest.raises(InputError, match="locked to true"):
        releases.release("1.35", {"DisableAllocatorDualWrite": False})


@pytest.mark.parametrize("gates, message", [
    ("StrictIPCIDRValidation=true", "feature_gates must be a mapping"),
    ({"StrictIPCIDRValidation": "yes"}, "feature_gates.StrictIPCIDRValidation must be true or false, got string 'yes'"),
])
def test_bad_feature_gates_are_refused(gates, message):
    with pytest.raises(InputError, match=re.escape(message)):
        releases.release(None, gates)


def test_a_gate_the_rules_do_not_read_is_accepted():
    assert releases.release(None, {"SomeOtherGate": True}).gates == {"SomeOtherGate": True}


def test_the_table_has_a_row_per_gate_with_its_origin():
    rows = releases.table()
    assert {row["gate"] for row in rows if "gate" in row} == set(releases.GATES)
    for row in rows:
        assert row["rule"] and row["origin"] and set(row.get("defaults") or row["values"]) == {"1.34", "1.35", "1.36", "1.37"}


def test_outside_a_filter_the_core_answers_for_the_newest_release():
    assert releases.current().minor == releases.NEWEST
    with releases.using(releases.release("1.34")):
        assert releases.current().minor == 34
    assert releases.current().minor == releases.NEWEST


# -- the acceptance case: hostAliases IP 010.001.002.003, per release and with the gate set ---------------------

@pytest.mark.parametrize("version, strict", [("1.34", False), ("1.35", False), ("1.36", True), ("v1.37.2", True),
                                             (None, True)])
def test_leading_zeros_in_host_aliases_follow_the_release(version, strict):
    kwargs = {} if version is None else {"kubernetes_version": version}
    errors = validation_errors(pod({"hostAliases": LEADING_ZEROS}), **kwargs)
    assert errors == ([STRICT_TEXT] if strict else [])
    if strict:
        with pytest.raises(AnsibleFilterError, match=re.escape(STRICT_TEXT)):
            host_aliases(LEADING_ZEROS, **kwargs)
    else:
        assert host_aliases(LEADING_ZEROS, **kwargs) == LEADING_ZEROS
        hosts = pod_hosts(dict(pod({"hostAliases": LEADING_ZEROS}), status={"podIP": "10.0.0.9"}), **kwargs)
        assert hosts.endswith("# Entries added by HostAliases.\n010.001.002.003\tdb\n")


@pytest.mark.parametrize("version, gate", [("1.34", True), ("1.35", True), ("1.36", False), ("1.37", False)])
def test_leading_zeros_follow_the_gate_set_explicitly(version, gate):
    errors = validation_errors(pod({"hostAliases": LEADING_ZEROS}), kubernetes_version=version,
                               feature_gates={"StrictIPCIDRValidation": gate})
    assert errors == ([STRICT_TEXT] if gate else [])


def test_hostname_override_is_dropped_where_its_gate_is_off():
    spec = {"hostnameOverride": "Not_A_Name", "hostNetwork": False}
    assert validation_errors(pod(spec), kubernetes_version="1.34") == []
    assert validation_errors(pod(spec), kubernetes_version="1.35") == [
        'spec.hostnameOverride: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain must consist of lower '
        'case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. '
        '\'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')']
    named = dict(pod({"hostnameOverride": "other"}), status={"podIP": "10.0.0.9"})
    assert "\tweb\n" in pod_hosts(named, kubernetes_version="1.34")
    assert "\tother\n" in pod_hosts(named, kubernetes_version="1.35")


def test_locked_allocator_gates_follow_the_release():
    flags = {"service-cluster-ip-range": "10.0.0.0/8", "feature-gates": "DisableAllocatorDualWrite=false"}
    assert component_flag_errors(flags, "kube-apiserver", kubernetes_version="1.34") == [
        "specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12"]
    assert component_flag_errors(flags, "kube-apiserver", kubernetes_version="1.35") == [
        "cannot set feature gate DisableAllocatorDualWrite to false, feature is locked to true"]


def test_the_filters_refuse_an_unsupported_release_by_name():
    with pytest.raises(AnsibleFilterError, match=r"^validation_errors: kubernetes_version 1\.33: Kubernetes 1\.33 is "
                                                 r"not supported; the supported releases are 1\.34 to 1\.37$"):
        validation_errors(pod({}), kubernetes_version="1.33")


def test_the_readme_shows_the_table():
    readme = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "README.md")
    with open(readme, encoding="utf-8") as handle:
        text = handle.read()
    assert releases.markdown_table() in text, "README.md, section Kubernetes releases, must show:\n" + releases.markdown_table()


class FakeCluster:
    def __init__(self, version):
        self.version, self.asked = version, 0

    def server_version(self):
        self.asked += 1
        return {"gitVersion": self.version, "major": "1"}


def test_a_module_answers_for_its_option_else_the_clusters_version():
    cluster = FakeCluster("v1.35.4-gke.1200000")
    chosen, source = module_release({"kubernetes_version": "1.36", "feature_gates": None}, cluster)
    assert (chosen.minor, source, cluster.asked) == (36, "option", 0)
    chosen, source = module_release({"kubernetes_version": None, "feature_gates": {"StrictIPCIDRValidation": True}},
                                    cluster)
    assert (chosen.minor, source, cluster.asked) == (35, "cluster", 1)
    assert chosen.report(source) == {"version": "v1.35.4-gke.1200000", "minor": "1.35", "source": "cluster",
                                     "feature_gates": {"StrictIPCIDRValidation": True}}
    assert module_release({"kubernetes_version": None}, None)[0].minor == releases.NEWEST


def test_a_cluster_outside_the_range_fails_naming_it_and_the_way_out():
    with pytest.raises(InputError, match=r"^the cluster reports Kubernetes v1\.31\.2 \(its /version\): kubernetes_version "
                                         r"v1\.31\.2: Kubernetes 1\.31 is not supported; the supported releases are 1\.34 "
                                         r"to 1\.37\. Set kubernetes_version to answer for a supported release anyway$"):
        module_release({"kubernetes_version": ""}, FakeCluster("v1.31.2"))

"""The component_flag_errors filter, called as Jinja calls it, on every vector it can express.

Not expressible here (tested through the core in test_component_flags.py and test_cidrset.py):

- ``TestClusterServiceIPRange/no service cidr``: the Go test calls ``validateClusterIPFlags`` with
  no primary range, but kube-apiserver completes an empty flag to ``10.0.0.0/24`` first, so the
  filter (rightly) reports nothing;
- ``ServiceIPRange: IPv6 /125 ok``: its result is the ``kubernetes`` Service IP, which
  ``network_plan`` reports (test_network_plan.py);
- ``TestNewNodeIpamControllerWithCIDRMasks/invalid_cluster_CIDR`` and ``/valid_skip_cluster_CIDR_
  validation_for_cloud_allocator``: kube-controller-manager parses ``--cluster-cidr`` and refuses
  ``CloudAllocator`` before the controller is built, so its flags never reach those checks;
- the parsed ``node_ips``/``invalid_ips`` of ``kubelet-node-ip``: the kubelet only logs ignored
  entries; the filter reports its errors, which are checked here for every vector and variant;
- the legacy allocator's checks (``TestClusterServiceIPRange`` with the allocator gates off,
  ``TestValidateMaxCIDRRange``): the Go tests set the gates directly, but on the command line of the
  release modelled (1.37) both gates are locked on, so kube-apiserver refuses ``--feature-gates`` first
  (checked below); the checks themselves are tested through the core.
"""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.component_flag_errors import FilterModule

component_flag_errors = FilterModule().filters()["component_flag_errors"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

NOT_EXPRESSIBLE = {"TestClusterServiceIPRange/no service cidr", "ServiceIPRange: IPv6 /125 ok",
                   "TestNewNodeIpamControllerWithCIDRMasks/invalid_cluster_CIDR",
                   "TestNewNodeIpamControllerWithCIDRMasks/valid_skip_cluster_CIDR_validation_for_cloud_allocator"}


def vectors(feature, where=lambda v: True):
    cases = [v for v in VECTORS if v["feature"] == feature and v["name"] not in NOT_EXPRESSIBLE and where(v)]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


def gate_flag(gates):
    return ",".join("%s=%s" % (gate, str(on).lower()) for gate, on in sorted(gates.items()))


@vectors("apiserver-flags", lambda v: "flags" in v["input"])
def test_cluster_ip_range_vectors(vec):
    flags = dict(vec["input"]["flags"])
    gates = vec["input"].get("gates", {})
    if gates:
        flags["--feature-gates"] = gate_flag(gates)
    errors = component_flag_errors(flags, "kube-apiserver")
    locked = ["cannot set feature gate %s to false, feature is locked to true" % gate for gate, on in sorted(gates.items()) if not on]
    expected = vec["expected"]
    if locked:
        assert errors == [locked[0] if len(locked) == 1 else "[%s]" % ", ".join(locked)]
    elif "expect_errors" in expected:
        assert bool(errors) is expected["expect_errors"]
    else:
        assert errors == expected["validateClusterIPFlags_errors"]


@vectors("kcm-flags")
def test_kcm_flag_vectors(vec):
    """The vectors' flags configure the node IPAM controller, which runs with --allocate-node-cidrs."""
    flags = dict(vec["input"]["flags"], **{"--allocate-node-cidrs": "true"})
    errors = component_flag_errors(flags, "kube-controller-manager")
    assert errors == ([vec["expected"]["error"]] if "error" in vec["expected"] else [])


@vectors("nodeipam-controller")
def test_node_ipam_controller_vectors(vec):
    given = vec["input"]
    flags = {"allocate-node-cidrs": True, "cluster-cidr": given["cluster_cidr"],
             "cidr-allocator-type": given["allocator_type"],
             "service-cluster-ip-range": [c for c in (given["service_cidr"], given["secondary_service_cidr"]) if c]}
    for cidr, mask in zip(given["cluster_cidr"].split(","), given["node_cidr_mask_sizes"]):
        flags["node-cidr-mask-size-ipv6" if ":" in cidr else "node-cidr-mask-size-ipv4"] = mask
    error = vec["expected"]["error"]
    if given["allocator_type"] != "RangeAllocator":  # refused by the options' validation since 1.31
        error = "built-in cloud providers are disabled. The ipam %s is not available" % given["allocator_type"]
    assert component_flag_errors(flags, "kube-controller-manager") == ([error] if error else [])


CLOUD_VARIANTS = {"cloudProvider in ['', 'external']": ("", "external"), "cloudProvider == 'gce' (any other value)": ("gce",)}


@vectors("kubelet-node-ip")
@pytest.mark.parametrize("variant", sorted(CLOUD_VARIANTS))
def test_kubelet_node_ip_vectors(vec, variant):
    node_ip = vec["input"]["--node-ip"]
    expected = vec["expected"][variant]["error_contains"]
    for cloud in CLOUD_VARIANTS[variant]:
        errors = component_flag_errors({"--node-ip": node_ip, "--cloud-provider": cloud}, "kubelet")
        if expected is None:
            assert errors == []
        else:
            (error,) = errors
            assert error.startswith('bad --node-ip "%s": ' % node_ip) and expected in error


@vectors("kube-proxy-flags")
def test_kube_proxy_vectors(vec):
    given = vec["input"]
    cidrs = given["detectLocal.clusterCIDRs"]
    flags = {"--detect-local-mode": given["detectLocalMode"], "--cluster-cidr": ",".join(cidrs)}
    go_value = json.dumps(cidrs, separators=(",", ":"))  # a []string bad value is JSON since apimachinery 1.34
    assert component_flag_errors(flags, "kube-proxy") == [
        "%s: Invalid value: %s: %s" % (e["field"], go_value, e["detail"]) for e in vec["expected"]["errors"]]


def test_bad_arguments_are_filter_errors():
    with pytest.raises(AnsibleFilterError, match=r"^component_flag_errors: component must be one of"):
        component_flag_errors({}, "etcd")
    with pytest.raises(AnsibleFilterError, match=r"^component_flag_errors: flags must be a mapping"):
        component_flag_errors(None, "kubelet")
    with pytest.raises(AnsibleFilterError, match=r"^component_flag_errors: "):
        component_flag_errors({})

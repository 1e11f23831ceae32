"""Dual-stack flag checks of kube-apiserver, kube-controller-manager, kubelet and kube-proxy."""
import json
import os

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils import component_flags as cf
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import go_ip_string, parse_cidr_sloppy

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def vectors(feature, having=None):
    return [pytest.param(v, id=v["name"]) for v in VECTORS
            if v["feature"] == feature and (having is None or having in v["input"])]


def net(text):
    parsed = parse_cidr_sloppy(text)
    return parsed[1] if parsed else None


def test_vector_counts():
    counts = {feature: sum(v["feature"] == feature for v in VECTORS)
              for feature in ("apiserver-flags", "kcm-flags", "kubelet-node-ip", "kube-proxy-flags")}
    assert counts == {"apiserver-flags": 11, "kcm-flags": 10, "kubelet-node-ip": 10, "kube-proxy-flags": 3}


# --- kube-apiserver ------------------------------------------------------------------------------

def gates_of(vector):
    return vector["input"].get("gates", {gate: True for gate in cf.SERVICE_ALLOCATOR_GATES})


@pytest.mark.parametrize("vector", vectors("apiserver-flags", "flags"))
def test_validate_cluster_ip_flags_vectors(vector):
    """As TestClusterServiceIPRange calls it: Primary/Secondary pre-parsed, unparsable ones left unset."""
    value = vector["input"]["flags"]["--service-cluster-ip-range"]
    entries = value.split(",")
    primary = net(entries[0])
    secondary = net(entries[1]) if len(entries) > 1 else None
    errors = cf.validate_cluster_ip_flags(value, primary, secondary, gates_of(vector))
    expected = vector["expected"]
    if "expect_errors" in expected:
        assert bool(errors) is expected["expect_errors"]
    else:
        assert errors == expected["validateClusterIPFlags_errors"]


@pytest.mark.parametrize("vector", vectors("apiserver-flags", "cidr"))
def test_validate_max_cidr_range_vectors(vector):
    given = vector["input"]
    assert cf.validate_max_cidr_range(net(given["cidr"]), given["cidrFlag"], given["maxCIDRBits"]) == \
        vector["expected"]["error"]


@pytest.mark.parametrize("vector", vectors("apiserver-flags", "primary_service_cidr"))
def test_service_ip_range_vectors(vector):
    kubernetes_ip = cf.service_ip_range(net(vector["input"]["primary_service_cidr"]))
    assert go_ip_string(kubernetes_ip) == vector["expected"]["kubernetes_default_ip"]


def test_unset_primary_with_a_secondary():
    assert cf.validate_cluster_ip_flags(",fd00::/108", None, net("fd00::/108"), {}) == [
        "--service-cluster-ip-range must contain at least one valid cidr",
        "error attempting to validate dualstack for --service-cluster-ip-range value error:invalid CIDR[0]: <nil>",
        "--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family"]


@pytest.mark.parametrize("flags, errors", [
    ({}, []),  # empty means 10.0.0.0/24
    ({"service-cluster-ip-range": "bogus"}, ["service-cluster-ip-range[0] is not a valid cidr"]),
    ({"service-cluster-ip-range": "10.0.0.0/16,bogus"}, ["service-cluster-ip-range[1] is not an ip net"]),
    ({"service-cluster-ip-range": "10.0.0.0/30"}, ["error determining service IP ranges for primary service cidr: the "
                                                   "service cluster IP range must be at least 8 IP addresses"]),
    ({"service-cluster-ip-range": "fd00::/8"}, []),
    # both allocator gates are locked on in Kubernetes 1.37: the legacy allocator's size limit is unreachable
    ({"service-cluster-ip-range": "fd00::/8", "feature-gates": "DisableAllocatorDualWrite=false"},
     ["cannot set feature gate DisableAllocatorDualWrite to false, feature is locked to true"]),
    ({"feature-gates": {"MultiCIDRServiceAllocator": True, "StrictIPCIDRValidation": False}}, []),
    ({"service-cluster-ip-range": ["10.96.0.0/12", "10.97.0.0/16"]},
     ["--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family"]),
    ({"service-cluster-ip-range": "fd00::/108,10.96.0.0/12", "advertise-address": "192.168.1.1"},
     ['service IP family "fd00::/108" must match public address family "192.168.1.1"']),
    ({"service-cluster-ip-range": "fd00::/108", "advertise-address": "192.168.1.1", "endpoint-reconciler-type": "none"}, []),
    ({"advertise-address": "x"}, ['invalid argument "x" for "--advertise-address" flag: failed to parse IP: "x"']),
    # pflag's IP flag uses the standard library's net.ParseIP: leading zeros refused (Go 1.17+), an
    # IPv4-mapped address is IPv4, surrounding spaces are trimmed
    ({"advertise-address": "010.0.0.1"}, ['invalid argument "010.0.0.1" for "--advertise-address" flag: failed to parse IP: '
                                          '"010.0.0.1"']),
    ({"service-cluster-ip-range": "10.96.0.0/12", "advertise-address": " ::ffff:192.168.1.1 "}, []),
    # featureGate.Set, run when the component globals are set (before the options are completed)
    ({"feature-gates": "MultiCIDRServiceAllocator"}, ["missing bool value for MultiCIDRServiceAllocator"]),
    ({"feature-gates": "A=maybe"}, ['invalid value of A=maybe, err: strconv.ParseBool: parsing "maybe": invalid syntax']),
    ({"feature-gates": " MultiCIDRServiceAllocator = false ,"},
     ["cannot set feature gate MultiCIDRServiceAllocator to false, feature is locked to true"]),
])
def test_kube_apiserver(flags, errors):
    assert cf.component_flag_errors(flags, "kube-apiserver") == errors


# --- kube-controller-manager ---------------------------------------------------------------------

@pytest.mark.parametrize("vector", vectors("kcm-flags"))
def test_kcm_flag_vectors(vector):
    flags = dict(vector["input"]["flags"], **{"--allocate-node-cidrs": True})
    expected = [vector["expected"]["error"]] if "error" in vector["expected"] else []
    assert cf.component_flag_errors(flags, "kube-controller-manager") == expected


NODE_IPAM_ONLY_IN_THE_CORE = {
    # kube-controller-manager parses --cluster-cidr before the controller sees it, so "" fails parsing
    "TestNewNodeIpamControllerWithCIDRMasks/invalid_cluster_CIDR",
    # kube-controller-manager refuses CloudAllocator before the controller is built (no cloud since 1.31)
    "TestNewNodeIpamControllerWithCIDRMasks/valid_skip_cluster_CIDR_validation_for_cloud_allocator",
}


def kcm_flags_for(given):
    """The flags that give kube-controller-manager the Go test's controller arguments."""
    flags = {"allocate-node-cidrs": "true", "cluster-cidr": given["cluster_cidr"],
             "cidr-allocator-type": given["allocator_type"],
             "service-cluster-ip-range": ",".join(c for c in (given["service_cidr"], given["secondary_service_cidr"]) if c)}
    for cidr, mask in zip(given["cluster_cidr"].split(","), given["node_cidr_mask_sizes"]):
        flags["node-cidr-mask-size-ipv6" if ":" in cidr else "node-cidr-mask-size-ipv4"] = mask
    return flags


@pytest.mark.parametrize("vector", [v for v in vectors("nodeipam-controller") if v.id not in NODE_IPAM_ONLY_IN_THE_CORE])
def test_node_ipam_controller_vectors_through_the_flags(vector):
    """The Go test builds the controller directly; on the command line kube-controller-manager first
    refuses every allocator type but RangeAllocator (no built-in cloud providers since 1.31)."""
    expected = vector["expected"]["error"]
    allocator_type = vector["input"]["allocator_type"]
    if allocator_type != "RangeAllocator":
        expected = "built-in cloud providers are disabled. The ipam %s is not available" % allocator_type
    assert cf.component_flag_errors(kcm_flags_for(vector["input"]), "kube-controller-manager") == \
        ([expected] if expected else [])


@pytest.mark.parametrize("flags, errors", [
    ({"cluster-cidr": "bogus"}, []),  # the node IPAM controller only runs with --allocate-node-cidrs
    ({"service-cluster-ip-range": "a,b,c"}, ["--service-cluster-ip-range can not contain more than two entries"]),
    # KubeControllerManagerOptions.Validate: no built-in cloud providers, so no other allocator type
    ({"allocate-node-cidrs": True, "cidr-allocator-type": "CloudAllocator"},
     ["built-in cloud providers are disabled. The ipam CloudAllocator is not available"]),
    ({"cidr-allocator-type": "Magic", "service-cluster-ip-range": "a,b,c"},
     ["--service-cluster-ip-range can not contain more than two entries",
      "built-in cloud providers are disabled. The ipam Magic is not available"]),
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/16", "cidr-allocator-type": ""},
     ["invalid CIDR allocator type: "]),
    ({"allocate-node-cidrs": True}, ["invalid CIDR[0]: <nil> (invalid CIDR address: )"]),
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/16", "service-cluster-ip-range": "bogus"}, []),
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/16", "service-cluster-ip-range": "10.96.0.0/12,10.1.0.0/16"},
     ["serviceCIDR and secondaryServiceCIDR are not dualstack (from different IPfamiles)"]),
    ({"allocate-node-cidrs": True, "cluster-cidr": "fd00::/32,10.0.0.0/8"},
     ["New CIDR set failed; the node CIDR size is too big"]),
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/8", "node-cidr-mask-size": "0x1a"}, []),
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/28", "node-cidr-mask-size": "033"},  # octal: 27
     ["Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to "
      "--node-cidr-mask-size configured for CIDR family"]),
    # kube-controller-manager starts with a mask longer than the address (every node then gets "<nil>")
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/8", "node-cidr-mask-size": 33}, []),
    ({"allocate-node-cidrs": True, "cluster-cidr": "10.0.0.0/8", "node-cidr-mask-size": "-1"},
     ["Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to "
      "--node-cidr-mask-size configured for CIDR family"]),
    ({"node-cidr-mask-size": "24x"},
     ['invalid argument "24x" for "--node-cidr-mask-size" flag: strconv.ParseInt: parsing "24x": invalid syntax']),
    ({"node-cidr-mask-size": "4294967296"},
     ['invalid argument "4294967296" for "--node-cidr-mask-size" flag: strconv.ParseInt: parsing "4294967296": '
      'value out of range']),
    ({"allocate-node-cidrs": "yes"},
     ['invalid argument "yes" for "--allocate-node-cidrs" flag: strconv.ParseBool: parsing "yes": invalid syntax']),
    # pflag parses every flag, in the order given, before NodeIPAMControllerOptions.Validate runs
    ({"node-cidr-mask-size": "x", "allocate-node-cidrs": "yes"},
     ['invalid argument "x" for "--node-cidr-mask-size" flag: strconv.ParseInt: parsing "x": invalid syntax']),
    ({"service-cluster-ip-range": "10.0.0.0/24,fd00::/108,10.1.0.0/24", "node-cidr-mask-size": "x"},
     ['invalid argument "x" for "--node-cidr-mask-size" flag: strconv.ParseInt: parsing "x": invalid syntax']),
    ({"service-cluster-ip-range": "10.0.0.0/24,fd00::/108,10.1.0.0/24", "allocate-node-cidrs": "yes"},
     ['invalid argument "yes" for "--allocate-node-cidrs" flag: strconv.ParseBool: parsing "yes": invalid syntax']),
])
def test_kube_controller_manager(flags, errors):
    assert cf.component_flag_errors(flags, "kube-controller-manager") == errors


# --- kubelet -------------------------------------------------------------------------------------

CLOUD_VARIANTS = {"cloudProvider in ['', 'external']": ("", "external"), "cloudProvider == 'gce' (any other value)": ("gce",)}


@pytest.mark.parametrize("vector", vectors("kubelet-node-ip"))
@pytest.mark.parametrize("variant", sorted(CLOUD_VARIANTS))
def test_parse_node_ip_argument_vectors(vector, variant):
    expected = vector["expected"][variant]
    for cloud in CLOUD_VARIANTS[variant]:
        ips, unparsable, error = cf.parse_node_ip_argument(vector["input"]["--node-ip"], cloud)
        assert [go_ip_string(ip) for ip in ips] == (expected["node_ips"] or [])
        assert unparsable == (expected["invalid_ips"] or [])
        if expected["error_contains"] is None:
            assert error is None
        else:
            assert expected["error_contains"] in error


def test_kubelet_wraps_the_error():
    assert cf.component_flag_errors({"--node-ip": "10.0.0.1,10.0.0.2"}, "kubelet") == [
        'bad --node-ip "10.0.0.1,10.0.0.2": must contain either a single IP or a dual-stack pair of IPs']
    assert cf.component_flag_errors({"node-ip": ["10.0.0.1", "fd00::1", "10.0.0.2"]}, "kubelet") == [
        'bad --node-ip "10.0.0.1,fd00::1,10.0.0.2": must contain either a single IP or a dual-stack pair of IPs']
    assert cf.component_flag_errors({"--node-ip": "::ffff:10.0.0.1,10.0.0.2"}, "kubelet") != []  # v4-mapped is IPv4
    assert cf.component_flag_errors(["--node-ip=10.0.0.1,fd00::1", "--cloud-provider=external"], "kubelet") == []


# --- kube-proxy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("vector", vectors("kube-proxy-flags"))
def test_kube_proxy_vectors(vector):
    given = vector["input"]
    errors = cf.validate_detect_local(given["detectLocalMode"], given["detectLocal.clusterCIDRs"], "", "")
    assert [{"field": e.field, "detail": e.detail} for e in errors] == vector["expected"]["errors"]


@pytest.mark.parametrize("flags, errors", [
    ({}, []),
    ({"cluster-cidr": ""}, ['KubeProxyConfiguration.DetectLocalConfiguration.ClusterCIDRs[0]: Invalid value: "": must be '
                            'a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)']),
    ({"cluster-cidr": "10.0.0.0/8,bad,worse"}, [
        'KubeProxyConfiguration.DetectLocalConfiguration.ClusterCIDRs: Invalid value: ["10.0.0.0/8","bad","worse"]: '
        'must be a either a single CIDR or dual-stack pair of CIDRs (e.g. [10.100.0.0/16, fde4:8dba:82e1::/48]']),
    ({"cluster-cidr": "10.0.0.0/8,10.1.0.0/16", "detect-local-mode": "NodeCIDR"}, []),
    ({"detect-local-mode": "BridgeInterface"},
     ['KubeProxyConfiguration.DetectLocalConfiguration.InterfaceName: Invalid value: "": must not be empty']),
    ({"detect-local-mode": "InterfaceNamePrefix", "pod-interface-name-prefix": "veth"}, []),
])
def test_kube_proxy(flags, errors):
    assert cf.component_flag_errors(flags, "kube-proxy") == errors


# --- input handling ------------------------------------------------------------------------------

@pytest.mark.parametrize("flags, component, message", [
    ({}, "kube-scheduler", "component must be one of kube-apiserver, kube-controller-manager, kubelet, kube-proxy"),
    ("--node-ip=1.2.3.4", "kubelet", "flags must be a mapping"),
    (["node-ip"], "kubelet", "flags[0] must look like --name=value"),
    ({"--node-ip": "1.2.3.4", "node-ip": "1.2.3.4"}, "kubelet", "flag --node-ip is given twice"),
    ({"--": "x"}, "kubelet", "flag name '--' is empty"),
    ({"node-ip": {"a": 1}}, "kubelet", "--node-ip must be a string or a list of strings"),
    ({"node-cidr-mask-size": 2.5}, "kube-controller-manager", "--node-cidr-mask-size must be an integer"),
    ({"feature-gates": {"MultiCIDRServiceAllocator": "no"}}, "kube-apiserver", "must be a boolean"),
])
def test_bad_input(flags, component, message):
    with pytest.raises(InputError) as err:
        cf.component_flag_errors(flags, component)
    assert message in str(err.value)


@pytest.mark.parametrize("cidr", ["0.0.0.0/1", "0.0.0.0/0", "::/1", "10.0.0.0/30"])
def test_service_ip_range_uses_range_size_as_the_allocator_does(cidr):
    """RangeSize is 0 for /0 and /1, so ServiceIPRange refuses them like a range under 8 addresses."""
    assert cf.component_flag_errors({"service-cluster-ip-range": cidr}, "kube-apiserver") == [
        "error determining service IP ranges for primary service cidr: the service cluster IP range must be at "
        "least 8 IP addresses"]

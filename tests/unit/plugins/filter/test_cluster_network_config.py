"""The cluster_network_config filter: dualstack_cluster's masks, flags, kubeadm documents and Services, by the rules
of kube-controller-manager (default masks), kubeadm (the flags it derives from its networking section) and
kube-apiserver (the IP families a Service policy gets)."""
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.cluster_network_config import FilterModule

config = FilterModule().filters()["cluster_network_config"]

PODS, SERVICES = ["10.244.0.0/16", "fd00:10:244::/56"], ["10.96.0.0/16", "fd00:10:96::/112"]


@pytest.mark.parametrize("pods, sizes, masks", [
    (PODS, None, {"IPv4": 24, "IPv6": 64}),                       # kube-controller-manager's defaults
    (PODS, {"IPv4": 25}, {"IPv4": 25, "IPv6": 64}),
    (PODS, {"IPv4": 0, "IPv6": 72}, {"IPv4": 24, "IPv6": 72}),    # 0 is unset, as for the flags
    (PODS[::-1], {}, {"IPv4": 24, "IPv6": 64}),                    # IPv4 first whatever the order
    (["fd00:10:244::/56"], {"IPv4": 25}, {"IPv6": 64}),            # only the cluster's families
    (["10.244.0.0/16"], {"IPv4": "26"}, {"IPv4": 26}),             # a survey's string
    (["::ffff:10.244.0.0/112"], None, {"IPv4": 24}),               # IPv4-mapped: IPv4, as the components read it
    (["not-a-cidr"], None, {}),
])
def test_masks_of_the_cluster_families(pods, sizes, masks):
    assert config(pods, SERVICES, node_mask_sizes=sizes)["masks"] == masks


def test_flags_as_kubeadm_passes_them_and_extra_args_override():
    got = config(PODS, SERVICES, advertise_address="192.0.2.11", node_ip="192.0.2.11,2001:db8::11",
                 apiserver_extra_args={"v": 2}, controller_manager_extra_args={"node-cidr-mask-size-ipv4": 26, "x": True})
    assert got["flags"] == {
        "kube-apiserver": {"service-cluster-ip-range": "10.96.0.0/16,fd00:10:96::/112", "advertise-address": "192.0.2.11",
                           "v": "2"},
        "kube-controller-manager": {"allocate-node-cidrs": "true", "cluster-cidr": "10.244.0.0/16,fd00:10:244::/56",
                                    "service-cluster-ip-range": "10.96.0.0/16,fd00:10:96::/112",
                                    "node-cidr-mask-size-ipv4": "26", "node-cidr-mask-size-ipv6": "64", "x": "True"},
        "kube-proxy": {"cluster-cidr": "10.244.0.0/16,fd00:10:244::/56"},
        "kubelet": {"node-ip": "192.0.2.11,2001:db8::11"}}
    assert got["flag_errors"] == []
    assert "kubelet" not in config(PODS, SERVICES)["flags"]


@pytest.mark.parametrize("kwargs, component, error", [
    ({"advertise_address": "2001:db8::1"}, "kube-apiserver",
     'service IP family "10.96.0.0/16" must match public address family "2001:db8::1"'),
    ({"node_ip": "192.0.2.1,192.0.2.2"}, "kubelet",
     'bad --node-ip "192.0.2.1,192.0.2.2": must contain either a single IP or a dual-stack pair of IPs'),
    ({"node_mask_sizes": {"IPv6": 120}}, "kube-controller-manager", "New CIDR set failed; the node CIDR size is too big"),
    ({"controller_manager_extra_args": {"node-cidr-mask-size": 24}}, "kube-controller-manager",
     "usage of --node-cidr-mask-size is not allowed with dual-stack clusters"),
])
def test_flag_errors_are_the_components_own(kwargs, component, error):
    got = config(PODS, SERVICES, **kwargs)
    assert got["flag_errors"] == ["%s would refuse %s: %s" % (component, json.dumps(got["flags"][component]), error)]


def test_kubeadm_documents():
    cluster, = config(PODS, SERVICES)["kubeadm"]
    assert cluster == {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration",
                       "networking": {"dnsDomain": "cluster.local", "podSubnet": "10.244.0.0/16,fd00:10:244::/56",
                                      "serviceSubnet": "10.96.0.0/16,fd00:10:96::/112"},
                       "controllerManager": {"extraArgs": [{"name": "node-cidr-mask-size-ipv4", "value": "24"},
                                                           {"name": "node-cidr-mask-size-ipv6", "value": "64"}]}}
    cluster, init = config(PODS, SERVICES, node_ip="192.0.2.11", cluster_version="v1.36.3", dns_domain="k8s.test",
                           apiserver_extra_args={"v": "2"})["kubeadm"]
    assert list(cluster)[-2:] == ["kubernetesVersion", "apiServer"] and cluster["kubernetesVersion"] == "v1.36.3"
    assert cluster["apiServer"] == {"extraArgs": [{"name": "v", "value": "2"}]}
    assert cluster["networking"]["dnsDomain"] == "k8s.test"
    assert init == {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "InitConfiguration",
                    "nodeRegistration": {"kubeletExtraArgs": [{"name": "node-ip", "value": "192.0.2.11"}]}}


@pytest.mark.parametrize("services, policy, spec", [
    (SERVICES, "PreferDualStack", {"ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4", "IPv6"]}),
    (SERVICES[::-1], "RequireDualStack", {"ipFamilyPolicy": "RequireDualStack", "ipFamilies": ["IPv6", "IPv4"]}),
    (SERVICES[::-1], "SingleStack", {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv6"]}),  # the primary family
    (SERVICES[:1], "PreferDualStack", {"ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4"]}),
])
def test_services_get_the_families_of_their_policy(services, policy, spec):
    got, = config(PODS, services, services=[{"metadata": {"name": "web"}}], service_ip_family_policy=policy)["services"]
    assert got == {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"}, "spec": spec}


def test_a_services_own_fields_win_and_external_names_get_none():
    own = {"metadata": {"name": "dns", "namespace": "kube-system"},
           "spec": {"ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv6"], "ports": [{"port": 53}]}}
    external = {"metadata": {"name": "ext"}, "spec": {"type": "ExternalName", "externalName": "example.com"}}
    got = config(PODS, SERVICES, services=[own, external, {"metadata": {"name": "s"}, "spec": {"ipFamilies": []}}])["services"]
    assert got[0]["spec"] == own["spec"] and got[0]["metadata"]["namespace"] == "kube-system"
    assert got[1]["spec"] == external["spec"]
    assert got[2]["spec"]["ipFamilies"] == ["IPv4", "IPv6"]  # an empty list is no choice


def test_the_flags_are_judged_for_the_release_given():
    old = config(["10.244.0.0/16"], ["10.0.0.0/8"], kubernetes_version="1.34", feature_gates={"DisableAllocatorDualWrite": False})
    assert any("kube-apiserver would refuse" in error for error in old["flag_errors"])
    assert config(["10.244.0.0/16"], ["10.0.0.0/8"])["flag_errors"] == []


@pytest.mark.parametrize("kwargs, message", [
    ({"node_mask_sizes": {"IPv4": "big"}}, "node_mask_sizes.IPv4 must be an integer"),
    ({"service_ip_family_policy": "Dual"}, "service_ip_family_policy must be one of"),
    ({"services": [["web"]]}, "service"),
])
def test_bad_input_is_a_clean_error(kwargs, message):
    with pytest.raises(AnsibleFilterError, match="cluster_network_config: .*" + message):
        config(PODS, SERVICES, **kwargs)

"""Integer and mask arguments given as strings (AWX survey answers; every templated value before ansible-core 2.19)
are read as an argument spec reads them (issue 14, points 1 and 7)."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.network_plan import network_plan
from ansible_collections.clusternet.k8s.plugins.filter.node_pod_cidrs import node_pod_cidrs

PODS, SERVICES = ["10.244.0.0/16", "fd00:10:244::/56"], ["10.96.0.0/16", "fd00:10:96::/112"]


def test_the_readme_example_on_ansible_core_2_17():
    """network_plan: node_count must be an integer, got string '2' - what 2.17 and 2.18 templated."""
    as_strings = network_plan(PODS, SERVICES, node_mask_sizes="IPv4=24,IPv6=64", node_count="2", max_pods="110")
    assert as_strings == network_plan(PODS, SERVICES, node_mask_sizes={"IPv4": 24, "IPv6": 64}, node_count=2, max_pods=110)


@pytest.mark.parametrize("given, meant", [
    ("24", 24), (" 25 ", 25), ("IPv4=25", {"IPv4": 25}), ('{"IPv4": "25"}', {"IPv4": 25}), ("[25]", [25]),
    ("", None),
])
def test_node_mask_sizes_from_a_survey(given, meant):
    assert node_pod_cidrs(["a", "b"], "10.244.0.0/16", node_mask_sizes=given) == \
        node_pod_cidrs(["a", "b"], "10.244.0.0/16", node_mask_sizes=meant)


def test_one_mask_per_cluster_cidr_from_a_survey():
    assert node_pod_cidrs(["a"], PODS, node_mask_sizes="25,64") == node_pod_cidrs(["a"], PODS, node_mask_sizes=[25, 64])


@pytest.mark.parametrize("kwargs, message", [
    ({"node_count": "two"}, "network_plan: node_count must be an integer, got the string 'two'"),
    ({"node_mask_sizes": "IPv4=big"}, "network_plan: node_mask_sizes.IPv4 must be an integer, got the string 'big'"),
    ({"node_mask_sizes": "[24,"}, "network_plan: node_mask_sizes: '[24,' is not a list of masks such as [24, 64] or 24,64"),
])
def test_a_string_that_holds_no_integer_is_named(kwargs, message):
    with pytest.raises(AnsibleFilterError) as raised:
        network_plan(PODS, SERVICES, **kwargs)
    assert raised.value.message == message


@pytest.mark.parametrize("call, message", [
    (lambda: node_pod_cidrs(["a"], "10.244.0.0/16, fd00:10:244::/56", node_mask_sizes="24,64"),
     "node_pod_cidrs: cluster_cidrs: entry 1 of '10.244.0.0/16, fd00:10:244::/56', ' fd00:10:244::/56', has spaces "
     "around it: write the list without spaces ('10.244.0.0/16,fd00:10:244::/56') or as a YAML list"),
    (lambda: network_plan(PODS, "10.96.0.0/16 ,fd00:10:96::/112"),
     "network_plan: service_cidrs: entry 0 of '10.96.0.0/16 ,fd00:10:96::/112', '10.96.0.0/16 ', has spaces around it: "
     "write the list without spaces ('10.96.0.0/16,fd00:10:96::/112') or as a YAML list"),
    (lambda: node_pod_cidrs(["n1", "n2", "n3"], ["10.244.0.0/23"], [24]),
     "node_pod_cidrs: no podCIDR is left for node 'n3' in cluster CIDR 10.244.0.0/23: it holds 2 blocks of /24 and the "
     "nodes before it (and the service range inside it, if any) took them all; give a larger cluster CIDR or a longer "
     "node mask size (kube-controller-manager would log: error syncing 'n3': failed to allocate cidr from cluster cidr "
     "at idx:0: CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range, requeuing)"),
])
def test_ansible_side_mistakes_are_told_in_plain_words(call, message):
    with pytest.raises(AnsibleFilterError) as raised:
        call()
    assert raised.value.message == message

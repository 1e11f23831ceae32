"""node_address, node_ip_family and kubelet_extra_args: a node's own addresses and the kubelet's --node-ip, one rule
each for the node roles (issue 16, point 1)."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.kubelet_extra_args import FilterModule as ExtraArgs
from ansible_collections.clusternet.k8s.plugins.filter.node_address import FilterModule as Address
from ansible_collections.clusternet.k8s.plugins.filter.node_ip_family import FilterModule as Family

node_address = Address().filters()["node_address"]
node_ip_family = Family().filters()["node_ip_family"]
kubelet_extra_args = ExtraArgs().filters()["kubelet_extra_args"]

FACTS = {"default_ipv4": {"address": "192.0.2.10"}, "all_ipv4_addresses": ["127.0.0.1", "169.254.1.1", "198.51.100.7"],
         "default_ipv6": {"address": "fe80::1"}, "all_ipv6_addresses": ["::1", "FE80::2", "febf:1::3", "2001:db8::10"]}


@pytest.mark.parametrize("given, family, facts, address", [
    (["192.0.2.1", "192.0.2.2"], "IPv4", FACTS, "192.0.2.1"),       # the most specific value wins
    (["", " 192.0.2.2 "], "IPv4", FACTS, "192.0.2.2"),              # trimmed; empty skipped
    ([None, ""], "IPv4", FACTS, "192.0.2.10"),                      # the default route's address
    ([], "IPv6", FACTS, "2001:db8::10"),                            # never link-local or loopback, any case
    ([], "IPv4", {"all_ipv4_addresses": ["127.0.0.1", "10.1.2.3"]}, "10.1.2.3"),
    ([], "IPv4", {"default_ipv4": {"address": "127.0.1.1"}}, ""),   # a loopback default route is not the node's
    ([], "IPv6", {}, ""),                                           # no facts gathered
    ([], "IPv6", None, ""),
    ([], "IPv6", {"all_ipv6_addresses": ["fe8::1"]}, "fe8::1"),     # 0fe8::, not link-local
])
def test_node_address(given, family, facts, address):
    assert node_address(given, family, facts) == address


def test_node_address_of_an_unknown_family_is_a_clean_error():
    with pytest.raises(AnsibleFilterError, match="node_address: family must be IPv4 or IPv6"):
        node_address([], "IPv5", FACTS)


@pytest.mark.parametrize("text, family", [
    ("192.0.2.1", "IPv4"), (" 192.0.2.1 ", "IPv4"), ("2001:db8::1", "IPv6"),
    ("::ffff:192.0.2.1", "IPv4"),           # Go reads an IPv4-mapped address as IPv4
    ("010.0.0.1", "IPv4"),                  # the sloppy parser takes leading zeros
    ("192.0.2.1,2001:db8::1", ""), ("2001:db8::/64", ""), ("node-1", ""), ("", ""),
])
def test_node_ip_family_as_the_kubelet_reads_one_entry(text, family):
    assert node_ip_family(text) == family


@pytest.mark.parametrize("text, line", [
    ("", "KUBELET_EXTRA_ARGS=--node-ip=192.0.2.1,2001:db8::1"),
    ("KUBELET_EXTRA_ARGS=\n", "KUBELET_EXTRA_ARGS=--node-ip=192.0.2.1,2001:db8::1"),
    ('KUBELET_EXTRA_ARGS="--v=2 --node-ip 10.0.0.1 --max-pods=50"\n',
     'KUBELET_EXTRA_ARGS="--v=2 --max-pods=50 --node-ip=192.0.2.1,2001:db8::1"'),
    ("KUBELET_EXTRA_ARGS='--node-ip=10.0.0.1'", "KUBELET_EXTRA_ARGS=--node-ip=192.0.2.1,2001:db8::1"),
    ("KUBELET_EXTRA_ARGS=--a\n  \tKUBELET_EXTRA_ARGS=--b\n# KUBELET_EXTRA_ARGS=--c\n",   # the last line counts
     'KUBELET_EXTRA_ARGS="--b --node-ip=192.0.2.1,2001:db8::1"'),
    ("OTHER=1\n", "KUBELET_EXTRA_ARGS=--node-ip=192.0.2.1,2001:db8::1"),
])
def test_kubelet_extra_args(text, line):
    assert kubelet_extra_args(text, "192.0.2.1,2001:db8::1") == line


@pytest.mark.parametrize("args", [(None,), ("auto", "IPv4", {}, "extra")])
def test_node_address_with_wrong_arguments_is_a_clean_error(args):
    with pytest.raises(AnsibleFilterError, match=r"node_address: node_address\(\) "):
        Address().filters()["node_address"](*args)

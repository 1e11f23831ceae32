"""The node_hosts role through ansible-playbook: on namespace nodes (root) and sandbox-root nodes."""
import os

import pytest

from tests.support.ansible_run import run_playbook
from tests.support.nodes import DEFAULT_HOSTS, inventory

DOMAIN = "cluster.example"
EXTRA = ["192.0.2.50 registry." + DOMAIN]
PLAY = [{"name": "node hosts", "hosts": "nodes", "gather_facts": False, "roles": [{"role": "clusternet.k8s.node_hosts"}]}]
GROUP_VARS = {"node_hosts_group": "nodes", "node_hosts_domain": DOMAIN, "node_hosts_extra_entries": EXTRA}


def expected_block(node_set, marker="clusternet.k8s node_hosts"):
    lines = ["%s\t%s.%s %s\n" % (ip, n.name, DOMAIN, n.name) for n in node_set for ip in (n.ipv4, n.ipv6)]
    return "# BEGIN %s\n%s192.0.2.50\tregistry.%s\n# END %s\n" % (marker, "".join(lines), DOMAIN, marker)


def assert_converges(node_set, inventory, play=None):
    """The first run writes the exact block on every node, the second changes nothing."""
    play = play or PLAY
    originals = [n.read_hosts() for n in node_set]
    res = run_playbook(play, inventory=inventory)
    assert res.rc == 0 and res.changed == len(node_set), res.failures() or res.stderr
    for node, original in zip(node_set, originals):
        assert node.read_hosts() == original + expected_block(node_set)
    res = run_playbook(play, inventory=inventory)
    assert res.rc == 0 and res.changed == 0, res.failures()
    return originals


def assert_role_lifecycle(node_set, inventory):
    """Converges, then --check writes nothing, then absent removes the block and only it."""
    originals = assert_converges(node_set, inventory)
    written = [n.read_hosts() for n in node_set]
    res = run_playbook(PLAY, inventory=inventory, check=True, diff=True, extra_vars={"node_hosts_domain": "other.example"})
    assert res.rc == 0 and res.changed == len(node_set), res.failures()
    assert [n.read_hosts() for n in node_set] == written
    res = run_playbook(PLAY, inventory=inventory, extra_vars={"node_hosts_state": "absent"})
    assert res.rc == 0 and res.changed == len(node_set), res.failures()
    assert [n.read_hosts() for n in node_set] == originals


@pytest.mark.root
def test_role_on_namespace_nodes_from_facts(netns_nodes):
    """Without address variables, the gathered ansible_default_ipv4/ipv6 facts of the nodes are used."""
    node_set = netns_nodes(2)
    play = [dict(PLAY[0], gather_facts=True, gather_subset=["!all", "network"])]
    with open("/etc/hosts", "rb") as f:
        host_hosts = f.read()
    assert_converges(node_set, node_set.inventory(groupvars=GROUP_VARS), play)
    with open("/etc/hosts", "rb") as f:
        assert f.read() == host_hosts


@pytest.mark.root
def test_role_on_namespace_nodes_with_bind_mounted_hosts(netns_nodes):
    node_set = netns_nodes(2, hosts_bind=True)
    inodes = [os.stat(n.hosts_path).st_ino for n in node_set]
    inventory = node_set.inventory(hostvars=lambda n: {"node_hosts_ipv4": n.ipv4, "node_hosts_ipv6": n.ipv6},
                                   groupvars=GROUP_VARS)
    assert_role_lifecycle(node_set, inventory)
    assert [os.stat(n.hosts_path).st_ino for n in node_set] == inodes, "bind-mounted files are rewritten in place"
    assert all(n.run("cat", "/etc/hosts").stdout == n.read_hosts() for n in node_set)


def sandbox_inventory(node_set, **groupvars):
    return inventory(node_set, groupvars=dict(GROUP_VARS, **groupvars),
                     hostvars=lambda n: {"node_hosts_root": n.root, "node_hosts_ipv4": n.ipv4, "node_hosts_ipv6": n.ipv6})


def test_role_on_sandbox_nodes(sandbox_nodes):
    node_set = sandbox_nodes(2)
    assert_role_lifecycle(node_set, sandbox_inventory(node_set))


def test_check_mode_on_an_empty_sandbox_creates_nothing(sandbox_nodes):
    node_set = sandbox_nodes(2, hosts=None)
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set), check=True)
    assert res.rc == 0 and res.changed == 2, res.failures()
    assert not any(os.path.exists(n.hosts_path) for n in node_set)
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set))
    assert res.rc == 0 and res.changed == 2
    assert all(n.read_hosts() == expected_block(node_set) for n in node_set)


def test_node_without_address_fails_naming_it(sandbox_nodes):
    node_set = sandbox_nodes(2)
    node_set[1].ipv4 = node_set[1].ipv6 = ""
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set))
    assert res.rc != 0
    assert "no IPv4 or IPv6 address for node2" in res.failures()[0]["result"]["msg"]
    assert node_set[0].read_hosts() == node_set[1].read_hosts() == DEFAULT_HOSTS


def test_bad_variables_are_refused_before_any_change(sandbox_nodes):
    node_set = sandbox_nodes(1)
    original = node_set[0].read_hosts()
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set, node_hosts_state="gone"))
    assert res.rc != 0 and "node_hosts_state" in res.failures()[0]["result"]["msg"]
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set, node_hosts_group="no_such_group"))
    assert res.rc != 0 and '"no_such_group" is not a group' in res.failures()[0]["result"]["msg"]
    relative = inventory(node_set, groupvars=GROUP_VARS, hostvars=lambda n: {
        "node_hosts_root": "sandbox/" + n.name, "node_hosts_ipv4": n.ipv4, "node_hosts_ipv6": n.ipv6})
    res = run_playbook(PLAY, inventory=relative)
    assert res.rc != 0 and res.failures()[0]["result"]["msg"] == 'node_hosts_root must be an absolute path, got "sandbox/node1"'
    assert node_set[0].read_hosts() == original


def test_shared_address_variables_and_survey_strings(sandbox_nodes):
    """Without node_hosts_ipv4/ipv6 the shared clusternet_node_ipv4/ipv6 (dualstack_node's too) are used, and
    node_hosts_extra_entries given as a string (an AWX survey answer) holds comma- or newline-separated entries."""
    node_set = sandbox_nodes(2)
    originals = [n.read_hosts() for n in node_set]
    inv = inventory(node_set, groupvars=dict(GROUP_VARS, node_hosts_extra_entries="192.0.2.50 registry." + DOMAIN),
                    hostvars=lambda n: {"node_hosts_root": n.root, "clusternet_node_ipv4": n.ipv4,
                                        "clusternet_node_ipv6": n.ipv6})
    res = run_playbook(PLAY, inventory=inv)
    assert res.rc == 0 and res.changed == 2, res.failures() or res.stderr
    assert [n.read_hosts() for n in node_set] == [o + expected_block(node_set) for o in originals]
    two = inventory(node_set, groupvars=dict(GROUP_VARS, node_hosts_extra_entries="192.0.2.50 registry.%s,\n"
                                             "192.0.2.51 mirror.%s" % (DOMAIN, DOMAIN)),
                    hostvars=lambda n: {"node_hosts_root": n.root, "clusternet_node_ipv4": n.ipv4,
                                        "clusternet_node_ipv6": n.ipv6})
    res = run_playbook(PLAY, inventory=two, check=True, diff=True)
    assert res.rc == 0 and res.changed == 2, res.failures()
    entries = res.task("clusternet.k8s.node_hosts : Manage the nodes block of the hosts file")["result"]["entries"]
    assert entries[-2:] == [{"ip": "192.0.2.50", "hostnames": ["registry." + DOMAIN]},
                            {"ip": "192.0.2.51", "hostnames": ["mirror." + DOMAIN]}]

"""The dualstack_node role through ansible-playbook: on namespace nodes (root) and sandbox-root nodes."""
import os

import pytest

from tests.support.ansible_run import run_playbook
from tests.support.nodes import inventory

PLAY = [{"name": "dual-stack nodes", "hosts": "nodes", "gather_facts": False,
         "roles": [{"role": "clusternet.k8s.dualstack_node"}]}]
FACTS_PLAY = [dict(PLAY[0], gather_facts=True, gather_subset=["!all", "network"])]
SYSCTLS = ("net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding")
SYSCTL_FILE = "etc/sysctl.d/99-clusternet-k8s-dualstack.conf"
SYSCTL_TEXT = ("# Managed by clusternet.k8s.dualstack_node: a dual-stack Kubernetes node forwards IPv4 and IPv6.\n"
               "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n")
KUBELET_FILE = "etc/default/kubelet"
KUBELET_UNITS = ("/etc/systemd/system/kubelet.service", "/usr/lib/systemd/system/kubelet.service",
                 "/lib/systemd/system/kubelet.service")
# Namespace nodes share the host's /usr: never restart a kubelet the host might have.
NETNS_GROUP_VARS = {"dualstack_node_kubelet_restart": not any(os.path.exists(p) for p in KUBELET_UNITS)}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def host_sysctls():
    return {key: read("/proc/sys/" + key.replace(".", "/")).strip() for key in SYSCTLS}


def failure(res, host):
    found = [t for t in res.failures() if t["host"] == host]
    assert found, "no failure on %s: %s" % (host, res.failures())
    return found[0]["result"]["msg"]


# ---------------------------------------------------------------------------------------------
# Namespace nodes (root): forwarding is real, per namespace; files go to each node's private /etc
# ---------------------------------------------------------------------------------------------


def turn_forwarding_off(node_set):
    for node in node_set:
        for key in SYSCTLS:
            node.set_sysctl(key, 0)
        assert [node.sysctl(key) for key in SYSCTLS] == ["0", "0"]


@pytest.mark.root
@pytest.mark.slow
def test_role_on_namespace_nodes_from_facts(netns_nodes):
    """--check changes nothing; the run sets forwarding in each namespace only and persists it; then changed=0."""
    host_before = host_sysctls(), [os.path.exists("/" + path) for path in (SYSCTL_FILE, KUBELET_FILE)]
    node_set = netns_nodes(2)
    turn_forwarding_off(node_set)
    inv = node_set.inventory(groupvars=NETNS_GROUP_VARS)
    etc_before = [sorted(os.listdir(n.etc_dir)) for n in node_set]

    res = run_playbook(FACTS_PLAY, inventory=inv, check=True)
    assert res.rc == 0 and res.changed == 3 * len(node_set), res.failures() or res.stderr
    assert all(t["result"]["changed"] for t in res.tasks if t["task"].endswith("Set the forwarding sysctls that differ"))
    for node, before in zip(node_set, etc_before):
        assert [node.sysctl(key) for key in SYSCTLS] == ["0", "0"]
        assert sorted(os.listdir(node.etc_dir)) == before
        assert not os.path.exists(os.path.join(node.etc_dir, "sysctl.d", os.path.basename(SYSCTL_FILE)))
        assert not os.path.exists(os.path.join(node.etc_dir, "default", "kubelet"))

    res = run_playbook(FACTS_PLAY, inventory=inv)
    assert res.rc == 0, res.failures() or res.stderr
    restarts = [t for t in res.tasks if t["task"].endswith("Restart the kubelet with its new flags")]
    assert [t["status"] for t in restarts] == ["skipped"] * len(node_set), "notified, but no kubelet unit here"
    for node in node_set:
        assert [node.sysctl(key) for key in SYSCTLS] == ["1", "1"], node.name
        assert read(os.path.join(node.etc_dir, "sysctl.d", os.path.basename(SYSCTL_FILE))) == SYSCTL_TEXT
        assert read(os.path.join(node.etc_dir, "default", "kubelet")) == \
            "KUBELET_EXTRA_ARGS=--node-ip=%s,%s\n" % (node.ipv4, node.ipv6)
        assert node.run("cat", "/" + KUBELET_FILE).stdout == read(os.path.join(node.etc_dir, "default", "kubelet"))
    host_after = host_sysctls(), [os.path.exists("/" + path) for path in (SYSCTL_FILE, KUBELET_FILE)]
    assert host_after == host_before, "the host's own forwarding and files are untouched"

    res = run_playbook(FACTS_PLAY, inventory=inv)
    assert res.rc == 0 and res.changed == 0, [t for t in res.tasks if t["result"].get("changed")]


@pytest.mark.root
@pytest.mark.slow
def test_survey_strings_for_booleans_on_a_live_node(netns_nodes):
    """AWX passes survey answers as strings. The argument spec reads "no" as false; so does the role, on the
    running node too, where the restart handlers evaluate it (a bare string there is no boolean to Ansible)."""
    node_set = netns_nodes(1)
    inv = node_set.inventory(groupvars=dict(NETNS_GROUP_VARS, dualstack_node_kubelet_restart="no"))
    res = run_playbook(FACTS_PLAY, inventory=inv)
    assert res.rc == 0, res.failures() or res.stderr
    handlers = [t for t in res.tasks if t["task"].endswith(("systemd unit", "new flags"))]
    assert len(handlers) == 2 and all(t["status"] == "skipped" for t in handlers), handlers


@pytest.mark.root
@pytest.mark.slow
def test_namespace_nodes_refused_before_any_change(netns_nodes):
    """A node without IPv6 fails naming itself and IPv6; one with two IPv4 fails with the kubelet's text.

    Neither gets a file or a sysctl changed; the good node is configured.
    """
    node_set = netns_nodes(3, ipv4_only=("node2",))
    turn_forwarding_off(node_set)
    inv = node_set.inventory(groupvars=NETNS_GROUP_VARS,
                             hostvars={"node3": {"dualstack_node_ipv6": "192.0.2.99"}})
    res = run_playbook(FACTS_PLAY, inventory=inv)
    assert res.rc != 0
    assert failure(res, "node2") == (
        "node2: no IPv6 address: dualstack_node_ipv6 and clusternet_node_ipv6 are empty and its gathered facts "
        "show no global IPv6 address; a dual-stack node needs an IPv4 and an IPv6 address")
    assert failure(res, "node3") == (
        'node3: the kubelet would stop with: bad --node-ip "%s,192.0.2.99": must contain either a single IP or a '
        "dual-stack pair of IPs" % node_set[2].ipv4)
    good, *refused = node_set
    assert [good.sysctl(key) for key in SYSCTLS] == ["1", "1"]
    for node in refused:
        assert [node.sysctl(key) for key in SYSCTLS] == ["0", "0"], node.name
        assert not os.path.exists(os.path.join(node.etc_dir, "sysctl.d", os.path.basename(SYSCTL_FILE)))
        assert not os.path.exists(os.path.join(node.etc_dir, "default", "kubelet"))


# ---------------------------------------------------------------------------------------------
# Sandbox roots (no root): files only, nothing applied live
# ---------------------------------------------------------------------------------------------


def sandbox_inventory(node_set, hostvars=None, **groupvars):
    def host(node):
        return {"dualstack_node_root": node.root, "dualstack_node_ipv4": node.ipv4, "dualstack_node_ipv6": node.ipv6,
                **(hostvars or {}).get(node.name, {})}
    return inventory(node_set, groupvars=groupvars, hostvars=host)


@pytest.mark.slow
def test_role_on_sandbox_nodes(sandbox_nodes):
    """Exact files; other kubelet arguments kept; IPv6-primary; the shared clusternet_node_* addresses."""
    node_set = sandbox_nodes(3)
    os.makedirs(os.path.join(node_set[0].root, "etc", "default"))
    kubelet_env = os.path.join(node_set[0].root, KUBELET_FILE)
    with open(kubelet_env, "w", encoding="utf-8") as f:
        f.write("# from the package\nKUBELET_EXTRA_ARGS='--node-labels=zone=a --node-ip 10.0.0.1 --v=2'\nOTHER=1\n")
    os.chmod(kubelet_env, 0o600)
    inv = sandbox_inventory(node_set, hostvars={
        "node2": {"dualstack_node_primary_family": "IPv6"},
        "node3": {"dualstack_node_ipv4": "", "dualstack_node_ipv6": "",
                  "clusternet_node_ipv4": node_set[2].ipv4, "clusternet_node_ipv6": node_set[2].ipv6}})
    res = run_playbook(PLAY, inventory=inv)
    assert res.rc == 0 and res.changed == 3 * 3, res.failures() or [t["task"] for t in res.tasks]
    for node in node_set:
        assert read(os.path.join(node.root, SYSCTL_FILE)) == SYSCTL_TEXT
    assert read(kubelet_env) == ('# from the package\nKUBELET_EXTRA_ARGS="--node-labels=zone=a --v=2 --node-ip=%s,%s"\n'
                                 "OTHER=1\n" % (node_set[0].ipv4, node_set[0].ipv6))
    assert os.stat(kubelet_env).st_mode & 0o777 == 0o600
    assert read(os.path.join(node_set[1].root, KUBELET_FILE)) == \
        "KUBELET_EXTRA_ARGS=--node-ip=%s,%s\n" % (node_set[1].ipv6, node_set[1].ipv4)
    assert read(os.path.join(node_set[2].root, KUBELET_FILE)) == \
        "KUBELET_EXTRA_ARGS=--node-ip=%s,%s\n" % (node_set[2].ipv4, node_set[2].ipv6)
    live = [t for t in res.tasks if t["task"].endswith(("forwarding sysctls", "that differ", "systemd unit", "new flags"))]
    assert len(live) == 4 * 3 and all(t["status"] == "skipped" for t in live), "nothing live for a sandbox root"

    res = run_playbook(PLAY, inventory=inv)
    assert res.rc == 0 and res.changed == 0, [t for t in res.tasks if t["result"].get("changed")]

    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set, dualstack_node_primary_family="IPv6"),
                       check=True, diff=True)
    assert res.rc == 0 and res.changed == 2, res.failures()
    assert read(os.path.join(node_set[2].root, KUBELET_FILE)) == \
        "KUBELET_EXTRA_ARGS=--node-ip=%s,%s\n" % (node_set[2].ipv4, node_set[2].ipv6)


def test_check_mode_on_an_empty_sandbox_creates_nothing(sandbox_nodes):
    node_set = sandbox_nodes(2, hosts=None)
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set), check=True)
    assert res.rc == 0 and res.changed == 2 * 3, res.failures()
    assert all(list(os.walk(n.root)) == [(n.root, ["etc"], []), (os.path.join(n.root, "etc"), [], [])] for n in node_set)


def test_bad_addresses_are_refused_before_any_change(sandbox_nodes):
    """Each refusal names the node; the kubelet's own texts where the kubelet would refuse."""
    node_set = sandbox_nodes(7)
    inv = sandbox_inventory(node_set, hostvars={
        "node1": {"dualstack_node_ipv6": ""},
        "node2": {"dualstack_node_ipv4": "", "dualstack_node_ipv6": ""},
        "node3": {"dualstack_node_ipv6": "192.0.2.99"},
        "node4": {"dualstack_node_cloud_provider": "aws"},
        "node5": {"dualstack_node_ipv6": "2001:db8::zz"},
        "node6": {"dualstack_node_ipv4": node_set[5].ipv6, "dualstack_node_ipv6": node_set[5].ipv4},
        "node7": {"dualstack_node_ipv4": "0.0.0.0", "dualstack_node_root": "relative/root"}})
    res = run_playbook(PLAY, inventory=inv)
    assert res.rc != 0 and res.changed == 0
    missing = " address: dualstack_node_ipv%s and clusternet_node_ipv%s are empty and no facts were gathered"
    assert failure(res, "node1") == "node1: no IPv6%s; a dual-stack node needs an IPv4 and an IPv6 address" % (
        missing % (6, 6))
    assert failure(res, "node2").startswith("node2: no IPv4%s; a dual-stack node needs an IPv4 and an IPv6 address; "
                                            "no IPv6%s" % (missing % (4, 4), missing % (6, 6)))
    assert failure(res, "node3") == ('node3: the kubelet would stop with: bad --node-ip "%s,192.0.2.99": must contain '
                                     "either a single IP or a dual-stack pair of IPs" % node_set[2].ipv4)
    assert failure(res, "node4") == ('node4: the kubelet would stop with: bad --node-ip "%s,%s": dual-stack not '
                                     "supported in this configuration" % (node_set[3].ipv4, node_set[3].ipv6))
    assert failure(res, "node5") == ('node5: IPv6 address "2001:db8::zz" (from dualstack_node_ipv6) is not one IP '
                                     "address the kubelet can parse (it would ignore it and run single-stack)")
    assert failure(res, "node6") == ('node6: IPv4 address "%s" (from dualstack_node_ipv4) is not an IPv4 address; '
                                     'IPv6 address "%s" (from dualstack_node_ipv6) is not an IPv6 address'
                                     % (node_set[5].ipv6, node_set[5].ipv4))
    assert failure(res, "node7") == ('node7: dualstack_node_root must be an absolute path, got "relative/root"; the '
                                     'kubelet would stop with: bad --node-ip "0.0.0.0,%s": dual-stack node IP cannot '
                                     "include '0.0.0.0' or '::'" % node_set[6].ipv6)
    assert all(sorted(os.listdir(n.root)) == ["etc"] and os.listdir(os.path.join(n.root, "etc")) == ["hosts"]
               for n in node_set)


def test_bad_variables_are_refused_by_the_argument_spec(sandbox_nodes):
    node_set = sandbox_nodes(2)
    res = run_playbook(PLAY, inventory=sandbox_inventory(node_set, hostvars={
        "node1": {"dualstack_node_primary_family": "ipv6"}, "node2": {"dualstack_node_kubelet_restart": "maybe"}}))
    assert res.rc != 0 and res.changed == 0
    assert "dualstack_node_primary_family" in failure(res, "node1")
    assert "dualstack_node_kubelet_restart" in failure(res, "node2")
    assert not any(os.path.exists(os.path.join(n.root, SYSCTL_FILE)) for n in node_set)

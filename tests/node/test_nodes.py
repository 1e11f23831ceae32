"""The namespace test nodes are real, isolated dual-stack nodes, and nothing of them outlives a run."""
import os
import subprocess
import sys
import textwrap

import pytest

from tests.support import nodes as _nodes

pytestmark = pytest.mark.root


def _leftovers(prefix):
    """Namespaces, mounts and state of the node set ``prefix`` still present on the host."""
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        mounts = [line for line in f if prefix in line]
    state = os.path.join(_nodes.STATE_BASE, prefix.rstrip("-"))
    return [n for n in _nodes.list_netns() if n.startswith(prefix)] + mounts + ([state] if os.path.exists(state) else [])


def test_nodes_reach_each_other_over_ipv4_and_ipv6(netns_nodes):
    one, two = netns_nodes(2)
    assert one.ping(two.ipv4) and one.ping(two.ipv6)
    assert two.ping(one.ipv4) and two.ping(one.ipv6)
    assert not one.ping("192.0.2.250", timeout=0.5), "an address nobody holds must not answer"


def test_node_has_its_addresses_and_hostname(netns_nodes):
    node = netns_nodes(1)[0]
    assert node.run("hostname").stdout.strip() == "node1"
    addrs = node.run("ip", "-o", "addr", "show", "dev", "eth0").stdout
    assert node.ipv4 + "/24" in addrs and node.ipv6 + "/64" in addrs


@pytest.mark.parametrize("key", ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"])
def test_sysctl_is_per_node(netns_nodes, key):
    one, two = netns_nodes(2)
    with open("/proc/sys/" + key.replace(".", "/"), encoding="ascii") as f:
        host = f.read().strip()
    value = "0" if host == "1" else "1"
    one.set_sysctl(key, value)
    assert one.sysctl(key) == value
    assert two.sysctl(key) != value
    with open("/proc/sys/" + key.replace(".", "/"), encoding="ascii") as f:
        assert f.read().strip() == host


@pytest.mark.parametrize("hosts_bind", [False, True], ids=["private-etc", "bind-mounted-hosts"])
def test_node_etc_hosts_is_private(netns_nodes, hosts_bind):
    with open("/etc/hosts", "rb") as f:
        host_before = f.read()
    one, two = netns_nodes(2, hosts_bind=hosts_bind)
    one.run("/bin/sh", "-c", "echo '192.0.2.99 written-in-node1' >> /etc/hosts")
    assert "written-in-node1" in one.read_hosts()
    assert "written-in-node1" in one.run("cat", "/etc/hosts").stdout
    assert "written-in-node1" not in two.read_hosts()
    with open("/etc/hosts", "rb") as f:
        assert f.read() == host_before


def test_bind_mounted_hosts_refuses_rename(netns_nodes):
    """As in containers: renaming a file over a bind-mounted /etc/hosts fails with EBUSY."""
    node = netns_nodes(1, hosts_bind=True)[0]
    code = textwrap.dedent("""
        import os
        open("/etc/hosts.new", "w").close()
        try:
            os.rename("/etc/hosts.new", "/etc/hosts")
            print("renamed")
        except OSError as e:
            os.unlink("/etc/hosts.new")
            print(e.errno)
    """)
    assert node.run(sys.executable, "-c", code).stdout.strip() == "16"
    plain = netns_nodes(1)[0]
    assert plain.run(sys.executable, "-c", code).stdout.strip() == "renamed"


def test_everything_removed_when_a_test_fails(tmp_path):
    marker = tmp_path / "prefix"
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(textwrap.dedent("""
        def test_fails(netns_nodes):
            nodes = netns_nodes(2, hosts_bind=True)
            open(%r, "w").write(nodes.prefix)
            nodes[0].run("true")
            assert False, "deliberate failure"
    """ % str(marker)))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.support.pytest_nodes", str(test_file)],
                          cwd=_nodes.ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 1 and "deliberate failure" in proc.stdout, proc.stdout + proc.stderr
    prefix = marker.read_text()
    assert prefix.startswith(_nodes.PREFIX)
    assert not _leftovers(prefix)


def test_stale_nodes_of_a_killed_run_are_removed(netns_nodes):
    alive = netns_nodes(1)
    code = textwrap.dedent("""
        import os, signal, subprocess
        from tests.support.nodes import NetnsNodes
        nodes = NetnsNodes(1)
        subprocess.Popen([nodes[0].enter, "sleep", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(nodes.prefix, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=_nodes.ROOT, capture_output=True, text=True, check=False,
                          timeout=120)
    prefix = proc.stdout.strip()
    assert prefix.startswith(_nodes.PREFIX), proc.stderr
    assert _leftovers(prefix), "a killed run leaves its nodes behind"
    assert prefix.rstrip("-") in _nodes.cleanup_stale()
    assert not _leftovers(prefix)
    assert _leftovers(alive.prefix), "nodes of a live run are not stale"
    assert alive[0].run("true").returncode == 0

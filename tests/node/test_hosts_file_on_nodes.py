"""hosts_file through real ansible-playbook runs on namespace nodes with a private /etc."""
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.ansible_run import run_playbook

pytestmark = pytest.mark.root

MARKER = "clusternet.k8s managed block"


def play(args, name="manage the block"):
    return [{"name": "hosts file", "hosts": "nodes", "gather_facts": False,
             "tasks": [{"name": name, "clusternet.k8s.hosts_file": args}]}]


def block(entries, marker=MARKER):
    return "# BEGIN %s\n%s# END %s\n" % (marker, "".join("%s\t%s\n" % (ip, name) for ip, name in entries), marker)


def node_entries(node_set):
    """Every node's name mapped to both its addresses, as a role would write them."""
    return {n.name: [n.ipv4, n.ipv6] for n in node_set}


def test_first_run_changes_second_does_not(netns_nodes):
    node_set = netns_nodes(2)
    original = node_set[0].read_hosts()
    with open("/etc/hosts", "rb") as f:
        host_hosts = f.read()
    res = run_playbook(play({"entries": node_entries(node_set)}), inventory=node_set.inventory())
    assert res.rc == 0 and res.changed == 2, res.failures() or res.stderr
    expected = original + block([(n.ipv4, n.name) for n in node_set][:1] + [(node_set[0].ipv6, "node1")]
                                + [(node_set[1].ipv4, "node2"), (node_set[1].ipv6, "node2")])
    for node in node_set:
        assert node.read_hosts() == expected
        assert node.run("cat", "/etc/hosts").stdout == expected
    res = run_playbook(play({"entries": node_entries(node_set)}), inventory=node_set.inventory())
    assert res.rc == 0 and res.changed == 0
    with open("/etc/hosts", "rb") as f:
        assert f.read() == host_hosts


def test_bind_mounted_hosts_is_updated_in_place(netns_nodes):
    node_set = netns_nodes(1, hosts_bind=True)
    node = node_set[0]
    inode = os.stat(node.hosts_path).st_ino
    res = run_playbook(play({"entries": ["192.0.2.50 registry"]}), inventory=node_set.inventory())
    assert res.rc == 0 and res.changed == 1, res.failures() or res.stderr
    assert node.read_hosts().endswith(block([("192.0.2.50", "registry")]))
    assert os.stat(node.hosts_path).st_ino == inode, "a bind-mounted file can only be rewritten in place"
    assert sorted(os.listdir(node.etc_dir)) == sorted(os.listdir("/etc")), "no temporary file is left in /etc"
    res = run_playbook(play({"entries": ["192.0.2.50 registry"], "state": "absent"}), inventory=node_set.inventory())
    assert res.rc == 0 and res.changed == 1 and "registry" not in node.read_hosts()


def concurrent_play(i, rounds):
    """Run ``i`` rewrites its own block ``rounds`` times (more read-modify-writes to collide)."""
    task = {"name": "write block", "loop": list(range(rounds)),
            "clusternet.k8s.hosts_file": {"entries": ["192.0.2.%d writer%d-{{ item }}" % (100 + i, i)],
                                          "marker": "writer %d" % i}}
    return [{"name": "writer", "hosts": "nodes", "gather_facts": False, "tasks": [task]}]


@pytest.mark.slow
def test_twenty_concurrent_runs_keep_all_twenty_blocks(netns_nodes):
    node_set = netns_nodes(1)
    inventory, rounds = node_set.inventory(), 4

    def one_run(i):
        return run_playbook(concurrent_play(i, rounds), inventory=inventory)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one_run, range(20)))
    assert [(r.rc, r.changed) for r in results] == [(0, 1)] * 20, [r.failures() for r in results if r.rc]
    text = node_set[0].read_hosts()
    for i in range(20):
        assert block([("192.0.2.%d" % (100 + i), "writer%d-%d" % (i, rounds - 1))], "writer %d" % i) in text


def test_hostname_with_newline_fails_naming_it(netns_nodes):
    node_set = netns_nodes(1)
    original = node_set[0].read_hosts()
    res = run_playbook(play({"entries": {"evil\n10.6.6.6 injected": "192.0.2.1"}}), inventory=node_set.inventory())
    assert res.rc != 0
    failure = res.task("manage the block")
    assert failure["status"] == "failed"
    assert '"evil\\n10.6.6.6 injected"' in failure["result"]["msg"]
    assert "Traceback" not in res.stdout
    assert node_set[0].read_hosts() == original


def test_absent_removes_only_its_block(netns_nodes):
    node_set = netns_nodes(1)
    node = node_set[0]
    original = node.read_hosts()
    res = run_playbook([{"name": "two blocks", "hosts": "nodes", "gather_facts": False, "tasks": [
        {"name": "nodes block", "clusternet.k8s.hosts_file": {"entries": ["192.0.2.11 node1"]}},
        {"name": "mirror block", "clusternet.k8s.hosts_file": {"entries": ["192.0.2.50 mirror"], "marker": "mirror"}},
        {"name": "hand-written line", "ansible.builtin.lineinfile": {"path": "/etc/hosts", "line": "192.0.2.77 admin"}},
        {"name": "remove the nodes block", "clusternet.k8s.hosts_file": {"state": "absent"}},
    ]}], inventory=node_set.inventory())
    assert res.rc == 0, res.failures() or res.stderr
    assert res.task("remove the nodes block")["result"]["changed"]
    assert node.read_hosts() == original + block([("192.0.2.50", "mirror")], "mirror") + "192.0.2.77 admin\n"

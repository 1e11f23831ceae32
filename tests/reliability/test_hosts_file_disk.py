"""hosts_file on bind-mounted files (rewritten in place): a full disk and concurrent writers lose nothing.

Each scenario runs in a private mount namespace (``tests.support.private_mounts``) with real
``ansible-playbook`` runs: a small tmpfs holds the hosts file, bind-mounted onto itself as a
container's ``/etc/hosts`` is, so a rename over it fails with EBUSY and only an in-place write can
change it.
"""
import sys

import pytest

from tests.support.private_mounts import decode, encode, run_scenario

pytestmark = pytest.mark.root

MARKER = "clusternet.k8s managed block"
USER_LINES = "".join("10.%d.%d.%d\thost-%d.example.test\n" % (i // 65536, i // 256 % 256, i % 256, i) for i in range(9000))
# One line of 300 names: the block needs more than the last page of the file can still take.
BIG_NAMES = ["name-%03d.example.test" % i for i in range(300)]
BIG_BLOCK = "# BEGIN %s\n192.0.2.1\t%s\n# END %s\n" % (MARKER, " ".join(BIG_NAMES), MARKER)
SMALL_BLOCK = "# BEGIN %s\n192.0.2.1\tsmall\n# END %s\n" % (MARKER, MARKER)


def hosts_task(name, path, **args):
    return {"name": name, "ignore_errors": True, "clusternet.k8s.hosts_file": dict(path=path, **args)}


def play(*tasks):
    return {"op": "play", "plays": [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]}


def result(step, name):
    task = next(t for t in step["tasks"] if t["task"] == name)
    return task["status"], task["result"]


@pytest.mark.parametrize("original", [USER_LINES, SMALL_BLOCK + USER_LINES], ids=["block-appended", "block-replaced"])
def test_a_full_disk_leaves_a_bind_mounted_file_whole(tmp_path, original):
    """Issue 13, defect 3: the in-place write truncated first; with ENOSPC the file was left cut, changed: false."""
    fs = str(tmp_path / "fs")
    hosts, filler = fs + "/etc/hosts", fs + "/filler"
    grow = hosts_task("grow", hosts, entries=["192.0.2.1 " + " ".join(BIG_NAMES)])
    steps = [{"op": "tmpfs", "path": fs, "size": "1m"}, {"op": "write", "path": hosts, "data": encode(original.encode())},
             {"op": "bind", "path": hosts}, {"op": "fill", "path": filler},
             play(grow), {"op": "read", "path": hosts},
             play(hosts_task("shrink", hosts, state="absent")), {"op": "read", "path": hosts},
             {"op": "remove", "path": filler}, play(grow), {"op": "read", "path": hosts}]
    results = run_scenario(steps)
    full, after_full, shrink, after_shrink, freed, after_freed = results[4:8] + results[9:]

    status, failure = result(full, "grow")
    assert status == "ignored" and failure["changed"] is False, failure
    assert "No space left on device" in failure["msg"] and "nothing was changed" in failure["msg"], failure["msg"]
    assert "Traceback" not in failure["msg"] + full["stdout"]
    assert decode(after_full) == original.encode(), "the file must keep every byte"

    status, removed = result(shrink, "shrink")  # removing a block needs no space
    without_block = original.replace(SMALL_BLOCK, "")
    assert status == "ok" and removed["changed"] == (without_block != original), removed
    assert decode(after_shrink) == without_block.encode()

    status, written = result(freed, "grow")
    assert status == "ok" and written["changed"], written
    assert decode(after_freed) == (without_block + BIG_BLOCK).encode()


def test_concurrent_writers_on_a_bind_mounted_file_lose_nothing(tmp_path):
    """Twenty module runs at once (one ansible-playbook, twenty hosts, twenty forks), each its own block, three rounds."""
    hosts = str(tmp_path / "etc" / "hosts")
    writers = ["w%02d" % i for i in range(20)]
    inventory = "".join("%s ansible_connection=local ansible_python_interpreter=%s\n" % (w, sys.executable) for w in writers)
    task = {"name": "write", "loop": [0, 1, 2], "clusternet.k8s.hosts_file": {
        "path": hosts, "marker": "{{ inventory_hostname }}",
        "entries": ["192.0.2.{{ 100 + groups['all'].index(inventory_hostname) }} {{ inventory_hostname }}-{{ item }}"]}}
    steps = [{"op": "write", "path": hosts, "data": encode(USER_LINES.encode())}, {"op": "bind", "path": hosts},
             {"op": "play", "plays": [{"hosts": "all", "gather_facts": False, "tasks": [task]}], "inventory": inventory,
              "args": ["--forks", "20"]},
             {"op": "read", "path": hosts}]
    played, text = run_scenario(steps)[2:]
    assert played["rc"] == 0, played["stdout"] + played["stderr"]
    text = decode(text).decode()
    assert text.startswith(USER_LINES), "no user line lost or cut"
    blocks = ["# BEGIN %s\n192.0.2.%d\t%s-2\n# END %s\n" % (w, 100 + i, w, w) for i, w in enumerate(writers)]
    missing = [b for b in blocks if b not in text[len(USER_LINES):]]
    assert not missing, missing
    assert len(text) == len(USER_LINES) + sum(len(b) for b in blocks)

"""hosts_file: main() with patched arguments on temporary files."""
import contextlib
import io
import json
import multiprocessing
import os
import socket
import stat

import pytest

from tests.support.module_args import patch_module_args
from ansible_collections.clusternet.k8s.plugins.module_utils.backends.hosts_file import is_mount_point
from ansible_collections.clusternet.k8s.plugins.modules import hosts_file

ORIGINAL = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# a comment of the admin\n10.0.0.5 admin-box\n"
ENTRIES = {"node1": ["192.0.2.11", "fd00::11"], "node2": "192.0.2.12"}
BLOCK = "# BEGIN clusternet.k8s managed block\n192.0.2.11\tnode1\nfd00::11\tnode1\n192.0.2.12\tnode2\n" \
        "# END clusternet.k8s managed block\n"


def run_module(args, check=False, diff=False):
    """Run the module's main() and return (failed, result)."""
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        hosts_file.main()
    return exited.value.code != 0, json.loads(out.getvalue())


@pytest.fixture
def hosts(tmp_path):
    path = tmp_path / "etc" / "hosts"
    path.parent.mkdir()
    path.write_text(ORIGINAL)
    return path


@pytest.fixture(autouse=True)
def module_tmp(tmp_path, monkeypatch):
    tmp = tmp_path / "module-tmp"
    tmp.mkdir()
    monkeypatch.setenv("ANSIBLE_REMOTE_TMP", str(tmp))
    return tmp


def test_writes_block_after_existing_lines_then_idempotent(hosts):
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES})
    assert not failed and res["changed"]
    assert hosts.read_text() == ORIGINAL + BLOCK
    assert res["counts"] == {"entries": 3, "hostnames": 3} and "entries" not in res
    assert res["duplicates"] == {}
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES})
    assert not failed and not res["changed"] and res["msg"] == "block unchanged"
    assert hosts.read_text() == ORIGINAL + BLOCK


@pytest.mark.parametrize("entries", [
    [{"ip": "192.0.2.11", "hostnames": ["node1"]}, "fd00:0::11 node1", {"ip": "192.0.2.12", "hostnames": ["node2"]}],
    "192.0.2.11 node1\n\n# the nodes\nfd00:0::11\tnode1   # dual-stack\r\n192.0.2.12 node2",
    {"192.0.2.11": ["node1"], "fd00::11": "node1", "192.0.2.12": "node2"},
])
def test_every_entry_shape_gives_the_same_file(hosts, entries):
    run_module({"path": str(hosts), "entries": ENTRIES})
    failed, res = run_module({"path": str(hosts), "entries": entries})
    assert not failed and not res["changed"], res


def test_entries_are_returned_when_asked_or_in_diff_mode(hosts):
    expected = [{"ip": "192.0.2.11", "hostnames": ["node1"]}, {"ip": "fd00::11", "hostnames": ["node1"]},
                {"ip": "192.0.2.12", "hostnames": ["node2"]}]
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES, "return_entries": True})
    assert not failed and res["entries"] == expected and res["counts"] == {"entries": 3, "hostnames": 3}
    failed, res = run_module({"path": str(hosts), "entries": "192.0.2.11 node1 n1\nfd00::11 node1"}, diff=True)
    assert not failed and res["entries"] == [{"ip": "192.0.2.11", "hostnames": ["node1", "n1"]},
                                             {"ip": "fd00::11", "hostnames": ["node1"]}]
    assert res["counts"] == {"entries": 2, "hostnames": 3}
    failed, res = run_module({"path": str(hosts), "state": "absent"})
    assert not failed and res["counts"] == {"entries": 0, "hostnames": 0} and "entries" not in res


def test_creates_missing_file_and_directory_readable_by_all(tmp_path):
    path = tmp_path / "root" / "etc" / "hosts"
    old = os.umask(0o077)
    try:
        failed, res = run_module({"path": str(path), "entries": ENTRIES})
    finally:
        os.umask(old)
    assert not failed and res["changed"] and res["msg"] == "file created"
    assert path.read_text() == BLOCK
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_missing_file_without_create_fails(tmp_path):
    path = tmp_path / "hosts"
    failed, res = run_module({"path": str(path), "entries": ENTRIES, "create": False})
    assert failed and "does not exist" in res["msg"] and not path.exists()


def test_absent_removes_only_its_block(hosts):
    run_module({"path": str(hosts), "entries": ENTRIES})
    run_module({"path": str(hosts), "entries": ["192.0.2.50 registry"], "marker": "mirror"})
    with_both = hosts.read_text()
    failed, res = run_module({"path": str(hosts), "state": "absent"})
    assert not failed and res["changed"] and res["msg"] == "block removed" and res["counts"] == {"entries": 0, "hostnames": 0}
    assert hosts.read_text() == with_both.replace(BLOCK, "")
    assert hosts.read_text() == ORIGINAL + "# BEGIN mirror\n192.0.2.50\tregistry\n# END mirror\n"
    failed, res = run_module({"path": str(hosts), "state": "absent"})
    assert not failed and not res["changed"]


def test_absent_on_missing_file_is_ok(tmp_path):
    failed, res = run_module({"path": str(tmp_path / "nope" / "hosts"), "state": "absent"})
    assert not failed and not res["changed"]
    assert not (tmp_path / "nope").exists()


def test_backup(hosts):
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES, "backup": True})
    assert not failed and res["backup_file"] != str(hosts)
    with open(res["backup_file"], encoding="utf-8") as f:
        assert f.read() == ORIGINAL
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES, "backup": True})
    assert not res["changed"] and "backup_file" not in res


def test_check_mode_writes_nothing(hosts, tmp_path):
    before = hosts.stat()
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES}, check=True)
    assert not failed and res["changed"]
    assert hosts.read_text() == ORIGINAL and hosts.stat().st_mtime_ns == before.st_mtime_ns
    missing = tmp_path / "new" / "hosts"
    failed, res = run_module({"path": str(missing), "entries": ENTRIES}, check=True)
    assert not failed and res["changed"] and not missing.parent.exists()
    assert sorted(os.listdir(hosts.parent)) == ["hosts"]


def test_diff(hosts):
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES}, check=True, diff=True)
    content = res["diff"][0]
    assert content == {"before": ORIGINAL, "after": ORIGINAL + BLOCK,
                       "before_header": "%s (content)" % hosts, "after_header": "%s (content)" % hosts}
    run_module({"path": str(hosts), "entries": ENTRIES})
    failed, res = run_module({"path": str(hosts), "state": "absent"}, diff=True)
    assert res["diff"][0]["before"] == ORIGINAL + BLOCK and res["diff"][0]["after"] == ORIGINAL


@pytest.mark.parametrize("entries, named", [
    ({"evil\n10.6.6.6 injected": "192.0.2.1"}, '"evil\\n10.6.6.6 injected"'),
    (["192.0.2.1 good bad#name"], '"bad#name"'),
    ([{"ip": "192.0.2.1", "hostnames": ["tab\tname"]}], '"tab\\tname"'),
    ({"node": "192.0.2.300"}, '"192.0.2.300"'),
    ({"node": "not-an-ip"}, '"not-an-ip"'),
    ("192.0.2.1 node\n192.0.2.300 other", 'entries line 2: "192.0.2.300" is not an IP address'),
    ("192.0.2.1 node\n192.0.2.2\n", "entries: 192.0.2.2 has no hostnames"),
    ("192.0.2.1 bell\x07name", '"bell\\aname"'),
    ({"192.0.2.1": "node", "192.0.2.2": ["ok", "new\nline"]}, '"new\\nline"'),
    ({"192.0.2.1": "node", "192.0.2.2": 7}, 'entries["192.0.2.2"] must be a list of hostnames, got integer'),
    (7, "entries must be a mapping"),
    ([{"ip": "192.0.2.1", "hostnames": ["a"], "extra": 1}], '"extra"'),
])
def test_hostile_entries_are_refused_and_the_file_is_unchanged(hosts, entries, named):
    failed, res = run_module({"path": str(hosts), "entries": entries})
    assert failed and named in res["msg"] and not res["changed"]
    assert "Traceback" not in json.dumps(res)
    assert hosts.read_text() == ORIGINAL
    assert sorted(os.listdir(hosts.parent)) == ["hosts"]


def test_a_string_entry_of_several_lines_is_refused(hosts):
    """Issue 13, defect 6: it became one line, and cache resolved to 10.0.0.1."""
    failed, res = run_module({"path": str(hosts), "entries": ["10.0.0.1 db\n10.0.0.2 cache"]})
    assert failed and not res["changed"] and hosts.read_text() == ORIGINAL
    assert res["msg"].startswith('entries[0] holds 2 lines: "10.0.0.1 db\\n10.0.0.2 cache"'), res["msg"]


@pytest.mark.parametrize("marker", ["two\nlines", "", "bell\x07"])
def test_bad_marker_is_refused(hosts, marker):
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES, "marker": marker})
    assert failed and "marker" in res["msg"]
    assert hosts.read_text() == ORIGINAL


def test_unbalanced_markers_leave_the_file_alone(hosts):
    hosts.write_text(ORIGINAL + "# BEGIN clusternet.k8s managed block\n192.0.2.1 x\n")
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES})
    assert failed and "unbalanced" in res["msg"]
    assert hosts.read_text() == ORIGINAL + "# BEGIN clusternet.k8s managed block\n192.0.2.1 x\n"


def test_duplicates_fail_by_default_and_are_reported(hosts):
    entries = {"node1": ["192.0.2.11", "192.0.2.99", "fd00::11"]}
    failed, res = run_module({"path": str(hosts), "entries": entries})
    assert failed and "node1 -> 192.0.2.11, 192.0.2.99, fd00::11" in res["msg"]
    assert res["duplicates"] == {"node1": ["192.0.2.11", "192.0.2.99", "fd00::11"]}
    assert hosts.read_text() == ORIGINAL
    failed, res = run_module({"path": str(hosts), "entries": entries, "allow_duplicates": True})
    assert not failed and res["changed"] and res["duplicates"] == {"node1": ["192.0.2.11", "192.0.2.99", "fd00::11"]}
    assert "192.0.2.99\tnode1\n" in hosts.read_text()


def test_dual_stack_name_is_not_a_duplicate(hosts):
    failed, res = run_module({"path": str(hosts), "entries": {"node1": ["192.0.2.11", "fd00::11"]}})
    assert not failed and res["duplicates"] == {}


def test_mode_and_owner_are_kept(hosts):
    hosts.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(hosts, 1234, 2345)
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES})
    assert not failed and res["changed"]
    st = hosts.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 2345)


def test_mode_option_is_applied(hosts):
    run_module({"path": str(hosts), "entries": ENTRIES})
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES, "mode": "0640"})
    assert not failed and res["changed"] and stat.S_IMODE(hosts.stat().st_mode) == 0o640
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES, "mode": "0640"})
    assert not res["changed"]


@pytest.mark.parametrize("original", ["127.0.0.1 localhost", "127.0.0.1 localhost\n"], ids=["no-final-newline", "final-newline"])
def test_trailing_newline_convention_is_kept(hosts, original):
    hosts.write_text(original)
    run_module({"path": str(hosts), "entries": ENTRIES})
    text = hosts.read_text()
    assert text.endswith("\n") == original.endswith("\n")
    assert text == "127.0.0.1 localhost\n" + (BLOCK if original.endswith("\n") else BLOCK[:-1])
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES})
    assert not res["changed"] and hosts.read_text() == text
    run_module({"path": str(hosts), "entries": {"node3": "192.0.2.13"}})
    assert hosts.read_text().endswith("\n") == original.endswith("\n")


@pytest.mark.parametrize("original", [b"", b"a\n", b"a", b"a\nb", b"a\r\n", b"a\r\nb", b"a\rb", b"a\rb\r", b"a\n\n",
                                      b"\n", b"a\r\nb\n"], ids=repr)
def test_adding_then_removing_a_block_gives_back_the_original_bytes(hosts, original):
    """Issue 13, defect 7: every newline shape; the block is written in the file's own line endings."""
    hosts.write_bytes(original)
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES})
    assert not failed and res["changed"]
    newline = b"\r\n" if b"\r\n" in original else b"\r" if b"\r" in original else b"\n"
    assert BLOCK.encode().replace(b"\n", newline)[:-len(newline)] in hosts.read_bytes()
    assert b"\n" not in hosts.read_bytes() if newline == b"\r" else True
    failed, res = run_module({"path": str(hosts), "state": "absent"})
    assert not failed and res["changed"] and hosts.read_bytes() == original


def test_bytes_outside_the_block_survive(hosts):
    raw = b"127.0.0.1 localhost\n10.1.1.1 caf\xe9-latin1 # \xff\n"
    hosts.write_bytes(raw)
    failed, res = run_module({"path": str(hosts), "entries": ENTRIES}, diff=True)
    assert not failed
    assert hosts.read_bytes() == raw + BLOCK.encode()
    run_module({"path": str(hosts), "state": "absent"})
    assert hosts.read_bytes() == raw


def test_symlink_is_followed(hosts, tmp_path):
    link = tmp_path / "hosts-link"
    link.symlink_to(hosts)
    failed, res = run_module({"path": str(link), "entries": ENTRIES})
    assert not failed and link.is_symlink() and hosts.read_text() == ORIGINAL + BLOCK


def test_directory_path_fails_cleanly(tmp_path):
    failed, res = run_module({"path": str(tmp_path), "entries": ENTRIES})
    assert failed and "is a directory" in res["msg"]


def _run_in_child(args, conn):
    try:
        conn.send(run_module(args))
    except BaseException as exc:  # pylint: disable=broad-exception-caught
        conn.send(repr(exc))


def run_module_or_hang(args, seconds=30):
    """``run_module`` in a forked child, so that a module blocked forever (on a FIFO) fails the test instead of hanging it."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_run_in_child, args=(args, sender))
    child.start()
    try:
        if not receiver.poll(seconds):
            raise AssertionError("hosts_file still runs after %ss: it blocked" % seconds)
        outcome = receiver.recv()
    finally:
        child.kill()
        child.join()
    assert isinstance(outcome, tuple), outcome
    return outcome


def _socket_at(path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    return sock


@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("kind, make, described", [
    ("fifo", os.mkfifo, "a FIFO (named pipe)"),
    ("socket", _socket_at, "a socket"),
    ("directory", os.mkdir, "a directory"),
])
def test_only_regular_files_are_read_or_written(tmp_path, state, kind, make, described):
    """A FIFO once blocked the module forever, in both states (issue 13, defect 2)."""
    target = tmp_path / kind
    keep = make(str(target))
    mode = os.stat(target).st_mode
    link = tmp_path / "hosts-link"
    link.symlink_to(target)
    for path in (target, link):
        failed, res = run_module_or_hang({"path": str(path), "entries": ENTRIES, "state": state})
        assert failed and not res["changed"], res
        assert res["msg"] == ("path %s is %s, not a regular file: hosts_file reads and writes only regular files; "
                              "nothing was changed" % (target, described)), res["msg"]
        assert os.stat(target).st_mode == mode
    del keep


@pytest.mark.root
@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("kind, file_type, described", [
    ("char", stat.S_IFCHR, "a character device"), ("block", stat.S_IFBLK, "a block device")])
def test_devices_are_never_replaced(tmp_path, state, kind, file_type, described):
    """hosts_file once replaced a /dev/null made with mknod c 1 3 by a regular file, saying "block written"."""
    device = tmp_path / kind
    os.mknod(str(device), file_type | 0o666, os.makedev(1, 3) if file_type == stat.S_IFCHR else os.makedev(7, 250))
    failed, res = run_module_or_hang({"path": str(device), "entries": ENTRIES, "state": state})
    assert failed and not res["changed"] and res["msg"].startswith("path %s is %s, not a regular file" % (device, described))
    assert stat.S_IFMT(os.stat(device).st_mode) == file_type


def test_present_needs_entries(hosts):
    failed, res = run_module({"path": str(hosts)})
    assert failed and "entries" in res["msg"]


def test_mount_point_detection(tmp_path):
    assert is_mount_point("/proc")
    assert not is_mount_point(str(tmp_path))


def _concurrent_writer(path, marker, barrier, conn):
    barrier.wait()
    try:
        failed, _res = run_module({"path": path, "entries": ["192.0.2.%d %s" % (marker + 1, "host%d" % marker)],
                                   "marker": "writer %d" % marker})
    except BaseException as exc:  # pylint: disable=broad-exception-caught
        conn.send(repr(exc))
        return
    conn.send(failed)


def test_concurrent_writers_never_lose_a_block(hosts):
    """20 processes released at once, each writing its own block: all 20 blocks survive."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(20)
    workers = []
    for i in range(20):
        receiver, sender = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_concurrent_writer, args=(str(hosts), i, barrier, sender))
        proc.start()
        workers.append((proc, receiver))
    outcomes = [receiver.recv() for _proc, receiver in workers]
    for proc, _receiver in workers:
        proc.join(30)
    assert outcomes == [False] * 20
    text = hosts.read_text()
    assert text.startswith(ORIGINAL)
    for i in range(20):
        assert "# BEGIN writer %d\n192.0.2.%d\thost%d\n# END writer %d\n" % (i, i + 1, i, i) in text

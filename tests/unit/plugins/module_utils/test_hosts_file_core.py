"""The file side of hosts_file: the in-place rewrite of a file that cannot be renamed over."""
import multiprocessing
import resource
import signal

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.backends.hosts_file import WriteFailure, rewrite_in_place

CASES = [(b"", b"abc"), (b"abc", b""), (b"abc", b"abcdef"), (b"abcdef", b"abc"), (b"abc", b"xbc"), (b"a" * 9000, b"b" * 12000),
         (b"head\nold block\ntail\n" * 100, b"head\nnew, longer block\ntail\n" * 100), (b"same", b"same")]


@pytest.mark.parametrize("before, after", CASES)
def test_rewrite_in_place(tmp_path, before, after):
    path = tmp_path / "hosts"
    path.write_bytes(before)
    inode = path.stat().st_ino
    rewrite_in_place(str(path), before, after)
    assert path.read_bytes() == after and path.stat().st_ino == inode


def _grow_past_limit(path, before, after, limit, conn):
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        rewrite_in_place(path, before, after)
    except WriteFailure as exc:
        conn.send((str(exc), exc.changed))
    else:
        conn.send(None)


@pytest.mark.parametrize("before, after", [(b"x" * 5000, b"x" * 4000 + b"y" * 3000), (b"a\n" * 3000, b"b\n" + b"a\n" * 3000)])
def test_a_write_that_fails_on_the_way_restores_every_byte(tmp_path, before, after):
    """A file-size limit stands in for a full disk: the growth fails, the old bytes come back (issue 13, defect 3)."""
    path = tmp_path / "hosts"
    path.write_bytes(before)
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_grow_past_limit, args=(str(path), before, after, len(before), sender))
    child.start()
    outcome = receiver.recv()
    child.join()
    assert outcome is not None, "the write should have failed"
    message, changed = outcome
    assert message == ("cannot rewrite %s in place: [Errno 27] File too large; the file was restored to its previous "
                       "content, nothing was changed" % path)
    assert not changed and path.read_bytes() == before

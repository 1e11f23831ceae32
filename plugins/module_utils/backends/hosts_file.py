# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The file side of the ``hosts_file`` module: lock, read, plan one block change, bind-mount check.

Private to the collection (the rules of the block itself live in ``hosts_block.py``).

The rules, their upstream origin and the assumptions: docs/hosts.md#node-hosts-block.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.hosts_block import duplicate_names, update_block, validate_host_entries

ENCODING = "utf-8"
ERRORS = "surrogateescape"  # bytes that are not UTF-8 survive a read-modify-write unchanged
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass
class BlockChange:
    """What writing one block does to a file; ``before``/``after`` are None for no file."""

    before: str | None
    after: str | None
    present: bool = True
    entries: list = field(default_factory=list)
    duplicates: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def message(self) -> str:
        if not self.changed:
            return "block unchanged" if self.present else "block absent"
        if self.before is None:
            return "file created"
        return "block written" if self.present else "block removed"


@contextmanager
def directory_lock(path: str) -> Iterator[OSError | None]:
    """Hold an exclusive ``flock`` on the directory of ``path``; yields None, or the ``OSError``
    of a file system that cannot lock (the caller warns and goes on unlocked).

    The directory, not the file: its inode survives the file being replaced by a rename, so every
    writer waits on the same lock, and no lock file is left next to the target.
    """
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    try:
        error = None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            error = exc
        yield error
    finally:
        os.close(fd)  # releases the lock


# What a path can be besides a regular file, as a message names it.
_NOT_REGULAR = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


def check_regular(path: str, mode: int) -> None:
    """Raise ``InputError`` unless ``mode`` (an ``st_mode``) is a regular file's: hosts_file never replaces a
    device, a FIFO, a socket or a directory with a file, nor writes into one."""
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _NOT_REGULAR if test(mode)), "of file type %o" % stat.S_IFMT(mode))
    raise InputError("path %s is %s, not a regular file: hosts_file reads and writes only regular files; nothing was changed"
                     % (path, kind))


def open_regular(path: str, flags: int) -> int:
    """``os.open`` of a regular file, never blocking: a FIFO swapped in after a check still fails, it cannot hang."""
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOCTTY)
    try:
        check_regular(path, os.fstat(fd).st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_text(path: str) -> str | None:
    """The file's text, or None when it does not exist. Anything but a regular file raises ``InputError``,
    before it is opened (opening a device can act on it, opening a FIFO blocks)."""
    try:
        check_regular(path, os.stat(path).st_mode)
        fd = open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read().decode(ENCODING, ERRORS)


class WriteFailure(Exception):
    """An in-place write failed; ``str()`` says what happened to the file, ``changed`` whether it differs now."""

    def __init__(self, message: str, changed: bool = False) -> None:
        super().__init__(message)
        self.changed = changed


def _pwrite_all(fd, data, offset):
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def rewrite_in_place(path: str, before: bytes, after: bytes) -> None:
    """Replace the bytes ``before`` of the regular file ``path`` by ``after`` without a rename (a mount point, such
    as a container's bind-mounted ``/etc/hosts``, cannot be renamed over), and without ever losing a byte.

    Only the bytes from the first difference on are written. When the file grows, its new tail is written first,
    past the old end: that reserves the space, and a full disk (or any error) there is undone by cutting the
    file back to its old length before any old byte was touched. Then the rest is overwritten in place and the
    file cut to its new length. Any error on the way restores ``before``; ``WriteFailure`` says whether that
    worked (``changed`` is False) or, if it did not, where a copy of ``before`` was saved.
    """
    fd = open_regular(path, os.O_WRONLY)
    try:
        start = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
        try:
            if len(after) > len(before):
                _pwrite_all(fd, after[len(before):], len(before))
                os.fsync(fd)
            _pwrite_all(fd, after[start:len(before)] if len(after) > len(before) else after[start:], start)
            os.ftruncate(fd, len(after))
            os.fsync(fd)
        except OSError as exc:
            raise _restore(fd, path, before, start, exc) from None
    finally:
        os.close(fd)


def _restore(fd, path, before, start, cause):
    """Put ``before`` back after ``cause`` interrupted an in-place write; the ``WriteFailure`` to raise."""
    what = "cannot rewrite %s in place: %s" % (path, _error_text(cause))
    try:
        _pwrite_all(fd, before[start:], start)
        os.ftruncate(fd, len(before))
        os.fsync(fd)
    except OSError as again:
        saved = _rescue_copy(path, before)
        return WriteFailure("%s; restoring its previous content failed too (%s): the file may be incomplete, %s"
                            % (what, _error_text(again), saved), changed=True)
    return WriteFailure("%s; the file was restored to its previous content, nothing was changed" % what)


def _rescue_copy(path, data):
    try:
        fd, copy = tempfile.mkstemp(prefix="hosts_file-%s-" % os.path.basename(path), suffix=".saved")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError as exc:
        return "and its previous content could not be saved either (%s)" % _error_text(exc)
    return "its previous content is saved in %s" % copy


def _error_text(exc):
    return "[Errno %d] %s" % (exc.errno, os.strerror(exc.errno)) if exc.errno else str(exc)


# Errors of a rename over a file that an in-place write can work around (as ansible-core's atomic_move lists them).
RENAME_ERRNOS = (errno.EPERM, errno.EXDEV, errno.EACCES, errno.ETXTBSY, errno.EBUSY)


def encode(text: str) -> bytes:
    return text.encode(ENCODING, ERRORS)


def plan_block(before: str | None, entries: Any, marker: str, present: bool = True) -> BlockChange:
    """The :class:`BlockChange` that puts ``entries`` in the block of ``marker`` (or removes it).

    Entries are validated first, so bad input raises ``InputError`` before anything is written.
    The file's own line endings and its lack of a final line break are kept (see ``hosts.update_block``).
    """
    if not present:
        after = None if before is None else update_block(before, None, marker)
        return BlockChange(before, after, present=False)
    normalised = validate_host_entries(entries)
    after = update_block(before or "", normalised, marker)
    return BlockChange(before, after, True, normalised, duplicate_names(normalised))


def is_mount_point(path: str) -> bool:
    """Whether ``path`` is itself a mount point, like the bind-mounted ``/etc/hosts`` of a container.

    Renames over a mount point fail with EBUSY, so such a file can only be rewritten in place.
    Read from ``/proc/self/mountinfo`` (Linux): ``os.path.ismount`` misses bind mounts from the
    same file system. Elsewhere, False.
    """
    target = os.path.realpath(path)
    try:
        with open("/proc/self/mountinfo", encoding=ENCODING, errors=ERRORS) as f:
            return any(_unescape(line.split(" ")[4]) == target for line in f)
    except (OSError, IndexError):
        return False


def _unescape(text):
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), text)

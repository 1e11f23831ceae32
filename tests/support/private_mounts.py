"""Run a scenario in a private mount namespace (root): small tmpfs file systems, bind-mounted files, a full disk.

A test gives a list of steps; :func:`run_scenario` runs them in a child process started with
``unshare --mount --propagation private``, so every mount disappears with that process, and
returns one result per step. Steps (dicts with ``op``):

* ``{"op": "tmpfs", "path": p, "size": "1m"}``: a tmpfs of that size mounted at ``p`` (created);
* ``{"op": "write", "path": p, "data": base64}``: a file written (its directory created);
* ``{"op": "bind", "path": p}``: ``p`` bind-mounted onto itself, so it is a mount point (as a container's
  ``/etc/hosts``): renames over it fail with EBUSY;
* ``{"op": "fill", "path": p}``: a file ``p`` grown until its file system is full; result: bytes written;
* ``{"op": "remove", "path": p}``;
* ``{"op": "read", "path": p}``: result: the file's bytes, base64;
* ``{"op": "play", "plays": [...], "inventory": text or None, "args": [...]}``: ``ansible-playbook`` (see
  :func:`tests.support.ansible_run.run_playbook`); result: ``{"rc", "tasks", "stdout", "stderr"}``.

Usage::

    results = run_scenario([{"op": "tmpfs", "path": d, "size": "1m"}, ...])
"""
from __future__ import annotations

import base64
import errno
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def encode(data):
    return base64.b64encode(data).decode("ascii")


def decode(text):
    return base64.b64decode(text)


def run_scenario(steps, timeout=600):
    """Run ``steps`` in a private mount namespace; returns their results (raises with the child's stderr on error)."""
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", sys.executable, "-m",
                           "tests.support.private_mounts"], input=json.dumps(steps), capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, check=False, env=dict(os.environ, PYTHONPATH=ROOT))
    if proc.returncode:
        raise RuntimeError("scenario failed (rc=%s):\n%s\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _mount(*args):
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _fill(path):
    written, chunk = 0, b"\0" * 4096
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (4096, 512, 1):  # down to the last byte a block still holds
            while True:
                try:
                    written += os.write(fd, chunk[:size])
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return written


def _step(step):
    op, path = step["op"], step.get("path")
    if op == "tmpfs":
        os.makedirs(path, exist_ok=True)
        _mount("-t", "tmpfs", "-o", "size=%s" % step["size"], "tmpfs", path)
    elif op == "write":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(decode(step["data"]))
    elif op == "bind":
        _mount("--bind", path, path)
    elif op == "fill":
        return _fill(path)
    elif op == "remove":
        os.unlink(path)
    elif op == "read":
        with open(path, "rb") as handle:
            return encode(handle.read())
    elif op == "play":
        from tests.support.ansible_run import run_playbook  # pylint: disable=import-outside-toplevel
        res = run_playbook(step["plays"], inventory=step.get("inventory"), args=step.get("args", ()))
        return {"rc": res.rc, "tasks": res.tasks, "stdout": res.stdout[-3000:], "stderr": res.stderr[-3000:]}
    else:
        raise ValueError("unknown step %r" % op)
    return None


def main():
    steps = json.loads(sys.stdin.read())
    print(json.dumps([_step(step) for step in steps]))


if __name__ == "__main__":
    main()

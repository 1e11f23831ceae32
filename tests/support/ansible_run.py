"""Run real ``ansible-playbook`` subprocesses against this checkout and read their results.

Usage in a test::

    res = run_playbook([{"hosts": "localhost", "gather_facts": False, "tasks": [...]}], check=True)
    assert res.rc == 0 and res.changed == 0
    res.task("apply the service")["result"]["changed"]
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, "playbooks", "collections")
CALLBACKS = os.path.join(ROOT, "tests", "support", "callback")
LOCALHOST = "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable


@dataclass
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    tasks: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    max_rss: int = 0    # bytes: the peak resident memory of ansible-playbook and its children

    @property
    def changed(self):
        return sum(s.get("changed", 0) for s in self.stats.values())

    @property
    def failed(self):
        return sum(s.get("failures", 0) + s.get("unreachable", 0) for s in self.stats.values())

    def task(self, name, host=None):
        """The last result of the task called ``name`` (on ``host`` if given)."""
        found = [t for t in self.tasks if t["task"] == name and (host is None or t["host"] == host)]
        if not found:
            raise AssertionError("no task %r in results: %s" % (name, [t["task"] for t in self.tasks]))
        return found[-1]

    def failures(self):
        return [t for t in self.tasks if t["status"] in ("failed", "unreachable")]


def ansible_env(extra=None):
    """The environment every test run of ansible uses: this checkout's collection, no user config."""
    env = dict(os.environ)
    env.pop("ANSIBLE_CONFIG", None)  # runs start in a temporary directory: no ansible.cfg applies
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    })
    env.update(extra or {})
    return env


def run_playbook(playbook, *, inventory=None, extra_vars=None, check=False, diff=False, env=None,
                 limit=None, verbosity=0, timeout=600, json_output=True, args=(), measure_memory=False):
    """Run ``playbook`` (a path, or a list of plays) and return a :class:`PlaybookResult`.

    ``inventory`` is a path or inventory text (default: localhost with this interpreter).
    With ``json_output`` the test callback gives per-task results; without it stdout is the
    default callback's text (for asserting what a user sees, e.g. with ``verbosity=3``). ``measure_memory`` fills
    ``max_rss`` with the peak memory of ansible-playbook and its children alone (the benchmarks).
    """
    with tempfile.TemporaryDirectory(prefix="clusternet-play-") as tmp:
        if not isinstance(playbook, str):
            path = os.path.join(tmp, "playbook.yml")
            with open(path, "w") as f:
                yaml.safe_dump(playbook, f, sort_keys=False)
            playbook = path
        if inventory is None or "\n" in inventory:
            inv_path = os.path.join(tmp, "inventory")
            with open(inv_path, "w") as f:
                f.write(inventory or LOCALHOST)
            inventory = inv_path
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, playbook]
        if extra_vars:
            vars_path = os.path.join(tmp, "extra_vars.json")
            with open(vars_path, "w") as f:
                json.dump(extra_vars, f)
            cmd += ["-e", "@" + vars_path]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if limit:
            cmd += ["--limit", limit]
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        cmd += list(args)
        extra = {"ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-local")}
        if json_output:
            extra["ANSIBLE_STDOUT_CALLBACK"] = "clusternet_test_json"
        extra.update(env or {})
        proc = _run(cmd, env=ansible_env(extra), timeout=timeout, cwd=tmp, measure_memory=measure_memory)
    result = PlaybookResult(proc.returncode, proc.stdout, proc.stderr, max_rss=proc.max_rss)
    if json_output:
        doc = _last_json(proc.stdout)
        if doc is None:
            raise AssertionError("ansible-playbook printed no JSON (rc=%s)\nstdout:\n%s\nstderr:\n%s"
                                 % (proc.returncode, proc.stdout, proc.stderr))
        result.tasks, result.stats = doc["tasks"], doc["stats"]
    return result


@dataclass
class _Finished:
    returncode: int
    stdout: str
    stderr: str
    max_rss: int


# Runs argv[2:] and writes the peak memory of that process tree to argv[1]. A child's ru_maxrss starts from its
# parent's at fork (Linux keeps the old memory's high-water mark across exec), so a large test process would
# show as the playbook's peak; this small process is the parent instead.
_MEASURE = ("import resource, subprocess, sys\n"
            "code = subprocess.call(sys.argv[2:])\n"
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))\n"
            "sys.exit(code)\n")


def _run(cmd, *, env, timeout, cwd, measure_memory=False):
    """subprocess.run, optionally measuring the peak memory of this one process tree (see _MEASURE)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        argv = [sys.executable, "-c", _MEASURE, rss.name] + list(cmd) if measure_memory else cmd
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env=env, cwd=cwd)  # pylint: disable=consider-using-with
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        if proc.returncode == -signal.SIGKILL and not timer.is_alive() and timer.finished.is_set():
            raise subprocess.TimeoutExpired(cmd, timeout)
        out.seek(0)
        err.seek(0)
        max_rss = int(rss.read() or 0) if measure_memory else 0
        return _Finished(proc.returncode, out.read(), err.read(), max_rss)


def _last_json(text):
    start = text.rfind('\n{"tasks":')
    start = 0 if text.startswith('{"tasks":') else start + 1 if start >= 0 else -1
    if start < 0:
        return None
    try:
        return json.loads(text[start:])
    except ValueError:
        return None

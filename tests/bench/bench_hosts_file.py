"""A block of N host entries put into a hosts file, end to end as real tasks, next to what users run today.

Each side starts from the same file (the distribution's lines and a user's own line) and writes the same block
(dual-stack nodes, an IPv4 and an IPv6 line each) between the same ``# BEGIN``/``# END`` lines; the resulting files
are compared byte for byte. hosts_file gets the block as one text of ``ip name ...`` lines (its compact form, what a
user writes for a large block). Baselines:

* ``ansible.builtin.blockinfile`` with the block as one string (target: hosts_file takes no longer at 10,000 entries);
* an ``ansible.builtin.lineinfile`` loop, one task iteration per line (what kubespray did before it used blockinfile).

  Against blockinfile, a fixed cost of about 80 ms a task remains (measured for issue 15 on the 2-core bench machine,
  ansible-core 2.19), whatever the size: the controller parses the module_utils hosts_file ships (about 15 ms), and
  ansible-core's dependency finder keeps those parsed trees alive, which takes the worker into one full garbage
  collection (55-75 ms) that blockinfile's build, shipping none, stays just short of; the module process compiles the
  shipped files from its zip on every run (about 20 ms more than blockinfile). The module is built once per
  ansible-playbook run (AnsiballZ's cache), so in a play over many hosts the controller part is paid once.
"""
from __future__ import annotations

import os
import tempfile

from tests.bench.harness import Job, Target, play, playbook_env, run_play

MARKER = "clusternet.k8s node_hosts"
START = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n# keep me\n10.9.9.9\tmine\n"


def entries(count):
    found = []
    for i in range(count // 2):
        names = ["node-%d.cluster.example" % i, "node-%d" % i]
        found.append({"ip": "10.%d.%d.%d" % (i // 62500, i // 250 % 250, i % 250 + 1), "hostnames": names})
        found.append({"ip": "fd00::%x" % (i + 1), "hostnames": names})
    return found


def prepare(count):
    directory = tempfile.mkdtemp(prefix="bench-hosts-")
    return directory, entries(count)


def _fresh(directory, name):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(START)
    return path


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def ours(state):
    """The block as ``ip name ...`` lines, hosts_file's compact form (what a user writes for a large block)."""
    directory, items = state
    path = _fresh(directory, "ours")
    lines = "\n".join("%s %s" % (e["ip"], " ".join(e["hostnames"])) for e in items)
    run_play(play([{"name": "t", "clusternet.k8s.hosts_file": {"path": path, "marker": MARKER, "entries": "{{ lines }}"}}],
                  vars={"lines": lines}), playbook_env(()))
    return _read(path)


def blockinfile(state):
    directory, items = state
    path = _fresh(directory, "blockinfile")
    block = "\n".join("%s\t%s" % (e["ip"], " ".join(e["hostnames"])) for e in items)
    task = {"name": "t", "ansible.builtin.blockinfile": {"path": path, "marker": "# {mark} " + MARKER, "block": "{{ block }}"}}
    run_play(play([task], vars={"block": block}), playbook_env(()))
    return _read(path)


def lineinfile(state):
    directory, items = state
    path = _fresh(directory, "lineinfile")
    lines = ["# BEGIN " + MARKER] + ["%s\t%s" % (e["ip"], " ".join(e["hostnames"])) for e in items] + ["# END " + MARKER]
    run_play(play([{"name": "t", "ansible.builtin.lineinfile": {"path": path, "line": "{{ item }}"}, "loop": "{{ lines }}"}],
                  vars={"lines": lines}), playbook_env(()))
    return _read(path)


def _no_slower(rows):
    row = rows[-1]
    return row.ratio >= 1.0, "%.2fx blockinfile's speed at %d entries (at least 1.00x)" % (row.ratio, row.size)


def jobs(scale=1.0):
    sizes = [max(4, int(n * scale)) for n in (1250, 2500, 5000, 10000)]
    loop_sizes = [max(4, int(n * scale)) for n in (50, 100, 200, 400)]
    return [
        Job(name="hosts_file", baseline_name="blockinfile", unit="entries", sizes=sizes, prepare=prepare, ours=ours,
            baseline=blockinfile, repeat=3, subprocess=(True, True),
            targets=[Target("hosts_file with 10,000 entries takes no longer than blockinfile", _no_slower)]),
        Job(name="hosts_file", baseline_name="lineinfile loop", unit="entries", sizes=loop_sizes, prepare=prepare,
            ours=ours, baseline=lineinfile, repeat=1, subprocess=(True, True)),
    ]

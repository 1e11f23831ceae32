"""Benchmarks: each job measured at several sizes next to what a user would otherwise run, in the same run.

A ``tests/bench/bench_<topic>.py`` module defines ``jobs(scale=1.0)`` returning :class:`Job` objects. A job has a
``prepare(size)`` (not timed) and two sides, ``ours(state)`` and ``baseline(state)``, that must compute the same
output: the harness checks it at every size, so a baseline can never be a straw man that does less. Sides that run
``ansible-playbook`` are timed end to end and their memory is the child's peak RSS; in-process sides are timed in
this process and their memory is the peak traced by ``tracemalloc``.

The table has, per job and size: our time, the baseline's, the ratio (baseline / ours: above 1 means we are
faster), our growth exponent from the previous size (log t2/t1 over log n2/n1: 1.0 is linear), and peak memory.
A job's ``targets`` are checked on its rows and printed as met or not met.

Run ``python -m tests.bench [--scale S] [name ...]`` from the repository root (``tests/run`` has made the venv).
"""
from __future__ import annotations

import gc
import importlib
import math
import os
import pkgutil
import time
import tracemalloc
from dataclasses import dataclass, field


@dataclass
class Target:
    """A promise checked on a job's rows: ``check(rows) -> (met, text)``."""
    text: str
    check: object


@dataclass
class Job:
    name: str
    baseline_name: str
    sizes: list
    prepare: object
    ours: object
    baseline: object
    unit: str = "items"
    repeat: int = 3
    same: object = None             # (ours_output, baseline_output) -> bool; default ==
    subprocess: tuple = (False, False)  # (ours, baseline): that side runs ansible-playbook (memory: the child's peak RSS)
    targets: list = field(default_factory=list)


@dataclass
class Side:
    seconds: float
    peak_bytes: int
    output: object


@dataclass
class Row:
    job: Job
    size: int
    ours: Side
    baseline: Side
    growth: float | None = None

    @property
    def ratio(self):
        return self.baseline.seconds / self.ours.seconds if self.ours.seconds else float("inf")


class Disagreement(AssertionError):
    pass


def _timed(func, state, peaks):
    """One run: ``(seconds, output)``; the peak RSS of the playbooks it ran goes into ``peaks``."""
    del _PLAYBOOK_PEAKS[:]
    gc.collect()
    start = time.perf_counter()
    output = func(state)
    elapsed = time.perf_counter() - start
    peaks.extend(_PLAYBOOK_PEAKS)
    return elapsed, output


def _traced_peak(func, state):
    """The peak memory ``tracemalloc`` sees in one run."""
    gc.collect()
    tracemalloc.start()
    try:
        func(state)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(job, state):
    """``(ours, baseline)``: each side's best wall time over ``job.repeat`` rounds in which the two take turns (so a
    change in the machine's load falls on both), and its peak memory: the largest playbook's RSS for a side that runs
    ``ansible-playbook``, else what ``tracemalloc`` sees in one more run."""
    sides = ((job.ours, job.subprocess[0]), (job.baseline, job.subprocess[1]))
    best, outputs, peaks = [None, None], [None, None], ([], [])
    for _round in range(max(1, job.repeat)):
        for k, (func, _in_subprocess) in enumerate(sides):
            elapsed, outputs[k] = _timed(func, state, peaks[k])
            best[k] = elapsed if best[k] is None else min(best[k], elapsed)
    return [Side(best[k], max(peaks[k], default=0) if in_subprocess else _traced_peak(func, state), outputs[k])
            for k, (func, in_subprocess) in enumerate(sides)]


def run_job(job, progress=None):
    """Measure a job at each of its sizes; raise :class:`Disagreement` when the two sides compute different outputs."""
    rows = []
    for size in sorted(set(job.sizes)):    # small scales can collapse sizes together
        state = job.prepare(size)
        ours, theirs = measure(job, state)
        same = job.same(ours.output, theirs.output) if job.same else ours.output == theirs.output
        if not same:
            raise Disagreement("%s at %s %s: ours and %s computed different outputs" % (job.name, size, job.unit, job.baseline_name))
        row = Row(job, size, ours, theirs)
        if rows and rows[-1].ours.seconds > 0 and size != rows[-1].size:
            row.growth = math.log(ours.seconds / rows[-1].ours.seconds) / math.log(size / rows[-1].size)
        rows.append(row)
        if progress:
            progress(row)
    return rows


def discover():
    """Every ``jobs`` function under tests/bench, by module name."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = {}
    for info in pkgutil.iter_modules([here]):
        if info.name.startswith("bench_"):
            found[info.name] = importlib.import_module("tests.bench." + info.name).jobs
    return found


def human_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return "%.0f %s" % (n, unit) if unit == "B" else "%.1f %s" % (n, unit)
        n /= 1024.0
    return str(n)


def human_seconds(s):
    return "%.0f us" % (s * 1e6) if s < 1e-3 else "%.2f ms" % (s * 1e3) if s < 1 else "%.2f s" % s


HEADER = "%-34s %-34s %9s %10s %10s %8s %7s %11s %11s" % (
    "job", "baseline", "size", "ours", "baseline", "ratio", "growth", "ours mem", "base mem")


def format_row(row):
    return "%-34s %-34s %9s %10s %10s %7.2fx %7s %11s %11s" % (
        row.job.name[:34], row.job.baseline_name[:34], "%d" % row.size, human_seconds(row.ours.seconds),
        human_seconds(row.baseline.seconds), row.ratio, "%.2f" % row.growth if row.growth is not None else "-",
        human_bytes(row.ours.peak_bytes), human_bytes(row.baseline.peak_bytes))


# -- helpers for the sides ----------------------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def growth_at_most(limit):
    """Target: no growth exponent above ``limit`` between the job's two largest sizes."""
    def check(rows):
        if len(rows) < 2:
            return True, "one size only: no growth to measure"
        last = rows[-1].growth
        return last <= limit, "growth %.2f between %d and %d (at most %.1f)" % (last, rows[-2].size, rows[-1].size, limit)
    return Target("growth exponent at most %.1f between the two largest sizes" % limit, check)


def ratio_at_least(limit, text=None):
    """Target: at the largest size, baseline time / our time is at least ``limit``."""
    def check(rows):
        return rows[-1].ratio >= limit, "ratio %.2fx at %d (at least %.2fx)" % (rows[-1].ratio, rows[-1].size, limit)
    return Target(text or "at least %.2fx the baseline's speed at the largest size" % limit, check)


def slope_ratio_at_most(limit, text):
    """Target on jobs whose size is a count of tasks or calls: the cost of one more (the slope between the two
    largest sizes) of ours over the baseline's is at most ``limit``."""
    def check(rows):
        if len(rows) < 2:
            return True, "one size only: no slope to measure"
        a, b = rows[-2], rows[-1]
        ours = (b.ours.seconds - a.ours.seconds) / (b.size - a.size)
        theirs = (b.baseline.seconds - a.baseline.seconds) / (b.size - a.size)
        return ours <= limit * theirs, "%s each for ours, %s for the baseline: %.2fx (at most %.2fx)" % (
            human_seconds(ours), human_seconds(theirs), ours / theirs if theirs else float("inf"), limit)
    return Target(text, check)


def slope_difference_at_most(limit_seconds, text):
    """Target: the slope of ours minus the baseline's (what one more call costs beyond the baseline's own work) is at
    most ``limit_seconds``."""
    def check(rows):
        if len(rows) < 2:
            return True, "one size only: no slope to measure"
        a, b = rows[-2], rows[-1]
        extra = (b.ours.seconds - a.ours.seconds - (b.baseline.seconds - a.baseline.seconds)) / (b.size - a.size)
        return extra <= limit_seconds, "%s%s beyond the baseline per call (at most %s)" % (
            "-" if extra < 0 else "", human_seconds(abs(extra)), human_seconds(limit_seconds))
    return Target(text, check)


def playbook_env(collections=("ansible.utils",)):
    """ansible-playbook's environment for a bench side: this checkout's collection, and the bundled collections a
    baseline uses (from PyPI's ``ansible`` package, see tests/support/bundled_collections.py)."""
    from tests.support.ansible_run import COLLECTIONS, ansible_env   # pylint: disable=import-outside-toplevel
    from tests.support.bundled_collections import collections_path   # pylint: disable=import-outside-toplevel
    paths = COLLECTIONS + (os.pathsep + collections_path(list(collections)) if collections else "")
    return {"ANSIBLE_COLLECTIONS_PATH": paths}


_PLAYBOOK_PEAKS = []   # max RSS of each ansible-playbook run_play ran, for _timed()


def play(tasks, hosts="localhost", gather_facts=False, **more):
    return [dict({"hosts": hosts, "gather_facts": gather_facts, "tasks": tasks}, **more)]


def run_play(plays, env, **kwargs):
    """Run plays with ``tests.support.ansible_run.run_playbook``; raise with its output unless every task is ok."""
    from tests.support.ansible_run import run_playbook   # pylint: disable=import-outside-toplevel
    result = run_playbook(plays, env=env, measure_memory=True, **kwargs)
    _PLAYBOOK_PEAKS.append(result.max_rss)
    if result.rc != 0 or result.failed:
        raise RuntimeError("ansible-playbook failed (%d):\n%s\n%s" % (result.rc, result.stdout[-3000:], result.stderr[-3000:]))
    return result

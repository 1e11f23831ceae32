"""Benchmarks next to a naive baseline measured in the same run.

Each ``tests/bench/bench_<topic>.py`` defines ``benchmarks(scale=1.0)`` returning a list of
:class:`Benchmark`. ``ours`` and ``naive`` are zero-argument callables that must compute the same
result: the harness checks that, so a baseline can never be a straw man that does less work.
Run ``python -m tests.bench [--scale S] [name-substring ...]`` from the repository root.
"""
from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import time
import tracemalloc
from dataclasses import dataclass, field


@dataclass
class Benchmark:
    name: str
    ours: object
    naive: object
    repeat: int = 3
    same: object = None  # optional comparison (ours_result, naive_result) -> bool
    metrics: dict = field(default_factory=dict)  # extra figures to print, e.g. request counts


@dataclass
class Measurement:
    seconds: float
    peak_bytes: int
    result: object


def measure(func, repeat):
    """Best wall time over ``repeat`` runs, and the peak traced memory of one run."""
    best = None
    result = None
    for _attempt in range(max(1, repeat)):
        gc.collect()
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    gc.collect()
    tracemalloc.start()
    try:
        func()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Measurement(best, peak, result)


def run(bench):
    """Measure one benchmark; raise AssertionError when ours and naive disagree."""
    ours = measure(bench.ours, bench.repeat)
    naive = measure(bench.naive, bench.repeat)
    same = bench.same(ours.result, naive.result) if bench.same else ours.result == naive.result
    if not same:
        raise AssertionError("%s: ours and the naive baseline computed different results" % bench.name)
    return ours, naive


def discover():
    """Every ``benchmarks`` function under tests/bench, by module name."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = {}
    for info in pkgutil.iter_modules([here]):
        if info.name.startswith("bench_"):
            module = importlib.import_module("tests.bench." + info.name)
            found[info.name] = module.benchmarks
    return found


def _human_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return "%.1f %s" % (n, unit)
        n /= 1024.0
    return str(n)


def report(bench, ours, naive):
    ratio = naive.seconds / ours.seconds if ours.seconds else float("inf")
    mem = naive.peak_bytes / ours.peak_bytes if ours.peak_bytes else float("inf")
    line = ("%-60s ours %9.4fs %10s | naive %9.4fs %10s | %7.1fx faster, %5.1fx less memory"
            % (bench.name, ours.seconds, _human_bytes(ours.peak_bytes), naive.seconds,
               _human_bytes(naive.peak_bytes), ratio, mem))
    for key, value in bench.metrics.items():
        line += " | %s: %s" % (key, value() if callable(value) else value)
    return line

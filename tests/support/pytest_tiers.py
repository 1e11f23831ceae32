"""pytest plugin: how long each tier took, printed before pytest's summary line, so that CI's budget stays visible.

A tier is a directory under tests/ (unit, property, node, controlplane, integration, differential, tiers); its time
is the sum of its tests' setup, call and teardown (session fixtures such as starting a control plane count where they
ran first). The Go build of the test control plane, which ``tests/run`` starts in the background, is reported too,
and so are the timings a test records with ``record_property("timing", line)`` (the runs on other ansible-cores).
"""
import collections
import os
import time

from .kube_cluster import build_report

# Tiers that need no cluster first: they run while the control plane's first Go build finishes in the background.
TIER_ORDER = ("unit", "property", "node", "tiers", "controlplane", "integration", "reliability", "differential")
_TIMES = collections.defaultdict(float)
_COUNTS = collections.Counter()
_LINES = []  # lines a test records as record_property("timing", line): the parts of a run nested in a test


def _tier(nodeid):
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else parts[0]


def pytest_collection_modifyitems(items):
    rank = {tier: i for i, tier in enumerate(TIER_ORDER)}
    items.sort(key=lambda item: rank.get(_tier(item.nodeid), len(rank)))


def pytest_runtest_logreport(report):
    tier = _tier(report.nodeid)
    _TIMES[tier] += report.duration
    if report.when == "call":
        _COUNTS[tier] += 1
        _LINES.extend(value for name, value in report.user_properties if name == "timing")


def pytest_terminal_summary(terminalreporter):
    if not _TIMES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("time per tier")
    for tier, seconds in sorted(_TIMES.items(), key=lambda kv: -kv[1]):
        write("%-14s %5d tests %8.1f s" % (tier, _COUNTS[tier], seconds))
    for line in _LINES:
        write("  " + line)
    for line in build_report():
        write(line)
    if os.environ.get("CLUSTERNET_RUN_STARTED"):
        write("%-14s %24.1f s" % ("wall (tests/run)", time.time() - float(os.environ["CLUSTERNET_RUN_STARTED"])))

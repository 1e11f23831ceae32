"""Shared pytest setup: the repository root and the collection are importable (see pytest.ini)."""
import os

import pytest

pytest_plugins = ["tests.support.pytest_nodes", "tests.support.pytest_cluster", "tests.support.pytest_pip",
                  "tests.support.pytest_tiers", "tests.support.pytest_differential"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CLUSTERNET_CORE_SIZE") == "ci":  # tests/run-core's CI size: of the integration tier, every_core
        kept = [i for i in items if "every_core" in i.keywords or not i.nodeid.startswith("tests/integration/")]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
    if os.geteuid() == 0:
        return
    skip = pytest.mark.skip(reason="needs root (network namespaces and mounts); CI runs as root")
    for item in items:
        if "root" in item.keywords:
            item.add_marker(skip)

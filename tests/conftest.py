"""Shared pytest setup: the repository root and the collection are importable (see pytest.ini)."""
import os

import pytest

pytest_plugins = ["tests.support.pytest_nodes", "tests.support.pytest_cluster", "tests.support.pytest_pip",
                  "tests.support.pytest_tiers", "tests.support.pytest_differential"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_collection_modifyitems(config, items):
    if os.geteuid() == 0:
        return
    skip = pytest.mark.skip(reason="needs root (network namespaces and mounts); CI runs as root")
    for item in items:
        if "root" in item.keywords:
            item.add_marker(skip)

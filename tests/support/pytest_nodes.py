"""pytest plugin: test node fixtures (see :mod:`tests.support.nodes`).

* ``netns_nodes(count=2, hosts_bind=False, hosts=DEFAULT_HOSTS, ipv4_only=())``: namespace nodes (root),
  removed when the test ends, pass or fail; nodes named in ``ipv4_only`` get no IPv6 address. Stale
  nodes of crashed sessions are removed at session start.
* ``sandbox_nodes(count=2, hosts=DEFAULT_HOSTS)``: sandbox-root nodes under the test's tmp_path.
"""
from __future__ import annotations

import os

import pytest

from tests.support import nodes as _nodes


def pytest_sessionstart(session):  # pylint: disable=unused-argument
    if os.geteuid() == 0:
        _nodes.cleanup_stale()


@pytest.fixture
def netns_nodes():
    """Factory of :class:`NetnsNodes`; every set it made is torn down after the test."""
    if os.geteuid() != 0:
        pytest.skip("namespace nodes need root")
    made = []

    def make(count=2, hosts_bind=False, hosts=_nodes.DEFAULT_HOSTS, ipv4_only=()):
        made.append(_nodes.NetnsNodes(count, hosts_bind, hosts, ipv4_only=tuple(ipv4_only)))
        return made[-1]

    yield make
    for node_set in made:
        node_set.teardown()


@pytest.fixture
def sandbox_nodes(tmp_path):
    """Factory of sandbox-root nodes (directories with ``etc/hosts``) under ``tmp_path``."""
    def make(count=2, hosts=_nodes.DEFAULT_HOSTS):
        base = tmp_path / "nodes"
        base.mkdir(exist_ok=True)
        return _nodes.sandbox_nodes(str(base), count, hosts)

    return make

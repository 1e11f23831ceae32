"""The table of release-dependent feature gates (plugins/module_utils/releases.py, shown in the README) against each
release's own feature gate: ``oracle --gates`` prints every gate's default and lock at the release it was built at."""
import json
import subprocess

from ansible_collections.clusternet.k8s.plugins.module_utils import releases


def test_the_gate_table_is_each_releases(oracle):
    known = json.loads(subprocess.run([oracle.oracle.binary, "--gates"], check=True, capture_output=True,
                                      text=True).stdout)
    minor = int(oracle.release.split(".")[1])
    # a gate the release does not have yet (Gate.since) is absent from its feature gate
    table = {name: {"default": gate.default(minor), "locked": gate.locked(minor)} if gate.exists(minor) else None
             for name, gate in releases.GATES.items()}
    assert {name: known.get(name) for name in table} == table, oracle.release
    assert minor in releases.SUPPORTED


def test_every_release_built_is_supported(oracle):
    """A release in tests/kube/releases.txt that the collection does not support would be judged for nothing."""
    assert releases.release(oracle.release).minor == int(oracle.release.split(".")[1])

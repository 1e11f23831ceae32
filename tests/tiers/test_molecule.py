"""Every molecule scenario (extensions/molecule/*): converge, idempotence (second run changed=0), verify; none warns.

Scenarios run on a copy of the tree with the test control plane's kubeconfig in K8S_AUTH_KUBECONFIG, so
cluster roles apply for real; node roles use sandbox roots under the scenario's ephemeral directory.
"""
import glob
import os
import re
import subprocess
import sys

import pytest

from tests.support.collection_tree import ROOT, copy_collection

SCENARIOS = sorted(os.path.basename(os.path.dirname(p))
                   for p in glob.glob(os.path.join(ROOT, "extensions", "molecule", "*", "molecule.yml")))


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    base = tmp_path_factory.mktemp("molecule")
    return str(base), copy_collection(str(base))


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario, tree, kube):
    base, path = tree
    env = dict(os.environ,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               ANSIBLE_COLLECTIONS_PATH=base,
               HOME=os.path.join(base, "home"),
               K8S_AUTH_KUBECONFIG=kube.kubeconfig,
               NO_COLOR="1", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(["molecule", "test", "-s", scenario], cwd=path, env=env,
                          capture_output=True, text=True, check=False)
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output[-15000:]
    warned = [line for line in output.splitlines() if re.search(r"\b(WARNING|CRITICAL)\b", line)]
    assert not warned, "\n".join(warned)

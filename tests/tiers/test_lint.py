"""``ansible-lint --profile production`` (offline) on a copy of the tree laid out as a collection."""
import os
import subprocess
import sys

import pytest

from tests.support.collection_tree import copy_collection


@pytest.mark.slow
def test_ansible_lint_production(tmp_path):
    tree = copy_collection(str(tmp_path))
    env = dict(os.environ,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               ANSIBLE_COLLECTIONS_PATH=str(tmp_path),
               HOME=str(tmp_path / "home"))
    proc = subprocess.run(["ansible-lint", "--offline", "--profile", "production", "--nocolor", "-q"],
                          cwd=tree, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, "ansible-lint failed:\n" + proc.stdout[-20000:] + proc.stderr[-5000:]

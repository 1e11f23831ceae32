"""The main job and the unit and integration tiers on ansible-core 2.17 and 2.18, as CI runs them.

``tests/run`` itself runs on the newest supported ansible-core (2.19, requirements); each older one is run here by
``tests/run-core <version> ci`` in its own venv (``.venv-core<version>``, created once): the main job twice (the
second run must change nothing), the unit tier and the integration tests marked ``every_core``. Its timing line
(venv setup, main job, tiers) is printed in the "time per tier" section.
"""
import os
import re
import subprocess
import sys

import pytest

from tests.support.collection_tree import ROOT

# What the outer run sets for itself and a nested run must choose again.
OUTER = ("CLUSTERNET_VENV", "CLUSTERNET_RUN_STARTED", "CLUSTERNET_ANSIBLE_CORE", "CLUSTERNET_CORE_SIZE",
         "CLUSTERNET_VENV_PROFILE", "VIRTUAL_ENV", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")


def nested_env():
    env = {k: v for k, v in os.environ.items() if k not in OUTER}
    outer_bin = os.path.dirname(sys.executable)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != outer_bin)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("core", ["2.17", "2.18"])
def test_main_job_and_tiers_pass_on_ansible_core(core, record_property):
    proc = subprocess.run([os.path.join(ROOT, "tests", "run-core"), core, "ci", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=nested_env(), capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    lines = output.strip().splitlines()
    summary = [line for line in lines if line.startswith("ansible-core %s (ci size):" % core)]
    outcome = [line for line in lines if re.match(r"^\d+ passed\b.* in [\d.]+s\b", line.strip("= "))]
    if summary:
        record_property("timing", summary[-1] + (" (%s)" % outcome[-1].strip("= ") if outcome else ""))
    assert proc.returncode == 0, "tests/run-core %s ci failed:\n%s" % (core, "\n".join(lines[-80:]))
    assert summary and outcome, output[-3000:]

"""``ansible-test sanity``: every sanity test, in ansible-test's own virtualenvs, on a copy of the tree."""
import os
import re
import subprocess
import sys

import pytest
from ansible_test._internal import python_requirements

from tests.support.collection_tree import copy_collection

# What this ansible-test bootstraps into its venvs (24.2 for 2.18 and 2.19, 23.1.2 for 2.17): its get_venv_packages default.
PIP_VERSION = re.search(r"pip='([0-9.]+)'", open(python_requirements.__file__, encoding="utf-8").read()).group(1)
GET_PIP = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % PIP_VERSION.replace(".", "_"))

# ansible-test downloads a get-pip script from a host this machine cannot reach. It looks for a cached
# copy first; this stand-in installs pip from the pip wheel PyPI serves, with the same arguments.
GET_PIP_STANDIN = '''\
"""Stand-in for get-pip {version}, written by clusternet.k8s's tests (no access to ansible's CI host)."""
import glob
import os
import sys

wheel = glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-{version}-*.whl"))[0]
sys.path.insert(0, wheel)
from pip._internal.cli.main import main  # noqa: E402

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--no-cache-dir"] + args))
'''


def ensure_get_pip():
    cache = os.path.dirname(GET_PIP)
    os.makedirs(cache, exist_ok=True)
    if not [f for f in os.listdir(cache) if f.startswith("pip-%s-" % PIP_VERSION) and f.endswith(".whl")]:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", cache,
                        "pip==%s" % PIP_VERSION], check=True)
    with open(GET_PIP, "w") as f:
        f.write(GET_PIP_STANDIN.format(version=PIP_VERSION))


@pytest.mark.slow
def test_ansible_test_sanity(tmp_path):
    ensure_get_pip()
    tree = copy_collection(str(tmp_path))
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run(["ansible-test", "sanity", "--python", "3.11", "--venv", "--color", "no"],
                          cwd=tree, env=env, capture_output=True, text=True, check=False)
    problems = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith(("ERROR", "FATAL"))]
    assert proc.returncode == 0, "ansible-test sanity failed:\n" + "\n".join(problems)

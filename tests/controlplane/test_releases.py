"""The releases the oracle is built at: tests/kube/releases.txt, and a committed go.mod for each older one."""
import os
import re
import subprocess

import pytest

from tests.support.kube_cluster import KUBE_DIR, go_env, kubernetes_release, modfile, release_tags, releases


def test_the_newest_release_is_the_one_go_mod_pins():
    assert releases()[-1] == kubernetes_release()
    minors = [int(r.split(".")[1]) for r in releases()]
    assert minors == sorted(set(minors)), "one release per minor, oldest first"


def test_each_older_release_has_its_committed_modfile():
    for release in releases()[:-1]:
        path = modfile(release)
        assert path == os.path.join(KUBE_DIR, "releases", release + ".mod") and os.path.exists(path[:-4] + ".sum")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        assert re.search(r"^\tk8s\.io/kubernetes %s$" % re.escape(release), text, re.M)
        staging = "v0." + release.split(".", 1)[1]
        replaces = re.findall(r"^\t(k8s\.io/\S+) => \1 (\S+)$", text, re.M)
        assert replaces and {v for _m, v in replaces} == {staging}
    assert modfile(kubernetes_release()) is None


def test_release_tags_are_cumulative():
    assert release_tags(releases()[0]) == ["k8s1.34"]
    assert release_tags("v1.36.3") == ["k8s1.34", "k8s1.35", "k8s1.36"]


@pytest.mark.parametrize("release", releases()[:-1])
def test_each_older_release_resolves_every_program(release):
    """The committed modfile holds what every program of the module needs at that release (a modfile tidied before a
    program existed fails here in seconds, not after minutes of building)."""
    done = subprocess.run(["go", "list", "-modfile=" + modfile(release), "-tags", ",".join(release_tags(release)),
                           "-deps", "./cmd/oracle", "./cmd/kube-testcluster"], cwd=KUBE_DIR, env=go_env(),
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]

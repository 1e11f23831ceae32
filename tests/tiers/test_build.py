"""Build the collection, install the artifact into an empty path, and render every plugin's docs from it."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.support.collection_tree import ROOT, copy_collection

BIN = os.path.dirname(sys.executable)


def plugin_names(kind):
    """Plugins of ``kind`` (modules, filter) in the checkout, by file name."""
    names = []
    for path in glob.glob(os.path.join(ROOT, "plugins", kind, "*.py")):
        name = os.path.splitext(os.path.basename(path))[0]
        if not name.startswith("_") and name != "__init__":
            names.append(name)
    return sorted(names)


def role_names():
    return sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(ROOT, "roles", "*", "meta")))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(collections path, artifact path) of the built and installed collection."""
    work = tmp_path_factory.mktemp("build")
    tree = copy_collection(str(work / "src"))
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(work)],
                   cwd=tree, check=True, capture_output=True)
    (artifact,) = glob.glob(str(work / "clusternet-k8s-*.tar.gz"))
    dest = work / "installed"
    # from work: the checkout's ansible.cfg would show its own collection as installed already
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "-p", str(dest), artifact],
                   check=True, capture_output=True, cwd=str(work))
    return str(dest), artifact


def doc(installed, kind, name):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=installed[0], ANSIBLE_CONFIG=os.path.join(installed[0], "none.cfg"))
    proc = subprocess.run([os.path.join(BIN, "ansible-doc"), "-t", kind, "--json", "clusternet.k8s." + name],
                          env=env, capture_output=True, text=True, check=False, cwd=installed[0])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["clusternet.k8s." + name]


def test_artifact_holds_no_test_output_or_local_state(installed):
    with tarfile.open(installed[1]) as tar:
        names = tar.getnames()
    assert "galaxy.yml" not in names and "MANIFEST.json" in names
    assert not [n for n in names if n.startswith((".venv", ".sandbox", "tests/output", "playbooks/collections", ".git/"))]


@pytest.mark.parametrize("name", plugin_names("modules"))
def test_module_doc_renders_from_installed_collection(installed, name):
    data = doc(installed, "module", name)
    assert data["doc"]["short_description"] and data["examples"] and data["return"]


@pytest.mark.parametrize("name", plugin_names("filter"))
def test_filter_doc_renders_from_installed_collection(installed, name):
    data = doc(installed, "filter", name)
    assert data["doc"]["short_description"] and data["examples"] and data["return"]


@pytest.mark.parametrize("name", role_names())
def test_role_doc_renders_from_installed_collection(installed, name):
    data = doc(installed, "role", name)
    assert data["entry_points"]["main"]["options"]


def test_changelog_fragments_lint():
    proc = subprocess.run([os.path.join(BIN, "antsibull-changelog"), "lint"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_execution_environment_definition_builds_a_context(installed, tmp_path):
    """ansible-builder turns execution-environment.yml and the artifact, whatever its version, into a build
    context (offline): a pinned base image, the collection installed, its Python requirements without ansible-core."""
    context = tmp_path / "context"
    src = tmp_path / "src"
    src.mkdir()
    for path in (os.path.join(ROOT, "execution-environment.yml"), os.path.join(ROOT, "requirements.txt"), installed[1]):
        shutil.copy(path, src)
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", str(context)],
                          cwd=src, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = context / "_build"
    assert (build / "collection" / os.path.basename(installed[1])).exists()
    requirements = [line for line in (build / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    assert any(r.startswith("kubernetes") for r in requirements) and not any("ansible-core" in r for r in requirements)
    (containerfile,) = [p for p in context.iterdir() if p.name in ("Containerfile", "Dockerfile")]
    recipe = containerfile.read_text()
    assert 'EE_BASE_IMAGE="quay.io/ansible/awx-ee:' in recipe and ":latest" not in recipe
    assert "ansible-galaxy collection install" in recipe

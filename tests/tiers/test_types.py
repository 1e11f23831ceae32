"""The core's type hints (issue 16, point 5): mypy passes on ``plugins/module_utils``, and every public top-level
function there is annotated (each parameter and the return)."""
import ast
import os
import pathlib
import subprocess
import sys

import pytest

from tests.support.collection_tree import ROOT

CORE = pathlib.Path(ROOT) / "plugins" / "module_utils"
# Generated data (tests/kube/gotypes.py), no function of its own to type.
EXEMPT = {"plugins/module_utils/_go_types.py"}


@pytest.mark.slow
def test_mypy_passes_on_the_core(tmp_path):
    # Checked as the installed collection's package, from the tree that links it (playbooks/collections), so that
    # the core's absolute imports (ansible_collections.clusternet.k8s...) resolve; a cold cache: about 30 s.
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", os.path.join(ROOT, "mypy.ini"),
                           "--cache-dir", str(tmp_path / "mypy_cache"),
                           "-p", "ansible_collections.clusternet.k8s.plugins.module_utils"],
                          cwd=os.path.join(ROOT, "playbooks", "collections"), capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, "mypy failed:\n" + proc.stdout[-20000:] + proc.stderr[-5000:]


def core_files():
    return [path.relative_to(ROOT).as_posix() for path in sorted(CORE.rglob("*.py"))
            if path.relative_to(ROOT).as_posix() not in EXEMPT]


def module_level_functions(body):
    """The functions a module defines at its top level, also under a module-level ``if``/``try``/``with``."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in (getattr(node, "body", []), getattr(node, "orelse", []), getattr(node, "finalbody", []),
                          *(handler.body for handler in getattr(node, "handlers", []))):
                yield from module_level_functions(block)


def unannotated(path):
    """``name(missing annotations)`` for each public top-level function of ``path`` that lacks one."""
    tree = ast.parse((pathlib.Path(ROOT) / path).read_text(encoding="utf-8"), filename=path)
    found = []
    for node in module_level_functions(tree.body):
        if node.name.startswith("_"):
            continue
        args = node.args
        params = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        missing = [a.arg for a in params if a.annotation is None and a.arg not in ("self", "cls")]
        if node.returns is None:
            missing.append("return")
        if missing:
            found.append("%s:%d %s(%s)" % (path, node.lineno, node.name, ", ".join(missing)))
    return found


@pytest.mark.parametrize("path", core_files())
def test_public_functions_of_the_core_are_annotated(path):
    missing = unannotated(path)
    assert not missing, "public functions without type hints (parameter or return):\n" + "\n".join(missing)

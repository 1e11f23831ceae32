"""The collection's doc fragments: every assignment of a fragment class is a string literal (ansible-test's yamllint
reads each one as documentation), and the kubernetes_version fragment's cluster variant is the plain one but for its
default."""
import ast
import pathlib

from ansible_collections.clusternet.k8s.plugins.doc_fragments.kubernetes_version import ModuleDocFragment

FRAGMENTS = pathlib.Path(__file__).resolve().parents[3] / "plugins" / "doc_fragments"


def test_every_fragment_assignment_is_a_string_literal():
    for path in sorted(FRAGMENTS.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            for statement in node.body if isinstance(node, ast.ClassDef) else []:
                if isinstance(statement, ast.Assign):
                    assert isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str), (
                        "%s line %d" % (path.name, statement.lineno))


def test_the_cluster_variant_differs_only_in_its_default():
    plain = ModuleDocFragment.DOCUMENTATION.splitlines()
    cluster = ModuleDocFragment.CLUSTER.splitlines()
    default = plain.index("      - Default - the newest supported release, V(1.37).")
    assert cluster[:default] == plain[:default] and cluster[default + 2:] == plain[default + 1:]
    assert cluster[default].startswith("      - Default - the release the cluster's C(/version) reports")

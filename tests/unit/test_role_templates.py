"""Role templates and role variables only render what the core computed (issue 16, point 1): no regular expression
(``regex_*`` filters, the ``match``/``search``/``regex`` tests) and no IP family decided by looking for a colon.
Those rules live once in the core, reached through a filter (``cluster_network_config``, ``node_address``,
``node_ip_family``, ``kubelet_extra_args``, ``workload_patches``, ``survey_values``)."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# A rule written in Jinja instead of asked of the core.
FORBIDDEN = {
    "a regex filter": re.compile(r"\bregex_\w+"),
    "a regex test": re.compile(r"""\bis\s+(?:not\s+)?(?:match|search|regex)\b|['"](?:match|search|regex)['"]"""),
    "a regex call": re.compile(r"\b(?:match|search|findall|fullmatch)\s*\("),
    "an IP family decided by a colon": re.compile(r"""['"]:['"]\s+(?:not\s+)?in\b"""),
}


def role_files():
    files = sorted(p for p in ROOT.glob("roles/*/templates/**/*") if p.is_file())
    files += sorted(ROOT.glob("roles/*/vars/*.yml"))
    return files


def findings(text):
    return [(what, match.group(0)) for what, pattern in FORBIDDEN.items() for match in pattern.finditer(text)]


def test_the_test_sees_the_role_files():
    names = {p.relative_to(ROOT).as_posix() for p in role_files()}
    assert "roles/dualstack_node/templates/problems.yml.j2" in names
    assert "roles/dualstack_cluster/vars/main.yml" in names


@pytest.mark.parametrize("path", role_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_role_templates_and_vars_only_render(path):
    assert findings(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("text, what", [
    ("{{ x | regex_findall('[^,]+') }}", "a regex filter"),
    ("{{ x | regex_replace('/+$', '') }}", "a regex filter"),
    ("{{ x is match('{') }}", "a regex test"),
    ("{{ x is not search(':') }}", "a regex test"),
    ("{{ xs | select('match', 'KUBELET') | list }}", "a regex test"),
    ("{{ xs | reject('search', ':') | list }}", "a regex test"),
    ("{{ 'IPv6' if ':' in ip else 'IPv4' }}", "an IP family decided by a colon"),
    ("{{ \":\" not in ip }}", "an IP family decided by a colon"),
])
def test_the_check_finds_rules_in_jinja(text, what):
    assert what in [found[0] for found in findings(text)]


@pytest.mark.parametrize("text", [
    "{{ ip | clusternet.k8s.node_ip_family }}",
    "{{ dualstack_node_root.rstrip('/') }}",
    "{{ items | selectattr('matched') | list }}",
    "{{ ',' in value }}",
])
def test_the_check_lets_rendering_pass(text):
    assert findings(text) == []

"""Every rule the code cites can be read: citations resolve to a page and an anchor of ``docs/``.

- A citation is a path from the repository root, ``docs/<page>.md`` or ``docs/<page>.md#<anchor>``
  (docs/README.md, "Citing a rule"). Every one in ``plugins/``, ``roles/``, ``playbooks/``, ``tests/`` and the
  README must name an existing page, and its anchor an existing heading (its GitHub anchor) or ``<a id>``.
- Links between the docs pages (``[text](page.md#anchor)``, ``[text](#anchor)``) resolve the same way.
- No citation of the old specification, which is not in the repository, is left in ``plugins/``, ``roles/`` or
  ``playbooks/``: section signs, bare ``ASSUMPTION``/``UNVERIFIED`` markers, ``spec/<name>.md`` and the old spec
  file names, "spec section", "the spec's".
"""
import os
import re
import unicodedata

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
TEXT_SUFFIXES = (".py", ".yml", ".yaml", ".j2", ".md", ".cfg", ".ini", ".txt", ".sh")
SKIP_DIRS = {"collections", "output", "vectors", "__pycache__", ".pytest_cache", "crds"}

CITATION = re.compile(r"(?<![\w/.-])docs/([A-Za-z0-9_.-]+\.md)(?:#([A-Za-z0-9_-]*))?")
DOC_LINK = re.compile(r"\]\(([A-Za-z0-9_.-]+\.md)?(?:#([^)\s]*))?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")

# Pages another issue writes: a citation of one is accepted while the page does not exist yet.
PENDING_PAGES = {
    "kubernetes_core_parity.md": "issue 14: the k8s_apply parity table with kubernetes.core.k8s",
}

OLD_STYLE = {
    "section sign": re.compile("\u00a7"),
    "ASSUMPTION marker": re.compile(r"\bASSUMPTIONS?\b"),
    "UNVERIFIED marker": re.compile(r"\bUNVERIFIED\b"),
    "spec/ path": re.compile(r"\bspec/[a-z-]+\.md"),
    "old spec file": re.compile(r"(?<![\w/-])(?:hosts-and-downward-api|dual-stack|persistent-ip)\.md"),
    "spec section": re.compile(r"\bspec (?:section|U\d)"),
    "the spec's": re.compile(r"\bthe spec's\b"),
    "specification": re.compile(r"\bpersistent-IP specification\b"),
}


def walk(*parts):
    """Text files under ``parts`` (symlinks not followed: playbooks/collections points at the repository)."""
    top = os.path.join(ROOT, *parts)
    if os.path.isfile(top):
        yield top
        return
    for directory, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(TEXT_SUFFIXES):
                yield os.path.join(directory, name)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def rel(path):
    return os.path.relpath(path, ROOT)


def github_anchor(heading):
    """The anchor GitHub gives a heading: its text without markup, lower case, punctuation dropped, spaces as
    ``-`` (letters, digits, ``_`` and ``-`` kept)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links and images: their text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    out = []
    for ch in text.lower():
        if ch == " ":
            out.append("-")
        elif ch in "-_" or unicodedata.category(ch)[0] in "LN":
            out.append(ch)
    return "".join(out)


def anchors(page):
    """Every anchor of a docs page: headings (duplicates numbered ``-1``, ``-2`` as GitHub does) and ``<a id>``."""
    found, seen, fenced = set(), {}, False
    for line in read(os.path.join(DOCS, page)).splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        found.update(EXPLICIT_ANCHOR.findall(line))
        match = HEADING.match(line)
        if match:
            base = github_anchor(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else "%s-%d" % (base, count))
    return found


PAGES = {name: anchors(name) for name in sorted(os.listdir(DOCS)) if name.endswith(".md")}


def citations():
    """``(file:line, page, anchor or None)`` for every citation in the code, tests, roles and playbooks."""
    found = []
    for path in (p for part in ("plugins", "roles", "playbooks", "tests", "README.md") for p in walk(part)):
        if os.path.samefile(path, __file__):
            continue  # this file describes the syntax
        for number, line in enumerate(read(path).splitlines(), 1):
            for match in CITATION.finditer(line):
                found.append(("%s:%d" % (rel(path), number), match.group(1), match.group(2)))
    return found


CITATIONS = citations()


def unresolved(where, page, anchor):
    if page not in PAGES and page in PENDING_PAGES and anchor is None:
        return None
    if page not in PAGES:
        return "%s: docs/%s does not exist" % (where, page)
    if anchor is not None and anchor not in PAGES[page]:
        return "%s: docs/%s has no anchor #%s" % (where, page, anchor)
    return None


def test_docs_have_pages():
    assert "README.md" in PAGES and len(PAGES) > 3


def test_anchor_rules():
    """The anchor function agrees with GitHub on the shapes the docs use."""
    assert github_anchor("Pod network content") == "pod-network-content"
    assert github_anchor("Hosts files: the pod `/etc/hosts` and node hosts blocks") == \
        "hosts-files-the-pod-etchosts-and-node-hosts-blocks"
    assert github_anchor("Resource limits defaulting") == "resource-limits-defaulting"
    assert github_anchor("[Link](x.md) and *emphasis*") == "link-and-emphasis"
    assert github_anchor("IP address allocator") == "ip-address-allocator"


def test_code_cites_the_docs():
    """The code does cite the docs (guards against a citation syntax the test no longer recognises)."""
    assert len(CITATIONS) > 50
    cited = {citation[1] for citation in CITATIONS}
    assert cited >= {"hosts.md", "downward-api.md", "persistent-ip.md", "service-ips.md"}


def test_every_citation_resolves():
    problems = [p for p in (unresolved(*c) for c in CITATIONS) if p]
    assert problems == []


def test_every_docs_link_resolves():
    problems = []
    for page in PAGES:
        for number, line in enumerate(read(os.path.join(DOCS, page)).splitlines(), 1):
            for match in DOC_LINK.finditer(line):
                target, anchor = match.group(1) or page, match.group(2)
                problem = unresolved("docs/%s:%d" % (page, number), target, anchor)
                if problem:
                    problems.append(problem)
            for match in CITATION.finditer(line):
                problem = unresolved("docs/%s:%d" % (page, number), match.group(1), match.group(2))
                if problem:
                    problems.append(problem)
    assert problems == []


def test_every_assumption_is_cited_or_explained():
    """Each numbered assumption of a page is an anchor a reader can land on, numbered without gaps."""
    for page, names in PAGES.items():
        numbers = sorted(int(a.split("-")[1]) for a in names if re.fullmatch(r"assumption-\d+", a))
        assert numbers == list(range(1, len(numbers) + 1)), page


@pytest.mark.parametrize("part", ["plugins", "roles", "playbooks"])
def test_no_old_style_citation(part):
    left = []
    for path in walk(part):
        for number, line in enumerate(read(path).splitlines(), 1):
            for name, pattern in OLD_STYLE.items():
                if pattern.search(line):
                    left.append("%s:%d: %s: %s" % (rel(path), number, name, line.strip()))
    assert left == []

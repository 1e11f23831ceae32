"""The layering of the collection, checked on the import statements themselves (AST, every import, including
those inside functions, and the deferred imports of filters, ``core("<module>", name)``):

- the core (``plugins/module_utils``) never imports ``ansible`` (but for :data:`COMMON_UTILS`), a filter, a module, an action plugin or
  ``plugin_utils``: only the Ansible edge (:data:`ANSIBLE_EDGE`) may import ``ansible``, and no core file
  imports the edge;
- filters never import modules or other filters, modules never import filters or other modules, and neither
  imports action plugins;
- a module's backend, ``module_utils/backends/<x>.py``, is imported only by its module, ``modules/<x>.py``
  (:func:`backend_owner`; tests may import it too, they are not scanned);
- a private file of ``module_utils`` (``_*.py``: generated data) is imported only by its owner
  (:data:`PRIVATE_OWNERS`);
- nothing under ``tests/support`` imports ``plugins/`` (the test helpers are independent readings of the rules,
  so a mistake in the code cannot confirm itself).

Known breaks of these rules are listed in :data:`KNOWN_EXCEPTIONS` with the issue that removes them; an entry
that no longer happens fails the test, so the list only shrinks.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
PACKAGE = "ansible_collections.clusternet.k8s"

# The files of module_utils that adapt the core to Ansible: they may import ``ansible``, the core may not
# import them (modules and filters do).
ANSIBLE_EDGE = {
    "plugins/module_utils/ansible_module.py",  # AnsibleModule without a traceback or a secret shown
    "plugins/module_utils/k8s/module.py",      # argument spec, connect and fail of every cluster module
    "plugins/module_utils/survey.py",          # Ansible's own type coercion for survey answers and -e values
}

# ansible-core's pure-Python helpers (no Ansible runtime: they ship with every module to its target). The cluster
# client's diff is ansible-core's recursive_diff (issue 14, point 6), so the core may use these, and only these.
COMMON_UTILS = "ansible.module_utils.common"

# Private files of module_utils and the only files that may import them.
PRIVATE_OWNERS = {
    "plugins/module_utils/validation/_go_types.py": {"plugins/module_utils/validation/go_decode.py"},  # generated Go type table
}

BACKENDS = "plugins/module_utils/backends/"

# (importer, imported) pairs that break a rule today. Each names what removes it.
KNOWN_EXCEPTIONS = set()


def rel(path):
    return path.relative_to(ROOT).as_posix()


def imported_names(path):
    """Every module name an import statement of ``path`` names, absolute (``from x import y`` gives ``x`` and
    ``x.y``, since ``y`` may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package inside the collection
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(p for p in [PACKAGE] + parts + [base] if p)
            names.append(base)
            names.extend(base + "." + alias.name for alias in node.names if alias.name != "*")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "core"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            # a filter's deferred import of its core: plugin_utils.filters.core("<module_utils module>", name)
            names.append(PACKAGE + ".plugins.module_utils." + node.args[0].value)
    return names


def collection_file(name):
    """The repository file a module name of this collection resolves to, or None (outside the collection, or
    a name that is not a module, such as a function imported with ``from``)."""
    for prefix in (PACKAGE + ".", ""):  # "" : ``plugins.x`` through the repository root on sys.path
        if name.startswith(prefix + "plugins.") or name == prefix + "plugins":
            break
    else:
        return None
    base = ROOT.joinpath(*name[len(prefix):].split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return rel(candidate)
    return None


def edges(paths):
    """``{(importer, imported file or top-level package)}`` for the given files."""
    out = set()
    for path in paths:
        for name in imported_names(path):
            target = collection_file(name)
            if target is not None:
                out.add((rel(path), target))
            elif name == COMMON_UTILS or name.startswith(COMMON_UTILS + "."):
                out.add((rel(path), COMMON_UTILS))
            elif not name.startswith(PACKAGE + "."):
                out.add((rel(path), name.split(".")[0]))
    return out


def py_files(*parts):
    return sorted(ROOT.joinpath(*parts).rglob("*.py"))


ALL_EDGES = edges(py_files("plugins"))
SUPPORT_EDGES = edges(py_files("tests", "support"))


def backend_owner(path):
    """The one module that may import ``path`` if it is a module's backend (``backends/<x>.py`` ->
    ``modules/<x>.py``), else None."""
    if path.startswith(BACKENDS) and path.endswith(".py") and path != BACKENDS + "__init__.py":
        return "plugins/modules/" + path[len(BACKENDS):]
    return None


def kind(path):
    """``core``, ``edge``, ``private``, ``filter``, ``module``, ``action``, ``plugin_utils`` or ``other``."""
    if path in ANSIBLE_EDGE:
        return "edge"
    if path in PRIVATE_OWNERS or backend_owner(path):
        return "private"
    for prefix, name in (("plugins/module_utils/", "core"), ("plugins/filter/", "filter"),
                         ("plugins/modules/", "module"), ("plugins/action/", "action"),
                         ("plugins/plugin_utils/", "plugin_utils")):
        if path.startswith(prefix):
            return name
    return "other"


def broken(rule):
    """The import edges that break ``rule(importer, imported) -> bool`` (True: allowed), minus known exceptions."""
    return sorted(e for e in ALL_EDGES if not rule(*e) and e not in KNOWN_EXCEPTIONS)


def test_the_rules_see_the_files():
    """The test reads real imports: guards against a refactor that moves files from under it."""
    assert ("plugins/module_utils/ansible_module.py", "ansible") in ALL_EDGES
    assert any(kind(a) == "filter" and kind(b) == "core" for a, b in ALL_EDGES)
    assert any(kind(a) == "module" and kind(b) == "private" for a, b in ALL_EDGES)
    for path in ANSIBLE_EDGE | set(PRIVATE_OWNERS):
        assert (ROOT / path).is_file(), path + " is named by this test but does not exist"
    assert ("plugins/modules/dualstack_info.py", BACKENDS + "dualstack_info.py") in ALL_EDGES


def test_every_backend_has_its_module():
    backends = [rel(p) for p in (PLUGINS / "module_utils" / "backends").rglob("*.py")]
    assert len(backends) > 1
    for path in backends:
        owner = backend_owner(path)
        assert path.endswith("/__init__.py") or (ROOT / owner).is_file(), path + ": a backend is named for its module"


def backend_rule(importer, imported):
    """True when the edge keeps every backend to its own module (anything else: not this rule's business)."""
    owner = backend_owner(imported)
    return owner is None or importer == owner


def test_backend_rule():
    """The rule itself, on edges that break it and edges that keep it."""
    backend = BACKENDS + "node_pod_cidrs.py"
    assert backend_rule("plugins/modules/node_pod_cidrs.py", backend)
    assert not backend_rule("plugins/modules/dualstack_info.py", backend)
    assert not backend_rule(BACKENDS + "dualstack_info.py", backend)
    assert not backend_rule("plugins/module_utils/dualstack.py", backend)
    assert not backend_rule("plugins/filter/node_pod_cidrs.py", backend)
    assert backend_rule("plugins/modules/node_pod_cidrs.py", BACKENDS + "__init__.py")
    assert backend_rule(BACKENDS + "node_pod_cidrs.py", "plugins/module_utils/k8s/paging.py")


def test_every_private_file_has_an_owner():
    private = {rel(p) for p in (PLUGINS / "module_utils").rglob("_*.py") if p.name != "__init__.py"}
    assert private == set(PRIVATE_OWNERS), "name the owner of each private module_utils file in PRIVATE_OWNERS"


def test_core_never_imports_ansible():
    def rule(importer, imported):
        return kind(importer) not in ("core", "private") or imported != "ansible"
    assert broken(rule) == []


def test_core_never_imports_the_ansible_edge_or_plugins():
    def rule(importer, imported):
        if kind(importer) not in ("core", "private"):
            return True
        return kind(imported) not in ("edge", "filter", "module", "action", "plugin_utils")
    assert broken(rule) == []


def test_filters_and_modules_never_import_each_other():
    def rule(importer, imported):
        if kind(importer) in ("filter", "module"):
            return kind(imported) not in ("filter", "module", "action")
        return True
    assert broken(rule) == []


def test_private_files_are_used_only_by_their_owner():
    def rule(importer, imported):
        return imported not in PRIVATE_OWNERS or importer in PRIVATE_OWNERS[imported]
    assert broken(rule) == []


def test_backends_are_used_only_by_their_module():
    assert broken(backend_rule) == []


def test_known_exceptions_still_happen():
    """An exception that the code no longer needs is removed from the list, so the rule is whole again."""
    assert sorted(KNOWN_EXCEPTIONS - ALL_EDGES) == []


def test_support_never_imports_plugins():
    assert sorted(e for e in SUPPORT_EDGES if e[1].startswith("plugins/") or e[1] == "plugins") == []


def test_support_imports_are_seen():
    assert SUPPORT_EDGES, "tests/support has no imports at all: the walk is broken"


def import_cycles(files):
    """The import cycles among ``files`` (each as its sorted files), by depth-first search of ``ALL_EDGES``."""
    graph = {f: sorted(b for a, b in ALL_EDGES if a == f and b in files) for f in files}
    cycles, state = set(), {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                cycles.add(tuple(sorted(stack[stack.index(nxt):])))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"
    for node in sorted(files):
        if node not in state:
            visit(node, [node])
    return sorted(cycles)


def test_persistent_ip_package_is_layered():
    """The subjects of ``module_utils/persistent_ip`` build on one another (api, findings, address, attachment,
    then gateway and route, then validate, binding, health) and never import in a circle: each can be read
    with only what it imports."""
    files = {rel(p) for p in py_files("plugins", "module_utils", "persistent_ip")}
    assert "plugins/module_utils/persistent_ip/route.py" in files
    assert ("plugins/module_utils/persistent_ip/binding.py", "plugins/module_utils/persistent_ip/route.py") in ALL_EDGES
    assert import_cycles(files) == []


def test_persistent_ip_package_init_is_minimal():
    """Importers name the submodule of the subject they need: the package's ``__init__`` imports nothing."""
    init = PLUGINS / "module_utils" / "persistent_ip" / "__init__.py"
    assert [n for n in ast.parse(init.read_text(encoding="utf-8")).body if isinstance(n, (ast.Import, ast.ImportFrom))] == []

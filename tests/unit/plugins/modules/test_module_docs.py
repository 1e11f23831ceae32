"""What every module's documentation promises, checked against the module itself.

- every module that takes the cluster connection (the ``k8s_auth_options`` fragment) is in the action group
  ``cluster`` of meta/runtime.yml, so ``module_defaults: group/clusternet.k8s.cluster`` reaches it, and the group
  holds nothing else;
- the documented options are exactly the argument spec's, with the same types, defaults, choices and aliases;
- ``no_log`` options are documented as never shown;
- every module has ``version_added``, ``attributes`` (check and diff mode), examples and a RETURN block.
"""
import glob
import importlib
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))
                 if not os.path.basename(p).startswith("_"))
OWN_FRAGMENT = "clusternet.k8s."


def module(name):
    return importlib.import_module("ansible_collections.clusternet.k8s.plugins.modules." + name)


def documentation(name):
    """The module's DOCUMENTATION with the collection's own doc fragments merged in."""
    doc = yaml.safe_load(module(name).DOCUMENTATION)
    options = dict(doc.get("options") or {})
    for fragment in doc.get("extends_documentation_fragment") or []:
        if fragment.startswith(OWN_FRAGMENT):
            # "name" or "name.variant" (the variant is the fragment class's upper-case attribute, as ansible-doc reads it)
            name, _dot, variant = fragment[len(OWN_FRAGMENT):].partition(".")
            frag = importlib.import_module("ansible_collections.clusternet.k8s.plugins.doc_fragments." + name)
            text = getattr(frag.ModuleDocFragment, (variant or "documentation").upper())
            options.update(yaml.safe_load(text)["options"])
    doc["options"] = options
    return doc


def runtime():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_the_cluster_action_group_is_every_module_that_connects_to_a_cluster():
    connecting = sorted(m for m in MODULES if "clusternet.k8s.k8s_auth_options" in
                        (yaml.safe_load(module(m).DOCUMENTATION).get("extends_documentation_fragment") or []))
    assert connecting, "no module extends the auth fragment"
    assert sorted(runtime()["action_groups"]["cluster"]) == connecting


def _compare(path, documented, spec):
    problems = []
    if sorted(documented) != sorted(spec):
        problems.append("%s: documented %s, argument spec %s" % (path or "options", sorted(documented), sorted(spec)))
    for name in set(documented) & set(spec):
        doc, arg = documented[name] or {}, spec[name]
        where = "%s%s" % (path + "." if path else "", name)
        for key, fallback in (("type", "str"), ("default", None), ("choices", None), ("elements", None),
                              ("required", False)):
            if doc.get(key, fallback) != arg.get(key, fallback):
                problems.append("%s: %s documented %r, argument spec %r"
                                % (where, key, doc.get(key, fallback), arg.get(key, fallback)))
        if sorted(doc.get("aliases") or []) != sorted(arg.get("aliases") or []):
            problems.append("%s: aliases differ" % where)
        description = doc.get("description") or ""
        if arg.get("no_log") and "never shown" not in " ".join(
                description if isinstance(description, list) else [description]).lower():
            problems.append("%s: no_log, but the documentation does not say it is never shown" % where)
        if arg.get("options") or doc.get("suboptions"):
            problems += _compare(where, doc.get("suboptions") or {}, arg.get("options") or {})
    return problems


@pytest.mark.parametrize("name", MODULES)
def test_documented_options_are_the_argument_spec(name):
    mod = module(name)
    spec = mod.argument_spec()
    documented = documentation(name)["options"]
    if name == "hosts_file":  # add_file_common_args=True brings the files fragment's options
        documented = {k: v for k, v in documented.items() if k in spec}
    problems = _compare("", documented, spec)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", MODULES)
def test_module_documentation_is_complete(name):
    mod = module(name)
    doc = yaml.safe_load(mod.DOCUMENTATION)
    assert doc["module"] == name
    assert doc.get("version_added")
    assert {"check_mode", "diff_mode"} <= set(doc.get("attributes") or {})
    assert "ansible.builtin.action_common_attributes" in doc.get("extends_documentation_fragment", [])
    assert yaml.safe_load(mod.EXAMPLES)
    assert yaml.safe_load(mod.RETURN)
    for example in yaml.safe_load(mod.EXAMPLES):
        tasks = example.get("block") or [example]
        for task in tasks:
            assert any(key.startswith("clusternet.k8s.") or key.startswith("ansible.builtin.") for key in task), task


def _example_tasks(name):
    for example in yaml.safe_load(module(name).EXAMPLES):
        for task in example.get("block") or [example]:
            if "clusternet.k8s." + name in task:
                yield task["name"], task["clusternet.k8s." + name] or {}


@pytest.mark.parametrize("name", MODULES)
def test_examples_pass_the_argument_spec(name):
    """Every example's arguments are valid for the module (templated values aside: they are only known at run time)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # pylint: disable=import-outside-toplevel
    spec = module(name).argument_spec()
    if name == "hosts_file":
        spec = dict(spec, mode={"type": "raw"}, owner={"type": "str"}, group={"type": "str"})
    examples = list(_example_tasks(name))
    assert examples, "no example uses clusternet.k8s.%s" % name
    for title, args in examples:
        plain = {k: v for k, v in args.items() if not (isinstance(v, str) and "{{" in v)}
        templated = {k for k in args if k not in plain}
        validator = ArgumentSpecValidator({k: v for k, v in spec.items() if k not in templated or not v.get("required")})
        result = validator.validate(plain)
        errors = [e for e in result.error_messages if not any(t in e for t in templated)]
        assert not errors, "%s: %s" % (title, errors)

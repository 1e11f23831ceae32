"""The contract every role keeps with its users (and AWX): what meta/argument_specs.yml says is what the role does.

- every variable of defaults/main.yml is documented in the argument spec of ``main`` with the same default, and
  every option of the spec that has a default (or is not required) is in defaults/main.yml;
- every variable is prefixed with the role's name, internal ones (``<role>__x``) are never documented;
- handlers are notified by topic (``listen:``);
- the roles of one family use the same variable names for the same things: node roles take ``<role>_root``
  (default ``/``), cluster roles take ``<role>_output_dir``, ``<role>_field_manager`` (default
  ``clusternet.k8s.<role>``), ``<role>_force_conflicts``, ``<role>_kubeconfig`` and ``<role>_context``.
"""
import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
               for p in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")))
NODE_ROLES = ["dualstack_node", "node_hosts"]
CLUSTER_ROLES = ["downward_api", "dualstack_cluster", "host_aliases", "persistent_ip"]


def load(role, *path):
    full = os.path.join(ROOT, "roles", role, *path)
    if not os.path.exists(full):
        return None
    with open(full, encoding="utf-8") as f:
        return yaml.safe_load(f)


def spec(role):
    return load(role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]


def defaults(role):
    return load(role, "defaults", "main.yml") or {}


def test_every_role_is_covered():
    assert ROLES == sorted(NODE_ROLES + CLUSTER_ROLES)
    assert sorted(os.listdir(os.path.join(ROOT, "roles"))) == ROLES


@pytest.mark.parametrize("role", ROLES)
def test_defaults_equal_the_argument_spec_defaults(role):
    options, values = spec(role), defaults(role)
    undocumented = sorted(set(values) - set(options))
    assert not undocumented, "%s: defaults/main.yml sets variables the argument spec does not document: %s" % (
        role, undocumented)
    for name, option in options.items():
        if option.get("required"):
            assert name not in values, "%s: %s is required, so defaults/main.yml must not set it" % (role, name)
            assert "default" not in option, "%s: %s is required and has a default" % (role, name)
            continue
        assert name in values, "%s: %s is optional but has no value in defaults/main.yml" % (role, name)
        assert "default" in option, "%s: %s has no default in the argument spec (defaults/main.yml: %r)" % (
            role, name, values[name])
        assert option["default"] == values[name], "%s: %s defaults to %r in the argument spec but %r in defaults/main.yml" % (
            role, name, option["default"], values[name])


def _suboption_defaults_are_consistent(path, option):
    """A dict option with suboptions and a default: the default holds each suboption's default."""
    problems = []
    suboptions = option.get("options") or {}
    if option.get("type") == "dict" and suboptions and isinstance(option.get("default"), dict):
        for key, sub in suboptions.items():
            if "default" in sub and option["default"].get(key) != sub["default"]:
                problems.append("%s.%s: %r vs %r" % (path, key, option["default"].get(key), sub["default"]))
    for key, sub in suboptions.items():
        problems += _suboption_defaults_are_consistent("%s.%s" % (path, key), sub)
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_suboption_defaults_agree(role):
    problems = [p for name, option in spec(role).items() for p in _suboption_defaults_are_consistent(name, option)]
    assert not problems, problems


@pytest.mark.parametrize("role", ROLES)
def test_variables_are_prefixed_with_the_role_name(role):
    names = set(spec(role)) | set(defaults(role))
    wrong = sorted(n for n in names if not n.startswith(role + "_") or n.startswith(role + "__"))
    assert not wrong, "%s: variables must be named %s_<name>: %s" % (role, role, wrong)
    internal = load(role, "vars", "main.yml") or {}
    wrong = sorted(n for n in internal if not n.startswith(role + "__"))
    assert not wrong, "%s: vars/main.yml holds internal values, named %s__<name>: %s" % (role, role, wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_option_is_described_and_typed(role):
    def walk(path, option):
        found = []
        if not option.get("description"):
            found.append(path + ": no description")
        if not option.get("type"):
            found.append(path + ": no type")
        for key, sub in (option.get("options") or {}).items():
            found += walk(path + "." + key, sub)
        return found
    problems = [p for name, option in spec(role).items() for p in walk(name, option)]
    assert not problems, problems


@pytest.mark.parametrize("role", ROLES)
def test_handlers_listen_on_a_topic(role):
    handlers = load(role, "handlers", "main.yml") or []
    for handler in handlers:
        assert handler.get("listen", "").startswith(role + " "), "%s: handler %r has no listen: '%s ...' topic" % (
            role, handler.get("name"), role)


@pytest.mark.parametrize("role", NODE_ROLES)
def test_node_roles_take_a_root(role):
    option = spec(role)[role + "_root"]
    assert option["type"] == "str" and option["default"] == "/"


@pytest.mark.parametrize("role", CLUSTER_ROLES)
def test_cluster_roles_share_their_variable_names(role):
    options = spec(role)
    assert options[role + "_output_dir"] == dict(options[role + "_output_dir"], type="str", default="")
    assert options[role + "_field_manager"]["default"] == "clusternet.k8s." + role
    assert options[role + "_force_conflicts"] == dict(options[role + "_force_conflicts"], type="bool", default=False)
    for name in ("kubeconfig", "context"):
        assert options["%s_%s" % (role, name)] == dict(options["%s_%s" % (role, name)], type="str", default="")

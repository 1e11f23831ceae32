"""Every module, fed random and hostile arguments, ends with exit_json or fail_json: never a traceback.

Arguments are drawn from each module's real argument spec (captured from AnsibleModule): the right
type with hostile values, the wrong type, or junk. What would make a run slow or reach outside the
test (files outside a temp dir, cluster addresses, long waits) is pinned, not fuzzed.
"""
import contextlib
import glob
import importlib
import io
import json
import os

import pytest
from ansible.module_utils import basic
from tests.support.module_args import patch_module_args
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property.strategies import HOSTILE_TEXT, JSONISH, NUMBERS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")))
AUTH_OPTIONS = {"kubeconfig", "context", "host", "api_key", "validate_certs", "ca_cert", "client_cert", "client_key",
                "proxy", "no_proxy", "proxy_headers"}
EXAMPLES = {"hosts_file": 400}


class _Captured(Exception):
    pass


def load(name):
    return importlib.import_module("ansible_collections.clusternet.k8s.plugins.modules." + name)


def argument_spec(name):
    """The argument spec the module really passes to AnsibleModule."""
    captured = {}
    original = basic.AnsibleModule.__init__

    def capture(self, argument_spec=None, **kwargs):
        captured["spec"] = argument_spec
        raise _Captured()

    basic.AnsibleModule.__init__ = capture
    try:
        with patch_module_args({}), contextlib.suppress(_Captured, SystemExit):
            load(name).main()
    finally:
        basic.AnsibleModule.__init__ = original
    return captured["spec"]


def value_for(option):
    typed = {
        "str": HOSTILE_TEXT, "path": HOSTILE_TEXT, "raw": JSONISH, "int": NUMBERS, "float": NUMBERS,
        "bool": st.one_of(st.booleans(), st.sampled_from(["yes", "no", "maybe", 2])),
        "list": st.lists(JSONISH, max_size=4), "dict": st.dictionaries(HOSTILE_TEXT, JSONISH, max_size=4),
    }.get(option.get("type", "str"), JSONISH)
    if option.get("choices"):
        typed = st.one_of(st.sampled_from(option["choices"]), typed)
    return st.one_of(typed, typed, JSONISH)


def arguments(spec):
    names = sorted(n for n in spec if n not in AUTH_OPTIONS)
    return st.fixed_dictionaries({}, optional={n: value_for(spec[n]) for n in names})


def pinned(name, args, tmp_path, kubeconfig):
    """Keep runs fast and inside the test: a temp file, the test cluster, short waits."""
    if name == "hosts_file":
        args["path"] = str(tmp_path / "hosts")
        args.pop("dest", None)
    for key in ("wait_timeout", "timeout"):
        if key in args:
            args[key] = 1
    if "wait_sleep" in args:
        args["wait_sleep"] = 1
    args["kubeconfig"] = kubeconfig
    return args


def run_main(name, args):
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            load(name).main()
        except SystemExit:
            pass
        else:
            raise AssertionError("%s returned without exit_json/fail_json" % name)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert "Traceback" not in result.get("msg", "") and "exception" not in result, result


@pytest.mark.parametrize("name", MODULES)
def test_module_ends_cleanly_on_any_arguments(name, kube_server, tmp_path):
    spec = argument_spec(name)
    if "kubeconfig" not in spec:
        kubeconfig = None
    else:
        kubeconfig = kube_server.kubeconfig

    @settings(max_examples=EXAMPLES.get(name, 100), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(arguments(spec))
    def check(args):
        args = pinned(name, dict(args), tmp_path, kubeconfig)
        if kubeconfig is None:
            args.pop("kubeconfig")
        kube_server.reset()
        run_main(name, args)

    check()


REQUIRED = {"node_pod_cidrs": {"cluster_cidrs": ["10.0.0.0/16"]},
            "persistent_ip": {"state": "rendered", "gateway": {"name": "g", "namespace": "n", "manage": False}},
            "k8s_apply": {"definition": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}},
            "hosts_file": {"entries": ["10.0.0.1 a"]}}

# Options that replace a REQUIRED one (mutually exclusive with it).
EXCLUSIVE = {"definition": ("src", "template")}


def nested(depth):
    value = "leaf"
    for i in range(depth):
        value = {"a": value} if i % 2 else [value]
    return value


@pytest.mark.parametrize("name", MODULES)
def test_deep_input_in_any_option_fails_cleanly(name, kube_server, tmp_path):
    """Issue 13, defect 6: input nested deeper than any Kubernetes object is refused naming the option, in every
    option, before it reaches code that recurses (150 levels: Ansible itself cannot template much deeper)."""
    spec = argument_spec(name)
    for option in sorted(n for n in spec if spec[n].get("type", "str") in ("raw", "dict", "list") and n != "kubeconfig"):
        required = {k: v for k, v in REQUIRED.get(name, {}).items() if option not in EXCLUSIVE.get(k, ())}
        args = pinned(name, dict(required, **{option: nested(150)}), tmp_path,
                      kube_server.kubeconfig if "kubeconfig" in spec else None)
        if "kubeconfig" not in spec:
            args.pop("kubeconfig")
        out = io.StringIO()
        with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit):
            load(name).main()
        result = json.loads(out.getvalue().strip().splitlines()[-1])
        assert result.get("failed") and not result.get("changed"), (option, result.get("msg"))
        assert "recursion" not in result["msg"] and "Traceback" not in result["msg"], (option, result["msg"])
        if spec[option].get("type") == "raw" or not spec[option].get("options") and spec[option].get("elements") in (
                None, "raw", "dict"):
            assert "nested more than 100 levels deep" in result["msg"] and option in result["msg"], (option, result["msg"])

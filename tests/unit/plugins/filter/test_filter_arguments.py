"""Filters read their arguments inside real Ansible templating (lazy containers on ansible-core 2.19+) exactly as they
read plain data: values straight from the containers when nothing needs the templar, through the templar otherwise
(templates inside the input, undefined variables), with the same results and errors (issue 15)."""
import inspect
import itertools
import json
import os
import subprocess
import sys

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import pod_hosts
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.plugin_utils import arguments
from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import _binder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop"},
       "spec": {"hostname": "web-0", "subdomain": "web", "containers": [{"name": "app", "image": "app:1"}],
                "hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db.internal", "db"]}]},
       "status": {"podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00:10:244:1::7"}]}}

# Runs in its own interpreter: Ansible's collection loader takes over the ansible_collections package.
SCRIPT = r"""
import json, sys
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
_AnsibleCollectionFinder(paths=[sys.argv[1]])._install()
from ansible.template import Templar, trust_as_template
from ansible.parsing.dataloader import DataLoader
from ansible_collections.clusternet.k8s.plugins.plugin_utils import arguments
calls = []
slow = arguments.plain_input
arguments.plain_input = lambda value, name: calls.append(name) or slow(value, name)
variables = json.loads(sys.argv[2])
def trusted(value):  # as a playbook's vars are
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return trust_as_template(value) if isinstance(value, str) else value
variables["pod_trusted"] = trusted(variables["pod"])
variables["pod_with_templates"] = trusted(variables["pod_with_templates"])
templar = Templar(loader=DataLoader(), variables=variables)
out = {}
for name in ("pod", "pod_trusted", "pod_with_templates", "pod_with_undefined"):
    calls.clear()
    try:
        out[name] = [templar.template(trust_as_template("{{ %s | clusternet.k8s.pod_hosts }}" % name)), list(calls)]
    except Exception as exc:
        out[name] = ["error", type(exc).__name__, str(exc).splitlines()[0], list(calls)]
print(json.dumps(out))
"""


def _templated():
    templated = json.loads(json.dumps(POD))
    templated["metadata"] = {"name": "{{ 'web' }}-0", "namespace": "{{ ns }}"}
    undefined = json.loads(json.dumps(POD))
    undefined["metadata"]["namespace"] = "{{ nowhere }}"
    variables = {"pod": POD, "pod_with_templates": templated, "pod_with_undefined": undefined, "ns": "shop"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, os.path.join(ROOT, "playbooks", "collections"), json.dumps(variables)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


@pytest.mark.skipif(arguments._LazyValue is None, reason="ansible-core before 2.19 hands filters rendered values")
def test_lazy_arguments_read_as_plain_data():
    out = _templated()
    expected = pod_hosts(POD)
    assert out["pod"] == [expected, []]                        # read straight from storage: no templar walk
    assert out["pod_trusted"] == [expected, []]                # strings tagged trusted, but holding no template
    assert out["pod_with_templates"] == [expected, ["pod"]]    # rendered through the templar first
    assert out["pod_with_undefined"][0] == "error"
    assert "nowhere" in out["pod_with_undefined"][2]


def test_plain_arguments_take_the_fast_path_and_keep_every_refusal(monkeypatch):
    calls = []
    slow = arguments.plain_input
    monkeypatch.setattr(arguments, "plain_input", lambda value, name: calls.append(name) or slow(value, name))
    fast = arguments._LazyValue is not None
    value = {"a": [1, "b", None, 1.5, True], "c": {"d": ""}}
    assert arguments.read_argument(value, "x") == value
    assert calls == ([] if fast else ["x"])
    for special in ({"a": "{{ x }}"}, ["#jinja2:x"], ("tuple",), {"a": {1, 2}}, b"bytes"):
        calls.clear()
        assert arguments.read_argument(special, "x") == slow(special, "x")
        assert calls == ["x"]
    for refused in ({"a": [10 ** 4300]}, _deep(120)):
        calls.clear()
        with pytest.raises(InputError) as got:
            arguments.read_argument(refused, "x")
        with pytest.raises(InputError) as expected:
            slow(refused, "x")
        assert str(got.value) == str(expected.value)
        assert calls == ["x"]


def _deep(depth):
    value = "leaf"
    for _level in range(depth):
        value = {"k": value}
    return value


def _f1(pod, node_hosts=None, cluster_domain="cluster.local"):
    return pod, node_hosts, cluster_domain


def _f2(a, b, c=1, d=2):
    return a, b, c, d


def _f3(a, *rest, k=1):
    return a, rest, k


def test_quick_binding_gives_what_signature_bind_gives():
    """filter_entry binds each call itself (``inspect.Signature.bind`` costs several us a call); whenever it answers,
    it answers what ``bind`` does, in the order of the parameters, and it leaves every call that does not bind to
    ``bind`` and its message."""
    for func in (_f1, _f2, _f3, lambda: None):
        signature = inspect.signature(func)
        bind = _binder(signature)
        names = list(signature.parameters) + ["unknown", "kubernetes_version"]
        for count in range(6):
            args = tuple("p%d" % i for i in range(count))
            for given in range(4):
                for keywords in itertools.permutations(names, given):
                    kwargs = {name: "k" + name for name in keywords}
                    try:
                        expected = list(signature.bind(*args, **kwargs).arguments.items())
                    except TypeError:
                        expected = None
                    got = bind(args, dict(kwargs))
                    if func is _f3:  # *args, keyword-only: always left to bind
                        assert got is None
                    else:
                        assert (None if got is None else list(got.items())) == expected, (func, args, kwargs)


@pytest.mark.parametrize("args, kwargs, message", [
    ((), {}, "pod_hosts: missing a required argument: 'pod'"),
    ((POD, None, "x", 4), {}, "pod_hosts: too many positional arguments"),
    ((POD,), {"pod": POD}, "pod_hosts: multiple values for argument 'pod'"),
    ((POD,), {"domain": "x"}, "pod_hosts: got an unexpected keyword argument 'domain'"),
    ((), {"node_hosts": ""}, "pod_hosts: missing a required argument: 'pod'"),
])
def test_wrong_arguments_keep_python_s_message(args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as got:
        pod_hosts(*args, **kwargs)
    assert str(got.value) == message

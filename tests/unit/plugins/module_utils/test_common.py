"""How filters read their arguments: ``plain_input`` is ``check_structure`` then ``to_builtin`` in one walk, and a filter
file imports no core module until its filter is called (issue 15)."""
import glob
import os
import subprocess
import sys
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.module_utils.common import (
    MAX_DEPTH, InputError, check_structure, plain_input, to_builtin)
from ansible_collections.clusternet.k8s.plugins.module_utils import common

HUGE = 10 ** 4300


class Str(str):
    pass


class Int(int):
    pass


class Lazy(Mapping):
    """A mapping that counts how often its values are read, as Ansible's lazy containers render each value read."""

    def __init__(self, data):
        self.data = data
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return self.data[key]

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)


def _nested(depth, leaf="x"):
    value = leaf
    for i in range(depth):
        value = {"k%d" % i: value} if i % 2 else [value]
    return value


LEAVES = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.text(max_size=5),
                   st.integers(), st.sampled_from([1, -1, 0]).map(lambda d: HUGE * d or HUGE - 1), st.builds(Str, st.text(max_size=3)),
                   st.builds(Int, st.integers()), st.just(b"bytes"))
TREES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=3), inner, max_size=4),
    st.builds(_nested, st.sampled_from([MAX_DEPTH - 2, MAX_DEPTH + 1]), inner)), max_leaves=12)


def _outcome(func, value):
    try:
        return "value", func(value)
    except InputError as exc:
        return "refused", str(exc)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(TREES)
def test_plain_input_is_check_structure_then_to_builtin(value):
    def both(v):
        check_structure(v, "arg")
        return to_builtin(v)

    expected = _outcome(both, value)
    got = _outcome(lambda v: plain_input(v, "arg"), value)
    assert got == expected
    if got[0] == "value":
        assert _types(got[1]) == _types(expected[1])   # the same builtin types, not only equal values


def _types(value):
    if isinstance(value, dict):
        return {k: (type(k), _types(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)


def test_the_first_refusal_is_the_one_check_structure_reports():
    value = {"a": [HUGE], "b": _nested(MAX_DEPTH + 3), "c": {"d": -HUGE}}
    with pytest.raises(InputError) as expected:
        check_structure(value, "pod")
    with pytest.raises(InputError) as got:
        plain_input(value, "pod")
    assert str(got.value) == str(expected.value) == (
        "pod.c.d holds an integer of more than 4300 digits; no Kubernetes field or setting takes one")
    deep = [{"x y": _nested(MAX_DEPTH + 10)}]
    with pytest.raises(InputError) as expected:
        check_structure(deep, "arg")
    with pytest.raises(InputError) as got:
        plain_input(deep, "arg")
    assert str(got.value) == str(expected.value) == (
        "arg[0]['x y'].k109[0].k107... is nested more than 100 levels deep; no Kubernetes object or setting is")


def test_each_value_is_read_once():
    inner = Lazy({"b": 1, "c": "x"})
    outer = Lazy({"a": inner, "d": [1, 2]})
    assert plain_input(outer, "arg") == {"a": {"b": 1, "c": "x"}, "d": [1, 2]}
    assert (outer.reads, inner.reads) == (2, 2)


def test_filter_files_import_no_core_until_called():
    """Ansible loads every filter file of the collection in each task that uses one: loading them must not import the
    core, ``kubernetes`` or ``netaddr`` (it did: a third of a second per task)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    names = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(root, "plugins", "filter", "*.py")))
    script = (
        "import sys\n"
        "import ansible.errors\n"
        "before = set(sys.modules)\n"
        "for name in %r:\n"
        "    __import__('ansible_collections.clusternet.k8s.plugins.filter.' + name)\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n") % names
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.path.join(root, "playbooks", "collections")]))
    loaded = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout.split()
    utils = sorted(m.rpartition(".")[2] for m in loaded if m.startswith("ansible_collections.clusternet.k8s.plugins.module_utils."))
    assert utils == ["common", "survey"]
    assert not [m for m in loaded if m.split(".")[0] in ("kubernetes", "netaddr", "jmespath", "ipaddress")]
    from ansible_collections.clusternet.k8s.plugins.filter.service_cidr_info import service_cidr_info   # pylint: disable=import-outside-toplevel
    assert service_cidr_info("10.96.0.0/12")["size"] == 1048574


def test_field_reads_a_typed_field_and_names_its_path_on_error():
    assert common.field({"a": [1]}, "a", list, "spec") == [1]
    assert common.field({"a": None}, "a", list, "spec", []) == []
    assert common.field({}, "a", int, "spec", 7) == 7
    with pytest.raises(common.InputError, match=r"^spec\.a must be an integer, got boolean True$"):
        common.field({"a": True}, "a", int, "spec")
    with pytest.raises(common.InputError, match=r"^a must be a string"):
        common.field({"a": 1}, "a", str, "")


def test_strings_reads_a_list_of_strings():
    assert common.strings(None, "x") == []
    assert common.strings(["a", "b"], "x") == ["a", "b"]
    with pytest.raises(common.InputError, match=r"^x\[1\] must be a string"):
        common.strings(["a", 2], "x")
    with pytest.raises(common.InputError, match=r"^x must be a list"):
        common.strings("a", "x")

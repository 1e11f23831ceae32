"""The shipped vectors (tests/unit/vectors) judged by the oracle: a vector the oracle disagrees with is
a wrong vector.

Every unit test that checks a filter against vectors (tests/unit/plugins/filter) is run again here with
the filter replaced by the oracle under the filter's name: the same vectors, the same adapter from a
vector to the filter's arguments, the same assertions - only the code that answers is upstream's. The
oracle's errors are raised as the filter raises them (``AnsibleFilterError("<filter>: <text>")``).

The differential vectors (tests/unit/vectors/differential.json) hold the oracle's own answers; they are
asked again, so that a vector written at another release, or by hand, cannot stay wrong.

What the oracle cannot judge is listed in tests/differential/README.md (vectors of core functions below
the filters, of rules that are the collection's own, of GKE's controller).
"""
from __future__ import annotations

import importlib
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from tests.support.oracle import FILTERS, oracle_filters

from .harness import Outcome, run_oracle, same_error

# unit test module -> the name under which it binds the filter it checks
UNIT_MODULES = {
    "tests.unit.plugins.filter.test_service_ip_plan": "service_ip_plan",
    "tests.unit.plugins.filter.test_service_cidr_info": "service_cidr_info",
    "tests.unit.plugins.filter.test_node_pod_cidrs": "node_pod_cidrs",
    "tests.unit.plugins.filter.test_component_flag_errors": "component_flag_errors",
    "tests.unit.plugins.filter.test_downward_values": "downward_values",
    "tests.unit.plugins.filter.test_validation_errors_dualstack": "validation_errors",
    "tests.unit.plugins.filter.test_validation_errors_service": "validation_errors",
}


# (unit module, test, vector name) -> why the oracle cannot judge it through the filter's contract
NOT_REPLAYED = {
    ("tests.unit.plugins.filter.test_validation_errors_service", "test_cluster_ips_related_validation_vectors",
     "valid dual-stack pair"):
    "the oracle judges a Service on a real create, which allocates: 10.0.0.1 and 2000::1 are outside its service "
    "ranges (validation_errors leaves the cluster's addresses to service_ip_plan, whose vectors are replayed)",
}


def _not_replayed(module_name, name, vec):
    """Why a vector cannot be judged by the oracle through the filter's contract, or None."""
    if (module_name, name, vec["name"]) in NOT_REPLAYED:
        return NOT_REPLAYED[module_name, name, vec["name"]]
    gates = vec["input"].get("gates") or {}
    if vec["feature"] == "apiserver-flags" and sum(1 for on in gates.values() if not on) > 1:
        return ("two locked feature gates set false: featureGate.Set reports them in Go map order, which changes from "
                "run to run (the filter lists them in the order given)")
    return None


def _values(item):
    return item if isinstance(item, dict) else item.values[0]  # a vector, or a pytest.param of one


def _vector_tests():
    """``(module, function name, vector, other parameters)`` of every vector-parametrized test of UNIT_MODULES
    (a test parametrized by more than the vector runs with each of the other values)."""
    cases = []
    for module_name in UNIT_MODULES:
        module = importlib.import_module(module_name)
        for name in sorted(vars(module)):
            function = getattr(module, name)
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
            if not (name.startswith("test_") and callable(function)) or not any(m.args[0] == "vec" for m in marks):
                continue
            combinations = [{}]
            for mark in marks:
                argname = mark.args[0]
                combinations = [dict(c, **{argname: _values(item) if argname == "vec" else item})
                                for c in combinations for item in mark.args[1]]
            for params in combinations:
                vec = params.pop("vec")
                if _not_replayed(module_name, name, vec):
                    continue
                label = ",".join([vec["name"]] + [str(v) for v in params.values()])
                cases.append(pytest.param(module_name, name, vec, params,
                                          id="%s::%s[%s]" % (module_name.rsplit(".", 1)[1], name, label)))
    return cases


def as_filter(oracle, name, real_filter):
    """The oracle under a filter's name. Its value is the oracle's. Its error is raised as the filter
    raises it: the filter's message when that holds upstream's text (the filter adds which argument it
    was, e.g. ``cidr: "fd00::/48": ``), else ``<filter>: <upstream's text>``, which the vector's
    assertions then refuse."""
    def oracle_filter(*args, **kwargs):
        want = run_oracle(oracle[name], *args, **kwargs)
        if want.error is None:
            value = want.value
            if name == "service_ip_plan":  # the oracle's own account of its picks
                for plan in value if isinstance(value, list) else [value]:
                    plan.pop("picked", None)
            if name == "downward_values":  # the oracle resolves everything it is given: nothing unresolved
                for container in value.values():
                    container.setdefault("unresolved", [])
            return value
        try:
            real_filter(*args, **kwargs)
        except AnsibleFilterError as exc:
            if same_error(exc.message, want):
                raise
        raise AnsibleFilterError("%s: %s" % (name, want.error))
    return oracle_filter


@pytest.mark.parametrize("module_name, function_name, vec, params", _vector_tests())
def test_unit_vectors_through_the_oracle(newest_oracle, monkeypatch, module_name, function_name, vec, params):
    module = importlib.import_module(module_name)
    name = UNIT_MODULES[module_name]
    monkeypatch.setattr(module, name, as_filter(newest_oracle, name, getattr(module, name)))
    getattr(module, function_name)(vec, **params)


DIFFERENTIAL = os.path.join(os.path.dirname(__file__), "..", "unit", "vectors", "differential.json")
with open(DIFFERENTIAL, encoding="utf-8") as _file:
    DIFFERENTIAL_VECTORS = json.load(_file)["vectors"]


@pytest.mark.parametrize("vec", DIFFERENTIAL_VECTORS, ids=[v["name"] for v in DIFFERENTIAL_VECTORS])
def test_differential_vectors_are_the_oracles(newest_oracle, vec):
    """Each vector is asked of the oracle at its own release (its ``kubernetes_version``), or the newest."""
    assert vec["feature"] in FILTERS
    version = vec["input"]["kwargs"].get("kubernetes_version")
    oracle = newest_oracle
    if version and version != newest_oracle.release:
        with oracle_filters(version) as older:
            oracle = older
    got = run_oracle(oracle[vec["feature"]], *vec["input"]["args"], **vec["input"]["kwargs"])
    expected = vec["expected"]
    if "error" in expected:
        assert got.error is not None, got
        assert expected.get("own") or same_error(expected["error"], got), (got, expected)
        return
    assert got.error is None, got
    value = got.value
    if vec["feature"] == "service_ip_plan":
        value.pop("picked", None)
    if vec["feature"] == "downward_values":  # the vectors are of fully resolved pods
        for container in value.values():
            container["unresolved"] = []
    assert value == expected["value"]


def test_every_filter_module_is_replayed():
    """A unit module of vectors that is added must be listed here (or in the README as not judged)."""
    assert {UNIT_MODULES[m] for m in UNIT_MODULES} <= set(FILTERS)
    assert Outcome  # the harness' types are shared

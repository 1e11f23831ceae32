"""validation_errors against the real kube-apiserver: server-side dry-run creates on the test control plane
(Gateway API and GKEIPRoute CRDs installed). Whatever the filter reports must be exactly the
apiserver's error list for the objects generated here; the rules it does not cover are listed in its
documentation, and the generators keep every object valid outside what the filter covers."""
import json
import os
import re

import pytest
from hypothesis import given

from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import validation_errors

from .apiserver import DryRun
from .harness import Counter, Outcome, differ, differential, run_filter
from .objects import BUILTIN, hostile_objects, persistent_ip_objects

NAMESPACE = "differential"


@pytest.fixture(scope="module")
def dry_run(kube_server):
    client = DryRun(kube_server.tls_url, kube_server.token, kube_server.ca_path)
    client.ensure_namespace(NAMESPACE)
    yield client
    client.close()


def apiserver_errors(dry_run, obj):
    metadata = obj.get("metadata")
    namespace = (metadata.get("namespace") if isinstance(metadata, dict) else None) or NAMESPACE
    if not isinstance(namespace, str):  # does not decode: the apiserver refuses before it looks
        namespace = NAMESPACE
    if namespace != NAMESPACE:
        dry_run.ensure_namespace(namespace)
    return dry_run.create(obj, namespace)


def compare(name, obj, got, errors):
    if got.error is not None:
        differ(name, [obj], {}, got, Outcome(errors), "the filter fails where the apiserver answers")
    if got.value != errors:
        differ(name, [obj], {}, got, Outcome(errors), "not the apiserver's error list")


def test_validation_errors_against_the_apiserver(dry_run, cases):
    ran = Counter()

    @differential(cases)
    @given(BUILTIN)
    def case(obj):
        ran()
        compare("validation_errors", obj, run_filter(validation_errors, obj), apiserver_errors(dry_run, obj))

    case()
    assert ran.count >= cases


def test_validation_errors_hostile_against_the_apiserver(dry_run, cases):
    """Values of the wrong JSON type or out of their Go type's range: the request's decoding error."""
    ran = Counter()

    @differential(cases)
    @given(hostile_objects())
    def case(obj):
        ran()
        compare("validation_errors", obj, run_filter(validation_errors, obj), apiserver_errors(dry_run, obj))

    case()
    assert ran.count >= cases


def upstream_only(errors):
    """The filter's errors that are the apiserver's rules: its own (controller, collection) rules end
    with their code in brackets, e.g. ``[GW_CLASS_UNSUPPORTED]``."""
    return [e for e in errors if not re.search(r" \[[A-Z0-9_]+\]$", e)]


NOT_CHECKED = ("<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; "
               "correct the existing errors to complete validation")


def crd_order(errors):
    """A CRD object's errors in a canonical order: kube-openapi reports the schema errors of an object's
    properties in Go map order, which changes from request to request; the CEL rules' note stays last."""
    return sorted(e for e in errors if e != NOT_CHECKED) + [e for e in errors if e == NOT_CHECKED]


def test_persistent_ip_objects_against_the_apiserver(dry_run, cases):
    """Gateways (Gateway API standard CRDs) and GKEIPRoutes (the project's CRD): the filter's upstream
    findings are exactly the apiserver's error list, in a canonical order (see crd_order)."""
    ran = Counter()

    @differential(cases)
    @given(persistent_ip_objects())
    def case(obj):
        ran()
        got = run_filter(validation_errors, obj)
        if got.error is None:
            got = Outcome(crd_order(upstream_only(got.value)))
        compare("validation_errors", obj, got, crd_order(apiserver_errors(dry_run, obj)))

    case()
    assert ran.count >= cases


def _persistent_ip_validation_vectors():
    with open(os.path.join(os.path.dirname(__file__), "..", "unit", "vectors", "persistent-ip.json"), encoding="utf-8") as f:
        vectors = [v for v in json.load(f)["vectors"] if v["feature"] == "validation"]
    # an object of a version the CRD does not serve is refused before validation (the README counts it)
    return [pytest.param(v, id=v["name"]) for v in vectors
            if v["input"]["object"]["apiVersion"] in ("gateway.networking.k8s.io/v1", "networking.gke.io/v1")]


@pytest.mark.parametrize("vec", _persistent_ip_validation_vectors())
def test_persistent_ip_validation_vectors_against_the_apiserver(dry_run, vec):
    """The shipped persistent-IP validation vectors: what the filter reports as the apiserver's is the
    apiserver's list for the vector's object. (Their codes and the collection's own rules are the unit
    tests'; the controller's admission, binding and status vectors have no upstream code to judge them.)"""
    obj = vec["input"]["object"]
    errors = [str(e) for e in validation_errors(obj)]
    assert crd_order(upstream_only(errors)) == crd_order(apiserver_errors(dry_run, obj))

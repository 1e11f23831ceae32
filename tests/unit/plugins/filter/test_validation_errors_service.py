"""Service rules inside the validation_errors filter, on the vectors that carry no cluster configuration."""
import json
import os

import pytest

from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import FilterModule

validation_errors = FilterModule().filters()["validation_errors"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

TYPE_TEXT = {"Invalid": "Invalid value", "Forbidden": "Forbidden"}


def vectors(feature):
    cases = [v for v in VECTORS if v["feature"] == feature]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


def service(spec):
    """A Service around ``spec``, with a port unless it has ports (or is an ExternalName)."""
    if "ports" not in spec and spec.get("type") != "ExternalName":
        spec = dict(spec, ports=[{"port": 80}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "foo"}, "spec": spec}


def matches(text, error):
    """``path: Type: <Go value>: detail`` (Forbidden prints no value)."""
    head = "%s: %s: " % (error["field"], TYPE_TEXT[error["type"]])
    return text.startswith(head) and (text == head + error["detail"] or text.endswith(": " + error["detail"]))


@vectors("service-clusterips-related-validation")
def test_cluster_ips_related_validation_vectors(vec):
    """ValidateServiceClusterIPsRelatedFields' vectors, through the create path: an unset policy is
    defaulted first (SingleStack, or PreferDualStack for two addresses or families so that the vector's
    own rule is what answers)."""
    spec = dict(vec["input"]["service_spec"])
    if "ipFamilyPolicy" not in spec and (len(spec.get("clusterIPs", [])) > 1 or len(spec.get("ipFamilies", [])) > 1):
        spec["ipFamilyPolicy"] = "PreferDualStack"
    found = validation_errors(service(spec))
    assert len(found) == len(vec["expected"]["errors"])
    for text, error in zip(found, vec["expected"]["errors"]):
        assert matches(text, error), text


@vectors("service-type-validation")
def test_type_validation_vectors(vec):
    found = validation_errors(service(vec["input"]["service_spec"]))
    for error in vec["expected"]["errors_include"]:
        assert any(matches(text, error) for text in found), found


@pytest.mark.parametrize("spec, expected", [
    ({"clusterIP": "10.0.0.1"}, []),
    ({"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1", "10.0.0.2"]},
     ['spec.clusterIPs: Invalid value: ["10.0.0.1","10.0.0.2"]: may specify no more than one IP for each IP family']),
    ({"clusterIP": "None", "clusterIPs": ["None", "10.0.0.1"]},
     ['spec.clusterIPs: Invalid value: ["None","10.0.0.1"]: \'None\' must be the first and only value']),
    ({"type": "NodePort", "clusterIP": "None"}, ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]),
    # clusterIPs is a legacy IP field (IsValidIPForLegacyField, KEP-4858): non-canonical IPv6 is only
    # warned about; leading zeros and IPv4-mapped addresses are refused (StrictIPCIDRValidation, 1.36+)
    ({"clusterIP": "2000::01"}, []),
    ({"clusterIP": "010.0.0.1"}, ['spec.clusterIPs[0]: Invalid value: "010.0.0.1": must not have leading 0s']),
    ({"clusterIP": "::ffff:10.0.0.1"},
     ['spec.clusterIPs[0]: Invalid value: "::ffff:10.0.0.1": must not be an IPv4-mapped IPv6 address']),
])
def test_exact_texts(spec, expected):
    assert validation_errors(service(spec)) == expected

"""The downward_env filter, called as Jinja calls it."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.downward_env import FilterModule

downward_env = FilterModule().filters()["downward_env"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def as_mapping(entry):
    """The filter's input for one vector env entry that the mapping form can express."""
    source = entry["valueFrom"]
    if list(source) == ["fieldRef"] and source["fieldRef"].get("apiVersion") == "v1" and source["fieldRef"].get("fieldPath"):
        return {entry["name"]: source["fieldRef"]["fieldPath"]}
    if list(source) == ["resourceFieldRef"]:
        return {entry["name"]: source["resourceFieldRef"]}
    return None


# vectors with one fieldRef or resourceFieldRef; the others (no source, two sources, no apiVersion or
# fieldPath, apiVersion v2) are shapes the mapping cannot produce
EXPRESSIBLE = [pytest.param(v, id=v["name"]) for v in VECTORS
               if v["feature"] in ("validation_env_fieldref", "validation_divisor") and as_mapping(v["input"]["env"][0])]


def test_expressible_vector_count():
    assert len(EXPRESSIBLE) == 18


@pytest.mark.parametrize("vec", EXPRESSIBLE)
def test_validation_vectors_through_the_filter(vec):
    entry = vec["input"]["env"][0]
    mapping = as_mapping(entry)
    if vec["expected"]["valid"]:
        (built,) = downward_env(mapping)
        assert built["name"] == entry["name"]
        assert built["valueFrom"] == entry["valueFrom"]
    else:
        expected = vec["expected"]["error_contains"]
        expected = expected.replace("field[", "env[", 1) if expected.startswith("field[") else expected
        with pytest.raises(AnsibleFilterError) as err:
            downward_env(mapping)
        # several errors print as the apiserver's aggregate, in brackets
        assert str(err.value).startswith(("downward_env: env: kube-apiserver would reject it: env[0]",
                                          "downward_env: env: kube-apiserver would reject it: [env[0]"))
        assert expected in str(err.value)


def test_labels_are_refused_with_the_apiserver_message():
    with pytest.raises(AnsibleFilterError, match=r'^downward_env: env: kube-apiserver would reject it: '
                                                 r'env\[0\]\.valueFrom\.fieldRef\.fieldPath: Unsupported value: "metadata\.labels": '
                                                 r'supported values: "metadata\.name", '):
        downward_env({"LABELS": "metadata.labels"})


def test_mixed_mapping():
    assert downward_env({"NODE": "spec.nodeName", "MEM": {"resource": "requests.memory", "divisor": "1Mi", "containerName": "db"}}) == [
        {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
        {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi", "containerName": "db"}}}]


@pytest.mark.parametrize("args", [(), ({}, {}), (None,), ([],), ({"A": None},), ({"A": {"resource": "limits.cpu", "divisor": []}},)])
def test_bad_arguments_are_filter_errors(args):
    with pytest.raises(AnsibleFilterError, match="^downward_env: "):
        downward_env(*args)

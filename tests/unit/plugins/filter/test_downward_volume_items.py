"""The downward_volume_items filter, called as Jinja calls it."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.downward_volume_items import FilterModule

downward_volume_items = FilterModule().filters()["downward_volume_items"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def as_mapping(item):
    """The filter's input for a vector item the mapping form can express (one reference)."""
    ref = dict(item.get("fieldRef") or item["resourceFieldRef"])
    if "mode" in item:
        ref["mode"] = item["mode"]
    return {item["path"]: ref}


EXPRESSIBLE = [pytest.param(v, id=v["name"]) for v in VECTORS if v["feature"] == "validation_volume_file"
               and len(v["input"]["volume"]["downwardAPI"].get("items", [])) == 1
               and len({"fieldRef", "resourceFieldRef"} & set(v["input"]["volume"]["downwardAPI"]["items"][0])) == 1]


def test_expressible_vector_count():
    # the other two set only defaultMode (a volume field) or both references (not expressible)
    assert len(EXPRESSIBLE) == 7


@pytest.mark.parametrize("vec", EXPRESSIBLE)
def test_validation_vectors_through_the_filter(vec):
    (item,) = vec["input"]["volume"]["downwardAPI"]["items"]
    if vec["expected"]["valid"]:
        assert downward_volume_items(as_mapping(item)) == [item]
    else:
        expected = vec["expected"]["error_contains"].replace("field[0].downwardAPI", "downwardAPI", 1)
        with pytest.raises(AnsibleFilterError) as err:
            downward_volume_items(as_mapping(item))
        assert str(err.value) == "downward_volume_items: downwardAPI.items: kube-apiserver would reject it: " + expected


def test_mapping_with_modes_and_resources():
    assert downward_volume_items({"labels": "metadata.labels", "name": {"fieldPath": "metadata.name", "mode": 0o400},
                                  "mem": {"resource": "limits.memory", "divisor": "1Mi", "container": "app"}}) == [
        {"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}},
        {"path": "name", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}, "mode": 256},
        {"path": "mem", "resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi", "containerName": "app"}}]


@pytest.mark.parametrize("mapping, message", [
    ({"ip": "status.podIPs"}, 'downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIPs": supported values: '
                              '"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"'),
    ({"cpu": {"resource": "limits.cpu"}}, "downwardAPI.resourceFieldRef.containerName: Required value"),
    ({"n": {"fieldPath": "metadata.name", "mode": 4096}},
     "downwardAPI.mode: Invalid value: 4096: must be a number between 0 and 0777 (octal), both inclusive"),
])
def test_refused_items(mapping, message):
    with pytest.raises(AnsibleFilterError) as err:
        downward_volume_items(mapping)
    assert str(err.value) == "downward_volume_items: downwardAPI.items: kube-apiserver would reject it: " + message


@pytest.mark.parametrize("args", [(), (None,), ({1: "metadata.name"},), ({"a": {"fieldPath": "metadata.name", "mode": "rw"}},)])
def test_bad_arguments_are_filter_errors(args):
    with pytest.raises(AnsibleFilterError, match="^downward_volume_items: "):
        downward_volume_items(*args)

"""The regression vectors the differential tier found (``vectors/differential.json``): minimal cases on
which a filter once disagreed with the upstream code. ``expected`` is upstream's answer, recorded by the
oracle (tests/differential runs them through it again): a value the filter must return, or an error
text its message must contain (``own``: upstream has no text there, only the failure counts)."""
import importlib
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "vectors", "differential.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def filter_named(name):
    module = importlib.import_module("ansible_collections.clusternet.k8s.plugins.filter." + name)
    return module.FilterModule().filters()[name]


@pytest.mark.parametrize("vec", VECTORS, ids=[v["name"] for v in VECTORS])
def test_regression_vector(vec):
    func = filter_named(vec["feature"])
    args, kwargs, expected = vec["input"]["args"], vec["input"]["kwargs"], vec["expected"]
    if "value" in expected:
        assert func(*args, **kwargs) == expected["value"]
        return
    with pytest.raises(AnsibleFilterError) as raised:
        func(*args, **kwargs)
    assert expected.get("own") or expected["error"] in raised.value.message

"""The persistent_ip_status filter, called as Jinja calls it, on the spec's status_check vectors."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.persistent_ip_status import FilterModule

persistent_ip_status = FilterModule().filters()["persistent_ip_status"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "persistent-ip.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


# Vectors resting on an ASSUMPTION carry the suffix; test_persistent_ip.ASSUMPTIONS names their number (4).
@pytest.mark.parametrize("vec", [pytest.param(v, id=v["name"] + ("-ASSUMPTION" if v["assumption"] else ""))
                                 for v in VECTORS if v["feature"] == "status_check"])
def test_status_vectors_through_the_filter(vec):
    got = persistent_ip_status(vec["input"]["object"])
    expected = vec["expected"]
    assert (got["healthy"], got["boundPod"]) == (expected["healthy"], expected["boundPod"])
    assert [{k: found.get(k) for k in want} for found, want in zip(got["problems"], expected["problems"])] == expected["problems"]
    assert len(got["problems"]) == len(expected["problems"])


@pytest.mark.parametrize("route, message", [
    ("proxy-ip", r"^persistent_ip_status: route must be a mapping, got string 'proxy-ip'"),
    ({"status": {"pods": "proxy-a"}}, r"^persistent_ip_status: route.status.pods must be a list"),
])
def test_bad_input_is_a_filter_error(route, message):
    with pytest.raises(AnsibleFilterError, match=message):
        persistent_ip_status(route)

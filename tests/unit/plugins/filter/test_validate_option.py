"""validate=false on the builder filters: the result as built, for validation of the whole object later."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.downward_env import FilterModule as Env
from ansible_collections.clusternet.k8s.plugins.filter.downward_volume_items import FilterModule as Items
from ansible_collections.clusternet.k8s.plugins.filter.host_aliases import FilterModule as Aliases

host_aliases = Aliases().filters()["host_aliases"]
downward_env = Env().filters()["downward_env"]
downward_volume_items = Items().filters()["downward_volume_items"]


def test_host_aliases_unvalidated_are_merged_but_kept():
    entries = ["10.0.0.300 db", "10.0.0.300 db.internal", "fd00::6 Cache"]
    with pytest.raises(AnsibleFilterError):
        host_aliases(entries)
    assert host_aliases(entries, validate=False) == [{"ip": "10.0.0.300", "hostnames": ["db", "db.internal"]},
                                                     {"ip": "fd00::6", "hostnames": ["Cache"]}]
    assert host_aliases(["10.0.0.5 db"], False) == host_aliases(["10.0.0.5 db"])


def test_downward_env_unvalidated():
    with pytest.raises(AnsibleFilterError, match="metadata.labels"):
        downward_env({"LABELS": "metadata.labels"})
    assert downward_env({"LABELS": "metadata.labels"}, validate=False) == [
        {"name": "LABELS", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}}}]


def test_downward_volume_items_unvalidated():
    with pytest.raises(AnsibleFilterError, match="containerName"):
        downward_volume_items({"cpu": {"resource": "limits.cpu"}})
    assert downward_volume_items({"cpu": {"resource": "limits.cpu"}, "ip": "status.podIP"}, validate=False) == [
        {"path": "cpu", "resourceFieldRef": {"resource": "limits.cpu"}},
        {"path": "ip", "fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}]


@pytest.mark.parametrize("func, value", [(host_aliases, ["10.0.0.5 db"]), (downward_env, {"A": "metadata.name"}),
                                         (downward_volume_items, {"a": "metadata.name"})])
def test_validate_must_be_a_boolean(func, value):
    with pytest.raises(AnsibleFilterError, match="validate must be a boolean, got string 'no'"):
        func(value, "no")


def test_malformed_input_still_fails():
    with pytest.raises(AnsibleFilterError, match="entries must be a mapping"):
        host_aliases(None, validate=False)
    with pytest.raises(AnsibleFilterError, match="must be a field path"):
        downward_env({"A": {"bogus": 1}}, validate=False)

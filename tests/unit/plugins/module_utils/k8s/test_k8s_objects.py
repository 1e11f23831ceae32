"""Definitions: parsing, references, the applied body, server-owned fields and the changed-fields diff."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import objects

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}

LIVE = {
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "a", "namespace": "default", "uid": "u-1", "resourceVersion": "7", "generation": 1,
                 "creationTimestamp": "2025-01-01T00:00:00Z", "selfLink": "/x",
                 "managedFields": [{"manager": "clusternet.k8s", "operation": "Apply"}], "labels": {"app": "web"}},
    "data": {"k": "v", "other": "same"},
    "status": {"observed": True},
}


def test_multi_document_yaml():
    text = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n" \
           "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n"
    assert [d["kind"] for d in objects.load_definitions(text)] == ["ConfigMap", "Secret"]


def test_mapping_and_list_forms():
    assert objects.load_definitions(CM) == [CM]
    assert objects.load_definitions([CM, None, {"kind": "ConfigMapList", "items": [CM]}]) == [CM, CM]


@pytest.mark.parametrize("value, message", [
    (3, "definition must be a mapping, a list or YAML text, got integer"),
    ([CM, "x"], r"definition\[1\] must be a mapping \(a resource definition\), got string"),
    ({"kind": "ConfigMap", "metadata": {"name": "a"}}, r"definition\[0\]: apiVersion is required"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "a-"}},
     r"definition\[0\] \(ConfigMap\): metadata.name is required .*generateName"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": 5}}, "metadata.namespace must be a string"),
    ({"kind": "List", "items": [{"kind": "X"}]}, r"definition\[0\].items\[0\]: apiVersion is required"),
    ("a: [", "definition is not valid YAML"),
])
def test_bad_definitions(value, message):
    with pytest.raises(InputError, match=message):
        objects.load_definitions(value)


def test_read_definitions(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n")
    assert [d["kind"] for d in objects.read_definitions(str(path))] == ["ConfigMap", "Namespace"]
    with pytest.raises(InputError, match="src: cannot read .*missing.yaml"):
        objects.read_definitions(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: ConfigMap\n")
    with pytest.raises(InputError, match=r"bad.yaml\[0\]: apiVersion is required"):
        objects.read_definitions(str(bad))


def test_ref_defaults_the_namespace_of_namespaced_kinds_only():
    assert objects.ref_of(CM, True) == objects.Ref("v1", "ConfigMap", "a", "default")
    assert objects.ref_of(CM, True, "web") == objects.Ref("v1", "ConfigMap", "a", "web")
    own = dict(CM, metadata={"name": "a", "namespace": "mine"})
    assert objects.ref_of(own, True, "web").namespace == "mine"
    assert objects.ref_of(own, False, "web") == objects.Ref("v1", "ConfigMap", "a", None)
    assert str(objects.Ref("v1", "ConfigMap", "a", "web")) == "ConfigMap web/a"
    assert str(objects.Ref("v1", "Namespace", "web")) == "Namespace web"


def test_apply_body_sets_namespace_and_drops_managed_fields_without_touching_the_input():
    body = objects.apply_body(LIVE, objects.Ref("v1", "ConfigMap", "a", "other"))
    assert body["metadata"]["namespace"] == "other" and "managedFields" not in body["metadata"]
    assert LIVE["metadata"]["namespace"] == "default" and "managedFields" in LIVE["metadata"]
    cluster_scoped = objects.apply_body(LIVE, objects.Ref("v1", "Node", "a"))
    assert "namespace" not in cluster_scoped["metadata"]


def test_strip_server_fields():
    assert objects.strip_server_fields(LIVE) == {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default", "labels": {"app": "web"}},
        "data": {"k": "v", "other": "same"}}
    assert "uid" in LIVE["metadata"]
    assert objects.strip_server_fields(None) is None


def test_differs_ignores_server_owned_fields_only():
    bumped = dict(LIVE, metadata=dict(LIVE["metadata"], resourceVersion="8", generation=2, managedFields=[]),
                  status={"observed": False})
    assert not objects.differs(LIVE, bumped)
    assert objects.differs(LIVE, dict(LIVE, data={"k": "w", "other": "same"}))
    assert objects.differs(None, LIVE)


def test_changed_fields_keeps_only_what_changes():
    after = dict(LIVE, data={"k": "w", "other": "same", "new": "1"},
                 metadata=dict(LIVE["metadata"], resourceVersion="9", labels={"app": "web", "tier": "front"}))
    before, new = objects.changed_fields(LIVE, after)
    assert before == {"metadata": {"labels": {}}, "data": {"k": "v"}}
    assert new == {"metadata": {"labels": {"tier": "front"}}, "data": {"k": "w", "new": "1"}}


def test_changed_fields_lists_and_removed_keys():
    old = {"spec": {"ports": [{"port": 80}, {"port": 443}], "gone": 1}}
    new = {"spec": {"ports": [{"port": 80}, {"port": 8443}]}}
    assert objects.changed_fields(old, new) == ({"spec": {"ports": [{"port": 80}, {"port": 443}], "gone": 1}},
                                                {"spec": {"ports": [{"port": 80}, {"port": 8443}]}})


def test_changed_fields_for_creation_deletion_and_no_change():
    assert objects.changed_fields(None, CM) == ({}, CM)
    assert objects.changed_fields(LIVE, None) == (objects.strip_server_fields(LIVE), {})
    assert objects.changed_fields(LIVE, LIVE) == ({}, {})


def test_without_managed_fields():
    assert "managedFields" not in objects.without_managed_fields(LIVE)["metadata"]
    assert "managedFields" in LIVE["metadata"]
    assert objects.without_managed_fields(None) is None
    assert objects.without_managed_fields(CM) is CM

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


SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


@pytest.mark.parametrize("api_version, kind, name, message", [
    ("v1", "ConfigMap", "../../../nodes/victim",
     'ConfigMap "../../../nodes/victim" is invalid: metadata.name: Invalid value: "../../../nodes/victim": ' + SUBDOMAIN),
    ("v1", "ConfigMap", "a?b", 'ConfigMap "a?b" is invalid: metadata.name: Invalid value: "a?b": ' + SUBDOMAIN),
    ("v1", "Namespace", "a.b", 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots'),
    ("v1", "Service", "1abc", 'Service "1abc" is invalid: metadata.name: Invalid value: "1abc": a DNS-1035 label must'),
    ("apps/v1", "Deployment", "Web", 'Deployment.apps "Web" is invalid: metadata.name: Invalid value: "Web": '),
    # kinds without a known rule: the rule every name obeys, a path segment (as client-go checks it)
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "..",
     'ClusterRole.rbac.authorization.k8s.io ".." is invalid: metadata.name: Invalid value: "..": may not be \'..\''),
    ("example.com/v1", "Widget", "a/b%c", 'Widget.example.com "a/b%c" is invalid: [metadata.name: Invalid value: "a/b%c": '
     'may not contain \'/\', metadata.name: Invalid value: "a/b%c": may not contain \'%\']'),
])
def test_names_the_api_server_would_refuse(api_version, kind, name, message):
    definition = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
    with pytest.raises(InputError) as raised:
        objects.load_definitions([definition])
    assert str(raised.value).startswith("definition[0]: " + message), str(raised.value)


@pytest.mark.parametrize("api_version, kind, name", [
    ("v1", "ConfigMap", "web.settings-1"), ("v1", "Namespace", "kube-system"), ("v1", "Service", "web"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "system:controller:web"), ("example.com/v1", "Widget", "Any Name?"),
])
def test_names_the_api_server_accepts(api_version, kind, name):
    definition = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
    assert objects.load_definitions(definition) == [definition]


@pytest.mark.parametrize("api_version, message", [
    ("a/b/c", "apiVersion: unexpected GroupVersion string: a/b/c"),  # apimachinery's ParseGroupVersion
    ("/v1", 'apiVersion: Invalid value: "/v1": the group must be non-empty'),
    ("apps/", 'apiVersion: Invalid value: "apps/": the version must be non-empty'),
    ("../v1", 'apiVersion: Invalid value: "../v1": the group: a lowercase RFC 1123 subdomain must'),
    ("v1?x", 'apiVersion: Invalid value: "v1\\?x": the version: a lowercase RFC 1123 label must'),
])
def test_api_versions_that_no_api_server_serves(api_version, message):
    with pytest.raises(InputError, match="^definition\\[0\\]: " + message):
        objects.load_definitions({"apiVersion": api_version, "kind": "ConfigMap", "metadata": {"name": "a"}})


def test_namespace_of_a_namespaced_kind_is_a_dns_label():
    bad = dict(CM, metadata={"name": "a", "namespace": "../namespaces/kube-system"})
    with pytest.raises(InputError, match='ConfigMap "a" is invalid: metadata.namespace: Invalid value: '
                                         '"../namespaces/kube-system": a lowercase RFC 1123 label must consist of'):
        objects.ref_of(bad, True)
    assert objects.ref_of(bad, False) == objects.Ref("v1", "ConfigMap", "a", None)  # ignored for cluster-scoped kinds
    with pytest.raises(InputError, match='metadata.namespace: Invalid value: "Web"'):
        objects.ref_of(CM, True, default_namespace="Web")


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


def secret(data=None, string_data=None, **extra):
    obj = dict({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}, **extra)
    if data is not None:
        obj["data"] = data
    if string_data is not None:
        obj["stringData"] = string_data
    return obj


def test_secret_values_are_masked_as_kubectl_diff_masks_them():
    """kubectl pkg/cmd/diff Masker: equal "***", different "*** (before)"/"*** (after)", one side only "***"."""
    before = secret({"same": "YQ==", "changed": "Yg==", "gone": "Yw=="})
    after = secret({"same": "YQ==", "changed": "ZA==", "new": "ZQ=="}, {"plain": "text"})
    masked_before, masked_after = objects.masked_pair(before, after)
    assert masked_before["data"] == {"same": "***", "changed": "*** (before)", "gone": "***"}
    assert masked_after["data"] == {"same": "***", "changed": "*** (after)", "new": "***"}
    assert masked_after["stringData"] == {"plain": "***"}
    assert before["data"]["changed"] == "Yg==", "the objects themselves are not changed"
    assert objects.changed_fields(masked_before, masked_after) == (
        {"data": {"changed": "*** (before)", "gone": "***"}},
        {"data": {"changed": "*** (after)", "new": "***"}, "stringData": {"plain": "***"}})
    assert objects.masked_pair(None, after)[1]["data"] == {"same": "***", "changed": "***", "new": "***"}
    assert objects.masked_pair(CM, CM) == (CM, CM), "only Secrets are masked"


def test_a_returned_secret_shows_no_value():
    assert objects.mask_secret(secret({"a": "YQ=="}, {"b": "c"}, type="Opaque")) == secret({"a": "***"}, {"b": "***"},
                                                                                           type="Opaque")
    assert objects.mask_secret(secret("not a mapping")) == secret("***")
    assert objects.mask_secret(CM) is CM and objects.mask_secret(None) is None


def test_secrets_anywhere_in_module_arguments_are_masked():
    args = {"definition": [CM, secret({"a": "YQ=="})], "kubeconfig": "/k",
            "text": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: hunter2}\n", "other": "Secret x"}
    masked = objects.mask_secrets_in(args)
    assert masked["definition"] == [CM, secret({"a": "***"})] and masked["kubeconfig"] == "/k"
    assert masked["text"] == [secret(string_data={"p": "***"})] and masked["other"] == "Secret x"
    deep = {"a": None}
    for _level in range(300):
        deep = {"a": deep}
    assert "nested too deep to show" in str(objects.mask_secrets_in(deep))


def test_yaml_errors_show_no_snippet_of_the_text():
    """PyYAML quotes the offending line; it could hold a Secret's value."""
    with pytest.raises(InputError) as raised:
        objects.load_definitions("kind: Secret\nstringData: {password: hunter2\n")
    assert "hunter2" not in str(raised.value)
    assert str(raised.value).startswith("definition is not valid YAML: line 3, column 1: expected ',' or '}'"), str(raised.value)

"""Storage, verbs and errors of the test API server, through the official Python client."""
import json
import urllib.request

import kubernetes
import pytest
import yaml
from kubernetes.client import ApiException

from tests.support.kube_apiserver import KubeAPIServer


def status_of(exc):
    return json.loads(exc.body)


def configmap(name, labels=None, data=None):
    return {"metadata": {"name": name, "labels": labels or {}}, "data": data or {"k": "v"}}


def test_system_namespaces_and_kubernetes_service_exist(core):
    names = {ns.metadata.name for ns in core.list_namespace().items}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    assert core.read_namespace("default").status.phase == "Active"
    assert core.read_namespaced_service("kubernetes", "default").spec.ports[0].port == 443


def test_create_sets_metadata_and_a_global_resource_version(core, namespace):
    first = core.create_namespaced_config_map(namespace, configmap("a"))
    second = core.create_namespaced_config_map(namespace, configmap("b"))
    assert first.metadata.uid and first.metadata.uid != second.metadata.uid
    assert first.metadata.creation_timestamp is not None
    assert first.metadata.namespace == namespace
    assert int(second.metadata.resource_version) > int(first.metadata.resource_version)
    listed = core.list_namespaced_config_map(namespace)
    assert int(listed.metadata.resource_version) >= int(second.metadata.resource_version)
    assert [c.metadata.name for c in listed.items] == ["a", "b"]


def test_generate_name(core, namespace):
    made = core.create_namespaced_config_map(namespace, {"metadata": {"generateName": "gen-"}, "data": {}})
    assert made.metadata.name.startswith("gen-") and len(made.metadata.name) == len("gen-") + 5


def test_noop_update_keeps_the_resource_version(core, namespace):
    made = core.create_namespaced_config_map(namespace, configmap("same"))
    again = core.replace_namespaced_config_map("same", namespace, made)
    assert again.metadata.resource_version == made.metadata.resource_version
    made.data["k"] = "changed"
    changed = core.replace_namespaced_config_map("same", namespace, made)
    assert int(changed.metadata.resource_version) > int(made.metadata.resource_version)


def test_generation_bumps_on_spec_changes_only(api_client, namespace):
    apps = kubernetes.client.AppsV1Api(api_client)
    body = {"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    made = apps.create_namespaced_deployment(namespace, body)
    assert made.metadata.generation == 1 and made.spec.replicas == 1
    labelled = apps.patch_namespaced_deployment("web", namespace, {"metadata": {"labels": {"x": "y"}}})
    assert labelled.metadata.generation == 1
    scaled = apps.patch_namespaced_deployment("web", namespace, {"spec": {"replicas": 3}})
    assert scaled.metadata.generation == 2


def test_stale_resource_version_is_a_conflict_for_put_and_patch(core, namespace):
    made = core.create_namespaced_config_map(namespace, configmap("c"))
    core.patch_namespaced_config_map("c", namespace, {"data": {"k": "newer"}})
    with pytest.raises(ApiException) as put:
        core.replace_namespaced_config_map("c", namespace, made)
    assert put.value.status == 409
    assert status_of(put.value)["reason"] == "Conflict"
    assert status_of(put.value)["message"] == ('Operation cannot be fulfilled on configmaps "c": the object has been modified; '
                                               "please apply your changes to the latest version and try again")
    with pytest.raises(ApiException) as patched:
        core.patch_namespaced_config_map("c", namespace, {"metadata": {"resourceVersion": made.metadata.resource_version}, "data": {"k": "x"}})
    assert patched.value.status == 409


def test_error_statuses(core, namespace):
    core.create_namespaced_config_map(namespace, configmap("dup"))
    with pytest.raises(ApiException) as dup:
        core.create_namespaced_config_map(namespace, configmap("dup"))
    assert (dup.value.status, status_of(dup.value)["reason"]) == (409, "AlreadyExists")
    assert status_of(dup.value)["details"] == {"name": "dup", "kind": "configmaps"}
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("nope", namespace)
    assert status_of(missing.value)["message"] == 'configmaps "nope" not found'
    with pytest.raises(ApiException) as bad_name:
        core.create_namespaced_config_map(namespace, configmap("Bad_Name"))
    body = status_of(bad_name.value)
    assert (bad_name.value.status, body["reason"]) == (422, "Invalid")
    assert body["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')
    assert body["details"]["causes"][0]["field"] == "metadata.name"


def test_missing_namespace_is_not_found(core):
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("no-such-namespace", configmap("x"))
    assert exc.value.status == 404
    assert status_of(exc.value)["message"] == 'namespaces "no-such-namespace" not found'


def test_bad_request_method_not_allowed_and_media_type(raw, namespace):
    base = "/api/v1/namespaces/%s/configmaps" % namespace
    status, _headers, body = raw("POST", base, {"metadata": {"name": "x", "namespace": "elsewhere"}})
    assert (status, body["reason"]) == (400, "BadRequest")
    assert body["message"] == "the namespace of the provided object does not match the namespace sent on the request"
    status, _headers, body = raw("PUT", base, {"metadata": {"name": "x"}})
    assert (status, body["reason"]) == (405, "MethodNotAllowed")
    raw("POST", base, configmap("m"))
    status, _headers, body = raw("PATCH", base + "/m", '{"data": {}}', "text/plain")
    assert (status, body["reason"]) == (415, "UnsupportedMediaType")


def test_label_and_field_selectors(core, namespace):
    for name, labels in (("a", {"tier": "web", "env": "prod"}), ("b", {"tier": "db"}), ("c", {"env": "dev"})):
        core.create_namespaced_config_map(namespace, configmap(name, labels))

    def names(**selectors):
        return [c.metadata.name for c in core.list_namespaced_config_map(namespace, **selectors).items]

    assert names(label_selector="tier=web") == ["a"]
    assert names(label_selector="tier==db") == ["b"]
    assert names(label_selector="tier!=web") == ["b", "c"]
    assert names(label_selector="tier in (web,db)") == ["a", "b"]
    assert names(label_selector="tier notin (web)") == ["b", "c"]
    assert names(label_selector="env") == ["a", "c"]
    assert names(label_selector="!env") == ["b"]
    assert names(label_selector="tier in (web,db),env") == ["a"]
    assert names(field_selector="metadata.name=c") == ["c"]
    assert names(field_selector="metadata.name!=c,metadata.namespace=%s" % namespace) == ["a", "b"]
    with pytest.raises(ApiException) as bad:
        names(label_selector="tier in (web")
    assert bad.value.status == 400


def test_limit_and_continue(core, namespace):
    for i in range(5):
        core.create_namespaced_config_map(namespace, configmap("cm-%d" % i))
    first = core.list_namespaced_config_map(namespace, limit=2)
    assert [c.metadata.name for c in first.items] == ["cm-0", "cm-1"]
    assert first.metadata.remaining_item_count == 3
    second = core.list_namespaced_config_map(namespace, limit=2, _continue=first.metadata._continue)
    third = core.list_namespaced_config_map(namespace, limit=2, _continue=second.metadata._continue)
    assert [c.metadata.name for c in second.items + third.items] == ["cm-2", "cm-3", "cm-4"]
    assert not third.metadata._continue


def test_pages_across_namespaces_follow_etcd_key_order(core, namespace):
    """Pages follow the keys' order as strings ("ns/name"): namespace "x" comes after "x-a" ('-' sorts before '/'),
    and a page boundary between them loses nothing; a selector pages through the same order."""
    dashed = namespace + "-a"
    core.create_namespace({"metadata": {"name": dashed}})
    try:
        for ns in (namespace, dashed):
            for i in range(3):
                core.create_namespaced_config_map(ns, configmap("cm-%d" % i, labels={"n": str(i % 2)}))
        for selector, expected in ((None, 6), ("n=0", 4)):
            seen, token = [], None
            while True:
                page = core.list_config_map_for_all_namespaces(limit=1, _continue=token, label_selector=selector)
                seen += [(c.metadata.namespace, c.metadata.name) for c in page.items if c.metadata.namespace in (namespace, dashed)]
                token = page.metadata._continue
                if not token:
                    break
            assert len(seen) == expected and seen == sorted(seen, key="/".join)
            assert seen[0][0] == dashed
    finally:
        core.delete_namespace(dashed)


def test_finalizers_delay_deletion(core, namespace):
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}, "data": {}})
    core.delete_namespaced_config_map("held", namespace)
    held = core.read_namespaced_config_map("held", namespace)
    assert held.metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("held", namespace, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException) as gone:
        core.read_namespaced_config_map("held", namespace)
    assert gone.value.status == 404


def test_delete_collection(core, namespace):
    for name, labels in (("a", {"drop": "yes"}), ("b", {"drop": "yes"}), ("c", {})):
        core.create_namespaced_config_map(namespace, configmap(name, labels))
    core.delete_collection_namespaced_config_map(namespace, label_selector="drop=yes")
    assert [c.metadata.name for c in core.list_namespaced_config_map(namespace).items] == ["c"]


def test_dry_run_changes_nothing(core, namespace):
    made = core.create_namespaced_config_map(namespace, configmap("dry"), dry_run="All")
    assert made.metadata.name == "dry"
    assert core.list_namespaced_config_map(namespace).items == []
    core.create_namespaced_config_map(namespace, configmap("dry"))
    core.patch_namespaced_config_map("dry", namespace, {"data": {"k": "dry"}}, dry_run="All")
    core.delete_namespaced_config_map("dry", namespace, dry_run="All")
    assert core.read_namespaced_config_map("dry", namespace).data == {"k": "v"}


def test_namespace_deletion_takes_its_objects(core):
    core.create_namespace({"metadata": {"name": "doomed"}})
    core.create_namespaced_config_map("doomed", configmap("inside"))
    core.delete_namespace("doomed")
    with pytest.raises(ApiException):
        core.read_namespaced_config_map("inside", "doomed")
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("doomed", configmap("late"))
    assert exc.value.status in (403, 404)


def test_unknown_fields_strict_warn_ignore(raw, namespace):
    path = "/api/v1/namespaces/%s/configmaps" % namespace
    status, _headers, body = raw("POST", path, {"metadata": {"name": "u"}, "bogus": 1}, query=[("fieldValidation", "Strict")])
    assert (status, body["message"]) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"')
    status, headers, body = raw("POST", path, {"metadata": {"name": "u"}, "bogus": 1}, query=[("fieldValidation", "Warn")])
    assert status == 201 and "bogus" not in body
    assert headers["Warning"] == '299 - "unknown field \\"bogus\\""'
    status, headers, body = raw("POST", path, {"metadata": {"name": "v"}, "bogus": 1}, query=[("fieldValidation", "Ignore")])
    assert status == 201 and "bogus" not in body and "Warning" not in headers


def test_discovery_documents(raw):
    assert raw("GET", "/api").body["versions"] == ["v1"]
    groups = {g["name"]: g["preferredVersion"]["groupVersion"] for g in raw("GET", "/apis").body["groups"]}
    assert groups["apps"] == "apps/v1" and groups["apiextensions.k8s.io"] == "apiextensions.k8s.io/v1"
    assert raw("GET", "/apis/apps").body["kind"] == "APIGroup"
    core = {r["name"]: r for r in raw("GET", "/api/v1").body["resources"]}
    assert core["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert (core["services"]["shortNames"], core["nodes"]["namespaced"]) == (["svc"], False)
    assert "major" in raw("GET", "/version").body
    root = raw("GET", "/openapi/v3").body["paths"]
    document = raw("GET", root["apis/apps/v1"]["serverRelativeURL"]).body
    patch = document["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
    assert document["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"]


def test_version_is_configurable():
    server = KubeAPIServer(version={"minor": "36", "gitVersion": "v1.36.2"})
    try:
        with urllib.request.urlopen(server.serve() + "/version") as response:
            version = json.loads(response.read())
        assert (version["major"], version["minor"], version["gitVersion"]) == ("1", "36", "v1.36.2")
    finally:
        server.stop()


def test_dry_run_update_and_apply(raw, namespace):
    path = "/api/v1/namespaces/%s/configmaps" % namespace
    made = raw("POST", path, configmap("d")).body
    changed = dict(made, data={"k": "changed"})
    assert raw("PUT", path + "/d", changed, query=[("dryRun", "All")]).body["data"] == {"k": "changed"}
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}, "data": {"k": "applied"}}
    reply = raw("PATCH", path + "/d", json.dumps(applied), "application/apply-patch+yaml", [("fieldManager", "m"), ("dryRun", "All"), ("force", "true")])
    assert reply.body["data"] == {"k": "applied"}
    assert raw("GET", path + "/d").body == made


def test_served_versions_of_a_crd_share_objects(kube, raw, namespace):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "gadgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "gadgets", "kind": "Gadget"}, "versions": [
               {"name": name, "served": True, "storage": name == "v1", "schema": {"openAPIV3Schema": {
                   "type": "object", "x-kubernetes-preserve-unknown-fields": True}}} for name in ("v1beta1", "v1")]}}
    kube.apply_crd(crd)
    raw("POST", "/apis/example.com/v1beta1/namespaces/%s/gadgets" % namespace,
        {"apiVersion": "example.com/v1beta1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"any": ["thing"]}})
    got = raw("GET", "/apis/example.com/v1/namespaces/%s/gadgets/g" % namespace).body
    assert (got["apiVersion"], got["spec"]) == ("example.com/v1", {"any": ["thing"]})
    assert raw("GET", "/apis/example.com").body["preferredVersion"]["version"] == "v1"


def test_load_crds_from_a_file(kube, raw, tmp_path):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "things.example.com"},
           "spec": {"group": "example.com", "scope": "Cluster", "names": {"plural": "things", "kind": "Thing"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    path = tmp_path / "crds.yaml"
    path.write_text(yaml.safe_dump_all([crd, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "not-a-crd"}}]))
    assert [c["metadata"]["name"] for c in kube.load_crds(str(path))] == ["things.example.com"]
    assert raw("POST", "/apis/example.com/v1/things", {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}}).status == 201

"""Patches (JSON, merge, strategic merge), server-side apply with managedFields and conflicts, the status subresource."""
import json

import kubernetes
import yaml

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wg"]},
             "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                           "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                                                        {"name": "Http", "type": "string", "jsonPath": '.spec.ports[?(@.name=="http")].port'},
                                                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                               "spec": {"type": "object", "required": ["size"], "properties": {
                                   "size": {"type": "integer", "minimum": 1},
                                   "mode": {"type": "string", "enum": ["fast", "slow"], "default": "slow"},
                                   "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                             "items": {"type": "object", "required": ["name"], "properties": {
                                                 "name": {"type": "string"}, "port": {"type": "integer"}}}}}},
                               "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}}}}}]},
}


def widget(name, size=1):
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": {"size": size}}


def apply(raw, path, body, manager, force=False):
    query = [("fieldManager", manager)] + ([("force", "true")] if force else [])
    return raw("PATCH", path, yaml.safe_dump(body), "application/apply-patch+yaml", query)


def configmap_path(namespace, name=""):
    return "/api/v1/namespaces/%s/configmaps%s" % (namespace, "/" + name if name else "")


def test_json_and_merge_patches(raw, namespace):
    raw("POST", configmap_path(namespace), {"metadata": {"name": "p"}, "data": {"a": "1", "b": "2"}})
    status, _headers, body = raw("PATCH", configmap_path(namespace, "p"), [{"op": "replace", "path": "/data/a", "value": "9"}], "application/json-patch+json")
    assert status == 200 and body["data"] == {"a": "9", "b": "2"}
    status, _headers, body = raw("PATCH", configmap_path(namespace, "p"), {"data": {"b": None, "c": "3"}}, "application/merge-patch+json")
    assert body["data"] == {"a": "9", "c": "3"}
    status, _headers, body = raw("PATCH", configmap_path(namespace, "p"), [{"op": "test", "path": "/data/a", "value": "0"}], "application/json-patch+json")
    assert (status, body["reason"]) == (422, "Invalid")


def test_strategic_merge_uses_merge_keys_and_directives(api_client, namespace):
    core = kubernetes.client.CoreV1Api(api_client)
    core.create_namespaced_pod(namespace, {"metadata": {"name": "pod"}, "spec": {"containers": [
        {"name": "a", "image": "one", "env": [{"name": "X", "value": "1"}]}, {"name": "b", "image": "two"}]}})
    merged = core.patch_namespaced_pod("pod", namespace, {"spec": {"containers": [{"name": "b", "image": "three"}]}})
    assert [(c.name, c.image) for c in merged.spec.containers] == [("a", "one"), ("b", "three")]
    deleted = core.patch_namespaced_pod("pod", namespace, {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}})
    assert [c.name for c in deleted.spec.containers] == ["b"]
    replaced = core.patch_namespaced_pod("pod", namespace, {"metadata": {"labels": {"$patch": "replace", "only": "this"}}})
    assert replaced.metadata.labels == {"only": "this"}


def test_strategic_merge_on_a_custom_resource_is_415(raw, kube, namespace):
    kube.apply_crd(WIDGET_CRD)
    path = "/apis/example.com/v1/namespaces/%s/widgets" % namespace
    raw("POST", path, widget("w"))
    status, _headers, body = raw("PATCH", path + "/w", {"spec": {"size": 2}}, "application/strategic-merge-patch+json")
    assert (status, body["reason"]) == (415, "UnsupportedMediaType")
    status, _headers, body = raw("PATCH", path + "/w", {"spec": {"size": 2}}, "application/merge-patch+json")
    assert status == 200 and body["spec"]["size"] == 2


def test_custom_resource_schema_validation(raw, kube, namespace):
    kube.apply_crd(WIDGET_CRD)
    path = "/apis/example.com/v1/namespaces/%s/widgets" % namespace
    status, _headers, body = raw("POST", path, dict(widget("w"), spec={"size": "big", "mode": "odd"}))
    assert (status, body["reason"]) == (422, "Invalid")
    assert body["message"] == ('Widget.example.com "w" is invalid: [spec.size: Invalid value: "string": spec.size in body must be of type integer: '
                               '"string", spec.mode: Unsupported value: "odd": supported values: "fast", "slow"]')


def test_server_side_apply_records_managed_fields(raw, namespace):
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa", "labels": {"app": "x"}}, "data": {"a": "1"}}
    status, _headers, body = apply(raw, configmap_path(namespace, "ssa"), config, "alice")
    assert status == 201
    [entry] = body["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsType"]) == ("alice", "Apply", "FieldsV1")
    assert entry["fieldsV1"] == {"f:data": {"f:a": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}


def test_server_side_apply_without_field_manager_is_invalid(raw, namespace):
    config = yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    status, _headers, body = raw("PATCH", configmap_path(namespace, "x"), config, "application/apply-patch+yaml")
    assert (status, body["reason"]) == (422, "Invalid")
    assert "fieldManager: Required value" in body["message"]


def test_conflicts_name_fields_and_managers_and_force_takes_over(raw, namespace):
    path = configmap_path(namespace, "shared")
    apply(raw, path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"a": "1", "b": "1"}}, "alice")
    status, _headers, body = apply(raw, path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"a": "2", "b": "2"}}, "bob")
    assert (status, body["reason"]) == (409, "Conflict")
    assert body["message"] == 'Apply failed with 2 conflicts: conflicts with "alice":\n- .data.a\n- .data.b'
    assert body["details"]["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.a"},
                                         {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.b"}]
    status, _headers, body = apply(raw, path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"a": "2"}}, "bob", force=True)
    assert status == 200 and body["data"] == {"a": "2", "b": "1"}
    owners = {e["manager"]: e["fieldsV1"] for e in body["metadata"]["managedFields"]}
    assert owners == {"alice": {"f:data": {"f:b": {}}}, "bob": {"f:data": {"f:a": {}}}}


def test_conflict_with_an_update_manager_names_its_version(raw, namespace):
    raw("POST", configmap_path(namespace), {"metadata": {"name": "upd"}, "data": {"a": "1"}}, query=[("fieldManager", "editor")])
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "upd"}, "data": {"a": "2"}}
    status, _headers, body = apply(raw, configmap_path(namespace, "upd"), config, "applier")
    assert status == 409
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "editor" using v1: .data.a'
    config["data"]["a"] = "1"       # the same value: shared ownership, no conflict
    assert apply(raw, configmap_path(namespace, "upd"), config, "applier")[0] == 200


def test_fields_a_manager_stops_applying_are_removed(raw, namespace):
    path = configmap_path(namespace, "prune")
    apply(raw, path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "prune", "labels": {"a": "1", "b": "2"}},
                      "data": {"keep": "1", "drop": "2"}}, "alice")
    body = apply(raw, path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "prune", "labels": {"a": "1"}},
                             "data": {"keep": "1"}}, "alice").body
    assert body["data"] == {"keep": "1"} and body["metadata"]["labels"] == {"a": "1"}


def test_list_map_keys_merge_items_by_key(raw, namespace):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lm"}, "spec": {"containers": [{"name": "a", "image": "one"}]}}
    path = "/api/v1/namespaces/%s/pods/lm" % namespace
    apply(raw, path, pod, "alice")
    body = apply(raw, path, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lm"},
                             "spec": {"containers": [{"name": "b", "image": "two"}]}}, "bob").body
    assert [(c["name"], c["image"]) for c in body["spec"]["containers"]] == [("a", "one"), ("b", "two")]
    bob = next(e for e in body["metadata"]["managedFields"] if e["manager"] == "bob")
    assert bob["fieldsV1"]["f:spec"]["f:containers"] == {'k:{"name":"b"}': {".": {}, "f:image": {}, "f:name": {}}}


def test_apply_rejects_duplicate_node_addresses_like_the_real_server(raw):
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "dual"}, "status": {"addresses": [
        {"type": "InternalIP", "address": "10.0.0.5"}, {"type": "InternalIP", "address": "fd00::5"}, {"type": "Hostname", "address": "dual"}]}}
    raw("POST", "/api/v1/nodes", node)
    status, _headers, body = apply(raw, "/api/v1/nodes/dual/status", node, "kubelet")
    assert status == 500 and "reason" not in body
    assert body["message"] == ('failed to create typed patch object (/dual; /v1, Kind=Node): '
                               '.status.addresses: duplicate entries for key [type="InternalIP"]')
    labelled = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "dual", "labels": {"x": "y"}}}
    status, _headers, body = apply(raw, "/api/v1/nodes/dual", labelled, "labeller")
    assert status == 200 and len(body["status"]["addresses"]) == 3


def test_apply_rejects_undeclared_fields(raw, namespace):
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "u", "namespace": namespace}, "bogus": 1}
    status, _headers, body = apply(raw, configmap_path(namespace, "u"), config, "a")
    assert status == 500
    assert body["message"] == "failed to create typed patch object (%s/u; /v1, Kind=ConfigMap): .bogus: field not declared in schema" % namespace


def test_status_subresource_separates_spec_and_status(raw, kube, namespace):
    kube.apply_crd(WIDGET_CRD)
    path = "/apis/example.com/v1/namespaces/%s/widgets" % namespace
    made = raw("POST", path, dict(widget("w"), status={"ready": True})).body
    assert "status" not in made
    body = raw("PATCH", path + "/w/status", {"spec": {"size": 5}, "status": {"ready": True}}, "application/merge-patch+json").body
    assert body["spec"]["size"] == 1 and body["status"] == {"ready": True}
    assert body["metadata"]["generation"] == 1
    body = raw("PATCH", path + "/w", {"spec": {"size": 2}, "status": {"ready": False}}, "application/merge-patch+json").body
    assert body["spec"]["size"] == 2 and body["status"] == {"ready": True}
    assert body["metadata"]["generation"] == 2
    status_owner = next(e for e in body["metadata"]["managedFields"] if e.get("subresource") == "status")
    assert json.dumps(status_owner["fieldsV1"]) == '{"f:status": {".": {}, "f:ready": {}}}'


def test_custom_resource_defaults(raw, kube, namespace):
    kube.apply_crd(WIDGET_CRD)
    made = raw("POST", "/apis/example.com/v1/namespaces/%s/widgets" % namespace, widget("w")).body
    assert made["spec"] == {"size": 1, "mode": "slow"}

"""Server-side apply ownership as structured-merge-diff's prune has it, and empty lists and maps as Go's
``omitempty`` leaves them in built-in objects (custom resources keep what was sent)."""
import json

import yaml

from tests.apiserver.test_kubectl import ok
from tests.apiserver.test_patch_apply import WIDGET_CRD, apply, configmap_path


def config_map(name, data=None):
    found = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
    if data is not None:
        found["data"] = data
    return found


def deployment(name, host_aliases=None):
    spec = {"containers": [{"name": "app", "image": "registry.example/app:1"}]}
    if host_aliases is not None:
        spec["hostAliases"] = host_aliases
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


def aliases_patch(name, host_aliases):
    """What the host_aliases role applies: the list and nothing else."""
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"template": {"spec": {"hostAliases": host_aliases}}}}


def deployment_path(namespace, name=""):
    return "/apis/apps/v1/namespaces/%s/deployments%s" % (namespace, "/" + name if name else "")


def owners(obj):
    return {e["manager"]: e["fieldsV1"] for e in obj["metadata"].get("managedFields") or []}


def owned_aliases(obj, manager):
    fields = owners(obj).get(manager, {})
    found = fields.get("f:spec", {}).get("f:template", {}).get("f:spec", {}).get("f:hostAliases", {})
    return sorted(json.loads(k[2:])["ip"] for k in found if k.startswith("k:"))


def get(kubectl, kind, name, namespace):
    return json.loads(ok(kubectl("get", kind, name, "-n", namespace, "-o", "json", "--show-managed-fields")))


def server_side_apply(kubectl, namespace, manager, doc):
    return ok(kubectl("apply", "--server-side", "--field-manager", manager, "-n", namespace, "-f", "-", input=yaml.safe_dump(doc)))


# --- ownership ----------------------------------------------------------------------------------


def test_a_field_kubectl_create_still_owns_stays_when_an_applier_drops_it(kubectl, namespace):
    ok(kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(config_map("made", {"a": "1", "b": "2"}))))
    server_side_apply(kubectl, namespace, "app", config_map("made", {"a": "1", "b": "2"}))     # equal values: shared
    server_side_apply(kubectl, namespace, "app", config_map("made", {"a": "1"}))
    got = get(kubectl, "configmap", "made", namespace)
    assert got["data"] == {"a": "1", "b": "2"}
    assert owners(got) == {"kubectl-create": {"f:data": {".": {}, "f:a": {}, "f:b": {}}}, "app": {"f:data": {"f:a": {}}}}


def test_fields_a_post_put_or_patch_owns_stay_and_one_only_the_applier_owns_goes(raw, namespace):
    path = configmap_path(namespace, "upd")
    made = raw("POST", configmap_path(namespace), {"metadata": {"name": "upd"}, "data": {"a": "1"}}, query=[("fieldManager", "creator")]).body
    raw("PUT", path, dict(made, data={"a": "1", "b": "2"}), query=[("fieldManager", "putter")])
    raw("PATCH", path, {"data": {"c": "3"}}, "application/merge-patch+json", [("fieldManager", "patcher")])
    assert apply(raw, path, config_map("upd", {"a": "1", "b": "2", "c": "3", "mine": "x"}), "app").status == 200
    body = apply(raw, path, config_map("upd"), "app").body
    assert body["data"] == {"a": "1", "b": "2", "c": "3"}      # the updaters' fields; "mine" was the applier's alone
    assert sorted(owners(body)) == ["creator", "patcher", "putter"]


def test_list_map_items_of_an_updater_stay_and_the_applier_lets_go(kubectl, namespace):
    ok(kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(deployment("web", [{"ip": "10.0.0.1", "hostnames": ["a"]}]))))
    server_side_apply(kubectl, namespace, "aliases", aliases_patch("web", [{"ip": "10.0.0.1", "hostnames": ["a"]},
                                                                           {"ip": "10.0.0.2", "hostnames": ["b"]}]))
    assert owned_aliases(get(kubectl, "deployment", "web", namespace), "aliases") == ["10.0.0.1", "10.0.0.2"]
    server_side_apply(kubectl, namespace, "aliases", aliases_patch("web", []))
    got = get(kubectl, "deployment", "web", namespace)
    assert got["spec"]["template"]["spec"]["hostAliases"] == [{"ip": "10.0.0.1", "hostnames": ["a"]}]
    assert "aliases" not in owners(got)
    assert owned_aliases(got, "kubectl-create") == ["10.0.0.1"]


def test_items_of_another_applier_stay_and_the_list_goes_with_the_last_sole_owner(raw, namespace):
    raw("POST", deployment_path(namespace), deployment("web"))
    path = deployment_path(namespace, "web")
    apply(raw, path, aliases_patch("web", [{"ip": "10.0.0.1", "hostnames": ["a"]}, {"ip": "10.0.0.2", "hostnames": ["b"]}]), "one")
    apply(raw, path, aliases_patch("web", [{"ip": "10.0.0.2", "hostnames": ["b"]}, {"ip": "10.0.0.3", "hostnames": ["c"]}]), "two")
    body = apply(raw, path, aliases_patch("web", []), "one").body
    assert [a["ip"] for a in body["spec"]["template"]["spec"]["hostAliases"]] == ["10.0.0.2", "10.0.0.3"]
    body = apply(raw, path, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}, "two").body
    assert "hostAliases" not in body["spec"]["template"]["spec"]
    assert "one" not in owners(body) and "two" not in owners(body)
    assert body["spec"]["template"]["spec"]["containers"][0]["name"] == "app"


def test_an_item_changed_under_force_is_the_applier_s_alone_and_goes_with_it(raw, namespace):
    raw("POST", configmap_path(namespace), {"metadata": {"name": "forced"}, "data": {"a": "1"}}, query=[("fieldManager", "editor")])
    path = configmap_path(namespace, "forced")
    assert apply(raw, path, config_map("forced", {"a": "2"}), "app", force=True).status == 200
    body = apply(raw, path, config_map("forced"), "app").body
    assert "data" not in body       # emptied, so null, so gone (omitempty); the creator still owns the map itself
    assert owners(body) == {"editor": {"f:data": {}}}


# --- empty lists and maps -----------------------------------------------------------------------


def test_applying_an_empty_list_for_a_field_that_never_existed_changes_nothing(kubectl, raw, namespace):
    made = raw("POST", deployment_path(namespace), deployment("api")).body
    out = server_side_apply(kubectl, namespace, "aliases", aliases_patch("api", []))
    assert "serverside-applied" in out
    got = get(kubectl, "deployment", "api", namespace)
    assert got["metadata"]["resourceVersion"] == made["metadata"]["resourceVersion"]
    assert "hostAliases" not in got["spec"]["template"]["spec"] and "aliases" not in owners(got)
    dry = raw("PATCH", deployment_path(namespace, "api"), yaml.safe_dump(aliases_patch("api", [])), "application/apply-patch+yaml",
              [("fieldManager", "aliases"), ("dryRun", "All")]).body
    assert dry["metadata"]["resourceVersion"] == made["metadata"]["resourceVersion"] and "hostAliases" not in dry["spec"]["template"]["spec"]


def test_applying_an_empty_list_over_items_only_this_applier_owned_leaves_no_field(raw, namespace):
    raw("POST", deployment_path(namespace), deployment("web"))
    path = deployment_path(namespace, "web")
    apply(raw, path, aliases_patch("web", [{"ip": "10.0.0.1", "hostnames": ["a"]}]), "aliases")
    body = apply(raw, path, aliases_patch("web", []), "aliases").body
    assert "hostAliases" not in body["spec"]["template"]["spec"]        # absent, not []
    again = apply(raw, path, aliases_patch("web", []), "aliases").body
    assert again["metadata"]["resourceVersion"] == body["metadata"]["resourceVersion"]


def test_built_in_writes_drop_empty_optional_lists_and_maps(raw, namespace):
    pod = {"metadata": {"name": "p", "labels": {}, "annotations": {}, "finalizers": []}, "spec": {
        "hostAliases": [], "nodeSelector": {}, "tolerations": None, "securityContext": {}, "volumes": [{"name": "v", "emptyDir": {}}],
        "containers": [{"name": "c", "image": "busybox", "command": [], "env": [], "resources": {"limits": {}}}]}}
    body = raw("POST", "/api/v1/namespaces/%s/pods" % namespace, pod).body
    spec = body["spec"]
    assert not {"labels", "annotations", "finalizers"} & set(body["metadata"])
    assert not {"hostAliases", "nodeSelector", "tolerations"} & set(spec)
    assert spec["securityContext"] == {} and spec["volumes"] == [{"name": "v", "emptyDir": {}}]     # structs stay
    assert spec["containers"][0]["resources"] == {} and not {"command", "env"} & set(spec["containers"][0])
    cm = raw("POST", configmap_path(namespace), {"metadata": {"name": "empty"}, "data": {}}).body
    assert "data" not in cm
    put = raw("PUT", configmap_path(namespace, "empty"), dict(cm, data={"k": ""}, binaryData={})).body
    assert put["data"] == {"k": ""} and "binaryData" not in put          # an empty string is a value
    owner = owners(put)
    assert all("f:binaryData" not in fields for fields in owner.values())


def test_fields_go_marshals_without_omitempty_keep_an_empty_list(raw, namespace):
    slice_body = {"metadata": {"name": "s"}, "addressType": "IPv4", "endpoints": [], "ports": []}
    body = raw("POST", "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices" % namespace, slice_body).body
    assert (body["endpoints"], body["ports"]) == ([], [])


def test_custom_resources_keep_empty_lists_but_not_empty_metadata(raw, kube, namespace):
    kube.apply_crd(WIDGET_CRD)
    path = "/apis/example.com/v1/namespaces/%s/widgets" % namespace
    body = raw("POST", path, {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {}},
                              "spec": {"size": 1, "ports": []}}).body
    assert body["spec"]["ports"] == [] and "labels" not in body["metadata"]


def test_client_side_apply_of_empty_lists_stores_nothing_for_them(kubectl, namespace):
    doc = deployment("csa", [])
    doc["spec"]["template"]["spec"]["nodeSelector"] = {}
    ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(doc)))
    got = get(kubectl, "deployment", "csa", namespace)
    assert "hostAliases" not in got["spec"]["template"]["spec"] and "nodeSelector" not in got["spec"]["template"]["spec"]
    # kubectl's three-way patch sends the empty values again (so it says "configured", as against a real cluster),
    # and the server drops them again: nothing is stored.
    assert ok(kubectl("apply", "-n", namespace, "-f", "-", input=yaml.safe_dump(doc))).strip() == "deployment.apps/csa configured"
    assert get(kubectl, "deployment", "csa", namespace)["metadata"]["resourceVersion"] == got["metadata"]["resourceVersion"]


def test_a_custom_resource_keeps_an_applied_empty_list_until_it_empties_its_own_items(raw, kube, namespace):
    kube.apply_crd(WIDGET_CRD)
    path = "/apis/example.com/v1/namespaces/%s/widgets/w" % namespace

    def widget(ports):
        return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1, "ports": ports}}

    assert apply(raw, path, widget([]), "a").body["spec"]["ports"] == []          # merged as sent; unstructured keeps it
    assert apply(raw, path, widget([{"name": "http", "port": 80}]), "a").body["spec"]["ports"] == [{"name": "http", "port": 80}]
    body = apply(raw, path, widget([]), "a").body      # the list was this applier's alone: pruned, not left as []
    assert "ports" not in body["spec"]
    assert owners(body) == {"a": {"f:spec": {"f:size": {}}}}

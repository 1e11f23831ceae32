"""The workload_patches filter: the one patch builder of host_aliases and downward_api (issue 16, point 1)."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.workload_patches import FilterModule

workload_patches = FilterModule().filters()["workload_patches"]

WEB = {"kind": "Deployment", "name": "web", "namespace": "shop"}


def template_spec(patch):
    return patch["spec"]["template"]["spec"]


def test_host_aliases_patch_and_file():
    plan, = workload_patches([dict(WEB, entries=["10.0.0.5 db", "10.0.0.5 cache"])], "host_aliases")
    assert plan["ref"] == "Deployment shop/web" and plan["file"] == "deployment-shop-web.yaml" and plan["errors"] == []
    assert plan["patch"]["apiVersion"] == "apps/v1" and plan["patch"]["metadata"] == {"name": "web", "namespace": "shop"}
    assert template_spec(plan["patch"]) == {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db", "cache"]}]}


def test_absent_sets_empty_lists():
    assert template_spec(workload_patches([dict(WEB, entries=["10.0.0.5 db"])], "host_aliases", state="absent")[0]["patch"]) \
        == {"hostAliases": []}
    assert template_spec(workload_patches([dict(WEB, containers=["app"])], "downward_api", state="absent")[0]["patch"]) \
        == {"containers": [], "volumes": []}


def test_downward_api_env_and_volume():
    workload = {"kind": "Pod", "name": "p", "api_version": "v1", "containers": ["app", "sidecar"],
                "env": {"POD_NAME": "metadata.name"},
                "volume": {"mount_path": "/etc/podinfo", "files": {"labels": "metadata.labels"}, "default_mode": 420}}
    plan, = workload_patches([workload], "downward_api")
    assert plan["ref"] == "Pod default/p" and plan["file"] == "pod-default-p.yaml" and plan["errors"] == []
    mount = [{"name": "podinfo", "mountPath": "/etc/podinfo", "readOnly": True}]
    item = {"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}}
    env = [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}]
    assert plan["patch"]["spec"] == {
        "containers": [{"name": "app", "env": env, "volumeMounts": mount}, {"name": "sidecar", "env": env, "volumeMounts": mount}],
        "volumes": [{"name": "podinfo", "downwardAPI": {"items": [item], "defaultMode": 420}}]}
    only_env, = workload_patches([dict(workload, volume=None)], "downward_api")
    assert only_env["patch"]["spec"] == {"containers": [{"name": "app", "env": env}, {"name": "sidecar", "env": env}]}


def test_errors_are_kube_apiservers_prefixed_with_the_workload_and_a_second_listing_is_one():
    plan = workload_patches([dict(WEB, entries=["10.0.0.5 db"]), dict(WEB, entries=["not-an-ip db"])], "host_aliases",
                            listed_in="host_aliases_workloads")
    assert plan[0]["errors"] == []
    assert plan[1]["errors"][0] == "Deployment shop/web: listed more than once in host_aliases_workloads"
    assert plan[1]["errors"][1].startswith('Deployment shop/web: spec.template.spec.hostAliases[0].ip: Invalid value: "not-an-ip"')


def test_downward_api_errors_for_the_release():
    workload = {"kind": "Pod", "name": "p", "containers": ["app"], "env": {"X": "spec.nodeName"},
                "volume": {"mount_path": "/p", "files": {"n": "spec.nodeName"}}}
    errors = workload_patches([workload], "downward_api", kubernetes_version="1.36")[0]["errors"]
    assert errors[0].startswith('Pod default/p: spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName"')
    assert all(error.startswith("Pod default/p: ") for error in errors)


@pytest.mark.parametrize("args, message", [
    (([WEB], "hosts"), "feature must be one of downward_api, host_aliases"),
    (([WEB], "host_aliases", "gone"), "state must be present or absent"),
    (([dict(WEB, kind="Service")], "host_aliases"), "reference.kind 'Service' has no pod spec"),
    (("web", "host_aliases"), "workloads"),
    (([WEB], ["host_aliases"]), "feature must be one of"),  # unhashable: no TypeError
    (([WEB], "host_aliases", ["present"]), "state must be present or absent"),
    (([{"name": "web"}], "host_aliases"), r"workloads\[0\].kind must be a string, got null"),
    (([dict(WEB, namespace=3)], "host_aliases"), r"workloads\[0\].namespace must be a string"),
])
def test_bad_input_is_a_clean_error(args, message):
    with pytest.raises(AnsibleFilterError, match="workload_patches: .*" + message):
        workload_patches(*args)

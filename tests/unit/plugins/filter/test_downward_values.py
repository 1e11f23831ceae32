"""The downward_values filter, called as Jinja calls it."""
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.downward_values import FilterModule

downward_values = FilterModule().filters()["downward_values"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


IMAGE = "registry.example/app:1"  # the vectors' pods are pods kube-apiserver accepts (an image is required)


# vectors of the kubelet's functions that are no pod kube-apiserver stores (the filter refuses them: see
# tests/unit/vectors/differential.json for its answer)
NOT_EXPRESSIBLE = {
    "two IPv4 pod IPs: only the first is kept": "the status subresource refuses two IPs of one family",
}


def vectors(feature):
    return [pytest.param(v, id=v["name"]) for v in VECTORS if v["feature"] == feature and v["name"] not in NOT_EXPRESSIBLE]


@pytest.mark.parametrize("vec", vectors("downward_env_value"))
def test_env_value_vectors(vec):
    i = vec["input"]
    p = i["pod"]
    pod = {"metadata": {k: p[k] for k in ("name", "namespace", "labels", "annotations", "uid") if k in p},
           "spec": {"nodeName": p["nodeName"], "serviceAccountName": p["serviceAccountName"],
                    "containers": [{"name": "c", "image": IMAGE, "env": [{"name": n, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": path}}}
                                                                         for n, path in i["env_field_refs"].items()]}]},
           "status": {"podIPs": [{"ip": ip} for ip in i["pod_ips"]], "hostIPs": [{"ip": ip} for ip in i["node_ips"]]}}
    assert downward_values(pod) == {"c": {"env": vec["expected"], "files": {}, "unresolved": []}}


@pytest.mark.parametrize("vec", vectors("downward_resource_env_defaulted"))
def test_defaulted_limit_vectors(vec):
    i = vec["input"]
    container = dict(i["container"], image=IMAGE, env=[{"name": r, "valueFrom": {"resourceFieldRef": {"resource": r}}}
                                                       for r in i["resources_requested"]])
    pod = {"metadata": {"name": "p", "namespace": "ns", "uid": "u"},
           "spec": {"containers": [container], "resources": i.get("pod_resources", {})}}
    node = {"metadata": {"name": "n"}, "status": {"allocatable": i["node_allocatable"]}}
    assert downward_values(pod, node)["foo"]["env"] == vec["expected"]
    assert downward_values(pod, node=node)["foo"]["env"] == vec["expected"]


@pytest.mark.parametrize("vec", vectors("downward_volume_file"))
def test_volume_file_vectors(vec):
    i = vec["input"]
    item = {"path": i.get("path", "f"), "fieldRef": {"fieldPath": i["field_path"]}}
    if "item_mode" in i:
        item["mode"] = i["item_mode"]
    source = {"items": [item], "defaultMode": i.get("default_mode", 420)}
    pod = {"metadata": {"name": i.get("name", "p"), "namespace": "ns", "uid": "u", "labels": i.get("labels", {})},
           "spec": {"volumes": [{"name": "pi", "projected": {"sources": [{"downwardAPI": source}],
                                                             "defaultMode": i.get("default_mode", 420)}}],
                    "containers": [{"name": "c", "image": IMAGE, "volumeMounts": [{"name": "pi", "mountPath": "/pi"}]}]}}
    del source["defaultMode"]  # projected sources take the volume's mode
    expected = vec["expected"]
    assert downward_values(pod)["c"]["files"] == {
        "pi/" + expected.get("file", item["path"]): {"content": expected["content"], "mode": expected["mode"]}}


def test_secret_references_are_listed_not_guessed():
    pod = {"metadata": {"name": "p", "namespace": "ns", "uid": "u"},
           "spec": {"containers": [{"name": "app", "env": [
               {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
               {"name": "DSN", "value": "postgres://app:$(PASSWORD)@db"},
               {"name": "MODE", "value": "prod"}]}]}}
    assert downward_values(pod)["app"] == {
        "env": {"MODE": "prod"}, "files": {},
        "unresolved": [
            {"name": "PASSWORD", "field": "spec.containers[0].env[0]", "reason": "secretKeyRef: the value comes from the API"},
            {"name": "DSN", "field": "spec.containers[0].env[1]",
             "reason": "uses $(PASSWORD): secretKeyRef: the value comes from the API"}]}


@pytest.mark.parametrize("args, message", [
    ((), "downward_values: missing a required argument: 'pod'"),
    (({"kind": "Service"},), "downward_values: downward_values needs a Pod, got kind 'Service'"),
    (({"spec": {"containers": [{"name": "c", "env": [{"name": "L", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels"}}}]}]}},),
     "downward_values: pod: kube-apiserver would reject it: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: "
     'Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", '
     '"spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"'),
    (({"spec": {}}, []), "downward_values: node must be a mapping, got list []"),
])
def test_errors(args, message):
    with pytest.raises(AnsibleFilterError) as err:
        downward_values(*args)
    assert str(err.value) == message

"""The Downward API core: field paths, values, resources, volume files, validation, builders, resolver."""
import copy
import json
import os

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.downward import (
    container_resources, env_values, exposure, fieldpath, volume_files)
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.values import downward_values
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

FEATURES = {"fieldpath_format_map": 4, "fieldpath_extract": 8, "fieldpath_split_subscript": 6,
            "downward_convert_field_label": 6, "downward_env_value": 3, "downward_resource_value": 14,
            "downward_resource_env_defaulted": 3, "downward_volume_file": 3, "validation_env_fieldref": 14,
            "validation_divisor": 9, "validation_volume_file": 10}

ENV_SUPPORTED = ('supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
                 '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"')
VOLUME_SUPPORTED = ('supported values: "metadata.annotations", "metadata.labels", "metadata.name", '
                    '"metadata.namespace", "metadata.uid"')


def vectors(feature):
    return [pytest.param(v, id=v["name"]) for v in VECTORS if v["feature"] == feature]


def error_of(func, *args):
    with pytest.raises(InputError) as err:
        func(*args)
    return str(err.value)


def assert_error(vec, func, *args):
    """A vector's ``{"error": exact}`` or ``{"error_contains": part}``."""
    message = error_of(func, *args)
    expected = vec["expected"]
    if "error" in expected:
        assert message == expected["error"]
    assert expected.get("error_contains", "") in message


def pod(containers=None, volumes=None, status=None, **spec):
    spec = dict(spec, containers=containers or [{"name": "c"}])
    if volumes is not None:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-0", "namespace": "prod", "uid": "u-1",
                         "labels": {"app": "web", "tier": "front"}, "annotations": {"note": 'say "hi"'}},
            "spec": spec, "status": status if status is not None else {"podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}]}}


NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
        "status": {"allocatable": {"cpu": "8", "memory": "16Gi", "ephemeral-storage": "100Gi"},
                   "addresses": [{"type": "Hostname", "address": "n1"}, {"type": "ExternalIP", "address": "203.0.113.1"},
                                 {"type": "InternalIP", "address": "192.168.1.1"},
                                 {"type": "InternalIP", "address": "fd00:1::1"}]}}


def field_env(name, path):
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def resource_env(name, resource, **extra):
    return {"name": name, "valueFrom": {"resourceFieldRef": dict(extra, resource=resource)}}


# --- vectors -----------------------------------------------------------------------------------

def test_vector_counts():
    features = [v["feature"] for v in VECTORS]
    assert {f: features.count(f) for f in FEATURES} == FEATURES


@pytest.mark.parametrize("vec", vectors("fieldpath_format_map"))
def test_format_map(vec):
    assert fieldpath.format_map(vec["input"]["map"]) == vec["expected"]


@pytest.mark.parametrize("vec", vectors("fieldpath_extract"))
def test_extract_field_path_as_string(vec):
    obj = {"metadata": vec["input"]["metadata"]}
    if isinstance(vec["expected"], dict):
        assert_error(vec, fieldpath.extract_field_path_as_string, obj, vec["input"]["field_path"])
    else:
        assert fieldpath.extract_field_path_as_string(obj, vec["input"]["field_path"]) == vec["expected"]


@pytest.mark.parametrize("vec", vectors("fieldpath_split_subscript"))
def test_split_maybe_subscripted_path(vec):
    path, subscript, ok = fieldpath.split_maybe_subscripted_path(vec["input"]["field_path"])
    assert {"path": path, "subscript": subscript, "ok": ok} == vec["expected"]


@pytest.mark.parametrize("vec", vectors("downward_convert_field_label"))
def test_convert_downward_api_field_label(vec):
    i = vec["input"]
    if "error" in vec["expected"]:
        assert_error(vec, fieldpath.convert_downward_api_field_label, i["version"], i["label"], i["value"])
    else:
        label, value = fieldpath.convert_downward_api_field_label(i["version"], i["label"], i["value"])
        assert {"label": label, "value": value} == vec["expected"]


def env_value_pod(i):
    p = i["pod"]
    return {"metadata": {k: p[k] for k in ("name", "namespace", "labels", "annotations", "uid") if k in p},
            "spec": {"nodeName": p["nodeName"], "serviceAccountName": p["serviceAccountName"]}}


@pytest.mark.parametrize("vec", vectors("downward_env_value"))
def test_pod_field_runtime_value(vec):
    i = vec["input"]
    got = {name: env_values.pod_field_runtime_value(i["api_version"], path, env_value_pod(i), i["pod_ips"], i["node_ips"])
           for name, path in i["env_field_refs"].items()}
    assert got == vec["expected"]


@pytest.mark.parametrize("vec", [v for v in vectors("downward_env_value") if v.values[0]["name"] != "two IPv4 pod IPs: only the first is kept"])
def test_env_value_through_downward_values(vec):
    """The kubelet-level vectors through the filter's core (a pod with two IPv4 pod IPs is no pod the
    status subresource stores: downward_values refuses it, see test_two_pod_ips_of_one_family_are_refused)."""
    i = vec["input"]
    manifest = env_value_pod(i)
    manifest["spec"]["containers"] = [{"name": "c", "env": [
        {"name": name, "valueFrom": {"fieldRef": {"apiVersion": i["api_version"], "fieldPath": path}}}
        for name, path in i["env_field_refs"].items()]}]
    manifest["status"] = {"podIPs": [{"ip": ip} for ip in i["pod_ips"]]}
    node = {"status": {"addresses": [{"type": "InternalIP", "address": ip} for ip in i["node_ips"]]}}
    assert downward_values(manifest, node)["c"]["env"] == vec["expected"]


def test_two_pod_ips_of_one_family_are_refused():
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]},
           "status": {"podIPs": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}]}}
    assert error_of(downward_values, pod) == (
        "pod's status: kube-apiserver would reject it: status.podIPs: Invalid value: "
        '[{"IP":"10.0.0.1"},{"IP":"10.0.0.2"}]: may specify no more than one IP for each IP family')


@pytest.mark.parametrize("vec", vectors("downward_resource_value"))
def test_extract_resource_value_by_container_name(vec):
    i = vec["input"]
    selector = {"resource": i["resource"]}
    if "divisor" in i:
        selector["divisor"] = i["divisor"]
    args = (selector, i["pod"], i["container_name"])
    if isinstance(vec["expected"], dict):
        assert_error(vec, container_resources.extract_resource_value_by_container_name, *args)
    else:
        assert container_resources.extract_resource_value_by_container_name(*args) == vec["expected"]


def defaulted_vector_pod(i):
    container = dict(i["container"], env=[resource_env(r, r) for r in i["resources_requested"]])
    spec = {"containers": [container]}
    if "pod_resources" in i:
        spec["resources"] = i["pod_resources"]
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "u"}, "spec": spec}


@pytest.mark.parametrize("vec", vectors("downward_resource_env_defaulted"))
def test_limits_defaulted_for_env(vec):
    """The core steps with the vector's feature gate: pod-level limits, then node allocatable."""
    i = vec["input"]
    gate = i.get("feature_gates", {}).get("PodLevelResources", True)
    allocatable = container_resources.resource_list(i, "node_allocatable", "")
    pod_limits = container_resources.resource_list(i.get("pod_resources", {}), "limits", "")
    limits, requests = container_resources.container_resources(i["container"], "container")
    limits = container_resources.merge_container_resource_limits(limits, container_resources.pod_level_allocatable(allocatable, pod_limits, gate))
    got = {r: container_resources.extract_container_resource_value(r, None, limits, requests) for r in i["resources_requested"]}
    assert got == vec["expected"]


@pytest.mark.parametrize("vec", vectors("downward_resource_env_defaulted"))
def test_limits_defaulted_through_downward_values(vec):
    i = vec["input"]
    assert i.get("feature_gates", {}).get("PodLevelResources", True)  # the gate downward_values assumes
    node = {"status": {"allocatable": i["node_allocatable"]}}
    assert downward_values(defaulted_vector_pod(i), node)["foo"]["env"] == vec["expected"]


@pytest.mark.parametrize("vec", vectors("downward_volume_file"))
def test_volume_file(vec):
    i = vec["input"]
    item = {"path": i["path"] if "path" in i else "file", "fieldRef": {"apiVersion": "v1", "fieldPath": i["field_path"]}}
    if "item_mode" in i:
        item["mode"] = i["item_mode"]
    source = {"items": [item]}
    if "default_mode" in i:
        source["defaultMode"] = i["default_mode"]
    manifest = {"metadata": {"name": i.get("name", "test"), "namespace": "ns", "uid": "u", "labels": i.get("labels", {})},
                "spec": {"volumes": [{"name": "podinfo", "downwardAPI": source}],
                         "containers": [{"name": "c", "volumeMounts": [{"name": "podinfo", "mountPath": "/etc/podinfo"}]}]}}
    files = downward_values(manifest)["c"]["files"]
    expected = vec["expected"]
    assert files == {"podinfo/" + expected.get("file", item["path"]): {"content": expected["content"], "mode": expected["mode"]}}


def as_container_env(text):
    return text.replace("field[", "spec.containers[0].env[", 1) if text.startswith("field[") else text


@pytest.mark.parametrize("vec", vectors("validation_env_fieldref") + vectors("validation_divisor"))
def test_validate_env(vec):
    """The apiserver's internal validation, without v1 defaulting, as the Go test runs it."""
    errors = [str(e) for e in exposure.validate_env(vec["input"]["env"], vec["input"]["field_path_root"], defaults=False)]
    if vec["expected"]["valid"]:
        assert errors == []
    else:
        assert errors and any(vec["expected"]["error_contains"] in e for e in errors), errors


@pytest.mark.parametrize("vec", [v for v in vectors("validation_env_fieldref") + vectors("validation_divisor")
                                 if v.id != "missing APIVersion on ObjectFieldSelector"])  # defaulted in manifests
def test_validate_env_of_a_pod_manifest(vec):
    errors = [str(e) for e in validation_errors(pod([{"name": "c", "env": vec["input"]["env"]}]))]
    if vec["expected"]["valid"]:
        assert errors == []
    else:
        assert any(as_container_env(vec["expected"]["error_contains"]) in e for e in errors), errors


def test_manifest_api_version_is_defaulted_before_validation():
    env = [{"name": "abc", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    assert exposure.validate_env(env, "env", defaults=False) != []
    assert validation_errors(pod([{"name": "c", "env": env}])) == []


@pytest.mark.parametrize("vec", vectors("validation_volume_file"))
def test_validate_volume(vec):
    errors = [str(e) for e in exposure.validate_volume(vec["input"]["volume"], vec["input"]["field_path_root"], defaults=False)]
    if vec["expected"]["valid"]:
        assert errors == []
    else:
        assert errors and any(vec["expected"]["error_contains"] in e for e in errors), errors


@pytest.mark.parametrize("vec", vectors("validation_volume_file"))
def test_validate_volume_of_a_pod_manifest(vec):
    errors = [str(e) for e in validation_errors(pod(volumes=[vec["input"]["volume"]]))]
    if vec["expected"]["valid"]:
        assert errors == []
    else:
        expected = vec["expected"]["error_contains"].replace("field[0].", "spec.volumes[0].", 1)
        assert any(expected in e for e in errors), errors


# --- validation through validation_errors ------------------------------------------------------

def test_whole_label_map_in_env_is_rejected_with_the_apiserver_message():
    manifest = pod([{"name": "app", "env": [field_env("LABELS", "metadata.labels")]}])
    assert [str(e) for e in validation_errors(manifest)] == [
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": ' + ENV_SUPPORTED]


def test_workload_templates_report_their_own_paths():
    template = {"spec": {"containers": [{"name": "app", "env": [field_env("LABELS", "metadata.labels")]}],
                         "volumes": [{"name": "v", "downwardAPI": {"items": [{"path": "/abs", "fieldRef": {"fieldPath": "metadata.name"}}]}}]}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": dict(template, metadata={"labels": {"app": "d"}})}}
    cronjob = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "j"},
               "spec": {"jobTemplate": {"spec": {"template": copy.deepcopy(template)}}}}
    cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert [str(e) for e in validation_errors(deployment)] == [
        'spec.template.spec.volumes[0].downwardAPI.path: Invalid value: "/abs": must be a relative path',
        'spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": '
        + ENV_SUPPORTED]
    assert [str(e) for e in validation_errors(cronjob)] == [
        'spec.jobTemplate.spec.template.spec.volumes[0].downwardAPI.path: Invalid value: "/abs": must be a relative path',
        'spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: '
        '"metadata.labels": ' + ENV_SUPPORTED]


def test_init_and_ephemeral_containers_are_validated():
    manifest = pod(initContainers=[{"name": "i", "env": [resource_env("X", "limits.gpu")]}],
                   ephemeralContainers=[{"name": "e", "env": [{"name": "Y", "value": "v", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}])
    assert [str(e) for e in validation_errors(manifest)] == [
        'spec.initContainers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: '
        '"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
        'spec.ephemeralContainers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty']


@pytest.mark.parametrize("path, errors", [
    ("a/..b", []),
    ("path/with/leading/..dotdot", []),
    ("", ['v.downwardAPI.path: Required value']),
    ("../x", ['v.downwardAPI.path: Invalid value: "../x": must not contain \'..\'']),
    ("a/../../b", ['v.downwardAPI.path: Invalid value: "a/../../b": must not contain \'..\'']),
    ("/..x", ['v.downwardAPI.path: Invalid value: "/..x": must be a relative path']),
    # upstream's comment says the second error is skipped, but its condition still fires for ".."
    ("..", ['v.downwardAPI.path: Invalid value: "..": must not contain \'..\'',
            'v.downwardAPI.path: Invalid value: "..": must not start with \'..\'']),
    ("x" * 5000, []),  # no length limit in the API
])
def test_item_paths(path, errors):
    volume = {"name": "v", "downwardAPI": {"items": [{"path": path, "fieldRef": {"fieldPath": "metadata.name"}}]}}
    assert [str(e) for e in exposure.validate_volume(volume, "v")] == errors


@pytest.mark.parametrize("item, errors", [
    ({"path": "a"}, ['v.downwardAPI: Required value: one of fieldRef and resourceFieldRef is required']),
    ({"path": "a", "fieldRef": {"fieldPath": "spec.host"}},
     ['v.downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": ' + VOLUME_SUPPORTED]),
    ({"path": "a", "fieldRef": {"fieldPath": "status.podIP"}},
     ['v.downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIP": ' + VOLUME_SUPPORTED]),
    ({"path": "a", "fieldRef": {"fieldPath": "metadata.annotations['Example.COM/Key']"}}, []),
    ({"path": "a", "resourceFieldRef": {"containerName": "c", "resource": "limits.gpu"}},
     ['v.downwardAPI.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", '
      '"limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"']),
    # without containerName the resource is not checked, the divisor still is
    ({"path": "a", "resourceFieldRef": {"resource": "limits.cpu", "divisor": "2"}},
     ['v.downwardAPI.resourceFieldRef.containerName: Required value',
      'v.downwardAPI.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor\'s values 1m and 1 are supported '
      'with the cpu resource']),
    ({"path": "a", "mode": 0o1000, "fieldRef": {"fieldPath": "metadata.name"}},
     ['v.downwardAPI.mode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive']),
])
def test_volume_items(item, errors):
    volume = {"name": "v", "downwardAPI": {"items": [item]}}
    assert [str(e) for e in exposure.validate_volume(volume, "v")] == errors


@pytest.mark.parametrize("divisor, resource, valid", [
    ("1000m", "limits.cpu", True), ("1m", "requests.cpu", True), ("0", "limits.cpu", True), (1, "limits.cpu", True),
    ("1000", "limits.memory", True), ("1024Ki", "limits.memory", True), ("0.001k", "limits.memory", True),
    ("1024", "limits.memory", False), ("1e3", "limits.memory", False), ("1k", "limits.cpu", False),
    ("-1", "limits.cpu", False), ("3", "limits.gpu-thing", True),
])
def test_divisor_is_compared_in_canonical_form(divisor, resource, valid):
    errors = exposure.validate_container_resource_divisor(resource, Quantity.parse(divisor), "r")
    assert (errors == []) is valid


@pytest.mark.parametrize("divisor, resource", [
    ("+1", "limits.cpu"), ("01", "requests.cpu"), ("1e0", "limits.cpu"), ("01Mi", "limits.memory"),
    ("+1Ki", "limits.ephemeral-storage"), ("1E3", "limits.hugepages-2Mi"),
])
def test_divisor_text_kept_by_parse_quantity_is_what_validation_compares(divisor, resource):
    """``validateContainerResourceDivisor`` tests ``divisor.String()``, and ``ParseQuantity`` keeps the
    text it was given when its int64 path deems it canonical (apimachinery quantity.go): ``+1``,
    ``01``, ``1e0`` are not ``1`` to the apiserver."""
    errors = exposure.validate_container_resource_divisor(resource, Quantity.parse(divisor), "r")
    assert [str(e).split(": ", maxsplit=1)[0] for e in errors] == ["r.divisor"]


def test_a_divisor_with_spaces_is_read_as_the_apiserver_decodes_it():
    env = [resource_env("C", "limits.cpu", divisor=" 1m ")]
    assert validation_errors(pod([{"name": "c", "env": env}])) == []


@pytest.mark.parametrize("limit, expected", [
    ("1000E", "1"),     # String() of 10^21 has no suffix past E: the apiserver stores "1"
    ("10E", "0"),       # Value() of an int64Amount that overflows is 0
    ("1.0000001", "2"),
    (" 2Gi ", "2147483648"),
])
def test_resource_values_are_read_as_the_kubelet_reads_them(limit, expected):
    """The kubelet reads limits the apiserver decoded (``UnmarshalJSON``), defaulted (``RoundUp(-3)``)
    and stored as ``String()``; ``Value()`` then has Go's int64 overflow."""
    manifest = pod([{"name": "c", "resources": {"limits": {"memory": limit}}, "env": [resource_env("M", "limits.memory")]}])
    assert downward_values(manifest, NODE)["c"]["env"] == {"M": expected}


def test_projected_volume_rules():
    volume = {"name": "v", "projected": {"defaultMode": -1, "sources": [
        {"configMap": {"name": "cm", "items": [{"key": "k", "path": "a"}]}},
        {"downwardAPI": {"items": [{"path": "a", "fieldRef": {"fieldPath": "metadata.name"}},
                                   {"path": "b", "fieldRef": {"fieldPath": "status.phase"}}]}},
        {"secret": {"name": "s", "items": [{"key": "k", "path": "b"}]}},
        {"clusterTrustBundle": {"signerName": "x", "path": "a"}}]}}
    assert [str(e) for e in validation_errors(pod(volumes=[volume]))] == [
        'spec.volumes[0].projected.defaultMode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive',
        'spec.volumes[0].projected: Invalid value: "a": conflicting duplicate paths',
        'spec.volumes[0].projected.sources[1].downwardAPI.fieldRef.fieldPath: Unsupported value: "status.phase": '
        + VOLUME_SUPPORTED,
        'spec.volumes[0].projected: Invalid value: "s": conflicting duplicate paths']
    # the second "a" conflict repeats a text: declarative validation's handling drops it (1.37); the
    # clusterTrustBundle's own signerName rule is not a Downward API rule (not covered)


@pytest.mark.parametrize("volume, errors", [
    # validateVolumeSource: a second volume type is refused and not validated (upstream spells the path "downwarAPI")
    ({"name": "v", "emptyDir": {}, "downwardAPI": {"items": [{"path": "/abs", "fieldRef": {"fieldPath": "metadata.name"}}]}},
     ["v.downwarAPI: Forbidden: may not specify more than 1 volume type"]),
    ({"name": "v", "configMap": {"name": "c"}, "projected": {"defaultMode": -1}},
     ["v.projected: Forbidden: may not specify more than 1 volume type"]),
    ({"name": "v", "downwardAPI": {"defaultMode": -1}, "projected": {"defaultMode": -1}},
     ["v.downwardAPI.defaultMode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
      "v.projected: Forbidden: may not specify more than 1 volume type"]),
    # a type after downwardAPI does not stop it from being validated
    ({"name": "v", "downwardAPI": {"defaultMode": -1}, "configMap": {"name": "c"}},
     ["v.downwardAPI.defaultMode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive"]),
    # validateProjectionSources: one volume type per source, reported after the source's own errors
    ({"name": "v", "projected": {"sources": [{"configMap": {"name": "c"},
                                              "downwardAPI": {"items": [{"path": "/a", "fieldRef": {"fieldPath": "metadata.name"}}]}}]}},
     ['v.projected.sources[0].downwardAPI.path: Invalid value: "/a": must be a relative path',
      "v.projected.sources[0]: Forbidden: may not specify more than 1 volume type per source"]),
])
def test_one_volume_type_per_volume_and_per_projected_source(volume, errors):
    """pkg/apis/core/validation/validation.go ``validateVolumeSource`` and ``validateProjectionSources``."""
    assert [str(e) for e in exposure.validate_volume(volume, "v")] == errors


@pytest.mark.parametrize("spec", [
    {"containers": "x"}, {"containers": [1]}, {"containers": [{"env": [{"valueFrom": []}]}]},
    {"containers": [{"env": [{"valueFrom": {"fieldRef": {"fieldPath": 5}}}]}]},
    {"containers": [{"env": [{"valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "x"}}}]}]},
    {"volumes": [{"downwardAPI": {"items": [{"path": "a", "mode": True}]}}]},
    {"volumes": [{"downwardAPI": {"defaultMode": 1 << 40}}]},
])
def test_wrong_types_are_input_errors(spec):
    with pytest.raises(InputError):
        exposure.validate_volumes_and_containers(spec, "spec")


# --- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("this//labels", "this/labels"), ("//a", "/a"), ("a/./b/../c", "a/c"), ("", "."), ("a/", "a"), ("../a", "../a")])
def test_go_clean_path(path, expected):
    assert volume_files.go_clean_path(path) == expected


@pytest.mark.parametrize("path, message", [
    ("", 'invalid path: must not be empty: ""'),
    ("/a", "invalid path: must be relative path: /a"),
    ("a/" * 2049, "invalid path: must be less than or equal to 4096 characters"),
    ("a/../b", "invalid path: must not contain '..': a/../b"),
    ("d/" + "é" * 128, "invalid path: filenames must be less than or equal to 255 characters"),
    ("..a/b", "invalid path: must not start with '..': ..a/b"),
])
def test_atomic_writer_path(path, message):
    assert error_of(volume_files.validate_atomic_writer_path, path) == message


@pytest.mark.parametrize("path", ["a", "a/..b", "." + "x" * 254, "ok/" + "n" * 255])
def test_atomic_writer_accepts(path):
    volume_files.validate_atomic_writer_path(path)


@pytest.mark.parametrize("pod_ips, node_ips, expected", [
    (["10.0.0.1", "fd00::1"], [], ["10.0.0.1", "fd00::1"]),
    (["fd00::1", "10.0.0.1"], ["10.1.1.1"], ["10.0.0.1", "fd00::1"]),
    (["10.0.0.1", "fd00::1"], ["fd00::a"], ["fd00::1", "10.0.0.1"]),
    (["192.168.1.1.", "::ffff:10.0.0.9", "fd00::1"], [], ["10.0.0.9", "fd00::1"]),  # v4-mapped counts as IPv4
    (["junk"], [], []),
    # the newest kubelet parses and re-stringifies them ("in case the values from CRI use an irregular format")
    (["2001:DB8::0001", "010.000.000.001"], [], ["10.0.0.1", "2001:db8::1"]),
])
def test_sort_pod_ips(pod_ips, node_ips, expected):
    """``sortPodIPs`` (pkg/kubelet/kubelet_pods.go): the first IP of the primary family, then the first
    of the other, each as ``ParseIPSloppy(ip).String()``."""
    assert env_values.sort_pod_ips(pod_ips, node_ips) == expected


def test_node_host_ips():
    assert env_values.node_host_ips(NODE) == ["192.168.1.1", "fd00:1::1"]
    external = {"status": {"addresses": [{"type": "ExternalIP", "address": "::ffff:203.0.113.1"}]}}
    assert env_values.node_host_ips(external) == ["203.0.113.1"]
    none = {"status": {"addresses": [{"type": "Hostname", "address": "n1"}]}}
    assert error_of(env_values.node_host_ips, none) == "host IP unknown; known addresses: [{Hostname n1}]"


def test_expand():
    values = {"A": "x", "EMPTY": ""}

    def lookup(name):
        return values.get(name, "$(%s)" % name)

    assert env_values.expand("$(A)-$(EMPTY)-$(B)-$$(A)-$$$(A)-$(A-$x-$", lookup) == "x--$(B)-$(A)-$x-$(A-$x-$"
    assert env_values.expand("cost: 5$", lookup) == "cost: 5$"
    # tryReadVariableName decodes the rune after "$" (kubernetes PR #136325, in 1.34.x, 1.35.x and 1.36):
    # "$é" stays as written; before it, the first byte alone made invalid UTF-8
    assert env_values.expand("$é-$日本-$$é", lookup) == "$é-$日本-$é"


def full_pod():
    return pod(
        resources={"limits": {"cpu": "2"}},
        volumes=[
            {"name": "info", "downwardAPI": {"items": [
                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                {"path": "annotations", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.annotations"}},
                {"path": "a//cpu", "mode": 0o400, "resourceFieldRef": {"containerName": "app", "resource": "limits.cpu", "divisor": "1m"}},
                {"path": "mem", "resourceFieldRef": {"containerName": "init", "resource": "limits.memory"}}]}},
            {"name": "proj", "projected": {"defaultMode": 0o600, "sources": [
                {"downwardAPI": {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}},
                {"configMap": {"name": "cm"}}]}},
            {"name": "scratch", "emptyDir": {}}],
        initContainers=[{"name": "init", "env": [resource_env("MEM", "limits.memory")],
                         "volumeMounts": [{"name": "info", "mountPath": "/l", "subPath": "labels"}]}],
        containers=[
            {"name": "app", "resources": {"limits": {"memory": "1Gi"}},
             "envFrom": [{"configMapRef": {"name": "x"}, "prefix": "CM_"}],
             "env": [{"name": "A", "value": "x"},
                     field_env("IP", "status.podIP"),
                     {"name": "URL", "value": "http://$(IP):80/$(A)/$(UNDEFINED)$$(A)"},
                     {"name": "FROM_CM", "value": "$(CM_KEY)"},
                     {"name": "K", "value": "$(KUBERNETES_SERVICE_HOST)"},
                     {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                     {"name": "USES_S", "value": "pw=$(S)"},
                     resource_env("CPU", "limits.cpu", divisor="1m"),
                     resource_env("MEM_OF_INIT", "limits.memory", containerName="init"),
                     field_env("HOST_IPS", "status.hostIPs"),
                     field_env("NODE", "spec.nodeName"),
                     field_env("SA", "spec.serviceAccountName"),
                     field_env("NOTE", "metadata.annotations['note']"),
                     {"name": "EMPTY"},
                     {"name": "A", "value": "y"}],
             "volumeMounts": [{"name": "info", "mountPath": "/etc/info"}, {"name": "proj", "mountPath": "/p"},
                              {"name": "scratch", "mountPath": "/tmp"}]},
            {"name": "side", "volumeMounts": [{"name": "info", "mountPath": "/i", "subPathExpr": "$(X)"}]}])


COMMON_UNRESOLVED = [
    {"name": None, "field": "spec.containers[0].envFrom[0]", "reason": "configMapRef: the variables come from the API"},
    {"name": "FROM_CM", "field": "spec.containers[0].env[3]", "reason": "uses $(CM_KEY), which envFrom may define"},
    {"name": "K", "field": "spec.containers[0].env[4]",
     "reason": "uses $(KUBERNETES_SERVICE_HOST), which may be a service environment variable"},
    {"name": "S", "field": "spec.containers[0].env[5]", "reason": "secretKeyRef: the value comes from the API"},
    {"name": "USES_S", "field": "spec.containers[0].env[6]", "reason": "uses $(S): secretKeyRef: the value comes from the API"},
]
PROJECTED_UNRESOLVED = {"name": "proj", "field": "spec.volumes[1].projected.sources[1].configMap",
                        "reason": "the configMap source's files come from the API"}
SIDE = {"env": {}, "files": {}, "unresolved": [
    {"name": "info", "field": "spec.containers[1].volumeMounts[0].subPathExpr", "reason": "subPathExpr is expanded by the kubelet"}]}
APP_ENV = {"A": "y", "IP": "10.0.0.5", "URL": "http://10.0.0.5:80/x/$(UNDEFINED)$(A)", "CPU": "2000", "MEM_OF_INIT": "0",
           "SA": "default", "NOTE": 'say "hi"', "EMPTY": ""}


def test_downward_values_with_the_node():
    values = downward_values(full_pod(), NODE)
    assert values == {
        "init": {"env": {"MEM": "17179869184"},  # the current container is defaulted, even an init container
                 "files": {"info/labels": {"content": 'app="web"\ntier="front"', "mode": 420}}, "unresolved": []},
        "app": {"env": dict(APP_ENV, HOST_IPS="192.168.1.1,fd00:1::1", NODE="n1"),
                "files": {"info/labels": {"content": 'app="web"\ntier="front"', "mode": 420},
                          "info/annotations": {"content": 'note="say \\"hi\\""', "mode": 420},
                          "info/a/cpu": {"content": "8000", "mode": 256},  # volumes ignore pod-level limits
                          "info/mem": {"content": "17179869184", "mode": 420},  # init containers are defaulted in volumes
                          "proj/name": {"content": "web-0", "mode": 384}},
                "unresolved": COMMON_UNRESOLVED + [PROJECTED_UNRESOLVED]},
        "side": SIDE}
    assert list(values) == ["init", "app", "side"]
    assert list(values["app"]["env"])[:3] == ["A", "IP", "URL"]  # declaration order, later duplicates win in place


def test_downward_values_without_the_node():
    values = downward_values(full_pod())
    allocatable = "%s: the limit is unset, so the kubelet uses the node's allocatable; pass the node"
    assert values["init"] == {
        "env": {}, "files": {"info/labels": {"content": 'app="web"\ntier="front"', "mode": 420}},
        "unresolved": [{"name": "MEM", "field": "spec.initContainers[0].env[0]", "reason": allocatable % "memory"}]}
    assert values["app"]["env"] == APP_ENV  # the pod-level cpu limit still applies
    assert values["app"]["unresolved"] == COMMON_UNRESOLVED + [
        {"name": "HOST_IPS", "field": "spec.containers[0].env[9]",
         "reason": "status.hostIPs: the node's IPs are unknown; pass a node with an InternalIP or ExternalIP address, or set status.hostIPs"},
        {"name": "NODE", "field": "spec.containers[0].env[10]", "reason": "spec.nodeName: the pod is not bound to a node; pass the node"},
        {"name": "info/a/cpu", "field": "spec.volumes[0].downwardAPI.items[2]", "reason": allocatable % "cpu"},
        {"name": "info/mem", "field": "spec.volumes[0].downwardAPI.items[3]", "reason": allocatable % "memory"},
        PROJECTED_UNRESOLVED]
    assert values["side"] == SIDE


def test_status_host_ips_stand_in_for_the_node():
    manifest = pod([{"name": "c", "env": [field_env("H", "status.hostIP"), field_env("P", "status.podIPs")]}],
                   status={"podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}], "hostIPs": [{"ip": "fd00:1::0001"}]})
    assert downward_values(manifest)["c"]["env"] == {"H": "fd00:1::1", "P": "fd00::5,10.0.0.5"}


def test_unknown_ips_and_metadata_are_unresolved():
    manifest = pod([{"name": "c", "env": [field_env("IP", "status.podIP"), field_env("UID", "metadata.uid")]}], status={})
    del manifest["metadata"]["uid"]
    assert [(u["name"], u["reason"]) for u in downward_values(manifest)["c"]["unresolved"]] == [
        ("IP", "status.podIP: the pod has no IP yet (no status.podIPs)"),
        ("UID", "metadata.uid is not set in this manifest; the apiserver assigns it")]


def test_service_links_decide_which_names_may_be_service_variables():
    env = [{"name": "A", "value": "$(MY_DB_SERVICE_HOST)"}, {"name": "B", "value": "$(KUBERNETES_PORT_443_TCP_ADDR)"},
           {"name": "C", "value": "$(HOME)"}]
    with_links = downward_values(pod([{"name": "c", "env": env}]))["c"]
    without = downward_values(pod([{"name": "c", "env": env}], enableServiceLinks=False))["c"]
    assert with_links["env"] == {"C": "$(HOME)"}
    assert without["env"] == {"A": "$(MY_DB_SERVICE_HOST)", "C": "$(HOME)"}
    assert [u["name"] for u in without["unresolved"]] == ["B"]


def test_earlier_values_are_used_by_later_references():
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "$(A)$(C)"}, {"name": "A", "value": "2"},
           {"name": "C", "value": "3"}, {"name": "D", "value": "$(A)$(C)"}]
    assert downward_values(pod([{"name": "c", "env": env}]))["c"]["env"] == {"A": "2", "B": "1$(C)", "C": "3", "D": "23"}


def test_allocatable_defaults_to_capacity_and_requests_are_never_defaulted():
    node = {"status": {"capacity": {"cpu": "4", "memory": "1Gi"}}}
    env = [resource_env("L", "limits.cpu"), resource_env("R", "requests.memory"), resource_env("E", "limits.ephemeral-storage"),
           resource_env("H", "limits.hugepages-2Mi", divisor="1Mi")]
    manifest = pod([{"name": "c", "env": env, "resources": {"limits": {"hugepages-2Mi": "4Mi"}}}])
    assert downward_values(manifest, node)["c"]["env"] == {"L": "4", "R": "0", "E": "0", "H": "4"}


def test_kubelet_failures_are_errors():
    missing = pod([{"name": "c", "env": [resource_env("X", "limits.cpu", containerName="nope")]}])
    assert error_of(downward_values, missing) == (
        "spec.containers[0].env[0].valueFrom.resourceFieldRef: container nope not found")
    long_name = pod([{"name": "c", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
                    volumes=[{"name": "v", "downwardAPI": {"items": [{"path": "n" * 256, "fieldRef": {"fieldPath": "metadata.name"}}]}}])
    assert error_of(downward_values, long_name) == "invalid path: filenames must be less than or equal to 255 characters"
    no_volume = pod([{"name": "c", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}])
    assert error_of(downward_values, no_volume) == (
        'spec.containers[0].volumeMounts[0]: cannot find volume "v" to mount into the container')


def test_pods_the_apiserver_rejects_are_errors():
    assert error_of(downward_values, pod([{"name": "c", "env": [field_env("L", "metadata.labels")]}])) == (
        "pod: kube-apiserver would reject it: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: "
        'Unsupported value: "metadata.labels": ' + ENV_SUPPORTED)


@pytest.mark.parametrize("manifest, node, message", [
    ({"kind": "Deployment"}, None, "downward_values needs a Pod, got kind 'Deployment'"),
    (pod([{"name": "c"}, {"name": "c"}]), None, "spec.containers[1].name: every container needs a unique, non-empty name, got 'c'"),
    (pod([{"image": "x"}]), None, "spec.containers[0].name: every container needs a unique, non-empty name, got ''"),
    ("pod", None, "pod must be a mapping, got string 'pod'"),
    (pod(), "node", "node must be a mapping, got string 'node'"),
    (pod([{"name": "c", "resources": {"limits": {"cpu": "lots"}}, "env": [resource_env("X", "limits.cpu")]}]), None,
     "spec.containers[0].resources.limits[cpu]: 'lots': quantities must match the regular expression "
     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
])
def test_bad_input(manifest, node, message):
    assert error_of(downward_values, manifest, node) == message


# --- builders ----------------------------------------------------------------------------------

def test_downward_env():
    assert exposure.downward_env({"POD": "metadata.name", "MEM": {"resource": "limits.memory", "divisor": "1Mi"},
                                  "CPU": {"resource": "limits.cpu", "container": "app"},
                                  "NS": {"fieldPath": "metadata.namespace"}}) == [
        {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "containerName": "app"}}},
        {"name": "NS", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}]


@pytest.mark.parametrize("mapping, message", [
    ({"A": "metadata.name", "L": "metadata.labels"},
     'env: kube-apiserver would reject it: env[1].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": '
     + ENV_SUPPORTED),
    ({"C": {"resource": "limits.cpu", "divisor": "1k"}},
     'env: kube-apiserver would reject it: env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": '
     "only divisor's values 1m and 1 are supported with the cpu resource"),
    ({"": "metadata.name"}, "environment variable names must be non-empty strings, got ''"),
    ({"A": {"resource": "limits.cpu", "fieldPath": "metadata.name"}}, "A must be a field path"),
    ({"A": {"resource": "limits.cpu", "mode": 1}}, "A must be a field path"),
    ({"A": 5}, "A must be a mapping, got integer 5"),
    ("A", "mapping must be a mapping, got string 'A'"),
])
def test_downward_env_rejects(mapping, message):
    assert error_of(exposure.downward_env, mapping).startswith(message)


def test_downward_volume_items():
    assert exposure.downward_volume_items({"labels": "metadata.labels",
                                           "cpu": {"resource": "limits.cpu", "divisor": "1m", "container": "app", "mode": 256}}) == [
        {"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}},
        {"path": "cpu", "resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m", "containerName": "app"}, "mode": 256}]


@pytest.mark.parametrize("mapping, message", [
    ({"ip": "status.podIP"}, 'downwardAPI.items: kube-apiserver would reject it: downwardAPI.fieldRef.fieldPath: '
                             'Unsupported value: "status.podIP": ' + VOLUME_SUPPORTED),
    ({"cpu": {"resource": "limits.cpu"}},
     "downwardAPI.items: kube-apiserver would reject it: downwardAPI.resourceFieldRef.containerName: Required value"),
    ({"../x": "metadata.name"},
     'downwardAPI.items: kube-apiserver would reject it: downwardAPI.path: Invalid value: "../x": must not contain \'..\''),
    ({"a": {"fieldPath": "metadata.name", "mode": "0644"}}, "downwardAPI.items[0].mode must be an integer"),
])
def test_downward_volume_items_rejects(mapping, message):
    assert error_of(exposure.downward_volume_items, mapping).startswith(message)


def test_built_entries_resolve():
    env = exposure.downward_env({"POD": "metadata.name", "CPU": {"resource": "limits.cpu", "divisor": "1m"}})
    items = exposure.downward_volume_items({"labels": "metadata.labels"})
    manifest = pod([{"name": "c", "env": env, "resources": {"limits": {"cpu": "250m"}},
                     "volumeMounts": [{"name": "info", "mountPath": "/info"}]}],
                   volumes=[{"name": "info", "downwardAPI": {"items": items}}])
    assert downward_values(manifest) == {"c": {
        "env": {"POD": "web-0", "CPU": "250"},
        "files": {"info/labels": {"content": 'app="web"\ntier="front"', "mode": 420}}, "unresolved": []}}


def test_a_node_without_ips_fails_the_containers_that_ask_for_them():
    """GetNodeHostIPs fails: makeEnvironmentVariables returns its error, the container does not start
    (even when a later entry redefines the variable)."""
    node = {"metadata": {"name": "n1"}, "status": {"addresses": [{"type": "Hostname", "address": "n1"}]}}
    values = downward_values(pod([{"name": "c", "env": [field_env("P", "status.podIP")]}]), node)
    assert values["c"]["env"] == {"P": "10.0.0.5"}
    asks = pod([{"name": "c", "env": [field_env("H", "status.hostIP"), {"name": "H", "value": "x"}]}])
    with pytest.raises(InputError, match=r"^host IP unknown; known addresses: \[\{Hostname n1\}\]$"):
        downward_values(asks, node)
    with pytest.raises(InputError, match=r"node.status.addresses\[0\].address must be a string"):
        downward_values(pod(), {"status": {"addresses": [{"type": "InternalIP", "address": 1}]}})

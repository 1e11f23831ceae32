"""The shipped vectors of the kubelet's and the validation's functions (tests/unit/vectors/hosts-downward.json)
judged by the oracle, through the filter each function serves: pod_hosts (the hosts file, hostname and
domain, truncation), downward_values (FormatMap, field paths, resource values) and validation_errors
(env, divisors, volume files, host aliases, hostname).

A vector of a function is turned into the smallest Pod that exercises it; the oracle's answer for that
Pod must be the vector's. A vector that no Pod kube-apiserver accepts can express (a hostname with
capitals, a name ending in a dot, an internal parsing step, ...) is listed with the reason in
``not_expressible`` and counted, so that the README's numbers stay true.
"""
from __future__ import annotations

import json
import os
import re

import pytest

from .harness import run_oracle

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "unit", "vectors", "hosts-downward.json")
with open(VECTORS_FILE, encoding="utf-8") as _file:
    VECTORS = json.load(_file)["vectors"]

IMAGE = "registry.example/app:1"
LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
# where each feature's unit test roots its error paths -> where the adapter's Pod puts the value
ROOTS = {"validation_env_fieldref": "spec.containers[0].env", "validation_divisor": "spec.containers[0].env",
         "validation_volume_file": "spec.volumes[0]", "validation_host_aliases": "spec.hostAliases"}


class NotExpressible(Exception):
    pass


def _label(name, what):
    if not (LABEL.match(name) and len(name) <= 63):
        raise NotExpressible("%s %r is not a DNS-1123 label, which kube-apiserver requires" % (what, name))
    return name


def _pod(spec=None, name="p", namespace="default", status=None, **metadata):
    spec = dict(spec or {})
    spec.setdefault("containers", [{"name": "c", "image": IMAGE}])
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": dict(metadata, name=name, namespace=namespace), "spec": spec}
    if status:
        pod["status"] = status
    return pod


def _pod_ips(ips):
    return {"podIPs": [{"ip": ip} for ip in ips]}


def _domain(host_domain):
    """(subdomain, namespace, cluster domain) of ``<subdomain>.<namespace>.svc.<cluster domain>``."""
    match = re.match(r"([^.]+)\.([^.]+)\.svc\.(.+)\Z", host_domain)
    if not match:
        raise NotExpressible("host domain %r is not <subdomain>.<namespace>.svc.<cluster domain>, the only domain a "
                             "pod gets" % host_domain)
    return match.groups()


def _hosts_line(content):
    return content.rstrip("\n").split("\n")[-1]


def case_hosts_managed(i):
    _valid_aliases(i["host_aliases"])
    hostname = _label(i["hostname"], "hostname")
    spec = {"hostname": hostname, "hostAliases": i["host_aliases"]} if i["host_aliases"] else {"hostname": hostname}
    kwargs = {}
    namespace = "default"
    if i["host_domain"]:
        spec["subdomain"], namespace, kwargs["cluster_domain"] = _domain(i["host_domain"])
    return "pod_hosts", [_pod(spec, name=hostname, namespace=namespace, status=_pod_ips(i["host_ips"]))], kwargs, None


def _valid_aliases(aliases):
    for alias in aliases:
        if not re.match(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\Z", alias["ip"]) and ":" not in alias["ip"]:
            raise NotExpressible("host alias IP %r is not an IP address kube-apiserver accepts" % alias["ip"])
        if ":" not in alias["ip"] and any(int(part) > 255 for part in alias["ip"].split(".")):
            raise NotExpressible("host alias IP %r is not an IP address kube-apiserver accepts" % alias["ip"])
    return aliases


def case_hosts_host_network(i):
    _valid_aliases(i["host_aliases"])
    spec = {"hostNetwork": True}
    if i["host_aliases"]:
        spec["hostAliases"] = i["host_aliases"]
    if i.get("pod_hostname"):
        spec["hostname"] = _label(i["pod_hostname"], "hostname")
    status = _pod_ips(i["pod_ips"]) if i.get("pod_ips") else None
    return "pod_hosts", [_pod(spec, status=status)], {"node_hosts": i["node_hosts_content"]}, None


def case_pod_hostname_truncate(i):
    name = i["hostname"]
    if not (SUBDOMAIN.match(name) and len(name) <= 253):
        raise NotExpressible("pod name %r is not a DNS-1123 subdomain, which kube-apiserver requires" % name)
    return "pod_hosts", [_pod(name=name, status=_pod_ips(["10.0.0.1"]))], {}, lambda content: _hosts_line(content).split("\t")[1]


def case_pod_hostname_domain(i):
    if i.get("hostname_override") or i.get("feature_gates"):
        raise NotExpressible("hostnameOverride on a feature gate of the vector's own choosing")
    name = i["pod_name"]
    if not SUBDOMAIN.match(name):
        raise NotExpressible("pod name %r is not a DNS-1123 subdomain" % name)
    spec = {}
    if i["hostname"]:
        spec["hostname"] = _label(i["hostname"], "hostname")
    if i["subdomain"]:
        spec["subdomain"] = _label(i["subdomain"], "subdomain")

    def derive(content):
        fields = _hosts_line(content).split("\t")[1:]
        return {"hostname": fields[-1], "host_domain": fields[0][len(fields[-1]) + 1:] if len(fields) == 2 else ""}
    return ("pod_hosts", [_pod(spec, name=name, namespace=_label(i["namespace"], "namespace"), status=_pod_ips(["10.0.0.1"]))],
            {"cluster_domain": i["cluster_domain"]}, derive)


def _volume_file(field_path):
    return {"volumes": [{"name": "v", "downwardAPI": {"items": [{"path": "f", "fieldRef": {"fieldPath": field_path}}]}}],
            "containers": [{"name": "c", "image": IMAGE, "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]}


def case_fieldpath_format_map(i):
    # annotations take any value (labels would be refused): FormatMap is the file of metadata.annotations
    return ("downward_values", [_pod(_volume_file("metadata.annotations"), annotations=i["map"])], {},
            lambda value: value["c"]["files"]["v/f"]["content"])


def case_fieldpath_extract(i):
    if isinstance(i.get("expected"), dict):
        raise NotExpressible("an error of ExtractFieldPathAsString: kube-apiserver refuses the field path first")
    metadata = {k: v for k, v in i["metadata"].items() if k in ("labels", "annotations", "uid")}
    for value in (metadata.get("labels") or {}).values():
        if not re.match(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z", value) or len(value) > 63:
            raise NotExpressible("label value %r is not one kube-apiserver accepts" % value)
    namespace = i["metadata"].get("namespace", "default")
    path = i["field_path"]
    if path == "metadata.uid":
        raise NotExpressible("a Pod read from the API has the uid the apiserver gave it")
    return ("downward_values", [_pod(_volume_file(path), namespace=namespace, **metadata)], {},
            lambda value: value["c"]["files"]["v/f"]["content"])


def case_downward_resource_value(i):
    pod_spec = json.loads(json.dumps(i["pod"]))
    for kind in ("containers", "initContainers"):
        for container in pod_spec.get(kind, []):
            container["image"] = IMAGE
            limits = container.get("resources", {}).get("limits", {})
            if any(name.startswith("hugepages-") for name in limits) and not {"cpu", "memory"} & set(limits):
                limits["cpu"] = "1"  # hugepages need a cpu or memory limit (ValidateContainerResourceRequirements)
    ref = {"resource": i["resource"], "containerName": i["container_name"]}
    if "divisor" in i:
        ref["divisor"] = i["divisor"]
    pod_spec["volumes"] = [{"name": "v", "downwardAPI": {"items": [{"path": "f", "resourceFieldRef": ref}]}}]
    first = pod_spec["containers"][0]
    first["volumeMounts"] = [{"name": "v", "mountPath": "/v"}]
    # the volume plugin reads the node (its allocatable stands in for unset limits; the vectors set theirs)
    node = {"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "64", "memory": "256Gi", "ephemeral-storage": "1Ti"}}}
    return ("downward_values", [_pod(pod_spec)], {"node": node}, lambda value: value[first["name"]]["files"]["v/f"]["content"])


def _validation_pod(feature, i):
    if feature == "validation_env_fieldref" and any("apiVersion" not in ((e.get("valueFrom") or {}).get("fieldRef") or {"apiVersion": 1})
                                                    for e in i["env"]):
        raise NotExpressible("kube-apiserver defaults a fieldRef's apiVersion to v1 before it validates")
    if feature in ("validation_env_fieldref", "validation_divisor"):
        return _pod({"containers": [{"name": "c", "image": IMAGE, "env": i["env"]}]})
    if feature == "validation_volume_file":
        return _pod({"volumes": [i["volume"]]})
    if feature == "validation_host_aliases":
        return _pod({"hostAliases": i["host_aliases"], "hostNetwork": bool(i.get("host_network"))})
    spec = {"hostname": i["hostname"]}
    if i.get("subdomain"):
        spec["subdomain"] = i["subdomain"]
    return _pod(spec)


ADAPTERS = {
    "hosts_managed": case_hosts_managed, "hosts_host_network": case_hosts_host_network,
    "pod_hostname_truncate": case_pod_hostname_truncate, "pod_hostname_domain": case_pod_hostname_domain,
    "fieldpath_format_map": case_fieldpath_format_map, "fieldpath_extract": case_fieldpath_extract,
    "downward_resource_value": case_downward_resource_value,
}
VALIDATION = ("validation_env_fieldref", "validation_divisor", "validation_volume_file", "validation_host_aliases",
              "validation_hostname")
# features of internal steps or of decisions no filter input reaches
NOT_EXPRESSIBLE_FEATURES = {
    "hosts_mount_decision": "whether the kubelet mounts /etc/hosts (Windows, host-process containers, a container's own mount): "
                            "pod_hosts gives the file of a Linux pod",
    "pod_kernel_hostname": "the kernel hostname is not in the hosts file (pod_hosts only refuses an FQDN over 64 bytes)",
    "fieldpath_split_subscript": "an internal parsing step of ExtractFieldPathAsString (its results are judged by fieldpath_extract)",
    "downward_convert_field_label": "an internal step (ConvertDownwardAPIFieldLabel); its refusals are kube-apiserver's validation "
                                    "errors first (judged by validation_env_fieldref)",
    "downward_env_value": "judged by tests/differential/test_vectors.py (the downward_values unit test)",
    "downward_resource_env_defaulted": "judged by tests/differential/test_vectors.py (the downward_values unit test)",
    "downward_volume_file": "judged by tests/differential/test_vectors.py (the downward_values unit test)",
}


def not_expressible(vec):
    """Why the vector cannot be judged through a filter, or None."""
    if vec["feature"] in NOT_EXPRESSIBLE_FEATURES:
        return NOT_EXPRESSIBLE_FEATURES[vec["feature"]]
    try:
        if vec["feature"] in ADAPTERS:
            ADAPTERS[vec["feature"]](dict(vec["input"], expected=vec["expected"]))
        elif vec["feature"] in VALIDATION:
            _validation_pod(vec["feature"], vec["input"])
    except NotExpressible as exc:
        return str(exc)
    return None


JUDGED = [pytest.param(v, id="%s[%s]" % (v["feature"], v["name"])) for v in VECTORS if not_expressible(v) is None]


@pytest.mark.parametrize("vec", JUDGED)
def test_kubelet_and_validation_vectors_through_the_oracle(newest_oracle, vec):
    oracle = newest_oracle
    feature, expected = vec["feature"], vec["expected"]
    if feature in VALIDATION:
        got = run_oracle(oracle["validation_errors"], _validation_pod(feature, vec["input"]))
        assert got.error is None, got
        root = vec["input"].get("field_path_root")
        errors = [e.replace(ROOTS[feature], root, 1) if root else e for e in got.value]
        if expected["valid"]:
            assert errors == []
        else:
            assert any(expected["error_contains"] in e for e in errors), (expected, errors)
        return
    name, args, kwargs, derive = ADAPTERS[feature](dict(vec["input"], expected=expected))
    got = run_oracle(oracle[name], *args, **kwargs)
    if isinstance(expected, dict) and "error" in expected and set(expected) <= {"error", "error_contains"}:
        assert got.error is not None and expected.get("error_contains", expected["error"]) in got.error, got
        return
    assert got.error is None, got
    assert (derive(got.value) if derive else got.value) == expected


def test_what_is_not_judged_is_listed():
    """Every vector is judged or has its reason; the README reports these counts."""
    reasons = [not_expressible(v) for v in VECTORS]
    assert len(JUDGED) + sum(1 for r in reasons if r) == len(VECTORS)

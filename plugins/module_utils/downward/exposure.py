# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""What may be exposed where: kube-apiserver's rules for ``fieldRef`` and ``resourceFieldRef`` in env and in
downwardAPI/projected volumes, and the builders of env lists and volume items that keep to them.

Sources, in kubernetes/kubernetes: ``pkg/apis/core/validation/validation.go`` (``validateEnvVarValueFrom``,
``validateObjectFieldSelector``, ``validateContainerResourceFieldSelector``, ``validateContainerResourceDivisor``,
``validateDownwardAPIVolumeFile``, ``validateProjectionSources``, ``ValidateLocalNonReservedPath``) and
``pkg/apis/core/v1/defaults.go`` (``SetDefaults_ObjectFieldSelector``).
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import ports, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.container_resources import (
    HUGEPAGES_PREFIXES, RESOURCE_FIELD_PATHS, resource_field_selector)
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.fieldpath import (
    FieldLabelError, convert_downward_api_field_label, split_maybe_subscripted_path, subscript_key_errors)
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.inputs import int32, mappings
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    aggregate, child, forbidden, index, invalid, not_found, not_supported, required)

VOLUME_FIELD_PATHS = tuple(sorted((
    "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid")))
ENV_FIELD_PATHS = tuple(sorted((
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")))
_BYTE_DIVISORS = frozenset(("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"))
_BYTE_DIVISORS_TEXT = ("only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei "
                       "are supported with the %s resource")

# validateVolumeSource checks the volume types in this order; the first one set wins
VOLUME_TYPES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi", "glusterfs",
    "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc", "flexVolume", "configMap",
    "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image")
PROJECTION_TYPES = ("secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle", "podCertificate")

FILE_MODE_TEXT = "must be a number between 0 and 0777 (octal), both inclusive"


def validate_local_non_reserved_path(target: str, path: str) -> list:
    """``ValidateLocalNonReservedPath``: relative, no ``..`` element, not starting with ``..``."""
    errors = []
    if target.startswith("/"):
        errors.append(invalid(path, target, "must be a relative path"))
    if ".." in target.split("/"):
        errors.append(invalid(path, target, "must not contain '..'"))
    # the '..' element check above already covers "../"
    if target.startswith("..") and not target.startswith("../"):
        errors.append(invalid(path, target, "must not start with '..'"))
    return errors


def validate_object_field_selector(selector: dict, allowed: tuple, path: str, defaults: bool = True) -> list:
    """``validateObjectFieldSelector``; ``defaults`` applies ``apiVersion: v1`` first, as the v1 API does."""
    api_version = field(selector, "apiVersion", str, path, "")
    if defaults and not api_version:
        api_version = "v1"  # SetDefaults_ObjectFieldSelector
    if not api_version:
        return [required(child(path, "apiVersion"))]
    field_path = field(selector, "fieldPath", str, path, "")
    if not field_path:
        return [required(child(path, "fieldPath"))]
    try:
        internal, _value = convert_downward_api_field_label(api_version, field_path, "")
    except FieldLabelError as exc:
        return [invalid(child(path, "fieldPath"), field_path, "error converting fieldPath: %s" % exc)]
    head, subscript, subscripted = split_maybe_subscripted_path(internal)
    if subscripted:  # after conversion only the label and annotation maps take a subscript
        key, messages = subscript_key_errors(head, subscript)
        return [invalid(path, key, message) for message in messages]
    if internal not in allowed:
        return [not_supported(child(path, "fieldPath"), internal, allowed)]
    return []


def _divisor_rule(resource):
    """``(canonical divisors allowed, message)`` for a resource, or ``None`` when unchecked."""
    if resource in ("limits.cpu", "requests.cpu"):
        return frozenset(("1m", "1")), "only divisor's values 1m and 1 are supported with the cpu resource"
    if resource in ("limits.memory", "requests.memory"):
        return _BYTE_DIVISORS, _BYTE_DIVISORS_TEXT % "memory"
    if resource in ("limits.ephemeral-storage", "requests.ephemeral-storage"):
        return _BYTE_DIVISORS, _BYTE_DIVISORS_TEXT % "local ephemeral storage"
    if resource.startswith(HUGEPAGES_PREFIXES):
        return _BYTE_DIVISORS, _BYTE_DIVISORS_TEXT % "hugepages"
    return None


def validate_container_resource_divisor(resource: str, divisor: Quantity | None, path: str) -> list:
    """``validateContainerResourceDivisor``: the canonical divisor (``1000m`` is ``1``) must be allowed;
    the bad value reported is the resource name."""
    rule = _divisor_rule(resource)
    if divisor is None or divisor.is_zero() or rule is None or str(divisor) in rule[0]:
        return []
    return [invalid(child(path, "divisor"), resource, rule[1])]


def validate_container_resource_field_selector(selector: dict, path: str, volume: bool) -> list:
    """``validateContainerResourceFieldSelector``: volumes need ``containerName``."""
    resource, divisor, container_name = resource_field_selector(selector, path)
    errors = []
    if volume and not container_name:
        errors.append(required(child(path, "containerName")))
    elif not resource:
        errors.append(required(child(path, "resource")))
    elif resource not in RESOURCE_FIELD_PATHS and not resource.startswith(HUGEPAGES_PREFIXES):
        errors.append(not_supported(child(path, "resource"), resource, RESOURCE_FIELD_PATHS))
    return errors + validate_container_resource_divisor(resource, divisor, path)


def validate_env_var_value_from(env_var: dict, env_path: str, defaults: bool = True) -> list:
    """``validateEnvVarValueFrom`` for the env entry at ``env_path``.

    configMapKeyRef and secretKeyRef count as sources; their own rules are not Downward API rules
    and are not checked here.
    """
    value_from = field(env_var, "valueFrom", dict, env_path)
    if value_from is None:
        return []
    path = child(env_path, "valueFrom")
    errors = []
    field_ref = field(value_from, "fieldRef", dict, path)
    if field_ref is not None:
        errors += validate_object_field_selector(field_ref, ENV_FIELD_PATHS, child(path, "fieldRef"), defaults)
    resource_ref = field(value_from, "resourceFieldRef", dict, path)
    if resource_ref is not None:
        errors += validate_container_resource_field_selector(resource_ref, child(path, "resourceFieldRef"), False)
    # the EnvFiles gate: with it off kube-apiserver drops fileKeyRef on create, and does not name it
    env_files = releases.enabled("EnvFiles")
    sources = sum(value_from.get(key) is not None
                  for key in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")
                  if env_files or key != "fileKeyRef")
    if sources == 0 and env_files:
        errors.append(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, "
                                        "`secretKeyRef` or `fileKeyRef`"))
    elif sources == 0:
        errors.append(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` "
                                        "or `secretKeyRef`"))
    elif field(env_var, "value", str, env_path, ""):
        errors.append(invalid(path, "", "may not be specified when `value` is not empty"))
    elif sources > 1:
        errors.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errors


def validate_env(env: list | None, path: str, defaults: bool = True) -> list:
    """The Downward API part of ``ValidateEnv`` for a container's ``env`` list at ``path``."""
    errors = []
    for i, env_var in enumerate(optional(env, list, path, [])):
        item_path = index(path, i)
        errors += validate_env_var_value_from(expect(env_var, dict, item_path), item_path, defaults)
    return errors


def _mode_errors(mode, path):
    """A file mode must be within 0..0777; the apiserver prints it in decimal."""
    if mode is not None and not 0 <= mode <= 0o777:
        return [invalid(path, mode, FILE_MODE_TEXT)]
    return []


def validate_downward_api_volume_file(item: dict, path: str, item_path: str, defaults: bool = True) -> list:
    """``validateDownwardAPIVolumeFile``: errors at ``path`` (the source; upstream gives no item index).

    ``item_path`` names the item in input-type errors.
    """
    errors = []
    target = field(item, "path", str, item_path, "")
    if not target:
        errors.append(required(child(path, "path")))
    errors += validate_local_non_reserved_path(target, child(path, "path"))
    field_ref = field(item, "fieldRef", dict, item_path)
    resource_ref = field(item, "resourceFieldRef", dict, item_path)
    if field_ref is not None:
        errors += validate_object_field_selector(field_ref, VOLUME_FIELD_PATHS, child(path, "fieldRef"), defaults)
        if resource_ref is not None:
            errors.append(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
    elif resource_ref is not None:
        errors += validate_container_resource_field_selector(resource_ref, child(path, "resourceFieldRef"), True)
    else:
        errors.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    return errors + _mode_errors(int32(item, "mode", item_path), child(path, "mode"))


def validate_downward_api_volume_source(source: dict, path: str, defaults: bool = True) -> list:
    """``validateDownwardAPIVolumeSource`` for a ``downwardAPI`` volume source at ``path``."""
    errors = _mode_errors(int32(source, "defaultMode", path), child(path, "defaultMode"))
    for item, item_path in mappings(source, "items", path):
        errors += validate_downward_api_volume_file(item, path, item_path, defaults)
    return errors


def validate_projected_volume_source(source: dict, path: str, defaults: bool = True) -> list:
    """``validateProjectedVolumeSource``: the default mode, the downwardAPI sources' items, and
    ``validateProjectionSources``' duplicate-path rule over every source that lists paths."""
    errors = _mode_errors(int32(source, "defaultMode", path), child(path, "defaultMode"))
    seen = set()

    def duplicate_path(target, reported):
        if target in seen:
            errors.append(invalid(path, reported, "conflicting duplicate paths"))
        seen.add(target)

    for projection, ppath in mappings(source, "sources", path):
        for kind in ("secret", "configMap"):  # upstream reports the source's name
            ref = field(projection, kind, dict, ppath)
            for item, item_path in mappings(ref or {}, "items", child(ppath, kind)):
                target = field(item, "path", str, item_path, "")
                if target:
                    duplicate_path(target, field(ref, "name", str, child(ppath, kind), ""))
        downward = field(projection, "downwardAPI", dict, ppath)
        for item, item_path in mappings(downward or {}, "items", child(ppath, "downwardAPI")):
            errors += validate_downward_api_volume_file(item, child(ppath, "downwardAPI"), item_path, defaults)
            target = field(item, "path", str, item_path, "")
            if target:
                duplicate_path(target, target)
        bundle = field(projection, "clusterTrustBundle", dict, ppath)
        if bundle is not None:  # upstream checks this path even when empty
            target = field(bundle, "path", str, child(ppath, "clusterTrustBundle"), "")
            duplicate_path(target, target)
        if sum(projection.get(kind) is not None for kind in PROJECTION_TYPES) > 1:
            errors.append(forbidden(ppath, "may not specify more than 1 volume type per source"))
    return errors


def validate_volume(volume: dict, path: str, defaults: bool = True) -> list:
    """The Downward API rules of one ``spec.volumes[i]`` (``validateVolumeSource``): a
    ``downwardAPI`` or ``projected`` source after another volume type is refused, not validated."""
    errors = []
    for kind, check in (("downwardAPI", validate_downward_api_volume_source), ("projected", validate_projected_volume_source)):
        source = field(volume, kind, dict, path)
        if source is None:
            continue
        earlier = VOLUME_TYPES[:VOLUME_TYPES.index(kind)]
        if any(volume.get(other) is not None for other in earlier):
            # upstream's field path for a refused downwardAPI has a typo: "downwarAPI"
            errors.append(forbidden(child(path, "downwarAPI" if kind == "downwardAPI" else kind), "may not specify more than 1 volume type"))
        else:
            errors += check(source, child(path, kind), defaults)
    return errors


def validate_volumes_and_containers(spec: dict, path: str, with_ports: bool = False, is_pod: bool = True) -> list:
    """The Downward API rules of ``ValidatePodSpec`` on a v1 pod spec at ``path``, in upstream order:
    volumes, then for containers, init containers and ephemeral containers their env and the mounts
    of a volume refused above (``ValidateVolumes`` keeps only valid volumes, so ``ValidateVolumeMounts``
    does not find it: ``Not found``). ``with_ports`` adds the port rules of the containers where
    ``validateContainers``/``validateInitContainers`` run them: each container's ports before its
    env, host port conflicts across the containers after them, and within each init container
    (``checkHostPortConflicts`` on a list of one: reported at index 0); ``is_pod`` false for a pod
    template (its host ports are not defaulted)."""
    errors = []
    refused = set()
    for volume, volume_path in mappings(spec, "volumes", path):
        volume_errors = validate_volume(volume, volume_path)
        if volume_errors:
            refused.add(field(volume, "name", str, volume_path, ""))
        errors += volume_errors
    host_network = is_pod and spec.get("hostNetwork") is True
    for kind in ("containers", "initContainers", "ephemeralContainers"):
        port_rules = with_ports and kind != "ephemeralContainers"
        entries = mappings(spec, kind, path)
        for container, container_path in entries:
            if port_rules:
                errors += ports.validate_container_ports(container, container_path, host_network)
            errors += validate_env(container.get("env"), child(container_path, "env"))
            for mount, mount_path in mappings(container, "volumeMounts", container_path):
                name = field(mount, "name", str, mount_path, "")
                if name in refused:
                    errors.append(not_found(child(mount_path, "name"), name))
            if port_rules and kind == "initContainers":
                errors += ports.host_port_conflicts([(container, 0)], child(path, kind), host_network)
        if port_rules and kind == "containers":
            errors += ports.host_port_conflicts([(c, i) for i, (c, _p) in enumerate(entries)], child(path, kind), host_network)
    return errors


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------

_REF_KEYS = {"fieldPath", "apiVersion", "resource", "divisor", "containerName", "container"}


def _reference(ref, what, extra_keys=()):
    """``{"fieldRef": ...}`` or ``{"resourceFieldRef": ...}`` from a field path or a mapping."""
    if isinstance(ref, str):
        return {"fieldRef": {"apiVersion": "v1", "fieldPath": ref}}
    expect(ref, dict, what)
    unknown = sorted(set(ref) - _REF_KEYS - set(extra_keys), key=str)
    if unknown or ("fieldPath" in ref) == ("resource" in ref) or ("container" in ref and "containerName" in ref):
        raise InputError("%s must be a field path, {fieldPath[, apiVersion]} or {resource[, divisor][, container]}, got %r"
                         % (what, ref))
    if "fieldPath" in ref:
        return {"fieldRef": {"apiVersion": ref.get("apiVersion", "v1"), "fieldPath": ref["fieldPath"]}}
    selector = {"resource": ref["resource"]}
    container = ref.get("containerName", ref.get("container"))
    if container is not None:
        selector["containerName"] = container
    if ref.get("divisor") is not None:
        selector["divisor"] = ref["divisor"]
    return {"resourceFieldRef": selector}


def refuse(errors: list, what: str) -> None:
    if errors:
        raise InputError("%s: kube-apiserver would reject it: %s" % (what, aggregate(errors)))


def downward_env(mapping: dict, validate: bool = True) -> list[dict]:
    """``{ENV_NAME: field path or {resource, divisor, container}}`` -> a container's ``env`` list.

    Raises ``InputError`` with the apiserver's errors for references env may not use; with
    ``validate=False`` (a caller that validates the whole object) only malformed input raises.
    """
    expect(validate, bool, "validate")
    env = []
    for name, ref in expect(mapping, dict, "mapping").items():
        if not isinstance(name, str) or not name:
            raise InputError("environment variable names must be non-empty strings, got %r" % (name,))
        env.append({"name": name, "valueFrom": _reference(ref, name)})
    if validate:
        refuse(validate_env(env, "env"), "env")
    return env


def downward_volume_items(mapping: dict, validate: bool = True) -> list[dict]:
    """``{file path: field path or {fieldPath|resource, divisor, container, mode}}`` -> ``downwardAPI.items``.

    Raises ``InputError`` with the apiserver's errors (resources need a container in volumes);
    with ``validate=False`` (a caller that validates the whole object) only malformed input raises.
    """
    expect(validate, bool, "validate")
    items = []
    for target, ref in expect(mapping, dict, "mapping").items():
        expect(target, str, "a file path")
        item = dict({"path": target}, **_reference(ref, target, ("mode",)))
        if isinstance(ref, dict) and ref.get("mode") is not None:
            item["mode"] = ref["mode"]
        items.append(item)
    if validate:
        refuse(validate_downward_api_volume_source({"items": items}, "downwardAPI"), "downwardAPI.items")
    return items

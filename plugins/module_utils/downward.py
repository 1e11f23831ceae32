# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Downward API: where a pod field may be exposed, and the exact values the kubelet exposes.

Pure Python, no Ansible imports. Sources, all in kubernetes/kubernetes:

- ``pkg/fieldpath/fieldpath.go``: ``SplitMaybeSubscriptedPath``, ``FormatMap``, ``ExtractFieldPathAsString``
- ``pkg/apis/core/pods/helpers.go``: ``ConvertDownwardAPIFieldLabel``
- ``pkg/apis/core/validation/validation.go``: ``validateEnvVarValueFrom``, ``validateObjectFieldSelector``,
  ``validateContainerResourceFieldSelector``, ``validateContainerResourceDivisor``,
  ``validateDownwardAPIVolumeFile``, ``validateProjectionSources``, ``ValidateLocalNonReservedPath``
- ``pkg/apis/core/v1/defaults.go``: ``SetDefaults_ObjectFieldSelector``, the 0644 default modes
- ``pkg/kubelet/kubelet_pods.go``: ``makeEnvironmentVariables``, ``podFieldSelectorRuntimeValue``,
  ``sortPodIPs``, ``containerResourceRuntimeValue``; ``pkg/kubelet/kubelet_resources.go``:
  ``defaultPodLimitsForDownwardAPI``; ``pkg/kubelet/envvars``: service variable names
- ``pkg/api/v1/resource/helpers.go``: ``ExtractContainerResourceValue``, ``findContainerInPod``,
  ``MergeContainerResourceLimits``
- ``pkg/volume/downwardapi/downwardapi.go``: ``CollectData``; ``pkg/volume/util/atomic_writer.go``: ``validatePath``
- ``third_party/forked/golang/expansion``: ``Expand``; ``pkg/util/node``: ``GetNodeHostIPs``

The rules, their upstream origin and the assumptions: docs/downward-api.md.
"""

from __future__ import annotations

import decimal
import posixpath
import re

from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack, pod_resources, ports, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity, ceil_ratio
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import (
    aggregate, child, forbidden, go_ip_string, go_len, go_quote, index, invalid, is_qualified_name, not_found, not_supported,
    parse_ip_sloppy, required)

# ---------------------------------------------------------------------------------------------
# Tables (validation.go, helpers.go, types.go)
# ---------------------------------------------------------------------------------------------

VOLUME_FIELD_PATHS = tuple(sorted((
    "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid")))
ENV_FIELD_PATHS = tuple(sorted((
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")))
# ConvertDownwardAPIFieldLabel: every label a v1 client may send (some only work as field selectors)
FIELD_LABELS = frozenset((
    "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
    "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName", "status.phase",
    "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs", "spec.terminationGracePeriodSeconds"))
LEGACY_FIELD_LABELS = {"spec.host": "spec.nodeName"}  # backwards compatibility with old v1 clients
MAP_FIELD_PATHS = ("metadata.annotations", "metadata.labels")

RESOURCE_FIELD_PATHS = tuple(sorted((
    "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "requests.cpu", "requests.memory", "requests.ephemeral-storage")))
HUGEPAGES_PREFIXES = ("requests.hugepages-", "limits.hugepages-")
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

DEFAULT_MODE = 0o644  # DownwardAPIVolumeSourceDefaultMode and ProjectedVolumeSourceDefaultMode
FILE_MODE_TEXT = "must be a number between 0 and 0777 (octal), both inclusive"
MAX_PATH_LENGTH = 4096
MAX_FILE_NAME_LENGTH = 255

# MergeContainerResourceLimits defaults these; pod-level limits exist for cpu and memory only
DEFAULTED_LIMITS = ("cpu", "memory", "ephemeral-storage")
POD_LEVEL_LIMITS = ("cpu", "memory")

_ONE = Quantity(decimal.Decimal(1))
_ZERO = Quantity(decimal.Decimal(0))


class FieldLabelError(InputError):
    """A field label ``ConvertDownwardAPIFieldLabel`` refuses; the message is the Go error text."""


class Unresolved(object):
    """A value the kubelet computes from something this offline model does not know."""

    __slots__ = ("reason", "field")

    def __init__(self, reason, field=None):
        self.reason = reason
        self.field = field

    def at(self, field):
        return Unresolved(self.reason, field)

    def as_dict(self, name):
        return {"name": name, "field": self.field, "reason": self.reason}


# ---------------------------------------------------------------------------------------------
# Reading user input: every field is type-checked where it is read.
# ---------------------------------------------------------------------------------------------


def _field(obj, key, kind, path, default=None):
    """``obj[key]`` as a ``kind`` (missing or null gives ``default``); errors name ``path.key``."""
    value = obj.get(key)
    if value is None:
        return default
    if type(value) is kind or (isinstance(value, kind) and not isinstance(value, bool)):  # pylint: disable=unidiomatic-typecheck
        return value  # the common case, without building the path
    return expect(value, kind, child(path, key))


def _entries(obj, key, path):
    """``(item, item path)`` for every mapping in the list ``obj[key]``."""
    base = child(path, key)
    found = []
    for i, item in enumerate(_field(obj, key, list, path, [])):
        item_path = index(base, i)
        found.append((item if type(item) is dict else expect(item, dict, item_path), item_path))  # pylint: disable=unidiomatic-typecheck
    return found


def _int32(obj, key, path):
    value = _field(obj, key, int, path)
    if value is not None and not -(1 << 31) <= value < (1 << 31):
        raise InputError("%s must fit in an int32, got %d" % (child(path, key), value))
    return value


def _string_map(obj, key, path):
    """A ``map[string]string`` such as ``metadata.labels``."""
    mapping = _field(obj, key, dict, path, {})
    for name, value in mapping.items():
        expect(name, str, "a key of %s" % child(path, key))
        expect(value, str, "%s[%s]" % (child(path, key), name))
    return mapping


def _go_to_lower(text):
    """Go's ``strings.ToLower``: rune by rune (no final-sigma rule), and U+0130 becomes plain ``i``."""
    if text.isascii():
        return text.lower()
    return "".join("i" if ch == "\u0130" else ch.lower() for ch in text)


# ---------------------------------------------------------------------------------------------
# Field paths (pkg/fieldpath, pkg/apis/core/pods)
# ---------------------------------------------------------------------------------------------


def split_maybe_subscripted_path(field_path):
    """``SplitMaybeSubscriptedPath``: ``metadata.labels['k']`` -> ``("metadata.labels", "k", True)``.

    The key runs from the first ``['`` to the final ``']``, verbatim.
    """
    if not field_path.endswith("']"):
        return field_path, "", False
    head, sep, subscript = field_path[:-2].partition("['")
    if not sep or not head:
        return field_path, "", False
    return head, subscript, True


def convert_downward_api_field_label(version, label, value):
    """``ConvertDownwardAPIFieldLabel``: ``(internal label, value)`` or ``FieldLabelError``."""
    if version != "v1":
        raise FieldLabelError("unsupported pod version: %s" % version)
    path, _subscript, subscripted = split_maybe_subscripted_path(label)
    if subscripted:
        if path in MAP_FIELD_PATHS:
            return label, value
        raise FieldLabelError("field label does not support subscript: %s" % label)
    if label in FIELD_LABELS:
        return label, value
    if label in LEGACY_FIELD_LABELS:
        return LEGACY_FIELD_LABELS[label], value
    raise FieldLabelError("field label not supported: %s" % label)


def format_map(mapping):
    """``FormatMap``: ``key="Go-quoted value"`` lines sorted by key bytes, no trailing newline.

    Code-point order is UTF-8 byte order, so ``sorted`` sorts as Go's ``sort.Strings``. Kubernetes
    PR #112661 (2022) rewrote it with ``sort.Strings``, a ``strings.Builder`` and ``strconv.Quote``;
    the output (pinned by ``TestFormatMap``) did not change.
    """
    return "\n".join("%s=%s" % (key, go_quote(mapping[key])) for key in sorted(mapping))


def _subscript_key_errors(path, subscript):
    """The label key rule on a subscript: annotations are checked lower-cased, labels as written."""
    key = _go_to_lower(subscript) if path == "metadata.annotations" else subscript
    return key, is_qualified_name(key)


def extract_field_path_as_string(obj, field_path):
    """``ExtractFieldPathAsString``: the metadata fields a Downward API volume file can hold."""
    metadata = _field(expect(obj, dict, "pod"), "metadata", dict, "", {})
    path, subscript, subscripted = split_maybe_subscripted_path(field_path)
    if subscripted:
        if path not in MAP_FIELD_PATHS:
            raise InputError("fieldPath %s does not support subscript" % go_quote(field_path))
        _key, errors = _subscript_key_errors(path, subscript)
        if errors:
            raise InputError("invalid key subscript in %s: %s" % (field_path, ";".join(errors)))
        return _string_map(metadata, path.split(".")[1], "metadata").get(subscript, "")
    if field_path in MAP_FIELD_PATHS:
        return format_map(_string_map(metadata, field_path.split(".")[1], "metadata"))
    if field_path in ("metadata.name", "metadata.namespace", "metadata.uid"):
        return _field(metadata, field_path.split(".")[1], str, "metadata", "")
    raise InputError("unsupported fieldPath: %s" % field_path)


# ---------------------------------------------------------------------------------------------
# Env values of fieldRef (pkg/kubelet/kubelet_pods.go)
# ---------------------------------------------------------------------------------------------


def _node_addresses(node, wanted):
    """``(type, address)`` of the node's addresses, and the parsed IPs of the ``wanted`` types in that order."""
    status = _field(expect(node, dict, "node"), "status", dict, "node", {})
    addresses = [(_field(a, "type", str, p, ""), _field(a, "address", str, p, ""))
                 for a, p in _entries(status, "addresses", "node.status")]
    found = [parse_ip_sloppy(address) for kind in wanted for address_kind, address in addresses if address_kind == kind]
    return addresses, [ip for ip in found if ip is not None]


def node_host_ips(node):
    """``GetNodeHostIPs``: the first InternalIP (else ExternalIP), then the first of the other family."""
    addresses, found = _node_addresses(node, ("InternalIP", "ExternalIP"))
    if not found:
        raise InputError("host IP unknown; known addresses: [%s]" % " ".join("{%s %s}" % a for a in addresses))
    other = [ip for ip in found if ip.version != found[0].version][:1]
    return [go_ip_string(ip) for ip in [found[0]] + other]


def sort_pod_ips(pod_ips, node_ips):
    """``sortPodIPs``: the first pod IP of the node's primary family, then the first of the other.

    The primary family is IPv6 only when the first node IP is IPv6. Strings that are not IPs are
    dropped; the others are returned as ``net.IP.String()`` (the newest kubelet parses and
    re-stringifies them), so ``::ffff:10.0.0.9`` is ``10.0.0.9``.
    """
    first = parse_ip_sloppy(node_ips[0]) if node_ips else None
    families = (6, 4) if first is not None and first.version == 6 else (4, 6)
    result = []
    for family in families:
        for ip in pod_ips:
            parsed = parse_ip_sloppy(ip)
            if parsed is not None and parsed.version == family:
                result.append(go_ip_string(parsed))
                break
    return result


# metadata the apiserver assigns when a manifest leaves it out
_ASSIGNED_METADATA = {"metadata.name": "name", "metadata.namespace": "namespace", "metadata.uid": "uid"}


def _pod_metadata_value(pod, field_path):
    """``ExtractFieldPathAsString``, or ``Unresolved`` for metadata this manifest does not carry yet."""
    key = _ASSIGNED_METADATA.get(field_path)
    if key is not None and not _field(_field(pod, "metadata", dict, "", {}), key, str, "metadata", ""):
        return Unresolved("%s is not set in this manifest; the apiserver assigns it" % field_path)
    return extract_field_path_as_string(pod, field_path)


def pod_field_runtime_value(api_version, field_path, pod, pod_ips, host_ips):
    """``podFieldSelectorRuntimeValue``: the env value of a ``fieldRef``.

    ``pod_ips`` are the pod's IPs (``None`` when unknown); ``host_ips`` the node's IPs (``None`` when unknown, the
    kubelet's ``InputError`` for a node without any), which also
    give the primary family ``sortPodIPs`` uses (``None`` when unknown). Returns a string or
    ``Unresolved``; raises ``InputError`` with the kubelet's error text.
    """
    internal, _value = convert_downward_api_field_label(api_version, field_path, "")
    spec = _field(pod, "spec", dict, "", {})
    if internal in ("status.podIP", "status.podIPs"):
        if pod_ips is None:
            return Unresolved("%s: the pod has no IP yet (no status.podIPs)" % internal)
        ips = sort_pod_ips(pod_ips, host_ips if isinstance(host_ips, list) else [])
        return ",".join(ips) if internal == "status.podIPs" else (ips[0] if ips else "")
    if internal in ("status.hostIP", "status.hostIPs"):
        if isinstance(host_ips, InputError):  # the node has no IP: GetNodeHostIPs fails the container
            raise host_ips
        if not host_ips:
            return Unresolved("%s: the node's IPs are unknown; pass a node with an InternalIP or ExternalIP address, or set status.hostIPs" % internal)
        return ",".join(host_ips) if internal == "status.hostIPs" else host_ips[0]
    if internal == "spec.nodeName":
        return _field(spec, "nodeName", str, "spec", "") or Unresolved(
            "spec.nodeName: the pod is not bound to a node; pass the node")
    if internal == "spec.serviceAccountName":
        # the ServiceAccount admission plugin fills in the deprecated field's value, else "default"
        return (_field(spec, "serviceAccountName", str, "spec", "")
                or _field(spec, "serviceAccount", str, "spec", "") or "default")
    return _pod_metadata_value(pod, internal)


# ---------------------------------------------------------------------------------------------
# Resource values (pkg/api/v1/resource/helpers.go, pkg/kubelet/kubelet_resources.go)
# ---------------------------------------------------------------------------------------------


def resource_list(obj, key, path):
    """A ``ResourceList`` (``limits``, ``requests``, ``allocatable``) as ``{name: Quantity}``, as the
    kubelet reads it: decoded and defaulted by the apiserver (``SetDefaults_ResourceList`` rounds up to
    milli units), stored as ``String()`` and parsed again (``1000E`` is stored as ``1``)."""
    return {name: Quantity.decode(value, "%s[%s]" % (child(path, key), name)).round_up_milli().stored()
            for name, value in _field(obj, key, dict, path, {}).items()}


def container_resources(container, path):
    """``(limits, requests)`` of a Pod's container, as the apiserver stores them: ``SetDefaults_Pod``
    gives every limit without a request that request."""
    resources = _field(container, "resources", dict, path, {})
    rpath = child(path, "resources")
    limits, requests = resource_list(resources, "limits", rpath), resource_list(resources, "requests", rpath)
    for name, quantity in limits.items():
        requests.setdefault(name, quantity)
    return limits, requests


def node_allocatable(node):
    """The node's allocatable resources; the API defaults them to the capacity when unset."""
    status = _field(expect(node, dict, "node"), "status", dict, "node", {})
    key = "allocatable" if status.get("allocatable") is not None else "capacity"
    return resource_list(status, key, "node.status")


def merge_container_resource_limits(limits, allocatable):
    """``MergeContainerResourceLimits``: unset or zero cpu/memory/ephemeral-storage limits take the
    allocatable value when it has one. Hugepages are never defaulted."""
    merged = dict(limits)
    for name in DEFAULTED_LIMITS:
        current = merged.get(name)
        if (current is None or current.is_zero()) and name in allocatable:
            merged[name] = allocatable[name]
    return merged


def pod_level_allocatable(allocatable, pod_limits, pod_level_resources=None):
    """``defaultPodLimitsForDownwardAPI``: with the PodLevelResources gate (None: the current release's), non-zero
    pod-level cpu and memory limits replace the allocatable values the containers are defaulted from.

    Upstream first checks ``IsPodLevelLimitsSet``; it is true whenever a cpu or memory limit is set,
    so the check changes nothing here.
    """
    if pod_level_resources is None:
        pod_level_resources = releases.enabled("PodLevelResources")
    if not pod_level_resources:
        return allocatable
    result = dict(allocatable)
    for name in POD_LEVEL_LIMITS:
        if name in pod_limits and not pod_limits[name].is_zero() and name in result:
            result[name] = pod_limits[name]
    return result


class PodContainers(object):
    """A pod's containers found by name and their resources, each read once per pod (a pod may reference the
    resources of any of its containers from every other one)."""

    def __init__(self, spec):
        self.spec = spec
        self._by_name = None
        self._resources = {}

    def find(self, name):
        """``findContainerInPod``: ``(container, path, is_regular)`` from containers, then initContainers (the first
        of that name)."""
        if self._by_name is None:
            self._by_name = {}
            for kind in ("containers", "initContainers"):
                for i, container in enumerate(_field(self.spec, kind, list, "spec", [])):
                    key = container.get("name") if isinstance(container, dict) else None
                    if isinstance(key, str) and key not in self._by_name:
                        self._by_name[key] = (container, index(child("spec", kind), i), kind == "containers")
        found = self._by_name.get(name)
        if found is None:
            raise InputError("container %s not found" % name)
        return found

    def resources(self, container, path):
        """:func:`container_resources` of one of the pod's containers, read once."""
        found = self._resources.get(id(container))
        if found is None:
            found = self._resources[id(container)] = container_resources(container, path)
        return found


def find_container_in_pod(spec, name):
    """``findContainerInPod``: ``(container, path, is_regular)`` from containers, then initContainers."""
    return PodContainers(spec).find(name)


def resource_field_selector(selector, path):
    """``(resource, divisor, containerName)`` of a ``resourceFieldRef``; divisor ``None`` when unset."""
    divisor = selector.get("divisor")
    if divisor is not None:
        divisor = Quantity.decode(divisor, child(path, "divisor"))
    return (_field(selector, "resource", str, path, ""), divisor,
            _field(selector, "containerName", str, path, ""))


def extract_container_resource_value(resource, divisor, limits, requests, path=""):
    """``ExtractContainerResourceValue``: ceil(value / divisor), cpu in millicores; ``Unresolved``
    when the value comes from a node this model was not given."""
    divisor = _ONE if divisor is None or divisor.is_zero() else divisor
    kind, _dot, name = resource.partition(".")
    if resource not in RESOURCE_FIELD_PATHS and not resource.startswith(HUGEPAGES_PREFIXES):
        raise InputError("unsupported container resource : %s" % resource)
    quantity = (limits if kind == "limits" else requests).get(name, _ZERO)
    if isinstance(quantity, Unresolved):
        return quantity
    return ceil_ratio(quantity, divisor, name == "cpu", path or resource)


def extract_resource_value_by_container_name(selector, spec, container_name, allocatable=None, path="", containers=None):
    """``ExtractResourceValueByContainerName``, or with ``allocatable``
    ``ExtractResourceValueByContainerNameAndNodeAllocatable`` (the Downward API volume's variant). ``containers``: the
    pod's :class:`PodContainers`, when one is at hand."""
    containers = containers or PodContainers(spec)
    resource, divisor, _name = resource_field_selector(selector, path)
    container, cpath, _regular = containers.find(container_name)
    limits, requests = containers.resources(container, cpath)
    if allocatable is not None:
        limits = merge_container_resource_limits(limits, allocatable)
    return extract_container_resource_value(resource, divisor, limits, requests, path)


# ---------------------------------------------------------------------------------------------
# Volume files (pkg/volume/downwardapi, pkg/volume/util/atomic_writer.go)
# ---------------------------------------------------------------------------------------------


def go_clean_path(path):
    """Go's ``filepath.Clean`` on Linux (unlike ``posixpath.normpath``, ``//a`` becomes ``/a``)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def validate_atomic_writer_path(path):
    """``validatePath`` of the kubelet's atomic writer; raises ``InputError`` with its text.

    It sees the paths ``CollectData`` already cleaned. (A variant that cleans them again and adds
    Windows checks, kubernetes PR #136926, was closed unmerged.)
    """
    if not path:
        raise InputError("invalid path: must not be empty: %s" % go_quote(path))
    if path.startswith("/"):
        raise InputError("invalid path: must be relative path: %s" % path)
    if go_len(path) > MAX_PATH_LENGTH:
        raise InputError("invalid path: must be less than or equal to %d characters" % MAX_PATH_LENGTH)
    items = path.split("/")
    for item in items:
        if item == "..":
            raise InputError("invalid path: must not contain '..': %s" % path)
        if go_len(item) > MAX_FILE_NAME_LENGTH:
            raise InputError("invalid path: filenames must be less than or equal to %d characters" % MAX_FILE_NAME_LENGTH)
    if items[0].startswith("..") and len(items[0]) > 2:
        raise InputError("invalid path: must not start with '..': %s" % path)


def collect_data(items, default_mode, field_value, resource_value):
    """``CollectData``: ``{cleaned path: {"content", "mode"}}`` for ``(item, item path)`` pairs.

    ``field_value(fieldPath)`` gives a ``fieldRef``'s content (the path is used as written, not
    converted) and ``resource_value(resourceFieldRef, path)`` a ``resourceFieldRef``'s. Later items
    win on a repeated path. ``content`` is ``Unresolved`` when it cannot be known offline.
    """
    data = {}
    for item, path in items:
        mode = _int32(item, "mode", path)
        content = ""
        field_ref = _field(item, "fieldRef", dict, path)
        resource_ref = _field(item, "resourceFieldRef", dict, path)
        if field_ref is not None:
            content = field_value(_field(field_ref, "fieldPath", str, child(path, "fieldRef"), ""))
        elif resource_ref is not None:
            content = resource_value(resource_ref, child(path, "resourceFieldRef"))
        if isinstance(content, Unresolved):
            content = content.at(path)
        data[go_clean_path(_field(item, "path", str, path, ""))] = {
            "content": content, "mode": default_mode if mode is None else mode}
    return data


# ---------------------------------------------------------------------------------------------
# API validation (pkg/apis/core/validation/validation.go)
# ---------------------------------------------------------------------------------------------


def validate_local_non_reserved_path(target, path):
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


def validate_object_field_selector(selector, allowed, path, defaults=True):
    """``validateObjectFieldSelector``; ``defaults`` applies ``apiVersion: v1`` first, as the v1 API does."""
    api_version = _field(selector, "apiVersion", str, path, "")
    if defaults and not api_version:
        api_version = "v1"  # SetDefaults_ObjectFieldSelector
    if not api_version:
        return [required(child(path, "apiVersion"))]
    field_path = _field(selector, "fieldPath", str, path, "")
    if not field_path:
        return [required(child(path, "fieldPath"))]
    try:
        internal, _value = convert_downward_api_field_label(api_version, field_path, "")
    except FieldLabelError as exc:
        return [invalid(child(path, "fieldPath"), field_path, "error converting fieldPath: %s" % exc)]
    head, subscript, subscripted = split_maybe_subscripted_path(internal)
    if subscripted:  # after conversion only the label and annotation maps take a subscript
        key, messages = _subscript_key_errors(head, subscript)
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


def validate_container_resource_divisor(resource, divisor, path):
    """``validateContainerResourceDivisor``: the canonical divisor (``1000m`` is ``1``) must be allowed;
    the bad value reported is the resource name."""
    rule = _divisor_rule(resource)
    if divisor is None or divisor.is_zero() or rule is None or str(divisor) in rule[0]:
        return []
    return [invalid(child(path, "divisor"), resource, rule[1])]


def validate_container_resource_field_selector(selector, path, volume):
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


def validate_env_var_value_from(env_var, env_path, defaults=True):
    """``validateEnvVarValueFrom`` for the env entry at ``env_path``.

    configMapKeyRef and secretKeyRef count as sources; their own rules are not Downward API rules
    and are not checked here.
    """
    value_from = _field(env_var, "valueFrom", dict, env_path)
    if value_from is None:
        return []
    path = child(env_path, "valueFrom")
    errors = []
    field_ref = _field(value_from, "fieldRef", dict, path)
    if field_ref is not None:
        errors += validate_object_field_selector(field_ref, ENV_FIELD_PATHS, child(path, "fieldRef"), defaults)
    resource_ref = _field(value_from, "resourceFieldRef", dict, path)
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
    elif _field(env_var, "value", str, env_path, ""):
        errors.append(invalid(path, "", "may not be specified when `value` is not empty"))
    elif sources > 1:
        errors.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errors


def validate_env(env, path, defaults=True):
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


def validate_downward_api_volume_file(item, path, item_path, defaults=True):
    """``validateDownwardAPIVolumeFile``: errors at ``path`` (the source; upstream gives no item index).

    ``item_path`` names the item in input-type errors.
    """
    errors = []
    target = _field(item, "path", str, item_path, "")
    if not target:
        errors.append(required(child(path, "path")))
    errors += validate_local_non_reserved_path(target, child(path, "path"))
    field_ref = _field(item, "fieldRef", dict, item_path)
    resource_ref = _field(item, "resourceFieldRef", dict, item_path)
    if field_ref is not None:
        errors += validate_object_field_selector(field_ref, VOLUME_FIELD_PATHS, child(path, "fieldRef"), defaults)
        if resource_ref is not None:
            errors.append(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
    elif resource_ref is not None:
        errors += validate_container_resource_field_selector(resource_ref, child(path, "resourceFieldRef"), True)
    else:
        errors.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    return errors + _mode_errors(_int32(item, "mode", item_path), child(path, "mode"))


def validate_downward_api_volume_source(source, path, defaults=True):
    """``validateDownwardAPIVolumeSource`` for a ``downwardAPI`` volume source at ``path``."""
    errors = _mode_errors(_int32(source, "defaultMode", path), child(path, "defaultMode"))
    for item, item_path in _entries(source, "items", path):
        errors += validate_downward_api_volume_file(item, path, item_path, defaults)
    return errors


def validate_projected_volume_source(source, path, defaults=True):
    """``validateProjectedVolumeSource``: the default mode, the downwardAPI sources' items, and
    ``validateProjectionSources``' duplicate-path rule over every source that lists paths."""
    errors = _mode_errors(_int32(source, "defaultMode", path), child(path, "defaultMode"))
    seen = set()

    def duplicate_path(target, reported):
        if target in seen:
            errors.append(invalid(path, reported, "conflicting duplicate paths"))
        seen.add(target)

    for projection, ppath in _entries(source, "sources", path):
        for kind in ("secret", "configMap"):  # upstream reports the source's name
            ref = _field(projection, kind, dict, ppath)
            for item, item_path in _entries(ref or {}, "items", child(ppath, kind)):
                target = _field(item, "path", str, item_path, "")
                if target:
                    duplicate_path(target, _field(ref, "name", str, child(ppath, kind), ""))
        downward = _field(projection, "downwardAPI", dict, ppath)
        for item, item_path in _entries(downward or {}, "items", child(ppath, "downwardAPI")):
            errors += validate_downward_api_volume_file(item, child(ppath, "downwardAPI"), item_path, defaults)
            target = _field(item, "path", str, item_path, "")
            if target:
                duplicate_path(target, target)
        bundle = _field(projection, "clusterTrustBundle", dict, ppath)
        if bundle is not None:  # upstream checks this path even when empty
            target = _field(bundle, "path", str, child(ppath, "clusterTrustBundle"), "")
            duplicate_path(target, target)
        if sum(projection.get(kind) is not None for kind in PROJECTION_TYPES) > 1:
            errors.append(forbidden(ppath, "may not specify more than 1 volume type per source"))
    return errors


def validate_volume(volume, path, defaults=True):
    """The Downward API rules of one ``spec.volumes[i]`` (``validateVolumeSource``): a
    ``downwardAPI`` or ``projected`` source after another volume type is refused, not validated."""
    errors = []
    for kind, check in (("downwardAPI", validate_downward_api_volume_source), ("projected", validate_projected_volume_source)):
        source = _field(volume, kind, dict, path)
        if source is None:
            continue
        earlier = VOLUME_TYPES[:VOLUME_TYPES.index(kind)]
        if any(volume.get(other) is not None for other in earlier):
            # upstream's field path for a refused downwardAPI has a typo: "downwarAPI"
            errors.append(forbidden(child(path, "downwarAPI" if kind == "downwardAPI" else kind), "may not specify more than 1 volume type"))
        else:
            errors += check(source, child(path, kind), defaults)
    return errors


def validate_pod_spec(spec, path, with_ports=False, is_pod=True):
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
    for volume, volume_path in _entries(spec, "volumes", path):
        volume_errors = validate_volume(volume, volume_path)
        if volume_errors:
            refused.add(_field(volume, "name", str, volume_path, ""))
        errors += volume_errors
    host_network = is_pod and spec.get("hostNetwork") is True
    for kind in ("containers", "initContainers", "ephemeralContainers"):
        port_rules = with_ports and kind != "ephemeralContainers"
        entries = _entries(spec, kind, path)
        for container, container_path in entries:
            if port_rules:
                errors += ports.validate_container_ports(container, container_path, host_network)
            errors += validate_env(container.get("env"), child(container_path, "env"))
            for mount, mount_path in _entries(container, "volumeMounts", container_path):
                name = _field(mount, "name", str, mount_path, "")
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


def _refuse(errors, what):
    if errors:
        raise InputError("%s: kube-apiserver would reject it: %s" % (what, aggregate(errors)))


def downward_env(mapping, validate=True):
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
        _refuse(validate_env(env, "env"), "env")
    return env


def downward_volume_items(mapping, validate=True):
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
        _refuse(validate_downward_api_volume_source({"items": items}, "downwardAPI"), "downwardAPI.items")
    return items


# ---------------------------------------------------------------------------------------------
# Resolver: what each container sees
# ---------------------------------------------------------------------------------------------

# service link variables (pkg/kubelet/envvars FromServices): <SVC>_SERVICE_HOST, <SVC>_SERVICE_PORT[_<PORT>],
# <SVC>_PORT, <SVC>_PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR]
_SERVICE_SUFFIX = re.compile(r"_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_[0-9]+_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)?)")
_SERVICE_VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*?" + _SERVICE_SUFFIX.pattern)


def _may_be_service_variable(name, service_links):
    """Whether the kubelet may define ``name`` from a Service: any service of the namespace when
    ``enableServiceLinks``, else only the ``kubernetes`` master service."""
    if service_links:
        return _SERVICE_VARIABLE.fullmatch(name) is not None
    return name.startswith("KUBERNETES") and _SERVICE_SUFFIX.fullmatch(name, len("KUBERNETES")) is not None


def expand(text, mapping):
    """``expansion.Expand``: ``$(NAME)`` -> ``mapping(NAME)``, ``$$`` -> ``$``, anything else verbatim.

    ``mapping`` returns a string or ``Unresolved``; the first ``Unresolved`` is returned instead of
    the text.
    """
    out = []
    checkpoint = cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            following = text[cursor + 1]
            closer = text.find(")", cursor + 2) if following == "(" else -1
            if closer >= 0:
                value = mapping(text[cursor + 2:closer])
                if isinstance(value, Unresolved):
                    return value
                out.append(value)
                cursor = closer
            else:  # the rune after '$' is copied whole (kubernetes PR #136325)
                out.append("$" if following == "$" else "$" + following)
                cursor += 1
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out)


class _PodView(object):
    """What the kubelet knows about a pod on its node, with the offline unknowns made explicit."""

    def __init__(self, pod, node, resources=None):
        self.pod = pod
        self.spec = _field(pod, "spec", dict, "", {})
        status = _field(pod, "status", dict, "", {})
        self.pod_ips = self._status_ips(status, "podIPs", "podIP")
        self.host_ips = self._host_ips(status, node)
        if node is None:
            # every node's allocatable lists cpu, memory and ephemeral-storage (docs/downward-api.md#assumption-4)
            reason = "%s: the limit is unset, so the kubelet uses the node's allocatable; pass the node"
            self.allocatable = {name: Unresolved(reason % name) for name in DEFAULTED_LIMITS}
        else:
            self.allocatable = node_allocatable(node)
            if not _field(self.spec, "nodeName", str, "spec", ""):
                self.spec = dict(self.spec, nodeName=_field(_field(node, "metadata", dict, "node", {}), "name", str, "node.metadata", ""))
                self.pod = dict(pod, spec=self.spec)
        self.containers = PodContainers(self.spec)
        # the pod-level limits as stored: defaulted as the release does (pod_resources)
        self.pod_limits = resources.stored_pod_limits() if resources is not None else {}
        self.service_links = _field(self.spec, "enableServiceLinks", bool, "spec", True)
        self.volumes = {_field(v, "name", str, p, ""): (v, p) for v, p in _entries(self.spec, "volumes", "spec")}
        self._field_values = {}
        self._volume_files = {}

    @staticmethod
    def _status_ips(status, plural, singular):
        """``status.podIPs``/``hostIPs`` as strings (``status.podIP``/``hostIP`` when absent), or ``None``."""
        entries = _entries(status, plural, "status")
        if entries:
            return [_field(entry, "ip", str, path, "") for entry, path in entries]
        single = _field(status, singular, str, "status", "")
        return [single] if single else None

    def _host_ips(self, status, node):
        """The node's host IPs as ``net.IP.String()``; ``None`` when unknown."""
        if node is not None:  # a node without IPs: the kubelet fails only the containers that ask for them
            if _node_addresses(node, ("InternalIP", "ExternalIP"))[1]:  # (also checks the addresses' types)
                return node_host_ips(node)
            try:
                node_host_ips(node)
            except InputError as exc:  # GetNodeHostIPs' error, given to the containers that ask
                return exc
        written = self._status_ips(status, "hostIPs", "hostIP") or []
        parsed = [parse_ip_sloppy(ip) for ip in written]
        return [go_ip_string(ip) for ip in parsed if ip is not None] or None

    def field_value(self, api_version, field_path):
        """An env ``fieldRef``'s value: the same for every container, so computed once."""
        key = (api_version, field_path)
        if key not in self._field_values:
            self._field_values[key] = pod_field_runtime_value(api_version, field_path, self.pod, self.pod_ips, self.host_ips)
        return self._field_values[key]

    def file_field_value(self, field_path):
        """A volume ``fieldRef``'s content, computed once per pod."""
        key = (None, field_path)
        if key not in self._field_values:
            self._field_values[key] = _pod_metadata_value(self.pod, field_path)
        return self._field_values[key]

    def file_resource_value(self, selector, path):
        """``ExtractResourceValueByContainerNameAndNodeAllocatable`` for a volume item."""
        name = _field(selector, "containerName", str, path, "")
        try:
            return extract_resource_value_by_container_name(selector, self.spec, name, self.allocatable, path, self.containers)
        except InputError as exc:
            if str(exc).startswith(path + ":"):
                raise
            raise InputError("%s: %s" % (path, exc)) from None

    def env_resource_value(self, selector, path, container, container_path):
        """``defaultPodLimitsForDownwardAPI`` + ``containerResourceRuntimeValue``: the current
        container and the pod's regular containers are defaulted; init containers found by name are not."""
        resource, divisor, name = resource_field_selector(selector, path)
        allocatable = pod_level_allocatable(self.allocatable, self.pod_limits)
        defaulted = True
        if name:
            try:
                container, container_path, defaulted = self.containers.find(name)
            except InputError as exc:
                raise InputError("%s: %s" % (path, exc)) from None
        limits, requests = self.containers.resources(container, container_path)
        if defaulted:
            limits = merge_container_resource_limits(limits, allocatable)
        return extract_container_resource_value(resource, divisor, limits, requests, path)

    def volume_files(self, name, mount_path):
        """``({path: {"content", "mode"}}, [unresolved])`` of a downwardAPI or projected volume;
        ``None`` for other volumes."""
        if name not in self._volume_files:
            if name not in self.volumes:
                raise InputError("%s: cannot find volume %s to mount into the container" % (mount_path, go_quote(name)))
            self._volume_files[name] = self._collect(*self.volumes[name])
        return self._volume_files[name]

    def _collect(self, volume, path):
        downward = _field(volume, "downwardAPI", dict, path)
        if downward is not None:
            source_path = child(path, "downwardAPI")
            mode = _int32(downward, "defaultMode", source_path)
            items = _entries(downward, "items", source_path)
            return self._checked(self._collect_items(items, mode)), []
        projected = _field(volume, "projected", dict, path)
        if projected is None:
            return None
        source_path = child(path, "projected")
        mode = _int32(projected, "defaultMode", source_path)
        payload, others = {}, []
        for projection, ppath in _entries(projected, "sources", source_path):
            downward = _field(projection, "downwardAPI", dict, ppath)
            if downward is not None:
                payload.update(self._collect_items(_entries(downward, "items", child(ppath, "downwardAPI")), mode))
            others += [Unresolved("the %s source's files come from the API" % kind, child(ppath, kind))
                       for kind, value in projection.items() if kind != "downwardAPI" and value is not None]
        return self._checked(payload), others

    def _collect_items(self, items, mode):
        return collect_data(items, DEFAULT_MODE if mode is None else mode, self.file_field_value, self.file_resource_value)

    @staticmethod
    def _checked(payload):
        for target in payload:
            validate_atomic_writer_path(target)
        return payload


def _env_from_unresolved(container, path):
    """``envFrom`` sources: ``(prefixes of the names they may define, unresolved entries)``."""
    prefixes, unresolved = [], []
    for source, source_path in _entries(container, "envFrom", path):
        prefixes.append(_field(source, "prefix", str, source_path, ""))
        kinds = sorted(str(key) for key in source if key != "prefix" and source[key] is not None)
        unresolved.append(Unresolved("%s: the variables come from the API" % (", ".join(kinds) or "envFrom"), source_path))
    return prefixes, unresolved


def _container_env(view, container, path):
    """``makeEnvironmentVariables``: ``({name: value or Unresolved}, envFrom unresolved)``, in
    declaration order, later duplicates winning; service variables are not known offline."""
    prefixes, from_unresolved = _env_from_unresolved(container, path)
    known = {}

    def lookup(name):
        if name in known:
            value = known[name]
            return Unresolved("uses $(%s): %s" % (name, value.reason)) if isinstance(value, Unresolved) else value
        if any(name.startswith(prefix) for prefix in prefixes):
            return Unresolved("uses $(%s), which envFrom may define" % name)
        if _may_be_service_variable(name, view.service_links):
            return Unresolved("uses $(%s), which may be a service environment variable" % name)
        return "$(%s)" % name  # undefined references stay as written

    for env_var, env_path in _entries(container, "env", path):
        name = _field(env_var, "name", str, env_path, "")
        value = _field(env_var, "value", str, env_path, "")
        value_from = _field(env_var, "valueFrom", dict, env_path)
        if value:
            value = expand(value, lookup)
        elif value_from is not None:
            value = _value_from(view, value_from, child(env_path, "valueFrom"), container, path)
        known[name] = value.at(env_path) if isinstance(value, Unresolved) else value
    return known, from_unresolved


def _value_from(view, value_from, path, container, container_path):
    """The value of one ``valueFrom`` source (already validated: exactly one is set)."""
    field_ref = _field(value_from, "fieldRef", dict, path)
    if field_ref is not None:
        # validated already, so the conversion inside cannot fail; "v1" is the API default
        return view.field_value(field_ref.get("apiVersion") or "v1", field_ref["fieldPath"])
    resource_ref = _field(value_from, "resourceFieldRef", dict, path)
    if resource_ref is not None:
        return view.env_resource_value(resource_ref, child(path, "resourceFieldRef"), container, container_path)
    kind = "configMapKeyRef" if value_from.get("configMapKeyRef") is not None else "secretKeyRef"
    return Unresolved("%s: the value comes from the API" % kind)


def _container_files(view, container, path):
    """``({"VOLUME/PATH": {"content", "mode"}}, [(name, Unresolved)])`` of the Downward API volumes mounted."""
    files, unresolved = {}, []
    for mount, mount_path in _entries(container, "volumeMounts", path):
        name = _field(mount, "name", str, mount_path, "")
        collected = view.volume_files(name, mount_path)
        if collected is None:
            continue
        payload, others = collected
        unresolved += [(name, other) for other in others]
        if _field(mount, "subPathExpr", str, mount_path, ""):
            unresolved.append((name, Unresolved("subPathExpr is expanded by the kubelet", child(mount_path, "subPathExpr"))))
            continue
        sub_path = go_clean_path(_field(mount, "subPath", str, mount_path, "") or ".")
        for target, entry in payload.items():
            if sub_path != "." and target != sub_path and not target.startswith(sub_path + "/"):
                continue
            key = "%s/%s" % (name, target)
            if isinstance(entry["content"], Unresolved):
                unresolved.append((key, entry["content"]))
            else:
                files[key] = dict(entry)
    return files, unresolved


def _container_values(view, container, path):
    known, unresolved = _container_env(view, container, path)
    env = {name: value for name, value in known.items() if not isinstance(value, Unresolved)}
    entries = [u.as_dict(None) for u in unresolved]
    entries += [value.as_dict(name) for name, value in known.items() if isinstance(value, Unresolved)]
    files, file_unresolved = _container_files(view, container, path)
    entries += [value.as_dict(name) for name, value in file_unresolved]
    # a volume mounted twice reports its unknowns once
    unique = {(entry["name"], entry["field"]): entry for entry in entries}
    return {"env": env, "files": files, "unresolved": list(unique.values())}


def downward_values(pod, node=None):
    """What each container of ``pod`` sees through the Downward API, as the kubelet computes it.

    Returns ``{container: {"env": {NAME: value}, "files": {"VOLUME/PATH": {"content", "mode"}},
    "unresolved": [{"name", "field", "reason"}]}}`` for init, regular and ephemeral containers.
    ``node`` (a Node object) supplies the allocatable resources for unset limits, the host IPs and
    the node name. Raises ``InputError`` when the apiserver would reject the pod or the kubelet
    would fail to start a container.
    """
    expect(pod, dict, "pod")
    if pod.get("kind") not in (None, "Pod"):
        raise InputError("downward_values needs a Pod, got kind %r" % (pod.get("kind"),))
    optional(node, dict, "node")
    spec = _field(pod, "spec", dict, "", {})
    resources = pod_resources.PodResources(spec) if _field(spec, "resources", dict, "spec") is not None else None
    _refuse(validate_pod_spec(spec, "spec") + (resources.errors() if resources is not None else []), "pod")
    # the status a kubelet writes goes through the status subresource's checks
    _refuse(dualstack.validate_pod_status(_field(pod, "status", dict, "", {}), "status"), "pod's status")
    view = _PodView(pod, node, resources)
    result = {}
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for container, path in _entries(spec, kind, "spec"):
            name = _field(container, "name", str, path, "")
            if not name or name in result:
                raise InputError("%s.name: every container needs a unique, non-empty name, got %r" % (path, name))
            result[name] = _container_values(view, container, path)
    return result

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The per-pod container and resources index, and the resource values a ``resourceFieldRef`` exposes.

Sources, in kubernetes/kubernetes: ``pkg/api/v1/resource/helpers.go`` (``ExtractContainerResourceValue``,
``findContainerInPod``, ``MergeContainerResourceLimits``) and ``pkg/kubelet/kubelet_resources.go``
(``defaultPodLimitsForDownwardAPI``).
"""

from __future__ import annotations

import decimal

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.inputs import Unresolved
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity, ceil_ratio
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import child, index

RESOURCE_FIELD_PATHS = tuple(sorted((
    "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "requests.cpu", "requests.memory", "requests.ephemeral-storage")))
HUGEPAGES_PREFIXES = ("requests.hugepages-", "limits.hugepages-")

# MergeContainerResourceLimits defaults these; pod-level limits exist for cpu and memory only
DEFAULTED_LIMITS = ("cpu", "memory", "ephemeral-storage")
POD_LEVEL_LIMITS = ("cpu", "memory")

_ONE = Quantity(decimal.Decimal(1))
_ZERO = Quantity(decimal.Decimal(0))


def resource_list(obj: dict, key: str, path: str) -> dict:
    """A ``ResourceList`` (``limits``, ``requests``, ``allocatable``) as ``{name: Quantity}``, as the
    kubelet reads it: decoded and defaulted by the apiserver (``SetDefaults_ResourceList`` rounds up to
    milli units), stored as ``String()`` and parsed again (``1000E`` is stored as ``1``)."""
    return {name: Quantity.decode(value, "%s[%s]" % (child(path, key), name)).round_up_milli().stored()
            for name, value in field(obj, key, dict, path, {}).items()}


def container_resources(container: dict, path: str) -> tuple[dict, dict]:
    """``(limits, requests)`` of a Pod's container, as the apiserver stores them: ``SetDefaults_Pod``
    gives every limit without a request that request."""
    resources = field(container, "resources", dict, path, {})
    rpath = child(path, "resources")
    limits, requests = resource_list(resources, "limits", rpath), resource_list(resources, "requests", rpath)
    for name, quantity in limits.items():
        requests.setdefault(name, quantity)
    return limits, requests


def node_allocatable(node: dict) -> dict:
    """The node's allocatable resources; the API defaults them to the capacity when unset."""
    status = field(expect(node, dict, "node"), "status", dict, "node", {})
    key = "allocatable" if status.get("allocatable") is not None else "capacity"
    return resource_list(status, key, "node.status")


def merge_container_resource_limits(limits: dict, allocatable: dict) -> dict:
    """``MergeContainerResourceLimits``: unset or zero cpu/memory/ephemeral-storage limits take the
    allocatable value when it has one. Hugepages are never defaulted."""
    merged = dict(limits)
    for name in DEFAULTED_LIMITS:
        current = merged.get(name)
        if (current is None or current.is_zero()) and name in allocatable:
            merged[name] = allocatable[name]
    return merged


def pod_level_allocatable(allocatable: dict, pod_limits: dict, pod_level_resources: bool | None = None) -> dict:
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

    def find(self, name: str) -> tuple[dict, str, bool]:
        """``findContainerInPod``: ``(container, path, is_regular)`` from containers, then initContainers (the first
        of that name)."""
        if self._by_name is None:
            self._by_name = {}
            for kind in ("containers", "initContainers"):
                for i, container in enumerate(field(self.spec, kind, list, "spec", [])):
                    key = container.get("name") if isinstance(container, dict) else None
                    if isinstance(key, str) and key not in self._by_name:
                        self._by_name[key] = (container, index(child("spec", kind), i), kind == "containers")
        found = self._by_name.get(name)
        if found is None:
            raise InputError("container %s not found" % name)
        return found

    def resources(self, container: dict, path: str) -> tuple[dict, dict]:
        """:func:`container_resources` of one of the pod's containers, read once."""
        found = self._resources.get(id(container))
        if found is None:
            found = self._resources[id(container)] = container_resources(container, path)
        return found


def find_container_in_pod(spec: dict, name: str) -> tuple[dict, str, bool]:
    """``findContainerInPod``: ``(container, path, is_regular)`` from containers, then initContainers."""
    return PodContainers(spec).find(name)


def resource_field_selector(selector: dict, path: str) -> tuple[str, Quantity | None, str]:
    """``(resource, divisor, containerName)`` of a ``resourceFieldRef``; divisor ``None`` when unset."""
    divisor = selector.get("divisor")
    if divisor is not None:
        divisor = Quantity.decode(divisor, child(path, "divisor"))
    return (field(selector, "resource", str, path, ""), divisor,
            field(selector, "containerName", str, path, ""))


def extract_container_resource_value(resource: str, divisor: Quantity | None, limits: dict, requests: dict,
                                     path: str = "") -> str | Unresolved:
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


def extract_resource_value_by_container_name(selector: dict, spec: dict, container_name: str, allocatable: dict | None = None,
                                             path: str = "", containers: PodContainers | None = None) -> str | Unresolved:
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

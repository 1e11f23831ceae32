# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""What each container of a pod sees through the Downward API, as the kubelet computes it: :func:`downward_values`.

Sources, in kubernetes/kubernetes: ``pkg/kubelet/kubelet_pods.go`` (``makeEnvironmentVariables``,
``containerResourceRuntimeValue``) and ``pkg/kubelet/kubelet_resources.go`` (``defaultPodLimitsForDownwardAPI``).
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack, pod_resources
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.container_resources import (
    DEFAULTED_LIMITS, PodContainers, extract_container_resource_value, extract_resource_value_by_container_name,
    merge_container_resource_limits, node_allocatable, pod_level_allocatable, resource_field_selector)
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.env_values import (
    container_env, node_addresses, node_host_ips, pod_field_runtime_value, pod_metadata_value)
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.exposure import refuse, validate_volumes_and_containers
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.inputs import Unresolved, int32, mappings
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.volume_files import (
    DEFAULT_MODE, collect_data, container_files, validate_atomic_writer_path)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import child
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import go_ip_string, parse_ip_sloppy


class _PodView(object):
    """What the kubelet knows about a pod on its node, with the offline unknowns made explicit."""

    def __init__(self, pod, node, resources=None):
        self.pod = pod
        self.spec = field(pod, "spec", dict, "", {})
        status = field(pod, "status", dict, "", {})
        self.pod_ips = self._status_ips(status, "podIPs", "podIP")
        self.host_ips = self._host_ips(status, node)
        if node is None:
            # every node's allocatable lists cpu, memory and ephemeral-storage (docs/downward-api.md#assumption-4)
            reason = "%s: the limit is unset, so the kubelet uses the node's allocatable; pass the node"
            self.allocatable = {name: Unresolved(reason % name) for name in DEFAULTED_LIMITS}
        else:
            self.allocatable = node_allocatable(node)
            if not field(self.spec, "nodeName", str, "spec", ""):
                self.spec = dict(self.spec, nodeName=field(field(node, "metadata", dict, "node", {}), "name", str, "node.metadata", ""))
                self.pod = dict(pod, spec=self.spec)
        self.containers = PodContainers(self.spec)
        # the pod-level limits as stored: defaulted as the release does (pod_resources)
        self.pod_limits = resources.stored_pod_limits() if resources is not None else {}
        self.service_links = field(self.spec, "enableServiceLinks", bool, "spec", True)
        self.volumes = {field(v, "name", str, p, ""): (v, p) for v, p in mappings(self.spec, "volumes", "spec")}
        self._field_values = {}
        self._volume_files = {}

    @staticmethod
    def _status_ips(status, plural, singular):
        """``status.podIPs``/``hostIPs`` as strings (``status.podIP``/``hostIP`` when absent), or ``None``."""
        entries = mappings(status, plural, "status")
        if entries:
            return [field(entry, "ip", str, path, "") for entry, path in entries]
        single = field(status, singular, str, "status", "")
        return [single] if single else None

    def _host_ips(self, status, node):
        """The node's host IPs as ``net.IP.String()``; ``None`` when unknown."""
        if node is not None:  # a node without IPs: the kubelet fails only the containers that ask for them
            if node_addresses(node, ("InternalIP", "ExternalIP"))[1]:  # (also checks the addresses' types)
                return node_host_ips(node)
            try:
                node_host_ips(node)
            except InputError as exc:  # GetNodeHostIPs' error, given to the containers that ask
                return exc
        written = self._status_ips(status, "hostIPs", "hostIP") or []
        parsed = [parse_ip_sloppy(ip) for ip in written]
        return [go_ip_string(ip) for ip in parsed if ip is not None] or None

    def field_value(self, api_version: str, field_path: str) -> str | Unresolved:
        """An env ``fieldRef``'s value: the same for every container, so computed once."""
        key = (api_version, field_path)
        if key not in self._field_values:
            self._field_values[key] = pod_field_runtime_value(api_version, field_path, self.pod, self.pod_ips, self.host_ips)
        return self._field_values[key]

    def file_field_value(self, field_path: str) -> str | Unresolved:
        """A volume ``fieldRef``'s content, computed once per pod."""
        key = (None, field_path)
        if key not in self._field_values:
            self._field_values[key] = pod_metadata_value(self.pod, field_path)
        return self._field_values[key]

    def file_resource_value(self, selector: dict, path: str) -> str | Unresolved:
        """``ExtractResourceValueByContainerNameAndNodeAllocatable`` for a volume item."""
        name = field(selector, "containerName", str, path, "")
        try:
            return extract_resource_value_by_container_name(selector, self.spec, name, self.allocatable, path, self.containers)
        except InputError as exc:
            if str(exc).startswith(path + ":"):
                raise
            raise InputError("%s: %s" % (path, exc)) from None

    def env_resource_value(self, selector: dict, path: str, container: dict, container_path: str) -> str | Unresolved:
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

    def volume_files(self, name: str, mount_path: str) -> tuple[dict, list[Unresolved]] | None:
        """``({path: {"content", "mode"}}, [unresolved])`` of a downwardAPI or projected volume;
        ``None`` for other volumes."""
        if name not in self._volume_files:
            if name not in self.volumes:
                raise InputError("%s: cannot find volume %s to mount into the container" % (mount_path, go_quote(name)))
            self._volume_files[name] = self._collect(*self.volumes[name])
        return self._volume_files[name]

    def _collect(self, volume, path):
        downward = field(volume, "downwardAPI", dict, path)
        if downward is not None:
            source_path = child(path, "downwardAPI")
            mode = int32(downward, "defaultMode", source_path)
            items = mappings(downward, "items", source_path)
            return self._checked(self._collect_items(items, mode)), []
        projected = field(volume, "projected", dict, path)
        if projected is None:
            return None
        source_path = child(path, "projected")
        mode = int32(projected, "defaultMode", source_path)
        payload, others = {}, []
        for projection, ppath in mappings(projected, "sources", source_path):
            downward = field(projection, "downwardAPI", dict, ppath)
            if downward is not None:
                payload.update(self._collect_items(mappings(downward, "items", child(ppath, "downwardAPI")), mode))
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


def _container_values(view, container, path):
    known, unresolved = container_env(view, container, path)
    env = {name: value for name, value in known.items() if not isinstance(value, Unresolved)}
    entries = [u.as_dict(None) for u in unresolved]
    entries += [value.as_dict(name) for name, value in known.items() if isinstance(value, Unresolved)]
    files, file_unresolved = container_files(view, container, path)
    entries += [value.as_dict(name) for name, value in file_unresolved]
    # a volume mounted twice reports its unknowns once
    unique = {(entry["name"], entry["field"]): entry for entry in entries}
    return {"env": env, "files": files, "unresolved": list(unique.values())}


def downward_values(pod: dict, node: dict | None = None) -> dict:
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
    spec = field(pod, "spec", dict, "", {})
    resources = pod_resources.PodResources(spec) if field(spec, "resources", dict, "spec") is not None else None
    refuse(validate_volumes_and_containers(spec, "spec") + (resources.errors() if resources is not None else []), "pod")
    # the status a kubelet writes goes through the status subresource's checks
    refuse(dualstack.validate_pod_status(field(pod, "status", dict, "", {}), "status"), "pod's status")
    view = _PodView(pod, node, resources)
    result = {}
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for container, path in mappings(spec, kind, "spec"):
            name = field(container, "name", str, path, "")
            if not name or name in result:
                raise InputError("%s.name: every container needs a unique, non-empty name, got %r" % (path, name))
            result[name] = _container_values(view, container, path)
    return result

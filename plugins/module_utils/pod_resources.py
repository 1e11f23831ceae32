# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Pod-level resources (``spec.resources``, KEP-2837): what kube-apiserver stores for them on create and how it checks
them against the containers' resources.

Pure Python, no Ansible imports. Sources, all in kubernetes/kubernetes:

- ``pkg/apis/core/v1/defaults.go``: ``SetDefaults_Pod`` (a container's requests default to its limits, then
  ``defaultHugePagePodLimits`` and ``defaultPodRequests``), run while the object is decoded, before
  ``SetDefaults_ResourceList`` rounds every quantity up to milli units; from 1.37 only with the
  ``PodLevelResourcesFixDefaulting`` gate off;
- ``pkg/api/pod/util.go``: ``DefaultPodLevelResources`` (1.37, with that gate on: hugepage limits, requests and pod-level
  limits defaulted in the pod strategy's ``PrepareForCreate``, on the rounded quantities);
- ``k8s.io/component-helpers/resource``: ``AggregateContainerRequests``, ``AggregateContainerLimits`` (the sidecar
  formula), ``IsSupportedPodLevelResource``;
- ``pkg/apis/core/validation/validation.go``: ``validatePodResources``, ``validatePodResourceConsistency``.

The release-dependent part (which defaulting runs, and on which quantities) is the ``PodLevelResourcesFixDefaulting``
gate of :mod:`releases`. The rules: docs/downward-api.md#pod-level-resources.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import expect, field
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    child, forbidden, index, invalid, key)

HUGEPAGES_PREFIX = "hugepages-"
CONTAINER_KINDS = ("initContainers", "containers", "ephemeralContainers")  # VisitContainers' order


def is_supported(name: str) -> bool:
    """``IsSupportedPodLevelResource``: cpu, memory and every hugepages size."""
    return name in ("cpu", "memory") or name.startswith(HUGEPAGES_PREFIX)


def is_hugepages(name: str) -> bool:
    return name.startswith(HUGEPAGES_PREFIX)


def overcommit_allowed(name: str) -> bool:
    """``IsOvercommitAllowed``: a native resource (no domain, or ``kubernetes.io/``) other than hugepages."""
    return ("/" not in name or "kubernetes.io/" in name) and not is_hugepages(name)


def _decoded(resources, name, path):
    """A ``ResourceList`` as decoded (not yet rounded); ``None`` when absent (Go's nil map)."""
    value = field(resources, name, dict, path)
    if value is None:
        return None
    return {res: Quantity.decode(text, key(child(path, name), res)) for res, text in value.items()}


def _add_list(total, more):
    """``addResourceList``."""
    for name, quantity in more.items():
        total[name] = total[name].add(quantity) if name in total else quantity


def _max_list(total, more):
    """``maxResourceList``: the greater of each (the first one on a tie)."""
    for name, quantity in more.items():
        if name not in total or quantity.value > total[name].value:
            total[name] = quantity


def aggregate(containers: list, init_containers: list, which: str) -> dict:
    """``AggregateContainerRequests`` (``which`` "requests") or ``AggregateContainerLimits`` ("limits") of a pod whose
    containers are ``Container`` entries: the regular and restartable init containers summed, at least each init
    container plus the restartable ones before it."""
    result: dict = {}
    for container in containers:
        _add_list(result, getattr(container, which))
    restartable: dict = {}
    init: dict = {}
    for container in init_containers:
        resources = getattr(container, which)
        if container.restartable:
            _add_list(result, resources)
            _add_list(restartable, resources)
            resources = dict(restartable)
        else:
            combined: dict = {}
            _add_list(combined, resources)
            _add_list(combined, restartable)
            resources = combined
        _max_list(init, resources)
    _max_list(result, init)
    return result


class Container(object):
    """One container's resources: ``limits`` and ``requests`` (``{name: Quantity}``)."""

    __slots__ = ("kind", "path", "limits", "requests", "restartable")

    def __init__(self, kind, path, limits, requests, restartable):
        self.kind, self.path, self.limits, self.requests, self.restartable = kind, path, limits, requests, restartable


class PodResources(object):
    """The resources of a pod spec as kube-apiserver stores them on create: every quantity rounded up to milli units,
    a Pod's container requests defaulted from its limits, and (``spec.resources`` set, PodLevelResources on) the
    pod-level values defaulted as the release does. ``pod_limits``/``pod_requests`` are ``None`` when unset."""

    def __init__(self, spec, path="spec", is_pod=True):
        self.containers = {kind: [] for kind in CONTAINER_KINDS}
        for kind in CONTAINER_KINDS:
            entries = spec.get(kind)
            for i, container in enumerate(expect(entries, list, child(path, kind)) if entries is not None else []):
                cpath = index(child(path, kind), i)
                resources = field(expect(container, dict, cpath), "resources", dict, cpath, {})
                rpath = child(cpath, "resources")
                limits = _decoded(resources, "limits", rpath) or {}
                requests = _decoded(resources, "requests", rpath) or {}
                if is_pod and kind != "ephemeralContainers":  # SetDefaults_Pod
                    for name, quantity in limits.items():
                        requests.setdefault(name, quantity)
                self.containers[kind].append(Container(kind, cpath, limits, requests,
                                                       container.get("restartPolicy") == "Always"))
        self.pod_limits = self.pod_requests = None
        self.claims = False
        self.windows = False
        resources = spec.get("resources")
        self.enabled = resources is not None and releases.enabled("PodLevelResources")  # else dropped on create
        if self.enabled:
            rpath = child(path, "resources")
            expect(resources, dict, rpath)
            self.pod_limits = _decoded(resources, "limits", rpath)
            self.pod_requests = _decoded(resources, "requests", rpath)
            self.claims = resources.get("claims") is not None
            self.windows = field(spec, "os", dict, path, {}).get("name") == "windows"
        fixed = releases.enabled("PodLevelResourcesFixDefaulting")
        if self.enabled and is_pod and not fixed:
            self._default_hugepage_limits()
            if self.pod_limits:  # defaultPodRequests
                self._default_requests()
        self._round()
        if self.enabled and is_pod and fixed and (self.pod_limits or self.pod_requests):  # DefaultPodLevelResources
            self._default_hugepage_limits()
            if self.pod_limits or self.pod_requests:
                self._default_requests()
            self._default_limits()

    def aggregate(self, which: str) -> dict:
        return aggregate(self.containers["containers"], self.containers["initContainers"], which)

    def _round(self):
        """``SetDefaults_ResourceList``: every value rounded up to milli units."""
        for entries in self.containers.values():
            for container in entries:
                container.limits = {n: q.round_up_milli() for n, q in container.limits.items()}
                container.requests = {n: q.round_up_milli() for n, q in container.requests.items()}
        if self.pod_limits is not None:
            self.pod_limits = {n: q.round_up_milli() for n, q in self.pod_limits.items()}
        if self.pod_requests is not None:
            self.pod_requests = {n: q.round_up_milli() for n, q in self.pod_requests.items()}

    def _default_hugepage_limits(self):
        """``defaultHugePagePodLimits``: a hugepages limit of the containers and not of the pod (nor requested at the
        pod level) becomes the pod's, as their aggregate."""
        if not self.pod_limits and not self.pod_requests:
            return
        limits = dict(self.pod_limits or {})
        requests = self.pod_requests or {}
        for name, quantity in self.aggregate("limits").items():
            if is_supported(name) and is_hugepages(name) and name not in requests and name not in limits:
                limits[name] = quantity
        if limits:
            self.pod_limits = limits

    def _default_requests(self):
        """``defaultPodRequests`` / ``defaultPodLevelRequests``: an unset pod-level request is the containers'
        aggregate request (cpu, memory), else the pod-level limit."""
        requests = dict(self.pod_requests or {})
        for name, quantity in self.aggregate("requests").items():
            if name not in requests and is_supported(name) and overcommit_allowed(name):
                requests[name] = quantity
        for name, quantity in (self.pod_limits or {}).items():
            if name not in requests and is_supported(name):
                requests[name] = quantity
        if requests:
            self.pod_requests = requests

    def _default_limits(self):
        """``defaultPodLevelLimits`` (1.37): a pod-level request without a pod-level limit, where every container
        (init, regular, ephemeral) has a limit of that resource, gets the greater of the request and the containers'
        aggregate limit."""
        candidates = [name for name in (self.pod_requests or {})
                      if is_supported(name) and name not in (self.pod_limits or {})]
        every = [c for kind in CONTAINER_KINDS for c in self.containers[kind]]
        candidates = [name for name in candidates if all(name in c.limits for c in every)]
        if not candidates:
            return
        aggregated = self.aggregate("limits")
        limits = dict(self.pod_limits or {})
        for name in candidates:
            if name not in aggregated:
                continue
            value, request = aggregated[name], self.pod_requests[name]
            limits[name] = request if request.value > value.value else value
        self.pod_limits = limits

    def errors(self, path: str = "spec") -> list:
        """``validatePodResources`` but ``validatePodResourceRequirements`` (the names, values and requests against
        limits at the pod level are not checked here): the windows and claims refusals, then
        ``validatePodResourceConsistency``. Upstream reports the errors of one check in Go map order; here by
        resource name."""
        if not self.enabled:
            return []
        rpath = child(path, "resources")
        if self.windows:
            return [forbidden(rpath, "may not be set for a windows pod")]
        errors = []
        if self.claims:
            errors.append(forbidden(child(rpath, "claims"), "claims may not be set for Resources at pod-level"))
        pod_requests, pod_limits = self.pod_requests or {}, self.pod_limits or {}
        for name, total in sorted(self.aggregate("requests").items()):
            if name in pod_requests and total.value > pod_requests[name].value:
                errors.append(invalid(key(child(rpath, "requests"), name), str(pod_requests[name]),
                                      "must be greater than or equal to aggregate container requests of %s" % total))
        for name, total in sorted(self.aggregate("limits").items()):
            if is_hugepages(name) and name in pod_limits and total.value > pod_limits[name].value:
                errors.append(invalid(key(child(rpath, "limits"), name), str(pod_limits[name]),
                                      "must be greater than or equal to aggregate container limits of %s" % total))
        for i, container in enumerate(self.containers["containers"]):
            for name, limit in sorted(container.limits.items()):
                if name in pod_limits and limit.value > pod_limits[name].value:
                    errors.append(invalid(child(key(index(child(rpath, "containers"), i), name), "limits"), str(limit),
                                          "must be less than or equal to pod limits of %s" % pod_limits[name]))
        return errors

    def stored_pod_limits(self) -> dict:
        """The pod-level limits the kubelet reads (``String()`` parsed again), ``{}`` when unset."""
        return {name: quantity.stored() for name, quantity in (self.pod_limits or {}).items()}


def validate_pod_resources(spec: dict, path: str = "spec", is_pod: bool = True) -> list:
    """The pod-level resources errors of a pod spec (``is_pod`` false: a workload's template, not defaulted)."""
    if spec.get("resources") is None:
        return []
    return PodResources(spec, path, is_pod).errors(path)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The work of the ``node_pod_cidrs`` module, free of Ansible: read every Node, plan with
kube-controller-manager's RangeAllocator (``cidrset``), and set ``spec.podCIDRs`` where none is set.

The plan is made in full before any Node is changed, so an exhausted range changes nothing. Each
change is a JSON merge patch carrying the ``resourceVersion`` the Node was read at: a patch never
creates a Node that was deleted meanwhile, and a Node someone else gave podCIDRs meanwhile answers
409 Conflict and is then reported, not changed (podCIDRs are immutable once set).

The rules, their upstream origin and the assumptions: docs/pod-cidrs.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset, dualstack
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, strings, to_builtin
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import (
    RETRYABLE_STATUSES, ApiError, ConnectionFailure, K8sError)
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import Ref
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.paging import stream

if TYPE_CHECKING:  # for the hints only: the backend is given a cluster, it never makes one
    from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import Cluster

IMMUTABLE = "spec.podCIDRs is immutable once set: only re-creating the Node changes it"


@dataclass(frozen=True)
class NodeState:
    """The few fields of a Node the allocator needs."""

    name: str
    pod_cidrs: tuple
    pod_cidr: str
    resource_version: str


@dataclass
class Plan:
    """``assignments``: ``{node: [cidr per cluster CIDR]}`` in allocation order; ``skipped``: ``[{name, podCIDRs, reason}]``."""

    assignments: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)

    def skip(self, name: str, pod_cidrs: Iterable[str], reason: str) -> None:
        self.skipped.append({"name": name, "podCIDRs": list(pod_cidrs), "reason": reason})


class Settings(object):
    """The allocator's configuration, checked as kube-controller-manager checks its flags."""

    def __init__(self, cluster_cidrs: Any, node_mask_sizes: Any = None, service_cidrs: Any = None, nodes: Any = None,
                 field_manager: str | None = None, page_size: int = 500) -> None:
        self.cluster_cidrs = to_builtin(cluster_cidrs)
        self.node_mask_sizes = to_builtin(node_mask_sizes)
        self.service_cidrs = to_builtin(service_cidrs) or None
        self.cluster, self.masks, self.services = cidrset.allocator_config(
            self.cluster_cidrs, self.node_mask_sizes, self.service_cidrs)
        self.allocator()  # the CidrSets themselves may be refused (IPv6 mask difference over 16)
        subset = to_builtin(nodes)
        self.nodes = None if subset is None else strings(subset, "nodes")
        self.field_manager = field_manager
        self.page_size = expect(page_size, int, "page_size")
        if self.page_size < 1:
            raise InputError("page_size must be at least 1, got %d" % self.page_size)

    def allocator(self) -> cidrset.RangeAllocator:
        """A fresh ``RangeAllocator`` with the service ranges occupied."""
        try:
            return cidrset.RangeAllocator(self.cluster, self.masks, self.services)
        except cidrset.CIDRAllocatorError as err:
            raise InputError("kube-controller-manager rejects cluster_cidrs=%r, node_mask_sizes=%r: %s"
                             % (self.cluster_cidrs, self.node_mask_sizes, err)) from None


def node_state(node: dict) -> NodeState:
    """A :class:`NodeState` of a Node as the API returns it (``podCIDR`` alone counts as ``podCIDRs``)."""
    meta = node.get("metadata") or {}
    spec = node.get("spec") or {}
    pod_cidrs = tuple(spec.get("podCIDRs") or ())
    pod_cidr = spec.get("podCIDR") or ""
    if not pod_cidrs and pod_cidr:
        pod_cidrs = (pod_cidr,)
    return NodeState(meta.get("name") or "", pod_cidrs, pod_cidr or (pod_cidrs[0] if pod_cidrs else ""),
                     meta.get("resourceVersion") or "")


def read_nodes(cluster: Cluster, page_size: int = 500) -> list[NodeState]:
    """Every Node's :class:`NodeState`, in the order the API server lists them (by name)."""
    found: list = []

    def reset():
        del found[:]

    stream(cluster, "v1", "Node", lambda node: found.append(node_state(node)), reset, page_size=page_size)
    return found


def _kept_reason(settings, node):
    """Why a Node with podCIDRs is left alone, and whether its podCIDRs fit the cluster CIDRs."""
    report = dualstack.check_node({"spec": {"podCIDRs": list(node.pod_cidrs)}}, settings.cluster_cidrs, settings.masks)
    fit = next(c for c in report["checks"] if c["check"] == "podCIDRs-from-cluster-cidr")
    if fit["pass"]:
        return "spec.podCIDRs is already set (%s)" % ", ".join(node.pod_cidrs)
    return "%s; it does not match cluster_cidrs: %s" % (IMMUTABLE, fit["reason"])


def plan(settings: Settings, nodes: list[NodeState]) -> Plan:
    """Which Nodes get which podCIDRs, as kube-controller-manager would hand them out.

    Every Node's existing podCIDRs are occupied first (a Node kube-controller-manager would refuse
    to start with is reported instead); then each Node without podCIDRs, in list order (only those
    in ``settings.nodes`` when given), gets the next block of every cluster CIDR. An exhausted
    range raises ``InputError`` (nothing is changed).
    """
    allocator = settings.allocator()
    wanted = None if settings.nodes is None else set(settings.nodes)
    result, pending = Plan(), []
    for node in nodes:
        selected = wanted is None or node.name in wanted
        if not node.pod_cidrs:
            if selected:
                pending.append(node)
            continue
        try:
            allocator.occupy_node(node.name, list(node.pod_cidrs), node.pod_cidr)
            reason = _kept_reason(settings, node)
        except cidrset.CIDRAllocatorError as err:
            reason = "%s; kube-controller-manager would refuse to start with it: %s" % (IMMUTABLE, err)
        if selected:
            result.skip(node.name, node.pod_cidrs, reason)
    if wanted is not None:
        listed = {node.name for node in nodes}
        for name in dict.fromkeys(settings.nodes or ()):
            if name not in listed:
                result.skip(name, (), "no Node of this name")
    for node in pending:
        try:
            cidrs = allocator.allocate_node(node.name)
        except cidrset.RangeExhausted as err:
            raise InputError("%s (%d Node(s) could be given podCIDRs before that; nothing was changed)"
                             % (err.plain(), len(result.assignments))) from None
        result.assignments[node.name] = cidrs
    return result


class AssignFailure(K8sError):
    """A patch failed: ``done`` are the assignments made before it."""

    def __init__(self, done: dict, error: K8sError) -> None:
        self.done, self.error = done, error
        super().__init__("%s [podCIDRs set on %d Node(s) before: %s]"
                         % (error, len(done), ", ".join(done) or "none"), error.verb, error.target)

    def details(self) -> dict:
        return self.error.details()


def assign(cluster: Cluster, result: Plan, nodes: list[NodeState], field_manager: str | None,
           dry_run: bool = False) -> dict:
    """Patch each planned Node; returns the assignments made (or, with ``dry_run``, that the server accepts).

    A Node whose podCIDRs were set meanwhile (409 Conflict on its resourceVersion, or 422 from the
    server's immutability check) is moved to ``result.skipped``; one deleted meanwhile too. When a
    patch's answer is lost (no answer, or a 5xx), the Node is read back: a patch that went through
    counts as done. ``AssignFailure`` carries the assignments made before a failure.
    """
    versions = {node.name: node.resource_version for node in nodes}
    done = {}
    for name, cidrs in result.assignments.items():
        try:
            if _assign_one(cluster, result, name, cidrs, versions[name], field_manager, dry_run):
                done[name] = cidrs
        except K8sError as exc:
            raise AssignFailure(done, exc) from None
    return done


def _assign_one(cluster, result, name, cidrs, version, field_manager, dry_run):
    """Patch one Node; True when it has ``cidrs`` (now, or from an earlier attempt), False when it was skipped.

    A 409 on a Node still without podCIDRs (it changed meanwhile: a label, a status heartbeat) is tried again
    at the resourceVersion just read, at most ``cluster.policy.attempts`` times in all.
    """
    ref = Ref("v1", "Node", name)
    attempt = 1
    while True:
        body = {"metadata": {"resourceVersion": version}, "spec": {"podCIDR": cidrs[0], "podCIDRs": cidrs}}
        try:
            cluster.patch(ref, body, field_manager, dry_run)
            return True
        except K8sError as exc:
            if not _worth_reading_back(exc, dry_run):
                raise
            try:
                live = cluster.get(ref)
            except K8sError:
                exc.hint = "whether Node %s got podCIDRs could not be read back" % name
                raise exc from None
            if live is None:
                result.skip(name, (), "the Node was deleted meanwhile")
                return False
            now = node_state(live)
            if list(now.pod_cidrs) == cidrs:  # this patch (or an earlier attempt of it) went through
                return True
            if now.pod_cidrs:
                result.skip(name, now.pod_cidrs, "%s; it was set meanwhile by another client" % IMMUTABLE)
                return False
            if not (isinstance(exc, ApiError) and exc.modified_conflict):
                raise
            if attempt >= cluster.policy.attempts:
                exc.attempts = max(exc.attempts, attempt)
                raise
            cluster.pause(attempt)
            attempt, version = attempt + 1, now.resource_version


def _worth_reading_back(exc, dry_run):
    """Whether the Node is read back after a failed patch: the server refused it for a reason the Node's state
    explains (404, 409, 422), or (not in a dry run) the answer was lost and the patch may have gone through."""
    if isinstance(exc, ApiError):
        return exc.code in (404, 409, 422) or (not dry_run and exc.code in RETRYABLE_STATUSES)
    return isinstance(exc, ConnectionFailure) and not dry_run


def diff(name: str, cidrs: list) -> dict:
    """Ansible's diff for one Node."""
    return {"before": {"spec": {}}, "after": {"spec": {"podCIDR": cidrs[0], "podCIDRs": cidrs}},
            "before_header": "Node %s (live)" % name, "after_header": "Node %s (podCIDRs assigned)" % name}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The work of the ``dualstack_info`` module, free of Ansible: the "Validate IPv4/IPv6 dual-stack"
checks over a live cluster's Nodes, Pods and Services.

The checks themselves are ``dualstack.check_node``, ``check_pod`` and ``check_service``; this file
only reads the objects and tallies the reports. Objects are read one page at a time
(``k8s.paging.stream``) and dropped once checked: what is kept is each object's report and, for the
pods' checks, a few fields of each Node (its podCIDRs and InternalIPs), so memory grows with the
number of objects' reports, never with the size of the objects themselves.

The rules, their upstream origin and the assumptions: docs/dualstack-checks.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset, dualstack
from ansible_collections.clusternet.k8s.plugins.module_utils.common import (
    InputError, expect, optional, strings, to_builtin)
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import DiscoveryError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import Ref
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.paging import stream
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import aggregate
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import validate_dns1123_label

if TYPE_CHECKING:  # for the hints only: the backend is given a cluster, it never makes one
    from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import Cluster

KINDS = ("nodes", "pods", "services")
REPORTS = ("all", "failed", "none")
KIND_NAMES = {"nodes": "Node", "pods": "Pod", "services": "Service"}
SERVICE_CIDR_VERSIONS = ("networking.k8s.io/v1", "networking.k8s.io/v1beta1")
# How many failing objects the failure message of fail_on_error names.
MESSAGE_LIMIT = 20


class Settings(object):
    """What to check and how, validated before anything is read from the cluster."""

    def __init__(self, kinds: Any = KINDS, cluster_cidrs: Any = None, node_mask_sizes: Any = None,
                 service_cidrs: Any = None, namespaces: Any = None, label_selector: str | None = None,
                 node_label_selector: str | None = None, page_size: int = 500, report: str = "all") -> None:
        kinds = strings(expect(to_builtin(kinds), list, "kinds"), "kinds")
        unknown = [k for k in kinds if k not in KINDS]
        if unknown or not kinds:
            raise InputError("kinds must be a non-empty list of %s, got %r" % (", ".join(KINDS), kinds))
        self.kinds = [k for k in KINDS if k in kinds]
        self.cluster_cidrs = to_builtin(cluster_cidrs) or None
        self.node_mask_sizes = to_builtin(node_mask_sizes)
        if self.node_mask_sizes is not None and self.cluster_cidrs is None:
            raise InputError("node_mask_sizes needs cluster_cidrs (the masks are per --cluster-cidr entry)")
        if self.cluster_cidrs is not None:  # as kube-controller-manager checks them, with its own messages
            cluster, masks = cidrset.allocator_config(self.cluster_cidrs, self.node_mask_sizes)[:2]
            try:
                cidrset.RangeAllocator(cluster, masks)
            except cidrset.CIDRAllocatorError as err:
                raise InputError("kube-controller-manager rejects cluster_cidrs=%r, node_mask_sizes=%r: %s"
                                 % (self.cluster_cidrs, self.node_mask_sizes, err)) from None
        self.service_cidrs = to_builtin(service_cidrs) or None
        if self.service_cidrs is not None:
            dualstack.service_networks(self.service_cidrs)
        self.namespaces = strings(to_builtin(namespaces), "namespaces")
        if any(not n for n in self.namespaces):
            raise InputError("namespaces must not hold an empty name")
        for i, namespace in enumerate(self.namespaces):  # each goes into a URL path
            errors = validate_dns1123_label(namespace, "namespaces[%d]" % i)
            if errors:
                raise InputError(aggregate(errors))
        self.label_selector = optional(label_selector, str, "label_selector") or None
        self.node_label_selector = optional(node_label_selector, str, "node_label_selector") or None
        self.page_size = expect(page_size, int, "page_size")
        if self.page_size < 1:
            raise InputError("page_size must be at least 1, got %d" % self.page_size)
        if report not in REPORTS:
            raise InputError("report must be one of %s, got %r" % (", ".join(REPORTS), report))
        self.report = report


class Tally(object):
    """The reports of one kind: counts per check, the failing objects, and the reports kept."""

    def __init__(self, kind: str, report: str) -> None:
        self.kind = kind
        self.report = report
        self.reset()

    def reset(self) -> None:
        self.total = self.passed = self.failed = self.skipped = 0
        self.checks: dict = {}  # check -> [passed, failed]
        self.objects: list = []
        self.failing: list = []
        self.rows: list = []  # (kind, namespace/name, check, reason) of every failed check

    def skip(self) -> None:
        self.skipped += 1

    def add(self, report: dict) -> None:
        self.total += 1
        failed = []
        for check in report["checks"]:
            counts = self.checks.get(check["check"])
            if counts is None:
                counts = self.checks[check["check"]] = [0, 0]
            if check["pass"]:
                counts[0] += 1
            else:
                counts[1] += 1
                failed.append(check["check"])
                where = "%s/%s" % (report["namespace"], report["name"]) if report.get("namespace") else report["name"]
                self.rows.append((self.kind, where, check["check"], check.get("reason") or ""))
        del report["kind"]
        if failed:
            self.failed += 1
            ref = {"kind": self.kind, "name": report["name"]}
            if "namespace" in report:
                ref["namespace"] = report["namespace"]
            ref["checks"] = failed
            self.failing.append(ref)
        else:
            self.passed += 1
        if self.report == "all" or (self.report == "failed" and failed):
            self.objects.append(report)

    def merge(self, other: Tally) -> None:
        """Add the reports of ``other`` (one listing) to these."""
        self.total += other.total
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        for name, counts in other.checks.items():
            mine = self.checks.setdefault(name, [0, 0])
            mine[0] += counts[0]
            mine[1] += counts[1]
        self.objects.extend(other.objects)
        self.failing.extend(other.failing)
        self.rows.extend(other.rows)

    def summary(self) -> dict:
        return {"total": self.total, "passed": self.passed, "failed": self.failed, "skipped": self.skipped,
                "checks": {name: {"passed": counts[0], "failed": counts[1]} for name, counts in self.checks.items()}}


def _broken(kind, obj, error):
    """The report of an object the checks could not read (a field of the wrong type)."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    report = {"kind": kind, "name": str(meta.get("name") or ""), "pass": False,
              "checks": [{"check": "object", "pass": False, "reason": str(error)}]}
    if kind != "Node":
        report["namespace"] = str(meta.get("namespace") or "")
    return report


def _node_context(node):
    """What ``check_pod`` reads of a Node: its podCIDRs and InternalIPs, in order."""
    spec = node.get("spec") if isinstance(node.get("spec"), dict) else {}
    status = node.get("status") if isinstance(node.get("status"), dict) else {}
    addresses = status.get("addresses") if isinstance(status.get("addresses"), list) else []
    return {"spec": {"podCIDRs": spec.get("podCIDRs")},
            "status": {"addresses": [a for a in addresses if isinstance(a, dict) and a.get("type") == "InternalIP"]}}


def _pod_has_ips(pod):
    """Whether a pod has been given IPs; one that has none and is not Running is not checked yet."""
    status = pod.get("status") if isinstance(pod.get("status"), dict) else {}
    return bool(status.get("podIPs") or status.get("podIP")) or status.get("phase") == "Running"


def cluster_service_cidrs(cluster: Cluster) -> list | None:
    """``spec.cidrs`` of the ``kubernetes`` ServiceCIDR (kube-apiserver's ``--service-cluster-ip-range``), or None."""
    for api_version in SERVICE_CIDR_VERSIONS:
        try:
            found = cluster.get(Ref(api_version, "ServiceCIDR", "kubernetes"))
        except DiscoveryError:
            continue
        cidrs = ((found or {}).get("spec") or {}).get("cidrs")
        if cidrs:
            return list(cidrs)
    return None


class Run(object):
    """One pass over the cluster: nodes (also as context for pods), then pods, then services.

    Each listing (a kind, in one namespace or in all) is tallied apart and merged once complete, so
    a listing that starts over after a 410 drops only its own reports.
    """

    def __init__(self, cluster: Cluster, settings: Settings) -> None:
        self.cluster = cluster
        self.settings = settings
        self.tallies = {kind: Tally(KIND_NAMES[kind], settings.report) for kind in KINDS}
        self.requests = {kind: 0 for kind in KINDS}
        self.nodes: dict = {}
        self.service_cidrs = settings.service_cidrs
        self.warnings: list = []
        self._listing: Tally | None = None

    def _stream(self, kind, api_version, api_kind, check, namespace=None, label_selector=None):
        def reset():
            self._listing = Tally(KIND_NAMES[kind], self.settings.report)
            if kind == "nodes":
                self.nodes = {}

        def count():
            self.requests[kind] += 1

        stream(self.cluster, api_version, api_kind, check, reset, namespace, label_selector,
               self.settings.page_size, count)
        self.tallies[kind].merge(self._listing)
        self._listing = None

    def _node(self, node):
        if "pods" in self.settings.kinds:
            name = (node.get("metadata") or {}).get("name")
            self.nodes[name] = _node_context(node)
        if "nodes" in self.settings.kinds:
            try:
                report = dualstack.check_node(node, self.settings.cluster_cidrs, self.settings.node_mask_sizes)
            except InputError as err:
                report = _broken("Node", node, err)
            self._listing.add(report)

    def _pod(self, pod):
        if not _pod_has_ips(pod):
            self._listing.skip()
            return
        spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
        node_name = spec.get("nodeName")
        node = self.nodes.get(node_name) if isinstance(node_name, str) else None
        try:
            report = dualstack.check_pod(pod, node)
        except InputError as err:
            report = _broken("Pod", pod, err)
        self._listing.add(report)

    def _service(self, service):
        try:
            report = dualstack.check_service(service, self.service_cidrs)
        except InputError as err:
            report = _broken("Service", service, err)
        self._listing.add(report)

    def run(self) -> dict:
        """Read and check everything asked for; returns the module's result (see :meth:`result`)."""
        kinds = self.settings.kinds
        namespaces: list = self.settings.namespaces or [None]  # None: every namespace
        if "nodes" in kinds or "pods" in kinds:
            self._stream("nodes", "v1", "Node", self._node, label_selector=self.settings.node_label_selector)
        if "pods" in kinds:
            for namespace in namespaces:
                self._stream("pods", "v1", "Pod", self._pod, namespace, self.settings.label_selector)
        if "services" in kinds:
            if self.service_cidrs is None:
                self.service_cidrs = cluster_service_cidrs(self.cluster)
            if self.service_cidrs is None:
                self.warnings.append("Services were not checked: service_cidrs is not set and the cluster has no "
                                     "ServiceCIDR named kubernetes (Kubernetes before 1.33?); set service_cidrs to "
                                     "kube-apiserver's --service-cluster-ip-range")
            else:
                for namespace in namespaces:
                    self._stream("services", "v1", "Service", self._service, namespace, self.settings.label_selector)
        return self.result()

    def result(self) -> dict:
        """``{nodes, pods, services}`` (the reports kept, per kind asked for), ``summary``, ``service_cidrs``,
        ``list_requests`` and ``warnings``."""
        kinds = self.settings.kinds
        summary: dict = {kind: self.tallies[kind].summary() for kind in kinds}
        failing = [ref for kind in kinds for ref in self.tallies[kind].failing]
        summary["failing"] = failing
        summary["pass"] = not failing
        summary["line"] = summary_line(summary, kinds)
        result: dict = {kind: self.tallies[kind].objects for kind in kinds}
        rows = [row for kind in kinds for row in self.tallies[kind].rows]
        result.update(summary=summary, table=table(TABLE_HEADER, rows), service_cidrs=self.service_cidrs,
                      list_requests=dict(self.requests), warnings=self.warnings)
        return result


TABLE_HEADER = ("KIND", "NAMESPACE/NAME", "CHECK", "REASON")
# A reason longer than this is cut in the table (the reports keep it whole).
REASON_WIDTH = 160


def table(header: tuple, rows: list) -> list:
    """Rows as lines of aligned columns under ``header`` (the last column is not padded): ``[]`` without rows."""
    if not rows:
        return []
    rows = [tuple(str(cell) for cell in row) for row in rows]
    rows = [row[:-1] + (row[-1] if len(row[-1]) <= REASON_WIDTH else row[-1][:REASON_WIDTH - 3] + "...",)
            for row in rows]
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header) - 1)]
    return ["  ".join([cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]]).rstrip()
            for row in [header] + rows]


def summary_line(summary: dict, kinds: list) -> str:
    """One line for a job log: ``2 of 9 objects fail the dual-stack checks: Node 0 of 2, Pod 2 of 5 (1 skipped),
    Service 0 of 2``."""
    parts, failed, total = [], 0, 0
    for kind in kinds:
        counts = summary[kind]
        failed += counts["failed"]
        total += counts["total"]
        skipped = " (%d skipped)" % counts["skipped"] if counts["skipped"] else ""
        parts.append("%s %d of %d%s" % (KIND_NAMES[kind], counts["failed"], counts["total"], skipped))
    verdict = "fail" if failed != 1 else "fails"
    return "%d of %d objects %s the dual-stack checks: %s" % (failed, total, verdict, ", ".join(parts))


def check_cluster(cluster: Cluster, settings: Settings) -> dict:
    """The dual-stack checks of every object ``settings`` selects (see :class:`Run`)."""
    return Run(cluster, settings).run()


def failure_message(result: dict) -> str:
    """The message of ``fail_on_error``: how many objects fail, and the first of them with their checks."""
    failing = result["summary"]["failing"]
    total = sum(result["summary"][kind]["total"] for kind in KINDS if kind in result["summary"])
    named = ["%s %s%s (%s)" % (ref["kind"], ref["namespace"] + "/" if ref.get("namespace") else "", ref["name"],
                               ", ".join(ref["checks"])) for ref in failing[:MESSAGE_LIMIT]]
    more = " and %d more" % (len(failing) - MESSAGE_LIMIT) if len(failing) > MESSAGE_LIMIT else ""
    return "%d of %d objects fail the dual-stack checks: %s%s" % (len(failing), total, "; ".join(named), more)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Kubernetes releases the collection answers for, and the one table of what changes between them.

Every rule of the core that differs between the supported minors reads it here, through :func:`current`: a
feature gate's default at a release (``GATES``, from ``pkg/features/kube_features.go`` and the staging
apiserver's ``pkg/features`` at each release's tag) or a release-dependent rule without a gate (``RULES``).
Nowhere else does the core compare versions.

Filters and modules pick the release (``kubernetes_version``, ``feature_gates``) and run the core inside
:func:`using`; the default is the newest supported release with its default gates.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, type_name

# The supported minors, oldest first; the differential tier builds the upstream oracle at each one's newest patch
# (tests/kube/releases.txt). Adding one: a line here, its column in GATES, and that line.
SUPPORTED = (34, 35, 36, 37)
NEWEST = SUPPORTED[-1]


class Gate(object):
    """A feature gate the core reads: its default from each minor on (``{minor: default}``, the minor where it
    changes), the minor from which Kubernetes locks it to its default (setting it otherwise is refused), what it
    decides, where upstream decides it, and the minor that introduced it (``since``; None: it exists at every supported
    release). Before ``since`` the release has the behaviour of the gate's first default and no such gate: setting it
    there changes nothing (as for any gate the collection does not know; kube-apiserver refuses an unknown gate)."""

    def __init__(self, defaults, locked_from, rule, origin, since=None):
        self.defaults, self.locked_from, self.rule, self.origin, self.since = defaults, locked_from, rule, origin, since

    def default(self, minor):
        return [value for since, value in sorted(self.defaults.items()) if since <= minor][-1]

    def exists(self, minor):
        return self.since is None or minor >= self.since

    def locked(self, minor):
        return self.locked_from is not None and minor >= self.locked_from


# THE table of feature gates (kube_features.go's versioned specs; 34 stands for "1.34 and before").
GATES = {
    "StrictIPCIDRValidation": Gate(
        {34: False, 36: True}, None,
        "IP and CIDR fields of Pods, Services, Nodes and ServiceCIDRs refuse IPv4 with leading zeros "
        "(010.001.002.003) and IPv4-mapped IPv6 (::ffff:1.2.3.4); a Service's clusterIPs and a Node's "
        "podCIDRs keep their stored values",
        "apimachinery pkg/api/validate/ip.go IsValidIPForLegacyField; PR #137053 (beta in 1.36)"),
    "HostnameOverride": Gate(
        {34: False, 35: True}, 37,
        "spec.hostnameOverride: kept, validated and used as the pod's hostname in /etc/hosts and the kubelet's "
        "hostname; with the gate off kube-apiserver drops the field",
        "pkg/api/pod/util.go dropDisabledFields; pkg/apis/core/validation validatePodHostName; "
        "pkg/kubelet GeneratePodHostNameAndDomain (KEP-4762)"),
    "EnvFiles": Gate(
        {34: False, 35: True}, None,
        "env[].valueFrom.fileKeyRef: accepted, named in the valueFrom error; with the gate off dropped on create",
        "pkg/api/pod/util.go dropDisabledFields; pkg/apis/core/validation validateEnvVarValueFrom (KEP-3721)"),
    "MultiCIDRServiceAllocator": Gate(
        {34: True}, 34,
        "Service cluster IPs come from ServiceCIDR objects (IPAddress objects, one allocator per range)",
        "pkg/controlplane/apiserver/options; pkg/registry/core/service/ipallocator (KEP-1880)"),
    "DisableAllocatorDualWrite": Gate(
        {34: True}, 35,
        "no writes to the legacy bitmap allocator; with it off in 1.34, kube-apiserver keeps the old "
        "--service-cluster-ip-range size limits",
        "pkg/controlplane/apiserver/options ServiceIPRange; pkg/registry/core/rest/storage_core.go (KEP-1880)"),
    "PodLevelResources": Gate(
        {34: True}, None,
        "pod-level resources (spec.resources): kept, defaulted and checked against the containers' resources on "
        "create, and the Downward API limits fall back to them; with the gate off kube-apiserver drops them",
        "pkg/api/pod/util.go dropDisabledPodLevelResources; pkg/apis/core/validation validatePodResources; "
        "pkg/kubelet/kubelet_resources.go defaultPodLimitsForDownwardAPI (KEP-2837)"),
    "PodLevelResourcesFixDefaulting": Gate(
        {34: False, 37: True}, None,
        "pod-level resources defaulted on create after the quantities are rounded up to milli units (the pod "
        "strategy), with pod-level limits defaulted too; off (and before 1.37) while the pod is decoded, from the "
        "unrounded container values, so a pod-level request can fall below the rounded containers' aggregate "
        "(must be greater than or equal to aggregate container requests)",
        "pkg/api/pod/util.go DefaultPodLevelResources; pkg/apis/core/v1/defaults.go defaultPodRequests, "
        "defaultHugePagePodLimits (KEP-2837, new in 1.37)", since=37),
}

# Release-dependent rules without a gate: {rule: (values from each minor on, what it decides, upstream origin)}.
RULES = {
    "ErrorTextsOnce": (
        {34: False, 37: True},
        "validation errors: each text once, from 1.37 (before, a Downward API volume item's error is listed twice, "
        "as kube-apiserver lists it)",
        "k8s.io/apiserver pkg/registry/rest declarative validation (ErrorList.Filter through ToAggregate, 1.37)"),
    "AllocationErrorNamesService": (
        {34: False, 36: True},
        "a full service range: the allocation error names the Service (failed to allocate a serviceIP for Service "
        "NAME: range is full), from 1.36",
        "pkg/registry/core/service/storage/alloc.go allocClusterIPs (1.36)"),
    "PodIPsMatchPodIP": (
        {34: False, 37: True},
        "a pod status is refused when only one of podIP and podIPs is set, or podIP is not podIPs[0]",
        "pkg/apis/core/validation validatePodIPs (1.37)"),
}


def _minor_of(text):
    match = re.match(r"^v?1\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:[-+][0-9A-Za-z.+-]*)?$", text)
    return int(match.group(1)) if match else None


def supported_text() -> str:
    return "1.%d to 1.%d" % (SUPPORTED[0], SUPPORTED[-1])


class Release(object):
    """A release (``minor``, the version text it was given as) with its gates (defaults, overridden by ``gates``)."""

    def __init__(self, minor=NEWEST, version=None, gates=None):
        self.minor = minor
        self.version = version or "1.%d" % minor
        self.gates = dict(gates or {})

    def enabled(self, gate: str) -> bool:
        if gate in self.gates and GATES[gate].exists(self.minor):
            return self.gates[gate]
        return GATES[gate].default(self.minor)

    def rule(self, name: str) -> Any:
        values, _what, _origin = RULES[name]
        return [value for since, value in sorted(values.items()) if since <= self.minor][-1]

    def report(self, source: str) -> dict:
        """What a module returns: the version used, its minor, where it came from (``source``: option, cluster or
        default) and the gates set otherwise than that release's defaults."""
        return {"version": self.version, "minor": "1.%d" % self.minor, "source": source,
                "feature_gates": dict(self.gates)}


_BOOL_TEXTS = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}


def release(kubernetes_version: str | None = None, feature_gates: Mapping | None = None) -> Release:
    """The :class:`Release` for a ``kubernetes_version`` (``"1.36"``, ``"v1.36.3"``, a provider's ``"v1.36.3-gke.1"``;
    None: the newest supported) and ``feature_gates`` (gate name to boolean); ``InputError`` otherwise."""
    if kubernetes_version is None or kubernetes_version == "":
        minor, version = NEWEST, None
    else:
        if not isinstance(kubernetes_version, str):
            raise InputError("kubernetes_version must be a string such as \"1.36\" or \"v1.36.3\" (supported: %s), got %s %r"
                             % (supported_text(), type_name(kubernetes_version), kubernetes_version))
        minor, version = _minor_of(kubernetes_version.strip()), kubernetes_version.strip()
        if minor is None:
            raise InputError("kubernetes_version %r is not a Kubernetes release; give one of %s, as \"1.36\" or "
                             "\"v1.36.3\"" % (kubernetes_version, supported_text()))
        if minor not in SUPPORTED:
            raise InputError("kubernetes_version %s: Kubernetes 1.%d is not supported; the supported releases are %s"
                             % (kubernetes_version, minor, supported_text()))
    gates = {}
    if feature_gates is not None:
        if not isinstance(feature_gates, Mapping):
            raise InputError("feature_gates must be a mapping of feature gate to true or false, got %s %r"
                             % (type_name(feature_gates), feature_gates))
        for name in sorted(feature_gates, key=str):
            value = feature_gates[name]
            if isinstance(value, str) and value.lower() in _BOOL_TEXTS:
                value = _BOOL_TEXTS[value.lower()]
            if not isinstance(value, bool):
                raise InputError("feature_gates.%s must be true or false, got %s %r" % (name, type_name(value), value))
            gate = GATES.get(name)
            if gate is not None and gate.locked(minor) and value != gate.default(minor):
                # featuregate.Set's own refusal
                raise InputError("feature_gates: cannot set feature gate %s to %s, feature is locked to %s"
                                 % (name, str(value).lower(), str(gate.default(minor)).lower()))
            gates[str(name)] = value
    return Release(minor, version, gates)


_CURRENT: contextvars.ContextVar[Release | None] = contextvars.ContextVar("clusternet_k8s_release", default=None)
_NEWEST = Release()


def current() -> Release:
    """The release the running filter or module answers for (the newest supported one outside :func:`using`)."""
    found = _CURRENT.get()
    return _NEWEST if found is None else found


@contextlib.contextmanager
def using(chosen: Release) -> Iterator[Release]:
    """Run the core for ``chosen`` (a :class:`Release`)."""
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


def enabled(gate: str) -> bool:
    """Whether ``gate`` is on at the current release."""
    return current().enabled(gate)


def table() -> list:
    """Every release-dependent rule as rows (for the docs and their test): kind, name, value at each supported
    minor (a gate's default; None where the release has no such gate), locked from, the rule, its upstream origin."""
    rows = []
    for name, gate in sorted(GATES.items()):
        rows.append({"gate": name, "defaults": {"1.%d" % m: gate.default(m) if gate.exists(m) else None for m in SUPPORTED},
                     "locked_from": "1.%d" % gate.locked_from if gate.locked_from else None,
                     "rule": gate.rule, "origin": gate.origin})
    for name, (_values, what, origin) in sorted(RULES.items()):
        rows.append({"rule_name": name, "values": {"1.%d" % m: Release(m).rule(name) for m in SUPPORTED},
                     "rule": what, "origin": origin})
    return rows


def markdown_table() -> str:
    """The table as the README shows it (section "Kubernetes releases"; a unit test keeps the two equal)."""
    minors = ["1.%d" % m for m in SUPPORTED]
    lines = ["| gate or rule | %s | locked | what it decides | upstream |" % " | ".join(minors),
             "|---|%s---|---|---|" % ("---|" * len(minors))]
    for row in table():
        values = row.get("defaults") or row["values"]
        cells = [("on" if values[m] else "off") if isinstance(values[m], bool) else "no gate" if values[m] is None
                 else str(values[m]) for m in minors]
        locked = ("from " + row["locked_from"]) if row.get("locked_from") else ""
        lines.append("| `%s` | %s | %s | %s | %s |"
                     % (row.get("gate") or row["rule_name"], " | ".join(cells), locked, row["rule"], row["origin"]))
    return "\n".join(lines) + "\n"

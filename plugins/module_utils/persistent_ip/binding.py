# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Which Pod holds a GKEIPRoute's addresses, and the conditions the route would show
(docs/persistent-ip.md#pod-selection, docs/persistent-ip.md#binding-table)."""

from __future__ import annotations

import datetime
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.label_selector import compile_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.selectors import validate_label_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    ACCEPTED_REASON_ORDER, NO_PODS_FOUND, REACTION_MODES)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.attachment import _identity, _labels
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.findings import _Findings
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.route import (
    _pod_selector_findings, _route_findings, crd_reaction_mode_enum_error, pod_selector_not_empty)


# ---------------------------------------------------------------------------------------------
# Binding decision (docs/persistent-ip.md#pod-selection, docs/persistent-ip.md#binding-table)
# ---------------------------------------------------------------------------------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_NEVER = datetime.timedelta.min  # a Pod without creationTimestamp is the oldest

QUALIFIES = {
    "ReadyCondition": "Ready=True, not terminating, not Succeeded/Failed",
    "Exists": "scheduled (spec.nodeName set), not terminating, not Succeeded/Failed",
}


def _route_parts(route):
    """``(namespace, spec, reactionMode)`` of a GKEIPRoute given to the simulator."""
    route = expect(route, dict, "route")
    namespace = expect(optional(route.get("metadata"), dict, "route.metadata", {}).get("namespace"), str,
                       "route.metadata.namespace")
    spec = optional(route.get("spec"), dict, "route.spec", {})
    mode = optional(spec.get("reactionMode"), str, "route.spec.reactionMode", REACTION_MODES[0])
    error = crd_reaction_mode_enum_error(mode, "route.spec.reactionMode")
    if error:
        raise InputError(str(error))
    if spec.get("podSelector") is None:
        raise InputError("route.spec.podSelector is required (the API server rejects a GKEIPRoute without it)")
    return namespace, spec, mode


def _binding_table_ineligibility(pod, mode, what="pod"):
    """Why a Pod may not hold the IP under ``mode`` (docs/persistent-ip.md#binding-table rows 1-8), or None when it may."""
    metadata = pod["metadata"]
    if metadata.get("deletionTimestamp") is not None:
        return "terminating (metadata.deletionTimestamp is set)"  # docs/persistent-ip.md#assumption-5
    status = optional(pod.get("status"), dict, what + ".status", {})
    phase = status.get("phase")
    if phase in ("Succeeded", "Failed"):
        return "terminal (phase %s)" % phase  # docs/persistent-ip.md#assumption-6
    if mode == "Exists":  # scheduled is enough, even when Ready is False or the phase Unknown
        node = optional(optional(pod.get("spec"), dict, what + ".spec", {}).get("nodeName"), str, what + ".spec.nodeName", "")
        return None if node else "not scheduled (spec.nodeName is empty)"
    ready = _ready_status(status, what)
    return None if ready == "True" else "not Ready (%s)" % ("Ready=%s" % ready if ready is not None else "no Ready condition")


def _ready_status(status, what):
    for j, condition in enumerate(optional(status.get("conditions"), list, what + ".status.conditions", [])):
        condition = expect(condition, dict, "%s.status.conditions[%d]" % (what, j))
        if condition.get("type") == "Ready":
            return condition.get("status")
    return None


def _created(metadata, what, cache):
    """creationTimestamp as a sortable offset from the epoch (docs/persistent-ip.md#assumption-7: newest = greatest)."""
    text = metadata.get("creationTimestamp")
    if text is None:
        return _NEVER
    text = expect(text, str, what)
    if text not in cache:
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except (ValueError, OverflowError):
            raise InputError("%s must be an RFC 3339 time such as 2025-01-01T10:00:00Z, got %r" % (what, text)) from None
        cache[text] = (stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)) - _EPOCH
    return cache[text]


def _pod_identity(pod, i):
    """``(metadata, name, namespace)`` of ``pods[i]``; an InputError names the field of the wrong type."""
    metadata = pod.get("metadata") if isinstance(pod, dict) else None
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str) and isinstance(metadata.get("namespace"), str):
        return metadata, metadata["name"], metadata["namespace"]  # no field names to build for a well-formed Pod
    what = "pods[%d]" % i
    metadata = expect(expect(pod, dict, what).get("metadata"), dict, what + ".metadata")
    return (metadata, expect(metadata.get("name"), str, what + ".metadata.name"),
            expect(metadata.get("namespace"), str, what + ".metadata.namespace"))


def _qualifying_pods(pods, namespace, matches, mode, explain=False):
    """The Pods of ``namespace`` that match: ``(eligible names newest first, [(name, why not)] if explain)``.

    Ties on creationTimestamp go to the smallest name (docs/persistent-ip.md#assumption-7). One pass plus one sort.
    """
    eligible, others, cache = [], [], {}
    for i, pod in enumerate(expect(pods, list, "pods")):
        metadata, name, pod_namespace = _pod_identity(pod, i)
        if pod_namespace != namespace or not matches(_labels(metadata.get("labels"), "pods[%d].metadata.labels" % i)):
            continue
        why = _binding_table_ineligibility(pod, mode, "pods[%d]" % i)
        if why is None:
            eligible.append((_created(metadata, "pods[%d].metadata.creationTimestamp" % i, cache), name))
        elif explain:
            others.append((name, why))
    eligible.sort(key=lambda item: item[1])
    eligible.sort(key=lambda item: item[0], reverse=True)  # stable: equal times keep name order
    return [item[1] for item in eligible], others


def _condition(status, reason, message):
    return {"status": status, "reason": reason, "message": message}


def _accepted_condition(route, spec, gateway, namespaces):
    """The Accepted condition: the podSelector alone, or every check against ``gateway`` when given."""
    if gateway is None:
        out = _Findings("IPR")
        _pod_selector_findings(out, spec)
        checked = "spec.podSelector is valid; the Gateway was not checked (none given)"
    else:
        out = _route_findings(route, {"gateway": gateway, "namespaces": namespaces})
        checked = "attached to Gateway %s/%s" % _identity(gateway, "gateway")
    failed = [f for f in out.errors() if f.extra.get("gkeReason")]
    if not failed:
        return _condition("True", "Accepted", checked)
    first = min(failed, key=lambda f: ACCEPTED_REASON_ORDER.index(f.extra["gkeReason"]))
    return _condition("False", first.extra["gkeReason"], first.message)


def _binding_conditions(accepted, bound, namespace, mode):
    """The steady state of docs/persistent-ip.md#binding-table; docs/persistent-ip.md#assumption-8 for where NoPodsFound and a failed Accepted show."""
    if accepted["status"] != "True":  # the controller programs nothing: GCPReady and DPV2Ready stay unset
        return {"Accepted": accepted, "GCPReady": None, "DPV2Ready": None,
                "Ready": _condition("False", accepted["reason"], accepted["message"])}
    if bound is None:
        message = "no Pod of namespace %s matches spec.podSelector and qualifies under reactionMode %s (%s)" % (
            namespace, mode, QUALIFIES[mode])
        return {"Accepted": accepted, "GCPReady": _condition("False", NO_PODS_FOUND, message),
                "DPV2Ready": _condition("False", NO_PODS_FOUND, message), "Ready": _condition("False", NO_PODS_FOUND, message)}
    pod = "%s/%s" % (namespace, bound)
    return {
        "Accepted": accepted,
        "GCPReady": _condition("True", None, "Google Cloud resources programmed (the reason GKE sets is not published)"),
        "DPV2Ready": _condition("True", "DPV2Ready", "datapath programmed on the node of Pod %s" % pod),
        "Ready": _condition("True", "ProgrammingComplete",
                            "GCP and datapath components are programmed to send the persistent IPs to Pod %s" % pod),
    }


def persistent_ip_binding(route: Any, pods: Any, gateway: Any = None, namespaces: Any = None) -> dict[str, Any]:
    """Which Pod holds a GKEIPRoute's addresses, and the conditions the route would show
    (docs/persistent-ip.md#pod-selection, docs/persistent-ip.md#binding-table).

    Returns ``{boundPod, statusPods, eligiblePods, conditions: {Accepted, GCPReady, DPV2Ready, Ready}}``;
    ``eligiblePods`` lists the Pods that qualify, newest first, even when the route is not accepted for
    another reason than its podSelector: an invalid or empty podSelector (InvalidLabels) selects no Pod,
    as the controller considers none with it.
    Each condition is ``{status, reason, message}``, or None where the controller would not set it.
    """
    namespace, spec, mode = _route_parts(route)
    accepted = _accepted_condition(route, spec, optional(gateway, dict, "gateway"), optional(namespaces, dict, "namespaces"))
    selector = spec["podSelector"]
    if validate_label_selector(selector, "spec.podSelector") or not pod_selector_not_empty(selector):
        eligible = []
    else:
        eligible = _qualifying_pods(pods, namespace, compile_selector(selector), mode)[0]
    bound = eligible[0] if eligible and accepted["status"] == "True" else None
    return {"boundPod": bound, "statusPods": [bound] if bound else [], "eligiblePods": eligible,
            "conditions": _binding_conditions(accepted, bound, namespace, mode)}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Health of a live GKEIPRoute: its status read against the rules, and why it is not Ready
(docs/persistent-ip.md#route-status, docs/persistent-ip.md#troubleshooting)."""

from __future__ import annotations

from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.label_selector import compile_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.selectors import validate_label_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    CONDITION_TYPES, GATEWAY_NOT_FOUND, GCP_READY_ALIAS, INVALID_ADDRESSES, INVALID_LABELS, MISSING_PARENT_REFS,
    NETWORK_NOT_FOUND, NETWORK_NOT_READY, NO_PODS_FOUND, UNATTACHABLE)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.binding import _qualifying_pods, _route_parts


# docs/persistent-ip.md#troubleshooting: observed status -> (likely cause, what to check next).
TROUBLESHOOTING = {
    "NoStatus": ("the persistent-IP controller has not reported on this route: the cluster may lack GKE Dataplane V2 or "
                 "the Gateway API, run GKE before 1.29 (1.31 on the default network), or miss the CRD or GatewayClass",
                 "kubectl get crd gkeiproutes.networking.gke.io; kubectl get gatewayclass (expect controller "
                 "networking.gke.io/persistent-ip-controller); gcloud container clusters describe"),
    MISSING_PARENT_REFS: ("spec.parentRefs is empty", "add a parentRef that names the Gateway"),
    GATEWAY_NOT_FOUND: ("the parentRef's name or namespace is wrong; the namespace defaults to the route's own",
                        "fix spec.parentRefs[0].name and .namespace; kubectl get gateways -A"),
    "GatewayNotAccepted": ("the Gateway is not accepted yet: wrong class, invalid addresses, or an address that is not "
                           "reserved or is in another region",
                           "kubectl describe gateway; gcloud compute addresses describe NAME --region REGION"),
    UNATTACHABLE: ("a listener's allowedRoutes excludes the route's namespace or kind, sectionName/port match no "
                   "listener, or the Gateway is not of a persistent-IP class",
                   "validate the route with the Gateway as context; label the namespace or change "
                   "allowedRoutes.namespaces.from"),
    INVALID_ADDRESSES: ("an address is not an IPv4 CIDR, or not one of the Gateway's addresses",
                        "compare spec.addresses with the Gateway's spec.addresses"),
    INVALID_LABELS: ("spec.podSelector cannot be parsed, or is empty", "fix spec.podSelector"),
    NETWORK_NOT_FOUND: ("spec.network names a Network that does not exist",
                        "kubectl get network,gkenetworkparamset -o yaml"),
    NETWORK_NOT_READY: ("the Network's GKENetworkParamSet is not Ready (VPC, subnet or secondary range missing)",
                        "kubectl get network,gkenetworkparamset -o yaml"),
    NO_PODS_FOUND: ("no Pod matches spec.podSelector, or none qualifies under the reaction mode (not Ready under "
                    "ReadyCondition, unscheduled under Exists)",
                    "check the Pods' labels, namespace and readiness; use reactionMode Exists only where serving "
                    "before Ready is acceptable"),
    "GCPNotReady": ("Google Cloud programming is in progress", "wait, then check again"),
    "GCPFailed": ("Google Cloud programming failed: quota, address in use, wrong region, or a BYOIP prefix not delegated",
                  "read the condition message and the Cloud audit logs"),
    "DPV2NotReady": ("the node agent could not write the eBPF routing entry (the message holds its error)",
                     "read the anetd logs on the Pod's node; retry"),
    "DPV2ReadyMissing": ("the Pod is not on a node whose agent found its endpoint on spec.network (for example "
                         "multi-NIC disabled with a non-default network), or it lacks that network's interface annotation",
                         "check the Pod's networking.gke.io/interfaces annotation and the node pool's additional networks"),
    "Mutated": ("the spec changed and is being reprogrammed", "wait until observedGeneration equals metadata.generation"),
    "Stale": ("the condition describes an older generation: the spec changed and is being reprogrammed",
              "wait until observedGeneration equals metadata.generation"),
    "CleanupComplete": ("Google Cloud resources were deleted: the route is being deleted",
                        "wait for the finalizer networking.gke.io/gke-ipr-controller to go"),
    "AwaitingAccepted": ("set only once the route is Accepted", "fix the Accepted condition first"),
    "NotReported": ("the controller has not reported this yet", "wait, then check again; if it persists, see the "
                                                                "other conditions"),
    "TooManyPods": ("status.pods lists several Pods; outside load-balancing mode the datapath programs the route only "
                    "when it lists exactly one", "check spec.loadBalancing and the controller's condition messages"),
}


# ---------------------------------------------------------------------------------------------
# Health of a live route (docs/persistent-ip.md#route-status, docs/persistent-ip.md#troubleshooting)
# ---------------------------------------------------------------------------------------------


def _explained(problem, key_):
    known = TROUBLESHOOTING.get(key_) if isinstance(key_, str) else None
    cause, check = known or ("reason %s is not in the troubleshooting table" % (key_,), "read the condition message")
    problem.update(cause=cause, check=check)
    return problem


def _conditions_by_type(status):
    """Conditions keyed by type; the vendored ``IPRouteGCPReady`` stands for GCPReady (docs/persistent-ip.md#assumption-4)."""
    found = {}
    for j, condition in enumerate(optional(status.get("conditions"), list, "route.status.conditions", [])):
        condition = expect(condition, dict, "route.status.conditions[%d]" % j)
        type_ = condition.get("type")
        type_ = "GCPReady" if type_ == GCP_READY_ALIAS else type_
        if isinstance(type_, str) and type_ not in found:
            found[type_] = condition
    return found


def _condition_problem(type_, found, generation, pods):
    """Missing, not True, or True for an older generation (the DPv2 reconciler ignores stale Accepted)."""
    condition = found.get(type_)
    if condition is None:
        if not found:
            cause = "NoStatus"
        elif type_ == "DPV2Ready" and len(pods) == 1:
            cause = "DPV2ReadyMissing"
        elif type_ != "Accepted" and found.get("Accepted", {}).get("status") != "True":
            cause = "AwaitingAccepted"
        else:
            cause = "NotReported"
        return _explained({"condition": type_, "problem": "missing"}, cause)
    if condition.get("status") != "True":
        return _explained({"condition": type_, "problem": "notTrue", "status": condition.get("status"),
                           "reason": condition.get("reason"), "message": condition.get("message") or ""},
                          condition.get("reason"))
    observed = condition.get("observedGeneration")
    if generation is not None and observed is not None and observed != generation:
        return _explained({"condition": type_, "problem": "stale", "observedGeneration": observed,
                           "generation": generation}, "Stale")
    return None


def persistent_ip_status(route: Any) -> dict[str, Any]:
    """Health of a live GKEIPRoute: ``{healthy, boundPod, problems}``.

    Healthy means exactly one Pod in ``status.pods`` and Accepted, GCPReady, DPV2Ready and Ready all
    True at ``metadata.generation``. Each problem names a ``condition`` (or ``field``), the
    ``problem`` (``missing``, ``notTrue``, ``stale``, ``expectedExactlyOnePod``), the reason where
    there is one, and from docs/persistent-ip.md#troubleshooting the likely ``cause`` and what to ``check`` next.
    """
    route = expect(route, dict, "route")
    metadata = optional(route.get("metadata"), dict, "route.metadata", {})
    generation = optional(metadata.get("generation"), int, "route.metadata.generation")
    status = optional(route.get("status"), dict, "route.status", {})
    pods = optional(status.get("pods"), list, "route.status.pods", [])
    found = _conditions_by_type(status)
    problems = [p for p in (_condition_problem(t, found, generation, pods) for t in CONDITION_TYPES) if p]
    if len(pods) != 1:
        if found.get("Accepted", {}).get("status") != "True":
            cause = "AwaitingAccepted" if found else "NoStatus"
        else:
            cause = NO_PODS_FOUND if not pods else "TooManyPods"
        problems.append(_explained({"field": "status.pods", "problem": "expectedExactlyOnePod", "count": len(pods)}, cause))
    bound = expect(pods[0], str, "route.status.pods[0]") if len(pods) == 1 else None
    return {"healthy": not problems, "boundPod": bound, "problems": problems}


def _failing_condition(problems, found):
    """Ready as the route shows it, else the first condition with a problem."""
    if "Ready" in found:
        ready = found["Ready"]
        return {"type": "Ready", "status": ready.get("status"), "reason": ready.get("reason"), "message": ready.get("message") or ""}
    for problem in problems:
        if "condition" in problem:
            return {"type": problem["condition"], "status": problem.get("status"), "reason": problem.get("reason"),
                    "message": problem.get("message", "")}
    return None


def explain_not_ready(route: Any, pods: Any = None) -> dict[str, Any]:
    """Why a live GKEIPRoute is not Ready, for a timeout message: the failing condition, the Pods that
    match the selector but do not qualify, and what to check next.

    ``pods`` are the Pods of the route's namespace (others are ignored). Returns ``{route, healthy,
    boundPod, condition, problems, expectedPod, podsNotQualifying, check, summary}``; ``expectedPod``
    is the Pod docs/persistent-ip.md#binding-table would bind.
    """
    health = persistent_ip_status(route)
    namespace, spec, mode = _route_parts(route)
    name = optional(route["metadata"].get("name"), str, "route.metadata.name", "")
    selector = spec["podSelector"]
    matches = compile_selector(None if validate_label_selector(selector, "spec.podSelector") else selector)
    eligible, others = _qualifying_pods([] if pods is None else pods, namespace, matches, mode, explain=True)
    condition = _failing_condition(health["problems"], _conditions_by_type(optional(route.get("status"), dict, "route.status", {})))
    checks = []
    for problem in health["problems"]:
        if problem["check"] not in checks:
            checks.append(problem["check"])
    result = {"route": "%s/%s" % (namespace, name), "healthy": health["healthy"], "boundPod": health["boundPod"],
              "condition": condition, "problems": health["problems"], "expectedPod": eligible[0] if eligible else None,
              "podsNotQualifying": [{"name": pod, "why": why} for pod, why in others], "check": checks}
    result["summary"] = _summary(result, mode)
    return result


def _summary(result, mode):
    parts = ["GKEIPRoute %s is %s" % (result["route"], "healthy" if result["healthy"] else "not Ready")]
    condition = result["condition"]
    if condition:
        text = "%s=%s reason %s" % (condition["type"], condition["status"], condition["reason"])
        parts.append(text + (": %s" % (condition["message"],) if condition["message"] else ""))
    if result["podsNotQualifying"]:
        parts.append("Pods matching spec.podSelector that do not qualify under reactionMode %s: %s" % (
            mode, ", ".join("%s (%s)" % (p["name"], p["why"]) for p in result["podsNotQualifying"])))
    if result["expectedPod"] and result["expectedPod"] != result["boundPod"]:
        parts.append("Pod %s qualifies and should be bound" % result["expectedPod"])
    if result["check"]:
        parts.append("check: " + "; ".join(result["check"]))
    return ". ".join(parts)

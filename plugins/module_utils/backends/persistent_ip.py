# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The work of the ``persistent_ip`` module, apart from Ansible.

1. :func:`build_gateway` / :func:`build_route`: the Gateway and GKEIPRoutes of the module's options
   (docs/persistent-ip.md#rendered-gateway, docs/persistent-ip.md#rendered-gkeiproute).
2. :func:`preflight`: what GKE must provide (the CRDs, the GatewayClass); nothing is ever installed.
3. :func:`read_cluster`: what the checks need from the cluster (the live Gateway, namespaces and
   their labels, every GKEIPRoute, Networks).
4. :func:`check`: every rule of the persistent-IP core over all the objects together, before
   anything is applied (addresses in the Gateway's pool and claimed once, namespaces admitted).
5. :func:`wait_ready` and :func:`route_report`: wait until every route is Ready, explain the ones
   that are not (``persistent_ip.explain_not_ready``), report bound Pods and conditions.

The rules themselves live in ``persistent_ip`` and cluster access in ``k8s``; this file only
combines them. No Ansible imports; the cluster is a ``k8s.client.Cluster`` (or a stand-in).
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING, Any, Callable

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional, to_builtin
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import wait as _wait
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, DiscoveryError, WaitTimeout
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import Ref, without_managed_fields
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.api import (
    ADDRESS_CIDR, ADDRESS_NAMED, CLASS_EXTERNAL, CLASS_INTERNAL, DEFAULT_NETWORKS, GATEWAY_GROUP, GATEWAY_KIND, ROUTE_KIND)
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.binding import persistent_ip_binding
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.health import explain_not_ready, persistent_ip_status
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.validate import validate

if TYPE_CHECKING:  # for the hints only: the backend is given a cluster, it never makes one
    from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import Cluster

GATEWAY_API_VERSION = GATEWAY_GROUP + "/v1"
GATEWAY_CLASS_KIND = "GatewayClass"
ROUTE_API_VERSION = "networking.gke.io/v1"
NETWORK_API_VERSION = "networking.gke.io/v1"
NETWORK_KIND = "Network"
CLASSES = {"external": CLASS_EXTERNAL, "internal": CLASS_INTERNAL}
# docs/persistent-ip.md#assumption-1: the persistent IP is L3, port and protocol are placeholders.
DEFAULT_LISTENER = {"name": "default", "port": 443, "protocol": "All"}
SELECTOR_KEYS = ("matchLabels", "matchExpressions")
NOTHING_INSTALLED = ("clusternet.k8s.persistent_ip installs nothing that GKE provides (no CRDs, no GatewayClasses, "
                     "no controllers): enable the feature on the cluster")
FEATURE = ("GKE 1.31 or later with GKE Dataplane V2 and the Gateway API enabled (GKE 1.29 and 1.30: Dataplane V2 and "
           "multi-networking, on a Layer 3 or Device network)")


class Refused(Exception):
    """Nothing was applied: ``str()`` says why; ``details`` go into the module's failure result."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class NotReady(Exception):
    """A wait timed out: ``routes`` are the ``explain_not_ready`` results of the routes that are not Ready."""

    def __init__(self, message: str, routes: list) -> None:
        super().__init__(message)
        self.routes = routes


# ---------------------------------------------------------------------------------------------
# Objects from the module's options
# ---------------------------------------------------------------------------------------------


def identity(obj: dict) -> str:
    """``"Kind namespace/name"`` of an object, as messages name it."""
    metadata = obj.get("metadata") or {}
    return "%s %s/%s" % (obj.get("kind"), metadata.get("namespace"), metadata.get("name"))


def _ip(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def gateway_address(value: Any, what: str) -> dict:
    """A Gateway ``spec.addresses`` item: a mapping as given; an IP (``34.123.10.1``) or a CIDR as
    ``gke.networking.io/cidr`` (``/32`` added to a bare IP); any other string as a ``NamedAddress``
    (the name of a reserved regional address). docs/persistent-ip.md#assumption-2."""
    value = to_builtin(value)
    if isinstance(value, dict):
        return _address_mapping(value, what)
    text = expect(value, str, what).strip()
    ip = _ip(text)
    if ip is not None:
        return {"type": ADDRESS_CIDR, "value": "%s/%d" % (ip, ip.max_prefixlen)}
    if "/" in text:
        return {"type": ADDRESS_CIDR, "value": text}
    return {"type": ADDRESS_NAMED, "value": text}


def route_address(value: Any, what: str) -> dict:
    """A GKEIPRoute ``spec.addresses`` item: a mapping as given, else a ``gke.networking.io/cidr`` (``/32``
    added to a bare IP): the datapath reads every route address as a CIDR (docs/persistent-ip.md#route-fields)."""
    value = to_builtin(value)
    if isinstance(value, dict):
        return _address_mapping(value, what)
    text = expect(value, str, what).strip()
    ip = _ip(text)
    return {"type": ADDRESS_CIDR, "value": "%s/%d" % (ip, ip.max_prefixlen) if ip is not None else text}


def _address_mapping(value, what):
    unknown = sorted(k for k in value if k not in ("type", "value"))
    if unknown:
        raise InputError("%s: unknown keys %s; an address is {type, value} or a string" % (what, ", ".join(unknown)))
    return dict(value)


def selector(value: Any, what: str) -> dict:
    """A label selector: ``{matchLabels, matchExpressions}`` as given, or a plain ``{label: value}`` map as matchLabels."""
    value = expect(to_builtin(value), dict, what)
    if value and all(k in SELECTOR_KEYS for k in value):
        return value
    return {"matchLabels": value} if value else {}


def build_gateway(options: dict) -> dict:
    """The persistent-IP Gateway of the module's ``gateway`` option (docs/persistent-ip.md#rendered-gateway)."""
    name, namespace = options["name"], options["namespace"]
    from_ = options.get("allowed_namespaces")
    namespace_selector = options.get("namespace_selector")
    if from_ is None:
        from_ = "Selector" if namespace_selector is not None else "Same"
    allowed: dict = {"namespaces": {"from": from_}, "kinds": [{"kind": ROUTE_KIND}]}
    if namespace_selector is not None:
        allowed["namespaces"]["selector"] = selector(namespace_selector, "gateway.namespace_selector")
    listeners = []
    for listener in options.get("listeners") or [DEFAULT_LISTENER]:
        built = {"name": listener["name"], "port": listener.get("port", 443), "protocol": listener.get("protocol") or "All"}
        if listener.get("hostname"):
            built["hostname"] = listener["hostname"]
        built["allowedRoutes"] = to_builtin(allowed)
        listeners.append(built)
    gateway_class = options.get("class") or "external"
    spec = {"gatewayClassName": CLASSES.get(gateway_class, gateway_class), "listeners": listeners,
            "addresses": [gateway_address(a, "gateway.addresses[%d]" % i) for i, a in enumerate(options.get("addresses") or [])]}
    return {"apiVersion": GATEWAY_API_VERSION, "kind": GATEWAY_KIND, "metadata": {"name": name, "namespace": namespace},
            "spec": spec}


def gateway_stub(options: dict) -> dict:
    """The Gateway named by the options, for references only (``manage: false``)."""
    return {"apiVersion": GATEWAY_API_VERSION, "kind": GATEWAY_KIND,
            "metadata": {"name": options["name"], "namespace": options["namespace"]}}


def build_route(options: dict, gateway: dict, i: int = 0) -> dict:
    """The GKEIPRoute of one item of the module's ``routes`` option, attached to ``gateway``
    (docs/persistent-ip.md#rendered-gkeiproute)."""
    what = "routes[%d]" % i
    metadata = gateway["metadata"]
    ref = {"name": metadata["name"], "namespace": metadata["namespace"]}
    if options.get("section_name"):
        ref["sectionName"] = options["section_name"]
    spec = {
        "parentRefs": [ref],
        "addresses": [route_address(a, "%s.addresses[%d]" % (what, j)) for j, a in enumerate(options.get("addresses") or [])],
        "podSelector": selector(options["pod_selector"], what + ".pod_selector"),
        "reactionMode": options.get("reaction_mode") or "ReadyCondition",
    }
    if options.get("network"):
        spec["network"] = options["network"]
    return {"apiVersion": ROUTE_API_VERSION, "kind": ROUTE_KIND,
            "metadata": {"name": options["name"], "namespace": options["namespace"]}, "spec": spec}


def build(gateway_options: dict, route_options: list | None) -> tuple[dict, list]:
    """``(gateway, routes)``: the Gateway (a reference-only stub when ``manage`` is false) and the GKEIPRoutes."""
    gateway_options = to_builtin(gateway_options)
    managed = gateway_options.get("manage", True)
    if managed:
        missing = [k for k in ("class", "addresses") if not gateway_options.get(k)]
        if missing:
            raise InputError("gateway: %s %s required to create or update the Gateway (or set gateway.manage: false to "
                             "use an existing Gateway)" % (" and ".join("gateway." + k for k in missing),
                                                           "are" if len(missing) > 1 else "is"))
    gateway = build_gateway(gateway_options) if managed else gateway_stub(gateway_options)
    routes = [build_route(options, gateway, i) for i, options in enumerate(to_builtin(route_options) or [])]
    return gateway, routes


# ---------------------------------------------------------------------------------------------
# What GKE provides, and what the checks need from the cluster
# ---------------------------------------------------------------------------------------------


def preflight(cluster: Cluster, gateway_class: str | None = None) -> None:
    """Fail (:class:`Refused`) unless the cluster serves Gateway and GKEIPRoute and has ``gateway_class``."""
    missing = []
    for api_version, kind, fix in (
            (GATEWAY_API_VERSION, GATEWAY_KIND, "GKE installs the Gateway API CRDs when the Gateway API is enabled "
             "(gcloud container clusters update CLUSTER --location=REGION --gateway-api=standard; GKE 1.29.3 and later "
             "bundle Gateway API v1.0.0 or newer, serving v1)"),
            (ROUTE_API_VERSION, ROUTE_KIND, "GKE installs the CRD gkeiproutes.networking.gke.io on clusters with "
             "persistent IPs for Pods: " + FEATURE)):
        try:
            cluster.resource(api_version, kind)
        except DiscoveryError:
            missing.append("the cluster does not serve %s (%s): %s" % (kind, api_version, fix))
    if gateway_class and not missing:
        found: Any
        try:
            found = cluster.get(Ref(GATEWAY_API_VERSION, GATEWAY_CLASS_KIND, gateway_class))
        except ApiError as exc:
            found = True if exc.code == 403 else None  # not allowed to look: the apply will tell
            if exc.code != 403:
                raise
        if found is None:
            missing.append("GatewayClass %s does not exist: GKE creates it (controller "
                           "networking.gke.io/persistent-ip-controller) on %s" % (gateway_class, FEATURE))
    if missing:
        raise Refused("%s. %s" % ("; ".join(missing), NOTHING_INSTALLED), missing=missing, changed=False)


def _metadata(obj):
    return (obj or {}).get("metadata") or {}


def _key(obj):
    return _metadata(obj).get("namespace"), _metadata(obj).get("name")


def read_cluster(cluster: Cluster, gateway: dict, routes: list, warn: Callable[[str], Any] | None = None) -> dict:
    """What :func:`check` needs: ``{gateway, namespaces: {name: labels or None}, routes, networks, liveRoutes}``.

    ``gateway`` is the live Gateway (None when missing); namespaces that do not exist map to None;
    ``routes`` are every GKEIPRoute of the cluster (those of the routes' namespaces only, with a
    warning, when listing all namespaces is forbidden); ``networks`` maps each non-default
    ``spec.network`` of ``routes`` that exists to ``{type, ready}``.
    """
    gateway_namespace, gateway_name = _key(gateway)
    snapshot: dict[str, Any] = {"gateway": cluster.get(Ref(GATEWAY_API_VERSION, GATEWAY_KIND, gateway_name, gateway_namespace)),
                                "namespaces": {}, "routes": [], "networks": {}}
    for name in sorted({_metadata(gateway)["namespace"]} | {_metadata(r)["namespace"] for r in routes}):
        namespace = cluster.get(Ref("v1", "Namespace", name))
        snapshot["namespaces"][name] = None if namespace is None else dict(_metadata(namespace).get("labels") or {})
    try:
        snapshot["routes"] = cluster.list(ROUTE_API_VERSION, ROUTE_KIND)
    except ApiError as exc:
        if exc.code != 403:
            raise
        spaces = sorted({_metadata(r)["namespace"] for r in routes})
        if warn:
            warn("listing GKEIPRoutes in all namespaces is forbidden: addresses were checked against the routes of "
                 "namespaces %s only" % ", ".join(spaces))
        for name in spaces:
            if snapshot["namespaces"].get(name) is not None:
                snapshot["routes"].extend(cluster.list(ROUTE_API_VERSION, ROUTE_KIND, namespace=name))
    for name in sorted({r["spec"]["network"] for r in routes if r["spec"].get("network") not in DEFAULT_NETWORKS + (None,)}):
        network = _network(cluster, name)
        if network is not None:
            snapshot["networks"][name] = network
    return snapshot


def _network(cluster, name):
    """``{type, ready}`` of a networking.gke.io Network, or None when it (or its kind) does not exist."""
    try:
        obj = cluster.get(Ref(NETWORK_API_VERSION, NETWORK_KIND, name))
    except DiscoveryError:  # multi-networking is not enabled: no Network exists
        return None
    if obj is None:
        return None
    conditions = ((obj.get("status") or {}).get("conditions")) or []
    ready = any(isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
    return {"type": (obj.get("spec") or {}).get("type"), "ready": ready}


# ---------------------------------------------------------------------------------------------
# Validation of everything together, before anything is applied
# ---------------------------------------------------------------------------------------------


def _finding(obj, entry):
    found = dict(entry, object=identity(obj))
    found["message"] = "%s: %s" % (found["object"], entry["message"])
    return found


def _problem(obj, code, path, message):
    return {"object": identity(obj), "code": code, "path": path, "message": "%s: %s [%s]" % (identity(obj), message, code)}


def _uses_selector(gateway):
    listeners = ((gateway or {}).get("spec") or {}).get("listeners") or []
    return any((((listener.get("allowedRoutes") or {}).get("namespaces") or {}).get("from")) == "Selector"
               for listener in listeners if isinstance(listener, dict))


def _references(route, gateway):
    """Whether a GKEIPRoute's first parentRef names ``gateway`` (docs/persistent-ip.md#attachment: namespace defaults
    to the route's)."""
    refs = ((route.get("spec") or {}).get("parentRefs")) or []
    ref = refs[0] if refs and isinstance(refs[0], dict) else {}
    return ((ref.get("group") or GATEWAY_GROUP, ref.get("kind") or GATEWAY_KIND, ref.get("namespace") or _key(route)[0],
             ref.get("name")) == (GATEWAY_GROUP, GATEWAY_KIND) + _key(gateway))


def check(gateway: dict, routes: list, snapshot: dict | None = None, managed: bool = True,
          cluster_version: str | None = None, named_addresses: Any = None,
          namespace_labels: Any = None) -> tuple[list, list]:
    """Every persistent-IP rule over the Gateway and all routes together: ``(errors, warnings)``.

    Each is ``{object, code, path, message}`` (plus the core's ``gkeReason`` and the like); the
    message starts with the object. ``snapshot`` is :func:`read_cluster`'s answer; without it
    (rendering) nothing is known of the cluster: namespaces exist, their labels are
    ``namespace_labels``, no other route exists, and networks are not checked.
    """
    rendered = snapshot is None
    snapshot = snapshot or {"gateway": None, "namespaces": {}, "routes": [], "networks": None}
    named = to_builtin(named_addresses) or {}
    errors, warnings = [], []
    live_gateway = snapshot["gateway"]
    namespaces = ({k: v for k, v in snapshot["namespaces"].items() if v is not None} if not rendered
                  else optional(to_builtin(namespace_labels), dict, "namespace_labels", {}))

    def add(obj, result, demote=()):
        for entry in result["errors"]:
            if entry["code"] in demote:
                warnings.append(_finding(obj, dict(entry, message=entry["message"] + (
                    " (the namespace's labels are not known when rendering; give them in namespace_labels to decide)"))))
            else:
                errors.append(_finding(obj, entry))
        warnings.extend(_finding(obj, entry) for entry in result["warnings"])

    # The Gateway: created or updated here (its own rules, a class change), or one that must exist.
    effective: dict | None = gateway
    if managed:
        context = {}
        if live_gateway is not None:
            context = {"oldObject": live_gateway, "existingRoutes": snapshot["routes"]}
        add(gateway, validate(gateway, context))
        if not rendered and snapshot["namespaces"].get(_key(gateway)[0]) is None:
            errors.append(_problem(gateway, "PIP_NAMESPACE_NOT_FOUND", "metadata.namespace", (
                "namespace %s does not exist; create it first" % _key(gateway)[0])))
    elif not rendered and live_gateway is None:
        effective = None
        errors.append(_problem(gateway, "PIP_GATEWAY_NOT_FOUND", "gateway", (
            "does not exist; create it elsewhere first, or set gateway.manage: true with its class and addresses")))
    elif not rendered:
        effective = live_gateway
    else:
        effective = None
        warnings.append(_problem(gateway, "PIP_GATEWAY_NOT_CHECKED", "gateway", (
            "gateway.manage is false and nothing is read from a cluster when rendering: the routes were not checked "
            "against it")))

    # The routes: each with every other (claimed once), the live ones not given here, and the Gateway.
    keys = [_key(r) for r in routes]
    for i, route in enumerate(routes):
        if keys.index(keys[i]) != i:
            errors.append(_problem(route, "PIP_ROUTE_DUPLICATE", "routes[%d]" % i, "is given more than once"))
    others = [r for r in snapshot["routes"] if _key(r) not in keys]
    live = {_key(r): r for r in snapshot["routes"]}
    for route in routes:
        namespace = _key(route)[0]
        context = {"existingRoutes": others + routes, "namedAddresses": named, "namespaces": namespaces}
        if effective is not None:
            context["gateway"] = effective
        if cluster_version:
            context["clusterVersion"] = cluster_version
        if not rendered:
            context["networks"] = snapshot["networks"]
            if _key(route) in live:
                context["oldObject"] = live[_key(route)]
            if snapshot["namespaces"].get(namespace) is None:
                errors.append(_problem(route, "PIP_NAMESPACE_NOT_FOUND", "metadata.namespace", (
                    "namespace %s does not exist; create it first" % namespace)))
        # Rendering: without the namespace's labels a Selector's verdict is a guess.
        demote = ("IPR_NOT_ADMITTED",) if rendered and namespace not in namespaces and _uses_selector(effective) else ()
        add(route, validate(route, context), demote)

    # Routes not given here that this Gateway update would break.
    if managed:
        for other in others:
            if _references(other, gateway):
                result = validate(other, {"gateway": gateway, "namedAddresses": named})
                for entry in result["errors"]:
                    if entry["code"] == "IPR_ADDRESS_NOT_IN_GATEWAY":
                        warnings.append(_finding(other, dict(entry, message="not given to this task, it claims an address "
                                                             "the Gateway would no longer list: " + entry["message"])))
    return errors, warnings


def refusal(errors: list) -> Refused:
    """The :class:`Refused` error for validation errors: nothing is applied."""
    lines = "; ".join(e["message"] for e in errors)
    return Refused("%d problem%s found, nothing was applied: %s" % (len(errors), "" if len(errors) == 1 else "s", lines),
                   errors=errors, changed=False)


# ---------------------------------------------------------------------------------------------
# Waiting for Ready, and reporting
# ---------------------------------------------------------------------------------------------


class RoutesReady:
    """A ``k8s.wait`` check over a list of GKEIPRoutes (None for one that does not exist)."""

    awaited = ("be Ready (status.pods lists one Pod; Accepted, GCPReady, DPV2Ready and Ready True at the current "
               "generation)")

    @staticmethod
    def healthy(route: dict | None) -> bool:
        return route is not None and persistent_ip_status(route)["healthy"]

    def matches(self, routes: list) -> bool:
        return all(self.healthy(r) for r in routes)

    def observed(self, routes: list) -> str:
        return "%d of %d not Ready" % (sum(1 for r in routes if not self.healthy(r)), len(routes))


def wait_ready(cluster: Cluster, routes: list, timeout: float, interval: float,
               clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] = time.sleep) -> list:
    """Poll until every route is Ready; returns them as last read. Raises :class:`NotReady` on timeout."""
    refs = [Ref(ROUTE_API_VERSION, ROUTE_KIND, _key(r)[1], _key(r)[0]) for r in routes]
    target = "GKEIPRoute%s %s" % ("s" if len(refs) > 1 else "", ", ".join("%s/%s" % (r.namespace, r.name) for r in refs))
    try:
        return _wait.poll(lambda: [cluster.get(ref) for ref in refs], RoutesReady(), target, timeout, interval,
                          clock=clock, sleep=sleep)
    except WaitTimeout as exc:
        last = exc.last
    explained: list = []
    for ref, route in zip(refs, last):
        if route is None:
            explained.append({"route": "%s/%s" % (ref.namespace, ref.name), "healthy": False,
                              "summary": "GKEIPRoute %s/%s does not exist (deleted while waiting)" % (ref.namespace, ref.name)})
        elif not RoutesReady.healthy(route):
            explained.append(explain_not_ready(route, cluster.list("v1", "Pod", namespace=ref.namespace)))
    message = "timed out after %ss waiting for %s to be Ready: %d of %d not Ready. %s" % (
        timeout, target, len(explained), len(refs), " | ".join(e["summary"] for e in explained))
    raise NotReady(message, explained)


def conditions_of(route: dict | None) -> dict:
    """``{type: {status, reason, message, observedGeneration}}`` of a route's ``status.conditions``."""
    found: dict = {}
    for condition in ((route or {}).get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and isinstance(condition.get("type"), str):
            found.setdefault(condition["type"], {k: condition.get(k) for k in ("status", "reason", "message", "observedGeneration")})
    return found


def route_report(route: dict, pods: list | None = None, gateway: dict | None = None,
                 namespaces: dict | None = None) -> dict:
    """What the module returns per route: its bound Pod and conditions as the cluster shows them, and,
    given the Pods of its namespace, which Pod docs/persistent-ip.md#binding-table binds (``simulated``)."""
    health = persistent_ip_status(route)
    report = {"name": _key(route)[1], "namespace": _key(route)[0], "boundPod": health["boundPod"],
              "healthy": health["healthy"], "conditions": conditions_of(route), "problems": health["problems"]}
    if pods is not None:
        binding = persistent_ip_binding(route, pods, gateway, namespaces)
        report["simulated"] = {k: binding[k] for k in ("boundPod", "eligiblePods", "conditions")}
    return report


def reports(cluster: Cluster, gateway: dict, routes: list, snapshot: dict) -> dict:
    """The module's ``gateway`` and ``routes`` results: ``gateway`` and ``routes`` as the cluster holds them
    after the task; the Pods of the routes' namespaces are listed for ``simulated``."""
    namespaces = {k: v for k, v in snapshot["namespaces"].items() if v is not None}
    pods = {name: cluster.list("v1", "Pod", namespace=name) for name in sorted({_key(r)[0] for r in routes})}
    return {"gateway": without_managed_fields(gateway),
            "routes": [route_report(route, pods[_key(route)[0]], gateway, namespaces) for route in routes]}

"""A stand-in for GKE's persistent-IP controller, for integration tests.

GKE's ``networking.gke.io/persistent-ip-controller`` is closed source and GKE cannot be reached from
here, so the integration tests run this small controller against the test control plane (or a real
cluster). It writes what the GKE controller writes, as ``docs/persistent-ip.md`` describes it:

* GatewayClasses whose ``controllerName`` is ``networking.gke.io/persistent-ip-controller``:
  ``Accepted`` (Gateway API).
* Gateways of a persistent-IP class: ``status.addresses``, ``Accepted`` and ``Programmed``
  (docs/persistent-ip.md#assumption-15) and per-listener status with ``attachedRoutes``.
* GKEIPRoutes: the finalizer ``networking.gke.io/gke-ipr-controller``, ``status.pods`` and the four
  conditions ``Accepted``, ``GCPReady``, ``DPV2Ready`` and ``Ready`` (docs/persistent-ip.md#route-status,
  docs/persistent-ip.md#attachment, docs/persistent-ip.md#binding-table, docs/persistent-ip.md#assumptions).

It is deliberately written apart from the collection's own binding code and imports nothing from
``plugins/``: it is an independent reading of the rules, so that a mistake in either shows up as a
disagreement in the tests. Pure decisions (functions) are kept apart from API access
(:class:`PipController`).

Interface::

    ctl = PipController(kubeconfig="/path/to/kubeconfig")
    ctl.reconcile_once()        # one deterministic pass; returns the writes it made
    ctl.settle()                # passes until one writes nothing
    ctl.start(interval=0.2)     # background thread (polling), for modules waiting in a subprocess
    ctl.stop()

Knobs for tests: ``settle_passes`` (reconcile passes during which a new or changed route shows
``GCPNotReady``/``Mutated`` before it is programmed), ``inject()`` (force a condition, e.g.
``GCPReady=False/GCPFailed``), ``named_addresses`` (``NamedAddress`` name -> IPv4 address, standing in
for ``gcloud compute addresses describe``) and ``finalizer``.

Not modelled (as in docs/persistent-ip.md#pod-selection): load-balancing mode (``spec.loadBalancing``: several Pods,
one per node), fast failover (``nodeSelector``), Network types, and the passthrough-LB classes
(their Gateways get no status; routes on them are ``Unattachable``). ``ReadyCondition`` also requires
``spec.nodeName`` (a Ready Pod is always scheduled; every vector agrees).
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import logging
import re
import threading

GATEWAY_GROUP = "gateway.networking.k8s.io"
GKE_GROUP = "networking.gke.io"
CONTROLLER_NAME = "networking.gke.io/persistent-ip-controller"
FINALIZER = "networking.gke.io/gke-ipr-controller"
ROUTE_KIND = "GKEIPRoute"

# Classes whose Gateways hold persistent IPs (docs/persistent-ip.md#object-model: regional, and the fast-failover variants).
# The passthrough-LB classes share the controller but are out of scope (not modelled).
PERSISTENT_CLASSES = (
    "gke-persistent-regional-external-managed",
    "gke-persistent-regional-internal-managed",
    "gke-persistent-fast-regional-external-managed",
    "gke-persistent-fast-regional-internal-managed",
)
# Every class GKE ships for this controller (spec C7); the fixture installs these GatewayClasses.
GKE_GATEWAY_CLASSES = PERSISTENT_CLASSES + (
    "gke-passthrough-lb-external-managed",
    "gke-passthrough-lb-internal-managed",
)
PRIMARY_NETWORKS = ("", "default", "pod-network")
CONDITION_TYPES = ("Accepted", "GCPReady", "DPV2Ready", "Ready")
GATEWAY_ADDRESS_TYPES = ("gke.networking.io/cidr", "NamedAddress", "IPAddress")

_LOG = logging.getLogger(__name__)

_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


# --------------------------------------------------------------------------------------------------
# Pure decisions
# --------------------------------------------------------------------------------------------------

def now_rfc3339():
    """The current time as the API server writes timestamps (seconds, UTC, ``Z``)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    """An RFC 3339 timestamp as an aware datetime (``Z`` or an offset, optional fractions)."""
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _label_key_problem(key):
    prefix, sep, name = key.rpartition("/")
    if sep and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return "label key %r has an invalid prefix" % key
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return "label key %r is not a valid qualified name" % key
    return None


def _label_value_problem(value):
    if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
        return "label value %r is invalid" % (value,)
    return None


def selector_problem(selector, allow_empty=True):
    """Why a metav1.LabelSelector is invalid (a message), or None.

    ``allow_empty=False`` also rejects ``{}`` (GKEIPRoute: "Empty selector is not allowed").
    """
    if not isinstance(selector, dict):
        return "selector must be an object"
    labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(labels, dict) or not isinstance(expressions, list):
        return "matchLabels must be a map and matchExpressions a list"
    if not allow_empty and not labels and not expressions:
        return "empty selector is not allowed"
    for key, value in labels.items():
        problem = _label_key_problem(key) or _label_value_problem(value)
        if problem:
            return problem
    for item in expressions:
        if not isinstance(item, dict):
            return "matchExpressions items must be objects"
        operator, values = item.get("operator"), item.get("values") or []
        problem = _label_key_problem(str(item.get("key", "")))
        if problem:
            return problem
        if operator in ("In", "NotIn"):
            if not values:
                return "values must be non-empty for operator %s" % operator
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                return "values must be empty for operator %s" % operator
        else:
            return "operator %r is not one of In, NotIn, Exists, DoesNotExist" % (operator,)
        for value in values:
            problem = _label_value_problem(value)
            if problem:
                return problem
    return None


def selector_matches(selector, labels):
    """LabelSelectorAsSelector semantics: nil selects nothing, ``{}`` everything, requirements ANDed."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for item in selector.get("matchExpressions") or []:
        key, operator, values = item["key"], item["operator"], item.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _ready_status(pod):
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status")
    return None


def pod_ineligibility(pod, reaction_mode):
    """None when ``pod`` qualifies to hold the IP under ``reaction_mode`` (docs/persistent-ip.md#binding-table), else why not.

    The caller has already matched namespace and labels (rows 9 and 10).
    """
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    if meta.get("deletionTimestamp"):
        return "terminating"                                          # row 7, docs/persistent-ip.md#assumption-5
    if status.get("phase") in ("Succeeded", "Failed"):
        return "phase %s" % status["phase"]                           # row 8, docs/persistent-ip.md#assumption-6
    if not spec.get("nodeName"):
        return "not scheduled (spec.nodeName unset)"                  # row 1
    if reaction_mode == "Exists":
        return None                                                   # rows 2-6
    ready = _ready_status(pod)
    if ready != "True":
        return "Ready is %s" % (ready or "unset")                     # rows 2, 3, 5, 6
    return None                                                       # row 4


def choose_pod(route, pods):
    """The binding decision: ``(bound name or None, eligible names newest first, [(name, why not)])``.

    ``pods`` may be every pod of the cluster; only those in the route's namespace that match its
    podSelector are considered. Newest ``creationTimestamp`` wins, ties go to the smallest name
    (docs/persistent-ip.md#assumption-7).
    """
    spec = route.get("spec") or {}
    namespace = route["metadata"].get("namespace")
    mode = spec.get("reactionMode") or "ReadyCondition"
    eligible, rejected = [], []
    for pod in pods:
        meta = pod.get("metadata") or {}
        if meta.get("namespace") != namespace or not selector_matches(spec.get("podSelector"), meta.get("labels")):
            continue
        why = pod_ineligibility(pod, mode)
        if why:
            rejected.append((meta["name"], why))
        else:
            eligible.append(pod)
    # newest first; among equal timestamps the smallest name first
    eligible.sort(key=lambda p: p["metadata"]["name"])
    eligible.sort(key=lambda p: parse_time(p["metadata"]["creationTimestamp"]), reverse=True)
    names = [p["metadata"]["name"] for p in eligible]
    return (names[0] if names else None), names, sorted(rejected)


def address_network(value, require_prefix=True):
    """An IPv4 network from a CIDR string (host bits must be zero), or raise ValueError."""
    if not isinstance(value, str) or (require_prefix and "/" not in value):
        raise ValueError("%r is not a CIDR such as 34.123.10.1/32" % (value,))
    network = ipaddress.ip_network(value, strict=True)
    if network.version != 4:
        raise ValueError("%r is not IPv4; persistent IPs are IPv4 only" % (value,))
    return network


def gateway_networks(gateway, named_addresses=None):
    """``(networks, problems)`` for a Gateway's ``spec.addresses`` (normalised, docs/persistent-ip.md#assumption-2)."""
    networks, problems = [], []
    for index, address in enumerate((gateway.get("spec") or {}).get("addresses") or []):
        kind, value = address.get("type") or "IPAddress", address.get("value")
        try:
            if kind == "NamedAddress":
                if value not in (named_addresses or {}):
                    raise ValueError("named address %r is not reserved in this region" % (value,))
                networks.append(address_network((named_addresses or {})[value], require_prefix=False))
            elif kind == "IPAddress":
                networks.append(address_network(value, require_prefix=False))
            else:
                networks.append(address_network(value))
        except ValueError as exc:
            problems.append("spec.addresses[%d]: %s" % (index, exc))
    return networks, problems


def gateway_verdict(gateway, gateway_classes, named_addresses=None):
    """What the controller makes of a Gateway.

    Returns ``{"handled", "accepted": (status, reason, message), "programmed": (...), "networks"}``.
    ``handled`` is False when no persistent-IP controller reconciles the Gateway (not a persistent
    class, or its GatewayClass is missing or belongs to another controller); it then gets no status.
    """
    class_name = (gateway.get("spec") or {}).get("gatewayClassName")
    gateway_class = gateway_classes.get(class_name)
    handled = (class_name in PERSISTENT_CLASSES and gateway_class is not None
               and (gateway_class.get("spec") or {}).get("controllerName") == CONTROLLER_NAME)
    verdict = {"handled": handled, "persistent": class_name in PERSISTENT_CLASSES, "networks": []}
    if not handled:
        return verdict
    addresses = (gateway.get("spec") or {}).get("addresses") or []
    unsupported = [a.get("type") for a in addresses if (a.get("type") or "IPAddress") not in GATEWAY_ADDRESS_TYPES]
    if unsupported:
        verdict["accepted"] = ("False", "UnsupportedAddress",
                               "address type(s) %s not supported; use gke.networking.io/cidr or NamedAddress" % ", ".join(unsupported))
        verdict["programmed"] = ("False", "Invalid", "Gateway is not accepted")
        return verdict
    verdict["accepted"] = ("True", "Accepted", "Gateway accepted by the persistent-IP controller")
    networks, problems = gateway_networks(gateway, named_addresses)
    verdict["networks"] = networks
    if not addresses:
        verdict["programmed"] = ("False", "AddressNotAssigned",
                                 "persistent-IP Gateways are not assigned addresses: reserve regional addresses and list them in spec.addresses")
    elif problems:
        verdict["programmed"] = ("False", "AddressNotUsable", "; ".join(problems))
    else:
        verdict["programmed"] = ("True", "Programmed", "%d persistent address(es) programmed" % len(networks))
    return verdict


def _kind_allowed(listener):
    kinds = (listener.get("allowedRoutes") or {}).get("kinds") or []
    if not kinds:
        return True
    return any(k.get("kind") == ROUTE_KIND and (k.get("group") or "") in ("", GATEWAY_GROUP, GKE_GROUP) for k in kinds)


def _namespace_allowed(listener, gateway_namespace, route_namespace, namespace_labels):
    namespaces = (listener.get("allowedRoutes") or {}).get("namespaces") or {}
    source = namespaces.get("from") or "Same"
    if source == "All":
        return True
    if source == "Same":
        return route_namespace == gateway_namespace
    if source == "Selector":
        selector = namespaces.get("selector")
        if selector is None or selector_problem(selector):
            return False                                    # docs/persistent-ip.md#assumption-11: nil selects nothing
        labels = dict(namespace_labels.get(route_namespace) or {})
        labels.setdefault("kubernetes.io/metadata.name", route_namespace)
        return selector_matches(selector, labels)
    return False


def admitted_listeners(route, parent_ref, gateway, namespace_labels):
    """Gateway API listener admission (docs/persistent-ip.md#attachment): ``(listener names, None)`` or ``([], (reason, message))``."""
    listeners = (gateway.get("spec") or {}).get("listeners") or []
    section, port = parent_ref.get("sectionName"), parent_ref.get("port")
    candidates = [l for l in listeners if (not section or l.get("name") == section) and (port is None or l.get("port") == port)]
    gw_ref = "%s/%s" % (gateway["metadata"].get("namespace"), gateway["metadata"]["name"])
    if not candidates:
        return [], ("Unattachable", "NoMatchingParent: no listener of Gateway %s matches sectionName=%s port=%s"
                    % (gw_ref, section or "(any)", port if port is not None else "(any)"))
    route_ns = route["metadata"].get("namespace")
    accepted = [l["name"] for l in candidates
                if _namespace_allowed(l, gateway["metadata"].get("namespace"), route_ns, namespace_labels) and _kind_allowed(l)]
    if not accepted:
        return [], ("Unattachable", "NotAllowedByListeners: no listener of Gateway %s allows a GKEIPRoute from namespace %s "
                    "(check allowedRoutes.namespaces and allowedRoutes.kinds)" % (gw_ref, route_ns))
    return accepted, None


def route_acceptance(route, gateways, gateway_classes, namespace_labels, network_lookup, named_addresses=None):
    """The ``Accepted`` decision for a route, except address claims by other routes.

    Returns ``{"reason", "message", "gateway" (ns, name) or None, "listeners", "networks"}``; reason
    ``Accepted`` means accepted. Checks run in docs/persistent-ip.md#evaluation-order: the route's own
    fields, then the parent Gateway, admission, address membership, network.
    """
    spec = route.get("spec") or {}
    namespace = route["metadata"].get("namespace")
    result = {"gateway": None, "listeners": [], "networks": []}

    def fail(reason, message):
        result.update(reason=reason, message=message)
        return result

    if "podSelector" not in spec:
        return fail("InvalidLabels", "spec.podSelector is required")
    problem = selector_problem(spec.get("podSelector"), allow_empty=False)
    if problem:
        return fail("InvalidLabels", "spec.podSelector: %s" % problem)
    networks = []
    for index, address in enumerate(spec.get("addresses") or []):
        try:
            networks.append(address_network(address.get("value")))
        except ValueError as exc:
            return fail("InvalidAddresses", "spec.addresses[%d]: %s" % (index, exc))
    if not networks:
        return fail("InvalidAddresses", "spec.addresses must list at least one CIDR")
    if len(set(networks)) != len(networks):
        return fail("InvalidAddresses", "spec.addresses lists an address twice")
    parent_refs = spec.get("parentRefs") or []
    if not parent_refs:
        return fail("MissingParentRefs", "spec.parentRefs must reference the persistent-IP Gateway that owns the addresses")
    ref = parent_refs[0]                                                   # docs/persistent-ip.md#assumption-19
    group = ref.get("group", GATEWAY_GROUP)
    kind = ref.get("kind", "Gateway")
    if group != GATEWAY_GROUP or kind != "Gateway":
        return fail("Unattachable", "parentRefs[0] must be a %s Gateway, not %s/%s" % (GATEWAY_GROUP, group, kind))
    gw_ns, gw_name = ref.get("namespace") or namespace, ref.get("name")
    gateway = gateways.get((gw_ns, gw_name))
    if gateway is None:
        return fail("GatewayNotFound", "Gateway %s/%s not found (parentRefs[0].namespace defaults to the route's namespace)" % (gw_ns, gw_name))
    result["gateway"] = (gw_ns, gw_name)
    class_name = (gateway.get("spec") or {}).get("gatewayClassName")
    if class_name not in PERSISTENT_CLASSES:
        return fail("Unattachable", "Gateway %s/%s has class %s, not a persistent-IP class (%s)"
                    % (gw_ns, gw_name, class_name, ", ".join(PERSISTENT_CLASSES[:2])))
    verdict = gateway_verdict(gateway, gateway_classes, named_addresses)
    if not verdict["handled"] or verdict["accepted"][0] != "True":
        why = verdict["accepted"][2] if verdict["handled"] else "GatewayClass %s is missing or not handled by %s" % (class_name, CONTROLLER_NAME)
        return fail("GatewayNotAccepted", "Gateway %s/%s is not accepted: %s" % (gw_ns, gw_name, why))
    listeners, refusal = admitted_listeners(route, ref, gateway, namespace_labels)
    if refusal:
        return fail(*refusal)
    result["listeners"] = listeners
    for index, network in enumerate(networks):
        if network not in verdict["networks"]:
            return fail("InvalidAddresses", "spec.addresses[%d] %s is not one of the addresses of Gateway %s/%s"
                        % (index, network, gw_ns, gw_name))
    result["networks"] = networks
    network_name = spec.get("network") or "default"
    if network_name not in PRIMARY_NETWORKS:
        state = network_lookup(network_name)
        if state is None:
            return fail("NetworkNotFound", "Network %s not found" % network_name)
        if state != "Ready":
            return fail("NetworkNotReady", "Network %s is not Ready" % network_name)
    return fail("Accepted", "GKEIPRoute accepted by Gateway %s/%s" % (gw_ns, gw_name))


def route_status(generation, acceptance, choice, override=None):
    """The route's desired ``status`` (without lastTransitionTime): ``{"pods", "conditions"}``.

    ``choice`` is :func:`choose_pod`'s result; ``override`` forces conditions, e.g.
    ``{"GCPReady": ("False", "GCPFailed", "quota exceeded")}`` or the ``Mutated`` phase.
    """
    def cond(ctype, status, reason, message):
        return {"type": ctype, "status": status, "reason": reason, "message": message, "observedGeneration": generation}

    reason, message = acceptance["reason"], acceptance["message"]
    if reason != "Accepted":                              # docs/persistent-ip.md#assumption-8; GCPReady/DPV2Ready are not reported
        return {"pods": [], "conditions": [cond("Accepted", "False", reason, message), cond("Ready", "False", reason, message)]}
    bound, eligible, rejected = choice
    conditions = {"Accepted": cond("Accepted", "True", "Accepted", message)}
    if bound is None:
        detail = "no Pod matches spec.podSelector in namespace %s" % acceptance["namespace"]
        if rejected:
            detail = "no matching Pod qualifies under reactionMode %s: %s" % (
                acceptance["mode"], "; ".join("%s (%s)" % item for item in rejected))
        for ctype in ("GCPReady", "DPV2Ready", "Ready"):
            conditions[ctype] = cond(ctype, "False", "NoPodsFound", detail)
        pods = []
    else:
        pods = [bound]
        others = ", ".join(eligible[1:])
        conditions["GCPReady"] = cond("GCPReady", "True", "GCPReady", "Google Cloud resources programmed")
        conditions["DPV2Ready"] = cond("DPV2Ready", "True", "DPV2Ready", "datapath programmed for Pod %s" % bound)
        conditions["Ready"] = cond("Ready", "True", "ProgrammingComplete",
                                   "persistent IPs routed to Pod %s" % bound + ("; standby: %s" % others if others else ""))
    for ctype, (status, why, text) in (override or {}).items():
        conditions[ctype] = cond(ctype, status, why, text)
    if override and conditions["Ready"]["status"] == "True":
        failing = [conditions[t] for t in ("GCPReady", "DPV2Ready") if conditions[t]["status"] != "True"]
        if failing:
            conditions["Ready"] = cond("Ready", "False", failing[0]["reason"], failing[0]["message"])
    return {"pods": pods, "conditions": [conditions[t] for t in CONDITION_TYPES]}


def merge_conditions(new, old, now):
    """metav1 semantics: keep ``lastTransitionTime`` while a condition's status does not change."""
    previous = {c.get("type"): c for c in old or []}
    merged = []
    for cond in new:
        cond = dict(cond)
        before = previous.get(cond["type"])
        cond["lastTransitionTime"] = before["lastTransitionTime"] if before and before.get("status") == cond["status"] \
            and before.get("lastTransitionTime") else now
        merged.append(cond)
    return merged


# --------------------------------------------------------------------------------------------------
# The controller: API access
# --------------------------------------------------------------------------------------------------

class PipController:
    """Reconciles GatewayClasses, Gateways and GKEIPRoutes through the Kubernetes API.

    ``kubeconfig``/``context`` or a ready ``api_client`` (``kubernetes.client.ApiClient``).
    """

    def __init__(self, kubeconfig=None, context=None, api_client=None, finalizer=True, settle_passes=0,
                 named_addresses=None, logger=None):
        from kubernetes import client as k8s_client, config as k8s_config  # pylint: disable=import-outside-toplevel
        if api_client is None:
            api_client = k8s_config.new_client_from_config(config_file=kubeconfig, context=context)
        self.api_client = api_client
        self.core = k8s_client.CoreV1Api(api_client)
        self.custom = k8s_client.CustomObjectsApi(api_client)
        self._api_exception = k8s_client.exceptions.ApiException
        self.finalizer = finalizer
        self.settle_passes = settle_passes
        self.named_addresses = dict(named_addresses or {})
        self.log = logger or _LOG
        self.errors = []              # exceptions of background passes, newest last (at most 20)
        self.passes = 0
        self._lock = threading.RLock()
        self._overrides = {}
        self._pending = {}            # route uid -> [generation, passes left, phase reason]
        self._progressed = False      # a pass advanced a programming phase (see settle)
        self._thread = None
        self._stop = threading.Event()

    # -- knobs ---------------------------------------------------------------------------------

    def inject(self, namespace, name, condition, status, reason, message=""):
        """Force a route condition (e.g. ``GCPReady``, ``False``, ``GCPFailed``) while the route is accepted."""
        with self._lock:
            self._overrides.setdefault((namespace, name), {})[condition] = (status, reason, message)

    def clear_injections(self):
        with self._lock:
            self._overrides.clear()

    # -- API helpers ---------------------------------------------------------------------------

    def _list_custom(self, group, version, plural):
        try:
            return self.custom.list_cluster_custom_object(group, version, plural).get("items") or []
        except self._api_exception as exc:
            if exc.status == 404:      # CRD not installed
                return []
            raise

    def _list_core(self, method):
        response = method(_preload_content=False)
        return json.loads(response.data).get("items") or []

    def _network_state(self, name):
        """``None`` (no such Network), ``"Ready"`` or ``"NotReady"``."""
        try:
            network = self.custom.get_cluster_custom_object(GKE_GROUP, "v1", "networks", name)
        except self._api_exception as exc:
            if exc.status == 404:
                return None
            raise
        for cond in (network.get("status") or {}).get("conditions") or []:
            if cond.get("type") == "Ready":
                return "Ready" if cond.get("status") == "True" else "NotReady"
        return "NotReady"

    def _write_status(self, obj, plural, group, status, writes, what):
        """Replace ``status`` through the status subresource (optimistic concurrency); skip no-ops."""
        if (obj.get("status") or {}) == status:
            return
        body = dict(obj)
        body["status"] = status
        meta = obj["metadata"]
        try:
            if meta.get("namespace"):
                self.custom.replace_namespaced_custom_object_status(group, "v1", meta["namespace"], plural, meta["name"], body)
            else:
                self.custom.replace_cluster_custom_object_status(group, "v1", plural, meta["name"], body)
        except self._api_exception as exc:
            if exc.status in (404, 409):     # gone or changed meanwhile: the next pass sees the new state
                return
            raise
        writes.append((what, meta.get("namespace"), meta["name"], "status"))

    def _replace(self, obj, plural, writes, what, note):
        meta = obj["metadata"]
        try:
            self.custom.replace_namespaced_custom_object(GKE_GROUP, "v1", meta["namespace"], plural, meta["name"], obj)
        except self._api_exception as exc:
            if exc.status in (404, 409):
                return False
            raise
        writes.append((what, meta["namespace"], meta["name"], note))
        return True

    # -- reconcile -----------------------------------------------------------------------------

    def reconcile_once(self):
        """One full pass over the cluster. Returns the writes made: ``[(kind, namespace, name, what)]``."""
        with self._lock:
            self.passes += 1
            writes = []
            now = now_rfc3339()
            classes = {c["metadata"]["name"]: c for c in self._list_custom(GATEWAY_GROUP, "v1", "gatewayclasses")}
            gateways = {(g["metadata"]["namespace"], g["metadata"]["name"]): g
                        for g in self._list_custom(GATEWAY_GROUP, "v1", "gateways")}
            routes = self._list_custom(GKE_GROUP, "v1", "gkeiproutes")
            pods = self._list_core(self.core.list_pod_for_all_namespaces) if routes else []
            namespace_labels = {}
            if routes:
                for ns in self._list_core(self.core.list_namespace):
                    namespace_labels[ns["metadata"]["name"]] = ns["metadata"].get("labels") or {}

            for gateway_class in classes.values():
                self._reconcile_class(gateway_class, now, writes)
            attached = self._reconcile_routes(routes, gateways, classes, namespace_labels, pods, now, writes)
            for key, gateway in sorted(gateways.items()):
                self._reconcile_gateway(gateway, classes, attached.get(key, {}), now, writes)
            return writes

    def settle(self, max_passes=50):
        """Reconcile until a pass writes nothing and no route is mid-programming; returns the passes that did work."""
        for count in range(max_passes):
            self._progressed = False
            if not self.reconcile_once() and not self._progressed:
                return count
        raise RuntimeError("pip controller did not settle in %d passes" % max_passes)

    def _reconcile_class(self, gateway_class, now, writes):
        if (gateway_class.get("spec") or {}).get("controllerName") != CONTROLLER_NAME:
            return
        generation = gateway_class["metadata"].get("generation", 1)
        status = dict(gateway_class.get("status") or {})
        wanted = [{"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Handled by the persistent-IP controller",
                   "observedGeneration": generation}]
        status["conditions"] = merge_conditions(wanted, status.get("conditions"), now)
        self._write_status(gateway_class, "gatewayclasses", GATEWAY_GROUP, status, writes, "GatewayClass")

    def _reconcile_gateway(self, gateway, classes, attached, now, writes):
        verdict = gateway_verdict(gateway, classes, self.named_addresses)
        if not verdict["handled"]:
            return
        generation = gateway["metadata"].get("generation", 1)
        status = dict(gateway.get("status") or {})
        conditions = [{"type": ctype, "status": s, "reason": r, "message": m, "observedGeneration": generation}
                      for ctype, (s, r, m) in (("Accepted", verdict["accepted"]), ("Programmed", verdict["programmed"]))]
        status["conditions"] = merge_conditions(conditions, status.get("conditions"), now)
        if verdict["programmed"][0] == "True":
            status["addresses"] = [{"type": a.get("type") or "IPAddress", "value": a["value"]}
                                   for a in gateway["spec"].get("addresses") or []]
        else:
            status.pop("addresses", None)
        old_listeners = {l.get("name"): l for l in status.get("listeners") or []}
        listeners = []
        for listener in gateway["spec"].get("listeners") or []:
            kinds = (listener.get("allowedRoutes") or {}).get("kinds") or []
            bad = [k.get("kind") for k in kinds if not _kind_allowed({"allowedRoutes": {"kinds": [k]}})]
            ok = "True" if verdict["accepted"][0] == "True" else "False"
            conds = [
                {"type": "Accepted", "status": ok, "reason": "Accepted" if ok == "True" else "Invalid", "message": "",
                 "observedGeneration": generation},
                {"type": "Programmed", "status": verdict["programmed"][0],
                 "reason": "Programmed" if verdict["programmed"][0] == "True" else "Invalid", "message": "", "observedGeneration": generation},
                {"type": "ResolvedRefs", "status": "False" if bad else "True", "reason": "InvalidRouteKinds" if bad else "ResolvedRefs",
                 "message": "unsupported route kinds: %s" % ", ".join(map(str, bad)) if bad else "", "observedGeneration": generation},
            ]
            listeners.append({
                "name": listener["name"],
                "supportedKinds": [{"group": GKE_GROUP, "kind": ROUTE_KIND}] if len(bad) < len(kinds) or not kinds else [],
                "attachedRoutes": attached.get(listener["name"], 0),
                "conditions": merge_conditions(conds, (old_listeners.get(listener["name"]) or {}).get("conditions"), now),
            })
        status["listeners"] = listeners
        self._write_status(gateway, "gateways", GATEWAY_GROUP, status, writes, "Gateway")

    def _reconcile_routes(self, routes, gateways, classes, namespace_labels, pods, now, writes):
        """Routes oldest first, so that the first claimant of an address keeps it (docs/persistent-ip.md#assumption-9)."""
        attached = {}
        claimed = {}
        routes = sorted(routes, key=lambda r: (parse_time(r["metadata"]["creationTimestamp"]),
                                               r["metadata"].get("namespace"), r["metadata"]["name"]))
        for route in routes:
            meta = route["metadata"]
            if meta.get("deletionTimestamp"):
                self._finish_deletion(route, now, writes)
                continue
            if self.finalizer and FINALIZER not in (meta.get("finalizers") or []):
                body = dict(route)
                body["metadata"] = dict(meta, finalizers=list(meta.get("finalizers") or []) + [FINALIZER])
                self._replace(body, "gkeiproutes", writes, "GKEIPRoute", "finalizer")
                continue        # the next pass works on the new resourceVersion
            acceptance = route_acceptance(route, gateways, classes, namespace_labels, self._network_state, self.named_addresses)
            if acceptance["reason"] == "Accepted":
                key = "%s/%s" % (meta.get("namespace"), meta["name"])
                taken = [(n, claimed[n]) for n in acceptance["networks"] if claimed.get(n, key) != key]
                if taken:
                    acceptance.update(reason="InvalidAddresses", message="; ".join(
                        "address %s is already claimed by GKEIPRoute %s" % item for item in taken))
                else:
                    for network in acceptance["networks"]:
                        claimed[network] = key
                    for listener in acceptance["listeners"]:
                        counts = attached.setdefault(acceptance["gateway"], {})
                        counts[listener] = counts.get(listener, 0) + 1
            self._reconcile_route(route, acceptance, pods, now, writes)
        return attached

    def _reconcile_route(self, route, acceptance, pods, now, writes):
        meta, spec = route["metadata"], route.get("spec") or {}
        generation = meta.get("generation", 1)
        acceptance["namespace"] = meta.get("namespace")
        acceptance["mode"] = spec.get("reactionMode") or "ReadyCondition"
        old_status = route.get("status") or {}
        choice = choose_pod(route, pods)
        override = dict(self._overrides.get((meta.get("namespace"), meta["name"])) or {})
        if acceptance["reason"] == "Accepted" and self.settle_passes:
            phase = self._programming_phase(route, old_status)
            if phase:
                text = "reprogramming after a spec change" if phase == "Mutated" else "Google Cloud programming in progress"
                override.update({"GCPReady": ("False", phase, text), "DPV2Ready": ("False", "Mutated" if phase == "Mutated" else "DPV2NotReady", text),
                                 "Ready": ("False", phase, text)})
                if phase == "Mutated":   # the previous holder keeps the IP while reprogramming
                    choice = ((old_status.get("pods") or [None])[0], [], [])
        status = route_status(generation, acceptance, choice, override)
        status["conditions"] = merge_conditions(status["conditions"], old_status.get("conditions"), now)
        if not status["pods"]:
            del status["pods"]          # Go omitempty: no Pod, no field
        self._write_status(route, "gkeiproutes", GKE_GROUP, status, writes, "GKEIPRoute")

    def _programming_phase(self, route, old_status):
        """``GCPNotReady`` (new route) or ``Mutated`` (spec changed) for ``settle_passes`` passes, else None."""
        uid, generation = route["metadata"].get("uid"), route["metadata"].get("generation", 1)
        pending = self._pending.get(uid)
        if pending is None or pending[0] != generation:
            seen = [c.get("observedGeneration") for c in old_status.get("conditions") or [] if c.get("type") == "Accepted"]
            if seen and seen[0] == generation and pending is None:
                return None                     # already programmed before this controller started
            pending = self._pending[uid] = [generation, self.settle_passes, "Mutated" if seen else "GCPNotReady"]
        if pending[1] <= 0:
            return None
        pending[1] -= 1
        self._progressed = True
        return pending[2]

    def _finish_deletion(self, route, now, writes):
        """GCP cleanup is instant here: report ``CleanupComplete`` and drop the finalizer."""
        meta = route["metadata"]
        if FINALIZER not in (meta.get("finalizers") or []):
            return
        status = dict(route.get("status") or {})
        cleanup = [c for c in status.get("conditions") or [] if c.get("type") != "GCPReady"]
        cleanup.append({"type": "GCPReady", "status": "False", "reason": "CleanupComplete", "message": "Google Cloud resources deleted",
                        "observedGeneration": meta.get("generation", 1), "lastTransitionTime": now})
        status["conditions"] = sorted(cleanup, key=lambda c: CONDITION_TYPES.index(c["type"]) if c["type"] in CONDITION_TYPES else 9)
        self._write_status(route, "gkeiproutes", GKE_GROUP, status, writes, "GKEIPRoute")
        try:
            fresh = self.custom.get_namespaced_custom_object(GKE_GROUP, "v1", meta["namespace"], "gkeiproutes", meta["name"])
        except self._api_exception as exc:
            if exc.status == 404:
                return
            raise
        fresh["metadata"]["finalizers"] = [f for f in fresh["metadata"].get("finalizers") or [] if f != FINALIZER]
        self._replace(fresh, "gkeiproutes", writes, "GKEIPRoute", "finalizer removed")

    # -- background mode -----------------------------------------------------------------------

    def start(self, interval=0.2):
        """Reconcile every ``interval`` seconds in a daemon thread until :meth:`stop`."""
        if self._thread is not None:
            return self
        self._stop.clear()

        def loop():
            while not self._stop.is_set():
                try:
                    self.reconcile_once()
                except Exception as exc:  # pylint: disable=broad-exception-caught
                    self.log.warning("pip controller pass failed: %s", exc)
                    self.errors = (self.errors + [exc])[-20:]
                self._stop.wait(interval)

        self._thread = threading.Thread(target=loop, name="pip-controller", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout=10):
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout)
        self._thread = None

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    def close(self):
        self.stop()
        self.api_client.close()

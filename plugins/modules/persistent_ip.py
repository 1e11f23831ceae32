#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: persistent_ip
author:
  - clusternet.k8s maintainers (@clusternet)
version_added: 0.1.0
short_description: Apply a GKE persistent-IP Gateway and its GKEIPRoutes, validated first, and wait until Ready
description:
  - Builds a Gateway API C(Gateway) of class C(gke-persistent-regional-external-managed) or
    C(gke-persistent-regional-internal-managed) that holds a pool of persistent IP addresses, and the
    C(GKEIPRoute) objects (C(networking.gke.io/v1)) that give those addresses to Pods.
  - Validates all of it together before anything is applied, against what the cluster holds. The Gateway
    exists or is created by this task; every route address is one of the Gateway's and is claimed by one
    route only, counting the routes already in the cluster; the Gateway's listeners admit every route's
    namespace (C(All), C(Same) or a C(Selector) over the live namespace labels); every field follows its rules.
    On any error the task fails, listing every problem, and nothing is applied.
  - Applies with Kubernetes server-side apply under O(field_manager), the Gateway first. C(changed) only when
    an object changes, so a second run reports no change.
  - With O(wait), waits until every route is Ready. On timeout it fails, naming for each route that is not
    Ready the failing condition with its reason and message, the Pods that match its selector but do not
    qualify (and why), and what to check next.
  - Returns each route's bound Pod and conditions, which Pod the binding rules would choose among the live
    Pods, and the applied objects.
  - It installs nothing that GKE provides. When the cluster does not serve the Gateway or GKEIPRoute CRDs, or
    lacks the GatewayClass, the task fails saying what is missing and which GKE version and feature provide it.
  - With O(state=rendered) it only builds and validates the objects, without any cluster, and returns them in
    RV(rendered) (to write them as files, as the C(clusternet.k8s.persistent_ip) role does).
options:
  gateway:
    description:
      - The Gateway that owns the persistent IP addresses.
    type: dict
    required: true
    suboptions:
      name:
        description: Name of the Gateway.
        type: str
        required: true
      namespace:
        description: Namespace of the Gateway.
        type: str
        required: true
      manage:
        description:
          - When true, the task creates or updates the Gateway from O(gateway.class), O(gateway.addresses),
            O(gateway.listeners) and the allowed namespaces; O(gateway.class) and O(gateway.addresses) are then required.
          - When false, the Gateway must already exist; it is only read, and the routes are checked against it.
        type: bool
        default: true
      class:
        description:
          - V(external) for C(gke-persistent-regional-external-managed) (regional external IPs, Google-provided or
            BYOIP); V(internal) for C(gke-persistent-regional-internal-managed) (regional internal IPs of a subnet).
          - The class of a Gateway cannot change once GKEIPRoutes use it.
        type: str
        choices: [external, internal]
      addresses:
        description:
          - The Gateway's pool of persistent IPv4 addresses, reserved beforehand in the cluster's region.
          - An IP (V(34.123.10.1)) or a CIDR (V(34.123.10.1/32)) becomes a C(gke.networking.io/cidr) address V(34.123.10.1/32);
            any other string becomes a C(NamedAddress) (the name of a reserved regional address, see O(named_addresses));
            a mapping C({type, value}) is used as given.
          - At most 16.
        type: list
        elements: raw
      listeners:
        description:
          - The Gateway's listeners. Default is one listener V(default), port V(443), protocol V(All).
          - Each listener admits GKEIPRoutes from the namespaces O(gateway.allowed_namespaces) says.
        type: list
        elements: dict
        suboptions:
          name:
            description: Listener name (what a route's O(routes[].section_name) refers to).
            type: str
            required: true
          port:
            description: Port, 1-65535 (a placeholder for an L3 persistent IP).
            type: int
            default: 443
          protocol:
            description: Protocol (a placeholder for an L3 persistent IP).
            type: str
            default: All
          hostname:
            description: Hostname; not allowed with protocols V(TCP) and V(UDP).
            type: str
      allowed_namespaces:
        description:
          - Which namespaces' GKEIPRoutes the listeners admit (C(allowedRoutes.namespaces.from)).
          - V(Same) only the Gateway's namespace; V(All) every namespace; V(Selector) the namespaces whose labels
            match O(gateway.namespace_selector).
          - Default V(Selector) when O(gateway.namespace_selector) is set, else V(Same).
        type: str
        choices: [All, Same, Selector]
      namespace_selector:
        description:
          - Label selector over namespaces, for O(gateway.allowed_namespaces=Selector), with C(matchLabels) and C(matchExpressions),
            or a plain mapping of labels to values, taken as C(matchLabels).
          - Every namespace carries the label C(kubernetes.io/metadata.name) with its name.
        type: dict
  routes:
    description:
      - The GKEIPRoutes, each attached to O(gateway).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the GKEIPRoute.
        type: str
        required: true
      namespace:
        description: Namespace of the GKEIPRoute; it selects Pods of this namespace only.
        type: str
        required: true
      pod_selector:
        description:
          - Which Pods may hold the addresses, with C(matchLabels) and C(matchExpressions), or a plain mapping of
            labels to values, taken as C(matchLabels). Must not be empty.
          - Of the Pods that match and qualify under O(routes[].reaction_mode), the newest holds the addresses.
        type: dict
        required: true
      reaction_mode:
        description:
          - V(ReadyCondition) gives the addresses to a Pod whose C(Ready) condition is True; V(Exists) to any Pod
            scheduled to a node, even before it is Ready.
        type: str
        choices: [ReadyCondition, Exists]
        default: ReadyCondition
      addresses:
        description:
          - The Gateway addresses this route claims (1 to 16), as IPs (V(34.123.10.1), written as V(34.123.10.1/32)),
            CIDRs, or C({type, value}) mappings.
        type: list
        elements: raw
        required: true
      network:
        description:
          - The Pod network the addresses are routed to. Unset (or V(default)) is the Pod's primary network;
            any other value names a C(networking.gke.io/v1) Network of type C(L3) or C(Device).
        type: str
      section_name:
        description: Attach to this listener of the Gateway only (C(parentRefs[0].sectionName)).
        type: str
  state:
    description:
      - V(present) validates against the cluster and applies.
      - V(rendered) builds and validates the objects without connecting to any cluster and returns them in
        RV(rendered); nothing of the cluster is read, so existing routes, namespaces and networks are not checked.
    type: str
    choices: [present, rendered]
    default: present
  cluster_version:
    description:
      - The GKE version of the cluster, for example V(1.31.1-gke.1146000), to check the version rules (1.29 or later;
        1.31 or later on the default network).
      - Not read from the cluster; the version rules are skipped when unset.
    type: str
  named_addresses:
    description:
      - For C(NamedAddress) Gateway addresses, the IPv4 address each name was reserved with
        (C(gcloud compute addresses describe NAME --region=REGION --format='value(address)')), so that route
        addresses can be compared with them.
    type: dict
    default: {}
  namespace_labels:
    description:
      - For O(state=rendered) only, the labels of the routes' namespaces (a mapping of namespace names to label mappings), to
        decide O(gateway.allowed_namespaces=Selector) without a cluster. For a namespace not listed, a route the
        selector does not admit gives a warning instead of an error.
    type: dict
    default: {}
  wait:
    description:
      - Wait until every route is Ready (exactly one Pod in C(status.pods); C(Accepted), C(GCPReady), C(DPV2Ready) and
        C(Ready) True at the route's current generation). Skipped in check mode.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for all the routes together, V(0) or more (V(0) checks once).
    type: int
    default: 300
  wait_sleep:
    description: Seconds between two checks, at least V(1).
    type: int
    default: 5
  query:
    description:
      - A JMESPath expression over the whole result; its value is returned as RV(query) instead of the reports
        RV(gateway), RV(routes) and RV(objects), so that a job log (AWX, AAP) shows only what is asked for.
      - 'For example V(routes[].{route: name, healthy: healthy, pod: boundPod}) or V(routes[?!healthy].problems).'
      - Refused before any request when it does not parse.
    type: str
requirements:
  - jmespath (Python library), for O(query)
extends_documentation_fragment:
  - clusternet.k8s.k8s_auth_options
  - clusternet.k8s.k8s_apply_options
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Validation as usual, then the API server's dry run (C(dryRun=All)); nothing is stored, waits are skipped.
  diff_mode:
    support: full
    details: One diff per changed object, with only the fields that change.
  platform:
    platforms: all
notes:
  - The objects follow docs/persistent-ip.md in the collection's repository. Where public material does not settle
    GKE's behaviour, the module implements these interpretations.
  - Assumption A-1 (docs/persistent-ip.md#assumption-1) - the listener's port and protocol are placeholders (the
    persistent IP is Layer 3); the default listener is V(default)/V(443)/V(All) and admits kind C(GKEIPRoute).
  - Assumption A-2 (docs/persistent-ip.md#assumption-2) - Gateway addresses are C(gke.networking.io/cidr) values (or
    C(NamedAddress) names); GKEIPRoute addresses are CIDRs of type C(gke.networking.io/cidr); addresses are compared
    as normalised networks.
  - Assumption A-3 (docs/persistent-ip.md#assumption-3) - a persistent-IP Gateway must list its addresses.
  - Assumption A-9 (docs/persistent-ip.md#assumption-9) - an address may be claimed by one GKEIPRoute only; a second
    claimant, in this task or in the cluster, is refused.
  - Assumption A-11 (docs/persistent-ip.md#assumption-11) - O(gateway.allowed_namespaces=Selector) without a selector
    admits nothing; an empty selector admits every namespace.
  - Assumptions A-12 and A-13 (docs/persistent-ip.md#assumption-12, docs/persistent-ip.md#assumption-13) - a listener
    admits a GKEIPRoute on its kind; a route no listener admits is refused as the controller's C(Unattachable).
  - Assumptions A-5 to A-8 (docs/persistent-ip.md#assumptions) - RV(routes[].simulated) and the timeout explanation
    treat terminating and terminal Pods as not qualifying, bind the newest qualifying Pod (ties by name), and expect
    C(NoPodsFound) when none qualifies.
  - Nothing here configures the address inside the Pod; GKE does not either. The application must use the address
    (bind it, or add it to the Pod's interface).
  - Deleting is not supported. Delete the routes first, wait for their finalizer, then the Gateway, then release the
    addresses.
seealso:
  - module: clusternet.k8s.k8s_apply
  - name: About persistent IP addresses for GKE Pods
    description: The GKE concepts page.
    link: https://cloud.google.com/kubernetes-engine/docs/concepts/about-persistent-ip-addresses-for-gke-pods
"""

EXAMPLES = r"""
- name: External persistent IPs for the proxy Pods of namespace app, and wait until they are bound
  clusternet.k8s.persistent_ip:
    gateway:
      name: pip-gw
      namespace: infra
      class: external
      addresses:
        - 34.123.10.1
        - 34.123.10.2
      namespace_selector:
        persistent-ip: allowed
    routes:
      - name: proxy-ip
        namespace: app
        pod_selector:
          app: proxy
        addresses:
          - 34.123.10.1
    wait: true
    wait_timeout: 600
  register: pip

- name: Show which Pod holds the address
  ansible.builtin.debug:
    msg: "{{ pip.routes[0].boundPod }}"

- name: One stable internal address per StatefulSet replica (same namespace as the Gateway)
  clusternet.k8s.persistent_ip:
    gateway:
      name: db-gw
      namespace: db
      class: internal
      addresses: [10.10.0.5, 10.10.0.6]
    routes:
      - name: db-0-ip
        namespace: db
        pod_selector:
          statefulset.kubernetes.io/pod-name: db-0
        addresses: [10.10.0.5]
      - name: db-1-ip
        namespace: db
        pod_selector:
          statefulset.kubernetes.io/pod-name: db-1
        addresses: [10.10.0.6]

- name: Add a route to a Gateway managed elsewhere, as our own field manager, and preview it first
  clusternet.k8s.persistent_ip:
    gateway:
      name: pip-gw
      namespace: infra
      manage: false
    routes:
      - name: worker-ip
        namespace: batch
        pod_selector:
          matchExpressions:
            - {key: app, operator: In, values: [worker]}
        reaction_mode: Exists
        addresses: [34.123.10.2]
    field_manager: batch-team
  check_mode: true
  diff: true

- name: Render the objects without a cluster (GitOps)
  clusternet.k8s.persistent_ip:
    state: rendered
    gateway: "{{ pip_gateway }}"
    routes: "{{ pip_routes }}"
  register: rendered

- name: Set the connection once for every cluster module of the collection
  module_defaults:
    group/clusternet.k8s.cluster:
      kubeconfig: /etc/kubernetes/admin.conf
  block:
    - name: Apply
      clusternet.k8s.persistent_ip:
        gateway: "{{ pip_gateway }}"
        routes: "{{ pip_routes }}"
"""

RETURN = r"""
gateway:
  description:
    - The Gateway as the API server holds it after the task (in check mode, as its dry run says it would be), without
      C(metadata.managedFields); with O(gateway.manage=false), the live Gateway.
  returned: when O(state=present) and the task got to apply
  type: dict
  sample: {}
routes:
  description: One entry per route of O(routes), in order.
  returned: when O(state=present) and the task got to apply
  type: list
  elements: dict
  contains:
    name:
      description: The route's name.
      type: str
      sample: proxy-ip
    namespace:
      description: The route's namespace.
      type: str
      sample: app
    boundPod:
      description: The Pod that holds the addresses (C(status.pods), when it lists exactly one), else null.
      type: str
      sample: proxy-5c8b9d7f4-x2k9q
    healthy:
      description: Whether the route is Ready (one Pod bound, the four conditions True at the current generation).
      type: bool
      sample: true
    conditions:
      description: The route's conditions by type, each with C(status), C(reason), C(message), C(observedGeneration).
      type: dict
      sample:
        Ready: {status: "True", reason: ProgrammingComplete, message: "", observedGeneration: 1}
    problems:
      description: Why the route is not Ready, each with the likely C(cause) and what to C(check) next.
      type: list
      elements: dict
      sample: []
    simulated:
      description:
        - Which Pod the binding rules choose among the live Pods of the namespace (C(boundPod)), the qualifying Pods
          newest first (C(eligiblePods)), and the conditions the route should show (C(conditions)).
      type: dict
      sample: {boundPod: proxy-5c8b9d7f4-x2k9q, eligiblePods: [proxy-5c8b9d7f4-x2k9q], conditions: {}}
objects:
  description:
    - One entry per applied object (the Gateway first when managed, then the routes), as
      M(clusternet.k8s.k8s_apply) returns them.
  returned: when O(state=present) and the task got to apply
  type: list
  elements: dict
  contains:
    apiVersion:
      description: The object's apiVersion.
      type: str
      sample: networking.gke.io/v1
    kind:
      description: The object's kind.
      type: str
      sample: GKEIPRoute
    name:
      description: The object's name.
      type: str
      sample: proxy-ip
    namespace:
      description: The object's namespace.
      type: str
      sample: app
    action:
      description: V(created), V(updated), V(unchanged), V(failed) or V(skipped) (not attempted after a failure).
      type: str
      sample: created
    changed:
      description: Whether this object changed (or, in check mode, would change).
      type: bool
      sample: true
    result:
      description: The object after the task, without C(metadata.managedFields).
      type: dict
      sample: {}
rendered:
  description: The objects that O(state=present) would apply, in order.
  returned: when O(state=rendered)
  type: list
  elements: dict
  sample:
    - apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: pip-gw, namespace: infra}
      spec: {}
errors:
  description:
    - Every validation problem, each with C(object), C(code) (the rule's code in docs/persistent-ip.md#validation),
      C(path) and C(message); nothing was applied.
  returned: failure, when validation refused the objects
  type: list
  elements: dict
  sample:
    - object: GKEIPRoute app/proxy-ip
      code: IPR_ADDRESS_NOT_IN_GATEWAY
      path: spec.addresses[0]
      message: 'GKEIPRoute app/proxy-ip: spec.addresses[0]: Invalid value: "34.99.0.1/32": not an address of Gateway ...'
missing:
  description: What the cluster lacks that GKE provides (CRDs, GatewayClass), one sentence each.
  returned: failure, when the cluster lacks them
  type: list
  elements: str
  sample: ["the cluster does not serve GKEIPRoute (networking.gke.io/v1): ..."]
query:
  description: The value of O(query) over the whole result (which then has no RV(gateway), RV(routes) or RV(objects)).
  returned: when O(query) is set and the objects were applied
  type: raw
  sample: [{route: proxy-ip, healthy: true, pod: proxy-5c8b9d7f4-x2k9q}]
not_ready:
  description:
    - For each route that was not Ready when O(wait_timeout) passed, C(route), the failing C(condition) (C(type),
      C(status), C(reason), C(message)), C(podsNotQualifying) (C(name), C(why)), C(expectedPod), C(check) (what to
      check next) and C(summary) (one line).
  returned: failure, when a wait timed out
  type: list
  elements: dict
  sample: []
"""


from ansible_collections.clusternet.k8s.plugins.module_utils.backends import persistent_ip as pip
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.apply import (
    ApplyOptions, BatchFailure, apply_all, done_note, summary)
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.wait import check_timing
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.module import (
    apply_argument_spec, cluster_argument_spec, cluster_module, connect, fail, require_libraries)
from ansible_collections.clusternet.k8s.plugins.module_utils.report_query import QUERY_ARG_SPEC, apply_query, compile_query

REPORTS = ("gateway", "routes", "objects")

LISTENER_OPTIONS = {
    "name": {"type": "str", "required": True},
    "port": {"type": "int", "default": 443},
    "protocol": {"type": "str", "default": "All"},
    "hostname": {"type": "str"},
}
GATEWAY_OPTIONS = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str", "required": True},
    "manage": {"type": "bool", "default": True},
    "class": {"type": "str", "choices": ["external", "internal"]},
    "addresses": {"type": "list", "elements": "raw"},
    "listeners": {"type": "list", "elements": "dict", "options": LISTENER_OPTIONS},
    "allowed_namespaces": {"type": "str", "choices": ["All", "Same", "Selector"]},
    "namespace_selector": {"type": "dict"},
}
ROUTE_OPTIONS = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str", "required": True},
    "pod_selector": {"type": "dict", "required": True},
    "reaction_mode": {"type": "str", "choices": ["ReadyCondition", "Exists"], "default": "ReadyCondition"},
    "addresses": {"type": "list", "elements": "raw", "required": True},
    "network": {"type": "str"},
    "section_name": {"type": "str"},
}


def argument_spec():
    return cluster_argument_spec(
        gateway={"type": "dict", "required": True, "options": GATEWAY_OPTIONS},
        routes={"type": "list", "elements": "dict", "default": [], "options": ROUTE_OPTIONS},
        state={"type": "str", "choices": ["present", "rendered"], "default": "present"},
        cluster_version={"type": "str"},
        named_addresses={"type": "dict", "default": {}},
        namespace_labels={"type": "dict", "default": {}},
        wait={"type": "bool", "default": False},
        wait_timeout={"type": "int", "default": 300},
        wait_sleep={"type": "int", "default": 5},
        **dict(apply_argument_spec(), **QUERY_ARG_SPEC)
    )


def warn_all(module, warnings):
    for warning in warnings:
        module.warn(warning["message"])


def render(module, gateway, routes):
    params = module.params
    errors, warnings = pip.check(gateway, routes, None, params["gateway"]["manage"], params["cluster_version"],
                                 params["named_addresses"], params["namespace_labels"])
    warn_all(module, warnings)
    if errors:
        raise pip.refusal(errors)
    objects = ([gateway] if params["gateway"]["manage"] else []) + routes
    module.exit_json(changed=False, rendered=objects)


def present(module, gateway, routes, query=None):
    params = module.params
    managed = params["gateway"]["manage"]
    # What is wrong whatever the cluster holds is refused before any request (it is a subset of what check finds).
    errors = pip.check(gateway, routes, None, managed, params["cluster_version"], params["named_addresses"])[0]
    if errors:
        raise pip.refusal(errors)
    cluster = connect(module)
    pip.preflight(cluster, gateway["spec"]["gatewayClassName"] if managed else None)
    snapshot = pip.read_cluster(cluster, gateway, routes, warn=module.warn)
    errors, warnings = pip.check(gateway, routes, snapshot, managed, params["cluster_version"], params["named_addresses"])
    warn_all(module, warnings)
    if errors:
        raise pip.refusal(errors)
    options = ApplyOptions(field_manager=params["field_manager"], force=params["force_conflicts"], check_mode=module.check_mode)
    outcomes = apply_all(cluster, ([gateway] if managed else []) + routes, options)
    result = summary(outcomes, with_diff=module._diff)
    result.pop("result", None)
    applied = [o.after for o in outcomes]
    live_gateway = applied[0] if managed else snapshot["gateway"]
    applied_routes = applied[1:] if managed else applied
    # From here on the objects are applied: whatever fails, the result says so.
    try:
        if params["wait"] and not module.check_mode and routes:
            applied_routes = pip.wait_ready(cluster, routes, params["wait_timeout"], params["wait_sleep"])
        result.update(pip.reports(cluster, live_gateway, applied_routes, snapshot))
    except pip.NotReady as exc:
        module.fail_json(msg=str(exc), not_ready=exc.routes, **result)
    except K8sError as exc:
        fail(module, K8sError("%s %s" % (exc, done_note(outcomes))), **dict(result, **exc.details()))
    module.exit_json(**apply_query(query, result, REPORTS))


def main():
    module = cluster_module(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        check_timing(params["wait_timeout"], params["wait_sleep"])
        require_libraries(module, need_jmespath=params["query"] is not None, need_kubernetes=False)
        query = compile_query(params["query"])
        gateway, routes = pip.build(params["gateway"], params["routes"])
        if params["state"] == "rendered":
            render(module, gateway, routes)
        require_libraries(module)
        present(module, gateway, routes, query)
    except pip.Refused as exc:
        module.fail_json(msg=str(exc), **exc.details)
    except BatchFailure as exc:
        fail(module, exc, **summary(exc.outcomes))
    except (InputError, K8sError) as exc:
        fail(module, exc, changed=False)


if __name__ == "__main__":
    main()

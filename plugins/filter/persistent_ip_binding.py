# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: persistent_ip_binding
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: Which Pod a GKEIPRoute gives its persistent IPs to, and the conditions it would show
description:
  - Simulates the GKE persistent-IP controller for one C(networking.gke.io/v1) C(GKEIPRoute) - which Pod
    holds its addresses (C(status.pods)) and the conditions C(Accepted), C(GCPReady), C(DPV2Ready) and
    C(Ready) once programming has settled.
  - 'A Pod qualifies when it is in the route''s namespace, its labels match C(spec.podSelector), it is not
    terminating and not C(Succeeded)/C(Failed), and, per C(spec.reactionMode): C(ReadyCondition) (the
    default) - its C(Ready) condition is C(True); C(Exists) - it is scheduled (C(spec.nodeName) set), even
    when not Ready.'
  - The newest qualifying Pod (greatest C(metadata.creationTimestamp)) holds the IP; the binding is not
    sticky, so a newer qualifying Pod takes it over.
  - 'C(Accepted): without O(gateway), only C(spec.podSelector) is checked (C(InvalidLabels)); with it,
    every controller check is run as well: C(parentRefs) (C(MissingParentRefs)), the Gateway
    (C(GatewayNotFound)), its class and the Gateway API listener admission of the route''s namespace and
    kind (C(Unattachable)), and the addresses against the Gateway''s (C(InvalidAddresses)).'
  - Near-linear in the number of Pods (one pass and one sort); give it every Pod of the namespace.
options:
  _input:
    description:
      - The GKEIPRoute, as a manifest or as the API returns it. Needs C(metadata.namespace) and
        C(spec.podSelector).
    type: dict
    required: true
  pods:
    description:
      - Pods, as the API returns them (for example the C(resources) of C(kubernetes.core.k8s_info)).
        Each needs C(metadata.name) and C(metadata.namespace); Pods of other namespaces are ignored.
    type: list
    elements: dict
    required: true
  gateway:
    description:
      - The Gateway the route's first C(parentRef) names. When given, the route is checked against it
        as the controller would before it accepts the route.
    type: dict
  namespaces:
    description:
      - 'Labels of the namespaces, C({name: {label: value}}), for listeners whose C(allowedRoutes) use
        C(from: Selector). C(kubernetes.io/metadata.name) is added when absent.'
    type: dict
notes:
  - The persistent-IP controller is closed source; this filter implements the decision table of
    docs/persistent-ip.md#binding-table in the collection's repository, derived from the GKE documentation, the
    GKEIPRoute CRD and the open Dataplane V2 code.
  - Assumption A-5 (docs/persistent-ip.md#assumption-5) - terminating Pods (C(metadata.deletionTimestamp) set) never
    qualify, in either mode.
  - Assumption A-6 (docs/persistent-ip.md#assumption-6) - C(Succeeded) and C(Failed) Pods never qualify, even under
    C(Exists); a Pod in phase C(Unknown) (node lost) with C(spec.nodeName) set still qualifies under C(Exists).
  - Assumption A-7 (docs/persistent-ip.md#assumption-7) - newest means the greatest C(metadata.creationTimestamp);
    ties go to the smallest name. A Pod without C(creationTimestamp) counts as the oldest.
  - Assumption A-8 (docs/persistent-ip.md#assumption-8) - with no qualifying Pod, C(GCPReady), C(DPV2Ready) and
    C(Ready) are C(False) with reason C(NoPodsFound); when the route is not accepted, C(Ready) carries the C(Accepted)
    reason and C(GCPReady)/C(DPV2Ready) are not set (null); the C(GCPReady) reason when C(True) is not published
    (null).
  - 'Assumption A-11 (docs/persistent-ip.md#assumption-11) - a listener with C(from: Selector) and no selector admits
    no namespace; an empty selector admits every namespace.'
  - Assumption A-12 (docs/persistent-ip.md#assumption-12) - a listener's C(allowedRoutes.kinds) admits a GKEIPRoute on
    C(kind); its C(group) may be unset, C(gateway.networking.k8s.io) or C(networking.gke.io).
  - Assumption A-13 (docs/persistent-ip.md#assumption-13) - Gateway API C(NotAllowedByListeners) and
    C(NoMatchingParent), a parent that is not a Gateway, and a Gateway of another class all show as C(Accepted=False),
    reason C(Unattachable).
  - Assumption A-21 (docs/persistent-ip.md#assumption-21) - when several checks fail, C(Accepted) shows the first in
    this order - C(MissingParentRefs), C(GatewayNotFound), C(Unattachable), C(InvalidAddresses), C(NetworkNotFound),
    C(NetworkNotReady), C(InvalidLabels).
  - Assumptions A-9 and A-2 (docs/persistent-ip.md#assumption-9, docs/persistent-ip.md#assumption-2; an address
    claimed once; C(NamedAddress) Gateway addresses) apply only to the module's validation; here Gateway
    C(NamedAddress) values cannot be resolved, so a route claiming one is C(InvalidAddresses).
  - Load-balancing mode (C(spec.loadBalancing), one Pod per node) is not simulated.
seealso:
  - plugin: clusternet.k8s.persistent_ip_status
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Pods of the route's namespace
  kubernetes.core.k8s_info:
    kind: Pod
    namespace: app
  register: app_pods

- name: Which Pod would hold the persistent IPs
  ansible.builtin.debug:
    msg: "{{ route | clusternet.k8s.persistent_ip_binding(app_pods.resources) }}"
  # {"boundPod": "proxy-5c8b-new1", "statusPods": ["proxy-5c8b-new1"],
  #  "eligiblePods": ["proxy-5c8b-new1", "proxy-7d9f-old1"],
  #  "conditions": {"Accepted": {"status": "True", "reason": "Accepted", ...}, ...,
  #                 "Ready": {"status": "True", "reason": "ProgrammingComplete", ...}}}

- name: Also check the route against its Gateway and the namespace labels
  ansible.builtin.assert:
    that: binding.conditions.Accepted.status == 'True'
    fail_msg: "{{ binding.conditions.Accepted.reason }}: {{ binding.conditions.Accepted.message }}"
  vars:
    binding: "{{ route | clusternet.k8s.persistent_ip_binding(app_pods.resources, gateway=gw, namespaces={'app': {'persistent-ip': 'allowed'}}) }}"
"""

RETURN = r"""
_value:
  description: The binding decision and the conditions the route would show.
  type: dict
  contains:
    boundPod:
      description: Name of the Pod holding the addresses; null when none does.
      type: str
    statusPods:
      description: The route's C(status.pods) - the bound Pod, or empty.
      type: list
      elements: str
    eligiblePods:
      description:
        - Names of the qualifying Pods, newest first (ties by name), also when the route is not accepted for another reason
          than its podSelector.
        - Empty when the podSelector is invalid or empty (Accepted False, reason InvalidLabels) - the controller
          considers no Pod then.
      type: list
      elements: str
    conditions:
      description:
        - C(Accepted), C(GCPReady), C(DPV2Ready) and C(Ready), each C({status, reason, message}), or null
          where the controller would not set it.
      type: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_binding = core("persistent_ip.binding", "persistent_ip_binding")


@filter_entry
def persistent_ip_binding(route, pods, gateway=None, namespaces=None):
    return _binding(route, pods, gateway, namespaces)


class FilterModule(object):
    def filters(self):
        return {"persistent_ip_binding": persistent_ip_binding}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: persistent_ip_status
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: Whether a live GKEIPRoute delivers its persistent IPs, and what to check when not
description:
  - Checks the status of a C(networking.gke.io/v1) C(GKEIPRoute) read from the cluster.
  - 'Healthy means: C(status.pods) lists exactly one Pod (the Dataplane V2 agent programs the route only
    then), and the conditions C(Accepted), C(GCPReady), C(DPV2Ready) and C(Ready) are all C(True) with
    C(observedGeneration) equal to C(metadata.generation) (the agent ignores a stale C(Accepted)).'
  - Each problem comes with the likely cause and what to check next, from the troubleshooting table of
    docs/persistent-ip.md#troubleshooting in the collection's repository.
options:
  _input:
    description: The GKEIPRoute as the API returns it, with C(status).
    type: dict
    required: true
notes:
  - Assumption A-4 (docs/persistent-ip.md#assumption-4) - the GCP condition is C(GCPReady) (GKE documentation); the
    type C(IPRouteGCPReady) of one vendored API version is read as the same condition.
  - A condition without C(observedGeneration), or a route without C(metadata.generation), is not checked
    for staleness.
  - C(Ready=True) does not prove traffic flows - GKE does not configure the address inside the Pod; the
    application must use it.
  - Load-balancing mode (C(spec.loadBalancing)), where several Pods receive traffic, is reported as not
    healthy when C(status.pods) does not list exactly one Pod.
seealso:
  - plugin: clusternet.k8s.persistent_ip_binding
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the route
  kubernetes.core.k8s_info:
    api_version: networking.gke.io/v1
    kind: GKEIPRoute
    namespace: app
    name: proxy-ip
  register: route_info

- name: Fail with what to check when the persistent IP is not working
  ansible.builtin.assert:
    that: health.healthy
    fail_msg: "{{ health.problems | map(attribute='check') | unique | join('; ') }}"
  vars:
    health: "{{ route_info.resources[0] | clusternet.k8s.persistent_ip_status }}"
"""

RETURN = r"""
_value:
  description: The route's health.
  type: dict
  contains:
    healthy:
      description: Exactly one Pod bound and all four conditions True at the current generation.
      type: bool
    boundPod:
      description: The one Pod in C(status.pods); null when it lists none or several.
      type: str
    problems:
      description:
        - 'One entry per problem, in the order C(Accepted), C(GCPReady), C(DPV2Ready), C(Ready), then
          C(status.pods). A condition entry has C(condition) and C(problem) (C(missing), C(notTrue) with its
          C(status), C(reason) and C(message), or C(stale) with C(observedGeneration) and C(generation));
          the C(status.pods) entry has C(field), C(problem) C(expectedExactlyOnePod) and C(count).'
        - Every entry has C(cause) (the likely cause) and C(check) (what to check or fix next).
      type: list
      elements: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_status = core("persistent_ip.health", "persistent_ip_status")


@filter_entry
def persistent_ip_status(route):
    return _status(route)


class FilterModule(object):
    def filters(self):
        return {"persistent_ip_status": persistent_ip_status}

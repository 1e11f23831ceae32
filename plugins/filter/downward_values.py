# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: downward_values
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The env values and Downward API files each container of a pod sees
description:
  - Computes, for every init, regular and ephemeral container of a pod, the environment variables
    and the files of the C(downwardAPI) volumes (and the C(downwardAPI) sources of C(projected)
    volumes) it mounts, exactly as the kubelet produces them (C(makeEnvironmentVariables) in
    C(pkg/kubelet/kubelet_pods.go), C(CollectData) in C(pkg/volume/downwardapi)).
  - 'Field values: C(status.podIP)/C(status.podIPs) are the pod IPs re-ordered by the node''s primary
    family (at most one per family, joined by C(,)), in Go''s canonical text (C(2001:DB8::0001) is
    C(2001:db8::1)); C(status.hostIP)/C(status.hostIPs) are the node''s
    InternalIP (else ExternalIP) and the first IP of the other family; whole label and annotation maps
    are C(key="Go-quoted value") lines sorted by key, without a trailing newline; a missing subscripted
    key gives an empty string.'
  - 'Resource values: the ceiling of value / divisor, computed in float64 as the kubelet does, cpu in
    millicores; an unset divisor is 1. An unset or zero cpu, memory or ephemeral-storage limit takes
    the pod-level limit (cpu and memory; as stored, defaulted as O(kubernetes_version) defaults it, see
    docs/downward-api.md#pod-level-resources) or else the node''s allocatable (C(defaultPodLimitsForDownwardAPI));
    a request left unset is the container''s limit (kube-apiserver''s C(SetDefaults_Pod)) and is never
    taken from the node; a missing resource is C(0).'
  - 'Env: C(envFrom) first, then C(env) in order, a later entry of the same name winning; $(NAME)
    in a literal C(value) is replaced by a variable defined earlier, C($$) stands for C($), and a
    reference to anything else stays as written (the kubelet''s C(expansion.Expand)).'
  - 'Files: keyed C(VOLUME/PATH) with the path cleaned (C(a//b) is C(a/b)); C(content) has no trailing
    newline; C(mode) is the item''s mode or the volume''s C(defaultMode) (0644). A container that mounts
    no Downward API volume gets C(files: {}); a C(subPath) mount shows only the files under it.'
  - 'What cannot be known offline is listed per container under C(unresolved) and left out of C(env)
    and C(files), never guessed: C(configMapKeyRef), C(secretKeyRef), C(envFrom), variables built from
    them or from service link variables (C(<SVC>_SERVICE_HOST) ...), pod IPs without C(status.podIPs),
    node IPs and unset limits without O(node), metadata the apiserver assigns (C(uid), a missing
    C(name) or C(namespace)), C(subPathExpr) mounts and the non-Downward sources of projected volumes.'
options:
  _input:
    description:
      - The Pod, as the API returns it or as a manifest. C(status.podIPs) (or C(status.podIP)) gives
        the pod IPs and C(status.hostIPs) the node IPs when O(node) is not given.
    type: dict
    required: true
  node:
    description:
      - The Node the pod runs on. Gives C(status.allocatable) (else C(status.capacity)) for unset limits,
        the host IPs from C(status.addresses), and the node name for an unbound pod.
    type: dict
notes:
  - Fails with kube-apiserver's messages when the apiserver would reject the pod's Downward API
    references or its pod-level resources against the containers', and with the kubelet's message when the kubelet would fail the container or the
    volume (a C(containerName) that does not exist, a file path longer than 4096 bytes or with a name
    longer than 255 bytes); also when the ceiling of the division leaves the int64 range, where the
    kubelet's result depends on its CPU architecture.
  - Limits, requests and allocatable are read as the kubelet reads them - decoded by the apiserver
    (surrounding spaces trimmed), rounded up to milli units (C(SetDefaults_ResourceList)), stored as
    C(Quantity.String()) and parsed again (so C(1000E) becomes C(1)) - and C(Value())/C(MilliValue())
    overflow as in Go up to Kubernetes 1.37 (an exact int64 quantity gives 0, a larger one keeps its
    low 64 bits; kubernetes PR 141305 makes them saturate from 1.38).
  - Assumption (docs/downward-api.md#assumption-1) - the kubelet's primary IP family (its C(--node-ip)) is the
    family of the node's first host IP (from O(node), else C(status.hostIPs)); IPv4 when unknown.
  - Assumption (docs/downward-api.md#assumption-2) - the C(PodLevelResources) feature gate is on (beta and on by
    default since Kubernetes 1.34); C(defaultPodLimitsForDownwardAPI) as read at Kubernetes v1.37.2.
  - Volume files do not apply pod-level limits (docs/downward-api.md#assumption-3; only the node's allocatable;
    kubernetes PR 132605 brought pod-level limits to the environment-variable path only), and the volume's
    C(resourceFieldRef) sees init containers' limits defaulted too, while env does not.
  - The division is done in float64, as in released kubelets (exact-integer versions, kubernetes
    PRs 142232 and 142265, are not merged), so values above 2^53 are rounded before the ceiling.
  - Assumption (docs/downward-api.md#assumption-4) - without O(node), every node's allocatable lists cpu, memory and
    ephemeral-storage, so a pod-level cpu or memory limit still applies and other unset limits are unresolved.
  - Assumption (docs/downward-api.md#assumption-5) - an unbound pod runs on O(node) (its name is C(spec.nodeName)); an
    empty C(spec.serviceAccountName) is C(default), as the ServiceAccount admission plugin sets it.
  - The kubelet passes env to the runtime in Go map order; the result lists it in declaration order.
  - C($) followed by a non-ASCII character stays as written, as in kubelets with kubernetes PR 136325
    (1.34 and 1.35 patch releases, 1.36); older kubelets turned it into invalid UTF-8.
  - With C(securityContext.fsGroup) the kubelet's ownership pass may add group read permission to the
    files after writing them; C(mode) is the mode the Downward API volume writes.
seealso:
  - plugin: clusternet.k8s.downward_env
    plugin_type: filter
  - plugin: clusternet.k8s.downward_volume_items
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: What the app container of a running pod sees
  ansible.builtin.debug:
    msg: "{{ (pod | clusternet.k8s.downward_values(node))['app'] }}"
  # {"env": {"POD_NAME": "web-0", "POD_IP": "10.244.1.5", "CPU_MILLI": "500"},
  #  "files": {"podinfo/labels": {"content": "app=\"web\"\ntier=\"front\"", "mode": 420}},
  #  "unresolved": [{"name": "DB_PASSWORD", "field": "spec.containers[0].env[3]",
  #                  "reason": "secretKeyRef: the value comes from the API"}]}

- name: Check a label file before rollout
  ansible.builtin.assert:
    that:
      - values.app.files['podinfo/labels'].content is search('app="web"')
  vars:
    values: "{{ manifest | clusternet.k8s.downward_values(node) }}"
"""

RETURN = r"""
_value:
  description:
    - 'One entry per container name: C(env) (name to value), C(files) (C(VOLUME/PATH) to
      C({content, mode}), mode in decimal) and C(unresolved) (a list of C({name, field, reason}):
      the variable or file name, or null for an C(envFrom) source, and the field it comes from).'
  type: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_downward_values = core("downward.values", "downward_values")


@filter_entry(versioned=True)
def downward_values(pod, node=None):
    return _downward_values(pod, node)


class FilterModule(object):
    def filters(self):
        return {"downward_values": downward_values}

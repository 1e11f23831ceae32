# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: downward_env
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: Downward API environment variables for a container's env list
description:
  - Turns a mapping of environment variable names to pod fields or container resources into the
    C(env) entries of a container (C(valueFrom.fieldRef) or C(valueFrom.resourceFieldRef)), in the
    mapping's order.
  - The entries are checked with kube-apiserver's own rules (C(validateEnvVarValueFrom) in
    C(pkg/apis/core/validation/validation.go)); a field that may not be exposed through env, such
    as the whole C(metadata.labels) map, fails with the apiserver's message.
  - 'Env accepts C(metadata.name), C(metadata.namespace), C(metadata.uid), C(spec.nodeName),
    C(spec.serviceAccountName), C(status.hostIP), C(status.hostIPs), C(status.podIP),
    C(status.podIPs), and single keys C(metadata.labels[''KEY'']) and C(metadata.annotations[''KEY''])
    (the legacy C(spec.host) is converted to C(spec.nodeName)).'
  - 'Resources: C(limits.cpu), C(limits.memory), C(limits.ephemeral-storage), the same C(requests.*)
    and C(limits.hugepages-*)/C(requests.hugepages-*); divisors C(1m)/C(1) for cpu and C(1), C(1k) ...
    C(1E), C(1Ki) ... C(1Ei) for the others.'
options:
  _input:
    description:
      - 'C({NAME: field path}) or C({NAME: {resource: ..., divisor: ..., container: ...}})
        (C(containerName) is accepted for C(container)); a field can also be given as
        C({fieldPath: ..., apiVersion: v1}).'
      - Without a container, a resource refers to the container the variable is set in.
    type: dict
    required: true
  validate:
    description:
      - V(false) skips kube-apiserver's checks and returns the result as built (malformed input still
        fails). For callers that validate the whole object with P(clusternet.k8s.validation_errors#filter),
        whose errors then carry the object's own field paths.
    type: bool
    default: true
notes:
  - Divisors are compared as kube-apiserver compares them, by C(Quantity.String()) (apimachinery
    C(pkg/api/resource/quantity.go)) - the canonical form, so C(1000m) is accepted as C(1) and
    C(1000) as C(1k) - except that a text C(ParseQuantity) already deems canonical is kept as
    written, so C(+1), C(01), C(1e0) or C(01Mi) are refused.
  - Only the Downward API rules are checked; the variable names themselves are not validated.
seealso:
  - plugin: clusternet.k8s.downward_volume_items
    plugin_type: filter
  - plugin: clusternet.k8s.downward_values
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Expose the pod name, its IPs and the memory limit in MiB
  ansible.builtin.set_fact:
    container_env: "{{ {'POD_NAME': 'metadata.name', 'POD_IPS': 'status.podIPs',
                         'MEM_MIB': {'resource': 'limits.memory', 'divisor': '1Mi'}}
                       | clusternet.k8s.downward_env }}"
  # [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
  #  {"name": "POD_IPS", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIPs"}}},
  #  {"name": "MEM_MIB", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}]

# Fails: env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: ...
- name: The whole label map is only allowed in volumes
  ansible.builtin.debug:
    msg: "{{ {'LABELS': 'metadata.labels'} | clusternet.k8s.downward_env }}"
"""

RETURN = r"""
_value:
  description: The C(env) entries, one per mapping key, in order.
  type: list
  elements: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_downward_env = core("downward.exposure", "downward_env")


@filter_entry(versioned=True)
def downward_env(mapping, validate=True):
    return _downward_env(mapping, validate)


class FilterModule(object):
    def filters(self):
        return {"downward_env": downward_env}

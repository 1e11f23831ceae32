# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: downward_volume_items
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The items of a downwardAPI volume
description:
  - Turns a mapping of file paths to pod fields or container resources into the C(items) of a
    C(downwardAPI) volume (or of a C(projected) volume's C(downwardAPI) source), in the mapping's order.
  - The items are checked with kube-apiserver's own rules (C(validateDownwardAPIVolumeFile) in
    C(pkg/apis/core/validation/validation.go)) and fail with its messages, for example a field
    volumes may not expose (C(status.podIP)), a resource without a container, an absolute path or
    a path with a C(..) element.
  - 'Volumes accept C(metadata.name), C(metadata.namespace), C(metadata.uid), the whole
    C(metadata.labels) and C(metadata.annotations) maps, and their single keys
    C(metadata.labels[''KEY'']) and C(metadata.annotations[''KEY'']).'
options:
  _input:
    description:
      - 'C({path: field path}) or C({path: {fieldPath: ..., mode: ...}}) or
        C({path: {resource: ..., divisor: ..., container: ..., mode: ...}}) (C(containerName) is
        accepted for C(container)).'
      - Resources need a container in volumes. C(mode) is the file's mode (decimal, or YAML
        octal such as C(0o400)); without it the volume's C(defaultMode) (0644) applies.
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
  - The apiserver sets no length limit on paths; the kubelet refuses to write a path longer than
    4096 bytes or with a name longer than 255 bytes. The P(clusternet.k8s.downward_values#filter) filter reports that.
seealso:
  - plugin: clusternet.k8s.downward_env
    plugin_type: filter
  - plugin: clusternet.k8s.downward_values
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: A downwardAPI volume with the labels, the annotations and the cpu limit in millicores
  ansible.builtin.set_fact:
    podinfo_volume:
      name: podinfo
      downwardAPI:
        items: "{{ {'labels': 'metadata.labels', 'annotations': 'metadata.annotations',
                    'cpu_limit': {'resource': 'limits.cpu', 'divisor': '1m', 'container': 'app', 'mode': 256}}
                  | clusternet.k8s.downward_volume_items }}"
  # [{"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}}, ...,
  #  {"path": "cpu_limit", "resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m", "containerName": "app"}, "mode": 256}]
"""

RETURN = r"""
_value:
  description: The volume items, one per mapping key, in order.
  type: list
  elements: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_downward_volume_items = core("downward.exposure", "downward_volume_items")


@filter_entry(versioned=True)
def downward_volume_items(mapping, validate=True):
    return _downward_volume_items(mapping, validate)


class FilterModule(object):
    def filters(self):
        return {"downward_volume_items": downward_volume_items}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: pod_spec_patch
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: A server-side apply patch that sets pod spec fields of a workload
description:
  - Builds the smallest object of a Pod or workload that carries the given pod spec fields at the
    kind's pod spec path (C(spec) of a Pod, C(spec.template.spec) of a Deployment, StatefulSet,
    DaemonSet, ReplicaSet, ReplicationController or Job, C(spec.jobTemplate.spec.template.spec) of
    a CronJob, C(template.spec) of a PodTemplate), with C(apiVersion), C(kind) and
    C(metadata.name)/C(metadata.namespace).
  - Applied with server-side apply (M(clusternet.k8s.k8s_apply)), such a partial object sets only
    these fields and leaves the rest of the workload to its other field managers.
  - The kind to path table is the one P(clusternet.k8s.validation_errors#filter) uses to find pod
    templates, so the patch can be validated with C(validation_errors(patch=true)).
options:
  _input:
    description:
      - The workload, as C({kind, name, namespace, apiVersion}) (an object reference). Other keys are ignored.
      - Without C(apiVersion), the kind's stable version is used (C(v1), C(apps/v1) or C(batch/v1)).
      - 'Without C(namespace) (or with an empty one), the patch has none; M(clusternet.k8s.k8s_apply) then uses
        its O(clusternet.k8s.k8s_apply#module:namespace) option.'
    type: dict
    required: true
  spec:
    description: 'The pod spec fields to set, for example C({hostAliases: [...]}).'
    type: dict
    required: true
seealso:
  - plugin: clusternet.k8s.validation_errors
    plugin_type: filter
  - module: clusternet.k8s.k8s_apply
"""

EXAMPLES = r"""
- name: Host aliases for the pods of a Deployment
  ansible.builtin.set_fact:
    patch: >-
      {{ {'kind': 'Deployment', 'name': 'web', 'namespace': 'shop'}
         | clusternet.k8s.pod_spec_patch({'hostAliases': ['10.0.0.5 db'] | clusternet.k8s.host_aliases}) }}
  # {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
  #  "spec": {"template": {"spec": {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]}}}}

- name: Apply it as its own field manager
  clusternet.k8s.k8s_apply:
    definition: "{{ patch }}"
    field_manager: platform-host-aliases
"""

RETURN = r"""
_value:
  description: The patch object.
  type: dict
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_pod_spec_patch = core("resources", "pod_spec_patch")


@filter_entry
def pod_spec_patch(reference, spec):
    return _pod_spec_patch(reference, spec)


class FilterModule(object):
    def filters(self):
        return {"pod_spec_patch": pod_spec_patch}

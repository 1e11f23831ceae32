# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: workload_patches
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: One server-side apply patch per workload, with its manifest name and kube-apiserver's errors
description:
  - The patches the C(clusternet.k8s.host_aliases) and C(clusternet.k8s.downward_api) roles apply, built by one rule.
  - 'Each workload gets the smallest patch of its kind that sets the feature''s pod spec fields
    (P(clusternet.k8s.pod_spec_patch#filter)), its manifest file name (C(<kind>-<namespace>-<name>.yaml), in lower
    case kind), and its errors - kube-apiserver''s validation errors of the patch
    (P(clusternet.k8s.validation_errors#filter) with C(patch=true)) and a workload listed twice (its second patch
    would undo the first), each prefixed with the workload (C(Kind namespace/name: )).'
  - 'C(host_aliases): C(spec.hostAliases) from the workload''s C(entries), as P(clusternet.k8s.host_aliases#filter)
    reads them.'
  - 'C(downward_api): the workload''s C(containers) (names) get the C(env) mapping as
    P(clusternet.k8s.downward_env#filter) reads it and, with a C(volume) (C({name, mount_path, files,
    default_mode})), a read-only mount of a C(downwardAPI) volume (named C(podinfo) unless named) whose items are
    C(files) as P(clusternet.k8s.downward_volume_items#filter) reads them.'
  - With O(state=absent), the patch sets empty lists (C(hostAliases), or C(containers) and C(volumes)), so that
    applied by the same field manager it releases every entry that manager set.
options:
  _input:
    description: The workloads, C({kind, name, namespace, api_version}) plus the feature's fields; C(namespace)
      defaults to C(default).
    type: list
    elements: dict
    required: true
  feature:
    description: Which pod spec fields the patches set.
    type: str
    required: true
    choices: [host_aliases, downward_api]
  state:
    description: C(present) sets the workloads' entries; C(absent) releases them.
    type: str
    default: present
    choices: [present, absent]
  listed_in:
    description: The name of the list, in the error of a workload listed twice.
    type: str
    default: workloads
seealso:
  - plugin: clusternet.k8s.pod_spec_patch
    plugin_type: filter
  - plugin: clusternet.k8s.validation_errors
    plugin_type: filter
  - module: clusternet.k8s.k8s_apply
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Host aliases for the pods of a Deployment, checked as kube-apiserver would
  ansible.builtin.set_fact:
    plan: >-
      {{ [{'kind': 'Deployment', 'name': 'web', 'entries': ['10.0.0.5 db']}]
         | clusternet.k8s.workload_patches('host_aliases', kubernetes_version='1.36') }}
  # [{"ref": "Deployment default/web", "file": "deployment-default-web.yaml", "errors": [],
  #   "patch": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
  #             "spec": {"template": {"spec": {"hostAliases": [{"ip": "10.0.0.5", "hostnames": ["db"]}]}}}}}]

- name: Apply them
  clusternet.k8s.k8s_apply:
    definition: "{{ plan | map(attribute='patch') | list }}"
    field_manager: platform-host-aliases
  when: plan | map(attribute='errors') | flatten | length == 0
"""

RETURN = r"""
_value:
  description: One entry per workload, in order.
  type: list
  elements: dict
  contains:
    ref:
      description: The workload, C(Kind namespace/name).
      type: str
    file:
      description: A manifest file name for the patch.
      type: str
    patch:
      description: The server-side apply patch.
      type: dict
    errors:
      description: What is wrong with it, each prefixed with C(ref); empty when nothing is.
      type: list
      elements: str
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_workload_patches = core("workload_patches", "workload_patches")


@filter_entry(versioned=True)
def workload_patches(workloads, feature, state="present", listed_in="workloads"):
    return _workload_patches(workloads, feature, state, listed_in)


class FilterModule(object):
    def filters(self):
        return {"workload_patches": workload_patches}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: validation_errors
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The validation errors kube-apiserver would return for an object
description:
  - 'Runs every kube-apiserver validation rule this collection reproduces on one object and returns
    the errors in the apiserver''s own form, C(<path>: <Type>: <value>: <detail>).'
  - 'Pods and every workload with a pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController, Job, CronJob, PodTemplate): C(spec.hostAliases), C(spec.hostname),
    C(spec.subdomain), Downward API C(env) and C(downwardAPI)/C(projected) volumes; for Pods also
    C(status.podIPs).'
  - 'Service: C(ipFamilyPolicy), C(ipFamilies), C(clusterIP)/C(clusterIPs) and type rules. Node:
    C(spec.podCIDRs). ServiceCIDR: C(spec.cidrs). Gateway and GKEIPRoute: the persistent-IP rules
    that need no other object.'
  - Only the rules of these capabilities are checked; an empty list does not mean the apiserver
    accepts every other field.
  - 'C(clusterIPs), C(status.podIPs), C(spec.hostAliases[].ip) and C(spec.podCIDRs) are checked as the
    legacy IP/CIDR fields they are (KEP-4858): a non-canonical IPv6 value passes (the apiserver only warns), leading zeros and
    IPv4-mapped addresses do not (C(StrictIPCIDRValidation), on by default since Kubernetes 1.36).
    C(spec.cidrs) of a ServiceCIDR must also be canonical.'
options:
  _input:
    description: The object, as a manifest or as the API returns it. C(kind) selects the rules.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse a Deployment whose host aliases the apiserver would reject
  ansible.builtin.assert:
    that: manifest | clusternet.k8s.validation_errors | length == 0
    fail_msg: "{{ manifest | clusternet.k8s.validation_errors | join('; ') }}"

# spec.hostAliases[0].ip: Invalid value: "10.0.0.256": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)
- name: Show the errors
  ansible.builtin.debug:
    msg: "{{ pod | clusternet.k8s.validation_errors }}"
"""

RETURN = r"""
_value:
  description: The errors, each a string exactly as kube-apiserver formats it; empty when valid.
  type: list
  elements: str
"""

from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors as _validation_errors
from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import filter_entry


@filter_entry
def validation_errors(resource):
    return [str(error) for error in _validation_errors(resource)]


class FilterModule(object):
    def filters(self):
        return {"validation_errors": validation_errors}

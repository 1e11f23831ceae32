# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: kubelet_extra_args
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The KUBELET_EXTRA_ARGS line of kubeadm's kubelet environment file, with a new --node-ip
description:
  - Reads the file's last C(KUBELET_EXTRA_ARGS=) line (the one systemd and a shell use; leading spaces and tabs
    allowed), removes matching quotes around its value, keeps every argument in order but the C(--node-ip) ones
    (C(--node-ip=X) and C(--node-ip X)), and appends C(--node-ip=) the address given.
  - The value is quoted with double quotes when it holds more than one argument.
  - For M(ansible.builtin.lineinfile) with C(regexp='^[ \t]*KUBELET_EXTRA_ARGS='), as the C(clusternet.k8s.dualstack_node)
    role uses it.
options:
  _input:
    description: The file's text (empty when it does not exist).
    type: str
    required: true
  node_ip:
    description: The C(--node-ip) value, such as C(192.0.2.10,2001:db8::10).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The kubelet's dual-stack --node-ip in its environment file
  ansible.builtin.lineinfile:
    path: /etc/default/kubelet
    regexp: '^[ \t]*KUBELET_EXTRA_ARGS='
    line: "{{ (lookup('ansible.builtin.file', '/etc/default/kubelet') | default('')) | clusternet.k8s.kubelet_extra_args('192.0.2.10,2001:db8::10') }}"
  # KUBELET_EXTRA_ARGS="--v=2 --node-ip 10.0.0.1" -> KUBELET_EXTRA_ARGS="--v=2 --node-ip=192.0.2.10,2001:db8::10"
"""

RETURN = r"""
_value:
  description: The line, C(KUBELET_EXTRA_ARGS=...).
  type: str
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_kubelet_extra_args = core("node_network", "kubelet_extra_args")


@filter_entry
def kubelet_extra_args(env_text, node_ip):
    return _kubelet_extra_args(env_text, node_ip)


class FilterModule(object):
    def filters(self):
        return {"kubelet_extra_args": kubelet_extra_args}

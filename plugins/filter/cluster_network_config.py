# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_network_config
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: A dual-stack cluster's component flags, kubeadm documents and Services, shaped from its networks
description:
  - Shapes a cluster's dual-stack configuration once, from its pod and service networks, as the
    C(clusternet.k8s.dualstack_cluster) role renders it.
  - 'C(masks): the node mask of each family of the cluster CIDRs (C(--node-cidr-mask-size-ipv4/-ipv6)),
    O(node_mask_sizes) or kube-controller-manager''s defaults, C(/24) and C(/64).'
  - 'C(flags): every component''s flags as kubeadm passes them from its networking section, plus the extra
    args - kube-apiserver''s C(--service-cluster-ip-range) (and C(--advertise-address)),
    kube-controller-manager''s C(--allocate-node-cidrs=true), C(--cluster-cidr), C(--service-cluster-ip-range)
    and node masks, kube-proxy''s C(--cluster-cidr), and the kubelet''s C(--node-ip) when O(node_ip) is set.'
  - 'C(flag_errors): what each component would refuse in them, as P(clusternet.k8s.component_flag_errors#filter)
    says it, each as C(<component> would refuse <its flags as JSON>: <error>).'
  - 'C(kubeadm): the C(kubeadm.k8s.io/v1beta4) documents - C(ClusterConfiguration), and C(InitConfiguration) when
    O(advertise_address) or O(node_ip) is set.'
  - 'C(services): O(services) with C(apiVersion: v1), C(kind: Service), C(metadata.namespace) (C(default)) and
    explicit C(spec.ipFamilyPolicy) (its own, else O(service_ip_family_policy)) and C(spec.ipFamilies) (its own,
    else the primary service family for C(SingleStack) and every service family otherwise); an ExternalName
    Service gets neither.'
  - A network's family is the one its component reads (C(ParseCIDRSloppy); an IPv4-mapped range is IPv4).
options:
  _input:
    description: C(--cluster-cidr), the pod networks, primary first, as a list or one CIDR.
    type: raw
    required: true
  service_cidrs:
    description: C(--service-cluster-ip-range), primary first, as a list or one CIDR.
    type: raw
    required: true
  node_mask_sizes:
    description:
      - Node block prefix lengths per family, C({IPv4, IPv6}); a family left out (or 0) gets the default.
    type: dict
  advertise_address:
    description: kube-apiserver's C(--advertise-address); empty for none.
    type: str
    default: ""
  node_ip:
    description: The first control-plane node's kubelet C(--node-ip); empty for none.
    type: str
    default: ""
  apiserver_extra_args:
    description: More kube-apiserver flags (kubeadm C(apiServer.extraArgs)), name to value; values are written as strings.
    type: dict
  controller_manager_extra_args:
    description: More kube-controller-manager flags (kubeadm C(controllerManager.extraArgs)); they override the node masks.
    type: dict
  cluster_version:
    description: kubeadm's C(kubernetesVersion) in C(ClusterConfiguration); empty for none. The release whose rules
      judge the flags is O(kubernetes_version).
    type: str
    default: ""
  dns_domain:
    description: kubeadm's C(networking.dnsDomain).
    type: str
    default: cluster.local
  services:
    description: Service manifests (C(apiVersion) and C(kind) implied).
    type: list
    elements: dict
  service_ip_family_policy:
    description: The C(ipFamilyPolicy) of a Service that sets none.
    type: str
    default: PreferDualStack
    choices: [SingleStack, PreferDualStack, RequireDualStack]
seealso:
  - plugin: clusternet.k8s.component_flag_errors
    plugin_type: filter
  - plugin: clusternet.k8s.network_plan
    plugin_type: filter
  - plugin: clusternet.k8s.service_ip_plan
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: Shape a dual-stack cluster's configuration
  ansible.builtin.set_fact:
    config: >-
      {{ ['10.244.0.0/16', 'fd00:10:244::/56'] | clusternet.k8s.cluster_network_config(
           ['10.96.0.0/16', 'fd00:10:96::/112'], node_mask_sizes={'IPv4': 25},
           services=[{'metadata': {'name': 'web'}, 'spec': {'ports': [{'port': 80}]}}]) }}
  # config.masks: {"IPv4": 25, "IPv6": 64}
  # config.flags["kube-controller-manager"]: {"allocate-node-cidrs": "true", "cluster-cidr": "10.244.0.0/16,fd00:10:244::/56",
  #   "service-cluster-ip-range": "10.96.0.0/16,fd00:10:96::/112", "node-cidr-mask-size-ipv4": "25",
  #   "node-cidr-mask-size-ipv6": "64"}
  # config.services[0].spec: {"ports": [{"port": 80}], "ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv4", "IPv6"]}

- name: Stop on what a component would refuse
  ansible.builtin.assert:
    that: config.flag_errors | length == 0
    fail_msg: "{{ config.flag_errors | join('; ') }}"

- name: Write the kubeadm configuration
  ansible.builtin.copy:
    content: "{% for document in config.kubeadm %}---\n{{ document | to_nice_yaml(sort_keys=false) }}{% endfor %}"
    dest: /etc/kubernetes/kubeadm-config.yaml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The configuration.
  type: dict
  contains:
    masks:
      description: The node mask of each family of the cluster CIDRs, IPv4 first.
      type: dict
    flags:
      description: Per component (C(kube-apiserver), C(kube-controller-manager), C(kube-proxy), and C(kubelet) when
        O(node_ip) is set), its flags, name (without C(--)) to value.
      type: dict
    flag_errors:
      description: What the components would refuse; empty when they all start.
      type: list
      elements: str
    kubeadm:
      description: The kubeadm C(v1beta4) documents, C(ClusterConfiguration) first.
      type: list
      elements: dict
    services:
      description: The Services with explicit IP families, in the order given.
      type: list
      elements: dict
"""

from ansible_collections.clusternet.k8s.plugins.module_utils.survey import as_node_mask_sizes
from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_cluster_network_config = core("cluster_network", "cluster_network_config")


@filter_entry(versioned=True, node_mask_sizes=as_node_mask_sizes)
def cluster_network_config(cluster_cidrs, service_cidrs, node_mask_sizes=None, advertise_address="", node_ip="",
                           apiserver_extra_args=None, controller_manager_extra_args=None, cluster_version="",
                           dns_domain="cluster.local", services=None, service_ip_family_policy="PreferDualStack"):
    return _cluster_network_config(cluster_cidrs, service_cidrs, node_mask_sizes, advertise_address, node_ip,
                                   apiserver_extra_args, controller_manager_extra_args, cluster_version, dns_domain,
                                   services, service_ip_family_policy)


class FilterModule(object):
    def filters(self):
        return {"cluster_network_config": cluster_network_config}

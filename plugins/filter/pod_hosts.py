# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: pod_hosts
author: clusternet.k8s maintainers
version_added: 0.1.0
short_description: The exact /etc/hosts the kubelet writes for a pod
description:
  - Renders, byte for byte, the hosts file the kubelet mounts into the containers of a pod
    (C(managedHostsFileContent) and C(nodeHostsFileContent) in C(pkg/kubelet/kubelet_pods.go)).
  - 'Pod network: the C(# Kubernetes-managed hosts file.) header, the six fixed localhost lines
    (IPv6 ones included on IPv4-only clusters; only the C(::1) line separates names with spaces),
    one TAB-separated line per pod IP in the order of C(status.podIPs) (C(hostname) alone, or
    C(hostname.subdomain.namespace.svc.<cluster_domain>) then C(hostname) when C(spec.subdomain)
    is set), then the HostAliases section.'
  - 'Host network: the host-network variant of the header, the node file O(node_hosts) unchanged,
    then the HostAliases section; the pod''s hostname and IPs are not added.'
  - The hostname is C(spec.hostname), else the pod name truncated to 63 bytes and stripped of
    trailing C(-) and C(.); C(spec.hostnameOverride) replaces it and drops the domain.
  - Fails with the reason when the kubelet would not write the file for this pod, or when
    kube-apiserver would reject the pod.
options:
  _input:
    description:
      - The Pod, as the API returns it or as a manifest. A pod-network pod needs C(status.podIPs)
        (or C(status.podIP)).
    type: dict
    required: true
  node_hosts:
    description:
      - The content of the node's own C(/etc/hosts). Required for host-network pods, ignored otherwise.
    type: str
  cluster_domain:
    description: The kubelet's C(--cluster-domain).
    type: str
    default: cluster.local
notes:
  - 'Fails when: a pod-network pod has no IP (the kubelet does not manage the file yet); a
    host-network pod comes without O(node_hosts); the pod name, namespace, C(spec.hostnameOverride),
    C(spec.hostname), C(spec.subdomain) or C(spec.hostAliases) would be rejected by kube-apiserver (its
    messages are quoted; C(spec.hostnameOverride) must be a DNS subdomain of at most 64 bytes and may not
    go with C(spec.setHostnameAsFQDN) or C(spec.hostNetwork), kubernetes PR 132558); with
    C(spec.setHostnameAsFQDN) the FQDN is longer than 64 characters (the pod sandbox cannot be created;
    the kubelet''s message).'
  - C(spec.hostnameOverride) follows the C(HostnameOverride) feature gate of O(kubernetes_version) (on by default
    from 1.35, GA in 1.37); where it is off, kube-apiserver drops the field and the kubelet uses C(spec.hostname).
  - Assumption (docs/hosts.md#assumption-2) - the kubelet writes the pod IPs in CRI sandbox order, taken
    to be the order of C(status.podIPs); they are neither sorted nor deduplicated.
  - Assumption (docs/hosts.md#assumption-3) - a manifest without C(metadata.namespace) is in namespace C(default).
  - C(spec.setHostnameAsFQDN) changes only the kernel hostname, never this file.
  - Whether a given container gets the file at all (it mounts its own C(/etc/hosts), or a Windows
    HostProcess pod) is not decided here.
seealso:
  - plugin: clusternet.k8s.host_aliases
    plugin_type: filter
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
"""

EXAMPLES = r"""
- name: The /etc/hosts of a running pod
  ansible.builtin.debug:
    msg: "{{ pod | clusternet.k8s.pod_hosts }}"
  # "# Kubernetes-managed hosts file.\n127.0.0.1<TAB>localhost\n ...
  #  10.244.1.5<TAB>web-0.nginx.default.svc.cluster.local<TAB>web-0\n
  #  fd00:10:244::5<TAB>web-0.nginx.default.svc.cluster.local<TAB>web-0\n"

- name: Read the node's own hosts file
  ansible.builtin.slurp:
    src: /etc/hosts
  register: node_hosts_file

- name: A host-network pod on that node
  ansible.builtin.set_fact:
    expected: "{{ pod | clusternet.k8s.pod_hosts(node_hosts=node_hosts_file.content | b64decode) }}"

- name: A cluster with a custom domain
  ansible.builtin.set_fact:
    expected: "{{ pod | clusternet.k8s.pod_hosts(cluster_domain='corp.example') }}"
"""

RETURN = r"""
_value:
  description: The file's exact text, every line ending in a newline (host-network pods keep the node file's bytes).
  type: str
"""

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_pod_hosts = core("hosts", "pod_hosts")


@filter_entry(versioned=True)
def pod_hosts(pod, node_hosts=None, cluster_domain="cluster.local"):
    return _pod_hosts(pod, node_hosts, cluster_domain)


class FilterModule(object):
    def filters(self):
        return {"pod_hosts": pod_hosts}

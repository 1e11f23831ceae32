#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: node_pod_cidrs
author:
  - clusternet.k8s maintainers (@clusternet)
version_added: 0.1.0
short_description: Give Nodes without podCIDRs the spec.podCIDRs kube-controller-manager would give them
description:
  - Reads every Node (paginated) and sets C(spec.podCIDRs) and C(spec.podCIDR) on the Nodes that have none,
    exactly as kube-controller-manager's C(RangeAllocator) would (C(--allocate-node-cidrs=true),
    C(--cidr-allocator-type=RangeAllocator)). Use it where kube-controller-manager does not allocate, or to see
    in check mode what it will allocate.
  - "The allocation follows C(pkg/controller/nodeipam/ipam): one block of every cluster CIDR per Node, in
    O(cluster_cidrs) order; each block is the first free one at or after the block following the last one handed
    out, wrapping around; the blocks of every Node's existing podCIDRs and of every service range that overlaps a
    cluster CIDR are occupied first. The flags are checked as kube-controller-manager checks them, with its own
    error texts."
  - Nodes without podCIDRs are taken in the order the API server lists them (by name), the order in which
    kube-controller-manager's informer delivers them when it starts.
  - A set C(spec.podCIDRs) is never changed (Kubernetes allows podCIDRs to go only from unset to a value). A Node
    that has podCIDRs is reported in RV(skipped_nodes), with a reason that says whether its podCIDRs match
    O(cluster_cidrs).
  - The whole plan is made before any Node is changed, so a range with too few free blocks changes nothing.
  - Each Node is changed with a JSON merge patch conditional on the C(resourceVersion) it was read at. A Node that
    someone else gave podCIDRs meanwhile is reported in RV(skipped_nodes), not changed; a Node deleted meanwhile is not
    re-created.
options:
  cluster_cidrs:
    description:
      - kube-controller-manager's C(--cluster-cidr) - one CIDR, or an IPv4 and an IPv6 CIDR for dual-stack (the
        first is the primary family).
    type: list
    elements: str
    required: true
  node_mask_sizes:
    description:
      - The node block size per family. Omitted - kube-controller-manager's defaults, C(/24) for IPv4 and C(/64) for IPv6.
      - An integer - C(--node-cidr-mask-size) (single-stack clusters only, as for kube-controller-manager).
      - A mapping with keys V(IPv4) and/or V(IPv6) - C(--node-cidr-mask-size-ipv4) and C(--node-cidr-mask-size-ipv6).
      - A list - one mask per entry of O(cluster_cidrs), as the allocator receives them.
    type: raw
  service_cidrs:
    description:
      - C(--service-cluster-ip-range) (one CIDR or an IPv4/IPv6 pair). The node blocks a service range touches
        inside a cluster CIDR are never handed out.
    type: list
    elements: str
    default: []
  nodes:
    description:
      - Only give podCIDRs to these Nodes (every Node's existing podCIDRs are still occupied). Omitted - every Node
        without podCIDRs.
      - A name that is no Node is reported in RV(skipped_nodes).
    type: list
    elements: str
  field_manager:
    description:
      - The field manager the API server records for the podCIDRs this module sets.
    type: str
    default: clusternet.k8s
  page_size:
    description:
      - How many Nodes to read per list request.
    type: int
    default: 500
extends_documentation_fragment:
  - clusternet.k8s.k8s_auth_options
  - clusternet.k8s.kubernetes_version.cluster
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Each change is sent as the API server's dry run (C(dryRun=All)); nothing is stored.
  diff_mode:
    support: full
    details: One diff per Node that gets podCIDRs.
  platform:
    platforms: all
notes:
  - Node podCIDRs order follows O(cluster_cidrs), so the first entry's family is the primary family of the pods.
  - Assigning podCIDRs does not configure the CNI plugin; plugins that read C(spec.podCIDRs) (host-local IPAM,
    flannel, kube-router, Calico with C(usePodCIDR)) pick them up.
seealso:
  - name: kube-controller-manager
    description: The C(--cluster-cidr), C(--node-cidr-mask-size-ipv4/-ipv6) and C(--service-cluster-ip-range) flags.
    link: https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/
  - module: clusternet.k8s.dualstack_info
  - plugin: clusternet.k8s.node_pod_cidrs
    plugin_type: filter
    description: The same allocation offline, for Node names or objects.
"""

EXAMPLES = r"""
- name: Give every Node without podCIDRs an IPv4 and an IPv6 block
  clusternet.k8s.node_pod_cidrs:
    cluster_cidrs: [10.244.0.0/16, fd00:10:244::/56]
    node_mask_sizes: {IPv4: 24, IPv6: 64}
    service_cidrs: [10.96.0.0/16, fd00:10:96::/112]
  register: pod_cidrs

- name: Show what was assigned
  ansible.builtin.debug:
    var: pod_cidrs.assignments

- name: Only the new workers, with the connection set once for the collection's cluster modules
  module_defaults:
    group/clusternet.k8s.cluster:
      kubeconfig: /etc/kubernetes/admin.conf
  clusternet.k8s.node_pod_cidrs:
    cluster_cidrs: 10.244.0.0/16,fd00:10:244::/56
    nodes: [worker-7, worker-8]
"""

RETURN = r"""
kubernetes_version:
  description:
    - The Kubernetes release the checks were made for - C(version) as given or as the cluster reports it, its
      C(minor), C(source) (V(option), V(cluster) - its C(/version) - or V(default)) and the C(feature_gates) set.
  returned: when the cluster was reached
  type: dict
  sample:
    version: v1.36.3
    minor: "1.36"
    source: cluster
    feature_gates: {}
assignments:
  description:
    - The podCIDRs given to each Node, in allocation order (in check mode - that would be given).
  returned: always
  type: dict
  sample:
    worker-1: [10.244.0.0/24, "fd00:10:244::/64"]
    worker-2: [10.244.1.0/24, "fd00:10:244:1::/64"]
skipped_nodes:
  description:
    - The Nodes not given podCIDRs, and why (already set, set meanwhile, refused by kube-controller-manager's
      rules, or not found). Only Nodes of O(nodes) when it is given.
    - (Not named C(skipped) - Ansible reads a true C(skipped) in a result as "the task was skipped".)
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The Node's name.
      type: str
      sample: worker-3
    podCIDRs:
      description: The Node's C(spec.podCIDRs) as found.
      type: list
      elements: str
      sample: [10.244.7.0/24]
    reason:
      description: Why the Node was left alone.
      type: str
      sample: >-
        spec.podCIDRs is immutable once set: only re-creating the Node changes it; it does not match cluster_cidrs:
        spec.podCIDRs has 1 entries for 2 --cluster-cidr entries (10.244.0.0/16,fd00:10:244::/56)
"""

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.backends import node_pod_cidrs as core
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.module import (
    cluster_argument_spec, cluster_module, connect, fail, require_libraries)
from ansible_collections.clusternet.k8s.plugins.module_utils.module_release import module_release, release_argument_spec


def argument_spec():
    return cluster_argument_spec(
        cluster_cidrs={"type": "list", "elements": "str", "required": True},
        node_mask_sizes={"type": "raw"},
        service_cidrs={"type": "list", "elements": "str", "default": []},
        nodes={"type": "list", "elements": "str"},
        field_manager={"type": "str", "default": "clusternet.k8s"},
        page_size={"type": "int", "default": 500},
        **release_argument_spec()
    )


def main():
    module = cluster_module(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    require_libraries(module)
    done, plan, used = {}, core.Plan(), {}
    try:

        def read_settings(chosen):
            with releases.using(chosen):
                return core.Settings(params["cluster_cidrs"], params["node_mask_sizes"], params["service_cidrs"],
                                     params["nodes"], params["field_manager"], params["page_size"])
        # bad settings fail before any request; then, without kubernetes_version, again for the cluster's release
        chosen, source = module_release(params)
        settings = read_settings(chosen)
        cluster = connect(module)
        if source == "default":
            chosen, source = module_release(params, cluster)
            settings = read_settings(chosen)
        used = {"kubernetes_version": chosen.report(source)}
        with releases.using(chosen):
            nodes = core.read_nodes(cluster, settings.page_size)
            plan = core.plan(settings, nodes)
            done = core.assign(cluster, plan, nodes, settings.field_manager, dry_run=module.check_mode)
    except core.AssignFailure as exc:
        fail(module, exc, changed=bool(exc.done) and not module.check_mode, assignments=exc.done,
             skipped_nodes=plan.skipped, **used)
    except (InputError, K8sError) as exc:
        fail(module, exc, changed=False, assignments={}, skipped_nodes=plan.skipped, **used)
    result = dict(used, changed=bool(done), assignments=done, skipped_nodes=plan.skipped)
    if module._diff:
        result["diff"] = [core.diff(name, cidrs) for name, cidrs in done.items()]
    module.exit_json(**result)


if __name__ == "__main__":
    main()

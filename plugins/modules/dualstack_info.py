#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: dualstack_info
author:
  - clusternet.k8s maintainers (@clusternet)
version_added: 0.1.0
short_description: Run the checks of the "Validate IPv4/IPv6 dual-stack" task over a cluster's Nodes, Pods and Services
description:
  - Reads Nodes, Pods and Services with paginated lists (O(page_size) objects per request) and reports, per object,
    every check of the Kubernetes task "Validate IPv4/IPv6 dual-stack" with pass or fail and the reason, plus a
    summary with counts per check and the failing objects.
  - "Node checks - C(podCIDRs) (exactly one IPv4 and one IPv6 CIDR), C(podCIDR) (C(spec.podCIDR) is
    C(spec.podCIDRs[0])), C(podCIDRs-from-cluster-cidr) (with O(cluster_cidrs) - each podCIDR a node block of the
    matching cluster CIDR, in cluster CIDR order), C(addresses) (an IPv4 and an IPv6 C(InternalIP) and a C(Hostname))."
  - "Pod checks - C(podIPs) (exactly one IPv4 and one IPv6 IP), C(podIP) (C(status.podIP) is C(status.podIPs[0])),
    and, when the Pod's Node was read, C(podIPs-primary-family) (the first pod IP has the family of the Node's first
    C(InternalIP), as the kubelet orders them) and C(podIPs-in-podCIDRs) (each IP inside the Node's podCIDR of its
    family; not for host-network Pods)."
  - "Service checks - C(ipFamilies) (C(ipFamilyPolicy) and C(ipFamilies) as the API server sets them on this
    cluster - C(SingleStack) one family, C(PreferDualStack) both families if the cluster has both, C(RequireDualStack)
    both), C(clusterIPs) (one cluster IP per family, C(clusterIP) first, each inside the service CIDR of its family),
    C(nodePorts) (NodePort and LoadBalancer Services). ExternalName Services pass a single C(type) check."
  - The checks are those of the C(clusternet.k8s) dual-stack core, the same rules the filters use.
  - Objects are read one page at a time and dropped once checked, so memory grows with the reports kept (see
    O(report)), not with the objects. Nodes are read whenever Pods are checked, for the Pods' Node checks.
  - The task never changes anything and fails only when the checks cannot run, or with O(fail_on_error) when an
    object fails a check.
options:
  kinds:
    description:
      - Which objects to check. V([]) checks nothing and returns only RV(kubernetes_version) (the cluster's release).
    type: list
    elements: str
    choices: [nodes, pods, services]
    default: [nodes, pods, services]
  cluster_cidrs:
    description:
      - kube-controller-manager's C(--cluster-cidr). With it, each Node's podCIDRs are also checked against it
        (check C(podCIDRs-from-cluster-cidr)).
    type: list
    elements: str
  node_mask_sizes:
    description:
      - The node block size per family, as for M(clusternet.k8s.node_pod_cidrs) (default C(/24) and C(/64)).
        Needs O(cluster_cidrs).
    type: raw
  service_cidrs:
    description:
      - kube-apiserver's C(--service-cluster-ip-range), primary first.
      - Omitted - the C(spec.cidrs) of the cluster's C(kubernetes) ServiceCIDR (Kubernetes 1.33 and later). Without
        either, Services are not checked and the task warns.
    type: list
    elements: str
  namespaces:
    description:
      - Only check Pods and Services in these namespaces. Omitted - every namespace.
    type: list
    elements: str
  label_selector:
    description:
      - Only check Pods and Services with matching labels, for example V(app=web,tier!=cache).
    type: str
  node_label_selector:
    description:
      - Only read Nodes with matching labels. Pods on Nodes that are not read get no Node checks.
    type: str
  page_size:
    description:
      - How many objects to read per list request.
    type: int
    default: 500
  report:
    description:
      - Which per-object reports to return in RV(nodes), RV(pods) and RV(services) - V(all), only the V(failed)
        objects, or V(none) (the RV(summary) alone, for very large clusters).
    type: str
    choices: [all, failed, none]
    default: all
  fail_on_error:
    description:
      - Fail the task when any object fails any check, naming the first failing objects. The result is returned
        either way.
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression over the whole result; its value is returned as RV(query) instead of the per-object
        reports RV(nodes), RV(pods) and RV(services), so that a job log (AWX, AAP) shows only what is asked for.
      - 'For example V(summary.line), V(pods[?!pass].name) or V(summary.{pass: pass, failing: failing[].name}).'
      - Refused before any request when it does not parse.
    type: str
requirements:
  - jmespath (Python library), for O(query)
extends_documentation_fragment:
  - clusternet.k8s.k8s_auth_options
  - clusternet.k8s.kubernetes_version.cluster
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details: Nothing is changed.
  platform:
    platforms: all
notes:
  - "Which objects are checked: Pods that have no IPs yet and are not C(Running) (Pending, or finished) are
    counted as skipped in RV(summary), not checked. ExternalName Services are not IP-family checked."
  - "Assumption (docs/dualstack-checks.md#assumption-1): the Node's first C(InternalIP) in C(status.addresses) is
    the kubelet's first C(--node-ip), which decides the primary family of its Pods' IPs."
  - Service cluster IPs are checked against one service CIDR per family (O(service_cidrs), or the C(kubernetes)
    ServiceCIDR). Cluster IPs taken from additional ServiceCIDR objects are reported as outside the range.
  - C(podIPs-in-podCIDRs) depends on the CNI plugin using the Node's podCIDRs (host-local IPAM and most plugins do);
    Kubernetes itself does not enforce it.
seealso:
  - name: Validate IPv4/IPv6 dual-stack
    description: The Kubernetes task whose checks this module runs.
    link: https://kubernetes.io/docs/tasks/network/validate-dual-stack/
  - module: clusternet.k8s.node_pod_cidrs
"""

EXAMPLES = r"""
- name: Check the whole cluster
  clusternet.k8s.dualstack_info:
    cluster_cidrs: [10.244.0.0/16, fd00:10:244::/56]
  register: dualstack

- name: Print the summary
  ansible.builtin.debug:
    var: dualstack.summary

- name: Fail when any Pod or Service of the web namespace is not dual-stack
  clusternet.k8s.dualstack_info:
    kinds: [pods, services]
    namespaces: [web]
    report: failed
    fail_on_error: true

- name: In an AWX job, print only the summary line and the failing Pods' names
  clusternet.k8s.dualstack_info:
    kinds: [pods]
    query: "{line: summary.line, failing: pods[?!pass].name}"

- name: A very large cluster - counts and failing objects only, bigger pages
  clusternet.k8s.dualstack_info:
    report: none
    page_size: 2000
    service_cidrs: [10.96.0.0/12, fd00:10:96::/108]
"""

RETURN = r"""
kubernetes_version:
  description:
    - The Kubernetes release the checks were made for - C(version) as given or as the cluster reports it, its
      C(minor), C(source) (V(option), V(cluster) - its C(/version) - or V(default)) and the C(feature_gates) set.
  returned: success
  type: dict
  sample:
    version: v1.36.3
    minor: "1.36"
    source: cluster
    feature_gates: {}
nodes:
  description:
    - One report per Node checked (per O(report)), in list order.
  returned: when O(kinds) has V(nodes)
  type: list
  elements: dict
  contains:
    name:
      description: The object's name.
      type: str
      sample: worker-1
    pass:
      description: Whether every check passed.
      type: bool
      sample: false
    checks:
      description: Every check, with C(check) (its name), C(pass) (bool) and C(reason).
      type: list
      elements: dict
      sample:
        - check: podCIDRs
          pass: false
          reason: >-
            spec.podCIDRs holds 2 CIDRs (10.244.1.0/24, 10.245.1.0/24) of family IPv4, IPv4: a dual-stack object
            has exactly one IPv4 and one IPv6 CIDR
        - check: addresses
          pass: true
          reason: an IPv4 and an IPv6 InternalIP, and a Hostname
pods:
  description:
    - One report per Pod checked (per O(report)); as RV(nodes), with C(namespace).
  returned: when O(kinds) has V(pods)
  type: list
  elements: dict
  sample:
    - name: web-0
      namespace: default
      pass: true
      checks:
        - check: podIPs
          pass: true
          reason: "one IPv4 and one IPv6 IP: 10.244.1.4, fd00:10:244:1::4"
services:
  description:
    - One report per Service checked (per O(report)); as RV(nodes), with C(namespace).
  returned: when O(kinds) has V(services) and the service CIDRs are known
  type: list
  elements: dict
  sample: []
summary:
  description:
    - Per kind (C(nodes), C(pods), C(services) as in O(kinds)) the counts C(total), C(passed), C(failed),
      C(skipped) and C(checks) (per check C(passed) and C(failed)); C(failing) lists every failing object with its
      C(kind), C(namespace), C(name) and the names of its failing checks; C(pass) is true when no object fails;
      C(line) says it in one line, with the counts per kind.
  returned: always
  type: dict
  sample:
    pass: false
    nodes:
      total: 2
      passed: 1
      failed: 1
      skipped: 0
      checks:
        podCIDRs: {passed: 1, failed: 1}
        podCIDR: {passed: 1, failed: 1}
        addresses: {passed: 2, failed: 0}
    failing:
      - kind: Node
        name: worker-2
        checks: [podCIDRs]
    line: "1 of 2 objects fails the dual-stack checks: Node 1 of 2"
table:
  description:
    - Every failed check as a line of aligned columns - kind, namespace/name, check and reason (cut at 160
      characters) - under a header line; empty when every object passes. Print it with C(ansible.builtin.debug).
  returned: always
  type: list
  elements: str
  sample:
    - "KIND  NAMESPACE/NAME  CHECK     REASON"
    - "Node  worker-2        podCIDRs  spec.podCIDRs holds 1 CIDR (10.244.1.0/24): a dual-stack object has exactly one IPv4 and one IPv6 CIDR"
query:
  description: The value of O(query) over the whole result (which then has no RV(nodes), RV(pods) or RV(services)).
  returned: when O(query) is set
  type: raw
  sample: "1 of 2 objects fails the dual-stack checks: Node 1 of 2"
service_cidrs:
  description: The service CIDRs the Services were checked against (null when they were not checked).
  returned: always
  type: list
  elements: str
  sample: [10.96.0.0/16, "fd00:10:96::/112"]
list_requests:
  description: How many pages were read per kind (one list request each; a request answered with an error is not counted).
  returned: always
  type: dict
  sample: {nodes: 1, pods: 3, services: 1}
"""

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.backends import dualstack_info as core
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import K8sError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.module import (
    cluster_argument_spec, cluster_module, connect, fail, require_libraries)
from ansible_collections.clusternet.k8s.plugins.module_utils.module_release import module_release, release_argument_spec
from ansible_collections.clusternet.k8s.plugins.module_utils.report_query import QUERY_ARG_SPEC, apply_query, compile_query
from ansible_collections.clusternet.k8s.plugins.module_utils.survey import as_node_mask_sizes


def argument_spec():
    return cluster_argument_spec(
        kinds={"type": "list", "elements": "str", "choices": list(core.KINDS), "default": list(core.KINDS)},
        cluster_cidrs={"type": "list", "elements": "str"},
        node_mask_sizes={"type": "raw"},
        service_cidrs={"type": "list", "elements": "str"},
        namespaces={"type": "list", "elements": "str"},
        label_selector={"type": "str"},
        node_label_selector={"type": "str"},
        page_size={"type": "int", "default": 500},
        report={"type": "str", "choices": list(core.REPORTS), "default": "all"},
        fail_on_error={"type": "bool", "default": False},
        **dict(QUERY_ARG_SPEC, **release_argument_spec())
    )


def main():
    module = cluster_module(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    require_libraries(module, need_jmespath=params["query"] is not None)
    try:
        query = compile_query(params["query"])

        def read_settings(chosen):
            with releases.using(chosen):
                return core.Settings(params["kinds"] or list(core.KINDS), params["cluster_cidrs"],
                                     as_node_mask_sizes(params["node_mask_sizes"]), params["service_cidrs"],
                                     params["namespaces"], params["label_selector"], params["node_label_selector"],
                                     params["page_size"], params["report"])
        # bad settings fail before any request; then, without kubernetes_version, again for the cluster's release
        chosen, source = module_release(params)
        settings = read_settings(chosen)
        cluster = connect(module)
        if source == "default":
            chosen, source = module_release(params, cluster)
            settings = read_settings(chosen)
        if not params["kinds"]:  # nothing to check: the release only (the cluster roles read it first)
            module.exit_json(changed=False, kubernetes_version=chosen.report(source))
        with releases.using(chosen):
            result = core.check_cluster(cluster, settings)
        for warning in result.pop("warnings"):
            module.warn(warning)
        result = apply_query(query, result, core.KINDS)
        result["kubernetes_version"] = chosen.report(source)
    except (InputError, K8sError) as exc:
        fail(module, exc, changed=False)
    if params["fail_on_error"] and not result["summary"]["pass"]:
        module.fail_json(msg=core.failure_message(result), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()

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
  - 'Returns the errors kube-apiserver (of O(kubernetes_version), default 1.37) answers when C(resource) is created, for the rules
    listed below, in the apiserver''s own form and order, C(<path>: <Type>: <value>: <detail>). Checked
    against kube-apiserver itself on generated objects (the differential tier, C(tests/differential)).'
  - 'B(Decoding), every builtin kind: a body that does not decode into the kind''s Go type (a value of the
    wrong JSON type such as C(replicas: "two"), a number an int32 or int64 cannot hold, a quantity or
    int-or-string that does not parse, a timestamp that is not a string) gives kube-apiserver''s one error,
    C(<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot unmarshal ...), and no other.'
  - 'B(Pods and pod templates) (Pod, PodTemplate, and the template of Deployment, StatefulSet, DaemonSet,
    ReplicaSet, ReplicationController, Job, CronJob): Downward API C(env) references and
    C(downwardAPI)/C(projected) volumes (with the C(Not found) mount of a refused volume); container ports
    (C(containerPort), C(hostPort), port names, host port conflicts) and, with C(hostNetwork), C(hostPort)
    equal to C(containerPort); the pod-level C(resources) against the containers'' (each pod-level request at
    least their aggregate request, hugepages limits at least their aggregate limit, each container''s limit at
    most the pod''s; a Pod''s pod-level values defaulted first as its release does, see
    docs/downward-api.md#pod-level-resources), not on a Windows pod, no C(claims); C(restartPolicy);
    C(hostnameOverride), C(hostname), C(subdomain), C(hostAliases).'
  - 'B(Workloads): C(replicas), C(minReadySeconds) and C(revisionHistoryLimit) not negative (where the kind
    checks them), the selector (required, valid, not empty) and the template labels it must match, the
    template''s C(restartPolicy) (Always for Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController; OnFailure or Never for Job and CronJob) and C(activeDeadlineSeconds).'
  - 'B(Service): C(ports) (required, names, C(port), C(targetPort), duplicates), C(type), C(externalName),
    C(ipFamilyPolicy), C(ipFamilies), C(clusterIP)/C(clusterIPs) (the rules that need no cluster; which
    addresses and families the cluster has is P(clusternet.k8s.service_ip_plan#filter)''s). B(Node):
    C(spec.podCIDRs). B(ServiceCIDR): C(spec.cidrs).'
  - 'B(Gateway and GKEIPRoute): the CRD schema and CEL rules of the fields the persistent-IP rules use
    (Gateway API v1.6.3 standard channel, the GKEIPRoute CRD), as the apiserver reports them, plus the
    collection''s own persistent-IP findings, which end with their code in brackets (C([GW_CLASS_UNSUPPORTED])).
    The apiserver reports the schema errors of an object''s properties in an order that changes from
    request to request; this filter''s order is fixed.'
  - 'B(Not covered): an empty list does not mean the apiserver accepts the object. Not checked: metadata
    (name, generateName, namespace, labels, annotations, finalizers, ownerReferences, managedFields);
    containers'' name, image, command, resources, probes, lifecycle, securityContext, imagePullPolicy,
    terminationMessagePolicy, envFrom, volumeMounts (but the C(Not found) above), volumeDevices, resize
    policy; ephemeral containers'' own rules; volumes other than C(downwardAPI)/C(projected) downward items;
    the pod''s dnsPolicy, dnsConfig, nodeSelector, affinity, tolerations, securityContext, priority,
    topology spread, overhead, os, resource claims, the pod-level resources'' names, values and requests
    against limits, scheduling gates, serviceAccountName, nodeName,
    activeDeadlineSeconds range, readiness gates, C(status) (dropped on create); workloads'' strategy and
    updateStrategy, progressDeadlineSeconds, podManagementPolicy, volumeClaimTemplates, serviceName,
    ordinals, every Job field but the template''s restartPolicy (parallelism, completions, backoffLimit,
    podFailurePolicy, successPolicy, the generated selector), CronJob schedule, timeZone,
    concurrencyPolicy and history limits; Services'' sessionAffinity(Config), selector labels, externalIPs,
    node ports (the apiserver allocates them: two ports of one number also get a C(Duplicate) node port),
    healthCheckNodePort, loadBalancer fields, traffic policies, appProtocol, protocol values; Nodes'' other
    fields; Gateway and GKEIPRoute fields outside the persistent-IP rules (e.g. listener C(tls) content);
    a timestamp string that is not RFC 3339 (refused as input instead, its Go parse error is not
    reproduced); a C(null) inside a list where a string is expected (refused as input); the admission
    chain (namespace existence, quotas, webhooks); updates.'
  - 'C(clusterIPs), C(status.podIPs), C(spec.hostAliases[].ip) and C(spec.podCIDRs) are checked as the
    legacy IP/CIDR fields they are (KEP-4858): a non-canonical IPv6 value passes (the apiserver only warns), leading zeros and
    IPv4-mapped addresses do not where C(StrictIPCIDRValidation) is on (by default from Kubernetes 1.36; see
    O(kubernetes_version) and O(feature_gates)).
    C(spec.cidrs) of a ServiceCIDR must also be canonical.'
options:
  _input:
    description: The object, as a manifest or as the API returns it. C(kind) selects the rules.
    type: dict
    required: true
  patch:
    description:
      - The object is a server-side apply patch, such as P(clusternet.k8s.pod_spec_patch#filter) builds, not a
        whole object.
      - Only the rules on the pod spec fields it carries apply; the workload's own rules (selector, template
        labels, counts, restart policy per kind) are left out, since they judge the object the patch is merged
        into, which only the server has (its dry run).
    type: bool
    default: false
    version_added: 0.2.0
extends_documentation_fragment:
  - clusternet.k8s.kubernetes_version
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

from ansible_collections.clusternet.k8s.plugins.plugin_utils.filters import core, filter_entry

_validation_errors = core("resources", "validation_errors")


@filter_entry(versioned=True)
def validation_errors(resource, patch=False):
    return [str(error) for error in _validation_errors(resource, patch)]


class FilterModule(object):
    def filters(self):
        return {"validation_errors": validation_errors}

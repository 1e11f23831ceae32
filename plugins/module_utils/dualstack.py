# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Dual-stack rules for Nodes, Pods and ServiceCIDRs, the "Validate IPv4/IPv6 dual-stack" checks as data.

Pure Python, no Ansible imports. Sources:

- ``pkg/apis/core/validation/validation.go``: ``ValidateNode`` / ``ValidateNodeUpdate`` (podCIDRs),
  ``validatePodIPs``;
- ``pkg/apis/networking/validation/validation.go``: ``ValidateServiceCIDR``;
- ``k8s.io/utils/net``: ``IsDualStackIPStrings``, ``IsDualStackCIDRStrings``;
- kubernetes/website ``content/en/docs/tasks/network/validate-dual-stack.md``: the task's checks,
  and ``pkg/kubelet/kubelet_pods.go`` ``sortPodIPs`` (the pod's primary family is the node's).

The rules, their upstream origin and the assumptions: docs/dualstack-checks.md, docs/pod-cidrs.md#validation and docs/service-ips.md#servicecidr-validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field, optional, strings
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import FAMILIES, cidr_family, ip_family
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.families import assigned_ip_families
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.service import IP_FAMILY_POLICIES
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    child, forbidden, index, internal_error, invalid, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import (
    go_string_slice, go_struct, go_struct_slice)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    go_cidr_string, is_valid_cidr, is_valid_cidr_for_legacy_field, is_valid_ip_for_legacy_field, parse_cidr_sloppy,
    parse_ip_sloppy)


def _meta(obj, what):
    meta = field(obj, "metadata", dict, what, {})
    return field(meta, "name", str, what + ".metadata", ""), field(meta, "namespace", str, what + ".metadata", "")


def dual_stack_ips_error(ips: list) -> tuple[bool, str | None]:
    """``netutils.IsDualStackIPStrings``: ``(one of each family, error text or None)``."""
    families = set()
    for i, ip in enumerate(ips):
        parsed = parse_ip_sloppy(ip)
        if parsed is None:
            return False, "invalid IP[%d]: %s" % (i, ip)
        families.add(parsed.version)
    return len(families) == 2, None


def dual_stack_cidrs_error(cidrs: list) -> tuple[bool, str | None]:
    """``netutils.IsDualStackCIDRStrings``: ``(one of each family, error text or None)``."""
    try:
        return cidrset.is_dual_stack(cidrset.parse_cidrs(cidrs)), None
    except cidrset.CIDRAllocatorError as err:
        return False, str(err)


# ---------------------------------------------------------------------------------------------
# API validation: Node, Pod status, ServiceCIDR
# ---------------------------------------------------------------------------------------------


def validate_node_pod_cidrs(pod_cidrs: list, where: str = "spec.podCIDRs", valid_old: Sequence[str] = ()) -> list:
    """``ValidateNode``'s podCIDRs rules: valid CIDRs, at most one per family (order is free; a repeated
    CIDR is only refused as a second one of its family).

    Each CIDR by ``IsValidCIDRForLegacyField`` (a legacy field, KEP-4858: no canonical-form check)
    with the StrictIPCIDRValidation default of Kubernetes 1.36; ``valid_old`` (the stored Node's
    values) are accepted again.
    """
    errors = [e for i, cidr in enumerate(pod_cidrs)
              for e in is_valid_cidr_for_legacy_field(index(where, i), cidr, releases.enabled("StrictIPCIDRValidation"), valid_old)]
    if len(pod_cidrs) > 1:
        dual, err = dual_stack_cidrs_error(pod_cidrs)
        if err:
            errors.append(internal_error(where, "invalid PodCIDRs. failed to check with dual stack with error:%s" % err))
        if not dual or len(pod_cidrs) > 2:
            errors.append(invalid(where, go_string_slice(pod_cidrs), "may specify no more than one CIDR for each IP family"))
    return errors


def _node_pod_cidrs(obj, what="node"):
    spec = optional(obj.get("spec"), dict, what + ".spec", {})
    return strings(spec.get("podCIDRs"), what + ".spec.podCIDRs")


def validate_node(obj: dict, valid_old: Sequence[str] = ()) -> list:
    """The Node rules of this collection (``spec.podCIDRs``) on create."""
    expect(obj, dict, "node")
    return validate_node_pod_cidrs(_node_pod_cidrs(obj), valid_old=valid_old)


def validate_node_update(new: dict, old: dict) -> list:
    """``ValidateNode`` plus ``ValidateNodeUpdate``: podCIDRs may only go from unset to a value."""
    old_cidrs = _node_pod_cidrs(expect(old, dict, "old"), "old")
    errors = validate_node(new, valid_old=old_cidrs)
    new_cidrs = _node_pod_cidrs(new)
    message = 'node updates may not change podCIDR except from "" to valid'
    if old_cidrs and len(old_cidrs) != len(new_cidrs):
        errors.append(forbidden("spec.podCIDRs", message))
    elif old_cidrs:
        errors.extend(forbidden("spec.podCIDRs", message) for was, now in zip(old_cidrs, new_cidrs) if was != now)
    return errors


def _pod_ips(status, where):
    """The ``ip`` of each ``status.podIPs`` entry (a missing ``ip`` is ``""``, as Go decodes it)."""
    ips = []
    for i, entry in enumerate(optional(status.get("podIPs"), list, where, [])):
        if type(entry) is not dict:  # pylint: disable=unidiomatic-typecheck
            expect(entry, dict, index(where, i))
        ip = entry.get("ip")
        ips.append(ip if type(ip) is str else optional(ip, str, child(index(where, i), "ip"), ""))  # pylint: disable=unidiomatic-typecheck
    return ips


def defaulted_pod_ips(status: dict, path: str = "status") -> tuple[str, list]:
    """``(podIP, podIPs)`` of a v1 ``PodStatus`` after ``SetDefaults_PodStatus``: the singular field
    fills an empty list and the list's first entry an empty singular field; when both are set and
    differ, ``podIP`` wins and the list becomes ``[podIP]``."""
    expect(status, dict, path)
    pod_ip = optional(status.get("podIP"), str, child(path, "podIP"), "")
    ips = _pod_ips(status, child(path, "podIPs"))
    if pod_ip and not ips:
        ips = [pod_ip]
    elif ips and not pod_ip:
        pod_ip = ips[0]
    elif pod_ip and ips and ips[0] != pod_ip:
        ips = [pod_ip]
    return pod_ip, ips


def validate_pod_status(status: dict, path: str) -> list:
    """``validatePodIPs`` on the defaulted status (:func:`defaulted_pod_ips`), as the status
    subresource checks what a kubelet writes: each IP valid (``IsValidIPForLegacyField``, a legacy
    field: no canonical-form check; StrictIPCIDRValidation of the current release), at most one per
    family, and from 1.37 (releases.RULES) ``podIP`` and ``podIPs`` both set or both unset, ``podIP`` equal to
    ``podIPs[0]``.
    Kube-apiserver never validates the status of a Pod it creates: it drops it."""
    where = child(path, "podIPs")
    pod_ip, ips = defaulted_pod_ips(status, path)
    errors = [e for i, ip in enumerate(ips)
              for e in is_valid_ip_for_legacy_field(index(where, i), ip, releases.enabled("StrictIPCIDRValidation"))]

    def structs():  # the bad value of an error, rendered only for one
        return go_struct_slice([go_struct([("IP", ip)]) for ip in ips])

    if len(ips) > 1:
        dual, err = dual_stack_ips_error(ips)
        if err:
            errors.append(internal_error(where, "failed to check for dual stack with error:%s" % err))
        if not dual or len(ips) > 2:
            errors.append(invalid(where, structs(), "may specify no more than one IP for each IP family"))
    if not releases.current().rule("PodIPsMatchPodIP"):
        return errors
    if bool(pod_ip) != bool(ips):
        errors.append(invalid(where, structs(), "podIP and podIPs must either both be set or both be unset"))
    elif ips and pod_ip != ips[0]:
        errors.append(invalid(child(index(where, 0), "ip"), ips[0], "must be equal to `podIP`"))
    return errors


def validate_service_cidr(obj: dict) -> list:
    """``ValidateServiceCIDR``'s ``spec.cidrs`` rules: one CIDR or a dual-stack pair, each valid."""
    spec = optional(expect(obj, dict, "ServiceCIDR").get("spec"), dict, "spec", {})
    cidrs = strings(spec.get("cidrs"), "spec.cidrs")
    where = "spec.cidrs"
    if not cidrs:
        return [required(where, "at least one CIDR required")]
    if len(cidrs) > 2:
        return [invalid(where, go_struct([("CIDRs", go_string_slice(cidrs))]), "may only hold up to 2 values")]
    errors = [e for i, cidr in enumerate(cidrs) for e in is_valid_cidr(index(where, i), cidr)]
    # netutils.IPFamilyOfCIDRString: an unparsable CIDR has no family, and is not "the same family"
    families = [cidr_family(c) for c in cidrs]
    if len(cidrs) == 2 and families[0] == families[1] and families[0] is not None:
        errors.append(invalid(where, go_string_slice(cidrs),
                              "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64"))
    return errors


# ---------------------------------------------------------------------------------------------
# The "Validate IPv4/IPv6 dual-stack" task as data: one report per object
# ---------------------------------------------------------------------------------------------


def _check(name, passed, reason):
    return {"check": name, "pass": bool(passed), "reason": reason}


def _report(kind, obj, what, checks):
    name, namespace = _meta(obj, what)
    report = {"kind": kind, "name": name, "pass": all(c["pass"] for c in checks), "checks": checks}
    if kind != "Node":
        report["namespace"] = namespace
    return report


def _one_per_family(texts, family_of, where, noun):
    """Steps 1 and 3 of the task: exactly one IPv4 and one IPv6 value."""
    families = [family_of(text) for text in texts]
    if None in families:
        i = families.index(None)
        return False, "%s[%d] %r is not a valid %s" % (where, i, texts[i], noun)
    if sorted(families) == list(FAMILIES):
        return True, "one IPv4 and one IPv6 %s: %s" % (noun, ", ".join(texts))
    if not texts:
        return False, "%s is empty: a dual-stack object has one IPv4 and one IPv6 %s" % (where, noun)
    return False, ("%s holds %d %s (%s) of family %s: a dual-stack object has exactly one IPv4 and one IPv6 %s"
                   % (where, len(texts), noun if len(texts) == 1 else noun + "s", ", ".join(texts),
                      ", ".join(families), noun))


def _check_pod_cidrs_from_cluster(pod_cidrs, cluster, masks):
    """Step 1, given the cluster's ``--cluster-cidr``: podCIDRs[i] is a node block of cluster CIDR i."""
    problems = []
    for i, (text, net, mask) in enumerate(zip(pod_cidrs, cluster, masks)):
        parsed = parse_cidr_sloppy(text)
        if parsed is None or parsed[1].version != net.version or not parsed[1].subnet_of(net):
            problems.append("spec.podCIDRs[%d] %s is not inside --cluster-cidr entry %d %s"
                            % (i, text, i, go_cidr_string(net)))
        elif parsed[1].prefixlen != mask:
            problems.append("spec.podCIDRs[%d] %s is not a /%d node block" % (i, text, mask))
    if len(pod_cidrs) != len(cluster):
        problems.append("spec.podCIDRs has %d entries for %d --cluster-cidr entries (%s)"
                        % (len(pod_cidrs), len(cluster), ",".join(go_cidr_string(n) for n in cluster)))
    if problems:
        return _check("podCIDRs-from-cluster-cidr", False, "; ".join(problems))
    return _check("podCIDRs-from-cluster-cidr", True,
                  "each podCIDR is a node block of the matching --cluster-cidr entry, in --cluster-cidr order")


def _addresses(node):
    status = field(node, "status", dict, "node", {})
    addresses = []
    for i, entry in enumerate(field(status, "addresses", list, "node.status", [])):
        entry = expect(entry, dict, "node.status.addresses[%d]" % i)
        addresses.append((optional(entry.get("type"), str, "node.status.addresses[%d].type" % i, ""),
                          optional(entry.get("address"), str, "node.status.addresses[%d].address" % i, "")))
    return addresses


def _internal_ips(node):
    return [ip for kind, text in _addresses(node) if kind == "InternalIP" for ip in [parse_ip_sloppy(text)] if ip]


def _check_node_addresses(node):
    """Step 2: an InternalIP of each family and a Hostname (order not asserted)."""
    found = {ip_family(ip) for ip in _internal_ips(node)}
    missing = [family for family in FAMILIES if family not in found]
    if not any(kind == "Hostname" for kind, address in _addresses(node) if address):
        missing.append("Hostname")
    if missing:
        return _check("addresses", False, "status.addresses has no %s; a dual-stack kubelet reports an InternalIP of "
                      "each family (--node-ip=<IPv4>,<IPv6>) and a Hostname" % " and no ".join(
                          "%s InternalIP" % m if m in FAMILIES else m for m in missing))
    return _check("addresses", True, "an IPv4 and an IPv6 InternalIP, and a Hostname")


def check_node(node: dict, cluster_cidrs: str | list | None = None, node_mask_sizes: Any = None) -> dict:
    """The task's checks for one Node: dual-stack podCIDRs (from the cluster CIDRs when given) and addresses."""
    expect(node, dict, "node")
    spec = field(node, "spec", dict, "node", {})
    pod_cidrs = _node_pod_cidrs(node)
    checks = [_check("podCIDRs", *_one_per_family(pod_cidrs, cidr_family, "spec.podCIDRs", "CIDR"))]
    pod_cidr = field(spec, "podCIDR", str, "node.spec", "")
    if pod_cidr:
        same = bool(pod_cidrs) and pod_cidr == pod_cidrs[0]
        checks.append(_check("podCIDR", same, "spec.podCIDR %s %s spec.podCIDRs[0]" % (pod_cidr, "is" if same else "is not")))
    if cluster_cidrs is not None:
        cluster, masks = cidrset.allocator_config(cluster_cidrs, node_mask_sizes)[:2]
        checks.append(_check_pod_cidrs_from_cluster(pod_cidrs, cluster, masks))
    checks.append(_check_node_addresses(node))
    return _report("Node", node, "node", checks)


def _node_primary_family(node):
    """kubelet ``sortPodIPs``: the node IP's family comes first, IPv4 when the node has none.

    The first InternalIP in ``status.addresses`` is the kubelet's first node IP (docs/dualstack-checks.md#assumption-1).
    """
    ips = _internal_ips(node)
    return ip_family(ips[0]) if ips else "IPv4"


def _check_pod_ips_in_pod_cidrs(ips, node):
    """Step 3 (CNI-dependent): each pod IP lies in the node's podCIDR of its family."""
    nets = [p[1] for p in (parse_cidr_sloppy(c) for c in _node_pod_cidrs(node)) if p]
    outside = [ip for ip in ips for addr in [parse_ip_sloppy(ip)]
               if addr is None or not any(addr.version == net.version and addr in net for net in nets)]
    if outside:
        return _check("podIPs-in-podCIDRs", False, "pod IP(s) %s outside the node's podCIDRs %s"
                      % (", ".join(outside), ", ".join(go_cidr_string(n) for n in nets) or "(none)"))
    return _check("podIPs-in-podCIDRs", True, "every pod IP is inside the node's podCIDR of its family")


def check_pod(pod: dict, node: dict | None = None) -> dict:
    """The task's checks for one Pod: one IP per family, ``podIP`` first; with its Node, primary family and podCIDRs."""
    expect(pod, dict, "pod")
    status = field(pod, "status", dict, "pod", {})
    ips = _pod_ips(status, "status.podIPs")
    checks = [_check("podIPs", *_one_per_family(ips, ip_family, "status.podIPs", "IP"))]
    if ips:
        pod_ip = field(status, "podIP", str, "pod.status", "")
        checks.append(_check("podIP", pod_ip == ips[0], "status.podIP %s %s status.podIPs[0] %s"
                             % (pod_ip or '""', "is" if pod_ip == ips[0] else "is not", ips[0])))
    if node is not None and ips:
        expect(node, dict, "node")
        primary, first = _node_primary_family(node), ip_family(ips[0])
        checks.append(_check("podIPs-primary-family", first == primary,
                             "status.podIPs[0] is %s and the node's primary family is %s" % (first, primary)))
        spec = field(pod, "spec", dict, "pod", {})
        if not field(spec, "hostNetwork", bool, "pod.spec", False):
            checks.append(_check_pod_ips_in_pod_cidrs(ips, node))
    return _report("Pod", pod, "pod", checks)


def service_networks(service_cidrs: str | list, what: str = "service_cidrs") -> list:
    """The cluster's service CIDRs (``--service-cluster-ip-range``, primary first) as networks."""
    entries = cidrset.split_flag_list(service_cidrs, what)
    networks = []
    for i, entry in enumerate(entries):
        parsed = parse_cidr_sloppy(entry)
        if parsed is None:
            raise InputError("%s[%d] %r is not a CIDR (e.g. 10.96.0.0/12 or fd00::/108)" % (what, i, entry))
        networks.append(parsed[1])
    if not networks or len(networks) > 2 or (len(networks) == 2 and not cidrset.is_dual_stack(networks)):
        raise InputError("%s must be one CIDR or an IPv4/IPv6 pair, got %r" % (what, service_cidrs))
    return networks


def _listing(values):
    return "[%s]" % ", ".join(values)


def _check_service_families(spec, cluster_families, headless_selectorless):
    """Steps 6–10: policy and families are set and agree with the cluster's service families."""
    policy = field(spec, "ipFamilyPolicy", str, "service.spec", "")
    families = strings(spec.get("ipFamilies"), "service.spec.ipFamilies")
    cluster = _listing(cluster_families)
    if policy not in IP_FAMILY_POLICIES or not families:
        return _check("ipFamilies", False, "spec.ipFamilyPolicy %r and spec.ipFamilies %s are not what the API server "
                      "sets on every non-ExternalName Service" % (policy, _listing(families)))
    if len(set(families)) != len(families) or not set(families) <= set(FAMILIES):
        return _check("ipFamilies", False, "spec.ipFamilies %s must be distinct IPv4/IPv6 values" % _listing(families))
    unconfigured = [f for f in families if f not in cluster_families]
    if unconfigured and not headless_selectorless:
        return _check("ipFamilies", False, "spec.ipFamilies %s names %s, which the cluster's service CIDRs %s do not "
                      "configure" % (_listing(families), ", ".join(unconfigured), cluster))
    assigned = assigned_ip_families(policy, cluster_families, headless_selectorless)
    # None: the API server refuses RequireDualStack on a single-stack cluster; the policy asks for both families
    expected = 2 if assigned is None else len(assigned)
    if len(families) != expected:
        hint = ""
        if policy == "PreferDualStack" and len(families) < expected:
            hint = ("; the API server never upgrades an existing PreferDualStack Service: set spec.ipFamilies to both "
                    "families, or recreate it")
        return _check("ipFamilies", False, "%s Service has spec.ipFamilies %s where the API server assigns %d families "
                      "on a %s cluster%s" % (policy, _listing(families), expected, cluster, hint))
    return _check("ipFamilies", True, "%s with %s, as the API server assigns on a %s cluster"
                  % (policy, _listing(families), cluster))


def _check_cluster_ips(spec, networks):
    """Steps 6–9: one clusterIP per family, in family order, each from the range of its family."""
    cluster_ips = strings(spec.get("clusterIPs"), "service.spec.clusterIPs")
    families = strings(spec.get("ipFamilies"), "service.spec.ipFamilies")
    cluster_ip = field(spec, "clusterIP", str, "service.spec", "")
    if cluster_ips == ["None"]:
        return _check("clusterIPs", cluster_ip == "None", "headless Service: clusterIP %r, clusterIPs [None]" % cluster_ip)
    problems = []
    if len(cluster_ips) != len(families):
        problems.append("%d clusterIPs for %d ipFamilies" % (len(cluster_ips), len(families)))
    if not cluster_ips or cluster_ip != cluster_ips[0]:
        problems.append("spec.clusterIP %r is not spec.clusterIPs[0]" % cluster_ip)
    by_family = {cidr_family(net): net for net in networks}
    for i, (text, family) in enumerate(zip(cluster_ips, families)):
        addr = parse_ip_sloppy(text)
        if addr is None or ip_family(addr) != family:
            problems.append("clusterIPs[%d] %s is not an %s address as ipFamilies[%d] says" % (i, text, family, i))
        elif family not in by_family:
            problems.append("clusterIPs[%d] %s is %s but the cluster has no %s service CIDR" % (i, text, family, family))
        elif addr not in by_family[family]:
            problems.append("clusterIPs[%d] %s is outside the %s service CIDR %s"
                            % (i, text, family, go_cidr_string(by_family[family])))
    if problems:
        return _check("clusterIPs", False, "; ".join(problems))
    return _check("clusterIPs", True, "clusterIPs %s: one per family, clusterIP first, each from its service CIDR"
                  % ", ".join(cluster_ips))


def _check_node_ports(spec, kind):
    """Step 9: NodePort and LoadBalancer Services get a node port per port (unless the LoadBalancer opts out)."""
    ports = field(spec, "ports", list, "service.spec", [])
    missing = [i for i, port in enumerate(ports) if not optional(
        expect(port, dict, "service.spec.ports[%d]" % i).get("nodePort"), int, "service.spec.ports[%d].nodePort" % i, 0)]
    if missing:
        return _check("nodePorts", False, "%s Service spec.ports%s have no nodePort"
                      % (kind, _listing(str(i) for i in missing)))
    return _check("nodePorts", True, "every port has a nodePort")


def check_service(service: dict, service_cidrs: str | list) -> dict:
    """The task's checks for one Service, given the cluster's ``--service-cluster-ip-range`` (primary first)."""
    expect(service, dict, "service")
    networks = service_networks(service_cidrs)
    spec = field(service, "spec", dict, "service", {})
    kind = field(spec, "type", str, "service.spec", "") or "ClusterIP"
    if kind == "ExternalName":
        return _report("Service", service, "service",
                       [_check("type", True, "ExternalName Services have no cluster IPs or IP families")])
    cluster_ips = strings(spec.get("clusterIPs"), "service.spec.clusterIPs")
    selector = field(spec, "selector", dict, "service.spec", {})
    headless_selectorless = cluster_ips == ["None"] and not selector
    cluster_families = [cidr_family(net) for net in networks]
    checks = [_check_service_families(spec, cluster_families, headless_selectorless), _check_cluster_ips(spec, networks)]
    lb_without_ports = kind == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is False
    if kind in ("NodePort", "LoadBalancer") and not lb_without_ports:
        checks.append(_check_node_ports(spec, kind))
    return _report("Service", service, "service", checks)

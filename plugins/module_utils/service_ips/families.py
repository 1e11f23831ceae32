# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""``initIPFamilyFields`` (pkg/registry/core/service/storage/alloc.go): the ``ipFamilyPolicy`` and ``ipFamilies``
kube-apiserver gives a Service on create and update, from the cluster's service families.

Pure Python, no Ansible imports. The rules: docs/service-ips.md.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import other_family
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.service import (
    CLUSTER_IP, CLUSTER_IP_NONE, CLUSTER_IPS, EXTERNAL_NAME, IP_FAMILIES_FIELD, IP_FAMILY_POLICY, LOAD_BALANCER,
    NODE_PORT, PREFER_DUAL_STACK, REQUIRE_DUAL_STACK, SINGLE_STACK, _family_of, _is_headless_selectorless, _Service)
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.validate import _validate_cluster_ips_related_fields
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import index, invalid
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_json_value, go_string_slice


def _same_cluster_ips(lhs, rhs):
    """alloc.go's ``sameClusterIPs`` compares ``clusterIPs`` only."""
    return lhs.cluster_ips == rhs.cluster_ips


def _is_matching_prefer_dual_stack(new, old):
    """``isMatchingPreferDualStackClusterIPFields``: an unchanged PreferDualStack Service is never
    upgraded or downgraded when the cluster gains or loses a family."""
    return (old is not None and new.policy == PREFER_DUAL_STACK and old.policy in (None, PREFER_DUAL_STACK)
            and old.type == new.type and new.type in (CLUSTER_IP, NODE_PORT, LOAD_BALANCER)
            and _same_cluster_ips(old, new) and old.ip_families == new.ip_families)


def _default_policy(svc, old):
    """An unset policy: inherited on update, RequireDualStack for headless selectorless, else SingleStack."""
    if old is not None and old.policy is not None:
        svc.policy = old.policy
    elif _is_headless_selectorless(svc):
        svc.policy = REQUIRE_DUAL_STACK
    else:
        svc.policy = SINGLE_STACK


def _update_prep_errors(svc, old):
    """Update only: SingleStack with unchanged fields means "drop the secondary"; any other policy
    may not drop it."""
    if svc.policy == SINGLE_STACK:
        if _same_cluster_ips(old, svc) and len(svc.cluster_ips) > 1:
            svc.cluster_ips = svc.cluster_ips[:1]
        if old.ip_families == svc.ip_families and len(svc.ip_families) > 1:
            svc.ip_families = svc.ip_families[:1]
        return []
    errors = []
    if svc.cluster_ips and len(svc.cluster_ips) < len(old.cluster_ips):
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy), "must be 'SingleStack' to release the secondary cluster IP"))
    if svc.ip_families and len(svc.ip_families) < len(old.ip_families):
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy), "must be 'SingleStack' to release the secondary IP family"))
    return errors


def _single_stack_errors(svc):
    if svc.policy != SINGLE_STACK:
        return []
    errors = []
    if len(svc.cluster_ips) == 2:
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy),
                              "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
    if len(svc.ip_families) == 2:
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy),
                              "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
    return errors


def _infer_families_from_cluster_ips(svc, configured):
    """Missing ``ipFamilies`` entries come from the requested cluster IPs, if the cluster has that family."""
    errors = []
    for i, ip in enumerate(svc.cluster_ips):
        if ip == CLUSTER_IP_NONE:
            break
        if i < len(svc.ip_families):
            continue
        family = _family_of(ip, svc.produced)
        if family in configured:
            svc.ip_families.append(family)
        else:
            errors.append(invalid(index(CLUSTER_IPS, i), go_string_slice(svc.cluster_ips), "%s is not configured on this cluster" % family))
    return errors


def _cluster_support_errors(svc, configured):
    """RequireDualStack needs two families; each requested family must be configured."""
    errors = []
    if svc.policy == REQUIRE_DUAL_STACK and len(configured) < 2:
        errors.append(invalid(IP_FAMILY_POLICY, go_json_value(svc.policy), "this cluster is not configured for dual-stack services"))
    for i, family in enumerate(svc.ip_families):
        if family not in configured:
            errors.append(invalid(index(IP_FAMILIES_FIELD, i), go_json_value(family), "not configured on this cluster"))
    return errors


def _init_ip_family_fields(svc, old, families):
    """``initIPFamilyFields`` (alloc.go): default ``ipFamilyPolicy`` and ``ipFamilies`` from the
    cluster's ``families`` (primary first) and check them. Completes ``svc`` in place; returns the errors."""
    if svc.type == EXTERNAL_NAME or _is_matching_prefer_dual_stack(svc, old):
        return []
    if svc.policy is None:
        _default_policy(svc, old)
    errors = _validate_cluster_ips_related_fields(svc, old)
    if errors:
        return errors
    errors = _update_prep_errors(svc, old) if old is not None else []
    errors += _single_stack_errors(svc)
    errors += _infer_families_from_cluster_ips(svc, families)
    if errors:
        return errors
    headless_selectorless = _is_headless_selectorless(svc)
    # a headless selectorless Service may name families the cluster lacks: its endpoints are the user's
    errors = [] if headless_selectorless else _cluster_support_errors(svc, families)
    if errors:
        return errors
    svc.ip_families = svc.ip_families or [families[0]]
    if (svc.policy != SINGLE_STACK and len(svc.ip_families) == 1
            and (headless_selectorless or len(families) == 2)):
        svc.ip_families.append(other_family(svc.ip_families[0]))
    return []


def assigned_ip_families(policy: str, cluster_families: list, headless_selectorless: bool = False) -> list | None:
    """The ``ipFamilies`` ``initIPFamilyFields`` gives a new Service of ``policy`` (one of ``IP_FAMILY_POLICIES``)
    that names no family and no cluster IP, on a cluster of ``cluster_families`` (primary first); ``None`` where it
    refuses the Service (RequireDualStack on a single-stack cluster)."""
    svc = _Service(name="", type=CLUSTER_IP, cluster_ip=CLUSTER_IP_NONE if headless_selectorless else "",
                   cluster_ips=[CLUSTER_IP_NONE] if headless_selectorless else [], ip_families=[], policy=policy,
                   has_selector=not headless_selectorless, external_name="", spec={}, produced={})
    return None if _init_ip_family_fields(svc, None, list(cluster_families)) else svc.ip_families

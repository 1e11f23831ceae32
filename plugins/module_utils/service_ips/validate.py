# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""``ValidateService``'s rules about type, cluster IPs and IP families (pkg/apis/core/validation/validation.go),
on the Service as the apiserver holds it (``service._Service``).

Pure Python, no Ansible imports. The rules: docs/service-ips.md.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import ports, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import IPV4, IPV6
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.service import (
    CLUSTER_IP_NONE, CLUSTER_IPS, EXTERNAL_NAME, IP_FAMILIES, IP_FAMILIES_FIELD, IP_FAMILY_POLICIES, IP_FAMILY_POLICY,
    LOAD_BALANCER, NODE_PORT, SERVICE_TYPES, SINGLE_STACK, _family_of, _is_headless, _is_ipv6_string)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    duplicate, forbidden, index, invalid, not_supported, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_json_value, go_string_slice
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import validate_dns1123_subdomain
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import is_valid_ip_for_legacy_field


def _cluster_ip_sync_errors(svc):
    """``clusterIPs[0]`` must be ``clusterIP``, and ``clusterIPs`` empty when ``clusterIP`` is."""
    if svc.cluster_ip:
        if not svc.cluster_ips:
            return [required(CLUSTER_IPS)]
        if svc.cluster_ips[0] != svc.cluster_ip:
            return [invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "first value must match `clusterIP`")]
    elif svc.cluster_ips:
        return [invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "must be empty when `clusterIP` is not specified")]
    return []


def _ip_families_errors(svc):
    families = svc.ip_families
    if not families or (len(families) == 1 and families[0] in IP_FAMILIES):
        return []
    errors = []
    seen = set()
    for i, family in enumerate(families):
        if family not in IP_FAMILIES:
            errors.append(not_supported(index(IP_FAMILIES_FIELD, i), go_json_value(family), IP_FAMILIES))
        if family in seen:
            errors.append(duplicate(index(IP_FAMILIES_FIELD, i), go_json_value(family)))
        seen.add(family)
    return errors


def _cluster_ips_errors(svc, old):
    """Each entry an IP by ``IsValidIPForLegacyField`` (never a canonical-form check), with the
    StrictIPCIDRValidation default of Kubernetes 1.36; the stored Service's own addresses are
    accepted again (KEP-4858 ratcheting). ``None`` only alone at index 0."""
    if not svc.cluster_ips:
        return []
    valid_old = old.cluster_ips if old is not None else ()
    errors = []
    for i, ip in enumerate(svc.cluster_ips):
        if ip in svc.produced:
            continue
        if i == 0 and ip == CLUSTER_IP_NONE:
            if len(svc.cluster_ips) > 1:
                errors.append(invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "'None' must be the first and only value"))
            continue
        errors += is_valid_ip_for_legacy_field(index(CLUSTER_IPS, i), ip, releases.enabled("StrictIPCIDRValidation"), valid_old)
    return errors


def _family_match_errors(svc):
    """Each ``clusterIPs[i]`` of the family ``ipFamilies[i]`` names (headless services excepted)."""
    if not svc.cluster_ips or _is_headless(svc):
        return []
    errors = []
    for i, (ip, family) in enumerate(zip(svc.cluster_ips, svc.ip_families)):
        if family == IPV4 and _is_ipv6_string(ip, svc.produced):
            errors.append(invalid(index(CLUSTER_IPS, i), ip, "expected an IPv4 value as indicated by `ipFamilies[%d]`" % i))
        if family == IPV6 and not _is_ipv6_string(ip, svc.produced):
            errors.append(invalid(index(CLUSTER_IPS, i), ip, "expected an IPv6 value as indicated by `ipFamilies[%d]`" % i))
    return errors


def _validate_cluster_ips_related_fields(svc, old=None):
    """``ValidateServiceClusterIPsRelatedFields`` (validation.go); ``old`` is the stored Service on update."""
    if svc.type == EXTERNAL_NAME:
        return []
    errors = _cluster_ip_sync_errors(svc) + _ip_families_errors(svc)
    if svc.policy is not None and svc.policy not in IP_FAMILY_POLICIES:
        errors.append(not_supported(IP_FAMILY_POLICY, go_json_value(svc.policy), IP_FAMILY_POLICIES))
    ip_errors = _cluster_ips_errors(svc, old)
    errors += ip_errors
    if len(svc.cluster_ips) > 2:
        errors.append(invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "may only hold up to 2 values"))
    if ip_errors:
        # bad entries would skew the checks below
        return errors
    if len(svc.cluster_ips) > 1 and {_family_of(ip, svc.produced) for ip in svc.cluster_ips} != {IPV4, IPV6}:
        errors.append(invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "may specify no more than one IP for each IP family"))
    return errors + _family_match_errors(svc)


def _external_name_errors(svc):
    """``ValidateService``, type ExternalName: no IP fields, and a DNS name."""
    errors = []
    for field, is_set in ((CLUSTER_IPS, svc.cluster_ips), (IP_FAMILIES_FIELD, svc.ip_families),
                          (IP_FAMILY_POLICY, svc.policy is not None)):
        if is_set:
            errors.append(forbidden(field, "may not be set for ExternalName services"))
    # a trailing dot marks the name fully qualified
    cname = svc.external_name[:-1] if svc.external_name.endswith(".") else svc.external_name
    if cname:
        return errors + validate_dns1123_subdomain(cname, "spec.externalName")
    return errors + [required("spec.externalName")]


def _validate_service(svc, old=None, spec=None):
    """The rules of ``ValidateService`` (validation.go) about type, cluster IPs and IP families; with
    ``spec`` (the object's spec) also about its ports."""
    errors = []
    if spec is not None and not (spec.get("ports") or []) and not _is_headless(svc) and svc.type != EXTERNAL_NAME:
        errors.append(required("spec.ports"))
    if svc.type in (LOAD_BALANCER, NODE_PORT) and _is_headless(svc):
        errors.append(invalid(index(CLUSTER_IPS, 0), svc.cluster_ips[0], "may not be set to 'None' for %s services" % svc.type))
    elif svc.type == EXTERNAL_NAME:
        errors += _external_name_errors(svc)
    if spec is not None:
        errors += ports.validate_service_ports(spec, "spec")
    errors += _validate_cluster_ips_related_fields(svc, old)
    if svc.type not in SERVICE_TYPES:
        errors.append(not_supported("spec.type", go_json_value(svc.type), SERVICE_TYPES))
    if spec is not None:
        errors += ports.service_port_duplicates(spec, "spec")
    return errors


def _validate_upgrade_downgrade_cluster_ips(old, new):
    """``validateUpgradeDowngradeClusterIPs``: the primary cluster IP never changes; dropping the
    secondary needs SingleStack."""
    if EXTERNAL_NAME in (old.type, new.type) or (_is_headless(old) and _is_headless(new)):
        return []
    value = go_string_slice(new.cluster_ips)
    if len(old.cluster_ips) == len(new.cluster_ips):
        return [invalid(index(CLUSTER_IPS, i), value, "may not change once set")
                for i, ip in enumerate(old.cluster_ips) if ip != new.cluster_ips[i]]
    errors = []
    primary_changed = old.cluster_ips and new.cluster_ips and old.cluster_ips[0] != new.cluster_ips[0]
    if len(old.cluster_ips) > len(new.cluster_ips):
        if not new.cluster_ips:
            errors.append(invalid(index(CLUSTER_IPS, 0), value, "primary clusterIP can not be unset"))
        if primary_changed:
            errors.append(invalid(index(CLUSTER_IPS, 0), value, "may not change once set"))
        if len(new.cluster_ips) == 1 and new.policy != SINGLE_STACK:
            errors.append(invalid(IP_FAMILY_POLICY, go_json_value(new.policy), "must be set to 'SingleStack' when releasing the secondary clusterIP"))
    elif primary_changed:
        errors.append(invalid(index(CLUSTER_IPS, 0), value, "may not change once set"))
    return errors


def _validate_upgrade_downgrade_ip_families(old, new):
    """``validateUpgradeDowngradeIPFamilies``. Upstream quirks kept: a change at any index is
    reported at ``ipFamilies[0]``; "can not be unset" tests ``clusterIPs``; some values are the
    cluster IPs."""
    if EXTERNAL_NAME in (old.type, new.type) or _is_headless(old) or _is_headless(new):
        return []
    families = go_string_slice(new.ip_families)
    cluster_ips = go_string_slice(new.cluster_ips)
    field = index(IP_FAMILIES_FIELD, 0)
    if len(old.ip_families) == len(new.ip_families):
        return [invalid(field, families, "may not change once set")
                for i, family in enumerate(old.ip_families) if family != new.ip_families[i]]
    errors = []
    primary_changed = old.ip_families and new.ip_families and old.ip_families[0] != new.ip_families[0]
    if len(old.ip_families) > len(new.ip_families):
        if not new.cluster_ips:
            errors.append(invalid(field, families, "primary ipFamily can not be unset"))
        if primary_changed:
            errors.append(invalid(field, cluster_ips, "may not change once set"))
        if len(new.ip_families) == 1 and new.policy != SINGLE_STACK:
            errors.append(invalid(IP_FAMILY_POLICY, go_json_value(new.policy), "must be set to 'SingleStack' when releasing the secondary ipFamily"))
    elif primary_changed:
        errors.append(invalid(field, cluster_ips, "may not change once set"))
    return errors


def _validate_service_update(new, old):
    """The IP rules of ``ValidateServiceUpdate`` (validation.go)."""
    return (_validate_upgrade_downgrade_cluster_ips(old, new) + _validate_upgrade_downgrade_ip_families(old, new)
            + _validate_service(new, old, new.spec))

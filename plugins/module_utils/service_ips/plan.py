# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""``service_ip_plan``: the ``ipFamilyPolicy``, ``ipFamilies``, ``clusterIP`` and ``clusterIPs`` kube-apiserver sets on
create and update (storage.go ``beginCreate``/``beginUpdate``, strategy.go, alloc.go's allocation), and
``validate_service``, the cluster-independent part of the create path.

Pure Python, no Ansible imports. The rules: docs/service-ips.md.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import IPV4, IPV6
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.families import (
    _default_policy, _init_ip_family_fields, _is_matching_prefer_dual_stack, _single_stack_errors)
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.ranges import _AllocatorError, _FamilyPool, parse_service_cidr
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.service import (
    CLUSTER_IP_NONE, CLUSTER_IPS, EXTERNAL_NAME, ServiceIPError, _default_on_read, _internal_error,
    _invalid_error, _normalize_cluster_ips, _patch_allocated_values, _read_service, _refuse_if, _Service)
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.validate import (
    _validate_cluster_ips_related_fields, _validate_service, _validate_service_update)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import invalid
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote, go_string_slice
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import ip_value_sloppy


def _alloc_ips(svc, requests, cluster):
    """``allocIPs``: per family, the requested address or the next free one.

    Go visits the families in map order (random); here in ``ipFamilies`` order, which decides only
    which error is reported when both fail.
    """
    allocated = {}
    for family, ip in requests:
        pool = cluster.pools.get(family)
        if pool is None:
            # a headless selectorless Service may name a family the cluster lacks; upgrading a stored
            # single-stack Service to it makes allocIPs use a missing allocator: kube-apiserver panics
            # and the request gets no response (seen in 1.37.2)
            raise ServiceIPError(500, "InternalError", "kube-apiserver fails this request without a response: allocIPs "
                                 "has no %s allocator on this cluster (it panics)" % family, "allocIPs")
        if not ip:
            try:
                text, read_as = pool.allocate_next()
            except _AllocatorError as exc:
                named = " for Service %s" % go_quote(svc.name) if releases.current().rule("AllocationErrorNamesService") else ""
                raise _internal_error("failed to allocate a serviceIP%s: %s" % (named, exc), "allocIPs") from None
            svc.produced[text] = read_as
            allocated[family] = text
            continue
        address = ip_value_sloppy(ip)
        if address is None:
            raise _internal_error("failed to parse service IP %s" % go_quote(ip), "allocIPs")
        try:
            pool.allocate(address[0])
        except _AllocatorError as exc:
            error = invalid(CLUSTER_IPS, go_string_slice(svc.cluster_ips), "failed to allocate IP %s: %s" % (ip, exc))
            raise _invalid_error(svc, [error], "allocIPs") from None
        allocated[family] = ip
    return allocated


def _alloc_cluster_ips(svc, cluster):
    """``allocClusterIPs``: one address per ``ipFamilies`` entry; ExternalName and headless get none."""
    if svc.type == EXTERNAL_NAME or (svc.cluster_ips and svc.cluster_ips[0] == CLUSTER_IP_NONE):
        return
    # "" marks an address to pick
    svc.cluster_ips += [""] * (len(svc.ip_families) - len(svc.cluster_ips))
    allocated = _alloc_ips(svc, list(zip(svc.ip_families, svc.cluster_ips)), cluster)
    for i, family in enumerate(svc.ip_families):
        svc.cluster_ips[i] = allocated[family]
        if i == 0:
            svc.cluster_ip = allocated[family]


def _update_cluster_ips(svc, old, cluster):
    """``updateClusterIPs`` (alloc.go): allocate on upgrade or from ExternalName; returns the
    addresses released once the update is stored."""
    if _is_matching_prefer_dual_stack(svc, old):
        return []
    if old.type == EXTERNAL_NAME and svc.type != EXTERNAL_NAME:
        _alloc_cluster_ips(svc, cluster)
        return []
    if old.cluster_ips and old.cluster_ips[0] == CLUSTER_IP_NONE:
        return []
    if old.type != EXTERNAL_NAME and svc.type == EXTERNAL_NAME:
        return _releasable(zip(old.ip_families, old.cluster_ips), cluster)
    if len(old.ip_families) == 1 and len(svc.ip_families) == 2:
        svc.cluster_ips += [""] * (2 - len(svc.cluster_ips))
        allocated = _alloc_ips(svc, [(svc.ip_families[1], svc.cluster_ips[1])], cluster)
        svc.cluster_ips[1] = allocated[svc.ip_families[1]]
        return []
    if len(old.ip_families) == 2 and len(svc.ip_families) == 1:
        return _releasable(zip(old.ip_families[1:], old.cluster_ips[1:2]), cluster)
    return []


def _releasable(pairs, cluster):
    """``releaseIPs``: an address of a family the cluster no longer has is kept, not released."""
    return [ip for family, ip in pairs if family in cluster.pools]


def _drop_type_dependent_fields(new, old):
    """``dropTypeDependentFields`` (strategy.go), IP part: switching to ExternalName wipes the IP
    fields the user left as they were."""
    if old.type == EXTERNAL_NAME or new.type != EXTERNAL_NAME:
        return
    if old.cluster_ip == new.cluster_ip and old.cluster_ips == new.cluster_ips:
        new.cluster_ip, new.cluster_ips = "", []
    if old.ip_families == new.ip_families:
        new.ip_families = []
    if (old.policy or "") == (new.policy or ""):
        new.policy = None


def _plan(svc, released):
    return {"ipFamilyPolicy": svc.policy, "ipFamilies": list(svc.ip_families), "clusterIP": svc.cluster_ip,
            "clusterIPs": list(svc.cluster_ips), "released": released}


class _Cluster(object):
    """kube-apiserver's Service IP configuration: its families (primary first) and their allocators."""

    def __init__(self, service_cidrs, allocated):
        ranges = _parse_service_cidrs(service_cidrs)
        self.families = [rng.family for rng in ranges]
        self.primary = self.families[0]
        taken = _parse_allocated(allocated)
        self.pools = {rng.family: _FamilyPool(rng, taken[rng.family]) for rng in ranges}

    def create(self, svc):
        """``beginCreate`` then ``ValidateServiceCreate``."""
        _normalize_cluster_ips(svc, None)
        _refuse_if(svc, _init_ip_family_fields(svc, None, self.families), "initIPFamilyFields")
        _alloc_cluster_ips(svc, self)
        _refuse_if(svc, _validate_service(svc, spec=svc.spec), "ValidateServiceCreate")
        return _plan(svc, [])

    def update(self, svc, old):
        """``beginUpdate``, ``PrepareForUpdate`` then ``ValidateServiceUpdate``."""
        _default_on_read(old, self.primary)
        _patch_allocated_values(svc, old)
        _normalize_cluster_ips(svc, old)
        _refuse_if(svc, _init_ip_family_fields(svc, old, self.families), "initIPFamilyFields")
        released = _update_cluster_ips(svc, old, self)
        _drop_type_dependent_fields(svc, old)
        _refuse_if(svc, _validate_service_update(svc, old), "ValidateServiceUpdate")
        # the store's Decorator (defaultOnReadService) shapes the object the apiserver returns: an
        # ExternalName Service updated by a client that kept clusterIP alone shows it in clusterIPs
        _default_on_read(svc, self.primary)
        return _plan(svc, released)


def _parse_service_cidrs(service_cidrs):
    """``--service-cluster-ip-range``: one CIDR, or two of different families; primary first."""
    if isinstance(service_cidrs, str):
        service_cidrs = service_cidrs.split(",")
    entries = expect(service_cidrs, list, "service_cidrs")
    if len(entries) not in (1, 2):
        raise InputError("service_cidrs must hold one or two CIDRs, primary first (--service-cluster-ip-range), got %d"
                         % len(entries))
    ranges = [parse_service_cidr(text, "service_cidrs[%d]" % i) for i, text in enumerate(entries)]
    if len(ranges) == 2 and ranges[0].family == ranges[1].family:
        raise InputError("service_cidrs: %s and %s must be of different IP family" % (ranges[0].cidr, ranges[1].cidr))
    if ranges[0].kubernetes_service_ip() is None:
        raise InputError("service_cidrs[0] %s: error determining service IP ranges for primary service cidr: "
                         "the service cluster IP range must be at least 8 IP addresses" % ranges[0].cidr)
    return ranges


def _parse_allocated(allocated):
    """Addresses already taken, per family; ``None`` and ``""`` (headless, ExternalName) are skipped."""
    entries = optional(allocated, list, "allocated", [])
    taken = {4: [], 6: []}
    for text in entries:
        address = ip_value_sloppy(text)    # None for what is no IP, a string or not
        if address is not None:
            taken[address[1]].append(address[0])
        elif text != "" and text != CLUSTER_IP_NONE:
            _refuse_allocated(entries)
    return {IPV4: taken[4], IPV6: taken[6]}


def _refuse_allocated(entries):
    """The error for the first entry of ``allocated`` that is neither an address nor skipped."""
    for i, text in enumerate(entries):
        expect(text, str, "allocated[%d]" % i)
        if text != "" and text != CLUSTER_IP_NONE and ip_value_sloppy(text) is None:
            raise InputError("allocated[%d]: %s is not a valid IP address (e.g. 10.96.0.10 or fd00::10)" % (i, go_quote(text)))


def service_ip_plan(service: dict | list, service_cidrs: str | list, allocated: list | None = None,
                    old: dict | None = None) -> dict | list:
    """``ipFamilyPolicy``, ``ipFamilies``, ``clusterIP``, ``clusterIPs`` as kube-apiserver sets them.

    ``service``: a Service, or a list of Services planned in order (each one's addresses are taken
    before the next). ``service_cidrs``: the cluster's ``--service-cluster-ip-range`` (list or
    comma-separated), primary first. ``allocated``: addresses already taken. ``old``: the stored
    Service, for an update. The result also holds ``released``: the addresses the update frees.
    Raises :class:`ServiceIPError` (an ``InputError``) with the apiserver's message when it refuses.
    """
    cluster = _Cluster(service_cidrs, allocated)
    if isinstance(service, list):
        if old is not None:
            raise InputError("old is the stored version of one Service; it cannot go with a list of Services")
        plans = []
        for i, item in enumerate(service):
            where = "service[%d]" % i
            try:
                plans.append(cluster.create(_read_service(item, where)))
            except ServiceIPError as exc:
                raise exc.at(where) from None
        return plans
    svc = _read_service(service, "service")
    if old is None:
        return cluster.create(svc)
    stored = _read_service(old, "old")
    # the stored Service holds its own addresses: they are taken, whether or not allocated lists them
    for ip in stored.cluster_ips or ([stored.cluster_ip] if stored.cluster_ip else []):
        address = ip_value_sloppy(ip)
        family = address and (IPV4 if address[1] == 4 else IPV6)
        if address and family in cluster.pools:
            cluster.pools[family].take(address[0])
    return cluster.update(svc, stored)


def validate_service(obj: dict) -> list:
    """``validation_errors`` for a Service: the cluster-independent IP rules of the create path.

    The object is taken as kube-apiserver sees it on create: ``type`` defaulted to ClusterIP and
    ``clusterIPs`` filled from ``clusterIP``; ``initIPFamilyFields`` checks the IP fields first and its
    errors are then the only ones, else ``ValidateService``'s. Rules that depend on the cluster's
    families and addresses are :func:`service_ip_plan`'s.
    """
    svc = _read_service(obj, "")
    _normalize_cluster_ips(svc, None)
    # beginCreate runs initIPFamilyFields before any validation: its own checks of the IP fields
    # (on the policy it defaulted) refuse the Service alone, ValidateServiceCreate never runs
    if svc.type != EXTERNAL_NAME:
        staged = _Service(**{name: getattr(svc, name) for name in _Service.__slots__})
        if staged.policy is None:
            _default_policy(staged, None)
        errors = _validate_cluster_ips_related_fields(staged) or _single_stack_errors(staged)
        if errors:
            return errors
    return _validate_service(svc, spec=svc.spec)

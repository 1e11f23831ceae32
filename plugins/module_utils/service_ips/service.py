# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Service as kube-apiserver holds it: the IP fields read from a manifest (``SetDefaults_Service``'s type
default), storage.go's ``normalizeClusterIPs``, ``patchAllocatedValues`` and ``defaultOnReadService``, and the
apiserver's refusal as text and as data (``ServiceIPError``).

Pure Python, no Ansible imports. The rules: docs/service-ips.md.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field, strings
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import IPV4, IPV6, ip_family, other_family
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import aggregate
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote

SINGLE_STACK = "SingleStack"
PREFER_DUAL_STACK = "PreferDualStack"
REQUIRE_DUAL_STACK = "RequireDualStack"
CLUSTER_IP_NONE = "None"
CLUSTER_IP = "ClusterIP"
NODE_PORT = "NodePort"
LOAD_BALANCER = "LoadBalancer"
EXTERNAL_NAME = "ExternalName"

# sets.List order (sorted), as the NotSupported messages print them
SERVICE_TYPES = (CLUSTER_IP, EXTERNAL_NAME, LOAD_BALANCER, NODE_PORT)
IP_FAMILIES = (IPV4, IPV6)
IP_FAMILY_POLICIES = (PREFER_DUAL_STACK, REQUIRE_DUAL_STACK, SINGLE_STACK)

CLUSTER_IPS = "spec.clusterIPs"
IP_FAMILIES_FIELD = "spec.ipFamilies"
IP_FAMILY_POLICY = "spec.ipFamilyPolicy"


class ServiceIPError(InputError):
    """kube-apiserver refusing a Service: ``str()`` is its message, the attributes are the Status.

    ``code`` (422 or 500), ``reason`` (``Invalid`` or ``InternalError``), ``message``, ``stage``
    (the upstream function that refused: ``initIPFamilyFields``, ``allocIPs``,
    ``ValidateServiceCreate`` or ``ValidateServiceUpdate``) and ``causes`` (field errors).
    """

    def __init__(self, code, reason, message, stage, causes=(), where=None):
        self.code = code
        self.reason = reason
        self.message = message
        self.stage = stage
        self.causes = list(causes)
        self.where = where
        super().__init__("%s: %s" % (where, message) if where else message)

    def at(self, where: str) -> ServiceIPError:
        """The same error, said of one Service of a list."""
        return ServiceIPError(self.code, self.reason, self.message, self.stage, self.causes, where)

    def as_dict(self) -> dict:
        causes = [dict(error.as_dict(), message=str(error)) for error in self.causes]
        return {"code": self.code, "reason": self.reason, "message": self.message, "stage": self.stage,
                "causes": causes}


def _invalid_error(svc, errors, stage):
    """``errors.NewInvalid``: the message drops repeated errors as ``ErrorList.ToAggregate`` does."""
    message = "Service %s is invalid: %s" % (go_quote(svc.name), aggregate(list(dict.fromkeys(errors))))
    return ServiceIPError(422, "Invalid", message, stage, errors)


def _internal_error(text, stage):
    """``errors.NewInternalError``."""
    return ServiceIPError(500, "InternalError", "Internal error occurred: " + text, stage)


def _refuse_if(svc, errors, stage):
    if errors:
        raise _invalid_error(svc, errors, stage)


class _Service(object):
    """The IP-related fields of a Service; ``policy`` ``None`` is an unset ``ipFamilyPolicy``; ``spec`` is the
    object's spec as given (its ports are validated); ``produced`` maps the addresses the allocator wrote into it to
    their family (valid by construction: never parsed again)."""

    __slots__ = ("name", "type", "cluster_ip", "cluster_ips", "ip_families", "policy", "has_selector", "external_name",
                 "spec", "produced")
    name: str
    type: str
    cluster_ip: str
    cluster_ips: list
    ip_families: list
    policy: str | None
    has_selector: bool
    external_name: str
    spec: dict
    produced: dict

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields[name])


def _read_service(obj, what):
    """A Service (manifest or API form), type-checked, with ``SetDefaults_Service``'s type default.

    A plan may hold thousands of Services: ``common.field`` joins a field's path only for an error."""
    if type(obj) is not dict:  # pylint: disable=unidiomatic-typecheck
        expect(obj, dict, what or "service")
    top = what + "." if what else ""
    kind = obj.get("kind")
    if kind is not None and kind != "Service":
        expect(kind, str, top + "kind")
        raise InputError("%skind must be Service, got %s" % (top, go_quote(kind)))
    meta, spec = field(obj, "metadata", dict, what, {}), field(obj, "spec", dict, what, {})
    path = top + "spec"
    svc = _Service.__new__(_Service)
    svc.name = field(meta, "name", str, top + "metadata", "")
    svc.type = field(spec, "type", str, path, "") or CLUSTER_IP
    svc.cluster_ip = field(spec, "clusterIP", str, path, "")
    svc.cluster_ips = strings(spec.get("clusterIPs"), path + ".clusterIPs")
    svc.ip_families = strings(spec.get("ipFamilies"), path + ".ipFamilies")
    svc.policy = field(spec, "ipFamilyPolicy", str, path)
    svc.has_selector = bool(field(spec, "selector", dict, path))
    svc.external_name = field(spec, "externalName", str, path, "")
    svc.spec = spec
    svc.produced = {}
    return svc


def _family_of(ip, produced):
    """``familyOf`` (alloc.go): an IPv4-mapped IPv6 address counts as IPv4, as in Go; what is no IP is
    ``"unknown"``. ``produced``: the addresses the allocator wrote, whose family is known."""
    family = produced.get(ip)
    return family if family is not None else ip_family(ip, "unknown")


def _is_ipv6_string(ip, produced):
    """``netutils.IsIPv6String``."""
    return _family_of(ip, produced) == IPV6


def _is_headless(svc):
    """``isHeadlessService`` (validation.go): by ``clusterIPs``."""
    return len(svc.cluster_ips) == 1 and svc.cluster_ips[0] == CLUSTER_IP_NONE


def _is_headless_selectorless(svc):
    """The special case of ``initIPFamilyFields`` and ``defaultOnReadIPFamilies``: by ``clusterIP``."""
    return svc.cluster_ip == CLUSTER_IP_NONE and not svc.has_selector


def _normalize_cluster_ips(new, old):
    """``normalizeClusterIPs`` (storage.go): keep ``clusterIP`` and ``clusterIPs`` in step for old clients."""
    if old is None:
        # a client that knows only clusterIP; clusterIP is never filled from clusterIPs
        if new.cluster_ip and not new.cluster_ips:
            new.cluster_ips = [new.cluster_ip]
        return
    if old.cluster_ips and not new.cluster_ips and old.cluster_ip == new.cluster_ip:
        new.cluster_ips = list(old.cluster_ips)
    if old.cluster_ip != new.cluster_ip and new.cluster_ips == old.cluster_ips:
        new.cluster_ips = [new.cluster_ip] if new.cluster_ip else []


def _patch_allocated_values(new, old):
    """``patchAllocatedValues`` (storage.go): resubmitting a manifest keeps the allocated addresses."""
    if old.type != EXTERNAL_NAME and new.type != EXTERNAL_NAME:
        new.cluster_ip = new.cluster_ip or old.cluster_ip
        if not new.cluster_ips and old.cluster_ips:
            new.cluster_ips = list(old.cluster_ips)


def _default_on_read(svc, primary):
    """``defaultOnReadService`` (storage.go): a Service stored before dual-stack gets families and a policy."""
    _normalize_cluster_ips(svc, None)
    if svc.type == EXTERNAL_NAME or svc.ip_families:
        return
    if svc.cluster_ip == CLUSTER_IP_NONE:
        if svc.has_selector:
            svc.policy, svc.ip_families = SINGLE_STACK, [primary]
        else:
            svc.policy, svc.ip_families = REQUIRE_DUAL_STACK, [primary, other_family(primary)]
        return
    svc.ip_families = [IPV6 if _is_ipv6_string(ip, svc.produced) else IPV4 for ip in svc.cluster_ips]
    if len(svc.ip_families) == 1:
        svc.policy = SINGLE_STACK
    elif len(svc.ip_families) == 2:
        svc.policy = REQUIRE_DUAL_STACK

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""A dual-stack cluster's configuration, shaped once from its networks (the ``dualstack_cluster`` role renders it).

- the node masks of the cluster's families (kube-controller-manager's ``--node-cidr-mask-size-ipv4/-ipv6``, with
  its defaults, ``cidrset.DEFAULT_NODE_MASK``);
- every component's flags as kubeadm passes them (its networking section, plus the extra args), and what each
  component says of them (``component_flags.component_flag_errors``);
- the kubeadm ``v1beta4`` documents (``ClusterConfiguration``, and ``InitConfiguration`` when an advertise address
  or a node IP is given);
- the Services with explicit ``ipFamilyPolicy`` and ``ipFamilies``.

A network's family is the one its component reads (``ParseCIDRSloppy``); a CIDR that does not parse has none (its
component refuses it, which ``flag_errors`` says).
"""

from __future__ import annotations

import json

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset, component_flags
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field, optional, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import FAMILIES, cidr_family
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.service import (
    EXTERNAL_NAME, IP_FAMILY_POLICIES, PREFER_DUAL_STACK, SINGLE_STACK)

KUBEADM_API_VERSION = "kubeadm.k8s.io/v1beta4"


def _text(value):
    """A flag value as the role's templates wrote it (Jinja's ``string``: ``str`` of anything else)."""
    return value if isinstance(value, str) else str(value)


def _cidr_list(value, what):
    if isinstance(value, str):
        value = [value]
    return [_text(item) for item in expect(value, list, what)]


def _args(value, what):
    return {_text(name): _text(arg) for name, arg in optional(value, dict, what, {}).items()}


def node_masks(cluster_cidrs: str | list, node_mask_sizes: dict | None = None) -> dict:
    """``{family: mask}`` for the families of ``cluster_cidrs`` (IPv4 first): the given mask, or
    kube-controller-manager's default when it is unset (missing, ``None`` or 0)."""
    sizes = optional(node_mask_sizes, dict, "node_mask_sizes", {})
    families = {cidr_family(text) for text in _cidr_list(cluster_cidrs, "cluster_cidrs")}
    masks = {}
    for family in FAMILIES:
        if family in families:
            mask = sizes.get(family) or cidrset.DEFAULT_NODE_MASK[family]
            if isinstance(mask, bool) or not isinstance(mask, int):
                raise InputError("node_mask_sizes.%s must be an integer, got %s" % (family, type_name(mask)))
            masks[family] = mask
    return masks


def _items(args):
    """kubeadm ``v1beta4`` extraArgs: a list of ``{name, value}``."""
    return [{"name": name, "value": value} for name, value in args.items()]


def _merged(base, update):
    """``base`` updated with ``update``, mappings merged key by key (Ansible's ``combine(recursive=true)``)."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def explicit_service(service: dict, service_cidrs: str | list, policy: str = PREFER_DUAL_STACK) -> dict:
    """``service`` (a manifest; ``apiVersion: v1`` and ``kind: Service`` implied, namespace ``default``) with explicit
    ``spec.ipFamilyPolicy`` (its own, else ``policy``) and ``spec.ipFamilies`` (its own, else those kube-apiserver
    gives that policy: the primary service family for ``SingleStack``, every family of ``service_cidrs`` otherwise);
    an ExternalName Service has neither."""
    expect(service, dict, "service")
    spec = field(service, "spec", dict, "service", {}) or {}
    explicit = {}
    if (spec.get("type") or "ClusterIP") != EXTERNAL_NAME:
        families = [family for family in map(cidr_family, _cidr_list(service_cidrs, "service_cidrs")) if family]
        chosen = spec.get("ipFamilyPolicy") or policy
        explicit = {"ipFamilyPolicy": chosen,
                    "ipFamilies": spec.get("ipFamilies") or (families[:1] if chosen == SINGLE_STACK else families)}
    metadata = service.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    shaped = dict({"apiVersion": "v1", "kind": "Service"}, **service)
    return _merged(shaped, {"metadata": {"namespace": metadata.get("namespace") or "default"}, "spec": explicit})


def cluster_network_config(cluster_cidrs: str | list, service_cidrs: str | list, node_mask_sizes: dict | None = None,
                           advertise_address: str = "", node_ip: str = "", apiserver_extra_args: dict | None = None,
                           controller_manager_extra_args: dict | None = None, cluster_version: str = "",
                           dns_domain: str = "cluster.local", services: list | None = None,
                           service_ip_family_policy: str = PREFER_DUAL_STACK) -> dict:
    """``{masks, flags, flag_errors, kubeadm, services}``: see the module's documentation.

    ``flag_errors`` reads each component's flags as the current release (``releases.current``) does, one text per
    error: ``<component> would refuse <its flags as JSON>: <the component's error>``. ``cluster_version`` is
    kubeadm's ``kubernetesVersion`` (none when empty).
    """
    cluster = _cidr_list(cluster_cidrs, "cluster_cidrs")
    service = _cidr_list(service_cidrs, "service_cidrs")
    advertise_address = optional(advertise_address, str, "advertise_address", "")
    node_ip = optional(node_ip, str, "node_ip", "")
    if optional(service_ip_family_policy, str, "service_ip_family_policy", PREFER_DUAL_STACK) not in IP_FAMILY_POLICIES:
        raise InputError("service_ip_family_policy must be one of %s, got %r"
                         % (", ".join(IP_FAMILY_POLICIES), service_ip_family_policy))
    masks = node_masks(cluster, node_mask_sizes)
    kcm_args = {"node-cidr-mask-size-" + family.lower(): str(mask) for family, mask in masks.items()}
    kcm_args.update(_args(controller_manager_extra_args, "controller_manager_extra_args"))
    apiserver_args = _args(apiserver_extra_args, "apiserver_extra_args")

    apiserver = {"service-cluster-ip-range": ",".join(service)}
    if advertise_address:
        apiserver["advertise-address"] = advertise_address
    flags = {
        "kube-apiserver": dict(apiserver, **apiserver_args),
        "kube-controller-manager": dict({"allocate-node-cidrs": "true", "cluster-cidr": ",".join(cluster),
                                         "service-cluster-ip-range": ",".join(service)}, **kcm_args),
        "kube-proxy": {"cluster-cidr": ",".join(cluster)},
    }
    if node_ip:
        flags["kubelet"] = {"node-ip": node_ip}
    flag_errors = ["%s would refuse %s: %s" % (component, json.dumps(component_flags_), error)
                   for component, component_flags_ in flags.items()
                   for error in component_flags.component_flag_errors(component_flags_, component)]

    cluster_configuration = {
        "apiVersion": KUBEADM_API_VERSION, "kind": "ClusterConfiguration",
        "networking": {"dnsDomain": dns_domain, "podSubnet": ",".join(cluster), "serviceSubnet": ",".join(service)},
        "controllerManager": {"extraArgs": _items(kcm_args)},
    }
    if cluster_version:
        cluster_configuration["kubernetesVersion"] = cluster_version
    if apiserver_args:
        cluster_configuration["apiServer"] = {"extraArgs": _items(apiserver_args)}
    documents: list = [cluster_configuration]
    if advertise_address or node_ip:
        init: dict = {"apiVersion": KUBEADM_API_VERSION, "kind": "InitConfiguration"}
        if advertise_address:
            init["localAPIEndpoint"] = {"advertiseAddress": advertise_address}
        if node_ip:
            init["nodeRegistration"] = {"kubeletExtraArgs": [{"name": "node-ip", "value": node_ip}]}
        documents.append(init)

    shaped = [explicit_service(item, service, service_ip_family_policy)
              for item in optional(services, list, "services", [])]
    return {"masks": masks, "flags": flags, "flag_errors": flag_errors, "kubeadm": documents, "services": shaped}

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The env values a container sees: ``fieldRef`` values, ``$(NAME)`` expansion, and what stays unknown offline.

Sources, in kubernetes/kubernetes: ``pkg/kubelet/kubelet_pods.go`` (``makeEnvironmentVariables``,
``podFieldSelectorRuntimeValue``, ``sortPodIPs``), ``pkg/kubelet/envvars`` (service variable names),
``third_party/forked/golang/expansion`` (``Expand``) and ``pkg/util/node`` (``GetNodeHostIPs``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.fieldpath import convert_downward_api_field_label, extract_field_path_as_string
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.inputs import Unresolved, mappings
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import child
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import go_ip_string, parse_ip_sloppy


def node_addresses(node: dict, wanted: tuple) -> tuple[list, list]:
    """``(type, address)`` of the node's addresses, and the parsed IPs of the ``wanted`` types in that order."""
    status = field(expect(node, dict, "node"), "status", dict, "node", {})
    addresses = [(field(a, "type", str, p, ""), field(a, "address", str, p, ""))
                 for a, p in mappings(status, "addresses", "node.status")]
    found = [parse_ip_sloppy(address) for kind in wanted for address_kind, address in addresses if address_kind == kind]
    return addresses, [ip for ip in found if ip is not None]


def node_host_ips(node: dict) -> list[str]:
    """``GetNodeHostIPs``: the first InternalIP (else ExternalIP), then the first of the other family."""
    addresses, found = node_addresses(node, ("InternalIP", "ExternalIP"))
    if not found:
        raise InputError("host IP unknown; known addresses: [%s]" % " ".join("{%s %s}" % a for a in addresses))
    other = [ip for ip in found if ip.version != found[0].version][:1]
    return [go_ip_string(ip) for ip in [found[0]] + other]


def sort_pod_ips(pod_ips: list[str], node_ips: list[str]) -> list[str]:
    """``sortPodIPs``: the first pod IP of the node's primary family, then the first of the other.

    The primary family is IPv6 only when the first node IP is IPv6. Strings that are not IPs are
    dropped; the others are returned as ``net.IP.String()`` (the newest kubelet parses and
    re-stringifies them), so ``::ffff:10.0.0.9`` is ``10.0.0.9``.
    """
    first = parse_ip_sloppy(node_ips[0]) if node_ips else None
    families = (6, 4) if first is not None and first.version == 6 else (4, 6)
    result = []
    for family in families:
        for ip in pod_ips:
            parsed = parse_ip_sloppy(ip)
            if parsed is not None and parsed.version == family:
                result.append(go_ip_string(parsed))
                break
    return result


# metadata the apiserver assigns when a manifest leaves it out
_ASSIGNED_METADATA = {"metadata.name": "name", "metadata.namespace": "namespace", "metadata.uid": "uid"}


def pod_metadata_value(pod: dict, field_path: str) -> str | Unresolved:
    """``ExtractFieldPathAsString``, or ``Unresolved`` for metadata this manifest does not carry yet."""
    key = _ASSIGNED_METADATA.get(field_path)
    if key is not None and not field(field(pod, "metadata", dict, "", {}), key, str, "metadata", ""):
        return Unresolved("%s is not set in this manifest; the apiserver assigns it" % field_path)
    return extract_field_path_as_string(pod, field_path)


def pod_field_runtime_value(api_version: str, field_path: str, pod: dict, pod_ips: list[str] | None,
                            host_ips: list[str] | InputError | None) -> str | Unresolved:
    """``podFieldSelectorRuntimeValue``: the env value of a ``fieldRef``.

    ``pod_ips`` are the pod's IPs (``None`` when unknown); ``host_ips`` the node's IPs (``None`` when unknown, the
    kubelet's ``InputError`` for a node without any), which also
    give the primary family ``sortPodIPs`` uses (``None`` when unknown). Returns a string or
    ``Unresolved``; raises ``InputError`` with the kubelet's error text.
    """
    internal, _value = convert_downward_api_field_label(api_version, field_path, "")
    spec = field(pod, "spec", dict, "", {})
    if internal in ("status.podIP", "status.podIPs"):
        if pod_ips is None:
            return Unresolved("%s: the pod has no IP yet (no status.podIPs)" % internal)
        ips = sort_pod_ips(pod_ips, host_ips if isinstance(host_ips, list) else [])
        return ",".join(ips) if internal == "status.podIPs" else (ips[0] if ips else "")
    if internal in ("status.hostIP", "status.hostIPs"):
        if isinstance(host_ips, InputError):  # the node has no IP: GetNodeHostIPs fails the container
            raise host_ips
        if not host_ips:
            return Unresolved("%s: the node's IPs are unknown; pass a node with an InternalIP or ExternalIP address, or set status.hostIPs" % internal)
        return ",".join(host_ips) if internal == "status.hostIPs" else host_ips[0]
    if internal == "spec.nodeName":
        return field(spec, "nodeName", str, "spec", "") or Unresolved(
            "spec.nodeName: the pod is not bound to a node; pass the node")
    if internal == "spec.serviceAccountName":
        # the ServiceAccount admission plugin fills in the deprecated field's value, else "default"
        return (field(spec, "serviceAccountName", str, "spec", "")
                or field(spec, "serviceAccount", str, "spec", "") or "default")
    return pod_metadata_value(pod, internal)


# service link variables (pkg/kubelet/envvars FromServices): <SVC>_SERVICE_HOST, <SVC>_SERVICE_PORT[_<PORT>],
# <SVC>_PORT, <SVC>_PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR]
_SERVICE_SUFFIX = re.compile(r"_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_[0-9]+_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)?)")
_SERVICE_VARIABLE = re.compile(r"[A-Z][A-Z0-9_]*?" + _SERVICE_SUFFIX.pattern)


def _may_be_service_variable(name, service_links):
    """Whether the kubelet may define ``name`` from a Service: any service of the namespace when
    ``enableServiceLinks``, else only the ``kubernetes`` master service."""
    if service_links:
        return _SERVICE_VARIABLE.fullmatch(name) is not None
    return name.startswith("KUBERNETES") and _SERVICE_SUFFIX.fullmatch(name, len("KUBERNETES")) is not None


def expand(text: str, mapping: Callable[[str], str | Unresolved]) -> str | Unresolved:
    """``expansion.Expand``: ``$(NAME)`` -> ``mapping(NAME)``, ``$$`` -> ``$``, anything else verbatim.

    ``mapping`` returns a string or ``Unresolved``; the first ``Unresolved`` is returned instead of
    the text.
    """
    out = []
    checkpoint = cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            following = text[cursor + 1]
            closer = text.find(")", cursor + 2) if following == "(" else -1
            if closer >= 0:
                value = mapping(text[cursor + 2:closer])
                if isinstance(value, Unresolved):
                    return value
                out.append(value)
                cursor = closer
            else:  # the rune after '$' is copied whole (kubernetes PR #136325)
                out.append("$" if following == "$" else "$" + following)
                cursor += 1
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    return "".join(out)


def _env_from_unresolved(container, path):
    """``envFrom`` sources: ``(prefixes of the names they may define, unresolved entries)``."""
    prefixes, unresolved = [], []
    for source, source_path in mappings(container, "envFrom", path):
        prefixes.append(field(source, "prefix", str, source_path, ""))
        kinds = sorted(str(key) for key in source if key != "prefix" and source[key] is not None)
        unresolved.append(Unresolved("%s: the variables come from the API" % (", ".join(kinds) or "envFrom"), source_path))
    return prefixes, unresolved


def container_env(view: Any, container: dict, path: str) -> tuple[dict, list[Unresolved]]:
    """``makeEnvironmentVariables``: ``({name: value or Unresolved}, envFrom unresolved)``, in
    declaration order, later duplicates winning; service variables are not known offline."""
    prefixes, from_unresolved = _env_from_unresolved(container, path)
    known: dict = {}

    def lookup(name):
        if name in known:
            value = known[name]
            return Unresolved("uses $(%s): %s" % (name, value.reason)) if isinstance(value, Unresolved) else value
        if any(name.startswith(prefix) for prefix in prefixes):
            return Unresolved("uses $(%s), which envFrom may define" % name)
        if _may_be_service_variable(name, view.service_links):
            return Unresolved("uses $(%s), which may be a service environment variable" % name)
        return "$(%s)" % name  # undefined references stay as written

    for env_var, env_path in mappings(container, "env", path):
        name = field(env_var, "name", str, env_path, "")
        value = field(env_var, "value", str, env_path, "")
        value_from = field(env_var, "valueFrom", dict, env_path)
        if value:
            value = expand(value, lookup)
        elif value_from is not None:
            value = _value_from(view, value_from, child(env_path, "valueFrom"), container, path)
        known[name] = value.at(env_path) if isinstance(value, Unresolved) else value
    return known, from_unresolved


def _value_from(view, value_from, path, container, container_path):
    """The value of one ``valueFrom`` source (already validated: exactly one is set)."""
    field_ref = field(value_from, "fieldRef", dict, path)
    if field_ref is not None:
        # validated already, so the conversion inside cannot fail; "v1" is the API default
        return view.field_value(field_ref.get("apiVersion") or "v1", field_ref["fieldPath"])
    resource_ref = field(value_from, "resourceFieldRef", dict, path)
    if resource_ref is not None:
        return view.env_resource_value(resource_ref, child(path, "resourceFieldRef"), container, container_path)
    kind = "configMapKeyRef" if value_from.get("configMapKeyRef") is not None else "secretKeyRef"
    return Unresolved("%s: the value comes from the API" % kind)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Port numbers and names as kube-apiserver validates them: a container's ``ports``, host ports on the
pod network and the host network, a Service's ``ports``.

Pure Python, no Ansible imports. The objects are decoded ones (``go_decode`` has refused values of the
wrong type); absent and ``null`` fields read as Go's zero values. Sources: apimachinery
``pkg/util/validation/validation.go`` (``IsValidPortNum``, ``IsValidPortName``), kubernetes
``pkg/apis/core/validation/validation.go`` (``validateContainerPorts``, ``AccumulateUniqueHostPorts``,
``validatePodHostNetworkDeps``, ``validateServicePort``, ``ValidatePortNumOrName``) and
``pkg/apis/core/v1/defaults.go`` (protocol, host port and target port defaults).
"""

from __future__ import annotations

import re

from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    child, duplicate, index, invalid, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_struct
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import (
    is_dns1123_label, max_len_error, validate_dns1123_label)

_PORT_NAME_CHARSET = re.compile(r"[-a-z0-9]+\Z")
_PORT_NAME_LETTER = re.compile(r"[a-z]")


def is_valid_port_num(port: int) -> list[str]:
    """``IsValidPortNum``."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def is_valid_port_name(name: str) -> list[str]:
    """``IsValidPortName`` (an IANA_SVC_NAME)."""
    errors = []
    if len(name.encode("utf-8")) > 15:
        errors.append(max_len_error(15))
    if not _PORT_NAME_CHARSET.match(name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def _items(node, key):
    value = node.get(key) if isinstance(node, dict) else None
    return [item if isinstance(item, dict) else {} for item in value] if isinstance(value, list) else []


def _int(node, key):
    value = node.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(node, key):
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _protocol(port):
    """``SetDefaults_ContainerPort``/``SetDefaults_ServicePort``: TCP when unset."""
    return _str(port, "protocol") or "TCP"


def _host_port(port, host_network_pod):
    """A container port's host port after defaulting: in a Pod on the host network an unset one is the
    container port (``SetDefaults_Pod``'s ``defaultHostNetworkPorts``; pod templates are not defaulted so)."""
    host_port = _int(port, "hostPort")
    return _int(port, "containerPort") if host_network_pod and host_port == 0 else host_port


def validate_container_ports(container: dict, path: str, host_network_pod: bool) -> list:
    """``validateContainerPorts`` on one container at ``path``: names, container and host port numbers.
    (The protocol is defaulted; a protocol other than TCP, UDP and SCTP is not checked here.)"""
    errors = []
    names = set()
    for i, port in enumerate(_items(container, "ports")):
        port_path = index(child(path, "ports"), i)
        name = _str(port, "name")
        if name:
            messages = is_valid_port_name(name)
            if messages:
                errors += [invalid(child(port_path, "name"), name, message) for message in messages]
            elif name in names:
                errors.append(duplicate(child(port_path, "name"), name))
            else:
                names.add(name)
        container_port = _int(port, "containerPort")
        if container_port == 0:
            errors.append(required(child(port_path, "containerPort")))
        else:
            errors += [invalid(child(port_path, "containerPort"), container_port, message)
                       for message in is_valid_port_num(container_port)]
        host_port = _host_port(port, host_network_pod)
        if host_port != 0:
            errors += [invalid(child(port_path, "hostPort"), host_port, message) for message in is_valid_port_num(host_port)]
    return errors


def host_port_conflicts(containers: list, path: str, host_network_pod: bool, seen: set | None = None) -> list:
    """``AccumulateUniqueHostPorts`` over ``containers`` (``(container, index)`` pairs of the list at
    ``path``): a host port taken twice (protocol, host IP and port) is a Duplicate."""
    seen = set() if seen is None else seen
    errors = []
    for container, i in containers:
        for j, port in enumerate(_items(container, "ports")):
            host_port = _host_port(port, host_network_pod)
            if host_port == 0:
                continue
            key = "%s/%s/%d" % (_protocol(port), _str(port, "hostIP"), host_port)
            if key in seen:
                errors.append(duplicate(child(index(child(index(path, i), "ports"), j), "hostPort"), key))
            else:
                seen.add(key)
    return errors


def validate_host_network_ports(spec: dict, path: str, is_pod: bool) -> list:
    """``validatePodHostNetworkDeps``: on the host network a regular container's host port is its container
    port; in a pod template (not defaulted: the pod will be) it may also be unset."""
    if spec.get("hostNetwork") is not True:
        return []
    errors = []
    for i, container in enumerate(_items(spec, "containers")):
        for j, port in enumerate(_items(container, "ports")):
            host_port = _host_port(port, is_pod)
            if (is_pod or host_port != 0) and host_port != _int(port, "containerPort"):
                errors.append(invalid(child(index(child(index(child(path, "containers"), i), "ports"), j), "hostPort"), host_port,
                                      "must match `containerPort` when `hostNetwork` is true"))
    return errors


def validate_service_ports(spec: dict, path: str) -> list:
    """``validateServicePort`` for each of a Service's ``ports``: name (required when there are several,
    unique), port number, target port (number or name; defaulted to the port). (The protocol is
    defaulted; another protocol, the appProtocol and node ports are not checked here.)"""
    ports = _items(spec, "ports")
    errors = []
    names = set()
    several = len(ports) > 1
    for i, port in enumerate(ports):
        name = _str(port, "name")
        if several and not name:
            errors.append(required(_port_field(path, i, "name")))
        elif name:
            if is_dns1123_label(name):
                errors += validate_dns1123_label(name, _port_field(path, i, "name"))
            if name in names:
                errors.append(duplicate(_port_field(path, i, "name"), name))
            else:
                names.add(name)
        number = _int(port, "port")
        messages = is_valid_port_num(number)
        if messages:
            errors += [invalid(_port_field(path, i, "port"), number, message) for message in messages]
        target = port.get("targetPort")
        if target is None or target == 0 or target == "":  # SetDefaults_Service
            target = number
        messages = is_valid_port_name(target) if isinstance(target, str) else is_valid_port_num(target)
        if messages:
            errors += [invalid(_port_field(path, i, "targetPort"), target, message) for message in messages]
    return errors


def _port_field(path, i, name):
    """``<path>.ports[i].<name>``, built only for an error."""
    return child(index(child(path, "ports"), i), name)


def service_port_duplicates(spec: dict, path: str) -> list:
    """``ValidateService``'s duplicate ports: a (protocol, port) pair taken twice, printed as the internal
    ``core.ServicePort`` holding only them."""
    value = spec.get("ports")
    if not isinstance(value, list) or len(value) < 2:   # nothing to compare (the common single port)
        return []
    ports = _items(spec, "ports")
    errors = []
    seen = set()
    for i, port in enumerate(ports):
        key = (_protocol(port), _int(port, "port"))
        if key in seen:
            errors.append(duplicate(index(child(path, "ports"), i), go_struct([
                ("Name", ""), ("Protocol", key[0]), ("AppProtocol", None), ("Port", key[1]), ("TargetPort", 0), ("NodePort", 0)])))
        seen.add(key)
    return errors

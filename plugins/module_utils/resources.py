# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Which rules apply to which kind of object: the dispatcher behind ``validation_errors``.

Each capability's core owns its rules; this file only finds the pod template of a workload and
routes each kind to the cores that validate it.
"""

from __future__ import annotations

import copy

from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack, releases, workloads
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import go_decode
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional
from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip.validate import validate_gateway, validate_gkeiproute
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.plan import validate_service
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote

# kind -> path of the pod spec inside the object
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

# kind -> apiVersion of a POD_SPEC_PATHS kind when a reference does not name one (the stable group versions)
POD_SPEC_API_VERSIONS = {
    "Pod": "v1",
    "PodTemplate": "v1",
    "ReplicationController": "v1",
    "ReplicaSet": "apps/v1",
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}

# builtin kind -> the version of its stable API, the one a decoding error names
BUILTIN_VERSIONS = {"Service": "v1", "Node": "v1", "ServiceCIDR": "v1"}
BUILTIN_VERSIONS.update((kind, api_version.rpartition("/")[2]) for kind, api_version in POD_SPEC_API_VERSIONS.items())

OTHER_KINDS = {
    "Service": validate_service,
    "Node": dualstack.validate_node,
    "ServiceCIDR": dualstack.validate_service_cidr,
    "Gateway": validate_gateway,
    "GKEIPRoute": validate_gkeiproute,
}

SUPPORTED_KINDS = sorted(list(POD_SPEC_PATHS) + list(OTHER_KINDS))


def pod_spec(obj: dict) -> tuple[dict | None, str | None]:
    """``(spec, path)`` of the pod spec inside a Pod or workload object, or ``(None, None)``."""
    path = POD_SPEC_PATHS.get(optional(obj.get("kind"), str, "resource.kind", ""))
    if path is None:
        return None, None
    node = obj
    for i, part in enumerate(path):
        node = optional(node.get(part), dict, ".".join(path[:i + 1]), {})
    return node, ".".join(path)


def pod_spec_patch(reference: dict, spec: dict) -> dict:
    """The smallest object of ``reference`` (``{kind, name, namespace?, apiVersion?}``; other keys are
    ignored) that carries ``spec`` at the kind's pod spec path: a server-side apply patch."""
    expect(reference, dict, "reference")
    kind = expect(reference.get("kind"), str, "reference.kind")
    if kind not in POD_SPEC_PATHS:
        raise InputError("reference.kind %r has no pod spec; kinds with one: %s" % (kind, ", ".join(sorted(POD_SPEC_PATHS))))
    name = expect(reference.get("name"), str, "reference.name")
    if not name:
        raise InputError("reference.name must not be empty")
    metadata = {"name": name}
    namespace = optional(reference.get("namespace"), str, "reference.namespace", "")
    if namespace:
        metadata["namespace"] = namespace
    api_version = optional(reference.get("apiVersion"), str, "reference.apiVersion", "") or POD_SPEC_API_VERSIONS[kind]
    patch = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    node, path = patch, POD_SPEC_PATHS[kind]
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = copy.deepcopy(expect(spec, dict, "spec"))
    return patch


def validation_errors(obj: dict, patch: bool = False) -> list:
    """Every apiserver validation error this collection reproduces for ``obj`` (a list of FieldError),
    each text once from 1.37 (releases.RULES ErrorTextsOnce): every kind's strategy runs declarative validation,
    whose handling of the handwritten errors (``ErrorList.Filter``, through ``ToAggregate``) drops repeated texts.

    With ``patch``, ``obj`` is a server-side apply patch (such as :func:`pod_spec_patch` builds): only the
    rules on the pod spec fields it carries apply. The workload's own rules (selector, template labels,
    counts, restart policy per kind) judge the merged object, which only the server has."""
    errors = _validation_errors(obj, expect(patch, bool, "patch"))
    if releases.current().rule("ErrorTextsOnce"):
        return list(dict.fromkeys(errors))
    return list(errors)


def _validation_errors(obj, patch):
    expect(obj, dict, "resource")
    kind = optional(obj.get("kind"), str, "resource.kind", "")
    decoding = go_decode.decoding_error(obj, kind)
    if decoding is not None:
        # handlers.transformDecodeError: the request fails before any validation rule runs
        return ["%s in version %s cannot be handled as a %s: %s" % (kind, go_quote(BUILTIN_VERSIONS[kind]), kind, decoding)]
    if kind in POD_SPEC_PATHS:
        spec, path = pod_spec(obj)
        # A Pod's status is dropped on create (PrepareForCreate): it is never validated here.
        pod_errors = workloads.validate_pod_spec(spec, path, kind)
        return pod_errors if patch else workloads.validate_workload(obj, kind, pod_errors)
    if kind in OTHER_KINDS:
        return OTHER_KINDS[kind](obj)
    raise InputError("resource kind %r is not one this collection validates; supported kinds: %s"
                     % (kind, ", ".join(SUPPORTED_KINDS)))

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The pod spec rules of ``ValidatePodSpec`` this collection covers, and the rules of each workload
kind around its pod template: counts, selector, template labels, restart policy.

Pure Python, no Ansible imports. The objects are decoded ones (``go_decode`` has refused values of the
wrong type), taken with the defaults kube-apiserver applies on create. Sources: kubernetes
``pkg/apis/core/validation/validation.go`` (``ValidatePodSpec``, ``validateRestartPolicy``,
``ValidateReplicationControllerSpec``, ``ValidatePodTemplateSpecForRC``), ``pkg/apis/apps/validation``
(``ValidateDeploymentSpec``, ``ValidateReplicaSetSpec``, ``ValidateStatefulSetSpec``,
``ValidateDaemonSetSpec``, ``ValidatePodTemplateSpecForReplicaSet``), ``pkg/apis/batch/validation``
(``validateJobSpec``), the v1 defaults (``pkg/apis/core/v1``, ``apps/v1``, ``batch/v1`` ``defaults.go``)
and, for where an error lands in the list, the declarative validation kube-apiserver 1.37 runs after
the handwritten one (``rest.ValidateDeclarativelyWithMigrationChecks``: an error it takes over moves to
the end).
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import hosts, pod_resources, ports
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.exposure import validate_volumes_and_containers
from ansible_collections.clusternet.k8s.plugins.module_utils.label_selector import compile_selector
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    child, forbidden, invalid, not_supported, required)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import GoSyntax, go_struct
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.selectors import validate_label_selector

ALWAYS, ON_FAILURE, NEVER = "Always", "OnFailure", "Never"
NEGATIVE = "must be greater than or equal to 0"


def validate_pod_spec(spec: dict, path: str, kind: str = "Pod") -> list:
    """The ``ValidatePodSpec`` rules this collection covers, in upstream order: volumes and containers
    (Downward API, ports), the pod-level resources (``validatePodResources``), ``validatePodHostNetworkDeps``, ``validateRestartPolicy``, then hostnameOverride,
    hostname, subdomain and hostAliases. A StatefulSet's template is validated without its hostname
    and subdomain (the controller overwrites them: pod name, serviceName)."""
    if kind == "StatefulSet":
        spec = {key: value for key, value in spec.items() if key not in ("hostname", "subdomain")}
    errors = validate_volumes_and_containers(spec, path, with_ports=True, is_pod=kind == "Pod")
    errors += pod_resources.validate_pod_resources(spec, path, is_pod=kind == "Pod")
    errors += ports.validate_host_network_ports(spec, path, kind == "Pod")
    errors += validate_restart_policy(restart_policy(spec), child(path, "restartPolicy"))
    return errors + hosts.validate_pod_host_fields(spec, path)


def restart_policy(spec: dict) -> str:
    """``SetDefaults_PodSpec``: Always when unset or empty."""
    value = spec.get("restartPolicy")
    return value if isinstance(value, str) and value else ALWAYS


def validate_restart_policy(policy: str, path: str) -> list:
    """``validateRestartPolicy``."""
    if policy in (ALWAYS, ON_FAILURE, NEVER):
        return []
    if not policy:
        return [required(path)]
    return [not_supported(path, policy, [ALWAYS, ON_FAILURE, NEVER])]


def _get(node, *keys):
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _nonnegative(spec, name, path, default=0):
    """``ValidateNonnegativeField`` of an int32 field (``default`` when unset)."""
    value = spec.get(name)
    value = default if value is None else value
    return [invalid(child(path, name), value, NEGATIVE)] if value < 0 else []


def _template_labels(template):
    """The template's labels: ``None`` (Go's nil map) when unset."""
    return _get(template, "metadata", "labels")


def _matches(selector, labels):
    return compile_selector(selector)(labels or {})


def _selector_is_empty(selector):
    return selector is not None and not (selector.get("matchLabels") or selector.get("matchExpressions"))


def _selector_value(selector):
    """A ``*metav1.LabelSelector`` as ``field.Invalid`` prints it: ``json.Marshal`` of the struct, its
    fields in declaration order, empty ones omitted."""
    fields = []
    if selector.get("matchLabels"):
        fields.append(("matchLabels", selector["matchLabels"]))
    if selector.get("matchExpressions"):
        fields.append(("matchExpressions", GoSyntax("[%s]" % ",".join(
            go_struct([(name, item.get(name)) for name in ("key", "operator", "values")
                       if name != "values" or item.get("values")]).text for item in selector["matchExpressions"]))))
    return go_struct(fields)


def _template_rules(kind, template, path, selector_checks, pod_errors):
    """``ValidatePodTemplateSpecForReplicaSet``/``ForStatefulSet``/``ForRC`` and the DaemonSet's: the
    template labels against the selector, the template's own rules, then restart policy Always and no
    activeDeadlineSeconds."""
    spec_path = child(path, "spec")
    errors = list(selector_checks)
    errors += pod_errors
    policy = restart_policy(_get(template, "spec") or {})
    if policy != ALWAYS:
        errors.append(not_supported(child(spec_path, "restartPolicy"), policy, [ALWAYS]))
    if _get(template, "spec", "activeDeadlineSeconds") is not None:
        errors.append(forbidden(child(spec_path, "activeDeadlineSeconds"), "activeDeadlineSeconds in %s is not Supported" % kind))
    return errors


def _label_mismatch(path, template):
    return invalid(child(path, "metadata", "labels"), _template_labels(template), "`selector` does not match template `labels`")


def _apps_selector(spec, path, kind_word):
    """The selector checks of Deployment, ReplicaSet and StatefulSet: required, valid, not empty.
    Returns ``(errors, usable)``: ``usable`` is false when ``LabelSelectorAsSelector`` fails (a selector
    ``ValidateLabelSelector`` refuses), and then the template is not validated at all."""
    selector = spec.get("selector")
    if selector is None:
        return [required(child(path, "selector"))], True
    errors = validate_label_selector(selector, child(path, "selector"))
    usable = not errors
    if _selector_is_empty(selector):
        errors.append(invalid(child(path, "selector"), _selector_value(selector), "empty selector is invalid for " + kind_word))
    return errors, usable


def _selected_mismatch(selector, template, template_path):
    """A selector that selects something (nil selects nothing) must match the template's labels."""
    if _selector_is_empty(selector):
        return []
    if selector is None or not _matches(selector, _template_labels(template)):
        return [_label_mismatch(template_path, template)]
    return []


def validate_workload(obj: dict, kind: str, pod_errors: list) -> list:
    """The workload rules of ``kind`` around ``pod_errors`` (its template's pod spec errors), in the
    order kube-apiserver reports them."""
    spec = obj.get("spec") or {}
    path = "spec"
    template_path = child(path, "template")
    template = spec.get("template") or {}
    selector = spec.get("selector")
    if kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        errors = _nonnegative(spec, "replicas", path, 1)
        if kind != "Deployment":
            errors += _nonnegative(spec, "minReadySeconds", path)
        selector_errors, usable = _apps_selector(spec, path, "statefulset" if kind == "StatefulSet" else "deployment")
        errors += selector_errors
        if usable:
            errors += _template_rules("StatefulSet" if kind == "StatefulSet" else "ReplicaSet", template, template_path,
                                      _selected_mismatch(selector, template, template_path), pod_errors)
        else:
            errors.append(invalid(child(path, "selector"), _selector_value(selector),
                                  "" if kind == "StatefulSet" else "invalid label selector"))
            if kind == "StatefulSet":  # checked outside the template's validation
                errors += _template_rules("StatefulSet", template, template_path, [], [])
        if kind == "Deployment":
            errors += _nonnegative(spec, "minReadySeconds", path) + _nonnegative(spec, "revisionHistoryLimit", path, 10)
        return errors
    if kind == "DaemonSet":
        errors = [] if selector is None else validate_label_selector(selector, child(path, "selector"))
        if not errors and (selector is None or not _matches(selector, _template_labels(template))):
            errors.append(_label_mismatch(template_path, template))
        if _selector_is_empty(selector):
            errors.append(invalid(child(path, "selector"), _selector_value(selector), "empty selector is invalid for daemonset"))
        errors = _template_rules("DaemonSet", template, template_path, errors, pod_errors)
        return errors + _nonnegative(spec, "minReadySeconds", path) + _nonnegative(spec, "revisionHistoryLimit", path, 10)
    if kind == "ReplicationController":
        labels = _template_labels(template)
        selector = spec.get("selector") or (labels if labels is not None else None)  # SetDefaults_ReplicationController
        errors = [] if selector else [required(child(path, "selector"))]
        mismatch = []
        if selector and any((labels or {}).get(key) != value for key, value in selector.items()):
            mismatch = [_label_mismatch(template_path, template)]
        errors += _template_rules("ReplicationController", template, template_path, mismatch, pod_errors)
        # declarative validation took these over: reported last
        return errors + _nonnegative(spec, "replicas", path, 1) + _nonnegative(spec, "minReadySeconds", path)
    if kind in ("Job", "CronJob"):
        job_spec = spec if kind == "Job" else _get(spec, "jobTemplate", "spec") or {}
        job_path = path if kind == "Job" else child(path, "jobTemplate", "spec")
        return pod_errors + _job_restart_policy(job_spec, child(job_path, "template", "spec", "restartPolicy"))
    return pod_errors


def _job_restart_policy(job_spec, path):
    """``validateJobSpec``: a Job's pods restart OnFailure or Never."""
    policy = restart_policy(_get(job_spec, "template", "spec") or {})
    if policy == ALWAYS:
        return [required(path, 'valid values: "OnFailure", "Never"')]
    if policy not in (ON_FAILURE, NEVER):
        return [not_supported(path, policy, [ON_FAILURE, NEVER])]
    if job_spec.get("podFailurePolicy") is not None and policy != NEVER:
        return [invalid(path, policy, 'only "Never" is supported when podFailurePolicy is specified')]
    return []

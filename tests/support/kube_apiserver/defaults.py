"""Defaulting the apiserver does itself: decode-time ``SetDefaults_*`` and the registry's create-time status.

Decode-time defaults run before field management (the writer owns them); create-time ones after.
"""
import decimal
import re

_SUFFIXES = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60, "n": decimal.Decimal("1e-9"),
             "u": decimal.Decimal("1e-6"), "m": decimal.Decimal("1e-3"), "": 1, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9,
             "T": 10 ** 12, "P": 10 ** 15, "E": 10 ** 18}


def quantity(value):
    """A resource quantity as a number ("500m" -> 0.5, "1Gi" -> 1073741824); only equality matters here."""
    match = re.fullmatch(r"([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?", str(value).strip())
    if not match:
        return str(value)
    return decimal.Decimal(match.group(1)) * _SUFFIXES[match.group(2) or ""]


def _image_pull_policy(image):
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def pod_spec(spec):
    """SetDefaults_PodSpec and SetDefaults_Container."""
    for key, value in (("restartPolicy", "Always"), ("dnsPolicy", "ClusterFirst"), ("schedulerName", "default-scheduler"),
                       ("terminationGracePeriodSeconds", 30), ("securityContext", {}), ("enableServiceLinks", True)):
        spec.setdefault(key, value)
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("imagePullPolicy", _image_pull_policy(container.get("image", "")))
        container.setdefault("resources", {})
        for port in container.get("ports") or []:
            port.setdefault("protocol", "TCP")
            if spec.get("hostNetwork"):
                port.setdefault("hostPort", port.get("containerPort"))


def service_spec(spec):
    """SetDefaults_Service: the fields a Service gets before any allocation."""
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {}).setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def _workload(obj):
    spec = obj.setdefault("spec", {})
    if obj["kind"] in ("Deployment", "StatefulSet", "ReplicaSet"):
        spec.setdefault("replicas", 1)
    pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))


def _replication_controller(obj):
    """SetDefaults_ReplicationController: selector and labels from the template's labels, one replica."""
    spec = obj.setdefault("spec", {})
    template = spec.get("template")
    labels = (template or {}).get("metadata", {}).get("labels")
    if labels is not None:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        if not obj["metadata"].get("labels"):
            obj["metadata"]["labels"] = dict(labels)
    spec.setdefault("replicas", 1)
    if template is not None:
        pod_spec(template.setdefault("spec", {}))


def _job_spec(spec):
    """SetDefaults_Job's spec part."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 2 ** 31 - 1 if spec.get("backoffLimitPerIndex") is not None else 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    for rule in (spec.get("podFailurePolicy") or {}).get("rules") or []:
        for pattern in rule.get("onPodConditions") or []:
            pattern.setdefault("status", "True")
    spec.setdefault("podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed")
    spec.setdefault("manualSelector", False)


def _job(obj):
    spec = obj.setdefault("spec", {})
    _job_spec(spec)
    template = spec.setdefault("template", {})
    labels = template.get("metadata", {}).get("labels")
    if labels is not None and not obj["metadata"].get("labels"):
        obj["metadata"]["labels"] = dict(labels)
    pod_spec(template.setdefault("spec", {}))


def _cron_job(obj):
    """SetDefaults_CronJob; the job template gets pod defaults only (SetDefaults_Job is for Jobs themselves)."""
    spec = obj.setdefault("spec", {})
    for key, value in (("concurrencyPolicy", "Allow"), ("suspend", False), ("successfulJobsHistoryLimit", 3), ("failedJobsHistoryLimit", 1)):
        spec.setdefault(key, value)
    job = spec.setdefault("jobTemplate", {}).setdefault("spec", {})
    pod_spec(job.setdefault("template", {}).setdefault("spec", {}))


def job_selector(job):
    """The Job strategy's generateSelector on create (unless ``manualSelector``): the template gets the job-name
    and controller-uid labels, the selector matches the controller-uid."""
    spec = job["spec"]
    if spec.get("manualSelector"):
        return
    meta = job["metadata"]
    labels = spec.setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {})
    for key in ("job-name", "batch.kubernetes.io/job-name"):
        labels.setdefault(key, meta["name"])
    for key in ("controller-uid", "batch.kubernetes.io/controller-uid"):
        labels.setdefault(key, meta["uid"])
    spec.setdefault("selector", {}).setdefault("matchLabels", {}).setdefault("batch.kubernetes.io/controller-uid", meta["uid"])


def _namespace(obj):
    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])


DECODE = {
    "Pod": lambda obj: pod_spec(obj.setdefault("spec", {})),
    "Service": lambda obj: service_spec(obj.setdefault("spec", {})),
    "Namespace": _namespace,
    "Deployment": _workload,
    "StatefulSet": _workload,
    "DaemonSet": _workload,
    "ReplicaSet": _workload,
    "ReplicationController": _replication_controller,
    "PodTemplate": lambda obj: pod_spec(obj.setdefault("template", {}).setdefault("spec", {})),
    "Job": _job,
    "CronJob": _cron_job,
}
# The status a new object gets: its Go type's zero value, with the fields Go marshals even when zero.
ZERO_STATUS = {
    "ReplicaSet": {"replicas": 0},
    "ReplicationController": {"replicas": 0},
    "StatefulSet": {"replicas": 0, "availableReplicas": 0},
    "DaemonSet": {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0},
}


def decode_defaults(res, obj):
    if not res.crd and res.kind in DECODE:
        DECODE[res.kind](obj)


def _qos_class(spec):
    """The pod's QoS class (GetPodQOS): Guaranteed when every container's cpu/memory limits equal its requests."""
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for res in resources:
        limits = res.get("limits") or {}
        requests = dict(limits, **(res.get("requests") or {}))
        for name in ("cpu", "memory"):
            if name not in limits or quantity(requests[name]) != quantity(limits[name]):
                return "Burstable"
    return "Guaranteed"


def create_status(res, obj):
    """The status a registry strategy writes on create (PrepareForCreate)."""
    if res.crd or res.kind == "Node":
        if res.crd and res.status:
            obj.pop("status", None)
        return
    if res.kind == "Pod":
        obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj.get("spec") or {})}
    elif res.kind == "Namespace":
        obj["status"] = {"phase": "Active"}
    elif res.kind == "Service":
        obj["status"] = {"loadBalancer": {}}
    elif res.status:
        obj["status"] = dict(ZERO_STATUS.get(res.kind, {}))

"""Objects for validation_errors: every kind the filter accepts, valid except in the fields whose rules
the filter covers (and, with ``hostile``, values of the wrong OpenAPI type or out of range, and broken
pod templates), so that the apiserver's error list is exactly what the filter must return."""
from __future__ import annotations

import copy
import ipaddress

from hypothesis import strategies as st

from .strategies import (BAD_IP, CANONICAL_V4, CANONICAL_V6, DIVISOR, IP, LABEL, NONCANONICAL_V4, NONCANONICAL_V6,
                         SUBDOMAIN, VALID_IP, VALID_LABEL, VALID_SUBDOMAIN, _weighted)

# The test control plane's service ranges (tests/support/kube_cluster.py), which judge Services.
SERVICE_NETS = [ipaddress.ip_network("10.96.0.0/16"), ipaddress.ip_network("fd00:10:96::/112")]

ENV_FIELD_PATHS = st.sampled_from([
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
    "status.hostIPs", "status.podIP", "status.podIPs", "metadata.labels", "metadata.annotations", "metadata.labels['a']",
    "metadata.annotations['x']", "metadata.labels['Bad Key']", "metadata.annotations['Upper/x']", "spec.host",
    "status.phase", "spec.restartPolicy", "metadata.generateName", "", "bogus", "metadata.labels[a]", "['x']",
    "metadata.name['x']"])
VOLUME_FIELD_PATHS = st.sampled_from([
    "metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels", "metadata.annotations",
    "metadata.labels['a']", "metadata.annotations['x']", "spec.nodeName", "status.podIP", "", "bogus",
    "metadata.labels['a b']"])
RESOURCES = st.sampled_from(["limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu",
                             "requests.memory", "requests.ephemeral-storage", "limits.hugepages-2Mi",
                             "requests.hugepages-1Gi", "limits.nvidia.com/gpu", "", "cpu"])
API_VERSIONS = st.sampled_from([None, None, "v1", "v2", ""])


def _maybe(draw, key, strategy, target, odds=2):
    if draw(st.integers(min_value=1, max_value=odds)) == 1:
        target[key] = draw(strategy)


@st.composite
def env_var(draw, containers):
    entry = {"name": draw(st.sampled_from(["A", "B_2", "POD_NAME", "x.y"]))}
    kind = draw(st.sampled_from(["value", "field", "field", "resource", "resource", "both", "empty"]))
    value_from = {}
    if kind == "value":
        entry["value"] = "v"
        return entry
    if kind in ("field", "both"):
        ref = {"fieldPath": draw(ENV_FIELD_PATHS)}
        version = draw(API_VERSIONS)
        if version is not None:
            ref["apiVersion"] = version
        value_from["fieldRef"] = ref
    if kind in ("resource", "both"):
        ref = {"resource": draw(RESOURCES)}
        _maybe(draw, "divisor", DIVISOR, ref)
        _maybe(draw, "containerName", st.sampled_from(containers + ["missing"]), ref, 3)
        value_from["resourceFieldRef"] = ref
    entry["valueFrom"] = value_from
    return entry


@st.composite
def volume_items(draw, containers):
    items = []
    for _i in range(draw(st.integers(min_value=0, max_value=3))):
        item = {"path": draw(st.sampled_from(["a", "b/c", "/abs", "../up", "..x", "a/../b", "", "x..", "d//e"]))}
        kind = draw(st.sampled_from(["field", "field", "resource", "both", "none"]))
        if kind in ("field", "both"):
            ref = {"fieldPath": draw(VOLUME_FIELD_PATHS)}
            version = draw(API_VERSIONS)
            if version is not None:
                ref["apiVersion"] = version
            item["fieldRef"] = ref
        if kind in ("resource", "both"):
            ref = {"resource": draw(RESOURCES)}
            _maybe(draw, "divisor", DIVISOR, ref)
            _maybe(draw, "containerName", st.sampled_from(containers + [""]), ref, 1)
            item["resourceFieldRef"] = ref
        _maybe(draw, "mode", st.sampled_from([0, 0o644, 0o777, 0o1000, -1, 511]), item, 4)
        items.append(item)
    return items


@st.composite
def volumes(draw, containers):
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=2))):
        name = "v%d" % i
        kind = draw(st.sampled_from(["downward", "downward", "projected", "twice"]))
        if kind == "downward":
            source = {"items": draw(volume_items(containers))}
            _maybe(draw, "defaultMode", st.sampled_from([0o644, 0o1000, -1]), source, 4)
            out.append({"name": name, "downwardAPI": source})
        elif kind == "projected":
            sources = [{"downwardAPI": {"items": draw(volume_items(containers))}}]
            if draw(st.integers(min_value=0, max_value=3)) == 0:
                sources.append({"downwardAPI": {"items": draw(volume_items(containers))}, "configMap": {"name": "cm"}})
            out.append({"name": name, "projected": {"sources": sources}})
        else:
            out.append({"name": name, "emptyDir": {}, "downwardAPI": {"items": draw(volume_items(containers))}})
    return out


PORT_NUMBER = _weighted((6, st.sampled_from([80, 8080, 443, 1, 65535])), (1, st.sampled_from([0, -1, 65536, 99999, 2 ** 31 - 1])))
CONTAINER_PORT = st.fixed_dictionaries(
    {"containerPort": PORT_NUMBER},
    optional={"name": st.sampled_from(["http", "metrics", "HTTP", "a--b", "-a", "1234", "a" * 16]),
              "hostPort": _weighted((4, st.sampled_from([0, 80, 8080, 9000])), (1, st.sampled_from([-1, 65536, 70000]))),
              "protocol": st.sampled_from(["TCP", "UDP", "SCTP"])})
SERVICE_PORT = st.fixed_dictionaries(
    {"port": PORT_NUMBER},
    optional={"name": st.sampled_from(["http", "metrics", "HTTP", "a--b", "-a", "1234", "web.x", "a" * 16]),
              "targetPort": _weighted((3, PORT_NUMBER), (2, st.sampled_from(["http", "", "HTTP", "a--b", "-a", "1234", "p" * 16])))})
RESTART_POLICY = st.sampled_from(["Always", "OnFailure", "Never", "", "Bogus", "always"])

ALIAS = st.fixed_dictionaries({"ip": _weighted((3, VALID_IP), (1, NONCANONICAL_V4), (1, NONCANONICAL_V6), (1, BAD_IP))},
                              optional={"hostnames": st.lists(_weighted((4, VALID_SUBDOMAIN), (1, SUBDOMAIN)), max_size=2)})


@st.composite
def pod_specs(draw):
    names = ["app", "side"][:draw(st.integers(min_value=1, max_value=2))]
    vols = draw(volumes(names))
    spec = {}
    if vols:
        spec["volumes"] = vols

    def container(name):
        c = {"name": name, "image": "registry.example/app:1"}
        env = draw(st.lists(env_var(names), max_size=3))
        if env:
            c["env"] = env
        mounts = [{"name": v["name"], "mountPath": "/m/%s" % v["name"]} for v in vols if draw(st.booleans())]
        if mounts:
            c["volumeMounts"] = mounts
        if draw(st.integers(min_value=0, max_value=2)) == 0:
            c["ports"] = draw(st.lists(CONTAINER_PORT, min_size=1, max_size=2))
        return c

    spec["containers"] = [container(n) for n in names]
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        spec["initContainers"] = [container("init")]
    _maybe(draw, "hostname", LABEL, spec, 3)
    _maybe(draw, "subdomain", LABEL, spec, 3)
    _maybe(draw, "hostAliases", st.lists(ALIAS, max_size=2), spec, 3)
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        spec["hostnameOverride"] = draw(SUBDOMAIN)
        _maybe(draw, "setHostnameAsFQDN", st.booleans(), spec, 2)
    _maybe(draw, "hostNetwork", st.booleans(), spec, 4)
    _maybe(draw, "restartPolicy", RESTART_POLICY, spec, 4)
    return spec


LABELS = {"app": "web"}
WORKLOADS = {
    "Deployment": ("apps/v1", ("spec", "template")),
    "StatefulSet": ("apps/v1", ("spec", "template")),
    "DaemonSet": ("apps/v1", ("spec", "template")),
    "ReplicaSet": ("apps/v1", ("spec", "template")),
    "Job": ("batch/v1", ("spec", "template")),
    "CronJob": ("batch/v1", ("spec", "jobTemplate", "spec", "template")),
    "ReplicationController": ("v1", ("spec", "template")),
    "PodTemplate": ("v1", ("template",)),
}


def workload(kind, pod_spec, name="w"):
    """A valid workload of ``kind`` around ``pod_spec``: the selector matches the template's labels and
    the restart policy is one the kind allows."""
    api_version, path = WORKLOADS[kind]
    spec = dict(pod_spec)
    if kind in ("Job", "CronJob"):
        spec["restartPolicy"] = "Never"
    template = {"metadata": {"labels": dict(LABELS)}, "spec": spec}
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}
    node = obj
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = template
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        obj["spec"]["selector"] = {"matchLabels": dict(LABELS)}
    elif kind == "ReplicationController":
        obj["spec"]["selector"] = dict(LABELS)
    if kind == "StatefulSet":
        obj["spec"]["serviceName"] = "web"
    if kind == "CronJob":
        obj["spec"]["schedule"] = "*/5 * * * *"
    return obj


@st.composite
def pods_and_workloads(draw):
    spec = draw(pod_specs())
    kind = draw(st.sampled_from(["Pod", "Pod", "Pod"] + sorted(WORKLOADS)))
    if kind == "Pod":
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
        if draw(st.integers(min_value=0, max_value=3)) == 0:  # never validated on create: kube-apiserver drops it
            pod["status"] = {"podIPs": [{"ip": draw(IP)}]}
        return pod
    restart_policy = spec.get("restartPolicy")
    obj = workload(kind, spec)
    if draw(st.integers(min_value=0, max_value=2)) == 0:
        _workload_rules(draw, obj, restart_policy)
    return obj


SELECTORS = st.sampled_from([
    {"matchLabels": {"app": "db"}}, {"matchLabels": {}}, {}, {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
    {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, {"matchLabels": {"app": "web", "tier": "x"}},
    {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, None])
TEMPLATE_LABELS = st.sampled_from([{}, {"app": "db"}, {"app": "web", "tier": "x"}, None])
NONNEGATIVE = st.sampled_from([0, 1, 3, -1, -100])


def _workload_rules(draw, obj, restart_policy):
    """Break the workload rules around the pod template: counts, selector, template labels, restart policy."""
    kind = obj["kind"]
    spec = obj.get("spec") if kind != "PodTemplate" else None
    template = obj["template"] if kind == "PodTemplate" else None
    if kind in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
        _maybe(draw, "replicas", NONNEGATIVE, spec)
    if kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "ReplicationController"):
        _maybe(draw, "minReadySeconds", NONNEGATIVE, spec, 3)
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        _maybe(draw, "revisionHistoryLimit", NONNEGATIVE, spec, 3)
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet") and draw(st.booleans()):
        selector = copy.deepcopy(draw(SELECTORS))
        if selector is None:
            del spec["selector"]
        else:
            spec["selector"] = selector
    if kind == "ReplicationController" and draw(st.booleans()):
        selector = copy.deepcopy(draw(st.sampled_from([{"app": "db"}, {}, None, {"app": "web", "tier": "x"}])))
        if selector is None:
            del spec["selector"]
        else:
            spec["selector"] = selector
    if template is None:
        template = spec["jobTemplate"]["spec"]["template"] if kind == "CronJob" else spec["template"]
    if draw(st.booleans()):
        labels = copy.deepcopy(draw(TEMPLATE_LABELS))
        if labels is None:
            del template["metadata"]["labels"]
        else:
            template["metadata"]["labels"] = labels
    if restart_policy is not None:
        template["spec"]["restartPolicy"] = restart_policy
    elif draw(st.booleans()):
        template["spec"].pop("restartPolicy", None)


@st.composite
def service_address(draw):
    net = draw(st.sampled_from(SERVICE_NETS))
    # not .0/::, not the kubernetes Service's first address, inside the range: allocatable
    address = net.network_address + draw(st.integers(min_value=2, max_value=200))
    text = str(address) if address.version == 4 else address.compressed
    return draw(_weighted((6, st.just(text)), (1, st.sampled_from(["None", "", "10.96.0.300", "::ffff:10.96.0.9",
                                                                   "010.96.0.9", "fd00:10:96:0::9"]))))


@st.composite
def services(draw):
    spec = {}
    kind = draw(st.sampled_from(["ClusterIP", "ClusterIP", "NodePort", "LoadBalancer", "ExternalName", None, "Bogus"]))
    if kind is not None:
        spec["type"] = kind
    if kind == "ExternalName":
        spec["externalName"] = draw(st.sampled_from(["db.example.com", "db.example.com.", "Bad_Name", ""]))
    else:
        spec["ports"] = draw(_weighted((4, st.just([{"port": 80}])), (1, st.lists(SERVICE_PORT, max_size=2))))
        if kind in ("NodePort", "LoadBalancer"):
            # two ports with one number get one node port, a Duplicate the filter does not report (the node
            # port is picked at random)
            spec["ports"] = list({port["port"]: port for port in spec["ports"]}.values())
    if draw(st.integers(min_value=0, max_value=3)):
        spec["selector"] = {"app": "web"}
    _maybe(draw, "ipFamilyPolicy", st.sampled_from(["SingleStack", "PreferDualStack", "RequireDualStack", "Bogus", ""]), spec)
    _maybe(draw, "ipFamilies", st.lists(st.sampled_from(["IPv4", "IPv6", "IPv4", "IPv5"]), max_size=3), spec, 3)
    ips = draw(st.sampled_from(["none", "none", "clusterIP", "clusterIPs", "both", "headless"]))
    picked = draw(st.lists(service_address(), min_size=1, max_size=3))
    if ips == "clusterIP":
        spec["clusterIP"] = picked[0]
    elif ips == "clusterIPs":
        spec["clusterIPs"] = picked
    elif ips == "both":
        spec["clusterIP"] = draw(st.sampled_from([picked[0], picked[-1]]))
        spec["clusterIPs"] = picked
    elif ips == "headless":
        spec["clusterIP"] = "None"
        _maybe(draw, "clusterIPs", st.sampled_from([["None"], ["None", picked[0]]]), spec)
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": spec}


CIDR_TEXT = _weighted(
    (4, st.sampled_from(["10.244.1.0/24", "10.244.2.0/24", "fd00:10:244:1::/64", "fd00:10:244:2::/64"])),
    (1, st.sampled_from(["10.244.1.1/24", "010.244.1.0/24", "::ffff:10.244.1.0/120", "fd00:10:244:1:0::/64", "x", "",
                         "10.244.1.0", "10.244.1.0/33", "FD00:10:244:1::/64"])))


@st.composite
def nodes(draw):
    obj = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}
    if draw(st.integers(min_value=0, max_value=4)):
        obj["spec"] = {"podCIDRs": draw(st.lists(CIDR_TEXT, max_size=3))}
    return obj


@st.composite
def service_cidrs(draw):
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR", "metadata": {"name": "extra"}}
    if draw(st.integers(min_value=0, max_value=4)):
        obj["spec"] = {"cidrs": draw(st.lists(CIDR_TEXT, max_size=3))}
    return obj


BUILTIN = st.one_of(pods_and_workloads(), pods_and_workloads(), services(), nodes(), service_cidrs())

# --- hostile: values of the wrong JSON type, numbers a Go integer cannot hold ----------------------
# The mutations keep every value that still decodes within the rules the filter covers: a replaced
# value changes its JSON type (or is a number out of range), an added field gets a value that does
# not decode into its Go type.

NOT_NUMBER = ["two", "80", "", True, False, {}, {"a": 1}, [], ["x"], [1]]
BAD_INT32 = [1.5, 2.0, 1e20, 3000000000, -2147483649, 2 ** 63]
BAD_INT64 = [1.5, 2.0, 1e20, 2 ** 63, -(2 ** 63) - 1]
WRONG = {
    "int32": NOT_NUMBER + BAD_INT32,
    "int64": NOT_NUMBER + BAD_INT64,
    "bool": ["true", "", 0, 1, 1.5, {}, []],
    "string": [1, 0, -1, 1.5, True, {}, {"a": "b"}, [], ["a"]],
    "intstr": [True, False, 1.5, 2.0, 3000000000, -2147483649, {}, {"a": 1}, [], [80]],
    "quantity": ["1x", "", "two", "1.5.5", "0x10", "1e", "--1", "1Gi ", "+", True, {}, {"a": 1}, [], ["1"], "1 m"],
    "time": [1, 0, 1.5, True, {}, []],
    "labels": ["a", 1, True, [], ["a"], {"a": 1}, {"a": True}, {"a": {}}, {"a": []}],
    "list": ["a", 1, True, {}, {"a": 1}],
    "object": ["a", 1, True, [], ["a"]],
}

# Fields an object may also carry, of every Go kind the decoder handles, where they are not yet set:
# (kinds (None: every kind), path, JSON type)
EXTRA_FIELDS = [
    (("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"), ("spec", "replicas"), "int32"),
    (("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController"), ("spec", "minReadySeconds"), "int32"),
    (("Deployment",), ("spec", "strategy", "rollingUpdate", "maxSurge"), "intstr"),
    (("Deployment",), ("spec", "paused"), "bool"),
    (("Job",), ("spec", "backoffLimit"), "int32"),
    (("Job",), ("spec", "activeDeadlineSeconds"), "int64"),
    (("CronJob",), ("spec", "suspend"), "bool"),
    (("Service",), ("spec", "sessionAffinity"), "string"),
    (("Service",), ("spec", "publishNotReadyAddresses"), "bool"),
    (("Service",), ("spec", "externalIPs"), "list"),
    (("Node",), ("spec", "unschedulable"), "bool"),
    (("Node",), ("spec", "taints"), "list"),
    ((None,), ("metadata", "labels"), "labels"),
    ((None,), ("metadata", "annotations"), "labels"),
    ((None,), ("metadata", "generation"), "int64"),
    ((None,), ("metadata", "creationTimestamp"), "time"),
    ((None,), ("metadata", "finalizers"), "list"),
    ((None,), ("metadata", "ownerReferences"), "list"),
]
POD_EXTRA_FIELDS = [
    (("hostNetwork",), "bool"), (("terminationGracePeriodSeconds",), "int64"), (("priority",), "int32"),
    (("nodeSelector",), "labels"), (("tolerations",), "list"), (("securityContext", "runAsUser"), "int64"),
    (("securityContext", "supplementalGroups"), "list"), (("dnsConfig", "options"), "list"), (("affinity",), "object"),
]
CONTAINER_EXTRA_FIELDS = [
    (("image",), "string"), (("args",), "list"), (("stdin",), "bool"), (("resources", "limits"), "labels"),
    (("resources", "requests", "cpu"), "quantity"), (("resources", "limits", "memory"), "quantity"),
    (("livenessProbe", "httpGet", "port"), "intstr"), (("readinessProbe", "tcpSocket", "port"), "intstr"),
    (("livenessProbe", "periodSeconds"), "int32"), (("securityContext", "privileged"), "bool"),
    (("securityContext", "runAsGroup"), "int64"), (("lifecycle", "preStop", "sleep", "seconds"), "int64"),
    (("ports",), "list"),
]


def _json_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def _positions(node, path=()):
    """Every (parent, key) of the object but apiVersion and kind (they select the kind)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not path and key in ("apiVersion", "kind"):
                continue
            yield node, key
            yield from _positions(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield node, i
            yield from _positions(value, path + (i,))


def _add(node, path, value):
    """Set ``path`` (creating objects on the way) unless something is already there."""
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return
        node = child
    node.setdefault(path[-1], value)


REPLACEMENTS = st.sampled_from(NOT_NUMBER + BAD_INT32 + [1, 0, -1, 1.5, 2 ** 63])


@st.composite
def hostile_objects(draw):
    """A BUILTIN object with one to three values replaced or added: of the wrong JSON type, a number out
    of its Go type's range, or (through a Quantity or IntOrString) a text it does not parse."""
    obj = copy.deepcopy(draw(BUILTIN))
    kind = obj["kind"]
    # each replaced value is one of the valid object (a value replaced twice could become valid again)
    positions = [(parent, key, parent[key]) for parent, key in _positions(obj)]
    for _i in range(draw(st.integers(min_value=1, max_value=3))):
        how = draw(st.sampled_from(["replace", "replace", "add", "pod", "container"]))
        if how == "replace":
            if positions:
                parent, key, old = positions.pop(draw(st.integers(min_value=0, max_value=len(positions) - 1)))
                new = copy.deepcopy(draw(REPLACEMENTS))
                if _json_type(new) != _json_type(old) or (isinstance(old, int) and new in BAD_INT32):
                    parent[key] = new
        elif how == "add":
            kinds, path, typ = draw(st.sampled_from(EXTRA_FIELDS))
            if None in kinds or kind in kinds:
                _add(obj, path, copy.deepcopy(draw(st.sampled_from(WRONG[typ]))))
        else:
            spec = _pod_spec(obj)
            if spec is None:
                continue
            if how == "pod":
                path, typ = draw(st.sampled_from(POD_EXTRA_FIELDS))
                _add(spec, path, copy.deepcopy(draw(st.sampled_from(WRONG[typ]))))
            else:
                containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)] if isinstance(
                    spec.get("containers"), list) else []
                if containers:
                    path, typ = draw(st.sampled_from(CONTAINER_EXTRA_FIELDS))
                    _add(draw(st.sampled_from(containers)), path, copy.deepcopy(draw(st.sampled_from(WRONG[typ]))))
    return obj


def _pod_spec(obj):
    """The pod spec of a Pod or workload, if it is still an object."""
    kind = obj["kind"]
    if kind == "Pod":
        path = ("spec",)
    elif kind in WORKLOADS:
        path = WORKLOADS[kind][1] + ("spec",)
    else:
        return None
    node = obj
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


__all__ = ["BUILTIN", "hostile_objects", "SERVICE_NETS", "pods_and_workloads", "services", "nodes", "service_cidrs", "workload",
           "CANONICAL_V4", "CANONICAL_V6", "VALID_LABEL"]


# --- CRDs: Gateway (Gateway API, standard channel) and GKEIPRoute ---------------------------------

def _persistent_ip_seeds():
    import json
    import os
    path = os.path.join(os.path.dirname(__file__), "..", "unit", "vectors", "persistent-ip.json")
    with open(path, encoding="utf-8") as vectors:
        data = json.load(vectors)
    # the served versions only: the dry run posts to .../v1 (an object of another version is refused
    # before validation, and the filter cannot know the URL)
    seeds = [v["input"]["object"] for v in data["vectors"] if v["feature"] == "validation"
             and v["input"]["object"].get("apiVersion") in ("gateway.networking.k8s.io/v1", "networking.gke.io/v1")]
    return sorted(seeds, key=lambda o: json.dumps(o, sort_keys=True))


CRD_SEEDS = _persistent_ip_seeds()
CRD_VALUES = st.sampled_from([
    "", "x", "Default_Listener", "a" * 254, "10.0.0.1", "34.123.10.1/32", "fd00::/64", "gke.networking.io/cidr", "IPAddress",
    "Hostname", "NamedAddress", "All", "Same", "Selector", "Any", "ReadyCondition", "Exists", "Bogus", "HTTP", "TCP",
    0, 1, 443, 65535, 65536, -1, 1.5, True, False, None, {}, [], ["x"], [{}], {"matchLabels": {"a": "b"}},
    {"matchLabels": {"a b": "c"}}, {"matchExpressions": [{"key": "app", "operator": "In"}]}, [{"name": "l"}],
    [{"value": "34.123.10.1/32"}], [{"type": "IPAddress", "value": "10.0.0.1"}, {"type": "IPAddress", "value": "10.0.0.1"}]])


@st.composite
def persistent_ip_objects(draw):
    """A Gateway or GKEIPRoute of the persistent-IP vectors (served versions) with up to three values
    replaced, removed or added (any JSON type, enum values, out-of-range ports, long strings); metadata,
    apiVersion and kind stay."""
    obj = copy.deepcopy(draw(st.sampled_from(CRD_SEEDS)))
    for _i in range(draw(st.integers(min_value=0, max_value=3))):
        positions = [(parent, key) for parent, key in _positions(obj)
                     if not (parent is obj.get("metadata") and key in ("name", "namespace")) and not (parent is obj and key == "metadata")]
        how = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if not positions:
            break
        parent, key = draw(st.sampled_from(positions))
        if how == "replace":
            parent[key] = copy.deepcopy(draw(CRD_VALUES))
        elif how == "remove":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif isinstance(parent[key], dict):
            # fields the persistent-IP rules know (a listener's or the spec's tls content is not checked)
            name = draw(st.sampled_from(["port", "protocol", "name", "namespace", "sectionName", "hostname", "from",
                                         "allowGlobalAccess", "network", "reactionMode", "kinds", "value",
                                         "type", "healthCheckName", "extra"]))
            parent[key][name] = copy.deepcopy(draw(CRD_VALUES))
    return obj

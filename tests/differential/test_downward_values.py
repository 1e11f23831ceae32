"""downward_values against the kubelet's environment and Downward API volume files.

Each case is a pod, a node (or none) and a world the kubelet reads besides them: the ConfigMaps env
refers to. The filter gets the pod and the node; the oracle gets all of them, and when the filter
gets no node, a node built from the pod's status.hostIPs (with some allocatable), since a kubelet
always has one. What the filter resolves must be exactly what the kubelet computes; what it cannot
know offline must be listed in ``unresolved`` (by variable or file name), never guessed.
"""
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.filter.downward_values import downward_values

from .harness import Counter, differ, differential, run_filter, run_oracle, same_error
from .strategies import CANONICAL_V4, CANONICAL_V6, QUANTITY, VALID_LABEL

LABEL_KEYS = st.sampled_from(["app", "tier", "example.com/team", "a.b-c_d", "x"])
LABEL_VALUES = st.sampled_from(["web", "", "v1.2", "a_b-c.d", "X9"])
ANNOTATION_VALUES = st.one_of(st.text(max_size=12), st.sampled_from(['say "hi"', "line\nbreak", "tab\tx", "é☃", "\\"]))
ENV_NAME = st.sampled_from(["A", "B", "POD_NAME", "MY_IP", "CPU", "MEM", "X.Y", "lower", "KUBERNETES_SERVICE_HOST",
                            "WEB_SERVICE_PORT", "PREFIX_K", "K"])
ENV_FIELDS = st.sampled_from(["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                              "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
                              "status.podIPs", "metadata.labels['app']", "metadata.annotations['note']",
                              "metadata.labels['missing']", "spec.host"])
VOLUME_FIELDS = st.sampled_from(["metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels",
                                 "metadata.annotations", "metadata.labels['app']", "metadata.annotations['note']",
                                 "metadata.annotations['NOTE']"])
RESOURCES = st.sampled_from(["limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu",
                             "requests.memory", "requests.ephemeral-storage"])
DIVISORS = {"cpu": st.sampled_from([None, "1", "1m", "1000m"]),
            "memory": st.sampled_from([None, "1", "1Ki", "1Mi", "1Gi", "1k", "1M", "1G"]),
            "ephemeral-storage": st.sampled_from([None, "1", "1Mi", "1Gi", "1G"])}
CPU = st.one_of(st.integers(min_value=1, max_value=8000).map(lambda m: "%dm" % m), st.sampled_from(["1", "2", "0.5", "1.5", "100m", "3"]))
MEMORY = st.one_of(QUANTITY.filter(lambda q: not str(q).startswith("-") and str(q) not in ("0",)),
                   st.sampled_from(["128Mi", "1Gi", "1G", "1000E", "1.5Gi", "64M", "1e6"]))
TEXT_WITH_REFS = st.lists(st.sampled_from(["x", "$(A)", "$(B)", "$$", "$(", "$(POD_NAME)", "$(K)", "$(UNSET)", "$", "é",
                                           "$(KUBERNETES_SERVICE_HOST)", "$(PREFIX_K)", "$é", "$$(A)", ")"]),
                          min_size=1, max_size=5).map("".join)
PATHS = st.sampled_from(["labels", "annotations", "name", "cpu", "mem", "a/b", "a//b", "./c", "d/./e", "dir/x", "dir/y"])
# The filter refuses a resource value past int64 (Go's float64-to-int64 conversion is then CPU
# dependent; the oracle runs on amd64, where it gives MinInt64): a documented difference.
ARCHITECTURE_DEPENDENT = "overflows int64; the kubelet's value depends on its CPU architecture"
WORLD = {"configMaps": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "ns"},
                         "data": {"K": "from-cm", "A": "cm-a", "url": "http://$(POD_NAME)"}}]}


def _resources(draw):
    limits, requests = {}, {}
    for name, values in (("cpu", CPU), ("memory", MEMORY), ("ephemeral-storage", MEMORY)):
        choice = draw(st.sampled_from(["none", "none", "limit", "request", "both", "zero"]))
        if choice == "zero":  # a zero limit: the kubelet takes the pod-level limit or the node's allocatable
            limits[name] = "0"
        if choice in ("limit", "both"):
            limits[name] = draw(values)
        if choice == "request":
            requests[name] = draw(values)
        elif choice == "both":
            requests[name] = limits[name]
    out = {}
    if limits:
        out["limits"] = limits
    if requests:
        out["requests"] = requests
    return out


@st.composite
def env_entry(draw, containers):
    name = draw(ENV_NAME)
    kind = draw(st.sampled_from(["value", "value", "field", "field", "resource", "resource", "configmap"]))
    if kind == "value":
        return {"name": name, "value": draw(TEXT_WITH_REFS)}
    if kind == "field":
        ref = {"fieldPath": draw(ENV_FIELDS)}
        if draw(st.booleans()):
            ref["apiVersion"] = "v1"
        return {"name": name, "valueFrom": {"fieldRef": ref}}
    if kind == "resource":
        resource = draw(RESOURCES)
        ref = {"resource": resource}
        divisor = draw(DIVISORS[resource.split(".")[1]])
        if divisor:
            ref["divisor"] = divisor
        if draw(st.booleans()):
            ref["containerName"] = draw(st.sampled_from(containers))
        return {"name": name, "valueFrom": {"resourceFieldRef": ref}}
    key = draw(st.sampled_from(["K", "A", "url", "absent"]))
    ref = {"name": "cm", "key": key}
    if key == "absent":
        ref["optional"] = True
    return {"name": name, "valueFrom": {"configMapKeyRef": ref}}


@st.composite
def volume_item(draw, containers):
    item = {"path": draw(PATHS)}
    if draw(st.booleans()):
        item["fieldRef"] = {"fieldPath": draw(VOLUME_FIELDS)}
    else:
        resource = draw(RESOURCES)
        ref = {"resource": resource, "containerName": draw(st.sampled_from(containers))}
        divisor = draw(DIVISORS[resource.split(".")[1]])
        if divisor:
            ref["divisor"] = divisor
        item["resourceFieldRef"] = ref
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        item["mode"] = draw(st.sampled_from([0o400, 0o644, 0o777, 0o600]))
    return item


@st.composite
def pods(draw):
    names = ["c%d" % i for i in range(draw(st.integers(min_value=1, max_value=3)))]
    init = ["init"] if draw(st.integers(min_value=0, max_value=3)) == 0 else []
    metadata = {"name": draw(VALID_LABEL), "namespace": "ns"}
    if draw(st.integers(min_value=0, max_value=4)):
        metadata["uid"] = "0a7b-uid"
    if draw(st.booleans()):
        metadata["labels"] = draw(st.dictionaries(LABEL_KEYS, LABEL_VALUES, max_size=3))
    if draw(st.booleans()):
        metadata["annotations"] = draw(st.dictionaries(st.sampled_from(["note", "example.com/x", "b"]), ANNOTATION_VALUES,
                                                       max_size=3))
    spec = {}
    volumes = []
    for v in range(draw(st.integers(min_value=0, max_value=2))):
        items = draw(st.lists(volume_item(names + init), max_size=4))
        if draw(st.booleans()):
            source = {"items": items}
            if draw(st.booleans()):
                source["defaultMode"] = draw(st.sampled_from([0o400, 0o644, 0o440]))
            volumes.append({"name": "dv%d" % v, "downwardAPI": source})
        else:
            sources = [{"downwardAPI": {"items": items}}]
            if draw(st.booleans()):
                sources.append({"configMap": {"name": "cm", "items": [{"key": "K", "path": "cm-k"}]}})
            volumes.append({"name": "dv%d" % v, "projected": {"sources": sources}})
    if volumes:
        spec["volumes"] = volumes

    def container(name):
        c = {"name": name, "image": "registry.example/app:1"}
        resources = _resources(draw)
        if resources:
            c["resources"] = resources
        env = draw(st.lists(env_entry(names + init), max_size=6))
        if env:
            c["env"] = env
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            c["envFrom"] = [{"configMapRef": {"name": "cm"}, **({"prefix": "PREFIX_"} if draw(st.booleans()) else {})}]
        mounts = []
        for i, volume in enumerate(volumes):
            if draw(st.booleans()):
                mount = {"name": volume["name"], "mountPath": "/v%d" % i}
                if draw(st.integers(min_value=0, max_value=4)) == 0:
                    mount["subPath"] = draw(st.sampled_from(["dir", "labels", "a"]))
                mounts.append(mount)
        if mounts:
            c["volumeMounts"] = mounts
        return c

    spec["containers"] = [container(n) for n in names]
    if init:
        spec["initContainers"] = [container(n) for n in init]
    if draw(st.booleans()):
        spec["nodeName"] = "node-1"
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        spec["serviceAccountName"] = "builder"
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        spec["enableServiceLinks"] = draw(st.booleans())
    level = draw(st.sampled_from(["none", "none", "none", "none", "limits", "limits", "requests", "both"]))
    if level in ("limits", "both"):
        # pod-level limits at least what the containers ask for (else kube-apiserver refuses the pod)
        spec["resources"] = {"limits": {"cpu": draw(st.sampled_from(["9000000", "9000001"])),
                                        "memory": draw(st.sampled_from(["9000E", "9001E"]))}}
    if level in ("requests", "both"):
        # a pod-level request, at or under the containers' aggregate (refused then); from 1.37 a request without a
        # limit gets one where every container has a limit of that resource (the kubelet's fallback for a zero one).
        # One resource: kube-apiserver reports the failures of several in Go map order, which changes between runs.
        name = draw(st.sampled_from(["cpu", "memory"]))
        values = ["9000000", "1", "100m"] if name == "cpu" else ["9000E", "1Gi", "64M"]
        spec.setdefault("resources", {})["requests"] = {name: draw(st.sampled_from(values))}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
    ips = draw(st.sampled_from([[], ["10.244.0.5"], ["10.244.0.5", "fd00::5"], ["fd00::5", "10.244.0.5"], ["fd00::5"]]))
    host_ips = draw(st.sampled_from([["192.0.2.1"], ["192.0.2.1", "2001:db8::1"], ["2001:db8::1", "192.0.2.1"]]))
    status = {}
    if ips:
        status["podIPs"] = [{"ip": ip} for ip in ips]
        status["podIP"] = ips[0]
    if draw(st.booleans()):
        status["hostIPs"] = [{"ip": ip} for ip in host_ips]
        status["hostIP"] = host_ips[0]
    if status:
        pod["status"] = status
    return pod


@st.composite
def nodes(draw):
    addresses = []
    for kind in draw(st.lists(st.sampled_from(["InternalIP", "ExternalIP", "Hostname"]), min_size=1, max_size=3)):
        address = "node-1" if kind == "Hostname" else draw(st.one_of(CANONICAL_V4, CANONICAL_V6))
        addresses.append({"type": kind, "address": address})
    status = {"addresses": addresses}
    key = draw(st.sampled_from(["allocatable", "capacity"]))
    status[key] = {name: draw(strategy) for name, strategy in (("cpu", CPU), ("memory", MEMORY), ("ephemeral-storage", MEMORY))
                   if draw(st.integers(min_value=0, max_value=5))}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}, "status": status}


def world_node(pod):
    """The node a kubelet has when the filter is given none: the pod's host IPs as its addresses."""
    host_ips = [entry["ip"] for entry in pod.get("status", {}).get("hostIPs", [])] or ["192.0.2.1"]
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"},
            "status": {"addresses": [{"type": "InternalIP", "address": ip} for ip in host_ips],
                       "allocatable": {"cpu": "7", "memory": "3Gi", "ephemeral-storage": "20Gi"}}}


def declared(container):
    names = []
    for entry in container.get("env", []):
        if entry["name"] not in names:
            names.append(entry["name"])
    return names


def compare(pod, got, want):
    if sorted(got) != sorted(want):
        return "containers differ: %s / %s" % (sorted(got), sorted(want))
    containers = {c["name"]: c for kind in ("initContainers", "containers") for c in pod["spec"].get(kind, [])}
    for name, mine in got.items():
        theirs = want[name]
        unresolved = {entry["name"] for entry in mine["unresolved"]}
        for var, value in mine["env"].items():
            if theirs["env"].get(var) != value:
                return "%s: env %s is %r, the kubelet's %r" % (name, var, value, theirs["env"].get(var))
        for var in declared(containers[name]):
            if var not in mine["env"] and var not in unresolved:
                return "%s: env %s is neither resolved nor unresolved" % (name, var)
        for key, entry in mine["files"].items():
            if theirs["files"].get(key) != entry:
                return "%s: file %s is %r, the kubelet's %r" % (name, key, entry, theirs["files"].get(key))
        for key in theirs["files"]:
            if key not in mine["files"] and key not in unresolved and key.split("/", 1)[0] not in unresolved:
                return "%s: file %s is neither resolved nor unresolved" % (name, key)
    return None


def test_downward_values(oracle, cases):
    ran = Counter()

    @differential(cases)
    @given(pods(), st.one_of(st.none(), nodes()))
    def case(pod, node):
        ran()
        got = run_filter(downward_values, pod, node, kubernetes_version=oracle.release)
        want = run_oracle(oracle["downward_values"], pod, node or world_node(pod), WORLD)
        args, kwargs = [pod, node], {"kubernetes_version": oracle.release}
        if got.error is None and want.error is None:
            reason = compare(pod, got.value, want.value)
            if reason:
                differ("downward_values", args, kwargs, got, want, reason)
        elif got.error is None:
            differ("downward_values", args, kwargs, got, want, "upstream refuses, the filter does not")
        elif want.error is None:
            if ARCHITECTURE_DEPENDENT in got.error:
                # documented: the filter refuses a value Go converts by CPU architecture (amd64: MinInt64),
                # also where it is later overridden or in a volume no container mounts
                return
            differ("downward_values", args, kwargs, got, want, "the filter refuses, upstream does not")
        elif not same_error(got.error, want):
            differ("downward_values", args, kwargs, got, want, "not upstream's error text")

    case()
    assert ran.count >= cases

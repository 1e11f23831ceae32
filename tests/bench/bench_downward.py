"""Downward API at scale: downward_values for a pod of 100 containers x 50 env entries and 10 volume items each.

The baseline is the first version one would write: validate, then compute each env entry and each
volume file on its own, from the raw objects every time (the node's IPs and allocatable, the named
container found by a walk over the spec and its resources parsed again, the volume found by a walk
over the volumes), with the same core helpers for the values themselves.
"""
from ansible_collections.clusternet.k8s.plugins.module_utils.downward import (
    collect_data,
    container_resources,
    downward_values,
    expand,
    extract_container_resource_value,
    extract_field_path_as_string,
    extract_resource_value_by_container_name,
    find_container_in_pod,
    merge_container_resource_limits,
    node_allocatable,
    node_host_ips,
    pod_field_runtime_value,
    resource_field_selector,
    validate_atomic_writer_path,
    validate_pod_spec,
)
from tests.bench.harness import Benchmark

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"},
        "status": {"allocatable": {"cpu": "15800m", "memory": "62Gi", "ephemeral-storage": "400Gi", "pods": "110"},
                   "addresses": [{"type": "Hostname", "address": "node-1"}, {"type": "InternalIP", "address": "192.0.2.10"},
                                 {"type": "InternalIP", "address": "2001:db8::10"}]}}


def env_entry(i, j, count):
    """Env entry ``j`` of container ``i``: field references, resources and literal values in turn."""
    name = "E%d" % j
    field = {0: "metadata.name", 1: "metadata.labels['app']", 2: "status.podIP", 3: "status.hostIPs", 4: "spec.nodeName"}
    kind = j % 10
    if kind in field:
        return {"name": name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": field[kind]}}}
    if kind == 5:
        return {"name": name, "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}}
    if kind == 6:
        return {"name": name, "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi",
                                                                 "containerName": "c%d" % ((i + 1) % count)}}}
    if kind == 7:
        return {"name": name, "value": "value-%d-%d" % (i, j)}
    if kind == 8:
        return {"name": name, "value": "http://$(E%d):8080/$(E%d)" % (j - 6, j - 1)}
    return {"name": name, "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}


def volume_items(i, count):
    fields = ["metadata.labels", "metadata.annotations", "metadata.name", "metadata.namespace", "metadata.uid",
              "metadata.labels['app']", "metadata.annotations['note-3']"]
    items = [{"path": "meta/%d" % k, "fieldRef": {"apiVersion": "v1", "fieldPath": f}} for k, f in enumerate(fields)]
    items += [{"path": "res/cpu", "mode": 0o400, "resourceFieldRef": {"containerName": "c%d" % i, "resource": "limits.cpu", "divisor": "1m"}},
              {"path": "res/mem", "resourceFieldRef": {"containerName": "c%d" % i, "resource": "limits.memory"}},
              {"path": "res/next-cpu", "resourceFieldRef": {"containerName": "c%d" % ((i + 1) % count), "resource": "requests.cpu"}}]
    return items


def make_pod(containers, env_entries):
    spec = {"nodeName": "node-1", "containers": [], "volumes": []}
    for i in range(containers):
        resources = {"requests": {"cpu": "100m", "memory": "%dMi" % (64 + i)}}
        if i % 2 == 0:
            resources["limits"] = {"cpu": "500m", "memory": "256Mi"}
        spec["containers"].append({"name": "c%d" % i, "image": "example/app:%d" % i, "resources": resources,
                                   "env": [env_entry(i, j, containers) for j in range(env_entries)],
                                   "volumeMounts": [{"name": "info-%d" % i, "mountPath": "/etc/info"}]})
        spec["volumes"].append({"name": "info-%d" % i, "downwardAPI": {"items": volume_items(i, containers)}})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "big-0", "namespace": "bench", "uid": "0b1c2d3e-0000-4000-8000-000000000000",
                         "labels": {"app": "big", **{"label-%d" % k: "value-%d" % k for k in range(20)}},
                         "annotations": {"note-%d" % k: "line one\nline \"two\" %d" % k for k in range(10)}},
            "spec": spec,
            "status": {"podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00:10:244:1::7"}], "hostIPs": [{"ip": "192.0.2.10"}]}}


def naive_env_value(pod, node, container, env_var, known):
    if env_var.get("value"):
        return expand(env_var["value"], lambda name: known.get(name, "$(%s)" % name))
    source = env_var["valueFrom"]
    if "fieldRef" in source:
        pod_ips = [entry["ip"] for entry in pod["status"]["podIPs"]]
        return pod_field_runtime_value("v1", source["fieldRef"]["fieldPath"], pod, pod_ips, node_host_ips(node))
    selector = source["resourceFieldRef"]
    target, target_path, _regular = find_container_in_pod(pod["spec"], selector.get("containerName") or container["name"])
    limits, requests = container_resources(target, target_path)
    limits = merge_container_resource_limits(limits, node_allocatable(node))
    resource, divisor, _name = resource_field_selector(selector, "")
    return extract_container_resource_value(resource, divisor, limits, requests)


def naive_downward_values(pod, node):
    assert validate_pod_spec(pod["spec"], "spec") == []
    result = {}
    for container in pod["spec"]["containers"]:
        env = {}
        for env_var in container["env"]:
            env[env_var["name"]] = naive_env_value(pod, node, container, env_var, env)
        files = {}
        for mount in container["volumeMounts"]:
            for volume in pod["spec"]["volumes"]:
                if volume["name"] == mount["name"]:
                    items = [(item, "") for item in volume["downwardAPI"]["items"]]
                    data = collect_data(items, 0o644, lambda field_path: extract_field_path_as_string(pod, field_path),
                                        lambda selector, _path: extract_resource_value_by_container_name(
                                            selector, pod["spec"], selector["containerName"], node_allocatable(node)))
                    for path, entry in data.items():
                        validate_atomic_writer_path(path)
                        files[mount["name"] + "/" + path] = entry
        result[container["name"]] = {"env": env, "files": files, "unresolved": []}
    return result


def benchmarks(scale=1.0):
    containers = max(2, int(100 * scale))
    pod = make_pod(containers, 50)
    return [
        Benchmark("downward_values: %d containers x 50 env entries and 10 volume items each" % containers,
                  lambda: downward_values(pod, NODE),
                  lambda: naive_downward_values(pod, NODE)),
    ]

"""downward_values on pods of 100 to 1,000 containers: it must grow linearly (target: at most 11x from 100 to 1,000).

Each container has 10 env entries (its pod's name, namespace, IP and node, a label, a literal, a ``$(VAR)``
expansion, its own cpu limit in millicores, its memory limit, and the next container's cpu limit by
``containerName``) and mounts a Downward API volume of its own (the pod's labels, its name, its cpu limit).
The baseline is what a user would otherwise write for exactly this shape: plain Python over the pod's dicts,
with the containers' limits indexed once (it handles only the quantity forms used here).
"""
from __future__ import annotations

import math

from ansible_collections.clusternet.k8s.plugins.module_utils.downward.values import downward_values
from tests.bench.harness import Job, Target

LABELS = {"app": "web", "tier": "front", "version": "v1"}


def pod(count):
    containers = []
    for i in range(count):
        env = [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
               {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
               {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
               {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
               {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
               {"name": "PORT", "value": str(8000 + i)},
               {"name": "URL", "value": "http://$(IP):$(PORT)/$(POD)"},
               {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
               {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
               {"name": "NEXT_CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m",
                                                                       "containerName": "c%d" % ((i + 1) % count)}}}]
        containers.append({"name": "c%d" % i, "image": "app:1", "env": env,
                           "resources": {"limits": {"cpu": "%dm" % (100 + i), "memory": "%dMi" % (64 + i % 64)}},
                           "volumeMounts": [{"name": "info-%d" % i, "mountPath": "/etc/info"}]})
    volumes = [{"name": "info-%d" % i, "downwardAPI": {"items": [
        {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
        {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
        {"path": "cpu", "mode": 0o400, "resourceFieldRef": {"containerName": "c%d" % i, "resource": "limits.cpu", "divisor": "1m"}}]}}
        for i in range(count)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": "shop", "labels": LABELS},
            "spec": {"nodeName": "node-1", "containers": containers, "volumes": volumes},
            "status": {"podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}]}}


def _millicores(text):
    return int(text[:-1]) if text.endswith("m") else int(text) * 1000


def _bytes(text):
    return int(text[:-2]) * 2 ** 20 if text.endswith("Mi") else int(text)


def baseline(p):
    meta, spec = p["metadata"], p["spec"]
    limits = {c["name"]: c["resources"]["limits"] for c in spec["containers"]}
    field = {"metadata.name": meta["name"], "metadata.namespace": meta["namespace"], "status.podIP": p["status"]["podIP"],
             "spec.nodeName": spec["nodeName"], "metadata.labels['app']": meta["labels"]["app"],
             "metadata.labels": "\n".join('%s="%s"' % (k, meta["labels"][k]) for k in sorted(meta["labels"]))}
    volumes = {v["name"]: v["downwardAPI"]["items"] for v in spec["volumes"]}

    def resource(ref, own):
        value = limits[ref.get("containerName") or own][ref["resource"].split(".")[1]]
        if ref["resource"] == "limits.cpu":
            return str(math.ceil(_millicores(value) / _millicores(ref.get("divisor", "1"))))
        return str(_bytes(value))

    out = {}
    for c in spec["containers"]:
        env = {}
        for e in c["env"]:
            if "value" in e:
                value = e["value"]
                for name, known in env.items():
                    value = value.replace("$(%s)" % name, known)
                env[e["name"]] = value
            elif "fieldRef" in e["valueFrom"]:
                env[e["name"]] = field[e["valueFrom"]["fieldRef"]["fieldPath"]]
            else:
                env[e["name"]] = resource(e["valueFrom"]["resourceFieldRef"], c["name"])
        files = {}
        for mount in c["volumeMounts"]:
            for item in volumes[mount["name"]]:
                content = field[item["fieldRef"]["fieldPath"]] if "fieldRef" in item else resource(item["resourceFieldRef"], c["name"])
                files["%s/%s" % (mount["name"], item["path"])] = {"content": content, "mode": item.get("mode", 0o644)}
        out[c["name"]] = {"env": env, "files": files}
    return out


def ours(p):
    result = downward_values(p)
    return {name: {"env": v["env"], "files": v["files"]} for name, v in result.items() if not v.get("unresolved")}


def _ten_times_the_size(rows):
    by_size = {r.size: r for r in rows}
    small, large = rows[0], rows[-1]
    factor = large.ours.seconds / small.ours.seconds
    limit = 1.1 * large.size / small.size
    return factor <= limit, "%.1fx from %d to %d containers (at most %.1fx)" % (factor, small.size, large.size, limit) if by_size else ""


def jobs(scale=1.0):
    sizes = [max(2, int(n * scale)) for n in (100, 250, 500, 1000)]
    return [Job(name="downward_values", baseline_name="plain Python for this shape", unit="containers", sizes=sizes,
                prepare=pod, ours=ours, baseline=baseline,
                targets=[Target("from 100 to 1,000 containers the time grows at most 11x", _ten_times_the_size)])]

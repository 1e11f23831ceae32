"""persistent_ip_binding over 10,000 Pods next to the straightforward implementation.

The naive baseline is what a newcomer writes from spec §5.3/§9: for each Pod, walk the selector's
requirements and the Pod's condition list; then order the qualifying Pods with a comparison function
that parses both timestamps on every comparison. Both compute boundPod and eligiblePods.
"""
from __future__ import annotations

import datetime
import functools
import random

from ansible_collections.clusternet.k8s.plugins.module_utils.persistent_ip import persistent_ip_binding
from tests.bench.harness import Benchmark

NAMESPACE = "app"


def make_pods(count, seed=6):
    """Pods of a busy namespace: several apps, every §9 state, many creationTimestamp ties."""
    rng = random.Random(seed)
    base = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    pods = []
    for i in range(count):
        state = rng.random()
        created = base + datetime.timedelta(minutes=rng.randrange(max(1, count // 10)))
        pod = {
            "metadata": {"name": "pod-%05d-%s" % (rng.randrange(count), rng.choice("abcdef")),
                         "namespace": NAMESPACE if rng.random() < 0.9 else "other",
                         "labels": {"app": rng.choice(["proxy", "proxy", "web", "db"]), "tier": rng.choice(["nat", "egress", "fe"]),
                                    "pod-template-hash": "%04x" % rng.randrange(1 << 16)},
                         "creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "spec": {"nodeName": "node-%d" % (i % 50)} if state > 0.1 else {},
            "status": {"phase": "Succeeded" if state > 0.97 else "Running",
                       "conditions": [{"type": "PodScheduled", "status": "True" if state > 0.1 else "False"},
                                      {"type": "Ready", "status": "True" if state > 0.35 else "False"}]},
        }
        if 0.93 < state <= 0.97:
            pod["metadata"]["deletionTimestamp"] = "2025-02-01T00:00:00Z"
        pods.append(pod)
    return pods


ROUTES = {
    "ReadyCondition, matchLabels": {"podSelector": {"matchLabels": {"app": "proxy"}}, "reactionMode": "ReadyCondition"},
    "Exists, matchExpressions": {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["nat", "egress"]},
                                                                      {"key": "app", "operator": "NotIn", "values": ["db"]}]},
                                 "reactionMode": "Exists"},
}


def naive_binding(route, pods):
    """boundPod and eligiblePods the straightforward way."""
    namespace = route["metadata"]["namespace"]
    selector = route["spec"]["podSelector"]
    mode = route["spec"].get("reactionMode", "ReadyCondition")
    eligible = []
    for pod in pods:
        if pod["metadata"]["namespace"] != namespace or not naive_matches(selector, pod["metadata"].get("labels", {})):
            continue
        if pod["metadata"].get("deletionTimestamp") or pod["status"].get("phase") in ("Succeeded", "Failed"):
            continue
        if mode == "Exists":
            if pod["spec"].get("nodeName"):
                eligible.append(pod)
        elif any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", [])):
            eligible.append(pod)
    ordered = sorted(eligible, key=functools.cmp_to_key(newest_first))
    names = [pod["metadata"]["name"] for pod in ordered]
    return {"boundPod": names[0] if names else None, "eligiblePods": names}


def naive_matches(selector, labels):
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        present = expression["key"] in labels
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if operator == "In" and not (present and value in expression.get("values", [])):
            return False
        if operator == "NotIn" and present and value in expression.get("values", []):
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def newest_first(a, b):
    ta = datetime.datetime.strptime(a["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    tb = datetime.datetime.strptime(b["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    if ta != tb:
        return -1 if ta > tb else 1
    return (a["metadata"]["name"] > b["metadata"]["name"]) - (a["metadata"]["name"] < b["metadata"]["name"])


def _decision(result):
    return {"boundPod": result["boundPod"], "eligiblePods": result["eligiblePods"]}


def benchmarks(scale=1.0):
    pods = make_pods(max(10, int(10000 * scale)))
    found = []
    for label, spec in ROUTES.items():
        route = {"metadata": {"name": "r", "namespace": NAMESPACE}, "spec": spec}
        found.append(Benchmark(
            "persistent_ip_binding: %d pods, %s" % (len(pods), label),
            ours=functools.partial(persistent_ip_binding, route, pods),
            naive=functools.partial(naive_binding, route, pods),
            same=lambda ours, naive: _decision(ours) == naive,
            metrics={"eligible": len(persistent_ip_binding(route, pods)["eligiblePods"])}))
    return found

"""The rules that differ between releases, case by case at each release, with each gate at its default and set
explicitly both ways: the filter (``kubernetes_version``, ``feature_gates``) against the oracle built at that release.
The acceptance case of issue 12 is the first: hostAliases IP ``010.001.002.003``."""
import pytest

from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import pod_hosts
from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import validation_errors
from ansible_collections.clusternet.k8s.plugins.module_utils import releases

from .harness import check


def pod(spec, ip="10.0.0.9"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": dict({"containers": [{"name": "c", "image": "registry.example/app:1"}]}, **spec),
            "status": {"podIP": ip, "podIPs": [{"ip": ip}]}}


def gate_settings(gate, minor):
    """The gate left to the release's default, and set both ways unless that release locks it or has no such gate
    (kube-apiserver refuses a gate it does not know; the filters ignore it)."""
    settings = [None]
    if not releases.GATES[gate].exists(minor):
        return settings
    for value in (True, False):
        if not releases.GATES[gate].locked(minor) or value == releases.GATES[gate].default(minor):
            settings.append({gate: value})
    return settings


CASES = {
    "StrictIPCIDRValidation": [
        pod({"hostAliases": [{"ip": "010.001.002.003", "hostnames": ["db"]}]}),
        pod({"hostAliases": [{"ip": "::ffff:1.2.3.4", "hostnames": ["db"]}, {"ip": "10.0.0.1", "hostnames": ["x"]}]}),
        pod({}, ip="010.000.000.009"),
    ],
    "HostnameOverride": [
        pod({"hostnameOverride": "other-name"}),
        pod({"hostnameOverride": "Not_A_Name"}),
        pod({"hostnameOverride": "x" * 65}),
        pod({"hostnameOverride": "web-1", "hostNetwork": True}),
    ],
    "EnvFiles": [
        # fileKeyRef and a value: refused for both where the gate is on; where it is off fileKeyRef is dropped, and
        # valueFrom has no source
        pod({"volumes": [{"name": "v", "emptyDir": {}}], "containers": [{"name": "c", "image": "registry.example/app:1",
            "env": [{"name": "A", "value": "x", "valueFrom": {
                "fileKeyRef": {"volumeName": "v", "path": "a.env", "key": "A"}}}]}]}),
        pod({"containers": [{"name": "c", "image": "registry.example/app:1", "env": [{"name": "A", "valueFrom": {}}]}]}),
    ],
    # up to 1.36 (and with the gate off) the pod-level request is defaulted from the containers' requests before they
    # are rounded up to milli units: 500u + 0.5m = 1m, refused against the rounded 2m
    "PodLevelResourcesFixDefaulting": [
        pod({"containers": [{"name": "a", "image": "i", "resources": {"requests": {"memory": "500u"}}},
                            {"name": "b", "image": "i", "resources": {"limits": {"memory": "0.5m"}}}],
             "resources": {"limits": {"memory": "1Gi"}}}),
        # the checks themselves, at every release: a request under the aggregate, a container over the pod's limit
        pod({"containers": [{"name": "a", "image": "i", "resources": {"limits": {"cpu": "2"}}}],
             "resources": {"requests": {"cpu": "1500m"}, "limits": {"cpu": "1500m"}}}),
        # from 1.37 a pod-level limit is defaulted (every container has one): the greater of the request and theirs
        pod({"containers": [{"name": "a", "image": "i",
                             "resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "2Gi"}}}],
             "resources": {"requests": {"memory": "1500Mi"}}}),
    ],
}
NO_POD_HOSTS = ("EnvFiles", "PodLevelResourcesFixDefaulting")  # rules pod_hosts does not apply


@pytest.mark.parametrize("gate", sorted(CASES))
def test_release_dependent_rules(oracle, gate):
    minor = int(oracle.release.split(".")[1])
    ran = 0
    for gates in gate_settings(gate, minor):
        kwargs = {} if gates is None else {"feature_gates": gates}
        for case in CASES[gate]:
            check("validation_errors", validation_errors, oracle["validation_errors"], [case], kwargs)
            if gate not in NO_POD_HOSTS:
                check("pod_hosts", pod_hosts, oracle["pod_hosts"], [case], kwargs)
            ran += 1
    assert ran >= (2 if releases.GATES[gate].exists(minor) else 1) * len(CASES[gate])

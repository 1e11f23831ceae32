"""The dispatcher behind ``validation_errors``: which cores validate a kind, and in which order."""
from ansible_collections.clusternet.k8s.plugins.module_utils.resources import validation_errors


def test_pod_spec_errors_come_in_validate_pod_spec_order():
    """``ValidatePodSpec`` (pkg/apis/core/validation/validation.go) checks volumes, then containers,
    init containers and ephemeral containers (their env included), and only later hostname,
    subdomain and hostAliases: the Downward API errors come before the /etc/hosts ones."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"hostname": "Bad_Name",
                    "hostAliases": [{"ip": "not-an-ip", "hostnames": ["a"]}],
                    "volumes": [{"name": "v", "downwardAPI": {"items": [{"path": "/abs", "fieldRef": {"fieldPath": "metadata.name"}}]}}],
                    "containers": [{"name": "c", "env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}}]}]}}
    texts = [str(e) for e in validation_errors(pod)]
    assert [t.split(":")[0] for t in texts] == [
        "spec.volumes[0].downwardAPI.path",
        "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath",
        "spec.hostname",
        "spec.hostAliases[0].ip",
    ]

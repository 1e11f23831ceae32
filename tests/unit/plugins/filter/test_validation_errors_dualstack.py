"""validation_errors on Nodes, Pods and ServiceCIDRs: the dual-stack vectors, as kube-apiserver prints them.

Not expressible here: ``ValidateNodeUpdate: set from empty`` needs the old Node too (tested
through the core in test_dualstack.py).
"""
import json
import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import pod_hosts
from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import FilterModule

validation_errors = FilterModule().filters()["validation_errors"]

VECTORS_FILE = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "dualstack.json")
with open(VECTORS_FILE, encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]

TYPE_TEXT = {"Invalid": "Invalid value", "Duplicate": "Duplicate value", "Required": "Required value"}


def vectors(feature, key):
    cases = [v for v in VECTORS if v["feature"] == feature and key in v["input"]]
    assert cases, feature
    return pytest.mark.parametrize("vec", cases, ids=[v["name"] for v in cases])


def go_strings(values):
    """A []string bad value: JSON since apimachinery 1.34 (field.Error.ErrorBody uses json.Marshal)."""
    return json.dumps(values, separators=(",", ":"))


def expected_text(error, whole, item):
    """kube-apiserver's ``path: Type: value: detail`` for a vector's {field, type, detail}."""
    if error["type"] == "Required":
        return "%s: Required value: %s" % (error["field"], error["detail"])
    value = whole if not error["field"].endswith("]") else item(int(error["field"].rsplit("[", 1)[1][:-1]))
    text = "%s: %s: %s" % (error["field"], TYPE_TEXT[error["type"]], value)
    return text + (": " + error["detail"] if error["detail"] else "")


@vectors("node-podcidrs-validation", "spec.podCIDRs")
def test_node_pod_cidrs(vec):
    cidrs = vec["input"]["spec.podCIDRs"]
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {"podCIDRs": cidrs}}
    assert validation_errors(node) == [expected_text(e, go_strings(cidrs), lambda i: '"%s"' % cidrs[i])
                                       for e in vec["expected"]["errors"]]


@vectors("pod-ips-validation", "status.podIPs")
def test_pod_ips(vec):
    """kube-apiserver drops a Pod's status on create: validation_errors never reports it. The status
    subresource checks the pod IPs a kubelet writes; pod_hosts refuses a pod whose IPs it would refuse."""
    ips = vec["input"]["status.podIPs"]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}, "status": {"podIPs": [{"ip": ip} for ip in ips]}}
    structs = ['{"IP":"%s"}' % ip for ip in ips]  # internal core.PodIP has no json tags
    whole = "[%s]" % ",".join(structs)
    assert validation_errors(pod) == []
    errors = [expected_text(e, whole, lambda i: structs[i]) for e in vec["expected"]["errors"]]
    if errors:
        with pytest.raises(AnsibleFilterError) as raised:
            pod_hosts(pod)
        text = errors[0] if len(errors) == 1 else "[%s]" % ", ".join(errors)
        assert raised.value.message == "pod_hosts: kube-apiserver would reject this pod's status: " + text
    else:
        assert pod_hosts(pod).endswith("".join("%s\tp\n" % ip for ip in ips))


@vectors("servicecidr-validation", "spec.cidrs")
def test_service_cidrs(vec):
    cidrs = vec["input"]["spec.cidrs"]
    obj = {"apiVersion": "networking.k8s.io/v1", "kind": "ServiceCIDR", "metadata": {"name": "extra"},
           "spec": {"cidrs": cidrs}}
    whole = '{"CIDRs":%s}' % go_strings(cidrs)  # internal networking.ServiceCIDRSpec
    assert validation_errors(obj) == [expected_text(e, whole, lambda i: '"%s"' % cidrs[i])
                                      for e in vec["expected"]["errors"]]

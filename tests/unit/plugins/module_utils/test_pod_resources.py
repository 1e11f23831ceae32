"""Pod-level resources: how kube-apiserver defaults them on create at each release (the PodLevelResourcesFixDefaulting
gate, new in 1.37), the aggregate of the containers' resources, and validatePodResourceConsistency."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.downward_values import downward_values
from ansible_collections.clusternet.k8s.plugins.filter.validation_errors import validation_errors
from ansible_collections.clusternet.k8s.plugins.module_utils import pod_resources, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.quantity import Quantity

# Two containers asking for half a milli-byte each: rounded up on create, they ask 1m each (2m together). Up to 1.36
# kube-apiserver defaults the pod-level request while decoding, from the values before rounding (1m), and then
# refuses the pod; from 1.37 it defaults after rounding (2m). Found by the differential tier at v1.34.4 to v1.36.3.
HALF_MILLI = {"containers": [{"name": "a", "image": "registry.example/app:1", "resources": {"requests": {"memory": "500u"}}},
                             {"name": "b", "image": "registry.example/app:1", "resources": {"limits": {"memory": "0.5m"}}}],
              "resources": {"limits": {"cpu": "9000000", "memory": "9000E"}}}
REFUSED = ('spec.resources.requests[memory]: Invalid value: "1m": must be greater than or equal to aggregate container '
           'requests of 2m')


def pod(spec, name="web"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns"}, "spec": spec}


def stored(spec, version=None, gates=None, is_pod=True):
    with releases.using(releases.release(version, gates)):
        return pod_resources.PodResources(spec, "spec", is_pod)


def texts(values):
    return {name: str(q) for name, q in (values or {}).items()}


@pytest.mark.parametrize("version, refused", [("1.34", True), ("1.35", True), ("1.36", True), ("1.37", False),
                                              (None, False)])
def test_pod_level_requests_are_defaulted_before_or_after_rounding_by_release(version, refused):
    kwargs = {} if version is None else {"kubernetes_version": version}
    assert validation_errors(pod(HALF_MILLI), **kwargs) == ([REFUSED] if refused else [])
    assert texts(stored(HALF_MILLI, version).pod_requests) == {"cpu": "9M", "memory": "1m" if refused else "2m"}
    if refused:
        with pytest.raises(AnsibleFilterError, match="kube-apiserver would reject it: " + REFUSED.replace("[", r"\[")):
            downward_values(pod(HALF_MILLI), **kwargs)
    else:
        assert downward_values(pod(HALF_MILLI), **kwargs)["a"] == {"env": {}, "files": {}, "unresolved": []}


@pytest.mark.parametrize("version, gate, refused", [("1.37", False, True), ("1.37", True, False),
                                                    # no such gate before 1.37: setting it changes nothing
                                                    ("1.36", True, True), ("1.34", False, True)])
def test_the_gate_set_explicitly(version, gate, refused):
    gates = {"PodLevelResourcesFixDefaulting": gate}
    assert validation_errors(pod(HALF_MILLI), kubernetes_version=version, feature_gates=gates) == (
        [REFUSED] if refused else [])


def test_the_gate_exists_from_1_37_only():
    gate = releases.GATES["PodLevelResourcesFixDefaulting"]
    assert [gate.exists(m) for m in releases.SUPPORTED] == [False, False, False, True]
    assert [releases.release("1.%d" % m).enabled("PodLevelResourcesFixDefaulting") for m in releases.SUPPORTED] == [
        False, False, False, True]
    row = [r for r in releases.table() if r.get("gate") == "PodLevelResourcesFixDefaulting"][0]
    assert row["defaults"] == {"1.34": None, "1.35": None, "1.36": None, "1.37": True}
    assert "| `PodLevelResourcesFixDefaulting` | no gate | no gate | no gate | on |" in releases.markdown_table()


def test_hugepage_limits_are_defaulted_before_or_after_rounding_by_release():
    spec = {"containers": [{"name": n, "image": "i", "resources": {"limits": {"hugepages-2Mi": "0.5m"}}}
                           for n in ("a", "b")],
            "resources": {"requests": {"cpu": "1"}}}
    old, new = stored(spec, "1.36"), stored(spec, "1.37")
    assert texts(old.pod_limits) == {"hugepages-2Mi": "1m"}
    # the request defaulted from that limit, the containers' requests from theirs: both fall below the aggregates
    assert texts(old.pod_requests) == {"cpu": "1", "hugepages-2Mi": "1m"}
    assert [str(e) for e in old.errors()] == [
        'spec.resources.requests[hugepages-2Mi]: Invalid value: "1m": must be greater than or equal to aggregate '
        'container requests of 2m',
        'spec.resources.limits[hugepages-2Mi]: Invalid value: "1m": must be greater than or equal to aggregate '
        'container limits of 2m']
    assert texts(new.pod_limits) == {"hugepages-2Mi": "2m"} and new.errors() == []
    assert texts(new.pod_requests) == {"cpu": "1", "hugepages-2Mi": "2m"}
    # requests only, no limit defaulted: 1.36 defaults no request (1.37 does, from the containers)
    spec["resources"]["requests"]["hugepages-2Mi"] = "2m"
    assert stored(spec, "1.36").pod_limits is None
    spec["resources"] = {"requests": {"cpu": "1"}}
    spec["containers"] = [{"name": "a", "image": "i", "resources": {"requests": {"memory": "1Gi"}}}]
    assert texts(stored(spec, "1.36").pod_requests) == {"cpu": "1"}
    assert texts(stored(spec, "1.37").pod_requests) == {"cpu": "1", "memory": "1Gi"}


def test_requests_default_from_the_containers_then_from_the_pod_limits():
    spec = {"containers": [{"name": "a", "image": "i", "resources": {"limits": {"cpu": "500m"}}},
                           {"name": "b", "image": "i", "resources": {"requests": {"cpu": "250m", "example.com/gpu": "1"}}}],
            "resources": {"limits": {"cpu": "2", "memory": "1Gi"}}}
    for version in ("1.34", "1.37"):
        resources = stored(spec, version)
        # cpu from the containers (an extended resource is not a pod-level one), memory from the pod's limit
        assert texts(resources.pod_requests) == {"cpu": "750m", "memory": "1Gi"}, version
        assert resources.errors() == []


def test_pod_level_limits_are_defaulted_from_1_37():
    """``defaultPodLevelLimits``: a pod-level request without a limit, every container limited: the greater of the
    request and the containers' aggregate limit. The kubelet then takes it for a zero container limit."""
    spec = {"containers": [{"name": "a", "image": "i", "resources": {"limits": {"memory": "0"}},
                            "env": [{"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}}]}],
            "resources": {"requests": {"memory": "1Gi"}}}
    assert stored(spec, "1.36").pod_limits is None
    assert texts(stored(spec, "1.37").pod_limits) == {"memory": "1Gi"}
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
            "status": {"addresses": [{"type": "InternalIP", "address": "192.0.2.1"}], "allocatable": {"memory": "3Gi"}}}
    assert downward_values(pod(spec), node, kubernetes_version="1.36")["a"]["env"] == {"MEM": str(3 << 30)}
    assert downward_values(pod(spec), node, kubernetes_version="1.37")["a"]["env"] == {"MEM": str(1 << 30)}
    # a container without that limit: not defaulted
    spec["initContainers"] = [{"name": "i", "image": "i"}]
    assert stored(spec, "1.37").pod_limits is None


def test_the_aggregate_follows_the_sidecar_formula():
    def container(cpu, restart=None):
        c = {"name": "c%s" % cpu, "image": "i", "resources": {"requests": {"cpu": cpu}}}
        if restart:
            c["restartPolicy"] = restart
        return c
    spec = {"containers": [container("100m"), container("200m")],
            "initContainers": [container("50m", "Always"), container("1"), container("60m", "Always"), container("400m")]}
    # regular 300m + sidecars 110m = 410m; init: 1 + 50m (before it) = 1050m is the greatest
    assert texts(stored(spec).aggregate("requests")) == {"cpu": "1050m"}
    del spec["initContainers"][1]
    assert texts(stored(spec).aggregate("requests")) == {"cpu": "510m"}  # 400m + 110m > 410m


def test_the_consistency_errors_in_upstream_form():
    spec = {"containers": [{"name": "a", "image": "i", "resources": {"limits": {"cpu": "2", "memory": "2Gi"}}}],
            "resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "1500m", "memory": "1Gi"}}}
    assert validation_errors(pod(spec)) == [
        'spec.resources.requests[cpu]: Invalid value: "1": must be greater than or equal to aggregate container '
        'requests of 2',
        'spec.resources.containers[0][cpu].limits: Invalid value: "2": must be less than or equal to pod limits of 1500m',
        'spec.resources.containers[0][memory].limits: Invalid value: "2Gi": must be less than or equal to pod limits '
        'of 1Gi']
    # a Deployment's template: the containers' requests are not defaulted from their limits, nor the pod's
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "ns"},
                  "spec": {"selector": {"matchLabels": {"app": "d"}},
                           "template": {"metadata": {"labels": {"app": "d"}}, "spec": spec}}}
    assert validation_errors(deployment) == [
        'spec.template.spec.resources.containers[0][cpu].limits: Invalid value: "2": must be less than or equal to '
        'pod limits of 1500m',
        'spec.template.spec.resources.containers[0][memory].limits: Invalid value: "2Gi": must be less than or equal '
        'to pod limits of 1Gi']


def test_windows_pods_and_claims():
    spec = {"containers": [{"name": "a", "image": "i"}], "os": {"name": "windows"}, "resources": {"limits": {"cpu": "1"}}}
    assert validation_errors(pod(spec)) == ["spec.resources: Forbidden: may not be set for a windows pod"]
    spec = {"containers": [{"name": "a", "image": "i"}], "resources": {"claims": []}}
    assert validation_errors(pod(spec)) == ["spec.resources.claims: Forbidden: claims may not be set for Resources at "
                                            "pod-level"]


def test_the_gate_podlevelresources_off_drops_them():
    assert validation_errors(pod(HALF_MILLI), kubernetes_version="1.36", feature_gates={"PodLevelResources": False}) == []


@pytest.mark.parametrize("a, b, text, fmt", [
    ("1Gi", "1G", "2073741824", "BinarySI"),   # the receiver's format
    ("0", "1Ki", "1Ki", "BinarySI"),           # ... unless it is zero
    ("500u", "500u", "1m", "DecimalSI"),
    ("1", "500m", "1500m", "DecimalSI"),
    ("9223372036854775807", "1", "9223372036854775808", "DecimalSI"),  # past int64: an inf.Dec
])
def test_quantity_add(a, b, text, fmt):
    total = Quantity.parse(a).add(Quantity.parse(b))
    assert (str(total), total.format) == (text, fmt)
    assert total.text is None

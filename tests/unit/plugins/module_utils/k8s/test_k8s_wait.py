"""Wait checks (per-kind readiness as kubernetes.core, condition, JSONPath, gone) and the polling loop, with a fake clock."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import wait
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import WaitTimeout

POD = {
    "metadata": {"name": "web-0", "generation": 3, "labels": {"app.kubernetes.io/name": "web"}},
    "status": {
        "phase": "Running", "observedGeneration": 3,
        "conditions": [{"type": "Initialized", "status": "True"},
                       {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "c not ready"}],
        "podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}],
        "containerStatuses": [{"name": "a", "ready": True, "restartCount": 0}, {"name": "b", "ready": False}],
    },
}


def test_condition():
    assert wait.Condition("Initialized").matches(POD)
    assert not wait.Condition("Ready").matches(POD)
    assert wait.Condition("Ready", "False").matches(POD)
    assert wait.Condition("Ready", "False", "ContainersNotReady").matches(POD)
    assert not wait.Condition("Ready", "False", "Other").matches(POD)
    assert not wait.Condition("Ready").matches(None)
    assert wait.Condition("Ready", reason="R").awaited == "have condition Ready=True with reason R"
    assert wait.Condition("Ready").observed(POD) == "Ready=False (reason: ContainersNotReady, message: c not ready)"
    assert wait.Condition("Synced").observed(POD) == "no Synced condition (conditions: Initialized, Ready)"
    assert wait.Condition("Synced").observed({"status": {"conditions": "junk"}}) == "no Synced condition (conditions: none)"
    assert wait.Condition("Ready").observed(None) == "the object does not exist"


@pytest.mark.parametrize("path, results", [
    ("{.status.phase}", ["Running"]),
    (".status.phase", ["Running"]),
    ("status.phase", ["Running"]),
    ("$.status.phase", ["Running"]),
    ("{.status.podIPs[1].ip}", ["fd00::5"]),
    ("{.status.podIPs[-1].ip}", ["fd00::5"]),
    ("{.status.podIPs[5].ip}", []),
    ("{.status.podIPs[*].ip}", ["10.0.0.5", "fd00::5"]),
    ('{.status.conditions[?(@.type=="Ready")].status}', ["False"]),
    ("{.status.conditions[?(@.type!='Ready')].type}", ["Initialized"]),
    ("{.status.conditions[?(@.reason)].type}", ["Ready"]),
    ("{.status.containerStatuses[?(@.ready==true)].name}", ["a"]),
    ("{.status.containerStatuses[?(@.restartCount==0)].name}", ["a"]),
    (r"{.metadata.labels.app\.kubernetes\.io/name}", ["web"]),
    ("{.metadata.labels['app.kubernetes.io/name']}", ["web"]),
    ("{.status.missing.deeper}", []),
    ("{.metadata.name[0]}", []),
])
def test_jsonpath(path, results):
    assert wait.jsonpath(POD, path) == results


@pytest.mark.parametrize("path", ["{.a[}", "{.a[?(@.x ~ 1)]}", "{..a}", "{.a}b[0"])
def test_bad_jsonpath(path):
    with pytest.raises(InputError, match="JSONPath"):
        wait.JsonPath(path)


def test_jsonpath_check():
    assert wait.JsonPath("{.status.phase}", "Running").matches(POD)
    assert not wait.JsonPath("{.status.phase}", "Pending").matches(POD)
    assert wait.JsonPath("{.status.containerStatuses[0].ready}", True).matches(POD)
    assert wait.JsonPath("{.status.containerStatuses[0].ready}", "true").matches(POD)
    assert not wait.JsonPath("{.status.containerStatuses[*].ready}", True).matches(POD)
    assert wait.JsonPath("{.status.podIPs}").matches(POD)
    assert not wait.JsonPath("{.status.hostIP}").matches(POD)
    assert not wait.JsonPath("{.status.phase}", "Running").matches(None)
    assert wait.JsonPath("{.status.podIPs[*].ip}").observed(POD) == "{.status.podIPs[*].ip} = 10.0.0.5, fd00::5"
    assert wait.JsonPath("{.status.hostIP}").observed(POD) == "{.status.hostIP} = (nothing)"
    assert wait.JsonPath("{.x}", 5).awaited == "have {.x} = 5"


DEPLOYMENT = {"kind": "Deployment", "metadata": {"generation": 2}, "spec": {"replicas": 2},
              "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}}


def _with(obj, **status):
    return dict(obj, status=dict(obj["status"], **status))


@pytest.mark.parametrize("obj, ready", [
    (DEPLOYMENT, True),
    (_with(DEPLOYMENT, availableReplicas=0, unavailableReplicas=2), False),  # the reproduction
    (_with(DEPLOYMENT, availableReplicas=None), False),
    (_with(DEPLOYMENT, observedGeneration=1), False),
    (_with(DEPLOYMENT, unavailableReplicas=1), False),
    (dict(DEPLOYMENT, spec={"replicas": 3}), False),  # scaling up: status still says 2
    (dict(DEPLOYMENT, status={}), False),
    ({"kind": "Deployment", "metadata": {"generation": 1}, "spec": {"replicas": 0},
      "status": {"observedGeneration": 1}}, True),  # scaled to zero: no replicas to be available
])
def test_deployment_waits_for_its_rollout_as_kubernetes_core(obj, ready):
    assert wait.Ready("Deployment").matches(obj) is ready


def test_daemonset_statefulset_pod_and_other_kinds():
    ds = {"metadata": {"generation": 1}, "status": {"desiredNumberScheduled": 2, "updatedNumberScheduled": 2,
                                                    "numberReady": 2, "observedGeneration": 1}}
    assert wait.Ready("DaemonSet").matches(ds)
    assert not wait.Ready("DaemonSet").matches(_with(ds, numberReady=1))
    sts = {"metadata": {"generation": 1}, "spec": {"replicas": 1, "updateStrategy": {"type": "RollingUpdate"}},
           "status": {"observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "updatedReplicas": 1,
                      "currentRevision": "r1", "updateRevision": "r1"}}
    assert wait.Ready("StatefulSet").matches(sts)
    assert not wait.Ready("StatefulSet").matches(_with(sts, updateRevision="r2"))
    on_delete = dict(sts, spec={"replicas": 1, "updateStrategy": {"type": "OnDelete"}}, status={"observedGeneration": 1,
                                                                                                "replicas": 1})
    assert wait.Ready("StatefulSet").matches(on_delete)
    assert not wait.Ready("Pod").matches(POD)  # container b is not ready
    assert wait.Ready("Pod").observed(POD) == "ready: a True, b False"
    assert wait.Ready("ConfigMap").matches({"metadata": {}}) and not wait.Ready("ConfigMap").matches(None)
    assert wait.Ready("ConfigMap").awaited == "exist"


def test_a_timeout_says_what_the_rollout_lacks():
    stuck = _with(DEPLOYMENT, availableReplicas=None, unavailableReplicas=2)
    assert wait.Ready("Deployment").observed(stuck) == (
        "spec.replicas 2, replicas 2, updatedReplicas 2, availableReplicas None, unavailableReplicas 2, "
        "observedGeneration 2, generation 2")


def test_gone():
    assert wait.Gone().matches(None) and not wait.Gone().matches(POD)
    pending = {"metadata": {"deletionTimestamp": "2025-01-01T00:00:00Z", "finalizers": ["example.com/x"]}}
    assert wait.Gone().observed(pending) == "deletion pending since 2025-01-01T00:00:00Z (finalizers: example.com/x)"


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_poll_returns_the_first_matching_object():
    clock = FakeClock()
    versions = iter([None, {"status": {"phase": "Pending"}}, {"status": {"phase": "Running"}}])
    found = wait.poll(lambda: next(versions), wait.JsonPath(".status.phase", "Running"), "Pod a", 60, 5,
                      clock=clock, sleep=clock.sleep)
    assert found == {"status": {"phase": "Running"}} and clock.sleeps == [5, 5]


def test_poll_times_out_with_the_last_object():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as raised:
        wait.poll(lambda: POD, wait.Condition("Ready"), "Pod default/web-0", 12, 5, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == [5, 5, 2]
    assert raised.value.last is POD
    assert str(raised.value) == ("timed out after 12s waiting for Pod default/web-0 to have condition Ready=True; "
                                 "last seen: Ready=False (reason: ContainersNotReady, message: c not ready)")

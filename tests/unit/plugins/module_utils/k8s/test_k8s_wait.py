"""Wait checks (condition, JSONPath, reconciled, gone) and the polling loop, with a fake clock."""
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


def test_reconciled_and_gone():
    assert wait.Reconciled().matches(POD)
    behind = {"metadata": {"generation": 4}, "status": {"observedGeneration": 3}}
    assert not wait.Reconciled().matches(behind)
    assert wait.Reconciled().observed(behind) == "generation 4, observedGeneration 3"
    assert wait.Reconciled().matches({"metadata": {}})
    assert not wait.Reconciled().matches(None)
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

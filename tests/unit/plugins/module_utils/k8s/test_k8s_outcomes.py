"""Per-object outcomes, the batch failure message, the module summary and the check-mode plan."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import apply
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import Ref

A = Ref("v1", "ConfigMap", "a", "default")
B = Ref("v1", "ConfigMap", "b", "default")
C = Ref("v1", "Namespace", "c")


def cm(data, rv="1"):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "default", "resourceVersion": rv, "managedFields": [{"manager": "m"}]},
            "data": data}


def test_outcome_result_entry():
    entry = apply.Outcome(A, "updated", cm({"k": "1"}), cm({"k": "2"}, "2")).as_result()
    assert entry == {"apiVersion": "v1", "kind": "ConfigMap", "name": "a", "namespace": "default", "action": "updated",
                     "changed": True, "result": {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "2"},
                                                 "metadata": {"name": "a", "namespace": "default", "resourceVersion": "2"}}}
    failed = apply.Outcome(B, "failed", error="boom").as_result()
    assert (failed["changed"], failed["result"], failed["error"]) == (False, {}, "boom")


def test_changed_actions():
    assert [apply.Outcome(A, a).changed for a in ("created", "updated", "deleted", "unchanged", "absent", "deleting")] == [
        True, True, True, False, False, False]


def test_outcome_diff():
    diff = apply.Outcome(A, "updated", cm({"k": "1", "same": "x"}), cm({"k": "2", "same": "x"}, "2")).diff()
    assert diff == {"before": {"data": {"k": "1"}}, "after": {"data": {"k": "2"}},
                    "before_header": "ConfigMap default/a (live)", "after_header": "ConfigMap default/a (updated)"}


def test_batch_failure_says_what_was_done_and_what_was_not():
    error = ApiError("apply", B, 422, "Unprocessable Entity", '{"kind": "Status", "reason": "Invalid", "message": "bad"}')
    outcomes = [apply.Outcome(A, "created"), apply.Outcome(B, "failed", error=str(error)), apply.Outcome(C, "skipped")]
    failure = apply.BatchFailure(outcomes, error)
    assert str(failure) == ("apply ConfigMap default/b failed: HTTP 422 Unprocessable Entity (Invalid): bad "
                            "[1 of 3 objects done: ConfigMap default/a created; not applied: ConfigMap default/b, Namespace c]")
    assert failure.details() == {"status": 422, "reason": "Invalid", "causes": []}
    assert str(apply.BatchFailure(outcomes[1:2], error)) == str(error)


def test_summary():
    one = apply.summary([apply.Outcome(A, "created", None, cm({"k": "1"}))], with_diff=True)
    assert one["changed"] and one["result"]["data"] == {"k": "1"} and len(one["objects"]) == 1
    assert one["diff"][0]["after"]["data"] == {"k": "1"}
    two = apply.summary([apply.Outcome(A, "unchanged", cm({}), cm({})), apply.Outcome(B, "absent")])
    assert not two["changed"] and "result" not in two and "diff" not in two


def test_dry_run_plan_records_new_namespaces_and_crd_kinds():
    plan = apply.DryRunPlan()
    plan.record(apply.Outcome(C, "created", None, {"metadata": {"name": "c"}}))
    plan.record(apply.Outcome(Ref("v1", "Namespace", "old"), "unchanged", {}, {}))
    crd = {"spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"},
                    "versions": [{"name": "v1"}, {"name": "v2"}]}}
    plan.record(apply.Outcome(Ref("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"),
                              "created", None, crd))
    assert plan.namespaces == {"c"}
    assert plan.kinds == {("example.com/v1", "Widget"): False, ("example.com/v2", "Widget"): False}


def fail_with(error):
    raise error


class LostAnswers:
    """A cluster whose write answers are lost, though the writes themselves went through (what no test API server
    fault can do: its faults act before the request is served)."""

    def __init__(self, live, error):
        self.live, self.error = live, error

    def ref(self, definition, default_namespace=None):
        return A

    def get(self, ref):
        return self.live

    def apply(self, definition, *args):
        self.live = dict(definition, metadata=dict(definition["metadata"], resourceVersion="2"))
        raise self.error

    def delete(self, ref, dry_run=False, options=None):
        self.live = None
        raise self.error


DEFINITION = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}, "data": {"k": "2"}}


def test_a_write_whose_answer_was_lost_counts_when_reading_back_shows_it():
    error = ApiError("apply", A, 504, "Gateway Timeout")
    with pytest.raises(apply.BatchFailure) as raised:  # the lost answer still fails the task
        apply.apply_all(LostAnswers(None, error), [DEFINITION], apply.ApplyOptions())
    assert [(o.action, o.changed, o.error) for o in raised.value.outcomes] == [("created", True, str(error))]
    assert str(raised.value) == str(error) + " [1 of 1 objects done: ConfigMap default/a created; not applied: none]"
    with pytest.raises(apply.BatchFailure) as raised:
        apply.apply_all(LostAnswers(cm({"k": "1"}), error), [DEFINITION], apply.ApplyOptions(state="absent"))
    assert [(o.action, o.changed) for o in raised.value.outcomes] == [("deleted", True)]


def test_a_write_whose_answer_was_lost_and_that_changed_nothing_failed():
    error = ApiError("apply", A, 503, "Service Unavailable")
    cluster = LostAnswers(cm({"k": "2"}), error)
    cluster.apply = lambda *args: fail_with(error)  # nothing stored
    with pytest.raises(apply.BatchFailure) as raised:
        apply.apply_all(cluster, [DEFINITION], apply.ApplyOptions())
    assert [(o.action, o.changed) for o in raised.value.outcomes] == [("failed", False)] and str(raised.value) == str(error)

"""Error messages: what was attempted, the HTTP status, the server's Status reason, message and causes."""
import json

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, ConnectionFailure, WaitTimeout

CONFLICT = {
    "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Conflict", "code": 409,
    "message": 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.mode',
    "details": {"name": "web", "kind": "configmaps", "causes": [
        {"reason": "FieldManagerConflict", "message": 'conflict with "kubectl-client-side-apply" using v1', "field": ".data.mode"}]},
}

INVALID = {
    "kind": "Status", "status": "Failure", "reason": "Invalid", "code": 422,
    "message": 'Service "web" is invalid: spec.ports: Required value',
    "details": {"causes": [{"reason": "FieldValueRequired", "message": "Required value", "field": "spec.ports"},
                           {"reason": "FieldValueInvalid", "message": "must be dual-stack", "field": "spec.ipFamilies"}]},
}


def test_ssa_conflict_names_the_other_manager_and_the_field():
    error = ApiError("apply", "ConfigMap default/web", 409, "Conflict", json.dumps(CONFLICT).encode())
    assert str(error) == ('apply ConfigMap default/web failed: HTTP 409 Conflict: Apply failed with 1 conflict: '
                          'conflict with "kubectl-client-side-apply" using v1: .data.mode')
    assert error.details() == {"status": 409, "reason": "Conflict", "causes": CONFLICT["details"]["causes"]}
    assert not error.retryable


def test_causes_not_in_the_message_are_added():
    error = ApiError("apply", "Service default/web", 422, "Unprocessable Entity", json.dumps(INVALID))
    assert str(error) == ('apply Service default/web failed: HTTP 422 Unprocessable Entity (Invalid): Service "web" is invalid: '
                          'spec.ports: Required value; causes: spec.ipFamilies: must be dual-stack')


def test_body_that_is_not_a_status_is_quoted_shortly():
    error = ApiError("get", "Pod default/x", 502, "Bad Gateway", b"<html>\n  upstream   down\n</html>")
    assert str(error) == "get Pod default/x failed: HTTP 502 Bad Gateway: <html> upstream down </html>"
    assert error.retryable and error.reason == "Bad Gateway"
    long = ApiError("get", "Pod default/x", 500, "Internal Server Error", "x" * 2000)
    assert str(long).endswith("x" * 500 + "...")


def test_attempts_and_hint_are_appended():
    error = ApiError("apply", "ConfigMap default/web", 503, "Service Unavailable", None, retry_after=2.0)
    error.attempts = 5
    error.hint = "try later"
    assert str(error) == "apply ConfigMap default/web failed: HTTP 503 Service Unavailable (gave up after 5 attempts). try later"
    assert error.retry_after == 2.0


def test_connection_failure():
    error = ConnectionFailure("list", "Pod", "https://10.0.0.1:6443", "RemoteDisconnected: closed")
    error.attempts = 5
    assert str(error) == ("list Pod failed: no answer from the API server at https://10.0.0.1:6443: RemoteDisconnected: closed"
                          " (gave up after 5 attempts)")
    assert error.retryable
    assert not ConnectionFailure("get", "Pod a", "h", "SSLError", retryable=False).retryable


def test_wait_timeout_carries_the_last_object():
    last = {"kind": "Pod"}
    error = WaitTimeout("Pod default/a", "have condition Ready=True", 30, "Ready=False (reason: Pending)", last)
    assert str(error) == "timed out after 30s waiting for Pod default/a to have condition Ready=True; last seen: Ready=False (reason: Pending)"
    assert error.details() == {"last_object": last}

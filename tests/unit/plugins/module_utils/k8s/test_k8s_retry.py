"""Retry policy (urllib3's Retry): exponential backoff, Retry-After, bounded attempts (with a fake sleep)."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import retry
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, ConnectionFailure

STEADY = retry.RetryPolicy(jitter=False)


def failing(*errors, result="ok"):
    """A function raising ``errors`` one per call, then returning ``result``; ``calls`` counts calls."""
    pending = list(errors)

    def func():
        func.calls += 1
        if pending:
            raise pending.pop(0)
        return result
    func.calls = 0
    return func


def api(code, retry_after=None):
    return ApiError("apply", "ConfigMap default/a", code, "reason", None, retry_after)


def test_backoff_doubles_up_to_the_cap():
    policy = retry.RetryPolicy(base=0.25, cap=4.0, jitter=False)
    assert [policy.delay(n) for n in range(1, 9)] == [0, 0.5, 1, 2, 4, 4, 4, 4]


def test_jitter_adds_at_most_the_base():
    policy = retry.RetryPolicy(base=1.0)
    assert all(2 <= policy.delay(2) <= 3 for _attempt in range(50))


@pytest.mark.parametrize("error", [api(429), api(500), api(502), api(503), api(504),
                                   ConnectionFailure("get", "x", "h", "dropped")])
def test_transient_errors_are_retried(error):
    sleeps = []
    func = failing(error, error, error)
    assert retry.call(func, STEADY, sleep=sleeps.append, method="PATCH") == "ok"
    assert func.calls == 4 and sleeps == [0, 0.5, 1]


@pytest.mark.parametrize("header, seconds", [("2", 2), ("0", 0.5), ("3600", 30), ("soon", 0.5)])
def test_retry_after_replaces_the_backoff_with_a_cap(header, seconds):
    sleeps = []
    retry.call(failing(api(500), api(429, retry_after=header)), STEADY, sleep=sleeps.append)
    assert sleeps == [0, seconds]


def test_retry_after_as_an_http_date():
    sleeps = []
    retry.call(failing(api(503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")), STEADY, sleep=sleeps.append)
    assert sleeps == [0]  # a date in the past: no wait


def test_413_is_retried_only_with_retry_after():
    sleeps = []
    assert retry.call(failing(api(413, retry_after="1")), STEADY, sleep=sleeps.append) == "ok" and sleeps == [1]
    with pytest.raises(ApiError):
        retry.call(failing(api(413)), STEADY, sleep=sleeps.append)


@pytest.mark.parametrize("error", [api(400), api(404), api(409), api(422),
                                   ConnectionFailure("get", "x", "h", "certificate verify failed", retryable=False)])
def test_permanent_errors_are_not_retried(error):
    sleeps = []
    func = failing(error)
    with pytest.raises(type(error)) as raised:
        retry.call(func, STEADY, sleep=sleeps.append)
    assert func.calls == 1 and sleeps == [] and raised.value.attempts == 1


@pytest.mark.parametrize("error", [api(500), ConnectionFailure("get", "x", "h", "dropped")])
def test_budget_is_bounded_and_reported(error):
    sleeps = []
    func = failing(*[error] * 10)
    with pytest.raises(type(error)) as raised:
        retry.call(func, retry.RetryPolicy(attempts=4, jitter=False), sleep=sleeps.append)
    assert func.calls == 4 and sleeps == [0, 0.5, 1.0]
    assert raised.value is error and raised.value.attempts == 4 and "(gave up after 4 attempts)" in str(raised.value)


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError):
        retry.call(failing(KeyError("bug")), STEADY, sleep=lambda s: None)

"""Retry policy: exponential backoff with jitter, Retry-After, bounded attempts (with a fake clock)."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import retry
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, ConnectionFailure


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
    policy = retry.RetryPolicy(base=0.25, cap=4.0)
    assert [policy.delay(n, rand=lambda: 1.0) for n in range(1, 8)] == [0.25, 0.5, 1, 2, 4, 4, 4]


def test_jitter_takes_up_to_half_off():
    policy = retry.RetryPolicy(base=1.0)
    assert policy.delay(1, rand=lambda: 0.0) == 0.5
    assert policy.delay(2, rand=lambda: 0.5) == 1.5


def test_retry_after_is_a_lower_bound_with_a_cap():
    policy = retry.RetryPolicy(base=0.25, max_retry_after=30)
    assert policy.delay(1, retry_after=3, rand=lambda: 1.0) == 3
    assert policy.delay(1, retry_after=0, rand=lambda: 1.0) == 0.25
    assert policy.delay(1, retry_after=3600, rand=lambda: 1.0) == 30


@pytest.mark.parametrize("error", [api(429), api(500), api(502), api(503), api(504),
                                   ConnectionFailure("get", "x", "h", "dropped")])
def test_transient_errors_are_retried(error):
    sleeps = []
    func = failing(error, error)
    assert retry.call(func, retry.RetryPolicy(), sleep=sleeps.append, rand=lambda: 1.0) == "ok"
    assert func.calls == 3 and sleeps == [0.25, 0.5]


def test_retry_after_is_honoured():
    sleeps = []
    retry.call(failing(api(429, retry_after=2)), retry.RetryPolicy(), sleep=sleeps.append, rand=lambda: 1.0)
    assert sleeps == [2]


@pytest.mark.parametrize("error", [api(400), api(404), api(409), api(422),
                                   ConnectionFailure("get", "x", "h", "certificate verify failed", retryable=False)])
def test_permanent_errors_are_not_retried(error):
    sleeps = []
    func = failing(error)
    with pytest.raises(type(error)) as raised:
        retry.call(func, retry.RetryPolicy(), sleep=sleeps.append)
    assert func.calls == 1 and sleeps == [] and raised.value.attempts == 1


def test_budget_is_bounded_and_reported():
    sleeps = []
    func = failing(*[api(500)] * 10)
    with pytest.raises(ApiError) as raised:
        retry.call(func, retry.RetryPolicy(attempts=4), sleep=sleeps.append, rand=lambda: 1.0)
    assert func.calls == 4 and sleeps == [0.25, 0.5, 1.0]
    assert raised.value.attempts == 4 and "(gave up after 4 attempts)" in str(raised.value)


def test_other_exceptions_pass_through():
    with pytest.raises(KeyError):
        retry.call(failing(KeyError("bug")), retry.RetryPolicy(), sleep=lambda s: None)


@pytest.mark.parametrize("header, seconds", [("3", 3.0), (" 1 ", 1.0), ("0.5", 0.5), (None, None), ("soon", None),
                                             ("-1", None), ("Wed, 21 Oct 2015 07:28:00 GMT", None)])
def test_parse_retry_after(header, seconds):
    assert retry.parse_retry_after(header) == seconds

"""The differential tier's comparison: each filter against the oracle (upstream's code), case by case.

``Outcome`` is what one side did with a case: a value, or an error text. ``check`` runs both sides and
fails with the case written as a regression vector (``tests/unit/vectors/differential.json``) when they
differ: the filter's value must equal upstream's, byte for byte; where upstream refuses, the filter
must refuse with upstream's text inside its own message (the filter adds which argument it was).
Where upstream does nothing rather than fail (``OracleError.own``), only the failure is compared.
"""
from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError
from hypothesis import HealthCheck, seed, settings

from tests.support.oracle import OracleError

# The tier's fixed seed: every CI run generates the same cases.
SEED = 20260711


def differential(cases):
    """hypothesis settings of the tier: ``cases`` examples, the fixed seed, no example database."""
    def decorate(test):
        return seed(SEED)(settings(max_examples=cases, deadline=None, database=None, derandomize=False,
                                   suppress_health_check=list(HealthCheck))(test))
    return decorate


class Outcome:
    """A value (``error`` is None) or an error text."""

    __slots__ = ("value", "error", "own", "alternatives")

    def __init__(self, value=None, error=None, own=False, alternatives=None):
        self.value = value
        self.error = error
        self.own = own
        self.alternatives = alternatives or ([error] if error is not None else [])

    def as_expected(self):
        if self.error is None:
            return {"value": self.value}
        return {"error": self.error, **({"upstream_has_no_text": True} if self.own else {}),
                **({"alternatives": self.alternatives} if len(self.alternatives) > 1 else {})}

    def __repr__(self):
        return repr(self.as_expected())


def run_filter(func, *args, **kwargs):
    try:
        return Outcome(func(*args, **kwargs))
    except AnsibleFilterError as exc:
        return Outcome(error=exc.message)


def run_oracle(oracle_func, *args, **kwargs):
    try:
        return Outcome(oracle_func(*args, **kwargs))
    except OracleError as exc:
        return Outcome(error=exc.text, own=exc.own, alternatives=exc.alternatives)


def same_error(filter_error, oracle):
    """The filter's message holds upstream's text (or one of the failures upstream may report first).
    Ansible strips the whitespace around a filter's message, so upstream's text is compared stripped."""
    return oracle.own or any(text.strip() in filter_error for text in oracle.alternatives)


class Difference(AssertionError):
    pass


def vector(name, args, kwargs, oracle, note=""):
    """The case as a regression vector: what ``tests/unit/vectors/differential.json`` holds."""
    entry = {"feature": name, "name": note or "differential", "input": {"args": list(args), "kwargs": kwargs},
             "expected": oracle.as_expected(), "source": "tests/differential: the oracle (upstream code)"}
    return json.dumps(entry, indent=1, sort_keys=True, ensure_ascii=False)


def differ(name, args, kwargs, got, oracle, why):
    raise Difference("%s differs from upstream (%s)\nfilter: %r\nupstream: %r\nregression vector:\n%s"
                     % (name, why, got, oracle, vector(name, args, kwargs, oracle)))


def check(name, filter_func, oracle_func, args, kwargs=None, compare=None):
    """Run one case on both sides; raise ``Difference`` when they disagree. ``compare(filter value,
    oracle value)`` returns None when they agree, else the reason (default: equality). Both sides answer for the
    oracle's release (``kubernetes_version``)."""
    kwargs = dict(kwargs or {})
    if getattr(oracle_func, "release", None):
        kwargs.setdefault("kubernetes_version", oracle_func.release)
    got = run_filter(filter_func, *args, **kwargs)
    want = run_oracle(oracle_func, *args, **kwargs)
    if got.error is None and want.error is None:
        reason = compare(got.value, want.value) if compare else (None if got.value == want.value else "values differ")
        if reason:
            differ(name, args, kwargs, got, want, reason)
    elif got.error is None:
        differ(name, args, kwargs, got, want, "upstream refuses, the filter does not")
    elif want.error is None:
        differ(name, args, kwargs, got, want, "the filter refuses, upstream does not")
    elif not same_error(got.error, want):
        differ(name, args, kwargs, got, want, "not upstream's error text")
    return got, want


class Counter:
    """How many cases ran: the tier asserts it ran as many as it claims."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1

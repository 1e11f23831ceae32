# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Bounded retries with exponential backoff, honouring the server's Retry-After. Pure Python.

Every request the collection makes is idempotent (server-side apply, get, list, delete), so a
request whose answer was lost can be sent again safely.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import K8sError


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; the n-th wait is ``base * 2**(n-1)`` capped at ``cap``, with jitter.

    A server's ``Retry-After`` is a lower bound for the wait, itself capped at ``max_retry_after``
    so that a misbehaving proxy cannot stall a play.
    """

    attempts: int = 5
    base: float = 0.25
    cap: float = 4.0
    max_retry_after: float = 30.0

    def delay(self, attempt, retry_after=None, rand=random.random):
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.cap, self.base * 2 ** (attempt - 1))
        backoff *= 0.5 + rand() / 2  # jitter: clients that failed together do not retry together
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_retry_after))
        return backoff


def call(func, policy, sleep=time.sleep, rand=random.random):
    """``func()``, tried again while it raises a retryable :class:`K8sError` and attempts remain.

    The error that ends the loop is re-raised with ``attempts`` set to the number of tries.
    """
    attempt = 1
    while True:
        try:
            return func()
        except K8sError as exc:
            if not exc.retryable or attempt >= policy.attempts:
                exc.attempts = attempt
                raise
            sleep(policy.delay(attempt, exc.retry_after, rand))
            attempt += 1


def parse_retry_after(value):
    """Seconds from a ``Retry-After`` header (delta-seconds form, as kube-apiserver sends), or None."""
    try:
        seconds = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None

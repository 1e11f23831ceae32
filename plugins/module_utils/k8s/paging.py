# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Listing a kind one page at a time, starting over when the server expires the continue token: the one rule of
``Cluster.list`` (which holds every object) and of callers that must not hold them all at once."""

from __future__ import annotations

from typing import Any, Callable

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError


def stream(cluster: Any, api_version: str, kind: str, consume: Callable[[dict], Any], reset: Callable[[], Any],
           namespace: str | None = None, label_selector: str | None = None, page_size: int | None = 500,
           on_page: Callable[[], Any] | None = None, field_selector: str | None = None) -> None:
    """Give every object of a kind to ``consume``, one page at a time (``Cluster.pages``).

    When the server expires the continue token mid-way (410), ``reset`` forgets what was consumed
    and the listing starts over, at most ``cluster.policy.attempts`` times (always at least once).
    """
    attempts = max(1, cluster.policy.attempts)
    for attempt in range(1, attempts + 1):
        reset()
        try:
            for page in cluster.pages(api_version, kind, namespace, label_selector, field_selector, page_size):
                if on_page:
                    on_page()
                for item in page:
                    consume(item)
            return
        except ApiError as exc:
            if exc.code != 410 or attempt == attempts:
                raise

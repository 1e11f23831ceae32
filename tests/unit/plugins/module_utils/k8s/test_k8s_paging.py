"""Cluster paging: every object given once per listing, a 410 starts the listing over, other errors do not."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.paging import stream
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.retry import RetryPolicy


class PagedCluster:
    """``pages`` of a fixed list; the calls in ``fail`` (1-based, by page request) raise the error given."""

    def __init__(self, items, fail=None, attempts=3):
        self.items = items
        self.fail = dict(fail or {})
        self.policy = RetryPolicy(attempts=attempts)
        self.calls = []
        self.requests = 0

    def pages(self, api_version, kind, namespace=None, label_selector=None, field_selector=None, page_size=500):
        self.calls.append((api_version, kind, namespace, label_selector, field_selector, page_size))
        for start in range(0, len(self.items), page_size):
            self.requests += 1
            if self.requests in self.fail:
                raise self.fail[self.requests]
            yield self.items[start:start + page_size]


def collect(cluster, **kwargs):
    seen, pages = [], []
    stream(cluster, "v1", "Node", seen.append, seen.clear, on_page=lambda: pages.append(1), **kwargs)
    return seen, len(pages)


def test_every_object_once_page_by_page():
    cluster = PagedCluster(list(range(5)))
    assert collect(cluster, namespace="ns", label_selector="a=b", page_size=2) == ([0, 1, 2, 3, 4], 3)
    assert cluster.calls == [("v1", "Node", "ns", "a=b", None, 2)]


def test_an_expired_continue_token_starts_over_and_forgets_what_was_consumed():
    cluster = PagedCluster(list(range(5)), fail={2: ApiError("list", "Node", 410, "Gone")})
    assert collect(cluster, page_size=2) == ([0, 1, 2, 3, 4], 1 + 3)
    assert len(cluster.calls) == 2


def test_gives_up_after_the_policy_attempts():
    gone = {n: ApiError("list", "Node", 410, "Gone") for n in (1, 2)}
    with pytest.raises(ApiError, match="410"):
        collect(PagedCluster([1], fail=gone, attempts=2), page_size=1)


def test_other_errors_are_not_retried():
    cluster = PagedCluster([1, 2], fail={1: ApiError("list", "Node", 403, "Forbidden")})
    with pytest.raises(ApiError, match="403"):
        collect(cluster, page_size=1)
    assert len(cluster.calls) == 1

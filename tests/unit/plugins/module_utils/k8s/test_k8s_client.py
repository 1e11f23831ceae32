"""Cluster: URL paths of kinds and objects (every segment checked, then quoted)."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import ResourceType

CONFIGMAPS = ResourceType("v1", "ConfigMap", "configmaps", True)
WIDGETS = ResourceType("example.com/v1", "Widget", "widgets", False)


def test_paths():
    assert CONFIGMAPS.path() == "/api/v1/configmaps"
    assert CONFIGMAPS.path(namespace="web") == "/api/v1/namespaces/web/configmaps"
    assert CONFIGMAPS.path("a", "web") == "/api/v1/namespaces/web/configmaps/a"
    assert WIDGETS.path("a", "ignored") == "/apis/example.com/v1/widgets/a"


def test_segments_are_quoted():
    """A name valid for its kind can still hold what a URL reads as a query, a fragment or an escape."""
    assert WIDGETS.path("a?b#c d") == "/apis/example.com/v1/widgets/a%3Fb%23c%20d"
    assert WIDGETS.path("system:web@x") == "/apis/example.com/v1/widgets/system:web@x"


@pytest.mark.parametrize("name, namespace, message", [
    ("..", None, "invalid resource name \"..\": \\[may not be '..'\\]"),
    (".", None, "invalid resource name \".\": \\[may not be '.'\\]"),
    ("../nodes/x", None, "invalid resource name \"../nodes/x\": \\[may not contain '/'\\]"),
    ("a", "../kube-system", "invalid namespace \"../kube-system\": \\[may not contain '/'\\]"),
])
def test_segments_that_would_leave_the_path_are_refused(name, namespace, message):
    with pytest.raises(InputError, match=message):
        CONFIGMAPS.path(name, namespace)

"""Label selector evaluation (apimachinery LabelSelectorAsSelector and Requirement.Matches)."""
import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.label_selector import compile_selector


@pytest.mark.parametrize("selector, labels, matches", [
    (None, {}, False),  # a nil selector selects nothing
    ({}, {"a": "b"}, True),  # an empty one everything
    ({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"}, True),
    ({"matchLabels": {"app": "web"}}, {"app": "db"}, False),
    ({"matchLabels": {"app": "web"}}, {}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}, {"tier": "b"}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}, {}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {}, True),  # absent label
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}, {"tier": "a"}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {"tier": ""}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist", "values": None}]}, {"tier": "a"}, False),
    # matchLabels and matchExpressions are ANDed
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {"app": "web"}, False),
])
def test_compile_selector(selector, labels, matches):
    assert compile_selector(selector)(labels) is matches

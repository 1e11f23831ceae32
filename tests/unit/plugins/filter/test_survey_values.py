"""The survey_values filter: a role's variables converted by their argument spec, from the text an AWX survey or -e
gives, as the roles read them (issue 16, point 1: one shared step instead of a regex per variable)."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.survey_values import FilterModule

survey_values = FilterModule().filters()["survey_values"]

WORDS = {"type": "list", "elements": "str"}
ENTRIES = {"type": "list", "elements": "raw"}
MASKS = {"type": "dict", "options": {"IPv4": {"type": "int"}, "IPv6": {"type": "int"}}}


def one(value, spec):
    return survey_values({"v": value}, {"v": spec})["v"]


@pytest.mark.parametrize("given, meant", [
    ("10.244.0.0/16,fd00:10:244::/56", ["10.244.0.0/16", "fd00:10:244::/56"]),
    ("node-1, node-2", ["node-1", "node-2"]),
    ("10.96.0.0/16\nfd00:10:96::/112\n", ["10.96.0.0/16", "fd00:10:96::/112"]),
    ("", []),
    (["a b"], ["a b"]),  # a list is the list
])
def test_a_list_of_strings_from_words(given, meant):
    assert one(given, WORDS) == meant


@pytest.mark.parametrize("given, meant", [
    ("10.0.0.5 db, 10.0.0.6 cache", ["10.0.0.5 db", "10.0.0.6 cache"]),
    ("10.0.0.5 db\n\n 10.0.0.6 cache \n", ["10.0.0.5 db", "10.0.0.6 cache"]),
    ([{"ip": "10.0.0.5"}], [{"ip": "10.0.0.5"}]),
])
def test_a_list_of_entries_from_lines_and_commas(given, meant):
    assert one(given, ENTRIES) == meant


@pytest.mark.parametrize("given, meant", [
    ("IPv4=25,IPv6=64", {"IPv4": 25, "IPv6": 64}),
    ('{"IPv4": "25"}', {"IPv4": 25}),
    ("{IPv4: 25, IPv6: 72}", {"IPv4": 25, "IPv6": 72}),  # YAML, as a survey's text area may hold
    (" IPv4=25 IPv6=64 ", {"IPv4": 25, "IPv6": 64}),
    ("", {}),
    ({"IPv4": "26"}, {"IPv4": 26}),
    ({"IPv4": "big"}, {"IPv4": "big"}),  # left for the argument spec to name
])
def test_a_mapping_and_its_options(given, meant):
    assert one(given, MASKS) == meant


def test_name_value_pairs_keep_an_empty_value_and_text():
    assert one("v=2,feature-gates=A=true,empty=", {"type": "dict"}) == {"v": "2", "feature-gates": "A=true", "empty": ""}


@pytest.mark.parametrize("given, spec, meant", [
    ("2", {"type": "int"}, 2), ("many", {"type": "int"}, "many"),
    ("yes", {"type": "bool"}, True), ("false", {"type": "bool"}, False), ("maybe", {"type": "bool"}, "maybe"),
    ("text, kept", {"type": "str"}, "text, kept"), ("a,b", {"type": "raw"}, "a,b"), ("a,b", None, "a,b"),
])
def test_scalars_and_values_without_a_conversion(given, spec, meant):
    assert one(given, spec) == meant


def test_a_list_of_mappings_is_converted_by_its_options():
    spec = {"type": "list", "elements": "dict", "options": {
        "containers": WORDS, "env": {"type": "dict"},
        "volume": {"type": "dict", "options": {"files": {"type": "dict"}, "default_mode": {"type": "int"}}}}}
    given = [{"kind": "Deployment", "containers": "app, sidecar", "env": "POD=metadata.name",
              "volume": {"mount_path": "/etc/podinfo", "files": "labels=metadata.labels", "default_mode": "420"}}, "x"]
    assert one(given, spec) == [
        {"kind": "Deployment", "containers": ["app", "sidecar"], "env": {"POD": "metadata.name"},
         "volume": {"mount_path": "/etc/podinfo", "files": {"labels": "metadata.labels"}, "default_mode": 420}}, "x"]


def test_variables_without_a_spec_are_kept():
    assert survey_values({"a": "1,2", "b": "1,2"}, {"a": WORDS}) == {"a": ["1", "2"], "b": "1,2"}


def test_bad_arguments_are_a_clean_error():
    with pytest.raises(AnsibleFilterError, match="survey_values: "):
        survey_values(["a"], {})

"""The host_aliases filter, called as Jinja calls it."""
import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.filter.host_aliases import FilterModule

host_aliases = FilterModule().filters()["host_aliases"]

EXPECTED = [{"ip": "10.0.0.5", "hostnames": ["db", "db.internal"]}, {"ip": "10.0.0.6", "hostnames": ["cache"]},
            {"ip": "fd00::6", "hostnames": ["cache"]}]


@pytest.mark.parametrize("entries", [
    {"db": "10.0.0.5", "cache": ["10.0.0.6", "fd00::6"], "db.internal": "10.0.0.5"},
    [{"ip": "10.0.0.5", "hostnames": ["db", "db.internal"]}, {"ip": "10.0.0.6", "hostnames": ["cache"]},
     {"ip": "fd00::6", "hostnames": ["cache", "cache"]}],
    ["10.0.0.5 db db.internal", "10.0.0.6 cache", "fd00::6 cache", "10.0.0.5 db"],
], ids=["mapping", "objects", "strings"])
def test_shapes(entries):
    assert host_aliases(entries) == EXPECTED


def test_result_is_plain_builtins():
    result = host_aliases(["10.0.0.5 db"])
    assert [result.__class__, result[0].__class__, result[0]["hostnames"].__class__] == [list, dict, list]


@pytest.mark.parametrize("entries, message", [
    ([{"ip": "x", "hostnames": ["a"]}],
     'host_aliases: spec.hostAliases[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
    (["10.0.0.1 ok Foo.com"],
     "host_aliases: spec.hostAliases[0].hostnames[1]: Invalid value: \"Foo.com\": a lowercase RFC 1123 subdomain must consist of "
     "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
     "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    (None, 'host_aliases: entries must be a mapping of hostname to IP(s), or a list of {ip, hostnames} mappings, '
           '"ip name ..." strings or [ip, [names]] pairs; got null'),
    ([{"ip": "10.0.0.1", "names": ["a"]}], 'host_aliases: entries[0] has unknown keys "names": an entry has only ip and hostnames'),
])
def test_errors_are_filter_errors(entries, message):
    with pytest.raises(AnsibleFilterError) as err:
        host_aliases(entries)
    assert str(err.value) == message


@pytest.mark.parametrize("text", ["10.0.0.1 db\n10.0.0.2 cache", "10.0.0.1 db\r\n10.0.0.2 cache\n", "10.0.0.1 db\u2028cache 10.0.0.2"])
def test_a_string_of_several_lines_is_refused_not_read_as_one_line(text):
    """Issue 13, defect 6: "10.0.0.1 db\\n10.0.0.2 cache" became one line, so cache resolved to 10.0.0.1."""
    with pytest.raises(AnsibleFilterError) as raised:
        host_aliases([text])
    assert str(raised.value).startswith("host_aliases: entries[0] holds 2 lines: %s; give one \"ip name ...\" string "
                                        "per line, each its own list item" % json.dumps(text)), str(raised.value)

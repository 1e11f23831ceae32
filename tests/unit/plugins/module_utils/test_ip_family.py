"""The one IP family helper (ip_family core): text and parsed values, IPv4-mapped forms, the "unknown" answer."""
import ipaddress

import pytest

from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import cidr_family, ip_family, other_family
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.families import assigned_ip_families


@pytest.mark.parametrize("value, family", [
    ("10.0.0.1", "IPv4"), ("010.000.000.001", "IPv4"), ("::ffff:10.0.0.1", "IPv4"), ("fd00::1", "IPv6"),
    (ipaddress.ip_address("fd00::1"), "IPv6"), ("", None), ("10.0.0.0/8", None), (None, None), (7, None),
])
def test_ip_family(value, family):
    assert ip_family(value) == family
    assert ip_family(value, "unknown") == (family or "unknown")


@pytest.mark.parametrize("value, family", [
    ("10.0.0.0/8", "IPv4"), ("::ffff:10.0.0.0/104", "IPv4"), ("fd00::/64", "IPv6"),
    (ipaddress.ip_network("fd00::/64"), "IPv6"), ("10.0.0.1", None), ("", None), (None, None),
])
def test_cidr_family(value, family):
    assert cidr_family(value) == family


def test_other_family():
    assert other_family("IPv4") == "IPv6" and other_family("IPv6") == "IPv4"


@pytest.mark.parametrize("policy, cluster, headless_selectorless, families", [
    ("SingleStack", ["IPv6", "IPv4"], False, ["IPv6"]),
    ("PreferDualStack", ["IPv4"], False, ["IPv4"]),
    ("PreferDualStack", ["IPv4", "IPv6"], False, ["IPv4", "IPv6"]),
    ("PreferDualStack", ["IPv4"], True, ["IPv4", "IPv6"]),
    ("RequireDualStack", ["IPv4"], False, None),
    ("RequireDualStack", ["IPv6"], True, ["IPv6", "IPv4"]),
])
def test_assigned_ip_families(policy, cluster, headless_selectorless, families):
    assert assigned_ip_families(policy, cluster, headless_selectorless) == families

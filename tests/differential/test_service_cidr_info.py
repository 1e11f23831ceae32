"""service_cidr_info against kube-apiserver's ClusterIP allocators: sizes, bands, first and last addresses."""
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.filter.service_cidr_info import service_cidr_info

from .harness import Counter, check, differential
from .strategies import _weighted, cidr_text

CIDRS = _weighted(
    (4, cidr_text(4, 0, 32, host_bits=True)),
    (4, cidr_text(6, 64, 128, host_bits=True)),
    (1, cidr_text(6, 0, 63)),
    (1, cidr_text(4, 8, 32).map(lambda c: "::ffff:" + c.split("/")[0] + "/" + str(96 + int(c.split("/")[1])))),
    (1, cidr_text(4, 8, 30).map(lambda c: ".".join("0" + p for p in c.split("/")[0].split(".")) + "/" + c.split("/")[1])),
    (1, st.sampled_from(["10.0.0.0/33", "10.0.0.0", "fd00::/129", "", "10.0.0.0/8/8", "fd00::/064", "10.96.0.0/012"])),
)


def test_service_cidr_info(oracle, cases):
    ran = Counter()

    @differential(cases)
    @given(CIDRS)
    def case(cidr):
        ran()
        check("service_cidr_info", service_cidr_info, oracle["service_cidr_info"], [cidr])

    case()
    assert ran.count >= cases

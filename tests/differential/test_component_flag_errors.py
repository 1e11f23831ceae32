"""component_flag_errors against each component's own flag parsing and option checks."""
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.filter.component_flag_errors import component_flag_errors

from .harness import Counter, check, differential
from .strategies import BAD_IP, CANONICAL_V4, CANONICAL_V6, NONCANONICAL_V4, NONCANONICAL_V6, _weighted, cidr_text

# IPv4 prefixes of /12 and longer: kube-controller-manager marks a service range block by block
# (CidrSet.Occupy), so a /0 cluster CIDR with /32 nodes keeps the oracle busy for hours.
V4_CIDR = _weighted((4, cidr_text(4, 12, 30)), (1, cidr_text(4, 12, 32, host_bits=True)))
V6_CIDR = _weighted((4, cidr_text(6, 48, 120)), (1, cidr_text(6, 0, 128, host_bits=True)))
BAD_CIDR = st.sampled_from(["", "10.0.0.0", "10.0.0.0/33", "fd00::/129", "x", " 10.0.0.0/8", "010.0.0.0/8",
                            "::ffff:10.0.0.0/104", "10.96.0.0/012"])
CIDR = _weighted((5, V4_CIDR), (5, V6_CIDR), (1, BAD_CIDR))
CIDR_LIST = _weighted((3, st.lists(CIDR, min_size=1, max_size=2)), (1, st.lists(CIDR, max_size=3)),
                      (2, st.tuples(V4_CIDR, V6_CIDR).map(list)), (2, st.tuples(V6_CIDR, V4_CIDR).map(list)))
IP = _weighted((4, CANONICAL_V4), (4, CANONICAL_V6), (1, NONCANONICAL_V4), (1, NONCANONICAL_V6), (1, BAD_IP),
               (1, st.sampled_from(["0.0.0.0", "::"])))


def comma_list(strategy):
    """A comma-list flag: written as one string, or as a list."""
    return strategy.flatmap(lambda items: st.sampled_from([",".join(items), items]))


BOOL_TEXT = st.sampled_from([True, False, "true", "false", "1", "0", "t", "F", "TRUE", "yes", ""])
MASK = _weighted((4, st.integers(min_value=8, max_value=128)), (1, st.integers(min_value=-2, max_value=200)),
                 (1, st.sampled_from(["24", "0x18", "030", "x", "", "99999999999"])))
LOCKED = ("MultiCIDRServiceAllocator", "DisableAllocatorDualWrite")
# Two refused gates are reported in Go map order (random): at most one per case.
GATES = st.dictionaries(st.sampled_from(LOCKED + ("StrictIPCIDRValidation",)), st.booleans(), max_size=2).filter(
    lambda gates: sum(gates.get(gate) is False for gate in LOCKED) <= 1)
GATE_TEXT = st.sampled_from(["MultiCIDRServiceAllocator", "A=maybe", " MultiCIDRServiceAllocator = false ,", "",
                             "StrictIPCIDRValidation=false", "DisableAllocatorDualWrite=TRUE"])
# (a gate the filter does not model, "" included, is a documented difference: kube-apiserver refuses it)

FLAGS = {
    "kube-apiserver": {
        "service-cluster-ip-range": comma_list(CIDR_LIST),
        "advertise-address": IP,
        "endpoint-reconciler-type": st.sampled_from(["lease", "none", "master-count"]),
        "feature-gates": st.one_of(GATES, GATE_TEXT),
    },
    "kube-controller-manager": {
        "allocate-node-cidrs": BOOL_TEXT,
        "cidr-allocator-type": st.sampled_from(["RangeAllocator", "CloudAllocator", "IPAMFromCluster", "IPAMFromCloud", "Bogus", ""]),
        "cluster-cidr": comma_list(CIDR_LIST),
        "service-cluster-ip-range": comma_list(CIDR_LIST),
        "node-cidr-mask-size": MASK,
        "node-cidr-mask-size-ipv4": MASK,
        "node-cidr-mask-size-ipv6": MASK,
    },
    "kubelet": {
        "node-ip": comma_list(st.lists(_weighted((5, IP), (1, IP.map(lambda s: " %s " % s))), max_size=3)),
        "cloud-provider": st.sampled_from(["", "external", "gce", "aws"]),
    },
    "kube-proxy": {
        "detect-local-mode": st.sampled_from(["ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix", "", "Bogus"]),
        "cluster-cidr": comma_list(CIDR_LIST),
        "pod-bridge-interface": st.sampled_from(["", "cbr0"]),
        "pod-interface-name-prefix": st.sampled_from(["", "veth"]),
    },
}


@st.composite
def flag_sets(draw):
    component = draw(st.sampled_from(sorted(FLAGS)))
    names = draw(st.lists(st.sampled_from(sorted(FLAGS[component])), unique=True, max_size=len(FLAGS[component])))
    flags = {name: draw(FLAGS[component][name]) for name in names}
    if component == "kube-controller-manager" and draw(st.integers(min_value=0, max_value=3)):
        flags["allocate-node-cidrs"] = True  # the node IPAM checks run only with it
    style = draw(st.sampled_from(["bare", "dashes", "list"]))
    if style == "dashes":
        flags = {"--" + name: value for name, value in flags.items()}
    elif style == "list" and "feature-gates" not in flags and all(isinstance(v, str) for v in flags.values()):
        flags = ["--%s=%s" % item for item in flags.items()]
    return flags, component


def test_component_flag_errors(oracle, cases):
    ran = Counter()

    @differential(cases)
    @given(flag_sets())
    def case(drawn):
        ran()
        flags, component = drawn
        check("component_flag_errors", component_flag_errors, oracle["component_flag_errors"], [flags, component])

    case()
    assert ran.count >= cases

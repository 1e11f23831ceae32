"""node_pod_cidrs against kube-controller-manager's node IPAM controller (built from its flags, then run)."""
import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.filter.node_pod_cidrs import node_pod_cidrs

from .harness import Counter, check, differential
from .strategies import VALID_LABEL


@st.composite
def cluster_cidr(draw, family):
    """A cluster CIDR small enough that blocks run out, or large."""
    width = 32 if family == 4 else 128
    prefix = draw(st.integers(min_value=12, max_value=28) if family == 4 else st.integers(min_value=48, max_value=120))
    value = draw(st.integers(min_value=0, max_value=2 ** width - 1))
    value &= ((1 << width) - 1) ^ ((1 << (width - prefix)) - 1)
    net = ipaddress.ip_network((value, prefix))
    return net


@st.composite
def configurations(draw):
    shape = draw(st.sampled_from(["v4", "v6", "v4v6", "v6v4", "v4v4", "v4v6v4"]))
    nets = [draw(cluster_cidr(4 if part == "v4" else 6)) for part in (shape[i:i + 2] for i in range(0, len(shape), 2))]
    texts = [net.with_prefixlen if net.version == 4 else "%s/%d" % (net.network_address.compressed, net.prefixlen) for net in nets]
    cluster = draw(st.sampled_from([",".join(texts), texts]))
    kwargs = {}
    # node masks: a few blocks per cluster CIDR, sometimes too many or too few bits

    def mask_for(net):
        return draw(st.integers(min_value=net.prefixlen, max_value=min(net.max_prefixlen, net.prefixlen + draw(
            st.sampled_from([2, 3, 6, 16, 17])))))
    style = draw(st.sampled_from(["none", "int", "dict", "list"]))
    if style == "int":
        kwargs["node_mask_sizes"] = mask_for(nets[0])
    elif style == "dict":
        masks = {}
        for family, version in (("IPv4", 4), ("IPv6", 6)):
            of_family = [n for n in nets if n.version == version]
            if of_family and draw(st.booleans()):
                masks[family] = mask_for(of_family[0])
            elif draw(st.integers(min_value=0, max_value=4)) == 0:
                masks[family] = 0
        kwargs["node_mask_sizes"] = masks
    elif style == "list":
        kwargs["node_mask_sizes"] = [mask_for(n) for n in nets]
    if draw(st.booleans()):
        services = []
        for net in nets[:2]:
            if draw(st.booleans()):
                # a service range inside the cluster CIDR, or around it, or elsewhere
                sub = draw(st.integers(min_value=max(0, net.prefixlen - 2), max_value=net.max_prefixlen - 1))
                base = int(net.network_address) + draw(st.integers(min_value=0, max_value=max(0, net.num_addresses - 1)))
                services.append(str(ipaddress.ip_network((base, sub), strict=False)))
        if services:
            kwargs["service_cidrs"] = draw(st.sampled_from([",".join(services), services]))
    return nets, cluster, kwargs


@st.composite
def nodes_for(draw, nets, masks_hint=24):
    names = draw(st.lists(VALID_LABEL, unique=True, min_size=0, max_size=7))
    nodes = []
    for name in names:
        kind = draw(st.sampled_from(["name", "name", "name", "object", "cidrs", "cidr", "garbage", "outside"]))
        if kind == "name":
            nodes.append(name)
            continue
        node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}
        if kind == "cidrs":
            cidrs = []
            for net in nets[:2]:
                prefix = draw(st.integers(min_value=net.prefixlen, max_value=min(net.max_prefixlen, net.prefixlen + 8)))
                offset = draw(st.integers(min_value=0, max_value=net.num_addresses - 1))
                cidrs.append(str(ipaddress.ip_network((int(net.network_address) + offset, prefix), strict=False)))
            node["spec"] = {"podCIDRs": cidrs}
        elif kind == "cidr":
            net = nets[0]
            node["spec"] = {"podCIDR": str(ipaddress.ip_network((int(net.network_address), min(net.max_prefixlen, net.prefixlen + 2)), strict=False))}
        elif kind == "garbage":
            node["spec"] = {"podCIDRs": [draw(st.sampled_from(["bogus", "10.0.0.0/33", "", "10.0.0.1"]))]}
        elif kind == "outside":
            node["spec"] = {"podCIDRs": [draw(st.sampled_from(["192.0.2.0/24", "2001:db8::/64"]))]}
        nodes.append(node)
    return nodes


@st.composite
def cases_(draw):
    nets, cluster, kwargs = draw(configurations())
    return draw(nodes_for(nets)), cluster, kwargs


def test_node_pod_cidrs(oracle, cases):
    ran = Counter()

    def same(got, want):
        if got != want or list(got) != list(want):
            return "podCIDRs or node order differ"
        return None

    @differential(cases)
    @given(cases_())
    def case(drawn):
        ran()
        nodes, cluster, kwargs = drawn
        check("node_pod_cidrs", node_pod_cidrs, oracle["node_pod_cidrs"], [nodes, cluster], kwargs, compare=same)

    case()
    assert ran.count >= cases

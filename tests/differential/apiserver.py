"""Server-side dry-run creates on the real kube-apiserver (the test control plane), answered as the
validation_errors filter lists errors: an Invalid status's causes, each ``field: message``; any other
refusal (a body that does not decode, ...) its status message alone; ``[]`` when it would be created."""
from __future__ import annotations

import http.client
import json
import ssl
import time
import urllib.parse

# kind -> (API path prefix, resource, namespaced)
RESOURCES = {
    "Pod": ("/api/v1", "pods", True),
    "PodTemplate": ("/api/v1", "podtemplates", True),
    "ReplicationController": ("/api/v1", "replicationcontrollers", True),
    "Service": ("/api/v1", "services", True),
    "Node": ("/api/v1", "nodes", False),
    "Deployment": ("/apis/apps/v1", "deployments", True),
    "StatefulSet": ("/apis/apps/v1", "statefulsets", True),
    "DaemonSet": ("/apis/apps/v1", "daemonsets", True),
    "ReplicaSet": ("/apis/apps/v1", "replicasets", True),
    "Job": ("/apis/batch/v1", "jobs", True),
    "CronJob": ("/apis/batch/v1", "cronjobs", True),
    "ServiceCIDR": ("/apis/networking.k8s.io/v1", "servicecidrs", False),
    "Gateway": ("/apis/gateway.networking.k8s.io/v1", "gateways", True),
    "GKEIPRoute": ("/apis/networking.gke.io/v1", "gkeiproutes", True),
}


class DryRun:
    """One keep-alive connection to the apiserver, posting dry-run creates."""

    def __init__(self, url, token, ca_path):
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.context = ssl.create_default_context(cafile=ca_path)
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json",
                        "Accept": "application/json"}
        self.connection = None

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(3):
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=60)
            try:
                self.connection.request(method, path, body=data, headers=self.headers)
                response = self.connection.getresponse()
                return response.status, json.loads(response.read() or b"{}")
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def ensure_namespace(self, name):
        """Create the namespace if needed and wait for its default ServiceAccount (Pods need it)."""
        status, _body = self.request("GET", "/api/v1/namespaces/" + name)
        if status == 404:
            self.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, _body = self.request("GET", "/api/v1/namespaces/%s/serviceaccounts/default" % name)
            if status == 200:
                return
            time.sleep(0.1)
        raise AssertionError("no default ServiceAccount in namespace %s after 60 s" % name)

    def create(self, obj, namespace):
        """The apiserver's answer to a dry-run create of ``obj`` (in ``namespace`` when namespaced)."""
        prefix, resource, namespaced = RESOURCES[obj["kind"]]
        path = "%s/namespaces/%s/%s" % (prefix, namespace, resource) if namespaced else "%s/%s" % (prefix, resource)
        status, body = self.request("POST", path + "?dryRun=All", obj)
        if status < 300:
            return []
        if body.get("reason") == "Invalid" and (body.get("details") or {}).get("causes") is not None:
            return [("%s: %s" % (c["field"], c["message"])) if c.get("field") else c["message"]
                    for c in body["details"]["causes"]]
        return [body.get("message", "HTTP %d" % status)]

    def close(self):
        if self.connection is not None:
            self.connection.close()

"""pytest plugin: a cluster with the persistent-IP CRDs and the test controller running.

Fixture ``pip_cluster`` (function scope) takes ``kube`` (reset before the test), registers the
Gateway API and GKEIPRoute CRDs (``tests.support.kube_cluster.crd_paths``) where they are missing, creates GKE's GatewayClasses,
starts :class:`tests.support.pip_controller.PipController` in a background thread (polling every
0.2 s) and yields a :class:`PipCluster`. The controller is stopped when the test ends.

Typical use::

    def test_x(pip_cluster):
        pip = pip_cluster
        pip.namespace("app", labels={"persistent-ip": "allowed"})
        pip.gateway(namespace="infra", allowed_from="All")
        pip.pod("proxy-a", "app", labels={"app": "proxy"}, ready=True, created="2025-01-01T10:00:00Z")
        pip.route("proxy-ip", "app", {"matchLabels": {"app": "proxy"}}, gateway_namespace="infra")
        pip.settle()                      # or pip.wait_route("app", "proxy-ip")
        assert pip.route_pods("app", "proxy-ip") == ["proxy-a"]

Modules run by ``ansible-playbook`` in a subprocess see the status the thread writes; use
``pip.kubeconfig``. ``pip.controller.stop()`` turns the thread off for a test that wants to drive
the controller by hand with ``pip.controller.reconcile_once()``.
"""
from __future__ import annotations

import json
import time

import pytest

from tests.support.kube_cluster import crd_paths
from tests.support.pip_controller import CONTROLLER_NAME, GKE_GATEWAY_CLASSES, PipController

EXTERNAL_CLASS = "gke-persistent-regional-external-managed"
INTERNAL_CLASS = "gke-persistent-regional-internal-managed"
DEFAULT_ADDRESS = "34.123.10.1/32"
HOLD_FINALIZER = "clusternet.test/hold"      # keeps a deleted Pod around, terminating
MERGE = "application/merge-patch+json"
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"


class PipCluster:
    """Helpers over the cluster of ``kube``; ``controller`` is the running :class:`PipController`."""

    def __init__(self, kube, controller):
        from kubernetes import client as k8s_client, config as k8s_config  # pylint: disable=import-outside-toplevel
        self.kube = kube
        self.kubeconfig = kube.kubeconfig
        self.controller = controller
        self.api_client = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
        self.core = k8s_client.CoreV1Api(self.api_client)
        self.custom = k8s_client.CustomObjectsApi(self.api_client)
        self.api_exception = k8s_client.exceptions.ApiException
        self._held = []
        self._last_created = self._last_stamp = None
        self._last_second = int(time.time())

    # -- setup ---------------------------------------------------------------------------------

    def install_gateway_classes(self, names=GKE_GATEWAY_CLASSES):
        """The GatewayClasses GKE provides (controller ``networking.gke.io/persistent-ip-controller``)."""
        for name in names:
            body = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": name},
                    "spec": {"controllerName": CONTROLLER_NAME}}
            try:
                self.custom.create_cluster_custom_object("gateway.networking.k8s.io", "v1", "gatewayclasses", body)
            except self.api_exception as exc:
                if exc.status != 409:
                    raise

    def namespace(self, name, labels=None):
        """Create the namespace (or set its labels if it exists); returns it."""
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(labels or {})}}
        try:
            return self._raw(self.core.create_namespace, body)
        except self.api_exception as exc:
            if exc.status != 409:
                raise
        return self._raw(self.core.patch_namespace, name, {"metadata": {"labels": dict(labels or {})}}, _content_type=MERGE)

    # -- pods ----------------------------------------------------------------------------------

    def pod(self, name, namespace="app", labels=None, node="node-a", ready=True, phase=None, created=None,
            terminating=False, conditions=None):
        """Create a Pod in the given state (docs/persistent-ip.md#binding-table rows): ``node=None`` leaves it unscheduled; ``ready`` is the
        Ready condition (True/False/None = absent, or a string such as "Unknown"); ``phase`` defaults to
        Running when scheduled, else Pending;
        ``terminating`` deletes it behind a finalizer so that it keeps a deletionTimestamp. ``created`` orders Pods
        by age: see :meth:`pod_from_manifest`."""
        if node is None:
            cond_list = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]
        else:
            cond_list = [{"type": "PodScheduled", "status": "True"}]
        if ready is not None:
            cond_list.append({"type": "Ready", "status": ready if isinstance(ready, str) else ("True" if ready else "False")})
        status = {"phase": phase or ("Running" if node else "Pending"), "conditions": conditions if conditions is not None else cond_list}
        meta = {"name": name, "namespace": namespace, "labels": dict(labels or {})}
        if created:
            meta["creationTimestamp"] = created
        if terminating:
            meta["deletionTimestamp"] = "set"
        spec = {"nodeName": node} if node else {}
        return self.pod_from_manifest({"metadata": meta, "spec": spec, "status": status})

    def pod_from_manifest(self, pod):
        """Create a Pod given in the vectors' shape (metadata, spec.nodeName, status.phase/conditions).

        The apiserver sets ``metadata.creationTimestamp`` itself, in whole seconds: a Pod whose given timestamp is
        later than the previous one's is created in a later second, one with the same timestamp in the same
        second (see :meth:`next_second`), so Pods must come in timestamp order. A non-null
        ``metadata.deletionTimestamp`` makes the Pod terminating (deleted behind a finalizer).
        """
        meta, status = pod.get("metadata") or {}, pod.get("status") or {}
        namespace = meta.get("namespace") or "default"
        if namespace not in ("default",):
            self._ensure_namespace(namespace)
        body = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": meta["name"], "namespace": namespace, "labels": dict(meta.get("labels") or {})},
                "spec": dict(pod.get("spec") or {}, containers=[{"name": "app", "image": PAUSE_IMAGE}])}
        if meta.get("deletionTimestamp"):
            body["metadata"]["finalizers"] = [HOLD_FINALIZER]
            self._held.append((namespace, meta["name"]))
        created = meta.get("creationTimestamp")
        self._creation_slot(created)
        stamped = self._raw(self.core.create_namespaced_pod, namespace, body)["metadata"]["creationTimestamp"]
        self._stamped(created, stamped)
        if status:
            self.set_pod_status(namespace, meta["name"], status)
        if meta.get("deletionTimestamp"):
            self.core.delete_namespaced_pod(meta["name"], namespace, grace_period_seconds=0)
        return self.get_pod(namespace, meta["name"])

    def next_second(self):
        """Wait until the wall clock is in a later second than the last object created here: the next object is
        newer by ``creationTimestamp``."""
        while int(time.time()) <= self._last_second:
            time.sleep(0.01)

    def _creation_slot(self, created):
        if created is None:
            return
        if self._last_created is not None and created < self._last_created:
            raise AssertionError("create objects in creationTimestamp order: %s after %s" % (created, self._last_created))
        if created != self._last_created:
            # a new timestamp starts at the beginning of a second, so that objects sharing it fit in that second
            self.next_second()
            while time.time() % 1 > 0.5:
                time.sleep(0.01)

    def _stamped(self, created, stamped):
        self._last_second = int(time.time())
        if created is None:
            return
        if created == self._last_created and stamped != self._last_stamp:
            raise AssertionError("objects meant to share creationTimestamp %s got %s and %s" % (created, self._last_stamp, stamped))
        self._last_created, self._last_stamp = created, stamped

    def set_pod_status(self, namespace, name, status):
        """Replace the Pod's ``status.phase``/``status.conditions`` through the status subresource."""
        patch = {"status": {k: v for k, v in status.items() if k in ("phase", "conditions", "podIP", "podIPs")}}
        return self._raw(self.core.patch_namespaced_pod_status, name, namespace, patch, _content_type=MERGE)

    def set_pod_ready(self, namespace, name, ready):
        pod = self.get_pod(namespace, name)
        conditions = [c for c in pod["status"].get("conditions") or [] if c.get("type") != "Ready"]
        conditions.append({"type": "Ready", "status": "True" if ready else "False"})
        return self.set_pod_status(namespace, name, {"conditions": conditions})

    def get_pod(self, namespace, name):
        return self._raw(self.core.read_namespaced_pod, name, namespace)

    # -- Gateway API and GKEIPRoute ------------------------------------------------------------

    def gateway(self, name="pip-gw", namespace="infra", class_name=EXTERNAL_CLASS, addresses=(DEFAULT_ADDRESS,), listeners=None,
                allowed_from=None, selector=None, kinds=None, address_type="gke.networking.io/cidr"):
        """Create a persistent-IP Gateway (docs/persistent-ip.md#rendered-gateway): one listener ``default``/443/``All`` unless ``listeners``
        is given; ``allowed_from``/``selector``/``kinds`` fill its ``allowedRoutes``."""
        self._ensure_namespace(namespace)
        if listeners is None:
            listener = {"name": "default", "port": 443, "protocol": "All"}
            allowed = {}
            if allowed_from:
                allowed["namespaces"] = {"from": allowed_from}
                if selector is not None:
                    allowed["namespaces"]["selector"] = selector
            if kinds is not None:
                allowed["kinds"] = kinds
            if allowed:
                listener["allowedRoutes"] = allowed
            listeners = [listener]
        body = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": name, "namespace": namespace},
                "spec": {"gatewayClassName": class_name, "listeners": listeners,
                         "addresses": [a if isinstance(a, dict) else {"type": address_type, "value": a} for a in addresses]}}
        if not addresses:
            del body["spec"]["addresses"]
        return self.custom.create_namespaced_custom_object("gateway.networking.k8s.io", "v1", namespace, "gateways", body)

    def route(self, name, namespace, selector, addresses=(DEFAULT_ADDRESS,), gateway="pip-gw", gateway_namespace=None,
              reaction_mode=None, network=None, parent_ref=None, parent_refs=None):
        """Create a GKEIPRoute (docs/persistent-ip.md#rendered-gkeiproute). ``selector`` is the podSelector (a dict of labels is taken as
        ``matchLabels``); ``parent_ref``/``parent_refs`` override the default reference to ``gateway``."""
        self._ensure_namespace(namespace)
        if selector is not None and "matchLabels" not in selector and "matchExpressions" not in selector and selector:
            selector = {"matchLabels": selector}
        if parent_refs is None:
            ref = parent_ref or {"name": gateway}
            if gateway_namespace and parent_ref is None:
                ref["namespace"] = gateway_namespace
            parent_refs = [ref]
        spec = {"parentRefs": parent_refs, "addresses": [{"type": "gke.networking.io/cidr", "value": a} for a in addresses]}
        if selector is not None:
            spec["podSelector"] = selector
        if reaction_mode:
            spec["reactionMode"] = reaction_mode
        if network:
            spec["network"] = network
        body = {"apiVersion": "networking.gke.io/v1", "kind": "GKEIPRoute", "metadata": {"name": name, "namespace": namespace}, "spec": spec}
        created = self.custom.create_namespaced_custom_object("networking.gke.io", "v1", namespace, "gkeiproutes", body)
        self._stamped(None, None)
        return created

    def get_route(self, namespace, name):
        return self.custom.get_namespaced_custom_object("networking.gke.io", "v1", namespace, "gkeiproutes", name)

    def get_gateway(self, namespace, name):
        return self.custom.get_namespaced_custom_object("gateway.networking.k8s.io", "v1", namespace, "gateways", name)

    def get_gateway_class(self, name):
        return self.custom.get_cluster_custom_object("gateway.networking.k8s.io", "v1", "gatewayclasses", name)

    @staticmethod
    def conditions(obj):
        """``{type: (status, reason)}`` of an object's ``status.conditions``."""
        return {c["type"]: (c["status"], c.get("reason")) for c in (obj.get("status") or {}).get("conditions") or []}

    def route_conditions(self, namespace, name):
        return self.conditions(self.get_route(namespace, name))

    def route_pods(self, namespace, name):
        return (self.get_route(namespace, name).get("status") or {}).get("pods") or []

    def settle(self):
        """Reconcile now, until a pass writes nothing (serialised with the background thread)."""
        return self.controller.settle()

    def wait_route(self, namespace, name, condition="Ready", status="True", reason=None, timeout=10.0):
        """Poll until the route's ``condition`` has ``status`` (and ``reason``) at its current generation."""
        deadline = time.monotonic() + timeout
        route = None
        while time.monotonic() < deadline:
            route = self.get_route(namespace, name)
            for cond in (route.get("status") or {}).get("conditions") or []:
                if cond["type"] == condition and cond["status"] == status and (reason is None or cond.get("reason") == reason) \
                        and cond.get("observedGeneration") == route["metadata"].get("generation"):
                    return route
            time.sleep(0.05)
        raise AssertionError("GKEIPRoute %s/%s: %s=%s not reached in %ss; status: %s"
                             % (namespace, name, condition, status, timeout, json.dumps((route or {}).get("status"))))

    # -- internals -----------------------------------------------------------------------------

    def _ensure_namespace(self, name):
        try:
            self._raw(self.core.read_namespace, name)
        except self.api_exception as exc:
            if exc.status != 404:
                raise
            self.namespace(name)

    @staticmethod
    def _raw(method, *args, **kwargs):
        """Call a typed client method and return the object as the API sent it (a dict)."""
        response = method(*args, _preload_content=False, **kwargs)
        return json.loads(response.data)

    def release(self):
        """Drop the test finalizer from terminating Pods this handle made (matters on a real cluster)."""
        for namespace, name in self._held:
            try:
                self.core.patch_namespaced_pod(name, namespace, {"metadata": {"finalizers": None}}, _content_type=MERGE)
            except self.api_exception:
                pass
        self._held.clear()
        self.api_client.close()


def ensure_crds(kube):
    """Install the Gateway API and GKEIPRoute CRDs unless the cluster serves GKEIPRoutes already (the test control
    plane starts with them)."""
    from kubernetes import client as k8s_client, config as k8s_config  # pylint: disable=import-outside-toplevel
    with k8s_config.new_client_from_config(config_file=kube.kubeconfig) as api:
        try:
            k8s_client.ApiextensionsV1Api(api).read_custom_resource_definition("gkeiproutes.networking.gke.io")
            return
        except k8s_client.exceptions.ApiException as exc:
            if exc.status != 404:
                raise
    for path in crd_paths():
        kube.load_crds(path)


@pytest.fixture
def pip_cluster(kube):
    """``kube`` with the persistent-IP CRDs and GatewayClasses, and the test controller running."""
    ensure_crds(kube)
    controller = PipController(kubeconfig=kube.kubeconfig)
    pip = PipCluster(kube, controller)
    pip.install_gateway_classes()
    controller.start(interval=0.2)
    try:
        yield pip
    finally:
        controller.stop()
        # API errors can be the test's own doing (fault injection); anything else is a controller bug
        errors = [e for e in controller.errors if not isinstance(e, pip.api_exception)]
        controller.close()
        pip.release()
    assert not errors, "pip controller passes failed: %r" % errors

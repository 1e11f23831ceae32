"""dualstack_info on clusters of N pods (N/10 nodes and N/10 services), through the test control plane over HTTP.

The real kube-apiserver (``tests.support.kube_cluster``, started on first use) is filled through its API with
objects as a cluster would hold them: dual-stack nodes with addresses, pods with containers, probes, conditions and
dual-stack IPs, services of every task-page shape; about 1% of each is broken. Both sides talk to it through the
collection's ``Cluster`` (the official client over HTTP):

* ours: the module's core (``backends.dualstack_info.check_cluster``): paginated lists of 500, each page
  checked and dropped;
* baseline: what a user would otherwise run, ``kubectl get nodes,pods,services -A -o json`` in one go (one
  unpaginated list per kind) and the same checks applied to each object once.

Peak memory is this process's (the apiserver runs in its own): the point of paginating.
"""
import atexit
import concurrent.futures

from kubernetes import client as k8s_client, config as k8s_config

from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack
from ansible_collections.clusternet.k8s.plugins.module_utils.backends import dualstack_info
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.auth import build_configuration, resolve_auth
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import Cluster
from tests.bench.harness import Job
from tests.support.kube_cluster import KubeCluster

CLUSTER_CIDRS = ["10.0.0.0/8", "fd00:10::/48"]
SERVICE_CIDRS = ["10.96.0.0/16", "fd00:10:96::/112"]  # the test control plane's default --service-cluster-ip-range
NAMESPACES = 20
_ENVIRONMENT = {}


# -- the cluster's objects -----------------------------------------------------------------------


def _node(i):
    v4, v6 = "10.%d.%d.0/24" % (i // 256, i % 256), "fd00:10:0:%x::/64" % i
    pod_cidrs = ["11.%d.%d.0/24" % (i // 256, i % 256), v6] if i % 100 == 99 else [v4, v6]  # outside the cluster CIDR
    name = "node-%05d" % i
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                                  "node.kubernetes.io/instance-type": "m5.large",
                                                  "topology.kubernetes.io/zone": "zone-%d" % (i % 3)}},
            "spec": {"podCIDR": pod_cidrs[0], "podCIDRs": pod_cidrs, "providerID": "test://%s" % name},
            "status": {"addresses": [{"type": "InternalIP", "address": "192.168.%d.%d" % (i // 250, i % 250 + 1)},
                                     {"type": "InternalIP", "address": "fd00:192:168::%x" % (i + 1)},
                                     {"type": "Hostname", "address": name}],
                       "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                       "allocatable": {"cpu": "3800m", "memory": "15Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "kubelet is posting ready status"}],
                       "nodeInfo": {"kubeletVersion": "v1.33.0", "containerRuntimeVersion": "containerd://2.0.0",
                                    "osImage": "Debian GNU/Linux 12 (bookworm)", "architecture": "amd64"}}}


def _pod(i, nodes):
    n = i % nodes
    node_v4, node_v6 = "10.%d.%d" % (n // 256, n % 256), "fd00:10:0:%x" % n
    host = 2 + (i // nodes) % 250
    ips = ["%s.%d" % (node_v4, host), "%s::%x" % (node_v6, host)]
    if i % 100 == 42:
        ips = ips[:1]  # single-stack pod
    elif i % 100 == 77:
        ips = ips[::-1]  # IPv6 first on an IPv4-primary node
    status = {"phase": "Running", "hostIP": "192.168.%d.%d" % (n // 250, n % 250 + 1),
              "podIP": ips[0], "podIPs": [{"ip": ip} for ip in ips], "qosClass": "Burstable",
              "conditions": [{"type": t, "status": "True"} for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")],
              "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0, "image": "registry.example/app:1.2.3",
                                     "imageID": "registry.example/app@sha256:" + "0" * 64,
                                     "containerID": "containerd://" + "%064x" % i, "started": True}]}
    if i % 25 == 24:
        status = {"phase": "Pending", "qosClass": "Burstable"}  # not given IPs yet: skipped
    app = "app-%d" % (i % 500)
    return {"metadata": {"name": "%s-%05d" % (app, i), "namespace": "ns-%02d" % (i % NAMESPACES),
                         "labels": {"app": app, "pod-template-hash": "6d8f9c7b5d"}},
            "spec": {"nodeName": "node-%05d" % n, "serviceAccountName": "default", "restartPolicy": "Always",
                     "containers": [{"name": "app", "image": "registry.example/app:1.2.3",
                                     "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                     "env": [{"name": "POD_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}}],
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                   "limits": {"memory": "256Mi"}},
                                     "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10},
                                     "volumeMounts": [{"name": "kube-api-access", "readOnly": True,
                                                       "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                     "volumes": [{"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {
                         "expirationSeconds": 3607, "path": "token"}}]}}]},
            "status": status}


def _service(i):
    v4, v6 = "10.96.%d.%d" % (1 + i // 250, i % 250 + 1), "fd00:10:96::%x" % (0x1000 + i)
    shape = i % 5
    port = {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}
    spec = {"selector": {"app": "app-%d" % (i % 500)}, "ports": [port], "type": "ClusterIP",
            "sessionAffinity": "None", "internalTrafficPolicy": "Cluster"}
    if shape == 0:
        spec.update(ipFamilyPolicy="SingleStack", ipFamilies=["IPv4"], clusterIPs=[v4])
    elif shape == 1:
        spec.update(ipFamilyPolicy="SingleStack", ipFamilies=["IPv6"], clusterIPs=[v6])
    elif shape == 2:
        spec.update(ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv4", "IPv6"], clusterIPs=[v4, v6])
    elif shape == 3:
        spec.update(type="NodePort", ipFamilyPolicy="PreferDualStack", ipFamilies=["IPv6", "IPv4"], clusterIPs=[v6, v4],
                    externalTrafficPolicy="Cluster")
        spec["ports"][0]["nodePort"] = 30000 + (i // 5) % 2768
    else:
        spec.update(ipFamilyPolicy="RequireDualStack", ipFamilies=["IPv4", "IPv6"], clusterIPs=["None"])
    if i % 100 == 58:
        spec.update(ipFamilies=["IPv4"], clusterIPs=[v4])  # a PreferDualStack Service left single-stack
    spec["clusterIP"] = spec["clusterIPs"][0]
    return {"metadata": {"name": "svc-%05d" % i, "namespace": "ns-%02d" % (i % NAMESPACES), "labels": {"app": "a"}},
            "spec": spec}


def _environment(pods):
    """The control plane, filled up to ``pods`` pods (and a tenth as many nodes and services); one for every size, each
    size adding to the objects of the smaller ones."""
    if not _ENVIRONMENT:
        cluster = KubeCluster().start()
        atexit.register(cluster.stop)
        api = k8s_config.new_client_from_config(config_file=cluster.kubeconfig)
        core = k8s_client.CoreV1Api(api)
        for n in range(NAMESPACES):
            core.create_namespace({"metadata": {"name": "ns-%02d" % n}})
        _ENVIRONMENT.update(core=core, pods=0, client=Cluster.connect(build_configuration(resolve_auth(
            {"kubeconfig": cluster.kubeconfig}, {}))))
    core, have = _ENVIRONMENT["core"], _ENVIRONMENT["pods"]
    nodes, services = max(1, pods // 10), max(1, pods // 10)

    def create(make, create_one, patch_status):
        obj = make()
        status = obj.pop("status", None)
        create_one(obj)
        if status:
            patch_status(obj, {"status": status})

    merge = "application/merge-patch+json"
    jobs = [(lambda i=i: _node(i), core.create_node,
             lambda o, s: core.patch_node_status(o["metadata"]["name"], s, _content_type=merge))
            for i in range(max(1, have // 10) if have else 0, nodes)]
    jobs += [(lambda i=i: _pod(i, nodes), lambda o: core.create_namespaced_pod(o["metadata"]["namespace"], o),
              lambda o, s: core.patch_namespaced_pod_status(o["metadata"]["name"], o["metadata"]["namespace"], s,
                                                            _content_type=merge))
             for i in range(have, pods)]
    jobs += [(lambda i=i: _service(i), lambda o: core.create_namespaced_service(o["metadata"]["namespace"], o), None)
             for i in range(max(1, have // 10) if have else 0, services)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for done in [pool.submit(create, *job) for job in jobs]:
            done.result()
    _ENVIRONMENT["pods"] = pods
    return _ENVIRONMENT["client"]


# -- the two sides -----------------------------------------------------------------------------


def _settings():
    return dualstack_info.Settings(cluster_cidrs=CLUSTER_CIDRS, page_size=500, report="all")


def ours(cluster):
    result = dualstack_info.check_cluster(cluster, _settings())
    del result["list_requests"]
    return result


def baseline(cluster):
    """One unpaginated list per kind, then each object checked once."""
    settings = _settings()
    nodes = cluster.list("v1", "Node", page_size=None)
    listed = cluster.list("v1", "Pod", page_size=None)
    services = cluster.list("v1", "Service", page_size=None)
    service_cidrs = dualstack_info.cluster_service_cidrs(cluster)
    by_name = {n["metadata"]["name"]: n for n in nodes}
    pods = [p for p in listed if dualstack_info._pod_has_ips(p)]    # pylint: disable=protected-access
    result = {}
    for plural, kind, reports in (
            ("nodes", "Node", (dualstack.check_node(n, settings.cluster_cidrs, settings.node_mask_sizes) for n in nodes)),
            ("pods", "Pod", (dualstack.check_pod(p, by_name.get(p["spec"].get("nodeName"))) for p in pods)),
            ("services", "Service", (dualstack.check_service(s, service_cidrs) for s in services))):
        tally = dualstack_info.Tally(kind, "all")
        for report in reports:
            tally.add(report)
        if kind == "Pod":
            tally.skipped = len(listed) - len(pods)
        result[plural] = tally
    summary = {plural: tally.summary() for plural, tally in result.items()}
    summary["failing"] = [ref for tally in result.values() for ref in tally.failing]
    summary["pass"] = not summary["failing"]
    summary["line"] = dualstack_info.summary_line(summary, list(result))   # the same presentation: not what is measured
    out = {plural: tally.objects for plural, tally in result.items()}
    rows = [row for tally in result.values() for row in tally.rows]
    out.update(summary=summary, table=dualstack_info.table(dualstack_info.TABLE_HEADER, rows),
               service_cidrs=service_cidrs, warnings=[])
    return out


def jobs(scale=1.0):
    sizes = [max(20, int(n * scale)) for n in (2500, 5000, 10000, 20000)]
    return [Job(name="dualstack_info", baseline_name="unpaginated lists (kubectl get -A)", unit="pods", sizes=sizes,
                prepare=_environment, ours=ours, baseline=baseline, repeat=2)]

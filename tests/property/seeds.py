"""Valid arguments per filter: hypothesis mutates these into near-valid hostile input."""

POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-0", "namespace": "default", "labels": {"app": "web"}, "annotations": {"a": "b"}, "uid": "u1"},
    "spec": {
        "hostname": "web-0", "subdomain": "web", "nodeName": "n1",
        "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a.example"]}],
        "containers": [{
            "name": "c", "image": "x",
            "env": [{"name": "N", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "M", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
            "volumeMounts": [{"name": "info", "mountPath": "/etc/info"}],
        }],
        "volumes": [{"name": "info", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}}],
    },
    "status": {"podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}, {"ip": "fd00::5"}], "hostIP": "192.0.2.1"},
}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"},
        "spec": {"podCIDRs": ["10.244.1.0/24", "fd00:1::/64"]},
        "status": {"addresses": [{"type": "InternalIP", "address": "192.0.2.1"}], "allocatable": {"cpu": "4", "memory": "8Gi"}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
           "spec": {"type": "ClusterIP", "ipFamilyPolicy": "PreferDualStack", "ports": [{"port": 80}], "selector": {"app": "web"}}}
GATEWAY = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "pip-gw", "namespace": "infra"},
           "spec": {"gatewayClassName": "gke-persistent-regional-external-managed",
                    "addresses": [{"type": "NamedAddress", "value": "ip-1"}],
                    "listeners": [{"name": "default", "port": 443, "protocol": "TCP",
                                   "allowedRoutes": {"namespaces": {"from": "All"}, "kinds": [{"group": "networking.gke.io", "kind": "GKEIPRoute"}]}}]}}
ROUTE = {"apiVersion": "networking.gke.io/v1", "kind": "GKEIPRoute", "metadata": {"name": "r", "namespace": "app", "generation": 1},
         "spec": {"parentRefs": [{"name": "pip-gw", "namespace": "infra"}],
                  "addresses": [{"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}],
                  "network": "default", "reactionMode": "ReadyCondition", "podSelector": {"matchLabels": {"app": "web"}}},
         "status": {"pods": ["web-0"], "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 1}]}}

SEEDS = {
    "validation_errors": [[POD], [NODE], [SERVICE], [GATEWAY], [ROUTE]],
    "pod_hosts": [[POD, "127.0.0.1 localhost\n", "cluster.local"]],
    "host_aliases": [[{"a.example": "10.0.0.1", "b": ["10.0.0.2", "fd00::2"]}],
                     [[{"ip": "10.0.0.1", "hostnames": ["a"]}]], [["10.0.0.1 a b"]]],
    "downward_env": [[{"POD_NAME": "metadata.name", "MEM": {"resource": "limits.memory", "divisor": "1Mi"}}]],
    "downward_volume_items": [[{"labels": "metadata.labels", "cpu": {"resource": "limits.cpu", "containerName": "c"}}]],
    "downward_values": [[POD, NODE]],
    "pod_spec_patch": [[{"kind": "Deployment", "name": "web", "namespace": "default"}, POD["spec"]],
                       [{"kind": "CronJob", "name": "n", "apiVersion": "batch/v1"}, {"hostAliases": []}]],
    "node_pod_cidrs": [[["n1", "n2"], ["10.244.0.0/16", "fd00::/56"], [24, 64], ["10.96.0.0/12"]], [[NODE], ["10.244.0.0/16"]]],
    "service_ip_plan": [[SERVICE, ["10.96.0.0/12", "fd00::/108"], ["10.96.0.10"], None]],
    "service_cidr_info": [["10.96.0.0/12"], ["fd00::/108"]],
    "component_flag_errors": [[{"--service-cluster-ip-range": "10.96.0.0/12,fd00::/108"}, "kube-apiserver"],
                              [{"--node-ip": "192.0.2.1,fd00::1"}, "kubelet"]],
    "network_plan": [[["10.244.0.0/16", "fd00::/56"], ["10.96.0.0/12", "fd00::/108"], [24, 64], 100, 110, ["192.0.2.0/24"]]],
    "persistent_ip_binding": [[ROUTE, [POD], GATEWAY, {"app": {"team": "a"}}]],
    "persistent_ip_status": [[ROUTE]],
}

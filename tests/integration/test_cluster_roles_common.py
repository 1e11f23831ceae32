"""What every cluster role (host_aliases, downward_api, dualstack_cluster, persistent_ip) does the same way, through
real ansible-playbook runs against the test control plane (or a real cluster with KUBECONFIG).

- ``<role>_kubeconfig``/``<role>_context`` connect the role, and module_defaults of the group still do when they are empty;
- what a role applies is owned by the field manager ``clusternet.k8s.<role>`` unless told otherwise;
- a second run changes nothing.
"""
import json

import pytest
import yaml

from tests.support.ansible_run import run_playbook

NO_ENV = {"K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig", "KUBECONFIG": "/nonexistent/kubeconfig"}
CLUSTER_ROLES = ["host_aliases", "downward_api", "dualstack_cluster", "persistent_ip"]

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]}}}}


def role_play(role, **variables):
    return [{"hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "clusternet.k8s." + role, "vars": variables}]}]


def setup(role, request, kubectl):
    """Create what ``role`` needs in the cluster; returns the role's variables and the object it changes
    (as kubectl's ``kind name -n namespace``)."""
    if role in ("host_aliases", "downward_api"):
        proc = kubectl("apply", "--server-side", "--field-manager=creator", "-f", "-", input=yaml.safe_dump(DEPLOYMENT))
        assert proc.returncode == 0, proc.stderr
        if role == "host_aliases":
            workload = {"kind": "Deployment", "name": "web", "entries": ["10.0.0.5 db.internal"]}
        else:
            workload = {"kind": "Deployment", "name": "web", "containers": ["app"], "env": {"POD_NAME": "metadata.name"}}
        return {role + "_workloads": [workload]}, ("deployment", "web", "default")
    if role == "dualstack_cluster":
        service = {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
        return {"dualstack_cluster_services": [service], "dualstack_cluster_verify": False}, ("service", "web", "default")
    pip = request.getfixturevalue("pip_cluster")
    pip.namespace("infra")
    pip.namespace("db")
    gateway = {"name": "pip-gw", "namespace": "infra", "class": "internal", "addresses": ["10.10.0.5"],
               "allowed_namespaces": "All"}
    routes = [{"name": "db-0-ip", "namespace": "db", "pod_selector": {"app": "db"}, "addresses": ["10.10.0.5"]}]
    return ({"persistent_ip_gateway": gateway, "persistent_ip_routes": routes},
            ("gateways.gateway.networking.k8s.io", "pip-gw", "infra"))


def managers(kubectl, kind, name, namespace):
    proc = kubectl("get", kind, name, "-n", namespace, "-o", "json", "--show-managed-fields")
    assert proc.returncode == 0, proc.stderr
    return {(e["manager"], e["operation"]) for e in json.loads(proc.stdout)["metadata"].get("managedFields") or []}


@pytest.mark.every_core
@pytest.mark.parametrize("role", CLUSTER_ROLES)
def test_connects_with_its_own_variables_and_applies_as_its_own_field_manager(role, kube, kubectl, request):
    variables, (kind, name, namespace) = setup(role, request, kubectl)
    variables[role + "_kubeconfig"] = kube.kubeconfig
    first = run_playbook(role_play(role, **variables), env=NO_ENV)
    assert first.rc == 0 and first.changed >= 1, [t["result"].get("msg") for t in first.failures()] or first.stdout[-3000:]
    assert ("clusternet.k8s." + role, "Apply") in managers(kubectl, kind, name, namespace)
    second = run_playbook(role_play(role, **variables), env=NO_ENV)
    assert second.rc == 0 and second.changed == 0, [t["task"] for t in second.tasks if t["result"].get("changed")]


@pytest.mark.parametrize("role", CLUSTER_ROLES)
def test_a_wrong_context_fails_naming_it(role, kube, kubectl, request):
    variables = setup(role, request, kubectl)[0]
    variables.update({role + "_kubeconfig": kube.kubeconfig, role + "_context": "no-such-context"})
    res = run_playbook(role_play(role, **variables), env=NO_ENV)
    (failure,) = res.failures()
    assert "no-such-context" in failure["result"]["msg"] and "Traceback" not in res.stdout, failure["result"]["msg"]


@pytest.mark.parametrize("role", CLUSTER_ROLES)
def test_module_defaults_of_the_group_carry_the_connection(role, kube, kubectl, request):
    """The role's own connection variables, empty, must not hide the play's module_defaults (an argument that
    resolves to omit would)."""
    variables = setup(role, request, kubectl)[0]
    play = role_play(role, **variables)
    play[0]["module_defaults"] = {"group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}}
    res = run_playbook(play, env=NO_ENV)
    assert res.rc == 0 and res.changed >= 1, [t["result"].get("msg") for t in res.failures()] or res.stdout[-3000:]

"""The persistent_ip role and playbooks/persistent_ip.yml through real ansible-playbook runs: rendering (no cluster),
applying against the test control plane with the test controller, and the argument spec's refusals."""
import os

import yaml

from tests.support.ansible_run import ROOT, run_playbook

GATEWAY = {"name": "pip-gw", "namespace": "infra", "class": "internal", "addresses": ["10.10.0.5", "10.10.0.6"],
           "allowed_namespaces": "All"}
ROUTES = [{"name": "db-0-ip", "namespace": "db", "pod_selector": {"statefulset.kubernetes.io/pod-name": "db-0"},
           "addresses": ["10.10.0.5"]}]


def role_play(**variables):
    return [{"hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "clusternet.k8s.persistent_ip", "vars": variables}]}]


def test_render_writes_one_file_per_object_and_only_on_change(tmp_path):
    out = tmp_path / "manifests"
    play = role_play(persistent_ip_gateway=GATEWAY, persistent_ip_routes=ROUTES, persistent_ip_output_dir=str(out))
    first = run_playbook(play, env={"K8S_AUTH_KUBECONFIG": "/nonexistent"})
    assert first.rc == 0 and first.changed == 2, first.stdout[-3000:]
    assert sorted(os.listdir(out)) == ["gateway-infra-pip-gw.yaml", "gkeiproute-db-db-0-ip.yaml"]
    gateway = yaml.safe_load((out / "gateway-infra-pip-gw.yaml").read_text())
    assert gateway["spec"]["gatewayClassName"] == "gke-persistent-regional-internal-managed"
    assert (out / "gkeiproute-db-db-0-ip.yaml").read_text().startswith(
        "# Written by the clusternet.k8s.persistent_ip role; changes here are overwritten.\n"
        "# GKEIPRoute db/db-0-ip, owned by field manager clusternet.k8s.persistent_ip.\n"
        "# Apply with: kubectl apply --server-side --field-manager=clusternet.k8s.persistent_ip -f gkeiproute-db-db-0-ip.yaml\n"
        "---\napiVersion: networking.gke.io/v1\n")
    stamp = os.stat(out / "gateway-infra-pip-gw.yaml").st_mtime_ns
    second = run_playbook(play)
    assert second.rc == 0 and second.changed == 0
    assert os.stat(out / "gateway-infra-pip-gw.yaml").st_mtime_ns == stamp
    changed = role_play(persistent_ip_gateway=GATEWAY, persistent_ip_routes=[dict(ROUTES[0], addresses=["10.10.0.6"])],
                        persistent_ip_output_dir=str(out))
    third = run_playbook(changed, check=True, diff=True)
    assert third.rc == 0 and third.changed == 1
    assert "10.10.0.5" in (out / "gkeiproute-db-db-0-ip.yaml").read_text()


def test_render_refuses_invalid_objects(tmp_path):
    routes = [dict(ROUTES[0], addresses=["10.99.0.1"])]
    res = run_playbook(role_play(persistent_ip_gateway=GATEWAY, persistent_ip_routes=routes,
                                 persistent_ip_output_dir=str(tmp_path / "out")))
    (failure,) = res.failures()
    assert "IPR_ADDRESS_NOT_IN_GATEWAY" in failure["result"]["msg"] and not (tmp_path / "out").exists()


def test_argument_spec_rejects_wrong_types_before_any_task(tmp_path):
    res = run_playbook(role_play(persistent_ip_gateway={"namespace": "infra", "class": "external"},
                                 persistent_ip_wait_timeout="soon", persistent_ip_output_dir=str(tmp_path)))
    (failure,) = res.failures()
    msg = failure["result"]["msg"]
    assert "persistent_ip_wait_timeout" in msg and "name" in msg
    assert "Validating arguments" in [t["task"] for t in res.tasks if t["status"] != "skipped"][-1]


def test_role_applies_and_waits_for_the_controller(pip_cluster):
    pip_cluster.namespace("infra")
    pip_cluster.namespace("db")
    pip_cluster.pod("db-0", "db", labels={"statefulset.kubernetes.io/pod-name": "db-0"}, ready=True)
    play = role_play(persistent_ip_gateway=GATEWAY, persistent_ip_routes=ROUTES, persistent_ip_wait=True,
                     persistent_ip_wait_timeout=30, persistent_ip_wait_sleep=1, persistent_ip_kubeconfig=pip_cluster.kubeconfig)
    play[0]["tasks"] = [{"name": "Show", "ansible.builtin.assert": {"that": [
        "persistent_ip_result.routes[0].boundPod == 'db-0'", "persistent_ip_result.routes[0].healthy"]}}]
    first = run_playbook(play)
    assert first.rc == 0 and first.changed == 1, first.stdout[-3000:]
    assert pip_cluster.route_pods("db", "db-0-ip") == ["db-0"]
    second = run_playbook(play)
    assert second.rc == 0 and second.changed == 0


def test_example_playbook_renders_then_changes_nothing(tmp_path):
    inventory = os.path.join(ROOT, "playbooks", "inventory", "example")
    playbook = os.path.join(ROOT, "playbooks", "persistent_ip.yml")
    variables = {"clusternet_sandbox": str(tmp_path)}
    first = run_playbook(playbook, inventory=inventory, extra_vars=variables)
    assert first.rc == 0 and first.changed >= 1, first.stdout[-3000:]
    assert not [t for t in first.tasks if t["result"].get("warnings")]
    assert sorted(os.listdir(tmp_path / "manifests" / "persistent_ip")) == [
        "gateway-infra-pip-gw.yaml", "gkeiproute-app-proxy-ip.yaml", "gkeiproute-infra-web-1-ip.yaml"]
    second = run_playbook(playbook, inventory=inventory, extra_vars=variables)
    assert second.rc == 0 and second.changed == 0

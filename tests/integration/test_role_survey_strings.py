"""Roles take a list of mappings as its JSON or YAML text, as an AWX survey (a textarea) answers, and name a mistake
in it in one line with the value given - not the whole argument spec (issue 14, point 7). No cluster: the roles
render to a directory."""
import json
import os

import pytest
import yaml

from tests.support.ansible_run import ROOT, run_playbook

NO_CLUSTER = {"K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig", "KUBECONFIG": "/nonexistent/kubeconfig"}

WORKLOADS = {
    "host_aliases": [{"kind": "Deployment", "name": "web", "namespace": "shop", "entries": {"db.internal": "10.0.0.5"}}],
    "downward_api": [{"kind": "Deployment", "name": "web", "namespace": "shop", "containers": "app",
                      "env": {"POD_IP": "status.podIP"}}],
}


def render(tmp_path, role, workloads, name):
    out = tmp_path / name
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "role", "ansible.builtin.include_role": {"name": "clusternet.k8s." + role},
         "vars": {role + "_output_dir": str(out), role + "_workloads": workloads}}]}]
    return run_playbook(plays), out


@pytest.mark.every_core
@pytest.mark.parametrize("role", sorted(WORKLOADS))
def test_a_survey_string_renders_what_the_list_renders(tmp_path, role):
    as_list, listed = render(tmp_path, role, WORKLOADS[role], "list")
    assert as_list.rc == 0, as_list.stdout[-3000:]
    for text, name in ((json.dumps(WORKLOADS[role]), "json"), (json.dumps(WORKLOADS[role], indent=2), "yaml")):
        as_text, rendered = render(tmp_path, role, text, name)
        assert as_text.rc == 0, as_text.stdout[-3000:]
        assert sorted(p.name for p in rendered.iterdir()) == sorted(p.name for p in listed.iterdir()) == [
            "deployment-shop-web.yaml"]
        assert (rendered / "deployment-shop-web.yaml").read_text() == (listed / "deployment-shop-web.yaml").read_text()


@pytest.mark.parametrize("role", sorted(WORKLOADS))
@pytest.mark.parametrize("given, said", [
    ('[{"kind": "Deploymen", "name": "web"}]', "value of kind must be one of: Pod, Deployment"),
    ('[{"kind": "Deployment", ', "neither a list of mappings nor its JSON or YAML text"),
])
def test_a_mistake_is_named_without_the_spec(tmp_path, role, given, said):
    res, _out = render(tmp_path, role, given, "bad")
    failed = res.failures()[-1]  # text that is no YAML: the template's own error first (rescued), then ours
    message = failed["result"]["msg"]
    assert message.startswith(role + "_workloads: ") and said in message and json.dumps(given) in message, message
    assert "argument_spec_data" not in failed["result"] and "description" not in message


def test_the_main_job_with_its_lists_given_as_survey_text(tmp_path):
    """The example inventory's Services and GKEIPRoutes given as JSON text (-e, as AWX passes a survey's answers)
    render the same manifests as the inventory's lists."""
    group_vars = os.path.join(ROOT, "playbooks", "inventory", "example", "group_vars", "k8s_control")
    as_text = {}
    for name, option in (("dualstack_cluster.yml", "dualstack_cluster_services"), ("persistent_ip.yml", "persistent_ip_routes")):
        with open(os.path.join(group_vars, name), encoding="utf-8") as f:
            as_text[option] = json.dumps(yaml.safe_load(f)[option])
    runs = {}
    for name, extra in (("lists", {}), ("text", as_text)):
        sandbox = tmp_path / name
        res = run_playbook(os.path.join(ROOT, "playbooks", "site.yml"), inventory=os.path.join(ROOT, "playbooks", "inventory", "example"),
                           extra_vars=dict(extra, clusternet_sandbox=str(sandbox)), env=NO_CLUSTER)
        assert res.rc == 0, res.stdout[-3000:]
        runs[name] = {os.path.relpath(os.path.join(d, f), sandbox / "manifests"): open(os.path.join(d, f), "rb").read()
                      for d, _dirs, files in os.walk(sandbox / "manifests") for f in files}
    assert runs["text"] == runs["lists"] and len(runs["lists"]) > 10

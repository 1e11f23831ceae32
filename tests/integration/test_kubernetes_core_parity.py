"""k8s_apply as a drop-in for kubernetes.core.k8s (issue 14, points 2 and 3), side by side with the real
kubernetes.core (from PyPI's ansible package) through real ansible-playbook runs against the test control plane."""

import os

import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from tests.support.ansible_run import COLLECTIONS, ROOT, run_playbook
from tests.support.bundled_collections import collections_path

NO_KUBECONFIG = {"KUBECONFIG": "/nonexistent/kubeconfig", "K8S_AUTH_KUBECONFIG": ""}


def both_collections(extra=None):
    return dict({"ANSIBLE_COLLECTIONS_PATH": COLLECTIONS + ":" + collections_path(["kubernetes.core"])},
                **NO_KUBECONFIG, **(extra or {}))


def configmap(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data}


def result(res, name):
    task = res.task(name)
    return task["status"], task["result"]


def deployment(name):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "registry.example/app:1"}]}}}}


@pytest.fixture
def core_api(kube):
    api = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
    yield k8s_client.CoreV1Api(api)
    api.close()


@pytest.mark.every_core
def test_wait_true_waits_for_a_deployment_rollout_as_kubernetes_core(kube):
    """The issue's reproduction: no kubelet runs the pods, so availableReplicas stays 0 - kubernetes.core times out, and
    k8s_apply did not (it waited for observedGeneration only)."""
    plays = [{"hosts": "localhost", "gather_facts": False,
              "module_defaults": {"group/kubernetes.core.k8s": {"kubeconfig": kube.kubeconfig}},
              "tasks": [
                  {"name": "kubernetes.core", "kubernetes.core.k8s": {"definition": deployment("core"), "wait": True,
                                                                      "wait_timeout": 6, "wait_sleep": 1},
                   "ignore_errors": True},
                  {"name": "clusternet", "clusternet.k8s.k8s_apply": {"definition": deployment("ours"), "wait": True,
                                                                      "wait_timeout": 6, "wait_sleep": 1},
                   "ignore_errors": True},
                  {"name": "configmap", "clusternet.k8s.k8s_apply": {"definition": configmap("ready"), "wait": True,
                                                                     "wait_timeout": 6, "wait_sleep": 1}},
              ]}]
    res = run_playbook(plays, env=both_collections())
    core_status, _core = result(res, "kubernetes.core")
    ours_status, ours = result(res, "clusternet")
    assert core_status == ours_status == "ignored", res.stdout[-3000:]  # failed, with ignore_errors
    assert ours["msg"].startswith("timed out after 6s waiting for Deployment default/ours to finish its rollout"), ours["msg"]
    assert "availableReplicas None" in ours["msg"] and ours["objects"][0]["action"] == "created"
    assert ours["last_object"]["metadata"]["name"] == "ours"
    assert result(res, "configmap")[0] == "ok"  # any other kind: ready once it exists, as in kubernetes.core


def readme_anchor_example():
    """The playbook the README shows under its "anchor example" comment, as written."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    marker = text.index("<!-- anchor example:")
    return text[text.index("```yaml\n", marker) + len("```yaml\n"):text.index("```\n", marker + 1)]


@pytest.mark.every_core
def test_one_anchor_serves_both_collections(kube, core_api, tmp_path):
    """The README's anchor, run as written: one set of connection settings, impersonation included, for both action
    groups; then with an identity that may not write, both collections' tasks are refused as that identity."""
    text = readme_anchor_example()
    assert "group/kubernetes.core.k8s: &k8s" in text and "group/clusternet.k8s.cluster: *k8s" in text
    playbook = tmp_path / "anchor.yml"
    playbook.write_text(text)
    allowed = run_playbook(str(playbook), extra_vars={"k8s_kubeconfig": kube.kubeconfig, "k8s_user": "jane",
                                                      "k8s_groups": ["system:masters"]}, env=both_collections())
    assert allowed.failed == 0, [t["result"].get("msg") for t in allowed.failures()]
    for name in ("from-core", "from-clusternet"):
        assert core_api.read_namespaced_config_map(name, "default").metadata.name == name
    plays = yaml.safe_load(text)  # the same, with the tasks' failures kept for inspection
    for task in plays[0]["tasks"]:
        task["ignore_errors"] = True
    denied = run_playbook(plays, extra_vars={"k8s_kubeconfig": kube.kubeconfig, "k8s_user": "nobody", "k8s_groups": []},
                          env=both_collections())
    for name in ("Through kubernetes.core", "Through clusternet.k8s"):
        status, res = result(denied, name)
        assert status == "ignored" and "nobody" in res["msg"] and "cannot" in res["msg"], (name, res.get("msg"))


def test_only_the_kubernetes_core_group_defaults_reach_every_cluster_module(kube):
    plays = [{"hosts": "localhost", "gather_facts": False,
              "module_defaults": {"group/kubernetes.core.k8s": {"kubeconfig": kube.kubeconfig}},
              "tasks": [{"name": "apply", "clusternet.k8s.k8s_apply": {"definition": configmap("only-core-defaults")}},
                        {"name": "info", "clusternet.k8s.dualstack_info": {"kinds": ["nodes"], "report": "none"}}]}]
    res = run_playbook(plays, env=both_collections())
    assert res.failed == 0, [t["result"].get("msg") for t in res.failures()]
    assert res.task("apply")["result"]["changed"] is True


def test_own_settings_win_over_the_kubernetes_core_group(kube):
    plays = [{"hosts": "localhost", "gather_facts": False,
              "module_defaults": {"group/kubernetes.core.k8s": {"kubeconfig": "/nonexistent/kubeconfig",
                                                                "impersonate_user": "nobody"},
                                  "group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}},
              "tasks": [{"name": "apply", "clusternet.k8s.k8s_apply": {"definition": configmap("own-wins"),
                                                                       "impersonate_user": "jane",
                                                                       "impersonate_groups": ["system:masters"]}}]}]
    res = run_playbook(plays, env=both_collections())
    assert res.failed == 0, [t["result"].get("msg") for t in res.failures()]


def test_impersonation_from_the_environment(kube):
    task = {"name": "apply", "clusternet.k8s.k8s_apply": {"kubeconfig": kube.kubeconfig, "definition": configmap("env")}}
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [task]}]
    denied = run_playbook(plays, env=both_collections({"K8S_AUTH_IMPERSONATE_USER": "nobody"}))
    status, res = result(denied, "apply")
    assert status == "failed" and 'User "nobody" cannot' in res["msg"], res["msg"]
    allowed = run_playbook(plays, env=both_collections({"K8S_AUTH_IMPERSONATE_USER": "jane",
                                                        "K8S_AUTH_IMPERSONATE_GROUPS": "system:masters"}))
    assert allowed.failed == 0, [t["result"].get("msg") for t in allowed.failures()]


def test_several_impersonated_groups_are_each_sent(kube):
    """Direct TLS (the test proxy keeps one header of a name): the groups are both needed to be allowed."""
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "apply", "clusternet.k8s.k8s_apply": {
            "kubeconfig": kube.tls_kubeconfig, "impersonate_user": "jane",
            "impersonate_groups": ["system:authenticated", "system:masters"], "definition": configmap("groups")}}]}]
    res = run_playbook(plays, env=both_collections())
    assert res.failed == 0, [t["result"].get("msg") for t in res.failures()]


@pytest.mark.every_core
def test_src_template_and_shorthand_as_kubernetes_core(kube, core_api, tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "files" / "cm.yaml").write_text(yaml.safe_dump(configmap("from-src", k="v")))
    (tmp_path / "templates" / "cm.yaml.j2").write_text(
        "{% for n in names %}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tpl-[[ n ]]\n"
        "  namespace: default\ndata:\n  who: '[[ who ]]'\n{% endfor %}\n")
    playbook = tmp_path / "play.yml"
    template = {"path": "cm.yaml.j2", "variable_start_string": "[[", "variable_end_string": "]]"}
    tasks = [
        {"name": "src", "clusternet.k8s.k8s_apply": {"src": "cm.yaml"}},
        {"name": "template", "clusternet.k8s.k8s_apply": {"template": template}},
        {"name": "namespace", "clusternet.k8s.k8s_apply": {"kind": "Namespace", "name": "short"}},
        {"name": "named",
         "clusternet.k8s.k8s_apply": {"kind": "ConfigMap", "name": "from-src", "namespace": "default", "state": "absent"}},
    ]
    defaults = {"group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}}
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "module_defaults": defaults,
                                         "vars": {"names": ["a", "b"], "who": "ops"}, "tasks": tasks}]))
    res = run_playbook(str(playbook))
    assert res.failed == 0, [t["result"].get("msg") for t in res.failures()]
    assert [o["name"] for o in res.task("template")["result"]["objects"]] == ["tpl-a", "tpl-b"]
    assert core_api.read_namespaced_config_map("tpl-b", "default").data == {"who": "ops"}
    assert core_api.read_namespace("short").metadata.name == "short"
    assert res.task("named")["result"]["objects"][0]["action"] == "deleted"


def test_continue_on_error_and_delete_options(kube, core_api):
    bad = configmap("Bad_Name")
    bad["metadata"]["name"] = "bad"
    bad["data"] = {"not a key!": "v"}  # 422 Invalid from the server
    plays = [{"hosts": "localhost", "gather_facts": False,
              "module_defaults": {"group/clusternet.k8s.cluster": {"kubeconfig": kube.kubeconfig}}, "tasks": [
                  {"name": "both", "clusternet.k8s.k8s_apply": {"definition": [bad, configmap("good", k="v")],
                                                                "continue_on_error": True}},
                  {"name": "wrong uid", "clusternet.k8s.k8s_apply": {
                      "kind": "ConfigMap", "name": "good", "namespace": "default", "state": "absent",
                      "delete_options": {"preconditions": {"uid": "not-its-uid"}, "propagationPolicy": "Foreground"}},
                   "ignore_errors": True},
              ]}]
    res = run_playbook(plays)
    status, both = result(res, "both")
    assert status == "ok" and both["changed"] is True
    assert [o["action"] for o in both["objects"]] == ["failed", "created"]
    assert "422" in both["objects"][0]["error"]
    status, wrong = result(res, "wrong uid")
    assert status == "ignored" and "the UID in the precondition (not-its-uid) does not match" in wrong["msg"]
    assert "attempts" not in wrong["msg"]  # a precondition does not change by asking again, wrong["msg"]
    try:
        core_api.read_namespaced_config_map("good", "default")
    except ApiException as exc:  # pragma: no cover - the precondition must have kept it
        raise AssertionError("deleted despite the precondition: %s" % exc.status) from None

"""k8s_apply through real ansible-playbook runs against the test control plane (or a real cluster with KUBECONFIG).

Objects are checked with the official kubernetes client, independently of the module's own core.
"""
import json

import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from tests.support.ansible_run import run_playbook

NS = "default"


def configmap(name, data, **metadata):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": dict(name=name, **metadata), "data": data}


def apply(name, **args):
    return {"name": name, "clusternet.k8s.k8s_apply": args}


def play(*tasks, **keywords):
    return [dict({"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}, **keywords)]


@pytest.fixture
def core(kube):
    """CoreV1Api of the official client on the plain kubeconfig: the independent witness."""
    api = k8s_config.new_client_from_config(config_file=kube.kubeconfig)
    yield k8s_client.CoreV1Api(api)
    api.close()


@pytest.fixture
def run(kube):
    """Run tasks (or whole plays) with the plain kubeconfig as module default; returns the PlaybookResult."""
    def runner(*tasks, defaults=None, **kwargs):
        plays = play(*tasks, module_defaults={"group/clusternet.k8s.cluster": defaults or {"kubeconfig": kube.kubeconfig}})
        return run_playbook(plays, **kwargs)
    return runner


def live(core, name):
    try:
        return core.read_namespaced_config_map(name, NS)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


def ok(res, name):
    """The result of task ``name``, asserting it succeeded."""
    task = res.task(name)
    assert task["status"] == "ok", json.dumps(task["result"], indent=1)[:3000]
    return task["result"]


def failed(res, name):
    task = res.task(name)
    assert task["status"] == "failed", json.dumps(task["result"], indent=1)[:3000]
    return task["result"]


def requests_to(kube, method, suffix):
    return [r for r in kube.requests if r["method"] == method and r["path"].endswith(suffix)]


# --- changed, idempotence, check mode, diff --------------------------------------------------------


@pytest.mark.every_core
def test_create_then_nothing_to_do(run, core):
    task = apply("apply", definition=configmap("web", {"mode": "blue"}), namespace=NS)
    res = run(task, task)
    first, second = [t["result"] for t in res.tasks]
    assert first["changed"] and first["objects"][0]["action"] == "created"
    assert first["result"]["data"] == {"mode": "blue"} and "managedFields" not in first["result"]["metadata"]
    assert not second["changed"] and second["objects"][0]["action"] == "unchanged"
    assert second["result"]["metadata"]["resourceVersion"] == first["result"]["metadata"]["resourceVersion"]
    assert live(core, "web").data == {"mode": "blue"}
    assert [m.manager for m in live(core, "web").metadata.managed_fields] == ["clusternet.k8s"]


@pytest.mark.every_core
def test_check_mode_writes_nothing_and_predicts_changed(run, core, kube):
    definition = configmap("web", {"mode": "blue"})
    res = run(apply("predict create", definition=definition), check=True)
    assert ok(res, "predict create")["changed"] and live(core, "web") is None
    patches = requests_to(kube, "PATCH", "/configmaps/web")
    assert patches and all(r["query"].get("dryRun") == "All" for r in patches)

    assert ok(run(apply("create", definition=definition)), "create")["changed"]
    version = live(core, "web").metadata.resource_version
    res = run(apply("predict no change", definition=definition),
              apply("predict change", definition=configmap("web", {"mode": "green"})), check=True)
    assert not ok(res, "predict no change")["changed"]
    predicted = ok(res, "predict change")
    assert predicted["changed"] and predicted["result"]["data"] == {"mode": "green"}
    assert live(core, "web").metadata.resource_version == version and live(core, "web").data == {"mode": "blue"}


def test_check_mode_predicts_objects_that_need_earlier_ones(run, core):
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    objects = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fresh"}},
               configmap("web", {"mode": "blue"}, namespace="fresh"), crd,
               {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}}]
    result = ok(run(apply("plan", definition=objects, namespace=NS), check=True), "plan")
    assert [(e["kind"], e["namespace"], e["action"]) for e in result["objects"]] == [
        ("Namespace", None, "created"), ("ConfigMap", "fresh", "created"),
        ("CustomResourceDefinition", None, "created"), ("Widget", NS, "created")]
    assert result["objects"][1]["result"]["data"] == {"mode": "blue"}
    assert "fresh" not in [n.metadata.name for n in core.list_namespace().items]


@pytest.mark.every_core
def test_diff_shows_only_the_fields_that_change(run):
    base = configmap("web", {"mode": "blue", "size": "3", "zone": "a"}, labels={"app": "web", "tier": "front"})
    changed = configmap("web", {"mode": "green", "size": "3", "zone": "a"}, labels={"app": "web", "tier": "front"})
    res = run(apply("create", definition=base), apply("change", definition=changed), apply("again", definition=changed),
              diff=True)
    created = ok(res, "create")["diff"]
    assert created[0]["before"] == {} and created[0]["after"]["data"] == base["data"]
    assert "managedFields" not in json.dumps(created) and "resourceVersion" not in json.dumps(created)
    diff = ok(res, "change")["diff"]
    assert [(d["before"], d["after"]) for d in diff] == [({"data": {"mode": "blue"}}, {"data": {"mode": "green"}})]
    assert diff[0]["before_header"] == "ConfigMap default/web (live)"
    assert ok(res, "again")["diff"] == []


def test_diff_text_a_user_sees(run, kube):
    base = configmap("web", {"mode": "blue", "size": "3"})
    run(apply("create", definition=base))
    res = run(apply("change", definition=configmap("web", {"mode": "green", "size": "3"})), diff=True, json_output=False)
    lines = [line for line in res.stdout.splitlines() if line.startswith(("+", "-")) and not line.startswith(("---", "+++"))]
    assert sorted(line.replace(" ", "") for line in lines) == sorted(['+"mode":"green"', '-"mode":"blue"']), res.stdout


# --- conflicts, absent ---------------------------------------------------------------------------


def test_conflicting_field_names_both_managers_unless_forced(run, core):
    res = run(apply("other manager", definition=configmap("web", {"mode": "blue"}), field_manager="team-b"),
              dict(apply("conflict", definition=configmap("web", {"mode": "green"})), ignore_errors=True),
              apply("force", definition=configmap("web", {"mode": "green"}), force_conflicts=True))
    error = res.task("conflict")
    assert error["status"] == "ignored"
    msg = error["result"]["msg"]
    assert '"team-b"' in msg and '"clusternet.k8s"' in msg and ".data.mode" in msg and "force_conflicts" in msg
    assert error["result"]["status"] == 409 and error["result"]["reason"] == "Conflict"
    assert error["result"]["objects"][0]["action"] == "failed"
    assert "Traceback" not in res.stdout + res.stderr
    assert ok(res, "force")["changed"]
    assert live(core, "web").data == {"mode": "green"}


def test_absent_twice(run, core):
    definition = configmap("web", {"mode": "blue"})
    res = run(apply("create", definition=definition),
              apply("delete", definition=definition, state="absent", wait=True, wait_timeout=10, wait_sleep=1),
              apply("delete again", definition=definition, state="absent"))
    assert ok(res, "delete")["changed"] and ok(res, "delete")["objects"][0]["action"] == "deleted"
    again = ok(res, "delete again")
    assert not again["changed"] and again["objects"][0]["action"] == "absent"
    assert live(core, "web") is None


def test_absent_in_check_mode_keeps_the_object(run, core):
    definition = configmap("web", {"mode": "blue"})
    run(apply("create", definition=definition))
    res = run(apply("delete", definition=definition, state="absent"), check=True)
    assert ok(res, "delete")["changed"] and live(core, "web") is not None


def test_names_that_would_leave_their_url_path_are_refused_before_any_request(run, core, kube, kubectl):
    """A name or namespace is a path segment: none can reach another object (issue 13, defect 1)."""
    assert kubectl("create", "-f", "-", input=json.dumps(
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "victim"}})).returncode == 0
    core.create_namespaced_config_map("kube-system", configmap("x", {"k": "v"}))
    hostile = [("../../../nodes/victim", NS), ("x", "../namespaces/kube-system"), ("a?b", NS), ("..", NS)]
    kube.clear_requests()
    res = run(*[dict(apply("%s %s %s" % (state, namespace, name), definition=configmap(name, {}, namespace=namespace),
                           state=state), ignore_errors=True)
                for state in ("absent", "present") for name, namespace in hostile])
    for state in ("absent", "present"):
        for name, namespace in hostile:
            task = res.task("%s %s %s" % (state, namespace, name))
            result = task["result"]
            assert task["status"] == "ignored" and not result["changed"] and "Traceback" not in result["msg"], result
            assert "ConfigMap %s is invalid: " % json.dumps(name) in result["msg"], result["msg"]
            assert [e["action"] for e in result["objects"]] in ([], ["failed"])
    assert "metadata.name: Invalid value: \"../../../nodes/victim\": a lowercase RFC 1123 subdomain must consist of" \
        in res.task("absent default ../../../nodes/victim")["result"]["msg"]
    assert "metadata.namespace: Invalid value: \"../namespaces/kube-system\": a lowercase RFC 1123 label must consist of" \
        in res.task("absent ../namespaces/kube-system x")["result"]["msg"]
    sent = [(r["method"], r["path"]) for r in kube.requests]
    assert all(method == "GET" and path == "/api/v1" for method, path in sent), sent  # discovery at most
    assert kubectl("get", "node", "victim").returncode == 0
    assert core.read_namespaced_config_map("x", "kube-system").data == {"k": "v"}


# --- many objects, sources, failures halfway -------------------------------------------------------


def test_yaml_text_and_src_file(run, core, tmp_path):
    text = yaml.safe_dump_all([configmap("one", {"n": "1"}), configmap("two", {"n": "2"})])
    src = tmp_path / "objects.yaml"
    src.write_text(text.replace("'1'", "'10'"))
    res = run(apply("text", definition=text), apply("file", src=str(src)))
    assert [e["action"] for e in ok(res, "text")["objects"]] == ["created", "created"]
    assert "result" not in ok(res, "text")
    assert [e["action"] for e in ok(res, "file")["objects"]] == ["updated", "unchanged"]
    assert live(core, "one").data == {"n": "10"}


def test_failure_halfway_reports_what_was_applied(run, core):
    objects = [configmap("one", {"n": "1"}),
               {"apiVersion": "v1", "kind": "NoSuchKind", "metadata": {"name": "x"}},
               configmap("three", {"n": "3"})]
    result = failed(run(apply("batch", definition=objects)), "batch")
    assert [e["action"] for e in result["objects"]] == ["created", "failed", "skipped"]
    assert result["changed"]
    assert "NoSuchKind" in result["msg"] and "1 of 3 objects done: ConfigMap default/one created" in result["msg"]
    assert "not applied: NoSuchKind x, ConfigMap three" in result["msg"]
    assert live(core, "one") is not None and live(core, "three") is None


def test_invalid_input_fails_cleanly(run):
    res = run(dict(apply("bad yaml", definition="a: ["), ignore_errors=True),
              dict(apply("no name", definition={"apiVersion": "v1", "kind": "ConfigMap"}), ignore_errors=True))
    assert "is not valid YAML" in res.task("bad yaml")["result"]["msg"]
    assert "metadata.name is required" in res.task("no name")["result"]["msg"]
    assert "Traceback" not in res.stdout + res.stderr


# --- waits -----------------------------------------------------------------------------------------


def test_wait_for_a_condition_and_a_value(run, core):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": NS},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    core.create_namespaced_pod(NS, pod)
    core.patch_namespaced_pod_status("p", NS, {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    res = run(apply("ready", definition=pod, wait=True, wait_condition={"type": "Ready"}, wait_timeout=10, wait_sleep=1),
              apply("value", definition=configmap("web", {"mode": "blue"}), wait=True,
                    wait_jsonpath={"path": "{.data.mode}", "value": "blue"}, wait_timeout=10, wait_sleep=1))
    assert ok(res, "ready")["result"]["status"]["conditions"][0]["type"] == "Ready"
    assert ok(res, "value")["changed"]


def test_wait_timeout_explains_and_returns_the_last_object(run):
    res = run(apply("never", definition=configmap("web", {"mode": "blue"}), wait=True,
                    wait_condition={"type": "Ready"}, wait_timeout=2, wait_sleep=1))
    result = failed(res, "never")
    assert result["msg"].startswith("timed out after 2s waiting for ConfigMap default/web to have condition Ready=True; "
                                    "last seen: no Ready condition")
    assert result["last_object"]["data"] == {"mode": "blue"}
    assert result["objects"][0]["action"] == "created" and result["changed"]  # applied; only the wait failed


# --- reliability: injected faults --------------------------------------------------------------------


@pytest.mark.parametrize("fault", [None, "500", "drop"], ids=["timeout", "500", "drop"])
def test_objects_applied_before_their_wait_failed_are_reported_applied(run, core, kube, fault):
    """Issue 13, defect 4: "0 of 2 objects done ... not applied: ConfigMap default/wt1", changed: false, yet it existed."""
    if fault:
        kube.inject("GET", "*/configmaps/wt1", fault, times=None, after=1)  # the read before the apply goes through
    res = run(apply("wait", definition=[configmap("wt1", {"k": "v"}), configmap("wt2", {"k": "v"})], wait=True,
                    wait_condition={"type": "Ready"}, wait_timeout=2, wait_sleep=1))
    result = failed(res, "wait")
    assert result["changed"] is True
    assert [(e["name"], e["action"], e["changed"]) for e in result["objects"]] == [("wt1", "created", True),
                                                                                   ("wt2", "skipped", False)]
    assert result["objects"][0]["error"] and result["objects"][0]["result"]["data"] == {"k": "v"}
    assert "[1 of 2 objects done: ConfigMap default/wt1 created; not applied: ConfigMap wt2]" in result["msg"]
    kube.clear_faults()
    assert live(core, "wt1").data == {"k": "v"} and live(core, "wt2") is None


def test_a_deletion_whose_wait_times_out_is_reported_done(run, core):
    core.create_namespaced_config_map(NS, configmap("held", {"k": "v"}, finalizers=["example.com/hold"]))
    res = run(apply("delete", definition=configmap("held", {}), state="absent", wait=True, wait_timeout=2, wait_sleep=1))
    result = failed(res, "delete")
    assert result["changed"] is True and result["objects"][0]["action"] == "deleted", result
    assert result["msg"].startswith("timed out after 2s waiting for ConfigMap default/held to be deleted")
    assert live(core, "held").metadata.deletion_timestamp is not None
    core.patch_namespaced_config_map("held", NS, {"metadata": {"finalizers": None}})


@pytest.mark.parametrize("fault", ["429", "500"])
def test_transient_errors_are_retried(run, core, kube, fault):
    kube.inject("PATCH", "*/configmaps/web", fault, times=2)
    res = run(apply("apply", definition=configmap("web", {"mode": "blue"})))
    assert ok(res, "apply")["changed"] and live(core, "web").data == {"mode": "blue"}
    assert len(requests_to(kube, "PATCH", "/configmaps/web")) == 3


def test_an_object_modified_meanwhile_is_applied_again_after_a_fresh_read(run, core, kube):
    """Issue 13, defect 8: a 409 "the object has been modified" was not retried, and its message said to set
    force_conflicts, which would not help."""
    kube.inject("PATCH", "*/configmaps/web", "conflict", times=2)
    result = ok(run(apply("apply", definition=configmap("web", {"mode": "blue"}))), "apply")
    assert result["changed"] and result["objects"][0]["action"] == "created"
    assert [r["method"] for r in kube.requests if r["path"].endswith("/configmaps/web")] == ["GET", "PATCH"] * 3
    assert live(core, "web").data == {"mode": "blue"}


def test_an_object_that_keeps_changing_fails_without_the_force_conflicts_hint(run, kube):
    kube.inject("PATCH", "*/configmaps/web", "conflict", times=None)
    result = failed(run(apply("apply", definition=configmap("web", {"mode": "blue"}))), "apply")
    assert "the object has been modified" in result["msg"] and "force_conflicts" not in result["msg"], result["msg"]
    assert "(gave up after 5 attempts)" in result["msg"] and result["status"] == 409 and not result["changed"]


def test_a_stale_resource_version_in_the_definition_is_named(run, core):
    stale = configmap("web", {"mode": "green"}, resourceVersion="1")
    res = run(apply("create", definition=configmap("web", {"mode": "blue"})), apply("apply", definition=stale))
    result = failed(res, "apply")
    assert "the object has been modified" in result["msg"] and "force_conflicts" not in result["msg"]
    assert 'the definition carries metadata.resourceVersion "1"' in result["msg"], result["msg"]
    assert live(core, "web").data == {"mode": "blue"}


def test_dropped_connections_past_the_budget_fail_clearly(run, core, kube):
    kube.inject("PATCH", "*/configmaps/web", "drop", times=20)
    res = run(apply("apply", definition=configmap("web", {"mode": "blue"})))
    msg = failed(res, "apply")["msg"]
    assert msg.startswith("apply ConfigMap default/web failed: no answer from the API server at %s" % kube.url), msg
    assert msg.endswith("(gave up after 5 attempts)")
    assert "Traceback" not in res.stdout + res.stderr
    assert live(core, "web") is None


# --- authentication and TLS --------------------------------------------------------------------------


def tls_options(kube, token=None):
    return {"host": kube.tls_url, "api_key": token or kube.token, "ca_cert": kube.ca_path}


def test_token_never_appears_in_verbose_output(run, kube):
    """The secrets come from variables, as in real use: a playbook's own text is Ansible's to show."""
    with open(kube.tls_kubeconfig) as f:
        inline = yaml.safe_load(f)
    res = run(apply("kubeconfig file", definition=configmap("a", {"k": "v"}), kubeconfig=kube.tls_kubeconfig),
              apply("api_key", definition=configmap("b", {"k": "v"}), **tls_options(kube, "{{ token }}")),
              apply("kubeconfig mapping", definition=configmap("c", {"k": "v"}), kubeconfig="{{ inline }}"),
              dict(apply("failing", definition=configmap("d", {"k": "v"}), kubeconfig="{{ inline }}", context="no-such"),
                   ignore_errors=True),
              extra_vars={"inline": inline, "token": kube.token}, verbosity=3, json_output=False)
    assert res.rc == 0, res.stdout[-3000:]
    assert res.stdout.count("changed: [localhost]") == 3 and "...ignoring" in res.stdout
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in res.stdout
    assert kube.token not in res.stdout + res.stderr


def test_tls_verification(run, kube):
    res = run(apply("ca_cert", definition=configmap("a", {"k": "v"}), **tls_options(kube)),
              apply("no verification", definition=configmap("b", {"k": "v"}), host=kube.tls_url, api_key=kube.token,
                    validate_certs=False),
              dict(apply("unknown CA", definition=configmap("c", {"k": "v"}), host=kube.tls_url, api_key=kube.token),
                   ignore_errors=True),
              dict(apply("bad token", definition=configmap("d", {"k": "v"}), **tls_options(kube, "wrong")),
                   ignore_errors=True))
    assert ok(res, "ca_cert")["changed"] and ok(res, "no verification")["changed"]
    unknown = res.task("unknown CA")["result"]["msg"]
    assert "no answer from the API server at %s" % kube.tls_url in unknown and "CERTIFICATE_VERIFY_FAILED" in unknown
    assert "gave up" not in unknown  # a TLS failure is not retried
    assert "HTTP 401" in res.task("bad token")["result"]["msg"]


def test_module_defaults_group_and_environment(kube):
    task = apply("apply", definition=configmap("web", {"mode": "blue"}))
    grouped = play(task, module_defaults={"group/clusternet.k8s.cluster": tls_options(kube)})
    assert ok(run_playbook(grouped), "apply")["changed"]
    env = {"K8S_AUTH_HOST": kube.tls_url, "K8S_AUTH_API_KEY": kube.token, "K8S_AUTH_SSL_CA_CERT": kube.ca_path,
           "K8S_AUTH_VERIFY_SSL": "yes"}
    res = run_playbook(play(apply("apply", definition=configmap("web", {"mode": "green"}))), env=env)
    assert ok(res, "apply")["objects"][0]["action"] == "updated"
    res = run_playbook(play(apply("apply", definition=configmap("web", {"mode": "red"}))),
                       env={"K8S_AUTH_KUBECONFIG": kube.tls_kubeconfig, "KUBECONFIG": ""})
    assert ok(res, "apply")["objects"][0]["action"] == "updated"

"""persistent_ip: main() with patched arguments, for what needs no cluster (rendering, argument errors)."""
import contextlib
import io
import json

import pytest

from tests.support.module_args import patch_module_args
from ansible_collections.clusternet.k8s.plugins.modules import persistent_ip

GATEWAY = {"name": "pip-gw", "namespace": "infra", "class": "external", "addresses": ["34.123.10.1"],
           "allowed_namespaces": "All"}
ROUTE = {"name": "proxy-ip", "namespace": "app", "pod_selector": {"app": "proxy"}, "addresses": ["34.123.10.1"]}


def run_module(args, check=False):
    args = dict(args, _ansible_check_mode=check)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        persistent_ip.main()
    return exited.value.code != 0, json.loads(out.getvalue())


def test_rendered_returns_the_objects_without_a_cluster(monkeypatch):
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", "/nonexistent/kubeconfig")
    failed, result = run_module({"state": "rendered", "gateway": GATEWAY, "routes": [ROUTE]})
    assert not failed and not result["changed"]
    gateway, route = result["rendered"]
    assert gateway["kind"] == "Gateway" and gateway["spec"]["addresses"] == [
        {"type": "gke.networking.io/cidr", "value": "34.123.10.1/32"}]
    assert route["spec"]["parentRefs"] == [{"name": "pip-gw", "namespace": "infra"}]


def test_rendered_refuses_invalid_objects_with_every_problem():
    route = dict(ROUTE, addresses=["34.99.0.1"], pod_selector={})
    failed, result = run_module({"state": "rendered", "gateway": GATEWAY, "routes": [route]})
    assert failed and not result["changed"]
    assert [e["code"] for e in result["errors"]] == ["IPR_PODSELECTOR_EMPTY", "IPR_ADDRESS_NOT_IN_GATEWAY"]
    assert "nothing was applied" in result["msg"]


@pytest.mark.parametrize("state", ["rendered", "present"])
def test_a_gateway_namespace_that_is_no_namespace_name_is_refused(state, monkeypatch):
    """It would go into the URL path of every request about the Gateway (issue 13)."""
    monkeypatch.setattr(persistent_ip, "connect", lambda module: pytest.fail("connected"))
    failed, result = run_module({"state": state, "gateway": dict(GATEWAY, namespace="../x"), "routes": [ROUTE]})
    assert failed and not result["changed"]
    assert [(e["code"], e["path"]) for e in result["errors"]] == [
        ("GW_NAMESPACE_INVALID", "metadata.namespace"), ("IPR_PARENTREF_NAMESPACE_INVALID", "spec.parentRefs[0].namespace")]
    assert 'metadata.namespace: Invalid value: "../x": a lowercase RFC 1123 label' in result["msg"]


def test_rendered_warnings_reach_the_user(capsys):
    gateway = dict(GATEWAY, allowed_namespaces="Selector", namespace_selector={"persistent-ip": "allowed"})
    failed, result = run_module({"state": "rendered", "gateway": gateway, "routes": [ROUTE]})
    # ansible-core 2.19 returns module warnings in the result, or shows them at once when the
    # controller's display is already set up in this process (as after other tests)
    shown = json.dumps(result.get("warnings", [])) + capsys.readouterr().err
    assert not failed and "IPR_NOT_ADMITTED" in shown and "namespace_labels" in shown


def test_unmanaged_gateway_renders_only_the_routes():
    failed, result = run_module({"state": "rendered", "gateway": {"name": "pip-gw", "namespace": "infra", "manage": False},
                                 "routes": [ROUTE]})
    assert not failed and [o["kind"] for o in result["rendered"]] == ["GKEIPRoute"]


def test_missing_class_is_a_clean_failure():
    failed, result = run_module({"state": "rendered", "gateway": {"name": "gw", "namespace": "infra"}, "routes": []})
    assert failed and "gateway.class and gateway.addresses are required" in result["msg"]


def test_argument_spec_rejects_unknown_choices():
    failed, result = run_module({"state": "rendered", "gateway": dict(GATEWAY, **{"class": "global"}), "routes": []})
    assert failed and "class" in result["msg"] and "external" in result["msg"]
    failed, result = run_module({"state": "rendered", "gateway": GATEWAY, "routes": [dict(ROUTE, reaction_mode="Always")]})
    assert failed and "ReadyCondition" in result["msg"]


def test_unreachable_cluster_is_a_clean_failure(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:9\n"
                          "contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n"
                          "users:\n- name: u\n  user: {}\n")
    failed, result = run_module({"gateway": GATEWAY, "routes": [ROUTE], "kubeconfig": str(kubeconfig)})
    assert failed and "127.0.0.1:9" in result["msg"] and not result["changed"]


def test_errors_that_need_no_cluster_are_refused_before_connecting(monkeypatch):
    monkeypatch.setattr(persistent_ip, "connect", lambda module: pytest.fail("connected"))
    for route, code in ((dict(ROUTE, namespace="Not A Namespace"), "IPR_NAMESPACE_INVALID"),
                        (dict(ROUTE, addresses=["34.99.0.1"]), "IPR_ADDRESS_NOT_IN_GATEWAY")):
        failed, result = run_module({"gateway": GATEWAY, "routes": [route]})
        assert failed and not result["changed"] and [e["code"] for e in result["errors"]] == [code]


@pytest.mark.parametrize("args, message", [({"wait_sleep": -1}, "wait_sleep must be at least 1 (second), got -1"),
                                           ({"wait_timeout": -5}, "wait_timeout must be 0 or more (seconds), got -5")])
def test_wait_settings_are_checked_before_anything_else(args, message, monkeypatch):
    """Issue 13, defect 6: wait_sleep -1 ended in "Module failed", wait_timeout -5 was accepted."""
    monkeypatch.setattr(persistent_ip, "connect", lambda module: pytest.fail("connected"))
    failed, result = run_module(dict(args, gateway=GATEWAY, routes=[ROUTE], wait=True))
    assert failed and not result["changed"] and result["msg"] == message


@pytest.mark.parametrize("args", [{"state": "rendered", "gateway": dict(GATEWAY, addresses=["10.0.0.1"]), "routes": [ROUTE]},
                                  {"state": "rendered", "gateway": GATEWAY, "routes": [ROUTE], "bogus": 1}],
                         ids=["invalid-gateway", "argument-error"])
def test_no_secret_shows_when_the_task_fails_before_connecting(args):
    """Issue 13, defect 5: a kubeconfig mapping's token showed in invocation for an invalid rendered Gateway."""
    token = "tok-0123456789abcdef"
    failed, result = run_module(dict(args, kubeconfig={"users": [{"name": "u", "user": {"token": token}}]}))
    assert failed and "invocation" in result and token not in json.dumps(result)

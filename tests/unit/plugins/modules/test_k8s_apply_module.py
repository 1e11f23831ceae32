"""k8s_apply: main() with patched arguments, for what fails before any request (the rest is in tests/integration)."""
import contextlib
import io
import json
import re

import pytest

from tests.support.module_args import patch_module_args
from ansible_collections.clusternet.k8s.plugins.modules import k8s_apply

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}


def run_module(args):
    """Run main() and return (failed, result)."""
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        k8s_apply.main()
    return exited.value.code != 0, json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch, tmp_path):
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "K8S_AUTH_HOST", "K8S_AUTH_API_KEY", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ANSIBLE_REMOTE_TMP", str(tmp_path))


@pytest.mark.parametrize("args, message", [
    ({}, "^nothing to apply: give definition, src or template, or kind and name$"),
    ({"kind": "Namespace"}, "^nothing to apply: give definition, src or template, or kind and name$"),
    ({"template": "cm.yaml.j2"}, "^template is rendered on the controller by the clusternet.k8s.k8s_apply action plugin"),
    ({"definition": CM, "src": "/x.yaml"}, "parameters are mutually exclusive: definition|src"),
    ({"definition": CM, "wait_condition": {"type": "Ready"}, "wait_jsonpath": {"path": ".a"}},
     "parameters are mutually exclusive: wait_condition|wait_jsonpath"),
    ({"definition": "kind: [", "kubeconfig": "/nonexistent"}, "definition is not valid YAML"),
    ({"definition": [CM, 5]}, r"definition\[1\] must be a mapping"),
    ({"definition": CM, "wait_jsonpath": {"path": "{.a[}"}}, "JSONPath '{.a\\[}': unclosed"),
    ({"definition": CM, "kubeconfig": "/nonexistent/config"}, "cannot load kubeconfig /nonexistent/config: "),
    ({"definition": CM}, "no cluster to connect to"),
    ({"definition": CM, "kubeconfig": ["a"]}, "kubeconfig must be a path or a kubeconfig mapping, got list"),
    # issue 13, defects 6 and 8: none of these may end in "Module failed", be accepted, or be retried
    ({"definition": CM, "wait": True, "wait_sleep": -1}, "^wait_sleep must be at least 1 \\(second\\), got -1$"),
    ({"definition": CM, "wait": True, "wait_sleep": 0}, "^wait_sleep must be at least 1 \\(second\\), got 0$"),
    ({"definition": CM, "wait": True, "wait_timeout": -5}, "^wait_timeout must be 0 or more \\(seconds\\), got -5$"),
    ({"definition": CM, "wait_jsonpath": {"path": "{.status.phase"}},
     "^JSONPath '{.status.phase': unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' "
     "or '{.name1.name2}'$"),
    ({"definition": CM, "wait_jsonpath": {"path": ".a}"}}, "unexpected path string"),
    ({"definition": CM, "wait_jsonpath": {"path": ""}}, "^JSONPath '': a path is required, such as {.status.phase}$"),
    ({"definition": CM, "host": "http://127.0.0.1:1", "proxy": "notaproxy"},
     '^proxy: "\\*\\*\\*\\*\\*\\*\\*\\*" is not a proxy URL: it needs a scheme \\(http, https, socks4, socks4a, socks5 or socks5h\\) and a '
     'host, such as http://proxy.example:3128$'),
    ({"definition": CM, "host": "ftp://127.0.0.1:1"},
     '^host: "ftp://127.0.0.1:1" is not an API server URL: unsupported protocol scheme "ftp" \\(use https:// or http://\\)$'),
    ({"definition": CM, "host": "http://[::1"}, '^host: "http://\\[::1" is not an API server URL: Invalid IPv6 URL$'),
    ({"definition": CM, "host": "https://"}, '^host: "https://" is not an API server URL: it has no host$'),
    ({"definition": CM, "host": "https://h:99999"}, '^host: "https://h:99999" is not an API server URL: Port out of range'),
])
def test_fails_cleanly_before_any_request(args, message):
    failed, result = run_module(args)
    assert failed and not result.get("changed")
    assert re.search(message, result["msg"]), result["msg"]


def test_kubeconfig_mapping_secrets_are_masked_even_on_failure():
    kubeconfig = {"users": [{"name": "u", "user": {"token": "tok-0123456789"}}]}
    failed, result = run_module({"definition": CM, "kubeconfig": kubeconfig, "api_key": "key-0123456789"})
    assert failed and "cannot load the kubeconfig mapping" in result["msg"]
    text = json.dumps(result)
    assert "tok-0123456789" not in text and "key-0123456789" not in text


TOKEN = "tok-0123456789abcdef"
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "pw-0123456789"},
          "data": {"token": "c2VjcmV0LXZhbHVlLTAxMjM="}}


@pytest.mark.parametrize("args", [
    {"definition": CM, "bogus": 1},  # refused by the argument validation itself
    {"definition": CM, "wait_sleep": "x"},
    {"definition": CM, "wait_sleep": -1},
    {"definition": [SECRET], "host": "https://u:pw-0123456789@127.0.0.1:1", "bogus": 1},
    {"definition": "kind: Secret\napiVersion: v1\nmetadata: {name: s}\nstringData: {password: pw-0123456789}\n", "bogus": 1},
], ids=["unsupported", "wrong-type", "bad-value", "host-password", "yaml-text"])
def test_no_secret_shows_when_the_arguments_are_refused(args):
    """Issue 13, defect 5: a kubeconfig mapping's token showed in invocation when a task failed before connecting."""
    kubeconfig = {"users": [{"name": "u", "user": {"token": TOKEN}}]}
    failed, result = run_module(dict(args, kubeconfig=kubeconfig))
    text = json.dumps(result)
    assert failed and "invocation" in result
    assert TOKEN not in text and "pw-0123456789" not in text and "c2VjcmV0LXZhbHVlLTAxMjM=" not in text, text


@pytest.mark.parametrize("definition", ["", [], "---\n---\n", [None], "# only a comment\n"])
@pytest.mark.parametrize("state, verb", [("present", "apply"), ("absent", "delete")])
def test_nothing_to_apply_is_refused_as_kubectl_refuses_it(definition, state, verb):
    """Issue 13, defect 6: an empty definition or src succeeded with nothing applied."""
    failed, result = run_module({"definition": definition, "state": state, "kubeconfig": "/nonexistent"})
    assert failed and not result["changed"] and result["msg"] == "definition: no objects passed to %s" % verb


def test_an_empty_src_file_is_refused(tmp_path):
    src = tmp_path / "empty.yaml"
    src.write_text("---\n")
    failed, result = run_module({"src": str(src), "kubeconfig": "/nonexistent"})
    assert failed and result["msg"] == "src %s: no objects passed to apply" % src

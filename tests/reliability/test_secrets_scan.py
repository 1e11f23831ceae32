"""No secret in any output, at any verbosity: every cluster module, succeeding and failing, scanned.

Known secrets (a bearer token, a password in ``host``, a password in ``proxy``, the values of a Secret,
plain and base64) reach the modules from variables, as in real use, through every way of giving
them (a kubeconfig mapping, ``api_key``, ``host``, ``proxy``, a Secret as a mapping and as YAML
text). Each task runs at ``-vvvv`` with ``--diff``, once with the default callback (what a user sees)
and once with the test's JSON callback (the results themselves). Not one occurrence may show in
stdout, stderr, the results, the diffs or the API server's request log (issue 13, defect 5).

Only the ``kube`` fixture's interface is used (tls_url, token, ca_path, requests), so the scan runs
against any API server that offers it.
"""
import base64
import json
import secrets as random_secrets

import pytest
import yaml

from tests.support.ansible_run import run_playbook

CLOSED_PORT = 9  # discard: nothing listens there


def value(prefix):
    return "%s-%s" % (prefix, random_secrets.token_hex(12))


@pytest.fixture
def known():
    """The secrets, and every form in which one could leak."""
    found = {name: value(name) for name in ("password", "proxypass", "secretvalue", "secretdata")}
    found["secretdata_b64"] = base64.b64encode(found["secretdata"].encode()).decode()
    found["secretvalue_b64"] = base64.b64encode(found["secretvalue"].encode()).decode()
    return found


def secret(name, known, extra=None):
    data = {"password": known["secretvalue"]}
    data.update(extra or {})
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"},
            "stringData": data, "data": {"token": known["secretdata_b64"]}}


def task(name, module, **args):
    return {"name": name, "ignore_errors": True, "clusternet.k8s." + module: args}


def tasks(kube, known):
    tls = {"host": "{{ tls_url }}", "api_key": "{{ token }}", "ca_cert": kube.ca_path}
    inline = {"kubeconfig": "{{ inline }}"}
    with_password = {"host": "{{ host_with_password }}", "api_key": "{{ token }}", "ca_cert": kube.ca_path}
    bad_gateway = {"name": "gw", "namespace": "infra", "class": "external", "addresses": ["10.0.0.1"],
                   "allowed_namespaces": "All"}
    gateway = dict(bad_gateway, addresses=["34.123.10.1"])
    route = {"name": "r", "namespace": "app", "pod_selector": {"app": "x"}, "addresses": ["34.123.10.1"]}
    return [
        # k8s_apply: succeeding (create, update with a changed value, YAML text), failing at every stage
        task("apply a Secret", "k8s_apply", definition="{{ secret_one }}", **inline),
        task("change the Secret", "k8s_apply", definition="{{ secret_changed }}", **with_password),
        task("apply a Secret as YAML text", "k8s_apply", definition="{{ secret_yaml }}", **tls),
        task("argument error", "k8s_apply", definition="{{ secret_one }}", bogus=1, **inline),
        task("bad wait settings", "k8s_apply", definition="{{ secret_one }}", wait_sleep=-1, **inline),
        task("wait that times out on a Secret", "k8s_apply", definition="{{ secret_one }}", wait=True,
             wait_condition={"type": "Ready"}, wait_timeout=1, wait_sleep=1, **inline),
        task("no answer from a host with a password", "k8s_apply", definition="{{ secret_one }}", api_key="{{ token }}",
             host="https://scan-user:{{ password }}@127.0.0.1:%d" % CLOSED_PORT),
        task("a proxy with a password that does not answer", "k8s_apply", definition="{{ secret_one }}",
             proxy="{{ proxy }}", **tls),
        task("a proxy with a password, bypassed", "k8s_apply", definition="{{ secret_one }}", proxy="{{ proxy }}",
             no_proxy="127.0.0.1,localhost", **tls),
        task("a proxy with a password in the wrong shape", "k8s_apply", definition="{{ secret_one }}",
             proxy="proxy-user:{{ proxypass }}", **tls),
        task("delete the Secret", "k8s_apply", definition="{{ secret_one }}", state="absent", **with_password),
        # persistent_ip: rendering (no cluster), an invalid Gateway, a cluster without the CRDs
        task("render", "persistent_ip", state="rendered", gateway=gateway, routes=[route], **inline),
        task("render an invalid Gateway", "persistent_ip", state="rendered", gateway=bad_gateway, routes=[route], **inline),
        task("argument error (persistent_ip)", "persistent_ip", gateway=gateway, routes=[route], bogus=1, **inline),
        task("present without the CRDs", "persistent_ip", gateway=gateway, routes=[route], **with_password),
        # node_pod_cidrs and dualstack_info
        task("allocate", "node_pod_cidrs", cluster_cidrs=["10.244.0.0/16"], **with_password),
        task("argument error (node_pod_cidrs)", "node_pod_cidrs", **inline),
        task("bad cluster_cidrs", "node_pod_cidrs", cluster_cidrs=["bad"], **inline),
        task("check", "dualstack_info", **inline),
        task("argument error (dualstack_info)", "dualstack_info", kinds=["secrets"], **with_password),
        task("no answer through the proxy", "dualstack_info", proxy="{{ proxy }}", **tls),
    ]


EXPECTED = {
    "apply a Secret": "ok", "change the Secret": "ok", "apply a Secret as YAML text": "ok", "argument error": "ignored",
    "bad wait settings": "ignored", "wait that times out on a Secret": "ignored",
    "no answer from a host with a password": "ignored", "a proxy with a password that does not answer": "ignored",
    "a proxy with a password, bypassed": "ok", "a proxy with a password in the wrong shape": "ignored",
    "delete the Secret": "ok", "render": "ok", "render an invalid Gateway": "ignored",
    "argument error (persistent_ip)": "ignored", "present without the CRDs": "ignored", "allocate": "ok",
    "argument error (node_pod_cidrs)": "ignored", "bad cluster_cidrs": "ignored", "check": "ok",
    "argument error (dualstack_info)": "ignored", "no answer through the proxy": "ignored",
}


def variables(kube, known):
    inline = {"apiVersion": "v1", "kind": "Config", "current-context": "scan",
              "clusters": [{"name": "scan", "cluster": {"server": kube.tls_url, "certificate-authority": kube.ca_path}}],
              "users": [{"name": "scan", "user": {"token": kube.token}}],
              "contexts": [{"name": "scan", "context": {"cluster": "scan", "user": "scan"}}]}
    scheme, rest = kube.tls_url.split("://", 1)
    return {"inline": inline, "token": kube.token, "tls_url": kube.tls_url,
            "host_with_password": "%s://scan-user:%s@%s" % (scheme, known["password"], rest),
            "password": known["password"], "proxypass": known["proxypass"],
            "proxy": "http://proxy-user:%s@127.0.0.1:%d" % (known["proxypass"], CLOSED_PORT),
            "secret_one": secret("scan-secret", known),
            "secret_changed": secret("scan-secret", known, {"other": known["secretvalue"] + "-2"}),
            "secret_yaml": yaml.safe_dump(secret("scan-secret-yaml", known))}


def leaks(text, known, token):
    return sorted(name for name, secret_value in dict(known, token=token).items() if secret_value in text)


@pytest.mark.cluster(crds=False)     # persistent_ip fails on a cluster without the Gateway API and GKEIPRoute CRDs
def test_no_secret_in_any_output(kube, known):
    plays = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks(kube, known)}]
    extra = variables(kube, known)
    kube.clear_requests()
    shown = run_playbook(plays, extra_vars=extra, verbosity=4, diff=True, json_output=False)
    recorded = run_playbook(plays, extra_vars=extra, verbosity=4, diff=True)

    assert {t["task"]: t["status"] for t in recorded.tasks} == EXPECTED, [
        (t["task"], t["status"], t["result"].get("msg")) for t in recorded.tasks]
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in shown.stdout and "***" in shown.stdout  # the scan sees output
    changed = recorded.task("change the Secret")["result"]["diff"][0]["after"]
    shown_values = {k: v for part in ("data", "stringData") for k, v in (changed.get(part) or {}).items()}
    assert shown_values == {"other": "***"}, changed  # a Secret's diff shows which keys change, never a value

    assert leaks(shown.stdout + shown.stderr, known, kube.token) == [], "shown at -vvvv"
    assert leaks(recorded.stdout + recorded.stderr, known, kube.token) == [], "in the results"
    assert leaks(json.dumps([t["result"] for t in recorded.tasks]), known, kube.token) == []
    assert leaks(json.dumps(kube.requests, default=str), known, kube.token) == [], "in the API server's request log"

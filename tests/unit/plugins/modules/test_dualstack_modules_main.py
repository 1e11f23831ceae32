"""node_pod_cidrs and dualstack_info: main() with patched arguments, for what fails before any request."""
import contextlib
import io
import json
import re

import pytest

from tests.support.module_args import patch_module_args
from ansible_collections.clusternet.k8s.plugins.modules import dualstack_info, node_pod_cidrs


def run_module(module, args):
    """Run main() and return (failed, result)."""
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        module.main()
    return exited.value.code != 0, json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch, tmp_path):
    for name in ("KUBECONFIG", "K8S_AUTH_KUBECONFIG", "K8S_AUTH_HOST", "K8S_AUTH_API_KEY", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ANSIBLE_REMOTE_TMP", str(tmp_path))


@pytest.mark.parametrize("args, message", [
    ({}, "missing required arguments: cluster_cidrs"),
    ({"cluster_cidrs": "10.0.0.0/16,10.1.0.0/16"}, "kube-controller-manager rejects cluster_cidrs=.*not configured as dual stack"),
    ({"cluster_cidrs": ["10.0.0.0/16"], "node_mask_sizes": {"IPv5": 1}}, "node_mask_sizes keys must be IPv4 and/or IPv6"),
    ({"cluster_cidrs": ["10.0.0.0/16"], "page_size": -1}, "page_size must be at least 1"),
    ({"cluster_cidrs": ["10.0.0.0/16"]}, "no cluster to connect to"),
])
def test_node_pod_cidrs_fails_cleanly_before_any_request(args, message):
    failed, result = run_module(node_pod_cidrs, args)
    assert failed and not result.get("changed")
    assert re.search(message, result["msg"]), result["msg"]
    if "cluster_cidrs" in args:
        assert result["assignments"] == {} and result["skipped_nodes"] == []


@pytest.mark.parametrize("args, message", [
    ({"kinds": ["pods", "secrets"]}, "value of kinds must be one or more of"),
    ({"cluster_cidrs": "fd00::/32", "node_mask_sizes": {"IPv6": 64}}, "the node CIDR size is too big"),
    ({"service_cidrs": "x"}, "service_cidrs\\[0\\] 'x' is not a CIDR"),
    ({"page_size": 0}, "page_size must be at least 1"),
    ({"namespaces": ["../../nodes"]}, 'namespaces\\[0\\]: Invalid value: "../../nodes": a lowercase RFC 1123 label must'),
    ({}, "no cluster to connect to"),
])
def test_dualstack_info_fails_cleanly_before_any_request(args, message):
    failed, result = run_module(dualstack_info, args)
    assert failed and not result.get("changed")
    assert re.search(message, result["msg"]), result["msg"]


@pytest.mark.parametrize("module, args", [(node_pod_cidrs, {}), (node_pod_cidrs, {"cluster_cidrs": ["bad"]}),
                                          (dualstack_info, {"kinds": ["secrets"]}), (dualstack_info, {"bogus": 1})])
def test_no_secret_shows_when_the_arguments_are_refused(module, args):
    """Issue 13, defect 5: a kubeconfig mapping's token showed in invocation when a task failed before connecting."""
    token = "tok-0123456789abcdef"
    kubeconfig = {"users": [{"name": "u", "user": {"token": token}}]}
    failed, result = run_module(module, dict(args, kubeconfig=kubeconfig, host="https://u:pw-0123456789@127.0.0.1:1"))
    assert failed and "invocation" in result
    assert token not in json.dumps(result) and "pw-0123456789" not in json.dumps(result)


def test_an_integer_beyond_64_bits_in_an_int_option_fails_cleanly():
    """ansible-core 2.19's own validation raised OverflowError ("Module failed") for page_size: [2**63, None, None];
    2.17 and 2.18 refuse the list themselves."""
    failed, result = run_module(dualstack_info, {"page_size": [2 ** 63, None, None]})
    assert failed and (result["msg"].startswith("The module arguments could not be validated: a number is too large")
                       or result["msg"].startswith("argument 'page_size' is of type <class 'list'>"))

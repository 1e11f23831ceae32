"""Clients for the API server tier: the official Python client (typed and dynamic) on the ``kube`` cluster."""
import collections
import json
import uuid

import kubernetes
import pytest
from kubernetes.dynamic import DynamicClient


@pytest.fixture
def api_client(kube):
    client = kubernetes.config.new_client_from_config(kube.kubeconfig)
    yield client
    client.close()


@pytest.fixture
def core(api_client):
    return kubernetes.client.CoreV1Api(api_client)


@pytest.fixture
def dynamic(api_client, tmp_path):
    return DynamicClient(api_client, cache_file=str(tmp_path / "discovery.json"))


@pytest.fixture
def namespace(core):
    """A namespace of the test's own, so the same tests can run against a real cluster."""
    name = "t-" + uuid.uuid4().hex[:10]
    core.create_namespace({"metadata": {"name": name}})
    yield name
    try:
        core.delete_namespace(name)
    except kubernetes.client.ApiException:
        pass


Reply = collections.namedtuple("Reply", "status headers body")


@pytest.fixture
def raw(api_client):
    """``raw(method, path, body=None, content_type=..., query=())`` -> Reply(status, headers, decoded body), errors
    included, with the client's own authentication."""
    def call(method, path, body=None, content_type="application/json", query=()):
        method, url, headers, body, _post = api_client.param_serialize(
            method, path, query_params=list(query), header_params={"Content-Type": content_type, "Accept": "application/json"},
            body=body, auth_settings=["BearerToken"])
        response = api_client.call_api(method, url, header_params=headers, body=body)
        data = response.read()
        return Reply(response.status, response.getheaders(), json.loads(data) if data else None)
    return call

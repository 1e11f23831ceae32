"""Watch: initial events, replay from a resourceVersion, 410 beyond the history, selectors, timeouts."""
import json
import threading
import time
import urllib.request

import kubernetes
import pytest

from tests.support.kube_apiserver import KubeAPIServer


def events(core, namespace, **kwargs):
    stream = kubernetes.watch.Watch().stream(core.list_namespaced_config_map, namespace, timeout_seconds=kwargs.pop("timeout_seconds", 1), **kwargs)
    return [(e["type"], e["object"].metadata.name) for e in stream]


def test_initial_added_events_then_live_events(core, namespace):
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "before"}})
    seen = []
    watcher = kubernetes.watch.Watch()

    def watch():
        for event in watcher.stream(core.list_namespaced_config_map, namespace, timeout_seconds=10):
            seen.append((event["type"], event["object"].metadata.name))
            if len(seen) == 3:
                watcher.stop()

    thread = threading.Thread(target=watch)
    thread.start()
    time.sleep(0.3)
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "after"}})
    core.delete_namespaced_config_map("after", namespace)
    thread.join(10)
    assert seen == [("ADDED", "before"), ("ADDED", "after"), ("DELETED", "after")]


def test_replay_from_a_resource_version(core, namespace):
    start = core.create_namespaced_config_map(namespace, {"metadata": {"name": "a"}}).metadata.resource_version
    core.patch_namespaced_config_map("a", namespace, {"data": {"k": "v"}})
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "b"}})
    core.delete_namespaced_config_map("a", namespace)
    assert events(core, namespace, resource_version=start) == [("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")]


def test_selectors_turn_changes_into_added_and_deleted(core, namespace):
    start = core.create_namespaced_config_map(namespace, {"metadata": {"name": "c"}}).metadata.resource_version
    core.patch_namespaced_config_map("c", namespace, {"metadata": {"labels": {"app": "x"}}})
    core.patch_namespaced_config_map("c", namespace, {"data": {"k": "v"}})
    core.patch_namespaced_config_map("c", namespace, {"metadata": {"labels": {"app": None}}})
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "d", "labels": {"app": "x"}}})
    assert events(core, namespace, resource_version=start, label_selector="app=x") == [
        ("ADDED", "c"), ("MODIFIED", "c"), ("DELETED", "c"), ("ADDED", "d")]
    assert events(core, namespace, field_selector="metadata.name=d") == [("ADDED", "d")]


def test_timeout_seconds_ends_the_stream(core, namespace):
    began = time.monotonic()
    assert events(core, namespace, timeout_seconds=1) == []
    assert 0.9 <= time.monotonic() - began < 5


def test_watch_beyond_the_history_is_410_expired():
    server = KubeAPIServer(watch_buffer=3)
    url = server.serve()
    try:
        for i in range(6):
            request = urllib.request.Request(url + "/api/v1/namespaces/default/configmaps", method="POST",
                                             data=json.dumps({"metadata": {"name": "c%d" % i}}).encode(), headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request).close()
        with urllib.request.urlopen(url + "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2&timeoutSeconds=1") as response:
            [line] = response.read().splitlines()
        event = json.loads(line)
        assert event["type"] == "ERROR"
        assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")
        assert event["object"]["message"].startswith("too old resource version: 2 (")
    finally:
        server.stop()


def test_python_client_sees_410_as_an_api_exception(kube, core, namespace):
    kube.inject("watch", "/api/v1/namespaces/%s/configmaps" % namespace, "410")
    with pytest.raises(kubernetes.client.ApiException) as exc:
        events(core, namespace, resource_version="1")
    assert exc.value.status == 410


def test_send_initial_events_ends_with_a_bookmark(api_client, raw, namespace):
    path = "/api/v1/namespaces/%s/configmaps" % namespace
    raw("POST", path, {"metadata": {"name": "x"}})
    query = [("watch", "true"), ("sendInitialEvents", "true"), ("resourceVersionMatch", "NotOlderThan"), ("allowWatchBookmarks", "true"),
             ("timeoutSeconds", "1")]
    method, url, headers, _body, _post = api_client.param_serialize("GET", path, query_params=query, auth_settings=["BearerToken"])
    lines = [json.loads(line) for line in api_client.call_api(method, url, header_params=headers).read().splitlines()]
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in lines[:2]] == [("ADDED", "x"), ("BOOKMARK", None)]
    assert lines[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_a_bad_selector_is_a_bad_request(raw, namespace):
    status, _headers, body = raw("GET", "/api/v1/namespaces/%s/configmaps" % namespace, query=[("watch", "true"), ("labelSelector", "a in (")])
    assert (status, body["reason"]) == (400, "BadRequest")

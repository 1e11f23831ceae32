"""The request log holds a request before its client can see any answer, a dropped connection included.

A slow request log makes the order observable: were an entry added after the answer left, the client would
look at the log before the entry got there.
"""
import http.client
import time
import urllib.parse

import pytest


@pytest.fixture
def slow_log(kube, monkeypatch):
    if kube.real:
        pytest.skip("the request log needs the test API server")
    log = kube.server.log
    add = log.add

    def slowly(entry):
        time.sleep(0.05)
        add(entry)

    monkeypatch.setattr(log, "add", slowly)
    kube.clear_requests()
    return kube


def connect(kube):
    url = urllib.parse.urlsplit(kube.url)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=10)


def test_an_answered_request_is_logged_before_its_answer_arrives(slow_log):
    conn = connect(slow_log)
    try:
        for count in range(1, 6):
            conn.request("GET", "/api/v1/namespaces/default/configmaps/missing-%d" % count)
            conn.getresponse().read()
            logged = slow_log.requests
            assert len(logged) == count
            assert (logged[-1]["path"], logged[-1]["status"]) == ("/api/v1/namespaces/default/configmaps/missing-%d" % count, 404)
    finally:
        conn.close()


def test_a_dropped_connection_is_logged_before_the_client_sees_it(slow_log):
    slow_log.inject("get", "/api/v1/namespaces/default/configmaps/*", "drop", times=None)
    for count in range(1, 4):
        conn = connect(slow_log)
        try:
            conn.request("GET", "/api/v1/namespaces/default/configmaps/gone")
            with pytest.raises((http.client.HTTPException, OSError)):
                conn.getresponse()
            logged = slow_log.requests
        finally:
            conn.close()
        assert len(logged) == count
        assert (logged[-1]["verb"], logged[-1]["status"], logged[-1]["fault"]) == ("get", None, "drop")

"""A small HTTP proxy in front of the real kube-apiserver: fault injection and a request log.

The proxy listens on plain HTTP on 127.0.0.1 and forwards every request to the apiserver over TLS,
adding the admin bearer token when the client sends none (as ``kubectl proxy`` does). Rules make the
n-th matching request fail instead::

    proxy.inject("PATCH", "*/configmaps/web", "conflict", times=2)     # 409 Conflict, twice
    proxy.inject("list", "/api/v1/namespaces/*/pods", "410", after=1)  # the second list: 410 Expired
    proxy.inject("*", "*", "delay", seconds=2)                         # slow answers
    proxy.inject("GET", "*", "drop")                                   # connection closed, no answer

Actions: ``conflict`` (409), ``429`` (with Retry-After), ``500``, ``410``, ``delay``, ``drop``. A verb is a
Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection), an HTTP method or
``*``; a path is a glob over the URL path. The answers are the apiserver's own ``Status`` shapes.

``proxy.requests`` is the log: dicts with verb, method, path, query, status, user_agent, fault.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import http.client
import http.server
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse

ACTIONS = ("conflict", "429", "500", "410", "delay", "drop")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}


@dataclasses.dataclass
class Fault:
    """Act on matching requests: skip the first ``after``, then act ``times`` times (None: every time)."""
    verb: str
    path: str
    action: str
    times: int | None = 1
    after: int = 0
    opts: dict = dataclasses.field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError("unknown fault action %r; expected one of %s" % (self.action, ", ".join(ACTIONS)))

    def matches(self, verb, method, path):
        wanted = self.verb.upper() if self.verb.upper() in HTTP_METHODS else self.verb
        return wanted in ("*", verb, method) and fnmatch.fnmatchcase(path, self.path)


@dataclasses.dataclass
class Target:
    """What a request addresses, read from its path as the apiserver's request-info resolver reads it."""
    verb: str
    group: str = ""
    resource: str = ""
    name: str = ""

    @property
    def qualified(self):
        return "%s.%s" % (self.resource, self.group) if self.group else self.resource


def request_target(method, path, query):
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, rest = "", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
    else:
        return Target("get" if method == "GET" else method.lower())
    if rest[:1] == ["namespaces"] and len(rest) >= 3 and not (len(rest) == 3 and rest[2] in ("status", "finalize")):
        rest = rest[2:]
    resource, name = (rest + ["", ""])[:2]
    if method == "GET":
        verb = "get" if name else ("watch" if query.get("watch") in ("true", "1") else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method) or \
            ("delete" if name else "deletecollection")
    return Target(verb, group, resource, name)


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message}
    if reason:
        body["reason"] = reason
    if details:
        body["details"] = details
    body["code"] = code
    return body


def fault_answer(fault, target):
    """``(code, Status, extra headers)`` for an injected failure, worded as the apiserver words it."""
    opts = fault.opts
    details = {"name": target.name, "kind": target.resource}
    if target.group:
        details["group"] = target.group
    if fault.action == "conflict":
        why = "the object has been modified; please apply your changes to the latest version and try again"
        return 409, status(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s' % (target.qualified, target.name, why),
                           details), {}
    if fault.action == "429":
        seconds = int(opts.get("retry_after", 1))
        return 429, status(429, "TooManyRequests", "Too many requests, please try again later.",
                           {"retryAfterSeconds": seconds}), {"Retry-After": str(seconds)}
    if fault.action == "500":
        message = opts.get("message", "injected fault")
        return 500, status(500, "InternalError", "Internal error occurred: " + message, {"causes": [{"message": message}]}), {}
    return 410, status(410, "Expired", opts.get("message", "too old resource version: 1 (2)")), {}


class FaultProxy:
    """The proxy; ``url`` is where clients connect. ``upstream`` is the apiserver's https URL."""

    def __init__(self, upstream, ca_path, token):
        split = urllib.parse.urlsplit(upstream)
        self.upstream_host, self.upstream_port = split.hostname, split.port or 443
        self.context = ssl.create_default_context(cafile=ca_path)
        self.token = token
        self._lock = threading.Lock()
        self._rules = []
        self._log = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # -- faults and the log ----------------------------------------------------------------------

    def inject(self, verb, path, action, times=1, after=0, **opts):
        rule = Fault(verb, path, str(action), times, after, opts)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear_faults(self):
        with self._lock:
            self._rules.clear()

    def take(self, verb, method, path):
        """The first matching rule due to act on this request, or None; every matching rule counts it."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(verb, method, path):
                    continue
                rule.seen += 1
                if rule.seen > rule.after and (rule.times is None or rule.fired < rule.times):
                    rule.fired += 1
                    return rule
        return None

    @property
    def requests(self):
        with self._lock:
            return [dict(e) for e in self._log]

    def clear_requests(self):
        with self._lock:
            self._log.clear()

    def log(self, entry):
        with self._lock:
            self._log.append(entry)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client or the apiserver that hangs up is no error of the proxy's; anything else is printed."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, http.client.HTTPException, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args):     # pylint: disable=arguments-differ
        pass

    def do_GET(self):      # pylint: disable=invalid-name
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _serve(self):
        proxy = self.server.proxy
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = self._read_body()
        target = request_target(self.command, url.path, query)
        entry = {"verb": target.verb, "method": self.command, "path": url.path, "query": query, "status": None,
                 "user_agent": self.headers.get("User-Agent", ""), "fault": None}
        fault = proxy.take(target.verb, self.command, url.path)
        # Each request is logged before its answer is sent, so a client never sees an answer the log lacks.
        try:
            if fault:
                entry["fault"] = fault.action
                if fault.action == "drop":
                    proxy.log(entry)
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault.action == "delay":
                    time.sleep(float(fault.opts.get("seconds", 1)))
                else:
                    code, answer, headers = fault_answer(fault, target)
                    entry["status"] = code
                    proxy.log(entry)
                    self._answer(code, json.dumps(answer).encode(), "application/json", headers)
                    return
            self._forward(body, entry)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if not size:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _answer(self, code, data, content_type, headers=None):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _forward(self, body, entry):
        proxy = self.server.proxy
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        if not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = "Bearer " + proxy.token
        if body is not None:
            headers["Content-Length"] = str(len(body))
        upstream = http.client.HTTPSConnection(proxy.upstream_host, proxy.upstream_port, context=proxy.context, timeout=300)
        try:
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
            except OSError:
                proxy.log(entry)            # no answer from the apiserver: none for the client either
                self.close_connection = True
                return
            entry["status"] = response.status
            proxy.log(entry)
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            if response.getheader("Content-Length") is not None or self.command == "HEAD":
                data = response.read()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                # Streamed (watch, chunked lists): relay each piece as it arrives.
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                while True:
                    try:
                        piece = response.read1(65536)
                    except (http.client.HTTPException, OSError):
                        piece = None            # the apiserver cut the stream: so does the proxy
                    if piece is None:
                        self.close_connection = True
                        return
                    if not piece:
                        break
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
        finally:
            upstream.close()

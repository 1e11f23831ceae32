"""HTTP: routing, discovery, tables, watch streaming, bearer tokens, faults, the request log and the ``/_test`` admin API."""
import dataclasses
import datetime
import json
import re
import socket
import ssl
import sys
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import api, errors, watch

JSON = "application/json"
NAME_COLUMN = {"name": "Name", "type": "string", "format": "name", "priority": 0,
               "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may "
                              "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
                              "for creation idempotence and configuration definition. Cannot be updated."}
AGE = ("Age", "date", ".metadata.creationTimestamp")
# The JSONPath steps printer columns use: .field, [*], [n], [?(@.key=="value")]
_STEP = re.compile(r"""\.([^.\[]+)|\[\*\]|\[(\d+)\]|\[\?\(@\.([\w.-]+)==["']([^"']*)["']\)\]""")


@dataclasses.dataclass
class Route:
    verb: str
    run: object
    res: object = None
    name: str = ""


def json_path(obj, path):
    """Every match of a printer column's JSONPath in ``obj``."""
    found = [obj]
    for step in _STEP.finditer(path):
        name, index, key, wanted = step.groups()
        matched = []
        for value in found:
            if name is not None and isinstance(value, dict) and name in value:
                matched.append(value[name])
            elif index is not None and isinstance(value, list) and int(index) < len(value):
                matched.append(value[int(index)])
            elif key is not None and isinstance(value, list):
                matched += [i for i in value if isinstance(i, dict) and str(i.get(key)) == wanted]
            elif name is index is key is None and isinstance(value, list):
                matched += value
        found = matched
    return found


def _cell(obj, type_, path):
    """The first match, as the CRD table convertor renders it (dates as ages)."""
    found = json_path(obj, path)
    if not found or found[0] is None:
        return None
    value = found[0]
    if type_ == "date":
        return human_age(value) if isinstance(value, str) else None
    if type_ == "string":
        return value if isinstance(value, str) else json.dumps(value)
    return value


def human_age(timestamp):
    """An age as kubectl shows it (apimachinery's HumanDuration, to whole units)."""
    created = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    seconds = max(int((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()), 0)
    minutes, hours = seconds // 60, seconds // 3600
    if seconds < 120:
        return "%ds" % seconds
    if minutes < 10:
        return "%dm%ds" % (minutes, seconds % 60) if seconds % 60 else "%dm" % minutes
    if minutes < 180:
        return "%dm" % minutes
    if hours < 8:
        return "%dh%dm" % (hours, minutes % 60) if minutes % 60 else "%dh" % hours
    return "%dh" % hours if hours < 48 else "%dd" % (hours // 24)


def to_table(res, objects, query, rv):
    """A meta.k8s.io/v1 Table: Name plus a CRD's printer columns, or plus Age (a CRD's default; built-ins have
    richer columns on a real server)."""
    include = query.get("includeObject", "Metadata")
    columns = res.printer_columns or (AGE,)
    definitions = [NAME_COLUMN] + [{"name": name, "type": type_, "format": "", "priority": 0,
                                    "description": "Custom resource definition column (in JSONPath format): " + path} for name, type_, path in columns]
    rows = []
    for obj in objects:
        row = {"cells": [obj["metadata"]["name"]] + [_cell(obj, type_, path) for _name, type_, path in columns]}
        if include == "Object":
            row["object"] = obj
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv}, "columnDefinitions": definitions, "rows": rows}


class Server(ThreadingHTTPServer):
    """One listener of a KubeAPIServer: plain HTTP, or TLS with a required bearer token."""
    daemon_threads = True

    def __init__(self, address, kube, ssl_context=None, token=None):
        super().__init__(address, Handler)
        self.kube, self.ssl_context, self.token = kube, ssl_context, token

    def get_request(self):
        sock, address = self.socket.accept()
        if self.ssl_context:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def finish_request(self, request, client_address):
        if self.ssl_context:
            try:        # in the connection's thread, so a stalled client cannot block accept()
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-apiserver-test"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK
    # (~40 ms per request on Linux). TCP_NODELAY, as Go's net/http server sets it.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):      # pylint: disable=redefined-builtin
        """Quiet: the request log records what tests need."""

    def send_response(self, code, message=None):
        self._log(code)     # before any byte leaves: a client that got its answer finds its request logged
        super().send_response(code, message)

    def _log(self, status):
        if self.entry is not None:
            self.entry["status"] = status
            self.server.kube.log.add(self.entry)
            self.entry = None

    def do_GET(self):       # pylint: disable=invalid-name
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # -- plumbing ------------------------------------------------------------------------------

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                data += self.rfile.read(size)
                self.rfile.readline()
                if not size:
                    return data
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, code, body, content_type=JSON, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        for warning in self.opts.warnings:
            self.send_header("Warning", '299 - "%s"' % warning.replace('"', '\\"'))
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, exc):
        self._send(exc.code, exc.status(), headers=exc.headers)

    def _serve(self):
        url = urllib.parse.urlsplit(self.path)
        self.query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        self.body, self.opts = self._read_body(), api.Options()
        kube = self.server.kube
        entry = self.entry = None if url.path.startswith("/_test/") else {
            "verb": "", "method": self.command, "path": url.path, "query": self.query, "status": None,
            "user_agent": self.headers.get("User-Agent", ""), "fault": None}
        try:
            self._authorize()
            self.opts = self._options()
            if url.path.startswith("/_test/"):
                return self._admin(url.path)
            route = self._route(url.path)
            entry["verb"] = route.verb
            fault = kube.faults.take(route.verb, self.command, url.path)
            if fault:
                entry["fault"] = fault.action
                if self._inject(fault, route):
                    return None
            route.run()
        except errors.ApiError as exc:
            self._send_error(exc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True        # the client left; nobody to answer
        except Exception as exc:    # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            self._send_error(errors.internal(str(exc)))
        finally:
            self._log(None)     # no response at all: a dropped connection
        return None

    def _authorize(self):
        token = self.server.token
        if token and self.headers.get("Authorization", "") != "Bearer " + token:
            raise errors.unauthorized()

    def _options(self):
        validation = self.query.get("fieldValidation", "Warn").capitalize()
        if validation not in ("Ignore", "Warn", "Strict"):
            raise errors.bad_request("fieldValidation must be one of Ignore, Warn, Strict, got %r" % validation)
        return api.Options(dry_run=self.query.get("dryRun") == "All", field_manager=self.query.get("fieldManager", ""),
                           field_validation=validation, force=self.query.get("force") == "true",
                           user_agent=self.headers.get("User-Agent", ""))

    def _json_body(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise errors.bad_request("error decoding request body: %s" % exc) from None

    def _wants_table(self):
        return "as=Table" in self.headers.get("Accept", "")

    # -- faults --------------------------------------------------------------------------------

    def _inject(self, fault, route):
        """Act out a fault; True when the request is finished (False: a delay, then serve it normally)."""
        action, opts = fault.action, fault.opts
        if action == "delay":
            time.sleep(float(opts.get("seconds", 1)))
            return False
        if action == "drop":
            self.close_connection = True
            self._log(None)     # before the client sees its connection go
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if action == "conflict":
            raise errors.conflict(route.res, route.name) if route.res else errors.ApiError(409, "Conflict", "injected conflict")
        if action == "429":
            raise errors.too_many_requests(int(opts.get("retry_after", 1)))
        if action == "500":
            raise errors.internal(opts.get("message", "injected fault"))
        exc = errors.expired(opts.get("message", "too old resource version: 1 (2)"))
        if route.verb != "watch":
            raise exc
        self._stream(lambda send: send("ERROR", exc.status()))
        return True

    # -- routing -------------------------------------------------------------------------------

    def _route(self, path):
        kube = self.server.kube
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        fixed = {
            "version": lambda: self._send(200, kube.cluster.version),
            "api": lambda: self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "%s:%d" % self.server.server_address[:2]}]}),
            "apis": lambda: self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                kube.cluster.registry.api_group(g) for g in kube.cluster.registry.group_versions()]}),
            "openapi/v3": lambda: self._send(200, kube.openapi.root()),
        }
        if "/".join(parts) in fixed:
            return Route("get", fixed["/".join(parts)])
        if parts and parts[0] in ("healthz", "livez", "readyz"):
            return Route("get", lambda: self._send(200, b"ok", "text/plain; charset=utf-8"))
        if parts[:2] == ["openapi", "v3"]:
            return Route("get", lambda: self._openapi("/".join(parts[2:])))
        if parts[:2] == ["api", "v1"]:
            return self._resource_route("", "v1", parts[2:])
        if len(parts) >= 3 and parts[0] == "apis":
            return self._resource_route(parts[1], parts[2], parts[3:])
        if len(parts) == 2 and parts[0] == "apis" and kube.cluster.registry.api_group(parts[1]):
            return Route("get", lambda: self._send(200, dict(kind="APIGroup", apiVersion="v1", **kube.cluster.registry.api_group(parts[1]))))
        raise errors.path_not_found()

    def _openapi(self, path):
        doc = self.server.kube.openapi.get(path)
        if doc is None:
            raise errors.path_not_found()
        self._send(200, doc)

    def _resource_route(self, group, version, parts):
        cluster = self.server.kube.cluster
        if not parts:
            listing = cluster.registry.api_resource_list(group, version)
            if listing is None:
                raise errors.path_not_found()
            return Route("get", lambda: self._send(200, listing))
        namespace = None
        if parts[0] == "namespaces" and len(parts) >= 3 and not (len(parts) == 3 and parts[2] in ("status", "finalize")):
            namespace, parts = parts[1], parts[2:]
        res = cluster.resource(group, version, parts[0])
        name, subresource = (parts + ["", ""])[1:3]
        if res is None or len(parts) > 3 or (namespace and not res.namespaced) or subresource not in ("", "status") \
                or (subresource and not res.status):
            raise errors.path_not_found()
        return self._verb(res, namespace, name, subresource)

    def _verb(self, res, namespace, name, subresource):
        cluster, method, opts = self.server.kube.cluster, self.command, self.opts
        namespace_ok = namespace or not res.namespaced
        if method == "GET" and name:
            return Route("get", lambda: self._send_object(res, cluster.get(res, namespace, name)), res, name)
        if method == "GET" and self.query.get("watch") in ("true", "1"):
            return Route("watch", lambda: self._watch(res, namespace), res)
        if method == "GET":
            return Route("list", lambda: self._send_list(res, cluster.list(res, namespace, self.query)), res)
        if method == "POST" and not name and namespace_ok:
            return Route("create", lambda: self._send(201, cluster.create(res, namespace, self._json_body(), opts)), res)
        if method == "PUT" and name:
            return Route("update", lambda: self._send(200, cluster.update(res, namespace, name, subresource, self._json_body(), opts)), res, name)
        if method == "PATCH" and name:
            return Route("patch", lambda: self._patch(res, namespace, name, subresource), res, name)
        if method == "DELETE" and name and not subresource:
            return Route("delete", lambda: self._send(200, cluster.delete(res, namespace, name, opts, self._json_body())), res, name)
        if method == "DELETE" and not name:
            return Route("deletecollection", lambda: self._send(200, cluster.delete_collection(res, namespace, self.query, opts)), res)
        raise errors.method_not_allowed()

    # -- resource responses --------------------------------------------------------------------

    def _patch(self, res, namespace, name, subresource):
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
        obj = self.server.kube.cluster.patch(res, namespace, name, subresource, content_type, self.body, self.opts)
        self._send(201 if self.opts.created else 200, obj)

    def _send_object(self, res, obj):
        self._send(200, to_table(res, [obj], self.query, obj["metadata"]["resourceVersion"]) if self._wants_table() else obj)

    def _send_list(self, res, listing):
        if self._wants_table():
            listing = to_table(res, listing["items"], self.query, listing["metadata"]["resourceVersion"])
        self._send(200, listing)

    def _watch(self, res, namespace):
        api.selectors(self.query)       # a bad selector is a 400, not a broken stream
        table = self._wants_table()

        def event(send, type_, obj):
            if table and type_ in ("ADDED", "MODIFIED", "DELETED"):
                obj = to_table(res, [obj], self.query, obj["metadata"]["resourceVersion"])
            return send(type_, obj)

        self._stream(lambda send: watch.serve(self.server.kube.cluster, res, namespace, self.query, lambda t, o: event(send, t, o)))

    def _stream(self, produce):
        """A chunked 200 response of JSON lines; ``produce(send)`` writes them until it returns."""
        self.send_response(200)
        self.send_header("Content-Type", JSON)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True

        def send(type_, obj):
            line = json.dumps({"type": type_, "object": obj}).encode() + b"\n"
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                return True
            except OSError:
                return False

        produce(send)
        try:
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    # -- admin ---------------------------------------------------------------------------------

    def _admin(self, path):
        """``/_test/reset``, ``/_test/faults``, ``/_test/requests``, ``/_test/service-cidrs`` for out-of-process tests."""
        kube, what = self.server.kube, (self.command, path.rstrip("/"))
        if what == ("POST", "/_test/reset"):
            kube.reset()
            return self._send(200, {"status": "Success"})
        if what == ("POST", "/_test/faults"):
            body = self._json_body() or {}
            try:
                rule = kube.inject(body.pop("verb"), body.pop("path"), body.pop("action"), **body)
            except (KeyError, TypeError, ValueError) as exc:
                raise errors.bad_request("bad fault: %s" % exc) from None
            return self._send(201, rule.as_dict())
        handlers = {
            ("GET", "/_test/faults"): kube.faults.rules,
            ("DELETE", "/_test/faults"): kube.clear_faults,
            ("GET", "/_test/requests"): lambda: kube.requests,
            ("DELETE", "/_test/requests"): kube.clear_requests,
            ("PUT", "/_test/service-cidrs"): lambda: kube.set_service_cidrs((self._json_body() or {}).get("cidrs", [])),
        }
        if what not in handlers:
            raise errors.path_not_found()
        try:
            result = handlers[what]()
        except ValueError as exc:
            raise errors.bad_request(str(exc)) from None
        return self._send(200, result if result is not None else {"status": "Success"})

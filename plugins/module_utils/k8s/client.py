# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Access to one cluster: discovery, get, paginated list, server-side apply, delete, wait.

Every request goes through :meth:`Cluster._call`: bounded retries (see ``retry``) and errors that
name the verb and the object (see ``errors``). The official client's ``DynamicClient.request`` is
the transport (it is stable across client versions); discovery is done here, lazily, per
group-version and in memory, because the client's own discoverer caches to a file in ``/tmp``
that outlives the cluster it describes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List
from urllib.parse import quote

from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import retry as _retry
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import wait as _wait
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.auth import redact_url
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import (
    ApiError, ConfigError, ConnectionFailure, DiscoveryError)
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import Ref, apply_body, ref_of, split_api_version
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.paging import stream
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import is_valid_path_segment_name

KUBERNETES_IMPORT_ERROR: ImportError | None
try:
    import urllib3
    from kubernetes.client import ApiClient
    from kubernetes.client.rest import ApiException
    from kubernetes.dynamic import DynamicClient
except ImportError as exc:  # reported by the module through missing_required_lib
    KUBERNETES_IMPORT_ERROR = exc
else:
    KUBERNETES_IMPORT_ERROR = None

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
# (connect, read) seconds for one request; a read that takes longer counts as a dropped connection.
REQUEST_TIMEOUT = (10, 60)


@dataclass(frozen=True)
class ResourceType:
    """A kind as the server serves it: ``api_version``, ``kind``, plural ``name``, ``namespaced``."""

    api_version: str
    kind: str
    name: str
    namespaced: bool

    def path(self, name: str | None = None, namespace: str | None = None) -> str:
        """The URL path of the collection (no ``name``) or of one object, in ``namespace`` if given.

        Every segment is checked as client-go checks names and namespaces (``InputError``), then quoted: no
        name can reach another path, the query or a fragment.
        """
        prefix = group_version_path(self.api_version)
        if self.namespaced and namespace:
            prefix += "/namespaces/" + _segment(namespace, "invalid namespace")
        path = prefix + "/" + _segment(self.name, "invalid resource")
        return path + "/" + _segment(name, "invalid resource name") if name else path


# What RFC 3986 allows in a path segment besides letters, digits and "-._~" (which quote() never escapes).
_PATH_SEGMENT_SAFE = "!$&'()*+,;=:@"


def _segment(value, what):
    messages = is_valid_path_segment_name(value)
    if messages:
        raise InputError("%s %s: [%s]" % (what, go_quote(value), " ".join(messages)))  # client-go's text
    return quote(value, safe=_PATH_SEGMENT_SAFE)


def group_version_path(api_version: str) -> str:
    """The discovery path of an apiVersion: ``/api/v1``, ``/apis/apps/v1``."""
    group, version = split_api_version(api_version)
    if not group:
        return "/api/" + _segment(version, "invalid version")
    return "/apis/%s/%s" % (_segment(group, "invalid group"), _segment(version, "invalid version"))


class _HeaderName(str):
    """A header name that is a key of its own in a headers mapping, so that the header can be sent more than once
    (the client and urllib3 send every key of the mapping)."""

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


class _NoDiscovery:
    """Stands in for DynamicClient's discoverer: :class:`Cluster` discovers for itself."""

    def __init__(self, client, cache_file):
        pass


class Cluster:
    """One API server, reached with retries. Build it with :meth:`connect` (or give a ``DynamicClient``)."""

    def __init__(self, dynamic_client: Any, policy: _retry.RetryPolicy = _retry.RetryPolicy(),
                 sleep: Callable[[float], Any] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = dynamic_client
        self.host = redact_url(dynamic_client.configuration.host)  # it names the server in messages
        self.policy = policy
        self._sleep, self._clock = sleep, clock
        self._served: dict = {}  # apiVersion -> {kind: ResourceType}

    @classmethod
    def connect(cls, configuration: Any, headers: dict | None = None, **kwargs: Any) -> Cluster:
        """A Cluster for a client configuration (see ``auth.build_configuration``); ``ConfigError`` when the client
        cannot be built from it (the options are checked before, see ``auth.resolve_auth``: this is a safety net).

        ``headers`` are sent with every request; a list value sends the header once per item (``Impersonate-Group``).
        """
        try:
            client = ApiClient(configuration)
        except (ValueError, TypeError, AssertionError, urllib3.exceptions.HTTPError) as exc:
            raise ConfigError("cannot build a client for the API server at %s: %s"
                              % (redact_url(configuration.host), _describe(exc))) from None
        for name, value in (headers or {}).items():
            for item in value if isinstance(value, list) else [value]:
                # Go sends a header's UTF-8 bytes as they are; http.client encodes values as Latin-1
                item = item.encode("utf-8").decode("latin-1")
                client.set_default_header(_HeaderName(name) if isinstance(value, list) else name, item)
        return cls(DynamicClient(client, discoverer=_NoDiscovery), **kwargs)

    # -- discovery -------------------------------------------------------------------------------

    def resource(self, api_version: str, kind: str) -> ResourceType:
        """The :class:`ResourceType` serving ``kind`` in ``api_version``; raises ``DiscoveryError``.

        A kind missing from the cached list is looked up once more: a CRD may have just been created.
        """
        for fresh in (False, True):
            served = self._group_version(api_version, kind, fresh)
            if kind in served:
                return served[kind]
        raise DiscoveryError("the API server at %s serves no kind %s in %s (it serves: %s)"
                             % (self.host, kind, api_version, ", ".join(sorted(served)) or "nothing"), "discover", kind)

    def _group_version(self, api_version, kind, fresh):
        if fresh or api_version not in self._served:
            path = group_version_path(api_version)
            try:
                doc = self._call("discover", "%s in %s" % (kind, api_version), "GET", path)
            except ApiError as exc:
                if exc.code != 404:
                    raise
                raise DiscoveryError("the API server at %s does not serve apiVersion %s (is its CRD installed?)"
                                     % (self.host, api_version), "discover", api_version) from None
            self._served[api_version] = {
                r["kind"]: ResourceType(api_version, r["kind"], r["name"], bool(r.get("namespaced")))
                for r in doc.get("resources") or [] if "/" not in r.get("name", "/")
            }
        return self._served[api_version]

    def ref(self, definition: dict, default_namespace: str | None = None) -> Ref:
        """The :class:`Ref` of a definition, its namespace defaulted if its kind is namespaced."""
        resource = self.resource(definition["apiVersion"], definition["kind"])
        return ref_of(definition, resource.namespaced, default_namespace)

    def _path(self, ref):
        return self.resource(ref.api_version, ref.kind).path(ref.name, ref.namespace)

    # -- verbs -----------------------------------------------------------------------------------

    def get(self, ref: Ref) -> dict | None:
        """The live object, or ``None`` if it does not exist."""
        try:
            return self._call("get", ref, "GET", self._path(ref))
        except ApiError as exc:
            if exc.code == 404:
                return None
            raise

    def list(self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None, page_size: int | None = 500) -> List[dict]:
        """Every object of a kind (in ``namespace``, or in all namespaces), fetched ``page_size`` at a time.

        Items get ``apiVersion`` and ``kind`` (list responses omit them). If the server expires the
        continue token mid-way (410), the listing starts over, at most ``policy.attempts`` times.
        """
        items: List[dict] = []
        stream(self, api_version, kind, items.append, items.clear, namespace, label_selector, page_size,
               field_selector=field_selector)
        return items

    def pages(self, api_version: str, kind: str, namespace: str | None = None, label_selector: str | None = None,
              field_selector: str | None = None, page_size: int | None = 500) -> Iterator[List[dict]]:
        """The objects of a kind one page (a list) at a time, for callers that must not hold them all.

        ``page_size=None`` asks for everything in one response. Items get ``apiVersion`` and ``kind``.
        A continue token the server expired mid-way (410) is raised as ``ApiError``: the caller
        starts over (as :meth:`list` does), having already consumed the earlier pages.
        """
        resource = self.resource(api_version, kind)
        target = "%s%s" % (kind, " in namespace %s" % namespace if namespace else "")
        token = None
        while True:
            page = self._call("list", target, "GET", resource.path(namespace=namespace), label_selector=label_selector,
                              field_selector=field_selector, limit=page_size, _continue=token)
            items = page.get("items") or []
            for item in items:
                item.setdefault("apiVersion", resource.api_version)
                item.setdefault("kind", resource.kind)
            token = (page.get("metadata") or {}).get("continue")
            yield items
            if not token:
                return

    def apply(self, definition: dict, field_manager: str, force: bool = False, dry_run: bool = False,
              default_namespace: str | None = None) -> dict:
        """Server-side apply ``definition`` as ``field_manager``; returns the object as the server now holds it.

        ``force`` takes ownership of conflicting fields; ``dry_run`` asks the server what it would
        hold (``dryRun=All``) without storing anything.
        """
        ref = self.ref(definition, default_namespace)
        body = apply_body(definition, ref)
        return self._call("apply", ref, "PATCH", self._path(ref), body=body, content_type=APPLY_PATCH,
                          field_manager=field_manager, force_conflicts=force, dry_run="All" if dry_run else None)

    def patch(self, ref: Ref, body: dict, field_manager: str | None = None, dry_run: bool = False) -> dict:
        """JSON-merge-patch an existing object (a patch never creates one); returns the object as the server now holds it.

        A ``metadata.resourceVersion`` in ``body`` makes the patch conditional: the server answers 409
        Conflict when the object changed since that version. ``dry_run`` stores nothing.
        """
        return self._call("patch", ref, "PATCH", self._path(ref), body=body, content_type=MERGE_PATCH,
                          field_manager=field_manager, dry_run="All" if dry_run else None)

    def delete(self, ref: Ref, dry_run: bool = False, options: dict | None = None) -> dict | None:
        """Delete the object; returns what the server answered (the object or a Status), ``None`` if it did not exist.

        ``options``: fields of a ``DeleteOptions`` (``propagationPolicy``, ``gracePeriodSeconds``, ``preconditions``).
        """
        body = dict({"apiVersion": "v1", "kind": "DeleteOptions"}, **options) if options else None
        try:
            return self._call("delete", ref, "DELETE", self._path(ref), body=body, dry_run="All" if dry_run else None)
        except ApiError as exc:
            if exc.code == 404:
                return None
            raise

    def pause(self, attempt: int) -> None:
        """Wait as the retry policy does after failed attempt number ``attempt`` (for callers that retry themselves)."""
        self._sleep(self.policy.delay(attempt))

    def wait(self, ref: Ref, check: Any, timeout: float, interval: float) -> dict | None:
        """Poll the object until ``check`` (from ``wait``) matches; returns the object (``None`` once gone).

        Raises ``WaitTimeout`` with the last object seen.
        """
        return _wait.poll(lambda: self.get(ref), check, ref, timeout, interval, clock=self._clock, sleep=self._sleep)

    def server_version(self) -> dict:
        """The API server's ``/version`` (``gitVersion``, ``major``, ``minor``, ...)."""
        return self._call("get", "/version", "GET", "/version")

    # -- transport -------------------------------------------------------------------------------

    def _call(self, verb, target, method, path, **params):
        """One request, retried per the policy; returns the decoded JSON body."""
        params = {k: v for k, v in params.items() if v is not None}
        return _retry.call(lambda: self._once(verb, target, method, path, params), self.policy, sleep=self._sleep,
                           method=method)

    def _once(self, verb, target, method, path, params):
        try:
            response = self._client.request(method, path, serialize=False, _request_timeout=REQUEST_TIMEOUT, **params)
        except ApiException as exc:
            if not exc.status:  # the client reports TLS failures as status 0: retrying will not help
                raise ConnectionFailure(verb, target, self.host, " ".join(str(exc.reason).split()), retryable=False) from None
            raise ApiError(verb, target, exc.status, exc.reason, exc.body,
                           (exc.headers or {}).get("Retry-After")) from None
        except (urllib3.exceptions.LocationValueError, urllib3.exceptions.ProxySchemeUnsupported) as exc:
            # a malformed URL or an unknown scheme: the same request fails the same way every time
            raise ConnectionFailure(verb, target, self.host, _describe(exc), retryable=False) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ConnectionFailure(verb, target, self.host, _describe(exc)) from None
        return json.loads(response.data or b"{}")


def _describe(exc):
    """A one-line account of a connection error, innermost cause first (urllib3 nests them)."""
    reason = getattr(exc, "reason", None) or (exc.args[-1] if exc.args else None)
    if isinstance(reason, BaseException) and reason is not exc:
        return "%s (%s)" % (_describe(reason), type(exc).__name__)
    return "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__

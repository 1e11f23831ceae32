"""The API semantics: the verbs over registry and store, with metadata, defaulting, validation and field management."""
import base64
import binascii
import copy
import dataclasses
import datetime
import ipaddress
import json
import random
import re
import uuid

import yaml

from . import defaults, errors, patch, schema, services, ssa
from .errors import FieldError
from .registry import Registry
from .selectors import field_selector, label_selector
from .store import Store

DEFAULT_SERVICE_CIDRS = ("10.96.0.0/16", "fd00:10:96::/112")
DEFAULT_VERSION = {"major": "1", "minor": "37", "gitVersion": "v1.37.0", "gitCommit": "", "gitTreeState": "clean",
                   "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0", "compiler": "gc", "platform": "linux/amd64"}
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
UNDELETABLE_NAMESPACES = ("default", "kube-system", "kube-public")
# Kinds whose registry strategy keeps metadata.generation (custom resources always do).
GENERATION_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "PodTemplate", "Job", "CronJob",
                    "CustomResourceDefinition"}
APPLY = "application/apply-patch+yaml"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", APPLY)
NAME_RULES = {
    "subdomain": (253, r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
                  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end "
                  "with an alphanumeric character (e.g. 'example.com', regex used for validation is '%s')"),
    "label": (63, r"[a-z0-9]([-a-z0-9]*[a-z0-9])?",
              "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an "
              "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '%s')"),
    "dns1035": (63, r"[a-z]([-a-z0-9]*[a-z0-9])?",
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end "
                "with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '%s')"),
}
# A CronJob's name leaves room for the 11-character suffix of the Jobs it creates.
NAME_RULES["cronjob"] = (52,) + NAME_RULES["subdomain"][1:]


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclasses.dataclass
class Options:
    """Query options of one write, and the warnings it produced."""
    dry_run: bool = False
    field_manager: str = ""
    field_validation: str = "Warn"
    force: bool = False
    user_agent: str = ""
    warnings: list = dataclasses.field(default_factory=list)
    created: bool = False

    @property
    def manager(self):
        """The explicit field manager, else the user agent up to its first '/' (as the apiserver derives it)."""
        return self.field_manager or self.user_agent.split("/", 1)[0]


@dataclasses.dataclass
class _Write:
    """What field management needs to know about one write."""
    manager: str
    api_version: str
    subresource: str
    now: str
    ident: str
    tracked: object


class Cluster:
    """One cluster's state and the API verbs over it. All verbs hold the store lock throughout."""

    def __init__(self, service_cidrs=DEFAULT_SERVICE_CIDRS, watch_buffer=1000, version=None):
        self.registry = Registry()
        self.store = Store(watch_buffer)
        self.initial_cidrs = tuple(service_cidrs)
        self.cidrs = services.ServiceCIDRs(self.initial_cidrs)
        self.version = dict(DEFAULT_VERSION, **(version or {}))
        self.rng = random.Random()
        self.reset()

    # -- state ---------------------------------------------------------------------------------

    def reset(self):
        """Back to a fresh cluster: system namespaces, the ``kubernetes`` Service and ServiceCIDR, no CRDs."""
        with self.store.lock:
            self.store.clear()
            self.registry.reset()
            self.cidrs = services.ServiceCIDRs(self.initial_cidrs)
            for name in SYSTEM_NAMESPACES:
                self.create(self.resource("", "v1", "namespaces"), None, {"metadata": {"name": name}}, Options(user_agent="kube-apiserver"))
            self.create(self.resource("", "v1", "services"), "default", {
                "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"clusterIP": self.cidrs.first_ip(), "ports": [{"name": "https", "port": 443, "targetPort": 6443}]},
            }, Options(user_agent="kube-apiserver"))
            self._write_service_cidr(None)

    def set_service_cidrs(self, cidrs):
        """Reconfigure ``--service-cluster-ip-range`` (existing Services keep their IPs, as on a real cluster)."""
        with self.store.lock:
            self.cidrs = services.ServiceCIDRs(cidrs)
            self._write_service_cidr(self.store.get(("networking.k8s.io", "servicecidrs"), None, "kubernetes"))

    def _write_service_cidr(self, cur):
        res = self.resource("networking.k8s.io", "v1", "servicecidrs")
        obj = copy.deepcopy(cur) or {"apiVersion": res.api_version, "kind": res.kind, "metadata": self._new_metadata("kubernetes")}
        obj["spec"] = {"cidrs": [str(n) for n in self.cidrs.networks]}
        obj["status"] = {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now(), "reason": "",
                                         "message": "Kubernetes Service CIDR is ready"}]}
        self.store.put(res.key, obj, cur)

    def resource(self, group, version, plural):
        return self.registry.find(group, version, plural)

    # -- reads ---------------------------------------------------------------------------------

    def get(self, res, namespace, name):
        obj = self.store.get(res.key, namespace, name)
        if obj is None:
            raise errors.not_found(res, name)
        return self.out(res, obj)

    @staticmethod
    def out(res, obj):
        """The object as the requested version shows it (versions of a custom resource differ only in apiVersion),
        with the apiserver's key order."""
        meta, rest = obj.get("metadata") or {}, {k: v for k, v in obj.items() if k not in ("kind", "apiVersion", "metadata")}
        obj.clear()
        obj.update(kind=res.kind, apiVersion=res.api_version, metadata=meta, **rest)
        return obj

    def list(self, res, namespace, query):
        """A List with label/field selectors and limit/continue paging, in key order (only the page is copied)."""
        labels, fields = selectors(query)
        start = _decode_continue(query.get("continue", ""))
        limit = int(query.get("limit") or 0)
        with self.store.lock:
            matching = self.store.listed(res.key, namespace, after=start)
            if query.get("labelSelector") or query.get("fieldSelector"):
                matching = [o for o in matching if labels(o["metadata"].get("labels")) and fields(o)]
            page = matching[:limit] if limit else matching
            meta = {"resourceVersion": str(self.store.rv)}
            if limit and len(matching) > limit:
                meta["continue"] = _encode_continue(self.store.rv, _list_key(page[-1]))
                meta["remainingItemCount"] = len(matching) - limit
            items = [self.out(res, copy.deepcopy(o)) for o in page]
        if not res.crd:     # typed lists omit each item's TypeMeta
            for item in items:
                del item["apiVersion"], item["kind"]
        return {"kind": res.kind + "List", "apiVersion": res.api_version, "metadata": meta, "items": items}

    # -- writes --------------------------------------------------------------------------------

    def create(self, res, namespace, body, opts):
        with self.store.lock:
            obj = self._decode(res, body, namespace, opts)
            self._check_namespace(res, namespace)
            meta = obj["metadata"]
            if meta.get("resourceVersion"):
                raise errors.bad_request("resourceVersion should not be set on objects to be created")
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = self._generated_name(res, namespace, meta["generateName"])
            self._validate_name(res, meta.get("name"))
            managers = ssa.decode(meta.get("managedFields"))
            meta.update(self._new_metadata(meta["name"], meta))
            ssa.update(managers, self._empty(res), obj, res.root_schema, self._write(res, obj, opts, ""))
            _set_managed_fields(meta, managers)
            return self._create_stored(res, obj, opts)

    def _create_stored(self, res, obj, opts):
        name, namespace = obj["metadata"]["name"], obj["metadata"].get("namespace")
        if _spec_of(res, obj) is not None:
            obj["metadata"]["generation"] = 1
        defaults.create_status(res, obj)
        if res.crd:     # a dropped status gets its schema default back, as on a read from storage
            schema.apply_defaults(obj, res.root_schema)
        self._storage_hooks(res, obj, None)
        self._validate(res, obj, None)
        if self.store.get(res.key, namespace, name) is not None:
            raise errors.already_exists(res, name)
        if opts.dry_run:
            del obj["metadata"]["resourceVersion"]
            return obj
        self.store.put(res.key, obj)
        self._after_write(res, obj)
        return self.out(res, copy.deepcopy(obj))

    def update(self, res, namespace, name, subresource, body, opts):
        with self.store.lock:
            cur = self._current(res, namespace, name)
            obj = self._decode(res, body, namespace, opts)
            if obj["metadata"].get("name") != name:
                raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)" % (obj["metadata"].get("name"), name))
            self._check_version(res, cur, obj)
            new = self._merge_write(res, cur, obj, subresource)
            self._track_update(res, cur, new, opts, subresource, obj["metadata"].get("managedFields"))
            return self._commit(res, cur, new, opts)

    def patch(self, res, namespace, name, subresource, content_type, body, opts):
        if content_type not in PATCH_TYPES:
            raise errors.unsupported_media_type(content_type, PATCH_TYPES)
        if content_type == "application/strategic-merge-patch+json" and res.crd:
            raise errors.unsupported_media_type(content_type, [t for t in PATCH_TYPES if "strategic" not in t])
        if opts.force and content_type != APPLY:
            raise errors.ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch')
        with self.store.lock:
            if content_type == APPLY:
                return self._apply(res, namespace, name, subresource, body, opts)
            cur = self._current(res, namespace, name)
            doc = _parse(body, json.loads, "error decoding patch")
            base = self.out(res, copy.deepcopy(cur))
            if content_type == "application/json-patch+json":
                patched = patch.json_patch(base, doc)
            elif content_type == "application/merge-patch+json":
                patched = patch.merge_patch(base, doc)
            else:
                patched = patch.strategic_merge(base, doc, res.root_schema)
            obj = self._decode(res, patched, namespace, opts)
            self._check_version(res, cur, obj)
            new = self._merge_write(res, cur, obj, subresource)
            self._track_update(res, cur, new, opts, subresource, obj["metadata"].get("managedFields"))
            return self._commit(res, cur, new, opts)

    def _apply(self, res, namespace, name, subresource, body, opts):
        if not opts.field_manager:
            raise errors.ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
                                  {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
                                      {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}]})
        config = _parse(body, _json_or_yaml, "error decoding YAML")
        if not isinstance(config, dict):
            raise errors.bad_request("error decoding YAML: the applied configuration is not an object")
        if (config.get("apiVersion"), config.get("kind")) != (res.api_version, res.kind):
            raise errors.bad_request("Incorrect version specified in apply patch. Specified patch version: %s, expected: %s"
                                     % (config.get("apiVersion"), res.api_version))
        meta = config.get("metadata") or {}
        if meta.get("name") != name:
            raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)" % (meta.get("name"), name))
        cur = self.store.get(res.key, namespace, name)
        if cur is None and subresource:
            raise errors.not_found(res, name)
        if cur is None:
            self._check_namespace(res, namespace)
            self._validate_name(res, name)
        live = self.out(res, cur) if cur else self._empty(res)
        managers = ssa.decode(live.get("metadata", {}).get("managedFields"))
        merged = ssa.apply(managers, live, config, res.root_schema, self._write(res, config, opts, subresource), opts.force)
        obj = self._decode(res, merged, namespace, opts)
        _set_managed_fields(obj["metadata"], managers)
        if cur is None:
            obj["metadata"].update(self._new_metadata(name, obj["metadata"]))
            opts.created = True
            return self._create_stored(res, obj, opts)
        self._check_version(res, cur, obj)
        return self._commit(res, cur, self._merge_write(res, cur, obj, subresource), opts)

    def delete(self, res, namespace, name, opts, body=None):
        opts.dry_run = opts.dry_run or "All" in ((body or {}).get("dryRun") or [])     # DeleteOptions may carry it too
        with self.store.lock:
            cur = self._current(res, namespace, name)
            preconditions = (body or {}).get("preconditions") or {}
            for key in ("uid", "resourceVersion"):
                wanted = preconditions.get(key)
                if wanted and wanted != cur["metadata"].get(key):
                    raise errors.conflict(res, name, "Precondition failed: %s in precondition: %s, %s in object meta: %s"
                                          % ("UID" if key == "uid" else "ResourceVersion", wanted, "UID" if key == "uid" else "ResourceVersion",
                                             cur["metadata"].get(key)))
            if res.kind == "Namespace" and not res.crd:
                return self._delete_namespace(res, cur, opts)
            return self._delete(res, cur, opts)

    def delete_collection(self, res, namespace, query, opts):
        with self.store.lock:
            listed = self.list(res, namespace, {k: v for k, v in query.items() if k in ("labelSelector", "fieldSelector")})
            for item in listed["items"]:
                self._delete(res, self.store.get(res.key, item["metadata"].get("namespace"), item["metadata"]["name"]), opts)
            return listed

    # -- the steps of a write ------------------------------------------------------------------

    def _decode(self, res, body, namespace, opts):
        """The request body as the apiserver decodes it: TypeMeta, URL namespace, unknown fields, decode defaults."""
        if not isinstance(body, dict) or not isinstance(body.get("metadata", {}), dict):
            raise errors.bad_request("Object '%s' is not an object" % res.kind)
        obj = copy.deepcopy(body)
        if obj.get("kind") not in (None, res.kind):
            raise errors.bad_request("the kind of the provided object (%s) does not match the kind of the URL (%s)" % (obj["kind"], res.kind))
        obj["apiVersion"], obj["kind"] = res.api_version, res.kind
        meta = obj.setdefault("metadata", {})
        if res.namespaced:
            if meta.get("namespace") not in (None, "", namespace):
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        unknown = schema.prune(obj, res.root_schema)
        if unknown and opts.field_validation == "Strict":
            raise errors.bad_request('%s in version "%s" cannot be handled as a %s: strict decoding error: %s'
                                     % (res.kind, res.version, res.kind, ", ".join('unknown field "%s"' % u for u in unknown)))
        if opts.field_validation == "Warn":
            opts.warnings += ['unknown field "%s"' % u for u in unknown]
        if res.crd:
            schema.omit_empty(obj["metadata"], schema.child(res.root_schema, "metadata"))
            schema.prune_nulls(obj, res.root_schema)
            schema.apply_defaults(obj, res.root_schema)
        else:
            schema.omit_empty(obj, res.root_schema)
        defaults.decode_defaults(res, obj)
        return obj

    def _new_metadata(self, name, meta=None):
        meta = {k: v for k, v in (meta or {}).items() if k not in ("deletionTimestamp", "deletionGracePeriodSeconds", "generation")}
        meta.update(name=name, uid=str(uuid.uuid4()), creationTimestamp=now(), resourceVersion="")
        return meta

    def _empty(self, res):
        """The live object of a create: a typed object's value structs already exist, an unstructured one has nothing."""
        return {} if res.crd else {k: {} for k in ("spec", "status", "template") if schema.is_field(res.root_schema, k)}

    def _write(self, res, obj, opts, subresource):
        meta = obj.get("metadata") or {}
        gvk = "%s/%s, Kind=%s" % (res.group, res.version, res.kind)
        return _Write(opts.manager, res.api_version, subresource, now(), "%s/%s; %s" % (meta.get("namespace", ""), meta.get("name", ""), gvk),
                      ssa.tracker(res.status, subresource))

    def _track_update(self, res, cur, new, opts, subresource, sent):
        """managedFields of a non-apply write; a client may reset them by sending ``[]``, or replace them."""
        managers = ssa.decode(cur["metadata"].get("managedFields"))
        if not subresource and sent is not None:
            managers = {} if sent in ([], [{}]) else ssa.decode(sent)
        ssa.update(managers, self.out(res, copy.deepcopy(cur)), new, res.root_schema, self._write(res, new, opts, subresource))
        _set_managed_fields(new["metadata"], managers)

    def _merge_write(self, res, cur, obj, subresource):
        """The stored object after a write: status writes change only status, others keep status and system metadata."""
        if subresource == "status":
            new = self.out(res, copy.deepcopy(cur))
            if "status" in obj:
                new["status"] = obj["status"]
            new["metadata"]["managedFields"] = obj["metadata"].get("managedFields", new["metadata"].get("managedFields"))
            return new
        new = obj
        if res.status:
            new.pop("status", None)
            if "status" in cur:
                new["status"] = copy.deepcopy(cur["status"])
        for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"):
            if key in cur["metadata"]:
                new["metadata"][key] = cur["metadata"][key]
            else:
                new["metadata"].pop(key, None)
        return new

    def _commit(self, res, cur, new, opts):
        self._storage_hooks(res, new, cur)
        self._validate(res, new, cur)
        if _spec_of(res, new) != _spec_of(res, cur) and "generation" in cur["metadata"]:
            new["metadata"]["generation"] = cur["metadata"]["generation"] + 1
        if new == self.out(res, copy.deepcopy(cur)):
            return new                                  # a no-op write stores nothing
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            if opts.dry_run:
                return new
            gone = self._remove(res, new)
            self._finish_namespace(new["metadata"].get("namespace"))
            return gone
        if opts.dry_run:
            return new
        self.store.put(res.key, new, cur)
        self._after_write(res, new)
        return self.out(res, copy.deepcopy(new))

    def _storage_hooks(self, res, obj, cur):
        """What a registry's strategy does beyond defaulting: Service IPs and ports, CRD status."""
        if res.crd:
            return
        if res.kind == "Service":
            others = [s for s in self.store.list(res.key) if s["metadata"]["uid"] != obj["metadata"]["uid"]]
            used_ips = {f: set() for f in (services.V4, services.V6)}
            for svc in others:
                for ip in svc["spec"].get("clusterIPs") or []:
                    if ip != "None":
                        used_ips[services.family_of(ip)].add(int(ipaddress.ip_address(ip)))
            used_ports = {p.get("nodePort") for s in others for p in s["spec"].get("ports") or [] if p.get("nodePort")}
            services.prepare(res, obj, cur, self.cidrs, used_ips, used_ports, self.rng)
        elif res.kind == "CustomResourceDefinition":
            _crd_status(obj)
        elif res.kind == "Job" and cur is None:
            defaults.job_selector(obj)

    def _validate(self, res, obj, cur):
        meta = obj["metadata"]
        found = []
        if cur and cur["metadata"].get("deletionTimestamp"):
            added = [f for f in meta.get("finalizers") or [] if f not in (cur["metadata"].get("finalizers") or [])]
            if added:
                found.append(FieldError("forbidden", "metadata.finalizers", detail="no new finalizers can be added if the object is being deleted, "
                                        "found new finalizers []string{%s}" % ", ".join(json.dumps(f) for f in added)))
        if res.crd:
            found += schema.validate(obj, res.root_schema)
        elif res.kind == "CustomResourceDefinition":
            found += _crd_errors(obj)
        if found:
            raise errors.invalid(res, meta["name"], found)

    def _after_write(self, res, obj):
        if res.kind == "CustomResourceDefinition" and not res.crd:
            self.registry.register(obj)

    def _delete(self, res, cur, opts):
        meta = cur["metadata"]
        if meta.get("finalizers"):
            return self.out(res, self._mark_deleted(res, cur, opts))
        if not opts.dry_run:
            self._remove(res, cur)
        if res.returns_deleted:
            return self.out(res, cur)
        details = {"name": meta["name"], "kind": res.plural, "uid": meta["uid"]}
        if res.group:
            details["group"] = res.group
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}

    def _remove(self, res, obj):
        """Delete for good; a CRD takes its objects along."""
        gone = self.store.remove(res.key, obj)
        if res.kind == "CustomResourceDefinition" and not res.crd:
            defined = self.registry.versions((obj["spec"]["group"], obj["spec"]["names"]["plural"]))
            for item in self.store.list(defined[0].key) if defined else []:
                self.store.remove(defined[0].key, item)
            self.registry.unregister(obj["metadata"]["name"])
        return self.out(res, gone)

    def _delete_namespace(self, res, cur, opts):
        name = cur["metadata"]["name"]
        if name in UNDELETABLE_NAMESPACES:
            raise errors.forbidden(res, name, "this namespace may not be deleted")
        terminating = self._mark_deleted(res, cur, opts, {"phase": "Terminating"})
        if not opts.dry_run:
            self._drain_namespace(terminating, opts)
        return self.out(res, terminating)

    def _mark_deleted(self, res, cur, opts, status=None):
        """Graceful deletion: the object stays, with a deletionTimestamp, until its finalizers are gone."""
        if cur["metadata"].get("deletionTimestamp"):
            return cur
        marked = copy.deepcopy(cur)
        marked["metadata"].update(deletionTimestamp=now(), deletionGracePeriodSeconds=0)
        if status:
            marked["status"] = status
        if not opts.dry_run:
            self.store.put(res.key, marked, cur)
        return marked

    def _drain_namespace(self, ns, opts):
        """The namespace controller, synchronously: delete everything inside, then the namespace once it is empty."""
        name = ns["metadata"]["name"]
        for key in self.store.namespaced_keys(name):
            res = self.registry.versions(key)[0]
            for obj in self.store.list(key, name):
                self._delete(res, obj, opts)
        self._finish_namespace(name)

    def _finish_namespace(self, name):
        """Remove a terminating namespace once nothing is left in it."""
        ns = self.store.get(("", "namespaces"), None, name) if name else None
        if ns and ns["metadata"].get("deletionTimestamp") and not ns["metadata"].get("finalizers") and not self.store.namespaced_keys(name):
            self.store.remove(("", "namespaces"), ns)

    def _current(self, res, namespace, name):
        cur = self.store.get(res.key, namespace, name)
        if cur is None:
            raise errors.not_found(res, name)
        return cur

    def _check_version(self, res, cur, obj):
        sent = obj["metadata"].get("resourceVersion")
        if sent and sent != cur["metadata"]["resourceVersion"]:
            raise errors.conflict(res, cur["metadata"]["name"])

    def _check_namespace(self, res, namespace):
        if not res.namespaced:
            return
        namespaces = self.registry.find("", "v1", "namespaces")
        ns = self.store.get(namespaces.key, None, namespace)
        if ns is None:
            raise errors.not_found(namespaces, namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.ApiError(403, "Forbidden", "unable to create new content in namespace %s because it is being terminated" % namespace,
                                  {"name": namespace, "kind": "namespaces"})

    def _validate_name(self, res, name):
        if not name:
            raise errors.invalid(res, "", [FieldError("required", "metadata.name", detail="name or generateName is required")])
        limit, pattern, text = NAME_RULES[res.name_rule]
        if len(name) > limit:
            raise errors.invalid(res, name, [FieldError("invalid", "metadata.name", name, "must be no more than %d characters" % limit)])
        if not re.fullmatch(pattern, name):
            raise errors.invalid(res, name, [FieldError("invalid", "metadata.name", name, text % pattern)])

    def _generated_name(self, res, namespace, prefix):
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        while True:
            name = prefix + "".join(self.rng.choices(alphabet, k=5))
            if self.store.get(res.key, namespace, name) is None:
                return name


def selectors(query):
    try:
        return label_selector(query.get("labelSelector", "")), field_selector(query.get("fieldSelector", ""))
    except ValueError as exc:
        raise errors.bad_request(str(exc)) from None


def _parse(body, loader, what):
    try:
        return loader(body.decode() if isinstance(body, bytes) else body)
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request("%s: %s" % (what, exc)) from None


def _json_or_yaml(text):
    """Apply bodies are YAML; most clients send JSON, which a YAML 1.1 parser may read differently in corner cases."""
    try:
        return json.loads(text)
    except ValueError:
        return yaml.safe_load(text)


def _list_key(obj):
    return "%s/%s" % (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])


def _encode_continue(rv, start):
    token = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start + "\x00"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _decode_continue(token):
    if not token:
        return ""
    try:
        return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["start"].rstrip("\x00")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") from None


def _set_managed_fields(meta, managers):
    """``metadata.managedFields``, absent when nobody manages anything (the field is ``omitempty``)."""
    meta["managedFields"] = ssa.encode(managers)
    if not meta["managedFields"]:
        del meta["managedFields"]


def _spec_of(res, obj):
    """What bumps metadata.generation: everything but metadata (and status, when it is a subresource)."""
    if not (res.crd or res.kind in GENERATION_KINDS):
        return None
    return {k: v for k, v in obj.items() if k not in ("metadata", "apiVersion", "kind") and not (k == "status" and res.status)}


def _crd_errors(crd):
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    found = []
    if crd["metadata"]["name"] != "%s.%s" % (names.get("plural"), spec.get("group")):
        found.append(FieldError("invalid", "metadata.name", crd["metadata"]["name"], 'must be spec.names.plural+"."+spec.group'))
    if sum(1 for v in spec.get("versions") or [] if v.get("storage")) != 1:
        found.append(FieldError("invalid", "spec.versions", [v.get("name") for v in spec.get("versions") or []],
                                "must have exactly one version marked as storage version"))
    return found


def _crd_status(crd):
    """The CRD controllers' verdict, at once: names accepted, Established."""
    if _crd_errors(crd):
        return
    names = dict(crd["spec"]["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    stamp = now()
    conditions = [{"type": t, "status": "True", "lastTransitionTime": stamp, "reason": r, "message": m} for t, r, m in (
        ("NamesAccepted", "NoConflicts", "no conflicts found"), ("Established", "InitialNamesAccepted", "the initial names have been accepted"))]
    storage = [v["name"] for v in crd["spec"]["versions"] if v.get("storage")]
    stored = (crd.get("status") or {}).get("storedVersions") or []
    crd["status"] = {"conditions": conditions, "acceptedNames": names, "storedVersions": stored + [v for v in storage if v not in stored]}

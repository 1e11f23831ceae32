"""The resource registry: built-in types, custom resources from CRDs, and the discovery documents."""
import dataclasses
import hashlib
import re
import threading

from . import schema

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclasses.dataclass(frozen=True)
class Resource:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple = ()
    categories: tuple = ()
    status: bool = False            # has a /status subresource
    returns_deleted: bool = False   # DELETE answers with the object, not a Status
    name_rule: str = "subdomain"
    crd: str = ""                   # name of the defining CRD; empty for built-ins
    storage_version: str = ""
    crd_schema: dict = dataclasses.field(default=None, compare=False, hash=False)
    printer_columns: tuple = ()

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def qualified(self):
        return "%s.%s" % (self.plural, self.group) if self.group else self.plural

    @property
    def group_kind(self):
        return "%s.%s" % (self.kind, self.group) if self.group else self.kind

    @property
    def singular(self):
        return self.kind.lower()

    @property
    def key(self):
        """Storage key: every served version of a resource shares one set of objects."""
        return (self.group, self.plural)

    @property
    def root_schema(self):
        if self.crd:
            return self.crd_schema
        return schema.builtin_root(self.group, self.version, self.kind)


def _builtin(group, kind, plural, namespaced, short=(), status=False, returns_deleted=False, name_rule="subdomain", all_category=False):
    return Resource(group, "v1", kind, plural, namespaced, tuple(short), ("all",) if all_category else (), status, returns_deleted, name_rule)


BUILTINS = (
    _builtin("", "Namespace", "namespaces", False, ["ns"], status=True, returns_deleted=True, name_rule="label"),
    _builtin("", "Pod", "pods", True, ["po"], status=True, returns_deleted=True, all_category=True),
    _builtin("", "Service", "services", True, ["svc"], status=True, returns_deleted=True, name_rule="dns1035", all_category=True),
    _builtin("", "Node", "nodes", False, ["no"], status=True),
    _builtin("", "ConfigMap", "configmaps", True, ["cm"]),
    _builtin("", "Secret", "secrets", True),
    _builtin("", "ServiceAccount", "serviceaccounts", True, ["sa"], returns_deleted=True),
    _builtin("", "Event", "events", True, ["ev"]),
    _builtin("", "Endpoints", "endpoints", True, ["ep"]),
    _builtin("", "ReplicationController", "replicationcontrollers", True, ["rc"], status=True, all_category=True),
    _builtin("", "PodTemplate", "podtemplates", True),
    _builtin("apps", "Deployment", "deployments", True, ["deploy"], status=True, all_category=True),
    _builtin("apps", "StatefulSet", "statefulsets", True, ["sts"], status=True, all_category=True),
    _builtin("apps", "DaemonSet", "daemonsets", True, ["ds"], status=True, all_category=True),
    _builtin("apps", "ReplicaSet", "replicasets", True, ["rs"], status=True, all_category=True),
    _builtin("batch", "Job", "jobs", True, status=True, all_category=True),
    _builtin("batch", "CronJob", "cronjobs", True, ["cj"], status=True, name_rule="cronjob", all_category=True),
    _builtin("discovery.k8s.io", "EndpointSlice", "endpointslices", True),
    _builtin("networking.k8s.io", "ServiceCIDR", "servicecidrs", False, status=True),
    _builtin("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", False, ["crd", "crds"], status=True),
)


def version_priority(version):
    """Kubernetes version order: GA, then beta, then alpha (higher numbers first), then others by name."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (3, 0, 0, version)
    stage = {None: 0, "beta": 1, "alpha": 2}[match.group(2)]
    return (stage, -int(match.group(1)), -int(match.group(3) or 0), version)


def crd_resources(crd):
    """One Resource per served version of a CRD."""
    spec = crd["spec"]
    names = spec["names"]
    storage = next(v["name"] for v in spec["versions"] if v.get("storage"))
    return [Resource(
        spec["group"], v["name"], names["kind"], names["plural"], spec.get("scope", "Namespaced") == "Namespaced",
        tuple(names.get("shortNames", ())), tuple(names.get("categories", ())), "status" in (v.get("subresources") or {}),
        returns_deleted=True, crd=crd["metadata"]["name"], storage_version=storage,
        crd_schema=schema.crd_root((v.get("schema") or {}).get("openAPIV3Schema")),
        printer_columns=tuple((c["name"], c["type"], c["jsonPath"]) for c in v.get("additionalPrinterColumns", ())),
    ) for v in spec["versions"] if v.get("served")]


class Registry:
    """Built-ins plus the resources of registered CRDs; readable from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._crds = {}
        self.generation = 0     # bumped on every CRD change; OpenAPI caches key on it

    def reset(self):
        with self._lock:
            self._crds = {}
            self.generation += 1

    def resources(self):
        with self._lock:
            crds = list(self._crds.values())
        return list(BUILTINS) + [r for resources in crds for r in resources]

    def register(self, crd):
        with self._lock:
            self._crds = dict(self._crds, **{crd["metadata"]["name"]: crd_resources(crd)})
            self.generation += 1

    def unregister(self, name):
        with self._lock:
            self._crds = {k: v for k, v in self._crds.items() if k != name}
            self.generation += 1

    def find(self, group, version, plural):
        return next((r for r in self.resources() if (r.group, r.version, r.plural) == (group, version, plural)), None)

    def versions(self, key):
        return [r for r in self.resources() if r.key == key]

    def group_versions(self):
        """{group: [versions, preferred first]}, built-in groups in their fixed order, then CRD groups by name."""
        groups = {}
        for res in self.resources():
            if res.group:
                groups.setdefault(res.group, set()).add(res.version)
        builtin = [r.group for r in BUILTINS]
        order = sorted(groups, key=lambda g: (g not in builtin, builtin.index(g) if g in builtin else 0, g))
        return {g: sorted(groups[g], key=version_priority) for g in order}

    def api_group(self, group):
        versions = self.group_versions().get(group)
        if not versions:
            return None
        entries = [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    def api_resource_list(self, group, version):
        """The APIResourceList of one group/version, with ``name/status`` entries."""
        found = [r for r in self.resources() if (r.group, r.version) == (group, version)]
        if not found:
            return None
        entries = []
        for res in sorted(found, key=lambda r: r.plural):
            verbs = [v for v in VERBS if not (v == "deletecollection" and res.plural == "namespaces")]
            entry = {"name": res.plural, "singularName": res.singular, "namespaced": res.namespaced, "kind": res.kind, "verbs": verbs,
                     "storageVersionHash": hashlib.sha256(repr(res.key).encode()).hexdigest()[:12]}
            if res.short_names:
                entry["shortNames"] = list(res.short_names)
            if res.categories:
                entry["categories"] = list(res.categories)
            entries.append(entry)
            if res.status:
                entries.append({"name": res.plural + "/status", "singularName": "", "namespaced": res.namespaced,
                                "kind": res.kind, "verbs": ["get", "patch", "update"]})
        gv = "%s/%s" % (group, version) if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": entries}

"""OpenAPI v3 documents, one per group/version, from the kubernetes-validate definitions and CRD schemas.

kubectl relies on two things here: schemas carrying ``x-kubernetes-group-version-kind`` (it builds
client-side strategic merge patches from them) and PATCH operations listing a ``fieldValidation``
parameter (only then does it let the server validate fields).
"""
import hashlib
import json
import threading

from . import schema

_WRITE_PARAMS = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True} for n in ("dryRun", "fieldManager", "fieldValidation")]
_FORCE = {"name": "force", "in": "query", "schema": {"type": "boolean"}, "uniqueItems": True}


def _convert(node):
    """A kubernetes-validate JSON-schema node in OpenAPI v3 form: ``components`` references, a single type."""
    if isinstance(node, list):
        return [_convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):     # JSONSchemaProps has a property named "$ref"
            out[key] = "#/components/schemas/" + value.rsplit("/", 1)[1]
        elif key == "type" and isinstance(value, list):
            out[key] = [t for t in value if t != "null"][0]
        else:
            out[key] = _convert(value)
    return out


def _add_refs(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            name = node["$ref"].rsplit("/", 1)[1]
            if name not in found:
                found.add(name)
                _add_refs(schema.definitions()[name], found)
        for value in node.values():
            _add_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _add_refs(value, found)


def gv_path(group, version):
    return "apis/%s/%s" % (group, version) if group else "api/" + version


def _operation(res, action, ref, params=()):
    return {"operationId": action + res.kind, "parameters": list(params),
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
            "x-kubernetes-action": action, "x-kubernetes-group-version-kind": {"group": res.group, "kind": res.kind, "version": res.version}}


def _paths(res, schema_name):
    prefix = "/" + gv_path(res.group, res.version) + ("/namespaces/{namespace}" if res.namespaced else "") + "/" + res.plural
    ref = {"$ref": "#/components/schemas/" + schema_name}
    dry_run = _WRITE_PARAMS[:1]
    paths = {
        prefix: {"get": _operation(res, "list", ref), "post": _operation(res, "post", ref, _WRITE_PARAMS)},
        prefix + "/{name}": {"get": _operation(res, "get", ref), "put": _operation(res, "put", ref, _WRITE_PARAMS),
                             "patch": _operation(res, "patch", ref, _WRITE_PARAMS + [_FORCE]), "delete": _operation(res, "delete", ref, dry_run)},
    }
    if res.status:
        paths[prefix + "/{name}/status"] = {"get": _operation(res, "get", ref), "put": _operation(res, "put", ref, _WRITE_PARAMS),
                                            "patch": _operation(res, "patch", ref, _WRITE_PARAMS + [_FORCE])}
    return paths


def document(resources, title_version):
    """The OpenAPI document of one group/version's resources."""
    schemas, refs, paths = {}, set(), {}
    for res in resources:
        if res.crd:
            name = ".".join(reversed(res.group.split("."))) + ".%s.%s" % (res.version, res.kind)
            node = dict(res.crd_schema, **{"x-kubernetes-group-version-kind": [{"group": res.group, "kind": res.kind, "version": res.version}]})
            schemas[name] = _convert(node)
            _add_refs(node, refs)
        else:
            name = schema.definition_name(res.group, res.version, res.kind)
            refs.add(name)
            _add_refs(schema.definitions()[name], refs)
        paths.update(_paths(res, name))
    schemas.update({name: _convert(schema.definitions()[name]) for name in sorted(refs)})
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": title_version}, "paths": paths, "components": {"schemas": schemas}}


class OpenAPI:
    """Serialized documents, rebuilt when the registry's CRDs change."""

    def __init__(self, registry, title_version):
        self._registry, self._title_version = registry, title_version
        self._lock = threading.Lock()
        self._generation, self._docs = None, {}

    def _all(self):
        with self._lock:
            if self._generation != self._registry.generation:
                by_gv = {}
                for res in self._registry.resources():
                    by_gv.setdefault(gv_path(res.group, res.version), []).append(res)
                self._docs = {path: json.dumps(document(found, self._title_version)).encode() for path, found in by_gv.items()}
                self._generation = self._registry.generation
            return self._docs

    def root(self):
        return {"paths": {path: {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (path, hashlib.sha512(doc).hexdigest().upper()[:128])}
                          for path, doc in self._all().items()}}

    def get(self, path):
        """The serialized document of ``api/v1`` or ``apis/<group>/<version>``, or None."""
        return self._all().get(path)

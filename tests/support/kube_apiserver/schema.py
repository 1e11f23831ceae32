"""Schemas: the built-in definitions shipped with ``kubernetes-validate``, CRD schemas, and walking them.

One walker serves both: built-in nodes may be ``$ref``s into the definitions; CRD schemas are
"closed" on registration (an object without ``properties`` declares none, as structural pruning
assumes), while a built-in object without ``properties`` (``FieldsV1``, ``RawExtension``) keeps
anything.
"""
import copy
import datetime
import functools
import importlib.util
import json
import os
import re

from .errors import FieldError

ANY = {"x-kubernetes-preserve-unknown-fields": True}
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
# kubernetes-validate strips `default`; server-side apply needs it for list-map keys the client may omit.
KEY_DEFAULTS = {
    ("io.k8s.api.core.v1.ContainerPort", "protocol"): "TCP",
    ("io.k8s.api.core.v1.ServicePort", "protocol"): "TCP",
}


def _schema_dir():
    # Located, not imported: importing kubernetes_validate costs a tenth of a second.
    package = importlib.util.find_spec("kubernetes_validate").submodule_search_locations[0]
    base = os.path.join(package, "kubernetes-json-schema")
    local = [d for d in os.listdir(base) if d.endswith("-local")]
    newest = max(local, key=lambda d: tuple(int(n) for n in re.findall(r"\d+", d)))
    return os.path.join(base, newest)


@functools.lru_cache(maxsize=None)
def definitions():
    with open(os.path.join(_schema_dir(), "_definitions.json"), encoding="utf-8") as handle:
        defs = json.load(handle)["$defs"]
    for (name, field), value in KEY_DEFAULTS.items():
        defs[name]["properties"][field]["default"] = value
    return defs


# List and map fields of built-in types that OpenAPI calls optional but Go marshals without ``omitempty``: an
# empty value survives a round trip there. Found by reading the json tags of k8s.io/api, apimachinery's meta/v1
# and apiextensions' v1 types (every other optional list or map field has ``omitempty``).
KEEP_EMPTY = {
    "io.k8s.api.authentication.v1.TokenRequestSpec": ("audiences",),
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus": ("currentMetrics",),
    "io.k8s.api.core.v1.ContainerImage": ("names",),
    "io.k8s.api.core.v1.ProjectedVolumeSource": ("sources",),
    "io.k8s.api.discovery.v1.EndpointSlice": ("endpoints", "ports"),
    "io.k8s.api.flowcontrol.v1.ResourcePolicyRule": ("namespaces",),
    "io.k8s.api.rbac.v1.ClusterRole": ("rules",),
    "io.k8s.api.rbac.v1.Role": ("rules",),
    "io.k8s.api.resource.v1.AllocatedDeviceStatus": ("conditions",),
    "io.k8s.api.resource.v1.DeviceClaim": ("requests",),
    "io.k8s.api.resource.v1beta1.AllocatedDeviceStatus": ("conditions",),
    "io.k8s.api.resource.v1beta1.DeviceClaim": ("requests",),
    "io.k8s.api.resource.v1beta2.AllocatedDeviceStatus": ("conditions",),
    "io.k8s.api.resource.v1beta2.DeviceClaim": ("requests",),
    "io.k8s.api.scheduling.v1alpha3.WorkloadSpec": ("podGroupTemplates",),
    "io.k8s.api.scheduling.v1beta1.WorkloadSpec": ("podGroupTemplates",),
    "io.k8s.api.storage.v1.CSINodeDriver": ("topologyKeys",),
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus": ("conditions", "storedVersions"),
}


class _TimeLayouts(dict):
    """{id(definition): strftime layout} of metav1.Time and MicroTime, filled on first use."""

    def get(self, key, default=None):
        if not self:
            defs = definitions()
            self[id(defs["io.k8s.apimachinery.pkg.apis.meta.v1.Time"])] = "%Y-%m-%dT%H:%M:%SZ"
            self[id(defs["io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"])] = "%Y-%m-%dT%H:%M:%S.%fZ"
        return super().get(key, default)


TIME_LAYOUTS = _TimeLayouts()


@functools.lru_cache(maxsize=None)
def _gvk_index():
    return {(gvk["group"], gvk["version"], gvk["kind"]): name
            for name, node in definitions().items() for gvk in node.get("x-kubernetes-group-version-kind", [])}


def definition_name(group, version, kind):
    return _gvk_index()[(group, version, kind)]


def resolve(node):
    while "$ref" in node:
        node = definitions()[node["$ref"].rsplit("/", 1)[1]]
    return node


def types(node):
    declared = resolve(node).get("type")
    return ({declared} if isinstance(declared, str) else set(declared or ())) - {"null"}


def shape(node, value):
    """``map``, ``list`` or ``scalar``: from the schema, or from the value where the schema is silent."""
    node = resolve(node)
    declared = types(node)
    if "properties" in node or "additionalProperties" in node or "object" in declared:
        return "map"
    if "array" in declared or "items" in node:
        return "list"
    if declared or "oneOf" in node or node.get("x-kubernetes-int-or-string"):
        return "scalar"
    return "map" if isinstance(value, dict) else "list" if isinstance(value, list) else "scalar"


def child(node, key):
    """The schema of field ``key``: ``ANY`` where unknown fields are kept, ``None`` if it is not declared."""
    node = resolve(node)
    props = node.get("properties")
    if props is not None and key in props:
        return props[key]
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        return extra
    if extra is True or node.get("x-kubernetes-preserve-unknown-fields") or props is None:
        return ANY
    return None


def is_field(node, key):
    return key in resolve(node).get("properties", {})


def items(node):
    return resolve(node).get("items") or ANY


def list_type(node):
    """``(atomic|set|map, keys)``; without ``x-kubernetes-list-type`` the patch strategy decides, as in kube-openapi."""
    node = resolve(node)
    declared = node.get("x-kubernetes-list-type")
    if declared == "map":
        return "map", node.get("x-kubernetes-list-map-keys") or []
    if declared in ("set", "atomic"):
        return declared, None
    if "merge" in node.get("x-kubernetes-patch-strategy", "").split(","):
        key = node.get("x-kubernetes-patch-merge-key")
        return ("map", [key]) if key else ("set", None)
    return "atomic", None


def is_atomic_map(node):
    return resolve(node).get("x-kubernetes-map-type") == "atomic"


def patch_meta(node):
    """Strategic-merge metadata of a list field: (strategies, merge key)."""
    node = resolve(node)
    return set(node.get("x-kubernetes-patch-strategy", "").split(",")) - {""}, node.get("x-kubernetes-patch-merge-key")


def builtin_root(group, version, kind):
    return {"$ref": "#/$defs/" + definition_name(group, version, kind)}


def crd_root(schema):
    """A custom resource's root schema: the CRD's own, closed, with the real ObjectMeta for ``metadata``."""
    root = _close(copy.deepcopy(schema or {"type": "object", "x-kubernetes-preserve-unknown-fields": True}))
    props = root.setdefault("properties", {})
    props["metadata"] = {"$ref": "#/$defs/" + OBJECT_META}
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    return root


def _close(node):
    for sub in node.get("properties", {}).values():
        _close(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _close(node[key])
    if "object" in types(node) and not ({"properties", "additionalProperties"} & set(node)) \
            and not node.get("x-kubernetes-preserve-unknown-fields"):
        node["properties"] = {}
    return node


def _time(value, node):
    """Times as Go marshals metav1.Time/MicroTime: clients may send any RFC 3339 form."""
    layout = TIME_LAYOUTS.get(id(resolve(node)))
    if layout is None or not isinstance(value, str):
        return value
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return parsed.astimezone(datetime.timezone.utc).strftime(layout) if parsed.tzinfo else value


def prune(obj, node, path=""):
    """Drop the fields the schema does not declare (returning their paths as the strict decoder names them),
    and canonicalize built-in times."""
    found = []
    if isinstance(obj, dict) and shape(node, obj) == "map":
        for key in list(obj):
            sub, where = child(node, key), (path + "." + key if path else key)
            if sub is None:
                found.append(where)
                del obj[key]
            else:
                found += prune(obj[key], sub, where)
                obj[key] = _time(obj[key], sub)
    elif isinstance(obj, list) and shape(node, obj) == "list":
        for index, item in enumerate(obj):
            found += prune(item, items(node), "%s[%d]" % (path, index))
            obj[index] = _time(item, items(node))
    return found


@functools.lru_cache(maxsize=None)
def _kept_empty():
    defs = definitions()
    return {id(defs[name]): set(fields) for name, fields in KEEP_EMPTY.items() if name in defs}


def _omittable(value, node):
    """Whether Go's ``omitempty`` drops this value of a struct field: null, an empty list, an empty Go map
    (``additionalProperties`` only); never an empty struct (``{}`` of a type with ``properties``) nor opaque JSON."""
    if value is None:
        return True
    node = resolve(node)
    if value == []:
        return "array" in types(node) or "items" in node
    if value == {}:
        return isinstance(node.get("additionalProperties"), dict) and "properties" not in node \
            and not node.get("x-kubernetes-preserve-unknown-fields")
    return False


def omit_empty(obj, node):
    """A built-in object as a JSON round trip through its Go type leaves it: optional struct fields that are null,
    ``[]`` or an empty map disappear (``hostAliases: []``, ``labels: {}``), while required ones, empty structs,
    map entries and list items stay. Custom resources keep what was sent (but their ``metadata`` is an ObjectMeta)."""
    node = resolve(node)
    if isinstance(obj, list):
        for item in obj:
            omit_empty(item, items(node))
        return obj
    if not isinstance(obj, dict):
        return obj
    props = node.get("properties")
    if props is None:
        extra = node.get("additionalProperties")
        for value in obj.values() if isinstance(extra, dict) else ():
            omit_empty(value, extra)
        return obj
    keep = set(node.get("required") or ()) | _kept_empty().get(id(node), set())
    for key in list(obj):
        sub = props.get(key)
        if sub is None:
            continue
        if key not in keep and _omittable(obj[key], sub):
            del obj[key]
        else:
            omit_empty(obj[key], sub)
    return obj


def prune_nulls(obj, node):
    """A custom resource's nulls where the schema does not say ``nullable`` go, as the apiserver's decoder drops them
    (a field with a ``default`` then gets it)."""
    node = resolve(node)
    if isinstance(obj, list):
        for item in obj:
            prune_nulls(item, items(node))
    elif isinstance(obj, dict):
        for key in list(obj):
            sub = child(node, key)
            if sub is None or sub is ANY:
                continue
            if obj[key] is None and not resolve(sub).get("nullable"):
                del obj[key]
            else:
                prune_nulls(obj[key], sub)
    return obj


def apply_defaults(obj, node):
    """Structural defaulting of a custom resource: absent properties get their schema ``default``, recursively."""
    node = resolve(node)
    if isinstance(obj, dict):
        for key, sub in node.get("properties", {}).items():
            if key not in obj and "default" in sub:
                obj[key] = copy.deepcopy(sub["default"])
        for key, value in obj.items():
            sub = child(node, key)
            if sub is not None:
                apply_defaults(value, sub)
    elif isinstance(obj, list):
        for item in obj:
            apply_defaults(item, items(node))


def _json_type(value):
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", dict: "object", list: "array"}[type(value)]


def _type_ok(value, node):
    expected = types(node)
    actual = _json_type(value)
    if not expected or actual == "null" or actual in expected:
        return True
    if resolve(node).get("x-kubernetes-int-or-string") and actual in ("integer", "string"):
        return True
    return actual == "integer" and "number" in expected


def validate(obj, node, path=""):
    """OpenAPI checks a CRD schema makes (type, required, enum, pattern, minimum, maximum), in kube-openapi's words."""
    node = resolve(node)
    if not _type_ok(obj, node):
        actual = _json_type(obj)
        expected = sorted(types(node))[0]
        return [FieldError("invalid", path, actual, '%s in body must be of type %s: "%s"' % (path, expected, actual))]
    errors = []
    if "enum" in node and obj not in node["enum"]:
        errors.append(FieldError("unsupported", path, obj, "supported values: " + ", ".join(json.dumps(v) for v in node["enum"])))
    if isinstance(obj, str) and "pattern" in node and not re.search(node["pattern"], obj):
        errors.append(FieldError("invalid", path, obj, "%s in body should match '%s'" % (path, node["pattern"])))
    if isinstance(obj, (int, float)) and not isinstance(obj, bool):
        if "minimum" in node and obj < node["minimum"]:
            errors.append(FieldError("invalid", path, obj, "%s in body should be greater than or equal to %s" % (path, node["minimum"])))
        if "maximum" in node and obj > node["maximum"]:
            errors.append(FieldError("invalid", path, obj, "%s in body should be less than or equal to %s" % (path, node["maximum"])))
    if isinstance(obj, dict):
        errors += _validate_map(obj, node, path)
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            errors += validate(item, items(node), "%s[%d]" % (path, index))
    return errors


def _validate_map(obj, node, path):
    prefix = path + "." if path else ""
    errors = [FieldError("required", prefix + key) for key in node.get("required", []) if key not in obj]
    for key, value in obj.items():
        sub = child(node, key)
        if sub is not None and sub is not ANY and not (not path and key == "metadata"):
            errors += validate(value, sub, prefix + key)
    return errors

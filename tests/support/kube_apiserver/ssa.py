"""``managedFields`` bookkeeping and server-side apply: structured-merge-diff's Updater as kube-apiserver wires it."""
import dataclasses
import json

from . import errors
from . import fieldsets as fs

# Never owned by anybody (the apiserver's stripMetaManager).
STRIPPED = {(("f", "apiVersion"),), (("f", "kind"),), (("f", "metadata"),)} | {
    (("f", "metadata"), ("f", f)) for f in
    ("name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion")}


@dataclasses.dataclass
class Entry:
    fields: set
    api_version: str
    time: str


def decode(entries):
    """{(manager, operation, apiVersion for Update, subresource): Entry}: appliers are one manager across versions."""
    managers = {}
    for entry in entries or []:
        operation = entry.get("operation", "")
        key = (entry.get("manager", ""), operation, entry.get("apiVersion", "") if operation == "Update" else "", entry.get("subresource", ""))
        managers[key] = Entry(fs.decode_fields(entry.get("fieldsV1") or {}), entry.get("apiVersion", ""), entry.get("time"))
    return managers


def encode(managers):
    entries = []
    for (manager, operation, _version, subresource), entry in managers.items():
        encoded = {"manager": manager, "operation": operation, "apiVersion": entry.api_version, "time": entry.time,
                   "fieldsType": "FieldsV1", "fieldsV1": fs.encode_fields(entry.fields)}
        if subresource:
            encoded["subresource"] = subresource
        entries.append(encoded)
    return sorted(entries, key=lambda e: (e["operation"], e["time"] or "", e["manager"], e["apiVersion"], e.get("subresource", "")))


def tracker(has_status, subresource):
    """The paths a write may own: the main resource never owns ``status`` when a status subresource exists,
    and the status subresource owns nothing else (the apiserver's reset fields)."""
    status = ("f", "status")
    if subresource == "status":
        return lambda paths: {p for p in paths if p[:1] == (status,)}
    if has_status:
        return lambda paths: {p for p in paths if p[:1] != (status,)}
    return set


def _store(managers, key, fields, api_version, now):
    fields = fields - STRIPPED
    old = managers.get(key)
    if not fields:
        managers.pop(key, None)
    elif not old or old.fields != fields or old.api_version != api_version:
        managers[key] = Entry(fields, api_version, now)
    for other in [k for k, e in managers.items() if not e.fields]:
        del managers[other]


def _unmanaged(obj):
    """A shallow copy without metadata.managedFields, which no field set ever covers."""
    obj = dict(obj)
    obj["metadata"] = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return obj


def update(managers, live, new, node, request):
    """Record a create/update/patch by ``request.manager``: changed fields move to it from everybody else."""
    added, modified, removed = fs.compare(_unmanaged(live), _unmanaged(new), node)
    changed, removed = request.tracked(added | modified), request.tracked(removed)
    key = (request.manager, "Update", request.api_version, request.subresource)
    for other, entry in managers.items():
        if other != key:
            entry.fields = entry.fields - changed - removed
    mine = managers[key].fields if key in managers else set()
    _store(managers, key, (mine | changed) - removed, request.api_version, request.now)


def apply(managers, live, config, node, request, force):
    """Merge an applied configuration into ``live``; return the new object (``managers`` is updated)."""
    if (config.get("metadata") or {}).get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    problems = []
    applied = request.tracked(fs.field_set(config, node, (), problems))
    if problems:
        text = problems[0] if len(problems) == 1 else "\n".join(["errors:"] + ["  " + p for p in problems])
        raise errors.unknown(500, "failed to create typed patch object (%s): %s" % (request.ident, text))
    live = _unmanaged(live)
    merged = fs.merge(live, config, node)
    key = (request.manager, "Apply", "", request.subresource)
    if key in managers and managers[key].fields:
        merged = fs.remove(merged, _stale(managers, key, applied, merged, node), node)
    added, modified, removed = fs.compare(live, merged, node)
    changed, removed = request.tracked(added | modified), request.tracked(removed)
    conflicts = {k: e.fields & changed for k, e in managers.items() if k != key and e.fields & changed}
    if conflicts and not force:
        raise conflict_error(conflicts)
    for other, entry in managers.items():
        if other != key:
            entry.fields = entry.fields - changed - removed
    _store(managers, key, applied, request.api_version, request.now)
    return merged


def _stale(managers, key, applied, merged, node):
    """What an applier's new configuration drops: structured-merge-diff's prune. A field or item goes when this
    applier applied it last time, does not apply it now, and no other manager (an applier or an updater, such as
    the ``kubectl create`` or PUT that made the object) owns it or anything below it; otherwise only this applier's
    ownership goes. The applied set still holds ``metadata.name`` and the like, so ``.metadata`` itself stays."""
    owned = set(applied).union(*(e.fields for k, e in managers.items() if k != key))
    last = fs.with_named_parents(managers[key].fields, node)
    present = fs.with_named_parents(fs.field_set(merged, node), node)
    return (last & present) - fs.with_named_parents(owned, node)


def _describe(key):
    manager, operation, api_version, subresource = key
    text = json.dumps(manager)
    if subresource:
        text += " with subresource %s" % json.dumps(subresource)
    return text + (" using " + api_version if operation == "Update" else "")


def _sorted_paths(paths):
    return sorted(paths, key=lambda p: [(fs.RANK[pe[0]], pe[1]) for pe in p])


def conflict_error(conflicts):
    """409 with one FieldManagerConflict cause per field, worded as the apiserver words it."""
    managers = sorted(conflicts, key=_describe)
    found = [(k, fs.path_string(p)) for k in managers for p in _sorted_paths(conflicts[k])]
    causes = [{"reason": "FieldManagerConflict", "message": "conflict with " + _describe(k), "field": path} for k, path in found]
    if len(found) == 1:
        message = "Apply failed with 1 conflict: conflict with %s: %s" % (_describe(found[0][0]), found[0][1])
    else:
        lines = []
        for key in managers:
            lines.append("conflicts with %s:" % _describe(key))
            lines += ["- " + fs.path_string(p) for p in _sorted_paths(conflicts[key])]
        message = "Apply failed with %d conflicts: %s" % (len(found), "\n".join(lines))
    return errors.ApiError(409, "Conflict", message, {"causes": causes})

"""JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch over plain objects."""
import copy

import jsonpatch
import jsonpointer

from . import errors, schema


def json_patch(obj, operations):
    try:
        return jsonpatch.JsonPatch(operations).apply(obj)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError, KeyError) as exc:
        raise errors.ApiError(422, "Invalid", "the server rejected our request due to an error in our request",
                              {"causes": [{"reason": "UnexpectedServerResponse", "message": str(exc)}]}) from None


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(original, patch, node):
    """Apply a strategic merge patch to the map ``original``; None means ``$patch: delete`` removed it."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return _strip(patch)
    result = dict(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        sub = schema.child(node, key) or schema.ANY
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, sub)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value, sub)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = value
    _list_directives(result, patch, node)
    if "$retainKeys" in patch:
        result = {k: v for k, v in result.items() if k in patch["$retainKeys"]}
    return result


def _list_directives(result, patch, node):
    for key, values in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in values]
    for key, order in patch.items():
        if key.startswith("$setElementOrder/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = _reorder(result[field], order, schema.patch_meta(schema.child(node, field) or schema.ANY)[1])


def _reorder(items, order, merge_key):
    """``$setElementOrder``: listed items take the listed order; the others keep their slots."""
    def ident(item):
        return item.get(merge_key) if merge_key and isinstance(item, dict) else item

    wanted = [ident(o) for o in order]
    listed = sorted((i for i in items if ident(i) in wanted), key=lambda i: wanted.index(ident(i)))
    slots = iter(listed)
    return [next(slots) if ident(item) in wanted else item for item in items]


def _merge_list(original, patch, node):
    strategies, merge_key = schema.patch_meta(node)
    if "merge" not in strategies or any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [_strip(i) for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")]
    result = list(original or [])
    if merge_key is None:
        return result + [copy.deepcopy(v) for v in patch if v not in result]
    item_node = schema.items(node)
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            raise errors.bad_request("map: %s does not contain declared merge key: %s" % (item, merge_key))
        at = next((i for i, o in enumerate(result) if isinstance(o, dict) and o.get(merge_key) == item[merge_key]), None)
        if item.get("$patch") == "delete":
            result = [o for o in result if not (isinstance(o, dict) and o.get(merge_key) == item[merge_key])]
        elif at is None:
            result.append(strategic_merge({}, item, item_node))
        else:
            result[at] = strategic_merge(result[at], item, item_node)
    return result


def _strip(value):
    """A copy without patch directives, for values that replace what was there."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return copy.deepcopy(value)

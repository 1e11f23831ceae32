"""Field sets over schema-typed values, as structured-merge-diff computes them.

A path is a tuple of path elements: ``("f", name)`` a field, ``("k", json)`` a list-map item by its
keys, ``("v", json)`` a set item, ``("i", n)`` an index. A field set is a Python set of paths.
"""
import collections
import json

from . import schema

MISSING = object()
RANK = {"f": 0, "k": 1, "v": 2, "i": 3}


def _compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def path_string(path):
    """A path as structured-merge-diff prints it: ``.spec.ports[port=80,protocol="TCP"].name``."""
    out = ""
    for kind, value in path:
        if kind == "f":
            out += "." + value
        elif kind == "k":
            out += "[%s]" % ",".join("%s=%s" % (k, json.dumps(v)) for k, v in json.loads(value).items())
        elif kind == "v":
            out += "[=%s]" % value
        else:
            out += "[%d]" % value
    return out


def _elements(value, node, path, problems):
    """(path element, item) for each item of a set or list-map; None on a malformed item."""
    kind, keys = schema.list_type(node)
    item_node = schema.items(node)
    found = []
    for index, item in enumerate(value):
        if kind == "set":
            found.append((("v", _compact(item)), item))
            continue
        key = {}
        for name in keys:
            sub = schema.child(item_node, name) or {}
            default = schema.resolve(sub).get("default", MISSING)
            if isinstance(item, dict) and name in item:
                key[name] = item[name]
            elif default is not MISSING:
                key[name] = default
            else:
                problems.append("%s: element %d: associative list with keys has an element that omits key field %s (and doesn't have default value)"
                                % (path_string(path), index, json.dumps(name)))
                return None
        found.append((("k", _compact(key)), item))
    return found


def _empty(value):
    return value is MISSING or value is None or value in ({}, [])


def _is_leaf(lhs, rhs, node):
    """Scalars, atomic lists and maps, mismatched shapes, and two empty sides (keeps ``{}`` apart from null)."""
    present = [v for v in (lhs, rhs) if v is not MISSING and v is not None]
    shape = schema.shape(node, present[-1] if present else None)
    if shape == "list":
        container, atomic = list, schema.list_type(node)[0] == "atomic"
    elif shape == "map":
        container, atomic = dict, schema.is_atomic_map(node)
    else:
        return True
    return atomic or not all(isinstance(v, container) for v in present) or all(_empty(v) for v in (lhs, rhs))


def field_set(value, node, path=(), problems=None):
    """Every leaf, list item and map entry of ``value`` (structured-merge-diff's ToFieldSet).

    With a ``problems`` list the value is an applied configuration: undeclared fields and duplicate
    keys are reported there, as the apiserver does before it will merge anything.
    """
    shape = schema.shape(node, value)
    if value is None or shape == "scalar" or (shape == "list" and schema.list_type(node)[0] == "atomic") \
            or (shape == "map" and schema.is_atomic_map(node)) or not isinstance(value, (dict, list)):
        return {path}
    if isinstance(value, list):
        return _list_field_set(value, node, path, problems)
    found = set()
    for key, sub_value in value.items():
        sub = schema.child(node, key)
        sub_path = path + (("f", key),)
        if sub is None:
            if problems is not None:
                problems.append("%s: field not declared in schema" % path_string(sub_path))
                continue
            sub = schema.ANY
        found |= field_set(sub_value, sub, sub_path, problems)
        if sub_value is None or sub_value == {} or not schema.is_field(node, key):
            found.add(sub_path)
    return found


def _list_field_set(value, node, path, problems):
    elements = _elements(value, node, path, problems if problems is not None else [])
    if elements is None:
        return set()
    counts = collections.Counter(pair[0] for pair in elements)
    found = set()
    for pe, item in elements:
        if counts[pe] > 1:
            if problems is not None:
                problems.append("%s: duplicate entries for key %s" % (path_string(path), path_string((pe,))))
                return found
            found.add(path + (pe,))
            continue
        found.add(path + (pe,))
        found |= field_set(item, schema.items(node), path + (pe,), problems)
    return found


def compare(lhs, rhs, node, path=(), diff=None):
    """(added, modified, removed) between two values; non-leaf paths count as added/removed too."""
    diff = diff or (set(), set(), set())
    if _is_leaf(lhs, rhs, node):
        if lhs is MISSING:
            diff[0].add(path)
        elif rhs is MISSING:
            diff[2].add(path)
        elif lhs != rhs:
            diff[1].add(path)
        return diff
    if isinstance(lhs if lhs not in (MISSING, None) else rhs, dict):
        left, right = lhs if isinstance(lhs, dict) else {}, rhs if isinstance(rhs, dict) else {}
        for key in list(left) + [k for k in right if k not in left]:
            compare(left.get(key, MISSING), right.get(key, MISSING), schema.child(node, key) or schema.ANY, path + (("f", key),), diff)
    else:
        _compare_items(lhs if isinstance(lhs, list) else [], rhs if isinstance(rhs, list) else [], node, path, diff)
    if path and lhs is MISSING:
        diff[0].add(path)
    elif path and rhs is MISSING:
        diff[2].add(path)
    return diff


def _compare_items(lhs, rhs, node, path, diff):
    left, right = {}, {}
    for side, items in ((left, lhs), (right, rhs)):
        for pe, item in _elements(items, node, path, []) or []:
            side.setdefault(pe, []).append(item)
    for pe in list(left) + [p for p in right if p not in left]:
        lval, rval = left.get(pe, []), right.get(pe, [])
        if len(lval) > 1 or len(rval) > 1:     # duplicated keys compare as one atomic value
            target = diff[0] if not lval else diff[2] if not rval else diff[1] if lval != rval else None
            if target is not None:
                target.add(path + (pe,))
        else:
            compare(lval[0] if lval else MISSING, rval[0] if rval else MISSING, schema.items(node), path + (pe,), diff)


def merge(lhs, rhs, node):
    """Merge an applied configuration ``rhs`` into ``lhs``: the applied value wins at every leaf."""
    if rhs is MISSING:
        return lhs
    if lhs is MISSING or lhs is None or _is_leaf(lhs, rhs, node):
        return rhs
    if isinstance(rhs, dict):
        out = {k: merge(v, rhs.get(k, MISSING), schema.child(node, k) or schema.ANY) for k, v in lhs.items()}
        out.update({k: v for k, v in rhs.items() if k not in lhs})
        return out
    return _merge_items(lhs, rhs, node)


def _merge_items(lhs, rhs, node):
    """Keyed list merge in structured-merge-diff's order: applied items in applied order, others keep their place."""
    left, right = _elements(lhs, node, (), []) or [], _elements(rhs, node, (), []) or []
    counts = collections.Counter(pair[0] for pair in left)
    by_left = {pe: item for pe, item in left if counts[pe] == 1}
    by_right = dict(right)
    shared = [pair[0] for pair in right if pair[0] in counts]
    item_node = schema.items(node)
    out, merged, li, ri = [], set(), 0, 0
    while li < len(left) or ri < len(right):
        if li < len(left) and ri < len(right):
            pe = left[li][0]
            if pe == right[ri][0]:
                merged.add(pe)
                out.append(merge(by_left.get(pe, MISSING), right[ri][1], item_node))
                li, ri = li + 1, ri + 1
                shared = shared[1:]
                continue
            if pe in by_right and shared and shared[0] != pe:
                li += 1
                continue
        if li < len(left):
            pe = left[li][0]
            if pe not in by_right:
                out.append(left[li][1])
                li += 1
                continue
            if pe in merged:
                li += 1
        if ri < len(right):
            pe = right[ri][0]
            merged.add(pe)
            out.append(merge(by_left.get(pe, MISSING), right[ri][1], item_node))
            ri += 1
            if shared and shared[0] == pe:
                shared = shared[1:]
    return out


def with_named_parents(paths, node):
    """``paths`` plus every struct field that is an ancestor of one of them (structured-merge-diff's
    EnsureNamedFieldsAreMembers): owning ``.spec.ports[name="a"].port`` means owning ``.spec`` and
    ``.spec.ports`` too, while a map key (``.metadata.labels.x``) owns no key above it but ``labels``."""
    out = set(paths)
    nodes = {(): node}
    for path in paths:
        for depth in range(1, len(path)):
            prefix = path[:depth]
            parent = nodes.get(prefix[:-1])
            if parent is None:          # below a set item or an index: no schema, no named fields
                break
            kind, value = prefix[-1]
            if prefix not in nodes:
                if kind == "f":
                    nodes[prefix] = schema.child(parent, value) or schema.ANY
                elif kind == "k":
                    nodes[prefix] = schema.items(parent)
                else:
                    break
            if kind == "f" and schema.is_field(parent, value):
                out.add(prefix)
    return out


def _trie(paths):
    root = {}
    for path in paths:
        node = root
        for pe in path:
            node = node.setdefault(pe, {})
        node[None] = True
    return root


def remove(value, paths, node):
    """``value`` without the fields and items in ``paths`` (structured-merge-diff's RemoveItems): a field whose map or
    list it emptied becomes null, which decoding then drops (``omitempty`` in built-ins, null pruning in custom resources)."""
    return _remove(value, _trie(paths), node)


def _remove(value, trie, node):
    if isinstance(value, dict) and not schema.is_atomic_map(node):
        out = {}
        for key, sub in value.items():
            below = trie.get(("f", key))
            if below is None:
                out[key] = sub
            elif not below.get(None):
                pruned = _remove(sub, below, schema.child(node, key) or schema.ANY)
                out[key] = None if _empty(pruned) and not _empty(sub) else pruned
        return out
    if isinstance(value, list) and schema.list_type(node)[0] != "atomic":
        out = []
        for pe, item in _elements(value, node, (), []) or []:
            below = trie.get(pe)
            if below is None:
                out.append(item)
            elif not below.get(None):
                out.append(_remove(item, below, schema.items(node)))
        return out
    return value


def _pe_key(pe):
    return (RANK[pe[0]], pe[1])


def encode_fields(paths):
    """A field set as FieldsV1 JSON: ``f:``/``k:``/``v:``/``i:`` keys, ``.`` for a member that has children."""
    def emit(trie):
        out = {".": {}} if trie.get(None) and len(trie) > 1 else {}
        for pe in sorted((k for k in trie if k is not None), key=_pe_key):
            out["%s:%s" % pe] = emit(trie[pe])
        return out
    root = _trie(paths)
    root.pop(None, None)
    return emit(root)


def decode_fields(fields, path=()):
    found = set()
    for key, sub in fields.items():
        if key == ".":
            found.add(path)
            continue
        kind, text = key.split(":", 1)
        sub_path = path + ((kind, int(text) if kind == "i" else text),)
        found |= decode_fields(sub, sub_path) if sub else {sub_path}
    return found

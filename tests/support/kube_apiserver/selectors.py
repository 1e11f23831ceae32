"""Label and field selectors, parsed into predicates (``ValueError`` carries the apiserver's text)."""
import re

_SET_OP = re.compile(r"^\s*([^\s!=<>(),]+)\s+(in|notin)\s+\(([^()]*)\)\s*$")
_BINARY_OP = re.compile(r"^\s*([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)\s*([^\s!=<>(),]+)\s*$")


def _split_top_level(text):
    """Split on commas that are not inside ``( )``: ``a in (x,y),b`` has two requirements."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def _requirement(text):
    match = _SET_OP.match(text)
    if match:
        key, op, values = match.group(1), match.group(2), {v.strip() for v in match.group(3).split(",") if v.strip()}
        if op == "in":
            return lambda labels: key in labels and labels[key] in values
        return lambda labels: key not in labels or labels[key] not in values
    match = _BINARY_OP.match(text)
    if match:
        return _binary(*match.groups())
    match = _EXISTS.match(text)
    if match:
        negate, key = match.group(1) == "!", match.group(2)
        return lambda labels: (key in labels) != negate
    raise ValueError("unable to parse requirement: found '%s', expected: identifier" % text.strip())


def _binary(key, op, value):
    if op in ("=", "=="):
        return lambda labels: labels.get(key) == value
    if op == "!=":
        return lambda labels: labels.get(key) != value
    try:
        bound = int(value)
    except ValueError:
        raise ValueError("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer") from None
    if op == ">":
        return lambda labels: key in labels and labels[key].lstrip("-").isdigit() and int(labels[key]) > bound
    return lambda labels: key in labels and labels[key].lstrip("-").isdigit() and int(labels[key]) < bound


def label_selector(text):
    """A predicate over a labels dict for ``=, ==, !=, in, notin, key, !key, >, <``."""
    requirements = [_requirement(part) for part in _split_top_level(text or "")]
    return lambda labels: all(req(labels or {}) for req in requirements)


def _field_value(obj, path):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    if isinstance(obj, bool):
        return "true" if obj else "false"
    return "" if obj is None else str(obj)


def field_selector(text):
    """A predicate over an object for ``path=value``, ``path==value`` and ``path!=value`` on dotted paths."""
    terms = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = re.match(r"^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not match:
            raise ValueError("invalid selector: '%s'; can't understand '%s'" % (text, part))
        terms.append(match.groups())
    return lambda obj: all((_field_value(obj, path) == value) == (op != "!=") for path, op, value in terms)

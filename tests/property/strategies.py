"""Hostile and random input: anything YAML/JSON can carry, plus mutated copies of valid objects."""
from __future__ import annotations

import copy

from hypothesis import strategies as st

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\n", "a\nb", "#", "\x00", "\u202e", "\ud7ff", "é", "日本", "😀", "10.0.0.1\n10.0.0.2",
                     "::", "::ffff:1.2.3.4", "10.0.0.0/8", "fd00::/108", "999.1.1.1", "1" * 300, "a" * 70,
                     "metadata.labels['x']", "status.podIPs", "IPv4", "IPv6", "SingleStack", "RequireDualStack",
                     "None", "null", "-1", "0x10", "1e309", "../etc/passwd", "$(VAR)"]),
)
NUMBERS = st.one_of(st.integers(), st.integers(min_value=-(2 ** 200), max_value=2 ** 200),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, -1, 2 ** 63, 2 ** 128]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, HOSTILE_TEXT)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(HOSTILE_TEXT, inner, max_size=5)),
    max_leaves=25,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated(draw, seed):
    """A copy of ``seed`` with one part removed, replaced by junk, or truncated."""
    value = copy.deepcopy(seed)
    paths = [p for p in _paths(value) if p]
    if not paths:
        return draw(JSONISH)
    path = draw(st.sampled_from(paths))
    parent = value
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = draw(st.sampled_from(["delete", "junk", "truncate"]))
    if action == "delete":
        del parent[last]
    elif action == "junk" or not isinstance(parent[last], (list, dict, str)):
        parent[last] = draw(JSONISH)
    else:
        node = parent[last]
        parent[last] = node[: len(node) // 2] if not isinstance(node, dict) else dict(list(node.items())[: len(node) // 2])
    return value


def argument(seed=None):
    """Random junk, or (when a valid ``seed`` is known) mostly near-valid mutations of it."""
    if seed is None:
        return JSONISH
    return st.one_of(JSONISH, mutated(seed), mutated(seed), st.just(seed))

"""Every filter, fed structurally hostile input in every argument: deep nesting, huge numbers, huge digit strings.

Each payload goes in place of each argument, and in place of every leaf of a valid argument (the
seeds of ``tests/property/seeds.py``), so it also reaches the code behind the first type checks.
The filter must return a value or raise ``AnsibleFilterError`` with a message of its own: never
Python's internal error text ("maximum recursion depth exceeded", "Exceeds the limit (4300 digits)"),
never another exception (issue 13, defect 6).
"""
import copy
import inspect

import pytest
from ansible.errors import AnsibleFilterError

from tests.property.seeds import SEEDS
from tests.property.test_filters_hostile import FILTERS

PYTHON_INTERNALS = ("recursion", "Exceeds the limit", "set_int_max_str_digits", "Traceback", "unhashable",
                    "object of type", "NoneType", "has no attribute", "not subscriptable", "object is not")


def nested(depth, kind):
    value = "leaf"
    for i in range(depth):
        value = {"a": value} if kind == "dict" or (kind == "mixed" and i % 2) else [value]
    return value


PAYLOADS = {
    "dict-150": nested(150, "dict"), "list-500": nested(500, "list"), "mixed-5000": nested(5000, "mixed"),
    "int-5000-digits": 10 ** 5000, "negative-int-5000-digits": -(10 ** 5000) + 1,
    "digits-5000": "1" * 5000, "exponent-5000-digits": "1e" + "9" * 5000, "fraction-5000-digits": "0." + "0" * 5000 + "1",
    "binary-5000-digits": "1" * 5000 + "Ki", "negative-digits-5000": "-" + "7" * 5000 + "m",
}


def leaf_paths(value, prefix=()):
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from leaf_paths(v, prefix + (k,))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from leaf_paths(v, prefix + (i,))
    else:
        yield prefix


def replaced(value, path, payload):
    if not path:
        return payload
    value = copy.deepcopy(value)
    parent = value
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = payload
    return value


def calls(name):
    """``(args, where)`` for every payload in every argument and every leaf of every seed argument."""
    arity = len(inspect.signature(FILTERS[name]).parameters)
    seeds = SEEDS.get(name) or [[None] * arity]
    for seed in seeds:
        seed = list(seed) + [None] * (arity - len(seed))
        for position, argument in enumerate(seed):
            for path in dict.fromkeys(leaf_paths(argument)):
                for label, payload in PAYLOADS.items():
                    args = list(seed)
                    args[position] = replaced(argument, path, payload)
                    yield args[:max(position + 1, len([a for a in seed if a is not None]))], (position, path, label)


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_structure_never_escapes_as_a_python_error(name):
    bad = []
    for args, where in calls(name):
        try:
            FILTERS[name](*args)
        except AnsibleFilterError as exc:
            text = str(exc)
            if any(marker in text for marker in PYTHON_INTERNALS):
                bad.append((where, text[:300]))
        except Exception as exc:  # pylint: disable=broad-except
            bad.append((where, "%s: %s" % (type(exc).__name__, str(exc)[:300])))
    assert not bad, "%d calls ended badly, e.g. %s" % (len(bad), bad[:5])

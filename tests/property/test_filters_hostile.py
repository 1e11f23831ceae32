"""Every filter, fed random and hostile input, returns a value or raises a clean AnsibleFilterError.

Any other exception is a traceback a user would see: a bug. Seeds (valid arguments) come from
``SEEDS`` so that mutations stay close to the shapes the filters really parse.
"""
import glob
import importlib
import inspect
import os

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property.seeds import SEEDS
from tests.property.strategies import argument

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def all_filters():
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "filter", "*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        module = importlib.import_module("ansible_collections.clusternet.k8s.plugins.filter." + name)
        found.update(module.FilterModule().filters())
    return found


FILTERS = all_filters()


def arguments_for(name, func):
    params = list(inspect.signature(func).parameters.values())
    seeds = SEEDS.get(name) or [None]
    seed = st.sampled_from(seeds)

    @st.composite
    def build(draw):
        chosen = draw(seed)
        count = draw(st.integers(min_value=1, max_value=len(params)))
        args = []
        for i in range(count):
            known = chosen[i] if chosen is not None and i < len(chosen) else None
            args.append(draw(argument(known)))
        return args

    return build()


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter_never_raises_anything_but_a_filter_error(name):
    func = FILTERS[name]

    @settings(max_examples=1000, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(arguments_for(name, func))
    def check(args):
        try:
            func(*args)
        except AnsibleFilterError:
            pass

    check()

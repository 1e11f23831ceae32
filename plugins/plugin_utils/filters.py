# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The edge between Jinja and the pure core: plain builtins in, clean filter errors out."""

from __future__ import annotations

import functools
import inspect

from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, check_structure, to_builtin

# The keywords of every filter whose answer depends on the Kubernetes release (doc fragment kubernetes_version).
RELEASE_KEYWORDS = ("kubernetes_version", "feature_gates")


def filter_entry(func=None, versioned=False, **conversions):
    """Wrap a core function as a filter: check the arguments' structure (``check_structure``), convert them, and turn
    ``InputError`` into ``AnsibleFilterError``.

    ``conversions`` name arguments that Ansible may hand over as strings (survey answers; any templated value before
    ansible-core 2.19) and the function (from ``survey``) that reads them as an argument spec would, e.g.
    ``@filter_entry(node_count=survey.as_int)``.

    ``versioned``: the filter also takes ``kubernetes_version`` and ``feature_gates`` (``releases.release``), and the
    core runs for that release (``releases.using``).
    """
    if func is None:
        return lambda f: filter_entry(f, versioned, **conversions)

    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        chosen = {name: kwargs.pop(name) for name in RELEASE_KEYWORDS if versioned and name in kwargs}
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:  # wrong number or names of arguments
            raise AnsibleFilterError("%s: %s" % (func.__name__, exc)) from None
        try:
            for name, value in bound.arguments.items():
                check_structure(value, name)
            arguments = {name: to_builtin(value) for name, value in bound.arguments.items()}
            for name, convert in conversions.items():
                if name in arguments:
                    arguments[name] = convert(arguments[name], name)
            if not versioned:
                return func(**arguments)
            for name, value in chosen.items():
                check_structure(value, name)
            with releases.using(releases.release(**{k: to_builtin(v) for k, v in chosen.items()})):
                return func(**arguments)
        except InputError as exc:
            raise AnsibleFilterError("%s: %s" % (func.__name__, exc)) from None
        except RecursionError:  # a safety net: check_structure keeps inputs shallow enough for the core
            raise AnsibleFilterError("%s: the input is nested too deeply to process" % func.__name__) from None

    return wrapper

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The edge between Jinja and the pure core: plain builtins in, clean filter errors out."""

from __future__ import annotations

import functools
import importlib
import inspect

from ansible.errors import AnsibleFilterError

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.plugin_utils.arguments import read_argument


# The keywords of every filter whose answer depends on the Kubernetes release (doc fragment kubernetes_version).
RELEASE_KEYWORDS = ("kubernetes_version", "feature_gates")


def filter_entry(func=None, versioned=False, **conversions):
    """Wrap a core function as a filter: check the arguments' structure and read them as plain builtins
    (``read_argument``), and turn ``InputError`` into ``AnsibleFilterError``.

    ``conversions`` name arguments that Ansible may hand over as strings (survey answers; any templated value before
    ansible-core 2.19) and the function (from ``survey``) that reads them as an argument spec would, e.g.
    ``@filter_entry(node_count=survey.as_int)``.

    ``versioned``: the filter also takes ``kubernetes_version`` and ``feature_gates`` (``releases.release``), and the
    core runs for that release (``releases.using``; without them, for the newest).
    """
    if func is None:
        return lambda f: filter_entry(f, versioned, **conversions)

    signature = inspect.signature(func)
    bind = _binder(signature)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        chosen = {name: kwargs.pop(name) for name in RELEASE_KEYWORDS if name in kwargs} if versioned and kwargs else None
        bound = bind(args, kwargs)
        if bound is None:  # not a call the quick binding vouches for: Python's own, which also says what is wrong
            try:
                bound = signature.bind(*args, **kwargs).arguments
            except TypeError as exc:  # wrong number or names of arguments
                raise AnsibleFilterError("%s: %s" % (func.__name__, exc)) from None
        try:
            arguments = {name: read_argument(value, name) for name, value in bound.items()}
            for name, convert in conversions.items():
                if name in arguments:
                    arguments[name] = convert(arguments[name], name)
            if not chosen:
                return func(**arguments)
            releases = importlib.import_module("ansible_collections.clusternet.k8s.plugins.module_utils.releases")
            with releases.using(releases.release(**{name: read_argument(value, name) for name, value in chosen.items()})):
                return func(**arguments)
        except InputError as exc:
            raise AnsibleFilterError("%s: %s" % (func.__name__, exc)) from None
        except RecursionError:  # a safety net: check_structure keeps inputs shallow enough for the core
            raise AnsibleFilterError("%s: the input is nested too deeply to process" % func.__name__) from None

    return wrapper


def _binder(signature):
    """A function giving what ``signature.bind(*args, **kwargs).arguments`` gives (the arguments passed, in the order of
    the parameters) for a call that binds, ``None`` for any other; several times quicker than ``bind``, which runs
    for every filter call.

    Only for the signatures filters have (named parameters, no ``*args``/``**kwargs``); for any other it always says
    ``None``.
    """
    parameters = signature.parameters.values()
    if any(p.kind is not p.POSITIONAL_OR_KEYWORD for p in parameters):
        return lambda args, kwargs: None
    names = tuple(signature.parameters)
    known = frozenset(names)
    required = sum(1 for p in parameters if p.default is p.empty)  # the first ones: Python puts defaults last

    def bind(args, kwargs):
        if len(args) > len(names):
            return None
        bound = dict(zip(names, args))
        if kwargs:
            if not kwargs.keys() <= known - bound.keys():  # an unknown name, or one given by position too
                return None
            bound.update((name, kwargs[name]) for name in names if name in kwargs)
        if len(args) < required and not all(name in kwargs for name in names[len(args):required]):
            return None
        return bound

    return bind


def core(module, name):
    """``plugins/module_utils/<module>.py``'s function ``name``, imported when the filter is first called.

    Ansible loads every filter file of a collection in each task that uses one of them (in the task's own worker
    process), so a filter file imports nothing of the core itself: a task pays only for the filters it calls.
    """
    loaded = []

    def call(*args, **kwargs):
        if not loaded:
            loaded.append(getattr(importlib.import_module("ansible_collections.clusternet.k8s.plugins.module_utils." + module), name))
        return loaded[0](*args, **kwargs)

    call.__name__ = name
    return call

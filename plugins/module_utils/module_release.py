# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The release a module answers for: its ``kubernetes_version`` option, else (cluster modules) the cluster's own
``/version``, else the newest supported release (doc fragment ``clusternet.k8s.kubernetes_version``)."""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError

RELEASE_ARG_SPEC = {"kubernetes_version": {"type": "str"}, "feature_gates": {"type": "dict"}}


def release_argument_spec() -> dict:
    """The options of the ``clusternet.k8s.kubernetes_version`` doc fragment (a fresh copy)."""
    return copy.deepcopy(RELEASE_ARG_SPEC)


def module_release(params: dict, cluster: Any = None) -> tuple[releases.Release, str]:
    """``(Release, source)``: from ``params["kubernetes_version"]`` (source ``option``), else from ``cluster``'s
    ``/version`` when a cluster is given (``cluster``), else the newest supported release (``default``).
    ``InputError`` names the supported range when the release is outside it. ``cluster.server_version()`` may raise
    the client's errors."""
    gates = params.get("feature_gates")
    if params.get("kubernetes_version"):
        return releases.release(params["kubernetes_version"], gates), "option"
    if cluster is None:
        return releases.release(None, gates), "default"
    version = cluster.server_version().get("gitVersion") or ""
    try:
        return releases.release(version, gates), "cluster"
    except InputError as exc:
        raise InputError("the cluster reports Kubernetes %s (its /version): %s. Set kubernetes_version to answer for "
                         "a supported release anyway" % (version or "no version", exc)) from None

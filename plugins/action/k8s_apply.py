# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The controller side of clusternet.k8s.k8s_apply (see plugin_utils/cluster_action.py)."""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.plugin_utils.cluster_action import ClusterAction


class ActionModule(ClusterAction):
    pass

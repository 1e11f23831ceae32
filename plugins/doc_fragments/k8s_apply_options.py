# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment(object):
    """Server-side apply options shared by the modules that apply objects (argument spec: module_utils/k8s/apply.py)."""

    DOCUMENTATION = r"""
options:
  field_manager:
    description:
      - The field manager name the API server records as owner of the applied fields.
      - Fields this manager applied before and no longer lists are removed, unless another manager owns them too.
    type: str
    default: clusternet.k8s
  force_conflicts:
    description:
      - Take ownership of fields another field manager owns with a different value.
      - When false, such a conflict fails the task, naming the field managers and the fields.
    type: bool
    default: false
"""

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment(object):
    """Wait options shared by the modules that apply objects (argument spec: module_utils/k8s/wait.py)."""

    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until each object reaches the state asked for before going on to the next one.
      - For O(state=absent), until the object no longer exists (finalizers may delay that).
      - For O(state=present), until O(wait_condition) or O(wait_jsonpath) holds; with neither, as C(kubernetes.core.k8s)
        waits, kind by kind - a C(Deployment), C(DaemonSet) or C(StatefulSet) until its rollout is complete (its
        replicas updated, available or ready, none unavailable, C(status.observedGeneration) equal to
        C(metadata.generation)), a C(Pod) until every container is ready, a C(ClusterOperator) until it is
        C(Available) and neither C(Progressing) nor C(Degraded); any other kind until it exists.
      - Skipped in check mode.
      - On timeout the task fails, saying what was awaited and what was last seen, with the last object seen
        in RV(ignore:last_object).
    type: bool
    default: false
  wait_sleep:
    description:
      - Seconds between two checks, at least V(1).
    type: int
    default: 5
  wait_timeout:
    description:
      - Seconds to wait for each object, V(0) or more (V(0) checks once).
    type: int
    default: 120
  wait_condition:
    description:
      - Wait for a condition in C(status.conditions).
      - Mutually exclusive with O(wait_jsonpath).
    type: dict
    suboptions:
      type:
        description:
          - The condition type, for example V(Ready) or V(Available).
        type: str
        required: true
      status:
        description:
          - The status the condition must have.
        type: str
        default: "True"
        choices: ["True", "False", "Unknown"]
      reason:
        description:
          - The reason the condition must have; any reason when unset.
        type: str
  wait_jsonpath:
    description:
      - Wait for a value in the object, like C(kubectl wait --for=jsonpath=...).
      - Mutually exclusive with O(wait_condition).
    type: dict
    suboptions:
      path:
        description:
          - A JSONPath in kubectl's syntax, with or without braces, for example V({.status.phase}) or
            V(.status.conditions[?(@.type=="Ready")].status). Braces, when given, enclose the whole path (an unclosed
            one is refused with kubectl's message).
          - Supported are fields, V([n]), V([*]), V(['key']), escaped dots (V(a\\.b)) and filters V([?(@.f=="v")]),
            V([?(@.f!="v")]), V([?(@.f)]).
        type: str
        required: true
      value:
        description:
          - The value every result must have (compared as kubectl prints it, so V(true) and V("true") match).
          - When unset, waits until the path yields any non-null value.
        type: raw
"""

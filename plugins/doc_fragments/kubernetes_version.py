# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment(object):
    """The release options of every filter and module whose answer depends on the Kubernetes release
    (module_utils/releases.py; the table of what changes is in the collection's README)."""

    DOCUMENTATION = r"""
options:
  kubernetes_version:
    description:
      - The Kubernetes release to answer for, as V(1.36) or a full version such as V(v1.36.3) (a provider suffix as in
        V(v1.36.3-gke.1200000) is accepted); only the minor matters.
      - Supported - V(1.34) to V(1.37). Another release is refused with an error naming the supported range.
      - The rules that differ between releases (feature gate defaults) are listed in the collection's README,
        section "Kubernetes releases".
      - Default - the newest supported release, V(1.37).
    type: str
  feature_gates:
    description:
      - Feature gates set on the cluster that differ from that release's defaults, as gate name to V(true) or V(false)
        (the component's C(--feature-gates)).
      - Setting a gate that release locks to its default to the other value is refused with Kubernetes' own message.
        Gates the collection's rules do not read are accepted and change nothing.
    type: dict
"""

    # Modules that talk to a cluster: the default is the cluster's own release. A literal (ansible-test's yamllint reads
    # every assignment of a doc fragment class as a string); tests/unit/plugins/test_doc_fragments.py keeps it
    # DOCUMENTATION but for that line.
    CLUSTER = r"""
options:
  kubernetes_version:
    description:
      - The Kubernetes release to answer for, as V(1.36) or a full version such as V(v1.36.3) (a provider suffix as in
        V(v1.36.3-gke.1200000) is accepted); only the minor matters.
      - Supported - V(1.34) to V(1.37). Another release is refused with an error naming the supported range.
      - The rules that differ between releases (feature gate defaults) are listed in the collection's README,
        section "Kubernetes releases".
      - Default - the release the cluster's C(/version) reports (a cluster outside the supported range fails the
        task, naming the range); the result's RV(kubernetes_version) says which release was used and whence.
    type: str
  feature_gates:
    description:
      - Feature gates set on the cluster that differ from that release's defaults, as gate name to V(true) or V(false)
        (the component's C(--feature-gates)).
      - Setting a gate that release locks to its default to the other value is refused with Kubernetes' own message.
        Gates the collection's rules do not read are accepted and change nothing.
    type: dict
"""

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""GKE persistent IPs for Pods, one module per subject: ``api`` (names, enums, patterns), ``findings``,
``address``, ``attachment`` (Gateway API), ``gateway`` and ``route`` (validation), ``validate`` (its entry
points), ``binding`` (which Pod holds the IP) and ``health`` (a live route's status).

Pure Python, no Ansible imports. Every rule is in ``docs/persistent-ip.md``: the Gateway and GKEIPRoute
fields (docs/persistent-ip.md#gateway, docs/persistent-ip.md#gkeiproute), Gateway API attachment
(docs/persistent-ip.md#attachment), which Pod holds the IP (docs/persistent-ip.md#binding-table), the
validation codes (docs/persistent-ip.md#validation), troubleshooting (docs/persistent-ip.md#troubleshooting)
and the numbered assumptions (docs/persistent-ip.md#assumptions), cited where they apply.

Validation returns :class:`findings.Finding` objects: the rule's code and path (docs/persistent-ip.md#validation),
and a message. Rules the API server enforces (the GKEIPRoute and Gateway API CRD schemas and CEL rules) keep the
API server's own text; the others (controller and collection rules) say what is wrong and how to fix it, and
end with their code in brackets.
"""

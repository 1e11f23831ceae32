# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Cluster access for clusternet.k8s modules.

- ``auth``: ``AUTH_ARG_SPEC`` (kubernetes.core's option names), ``K8S_AUTH_*`` fallbacks, secrets,
  the client configuration.
- ``client``: :class:`~client.Cluster`: discovery, get, paginated list, server-side apply, delete,
  wait; retries and clear errors on every request.
- ``apply``: a list of definitions brought to ``present``/``absent`` with per-object outcomes.
- ``objects``: parsing definitions, :class:`~objects.Ref`, server-owned fields, diffs.
- ``wait``: ``WAIT_ARG_SPEC`` and the checks (kubernetes.core's per-kind readiness, condition, JSONPath, gone).
- ``retry``, ``errors``: the retry policy and the error types.
- ``module``: the Ansible edge (argument spec, connect, fail).

Everything but ``module`` is free of Ansible imports.
"""

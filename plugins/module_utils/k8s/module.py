# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Ansible edge of the cluster core: shared argument spec, connecting, failing cleanly.

A cluster module does::

    module = cluster_module(argument_spec=cluster_argument_spec(my_option=...), supports_check_mode=True)
    require_libraries(module)
    try:
        cluster = connect(module)
        ...
    except (InputError, K8sError) as exc:
        fail(module, exc)

The package (``__init__.py`` stays empty, as ansible-test requires):

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

from __future__ import annotations

import copy
import os
from typing import Any

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.clusternet.k8s.plugins.module_utils.ansible_module import ansible_module
from ansible_collections.clusternet.k8s.plugins.module_utils.common import to_builtin
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import objects, wait
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.apply import APPLY_ARG_SPEC
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.auth import (
    AUTH_ARG_SPEC, build_configuration, configuration_secrets, impersonation_headers, param_secrets, resolve_auth, secrets)
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import mask_secrets_in
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import KUBERNETES_IMPORT_ERROR, Cluster
from ansible_collections.clusternet.k8s.plugins.module_utils.report_query import JMESPATH_IMPORT_ERROR


def cluster_module(**kwargs: Any) -> Any:
    """The AnsibleModule of a cluster module (``ansible_module``): every connection secret of its arguments is hidden
    from the start, whatever fails (argument validation included), and a Secret's values in ``definition`` never show
    in ``invocation``."""
    return ansible_module(secrets=param_secrets, mask=mask_secrets_in, **kwargs)


def cluster_argument_spec(**options: dict) -> dict:
    """``AUTH_ARG_SPEC`` plus a module's own ``options`` (a fresh copy: AnsibleModule may alter it)."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(copy.deepcopy(options))
    return spec


def apply_argument_spec() -> dict:
    """The options of the ``clusternet.k8s.k8s_apply_options`` doc fragment."""
    return copy.deepcopy(APPLY_ARG_SPEC)


def wait_argument_spec() -> dict:
    """The options of the ``clusternet.k8s.k8s_wait_options`` doc fragment."""
    return copy.deepcopy(wait.WAIT_ARG_SPEC)


def require_libraries(module: Any, need_yaml: bool = False, need_jmespath: bool = False,
                      need_kubernetes: bool = True) -> None:
    """Fail with Ansible's standard message if ``kubernetes`` (or, when ``need_yaml``, PyYAML; when ``need_jmespath``,
    jmespath) is missing."""
    if need_kubernetes and KUBERNETES_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("kubernetes"), exception=str(KUBERNETES_IMPORT_ERROR))
    if need_jmespath and JMESPATH_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib("jmespath"), exception=str(JMESPATH_IMPORT_ERROR))
    if need_yaml and objects.yaml is None:
        module.fail_json(msg=missing_required_lib("PyYAML"))


def connect(module: Any) -> Cluster:
    """A :class:`Cluster` from the module's auth options and ``K8S_AUTH_*``; every secret is added to ``no_log_values``.

    Raises ``InputError`` or ``ConfigError``.
    """
    auth = resolve_auth(module.params, os.environ)
    module.no_log_values.update(secrets(auth))
    configuration = build_configuration(auth)
    module.no_log_values.update(configuration_secrets(configuration))
    return Cluster.connect(configuration, headers=impersonation_headers(auth))


def wait_check(params: dict) -> wait.Condition | wait.JsonPath | None:
    """The check for ``wait_condition`` or ``wait_jsonpath`` (see ``wait``), or ``None`` when neither is set."""
    if params.get("wait_condition"):
        condition = params["wait_condition"]
        return wait.Condition(condition["type"], condition.get("status") or "True", condition.get("reason"))
    if params.get("wait_jsonpath"):
        return wait.JsonPath(params["wait_jsonpath"]["path"], to_builtin(params["wait_jsonpath"].get("value")))
    return None


def fail(module: Any, exc: Exception, **result: Any) -> None:
    """``fail_json`` with the error's message and details (``status``, ``reason``, ``causes``, ``last_object``...)."""
    details = exc.details() if hasattr(exc, "details") else {}
    details.update(result)
    module.fail_json(msg=str(exc), **details)

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Ansible edge shared by every module: building the AnsibleModule without a traceback or a secret shown."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, Iterable

from ansible.module_utils.basic import AnsibleModule, _load_params, remove_values

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, check_structure, shown


class SecretsAwareModule(AnsibleModule):
    """``AnsibleModule`` that knows a module's secrets before it validates anything.

    ``secrets(params)`` finds the secret strings of the raw arguments (whatever their shape): they join
    ``no_log_values`` as soon as the arguments are read, so that even a failure of the argument
    validation itself, which returns every argument in ``invocation``, shows none of them.
    ``mask(params)`` gives the arguments as ``invocation`` shows them (Secret values masked, say); by
    default, without what is nested too deep to show.
    """

    def __init__(self, secrets=None, mask=None, **kwargs):
        self._find_secrets, self._mask_args = secrets, mask or shown
        super().__init__(**kwargs)

    def _load_params(self):
        super()._load_params()
        if self._find_secrets is not None:
            self.no_log_values.update(self._find_secrets(self.params))

    def _return_formatted(self, kwargs):
        if self._mask_args is not None and "invocation" not in kwargs:
            kwargs["invocation"] = {"module_args": self._mask_args(self.params)}
        super()._return_formatted(kwargs)


def ansible_module(secrets: Callable[[dict[str, Any]], Iterable[str]] | None = None,
                   mask: Callable[[dict[str, Any]], Any] | None = None, **kwargs: Any) -> SecretsAwareModule:
    """``AnsibleModule(**kwargs)`` (see :class:`SecretsAwareModule` for ``secrets`` and ``mask``), failing cleanly
    where ansible-core's argument parser itself crashes, and on arguments nested too deep or holding an integer too
    long for Python to print (``common.check_structure``).

    ansible-core raises TypeError while validating some wrong shapes, e.g. a number or ``[null]``
    given to a mapping option that has sub-options, and OverflowError for an int option given a list holding an
    integer beyond 64 bits. A user should get a failed task, not a traceback.
    """
    try:
        module = SecretsAwareModule(secrets=secrets, mask=mask, **kwargs)
    except (TypeError, AttributeError, ValueError, OverflowError, RecursionError) as exc:
        options = sorted(name for name, spec in kwargs.get("argument_spec", {}).items() if spec.get("options"))
        if isinstance(exc, RecursionError):
            msg = "The module arguments could not be validated: they are nested too deeply."
        elif isinstance(exc, OverflowError):
            msg = "The module arguments could not be validated: a number is too large for its option (%s)." % exc
        else:
            msg = ("The module arguments could not be validated (%s). Options that take a mapping (%s) must be given "
                   "a mapping." % (exc, ", ".join(options) or "none"))
        if secrets is not None:
            msg = remove_values(msg, secrets(_load_params()))
        # No AnsibleModule exists to call fail_json on: speak the module protocol directly.
        print(json.dumps({"failed": True, "msg": msg}))  # pylint: disable=ansible-bad-function
        sys.exit(1)  # pylint: disable=ansible-bad-function
    for name, value in module.params.items():  # refused before any code that recurses sees it
        try:
            check_structure(value, name)
        except InputError as exc:
            module.fail_json(msg=str(exc), changed=False)
    return module

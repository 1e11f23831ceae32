# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The Ansible edge shared by every module: building the AnsibleModule without a traceback."""

from __future__ import annotations

import json
import sys

from ansible.module_utils.basic import AnsibleModule


def ansible_module(**kwargs):
    """``AnsibleModule(**kwargs)``, failing cleanly where ansible-core's argument parser itself crashes.

    ansible-core raises TypeError while validating some wrong shapes, e.g. a number or ``[null]``
    given to a mapping option that has sub-options. A user should get a failed task, not a traceback.
    """
    try:
        return AnsibleModule(**kwargs)
    except (TypeError, AttributeError, ValueError) as exc:
        options = sorted(name for name, spec in kwargs.get("argument_spec", {}).items() if spec.get("options"))
        msg = ("The module arguments could not be validated (%s). Options that take a mapping (%s) must be given "
               "a mapping." % (exc, ", ".join(options) or "none"))
        # No AnsibleModule exists to call fail_json on: speak the module protocol directly.
        print(json.dumps({"failed": True, "msg": msg}))  # pylint: disable=ansible-bad-function
        sys.exit(1)  # pylint: disable=ansible-bad-function

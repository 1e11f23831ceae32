"""``patch_module_args(args)``: run a module's ``main()`` in-process with these arguments, on every supported ansible-core.

ansible-core 2.19 ships it as ``ansible.module_utils.testing.patch_module_args``; 2.17 and 2.18 read the arguments
from ``ansible.module_utils.basic._ANSIBLE_ARGS``, which this stand-in sets for the duration of the block.
"""
from __future__ import annotations

import contextlib
import json

__all__ = ["patch_module_args"]

try:
    from ansible.module_utils.testing import patch_module_args  # noqa: F401  (ansible-core 2.19+)
except ImportError:
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

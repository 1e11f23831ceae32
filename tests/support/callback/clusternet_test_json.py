# -*- coding: utf-8 -*-
"""Test-only stdout callback: prints one JSON document with every task result and the stats."""

from __future__ import annotations

DOCUMENTATION = r"""
name: clusternet_test_json
type: stdout
short_description: JSON results for the clusternet.k8s test suite
description: Collects every task result and prints them with the play stats as one JSON document.
"""

import json
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "clusternet_test_json"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = []
        self._started = {}

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.monotonic()

    def _record(self, result, status):
        started = self._started.pop((result._host.get_name(), result._task._uuid), None)
        self.results.append({
            "host": result._host.get_name(),
            "task": result._task.get_name(),
            "action": result._task.action,
            "status": status,
            "result": self._strip(result._result),
            # seconds, and whether the task is this collection's (its module, or its filters in the arguments)
            "duration": time.monotonic() - started if started is not None else None,
            "ours": result._task.action.startswith("clusternet.k8s.")
            or "clusternet.k8s." in json.dumps(result._task.args, default=str),
        })

    @staticmethod
    def _strip(res):
        return json.loads(json.dumps(res, default=str))

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        summary = {h: stats.summarize(h) for h in hosts}
        self._display.display(json.dumps({"tasks": self.results, "stats": summary}, default=str))

"""The oracle: the upstream Kubernetes code pinned in ``tests/kube/go.mod`` as the judge of the filters.

``tests/kube/cmd/oracle`` (Go) answers, for each filter that has upstream logic, what the filter must
return, by calling that logic (see its ``filters.go`` for the functions behind each name). This module
runs it and exposes it under the filters' own names and arguments::

    from tests.support.oracle import oracle_filters, OracleError

    with oracle_filters() as F:
        F["pod_hosts"](pod, node_hosts="...", cluster_domain="cluster.local")   # the exact file
        F["service_ip_plan"](service, ["10.96.0.0/12"])                         # raises OracleError(text)

One oracle process per release serves the whole session: every ``oracle_filters(release)`` block reuses it
(it stops when the interpreter exits, or with ``close_oracle(release)``). ``release`` is one of
``tests/kube/releases.txt`` (default: the one go.mod pins); each call is made with ``kubernetes_version``
set to it unless the caller sets it. ``OracleError`` carries upstream's error text; ``OracleError.own`` is true when
upstream has no error text of its own there (it does nothing, e.g. writes no file) and the text is the
oracle's; ``OracleError.alternatives`` lists every failure upstream could report first. A request the
oracle cannot judge (a bug of the caller or of the oracle) raises ``OracleFault``.

Nothing here imports the collection: the oracle judges it.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import tempfile
import threading

from .kube_cluster import ensure_binary, kubernetes_release

# The filters the oracle judges (tests/kube/cmd/oracle/filters.go).
FILTERS = ("component_flag_errors", "downward_values", "node_pod_cidrs", "pod_hosts", "service_cidr_info",
           "service_ip_plan", "validation_errors")


class OracleError(Exception):
    """Upstream refuses: ``text`` is its error text (see the module docstring for ``own`` and ``alternatives``)."""

    def __init__(self, text, own=False, alternatives=None):
        super().__init__(text)
        self.text = text
        self.own = own
        self.alternatives = list(alternatives or [text])


class OracleFault(RuntimeError):
    """The oracle could not judge the request (unknown filter, bad arguments, a panic)."""


class Oracle:
    """One oracle process, answering one JSON line per request."""

    def __init__(self, binary=None, release=None):
        self.release = release or kubernetes_release()
        self.binary = binary or ensure_binary("oracle", self.release)
        self._log = tempfile.NamedTemporaryFile(prefix="oracle-", suffix=".log", delete=False)  # pylint: disable=consider-using-with
        self._lock = threading.Lock()
        self.process = subprocess.Popen([self.binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,   # pylint: disable=consider-using-with
                                        stderr=self._log, text=True, encoding="utf-8", bufsize=1)

    def call(self, name, *args, **kwargs):
        """The filter's value for ``args``/``kwargs``, or ``OracleError``."""
        line = json.dumps({"filter": name, "args": list(args), "kwargs": kwargs}) + "\n"
        with self._lock:
            if self.process.poll() is not None:
                raise OracleFault("the oracle exited (%s); its log: %s" % (self.process.returncode, self.log_tail()))
            self.process.stdin.write(line)
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        if not answer:
            raise OracleFault("the oracle stopped answering; its log: %s" % self.log_tail())
        reply = json.loads(answer)
        if "fault" in reply:
            raise OracleFault("%s: %s" % (name, reply["fault"]))
        if "error" in reply:
            raise OracleError(reply["error"], reply.get("own", False), reply.get("alternatives"))
        return reply["value"]

    def log_tail(self, size=4000):
        self._log.flush()
        with open(self._log.name, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read().decode(errors="replace")

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)


class OracleFilters(dict):
    """``{filter name: callable}`` with the filters' signatures, backed by one :class:`Oracle`."""

    def __init__(self, oracle):
        super().__init__({name: self._bind(oracle, name) for name in FILTERS})
        self.oracle = oracle
        self.release = oracle.release

    @staticmethod
    def _bind(oracle, name):
        def call(*args, **kwargs):
            kwargs.setdefault("kubernetes_version", oracle.release)
            return oracle.call(name, *args, **kwargs)
        call.__name__ = name
        call.release = oracle.release
        return call


_shared = {}
_shared_lock = threading.Lock()


def shared_oracle(release=None):
    """The session's oracle process at ``release`` (default: the pinned one), started on first use."""
    release = release or kubernetes_release()
    with _shared_lock:
        found = _shared.get(release)
        if found is None or found.process.poll() is not None:
            found = _shared[release] = Oracle(release=release)
            atexit.register(found.close)
        return found


def close_oracle(release):
    """Stop the session's oracle at ``release`` (a tier done with a release frees its memory)."""
    with _shared_lock:
        found = _shared.pop(release, None)
    if found is not None:
        found.close()


@contextlib.contextmanager
def oracle_filters(release=None):
    """The oracle's filters at ``release``, by name (see the module docstring)."""
    yield OracleFilters(shared_oracle(release))

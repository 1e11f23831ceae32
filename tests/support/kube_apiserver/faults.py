"""Fault injection rules and the request log, shared by the in-process handle and the ``/_test`` admin API."""
import dataclasses
import fnmatch
import threading

ACTIONS = ("conflict", "429", "500", "410", "delay", "drop")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclasses.dataclass
class Fault:
    """Act on matching requests: skip the first ``after``, then act ``times`` times (None: every time).

    ``verb`` is a Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection),
    an HTTP method, or ``*``; ``path`` is a glob over the URL path (``/api/v1/namespaces/*/configmaps*``).
    """
    verb: str
    path: str
    action: str
    times: int = 1
    after: int = 0
    opts: dict = dataclasses.field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError("unknown fault action %r; expected one of %s" % (self.action, ", ".join(ACTIONS)))

    def matches(self, verb, method, path):
        wanted = self.verb.upper() if self.verb.upper() in HTTP_METHODS else self.verb
        return wanted in ("*", verb, method) and fnmatch.fnmatchcase(path, self.path)

    def as_dict(self):
        return dataclasses.asdict(self)


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []

    def add(self, verb, path, action, times=1, after=0, **opts):
        rule = Fault(verb, path, str(action), times, after, opts)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self._rules.clear()

    def rules(self):
        with self._lock:
            return [r.as_dict() for r in self._rules]

    def take(self, verb, method, path):
        """The first matching rule that is due to act on this request, or None; matching rules count it as seen."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(verb, method, path):
                    continue
                rule.seen += 1
                if rule.seen > rule.after and (rule.times is None or rule.fired < rule.times):
                    rule.fired += 1
                    return rule
        return None


class RequestLog:
    """Every API request: ``{"verb", "method", "path", "query", "status", "user_agent", "fault"}``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)

    def entries(self):
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self):
        with self._lock:
            self._entries.clear()

"""Object storage: one global resourceVersion counter, objects by key, and a bounded event history for watches."""
import collections
import copy
import threading

from . import errors


class Event:
    __slots__ = ("rv", "key", "type", "obj", "prev")

    def __init__(self, rv, key, type_, obj, prev):
        self.rv, self.key, self.type, self.obj, self.prev = rv, key, type_, obj, prev


class Store:
    """Everything happens under one lock, so a read-modify-write in the API layer is atomic."""

    def __init__(self, watch_buffer=1000):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.rv = 0
        self.epoch = 0          # bumped on reset and stop: open watches end
        self._objects = {}
        self._events = collections.deque(maxlen=watch_buffer)

    def clear(self):
        """Forget every object and event; resourceVersions keep growing so no client sees one twice."""
        with self.lock:
            self._objects.clear()
            self._events.clear()
            self.end_watches()

    def end_watches(self):
        with self.lock:
            self.epoch += 1
            self.changed.notify_all()

    def get(self, key, namespace, name):
        """A private copy of the stored object, or None."""
        with self.lock:
            obj = self._objects.get((key, namespace or "", name))
            return copy.deepcopy(obj)

    def list(self, key, namespace=None):
        """Private copies of the objects of ``key`` (in ``namespace`` if given), in etcd key order."""
        with self.lock:
            found = [(k[1], k[2], o) for k, o in self._objects.items() if k[0] == key and (namespace is None or k[1] == namespace)]
            return [copy.deepcopy(entry[2]) for entry in sorted(found, key=lambda t: (t[0], t[1]))]

    def namespaced_keys(self, namespace):
        with self.lock:
            return sorted({k[0] for k in self._objects if k[1] == namespace})

    def put(self, key, obj, prev=None):
        """Store ``obj`` with a new resourceVersion (written into it) and record ADDED/MODIFIED."""
        with self.lock:
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            meta = obj["metadata"]
            self._objects[(key, meta.get("namespace", ""), meta["name"])] = copy.deepcopy(obj)
            self._record(key, "MODIFIED" if prev else "ADDED", obj, prev)
            return obj

    def remove(self, key, obj):
        """Delete ``obj``; the DELETED event carries the deletion's resourceVersion, as etcd's does."""
        with self.lock:
            meta = obj["metadata"]
            prev = self._objects.pop((key, meta.get("namespace", ""), meta["name"]))
            self.rv += 1
            obj = copy.deepcopy(prev)
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self._record(key, "DELETED", obj, prev)
            return obj

    def _record(self, key, type_, obj, prev):
        self._events.append(Event(self.rv, key, type_, copy.deepcopy(obj), prev))
        self.changed.notify_all()

    def events_after(self, rv):
        """Events newer than ``rv``; 410 Expired when the history no longer reaches back that far."""
        with self.lock:
            oldest = self._events[0].rv if self._events else self.rv + 1
            if rv < oldest - 1 and rv < self.rv:
                raise errors.expired("too old resource version: %d (%d)" % (rv, oldest - 1))
            return [e for e in self._events if e.rv > rv]

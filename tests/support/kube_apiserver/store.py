"""Object storage: one global resourceVersion counter, objects by key, and a bounded event history for watches."""
import bisect
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
        self._orders = {}       # key -> ([etcd keys], [objects' storage keys]) in etcd key order, until one is added or removed
        self._events = collections.deque(maxlen=watch_buffer)

    def clear(self):
        """Forget every object and event; resourceVersions keep growing so no client sees one twice."""
        with self.lock:
            self._objects.clear()
            self._orders.clear()
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
            return [copy.deepcopy(o) for o in self.listed(key, namespace)]

    def listed(self, key, namespace=None, after=""):
        """The stored objects of ``key`` themselves, in etcd key order (``namespace/name``): in ``namespace`` if given,
        and after the etcd key ``after`` if given. Not copies: read them under ``lock`` and never change them.

        The order is kept until an object of ``key`` is added or removed, so paging through a large
        collection costs a binary search and the page, not a sort and a copy of everything, per request.
        """
        with self.lock:
            order = self._orders.get(key)
            if order is None:
                pairs = sorted((_etcd_key(k[1], k[2]), k) for k in self._objects if k[0] == key)
                order = self._orders[key] = ([p[0] for p in pairs], [p[1] for p in pairs])
            keys, refs = order
            lo, hi = 0, len(keys)
            if namespace is not None:
                lo, hi = bisect.bisect_left(keys, namespace + "/"), bisect.bisect_left(keys, namespace + "0")  # "0" follows "/"
            if after:
                lo = max(lo, bisect.bisect_right(keys, after))
            return [self._objects[ref] for ref in refs[lo:hi]]

    def namespaced_keys(self, namespace):
        with self.lock:
            return sorted({k[0] for k in self._objects if k[1] == namespace})

    def put(self, key, obj, prev=None):
        """Store ``obj`` with a new resourceVersion (written into it) and record ADDED/MODIFIED."""
        with self.lock:
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            meta = obj["metadata"]
            ref = (key, meta.get("namespace", ""), meta["name"])
            if ref not in self._objects:
                self._orders.pop(key, None)
            self._objects[ref] = copy.deepcopy(obj)
            self._record(key, "MODIFIED" if prev else "ADDED", obj, prev)
            return obj

    def remove(self, key, obj):
        """Delete ``obj``; the DELETED event carries the deletion's resourceVersion, as etcd's does."""
        with self.lock:
            meta = obj["metadata"]
            prev = self._objects.pop((key, meta.get("namespace", ""), meta["name"]))
            self._orders.pop(key, None)
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


def _etcd_key(namespace, name):
    """Where etcd keeps an object, below its resource's prefix: lists and continue tokens follow this order."""
    return "%s/%s" % (namespace, name)

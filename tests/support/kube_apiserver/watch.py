"""Watch: initial ADDED events, replay from a resourceVersion, 410 Expired beyond the history, selectors, timeouts."""
import time

from . import api, errors


def _visible(event, key, matches):
    """The event as this watcher sees it: an object that starts or stops matching is ADDED or DELETED."""
    if event.key != key:
        return None
    before = event.prev is not None and matches(event.prev)
    if event.type == "DELETED":
        return ("DELETED", event.obj) if before else None
    after = matches(event.obj)
    if after:
        return ("MODIFIED" if before else "ADDED"), event.obj
    return ("DELETED", event.obj) if before else None


def _start(cluster, res, namespace, query, matches):
    """(events to send first, resourceVersion they reach) for the watch's starting point."""
    store = cluster.store
    rv = query.get("resourceVersion", "")
    if query.get("sendInitialEvents") == "true" or rv in ("", "0"):
        return [("ADDED", o) for o in store.list(res.key, namespace) if matches(o)], store.rv
    try:
        since = int(rv)
    except ValueError:
        raise errors.bad_request("invalid resource version: %s" % rv) from None
    return [v for v in (_visible(e, res.key, matches) for e in store.events_after(since)) if v], store.rv


def serve(cluster, res, namespace, query, send):
    """Stream events through ``send(type, object) -> bool`` (False: the client is gone) until timeout, reset or stop."""
    labels, fields = api.selectors(query)

    def matches(obj):
        meta = obj["metadata"]
        return (namespace is None or meta.get("namespace") == namespace) and labels(meta.get("labels")) and fields(obj)

    timeout = float(query.get("timeoutSeconds") or 0)
    deadline = time.monotonic() + timeout if timeout else None
    store = cluster.store
    try:
        with store.lock:
            epoch = store.epoch
            pending, last = _start(cluster, res, namespace, query, matches)
        initial_end = query.get("sendInitialEvents") == "true"
        while True:
            for type_, obj in pending:
                if not send(type_, cluster.out(res, dict(obj))):
                    return
            if initial_end:
                initial_end = False
                bookmark = {"kind": res.kind, "apiVersion": res.api_version,
                            "metadata": {"resourceVersion": str(last), "annotations": {"k8s.io/initial-events-end": "true"}}}
                if not send("BOOKMARK", bookmark):
                    return
            with store.lock:
                while store.rv == last and store.epoch == epoch and (deadline is None or time.monotonic() < deadline):
                    store.changed.wait(1.0 if deadline is None else min(1.0, max(deadline - time.monotonic(), 0.01)))
                if store.epoch != epoch or store.rv == last:
                    return
                pending = [v for v in (_visible(e, res.key, matches) for e in store.events_after(last)) if v]
                last = store.rv
    except errors.ApiError as exc:
        send("ERROR", exc.status())

# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""Bring a list of definitions to a state (present by server-side apply, or absent), in order.

Shared by ``k8s_apply`` and every module that applies objects. ``changed`` means the live object
differs afterwards (server-owned fields aside); in check mode the server's dry-run answer stands in
for "afterwards". A failure stops the list and says which objects were applied and which were not:
an object the server accepted counts as applied (and changed) whatever fails afterwards (its wait,
or the answer to the write itself, when reading the object back shows the write went through).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s import wait as _wait
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.errors import ApiError, ConnectionFailure, DiscoveryError, K8sError
from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.objects import (
    Ref, apply_body, changed_fields, differs, mask_secret, masked_pair, ref_of, without_managed_fields)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote

if TYPE_CHECKING:  # for the hints only: apply is given a cluster, it never makes one
    from ansible_collections.clusternet.k8s.plugins.module_utils.k8s.client import Cluster

CHANGING_ACTIONS = ("created", "updated", "deleted")

# The options of the ``clusternet.k8s.k8s_apply_options`` doc fragment.
APPLY_ARG_SPEC = {
    "field_manager": {"type": "str", "default": "clusternet.k8s"},
    "force_conflicts": {"type": "bool", "default": False},
}


@dataclass(frozen=True)
class ApplyOptions:
    """How to apply: ``wait_for`` is a check from ``wait`` (``None``: present objects wait as kubernetes.core's waiter
    does for their kind, ``wait.Ready``)."""

    state: str = "present"
    field_manager: str = "clusternet.k8s"
    force: bool = False
    check_mode: bool = False
    namespace: str | None = None
    wait: bool = False
    wait_for: object = None
    wait_timeout: int = 120
    wait_sleep: int = 5
    continue_on_error: bool = False
    delete_options: dict | None = None

    def __post_init__(self) -> None:
        _wait.check_timing(self.wait_timeout, self.wait_sleep)


@dataclass
class Outcome:
    """What happened to one definition.

    ``action``: ``created``, ``updated``, ``unchanged``, ``deleted``, ``absent`` (nothing to
    delete), ``deleting`` (deletion already pending), ``failed`` or ``skipped`` (not attempted).
    ``error`` (and the exception, ``cause``) is set for ``failed``, and for an object that was
    applied or deleted but whose wait, or the answer to whose write, failed.
    """

    ref: Ref
    action: str
    before: dict | None = None
    after: dict | None = None
    error: str | None = None
    cause: Exception | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return self.action in CHANGING_ACTIONS

    def as_result(self) -> dict:
        entry = dict(self.ref.as_dict(), action=self.action, changed=self.changed,
                     result=mask_secret(without_managed_fields(self.after)) or {})
        if self.error:
            entry["error"] = self.error
        return entry

    def diff(self) -> dict:
        """Ansible's diff for this object: only the fields that change (a Secret's values masked as kubectl masks them)."""
        before, after = changed_fields(*masked_pair(self.before, self.after))
        return {"before": before, "after": after, "before_header": "%s (live)" % self.ref,
                "after_header": "%s (%s)" % (self.ref, self.action)}


class BatchFailure(K8sError):
    """One definition failed: ``outcomes`` covers every definition, ``error`` is the cause."""

    def __init__(self, outcomes: list[Outcome], error: Exception) -> None:
        self.outcomes, self.error = outcomes, error
        text = str(error)
        if len(outcomes) > 1 or any(o.changed for o in outcomes):
            text += " " + done_note(outcomes)
        super().__init__(text, getattr(error, "verb", None), getattr(error, "target", None))

    def details(self) -> dict:
        details = self.error.details() if isinstance(self.error, K8sError) else {}
        if "last_object" in details:
            details["last_object"] = mask_secret(details["last_object"])
        return details


def done_note(outcomes: list[Outcome]) -> str:
    """``[2 of 3 objects done: ConfigMap default/a created, ...; not applied: ...]``, for a failure message."""
    done = [o for o in outcomes if o.action not in ("failed", "skipped")]
    pending = [str(o.ref) for o in outcomes if o.action in ("failed", "skipped")]
    return "[%d of %d objects done: %s; not applied: %s]" % (
        len(done), len(outcomes), ", ".join("%s %s" % (o.ref, o.action) for o in done) or "none", ", ".join(pending) or "none")


@dataclass
class DryRunPlan:
    """What earlier objects of a check-mode run would create: namespaces, and the kinds of new CRDs.

    A dry run stores nothing, so an object in such a namespace, or of such a kind, cannot be dry-run
    in turn: its outcome is predicted from its definition instead.
    """

    namespaces: set = field(default_factory=set)
    kinds: dict = field(default_factory=dict)  # (apiVersion, kind) -> namespaced

    def record(self, outcome: Outcome) -> None:
        if outcome.action != "created":
            return
        if (outcome.ref.api_version, outcome.ref.kind) == ("v1", "Namespace"):
            self.namespaces.add(outcome.ref.name)
        elif outcome.ref.kind == "CustomResourceDefinition":
            spec = outcome.after.get("spec") or {}  # type: ignore[union-attr]  # created: the server's answer
            for version in spec.get("versions") or []:
                key = ("%s/%s" % (spec.get("group"), version.get("name")), (spec.get("names") or {}).get("kind"))
                self.kinds[key] = spec.get("scope") == "Namespaced"


def apply_all(cluster: Cluster, definitions: list, options: ApplyOptions) -> list[Outcome]:
    """Bring each definition (a dict from ``objects.load_definitions``) to ``options.state``, in order.

    Returns one :class:`Outcome` per definition, or raises :class:`BatchFailure` at the first error (a
    ``K8sError``, or an ``InputError`` for a definition only the server's answers show to be wrong, such as
    the namespace of a kind that turns out to be namespaced). With ``options.continue_on_error`` a failed object is
    only recorded (``action=failed``) and the next one is attempted, as kubernetes.core's ``continue_on_error`` does.
    """
    outcomes, plan = [], DryRunPlan()
    for i, definition in enumerate(definitions):
        try:
            outcome = apply_one(cluster, definition, options, plan)
        except (K8sError, InputError) as exc:
            outcome = Outcome(_identity(definition, options), "failed", error=str(exc), cause=exc)
        outcomes.append(outcome)
        if outcome.cause is not None and not options.continue_on_error:
            outcomes.extend(Outcome(_identity(d, options), "skipped") for d in definitions[i + 1:])
            raise BatchFailure(outcomes, outcome.cause) from None
        if options.check_mode:
            plan.record(outcome)
    return outcomes


def apply_one(cluster: Cluster, definition: dict, options: ApplyOptions, plan: DryRunPlan | None = None) -> Outcome:
    """One definition brought to ``options.state``; raises ``K8sError``. ``plan``: see :class:`DryRunPlan`."""
    if options.state == "absent":
        return _absent(cluster, definition, options)
    return _present(cluster, definition, options, plan or DryRunPlan())


def _present(cluster, definition, options, plan):
    try:
        ref = cluster.ref(definition, options.namespace)
    except DiscoveryError:
        namespaced = plan.kinds.get((definition["apiVersion"], definition["kind"]))
        if namespaced is None:
            raise
        return _predicted(ref_of(definition, namespaced, options.namespace), definition)
    if ref.namespace in plan.namespaces:
        return _predicted(ref, definition)
    pinned = (definition.get("metadata") or {}).get("resourceVersion")
    attempt = 1
    while True:
        before = cluster.get(ref)  # a fresh read for every attempt: "changed" compares with what was replaced
        try:
            after = cluster.apply(definition, options.field_manager, options.force, options.check_mode, options.namespace)
            break
        except ApiError as exc:
            if exc.modified_conflict and not pinned and attempt < cluster.policy.attempts:
                cluster.pause(attempt)
                attempt += 1
                continue
            _conflict_hint(exc, ref, options, pinned, attempt)
            if options.check_mode or not _maybe_written(exc):
                raise
            return _written_anyway(cluster, ref, before, exc)
        except ConnectionFailure as exc:
            if options.check_mode:
                raise
            return _written_anyway(cluster, ref, before, exc)
    action = "created" if before is None else "updated" if differs(before, after) else "unchanged"
    outcome = Outcome(ref, action, before, after)
    if options.wait and not options.check_mode:
        _wait_for(outcome, lambda: cluster.wait(ref, options.wait_for or _wait.Ready(ref.kind), options.wait_timeout,
                                                options.wait_sleep))
    return outcome


def _conflict_hint(exc, ref, options, pinned, attempts):
    """What to do about a 409: only a field manager conflict is solved by ``force_conflicts``."""
    if exc.field_manager_conflict and not options.force:
        exc.hint = ('%s applies as field manager "%s"; set force_conflicts=true to take ownership of the conflicting fields'
                    % (ref, options.field_manager))
    elif exc.modified_conflict and pinned:
        exc.hint = ("the definition carries metadata.resourceVersion %s, which the live object no longer has: remove "
                    "metadata.resourceVersion to apply over whatever version is live" % go_quote(str(pinned)))
    elif exc.modified_conflict:
        exc.attempts = max(exc.attempts, attempts)  # each attempt read the object afresh; it changed every time


def _wait_for(outcome, wait):
    """Run ``wait`` for an object the server accepted; a failure is recorded on its outcome, which stays applied."""
    try:
        outcome.after = wait()
    except K8sError as exc:
        outcome.error, outcome.cause = str(exc), exc


def _maybe_written(exc):
    """Whether the server may have carried out a write whose answer was this error (a 5xx: it failed, or a proxy did)."""
    return exc.code >= 500


def _written_anyway(cluster, ref, before, exc):
    """The outcome of an apply whose answer was lost (``exc``): the object is read back, and counts as applied
    (with ``exc`` as its error) when it now differs from ``before``; otherwise ``exc`` is raised."""
    try:
        live = cluster.get(ref)
    except K8sError:
        exc.hint = "whether %s was applied before that could not be read back" % ref
        raise exc from None
    if live is None or not differs(before, live):
        raise exc
    return Outcome(ref, "created" if before is None else "updated", before, live, error=str(exc), cause=exc)


def _predicted(ref, definition):
    """A check-mode outcome the server could not dry-run (see :class:`DryRunPlan`)."""
    return Outcome(ref, "created", None, apply_body(definition, ref))


def _absent(cluster, definition, options):
    try:
        ref = cluster.ref(definition, options.namespace)
    except DiscoveryError:  # the kind is not served at all, so no such object exists
        return Outcome(_identity(definition, options), "absent")
    before = cluster.get(ref)
    if before is None:
        return Outcome(ref, "absent")
    outcome = Outcome(ref, "deleting", before, None)
    attempt = 1
    while not (before.get("metadata") or {}).get("deletionTimestamp"):
        try:
            cluster.delete(ref, dry_run=options.check_mode, options=options.delete_options)
        except (ApiError, ConnectionFailure) as exc:
            preconditions = (options.delete_options or {}).get("preconditions")
            if isinstance(exc, ApiError) and exc.modified_conflict and not preconditions and attempt < cluster.policy.attempts:
                cluster.pause(attempt)
                attempt += 1
                before = cluster.get(ref)
                if before is None:
                    return Outcome(ref, "absent")
                outcome.before = before
                continue
            if options.check_mode or (isinstance(exc, ApiError) and not _maybe_written(exc)):
                if isinstance(exc, ApiError) and exc.modified_conflict:
                    exc.attempts = max(exc.attempts, attempt)
                raise
            _deleted_anyway(cluster, ref, exc)
            outcome.error, outcome.cause = str(exc), exc
        outcome.action = "deleted"
        break
    if options.wait and not options.check_mode and outcome.cause is None:
        _wait_for(outcome, lambda: cluster.wait(ref, _wait.Gone(), options.wait_timeout, options.wait_sleep))
    return outcome


def _deleted_anyway(cluster, ref, exc):
    """Raise ``exc`` unless reading the object back shows its deletion went through (gone, or pending)."""
    try:
        live = cluster.get(ref)
    except K8sError:
        exc.hint = "whether %s was deleted before that could not be read back" % ref
        raise exc from None
    if live is not None and not (live.get("metadata") or {}).get("deletionTimestamp"):
        raise exc


def _identity(definition, options):
    """A best-effort :class:`Ref` without asking the server (for objects that failed or were skipped)."""
    metadata = definition.get("metadata") or {}
    return Ref(definition.get("apiVersion"), definition.get("kind"), metadata.get("name"),
               metadata.get("namespace") or options.namespace)


def summary(outcomes: list[Outcome], with_diff: bool = False) -> dict:
    """A module result: ``changed``, ``objects`` (one entry per definition), ``result`` when there is one
    definition, and ``diff`` (changed objects only) when ``with_diff``."""
    summary_: dict = {"changed": any(o.changed for o in outcomes), "objects": [o.as_result() for o in outcomes]}
    if len(outcomes) == 1:
        summary_["result"] = summary_["objects"][0]["result"]
    if with_diff:
        summary_["diff"] = [o.diff() for o in outcomes if o.changed]
    return summary_

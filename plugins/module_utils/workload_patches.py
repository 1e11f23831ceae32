# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The server-side apply patches of the workload roles (``host_aliases``, ``downward_api``): one builder.

Each workload (``{kind, name, namespace, api_version, ...}``) gets the smallest patch that sets the feature's pod
spec fields (``resources.pod_spec_patch``), its manifest file name, and its problems: kube-apiserver's validation
errors of the patch (``resources.validation_errors``, for the current release) and a workload listed twice (its
second patch would undo the first), each prefixed with the workload.
"""

from __future__ import annotations

from ansible_collections.clusternet.k8s.plugins.module_utils import hosts, resources
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.exposure import downward_env, downward_volume_items
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional

PRESENT, ABSENT = "present", "absent"
DOWNWARD_VOLUME_NAME = "podinfo"


def host_aliases_spec(workload: dict, present: bool = True) -> dict:
    """``{hostAliases}`` of the workload's ``entries`` (``hosts.host_aliases``, not validated: the patch is);
    absent: an empty list, so the field manager owns no entry."""
    entries = (workload.get("entries") or []) if present else []
    return {"hostAliases": hosts.host_aliases(entries, validate=False)}


def downward_api_spec(workload: dict, present: bool = True) -> dict:
    """The workload's ``containers`` (names) with the Downward API ``env`` (``downward_env``) and the mount of
    its ``volume`` (``{name, mount_path, files, default_mode}``; ``files`` as for ``downward_volume_items``,
    the volume named ``podinfo`` unless named), and that ``downwardAPI`` volume; absent: empty lists of containers
    and volumes, so the field manager owns nothing in the workload."""
    if not present:
        return {"containers": [], "volumes": []}
    names = optional(workload.get("containers"), list, "containers", [])
    env = downward_env(workload.get("env") or {}, validate=False)
    volume = optional(workload.get("volume") or {}, dict, "volume")
    container = {"env": env} if env else {}
    spec = {}
    if volume:
        volume_name = volume.get("name") or DOWNWARD_VOLUME_NAME
        container["volumeMounts"] = [{"name": volume_name, "mountPath": volume.get("mount_path"), "readOnly": True}]
        source = {"items": downward_volume_items(volume.get("files") or {}, validate=False)}
        if volume.get("default_mode") is not None:
            source["defaultMode"] = volume["default_mode"]
        spec = {"volumes": [{"name": volume_name, "downwardAPI": source}]}
    return dict({"containers": [dict({"name": name}, **container) for name in names]}, **spec)


FEATURES = {"host_aliases": host_aliases_spec, "downward_api": downward_api_spec}


def workload_patches(workloads: list, feature: str, state: str = PRESENT, listed_in: str = "workloads") -> list[dict]:
    """``[{ref, file, patch, errors}]``, one per workload of ``workloads``, in order: ``ref`` (``Kind ns/name``),
    ``file`` (``kind-ns-name.yaml``), ``patch`` (the server-side apply patch of ``feature``, ``host_aliases`` or
    ``downward_api``; with ``state`` ``absent``, the one that releases every entry the field manager set) and
    ``errors``. ``listed_in`` names the list in the error of a workload listed twice."""
    if not isinstance(feature, str) or feature not in FEATURES:
        raise InputError("feature must be one of %s, got %r" % (", ".join(sorted(FEATURES)), feature))
    if not isinstance(state, str) or state not in (PRESENT, ABSENT):
        raise InputError("state must be present or absent, got %r" % (state,))
    build = FEATURES[feature]
    seen, plan = set(), []
    for i, workload in enumerate(expect(workloads, list, "workloads")):
        workload = expect(workload, dict, "workloads[%d]" % i)
        namespace = optional(workload.get("namespace"), str, "workloads[%d].namespace" % i) or "default"
        kind = expect(workload.get("kind"), str, "workloads[%d].kind" % i)
        name = expect(workload.get("name"), str, "workloads[%d].name" % i)
        patch = resources.pod_spec_patch({"kind": kind, "name": name, "namespace": namespace,
                                          "apiVersion": workload.get("api_version")},
                                         build(workload, state == PRESENT))
        ref = "%s %s/%s" % (kind, namespace, name)
        errors = [str(error) for error in resources.validation_errors(patch, True)]
        if ref in seen:
            errors.insert(0, "listed more than once in %s" % listed_in)
        seen.add(ref)
        plan.append({"ref": ref, "file": "%s-%s-%s.yaml" % (kind.lower(), namespace, name), "patch": patch,
                     "errors": ["%s: %s" % (ref, error) for error in errors]})
    return plan

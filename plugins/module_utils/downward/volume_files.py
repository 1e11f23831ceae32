# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The files of a downwardAPI (or projected) volume as the kubelet writes them: items, modes and paths.

Sources, in kubernetes/kubernetes: ``pkg/volume/downwardapi/downwardapi.go`` (``CollectData``) and
``pkg/volume/util/atomic_writer.go`` (``validatePath``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, field
from ansible_collections.clusternet.k8s.plugins.module_utils.downward.inputs import Unresolved, int32, mappings
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import child
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import go_len

DEFAULT_MODE = 0o644  # DownwardAPIVolumeSourceDefaultMode and ProjectedVolumeSourceDefaultMode
MAX_PATH_LENGTH = 4096
MAX_FILE_NAME_LENGTH = 255


def go_clean_path(path: str) -> str:
    """Go's ``filepath.Clean`` on Linux (unlike ``posixpath.normpath``, ``//a`` becomes ``/a``)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def validate_atomic_writer_path(path: str) -> None:
    """``validatePath`` of the kubelet's atomic writer; raises ``InputError`` with its text.

    It sees the paths ``CollectData`` already cleaned. (A variant that cleans them again and adds
    Windows checks, kubernetes PR #136926, was closed unmerged.)
    """
    if not path:
        raise InputError("invalid path: must not be empty: %s" % go_quote(path))
    if path.startswith("/"):
        raise InputError("invalid path: must be relative path: %s" % path)
    if go_len(path) > MAX_PATH_LENGTH:
        raise InputError("invalid path: must be less than or equal to %d characters" % MAX_PATH_LENGTH)
    items = path.split("/")
    for item in items:
        if item == "..":
            raise InputError("invalid path: must not contain '..': %s" % path)
        if go_len(item) > MAX_FILE_NAME_LENGTH:
            raise InputError("invalid path: filenames must be less than or equal to %d characters" % MAX_FILE_NAME_LENGTH)
    if items[0].startswith("..") and len(items[0]) > 2:
        raise InputError("invalid path: must not start with '..': %s" % path)


def collect_data(items: list[tuple[dict, str]], default_mode: int, field_value: Callable[[str], str | Unresolved],
                 resource_value: Callable[[dict, str], str | Unresolved]) -> dict:
    """``CollectData``: ``{cleaned path: {"content", "mode"}}`` for ``(item, item path)`` pairs.

    ``field_value(fieldPath)`` gives a ``fieldRef``'s content (the path is used as written, not
    converted) and ``resource_value(resourceFieldRef, path)`` a ``resourceFieldRef``'s. Later items
    win on a repeated path. ``content`` is ``Unresolved`` when it cannot be known offline.
    """
    data = {}
    for item, path in items:
        mode = int32(item, "mode", path)
        content: Any = ""  # a text, or Unresolved until the reference is checked
        field_ref = field(item, "fieldRef", dict, path)
        resource_ref = field(item, "resourceFieldRef", dict, path)
        if field_ref is not None:
            content = field_value(field(field_ref, "fieldPath", str, child(path, "fieldRef"), ""))
        elif resource_ref is not None:
            content = resource_value(resource_ref, child(path, "resourceFieldRef"))
        if isinstance(content, Unresolved):
            content = content.at(path)
        data[go_clean_path(field(item, "path", str, path, ""))] = {
            "content": content, "mode": default_mode if mode is None else mode}
    return data


def container_files(view: Any, container: dict, path: str) -> tuple[dict, list[tuple[str, Unresolved]]]:
    """``({"VOLUME/PATH": {"content", "mode"}}, [(name, Unresolved)])`` of the Downward API volumes mounted."""
    files, unresolved = {}, []
    for mount, mount_path in mappings(container, "volumeMounts", path):
        name = field(mount, "name", str, mount_path, "")
        collected = view.volume_files(name, mount_path)
        if collected is None:
            continue
        payload, others = collected
        unresolved += [(name, other) for other in others]
        if field(mount, "subPathExpr", str, mount_path, ""):
            unresolved.append((name, Unresolved("subPathExpr is expanded by the kubelet", child(mount_path, "subPathExpr"))))
            continue
        sub_path = go_clean_path(field(mount, "subPath", str, mount_path, "") or ".")
        for target, entry in payload.items():
            if sub_path != "." and target != sub_path and not target.startswith(sub_path + "/"):
                continue
            key = "%s/%s" % (name, target)
            if isinstance(entry["content"], Unresolved):
                unresolved.append((key, entry["content"]))
            else:
                files[key] = dict(entry)
    return files, unresolved

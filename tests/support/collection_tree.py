"""Copies of this checkout laid out as ``ansible_collections/clusternet/k8s`` (ansible-test refuses symlinks)."""
from __future__ import annotations

import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP_PREFIXES = ("playbooks/collections/",)


def source_files():
    """Tracked and untracked-but-not-ignored files: what a fresh clone plus local edits holds."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return sorted({p for p in out.split("\0") if p and not p.startswith(SKIP_PREFIXES)
                   and os.path.lexists(os.path.join(ROOT, p))})


def copy_collection(dest):
    """Copy the collection to ``dest/ansible_collections/clusternet/k8s`` and return that path."""
    target = os.path.join(dest, "ansible_collections", "clusternet", "k8s")
    for rel in source_files():
        src = os.path.join(ROOT, rel)
        dst = os.path.join(target, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    return target

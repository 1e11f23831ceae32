"""Other collections the tests compare against (kubernetes.core, ansible.utils), without Galaxy.

Galaxy is out of reach here; PyPI's ``ansible`` package bundles both. ``collections_path()`` downloads
that wheel once (no dependencies, into the same cache as the Go builds) and unpacks only the named
collections into ``<cache>/collections/ansible_collections/<namespace>/<name>``; it returns the
``collections`` directory, to put on ``ANSIBLE_COLLECTIONS_PATH`` after this checkout's own.
"""
from __future__ import annotations

import fcntl
import glob
import os
import subprocess
import sys
import zipfile

from .kube_cluster import cache_dir

ANSIBLE = "ansible==12.3.0"      # bundles kubernetes.core 6.2.0 and ansible.utils 6.x, for ansible-core 2.19
DEFAULT = ("kubernetes.core", "ansible.utils")


def collections_path(names=DEFAULT):
    root = os.path.join(cache_dir(), "collections", ANSIBLE.replace("==", "-"))
    wanted = [os.path.join(root, "ansible_collections", *n.split(".")) for n in names]
    if all(os.path.isfile(os.path.join(w, "MANIFEST.json")) for w in wanted):
        return root
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wheels = glob.glob(os.path.join(root, "ansible-*.whl"))
        if not wheels:
            subprocess.run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                            "-d", root, ANSIBLE], check=True)
            wheels = glob.glob(os.path.join(root, "ansible-*.whl"))
        with zipfile.ZipFile(wheels[0]) as wheel:
            prefixes = tuple("ansible_collections/%s/" % n.replace(".", "/") for n in names)
            wheel.extractall(root, [m for m in wheel.namelist() if m.startswith(prefixes)])
    return root

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: hosts_file
short_description: Manage one marked block of host entries in a hosts file
version_added: 0.1.0
description:
  - Puts a block of host entries, between C(# BEGIN <marker>) and C(# END <marker>) lines, into a
    hosts file such as C(/etc/hosts), replaces it, or removes it. Lines outside the block are never
    touched, so entries written by people, the distribution or other blocks (other markers) survive.
  - Entries are validated before anything is written. An address must be an IPv4 or IPv6 address;
    a hostname containing whitespace, a newline, C(#) or a control character is refused, so no
    entry can inject a line. Entries are merged by IP (first-seen order) and IPs written in
    canonical form, one C(ip<TAB>name name...) line per IP.
  - The file is replaced atomically (a rename). When the file is a mount point, as the bind-mounted
    C(/etc/hosts) of every container is, a rename fails with EBUSY, so the module rewrites such a
    file in place without O(unsafe_writes) having to be set.
  - An in-place write never loses a byte. Only the bytes from the first change on are written; when the file
    grows, its new end is written first, which reserves the space, so a full disk fails the task before any old
    byte is touched. Any error on the way puts the previous content back, and the task fails with
    C(changed=false). O(unsafe_writes) uses this same write, never a truncating one.
  - An exclusive lock (C(flock) on the file's directory) is held from reading to writing, so
    concurrent runs on one host, each with its own marker, never lose each other's blocks.
  - The block's lines end as the file's own lines do (CRLF, LF or CR, the first the file has). A file
    without a final newline keeps having none, and removing a block gives back the file's bytes as
    they were before it was added. The mode, owner and group of an existing
    file are kept unless set with O(mode), O(owner), O(group).
author:
  - clusternet.k8s maintainers (@clusternet)
options:
  path:
    description:
      - The hosts file. Symbolic links are followed.
      - It must be a regular file, or not exist. A directory, a device, a FIFO or a socket is refused before it is
        opened, and never replaced.
    type: path
    default: /etc/hosts
    aliases: [dest]
  entries:
    description:
      - The entries of the block, in one of these shapes
        (the output of the P(clusternet.k8s.host_aliases#filter) filter is also accepted).
      - 'One text of C(ip name name...) lines, as a hosts file is written, for example
        C("192.0.2.11 node1 node1.example\n2001:db8::11 node1 node1.example"). It is read as the resolver reads a
        hosts file: blank lines and C(#) comments are skipped. The cheapest shape for large blocks, since Ansible
        passes one string instead of thousands of values.'
      - 'A mapping of IP to its hostnames (a list, or one string of names), for example
        C({"192.0.2.11": [node1, node1.example], "2001:db8::11": "node1 node1.example"}). A mapping is read this
        way when every key is an IP address.'
      - 'A mapping of hostname to an IP or a list of IPs, for example C({"node1": ["192.0.2.11", "2001:db8::11"]}).'
      - A list of mappings with C(ip) and C(hostnames) keys.
      - A list of C("ip name name...") strings, one line each (a list item of several lines is refused).
      - Required when O(state=present), ignored when O(state=absent). An empty list leaves a block
        with only its marker lines; use O(state=absent) to remove the block.
    type: raw
  return_entries:
    description:
      - Return the block's entries in RV(entries). By default the result reports only their RV(counts), which keeps
        the result of a block of thousands of entries small; in diff mode the entries are always returned.
    type: bool
    default: false
  marker:
    description:
      - Names the block. The block starts with a C(# BEGIN <marker>) line and ends with a
        C(# END <marker>) line. Use a different marker for every block managed in one file.
      - One line, no control characters.
      - A file where this marker's lines are duplicated or unbalanced is not changed; the task fails
        and names the lines to fix.
    type: str
    default: clusternet.k8s managed block
  state:
    description:
      - V(present) writes the block (appended at the end of the file when it is not there yet),
        V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  allow_duplicates:
    description:
      - A hostname mapped to more than one IP of one address family (two IPv4 addresses, say) is
        usually a mistake, as which address a client then gets depends on its resolver. By default the
        task then fails, naming the hostnames and their IPs, and the file is not changed.
      - V(true) writes such entries anyway. Either way they are returned in RV(duplicates).
      - One IPv4 plus one IPv6 address for a name is normal dual-stack and never a duplicate.
        Only the block's own entries are checked, not the rest of the file.
    type: bool
    default: false
  create:
    description:
      - Create the file (and its directory) when it does not exist, with mode C(0644) unless
        O(mode) says otherwise. With V(false), a missing file fails the task when O(state=present).
    type: bool
    default: true
  backup:
    description:
      - Make a copy of the file, with a timestamp in its name, before changing it.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  safe_file_operations:
    description: Uses Ansible's strict file operation functions to ensure proper permissions and avoid data corruption.
    support: full
  platform:
    support: full
    platforms: posix
notes:
  - The lock is advisory. Tools that rewrite the file without taking it (an editor, a plain
    M(ansible.builtin.lineinfile)) can still race with this module.
  - If the file system cannot lock the directory, the module warns and goes on without the lock.
seealso:
  - module: ansible.builtin.blockinfile
  - plugin: clusternet.k8s.host_aliases
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Put the cluster's nodes into /etc/hosts
  clusternet.k8s.hosts_file:
    entries:
      node1.cluster.example: [192.0.2.11, "2001:db8::11"]
      node2.cluster.example: [192.0.2.12, "2001:db8::12"]

- name: A large block as lines, from the inventory (one string is quick to pass, even for thousands of nodes)
  clusternet.k8s.hosts_file:
    entries: |-
      {% for host in groups['nodes'] %}
      {{ hostvars[host].node_ip }} {{ host }}.cluster.example {{ host }}
      {% endfor %}
  register: nodes_block
  # nodes_block.counts: {"entries": 1000, "hostnames": 2000}

- name: IPs to names, and the entries returned
  clusternet.k8s.hosts_file:
    marker: gateways
    return_entries: true
    entries:
      192.0.2.1: gateway gw
      "2001:db8::1": [gateway, gw]

- name: Same entries as a list, in a block of its own, keeping a backup
  clusternet.k8s.hosts_file:
    marker: registry mirror
    backup: true
    entries:
      - ip: 192.0.2.50
        hostnames: [registry.local, registry]
      - "2001:db8::50 registry.local registry"

- name: Write into a mounted image instead of this machine
  clusternet.k8s.hosts_file:
    path: /mnt/image/etc/hosts
    entries: ["192.0.2.1 gateway"]

- name: Remove the block
  clusternet.k8s.hosts_file:
    marker: registry mirror
    state: absent
"""

RETURN = r"""
counts:
  description:
    - How many entries (lines, one per IP) and hostnames the block now holds; zero when O(state=absent).
  returned: success
  type: dict
  contains:
    entries:
      description: The block's lines, one per IP after merging.
      type: int
      sample: 2
    hostnames:
      description: The names on those lines.
      type: int
      sample: 4
  sample: {entries: 2, hostnames: 4}
entries:
  description:
    - The entries the block now holds, validated, merged by IP and in canonical form, in file order.
    - Empty when O(state=absent).
  returned: success, when O(return_entries=true) or in diff mode
  type: list
  elements: dict
  contains:
    ip:
      description: The address.
      type: str
      sample: 192.0.2.11
    hostnames:
      description: The names on this address's line, in order.
      type: list
      elements: str
      sample: [node1.cluster.example, node1]
  sample: [{ip: 192.0.2.11, hostnames: [node1.cluster.example, node1]}]
duplicates:
  description:
    - Hostnames of the block that map to more than one IP of one address family, with all their IPs.
    - With O(allow_duplicates=false) a non-empty value comes with a failure.
  returned: success or when duplicates fail the task
  type: dict
  sample: {node1: [192.0.2.11, 192.0.2.99]}
backup_file:
  description: Name of the backup file.
  returned: changed and O(backup=true)
  type: str
  sample: /etc/hosts.2172.2024-05-01@12:00:00~
msg:
  description: What was done.
  returned: always
  type: str
  sample: block written
"""

import os
import tempfile

from ansible_collections.clusternet.k8s.plugins.module_utils.ansible_module import ansible_module
from ansible_collections.clusternet.k8s.plugins.module_utils.backends.hosts_file import (
    RENAME_ERRNOS,
    WriteFailure,
    directory_lock,
    encode,
    is_mount_point,
    plan_block,
    read_text,
    rewrite_in_place,
)
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError

NEW_FILE_MODE = 0o644  # a hosts file must be readable by every resolver, whatever the umask


def argument_spec():
    return dict(
        path=dict(type="path", default="/etc/hosts", aliases=["dest"]),
        entries=dict(type="raw"),
        marker=dict(type="str", default="clusternet.k8s managed block"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        allow_duplicates=dict(type="bool", default=False),
        return_entries=dict(type="bool", default=False),
        create=dict(type="bool", default=True),
        backup=dict(type="bool", default=False),
    )


def _entries_result(change):
    return [{"ip": ip, "hostnames": names} for ip, names in change.entries]


def _plan(module, path):
    """Read the file and compute the change; fails the module on input it must refuse."""
    params = module.params
    present = params["state"] == "present"
    before = read_text(path)
    if before is None and present and not params["create"]:
        raise InputError("path %s does not exist and create is false" % path)
    change = plan_block(before, params["entries"], params["marker"], present)
    if change.duplicates and not params["allow_duplicates"]:
        module.fail_json(msg="hostnames mapped to more than one IP of one family: %s; the file is unchanged "
                             "(set allow_duplicates to write them anyway)"
                             % "; ".join("%s -> %s" % (name, ", ".join(ips)) for name, ips in change.duplicates.items()),
                         duplicates=change.duplicates, changed=False)
    return change


def _write(module, path, change):
    """Replace the file's content atomically (a rename), or in place when it is a mount point.

    The in-place write is :func:`rewrite_in_place`, never ansible-core's unsafe write (which truncates first):
    also when ``unsafe_writes`` asks for one after a rename failed.
    """
    data = encode(change.after)
    if change.before is not None and is_mount_point(path):
        rewrite_in_place(path, encode(change.before), data)
        return
    fd, tmp = tempfile.mkstemp(dir=module.tmpdir)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        module.atomic_move(tmp, path, unsafe_writes=False)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        cause = exc.__cause__
        if not (module.params["unsafe_writes"] and change.before is not None and isinstance(cause, OSError)
                and cause.errno in RENAME_ERRNOS):
            raise
        rewrite_in_place(path, encode(change.before), data)


def _apply(module, path):
    """Plan and write under the lock; returns the change and the backup file name."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        if module.check_mode or not module.params["create"] or module.params["state"] == "absent":
            return _plan(module, path), None
        os.makedirs(directory)
    with directory_lock(path) as lock_error:
        if lock_error is not None:
            module.warn("could not lock %s (%s); concurrent writers may lose updates" % (directory, lock_error))
        change = _plan(module, path)
        backup = None
        if change.changed and not module.check_mode:
            if module.params["backup"] and change.before is not None:
                backup = module.backup_local(path)
            _write(module, path, change)
    return change, backup


def _file_attributes(module, path, change):
    """Apply mode/owner/group/SELinux options; returns whether they changed and their diff."""
    diff = {"before_header": "%s (file attributes)" % path, "after_header": "%s (file attributes)" % path}
    if change.after is None or (module.check_mode and change.before is None):
        return False, diff
    file_args = module.load_file_common_arguments(module.params, path=path)
    if change.before is None and file_args["mode"] is None:
        file_args["mode"] = NEW_FILE_MODE
    return module.set_fs_attributes_if_different(file_args, False, diff=diff), diff


def _diff_text(text):
    return "" if text is None else encode(text).decode("utf-8", "replace")


def run(module):
    path = os.path.realpath(module.params["path"])
    change, backup = _apply(module, path)
    attrs_changed, attrs_diff = _file_attributes(module, path, change)
    result = dict(changed=change.changed or attrs_changed, msg=change.message, duplicates=change.duplicates,
                  counts={"entries": len(change.entries), "hostnames": sum(len(names) for _ip, names in change.entries)})
    if module.params["return_entries"] or module._diff:
        result["entries"] = _entries_result(change)
    if attrs_changed and change.before is not None:
        result["msg"] += ", file attributes changed"
    if backup:
        result["backup_file"] = backup
    if module._diff:
        content = {"before": _diff_text(change.before), "after": _diff_text(change.after),
                   "before_header": "%s (content)" % path, "after_header": "%s (content)" % path}
        result["diff"] = [content, attrs_diff]
    return result


def main():
    module = ansible_module(argument_spec=argument_spec(), required_if=[("state", "present", ("entries",))],
                            add_file_common_args=True, supports_check_mode=True)
    try:
        result = run(module)
    except InputError as exc:
        module.fail_json(msg=str(exc), changed=False)
    except WriteFailure as exc:
        module.fail_json(msg=str(exc), changed=exc.changed)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # atomic_move raises a bare Exception whose cause says why; OSErrors name the file
        detail = str(exc) if exc.__cause__ is None else "%s: %s" % (exc, exc.__cause__)
        module.fail_json(msg=detail, changed=False)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

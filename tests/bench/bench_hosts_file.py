"""hosts_file's read-modify-write path on a hosts file with a 10,000-entry block.

Both sides take the file from the same starting content, replace the block of 5,000 dual-stack
nodes (10,000 lines, one node in ten renamed) with validated entries, and write the file back.
Ours is the module's own path without the Ansible process around it: lock, read, validate, merge,
update the block, duplicate check, write a temporary file and rename it over the target (what
``atomic_move`` does on one file system). The naive baseline is what a first version would do:
``readlines()``, find the markers with ``list.index``, validate and merge entries by searching a
list, and insert the new lines one by one.
"""
import ipaddress
import os
import re
import tempfile

from ansible_collections.clusternet.k8s.plugins.module_utils._hosts_file import directory_lock, encode, plan_block, read_text
from tests.bench.harness import Benchmark

MARKER = "clusternet.k8s node_hosts"
OUTSIDE = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n# keep me\n"
UNSAFE = re.compile("[\\s#\\x00-\\x1f\\x7f-\\x9f]")


def node_entries(count, generation):
    """``count`` entries as the node_hosts role passes them: an IPv4 and an IPv6 line per node."""
    entries = []
    for i in range(count // 2):
        name = "node-%d%s" % (i, "-g%d" % generation if i % 10 == 0 else "")
        names = [name + ".cluster.example", name]
        entries.append({"ip": "10.%d.%d.%d" % (i // 62500, i // 250 % 250, i % 250 + 1), "hostnames": names})
        entries.append({"ip": "fd00::%x" % (i + 1), "hostnames": names})
    return entries


def render(entries):
    lines = "".join("%s\t%s\n" % (e["ip"], " ".join(e["hostnames"])) for e in entries)
    return "# BEGIN %s\n%s# END %s\n" % (MARKER, lines, MARKER)


def ours(path, entries):
    with directory_lock(path):
        change = plan_block(read_text(path), entries, MARKER)
        if change.changed:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
            with os.fdopen(fd, "wb") as f:
                f.write(encode(change.after))
            os.replace(tmp, path)
    return change.duplicates


def naive(path, entries):
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    begin, end = "# BEGIN %s\n" % MARKER, "# END %s\n" % MARKER
    start = lines.index(begin) if begin in lines else len(lines)
    if begin in lines:
        del lines[start:lines.index(end) + 1]
    merged, families = [], {}
    for entry in entries:
        ip = str(ipaddress.ip_address(entry["ip"]))
        assert not any(UNSAFE.search(name) for name in entry["hostnames"])
        for item in merged:  # linear search per entry: quadratic overall
            if item[0] == ip:
                item[1].extend(n for n in entry["hostnames"] if n not in item[1])
                break
        else:
            merged.append([ip, list(entry["hostnames"])])
        for name in entry["hostnames"]:
            families.setdefault(name.lower(), []).append(":" in ip)
    for k, line in enumerate([begin] + ["%s\t%s\n" % (ip, " ".join(names)) for ip, names in merged] + [end]):
        lines.insert(start + k, line)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)
    return {name: fams for name, fams in families.items() if len(fams) != len(set(fams))}


def _run(func, path, start, entries):
    """Reset the file to ``start``, apply ``func``, return (file content, duplicates found)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(start)
    duplicates = func(path, entries)
    with open(path, encoding="utf-8") as f:
        return f.read(), bool(duplicates)


def benchmarks(scale=1.0):
    count = max(2, int(10000 * scale))
    directory = tempfile.mkdtemp(prefix="cnk8s-bench-")
    start = OUTSIDE + render(node_entries(count, 1)) + "192.0.2.99\tadded-by-hand\n"
    new = node_entries(count, 2)
    ours_path, naive_path = os.path.join(directory, "hosts"), os.path.join(directory, "hosts.naive")
    return [Benchmark("hosts_file read-modify-write: replace a %d-entry block" % count,
                      lambda: _run(ours, ours_path, start, new),
                      lambda: _run(naive, naive_path, start, new))]

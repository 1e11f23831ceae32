"""Hosts rendering at scale: pod_hosts over 10,000 pods, and a 10,000-entry hosts-file block.

The baselines are what a first version would look like: copy the pod, run the same apiserver
checks and render a Jinja template, as a role would; find the block by walking the lines, merge
entries by searching the list of IPs seen so far (quadratic) and concatenate the block.
"""
import copy

import jinja2

from ansible_collections.clusternet.k8s.plugins.module_utils.hosts import pod_hosts, update_block
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_valid_ip_for_legacy_field,
    parse_ip_sloppy,
)
from tests.bench.harness import Benchmark

NODE_HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n192.0.2.10\tnode-1\n"
MARKER = "clusternet.k8s node_hosts"


def make_pods(count):
    """A mix of IPv4-only, dual-stack, StatefulSet-style, aliased, long-named and host-network pods."""
    pods = []
    for i in range(count):
        a, b = divmod(i, 250)
        spec = {}
        ips = ["10.%d.%d.%d" % (a // 250, a % 250, b + 1)]
        if i % 2:
            ips.append("fd00:10:%x::%x" % (a, b + 1))
        if i % 3 == 0:
            spec.update(hostname="web-%d" % i, subdomain="web")
        if i % 5 == 0:
            spec["hostAliases"] = [{"ip": "10.96.0.%d" % (i % 250 + 1), "hostnames": ["db", "db.internal"]},
                                   {"ip": "fd00::%x" % (i + 1), "hostnames": ["cache"]}]
        if i % 7 == 0:
            spec["hostNetwork"] = True
        name = "deployment-with-a-rather-long-name-%08d-%sz" % (i, "ab-" * (i % 10))  # some cut at a "-"
        pods.append({"metadata": {"name": name, "namespace": "ns-%d" % (i % 10)}, "spec": spec,
                     "status": {"podIPs": [{"ip": ip} for ip in ips]}})
    return pods


def naive_checks(pod):
    """The checks pod_hosts makes before rendering, written out one by one."""
    spec = pod.get("spec", {})
    assert not is_dns1123_subdomain(pod["metadata"]["name"])
    assert not is_dns1123_label(pod["metadata"]["namespace"])
    for name in ("hostname", "subdomain"):
        assert not (spec.get(name) and is_dns1123_label(spec[name]))
    for alias in spec.get("hostAliases", []):
        assert not is_valid_ip_for_legacy_field("ip", alias["ip"])
        assert not any(is_dns1123_subdomain(name) for name in alias["hostnames"])
    for entry in pod["status"]["podIPs"]:
        assert parse_ip_sloppy(entry["ip"]) is not None


# How an Ansible role would render the file: a Jinja template (compiled once, rendered per pod).
NAIVE_TEMPLATE = jinja2.Environment(keep_trailing_newline=True).from_string(
    "{% set spec = pod.spec | default({}) %}"
    "{% if spec.hostNetwork %}# Kubernetes-managed hosts file (host network).\n{{ node_hosts }}"
    "{% else %}# Kubernetes-managed hosts file.\n"
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
    "{% set hostname = spec.hostname or pod.metadata.name %}"
    "{% if hostname | length > 63 %}{% set hostname = hostname[:63].rstrip('-.') %}{% endif %}"
    "{% for entry in pod.status.podIPs %}{{ entry.ip }}\t"
    "{% if spec.subdomain %}{{ hostname }}.{{ spec.subdomain }}.{{ pod.metadata.namespace }}.svc.cluster.local\t{% endif %}"
    "{{ hostname }}\n{% endfor %}{% endif %}"
    "{% if spec.hostAliases %}\n# Entries added by HostAliases.\n"
    "{% for alias in spec.hostAliases %}{{ alias.ip }}\t{{ alias.hostnames | join('\t') }}\n{% endfor %}{% endif %}")


def naive_pod_hosts(pod):
    pod = copy.deepcopy(pod)
    naive_checks(pod)
    return NAIVE_TEMPLATE.render(pod=pod, node_hosts=NODE_HOSTS)


def make_entries(count, generation):
    """``count`` node entries (IPv4 and IPv6 lines per node); ``generation`` renames some nodes."""
    entries = []
    for i in range(count // 2):
        suffix = "-g%d" % generation if i % 10 == 0 else ""
        name = "node-%d%s" % (i, suffix)
        entries.append("10.%d.%d.%d %s %s.cluster.example" % (i // 62500, i // 250 % 250, i % 250 + 1, name, name))
        entries.append("fd00::%x %s" % (i + 1, name))
    return entries


def naive_update_block(text, entries, marker):
    lines = text.split("\n")
    begin = end = None
    for n, line in enumerate(lines):
        if line == "# BEGIN " + marker:
            begin = n
        elif line == "# END " + marker:
            end = n
    merged = []
    for entry in entries:
        fields = entry.split()
        for item in merged:  # linear search per entry: quadratic overall
            if item[0] == fields[0]:
                item[1].extend(name for name in fields[1:] if name not in item[1])
                break
        else:
            merged.append([fields[0], list(fields[1:])])
    block = "# BEGIN " + marker + "\n"
    for ip, names in merged:
        block = block + ip + "\t" + " ".join(names) + "\n"
    block = block + "# END " + marker
    if begin is None:
        return text + block + "\n"
    return "\n".join(lines[:begin] + [block] + lines[end + 1:])


def benchmarks(scale=1.0):
    pods = make_pods(max(1, int(10000 * scale)))
    count = max(2, int(10000 * scale))
    old = update_block("127.0.0.1 localhost\n::1 localhost ip6-localhost\n# keep me\n", make_entries(count, 1), MARKER)
    text = old + "192.0.2.99 added-by-hand\n"
    new_entries = make_entries(count, 2)
    return [
        Benchmark("pod_hosts: %d pods (IPv4, dual-stack, subdomain, aliases, host network)" % len(pods),
                  lambda: [pod_hosts(p, node_hosts=NODE_HOSTS) for p in pods],
                  lambda: [naive_pod_hosts(p) for p in pods]),
        Benchmark("update_block: replace a %d-entry block in a hosts file" % count,
                  lambda: update_block(text, new_entries, MARKER),
                  lambda: naive_update_block(text, new_entries, MARKER)),
    ]

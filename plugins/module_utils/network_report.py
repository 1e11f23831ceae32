# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The readable side of ``network_plan``: per address family, a table of the pod networks (CIDR, node mask, nodes
that fit, pods per node), the space each pod network has left once the planned nodes have their blocks, and every
overlap between pod, service and node networks as the exact ranges they share; as data, as text lines for a job log,
and as Markdown for a file next to rendered manifests.

Range arithmetic is netaddr's ``IPSet`` (union, difference, intersection, and the fewest CIDRs that cover a set).

The rules, their upstream origin and the assumptions: docs/dualstack-checks.md#network-plan.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError
from ansible_collections.clusternet.k8s.plugins.module_utils.ip_family import FAMILIES, cidr_family
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import go_cidr_string, parse_cidr_sloppy

try:
    from netaddr import IPSet
except ImportError as exc:  # the filter reports it
    IPSet = None
    NETADDR_IMPORT_ERROR: ImportError | None = exc
else:
    NETADDR_IMPORT_ERROR = None

# Nodes whose blocks are laid out to find the free space; a larger node_count leaves the free space out.
MAX_PLANNED_NODES = 1 << 16
COLUMNS = ("CIDR", "NODE MASK", "NODES THAT FIT", "PODS PER NODE")
MARKDOWN_COLUMNS = ("CIDR", "Node mask", "Nodes that fit", "Pods per node")


def _networks(values):
    """Canonical CIDR strings of the parsable entries of a flag list (what the plan itself could read)."""
    if values is None:
        return []
    found = []
    for text in cidrset.split_flag_list(values, "networks") if isinstance(values, (str, list)) else []:
        parsed = parse_cidr_sloppy(text.strip()) if isinstance(text, str) else None
        if parsed is not None:
            found.append(go_cidr_string(parsed[1]))
    return found


def _cidrs(ip_set):
    return [str(net) for net in ip_set.iter_cidrs()]


def _planned_blocks(cluster_cidrs, node_mask_sizes, service_cidrs, node_count):
    """The node blocks kube-controller-manager would hand the first ``node_count`` nodes (``[]`` when it cannot)."""
    if not node_count or node_count > MAX_PLANNED_NODES:
        return []
    try:
        planned = cidrset.node_pod_cidrs(["node-%d" % i for i in range(node_count)], cluster_cidrs, node_mask_sizes,
                                         service_cidrs)
    except (InputError, cidrset.CIDRAllocatorError, ValueError):
        return []  # the plan's errors say why
    return [cidr for cidrs in planned.values() for cidr in cidrs]


def network_report(plan: dict, cluster_cidrs: str | list, service_cidrs: str | list, node_mask_sizes: Any = None,
                   node_count: int | None = None, node_networks: list | None = None) -> dict:
    """``{families, table, markdown}`` for a plan returned by ``network_plan.network_plan`` with these arguments.

    ``families``: per family present, ``networks`` (``{cidr, node_mask, nodes, pods_per_node}`` per pod network),
    ``free`` (the CIDRs of each pod network left once ``node_count`` nodes have their blocks and the service ranges
    inside it are kept out) and ``overlaps`` (``{between, ranges}``: the exact ranges two networks share).
    """
    if NETADDR_IMPORT_ERROR is not None:
        raise InputError("network_plan's report needs the netaddr Python library (pip install netaddr)")
    pods, services, nodes = _networks(cluster_cidrs), _networks(service_cidrs), _networks(node_networks)
    blocks = IPSet(_planned_blocks(cluster_cidrs, node_mask_sizes, service_cidrs, node_count))
    named = ([("--cluster-cidr %s" % c, c) for c in pods] + [("--service-cluster-ip-range %s" % c, c) for c in services]
             + [("node network %s" % c, c) for c in nodes])
    families = {}
    for family in FAMILIES:
        rows = [{key: network[key] for key in ("cidr", "node_mask", "nodes", "pods_per_node")}
                for network in plan.get("capacity", {}).get("pod_networks", []) if network["family"] == family]
        mine = [(name, cidr) for name, cidr in named if cidr_family(cidr) == family]
        if not rows and not mine:
            continue
        taken = IPSet([cidr for name, cidr in mine if not name.startswith("--cluster-cidr")]) | blocks
        free = {cidr: _cidrs(IPSet([cidr]) - taken) for cidr in pods if cidr_family(cidr) == family}
        overlaps = []
        for i, (name_a, a) in enumerate(mine):
            for name_b, b in mine[i + 1:]:
                shared = IPSet([a]) & IPSet([b])
                if shared and name_a.split()[0] != name_b.split()[0]:
                    overlaps.append({"between": [name_a, name_b], "ranges": _cidrs(shared)})
        families[family] = {"networks": rows, "free": free, "overlaps": overlaps}
    return {"families": families, "table": _text(families, node_count), "markdown": _markdown(families, node_count)}


def _row(network):
    return (network["cidr"], "/%d" % network["node_mask"], str(network["nodes"]), str(network["pods_per_node"]))


def _free_text(family, node_count):
    after = "after the blocks of %d nodes" % node_count if node_count else "outside the service and node networks"
    return ["free in %s (%s): %s" % (cidr, after, ", ".join(ranges) or "none") for cidr, ranges in family["free"].items()]


def _overlap_text(family):
    return ["overlap: %s and %s share %s" % (o["between"][0], o["between"][1], ", ".join(o["ranges"]))
            for o in family["overlaps"]] or ["overlaps: none"]


def _text(families, node_count):
    lines = []
    for name, family in families.items():
        rows = [COLUMNS] + [_row(n) for n in family["networks"]]
        widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
        lines.append(name)
        lines.extend("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)
        lines.extend("  " + line for line in _free_text(family, node_count) + _overlap_text(family))
    return lines


def _markdown(families, node_count):
    parts = []
    for name, family in families.items():
        parts.append("## %s\n" % name)
        parts.append("| %s |" % " | ".join(MARKDOWN_COLUMNS))
        parts.append("|" + "---|" * len(MARKDOWN_COLUMNS))
        parts.extend("| `%s` | %s | %s | %s |" % _row(n) for n in family["networks"])
        parts.append("")
        parts.extend("- %s" % line for line in _free_text(family, node_count) + _overlap_text(family))
        parts.append("")
    return "\n".join(parts)

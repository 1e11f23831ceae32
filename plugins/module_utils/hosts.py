# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The kubelet-managed ``/etc/hosts`` of a pod and its HostAliases.

Pure Python, no Ansible imports. Two parts:

* the kubelet's rendering (``pkg/kubelet/kubelet_pods.go``: ``managedHostsFileContent``,
  ``nodeHostsFileContent``, ``hostsEntriesFromHostAliases``, ``GeneratePodHostNameAndDomain``,
  ``truncatePodHostnameIfNeeded``, ``shouldMountHostsFile``/``makeMounts``;
  ``pkg/kubelet/util/util.go`` ``GetNodenameForKernel``), byte for byte;
* kube-apiserver's checks of ``spec.hostAliases``, ``spec.hostname`` and ``spec.subdomain``
  (``pkg/apis/core/validation/validation.go`` ``ValidatePodSpec``, ``ValidateHostAliases``).

The managed block in a node's hosts file is ``hosts_block``. The rules, their upstream origin and the assumptions:
docs/hosts.md.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, field, optional, strings
from ansible_collections.clusternet.k8s.plugins.module_utils.hosts_block import UNSAFE_NAME, entry_pairs, merge_by_ip
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    aggregate, child, forbidden, index, too_long)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import go_quote
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.names import (
    go_len, is_dns1123_label, is_dns1123_subdomain, validate_dns1123_label, validate_dns1123_subdomain)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    is_valid_ip_for_legacy_field, parse_ip_sloppy)

# ---------------------------------------------------------------------------------------------
# The kubelet's rendering: pkg/kubelet/kubelet_pods.go
# ---------------------------------------------------------------------------------------------

MANAGED_HOSTS_HEADER = "# Kubernetes-managed hosts file.\n"
MANAGED_HOSTS_HEADER_HOST_NETWORK = "# Kubernetes-managed hosts file (host network).\n"
# Always written, IPv6 lines included on IPv4-only clusters; only the ::1 line uses spaces.
MANAGED_HOSTS_FIXED_LINES = (
    "127.0.0.1\tlocalhost\n"
    "::1\tlocalhost ip6-localhost ip6-loopback\n"
    "fe00::0\tip6-localnet\n"
    "fe00::0\tip6-mcastprefix\n"
    "fe00::1\tip6-allnodes\n"
    "fe00::2\tip6-allrouters\n"
)
HOST_ALIASES_COMMENT = "# Entries added by HostAliases.\n"
# Where the kubelet mounts the file (kubelet.go linuxEtcHostsPath / windowsEtcHostsPath).
ETC_HOSTS_PATHS = {"linux": "/etc/hosts", "windows": "C:\\Windows\\System32\\drivers\\etc\\hosts"}
HOSTNAME_MAX_LEN = 63  # truncatePodHostnameIfNeeded: 64 bytes with the C string terminator
HOSTNAME_OVERRIDE_MAX_LEN = 64  # validatePodHostName
FQDN_MAX_LEN = 64  # GetNodenameForKernel


def _alias_fields(alias, path):
    """``(ip, hostnames)`` of the ``v1.HostAlias`` at ``path``; absent fields are Go's zero values."""
    alias = expect(alias, dict, path)
    hostnames = strings(alias.get("hostnames"), child(path, "hostnames"))
    return field(alias, "ip", str, path, ""), hostnames


def _aliases_list(host_aliases, what):
    aliases = expect([] if host_aliases is None else host_aliases, list, what)
    return [_alias_fields(a, index(what, i)) for i, a in enumerate(aliases)]


def hosts_entries_from_host_aliases(host_aliases: list | None) -> str:
    """``hostsEntriesFromHostAliases``: nothing for no aliases, else a blank line, a comment and
    one ``ip<TAB>name<TAB>name`` line per alias, in spec order, exactly as stored."""
    aliases = _aliases_list(host_aliases, "host_aliases")
    if not aliases:
        return ""
    return "\n" + HOST_ALIASES_COMMENT + "".join("%s\t%s\n" % (ip, "\t".join(names)) for ip, names in aliases)


def managed_hosts_content(host_ips: list[str], hostname: str, host_domain: str, host_aliases: list | None) -> str:
    """``managedHostsFileContent``: the file of a pod on the pod network.

    One line per pod IP in the order given (no sorting, no dedup): ``ip<TAB>fqdn<TAB>hostname``
    with a domain, ``ip<TAB>hostname`` without. Inputs are written as they are: they are expected
    to have passed API validation (see :func:`pod_hosts`).
    """
    ips = strings(expect(host_ips, list, "host_ips"), "host_ips")
    expect(hostname, str, "hostname")
    expect(host_domain, str, "host_domain")
    if host_domain:
        names = "%s.%s\t%s" % (hostname, host_domain, hostname)
    else:
        names = hostname
    pod_lines = "".join("%s\t%s\n" % (ip, names) for ip in ips)
    return MANAGED_HOSTS_HEADER + MANAGED_HOSTS_FIXED_LINES + pod_lines + hosts_entries_from_host_aliases(host_aliases)


def node_hosts_content(node_hosts_text: str, host_aliases: list | None) -> str:
    """``nodeHostsFileContent``: a host-network pod gets the node's file byte for byte under its
    own header, then the aliases. The pod's hostname and IPs are not added, and no newline is
    inserted when the node file lacks a final one."""
    expect(node_hosts_text, str, "node_hosts")
    return MANAGED_HOSTS_HEADER_HOST_NETWORK + node_hosts_text + hosts_entries_from_host_aliases(host_aliases)


def truncate_pod_hostname(pod_name: str, hostname: str) -> str:
    """``truncatePodHostnameIfNeeded``: cut to 63 bytes, then strip trailing ``-`` and ``.``."""
    expect(pod_name, str, "pod name")
    expect(hostname, str, "hostname")
    raw = hostname.encode("utf-8", "surrogateescape")  # Go counts and slices bytes
    if len(raw) <= HOSTNAME_MAX_LEN:
        return hostname
    truncated = raw[:HOSTNAME_MAX_LEN].rstrip(b"-.").decode("utf-8", "surrogateescape")
    if not truncated:
        raise InputError("hostname for pod %s was invalid: %s" % (go_quote(pod_name), go_quote(hostname)))
    return truncated


def pod_hostname_and_domain(pod_name: str, namespace: str, hostname: str = "", subdomain: str = "",
                            cluster_domain: str = "cluster.local", hostname_override: str | None = None,
                            hostname_override_gate: bool | None = None) -> tuple[str, str]:
    """``GeneratePodHostNameAndDomain``: ``(hostname, host_domain)`` as the kubelet computes them.

    ``hostname_override_gate`` is the ``HostnameOverride`` feature gate (None: the current release's, see
    releases.GATES). The override replaces the hostname and drops the domain. Errors carry the kubelet's text.
    """
    for value, what in ((pod_name, "pod name"), (namespace, "namespace"), (hostname, "spec.hostname"),
                        (subdomain, "spec.subdomain"), (cluster_domain, "cluster_domain")):
        expect(value, str, what)
    optional(hostname_override, str, "spec.hostnameOverride")
    if hostname_override_gate is None:
        hostname_override_gate = releases.enabled("HostnameOverride")
    expect(hostname_override_gate, bool, "hostname_override_gate")
    if hostname_override_gate and hostname_override is not None:
        msgs = is_dns1123_subdomain(hostname_override)
        if msgs:
            raise InputError("pod HostnameOverride %s is not a valid DNS subdomain: %s"
                             % (go_quote(hostname_override), ";".join(msgs)))
        return truncate_pod_hostname(pod_name, hostname_override), ""
    _check_kubelet_label("Hostname", hostname)
    name = truncate_pod_hostname(pod_name, hostname or pod_name)
    if not subdomain:
        return name, ""
    _check_kubelet_label("Subdomain", subdomain)
    return name, "%s.%s.svc.%s" % (subdomain, namespace, cluster_domain)


def _check_kubelet_label(what, value):
    msgs = is_dns1123_label(value) if value else []
    if msgs:
        raise InputError("pod %s %s is not a valid DNS label: %s" % (what, go_quote(value), ";".join(msgs)))


def kernel_hostname(hostname: str, host_domain: str, set_hostname_as_fqdn: bool | None) -> str:
    """``GetNodenameForKernel``: the sandbox's kernel hostname.

    ``setHostnameAsFQDN`` only matters with a domain; the FQDN may then be at most 64 characters
    (not 63), and a longer one fails sandbox creation with the error raised here. It never
    changes ``/etc/hosts``.
    """
    expect(hostname, str, "hostname")
    expect(host_domain, str, "host_domain")
    if not (optional(set_hostname_as_fqdn, bool, "spec.setHostnameAsFQDN", False) and host_domain):
        return hostname
    fqdn = "%s.%s" % (hostname, host_domain)
    length = len(fqdn.encode("utf-8", "surrogateescape"))
    if length > FQDN_MAX_LEN:
        raise InputError("failed to construct FQDN from pod hostname and cluster domain, FQDN %s is too long "
                         "(%d characters is the max, %d characters requested)" % (fqdn, FQDN_MAX_LEN, length))
    return fqdn


# ---------------------------------------------------------------------------------------------
# The kubelet's view of a Pod object
# ---------------------------------------------------------------------------------------------

def pod_ips(pod: dict) -> list[str]:
    """The pod IPs the kubelet writes: ``status.podIPs`` as the API holds them (``SetDefaults_PodStatus``
    keeps it in step with ``status.podIP``, which wins when they differ), in that order.

    The kubelet writes the IPs in CRI sandbox order, taken to be the order of ``status.podIPs``
    (docs/hosts.md#assumption-2). :func:`pod_hosts` first refuses IPs the apiserver would refuse.
    """
    status = field(expect(pod, dict, "pod"), "status", dict, "", {})
    return dualstack.defaulted_pod_ips(status, "status")[1]


def _containers(spec):
    """``{name: container}`` over init, regular and ephemeral containers (``VisitContainers``)."""
    found = {}
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for i, c in enumerate(field(spec, kind, list, "spec", [])):
            path = index(child("spec", kind), i)
            found[field(expect(c, dict, path), "name", str, path, "")] = c
    return found


def _has_windows_host_process_container(spec, containers):
    """``HasWindowsHostProcessContainer``: a container's ``windowsOptions.hostProcess`` wins over
    the pod's when set (``DetermineEffectiveSecurityContext``)."""
    pod_options = field(field(spec, "securityContext", dict, "spec", {}), "windowsOptions", dict, "spec.securityContext", {})
    pod_value = field(pod_options, "hostProcess", bool, "spec.securityContext.windowsOptions", False)
    for name, c in containers.items():
        where = "container %s securityContext" % go_quote(name)
        options = field(field(c, "securityContext", dict, where, {}), "windowsOptions", dict, where, {})
        value = field(options, "hostProcess", bool, child(where, "windowsOptions"))
        if pod_value if value is None else value:
            return True
    return False


def _mounts_etc_hosts(container, etc_hosts_path):
    """``makeMounts``: the container mounts something at exactly the hosts path (string equality)."""
    mounts = field(container, "volumeMounts", list, "container", [])
    paths = [field(expect(m, dict, index("volumeMounts", i)), "mountPath", str, index("volumeMounts", i), "")
             for i, m in enumerate(mounts)]
    return etc_hosts_path in paths


def should_mount_hosts_file(pod: dict, container_name: str, goos: str = "linux") -> bool:
    """Whether the kubelet mounts its managed hosts file into one container of ``pod``.

    ``shouldMountHostsFile``: the pod has IPs or uses the host network and, on Windows, has no
    HostProcess container; ``makeMounts``: the container does not mount anything at exactly
    ``/etc/hosts`` itself (``/etc/hosts/`` does not count).
    """
    expect(container_name, str, "container_name")
    if goos not in ETC_HOSTS_PATHS:
        raise InputError("goos must be one of %s, got %s" % (", ".join(sorted(ETC_HOSTS_PATHS)), go_quote(str(goos))))
    spec = field(expect(pod, dict, "pod"), "spec", dict, "", {})
    containers = _containers(spec)
    if container_name not in containers:
        raise InputError("pod has no container named %s" % go_quote(container_name))
    has_ips = bool(pod_ips(pod))
    mount = has_ips or field(spec, "hostNetwork", bool, "spec", False)
    if goos == "windows":
        mount = mount and not _has_windows_host_process_container(spec, containers)
    own_mount = _mounts_etc_hosts(containers[container_name], ETC_HOSTS_PATHS[goos])
    return mount and not own_mount


def pod_hosts(pod: dict, node_hosts: str | None = None, cluster_domain: str = "cluster.local") -> str:
    """The exact ``/etc/hosts`` text the kubelet writes for ``pod`` (a Pod as the API returns it,
    or a manifest with ``status.podIPs``/``status.podIP``).

    The pod must be one kube-apiserver accepts (its hostAliases, hostname and subdomain are
    validated first). A host-network pod gets the node's file (``node_hosts``) under its own
    header; a pod-network pod needs its IPs, and with ``setHostnameAsFQDN`` an FQDN the sandbox
    can take. A manifest without ``metadata.namespace`` is in ``default`` (docs/hosts.md#assumption-3).
    """
    expect(pod, dict, "pod")
    if UNSAFE_NAME.search(expect(cluster_domain, str, "cluster_domain")):
        raise InputError("cluster_domain %s must not contain whitespace, '#' or control characters" % go_quote(cluster_domain))
    spec = field(pod, "spec", dict, "", {})
    errors = _validate_pod_metadata(field(pod, "metadata", dict, "", {})) + validate_pod_host_fields(spec, "spec")
    if errors:
        raise InputError("kube-apiserver would reject this pod: %s" % aggregate(errors))
    # the status a kubelet writes goes through the status subresource's checks
    errors = dualstack.validate_pod_status(field(pod, "status", dict, "", {}), "status")
    if errors:
        raise InputError("kube-apiserver would reject this pod's status: %s" % aggregate(errors))
    aliases = field(spec, "hostAliases", list, "spec", [])
    # The kubelet's order: the sandbox of a pod-network pod gets its kernel hostname first (a too
    # long FQDN fails it, and the pod never gets an IP), then each container its mounts.
    hostname, host_domain = _pod_hostname_and_domain(pod, spec, cluster_domain)
    host_network = field(spec, "hostNetwork", bool, "spec", False)
    if not host_network:
        kernel_hostname(hostname, host_domain, spec.get("setHostnameAsFQDN"))
    if host_network:
        if node_hosts is None:
            raise InputError("a host-network pod gets the node's own hosts file: pass node_hosts, the content of the node's /etc/hosts")
        return node_hosts_content(node_hosts, aliases)
    ips = pod_ips(pod)
    if not ips:
        raise InputError("the pod has no IP in status.podIPs or status.podIP: the kubelet does not manage /etc/hosts "
                         "of a pod-network pod before it has an IP")
    return managed_hosts_content(ips, hostname, host_domain, aliases)


def _validate_pod_metadata(metadata):
    """``ValidateObjectMeta`` for the names that reach the file: the pod name is a DNS-1123
    subdomain (``ValidatePodName``), the namespace a DNS-1123 label (``ValidateNamespaceName``)."""
    name = field(metadata, "name", str, "metadata", "")
    namespace = field(metadata, "namespace", str, "metadata", "")
    return ((validate_dns1123_subdomain(name, "metadata.name") if name else [])
            + (validate_dns1123_label(namespace, "metadata.namespace") if namespace else []))


def _pod_hostname_and_domain(pod, spec, cluster_domain):
    metadata = field(pod, "metadata", dict, "", {})
    name = field(metadata, "name", str, "metadata", "")
    hostname = field(spec, "hostname", str, "spec", "")
    override = field(spec, "hostnameOverride", str, "spec")
    if not (name or hostname or override):
        raise InputError("metadata.name is required: it is the pod's hostname when spec.hostname is empty")
    namespace = field(metadata, "namespace", str, "metadata", "") or "default"
    return pod_hostname_and_domain(name, namespace, hostname, field(spec, "subdomain", str, "spec", ""),
                                   cluster_domain, override)


# ---------------------------------------------------------------------------------------------
# kube-apiserver validation: pkg/apis/core/validation/validation.go
# ---------------------------------------------------------------------------------------------

def validate_host_aliases(host_aliases: list | None, path: str) -> list:
    """``ValidateHostAliases`` (1.33+): each IP with ``IsValidIPForLegacyField`` (strict with the
    ``StrictIPCIDRValidation`` gate, see releases.GATES), each hostname a DNS-1123 subdomain. Empty hostname lists
    and repeated names are valid."""
    strict = releases.enabled("StrictIPCIDRValidation")
    errors = []
    for i, (ip, hostnames) in enumerate(_aliases_list(host_aliases, path)):
        alias_path = index(path, i)
        errors += is_valid_ip_for_legacy_field(child(alias_path, "ip"), ip, strict)
        for j, name in enumerate(hostnames):
            errors += validate_dns1123_subdomain(name, index(child(alias_path, "hostnames"), j))
    return errors


def validate_pod_host_name(spec: dict, path: str) -> list:
    """``validatePodHostName``: a set ``hostnameOverride`` (even empty) may not go with
    ``setHostnameAsFQDN: true`` nor ``hostNetwork: true``, is at most 64 bytes and a DNS-1123 subdomain
    (kubernetes PR #132558, KEP-4762)."""
    override = field(spec, "hostnameOverride", str, path)
    if override is None or not releases.enabled("HostnameOverride"):  # the gate off: kube-apiserver drops the field
        return []
    override_path = child(path, "hostnameOverride")
    errors = []
    if field(spec, "setHostnameAsFQDN", bool, path, False):
        errors.append(forbidden(override_path, "may not be specified when setHostnameAsFQDN is true"))
    if field(spec, "hostNetwork", bool, path, False):
        errors.append(forbidden(override_path, "may not be specified when hostNetwork is true"))
    if go_len(override) > HOSTNAME_OVERRIDE_MAX_LEN:
        errors.append(too_long(override_path, HOSTNAME_OVERRIDE_MAX_LEN))
    return errors + validate_dns1123_subdomain(override, override_path)


def validate_pod_host_fields(spec: dict, path: str) -> list:
    """The ``ValidatePodSpec`` rules of this capability, in upstream order: ``hostnameOverride``
    (``validatePodHostName``), ``hostname`` and ``subdomain`` (DNS-1123 labels when non-empty), then
    ``hostAliases``."""
    expect(spec, dict, path or "spec")
    errors = validate_pod_host_name(spec, path)
    for name in ("hostname", "subdomain"):
        value = field(spec, name, str, path, "")
        if value:
            errors += validate_dns1123_label(value, child(path, name))
    return errors + validate_host_aliases(spec.get("hostAliases"), child(path, "hostAliases"))


def _alias_key(ip):
    # Valid spellings of one address merge (Go parses "::ffff:1.2.3.4" as 1.2.3.4); an invalid IP
    # keys on its text and is reported by validation.
    parsed = parse_ip_sloppy(ip)
    return ip if parsed is None else parsed


def host_aliases(entries: Any, validate: bool = True) -> list[dict]:
    """Normalise ``entries`` into a validated ``spec.hostAliases`` list, merged by IP.

    The first spelling of each IP is kept (the kubelet writes it verbatim). Invalid IPs or
    hostnames raise :class:`InputError` with kube-apiserver's messages for the merged list
    (``spec.hostAliases[<index in the result>]``). With ``validate=False`` they are returned
    as given, for a caller that validates the whole object (and so reports its field paths).
    """
    expect(validate, bool, "validate")
    keyed = ((_alias_key(ip), ip, names) for ip, names, _where in entry_pairs(entries, "entries"))
    aliases = [{"ip": ip, "hostnames": names} for ip, names in merge_by_ip(keyed)]
    if not validate:
        return aliases
    errors = validate_host_aliases(aliases, "spec.hostAliases")
    if errors:
        raise InputError(aggregate(errors))
    return aliases

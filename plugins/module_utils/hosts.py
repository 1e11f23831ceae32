# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The kubelet-managed ``/etc/hosts`` of a pod, HostAliases, and marked blocks in node hosts files.

Pure Python, no Ansible imports. Three parts:

* the kubelet's rendering (``pkg/kubelet/kubelet_pods.go``: ``managedHostsFileContent``,
  ``nodeHostsFileContent``, ``hostsEntriesFromHostAliases``, ``GeneratePodHostNameAndDomain``,
  ``truncatePodHostnameIfNeeded``, ``shouldMountHostsFile``/``makeMounts``;
  ``pkg/kubelet/util/util.go`` ``GetNodenameForKernel``), byte for byte;
* kube-apiserver's checks of ``spec.hostAliases``, ``spec.hostname`` and ``spec.subdomain``
  (``pkg/apis/core/validation/validation.go`` ``ValidatePodSpec``, ``ValidateHostAliases``);
* host entries for node hosts files: parsing, normalising, and one owned block edited the way
  kubespray's former ``blockinfile`` task did (``# BEGIN <marker>`` ... ``# END <marker>``).

The rules, their upstream origin and the assumptions: docs/hosts.md.
"""

from __future__ import annotations

import re

from ansible_collections.clusternet.k8s.plugins.module_utils import releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, optional, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.validation import (
    aggregate,
    child,
    forbidden,
    go_len,
    go_quote,
    index,
    ip_text,
    ip_value_sloppy,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_valid_ip_for_legacy_field,
    parse_ip_sloppy,
    too_long,
    validate_dns1123_label,
    validate_dns1123_subdomain,
)

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


def _path(parts):
    """A field path from names and list indexes."""
    path = ""
    for part in parts:
        path = index(path, part) if isinstance(part, int) else child(path, part)
    return path


def _typed(value, kind, *where):
    """``expect`` with the error path built from ``where`` only on failure: these checks run for
    every field of every pod."""
    if isinstance(value, kind) and kind is not int:  # expect() also refuses a bool as an int
        return value
    return expect(value, kind, _path(where))


def _field(obj, name, kind, default, *where):
    """``obj[name]`` checked to be a ``kind``; ``default`` when absent or null."""
    value = obj.get(name)
    return default if value is None else _typed(value, kind, *where, name)


def _alias_fields(alias, *where):
    """``(ip, hostnames)`` of one ``v1.HostAlias``; absent fields are Go's zero values."""
    alias = _typed(alias, dict, *where)
    hostnames = _field(alias, "hostnames", list, [], *where)
    for j, name in enumerate(hostnames):
        _typed(name, str, *where, "hostnames", j)
    return _field(alias, "ip", str, "", *where), hostnames


def _aliases_list(host_aliases, what):
    return [_alias_fields(a, what, i) for i, a in enumerate(_typed([] if host_aliases is None else host_aliases, list, what))]


def hosts_entries_from_host_aliases(host_aliases):
    """``hostsEntriesFromHostAliases``: nothing for no aliases, else a blank line, a comment and
    one ``ip<TAB>name<TAB>name`` line per alias, in spec order, exactly as stored."""
    aliases = _aliases_list(host_aliases, "host_aliases")
    if not aliases:
        return ""
    return "\n" + HOST_ALIASES_COMMENT + "".join("%s\t%s\n" % (ip, "\t".join(names)) for ip, names in aliases)


def managed_hosts_content(host_ips, hostname, host_domain, host_aliases):
    """``managedHostsFileContent``: the file of a pod on the pod network.

    One line per pod IP in the order given (no sorting, no dedup): ``ip<TAB>fqdn<TAB>hostname``
    with a domain, ``ip<TAB>hostname`` without. Inputs are written as they are: they are expected
    to have passed API validation (see :func:`pod_hosts`).
    """
    ips = _typed(host_ips, list, "host_ips")
    for i, ip in enumerate(ips):
        _typed(ip, str, "host_ips", i)
    _typed(hostname, str, "hostname")
    _typed(host_domain, str, "host_domain")
    if host_domain:
        names = "%s.%s\t%s" % (hostname, host_domain, hostname)
    else:
        names = hostname
    pod_lines = "".join("%s\t%s\n" % (ip, names) for ip in ips)
    return MANAGED_HOSTS_HEADER + MANAGED_HOSTS_FIXED_LINES + pod_lines + hosts_entries_from_host_aliases(host_aliases)


def node_hosts_content(node_hosts_text, host_aliases):
    """``nodeHostsFileContent``: a host-network pod gets the node's file byte for byte under its
    own header, then the aliases. The pod's hostname and IPs are not added, and no newline is
    inserted when the node file lacks a final one."""
    _typed(node_hosts_text, str, "node_hosts")
    return MANAGED_HOSTS_HEADER_HOST_NETWORK + node_hosts_text + hosts_entries_from_host_aliases(host_aliases)


def truncate_pod_hostname(pod_name, hostname):
    """``truncatePodHostnameIfNeeded``: cut to 63 bytes, then strip trailing ``-`` and ``.``."""
    _typed(pod_name, str, "pod name")
    _typed(hostname, str, "hostname")
    raw = hostname.encode("utf-8", "surrogateescape")  # Go counts and slices bytes
    if len(raw) <= HOSTNAME_MAX_LEN:
        return hostname
    truncated = raw[:HOSTNAME_MAX_LEN].rstrip(b"-.").decode("utf-8", "surrogateescape")
    if not truncated:
        raise InputError("hostname for pod %s was invalid: %s" % (go_quote(pod_name), go_quote(hostname)))
    return truncated


def pod_hostname_and_domain(pod_name, namespace, hostname="", subdomain="", cluster_domain="cluster.local",
                            hostname_override=None, hostname_override_gate=None):
    """``GeneratePodHostNameAndDomain``: ``(hostname, host_domain)`` as the kubelet computes them.

    ``hostname_override_gate`` is the ``HostnameOverride`` feature gate (None: the current release's, see
    releases.GATES). The override replaces the hostname and drops the domain. Errors carry the kubelet's text.
    """
    for value, what in ((pod_name, "pod name"), (namespace, "namespace"), (hostname, "spec.hostname"),
                        (subdomain, "spec.subdomain"), (cluster_domain, "cluster_domain")):
        _typed(value, str, what)
    optional(hostname_override, str, "spec.hostnameOverride")
    if hostname_override_gate is None:
        hostname_override_gate = releases.enabled("HostnameOverride")
    _typed(hostname_override_gate, bool, "hostname_override_gate")
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


def kernel_hostname(hostname, host_domain, set_hostname_as_fqdn):
    """``GetNodenameForKernel``: the sandbox's kernel hostname.

    ``setHostnameAsFQDN`` only matters with a domain; the FQDN may then be at most 64 characters
    (not 63), and a longer one fails sandbox creation with the error raised here. It never
    changes ``/etc/hosts``.
    """
    _typed(hostname, str, "hostname")
    _typed(host_domain, str, "host_domain")
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

def pod_ips(pod):
    """The pod IPs the kubelet writes: ``status.podIPs`` as the API holds them (``SetDefaults_PodStatus``
    keeps it in step with ``status.podIP``, which wins when they differ), in that order.

    The kubelet writes the IPs in CRI sandbox order, taken to be the order of ``status.podIPs``
    (docs/hosts.md#assumption-2). :func:`pod_hosts` first refuses IPs the apiserver would refuse.
    """
    status = _field(_typed(pod, dict, "pod"), "status", dict, {})
    from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack  # pylint: disable=import-outside-toplevel
    return dualstack.defaulted_pod_ips(status, "status")[1]


def _containers(spec):
    """``{name: container}`` over init, regular and ephemeral containers (``VisitContainers``)."""
    found = {}
    for kind in ("initContainers", "containers", "ephemeralContainers"):
        for i, c in enumerate(_field(spec, kind, list, [], "spec")):
            found[_field(_typed(c, dict, "spec", kind, i), "name", str, "", "spec", kind, i)] = c
    return found


def _has_windows_host_process_container(spec, containers):
    """``HasWindowsHostProcessContainer``: a container's ``windowsOptions.hostProcess`` wins over
    the pod's when set (``DetermineEffectiveSecurityContext``)."""
    pod_options = _field(_field(spec, "securityContext", dict, {}, "spec"), "windowsOptions", dict, {}, "spec.securityContext")
    pod_value = _field(pod_options, "hostProcess", bool, False, "spec.securityContext.windowsOptions")
    for name, c in containers.items():
        where = "container %s securityContext" % go_quote(name)
        options = _field(_field(c, "securityContext", dict, {}, where), "windowsOptions", dict, {}, where)
        value = _field(options, "hostProcess", bool, None, where, "windowsOptions")
        if pod_value if value is None else value:
            return True
    return False


def _mounts_etc_hosts(container, etc_hosts_path):
    """``makeMounts``: the container mounts something at exactly the hosts path (string equality)."""
    mounts = _field(container, "volumeMounts", list, [], "container")
    paths = [_field(_typed(m, dict, "volumeMounts", i), "mountPath", str, "", "volumeMounts", i) for i, m in enumerate(mounts)]
    return etc_hosts_path in paths


def should_mount_hosts_file(pod, container_name, goos="linux"):
    """Whether the kubelet mounts its managed hosts file into one container of ``pod``.

    ``shouldMountHostsFile``: the pod has IPs or uses the host network and, on Windows, has no
    HostProcess container; ``makeMounts``: the container does not mount anything at exactly
    ``/etc/hosts`` itself (``/etc/hosts/`` does not count).
    """
    _typed(container_name, str, "container_name")
    if goos not in ETC_HOSTS_PATHS:
        raise InputError("goos must be one of %s, got %s" % (", ".join(sorted(ETC_HOSTS_PATHS)), go_quote(str(goos))))
    spec = _field(_typed(pod, dict, "pod"), "spec", dict, {})
    containers = _containers(spec)
    if container_name not in containers:
        raise InputError("pod has no container named %s" % go_quote(container_name))
    has_ips = bool(pod_ips(pod))
    mount = has_ips or _field(spec, "hostNetwork", bool, False, "spec")
    if goos == "windows":
        mount = mount and not _has_windows_host_process_container(spec, containers)
    own_mount = _mounts_etc_hosts(containers[container_name], ETC_HOSTS_PATHS[goos])
    return mount and not own_mount


def pod_hosts(pod, node_hosts=None, cluster_domain="cluster.local"):
    """The exact ``/etc/hosts`` text the kubelet writes for ``pod`` (a Pod as the API returns it,
    or a manifest with ``status.podIPs``/``status.podIP``).

    The pod must be one kube-apiserver accepts (its hostAliases, hostname and subdomain are
    validated first). A host-network pod gets the node's file (``node_hosts``) under its own
    header; a pod-network pod needs its IPs, and with ``setHostnameAsFQDN`` an FQDN the sandbox
    can take. A manifest without ``metadata.namespace`` is in ``default`` (docs/hosts.md#assumption-3).
    """
    _typed(pod, dict, "pod")
    if _UNSAFE_NAME.search(_typed(cluster_domain, str, "cluster_domain")):
        raise InputError("cluster_domain %s must not contain whitespace, '#' or control characters" % go_quote(cluster_domain))
    spec = _field(pod, "spec", dict, {})
    errors = _validate_pod_metadata(_field(pod, "metadata", dict, {})) + validate_pod_spec(spec, "spec")
    if errors:
        raise InputError("kube-apiserver would reject this pod: %s" % aggregate(errors))
    # the status a kubelet writes goes through the status subresource's checks
    # imported here: the hosts_file module, which needs none of the pod rules, runs without loading them
    from ansible_collections.clusternet.k8s.plugins.module_utils import dualstack  # pylint: disable=import-outside-toplevel
    errors = dualstack.validate_pod_status(_field(pod, "status", dict, {}), "status")
    if errors:
        raise InputError("kube-apiserver would reject this pod's status: %s" % aggregate(errors))
    aliases = _field(spec, "hostAliases", list, [], "spec")
    # The kubelet's order: the sandbox of a pod-network pod gets its kernel hostname first (a too
    # long FQDN fails it, and the pod never gets an IP), then each container its mounts.
    hostname, host_domain = _pod_hostname_and_domain(pod, spec, cluster_domain)
    host_network = _field(spec, "hostNetwork", bool, False, "spec")
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
    name = _field(metadata, "name", str, "", "metadata")
    namespace = _field(metadata, "namespace", str, "", "metadata")
    return ((validate_dns1123_subdomain(name, "metadata.name") if name else [])
            + (validate_dns1123_label(namespace, "metadata.namespace") if namespace else []))


def _pod_hostname_and_domain(pod, spec, cluster_domain):
    metadata = _field(pod, "metadata", dict, {})
    name = _field(metadata, "name", str, "", "metadata")
    hostname = _field(spec, "hostname", str, "", "spec")
    override = _field(spec, "hostnameOverride", str, None, "spec")
    if not (name or hostname or override):
        raise InputError("metadata.name is required: it is the pod's hostname when spec.hostname is empty")
    namespace = _field(metadata, "namespace", str, "", "metadata") or "default"
    return pod_hostname_and_domain(name, namespace, hostname, _field(spec, "subdomain", str, "", "spec"),
                                   cluster_domain, override)


# ---------------------------------------------------------------------------------------------
# kube-apiserver validation: pkg/apis/core/validation/validation.go
# ---------------------------------------------------------------------------------------------

def validate_host_aliases(host_aliases, path):
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


def validate_pod_host_name(spec, path):
    """``validatePodHostName``: a set ``hostnameOverride`` (even empty) may not go with
    ``setHostnameAsFQDN: true`` nor ``hostNetwork: true``, is at most 64 bytes and a DNS-1123 subdomain
    (kubernetes PR #132558, KEP-4762)."""
    override = _field(spec, "hostnameOverride", str, None, path)
    if override is None or not releases.enabled("HostnameOverride"):  # the gate off: kube-apiserver drops the field
        return []
    field = child(path, "hostnameOverride")
    errors = []
    if _field(spec, "setHostnameAsFQDN", bool, False, path):
        errors.append(forbidden(field, "may not be specified when setHostnameAsFQDN is true"))
    if _field(spec, "hostNetwork", bool, False, path):
        errors.append(forbidden(field, "may not be specified when hostNetwork is true"))
    if go_len(override) > HOSTNAME_OVERRIDE_MAX_LEN:
        errors.append(too_long(field, HOSTNAME_OVERRIDE_MAX_LEN))
    return errors + validate_dns1123_subdomain(override, field)


def validate_pod_spec(spec, path):
    """The ``ValidatePodSpec`` rules of this capability, in upstream order: ``hostnameOverride``
    (``validatePodHostName``), ``hostname`` and ``subdomain`` (DNS-1123 labels when non-empty), then
    ``hostAliases``."""
    _typed(spec, dict, path or "spec")
    errors = validate_pod_host_name(spec, path)
    for name in ("hostname", "subdomain"):
        value = _field(spec, name, str, "", path)
        if value:
            errors += validate_dns1123_label(value, child(path, name))
    return errors + validate_host_aliases(spec.get("hostAliases"), child(path, "hostAliases"))


# ---------------------------------------------------------------------------------------------
# Host entries in user input: {name: ip or [ips]}, [{ip, hostnames}], ["ip name name"], [[ip, [names]]]
# ---------------------------------------------------------------------------------------------

def _entry_pairs(entries, what):
    """Yield ``(ip, hostnames, where)`` from any accepted input shape, type-checked."""
    if isinstance(entries, dict):
        for name, ips in entries.items():
            where = "%s[%s]" % (what, go_quote(name) if isinstance(name, str) else type_name(name))
            _typed(name, str, where + " key")
            if isinstance(ips, str):
                yield ips, [name], where
                continue
            for k, ip in enumerate(_typed(ips, list, where)):
                yield _typed(ip, str, where, k), [name], where
        return
    if not isinstance(entries, (list, tuple)):
        raise InputError("%s must be a mapping of hostname to IP(s), or a list of {ip, hostnames} mappings, "
                         "\"ip name ...\" strings or [ip, [names]] pairs; got %s" % (what, type_name(entries)))
    for i, item in enumerate(entries):
        yield _list_item(item, index(what, i))


def _list_item(item, where):
    if isinstance(item, str):
        lines = [line for line in item.splitlines() if line.strip()]
        if len(lines) > 1:  # read as one line, the names of the second would resolve to the first IP
            raise InputError('%s holds %d lines: %s; give one "ip name ..." string per line, each its own list item'
                             % (where, len(lines), go_quote(item)))
        fields = item.split()
        if not fields:
            raise InputError("%s is an empty string: expected \"ip name ...\"" % where)
        return fields[0], fields[1:], where
    if isinstance(item, dict):
        unknown = sorted(go_quote(str(k)) for k in item if k not in ("ip", "hostnames"))
        if unknown:
            raise InputError("%s has unknown keys %s: an entry has only ip and hostnames" % (where, ", ".join(unknown)))
        names = item.get("hostnames")
        return _typed(item.get("ip"), str, where, "ip"), _names([] if names is None else names, child(where, "hostnames")), where
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return _typed(item[0], str, where, 0), _names(item[1], index(where, 1)), where
    raise InputError("%s must be a {ip, hostnames} mapping, an \"ip name ...\" string or an [ip, [names]] pair, got %s"
                     % (where, type_name(item)))


def _names(value, where):
    if not isinstance(value, (list, tuple)):
        raise InputError("%s must be a list of hostnames, got %s" % (where, type_name(value)))
    return [_typed(n, str, where, j) for j, n in enumerate(value)]


def _merge_by_ip(keyed):
    """Merge ``(key, ip, names)`` by address key in first-seen order, keeping the first spelling
    of each address and dropping names repeated for one address."""
    merged = {}
    for key, ip, names in keyed:
        slot = merged.setdefault(key, (ip, {}))
        for name in names:
            slot[1].setdefault(name, None)  # a dict keeps insertion order and makes lookups O(1)
    return [(ip, list(names)) for ip, names in merged.values()]


def _alias_key(ip):
    # Valid spellings of one address merge (Go parses "::ffff:1.2.3.4" as 1.2.3.4); an invalid IP
    # keys on its text and is reported by validation.
    parsed = parse_ip_sloppy(ip)
    return ip if parsed is None else parsed


def host_aliases(entries, validate=True):
    """Normalise ``entries`` into a validated ``spec.hostAliases`` list, merged by IP.

    The first spelling of each IP is kept (the kubelet writes it verbatim). Invalid IPs or
    hostnames raise :class:`InputError` with kube-apiserver's messages for the merged list
    (``spec.hostAliases[<index in the result>]``). With ``validate=False`` they are returned
    as given, for a caller that validates the whole object (and so reports its field paths).
    """
    expect(validate, bool, "validate")
    keyed = ((_alias_key(ip), ip, names) for ip, names, _where in _entry_pairs(entries, "entries"))
    aliases = [{"ip": ip, "hostnames": names} for ip, names in _merge_by_ip(keyed)]
    if not validate:
        return aliases
    errors = validate_host_aliases(aliases, "spec.hostAliases")
    if errors:
        raise InputError(aggregate(errors))
    return aliases


# ---------------------------------------------------------------------------------------------
# Node hosts files
# ---------------------------------------------------------------------------------------------

# What breaks the one-line, whitespace-separated format: whitespace (incl. newlines), '#', C0/C1
# controls, and lone surrogates (not encodable as UTF-8).
_UNSAFE_NAME = re.compile("[\\s#\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff]")
_UNSAFE_MARKER = re.compile("[\\n\\r\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff]")
# glibc splits hosts lines on C isspace() characters; the newline already ended the line.
_HOSTS_FIELD = re.compile("[^ \\t\\v\\f\\r]+")


def parse_hosts(text):
    """Entries of a hosts file: ``[(ip, [names])]`` per line, in file order, as written.

    Blank lines, comment lines and inline ``#`` comments are ignored; nothing is validated or
    merged (a line with only an address gives an empty name list).
    """
    _typed(text, str, "hosts file content")
    entries = []
    for line in text.split("\n"):
        fields = _HOSTS_FIELD.findall(line.partition("#")[0])
        if fields:
            entries.append((fields[0], fields[1:]))
    return entries


def _node_entry_pairs(entries, what):
    """:func:`_entry_pairs`, plus the compact shapes of a node hosts file: one text of ``ip name ...`` lines, read as
    the resolver reads a hosts file (blank lines and ``#`` comments skipped), and a mapping of IP to its names (a
    list, or one string of names), recognised by its keys being IP addresses."""
    if isinstance(entries, str):
        for number, line in enumerate(entries.split("\n"), 1):
            fields = _HOSTS_FIELD.findall(line.partition("#")[0])
            if fields:
                yield fields[0], fields[1:], "%s line %d" % (what, number)
        return
    if isinstance(entries, dict) and entries and all(isinstance(k, str) and ip_value_sloppy(k) for k in entries):
        for ip, names in entries.items():
            where = "%s[%s]" % (what, go_quote(ip))
            yield ip, names.split() if isinstance(names, str) else _names(names, where), where
        return
    yield from _entry_pairs(entries, what)


def _checked_entries(entries, what):
    """Yield ``(canonical ip, canonical ip, names)`` after refusing what would break the file."""
    for ip, names, where in _node_entry_pairs(entries, what):
        parsed = ip_value_sloppy(ip)
        if parsed is None:
            raise InputError("%s: %s is not an IP address (expected IPv4 like 10.9.8.7 or IPv6 like 2001:db8::ffff)"
                             % (where, go_quote(ip)))
        for name in names:
            if not name or _UNSAFE_NAME.search(name):
                raise InputError("%s: hostname %s must be non-empty and must not contain whitespace, newlines, '#' or "
                                 "control characters" % (where, go_quote(name)))
        canonical = ip_text(*parsed)
        yield canonical, canonical, names


class HostEntries(list):
    """Entries that went through :func:`validate_host_entries`: passing them again costs nothing."""


def validate_host_entries(entries, what="entries"):
    """Host entries for a node hosts file: ``[(ip, [names])]`` merged by IP, first-seen order.

    Accepts ``{name: ip or [ips]}``, a list of ``{ip, hostnames}``, of ``"ip name ..."`` strings
    or of ``[ip, [names]]`` pairs (so its own result is valid input), and the compact shapes: one text of
    ``"ip name ..."`` lines, or ``{ip: [names] or "names"}`` (see :func:`_node_entry_pairs`). Only what would break the
    file format is refused: an IP that is not IPv4/IPv6 (``ParseIPSloppy``), an IP without names,
    an empty name, or a name with whitespace, a newline, ``#`` or a control character, so no
    entry can inject a line. Names are deliberately not held to DNS-1123: node files
    legitimately hold upper case and other names. IPs come out in canonical form, because
    resolvers read leading zeros as octal and one spelling per address keeps merging exact.
    """
    if isinstance(entries, HostEntries):
        return entries
    merged = _merge_by_ip(_checked_entries(entries, what))
    for ip, names in merged:
        if not names:
            raise InputError("%s: %s has no hostnames; a hosts-file line needs at least one name" % (what, ip))
    return HostEntries(merged)


def duplicate_names(entries):
    """``{name: [ips]}`` for names that resolve to more than one IP of one family.

    One IPv4 plus one IPv6 address is normal dual-stack and not reported. Names compare
    case-insensitively, as resolvers do; a reported name lists all its IPs, both families, in
    entry order, under its first spelling.
    """
    seen = {}  # lower-case name: [first spelling, ips, families seen (bits), a family seen twice]
    for ip, names in validate_host_entries(entries):
        family = 2 if ":" in ip else 1  # validated entries are canonical
        for name in names:
            found = seen.get(name.lower())
            if found is None:
                seen[name.lower()] = [name, [ip], family, False]
            else:
                found[1].append(ip)
                found[3] = found[3] or bool(found[2] & family)
                found[2] |= family
    return {spelling: ips for spelling, ips, _families, twice in seen.values() if twice}


def _marker_lines(marker):
    _typed(marker, str, "marker")
    if not marker or _UNSAFE_MARKER.search(marker):
        raise InputError("marker %s must be non-empty, on one line and free of control characters" % go_quote(marker))
    return "# BEGIN %s" % marker, "# END %s" % marker


# A line ends with CRLF, LF or a lone CR (files written on every platform); a file uses the first it has.
_LINE_BREAK = re.compile("\r\n|\n|\r")


def newline_of(text):
    """The file's own line ending: the first one it has (``\\r\\n``, ``\\n`` or a lone ``\\r``), ``\\n`` when none."""
    found = _LINE_BREAK.search(_typed(text, str, "hosts file content"))
    return found.group(0) if found else "\n"


def _ends_with_line_break(text):
    return text.endswith(("\n", "\r"))


def _line_break_before(text, offset):
    """The length of the line break that ends at ``offset``: 2 for CRLF, 1 for LF or CR, 0 for none."""
    if text.endswith("\r\n", 0, offset):
        return 2
    return 1 if offset and text[offset - 1] in "\r\n" else 0


def render_block(entries, marker, newline="\n"):
    """The owned block: ``# BEGIN <marker>``, one ``ip<TAB>name name`` line per IP, ``# END <marker>``,
    each line ending in ``newline``. ``entries`` are validated (:func:`validate_host_entries`); an
    empty list gives a block with only its markers."""
    begin, end = _marker_lines(marker)
    lines = ["%s\t%s%s" % (ip, " ".join(names), newline) for ip, names in validate_host_entries(entries)]
    return begin + newline + "".join(lines) + end + newline


def _line_numbers(text, offsets):
    return ", ".join(str(len(_LINE_BREAK.findall(text, 0, offset)) + 1) for offset in offsets) or "none"


def _find_block(text, marker):
    """``(start, stop)`` offsets of the block (its END line's line break included), or ``None``.

    A marker line is a whole line, whatever ends it (CRLF, LF or CR).
    """
    found = []
    for line in _marker_lines(marker):
        pattern = re.compile("(?<![^\r\n])" + re.escape(line) + "(?![^\r\n])")
        found.append([m.start() for m in pattern.finditer(text)])
    begins, ends = found
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise InputError("the markers of block %s are duplicated or unbalanced (BEGIN lines: %s; END lines: %s); "
                         "fix the file by hand" % (go_quote(marker), _line_numbers(text, begins), _line_numbers(text, ends)))
    stop = ends[0] + len(_marker_lines(marker)[1])
    line_break = _LINE_BREAK.match(text, stop)
    return begins[0], stop if line_break is None else line_break.end()


def update_block(text, entries, marker):
    """``text`` with the block of ``marker`` replaced by ``entries``, appended when absent, or
    removed when ``entries`` is ``None``. Bytes outside the block never change.

    The block's lines end as the file's own lines do (:func:`newline_of`). A file without a final
    line break keeps having none: a block appended to it is preceded by a line break and has none
    at its end, and removing such a block at the end of the file removes that line break too, so
    adding then removing a block gives back the original text. Duplicated or unbalanced markers
    raise :class:`InputError` rather than guessing which lines are owned.
    """
    _typed(text, str, "hosts file content")
    newline = newline_of(text)
    span = _find_block(text, marker)
    if entries is None:
        if span is None:
            return text
        start, stop = span
        if stop == len(text) and not _ends_with_line_break(text):  # the line break it was appended after goes too
            start -= _line_break_before(text, start)
        return text[:start] + text[stop:]
    block = render_block(entries, marker, newline)
    if span is None:
        if not text or _ends_with_line_break(text):
            return text + block
        return text + newline + block[:-len(newline)]
    start, stop = span
    if stop == len(text) and not _ends_with_line_break(text):
        block = block[:-len(newline)]
    return text[:start] + block + text[stop:]

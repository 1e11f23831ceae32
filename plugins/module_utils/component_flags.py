# -*- coding: utf-8 -*-
# Copyright: clusternet.k8s contributors
# Apache License 2.0 (see LICENSE)
"""The dual-stack flag checks of kube-apiserver, kube-controller-manager, kubelet and kube-proxy.

Pure Python, no Ansible imports. Each component's checks run in the order the component runs
them and give its own error texts. Sources (kubernetes/kubernetes unless noted):

- kube-apiserver: ``cmd/kube-apiserver/app/options/validation.go`` (``validateClusterIPFlags``,
  ``validateMaxCIDRRange``, ``validatePublicIPServiceClusterIPRangeIPFamilies``), the service-range
  completion (``getServiceIPAndRanges``) and ``pkg/controlplane/apiserver/options`` ``ServiceIPRange``;
- kube-controller-manager: ``cmd/kube-controller-manager/app/core.go`` ``newNodeIpamController``
  and ``options/nodeipamcontroller.go`` (the rules themselves live in ``cidrset``);
- kubelet: ``staging/src/k8s.io/component-helpers/node/util/ips.go`` ``ParseNodeIPArgument`` and
  ``cmd/kubelet/app/server.go`` (``bad --node-ip``);
- kube-proxy: ``pkg/proxy/apis/config/validation/validation.go`` (detect-local checks) and
  ``cmd/kube-proxy/app/options.go`` (``--cluster-cidr`` is split on commas into ClusterCIDRs).

The rules, their upstream origin and the assumptions: docs/component-flags.md.
"""

from __future__ import annotations

from typing import Any, cast

from ansible_collections.clusternet.k8s.plugins.module_utils import cidrset, releases
from ansible_collections.clusternet.k8s.plugins.module_utils.common import InputError, expect, type_name
from ansible_collections.clusternet.k8s.plugins.module_utils.service_ips.ranges import ClusterIPRange
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.field import (
    aggregate, child, index, invalid, not_supported)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.go_text import (
    go_json_value, go_quote, go_string_slice)
from ansible_collections.clusternet.k8s.plugins.module_utils.validation.net import (
    go_cidr_string, go_ip_string, parse_cidr_sloppy, parse_ip_sloppy, parse_ip_stdlib)

COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kubelet", "kube-proxy")

# kube_features.go: both GA and on by default from 1.34 (locked on in 1.35).
SERVICE_ALLOCATOR_GATES = ("MultiCIDRServiceAllocator", "DisableAllocatorDualWrite")
# kubeoptions.DefaultServiceIPCIDR, used when --service-cluster-ip-range is empty.
DEFAULT_SERVICE_IP_CIDR = "10.0.0.0/24"
# validateClusterIPFlags maxCIDRBits: the legacy bitmap allocator keeps at most 2^20 addresses.
MAX_SERVICE_CIDR_BITS = 20


class FlagError(InputError):
    """A flag value the component refuses while parsing it: the component stops with this one error."""


# ---------------------------------------------------------------------------------------------
# Reading flags the way pflag does
# ---------------------------------------------------------------------------------------------


def normalize_flags(flags: dict | list) -> dict:
    """``{name: value}`` without leading dashes, from a mapping or a list of ``--name=value`` strings."""
    if isinstance(flags, list):
        pairs = []
        for i, item in enumerate(flags):
            expect(item, str, "flags[%d]" % i)
            name, sep, value = item.partition("=")
            if not sep or not name.startswith("-"):
                raise InputError("flags[%d] must look like --name=value, got %r" % (i, item))
            pairs.append((name, value))
    else:
        pairs = list(expect(flags, dict, "flags").items())
    normalized = {}
    for name, value in pairs:
        expect(name, str, "flag name")
        bare = name.lstrip("-")
        if not bare:
            raise InputError("flag name %r is empty" % name)
        if bare in normalized:
            raise InputError("flag --%s is given twice" % bare)
        normalized[bare] = value
    return normalized


def flag_string(flags: dict, name: str, default: str = "") -> str:
    """A string flag; a list of strings stands for its comma-joined form."""
    value = flags.get(name, default)
    if isinstance(value, list):
        return ",".join(expect(v, str, "--%s[%d]" % (name, i)) for i, v in enumerate(value))
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError("--%s must be a string or a list of strings, got %s" % (name, type_name(value)))
    return str(value)


_GO_INT_BASES = {"0x": 16, "0X": 16, "0b": 2, "0B": 2, "0o": 8, "0O": 8}
_GO_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _go_parse_int(text):
    """``strconv.ParseInt(text, 0, ...)`` (base from the prefix, a leading 0 is octal); ``None`` if malformed."""
    body = text[1:] if text[:1] in ("+", "-") and text else text
    if body[:2] in _GO_INT_BASES:
        base, digits = _GO_INT_BASES[body[:2]], body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, digits = 8, body[1:]
    else:
        base, digits = 10, body
    if not digits or any(c not in _GO_DIGITS[base] for c in digits):
        return None
    return -int(digits, base) if text[0] == "-" else int(digits, base)


def flag_int32(flags: dict, name: str) -> int:
    """An int32 flag as pflag parses it (``strconv.ParseInt(s, 0, 32)``); 0 when unset."""
    value = flags.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError("--%s must be an integer, got %s" % (name, type_name(value)))
    text = str(value)
    number = _go_parse_int(text)
    problem = "invalid syntax" if number is None else "value out of range"
    if number is None or not -(1 << 31) <= number < (1 << 31):
        raise FlagError('invalid argument %s for "--%s" flag: strconv.ParseInt: parsing %s: %s'
                        % (go_quote(text), name, go_quote(text), problem))
    return number


_GO_BOOL = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
            "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def _parse_bool(text):
    if text not in _GO_BOOL:
        raise ValueError("strconv.ParseBool: parsing %s: invalid syntax" % go_quote(text))
    return _GO_BOOL[text]


def flag_bool(flags: dict, name: str, default: bool = False) -> bool:
    """A bool flag as pflag parses it (``strconv.ParseBool``)."""
    value = flags.get(name, default)
    if isinstance(value, bool):
        return value
    expect(value, str, "--%s" % name)
    try:
        return _parse_bool(value)
    except ValueError as err:
        raise FlagError('invalid argument %s for "--%s" flag: %s' % (go_quote(value), name, err)) from None


def _go_bool(value):
    return "true" if value else "false"


def feature_gates(flags: dict, defaults: dict) -> dict:
    """``--feature-gates`` as the component's feature gate takes it (``featureGate.Set``): a mapping of
    gate to bool, or ``Gate=true,Other=false`` (items trimmed, empty items skipped, a later item wins);
    a gate locked to its default at the current release (releases.GATES) refuses another value. Gates this
    collection does not model are
    ignored (kube-apiserver would refuse a gate it does not know: ``unrecognized feature gate``)."""
    value = flags.get("feature-gates", {})
    requested = {}
    if isinstance(value, dict):
        for gate, enabled in value.items():
            requested[expect(gate, str, "--feature-gates key")] = expect(enabled, bool, "--feature-gates[%s]" % gate)
    else:
        expect(value, str, "--feature-gates")
        for item in value.split(","):
            if not item:
                continue
            gate, sep, setting = item.partition("=")
            gate = gate.strip()
            if not sep:
                raise FlagError("missing bool value for %s" % gate)
            try:
                requested[gate] = _parse_bool(setting.strip())
            except ValueError as err:
                raise FlagError("invalid value of %s=%s, err: %s" % (gate, setting.strip(), err)) from None
    minor = releases.current().minor
    locked = ["cannot set feature gate %s to %s, feature is locked to %s" % (gate, _go_bool(enabled), _go_bool(not enabled))
              for gate, enabled in requested.items()
              if gate in releases.GATES and releases.GATES[gate].locked(minor) and enabled != releases.GATES[gate].default(minor)]
    if locked:
        raise FlagError(aggregate(locked))
    gates = dict(defaults)
    gates.update(requested)
    return gates


# ---------------------------------------------------------------------------------------------
# kube-apiserver
# ---------------------------------------------------------------------------------------------


def service_ip_range(net: Any) -> Any:
    """``ServiceIPRange``: the IP of the ``kubernetes`` Service; a range needs at least 8 addresses.

    The rule itself is the ClusterIP allocator's (``service_ips.ranges.ClusterIPRange.kubernetes_service_ip``).
    """
    allocator = ClusterIPRange(net)
    if allocator.kubernetes_service_ip() is None:
        raise FlagError("the service cluster IP range must be at least 8 IP addresses")
    return type(net.network_address)(allocator.first)


def complete_service_ip_ranges(value: str) -> tuple[Any, Any, Any]:
    """kube-apiserver's completion of ``--service-cluster-ip-range``: ``(primary, secondary, kubernetes IP)``.

    An empty flag means ``10.0.0.0/24``; only the first two entries are parsed here.
    """
    entries = value.split(",") if value else []
    if not entries:
        primary = cast(tuple, parse_cidr_sloppy(DEFAULT_SERVICE_IP_CIDR))[1]
        return primary, None, service_ip_range(primary)
    parsed = parse_cidr_sloppy(entries[0])
    if parsed is None:
        raise FlagError("service-cluster-ip-range[0] is not a valid cidr")
    primary = parsed[1]
    try:
        kubernetes_ip = service_ip_range(primary)
    except FlagError as err:
        raise FlagError("error determining service IP ranges for primary service cidr: %s" % err) from None
    secondary = None
    if len(entries) > 1:
        parsed = parse_cidr_sloppy(entries[1])
        if parsed is None:
            raise FlagError("service-cluster-ip-range[1] is not an ip net")
        secondary = parsed[1]
    return primary, secondary, kubernetes_ip


def validate_max_cidr_range(net: Any, flag: str, max_bits: int = MAX_SERVICE_CIDR_BITS) -> str | None:
    """``validateMaxCIDRRange``: the legacy allocator's bitmap size limit, or ``None``."""
    bits = net.max_prefixlen
    if bits - net.prefixlen > max_bits:
        return "specified %s is too large; for %d-bit addresses, the mask must be >= %d" % (flag, bits, bits - max_bits)
    return None


def validate_cluster_ip_flags(value: str, primary: Any, secondary: Any, gates: dict) -> list:
    """``validateClusterIPFlags`` on completed options; ``primary``/``secondary`` are parsed networks or ``None``."""
    errors: list[str | None] = []
    if primary is None:
        errors.append("--service-cluster-ip-range must contain at least one valid cidr")
    if len(value.split(",")) > 2:
        errors.append("--service-cluster-ip-range must not contain more than two entries")
    legacy_allocator = not all(gates.get(gate, True) for gate in SERVICE_ALLOCATOR_GATES)
    if legacy_allocator and primary is not None:
        errors.append(validate_max_cidr_range(primary, "--service-cluster-ip-range"))
    if secondary is not None:
        if primary is None:  # an unset primary has no family: IsDualStackCIDRs fails on it
            errors.append("error attempting to validate dualstack for --service-cluster-ip-range value "
                          "error:invalid CIDR[0]: <nil>")
        if primary is None or primary.version == secondary.version:
            errors.append("--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family")
        if legacy_allocator:
            errors.append(validate_max_cidr_range(secondary, "--service-cluster-ip-range[1]"))
    return [error for error in errors if error]


def validate_public_ip_family(primary: Any, advertise_address: Any, reconciler_type: str) -> list:
    """``validatePublicIPServiceClusterIPRangeIPFamilies``: the kubernetes Service family is the advertise address's."""
    if reconciler_type == "none" or primary.version == advertise_address.version:
        return []
    return ["service IP family %s must match public address family %s"
            % (go_quote(go_cidr_string(primary)), go_quote(go_ip_string(advertise_address)))]


def kube_apiserver_errors(flags: dict) -> list:
    """kube-apiserver: its flags parsed (pflag: ``--advertise-address``), ``--feature-gates`` set, then the
    completion (whose error stops it at once), then every validation error."""
    value = flag_string(flags, "service-cluster-ip-range")
    address = flag_string(flags, "advertise-address")
    parsed = None
    if address:
        parsed = parse_ip_stdlib(address.strip())  # pflag ipValue.Set
        if parsed is None:
            raise FlagError('invalid argument %s for "--advertise-address" flag: failed to parse IP: %s'
                            % (go_quote(address), go_quote(address)))
    gates = feature_gates(flags, {gate: releases.enabled(gate) for gate in SERVICE_ALLOCATOR_GATES})
    primary, secondary = complete_service_ip_ranges(value)[:2]
    errors = validate_cluster_ip_flags(value, primary, secondary, gates)
    # an unspecified address (0.0.0.0, ::) is replaced by the host's own (DefaultAdvertiseAddress)
    if parsed is not None and not parsed.is_unspecified:
        errors += validate_public_ip_family(primary, parsed, flag_string(flags, "endpoint-reconciler-type", "lease"))
    return errors


# ---------------------------------------------------------------------------------------------
# kube-controller-manager
# ---------------------------------------------------------------------------------------------

def parse_typed_flags(flags: dict, parsers: dict) -> None:
    """pflag parses the command line in order: the first malformed value of a typed flag stops the
    component. ``parsers`` maps a flag name to the function that parses it (and raises ``FlagError``)."""
    for name in flags:
        if name in parsers:
            parsers[name](flags, name)


KCM_TYPED_FLAGS = {"allocate-node-cidrs": flag_bool, "node-cidr-mask-size": flag_int32,
                   "node-cidr-mask-size-ipv4": flag_int32, "node-cidr-mask-size-ipv6": flag_int32}


def kube_controller_manager_errors(flags: dict) -> list:
    """kube-controller-manager: its flags parsed, its options validated (every error), then the node IPAM
    controller's start-up checks (``newNodeIpamController``) when ``--allocate-node-cidrs`` is true."""
    parse_typed_flags(flags, KCM_TYPED_FLAGS)
    service_range = flag_string(flags, "service-cluster-ip-range")
    masks = [flag_int32(flags, name) for name in
             ("node-cidr-mask-size", "node-cidr-mask-size-ipv4", "node-cidr-mask-size-ipv6")]
    allocate = flag_bool(flags, "allocate-node-cidrs")
    allocator_type = flag_string(flags, "cidr-allocator-type", cidrset.RANGE_ALLOCATOR)
    errors = []
    if len(service_range.split(",")) > 2:  # NodeIPAMControllerOptions.Validate
        errors.append("--service-cluster-ip-range can not contain more than two entries")
    if allocator_type and allocator_type != cidrset.RANGE_ALLOCATOR:  # KubeControllerManagerOptions.Validate
        errors.append("built-in cloud providers are disabled. The ipam %s is not available" % allocator_type)
    if errors or not allocate:
        return errors
    try:
        cluster = cidrset.cluster_cidrs_from(flag_string(flags, "cluster-cidr"), "--cluster-cidr")
        services = cidrset.kcm_service_cidrs(service_range or None, "--service-cluster-ip-range")[0]
        node_masks = cidrset.set_node_cidr_mask_sizes(cluster, *masks)
        cidrset.check_node_ipam_controller(cluster, node_masks, allocator_type)
        if allocator_type != cidrset.RANGE_ALLOCATOR:  # only an empty type passes the options' validation
            return ["invalid CIDR allocator type: %s" % allocator_type]
        # a node mask longer than the address, or an IPv4-mapped cluster CIDR, does not stop it (it
        # starts and assigns no usable podCIDR: node_pod_cidrs and network_plan refuse them)
        cidrset.RangeAllocator(cluster, node_masks, services)
    except cidrset.CIDRAllocatorError as err:
        return [str(err)]
    return []


# ---------------------------------------------------------------------------------------------
# kubelet
# ---------------------------------------------------------------------------------------------


def parse_node_ip_argument(node_ip: str, cloud_provider: str = "") -> tuple[list, list, str | None]:
    """``ParseNodeIPArgument``: ``(node IPs, unparsable entries, error text or None)``.

    Entries are trimmed and parsed sloppily; unparsable ones are only ignored (and logged). Two
    IPs must be one per family, are allowed without a cloud provider or with ``external`` only,
    and may not include an unspecified address.
    """
    ips, unparsable = [], []
    for entry in node_ip.split(",") if node_ip else []:
        entry = entry.strip()
        parsed = parse_ip_sloppy(entry)
        if parsed is None:
            unparsable.append(entry)
        else:
            ips.append(parsed)
    if len(ips) > 2 or (len(ips) == 2 and ips[0].version == ips[1].version):
        return [], unparsable, "must contain either a single IP or a dual-stack pair of IPs"
    if len(ips) == 2 and cloud_provider not in ("", "external"):
        return [], unparsable, "dual-stack not supported in this configuration"
    if len(ips) == 2 and any(ip.is_unspecified for ip in ips):
        return [], unparsable, "dual-stack node IP cannot include '0.0.0.0' or '::'"
    return ips, unparsable, None


def kubelet_errors(flags: dict) -> list:
    """kubelet: ``--node-ip`` as ``RunKubelet`` checks it."""
    node_ip = flag_string(flags, "node-ip")
    error = parse_node_ip_argument(node_ip, flag_string(flags, "cloud-provider"))[2]
    return ["bad --node-ip %s: %s" % (go_quote(node_ip), error)] if error else []


# ---------------------------------------------------------------------------------------------
# kube-proxy
# ---------------------------------------------------------------------------------------------

DETECT_LOCAL_MODES = ("ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix", "")
_DUAL_STACK_PAIR = "must be a either a single CIDR or dual-stack pair of CIDRs (e.g. [10.100.0.0/16, fde4:8dba:82e1::/48]"


def validate_dual_stack_cidr_strings(cidrs: list, field: str) -> list:
    """``validateDualStackCIDRStrings``: one CIDR or a dual-stack pair (upstream's typos kept)."""
    if not cidrs:
        return [invalid(field, go_string_slice(cidrs), "must contain at least one CIDR")]
    if len(cidrs) > 2:
        return [invalid(field, go_string_slice(cidrs), _DUAL_STACK_PAIR)]
    parsed = [parse_cidr_sloppy(cidr) for cidr in cidrs]
    errors = [invalid(index(field, i), cidr, "must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)")
              for i, (cidr, net) in enumerate(zip(cidrs, parsed)) if net is None]
    if len(cidrs) == 2 and not errors and parsed[0][1].version == parsed[1][1].version:  # type: ignore[index]  # no error: both parsed
        errors.append(invalid(field, go_string_slice(cidrs), _DUAL_STACK_PAIR))
    return errors


def validate_detect_local(mode: str, cluster_cidrs: list, bridge_interface: str, interface_prefix: str) -> list:
    """``validateDetectLocalMode`` and ``validateDetectLocalConfiguration``."""
    path = "KubeProxyConfiguration"
    if mode not in DETECT_LOCAL_MODES:
        return [not_supported(child(path, "DetectLocalMode"), go_json_value(mode), DETECT_LOCAL_MODES)]
    config = child(path, "DetectLocalConfiguration")
    if mode == "BridgeInterface" and not bridge_interface:
        return [invalid(child(config, "InterfaceName"), bridge_interface, "must not be empty")]
    if mode == "InterfaceNamePrefix" and not interface_prefix:
        return [invalid(child(config, "InterfacePrefix"), interface_prefix, "must not be empty")]
    if mode == "ClusterCIDR" and cluster_cidrs:
        return validate_dual_stack_cidr_strings(cluster_cidrs, child(config, "ClusterCIDRs"))
    return []


def kube_proxy_errors(flags: dict) -> list:
    """kube-proxy: the detect-local checks; an empty mode is defaulted to ``ClusterCIDR``."""
    mode = flag_string(flags, "detect-local-mode") or "ClusterCIDR"
    cluster_cidrs = flag_string(flags, "cluster-cidr").split(",") if "cluster-cidr" in flags else []
    errors = validate_detect_local(mode, cluster_cidrs, flag_string(flags, "pod-bridge-interface"),
                                   flag_string(flags, "pod-interface-name-prefix"))
    return list(dict.fromkeys(str(error) for error in errors))  # ToAggregate drops repeated messages


_CHECKS = {
    "kube-apiserver": kube_apiserver_errors,
    "kube-controller-manager": kube_controller_manager_errors,
    "kubelet": kubelet_errors,
    "kube-proxy": kube_proxy_errors,
}


def component_flag_errors(flags: dict | list, component: str) -> list:
    """The dual-stack flag errors ``component`` reports for ``flags``, as its own texts; ``[]`` when it starts."""
    if not isinstance(component, str) or component not in _CHECKS:
        raise InputError("component must be one of %s, got %r" % (", ".join(COMPONENTS), component))
    try:
        return _CHECKS[component](normalize_flags(flags))
    except FlagError as err:
        return [str(err)]

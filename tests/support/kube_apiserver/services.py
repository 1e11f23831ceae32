"""Service ClusterIPs as kube-apiserver assigns them: IP-family defaulting, validation, allocation, node ports.

Written from ``spec/dual-stack.md`` §1-2 (the ServiceCIDR/IPAddress allocator of 1.33+), on purpose
without the collection's code: a bug there must not be able to confirm itself here.
"""
import ipaddress

from . import errors
from .errors import FieldError

V4, V6 = "IPv4", "IPv6"
POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
NODE_PORTS = (30000, 32767)


def family_of(ip):
    try:
        return V4 if ipaddress.ip_address(ip).version == 4 else V6
    except ValueError:
        return "unknown"


def _other(family):
    return V6 if family == V4 else V4


class ServiceCIDRs:
    """The ``--service-cluster-ip-range`` of the server: one or two CIDRs, primary first."""

    def __init__(self, cidrs):
        self.networks = [ipaddress.ip_network(c.strip()) for c in cidrs]
        families = [self.family(n) for n in self.networks]
        if not 1 <= len(families) <= 2 or len(set(families)) != len(families):
            raise ValueError("service CIDRs must be one CIDR, or two of different families: %s" % cidrs)
        for net in self.networks:
            if net.version == 6 and net.prefixlen < 64:
                raise ValueError("shortest allowed prefix length for service CIDR is 64, got %d" % net.prefixlen)
        self.families = families

    @staticmethod
    def family(net):
        return V4 if net.version == 4 else V6

    def network(self, family):
        return self.networks[self.families.index(family)]

    def first_ip(self):
        return str(self.networks[0].network_address + 1)


def _bounds(net):
    """First and last assignable address (no network address; no IPv4 broadcast)."""
    return int(net.network_address) + 1, int(net.broadcast_address) - (1 if net.version == 4 else 0)


def static_band(net):
    """KEP-3070's static band size, computed from the full range size as calculateRangeOffset does."""
    host_bits = net.max_prefixlen - net.prefixlen
    size = 2 ** host_bits if host_bits < 63 else 2 ** 63 - 1
    return 0 if size <= 16 else min(max(size // 16, 16), 256)


def allocate_next(net, used, rng):
    """A random free address of the dynamic band, else of the static band (upstream picks at random too)."""
    first, last = _bounds(net)
    split = first + static_band(net)
    for low, high in ((split, last), (first, split - 1)):
        span = high - low + 1
        start = rng.randrange(span) if span > 0 else 0
        for step in range(max(span, 0)):
            candidate = low + (start + step) % span
            if candidate not in used:
                return str(ipaddress.ip_address(candidate))
    raise errors.internal("failed to allocate a serviceIP: range is full")


def _allocate_static(ip, net, used):
    """None when ``ip`` may be taken, else the allocator's error text."""
    address = ipaddress.ip_address(ip)
    if address not in net:
        return "the provided network does not match the current range"
    first, last = _bounds(net)
    if not first <= int(address) <= last:
        return "the provided IP (%s) is not in the valid range. The range of valid IPs is %s" % (ip, net)
    return "provided IP is already allocated" if int(address) in used else None


def _ip_errors(ip, path):
    try:
        canonical = str(ipaddress.ip_address(ip))
    except ValueError:
        return [FieldError("invalid", path, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    return [] if canonical == ip else [FieldError("invalid", path, ip, 'must be in canonical form ("%s")' % canonical)]


def cluster_ips_related_errors(spec):
    """ValidateServiceClusterIPsRelatedFields (nothing for ExternalName)."""
    if spec.get("type") == "ExternalName":
        return []
    found = []
    cluster_ip, ips, families = spec.get("clusterIP", ""), spec.get("clusterIPs") or [], spec.get("ipFamilies") or []
    if cluster_ip and not ips:
        found.append(FieldError("required", "spec.clusterIPs"))
    elif cluster_ip and ips[0] != cluster_ip:
        found.append(FieldError("invalid", "spec.clusterIPs[0]", ips[0], "first value must match `clusterIP`"))
    elif not cluster_ip and ips:
        found.append(FieldError("invalid", "spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"))
    for i, family in enumerate(families):
        if family not in (V4, V6):
            found.append(FieldError("unsupported", "spec.ipFamilies[%d]" % i, family, 'supported values: "IPv4", "IPv6"'))
        elif family in families[:i]:
            found.append(FieldError("duplicate", "spec.ipFamilies[%d]" % i, family))
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in POLICIES:
        found.append(FieldError("unsupported", "spec.ipFamilyPolicy", policy, "supported values: " + ", ".join('"%s"' % p for p in POLICIES)))
    ip_errors = []
    for i, ip in enumerate(ips):
        if ip == "None":
            if i or len(ips) > 1:
                ip_errors.append(FieldError("invalid", "spec.clusterIPs", ips, "'None' must be the first and only value"))
        else:
            ip_errors += _ip_errors(ip, "spec.clusterIPs[%d]" % i)
    found += ip_errors
    if len(ips) > 2:
        found.append(FieldError("invalid", "spec.clusterIPs", ips, "may only hold up to 2 values"))
    if ip_errors:
        return found
    if len(ips) == 2 and family_of(ips[0]) == family_of(ips[1]):
        found.append(FieldError("invalid", "spec.clusterIPs", ips, "may specify no more than one IP for each IP family"))
    if ips and ips[0] != "None":
        for i, family in enumerate(families[:len(ips)]):
            if family in (V4, V6) and family_of(ips[i]) != family:
                found.append(FieldError("invalid", "spec.clusterIPs[%d]" % i, ips[i], "expected an %s value as indicated by `ipFamilies[%d]`" % (family, i)))
    return found


def _same(old, new, key):
    return (old.get(key) or []) == (new.get(key) or [])


def _headless_selectorless(spec):
    return spec.get("clusterIP") == "None" and not spec.get("selector")


def init_ip_families(spec, old, cidrs):
    """initIPFamilyFields: default ipFamilyPolicy and ipFamilies; the field errors if the request cannot stand."""
    if spec.get("ipFamilyPolicy") is None:
        if old and old.get("ipFamilyPolicy"):
            spec["ipFamilyPolicy"] = old["ipFamilyPolicy"]
        else:
            spec["ipFamilyPolicy"] = "RequireDualStack" if _headless_selectorless(spec) else "SingleStack"
    found = cluster_ips_related_errors(spec)
    if found:
        return found
    policy, families = spec["ipFamilyPolicy"], list(spec.get("ipFamilies") or [])
    found += _policy_change_errors(spec, old, families)
    families = spec.get("ipFamilies", families)
    for i, ip in enumerate(spec.get("clusterIPs") or []):
        if ip == "None":
            break
        if i >= len(families):
            if family_of(ip) in cidrs.families:
                families.append(family_of(ip))
            else:
                found.append(FieldError("invalid", "spec.clusterIPs[%d]" % i, spec["clusterIPs"], "%s is not configured on this cluster" % family_of(ip)))
    if found:
        return found
    if _headless_selectorless(spec):
        families = families or [cidrs.families[0]]
        if len(families) < 2 and policy != "SingleStack":
            families.append(_other(families[0]))
        spec["ipFamilies"] = families
        return []
    if policy == "RequireDualStack" and len(cidrs.families) < 2:
        found.append(FieldError("invalid", "spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"))
    found += [FieldError("invalid", "spec.ipFamilies[%d]" % i, f, "not configured on this cluster") for i, f in enumerate(families) if f not in cidrs.families]
    if found:
        return found
    families = families or [cidrs.families[0]]
    if policy != "SingleStack" and len(families) == 1 and len(cidrs.families) == 2:
        families.append(_other(families[0]))
    spec["ipFamilies"] = families
    return []


def _policy_change_errors(spec, old, families):
    """Update-time truncation to SingleStack, and the errors for dropping a family without it."""
    found = []
    policy = spec["ipFamilyPolicy"]
    if old and policy == "SingleStack":
        if _same(old, spec, "clusterIPs") and len(spec.get("clusterIPs") or []) > 1:
            spec["clusterIPs"] = spec["clusterIPs"][:1]
        if _same(old, spec, "ipFamilies") and len(families) > 1:
            spec["ipFamilies"] = families[:1]
    elif old:
        if spec.get("clusterIPs") and len(spec["clusterIPs"]) < len(old.get("clusterIPs") or []):
            found.append(FieldError("invalid", "spec.ipFamilyPolicy", policy, "must be 'SingleStack' to release the secondary cluster IP"))
        if families and len(families) < len(old.get("ipFamilies") or []):
            found.append(FieldError("invalid", "spec.ipFamilyPolicy", policy, "must be 'SingleStack' to release the secondary IP family"))
    if policy == "SingleStack":
        dual = "must be 'RequireDualStack' or 'PreferDualStack' when multiple %s are specified"
        if len(spec.get("clusterIPs") or []) == 2:
            found.append(FieldError("invalid", "spec.ipFamilyPolicy", policy, dual % "cluster IPs"))
        if len(spec.get("ipFamilies") or families) == 2:
            found.append(FieldError("invalid", "spec.ipFamilyPolicy", policy, dual % "IP families"))
    return found


def _keeps_prefer_dual_stack(spec, old):
    """An unchanged PreferDualStack service is neither upgraded nor downgraded when the cluster changes."""
    return bool(old) and spec.get("ipFamilyPolicy") == old.get("ipFamilyPolicy") == "PreferDualStack" \
        and spec.get("type") == old.get("type") and spec.get("type") in ("ClusterIP", "NodePort", "LoadBalancer") \
        and _same(old, spec, "clusterIPs") and _same(old, spec, "ipFamilies")


def allocate_cluster_ips(spec, cidrs, used, rng):
    """Fill every missing clusterIPs[i] of ipFamilies[i]; check the requested ones."""
    ips = list(spec.get("clusterIPs") or [])
    for i, family in enumerate(spec["ipFamilies"]):
        net = cidrs.network(family)
        if i >= len(ips) or not ips[i]:
            ips[i:i + 1] = [allocate_next(net, used[family], rng)]
            continue
        problem = _allocate_static(ips[i], net, used[family])
        if problem:
            return [FieldError("invalid", "spec.clusterIPs", spec.get("clusterIPs") or [], "failed to allocate IP %s: %s" % (ips[i], problem))]
    spec["clusterIPs"], spec["clusterIP"] = ips, ips[0]
    return []


def _normalize(spec, old):
    """normalizeClusterIPs (and, on update, patchAllocatedValues for the IPs)."""
    if old is None:
        if spec.get("clusterIP") and not spec.get("clusterIPs"):
            spec["clusterIPs"] = [spec["clusterIP"]]
        return
    if old.get("type") != "ExternalName" and spec.get("type") != "ExternalName":
        if not spec.get("clusterIP"):
            spec["clusterIP"] = old.get("clusterIP", "")
        if not spec.get("clusterIPs") and old.get("clusterIPs"):
            spec["clusterIPs"] = list(old["clusterIPs"])
    if old.get("clusterIPs") and not spec.get("clusterIPs") and spec.get("clusterIP") == old.get("clusterIP"):
        spec["clusterIPs"] = list(old["clusterIPs"])
    elif spec.get("clusterIP") != old.get("clusterIP") and _same(old, spec, "clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]] if spec.get("clusterIP") else []
    for key in [k for k in ("clusterIP", "clusterIPs") if k in spec and spec[k] in ("", [], None)]:
        del spec[key]


def _external_name_errors(spec):
    found = [FieldError("forbidden", "spec." + key, detail="may not be set for ExternalName services")
             for key in ("clusterIPs", "ipFamilies", "ipFamilyPolicy") if spec.get(key)]
    if not spec.get("externalName"):
        found.append(FieldError("required", "spec.externalName"))
    return found


def validate(spec):
    """The ValidateService rules of this file's concern."""
    if spec.get("type") not in TYPES:
        return [FieldError("unsupported", "spec.type", spec.get("type"), "supported values: " + ", ".join('"%s"' % t for t in TYPES))]
    if spec["type"] == "ExternalName":
        return _external_name_errors(spec)
    headless = (spec.get("clusterIPs") or [""])[0] == "None"
    found = [] if spec.get("ports") or headless else [FieldError("required", "spec.ports")]
    if headless and spec["type"] in ("LoadBalancer", "NodePort"):
        found.append(FieldError("invalid", "spec.clusterIPs[0]", "None", "may not be set to 'None' for %s services" % spec["type"]))
    return found + cluster_ips_related_errors(spec)


def validate_update(spec, old):
    """validateUpgradeDowngradeClusterIPs/IPFamilies: set IPs and the primary family are immutable."""
    if "ExternalName" in (spec.get("type"), old.get("type")):
        return []
    new_ips, old_ips = spec.get("clusterIPs") or [], old.get("clusterIPs") or []
    found = []
    if not (new_ips[:1] == old_ips[:1] == ["None"]):
        if not new_ips and old_ips:
            found.append(FieldError("required", "spec.clusterIPs[0]", detail="primary clusterIP can not be unset"))
        for i in range(min(len(new_ips), len(old_ips))):
            if new_ips[i] != old_ips[i]:
                found.append(FieldError("invalid", "spec.clusterIPs[%d]" % i, new_ips[i], "may not change once set"))
    new_families, old_families = spec.get("ipFamilies") or [], old.get("ipFamilies") or []
    # Upstream reports index 0 even when only the secondary family changed.
    changed = new_families != old_families if len(new_families) == len(old_families) else new_families[:1] != old_families[:1]
    if new_families and old_families and changed and new_ips[:1] != ["None"] and old_ips[:1] != ["None"]:
        found.append(FieldError("invalid", "spec.ipFamilies[0]", new_families[0], "may not change once set"))
    return found


def node_ports(spec, old, used, rng):
    """Allocate the node ports of NodePort and LoadBalancer services; an update keeps the ones it left out.

    ``used`` holds the node ports of every other Service.
    """
    previous = {p.get("name", ""): p.get("nodePort") for p in (old or {}).get("ports") or []}
    if spec.get("type") not in ("NodePort", "LoadBalancer"):
        for i, port in enumerate(spec.get("ports") or []):
            if port.get("nodePort") and port["nodePort"] == previous.get(port.get("name", "")):
                del port["nodePort"]
            elif port.get("nodePort"):
                return [FieldError("forbidden", "spec.ports[%d].nodePort" % i, detail="may not be used when `type` is '%s'" % spec.get("type"))]
        return []
    found = []
    for i, port in enumerate(spec.get("ports") or []):
        wanted = port.get("nodePort") or previous.get(port.get("name", ""))
        if wanted:
            if not NODE_PORTS[0] <= wanted <= NODE_PORTS[1]:
                found.append(FieldError("invalid", "spec.ports[%d].nodePort" % i, wanted,
                                        "provided port is not in the valid range. The range of valid ports is %d-%d" % NODE_PORTS))
            elif wanted in used:
                found.append(FieldError("invalid", "spec.ports[%d].nodePort" % i, wanted, "provided port is already allocated"))
            port["nodePort"] = wanted
        elif spec.get("allocateLoadBalancerNodePorts", True):
            free = [p for p in range(NODE_PORTS[0], NODE_PORTS[1] + 1) if p not in used]
            if not free:
                raise errors.internal("failed to allocate a nodePort: range is full")
            port["nodePort"] = rng.choice(free)
        used.add(port.get("nodePort"))
    return found


def _drop_for_external_name(spec, old):
    """dropTypeDependentFields: fields the user did not touch go away when a Service becomes ExternalName."""
    if spec.get("type") != "ExternalName" or old.get("type") == "ExternalName":
        return
    for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
        if spec.get(key) == old.get(key):
            spec.pop(key, None)


def prepare(res, svc, old, cidrs, used_ips, used_ports, rng):
    """Everything the Service registry does to a create (``old`` None) or update before storing it."""
    spec, old_spec = svc.setdefault("spec", {}), (old or {}).get("spec")
    name = svc["metadata"]["name"]
    _normalize(spec, old_spec)
    if old_spec is not None:
        _drop_for_external_name(spec, old_spec)
    found = []
    if spec.get("type") != "ExternalName" and not _keeps_prefer_dual_stack(spec, old_spec):
        found = init_ip_families(spec, old_spec, cidrs)
        if not found and (spec.get("clusterIPs") or [""])[0] != "None":
            found = allocate_cluster_ips(spec, cidrs, used_ips, rng)
    if not found:
        found = node_ports(spec, old_spec, used_ports, rng)
    found = found or validate(spec) + (validate_update(spec, old_spec) if old_spec is not None else [])
    if found:
        raise errors.invalid(res, name, found)

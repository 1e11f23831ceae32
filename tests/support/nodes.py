"""Dual-stack test nodes for node roles and modules.

Two kinds:

* :class:`NetnsNodes` (root): network namespaces joined by a bridge in a hub namespace, each node
  with an IPv4 (TEST-NET-1) and an IPv6 (ULA) address, a default route, its own hostname and a
  private copy of ``/etc`` bind-mounted over ``/etc`` in a private mount namespace. Optionally the
  node's ``/etc/hosts`` is itself a bind-mounted single file, as in containers (atomic renames over
  it fail with EBUSY). Ansible reaches a node with ``connection: local`` and the node's
  ``python`` wrapper as ``ansible_python_interpreter``.
* :class:`SandboxNode` (no root): a directory used as a node role's ``<role>_root``.

Every process entering a node gets a fresh mount namespace (``ip netns exec`` + ``unshare``), so no
mount outlives it; what persists is the namespaces (``/run/netns/cnk8s-<pid>-<n>-*``) and a state
directory, both removed by :meth:`NetnsNodes.teardown` (also registered with ``atexit``) or, after
a crash, by :func:`cleanup_stale`. ``python -m tests.support.nodes cleanup`` runs the latter.
"""
from __future__ import annotations

import atexit
import ipaddress
import itertools
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREFIX = "cnk8s-"
NETNS_DIR = "/run/netns"
STATE_BASE = os.path.join(tempfile.gettempdir(), "cnk8s")
IPV4_NET = ipaddress.ip_network("192.0.2.0/24")      # TEST-NET-1 (RFC 5737)
IPV6_NET = ipaddress.ip_network("fd00:c0:0:2::/64")  # unique local (RFC 4193)
DEFAULT_HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
_COUNTER = itertools.count(1)

ENTER_SCRIPT = """#!/bin/sh
# Runs a command inside test node {name}: its network namespace, a private /etc, its hostname.
exec ip netns exec {netns} unshare --mount --uts --propagation private -- /bin/sh -c '
mount --bind "$1" /etc || exit 125
if [ -n "$2" ]; then mount --bind "$2" /etc/hosts || exit 125; fi
hostname "$3" || exit 125
shift 3
exec "$@"' {name} {etc} {hosts} {name} "$@"
"""

PYTHON_SCRIPT = """#!/bin/sh
# ansible_python_interpreter of test node {name}: this checkout's Python, inside the node.
exec {enter} {python} "$@"
"""


def run(argv, check=True, **kwargs):
    """``subprocess.run`` with text output captured; errors show the command's stderr."""
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    if check and proc.returncode:
        raise RuntimeError("%s failed (rc=%s): %s" % (shlex.join(argv), proc.returncode, proc.stderr.strip()))
    return proc


def _ip(*args):
    run(["ip", *args])


@dataclass
class NetnsNode:
    """One namespace node; host-side paths of its private files and commands that run inside it."""

    name: str
    netns: str
    ipv4: str
    ipv6: str
    state_dir: str
    hosts_bind: bool = False

    @property
    def etc_dir(self):
        """Host-side path of the directory the node sees as ``/etc``."""
        return os.path.join(self.state_dir, "etc")

    @property
    def hosts_path(self):
        """Host-side path of the file the node sees as ``/etc/hosts``."""
        return os.path.join(self.state_dir, "hosts") if self.hosts_bind else os.path.join(self.etc_dir, "hosts")

    @property
    def enter(self):
        return os.path.join(self.state_dir, "enter")

    @property
    def python(self):
        """The node's ``ansible_python_interpreter``."""
        return os.path.join(self.state_dir, "python")

    def run(self, *argv, check=True, **kwargs):
        """Run ``argv`` inside the node."""
        return run([self.enter, *argv], check=check, **kwargs)

    def read_hosts(self):
        with open(self.hosts_path, encoding="utf-8") as f:
            return f.read()

    def sysctl(self, key):
        """The node's value of sysctl ``key`` (``net.ipv4.ip_forward``), read inside the node."""
        return self.run("cat", "/proc/sys/" + key.replace(".", "/")).stdout.strip()

    def set_sysctl(self, key, value):
        self.run("/bin/sh", "-c", 'echo "$1" > "$2"', "sh", str(value), "/proc/sys/" + key.replace(".", "/"))

    def ping(self, address, timeout=2.0):
        """Whether an ICMP echo from inside the node to ``address`` is answered."""
        proc = self.run(sys.executable, "-m", "tests.support.nodes", "ping", address, str(timeout),
                        check=False, cwd=ROOT)
        return proc.returncode == 0

    def hostvars(self):
        return {"ansible_connection": "local", "ansible_python_interpreter": self.python,
                "node_ipv4": self.ipv4, "node_ipv6": self.ipv6}


@dataclass
class SandboxNode:
    """A directory standing for a node's root file system (no root privileges needed)."""

    name: str
    root: str
    ipv4: str = ""
    ipv6: str = ""

    @property
    def hosts_path(self):
        return os.path.join(self.root, "etc", "hosts")

    def read_hosts(self):
        with open(self.hosts_path, encoding="utf-8") as f:
            return f.read()

    def hostvars(self):
        return {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                "node_ipv4": self.ipv4, "node_ipv6": self.ipv6}


def sandbox_nodes(base, count=2, hosts=DEFAULT_HOSTS):
    """``count`` sandbox nodes ``node1``.. under directory ``base``, each with an ``etc/hosts``
    (unless ``hosts`` is None) and the addresses a namespace node of that name would have."""
    nodes = []
    for i in range(1, count + 1):
        node = SandboxNode("node%d" % i, os.path.join(base, "node%d" % i), str(IPV4_NET[10 + i]), str(IPV6_NET[10 + i]))
        os.makedirs(os.path.dirname(node.hosts_path), exist_ok=True)
        if hosts is not None:
            with open(node.hosts_path, "w", encoding="utf-8") as f:
                f.write(hosts)
        nodes.append(node)
    return nodes


def inventory(nodes, group="nodes", hostvars=None, groupvars=None):
    """YAML inventory text for ``nodes`` in ``group``.

    ``hostvars`` maps a node to extra variables (a callable, or a dict by node name).
    """
    hosts = {}
    for node in nodes:
        extra = hostvars(node) if callable(hostvars) else (hostvars or {}).get(node.name, {})
        hosts[node.name] = {**node.hostvars(), **extra}
    doc = {"all": {"children": {group: {"hosts": hosts, "vars": dict(groupvars or {})}}}}
    return yaml.safe_dump(doc, sort_keys=False)


@dataclass
class NetnsNodes:
    """``count`` namespace nodes ``node1``.. on one bridge; use as a context manager or call teardown()."""

    count: int = 2
    hosts_bind: bool = False
    hosts: str = DEFAULT_HOSTS
    nodes: list = field(default_factory=list)
    ipv4_only: tuple = ()  # names of nodes that get no IPv6 address (only a link-local one) and no IPv6 route

    def __post_init__(self):
        self.prefix = "%s%d-%d-" % (PREFIX, os.getpid(), next(_COUNTER))
        self.state_dir = os.path.join(STATE_BASE, self.prefix.rstrip("-"))
        self.hub = self.prefix + "hub"
        atexit.register(self.teardown)
        try:
            self._create()
        except BaseException:
            self.teardown()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.teardown()

    def __iter__(self):
        return iter(self.nodes)

    def __getitem__(self, index):
        return self.nodes[index]

    def __len__(self):
        return len(self.nodes)

    def inventory(self, group="nodes", hostvars=None, groupvars=None):
        return inventory(self.nodes, group, hostvars, groupvars)

    def _create(self):
        os.makedirs(self.state_dir)
        with open(os.path.join(self.state_dir, "owner"), "w", encoding="utf-8") as f:
            f.write("%d %s\n" % (os.getpid(), _start_time(os.getpid())))
        _ip("netns", "add", self.hub)
        _ip("-n", self.hub, "link", "add", "br0", "type", "bridge")
        _ip("-n", self.hub, "addr", "add", "%s/%d" % (IPV4_NET[1], IPV4_NET.prefixlen), "dev", "br0")
        _ip("-n", self.hub, "addr", "add", "%s/%d" % (IPV6_NET[1], IPV6_NET.prefixlen), "dev", "br0", "nodad")
        for link in ("lo", "br0"):
            _ip("-n", self.hub, "link", "set", link, "up")
        for i in range(1, self.count + 1):
            self.nodes.append(self._add_node(i))

    def _add_node(self, i):
        name = "node%d" % i
        ipv6 = "" if name in self.ipv4_only else str(IPV6_NET[10 + i])
        node = NetnsNode(name, self.prefix + name, str(IPV4_NET[10 + i]), ipv6,
                         os.path.join(self.state_dir, name), self.hosts_bind)
        _ip("netns", "add", node.netns)
        _ip("link", "add", "eth0", "netns", node.netns, "type", "veth", "peer", "name", "v%d" % i, "netns", self.hub)
        _ip("-n", self.hub, "link", "set", "v%d" % i, "master", "br0", "up")
        _ip("-n", node.netns, "addr", "add", "%s/%d" % (node.ipv4, IPV4_NET.prefixlen), "dev", "eth0")
        if node.ipv6:
            _ip("-n", node.netns, "addr", "add", "%s/%d" % (node.ipv6, IPV6_NET.prefixlen), "dev", "eth0", "nodad")
        for link in ("lo", "eth0"):
            _ip("-n", node.netns, "link", "set", link, "up")
        _ip("-n", node.netns, "route", "add", "default", "via", str(IPV4_NET[1]))
        if node.ipv6:
            _ip("-n", node.netns, "-6", "route", "add", "default", "via", str(IPV6_NET[1]))
        self._write_files(node)
        return node

    def _write_files(self, node):
        os.makedirs(node.state_dir)
        run(["cp", "-a", "/etc", node.etc_dir])
        _write(os.path.join(node.etc_dir, "hostname"), node.name + "\n")
        _write(node.etc_dir + "/hosts", self.hosts)
        if node.hosts_bind:
            _write(node.hosts_path, self.hosts)
        q = shlex.quote
        _write(node.enter, ENTER_SCRIPT.format(name=q(node.name), netns=q(node.netns), etc=q(node.etc_dir),
                                               hosts=q(node.hosts_path) if node.hosts_bind else "''"), 0o755)
        _write(node.python, PYTHON_SCRIPT.format(name=node.name, enter=q(node.enter), python=q(sys.executable)), 0o755)

    def teardown(self):
        """Remove the namespaces (killing what runs in them) and the state directory; idempotent."""
        atexit.unregister(self.teardown)
        remove_netns([name for name in list_netns() if name.startswith(self.prefix)])
        shutil.rmtree(self.state_dir, ignore_errors=True)


def _write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def list_netns():
    try:
        return sorted(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return []


def remove_netns(names):
    """Kill every process in the namespaces ``names``, then delete them (nodes before the hub)."""
    for name in sorted(names, key=lambda n: n.endswith("-hub")):
        pids = run(["ip", "netns", "pids", name], check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        run(["ip", "netns", "del", name], check=False)


def _start_time(pid):
    """The process's start time in clock ticks, or None if it is gone (guards against pid reuse)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _owner_alive(session):
    pid = int(session.split("-")[1])
    try:
        with open(os.path.join(STATE_BASE, session, "owner"), encoding="ascii") as f:
            recorded = f.read().split()[1]
    except (OSError, IndexError):
        recorded = None
    started = _start_time(pid)
    return started is not None and recorded in (None, started)


def cleanup_stale():
    """Remove the namespaces and state of node sets whose creating process is gone; return their names."""
    sessions = {m.group(1) for m in (re.match(r"(%s\d+-\d+)-" % PREFIX, n) for n in list_netns()) if m}
    if os.path.isdir(STATE_BASE):
        sessions.update(d for d in os.listdir(STATE_BASE) if re.fullmatch(r"%s\d+-\d+" % PREFIX, d))
    stale = sorted(s for s in sessions if not _owner_alive(s))
    for session in stale:
        remove_netns([n for n in list_netns() if n.startswith(session + "-")])
        shutil.rmtree(os.path.join(STATE_BASE, session), ignore_errors=True)
    return stale


def _checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def icmp_echo(address, timeout=2.0):
    """Send one ICMP(v6) echo request to ``address`` over a raw socket; True when answered.

    A raw socket, because the base image has no ``ping``; the kernel fills in ICMPv6 checksums.
    """
    v6 = ipaddress.ip_address(address).version == 6
    family, proto, request, reply = ((socket.AF_INET6, socket.IPPROTO_ICMPV6, 128, 129) if v6
                                     else (socket.AF_INET, socket.IPPROTO_ICMP, 8, 0))
    ident, payload = os.getpid() & 0xFFFF, b"cnk8s-ping"
    checksum = 0 if v6 else _checksum(struct.pack("!BBHHH", request, 0, 0, ident, 1) + payload)
    deadline = time.monotonic() + timeout
    with socket.socket(family, socket.SOCK_RAW, proto) as sock:
        sock.sendto(struct.pack("!BBHHH", request, 0, checksum, ident, 1) + payload, (address, 0))
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, peer = sock.recvfrom(2048)
            except socket.timeout:
                return False
            icmp = data if v6 else data[(data[0] & 0x0F) * 4:]
            if (ipaddress.ip_address(peer[0].split("%")[0]) == ipaddress.ip_address(address)
                    and icmp[0] == reply and struct.unpack("!H", icmp[4:6])[0] == ident):
                return True
    return False


def main(argv):
    """``ping ADDRESS [TIMEOUT]`` (exit 0 when answered) or ``cleanup`` (remove stale nodes)."""
    if argv[:1] == ["ping"] and len(argv) in (2, 3):
        return 0 if icmp_echo(argv[1], float(argv[2]) if len(argv) == 3 else 2.0) else 1
    if argv == ["cleanup"]:
        for session in cleanup_stale():
            print("removed", session)
        return 0
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The test control plane: the real kube-apiserver and kube-controller-manager, built from the upstream
Go modules that ``tests/kube/go.mod`` pins, with embedded etcd, in one process (``kube-testcluster``).

``python -m tests.support.kube_cluster [--kubeconfig PATH] [--service-cidrs V4,V6] [--cluster-cidrs V4,V6]``
builds the program when needed (cached outside the clone, keyed by the Go module's files), starts it,
writes the kubeconfig and prints ``READY <url>``; SIGTERM or SIGINT stops it and removes its temp dirs.

In Python::

    with KubeCluster(service_cidrs="10.96.0.0/16") as cluster:
        cluster.url, cluster.kubeconfig, cluster.token, cluster.ca_path
        cluster.reset()          # back to the state it had when it became ready

Nothing here imports the collection: the cluster judges it.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import resource
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KUBE_DIR = os.path.join(ROOT, "tests", "kube")
GKE_CRDS = os.path.join(ROOT, "tests", "support", "crds")
DEFAULT_SERVICE_CIDRS = "10.96.0.0/16,fd00:10:96::/112"
DEFAULT_CLUSTER_CIDRS = "10.244.0.0/16,fd00:10:244::/56"
START_TIMEOUT = 180


class ClusterError(RuntimeError):
    pass


def _say(message):
    print(message, file=sys.stderr, flush=True)


# -- building -----------------------------------------------------------------------------------

def go_env():
    """The environment of every ``go`` command: the machine's own Go, modules from the proxy, verified
    against the committed go.sum (the checksum database is out of reach here)."""
    env = dict(os.environ)
    env.setdefault("GOTOOLCHAIN", "local")
    env.setdefault("GOFLAGS", "-mod=readonly")
    env["GOSUMDB"] = "off"
    return env


def _go(*args, capture=True):
    if not shutil.which("go"):
        raise ClusterError("the test control plane is built with Go (1.26 or newer), and no `go` is on PATH")
    done = subprocess.run(["go", *args], cwd=KUBE_DIR, env=go_env(), capture_output=capture, text=True, check=False)
    if done.returncode != 0:
        raise ClusterError("go %s failed:\n%s" % (" ".join(args), (done.stderr or "")[-4000:]))
    return done.stdout


def kubernetes_release():
    """The k8s.io/kubernetes version go.mod pins, e.g. ``v1.37.2``."""
    with open(os.path.join(KUBE_DIR, "go.mod"), encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "k8s.io/kubernetes" and parts[1].startswith("v"):
                return parts[1]
    raise ClusterError("tests/kube/go.mod pins no k8s.io/kubernetes version")


def cache_dir():
    base = os.environ.get("CLUSTERNET_KUBE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "clusternet-k8s", "kube")
    os.makedirs(base, exist_ok=True)
    return base


def source_key(program):
    """A hash of what the program is built from: go.mod, go.sum, its own directory ``cmd/<program>`` and the module's
    packages outside ``cmd/`` (another program's sources do not count)."""
    digest = hashlib.sha256()
    files = [os.path.join(KUBE_DIR, "go.mod"), os.path.join(KUBE_DIR, "go.sum")]
    for top, _dirs, names in os.walk(KUBE_DIR):
        rel = os.path.relpath(top, KUBE_DIR).split(os.sep)
        if rel[0] == "cmd" and rel[1:2] != [program]:
            continue
        files += [os.path.join(top, n) for n in names if n.endswith(".go")]
    for path in sorted(files):
        digest.update(os.path.relpath(path, KUBE_DIR).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(handle.read() + b"\0")
    digest.update(program.encode())
    return digest.hexdigest()[:16]


def _prune(program, release, keep):
    """Old builds of the program at this release go, but the newest few (another checkout may still use them)."""
    old = sorted(glob.glob(os.path.join(cache_dir(), "%s-%s-*" % (program, release))), key=os.path.getmtime)
    for path in old[:-keep]:
        if not path.endswith(".partial"):
            os.remove(path)


def version_ldflags(release):
    """What ``make`` would stamp into a release build, so /version reports the pinned release."""
    major, minor = release.lstrip("v").split(".")[:2]
    pkg = "k8s.io/component-base/version"
    values = {"gitVersion": release, "gitMajor": major, "gitMinor": minor, "gitTreeState": "clean",
              "buildDate": "1970-01-01T00:00:00Z"}
    return " ".join("-X %s.%s=%s" % (pkg, k, v) for k, v in values.items())


def releases():
    """The Kubernetes releases the oracle is built at (``tests/kube/releases.txt``, one per line, oldest first); the
    last is the one go.mod pins. Adding a release is adding its line."""
    with open(os.path.join(KUBE_DIR, "releases.txt"), encoding="utf-8") as handle:
        found = [line.split("#")[0].strip() for line in handle]
    return [r for r in found if r]


def release_tags(release):
    """Build tags of a release, cumulative as Go's own ``go1.N`` tags: v1.36.3 builds with k8s1.34, k8s1.35 and
    k8s1.36, so a file for what changed in 1.35 says ``//go:build k8s1.35`` (or ``!k8s1.35`` for before)."""
    first = int(releases()[0].split(".")[1])
    minor = int(release.split(".")[1])
    return ["k8s1.%d" % m for m in range(first, minor + 1)]


def modfile(release):
    """The go.mod to build with at ``release``: go.mod itself at the pinned release, else ``releases/<release>.mod``
    (with its ``.sum``): go.mod with k8s.io/kubernetes and its staging modules at that release, tidied. Made when
    missing (commit it: it pins what the oracle is built from)."""
    if release == kubernetes_release():
        return None
    path = os.path.join(KUBE_DIR, "releases", release + ".mod")
    if os.path.exists(path):
        return path
    staging = "v0." + release.split(".", 1)[1]
    # the staging modules that release replaces (the list changes between releases)
    done = subprocess.run(["go", "mod", "download", "-json", "k8s.io/kubernetes@" + release], cwd=tempfile.gettempdir(),
                          env=dict(go_env(), GOFLAGS=""), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ClusterError("go mod download k8s.io/kubernetes@%s failed:\n%s" % (release, done.stdout + done.stderr))
    info = json.loads(done.stdout)
    with open(info["GoMod"], encoding="utf-8") as handle:
        theirs = [line.split() for line in handle]
    replaced = {words[0] for words in theirs if "./staging/" in " ".join(words)}
    required = {words[0] for words in theirs if len(words) >= 2 and words[1].startswith("v")}
    with open(os.path.join(KUBE_DIR, "go.mod"), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    # Only what k8s.io/kubernetes at that release does not require keeps go.mod's version (gateway-api, say): the rest
    # is left to go mod tidy, so that every other dependency is at the version that release was built with (a newer
    # one may have changed its API: opencontainers/cgroups, the CSI spec).
    text, pinned, in_require = [], kubernetes_release(), False
    for line in lines:
        words = line.split()
        in_require = (in_require or words == ["require", "("]) and words != [")"]
        if words[:1] == ["k8s.io/kubernetes"]:
            line = line.replace(pinned, release)
        elif words[1:2] == ["=>"]:
            if words[0].startswith("k8s.io/") and words[0] not in replaced:
                continue
            line = line.replace("v0." + pinned.split(".", 1)[1], staging)
        elif in_require and len(words) >= 2 and words[1].startswith("v") and (
                "// indirect" in line or words[0] in required or words[0] in replaced):
            continue
        text.append(line)
    text = "\n".join(text) + "\n"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    shutil.copy(os.path.join(KUBE_DIR, "go.sum"), path[:-4] + ".sum")
    _say("writing tests/kube/releases/%s.mod and .sum (go mod tidy at that release; commit them) ..." % release)
    env = dict(go_env(), GOFLAGS="-mod=mod")
    done = subprocess.run(["go", "mod", "tidy", "-modfile=" + path], cwd=KUBE_DIR, env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise ClusterError("go mod tidy at %s failed:\n%s" % (release, done.stderr[-4000:]))
    return path


def ensure_binary(program="kube-testcluster", release=None):
    """The path of ``tests/kube/cmd/<program>`` built at ``release`` (default: the one go.mod pins); built (once, under
    a lock) when the cache holds no build of the current sources."""
    release = release or kubernetes_release()
    mod = modfile(release)
    key = source_key(program) + (hashlib.sha256(open(mod, "rb").read()).hexdigest()[:8] if mod else "")
    target = os.path.join(cache_dir(), "%s-%s-%s" % (program, release, key))
    if os.path.exists(target):
        return target
    with open(os.path.join(cache_dir(), ".build.lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(target):
            return target
        _say("building %s %s, first time only (minutes on 2 cores; cached in %s) ..." % (program, release, cache_dir()))
        started, cpu = time.monotonic(), _children_cpu()
        partial = target + ".partial"
        args = ["build", "-tags", ",".join(release_tags(release)), "-ldflags", version_ldflags(release), "-o", partial]
        _go(*(args + (["-modfile=" + mod] if mod else []) + ["./cmd/" + program]))
        os.replace(partial, target)
        _prune(program, release, keep=3)
        seconds, cpu = time.monotonic() - started, _children_cpu() - cpu
        with open(os.path.join(cache_dir(), "builds.log"), "a", encoding="utf-8") as log:
            log.write("%s %s %.0f %s cpu=%.0f\n"
                      % (time.strftime("%Y-%m-%dT%H:%M:%S"), os.path.basename(target), seconds, KUBE_DIR, cpu))
        _say("built %s %s in %.0f s (%.0f CPU-seconds)" % (program, release, seconds, cpu))
    return target


def _children_cpu():
    """The CPU time (user and system) of this process's finished children: a build's ``go`` and its compilers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_report():
    """Lines saying how long the builds of this run's binaries took (``builds.log``), or that they were cached."""
    started = float(os.environ.get("CLUSTERNET_RUN_STARTED") or 0)
    try:
        with open(os.path.join(cache_dir(), "builds.log"), encoding="utf-8") as log:
            rows = [line.split() for line in log if line.strip()]
    except OSError:
        rows = []
    # a line: when, binary, wall seconds, the tests/kube it was built from[, cpu=CPU-seconds]
    fresh = [r for r in rows if started and len(r) >= 4 and r[3] == KUBE_DIR
             and time.mktime(time.strptime(r[0], "%Y-%m-%dT%H:%M:%S")) >= started - 1]
    if not fresh:
        return ["Go builds      cached (%s)" % cache_dir()]
    return ["Go build       %-40s %5s s%s (in the background)"
            % (r[1], r[2], "".join(", %s CPU-seconds" % f[4:] for f in r[4:] if f.startswith("cpu=")))
            for r in fresh]


def crd_paths():
    """The CRDs every test control plane has, as on a GKE cluster with the Gateway API and persistent IPs:
    the Gateway API standard channel (from the pinned module) and the GKEIPRoute CRD (tests/support/crds)."""
    return [gateway_api_crds(), GKE_CRDS]


def gateway_api_crds():
    """The standard-channel CRD directory of the sigs.k8s.io/gateway-api release go.mod pins."""
    _go("mod", "download", "sigs.k8s.io/gateway-api")
    module_dir = _go("list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").strip()
    path = os.path.join(module_dir, "config", "crd", "standard")
    if not os.path.isdir(path):
        raise ClusterError("sigs.k8s.io/gateway-api has no %s" % path)
    return path


# -- etcd, for reset ----------------------------------------------------------------------------

def _b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def _prefix_end(prefix):
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Etcd:
    """The embedded etcd's JSON gateway (``/v3/kv/...``)."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def range(self, prefix="/registry/"):
        """``{key: (mod_revision, value bytes)}`` of every key under ``prefix``."""
        answer = self.call("/v3/kv/range", {"key": _b64(prefix), "range_end": _b64(_prefix_end(prefix))})
        return {base64.b64decode(kv["key"]).decode(): (int(kv.get("mod_revision", 0)), kv.get("value", ""))
                for kv in answer.get("kvs", [])}

    def txn(self, operations):
        for start in range(0, len(operations), 100):     # etcd's default --max-txn-ops is 128
            self.call("/v3/kv/txn", {"success": operations[start:start + 100]})


# What reset leaves alone: objects the control plane keeps rewriting (leases, events, the status its
# controllers write on the system objects) are never restored; its own leases are never deleted.
_NOT_RESTORED = ("/registry/leases/", "/registry/masterleases/", "/registry/events/",
                 "/registry/apiregistration.k8s.io/", "/registry/flowschemas/",
                 "/registry/prioritylevelconfigurations/", "/registry/apiextensions.k8s.io/",
                 "/registry/ranges/serviceips", "/registry/storageversion")
_NOT_DELETED = ("/registry/leases/kube-system/", "/registry/masterleases/")
# The objects the controllers create in the system namespaces once the cluster starts: the
# baseline is taken when they exist, so that no reset deletes them.
_SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_SETTLED = tuple("/registry/serviceaccounts/%s/default" % ns for ns in _SYSTEM_NAMESPACES) + \
    tuple("/registry/configmaps/%s/kube-root-ca.crt" % ns for ns in _SYSTEM_NAMESPACES)


# -- the process --------------------------------------------------------------------------------

class KubeCluster:
    """One ``kube-testcluster`` process; see the module docstring."""

    def __init__(self, kubeconfig=None, service_cidrs=DEFAULT_SERVICE_CIDRS, cluster_cidrs=DEFAULT_CLUSTER_CIDRS,
                 allocate_node_cidrs=True, crds=None, verbosity=0):
        self.service_cidrs = service_cidrs
        self.cluster_cidrs = cluster_cidrs
        self.allocate_node_cidrs = allocate_node_cidrs
        self.crds = crds
        self.verbosity = verbosity
        self._tmp = tempfile.mkdtemp(prefix="kube-cluster-")
        self.kubeconfig = kubeconfig or os.path.join(self._tmp, "kubeconfig")
        self.log_path = os.path.join(self._tmp, "kube-testcluster.log")
        self.ca_path = os.path.join(self._tmp, "ca.crt")
        self.url = self.token = self.etcd = self.data_dir = None
        self.process = None
        self._baseline = None

    def start(self):
        binary = ensure_binary()
        crds = self.crds if self.crds is not None else crd_paths()
        argv = [binary, "--kubeconfig", self.kubeconfig, "--service-cidrs", self.service_cidrs,
                "--cluster-cidrs", self.cluster_cidrs, "--allocate-node-cidrs=%s" % str(self.allocate_node_cidrs).lower(),
                "--v", str(self.verbosity)]
        for path in crds:
            argv += ["--crd", path]
        log = open(self.log_path, "wb")    # pylint: disable=consider-using-with
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)   # pylint: disable=consider-using-with
        log.close()
        reader = threading.Thread(target=self._read_until_ready, daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if self.url is None:
            self.stop()
            raise ClusterError("kube-testcluster did not become ready within %d s; its log:\n%s"
                               % (START_TIMEOUT, self._log_tail()))
        with open(self.kubeconfig, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
        self.token = config["users"][0]["user"]["token"]
        with open(self.ca_path, "wb") as handle:
            handle.write(base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]))
        self._baseline = self._settle()
        return self

    def _read_until_ready(self):
        for line in self.process.stdout:
            word, _sep, value = line.strip().partition(" ")
            if word == "DATA":
                self.data_dir = value
            elif word == "ETCD":
                self.etcd = Etcd(value)
            elif word == "READY":
                self.url = value
                return

    def _log_tail(self, size=6000):
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - size))
                return handle.read().decode(errors="replace")
        except OSError:
            return ""

    def reset(self):
        """Put the cluster's storage back as it was at READY: every object created since is deleted, every
        object changed or deleted since is restored (see ``_NOT_RESTORED``). The apiserver and the
        controllers see it through their watches, as any other change."""
        now = self.etcd.range()
        operations = []
        for key, (revision, _value) in now.items():
            base = self._baseline.get(key)
            if base is None and not key.startswith(_NOT_DELETED):
                operations.append({"request_delete_range": {"key": _b64(key)}})
            elif base is not None and base[0] != revision and not key.startswith(_NOT_RESTORED):
                operations.append({"request_put": {"key": _b64(key), "value": base[1]}})
        for key, (_revision, value) in self._baseline.items():
            if key not in now and not key.startswith(_NOT_RESTORED):
                operations.append({"request_put": {"key": _b64(key), "value": value}})
        if operations:
            self.etcd.txn(operations)
            self._wait_for_apiserver(sorted(k for k in self._baseline if k.startswith("/registry/namespaces/")))

    def _settle(self):
        """Wait until the controllers have created the system namespaces' default objects."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            keys = self.etcd.range()
            if all(k in keys for k in _SETTLED):
                time.sleep(1)
                return self.etcd.range()
            time.sleep(0.2)
        raise ClusterError("the controllers did not create the system namespaces' service accounts and "
                           "kube-root-ca.crt within 60 s; log:\n" + self._log_tail())

    def _wait_for_apiserver(self, namespace_keys):
        """Until the apiserver lists the baseline's namespaces and no other (its watch has caught up)."""
        want = [k.rsplit("/", 1)[1] for k in namespace_keys]
        request = urllib.request.Request(self.url + "/api/v1/namespaces", headers={"Authorization": "Bearer " + self.token})
        context = ssl.create_default_context(cafile=self.ca_path)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                items = json.loads(response.read())["items"]
            if sorted(i["metadata"]["name"] for i in items) == want:
                return
            time.sleep(0.02)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.support.kube_cluster",
                                     description="Start the test control plane; print READY <url>; stop on SIGTERM/SIGINT.")
    parser.add_argument("--kubeconfig", help="write the admin kubeconfig here (default: a temp file, printed)")
    parser.add_argument("--service-cidrs", default=DEFAULT_SERVICE_CIDRS, help="kube-apiserver --service-cluster-ip-range")
    parser.add_argument("--cluster-cidrs", default=DEFAULT_CLUSTER_CIDRS, help="kube-controller-manager --cluster-cidr")
    parser.add_argument("--no-node-ipam", action="store_true", help="kube-controller-manager --allocate-node-cidrs=false")
    parser.add_argument("--build-only", action="store_true", help="build (or find in the cache) and exit")
    parser.add_argument("--oracles", action="store_true",
                        help="with --build-only: then build the oracle at every release of releases.txt, newest first")
    args = parser.parse_args(argv)
    try:
        if args.build_only:
            print(ensure_binary())
            if args.oracles:
                # the tiers that run meanwhile (ansible-playbook, the control plane) keep the CPU first
                os.nice(10)
            for release in reversed(releases()) if args.oracles else ():
                print(ensure_binary("oracle", release))
            return 0
        cluster = KubeCluster(args.kubeconfig, args.service_cidrs, args.cluster_cidrs, not args.no_node_ipam)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        cluster.start()
    except ClusterError as exc:
        _say(str(exc))
        return 1
    with contextlib.ExitStack() as stack:
        stack.callback(cluster.stop)
        if not args.kubeconfig:
            _say("kubeconfig: %s" % cluster.kubeconfig)
        print("READY " + cluster.url, flush=True)
        while not stop.is_set() and cluster.process.poll() is None:
            stop.wait(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())

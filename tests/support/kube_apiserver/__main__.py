"""``python -m tests.support.kube_apiserver``: serve until stopped; print ``READY <url>`` once listening."""
import argparse
import signal
import threading

from .api import DEFAULT_SERVICE_CIDRS
from .server import KubeAPIServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.support.kube_apiserver", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS (CA from trustme) and require the kubeconfig's bearer token")
    parser.add_argument("--service-cidrs", default=",".join(DEFAULT_SERVICE_CIDRS), help="--service-cluster-ip-range: V4[,V6] (primary first)")
    parser.add_argument("--kubeconfig", help="write a kubeconfig for the server here")
    args = parser.parse_args(argv)
    server = KubeAPIServer(service_cidrs=args.service_cidrs.split(","))
    url = server.serve(port=args.port, tls=args.tls)
    if args.kubeconfig:
        server.kubeconfig(url, args.kubeconfig)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: stop.set())
    print("READY " + url, flush=True)
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()

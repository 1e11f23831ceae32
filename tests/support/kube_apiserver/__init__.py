"""A stateful Kubernetes API server for the test suite (see README.md)."""
from .server import KubeAPIServer, crd_documents

__all__ = ["KubeAPIServer", "crd_documents"]

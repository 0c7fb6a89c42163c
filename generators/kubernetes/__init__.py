"""Kubernetes target: manifests for a local kind cluster (zones as worker nodes)."""

from generators.kubernetes.cluster import kind_cluster, objects
from generators.kubernetes.render import K8S_VERSION, files, tree

__all__ = ["K8S_VERSION", "files", "kind_cluster", "objects", "tree"]

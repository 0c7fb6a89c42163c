"""What every Kubernetes object of the target shares: labels, names, the locked-down pod and
container security contexts, and the constants of the kind cluster."""

from __future__ import annotations

from typing import Any

from blueprints.plan_model import Plan

ZONE_KEY = "topology.kubernetes.io/zone"


HOST_KEY = "kubernetes.io/hostname"


INGRESS_NAMESPACE = "ingress-nginx"


HTTP_PORT = 80


UID = 10001
"""Every container runs as this user and group: non-root, above the host's UID range."""


SCAN_SKIPS = {
    "CKV_K8S_43": "images are pinned by tag in the blueprint; the registry resolves the digest at deploy time",
    "CKV_K8S_35": "the applications and the stand-ins' images read credentials from environment variables "
    "(as on ECS); the values come from a Secret, never the manifest",
}
"""Security-scanner (checkov) checks the generator does not meet, each with its reason (annotated on workloads)."""


def labels(plan: Plan, name: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": plan.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "hld",
    }


def selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name}


def meta(plan: Plan, name: str, component: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": plan.name, "labels": labels(plan, name, component), **extra}


def workload_meta(plan: Plan, name: str, component: str) -> dict[str, Any]:
    """Workloads carry the justified scanner skips (checkov reads `checkov.io/skipN`)."""
    skips = {f"checkov.io/skip{i}": f"{check}={why}" for i, (check, why) in enumerate(sorted(SCAN_SKIPS.items()), 1)}
    return meta(plan, name, component, annotations=skips)


def pod_security(user: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security(user: int) -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": user,
        "capabilities": {"drop": ["ALL"]},
    }

"""What every Kubernetes object of the target shares: labels, names, the locked-down pod and
container security contexts, and the constants of the kind cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from blueprints import names
from blueprints.plan_model import Plan

ZONE_KEY = "topology.kubernetes.io/zone"


HOST_KEY = "kubernetes.io/hostname"


INGRESS_NAMESPACE = names.INGRESS_NAMESPACE


HTTP_PORT = 80


UID = 10001
"""Every container whose image runs as any user runs as this one: non-root, above the host's UID
range (stand-ins whose images need their own user run as that user: standins.IMAGE_USERS)."""


PULL_POLICY = "IfNotPresent"
"""kind runs images loaded with `kind load docker-image` only when the policy lets it use a
present image (kind's quick start: IfNotPresent or Never); `Always` would pull, and fail for a
locally built image."""


LAPTOP_CPUS = 4.0
LAPTOP_MEMORY_GIB = 8.0
"""The default budget a kind cluster gets: Docker Desktop's VM on a common laptop. Every kind node
is a container in that one VM (kind: nodes "will not add more real compute capacity"), and each
node reports the VM's whole capacity, so the scheduler alone never notices an overcommitted VM."""


@dataclass(frozen=True)
class KindOptions:
    """How to shape the kind cluster: the sizing profile, the machine budget, the host ports, and
    whether to add the latency profile (generators.kubernetes.latency: `latency.yaml`, off by default)."""

    profile: Literal["laptop", "production"] = "laptop"
    cpus: float = LAPTOP_CPUS
    memory_gib: float = LAPTOP_MEMORY_GIB
    http_port: int = 80
    https_port: int = 443
    latency: bool = False


SCAN_SKIPS = {
    "CKV_K8S_15": "kind runs images side-loaded with `kind load docker-image` only under IfNotPresent or "
    "Never (kind's quick start); Always would pull, and fail for a locally built image",
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


HIGH_UID = 10000
"""checkov's CKV_K8S_40 wants users at or above this (clear of the host's users)."""


def workload_meta(plan: Plan, name: str, component: str, user: int = UID) -> dict[str, Any]:
    """Workloads carry the justified scanner skips (checkov reads `checkov.io/skipN`); one whose
    image needs its own low user (standins.IMAGE_USERS) says so for CKV_K8S_40."""
    reasons = dict(SCAN_SKIPS)
    if user < HIGH_UID:
        reasons["CKV_K8S_40"] = f"the image expects its own user (uid {user}); running it as another breaks it"
    skips = {f"checkov.io/skip{i}": f"{check}={why}" for i, (check, why) in enumerate(sorted(reasons.items()), 1)}
    return meta(plan, name, component, annotations=skips)


RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "v1.33",
}
"""Pod Security admission labels for the namespace: every pod the render makes meets the
restricted profile (non-root, no privilege escalation, ALL capabilities dropped, RuntimeDefault
seccomp, only emptyDir/configMap/secret/PVC volumes), so the API server enforces it."""


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

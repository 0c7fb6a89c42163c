"""Sizing on kind: the laptop profile (the default: one replica per zone, small requests, limits
at the plan's task size) or the production profile (the plan's capacity, requests = limits), and
what a render asks of the one machine every kind node shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blueprints.capacity import drain_floor
from blueprints.plan_model import Plan, ServicePlan
from generators.kubernetes.common import KindOptions

LAPTOP_REQUEST = {"cpu": "100m", "memory": "128Mi"}
"""A service's request on a laptop: enough to schedule and serve a demo, far below the plan's task
size (which stays its limit, so a pod may burst to what it has on AWS)."""
LAPTOP_SCALE_OUT = 2
"""A laptop HPA may double each service (one more replica per zone) and no more, nor past the plan's
maximum."""

KIND_SYSTEM_CONTROL_PLANE = (850, 240)
"""(millicores, MiB) the control plane's own pods request on kind 1.33: kube-apiserver 250m,
kube-controller-manager 200m, kube-scheduler 100m, etcd 100m/100Mi, CoreDNS 2 x 100m/70Mi."""
KIND_SYSTEM_PER_NODE = (100, 50)
"""(millicores, MiB) kindnet, the CNI daemon on every node."""
ADDONS = {"ingress-nginx controller": (100, 90), "metrics-server": (100, 200)}
"""(millicores, MiB) the add-ons the render installs (addons/): their manifests' requests."""


def bounds(plan: Plan, svc: ServicePlan, kind: KindOptions) -> tuple[int, int, int]:
    """(replicas, HPA max, PDB minAvailable) of a service in the primary region."""
    cap = next(c for c in svc.capacity.value if c.region == plan.primary_region)
    if kind.profile == "production":
        return cap.min_replicas, cap.max_replicas, cap.drain_floor
    zones = len(plan.zones(plan.primary_region))
    return zones, max(zones, min(zones * LAPTOP_SCALE_OUT, cap.max_replicas)), drain_floor(zones, zones)


def cpu(task_cpu: int) -> str:
    return f"{task_cpu * 1000 // 1024}m"


def resources(svc: ServicePlan, kind: KindOptions) -> dict[str, Any]:
    limits = {"cpu": cpu(svc.task_cpu.value), "memory": f"{svc.task_memory}Mi"}
    if kind.profile == "production":
        return {"requests": dict(limits), "limits": limits}
    return {"requests": dict(LAPTOP_REQUEST), "limits": limits}


def millicores(quantity: str) -> int:
    return int(quantity[:-1]) if quantity.endswith("m") else int(float(quantity) * 1000)


def mebibytes(quantity: str) -> int:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(int(quantity) / 1024 / 1024)


@dataclass(frozen=True)
class Demand:
    """What the cluster requests of the machine, and from what."""

    millicores: int
    mebibytes: int
    parts: tuple[tuple[str, int, int], ...]  # (what, millicores, MiB)


def demand(objs: list[dict[str, Any]], nodes: int) -> Demand:
    """Requests of every pod the render starts (workloads at their replicas, Jobs once), the
    add-ons and kind's own pods on `nodes` nodes."""
    parts = [
        ("kind control plane", *KIND_SYSTEM_CONTROL_PLANE),
        (f"kindnet x {nodes} nodes", KIND_SYSTEM_PER_NODE[0] * nodes, KIND_SYSTEM_PER_NODE[1] * nodes),
        *((name, c, m) for name, (c, m) in ADDONS.items()),
    ]
    for obj in objs:
        if obj["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        count = obj["spec"].get("replicas", 1) if obj["kind"] != "Job" else 1
        containers = obj["spec"]["template"]["spec"]["containers"]
        c = sum(millicores(x["resources"]["requests"]["cpu"]) for x in containers) * count
        m = sum(mebibytes(x["resources"]["requests"]["memory"]) for x in containers) * count
        parts.append((f"{obj['kind']}/{obj['metadata']['name']} x {count}", c, m))
    return Demand(sum(p[1] for p in parts), sum(p[2] for p in parts), tuple(parts))

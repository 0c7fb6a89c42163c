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
maximum, nor past what the machine holds (`laptop_ceilings`)."""
CONTROL_PLANE_RESERVE_MIB = 2048
"""Memory kept for the cluster itself (etcd, the API server, the kubelets and containerd of every
node) when the pods' memory limits are summed: kubeadm's minimum for a machine, "2 GB or more of RAM
per machine (any less will leave little room for your apps)" (kubernetes.io, Installing kubeadm:
Before you begin). kind runs that control plane inside the same Docker VM as every pod."""

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
    return zones, laptop_ceilings(plan, kind)[svc.name], drain_floor(zones, zones)


def laptop_ceilings(plan: Plan, kind: KindOptions) -> dict[str, int]:
    """Each service's HPA maximum on a laptop: one replica per zone at the least, and as many more
    (up to LAPTOP_SCALE_OUT per zone and the plan's maximum) as the budget holds once everything
    runs at its minimum: the spare CPU and memory over kind's own pods, the add-ons, the stand-ins
    and every service at one replica per zone (and the latency profile's DaemonSet when it is on), in
    pods of LAPTOP_REQUEST, handed out one pod per service in turn (the plan's order). So the pods'
    requests at every HPA's maximum fit --cpus/--memory-gib (the `fits-budget` check counts them
    there)."""
    from generators.kubernetes.standins import stand_ins, store_objects

    zones = len(plan.zones(plan.primary_region))
    stores = [o for name, s, group in stand_ins(plan) for o in store_objects(plan, name, s, group)]
    base = demand(stores, 1 + zones)
    pod_cpu, pod_memory = millicores(LAPTOP_REQUEST["cpu"]), mebibytes(LAPTOP_REQUEST["memory"])
    spare_cpu = int(kind.cpus * 1000) - base.millicores - pod_cpu * zones * len(plan.services)
    spare_memory = int(kind.memory_gib * 1024) - base.mebibytes - pod_memory * zones * len(plan.services)
    if kind.latency:  # the latency profile's DaemonSet, one pod per zone node (generators.kubernetes.latency)
        from generators.kubernetes.latency import REQUESTS

        spare_cpu -= millicores(REQUESTS["cpu"]) * zones
        spare_memory -= mebibytes(REQUESTS["memory"]) * zones
    pods = max(0, min(spare_cpu // pod_cpu, spare_memory // pod_memory))
    ceiling = {s.name: zones for s in plan.services}
    wanted = {
        s.name: max(
            zones,
            min(
                zones * LAPTOP_SCALE_OUT,
                next(c for c in s.capacity.value if c.region == plan.primary_region).max_replicas,
            ),
        )
        for s in plan.services
    }
    while pods > 0 and any(ceiling[n] < wanted[n] for n in ceiling):
        for name in ceiling:
            if pods > 0 and ceiling[name] < wanted[name]:
                ceiling[name] += 1
                pods -= 1
    return ceiling


def cpu_target(svc: ServicePlan, kind: KindOptions) -> dict[str, Any]:
    """The HPA's CPU target: the plan's `target_cpu` share of the task's CPU, the quantity ECS
    target tracking measures (ECSServiceAverageCPUUtilization is CPU used over the task's CPU). In
    the production profile the request is the task size, so a Utilization target is that share. On a
    laptop the request is LAPTOP_REQUEST (100m, so the pods fit the machine), and a Utilization
    target would be a share of 100m: 60m per pod, which an idle JVM's garbage collector and JIT
    exceed, so every service would scale out doing nothing. The laptop target is therefore an
    AverageValue of the same share of the task's CPU (the pod's limit): 150m for a 250m task at 60 %."""
    if kind.profile == "production":
        return {"type": "Utilization", "averageUtilization": svc.target_cpu}
    return {"type": "AverageValue", "averageValue": f"{millicores(cpu(svc.task_cpu.value)) * svc.target_cpu // 100}m"}


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


def demand(objs: list[dict[str, Any]], nodes: int, scaled_out: bool = False) -> Demand:
    """Requests of every pod the render starts (workloads at their replicas, or with `scaled_out` at
    their autoscalers' maxReplicas; Jobs once), the add-ons and kind's own pods on `nodes` nodes."""
    ceilings = {
        o["spec"]["scaleTargetRef"]["name"]: o["spec"]["maxReplicas"]
        for o in objs
        if scaled_out and o["kind"] == "HorizontalPodAutoscaler"
    }
    parts = [
        ("kind control plane", *KIND_SYSTEM_CONTROL_PLANE),
        (f"kindnet x {nodes} nodes", KIND_SYSTEM_PER_NODE[0] * nodes, KIND_SYSTEM_PER_NODE[1] * nodes),
        *((name, c, m) for name, (c, m) in ADDONS.items()),
    ]
    for obj in objs:
        if obj["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        count = obj["spec"].get("replicas", 1) if obj["kind"] != "Job" else 1
        count = max(count, ceilings.get(obj["metadata"]["name"], count)) if obj["kind"] == "Deployment" else count
        containers = obj["spec"]["template"]["spec"]["containers"]
        c = sum(millicores(x["resources"]["requests"]["cpu"]) for x in containers) * count
        m = sum(mebibytes(x["resources"]["requests"]["memory"]) for x in containers) * count
        parts.append((f"{obj['kind']}/{obj['metadata']['name']} x {count}", c, m))
    return Demand(sum(p[1] for p in parts), sum(p[2] for p in parts), tuple(parts))


def memory_limits(objs: list[dict[str, Any]]) -> int:
    """MiB the pods' memory limits add to at their replicas (Jobs once): what they may use together
    before a limit stops any of them."""
    total = 0
    for obj in objs:
        if obj["kind"] not in ("Deployment", "StatefulSet", "Job"):
            continue
        count = obj["spec"].get("replicas", 1) if obj["kind"] != "Job" else 1
        containers = obj["spec"]["template"]["spec"]["containers"]
        total += sum(mebibytes(c["resources"].get("limits", {}).get("memory", "0Mi")) for c in containers) * count
    return total

"""Services: task sizes, capacity per region (static stability), scaling bounds."""

from __future__ import annotations

from blueprints.capacity import (
    FARGATE_SOURCE,
    design_rps,
    drain_floor,
    fargate_size,
    max_replicas,
    offered_load,
    replicas_per_zone,
)
from blueprints.figures import SETTINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint, Service
from blueprints.plan_model import Decided, RegionCapacity, RoutePlan, ServicePlan
from blueprints.planner.recovery import passive_strategy


def service(
    bp: Blueprint, svc: Service, intent: Intent, offered: dict[str, tuple[int | None, str]] | None = None
) -> ServicePlan:
    """`svc` planned; `offered` is blueprints.capacity.offered_load(bp), computed once per plan."""
    units, memory = fargate_size(svc.cpu, svc.memory)
    edges = svc.edges()
    peak, source = (offered if offered is not None else offered_load(bp))[svc.name]
    planned = capacity(bp, svc, intent, peak, source)
    rpt = bp.scaling.requests_per_target
    return ServicePlan(
        name=svc.name,
        description=svc.description,
        image=svc.image,
        port=svc.port,
        health=svc.health,
        public=svc.public,
        routes=[
            RoutePlan(
                route=r.route,
                uses=list(r.uses) if r.uses is not None else [e.name for e in edges],
                cached=r.cache == "public",
            )
            for r in svc.route_specs()
        ],
        calls=[e.name for e in edges if bp.service(e.name) and not e.async_],
        stores=[e.name for e in edges if bp.store(e.name)],
        async_uses=[e.name for e in edges if e.async_],
        peak_rps=peak,
        peak_source=source,
        rps_per_replica=svc.rps_per_replica,
        task_cpu=Decided(
            value=units,
            reason=f"smallest Fargate size holding {svc.cpu} vCPU and {svc.memory} MiB: "
            f"{units} CPU units / {memory} MiB ({FARGATE_SOURCE})",
        ),
        task_memory=memory,
        capacity=planned,
        target_cpu=bp.scaling.target_cpu,
        requests_per_target=Decided(
            value=rpt or svc.rps_per_replica * 60,
            reason="set in the blueprint"
            if rpt
            else "rps_per_replica x 60 (ALBRequestCountPerTarget counts per minute)",
            derived=rpt is None,
        ),
        connections=Decided(
            value=svc.connections,
            reason="set in the blueprint" if "connections" in svc.model_fields_set else "default: short requests",
            derived="connections" not in svc.model_fields_set,
        ),
        deregistration_delay_seconds=SETTINGS[
            "deregistration-delay-long-lived" if svc.connections == "long-lived" else "deregistration-delay"
        ].value,
        architecture=Decided(
            value=svc.architecture,
            reason="set in the blueprint"
            if "architecture" in svc.model_fields_set
            else "default: x86_64 runs images built only for amd64 (set arm64 for Graviton's lower price "
            "when the image is multi-arch)",
            derived="architecture" not in svc.model_fields_set,
        ),
    )


def capacity(
    bp: Blueprint, svc: Service, intent: Intent, peak: int | None = None, source: str = "peak_rps"
) -> Decided[list[RegionCapacity]]:
    """Replicas per region and zone for the service's peak: its own `peak_rps`, or the load its
    callers send it (blueprints.capacity.offered_load)."""
    regions = list(intent.regions.value)
    zones = intent.zones.value
    out = []
    if intent.active:
        survivors = len(regions) - 1
        design = design_rps(peak, len(regions), True) if peak else 0
        why = (
            f"active-active: each region sized for peak / {survivors} surviving region(s) "
            f"= {design} rps, and each zone for a zone loss: ceil(rps / {svc.rps_per_replica} / ({zones} - 1))"
        )
    else:
        design = peak or 0
        why = (
            f"static stability: ceil(peak {design} rps / {svc.rps_per_replica} per replica / "
            f"({zones} - 1) surviving zones) per zone"
        )
    if not peak:
        why = "no peak_rps given: one replica per zone (spread), scaled out on CPU"
    elif source != "peak_rps":
        why = f"peak {peak:,} rps {source}; " + why
    for i, region in enumerate(regions):
        role = "serving"
        if intent.multi_region and not intent.active and i > 0:
            role = "pilot-light" if passive_strategy(bp) == "pilot-light" else "warm-standby"
        if role == "serving":
            rpz = replicas_per_zone(design, svc.rps_per_replica, zones) if peak else 1
            region_rps = design
        elif role == "warm-standby":
            rpz, region_rps = 1, svc.rps_per_replica * zones
        else:
            rpz, region_rps = 0, 0
        minimum = rpz * zones
        upper = (
            max_replicas(minimum, bp.scaling.max_scale_out)
            if minimum
            else max_replicas(
                replicas_per_zone(design, svc.rps_per_replica, zones) * zones if peak else zones,
                bp.scaling.max_scale_out,
            )
        )
        out.append(
            RegionCapacity(
                region=region,
                role=role,
                design_rps=region_rps,
                replicas_per_zone=rpz,
                min_replicas=minimum,
                max_replicas=upper,
                drain_floor=drain_floor(minimum, zones),
            )
        )
    if intent.multi_region and not intent.active:
        why += f"; standby region: {out[-1].role} ({out[-1].min_replicas} running)"
    why += f"; max = {bp.scaling.max_scale_out:g} x the minimum (scaling.max_scale_out)"
    return Decided(value=out, reason=why)

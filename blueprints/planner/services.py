"""Services: task sizes, capacity per region (static stability), scaling bounds."""

from __future__ import annotations

from blueprints.access import infer
from blueprints.capacity import (
    FARGATE_SOURCE,
    design_rps,
    drain_floor,
    fargate_rounding,
    fargate_size,
    max_replicas,
    offered_load,
    replicas_per_zone,
)
from blueprints.figures import SETTINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint, Service, UseRef
from blueprints.plan_model import Decided, EdgeAccess, RegionCapacity, RoutePlan, ServicePlan
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
            f"{units} CPU units / {memory} MiB"
            + (f" ({rounded})" if (rounded := fargate_rounding(svc.cpu, svc.memory)) else "")
            + f" ({FARGATE_SOURCE})",
        ),
        task_memory=memory,
        capacity=planned,
        target_cpu=bp.scaling.target_cpu,
        max_scale_out=bp.scaling.max_scale_out,
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
        access=[access(bp, svc, e) for e in edges if bp.store(e.name) is not None],
    )


def access(bp: Blueprint, svc: Service, edge: UseRef) -> EdgeAccess:
    """What `svc`'s edge to a data store does (blueprints.access), with the reason."""
    value, reason, derived = infer(bp, svc, edge)
    kind = bp.store(edge.name).kind  # type: ignore[union-attr]
    return EdgeAccess(store=edge.name, kind=kind, access=Decided(value=value, reason=reason, derived=derived))


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
        why = f"active-active: each region sized for peak / {survivors} surviving region(s) = {design} rps, " + (
            f"and each zone for a zone loss: ceil(rps / {svc.rps_per_replica} / ({zones} - 1))"
            if zones > 1
            else f"in its one zone: ceil(rps / {svc.rps_per_replica})"
        )
    elif zones > 1:
        design = peak or 0
        why = (
            f"static stability: ceil(peak {design} rps / {svc.rps_per_replica} per replica / "
            f"({zones} - 1) surviving zones) per zone"
        )
    else:
        design = peak or 0
        why = (
            f"one zone: ceil(peak {design} rps / {svc.rps_per_replica} per replica) in it (no zone left to "
            "survive a zone loss in: the zone is restored, not failed over)"
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
        # a standby scales to what the serving regions may: max_scale_out x the minimum it serves with
        serving = (replicas_per_zone(design, svc.rps_per_replica, zones) if peak else 1) * zones
        upper = max_replicas(serving, bp.scaling.max_scale_out)
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

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
from blueprints.model import Blueprint, HealthExec, HealthNone, Service, UseRef
from blueprints.plan_model import Decided, EdgeAccess, HealthPlan, RegionCapacity, RoutePlan, ServicePlan
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
        health=svc.health if isinstance(svc.health, str) else None,
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
        health_check=health_check(svc, units),
    )


HEALTH_INTERVAL = 15
"""Seconds between health checks (the target group's, the ECS container check's, the kind probes'):
ALB allows 5 to 300, ECS 5 to 300; 15 s with UNHEALTHY_THRESHOLD finds a dead task in 45 s."""
HEALTHY_THRESHOLD = 2
"""Successes in a row that bring a task back (ALB allows 2 to 10; kind: readiness successThreshold)."""
UNHEALTHY_THRESHOLD = 3
"""Failures in a row that take a task out (ALB 2 to 10, ECS retries 1 to 10): one slow answer is not a
dead task."""
HEALTH_TIMEOUT = 5
"""Seconds an answer may take on a task of half a vCPU or more: ALB's default for ip targets
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html)."""
HEALTH_TIMEOUT_UNITS = 512
"""Below this many CPU units a task's share of a core shrinks with it: a 256-unit task (a 250m
limit on kind) runs 25 ms of every 100 ms CFS period, so a health answer that needs 50 ms of CPU
behind one busy request takes seconds; the timeout grows by the same factor, up to the interval
less 5 s (ALB needs the timeout below the interval)."""
START_SECONDS = 180
"""The allowance for a slow start (a JVM at a quarter vCPU takes tens of seconds, more under a
cold cache) before failed checks count: kind's startup probe (every 5 s, 36 times), ECS's container
startPeriod (at most 300 s)."""


def health_check(svc: Service, units: int) -> HealthPlan:
    """How `svc`'s health is judged on both targets, its timeout from its task size (HEALTH_TIMEOUT
    at HEALTH_TIMEOUT_UNITS and above, scaled up below)."""
    timeout = min(HEALTH_INTERVAL - 5, HEALTH_TIMEOUT * max(1, -(-HEALTH_TIMEOUT_UNITS // units)))
    why = (
        f"every {HEALTH_INTERVAL} s, {UNHEALTHY_THRESHOLD} failures out and {HEALTHY_THRESHOLD} successes "
        f"back (the target group's); timeout {timeout} s for {units} CPU units ("
        + (
            f"ALB's default {HEALTH_TIMEOUT} s at {HEALTH_TIMEOUT_UNITS} units and above"
            if timeout == HEALTH_TIMEOUT
            else f"{HEALTH_TIMEOUT} s x {HEALTH_TIMEOUT_UNITS}/{units}: a smaller share of a core answers slower"
        )
        + f"); {START_SECONDS} s to start"
    )
    timings = {
        "interval_seconds": HEALTH_INTERVAL,
        "timeout_seconds": timeout,
        "healthy_threshold": HEALTHY_THRESHOLD,
        "unhealthy_threshold": UNHEALTHY_THRESHOLD,
        "start_seconds": START_SECONDS,
        "why": why,
    }
    if isinstance(svc.health, HealthExec):
        return HealthPlan(kind="exec", path=None, command=list(svc.health.command), **timings)
    if isinstance(svc.health, HealthNone):
        return HealthPlan(kind="none", path=None, reason=svc.health.reason, **timings)
    return HealthPlan(kind="http", path=svc.health, **timings)


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

"""What-ifs: lose a zone or a region, and see what still serves.

One algorithm over a placement: where the tasks run and how each store recovers. The plan's
own placement (`PlannedPlacement`) answers from the Plan; the deployed state's placement
(hld.failures) answers from the resources an offline run created. The same questions, the same
arithmetic: when the two disagree, the deployed state does not do what the plan says.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from blueprints.capacity import fullest_zone
from blueprints.figures import TIMINGS
from blueprints.plan_model import AnyStorePlan, Plan, RecoveryStep, ServicePlan
from blueprints.steps import Entry, StoreWay, blocked, planned_entry, region_loss_steps, rto_of, store_way
from blueprints.units import human_duration

Disruption = Literal["zone-loss", "region-loss"]


class ServiceImpact(BaseModel):
    model_config = ConfigDict(frozen=True)
    service: str
    capacity_rps_left: int
    peak_rps: int | None
    enough_without_scaling: bool
    detail: str


class JourneyImpact(BaseModel):
    model_config = ConfigDict(frozen=True)
    journey: str
    survives: bool
    detail: str


class WhatIf(BaseModel):
    model_config = ConfigDict(frozen=True)
    disruption: Disruption
    lost: str
    journeys: list[JourneyImpact]
    services: list[ServiceImpact]
    rto_seconds: float | None
    rpo_seconds: float | None
    summary: str
    steps: list[RecoveryStep] = []
    """A region loss's recovery steps (blueprints.steps), by the placement's mechanisms."""
    objectives: list[str] = []
    """The expected RTO and RPO against the blueprint's `rto` and `rpo` (what it requires, if anything)."""
    must_survive: bool = False
    """The blueprint's level says the design survives this kind of loss: a zone above single-zone, a
    region in a multi-region design."""
    misses: list[str] = []
    """What the loss breaks of what the blueprint asks (a journey lost, RTO or RPO over the blueprint's):
    with `must_survive`, `hld explain` exits 1."""


# --- recovery: the arithmetic the planner and the what-ifs share ------------------------------


def zone_recovery(single_zone: bool, failovers: list[float], records: bool) -> tuple[float, float]:
    """(RTO, RPO) of losing a zone: in one zone, a restore from backups (point-in-time recovery
    when a system of record exists); else the slowest of a store's failover on a journey and the load
    balancer's detection of the lost zone's tasks (`failovers` holds both: zone_detection), no loss."""
    if single_zone:
        return TIMINGS["backup-restore-rto"].seconds, TIMINGS["pitr-rpo"].seconds if records else 0.0
    return max(failovers or [0.0]), 0.0


def zone_detection(services: list[ServicePlan]) -> float:
    """How long the load balancer keeps sending requests to a lost zone's tasks, which fail meanwhile:
    its health check's failures in a row x its interval (the slowest of the public services'). A zone
    loss's RTO is never shorter: the journeys through that zone fail until then."""
    checks = [s.health_check for s in services if s.public and s.health_check.kind != "none"]
    return float(max((c.unhealthy_threshold * c.interval_seconds for c in checks), default=0))


def region_rpo_of(lags: list[float | None]) -> float:
    """The data a region loss can take: the largest replication lag of a system of record."""
    return max((lag for lag in lags if lag is not None), default=0.0)


# --- placement ----------------------------------------------------------------------------------


class Placement(Protocol):
    """Where a system runs and how it recovers, as far as a what-if needs to know."""

    missing: tuple[str, str]
    """How an unknown zone or region is reported: (verb phrase, adjective), e.g. ("is not in the plan", "planned")."""
    note: str
    """Appended to every summary (e.g. " (deployed state)")."""

    def regions(self) -> list[str]: ...
    def zones(self, region: str) -> list[str]: ...
    def tasks(self, service: str, region: str) -> int: ...
    def task_zones(self, service: str, region: str) -> list[str]: ...
    def active(self) -> bool: ...
    def strategy(self) -> str: ...
    def zone_failover(self, store: AnyStorePlan) -> float: ...
    def zone_detection(self) -> float: ...
    def entry(self) -> Entry: ...
    def store_way(self, store: AnyStorePlan) -> StoreWay: ...
    def replication_lag(self, store: AnyStorePlan) -> float | None: ...


class PlannedPlacement:
    """The plan's own placement: the minimum replicas of every region, spread over its zones."""

    missing = ("is not in the plan", "planned")
    note = ""

    def __init__(self, plan: Plan):
        self.plan = plan

    def regions(self) -> list[str]:
        return list(self.plan.regions.value)

    def zones(self, region: str) -> list[str]:
        return self.plan.zones(region)

    def tasks(self, service: str, region: str) -> int:
        return next(c.min_replicas for c in self.plan.service(service).capacity.value if c.region == region)

    def task_zones(self, service: str, region: str) -> list[str]:
        return self.plan.zones(region)

    def active(self) -> bool:
        return self.plan.replication.value == "active"

    def strategy(self) -> str:
        return self.plan.dr.strategy.value

    def zone_failover(self, store: AnyStorePlan) -> float:
        return store.zone_loss_rto_seconds

    def zone_detection(self) -> float:
        return zone_detection(self.plan.services)

    def entry(self) -> Entry:
        return planned_entry(self.plan.edge)

    def store_way(self, store: AnyStorePlan) -> StoreWay:
        return store_way(store)

    def replication_lag(self, store: AnyStorePlan) -> float | None:
        return store.region_loss_rpo_seconds


def outcome(
    disruption: Disruption,
    lost: str,
    journeys: list[JourneyImpact],
    services: list[ServiceImpact],
    rto_seconds: float | None,
    rpo_seconds: float | None,
    capacity: bool = True,
    note: str = "",
    steps: list[RecoveryStep] | None = None,
) -> WhatIf:
    """The answer, with its one-line summary (`capacity`: say whether capacity holds peak)."""
    summary = f"losing {lost}: {sum(j.survives for j in journeys)}/{len(journeys)} journeys survive"
    if capacity:
        summary += (
            "; capacity holds peak without scaling"
            if all(s.enough_without_scaling for s in services)
            else "; capacity short of peak until scale-out"
        )
    return WhatIf(
        disruption=disruption,
        lost=lost,
        journeys=journeys,
        services=services,
        rto_seconds=rto_seconds,
        rpo_seconds=rpo_seconds,
        summary=summary + note,
        steps=steps or [],
    )


def region_loss_text(plan: Plan) -> str:
    """What losing a region costs, in words, from the plan's DR figures: the same figures
    `explain(plan, "region-loss")` reports."""
    rto, rpo = plan.dr.region_loss_rto_seconds, plan.dr.region_loss_rpo_seconds
    if rto is None:
        return "not recoverable by this plan"
    return f"expected RTO {human_duration(rto) if rto else '0 s'}, RPO {human_duration(rpo) if rpo else '0 s'}"


def default_target(plan: Plan, disruption: Disruption) -> str:
    """The primary region's first zone, or the primary region."""
    return plan.zones(plan.primary_region)[0] if disruption == "zone-loss" else plan.primary_region


def explain(plan: Plan, disruption: Disruption, lost: str | None = None) -> WhatIf:
    """A zone or region loss played through the plan's own placement."""
    return play(plan, PlannedPlacement(plan), disruption, lost)


def play(plan: Plan, placement: Placement, disruption: Disruption, lost: str | None = None) -> WhatIf:
    """A zone or region loss played through `placement`; the plan gives only intent (peaks,
    journeys, which stores the journeys use)."""
    lost = lost or default_target(plan, disruption)
    if disruption == "zone-loss":
        return judged(plan, zone_loss(plan, placement, lost))
    return judged(plan, region_loss(plan, placement, lost))


def must_survive(plan: Plan, disruption: Disruption) -> bool:
    """The blueprint's level says the design survives this kind of loss: a zone above single-zone,
    a region in a multi-region design."""
    if disruption == "zone-loss":
        return plan.level.value != "single-zone"
    return plan.level.value == "multi-region"


def judged(plan: Plan, result: WhatIf) -> WhatIf:
    """`result` with its RTO and RPO compared with the blueprint's, and what it misses."""
    required: dict[str, int] = {o.name: o.required_seconds for o in plan.objectives if o.required_seconds is not None}
    lines: list[str] = []
    misses = [f"journey {j.journey!r} is lost" for j in result.journeys if not j.survives]
    for name, expected in (("rto", result.rto_seconds), ("rpo", result.rpo_seconds)):
        need = required.get(name)
        shown = "not recoverable" if expected is None else human_duration(expected) if expected else "0 s"
        if need is None:
            lines.append(f"{name.upper()} {shown}; the blueprint sets no `{name}`")
            continue
        met = expected is not None and expected <= need
        lines.append(
            f"{name.upper()} {shown} against the blueprint's {human_duration(need)}: {'met' if met else 'MISSED'}"
        )
        if not met:
            misses.append(f"{name.upper()} {shown} is over the blueprint's `{name}` of {human_duration(need)}")
    return result.model_copy(
        update={"objectives": lines, "must_survive": must_survive(plan, result.disruption), "misses": misses}
    )


def has_zonal_parts(plan: Plan) -> bool:
    """Something of the design sits in a zone: a service's tasks, or a store in the VPC (a database,
    a cache). A static site's bucket and distribution span zones at every level."""
    return bool(plan.services) or any(s.kind in ("relational", "cache") for s in plan.datastores)


def zone_loss(plan: Plan, placement: Placement, zone: str) -> WhatIf:
    if not has_zonal_parts(plan):
        return nothing_zonal(plan, placement, zone)
    regions = placement.regions()
    region = next((r for r in regions if zone in placement.zones(r)), None)
    if region is None:
        zones = sorted(z for r in regions for z in placement.zones(r))
        verb, adjective = placement.missing
        raise ValueError(f"zone {zone!r} {verb}; {adjective} zones: {', '.join(zones)}")
    single = len(placement.zones(region)) < 2
    active = placement.active()
    services = []
    for svc in plan.services:
        cap = next(c for c in svc.capacity.value if c.region == region)
        tasks, spread = placement.tasks(svc.name, region), placement.task_zones(svc.name, region)
        fullest = fullest_zone(tasks, len(spread))
        left_tasks = tasks - fullest if zone in spread else tasks
        left = left_tasks * svc.rps_per_replica
        others = sum(placement.tasks(svc.name, r) * svc.rps_per_replica for r in regions if r != region and active)
        enough = svc.peak_rps is None or left >= cap.design_rps
        services.append(
            ServiceImpact(
                service=svc.name,
                capacity_rps_left=left + others,
                peak_rps=svc.peak_rps,
                enough_without_scaling=enough and not single,
                detail=f"{region}: {tasks} tasks over {len(spread)} zones, {left_tasks} left x {svc.rps_per_replica} rps "
                f"= {left} rps vs {cap.design_rps} rps designed for {region}"
                + (f"; plus {others} rps in the other serving regions (left, the sum)" if others else ""),
            )
        )
    zonal = {s.name for s in plan.services}  # a static site's bucket and CDN span zones in any level
    journeys = [
        JourneyImpact(
            journey=j.name,
            survives=not single or active or j.service not in zonal,
            detail="every part spans >= 2 zones; stores fail over in the region"
            if not single
            else "single-zone: the only zone is lost"
            if j.service in zonal
            else "S3 stores across >= 3 zones and CloudFront is global: no part is in one zone",
        )
        for j in plan.availability.journeys
    ]
    rto, rpo = zone_recovery(
        single and not all(j.survives for j in journeys),
        [placement.zone_failover(s) for s in plan.datastores if s.on_journeys] + [placement.zone_detection()],
        any(s.record for s in plan.datastores),
    )
    return outcome("zone-loss", zone, journeys, services, rto, rpo, note=placement.note)


def nothing_zonal(plan: Plan, placement: Placement, zone: str) -> WhatIf:
    """A zone loss of a design with nothing in one zone (a static site): survived trivially. The zone
    must still be one of the plan's, in a region the placement has."""
    regions = placement.regions()
    if not any(zone in plan.zones(r) for r in regions):
        zones = sorted(z for r in regions for z in plan.zones(r))
        verb, adjective = placement.missing
        raise ValueError(f"zone {zone!r} {verb}; {adjective} zones: {', '.join(zones)}")
    journeys = [
        JourneyImpact(
            journey=j.name,
            survives=True,
            detail="nothing in this design is in one zone (S3 stores across >= 3 zones, CloudFront is "
            "global): a zone loss is survived trivially",
        )
        for j in plan.availability.journeys
    ]
    return outcome("zone-loss", zone, journeys, [], 0.0, 0.0, capacity=False, note="; nothing zonal" + placement.note)


def region_loss(plan: Plan, placement: Placement, region: str) -> WhatIf:
    regions = placement.regions()
    if region not in regions:
        verb, adjective = placement.missing
        raise ValueError(f"region {region!r} {verb}; {adjective} regions: {', '.join(regions)}")
    survivors = [r for r in regions if r != region]
    multi = bool(survivors)
    active = placement.active()
    services = []
    for svc in plan.services:
        left = sum(placement.tasks(svc.name, r) * svc.rps_per_replica for r in survivors)
        services.append(
            ServiceImpact(
                service=svc.name,
                capacity_rps_left=left,
                peak_rps=svc.peak_rps,
                enough_without_scaling=multi and (svc.peak_rps is None or left >= svc.peak_rps),
                detail=f"{', '.join(survivors)} run {left} rps of capacity before scale-out"
                if survivors
                else "no region left",
            )
        )
    strategy = placement.strategy()
    steps = recovery_steps(plan, placement, region) if multi else []
    stuck = blocked(steps, region)
    stuck_stores = {s.store for s in stuck if s.on_journeys and s.store}
    journeys = []
    for j in plan.availability.journeys:
        if not multi:
            journeys.append(JourneyImpact(journey=j.name, survives=False, detail="one region: nothing left to serve"))
            continue
        needs = sorted(stuck_stores & journey_stores(plan, j.service))
        if needs or any(not s.store for s in stuck):
            journeys.append(
                JourneyImpact(
                    journey=j.name,
                    survives=False,
                    detail=f"recovery needs {region}'s control plane, the region lost: "
                    + "; ".join(s.action for s in stuck if not s.store or s.store in needs),
                )
            )
            continue
        how = (
            "other regions already serve it; DNS stops sending users to the lost region"
            if active
            else f"after failover to the standby ({strategy})"
        )
        if not any(s.name == j.service for s in plan.services):  # a static site: the CDN's origin group
            how = "CloudFront's origin group serves from the bucket in the other region"
        journeys.append(JourneyImpact(journey=j.name, survives=True, detail=how))
    rto: float | None = None
    rpo: float | None = None
    if multi:
        lags = [placement.replication_lag(s) for s in plan.datastores if s.record]
        rto, rpo = rto_of(steps, region), region_rpo_of(lags)
    note = placement.note
    off = sorted({s.store for s in stuck if s.store and not s.on_journeys})
    if off:
        note = f"; not recoverable without {region}'s control plane: {', '.join(off)}" + note
    return outcome("region-loss", region, journeys, services, rto, rpo, capacity=multi, note=note, steps=steps)


def journey_stores(plan: Plan, service: str) -> set[str]:
    """The stores a journey through `service` reaches: its own and those of the services it calls."""
    seen, todo, stores = set(), [service], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if not any(s.name == name for s in plan.services):
            stores.add(name)  # a static site's journey: the public object store the CDN serves
            continue
        svc = plan.service(name)
        stores |= set(svc.stores)
        todo += svc.calls
    return stores


def recovery_steps(plan: Plan, placement: Placement, lost: str) -> list[RecoveryStep]:
    """The steps of recovering from losing `lost`, by `placement`'s mechanisms."""
    return region_loss_steps(
        lost,
        placement.regions(),
        placement.active(),
        placement.strategy(),
        placement.entry(),
        [placement.store_way(s) for s in plan.datastores],
        [s.name for s in plan.services],
        plan.dr.backup_retention_days,
    )

"""What-ifs on a Plan: lose a zone or a region, and see what still serves.

The same answers are expected from the deployed (offline cloud) state; this module
works on the Plan alone.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from blueprints.plan_model import Plan
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


def outcome(
    disruption: Disruption,
    lost: str,
    journeys: list[JourneyImpact],
    services: list[ServiceImpact],
    rto_seconds: float | None,
    rpo_seconds: float | None,
    capacity: bool = True,
    note: str = "",
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
    )


def region_loss(plan: Plan) -> str:
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
    lost = lost or default_target(plan, disruption)
    if disruption == "zone-loss":
        return _zone_loss(plan, lost)
    return _region_loss(plan, lost)


def _zone_loss(plan: Plan, zone: str) -> WhatIf:
    region = next((n.region for n in plan.networks if zone in n.zones), None)
    if region is None:
        raise ValueError(
            f"zone {zone!r} is not in the plan; planned zones: {', '.join(z for n in plan.networks for z in n.zones)}"
        )
    single = plan.level.value == "single-zone"
    services = []
    for svc in plan.services:
        cap = next(c for c in svc.capacity.value if c.region == region)
        left = cap.replicas_per_zone * (len(plan.zones(region)) - 1) * svc.rps_per_replica
        others = sum(
            c.min_replicas * svc.rps_per_replica
            for c in svc.capacity.value
            if c.region != region and c.role == "serving" and plan.replication.value == "active"
        )
        enough = svc.peak_rps is None or left >= cap.design_rps
        services.append(
            ServiceImpact(
                service=svc.name,
                capacity_rps_left=left + others,
                peak_rps=svc.peak_rps,
                enough_without_scaling=enough and not single,
                detail=f"{region}: {cap.replicas_per_zone} x {len(plan.zones(region)) - 1} surviving zones x "
                f"{svc.rps_per_replica} rps = {left} rps vs {cap.design_rps} rps designed for {region}",
            )
        )
    journeys = [
        JourneyImpact(
            journey=j.name,
            survives=not single or (plan.replication.value == "active"),
            detail="every part spans >= 2 zones; stores fail over in the region"
            if not single
            else "single-zone: the only zone is lost",
        )
        for j in plan.availability.journeys
    ]
    return outcome("zone-loss", zone, journeys, services, plan.dr.zone_loss_rto_seconds, plan.dr.zone_loss_rpo_seconds)


def _region_loss(plan: Plan, region: str) -> WhatIf:
    if region not in plan.regions.value:
        raise ValueError(f"region {region!r} is not in the plan; planned regions: {', '.join(plan.regions.value)}")
    multi = plan.level.value == "multi-region"
    survivors = [r for r in plan.regions.value if r != region]
    services = []
    for svc in plan.services:
        left = sum(c.min_replicas * svc.rps_per_replica for c in svc.capacity.value if c.region in survivors)
        peak = svc.peak_rps
        services.append(
            ServiceImpact(
                service=svc.name,
                capacity_rps_left=left,
                peak_rps=peak,
                enough_without_scaling=multi and (peak is None or left >= peak),
                detail=(
                    f"{', '.join(survivors)} run {left} rps of capacity before scale-out"
                    if survivors
                    else "no region left"
                ),
            )
        )
    journeys = []
    for j in plan.availability.journeys:
        if not multi:
            journeys.append(JourneyImpact(journey=j.name, survives=False, detail="one region: nothing left to serve"))
            continue
        how = (
            "other regions already serve it; DNS stops sending users to the lost region"
            if plan.replication.value == "active"
            else f"after failover to the standby ({plan.dr.strategy.value})"
        )
        journeys.append(JourneyImpact(journey=j.name, survives=True, detail=how))
    return outcome(
        "region-loss",
        region,
        journeys,
        services,
        plan.dr.region_loss_rto_seconds,
        plan.dr.region_loss_rpo_seconds,
        capacity=multi,
    )

"""Disaster recovery: the DR strategy (HLD-RULES §3), the recovery time and data lost on a zone
or region loss, and the blueprint's objectives against them."""

from __future__ import annotations

from blueprints import steps as recovery_steps
from blueprints.figures import TIMINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint
from blueprints.plan_model import AnyStorePlan, Decided, Dr, EdgePlan, Objective, RecoveryStep, ServicePlan
from blueprints.units import format_duration, human_duration
from blueprints.whatif import region_rpo_of, zone_detection, zone_recovery


def passive_strategy(bp: Blueprint) -> str:
    if bp.rto is not None and bp.rto >= TIMINGS["pilot-light-rto"].seconds:
        return "pilot-light"
    return "warm-standby"


def dr(
    bp: Blueprint,
    intent: Intent,
    stores: list[AnyStorePlan],
    regions: list[str],
    edge: EdgePlan,
    services: list[ServicePlan] | None = None,
) -> Dr:
    """The DR strategy, and what a zone or a region loss costs by the stores' own recovery
    (the same functions the what-ifs use: blueprints.whatif.zone_recovery, blueprints.steps)."""
    single_zone = intent.level.value == "single-zone"
    zone_rto, zone_rpo = zone_recovery(
        single_zone,
        [s.zone_loss_rto_seconds for s in stores if s.on_journeys] + [zone_detection(services or [])],
        any(s.record for s in stores),
    )
    strategy: Decided[str]
    region_rto: float | None = None
    region_rpo: float | None = None
    steps: list[RecoveryStep] = []
    if not intent.multi_region:
        strategy = Decided(
            value="backup-restore",
            reason="one region: automated backups and point-in-time recovery in the region recover a lost "
            "zone or a bad write; they stay in the region, so a region loss is not recoverable by this plan "
            "(redundancy.level: multi-region covers it)",
        )
    else:
        if intent.active:
            strategy = Decided(
                value="multi-site-active-active",
                reason="replication: active: the full stack serves in every region; a region loss costs what its "
                "recovery steps take: the entry's failover (health checks and the record's TTL, or CloudFront's "
                "origin failover) and any promotion a single-writer store needs",
            )
        else:
            name = passive_strategy(bp)
            strategy = Decided(
                value=name,
                reason=(
                    f"passive with rto {format_duration(bp.rto)}: " if bp.rto is not None else "passive, rto unset: "
                )
                + (
                    "data replicated, compute defined but scaled to zero: an operator raises it on a region loss"
                    if name == "pilot-light"
                    else "data replicated, compute running at reduced capacity: target tracking scales it out"
                ),
            )
        steps = planned_steps(bp, intent, stores, regions, edge, strategy.value, regions[0])
        region_rto = recovery_steps.rto_of(steps, regions[0])
        region_rpo = region_rpo_of([s.region_loss_rpo_seconds for s in stores if s.record])
    return Dr(
        strategy=strategy,
        zone_loss_rto_seconds=zone_rto,
        zone_loss_rpo_seconds=zone_rpo,
        region_loss_rto_seconds=region_rto,
        region_loss_rpo_seconds=region_rpo,
        backup_retention_days=bp.security.backup_retention_days,
        backup_copy_regions=regions[1:] if intent.multi_region and not intent.active else [],
        runbook=recovery_steps.runbook(steps),
        region_loss_steps=steps,
    )


def planned_steps(
    bp: Blueprint,
    intent: Intent,
    stores: list[AnyStorePlan],
    regions: list[str],
    edge: EdgePlan,
    strategy: str,
    lost: str,
) -> list[RecoveryStep]:
    return recovery_steps.region_loss_steps(
        lost,
        regions,
        intent.active,
        strategy,
        recovery_steps.planned_entry(edge),
        [recovery_steps.store_way(s) for s in stores],
        [s.name for s in bp.services],
        bp.security.backup_retention_days,
    )


def objectives(
    bp: Blueprint, intent: Intent, dr: Dr, stores: list[AnyStorePlan], journeys: dict[str, set[str]]
) -> list[Objective]:
    disruption = "region-loss" if intent.multi_region else "zone-loss"
    rto = dr.region_loss_rto_seconds if intent.multi_region else dr.zone_loss_rto_seconds
    rpo = dr.region_loss_rpo_seconds if intent.multi_region else dr.zone_loss_rpo_seconds
    out = []
    for name, required, expected in (("rto", bp.rto, rto), ("rpo", bp.rpo, rpo)):
        met = required is None or (expected is not None and expected <= required)
        detail = (
            f"expected {human_duration(expected) if expected else '0 s'} on {disruption}"
            if expected is not None
            else f"not recoverable within the plan on {disruption}"
        )
        detail += (
            f"; required {format_duration(required) if required else '0'}"
            if required is not None
            else "; no requirement set"
        )
        out.append(
            Objective(
                name=name,
                disruption=disruption,
                required_seconds=required,
                expected_seconds=expected,
                met=met,
                detail=detail,
            )
        )
    return out

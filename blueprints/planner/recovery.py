"""Disaster recovery: the DR strategy (HLD-RULES §3), the recovery time and data lost on a zone
or region loss, and the blueprint's objectives against them."""

from __future__ import annotations

from blueprints.figures import TIMINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint
from blueprints.plan_model import AnyStorePlan, Decided, Dr, Objective, RelationalPlan
from blueprints.units import format_duration, human_duration
from blueprints.whatif import region_recovery, zone_recovery


def passive_strategy(bp: Blueprint) -> str:
    if bp.rto is not None and bp.rto >= TIMINGS["pilot-light-rto"].seconds:
        return "pilot-light"
    return "warm-standby"


def dr(bp: Blueprint, intent: Intent, stores: list[AnyStorePlan], regions: list[str]) -> Dr:
    """The DR strategy, and what a zone or a region loss costs by the stores' own recovery
    (the same functions the what-ifs use: blueprints.whatif.zone_recovery / region_recovery)."""
    single_zone = intent.level.value == "single-zone"
    zone_rto, zone_rpo = zone_recovery(
        single_zone, [s.zone_loss_rto_seconds for s in stores if s.on_journeys], any(s.record for s in stores)
    )
    strategy: Decided[str]
    region_rto: float | None = None
    region_rpo: float | None = None
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
                reason="replication: active: the full stack serves in every region; a region loss costs the DNS "
                "failover (health checks and the record's TTL) and any promotion a single-writer store needs",
            )
        else:
            name = passive_strategy(bp)
            strategy = Decided(
                value=name,
                reason=(
                    f"passive with rto {format_duration(bp.rto)}: " if bp.rto is not None else "passive, rto unset: "
                )
                + (
                    "data replicated, compute defined but scaled to zero (tens of minutes)"
                    if name == "pilot-light"
                    else "data replicated, compute running at reduced capacity (minutes)"
                ),
            )
        region_rto, region_rpo = region_recovery(
            strategy.value,
            [s.region_promotion_seconds for s in stores if s.on_journeys and s.region_promotion_seconds is not None],
            [s.region_loss_rpo_seconds for s in stores if s.record and s.region_loss_rpo_seconds is not None],
        )
    return Dr(
        strategy=strategy,
        zone_loss_rto_seconds=zone_rto,
        zone_loss_rpo_seconds=zone_rpo,
        region_loss_rto_seconds=region_rto,
        region_loss_rpo_seconds=region_rpo,
        backup_retention_days=bp.security.backup_retention_days,
        backup_copy_regions=regions[1:] if intent.multi_region and not intent.active else [],
        runbook=runbook(intent, stores, regions),
    )


def runbook(intent: Intent, stores: list[AnyStorePlan], regions: list[str]) -> list[str]:
    """The region-loss steps hld does not automate: promoting a relational store's replica."""
    if not intent.multi_region:
        return []
    steps = []
    for store in stores:
        if not isinstance(store, RelationalPlan):
            continue
        survivor = regions[1]
        if store.engine.value == "aurora-postgresql":
            steps += [
                f"{store.name}: fail the global database over to {survivor} (`aws rds failover-global-cluster "
                f"--allow-data-loss`, or a switchover when {regions[0]} still answers); the global writer endpoint "
                "follows, so applications need no change",
            ]
        else:
            promote = TIMINGS["rds-replica-promotion"]
            steps += [
                f"{store.name}: promote the read replica in {survivor} (`aws rds promote-read-replica`; about "
                f"{round(promote.seconds / 60)} min" + (", an unverified figure" if not promote.verified else "") + ")",
                f"{store.name}: point {store.writer_name.value if store.writer_name else 'the writer name'} at the "
                "promoted instance (a CNAME in the private zone; TTL 30 s)",
                f"{store.name}: turn on automated backups of the promoted instance (a replica has none) and "
                "re-create replicas from it once the lost region is back",
            ]
    if steps and not intent.active:
        steps.append(f"scale the standby region's services to their serving capacity ({', '.join(regions[1:])})")
    return steps


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

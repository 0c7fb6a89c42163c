"""The AWS FIS experiment templates that prove what the plan says survives (blueprints.fis).

One per zone of each region when the level survives a zone loss and something of the design sits in
a zone; one per region when it survives a region loss. Each template lives in the region of what it
targets (FIS acts on its own region's resources) and takes away what that loss takes, by the actions
FIS offers: for a zone (AZ power-interruption style) the zone's subnets cut off, the services' tasks
in the zone stopped, the relational store's writer failed over out of the zone, the caches' nodes in
the zone powered off; for a region the cross-Region actions (the region's subnets cut off from each
other region, DynamoDB global table replication paused, S3 replication paused). The hypothesis is the
what-if's own figures (blueprints.whatif). Templates are created, never run by hld: `run` says how.
"""

from __future__ import annotations

from typing import Any

from blueprints import monitoring
from blueprints.fis import ACTIONS, iso_duration
from blueprints.plan_model import (
    CachePlan,
    Experiment,
    ExperimentAction,
    KeyValuePlan,
    ObjectPlan,
    Plan,
    RelationalPlan,
)
from blueprints.units import human_duration
from blueprints.whatif import Disruption, WhatIf, explain, has_zonal_parts, must_survive, zone_detection

DURATION_SECONDS = 600
"""PT10M: long enough for the SLO stop alarm's short window to see a breach and for the stores'
failovers (RDS Multi-AZ: 60-120 s) to finish inside the action; FIS allows 1 minute to 12 hours."""


def fis_action(action: str, **fields: Any) -> ExperimentAction:
    """An experiment's action: the FIS action id and what it targets, its target type from the table."""
    return ExperimentAction(action=action, target=ACTIONS[action].resource_type, **fields)


def experiments(plan: Plan) -> list[Experiment]:
    """Every experiment the plan's level requires, zones first (region by region), then regions."""
    out: list[Experiment] = []
    if must_survive(plan, "zone-loss") and has_zonal_parts(plan):
        for region in plan.regions.value:
            for zone in plan.zones(region):
                found = zone_experiment(plan, region, zone)
                if found is not None:
                    out.append(found)
    if must_survive(plan, "region-loss"):
        for region in plan.regions.value:
            found = region_experiment(plan, region)
            if found is not None:
                out.append(found)
    return out


def stop_alarm(plan: Plan, region: str, disruption: Disruption) -> str:
    """The alarm that stops the region's experiments of one kind, by its human name
    (generators.aws.monitors makes it)."""
    return f"{plan.name}-{plan.stack} {disruption} stop alarm in {region}"


def detection_seconds(plan: Plan) -> float:
    """How long the load balancer sends requests to a lost zone's tasks (blueprints.whatif.zone_detection)."""
    return zone_detection(plan.services)


def stop_ratio(plan: Plan, disruption: Disruption, region: str) -> float:
    """The entry's error ratio over STOP_WINDOW_SECONDS above which the experiment is worse than its
    hypothesis: twice what the loss is expected to cost (a zone loss: the lost zone's share of requests
    fails until the load balancer's health checks take its tasks out), and never under the fastest
    paging burn rate's ratio (a region's isolation or a paused replication is expected to cost none)."""
    target = plan.availability.target
    rate = monitoring.BURN_RATES[0].burn_rate if monitoring.burn_rate_meaningful(target) else 1
    page = monitoring.burn_rate_ratio(target, rate)
    if disruption != "zone-loss":
        return page
    share = 1 / max(len(plan.zones(region)), 1)
    expected = share * min(detection_seconds(plan), monitoring.STOP_WINDOW_SECONDS) / monitoring.STOP_WINDOW_SECONDS
    return round(max(page, 2 * expected), 6)


def template_name(plan: Plan, disruption: Disruption, lost: str) -> str:
    return f"{plan.name}-{disruption}-{lost}"


def zone_actions(plan: Plan, region: str, zone: str) -> list[ExperimentAction]:
    """What a zone's power interruption takes, on this stack's resources in `region`."""
    duration = iso_duration(DURATION_SECONDS)
    net = plan.network(region)
    out: list[ExperimentAction] = []
    if net.vpc and any(s.zone == zone for s in net.subnets):
        tiers = sorted({s.tier for s in net.subnets if s.zone == zone})
        out.append(
            fis_action(
                "aws:network:disrupt-connectivity",
                name="disrupt-zone-network",
                subject=f"{', '.join(tiers)} subnets in {zone}",
                parameters={"duration": duration, "scope": "all"},
            )
        )
    for svc in plan.services:
        cap = next((c for c in svc.capacity.value if c.region == region), None)
        if cap is None or cap.min_replicas == 0:
            continue  # nothing runs there: a target that resolves to no task fails the experiment
        out.append(
            fis_action(
                "aws:ecs:stop-task",
                name=f"stop-{svc.name}-tasks",
                subject=f"{svc.name}'s tasks in {zone}",
                parameters={},
                target_parameters={"service": svc.name, "zone": zone},
            )
        )
    for store in plan.datastores:
        if region not in store.regions or not store.multi_az:
            continue
        if isinstance(store, RelationalPlan) and region == store.writer_region:
            if store.engine.value.startswith("aurora"):
                out.append(
                    fis_action(
                        "aws:rds:failover-db-cluster",
                        name=f"failover-{store.name}",
                        subject=f"{store.name}'s Aurora cluster when its writer is in {zone}",
                        parameters={},
                        target_parameters={"store": store.name, "writerAvailabilityZoneIdentifiers": zone},
                    )
                )
            else:
                out.append(
                    fis_action(
                        "aws:rds:reboot-db-instances",
                        name=f"failover-{store.name}",
                        subject=f"{store.name}'s Multi-AZ instance when its primary is in {zone} (forced failover)",
                        parameters={"forceFailover": "true"},
                        target_parameters={"store": store.name, "availabilityZoneIdentifiers": zone},
                    )
                )
    caches = [s.name for s in plan.datastores if isinstance(s, CachePlan) and region in s.regions and s.multi_az]
    if caches:  # targeted by the stack's tags (ElastiCache's target takes no ARNs): one action for all
        out.append(
            fis_action(
                "aws:elasticache:replicationgroup-interrupt-az-power",
                name="interrupt-cache-nodes",
                subject=f"the nodes in {zone} of {', '.join(caches)}",
                parameters={"duration": duration},
                target_parameters={"availabilityZoneIdentifier": zone},
            )
        )
    return out


def region_actions(plan: Plan, region: str) -> list[ExperimentAction]:
    """What FIS can take of a region from inside it: its connectivity to every other region and the
    replication out of it."""
    duration = iso_duration(DURATION_SECONDS)
    others = [r for r in plan.regions.value if r != region]
    net = plan.network(region)
    out: list[ExperimentAction] = []
    if net.vpc and net.subnets:
        for other in others:
            out.append(
                fis_action(
                    "aws:network:route-table-disrupt-cross-region-connectivity",
                    name=f"isolate-from-{other}",
                    subject=f"every subnet in {region}, cut off from {other}",
                    parameters={"region": other, "duration": duration},
                )
            )
    for store in plan.datastores:
        if region not in store.regions or len(store.regions) < 2:
            continue
        if isinstance(store, KeyValuePlan) and store.global_mode == "MREC":
            # FIS pauses an eventually consistent (MREC) global table only: an MRSC table has no lag to grow
            out.append(
                fis_action(
                    "aws:dynamodb:global-table-pause-replication",
                    name=f"pause-{store.name}-replication",
                    subject=f"{store.name}'s global table replica in {region}",
                    parameters={"duration": duration},
                    target_parameters={"store": store.name},
                )
            )
        elif isinstance(store, ObjectPlan) and replicates_from(plan, store, region):
            for other in others:
                out.append(
                    fis_action(
                        "aws:s3:bucket-pause-replication",
                        name=f"pause-{store.name}-replication-to-{other}",
                        subject=f"{store.name}'s bucket in {region}, replicating to {other}",
                        parameters={"duration": duration, "region": other},
                        target_parameters={"store": store.name},
                    )
                )
    return out


def replicates_from(plan: Plan, store: ObjectPlan, region: str) -> bool:
    """The bucket in `region` replicates to the others: every region's when all are written
    (active), else the first's (generators.aws.bucket)."""
    return region in (store.regions if plan.replication.value == "active" else store.regions[:1])


def hypothesis(plan: Plan, result: WhatIf) -> str:
    """`capacity left N rps for a peak of P, journeys kept, expected RTO x, RPO y`: the what-if's figures."""
    capacity = "; ".join(
        f"{s.service}: capacity left {s.capacity_rps_left} rps for a peak of {s.peak_rps if s.peak_rps is not None else 'none stated'}"
        for s in result.services
    )
    kept = [j.journey for j in result.journeys if j.survives]
    journeys = f"journeys kept {len(kept)}/{len(result.journeys)}" + (f" ({', '.join(kept)})" if kept else "")
    rto = (
        "not recoverable"
        if result.rto_seconds is None
        else human_duration(result.rto_seconds)
        if result.rto_seconds
        else "0 s"
    )
    rpo = (
        "not recoverable"
        if result.rpo_seconds is None
        else human_duration(result.rpo_seconds)
        if result.rpo_seconds
        else "0 s"
    )
    parts = [f"Losing {result.lost}"] + ([capacity] if capacity else []) + [journeys, f"expected RTO {rto}, RPO {rpo}"]
    text = ", ".join(parts[:1]) + ": " + "; ".join(parts[1:])
    return text if len(text) <= 512 else text[:509] + "..."


def _experiment(
    plan: Plan, disruption: Disruption, lost: str, region: str, actions: list[ExperimentAction]
) -> Experiment:
    result = explain(plan, disruption, lost)
    name = template_name(plan, disruption, lost)
    alarm = stop_alarm(plan, region, disruption)
    ratio = stop_ratio(plan, disruption, region)
    watch = [
        f"{alarm}: FIS stops the experiment when more than {ratio:.4%} of the entry's requests fail over "
        f"{monitoring.STOP_WINDOW_SECONDS // 60} minutes (twice what the loss is expected to cost, never under "
        "the fastest page's burn rate)"
    ]
    watch += [
        f"{s.service}: running tasks in {region} and the load balancer's 5xx; capacity left {s.capacity_rps_left} rps"
        for s in result.services
    ]
    watch += [f"{a.name}: {a.subject}" for a in actions if not a.action.startswith("aws:network")]
    watch.append(f"every journey answers within its SLO while it runs: {result.summary}")
    return Experiment(
        name=name,
        disruption=disruption,
        lost=lost,
        region=region,
        actions=actions,
        duration_seconds=DURATION_SECONDS,
        hypothesis=hypothesis(plan, result),
        stop_on=[alarm],
        stop_ratio=ratio,
        run=(
            f"aws fis start-experiment --region {region} --experiment-template-id "
            f"$(aws fis list-experiment-templates --region {region} --query \"experimentTemplates[?tags.Name=='{name}'].id\" --output text)"
        ),
        watch=watch,
    )


def zone_experiment(plan: Plan, region: str, zone: str) -> Experiment | None:
    actions = zone_actions(plan, region, zone)
    return _experiment(plan, "zone-loss", zone, region, actions) if actions else None


def region_experiment(plan: Plan, region: str) -> Experiment | None:
    actions = region_actions(plan, region)
    return _experiment(plan, "region-loss", region, region, actions) if actions else None

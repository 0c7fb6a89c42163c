"""What-ifs on the deployed state: lose a zone or a region in the graph of one run (under
moto, what AWS reports), and see which journeys still serve, the capacity left against the
peak, and the RTO/RPO the deployed mechanisms give.

It reads the plan only for intent (peaks, which stores the journeys use); placement,
replicas and failover mechanisms come from the resources. `blueprints.whatif.explain`
answers the same questions from the Plan alone; the tests require the two to agree.
"""

from __future__ import annotations

from typing import Any

from blueprints.figures import TIMINGS
from blueprints.plan_model import Plan
from blueprints.whatif import JourneyImpact, ServiceImpact, WhatIf, default_target, outcome
from hld.graph import Graph, Resource, dig, first, prefixed, value, zones_of_subnets


class Deployed:
    """Placement and mechanisms read from the graph."""

    def __init__(self, plan: Plan, graph: Graph):
        self.plan, self.graph = plan, graph

    def service(self, name: str, region: str) -> Resource | None:
        found = prefixed(self.graph, "aws:ecs/service:Service", f"{self.plan.name}-{name}", region)
        return found[0] if found else None

    def tasks(self, name: str, region: str) -> int:
        ecs = self.service(name, region)
        return int(value(ecs, "desired_count") or 0) if ecs else 0

    def task_zones(self, name: str, region: str) -> set[str]:
        ecs = self.service(name, region)
        net = first(value(ecs, "network_configuration")) if ecs else None
        return zones_of_subnets(self.graph, dig(net, "subnets") or [])

    def region_zones(self, region: str) -> set[str]:
        return {
            str(value(s, "availability_zone"))
            for s in self.graph.of("aws:ec2/subnet:Subnet")
            if s.region == region and value(s, "availability_zone")
        }

    def zone_failover(self, store: str) -> float:
        """Seconds until a store on a journey serves again after its zone is lost."""
        prefix = f"{self.plan.name}-{store}"
        if prefixed(self.graph, "aws:rds/cluster:Cluster", prefix):
            return TIMINGS["aurora-failover"].seconds
        if prefixed(self.graph, "aws:rds/instance:Instance", prefix):
            return TIMINGS["rds-multi-az-failover"].seconds
        groups = prefixed(self.graph, "aws:elasticache/replicationGroup:ReplicationGroup", prefix)
        if any(value(g, "automatic_failover_enabled") is True for g in groups):
            return TIMINGS["elasticache-failover"].seconds
        return 0.0  # DynamoDB, SQS, S3: regional services across zones

    def promotion(self, store: str) -> float | None:
        """Seconds to promote a relational store's copy in another region, by the deployed mechanism."""
        prefix = f"{self.plan.name}-{store}"
        if any(value(c, "global_cluster_identifier") for c in prefixed(self.graph, "aws:rds/cluster:Cluster", prefix)):
            return TIMINGS["aurora-global-failover"].seconds
        replicas = [
            r
            for r in prefixed(self.graph, "aws:rds/instance:Instance", prefix)
            if str(value(r, "replicate_source_db") or "").startswith("arn:")
        ]
        return TIMINGS["rds-replica-promotion"].seconds if replicas else None

    def replication_lag(self, store: str) -> float | None:
        """Data a region loss can take with it: the deployed replication's lag (None: not replicated)."""
        g, prefix = self.graph, f"{self.plan.name}-{store}"
        if any(value(c, "global_cluster_identifier") for c in prefixed(g, "aws:rds/cluster:Cluster", prefix)):
            return TIMINGS["aurora-global-lag"].seconds
        if any(
            str(value(r, "replicate_source_db") or "").startswith("arn:")
            for r in prefixed(g, "aws:rds/instance:Instance", prefix)
        ):
            return TIMINGS["rds-replica-lag"].seconds
        for table in prefixed(g, "aws:dynamodb/table:Table", prefix):
            replicas = value(table, "replicas") or []
            if replicas:
                strong = all(dig(r, "consistency_mode") == "STRONG" for r in replicas)
                return 0.0 if strong else TIMINGS["dynamodb-global-lag"].seconds
        if g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig") and prefixed(
            g, "aws:s3/bucket:Bucket", prefix
        ):
            return TIMINGS["s3-replication"].seconds
        return None

    def standby_role(self, region: str) -> str:
        serving = [self.tasks(s.name, region) for s in self.plan.services]
        return "pilot-light" if not any(serving) else "warm-standby"


def what_if(plan: Plan, graph: Graph, disruption: str, lost: str | None = None) -> WhatIf:
    lost = lost or default_target(plan, disruption)  # type: ignore[arg-type]
    d = Deployed(plan, graph)
    if disruption == "zone-loss":
        return _zone_loss(plan, d, lost)
    return _region_loss(plan, d, lost)


def _active(plan: Plan, d: Deployed) -> bool:
    """Active/active as deployed: more than one region runs a serving fleet and DNS spreads users."""
    regions = plan.regions.value
    routed = {
        str(dig(p, "region"))
        for rec in d.graph.of("aws:route53/record:Record")
        for p in value(rec, "latency_routing_policies") or []
    }
    through_cdn = plan.edge.cdn is not None and plan.edge.cdn.dynamic.value == "through"
    if len(regions) < 2:
        return False
    if routed >= set(regions):
        return True
    # no public edge to route: active when every region runs its full fleet
    running = [all(d.tasks(s.name, r) > 0 for s in plan.services) for r in regions]
    return all(running) and not through_cdn and not plan.dr.backup_copy_regions


def _zone_loss(plan: Plan, d: Deployed, zone: str) -> WhatIf:
    region = next((r for r in plan.regions.value if zone in d.region_zones(r)), None)
    if region is None:
        zones = sorted(z for r in plan.regions.value for z in d.region_zones(r))
        raise ValueError(f"zone {zone!r} has nothing deployed; deployed zones: {', '.join(zones)}")
    single = len(d.region_zones(region)) < 2
    active = _active(plan, d)
    services = []
    for svc in plan.services:
        cap = next(c for c in svc.capacity.value if c.region == region)
        tasks, spread = d.tasks(svc.name, region), d.task_zones(svc.name, region)
        per_zone = -(-tasks // len(spread)) if spread else tasks
        left_tasks = tasks - per_zone if zone in spread else tasks
        left = left_tasks * svc.rps_per_replica
        others = sum(d.tasks(svc.name, r) * svc.rps_per_replica for r in plan.regions.value if r != region and active)
        enough = svc.peak_rps is None or left >= cap.design_rps
        services.append(
            ServiceImpact(
                service=svc.name,
                capacity_rps_left=left + others,
                peak_rps=svc.peak_rps,
                enough_without_scaling=enough and not single,
                detail=f"{region}: {tasks} tasks over {len(spread)} zones, {left_tasks} left x {svc.rps_per_replica} rps "
                f"= {left} rps vs {cap.design_rps} rps designed for {region}",
            )
        )
    journeys = [
        JourneyImpact(
            journey=j.name,
            survives=not single or active,
            detail="every part spans >= 2 zones; stores fail over in the region"
            if not single
            else "single-zone: the only zone is lost",
        )
        for j in plan.availability.journeys
    ]
    records = [s for s in plan.datastores if s.kind in ("relational", "key-value", "object")]
    if single:
        rto: float | None = TIMINGS["backup-restore-rto"].seconds
        rpo: float | None = TIMINGS["pitr-rpo"].seconds if records else 0.0
    else:
        rto = max([d.zone_failover(s.name) for s in plan.datastores if s.on_journeys] or [0.0])
        rpo = 0.0
    return outcome("zone-loss", zone, journeys, services, rto, rpo, note=" (deployed state)")


def _region_loss(plan: Plan, d: Deployed, region: str) -> WhatIf:
    deployed = [r for r in plan.regions.value if d.region_zones(r)]
    if region not in deployed:
        raise ValueError(f"region {region!r} has nothing deployed; deployed regions: {', '.join(deployed)}")
    survivors = [r for r in deployed if r != region]
    multi = bool(survivors)
    active = _active(plan, d)
    services = []
    for svc in plan.services:
        left = sum(d.tasks(svc.name, r) * svc.rps_per_replica for r in survivors)
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
    journeys = []
    standby = [r for r in deployed if r != plan.primary_region]
    strategy = "multi-site-active-active" if active else (d.standby_role(standby[0]) if standby else "none")
    for j in plan.availability.journeys:
        if not multi:
            journeys.append(JourneyImpact(journey=j.name, survives=False, detail="one region: nothing left to serve"))
            continue
        how = (
            "other regions already serve it; DNS stops sending users to the lost region"
            if active
            else f"after failover to the standby ({strategy})"
        )
        journeys.append(JourneyImpact(journey=j.name, survives=True, detail=how))
    rto: float | None = None
    rpo: float | None = None
    if multi:
        promotions = [
            p
            for s in plan.datastores
            if s.kind == "relational" and s.on_journeys
            if (p := d.promotion(s.name)) is not None
        ]
        base = TIMINGS["dns-failover"].seconds if active else TIMINGS[f"{strategy}-rto"].seconds
        rto = max([base, *promotions])
        lags = [
            lag
            for s in plan.datastores
            if s.kind in ("relational", "key-value", "object")
            if (lag := d.replication_lag(s.name)) is not None
        ]
        rpo = max(lags) if lags else 0.0
    return outcome("region-loss", region, journeys, services, rto, rpo, capacity=multi, note=" (deployed state)")


def agreement(a: WhatIf, b: WhatIf) -> list[str]:
    """Where two answers to the same what-if differ (empty: they agree)."""
    out: list[str] = []

    def differ(what: str, x: Any, y: Any) -> None:
        if x != y:
            out.append(f"{what}: plan says {x}, deployed state says {y}")

    differ("lost", a.lost, b.lost)
    differ("rto_seconds", a.rto_seconds, b.rto_seconds)
    differ("rpo_seconds", a.rpo_seconds, b.rpo_seconds)
    for ja, jb in zip(a.journeys, b.journeys, strict=False):
        differ(f"journey {ja.journey} survives", ja.survives, jb.survives)
    for sa, sb in zip(a.services, b.services, strict=False):
        differ(f"{sa.service} capacity left", sa.capacity_rps_left, sb.capacity_rps_left)
        differ(f"{sa.service} enough without scaling", sa.enough_without_scaling, sb.enough_without_scaling)
    return out

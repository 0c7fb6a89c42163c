"""What-ifs on the deployed state: lose a zone or a region in the graph of one run (under
moto, what AWS reports), and see which journeys still serve, the capacity left against the
peak, and the RTO/RPO the deployed mechanisms give.

It reads the plan only for intent (peaks, which stores the journeys use); placement,
replicas and failover mechanisms come from the resources. The algorithm is the plan's own
(blueprints.whatif.play) over a different placement; the tests require the two to agree.
"""

from __future__ import annotations

from typing import Any

from blueprints.figures import TIMINGS
from blueprints.plan_model import AnyStorePlan, Plan
from blueprints.steps import Entry, Promotion, StoreWay, WriterName
from blueprints.whatif import WhatIf, has_zonal_parts, play
from hld.graph import Graph, Resource, dig, first, prefixed, value, zones_of_subnets


class DeployedPlacement:
    """The deployed state's placement (blueprints.whatif.Placement): tasks, zones and recovery
    mechanisms read from the resources of one offline run."""

    missing = ("has nothing deployed", "deployed")
    note = " (deployed state)"

    def __init__(self, plan: Plan, graph: Graph):
        self.plan, self.graph = plan, graph

    def _service(self, name: str, region: str) -> Resource | None:
        found = prefixed(self.graph, "aws:ecs/service:Service", f"{self.plan.name}-{name}", region)
        return found[0] if found else None

    def regions(self) -> list[str]:
        """The planned regions with subnets; in a design with nothing zonal (a static site: no VPC),
        those with any resource (its buckets, keys)."""
        if not has_zonal_parts(self.plan):
            return [r for r in self.plan.regions.value if any(res.region == r for res in self.graph.resources)]
        return [r for r in self.plan.regions.value if self.zones(r)]

    def zones(self, region: str) -> list[str]:
        return sorted(
            {
                str(value(s, "availability_zone"))
                for s in self.graph.of("aws:ec2/subnet:Subnet")
                if s.region == region and value(s, "availability_zone")
            }
        )

    def tasks(self, service: str, region: str) -> int:
        ecs = self._service(service, region)
        return int(value(ecs, "desired_count") or 0) if ecs else 0

    def task_zones(self, service: str, region: str) -> list[str]:
        ecs = self._service(service, region)
        net = first(value(ecs, "network_configuration")) if ecs else None
        return sorted(zones_of_subnets(self.graph, dig(net, "subnets") or []))

    def active(self) -> bool:
        """Active/active as deployed: DNS spreads users over every region, or (no public edge to
        route) every region runs its full fleet."""
        regions = self.plan.regions.value
        if len(regions) < 2:
            return False
        routed = {
            str(dig(p, "region"))
            for rec in self.graph.of("aws:route53/record:Record")
            for p in value(rec, "latency_routing_policies") or []
        }
        if routed >= set(regions):
            return True
        through_cdn = self.plan.edge.cdn is not None and self.plan.edge.cdn.dynamic.value == "through"
        running = [all(self.tasks(s.name, r) > 0 for s in self.plan.services) for r in regions]
        return all(running) and not through_cdn and not self.plan.dr.backup_copy_regions

    def strategy(self) -> str:
        if self.active():
            return "multi-site-active-active"
        standby = [r for r in self.regions() if r != self.plan.primary_region]
        if not standby:
            return "none"
        serving = [self.tasks(s.name, standby[0]) for s in self.plan.services]
        return "pilot-light" if not any(serving) else "warm-standby"

    def zone_failover(self, store: AnyStorePlan) -> float:
        """Seconds until a store serves again after its zone is lost, by the deployed mechanism."""
        prefix = f"{self.plan.name}-{store.name}"
        if prefixed(self.graph, "aws:rds/cluster:Cluster", prefix):
            return TIMINGS["aurora-failover"].seconds
        if prefixed(self.graph, "aws:rds/instance:Instance", prefix):
            return TIMINGS["rds-multi-az-failover"].seconds
        groups = prefixed(self.graph, "aws:elasticache/replicationGroup:ReplicationGroup", prefix)
        if any(value(g, "automatic_failover_enabled") is True for g in groups):
            return TIMINGS["elasticache-failover"].seconds
        return 0.0  # DynamoDB, SQS, S3: regional services across zones

    def zone_detection(self, region: str | None = None) -> float:
        """How long the deployed load balancers (of `region`, else every region's) keep sending to a lost
        zone's tasks: their target groups' health checks, failures in a row x interval (the slowest's)."""
        seconds = [
            float(dig(first(value(tg, "health_check")), "unhealthy_threshold") or 0)
            * float(dig(first(value(tg, "health_check")), "interval") or 0)
            for tg in self.graph.of("aws:lb/targetGroup:TargetGroup")
            if region is None or tg.region == region
        ]
        return max(seconds, default=0.0)

    def entry(self) -> Entry:
        """How the deployed entry fails a region over: an origin group of the distribution when no
        routed API record exists, else Route 53 health checks (their deployed interval x threshold)."""
        g = self.graph
        routed = [
            rec
            for rec in g.of("aws:route53/record:Record")
            if value(rec, "latency_routing_policies") or value(rec, "failover_routing_policies")
            if value(rec, "aliases")
        ]
        groups = [d for d in g.of("aws:cloudfront/distribution:Distribution") if value(d, "origin_groups")]
        probes = [h for h in g.of("aws:route53/healthCheck:HealthCheck") if value(h, "type") in ("HTTP", "HTTPS")]
        detect = max(
            (float(value(h, "request_interval") or 30) * float(value(h, "failure_threshold") or 3) for h in probes),
            default=float("inf") if not groups else 0.0,
        )
        return Entry(
            through_cdn=bool(groups) and not routed, detect_seconds=detect, ttl_seconds=TIMINGS["alias-ttl"].seconds
        )

    def store_way(self, store: AnyStorePlan) -> StoreWay:
        """How the deployed resources move a store's writer: Aurora Global Database, or a cross-region
        RDS replica whose writer name is a health-checked failover record (else a record to change)."""
        g, prefix = self.graph, f"{self.plan.name}-{store.name}"
        promotion: Promotion | None = None
        writer: WriterName | None = None
        address = getattr(store, "writer_name", None)
        address = address.value if address is not None else None
        if any(value(c, "global_cluster_identifier") for c in prefixed(g, "aws:rds/cluster:Cluster", prefix)):
            promotion, writer = "aurora-global", "global-endpoint"
        elif any(
            str(value(r, "replicate_source_db") or "").startswith("arn:")
            for r in prefixed(g, "aws:rds/instance:Instance", prefix)
        ):
            promotion = "rds-replica"
            records = [r for r in g.of("aws:route53/record:Record") if address and value(r, "name") == address]
            failover = {
                str(dig(p, "type"))
                for r in records
                if value(r, "health_check_id")
                or dig(first(value(r, "failover_routing_policies")), "type") == "SECONDARY"
                for p in value(r, "failover_routing_policies") or []
            }
            writer = "failover-record" if {"PRIMARY", "SECONDARY"} <= failover else "record-change"
        return StoreWay(
            name=store.name,
            on_journeys=store.on_journeys,
            writer_region=store.writer_region,
            regions=tuple(r for r in store.regions if r in self.regions()),
            promotion=promotion,
            writer_name=writer,
            address=address,
        )

    def replication_lag(self, store: AnyStorePlan) -> float | None:
        """Data a region loss can take with it: the deployed replication's lag (None: not replicated)."""
        g, prefix = self.graph, f"{self.plan.name}-{store.name}"
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


def what_if(plan: Plan, graph: Graph, disruption: str, lost: str | None = None) -> WhatIf:
    """A zone or region loss played on the deployed state (blueprints.whatif.play)."""
    return play(plan, DeployedPlacement(plan, graph), disruption, lost)  # type: ignore[arg-type]


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

"""Each promise checked as the property that delivers it, read from the deployed state: not that a
resource exists, but that it holds the value the promise needs (autoscaling bounds and policies,
a NAT per zone used by that zone, no plain-HTTP forwarding, health-checked failover records, CDN
origin groups, redrive counts, global-table modes). `invariants` recomputes what the blueprint's
own numbers and the sourced figures require, without the plan's conclusions, so a planner bug
fails `verify` even when the graph matches the plan.
"""

from __future__ import annotations

import json
import math
from typing import Any

from blueprints import availability as av
from blueprints.capacity import fullest_zone
from blueprints.figures import SLAS
from blueprints.plan_model import KeyValuePlan, QueuePlan
from generators.aws.tags import TIER_TAG
from hld.checks.registry import Check, Run
from hld.graph import Graph, Resource, dig, first, prefixed, tags, value, zones_of_subnets

CPU = "ECSServiceAverageCPUUtilization"
REQUESTS = "ALBRequestCountPerTarget"


def _service_id(svc: Resource) -> str:
    """The scalable resource id of an ECS service: service/<cluster name>/<service name>."""
    return str(value(svc, "name") or "")


def _count(raw: Any) -> int | None:
    return None if raw is None else int(raw)


def autoscaling(run: Run) -> list[str]:
    """Every ECS service's scalable target has the plan's minimum and maximum for its region, and
    target-tracking policies on CPU (every service) and requests per target (public services, with
    the plan's target)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    targets = g.of("aws:appautoscaling/target:Target")
    policies = g.of("aws:appautoscaling/policy:Policy")
    for svc in plan.services:
        for cap in svc.capacity.value:
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", cap.region)
            if not found:
                continue
            ecs = _service_id(found[0])
            target = [t for t in targets if str(value(t, "resource_id")).endswith(f"/{ecs}")]
            if not target:
                out.append(f"{found[0].name}: no scalable target")
                continue
            low, high = (_count(value(target[0], k)) for k in ("min_capacity", "max_capacity"))
            if (low, high) != (cap.min_replicas, cap.max_replicas):
                out.append(
                    f"{target[0].name}: scales {low}..{high}, the plan needs {cap.min_replicas}..{cap.max_replicas}"
                )
            mine = [p for p in policies if str(value(p, "resource_id")).endswith(f"/{ecs}")]
            metrics = {}
            for p in mine:
                config = first(value(p, "target_tracking_scaling_policy_configuration")) or {}
                kind = dig(first(dig(config, "predefined_metric_specification")) or {}, "predefined_metric_type")
                metrics[kind] = dig(config, "target_value")
            if metrics.get(CPU) != svc.target_cpu:
                out.append(f"{found[0].name}: no CPU target tracking at {svc.target_cpu} % (has {metrics.get(CPU)})")
            if svc.public and metrics.get(REQUESTS) != svc.requests_per_target.value:
                out.append(
                    f"{found[0].name}: no requests-per-target tracking at {svc.requests_per_target.value} "
                    f"(has {metrics.get(REQUESTS)})"
                )
    return out


def _subnet_zone(g: Graph, subnet_id: str) -> tuple[str, str] | None:
    subnet = g.by_id(subnet_id)
    return (str(value(subnet, "availability_zone")), tags(subnet).get(TIER_TAG, "")) if subnet else None


def egress(run: Run) -> list[str]:
    """In production, a NAT gateway in every planned zone of every VPC, and each private subnet's
    route table sends its internet traffic through its own zone's NAT (a zone loss takes only its
    own egress)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    if plan.environment != "production":
        return out
    nat_zone = {}
    for nat in g.of("aws:ec2/natGateway:NatGateway"):
        where = _subnet_zone(g, str(value(nat, "subnet_id")))
        if where:
            nat_zone[nat.id] = where[0]
    for net in plan.networks:
        if not net.vpc:
            continue
        missing = set(net.zones) - set(nat_zone.values())
        if missing:
            out.append(f"{net.region}: no NAT gateway in {', '.join(sorted(missing))}")
    tables = {t.id: t for t in g.of("aws:ec2/routeTable:RouteTable")}
    for assoc in g.of("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        where = _subnet_zone(g, str(value(assoc, "subnet_id")))
        table = tables.get(str(value(assoc, "route_table_id")))
        if not where or where[1] != "private" or table is None:
            continue
        routes = [r for r in value(table, "routes") or [] if dig(r, "cidr_block") == "0.0.0.0/0"]
        via = {nat_zone.get(str(dig(r, "nat_gateway_id"))) for r in routes}
        if where[0] not in via:
            out.append(f"{table.name}: private subnets in {where[0]} leave through {sorted(z for z in via if z)}")
    return out


def _forwards(actions: Any) -> bool:
    return any(dig(a, "type") == "forward" for a in actions or [])


def listeners(run: Run) -> list[str]:
    """With TLS required, no HTTP listener forwards to a service (it only redirects to HTTPS), and
    every public route has its rule on an HTTPS listener."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    protocol = {str(value(lis, "arn")): str(value(lis, "protocol")) for lis in g.of("aws:lb/listener:Listener")}
    if plan.edge.tls:
        for lis in g.of("aws:lb/listener:Listener"):
            if value(lis, "protocol") == "HTTP" and _forwards(value(lis, "default_actions")):
                out.append(f"{lis.name}: forwards plain HTTP to a service")
        for rule in g.of("aws:lb/listenerRule:ListenerRule"):
            if protocol.get(str(value(rule, "listener_arn"))) == "HTTP" and _forwards(value(rule, "actions")):
                out.append(f"{rule.name}: forwards plain HTTP to a service")
    wanted = {(r.pattern, r.probe) for r in plan.routing}
    for region in {lb.region for lb in g.of("aws:lb/loadBalancer:LoadBalancer")}:
        have = set()
        for rule in g.of("aws:lb/listenerRule:ListenerRule"):
            if rule.region != region:
                continue
            secure = protocol.get(str(value(rule, "listener_arn"))) == ("HTTPS" if plan.edge.tls else "HTTP")
            conditions = value(rule, "conditions") or []
            patterns = [p for c in conditions for p in dig(first(dig(c, "path_pattern")) or {}, "values") or []]
            probe = any(dig(c, "query_strings") for c in conditions)
            if secure:
                have |= {(p, probe) for p in patterns}
        for pattern, probe in sorted(wanted - have):
            out.append(
                f"{region}: no {'probe ' if probe else ''}rule for {pattern} on the {'HTTPS' if plan.edge.tls else 'HTTP'} listener"
            )
    return out


def dns_failover(run: Run) -> list[str]:
    """Every latency or failover record carries a health check that probes the region: a calculated
    check over an HTTPS (or HTTP without TLS) probe of each public service's health path."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    checks = {c.id: c for c in g.of("aws:route53/healthCheck:HealthCheck")}
    paths = {s.health for s in plan.services if s.public}
    for record in g.of("aws:route53/record:Record"):
        routed = value(record, "latency_routing_policies") or value(record, "failover_routing_policies")
        if not routed:
            continue
        check = checks.get(str(value(record, "health_check_id") or ""))
        if check is None:
            out.append(f"{record.name}: a routed record without a health check (a failed region stays in DNS)")
            continue
        children = (
            [checks.get(str(c)) for c in value(check, "child_healthchecks") or []]
            if value(check, "type") == "CALCULATED"
            else [check]
        )
        probes = [c for c in children if c is not None]
        kind = "HTTPS" if plan.edge.tls else "HTTP"
        probed = {str(value(c, "resource_path") or "").split("?")[0] for c in probes if value(c, "type") == kind}
        if not probes or not paths <= probed:
            out.append(f"{record.name}: its health check does not probe every public service's {kind} health path")
    return out


def cdn_failover(run: Run) -> list[str]:
    """Where the plan fails reads over between regions at the CDN, the origin group holds the
    primary's origin and another serving region's (CloudFront groups hold two), and every cached
    or default read behaviour targets the group."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    cdn = plan.edge.cdn
    if cdn is None or not cdn.origin_failover:
        return out
    serving = {c.region for s in plan.services for c in s.capacity.value if c.role == "serving"} or set(
        plan.regions.value
    )
    for dist in g.of("aws:cloudfront/distribution:Distribution"):
        origins = {dig(o, "origin_id"): str(dig(o, "domain_name")) for o in value(dist, "origins") or []}
        groups = value(dist, "origin_groups") or []
        if not groups:
            out.append(f"{dist.name}: no origin group: reads do not fail over between regions")
            continue
        members = [dig(m, "origin_id") for m in dig(groups[0], "members") or []]
        regions = {r for r in plan.regions.value for m in members if m and m.endswith(r) and m in origins}
        if plan.primary_region not in regions or len(regions) < min(2, len(serving)):
            out.append(
                f"{dist.name}: its origin group holds {sorted(regions)}, not the primary and another serving region"
            )
        group_id = dig(groups[0], "origin_id")
        default = first(value(dist, "default_cache_behavior")) or {}
        reads = [
            b for b in value(dist, "ordered_cache_behaviors") or [] if "POST" not in (dig(b, "allowed_methods") or [])
        ]
        for behaviour in [default, *reads]:
            if dig(behaviour, "target_origin_id") != group_id and "POST" not in (
                dig(behaviour, "allowed_methods") or []
            ):
                out.append(
                    f"{dist.name}: reads on {dig(behaviour, 'path_pattern') or 'the default path'} do not fail over"
                )
    return out


def queues(run: Run) -> list[str]:
    """Each queue redrives to its dead-letter queue after the plan's number of receives, and the
    dead-letter queue keeps messages longer than the queue does."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    by_arn = {str(value(q, "arn")): q for q in g.of("aws:sqs/queue:Queue")}
    for store in plan.datastores:
        if not isinstance(store, QueuePlan):
            continue
        for q in g.of("aws:sqs/queue:Queue"):
            if not q.name.startswith(f"{plan.name}-{store.name}-") or "-dlq-" in q.name:
                continue
            policy = value(q, "redrive_policy")
            policy = json.loads(policy) if isinstance(policy, str) else policy or {}
            if int(policy.get("maxReceiveCount", -1)) != store.max_receives:
                out.append(
                    f"{q.name}: redrives after {policy.get('maxReceiveCount')} receives, the plan says {store.max_receives}"
                )
            dlq = by_arn.get(str(policy.get("deadLetterTargetArn")))
            kept = int(value(q, "message_retention_seconds") or 345600)
            if dlq is None:
                out.append(f"{q.name}: its dead-letter queue does not exist")
            elif int(value(dlq, "message_retention_seconds") or 345600) <= kept:
                out.append(f"{dlq.name}: keeps messages no longer than {q.name} does ({kept} s)")
    return out


def global_tables(run: Run) -> list[str]:
    """Each key-value store has a replica in every region the plan puts it, and strong consistency
    across regions (MRSC) where the plan says strong."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    for store in plan.datastores:
        if not isinstance(store, KeyValuePlan):
            continue
        for table in g.of("aws:dynamodb/table:Table"):
            if table.name != f"{plan.name}-{store.name}":
                continue
            replicas = value(table, "replicas") or []
            regions = {str(table.region)} | {str(dig(r, "region_name")) for r in replicas}
            if regions != set(store.regions):
                out.append(f"{table.name}: replicas in {sorted(regions)}, the plan puts it in {sorted(store.regions)}")
            strong = {str(dig(r, "consistency_mode") or "EVENTUAL") for r in replicas}
            if store.global_mode == "MRSC" and strong != {"STRONG"}:
                out.append(f"{table.name}: replicas are {sorted(strong)}, not strongly consistent (MRSC)")
    return out


def invariants(run: Run) -> list[str]:
    """What the blueprint's own numbers and the sourced figures require, recomputed without the
    plan's conclusions: above single-zone every zonal store survives a zone (Multi-AZ writer,
    cache failover); after losing the fullest zone (and, active-active, a region), the tasks left
    x rps_per_replica carry the peak; each journey's estimate is its parts' figures composed
    (series, regions in parallel, each global part once)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    if plan.level.value != "single-zone":
        for db in g.of("aws:rds/instance:Instance"):
            if not value(db, "replicate_source_db") and value(db, "multi_az") is not True:
                out.append(f"{db.name}: a writer in one zone in a {plan.level.value} design")
        for cache in g.of("aws:elasticache/replicationGroup:ReplicationGroup"):
            if value(cache, "automatic_failover_enabled") is not True:
                out.append(f"{cache.name}: no automatic failover in a {plan.level.value} design")
    regions = plan.regions.value
    active = plan.replication.value == "active" and len(regions) > 1
    for svc in plan.services:
        if not svc.peak_rps or plan.level.value == "single-zone":
            continue
        serving = [c.region for c in svc.capacity.value if c.role == "serving"]
        need = math.ceil(svc.peak_rps / (len(serving) - 1)) if active and len(serving) > 1 else svc.peak_rps
        for region in serving:
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", region)
            if not found:
                continue
            tasks = int(value(found[0], "desired_count") or 0)
            spread = zones_of_subnets(g, dig(first(value(found[0], "network_configuration")) or {}, "subnets") or [])
            left = tasks - (fullest_zone(tasks, len(spread)) if len(spread) > 1 else tasks)
            if left * svc.rps_per_replica < need:
                out.append(
                    f"{found[0].name}: {tasks} tasks over {len(spread)} zones keep {left} x {svc.rps_per_replica} rps "
                    f"after a zone loss, short of {need} rps"
                )
    for journey in plan.availability.journeys:
        globals_ = [p.sla for p in journey.global_parts]
        if len(globals_) != len(set(globals_)):
            out.append(f"journey {journey.name!r}: a global part counted twice")
        regional = av.series(*[SLAS[p.sla].fraction for p in journey.regional])
        origin = av.parallel(*[regional] * journey.regions_in_parallel)
        if journey.hit_ratio is not None:
            origin = journey.hit_ratio + (1 - journey.hit_ratio) * origin
        estimate = (
            av.series(origin, *[SLAS[p.sla].fraction for p in journey.global_parts]) * 100 - journey.failover_cost
        )
        if abs(estimate - journey.estimate) > 1e-5:
            out.append(f"journey {journey.name!r}: its parts give {estimate:.6f} %, the plan says {journey.estimate} %")
    return out


CHECKS: tuple[Check, ...] = (
    Check("autoscaling", "Autoscaling bounds and policies as planned", None, autoscaling),
    Check("egress", "A NAT per zone, used by its zone", None, egress),
    Check("listeners", "No plain-HTTP forwarding; every route on the TLS listener", None, listeners),
    Check("dns-failover", "Routed records carry health checks of every service", None, dns_failover),
    Check("cdn-failover", "CDN reads fail over between regions", None, cdn_failover),
    Check("queues", "Redrive counts and dead-letter retention", None, queues),
    Check("global-tables", "Global tables: replicas and consistency mode", None, global_tables),
    Check("invariants", "What the blueprint's numbers require, recomputed", None, invariants),
)
"""Each promise as the property that delivers it."""

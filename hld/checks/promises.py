"""The plan's promises, checked on the deployed state: availability, zones, regions, static
stability, disaster recovery parts, recovery objectives."""

from __future__ import annotations

from typing import Any

from blueprints.capacity import fullest_zone
from blueprints.plan_model import Plan
from blueprints.units import format_duration, human_duration
from blueprints.whatif import must_survive
from generators.aws.tags import TIER_TAG
from hld.checks.facts import HOLDERS, SERVES_FROM, holders, spanned
from hld.checks.registry import Check, NotApplicable, Run
from hld.failures import what_if
from hld.graph import dig, first, prefixed, tags, value, zones_of_subnets


def _serving(plan: Plan) -> dict[tuple[str, str], Any]:
    """(service, region) -> its RegionCapacity."""
    return {(svc.name, c.region): c for svc in plan.services for c in svc.capacity.value}


PART_TYPES = {
    "elb": "aws:lb/loadBalancer:LoadBalancer",
    "waf": "aws:wafv2/webAcl:WebAcl",
    "cloudfront": "aws:cloudfront/distribution:Distribution",
    "route53": "aws:route53/record:Record",
    "ecs": "aws:ecs/service:Service",
    "rds": "aws:rds/instance:Instance",
    "aurora": "aws:rds/cluster:Cluster",
    "dynamodb": "aws:dynamodb/table:Table",
    "elasticache": "aws:elasticache/replicationGroup:ReplicationGroup",
    "sqs": "aws:sqs/queue:Queue",
    "s3": "aws:s3/bucket:Bucket",
}


def availability(run: Run) -> list[str]:
    """The plan's SLA-based estimate meets the target, and every link of every journey's chain
    exists in the deployed graph."""
    plan, g, out = run.plan, run.graph, []
    if not plan.availability.met:
        out.append(
            f"{plan.name}: estimate {plan.availability.estimate:g}% is below the target {plan.availability.target:g}% "
            f"(weakest journey: {plan.availability.weakest})"
        )
    for journey in plan.availability.journeys:
        for part in journey.regional + journey.global_parts:
            type_ = PART_TYPES[part.sla.split("-")[0]]
            if part.sla.startswith(("elb", "waf", "cloudfront", "route53")):
                found = g.of(type_)
            else:
                subject = part.component.removesuffix(" (service)").split(" ")[0]
                found = prefixed(g, type_, f"{plan.name}-{subject}")
            if not found:
                out.append(f"{journey.name}: no {type_.split(':')[-1]} for {part.component} in the graph")
    return out


def zones(run: Run) -> list[str]:
    """Subnets in every planned zone; every service and load balancer spans the region's planned
    zones; databases Multi-AZ (or instances in >= 2 zones), caches with a replica per zone and
    automatic failover, as planned (zones read back from the subnets the cloud placed). Tasks, DB
    and cache instances and NAT gateways serve only from the planned zones (a single-zone design's
    second zone serves nothing), and every load balancer and subnet group covers the zones AWS
    requires of it (blueprints.zone_minimums), whatever the plan says."""
    plan, g, out = run.plan, run.graph, []
    planned = {net.region: set(net.zones) for net in plan.networks}
    for r in g.resources:
        found = spanned(g, r)
        if found is not None and len(found[1]) < found[0].zones:
            row, covered = found
            out.append(
                f"{r.name}: subnets in {sorted(covered)}, fewer than the {row.zones} zones AWS requires of a "
                f"{row.resource.split(' (')[0]}"
            )
        serving = planned.get(r.region or "", set())
        serves = SERVES_FROM.get(r.type)
        if serves is not None and (outside := serves(g, r) - serving):
            out.append(f"{r.name}: serves from {sorted(outside)}, outside the planned zones {sorted(serving)}")
    for region, want in [(n.region, set(n.zones)) for n in plan.networks if n.vpc]:
        for tier in ("public", "private", "isolated"):
            have = {
                str(value(s, "availability_zone"))
                for s in g.of("aws:ec2/subnet:Subnet")
                if s.region == region and tags(s).get(TIER_TAG) == tier
            }
            if not want <= have:
                out.append(f"{region}: no {tier} subnet in {', '.join(sorted(want - have))}")
    for svc in g.of("aws:ecs/service:Service"):
        net = first(value(svc, "network_configuration")) or {}
        have = zones_of_subnets(g, dig(net, "subnets") or [])
        want = planned.get(svc.region or "", set())
        if not want <= have:
            out.append(f"{svc.name}: tasks can run in {sorted(have)}, not in every planned zone {sorted(want)}")
    for alb in g.of("aws:lb/loadBalancer:LoadBalancer"):
        have = set(value(alb, "availability_zones") or []) or zones_of_subnets(g, value(alb, "subnets") or [])
        want = planned.get(alb.region or "", set())
        if len(want) >= 2 and not want <= have:
            out.append(f"{alb.name}: spans {sorted(have)}, not every planned zone {sorted(want)}")
    for store in plan.datastores:
        if not store.multi_az:
            continue
        for type_, resources in holders(plan, g, store).items():
            zone_facts = HOLDERS[type_].zone
            for r in resources:
                if zone_facts is not None:
                    out += zone_facts(g, r, planned.get(r.region or "", set()))
    return out


def regions(run: Run) -> list[str]:
    """Every planned region has its provider, network and compute; replicas exist where the plan
    puts them: RDS cross-region replicas of the writer, DynamoDB replica tables, Aurora Global
    Database members, per-region caches, queues and replicated buckets."""
    plan, g, out = run.plan, run.graph, []
    providers = {str(p.inputs.get("region")) for p in g.of("pulumi:providers:aws")}
    for region in plan.regions.value:
        if region not in providers:
            out.append(f"{region}: no provider for the region")
        if plan.network(region).vpc and not [v for v in g.of("aws:ec2/vpc:Vpc") if v.region == region]:
            out.append(f"{region}: no network")
        if plan.services and not [c for c in g.of("aws:ecs/cluster:Cluster") if c.region == region]:
            out.append(f"{region}: no compute cluster")
    for store in plan.datastores:
        found = holders(plan, g, store)
        held: set[str] = set()
        for type_, resources in found.items():
            facts = HOLDERS[type_]
            held |= {region for r in resources for region in facts.held(g, r)}
            if facts.copies is not None:
                out += facts.copies(g, store, resources)
        for region in store.regions:
            if region not in held:
                out.append(f"{store.name}: nothing in {region}")
    return out


def static_stability(run: Run) -> list[str]:
    """In every serving region, after losing any one zone the tasks left x rps per replica still
    carry the design load, without waiting for autoscaling; the autoscaling floor keeps them (a
    single-zone design promises no zone loss)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    if plan.level.value == "single-zone":
        raise NotApplicable("single-zone: the design promises no zone loss")
    if not any(svc.peak_rps for svc in plan.services):
        raise NotApplicable("no service states a peak (peak_rps) to carry")
    capacity = _serving(plan)
    for svc in plan.services:
        for c in svc.capacity.value:
            if c.role != "serving" or not svc.peak_rps:
                continue
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", c.region)
            if not found:
                out.append(f"{svc.name}: no service in {c.region}")
                continue
            ecs = found[0]
            tasks = int(value(ecs, "desired_count") or 0)
            zones = max(1, len(zones_of_subnets(g, dig(first(value(ecs, "network_configuration")), "subnets") or [])))
            lost = fullest_zone(tasks, zones)
            left = (tasks - lost) * svc.rps_per_replica
            if left < c.design_rps:
                out.append(
                    f"{ecs.name}: {tasks} tasks over {zones} zones; after losing one, {tasks - lost} x "
                    f"{svc.rps_per_replica} = {left} rps < {c.design_rps} rps"
                )
            for target in prefixed(g, "aws:appautoscaling/target:Target", f"{plan.name}-{svc.name}", c.region):
                if int(value(target, "min_capacity") or 0) < capacity[(svc.name, c.region)].min_replicas:
                    out.append(f"{target.name}: autoscaling may scale in below the static-stability minimum")
    return out


def dr(run: Run) -> list[str]:
    """The planned DR strategy's required parts exist (HLD-RULES §3): backup copies for
    backup & restore; for pilot light compute defined at zero in the standby; for warm standby
    compute running below the primary's; for active/active full capacity and latency records
    in every region."""
    plan, g, out = run.plan, run.graph, []
    strategy = plan.dr.strategy.value
    regions_ = plan.regions.value
    stateful_stores = any(s.record for s in plan.datastores)
    if (
        (strategy == "backup-restore" or plan.dr.backup_copy_regions)
        and stateful_stores
        and not g.of("aws:backup/plan:Plan")
    ):
        out.append(f"{plan.name}: no backup plan")
    for svc in plan.services:
        for c in svc.capacity.value:
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", c.region)
            tasks = int(value(found[0], "desired_count") or 0) if found else -1
            if tasks < 0:
                out.append(f"{svc.name}: no compute defined in {c.region} ({c.role})")
            elif c.role == "pilot-light" and tasks != 0:
                out.append(f"{found[0].name}: pilot light runs {tasks} tasks; compute should be scaled to zero")
            elif c.role == "warm-standby" and not 0 < tasks < max(x.min_replicas for x in svc.capacity.value):
                out.append(f"{found[0].name}: warm standby runs {tasks} tasks; it should run at reduced capacity")
            elif c.role == "serving" and tasks < c.min_replicas:
                out.append(f"{found[0].name}: serving with {tasks} tasks, below the planned {c.min_replicas}")
    public = any(s.public for s in plan.services)
    through_cdn = plan.edge.cdn is not None and plan.edge.cdn.dynamic.value == "through"
    if len(regions_) > 1 and public and through_cdn:
        members = {
            str(dig(mem, "origin_id"))
            for dist in g.of("aws:cloudfront/distribution:Distribution")
            for group in value(dist, "origin_groups") or []
            for mem in dig(group, "members") or []
        }
        for region in regions_:
            if f"alb-{region}" not in members:
                out.append(f"{region}: not in the CDN's origin failover group")
    elif strategy == "multi-site-active-active" and plan.edge.domain and public:
        routed = {
            str(dig(p, "region"))
            for rec in g.of("aws:route53/record:Record")
            for p in value(rec, "latency_routing_policies") or []
        }
        for region in regions_:
            if region not in routed:
                out.append(f"{region}: no latency record sends users there")
    elif len(regions_) > 1 and strategy in ("pilot-light", "warm-standby") and plan.edge.domain and public:
        failover = {
            str(dig(p, "type"))
            for rec in g.of("aws:route53/record:Record")
            for p in value(rec, "failover_routing_policies") or []
        }
        if {"PRIMARY", "SECONDARY"} - failover:
            out.append(f"{plan.name}: no PRIMARY/SECONDARY failover records")
    return out


def objectives(run: Run) -> list[str]:
    """The blueprint's RTO and RPO hold on the deployed state: after losing any zone (and, in a
    multi-region design, any region), the failover and replication mechanisms deployed recover
    within the RTO and lose no more than the RPO (hld.failures plays each loss on the graph)."""
    plan, out = run.plan, []
    required: dict[str, int | None] = {o.name: o.required_seconds for o in plan.objectives}
    if all(v is None for v in required.values()):
        raise NotApplicable("the blueprint states no RTO or RPO")
    if plan.level.value == "multi-region":
        losses = [("region-loss", r) for r in plan.regions.value]
    else:
        losses = [("zone-loss", z) for z in plan.zones(plan.primary_region)]
    for disruption, lost in losses:
        try:
            impact = what_if(plan, run.graph, disruption, lost)
        except ValueError as exc:
            out.append(f"{lost}: {exc}")
            continue
        for name, expected in (("rto", impact.rto_seconds), ("rpo", impact.rpo_seconds)):
            need = required[name]
            if need is None:
                continue
            if expected is None:
                out.append(
                    f"{lost}: {name.upper()} {format_duration(need)} required, but the deployed state "
                    f"cannot recover from losing {lost}"
                )
            elif expected > need:
                out.append(
                    f"{lost}: {name.upper()} {format_duration(need)} required, the deployed mechanisms give "
                    f"{human_duration(expected)}"
                )
    return out


def impact_problems(plan: Plan, impact: Any) -> list[str]:
    """What a loss the design must survive broke on the deployed state: a journey that no longer
    serves, or (where every region serves) capacity short of the peak before scaling out."""
    out = [f"{impact.lost}: journey {j.journey!r} is lost ({j.detail})" for j in impact.journeys if not j.survives]
    capacity_matters = impact.disruption == "zone-loss" or plan.replication.value == "active"
    if capacity_matters:
        out += [
            f"{impact.lost}: {s.service} keeps {s.capacity_rps_left} rps for a peak of {s.peak_rps} ({s.detail})"
            for s in impact.services
            if s.peak_rps and not s.enough_without_scaling
        ]
    return out


def losses(run: Run) -> list[str]:
    """Every loss the blueprint's level says the design survives, played on the deployed state:
    each zone of each region above single-zone, and each region of a multi-region design. Every
    journey still serves, and where every region serves, the tasks left carry the peak without
    waiting for scale-out (hld.failures)."""
    plan, out = run.plan, []
    played = []
    if must_survive(plan, "zone-loss"):
        played += [("zone-loss", z) for r in plan.regions.value for z in plan.zones(r)]
    if must_survive(plan, "region-loss"):
        played += [("region-loss", r) for r in plan.regions.value]
    if not played:
        raise NotApplicable(f"{plan.level.value}: the design promises to survive no loss")
    for disruption, lost in played:
        try:
            impact = what_if(plan, run.graph, disruption, lost)
        except ValueError as exc:
            out.append(f"{lost}: {exc}")
            continue
        out += impact_problems(plan, impact)
    return out


def budget(run: Run) -> list[str]:
    """The design costs no more a month than the blueprint's `cost.monthly_max` (blueprints.cost)."""
    cost = run.plan.cost
    if cost is None or cost.budget_status == "none":
        raise NotApplicable("the blueprint sets no budget (cost.monthly_max)")
    if cost.budget_status == "met":
        return []
    if cost.budget_status == "unchecked":
        return [
            f"{run.plan.name}: the estimate has no price for {cost.unpriced_text}, so "
            f"${cost.monthly_min:,.0f}/month is a lower bound and the budget of ${cost.budget:,.0f} cannot be checked"
        ]
    return [
        f"{run.plan.name}: ${cost.monthly_min:,.0f}/month at the static-stability minimum is over the budget of "
        f"${cost.budget:,.0f} (`hld cost` shows each line and the cheaper designs)"
    ]


CHECKS: tuple[Check, ...] = (
    Check("availability", "Availability target", None, availability),
    Check("budget", "Within the monthly budget", None, budget),
    Check("zones", "Spread over the planned zones", None, zones),
    Check("regions", "Every planned region, replicas where planned", None, regions),
    Check("static-stability", "Static stability (a zone lost, peak still served)", None, static_stability),
    Check("dr", "Disaster recovery parts", None, dr),
    Check("losses", "Every loss the design must survive, survived", None, losses),
    Check("objectives", "Recovery objectives (RTO/RPO)", None, objectives),
)
"""The checks of the plan's promises, in order."""

"""Every loss the design must survive has a deployed AWS FIS experiment template that takes away exactly
that loss's share of this stack, and that a stop alarm can stop.

Which losses are required is recomputed from the plan's level and networks and from what the graph
holds in a zone, never from the plan's own experiments: a zone loss for every serving zone of every
region above single-zone when something sits in a zone (tasks, a database, a cache); a region loss for
every region of a multi-region design. A template is read from the graph (its inputs as the cloud
accepted them) and judged by what it targets: the zones of its subnets (read back from the subnets the
cloud placed), its ECS tasks' zone filter and its stores' zone parameters. A zone's template must cut
off every subnet of the zone and nothing else (no other zone's, no other stack's), stop the tasks of
every service of the region in that zone only, fail the region's writer over out of the zone and power
off the region's caches' nodes in the zone, by the stack's own tags; a region's must cut every subnet of
the region off from each other region and pause every global table's replication there. Each must stop
on a CloudWatch alarm of this stack in its region.
"""

from __future__ import annotations

import re
from typing import Any

from blueprints import monitoring
from blueprints.plan_model import Plan
from hld.checks.registry import Check, NotApplicable, Run
from hld.failures import DeployedPlacement
from hld.graph import Graph, Resource, dig, doc, first, tags, value

TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"
ALARMS = ("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")
ZONE_PARAMETERS = ("availabilityZoneIdentifier", "availabilityZoneIdentifiers", "writerAvailabilityZoneIdentifiers")


def _pairs(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    return {str(p.get("key")): str(p.get("value")) for p in raw or [] if isinstance(p, dict)}


class Template:
    """One deployed template, as its inputs say."""

    def __init__(self, resource: Resource):
        self.resource = resource
        self.name = str(tags(resource).get("Name") or resource.name)
        self.targets = {str(t.get("name")): t for t in value(resource, "targets") or []}
        self.actions = list(value(resource, "actions") or [])
        self.stops = list(value(resource, "stop_conditions") or [])

    def acting(self, action_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(action, its target) for every action of this id."""
        out = []
        for a in self.actions:
            if a.get("actionId") == action_id:
                key = str(dig(a, "target", "value") or "")
                out.append((a, self.targets.get(key, {})))
        return out

    def zones(self, g: Graph, subnet_zone: dict[str, str]) -> set[str]:
        """Every zone it names: its subnets', its filters', its zone parameters'."""
        found: set[str] = set()
        for t in self.targets.values():
            for arn in t.get("resourceArns") or []:
                if str(arn) in subnet_zone:
                    found.add(subnet_zone[str(arn)])
            for f in t.get("filters") or []:
                if f.get("path") == "AvailabilityZone":
                    found |= {str(v) for v in f.get("values") or []}
            params = _pairs(t.get("parameters"))
            for p in ZONE_PARAMETERS:
                if p in params:
                    found |= {z.strip() for z in params[p].split(",")}
        return found


def _subnets(g: Graph, region: str) -> dict[str, str]:
    """ARN -> zone of every subnet of this stack in `region`."""
    return {
        str(value(s, "arn")): str(value(s, "availability_zone"))
        for s in g.of("aws:ec2/subnet:Subnet")
        if s.region == region and value(s, "arn")
    }


def _stack_tags(g: Graph, plan: Plan, region: str) -> dict[str, str]:
    """The tags the region's provider puts on every resource of this stack."""
    for p in g.of("pulumi:providers:aws"):
        if p.inputs.get("region") == region:
            raw = p.inputs.get("defaultTags") or {}
            found = (doc(raw) if isinstance(raw, str) else raw) or {}
            return {k: str(v) for k, v in dict(found.get("tags") or {}).items() if k in ("hld:system", "hld:stack")}
    return {}


def _bound(g: Graph, plan: Plan, template: Template, region: str) -> float:
    """The highest error ratio a stop alarm may wait for: twice what the loss costs (a zone's share of
    requests fails until the health checks take its tasks out), never under the fastest page's ratio."""
    target = plan.availability.target
    rate = monitoring.BURN_RATES[0].burn_rate if monitoring.burn_rate_meaningful(target) else 1
    page = monitoring.burn_rate_ratio(target, rate)
    if tags(template.resource).get("hld:disruption") != "zone-loss":
        return page
    serving = next((len(n.zones) for n in plan.networks if n.region == region), 1)
    window = monitoring.STOP_WINDOW_SECONDS
    return max(
        page, 2 * (1 / max(serving, 1)) * min(DeployedPlacement(plan, g).zone_detection(region), window) / window
    )


def _measures_entry(
    g: Graph, alarm: Resource, region: str, period: int | None = monitoring.STOP_WINDOW_SECONDS
) -> bool:
    """The alarm judges the region's entry: its load balancer's error ratio (the ELB's and the targets' 5xx
    over the requests) over the stop window, or, for a site the CDN serves, CloudFront's 5xx rate."""
    if value(alarm, "namespace") == "AWS/CloudFront":
        return bool(value(alarm, "metric_name") == "5xxErrorRate")
    lbs = {str(value(lb, "arn_suffix")) for lb in g.of("aws:lb/loadBalancer:LoadBalancer") if lb.region == region}
    metrics = {
        str(dig(q, "metric", "metric_name")): (
            str((dig(q, "metric", "dimensions") or {}).get("LoadBalancer")),
            int(dig(q, "metric", "period") or 0),
        )
        for q in value(alarm, "metric_queries") or []
        if dig(q, "metric")
    }
    wanted = {monitoring.METRICS[k].name for k in monitoring.ENTRY_METRICS.values()}
    if set(metrics) != wanted or len(set(metrics.values())) != 1:
        return False
    lb, seconds = next(iter(metrics.values()))
    return lb in lbs and (period is None or seconds == period)


def _stops(g: Graph, plan: Plan, template: Template, alarms: dict[str, Resource], region: str) -> list[str]:
    named = [str(s.get("value")) for s in template.stops if s.get("source") == "aws:cloudwatch:alarm"]
    if not named:
        return [
            f"{template.name}: no stop condition on a CloudWatch alarm (nothing stops it while it breaks the design)"
        ]
    ours = [alarms[a] for a in named if a in alarms and alarms[a].region == region]
    if not ours:
        return [f"{template.name}: stops on {', '.join(named)}, no alarm of this stack in {region}"]
    out = []
    options = first(value(template.resource, "experiment_options")) or {}
    if dig(options, "empty_target_resolution_mode") != "skip":
        out.append(
            f"{template.name}: empty targets fail the experiment (FIS's default): a target with nothing in the zone "
            "(the writer is in another) fails it all; set empty_target_resolution_mode: skip"
        )
    bound = _bound(g, plan, template, region)
    by_name = {str(value(a, "name")): a for a in g.of(ALARMS[0])}
    judged: list[tuple[Resource, int | None]] = []
    for alarm in ours:
        if alarm.type == ALARMS[1]:  # a composite page: judged by the window alarms its rule names
            rule = str(value(alarm, "alarm_rule") or "")
            names = re.findall(r'ALARM\("([^"]+)"\)', rule)
            judged += [(by_name[n], None) for n in names if n in by_name] if " OR " not in rule else [(alarm, 0)]
        else:  # its own stop alarm (5 minutes), or a fast-signal design's page (one datapoint)
            seconds = int(value(alarm, "period") or 0) or int(
                next((dig(q, "metric", "period") for q in value(alarm, "metric_queries") or [] if dig(q, "metric")), 0)
            )
            ok = seconds in (monitoring.STOP_WINDOW_SECONDS, monitoring.DATAPOINT_SECONDS)
            judged.append((alarm, seconds if ok else 0))
    for alarm, period in judged:
        scale = 100 if value(alarm, "namespace") == "AWS/CloudFront" else 1
        if period == 0 or not _measures_entry(g, alarm, region, period):
            out.append(
                f"{template.name}: stops on {alarm.name}, which does not measure the entry's error ratio in {region}"
            )
        elif float(value(alarm, "threshold") or 0) / scale > bound + 1e-9:
            out.append(
                f"{template.name}: stops only when {float(value(alarm, 'threshold') or 0) / scale:.4%} of requests fail, "
                f"over the {bound:.4%} its loss can cost"
            )
    return out


def _zone_problems(g: Graph, plan: Plan, t: Template, region: str, zone: str, subnets: dict[str, str]) -> list[str]:
    out = []
    label = f"zone-loss {zone}: {t.name}"
    want = {arn for arn, z in subnets.items() if z == zone}
    cut = t.acting("aws:network:disrupt-connectivity")
    have = {str(a) for _, target in cut for a in target.get("resourceArns") or []}
    if not cut:
        out.append(f"{label}: no aws:network:disrupt-connectivity on the zone's subnets")
    else:
        if missing := want - have:
            out.append(
                f"{label}: misses {len(missing)} of the {len(want)} subnets of {zone}: {', '.join(sorted(missing))}"
            )
        for arn in sorted(have - want):
            where = subnets.get(arn)
            out.append(
                f"{label}: cuts off {arn}, "
                + (f"a subnet of {where}, another zone" if where else "not a subnet of this stack in " + region)
            )
    stops = t.acting("aws:ecs:stop-task")
    clusters = {
        str(value(c, "arn")): str(value(c, "name")) for c in g.of("aws:ecs/cluster:Cluster") if c.region == region
    }
    for svc in g.of("aws:ecs/service:Service"):
        if svc.region != region or not value(svc, "desired_count"):
            continue
        sname, cname = str(value(svc, "name")), clusters.get(str(value(svc, "cluster")), "")
        tasks = [tgt for _, tgt in stops if _pairs(tgt.get("parameters")).get("service") == sname]
        if not tasks:
            out.append(f"{label}: stops no task of the ECS service {sname}")
            continue
        for tgt in tasks:
            params = _pairs(tgt.get("parameters"))
            zones = {
                str(v)
                for f in tgt.get("filters") or []
                if f.get("path") == "AvailabilityZone"
                for v in f.get("values") or []
            }
            if params.get("cluster") != cname:
                out.append(
                    f"{label}: stops {sname}'s tasks in cluster {params.get('cluster')!r}, not its cluster {cname!r}"
                )
            if zones != {zone}:
                out.append(f"{label}: stops {sname}'s tasks in {sorted(zones) or 'every zone'}, not in {zone} only")
    for db in _writers(g, plan, region):
        typ = "aws:rds:failover-db-cluster" if db.type.endswith("cluster:Cluster") else "aws:rds:reboot-db-instances"
        param = "writerAvailabilityZoneIdentifiers" if typ.endswith("cluster") else "availabilityZoneIdentifiers"
        arn = str(value(db, "arn"))
        hits = [(a, tgt) for a, tgt in t.acting(typ) if arn in (tgt.get("resourceArns") or [])]
        if not hits:
            out.append(f"{label}: does not fail over {db.name} ({typ})")
        for a, tgt in hits:
            if _pairs(tgt.get("parameters")).get(param) != zone:
                out.append(
                    f"{label}: fails {db.name} over whatever zone its writer is in, not only from {zone} ({param})"
                )
            if typ.endswith("instances") and _pairs(a.get("parameters")).get("forceFailover") != "true":
                out.append(f"{label}: reboots {db.name} without forceFailover: the primary stays in {zone}")
    caches = [
        c
        for c in g.of("aws:elasticache/replicationGroup:ReplicationGroup")
        if c.region == region and value(c, "multi_az_enabled")
    ]
    if caches:
        powered = t.acting("aws:elasticache:replicationgroup-interrupt-az-power")
        stack = _stack_tags(g, plan, region)
        if not powered:
            out.append(f"{label}: powers off no cache node ({', '.join(c.name for c in caches)})")
        for _, target in powered:
            picked = _pairs(target.get("resourceTags"))
            if not stack or picked != stack:
                out.append(f"{label}: picks cache groups by {picked or 'no tags'}, not this stack's own tags {stack}")
            if _pairs(target.get("parameters")).get("availabilityZoneIdentifier") != zone:
                out.append(f"{label}: powers off cache nodes outside {zone}")
    return out


def _writers(g: Graph, plan: Plan, region: str) -> list[Resource]:
    """The Multi-AZ writers in `region`: RDS instances that replicate from nothing, Aurora clusters
    that are not a global database's secondary."""
    out = [
        r
        for r in g.of("aws:rds/instance:Instance")
        if r.region == region and value(r, "multi_az") and not value(r, "replicate_source_db")
    ]
    out += [
        r
        for r in g.of("aws:rds/cluster:Cluster")
        if r.region == region
        and not value(r, "replication_source_identifier")
        and (not value(r, "global_cluster_identifier") or region == plan.primary_region)
    ]
    return out


def _region_problems(g: Graph, plan: Plan, t: Template, region: str, subnets: dict[str, str]) -> list[str]:
    out = []
    label = f"region-loss {region}: {t.name}"
    cuts = t.acting("aws:network:route-table-disrupt-cross-region-connectivity")
    isolated = {_pairs(a.get("parameters")).get("region") for a, _ in cuts}
    has_routes = any(rt.region == region for rt in g.of("aws:ec2/routeTable:RouteTable"))
    for other in (r for r in plan.regions.value if r != region and has_routes):  # no VPC: nothing to cut
        if other not in isolated:
            out.append(f"{label}: does not cut {region} off from {other}")
    for _, target in cuts:
        have = {str(a) for a in target.get("resourceArns") or []}
        if missing := set(subnets) - have:
            out.append(f"{label}: leaves {len(missing)} subnets of {region} connected: {', '.join(sorted(missing))}")
        for arn in sorted(have - set(subnets)):
            out.append(f"{label}: cuts off {arn}, not a subnet of this stack in {region}")
    pauses = {
        str(a)
        for _, target in t.acting("aws:dynamodb:global-table-pause-replication")
        for a in target.get("resourceArns") or []
    }
    for table in g.of("aws:dynamodb/table:Table"):
        if not value(table, "replicas"):
            continue
        home = str(value(table, "arn"))
        regions = [table.region] + [str(r.get("regionName")) for r in value(table, "replicas") or []]
        if region not in regions:
            continue
        arn = home.replace(f":{table.region}:", f":{region}:")
        strong = any(str(r.get("consistencyMode") or "").upper() == "STRONG" for r in value(table, "replicas") or [])
        if strong and arn in pauses:
            # FIS's aws:dynamodb:global-table is an eventually consistent (MREC) table only
            out.append(
                f"{label}: pauses {table.name}'s replication, a strongly consistent (MRSC) table FIS cannot pause"
            )
        elif not strong and arn not in pauses:
            out.append(f"{label}: does not pause {table.name}'s replication in {region}")
    if _replicating_buckets(g, region):
        paused = t.acting("aws:s3:bucket-pause-replication")
        stack = _stack_tags(g, plan, region)
        if not paused:
            out.append(f"{label}: does not pause the replication of its buckets out of {region}")
        for _, target in paused:
            if not stack or _pairs(target.get("resourceTags")) != stack:
                out.append(
                    f"{label}: picks buckets by {_pairs(target.get('resourceTags'))}, not this stack's tags {stack}"
                )
    return out


def _replicating_buckets(g: Graph, region: str) -> list[Resource]:
    """The replication configurations of this stack whose source bucket is in `region`."""
    return [r for r in g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig") if r.region == region]


def _fis_acts_on(g: Graph, net_vpc: bool, region: str) -> bool:
    """FIS has an action on this stack's part of `region`: its subnets (cross-Region connectivity), a
    global table's replica, a bucket replicating out of it."""
    tables = any(
        region in [t.region] + [str(r.get("regionName")) for r in value(t, "replicas") or []]
        for t in g.of("aws:dynamodb/table:Table")
        if value(t, "replicas")
    )
    return (net_vpc and bool(_subnets(g, region))) or tables or bool(_replicating_buckets(g, region))


def experiments(run: Run) -> tuple[list[str], str]:
    """Every zone and region the design must survive has a template in its region that takes exactly
    that zone's or region's resources of this stack away, and stops on an alarm of this stack."""
    plan, g = run.plan, run.graph
    level = plan.level.value
    zonal = bool(
        g.of("aws:ecs/service:Service") or g.of("aws:rds/instance:Instance") or g.of("aws:rds/cluster:Cluster")
    )
    zonal = zonal or bool(g.of("aws:elasticache/replicationGroup:ReplicationGroup"))
    zones_needed = level != "single-zone" and zonal
    regions_needed = level == "multi-region" and len(plan.regions.value) > 1
    if not zones_needed and not regions_needed:
        raise NotApplicable(f"a {level} design survives no loss it needs an experiment for")
    templates = [Template(r) for r in g.of(TEMPLATE)]
    alarms = {str(value(a, "arn")): a for t in ALARMS for a in g.of(t) if value(a, "arn")}
    out: list[str] = []
    untouchable: list[str] = []
    proven = 0
    for net in plan.networks:
        region = net.region
        here = [t for t in templates if t.resource.region == region]
        subnets = _subnets(g, region)
        if zones_needed and net.vpc:
            for zone in net.zones:
                candidates = [
                    t
                    for t in here
                    if zone in t.zones(g, subnets)
                    and not t.acting("aws:network:route-table-disrupt-cross-region-connectivity")
                ]
                if not candidates:
                    out.append(f"zone-loss {zone}: no FIS experiment template in {region} takes {zone} away")
                    continue
                best = min(
                    candidates,
                    key=lambda t: len(
                        _zone_problems(g, plan, t, region, zone, subnets) + _stops(g, plan, t, alarms, region)
                    ),
                )
                found = _zone_problems(g, plan, best, region, zone, subnets) + _stops(g, plan, best, alarms, region)
                extra = best.zones(g, subnets) - {zone}
                if extra:
                    found.append(f"zone-loss {zone}: {best.name} also takes {', '.join(sorted(extra))}")
                out += found
                proven += not found
        if regions_needed:
            if not _fis_acts_on(g, net.vpc, region):
                untouchable.append(region)
                continue
            candidates = [
                t
                for t in here
                if t.acting("aws:network:route-table-disrupt-cross-region-connectivity")
                or t.acting("aws:dynamodb:global-table-pause-replication")
                or t.acting("aws:s3:bucket-pause-replication")
            ]
            if not candidates:
                why = (
                    ""
                    if region in {a.region for a in alarms.values()}
                    else f" (and no alarm of this stack in {region} to stop one on)"
                )
                out.append(f"region-loss {region}: no FIS experiment template in {region} takes the region away{why}")
                continue
            best = min(candidates, key=lambda t: len(_region_problems(g, plan, t, region, subnets)))
            found = _region_problems(g, plan, best, region, subnets) + _stops(g, plan, best, alarms, region)
            out += found
            proven += not found
    detail = f"{proven} losses the design must survive each have their FIS experiment template, exactly scoped, with a stop alarm"
    if untouchable:
        detail += (
            f"; no FIS action reaches this stack in {', '.join(untouchable)} (no subnet, global table replica or "
            "bucket replicating out of it): a loss there is not injectable"
        )
    return out, detail


CHECKS: tuple[Check, ...] = (
    Check(
        "experiments", "Every loss the design must survive has its FIS experiment, exactly scoped", None, experiments
    ),
)

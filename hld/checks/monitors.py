"""Every promise has a monitor: the deployed alarms, against what the blueprint's targets require.

Thresholds are recomputed from the target (blueprints.monitoring: the SRE workbook's burn rates) and
from the blueprint's RPO, never read from the plan's operations; every alarm's metric is checked
against the sourced metric table, and its dimensions against the resources of this run.
"""

from __future__ import annotations

import re
from typing import Any

from blueprints import monitoring
from blueprints.plan_model import KeyValuePlan, ObjectPlan, RelationalPlan
from hld.checks.registry import Check, NotApplicable, Run
from hld.graph import Graph, Resource, dig, value

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "aws:sns/topic:Topic"
RULE = re.compile(r'ALARM\("([^"]+)"\)')
BY_NAME = {(m.namespace, m.name): m for m in monitoring.METRICS.values()}


def _name(alarm: Resource) -> str:
    return str(value(alarm, "alarm_name" if alarm.type == COMPOSITE else "name") or "")


def _alarms(g: Graph) -> dict[str, Resource]:
    return {_name(a): a for a in [*g.of(ALARM), *g.of(COMPOSITE)]}


def _queries(alarm: Resource) -> list[dict[str, Any]]:
    return [q for q in value(alarm, "metric_queries") or [] if isinstance(q, dict)]


def _ratio_of(alarm: Resource) -> tuple[str, str, int] | None:
    """("entry", load balancer, period) of an entry error-ratio alarm: the load balancer's own 5xx and
    its targets' over its requests plus its own 5xx (blueprints.monitoring.ERROR_RATIO), every query on
    one load balancer and one window."""
    ids: dict[str, str] = {}
    seen: set[tuple[str, int]] = set()
    for q in _queries(alarm):
        metric = dig(q, "metric")
        if metric:
            dims = {k: str(v) for k, v in (dig(metric, "dimensions") or {}).items()}
            if set(dims) != {"LoadBalancer"} or dig(metric, "stat") != "Sum":
                return None
            ids[str(dig(metric, "metric_name"))] = str(dig(q, "id"))
            seen.add((dims["LoadBalancer"], int(dig(metric, "period") or 0)))
    names = {k: monitoring.METRICS[m].name for k, m in monitoring.ENTRY_METRICS.items()}
    if set(ids) != set(names.values()) or len(seen) != 1:
        return None
    expression = next((str(dig(q, "expression")) for q in _queries(alarm) if dig(q, "return_data")), "")
    numerator, _, denominator = expression.partition("/")
    elb, targets, requests = (ids[names[k]] for k in ("elb", "targets", "requests"))
    # both kinds of 5xx over the requests the load balancer chose a target for and the ones it could not
    if not (elb in numerator and targets in numerator and requests in denominator and elb in denominator):
        return None
    lb, period = next(iter(seen))
    return "entry", lb, period


def _actions(alarm: Resource, topics: dict[str, Resource]) -> list[str]:
    """The alarm's actions that are alert topics of this run in the alarm's region."""
    return [a for a in value(alarm, "alarm_actions") or [] if a in topics and topics[a].region == alarm.region]


def _topics(g: Graph) -> dict[str, Resource]:
    return {str(value(t, "arn")): t for t in g.of(TOPIC)}


def _at(windows: dict[str, tuple[Any, float, str]], seconds: int, ratio: float) -> set[str]:
    """The window alarms over `seconds` that fire above `ratio`."""
    return {
        n
        for n, (ratio_of, threshold, op) in windows.items()
        if ratio_of and ratio_of[2] == seconds and abs(threshold - ratio) < 1e-9 and op == "GreaterThanThreshold"
    }


def _pairs(
    g: Graph,
    where: str,
    r: str,
    windows: dict[str, tuple[Any, float, str]],
    target: float,
    alarms: dict[str, Resource],
    topics: dict[str, Resource],
) -> list[str]:
    """What is missing of the paging alarms over `windows` (name -> (measure, error ratio, operator))."""
    if not monitoring.burn_rate_meaningful(target):
        ratio = monitoring.burn_rate_ratio(target, 1)
        if not [n for n in _at(windows, 60, ratio) if _actions(alarms[n], topics)]:
            return [f"{where}: no fast-signal alarm with an action over {ratio:.6g} errors in 60 s"]
        return []
    out = []
    for b in monitoring.BURN_RATES:
        ratio = monitoring.burn_rate_ratio(target, b.burn_rate)
        longs, shorts = _at(windows, b.long_seconds, ratio), _at(windows, b.short_seconds, ratio)
        pair = [
            c
            for c in g.of(COMPOSITE)
            if c.region == r
            and _actions(c, topics)
            and " OR " not in str(value(c, "alarm_rule"))
            and set(RULE.findall(str(value(c, "alarm_rule")))) & longs
            and set(RULE.findall(str(value(c, "alarm_rule")))) & shorts
        ]
        if not pair:
            out.append(
                f"{where}: no paging pair at {b.burn_rate:g}x ({ratio:.6g} errors over {b.long_seconds} s "
                f"and {b.short_seconds} s, both required, with an action)"
            )
    return out


def slo_alarms(run: Run) -> tuple[list[str], str]:
    """Every journey pages through its region's entry in every region that serves it (the load balancer's
    and its targets' 5xx over its requests; a static site's through CloudFront's 5xx error rate, in
    us-east-1): for each of the SRE
    workbook's burn-rate pairs (14.4x over 1 h and 5 min, 6x over 6 h and 30 min), a composite alarm with an action that fires only when both windows' error ratio is
    over burn x (1 - target), the thresholds recomputed from the blueprint's target; where the month's
    budget is shorter than one datapoint, one fast-signal alarm over (1 - target) in 60 s."""
    plan, g = run.plan, run.graph
    target = plan.availability.target
    topics = _topics(g)
    alarms = _alarms(g)
    out: list[str] = []
    proven = 0
    journeys: dict[str, list[str]] = {j.service: [] for j in plan.availability.journeys}
    for j in plan.availability.journeys:
        journeys[j.service].append(j.name)
    site = plan.edge.cdn.site if plan.edge.cdn else None
    if site in journeys:
        for dist in g.of("aws:cloudfront/distribution:Distribution"):
            did = dist.id or str(value(dist, "id"))
            windows: dict[str, tuple[Any, float, str]] = {
                _name(a): (
                    ("site", "cdn", int(value(a, "period") or 0)),
                    float(value(a, "threshold") or 0) / 100,
                    str(value(a, "comparison_operator")),
                )
                for a in g.of(ALARM)
                if a.region == "us-east-1"
                and value(a, "namespace") == "AWS/CloudFront"
                and value(a, "metric_name") == "5xxErrorRate"
                and str((value(a, "dimensions") or {}).get("DistributionId")) == did
            }
            out += _pairs(
                g,
                f"{site} through {dist.name} ({', '.join(journeys[site])})",
                "us-east-1",
                windows,
                target,
                alarms,
                topics,
            )
            proven += 1
    through_lb = sorted(name for service, names in journeys.items() if service != site for name in names)
    for r in plan.regions.value if through_lb else []:
        for lb in g.of("aws:lb/loadBalancer:LoadBalancer"):
            if lb.region != r:
                continue
            suffix = str(value(lb, "arn_suffix"))
            windows = {
                _name(a): (_ratio_of(a), float(value(a, "threshold") or 0), str(value(a, "comparison_operator")))
                for a in g.of(ALARM)
                if a.region == r and (_ratio_of(a) or ("", ""))[1] == suffix
            }
            out += _pairs(g, f"the entry in {r} ({', '.join(through_lb)})", r, windows, target, alarms, topics)
            proven += 1
    if proven == 0:
        raise NotApplicable("no public service behind a load balancer, no site behind the CDN")
    return (
        out,
        f"{proven} entry alarm sets for the journeys at {target} %, thresholds recomputed from the target",
    )


def _rpo(run: Run) -> float:
    required = next((o.required_seconds for o in run.plan.objectives if o.name == "rpo"), None)
    if required is not None:
        return float(required)
    return float(run.plan.dr.region_loss_rpo_seconds or 0)


def _lag_alarm(g: Graph, r: str, metric: str, dims: dict[str, str], limit: float, topics: dict[str, Resource]) -> str:
    m = monitoring.METRICS[metric]
    found = [
        a
        for a in g.of(ALARM)
        if a.region == r
        and value(a, "namespace") == m.namespace
        and value(a, "metric_name") == m.name
        and {k: str(v) for k, v in (value(a, "dimensions") or {}).items()} == dims
    ]
    if not found:
        return f"no {m.namespace} {m.name} alarm in {r} on {dims}"
    ok = [
        a
        for a in found
        if value(a, "comparison_operator") == "GreaterThanThreshold"
        and float(value(a, "threshold") or 0) <= limit
        and value(a, "statistic") == "Maximum"
        and int(value(a, "period") or 0) <= 60
        and _actions(a, topics)
    ]
    if not ok:
        return (
            f"{found[0].name}: over {limit:g} {m.unit.lower()} (the RPO) does not page within a minute "
            "(threshold, operator, the maximum over 60 s, or action)"
        )
    return ""


def rpo_alarms(run: Run) -> tuple[list[str], str]:
    """Every replicated system of record whose region-loss RPO the plan claims has a lag alarm at or under
    the blueprint's RPO, on the metric AWS publishes for that replication, with the right dimensions for
    that store in that region: RDS ReplicaLag on each cross-region replica, Aurora's global RPO lag on
    each secondary cluster, DynamoDB ReplicationLatency per source and receiving region, S3 replication
    latency per rule; with an action."""
    plan, g = run.plan, run.graph
    topics = _topics(g)
    limit = _rpo(run)
    out, count = [], 0
    for store in plan.datastores:
        if len(store.regions) < 2 or not store.record or store.region_loss_rpo_seconds is None:
            continue
        if isinstance(store, RelationalPlan):
            for db in g.of("aws:rds/instance:Instance"):
                if value(db, "replicate_source_db") and db.region != store.writer_region and store.name in db.name:
                    ident = str(value(db, "identifier"))
                    count += 1
                    out.append(
                        _lag_alarm(g, str(db.region), "rds-replica-lag", {"DBInstanceIdentifier": ident}, limit, topics)
                    )
            for cluster in g.of("aws:rds/cluster:Cluster"):
                if (
                    store.name in cluster.name
                    and cluster.region != store.writer_region
                    and value(cluster, "global_cluster_identifier")
                ):
                    ident = str(value(cluster, "cluster_identifier"))
                    count += 1
                    out.append(
                        _lag_alarm(
                            g,
                            str(cluster.region),
                            "aurora-global-rpo-lag",
                            {"DBClusterIdentifier": ident},
                            limit * 1000,
                            topics,
                        )
                    )
        elif isinstance(store, KeyValuePlan) and store.global_mode == "MREC":
            for table in g.of("aws:dynamodb/table:Table"):
                if store.name not in table.name:
                    continue
                regions = [table.region, *[str(dig(rep, "region_name")) for rep in value(table, "replicas") or []]]
                for src in regions:
                    for dst in regions:
                        if src != dst:
                            count += 1
                            dims = {"TableName": str(value(table, "name")), "ReceivingRegion": str(dst)}
                            out.append(
                                _lag_alarm(g, str(src), "dynamodb-replication-latency", dims, limit * 1000, topics)
                            )
        elif isinstance(store, ObjectPlan):
            buckets = {str(value(b, "arn")): str(value(b, "bucket")) for b in g.of("aws:s3/bucket:Bucket")}
            names = {str(value(b, "id")): str(value(b, "bucket")) for b in g.of("aws:s3/bucket:Bucket")}
            for config in g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig"):
                if store.name not in config.name:
                    continue
                source = names.get(str(value(config, "bucket")), str(value(config, "bucket")))
                for rule in value(config, "rules") or []:
                    dest = buckets.get(str(dig(rule, "destination", "bucket")), "")
                    count += 1
                    dims = {"SourceBucket": source, "DestinationBucket": dest, "RuleId": str(dig(rule, "id"))}
                    out.append(_lag_alarm(g, str(config.region), "s3-replication-latency", dims, limit, topics))
    if count == 0:
        raise NotApplicable("no system of record replicated to another region")
    return [p for p in out if p], f"{count} replication paths each page above the RPO of {limit:g} s"


def alarm_actions(run: Run) -> tuple[list[str], str]:
    """Every alarm reaches someone: it has an action to an alert topic of this stack in its region, or
    it is one window of a composite alarm that does, or it stops an experiment, or a Route 53 health
    check follows it; every alert topic has the blueprint's subscriptions."""
    g = run.graph
    topics = _topics(g)
    alarms = _alarms(g)
    if not alarms:
        raise NotApplicable("no alarms")
    covered: set[str] = {n for n, a in alarms.items() if _actions(a, topics)}
    stops = {
        str(dig(s, "value"))
        for t in g.of("aws:fis/experimentTemplate:ExperimentTemplate")
        for s in value(t, "stop_conditions") or []
    }
    health = {str(value(h, "cloudwatch_alarm_name")) for h in g.of("aws:route53/healthCheck:HealthCheck")}
    for n, a in alarms.items():
        if str(value(a, "arn")) in stops or n in health:
            covered.add(n)  # it stops an experiment; a Route 53 health check follows it
    for c in g.of(COMPOSITE):
        if _name(c) in covered:
            covered.update(RULE.findall(str(value(c, "alarm_rule"))))
    out = [
        f"{a.name}: no action, no paging composite, no experiment: nobody learns it fired"
        for n, a in alarms.items()
        if n not in covered
    ]
    emails = set(run.plan.operations.alert_emails.value) if run.plan.operations else set()
    subscribed: dict[str, set[str]] = {}
    for s in g.of("aws:sns/topicSubscription:TopicSubscription"):
        subscribed.setdefault(str(value(s, "topic")), set()).add(str(value(s, "endpoint")))
    for arn, topic in topics.items():
        missing = emails - subscribed.get(arn, set())
        if missing:
            out.append(f"{topic.name}: {', '.join(sorted(missing))} not subscribed")
    return out, f"{len(alarms)} alarms each reach an alert topic ({len(topics)} topics)"


_RESOURCE_ID = {
    "aws:lb/targetGroup:TargetGroup": "arn_suffix",
    "aws:lb/loadBalancer:LoadBalancer": "arn_suffix",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/cluster:Cluster": "cluster_identifier",
    "aws:dynamodb/table:Table": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:sqs/queue:Queue": "name",
    "aws:ecs/service:Service": "name",
    "aws:route53/healthCheck:HealthCheck": "id",
    "aws:cloudfront/distribution:Distribution": "id",
}


def _resolves(g: Graph, metric: monitoring.Metric, dims: dict[str, str], region: str | None) -> str:
    """Why the first dimension names no resource of the metric's type in the alarm's region ('' if it does)."""
    first = dims.get(metric.dimensions[0], "")
    key = _RESOURCE_ID[metric.resource]
    for res in g.of(metric.resource):
        if metric.resource in ("aws:route53/healthCheck:HealthCheck", "aws:cloudfront/distribution:Distribution"):
            if (res.id or str(value(res, "id"))) == first:
                return ""
            continue
        regions = {res.region}
        if metric.resource == "aws:dynamodb/table:Table":  # a global table: one resource, a replica per region
            regions |= {str(dig(rep, "region_name")) for rep in value(res, "replicas") or []}
        if str(value(res, key)) == first and region in regions:
            return ""
    return f"{metric.dimensions[0]}={first} is no {metric.resource.rsplit(':', 1)[-1]} of this stack in {region}"


def alarm_metrics(run: Run) -> tuple[list[str], str]:
    """Every alarm's metric exists for the resource it names: namespace and metric from the sourced
    table (blueprints.monitoring.METRICS), exactly that metric's dimensions, the first naming a resource
    of that metric's type in the alarm's region (Route 53's in us-east-1, where it publishes)."""
    g = run.graph
    out, count = [], 0
    for alarm in g.of(ALARM):
        stats = [(value(alarm, "namespace"), value(alarm, "metric_name"), value(alarm, "dimensions") or {})]
        if _queries(alarm):
            stats = [
                (dig(q, "metric", "namespace"), dig(q, "metric", "metric_name"), dig(q, "metric", "dimensions") or {})
                for q in _queries(alarm)
                if dig(q, "metric")
            ]
        for namespace, metric_name, dims in stats:
            count += 1
            metric = BY_NAME.get((str(namespace), str(metric_name)))
            if metric is None:
                out.append(f"{alarm.name}: {namespace} {metric_name} is not a metric hld knows AWS publishes")
                continue
            dims = {k: str(v) for k, v in dims.items()}
            if set(dims) != set(metric.dimensions):
                out.append(
                    f"{alarm.name}: {metric.name} is published with {list(metric.dimensions)}, not {sorted(dims)}"
                )
                continue
            if metric.key == "route53-health" and alarm.region != monitoring.ROUTE53_METRICS_REGION:
                out.append(f"{alarm.name}: Route 53 publishes {metric.name} in us-east-1 only, not {alarm.region}")
                continue
            why = _resolves(g, metric, dims, alarm.region)
            if why:
                out.append(f"{alarm.name}: {why}")
    if count == 0:
        raise NotApplicable("no metric alarms")
    return out, f"{count} alarm metrics, each published by AWS for a resource of this stack in the alarm's region"


CHECKS = (
    Check("slo-alarms", "every journey pages on its burn rate", None, slo_alarms),
    Check("rpo-alarms", "every RPO claim has a lag alarm", None, rpo_alarms),
    Check("alarm-actions", "every alarm reaches someone", None, alarm_actions),
    Check("alarm-metrics", "every alarm watches a metric that exists", None, alarm_metrics),
)

"""The monthly cost of a plan: each component's quantities from the plan (tasks, instances, nodes,
regions, zones, NAT gateways) and from the usage (blueprints.cost.usage: requests per service,
calls per edge, reads and writes, cache and CDN hits, messages, stored data), priced from the
table (blueprints.cost.prices). Every figure the blueprint does not state is an assumption, listed
once with its value and where to change it; each line names the assumptions it rests on."""

from __future__ import annotations

import re
from collections.abc import Callable

from blueprints.consistency import consistent_reads
from blueprints.cost.prices import CHECKED, LEFT_OUT, PRICES, SNS_EMAIL, price
from blueprints.cost.usage import HOURS, SECONDS, STORED_GB, Assumptions, Edge, Usage, usage
from blueprints.model import Blueprint
from blueprints.plan_model import (
    AnyStorePlan,
    CostEstimate,
    CostLine,
    Decided,
    Experiment,
    KeyValuePlan,
    Plan,
    RelationalPlan,
)

__all__ = ["HOURS", "SECONDS", "estimate"]

LOG_GB_PER_TASK = 0.5
"""Application logs a task ingests a month, GB."""
FLOW_LOG_GB_PER_ZONE = 1.0
NAT_GB = 10.0
"""Data through each NAT gateway a month, GB (image pulls, calls to AWS APIs outside endpoints)."""
KEEPALIVE = 0.9
"""Share of requests on kept-alive connections (the load balancer counts new connections)."""
WAF_RULES = 5
"""Rules in each web ACL (managed groups and the size rules)."""
DNS_SHARE = 0.01
"""DNS queries per request reaching Route 53 (resolvers cache by the record's TTL)."""
CHANGE_PER_DAY = 0.1
"""Share of a database's data that changes a day (what backup copies move between regions)."""
ITEM_KB = 1.0
"""Size of a row or item a call reads or writes: one DynamoDB write unit (1 KB), one read unit (4 KB)."""
AURORA_IOS = 2
"""Aurora I/Os per database call."""
SQS_CALLS = 3
"""SQS requests per message: a send, a receive and a delete."""
INSTANT_ACTION_MINUTES = 1
"""What an FIS action without a duration bills: it ends when its calls complete (FIS bills from an
action's start to its stop, rounded to the nearest minute: https://aws.amazon.com/fis/pricing/);
counted as a minute, an assumption, not a measured figure."""
SLO_ALARM_METRICS = 3
"""Metrics in each entry alarm's metric math (the load balancer's 5xx, its targets' 5xx and its request
count: blueprints.monitoring.ENTRY_METRICS): CloudWatch bills an alarm per metric it uses."""
FIXED = "fixed: blueprints/cost/estimate.py"
Split = Callable[[str, float], dict[str, float]]
"""A service's monthly figure split over the regions that serve it."""


class _Lines:
    def __init__(self, notes: Assumptions) -> None:
        self.lines: list[CostLine] = []
        self.unpriced: list[str] = []
        self.notes = notes

    def add(
        self,
        component: str,
        region: str,
        item: str,
        unit: str,
        low: float,
        high: float | None = None,
        assumes: tuple[str, ...] = (),
    ) -> None:
        if low <= 0 and not high:
            return
        high = low if high is None else high
        usd = price(item, region)
        if usd is None:
            self.unpriced.append(f"{item} in {region}")
        row = PRICES.get(item)
        self.lines.append(
            CostLine(
                component=component,
                region=region,
                item=item,
                unit=unit,
                quantity_min=round(low, 3),
                quantity_max=round(high, 3),
                usd_per_unit=usd,
                monthly_min=round(low * usd, 2) if usd is not None else 0.0,
                monthly_max=round(high * usd, 2) if usd is not None else 0.0,
                assumes=list(dict.fromkeys(assumes)),
                source=row.source if row else None,
            )
        )

    def fixed(self, key: str, text: str, name: str) -> str:
        return self.notes.note(key, text, f"{FIXED} {name}")


def estimate(bp: Blueprint, plan: Plan) -> CostEstimate:
    use = usage(bp, plan)
    out = _Lines(use.assumptions)
    kb = use.kb
    size: tuple[str, ...] = ()
    if bp.cost.response_kb is None:
        size = (out.notes.note("response_kb", f"responses of {kb:g} KB", "cost.response_kb"),)
    regions = plan.regions.value
    zones = {n.region: len(n.zones) for n in plan.networks}
    serving = {
        s.name: [c.region for c in s.capacity.value if c.role == "serving"] or [c.region for c in s.capacity.value[:1]]
        for s in plan.services
    }

    def split(service: str, monthly: float) -> dict[str, float]:
        where = serving.get(service) or regions[:1]
        return {r: monthly / len(where) for r in where}

    # compute and load balancing
    for r in regions:
        tasks = [(s, c) for s in plan.services for c in s.capacity.value if c.region == r]
        for arch, prefix in (("x86_64", "fargate"), ("arm64", "fargate-arm")):
            mine = [(s, c) for s, c in tasks if s.architecture.value == arch]
            if not mine:
                continue
            vcpu_low = sum(c.min_replicas * s.task_cpu.value / 1024 for s, c in mine)
            vcpu_high = sum(c.max_replicas * s.task_cpu.value / 1024 for s, c in mine)
            gb_low = sum(c.min_replicas * s.task_memory / 1024 for s, c in mine)
            gb_high = sum(c.max_replicas * s.task_memory / 1024 for s, c in mine)
            out.add("compute", r, f"{prefix}-vcpu", "vCPU-hour", vcpu_low * HOURS, vcpu_high * HOURS)
            out.add("compute", r, f"{prefix}-memory", "GB-hour", gb_low * HOURS, gb_high * HOURS)
        low = sum(c.min_replicas for _, c in tasks)
        high = sum(c.max_replicas for _, c in tasks)
        # behind a load balancer: the public services and those others call (a queue's consumer is not)
        balanced = {s.name for s in plan.services if s.public} | {c for s in plan.services for c in s.calls}
        arriving = sum(split(name, v).get(r, 0.0) for name, v in use.arriving.items() if name in balanced)
        if any(s.public for s, _ in tasks):
            public_arriving = sum(
                split(name, v).get(r, 0.0) for name, v in use.arriving.items() if plan.service(name).public
            )
            rps = public_arriving / SECONDS
            lcu = max(rps * kb * 3600 / 1e6, rps * (1 - KEEPALIVE) / 25)
            out.add("load balancing", r, "alb", "hour", HOURS)
            out.add(
                "load balancing",
                r,
                "alb-lcu",
                "LCU-hour",
                lcu * HOURS,
                assumes=(
                    *use.base,
                    *use.edge_assumes,
                    *size,
                    out.fixed(
                        "keepalive",
                        f"{KEEPALIVE:.0%} of requests on kept-alive connections (LCUs count new connections and "
                        "processed bytes)",
                        "KEEPALIVE",
                    ),
                ),
            )
            out.add("NAT and data transfer", r, "public-ipv4", "hour", zones.get(r, 1) * HOURS)
        if tasks:
            z = zones.get(r, 1)
            out.add(
                "NAT and data transfer",
                r,
                "inter-az",
                "GB",
                arriving * kb / 1e6 * (z - 1) / z,
                assumes=(
                    *use.base,
                    *use.edge_assumes,
                    *size,
                    out.fixed(
                        "inter_az",
                        "the load balancer sends each request to a zone at random: (zones - 1) / zones of them cross",
                        "(cross-zone load balancing: always on for an ALB)",
                    ),
                ),
            )
        logs_key = out.fixed(
            "logs",
            f"{LOG_GB_PER_TASK:g} GB of application logs per task and {FLOW_LOG_GB_PER_ZONE:g} GB of flow logs per "
            "zone a month",
            "LOG_GB_PER_TASK",
        )
        logs = low * LOG_GB_PER_TASK + FLOW_LOG_GB_PER_ZONE * zones.get(r, 1)
        logs_high = high * LOG_GB_PER_TASK + FLOW_LOG_GB_PER_ZONE * zones.get(r, 1)
        out.add("logs", r, "logs-ingest", "GB", logs, logs_high, assumes=(logs_key,))
        out.add("logs", r, "logs-storage", "GB-month", logs, assumes=(logs_key,))
    for n in plan.networks:
        nats = n.nat_gateways.value
        nat_key = out.fixed("nat_gb", f"{NAT_GB:g} GB through each NAT gateway a month", "NAT_GB")
        out.add("NAT and data transfer", n.region, "nat", "hour", nats * HOURS)
        out.add("NAT and data transfer", n.region, "nat-data", "GB", nats * NAT_GB, assumes=(nat_key,))
        out.add("NAT and data transfer", n.region, "public-ipv4", "hour", nats * HOURS)

    _stores(bp, plan, use, out, split, size)

    # keys and secrets: a key per region; a secret per database and per AUTH-protected cache, per region
    for r in regions:
        out.add("keys and secrets", r, "kms-key", "key-month", 1)
        secrets = sum(
            1
            for s in plan.datastores
            if r in s.regions and (s.kind == "relational" or (s.kind == "cache" and plan.edge.tls))
        )
        out.add("keys and secrets", r, "secret", "secret-month", secrets)

    # edge: CDN, WAF, DNS
    public = sum(use.public.values())
    via = sum(use.via_cdn.values())
    edge_keys = (*use.base, *use.edge_assumes, *size)
    for r in regions:
        direct = sum(split(name, v - use.via_cdn.get(name, 0.0)).get(r, 0.0) for name, v in use.public.items())
        out.add("data transfer out", r, "internet-out", "GB", direct * kb / 1e6, assumes=edge_keys)
    if plan.edge.cdn and via:
        cdn_keys = (*use.base, *(k for k in use.edge_assumes if k == "route_share"))
        out.add("CDN", "global", "cloudfront-https", "10 thousand requests", via / 1e4, assumes=cdn_keys)
        out.add("CDN", "global", "cloudfront-data", "GB", via * kb / 1e6, assumes=(*cdn_keys, *size))
    if plan.edge.waf:
        acls = (1 if "CloudFront" in plan.edge.waf.value else 0) + (
            len(regions) if "load balancer" in plan.edge.waf.value else 0
        )
        rules = out.fixed("waf_rules", f"{WAF_RULES} rules in each web ACL", "WAF_RULES")
        out.add("WAF", "global", "waf-acl", "web ACL-month", acls)
        out.add("WAF", "global", "waf-rule", "rule-month", acls * WAF_RULES, assumes=(rules,))
        # each web ACL inspects what passes it: CloudFront's the requests the CDN carries, a load
        # balancer's what reaches its public services (the misses and the routes around the CDN)
        inspected = (via if "CloudFront" in plan.edge.waf.value else 0.0) + (
            sum(v for name, v in use.arriving.items() if plan.service(name).public)
            if "load balancer" in plan.edge.waf.value
            else 0.0
        )
        out.add(
            "WAF", "global", "waf-requests", "million requests", inspected / 1e6, assumes=(*use.base, *use.edge_assumes)
        )
    if plan.edge.api_host or plan.edge.cdn_host:
        out.add("DNS and health checks", "global", "route53-zone", "hosted zone-month", 1)
        dns = out.fixed("dns_share", f"{DNS_SHARE:.0%} of requests query Route 53 (resolvers cache)", "DNS_SHARE")
        out.add(
            "DNS and health checks",
            "global",
            "route53-queries",
            "million queries",
            public * DNS_SHARE / 1e6,
            assumes=(*use.base, dns),
        )
        if len(regions) > 1:
            checks = len(regions) * (1 + sum(1 for s in plan.services if s.public))
            out.add("DNS and health checks", "global", "route53-health-check", "health check-month", checks)
    left_out = list(LEFT_OUT) + _operations(plan, out)
    total_min = round(sum(line.monthly_min for line in out.lines), 2)
    total_max = round(sum(line.monthly_max for line in out.lines), 2)
    used = {k for line in out.lines for k in line.assumes}
    return CostEstimate(
        monthly_min=total_min,
        monthly_max=total_max,
        lines=out.lines,
        unpriced=sorted(set(out.unpriced)),
        # an idle service's lines are zero, so no line names it: listed all the same
        assumptions=[a for a in use.assumptions.listed() if a.key in used or a.key.startswith("idle:")],
        left_out=left_out,
        prices_checked=_months(out.lines),
        budget=bp.cost.monthly_max,
    )


def alarms(plan: Plan) -> dict[str, tuple[int, int, int]]:
    """(metric alarms, the alarm metrics they bill, composite alarms) per region, as the AWS target
    creates them from `plan.operations` (generators.aws.monitors). In each region a load balancer
    serves the journeys from (it measures the region's entry, not a route: one set serves all its
    journeys), per burn-rate pair a metric-math alarm on the long window and one on the short, and a
    composite alarm paging when both burn, or the one fast-signal alarm, each using SLO_ALARM_METRICS
    metrics; for a site the CDN serves, the same set on CloudFront's one metric in us-east-1. Per
    region its zone experiments run in, a stop alarm on the same measure (a region's experiments stop
    on its fastest page). One
    single-metric alarm per metric watch, where it is published (an event watch is an RDS event
    subscription, no alarm), and the writer alarm of each RDS store whose failover record follows it
    (generators.aws.database), priced with the monitors: in a plan without operations, none of these
    is counted."""
    ops = plan.operations
    if ops is None:
        return {}
    counts: dict[str, list[int]] = {}
    site = plan.edge.cdn.site if plan.edge.cdn else None
    entry = any(s.public for s in plan.services) and any(slo.service != site for slo in ops.slos)
    cdn = site is not None and any(slo.service == site for slo in ops.slos) and "us-east-1" in plan.regions.value
    measured: dict[str, int] = {}
    """Per region, the metrics its entry's measure uses."""
    for r in plan.regions.value if entry else []:
        measured[r] = SLO_ALARM_METRICS
    if cdn:
        measured.setdefault("us-east-1", 1)
    slo = ops.slos[0] if ops.slos else None
    for r, metrics in measured.items():
        if slo is None:
            break
        row = counts.setdefault(r, [0, 0, 0])
        burn = slo.alerting == "burn-rate"
        alarms_ = 2 * len(slo.windows) if burn else 1
        row[0] += alarms_
        row[1] += alarms_ * metrics
        row[2] += len(slo.windows) if burn else 0
    for r in sorted({e.region for e in ops.experiments if e.disruption == "zone-loss"}):
        if r in measured:  # the stop alarm of the region's zone experiments (a region's stops on its fastest page)
            row = counts.setdefault(r, [0, 0, 0])
            row[0] += 1
            row[1] += measured[r]
    single = [w.region for w in ops.watches if w.kind == "metric"] + [
        s.writer_region
        for s in plan.datastores
        if isinstance(s, RelationalPlan) and s.engine.value != "aurora-postgresql" and len(s.regions) > 1
    ]
    for r in single:
        row = counts.setdefault(r, [0, 0, 0])
        row[0] += 1
        row[1] += 1
    return {r: (a, m, c) for r, (a, m, c) in counts.items()}


def dashboards(plan: Plan) -> int:
    """The system's dashboard, when a public service has an SLO to show (generators.aws.monitors)."""
    ops = plan.operations
    public = {s.name for s in plan.services if s.public}
    return 1 if ops is not None and any(slo.service in public for slo in ops.slos) else 0


def action_minutes(experiment: Experiment) -> int:
    """What running `experiment` once bills: each action's minutes, rounded to the nearest minute as
    FIS rounds them: its `duration` parameter, else INSTANT_ACTION_MINUTES (an action without one, such
    as stopping tasks or rebooting an instance, ends when its calls complete)."""
    total = 0
    for a in experiment.actions:
        seconds = iso_seconds(a.parameters.get("duration"))
        total += max(1, round(seconds / 60)) if seconds else INSTANT_ACTION_MINUTES
    return total


def iso_seconds(text: str | None) -> int | None:
    """Seconds of an ISO 8601 duration as FIS takes it (PT10M, PT1H30M, PT90S); None when absent."""
    if not text:
        return None
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if m is None or not any(m.groups()):
        return None
    h, mins, sec = (int(g or 0) for g in m.groups())
    return h * 3600 + mins * 60 + sec


def _operations(plan: Plan, out: _Lines) -> list[str]:
    """The monitors' lines (alarms and the dashboard, without CloudWatch's free tier, as every line
    here), and what is left out of the month: each experiment's price per run, the alert emails."""
    ops = plan.operations
    if ops is None:
        return []
    for r, (_, metrics, composites) in sorted(alarms(plan).items()):
        out.add("monitoring", r, "cloudwatch-alarm-metric", "alarm metric-month", metrics)
        out.add("monitoring", r, "cloudwatch-composite-alarm", "alarm-month", composites)
    out.add("monitoring", plan.primary_region, "cloudwatch-dashboard", "dashboard-month", dashboards(plan))
    left = []
    usd = price("fis-action-minute", "global") or 0.0
    page = PRICES["fis-action-minute"].source.split(" ")[0]
    runs = [f"{e.name} ${action_minutes(e) * usd:,.2f} ({action_minutes(e)} action-minutes)" for e in ops.experiments]
    if runs:
        left.append(
            f"running the FIS experiments, ${usd:.2f} an action-minute ({page}), a run each: {', '.join(runs)} "
            "(hld never runs them; their templates cost nothing to keep)"
        )
    if ops.slos or ops.watches:
        left.append(SNS_EMAIL)
    return left


def _stores(bp: Blueprint, plan: Plan, use: Usage, out: _Lines, split: Split, size: tuple[str, ...]) -> None:
    item_key = out.fixed(
        "item_kb",
        f"rows and items of {ITEM_KB:g} KB: a DynamoDB write is one write unit, a read one read unit (strong) or "
        "half of one (eventual); a replicated row moves 1 KB",
        "ITEM_KB",
    )
    for s in plan.datastores:
        comp = f"store {s.name}"
        edges = use.into(s.name)
        index = next(i for i, d in enumerate(bp.datastores) if d.name == s.name)
        declared = bp.datastores[index]
        stated = getattr(declared, "stored_gb", None)
        stored = stated if stated is not None else bp.cost.stored_gb
        stored_keys: tuple[str, ...] = ()
        if stored is None and s.kind in ("key-value", "object"):
            stored = STORED_GB
            stored_keys = (
                out.notes.note(
                    f"stored_gb:{s.name}",
                    f"{s.name} holds {STORED_GB:g} GB",
                    f"datastores[{index}].stored_gb (or cost.stored_gb for every store)",
                ),
            )

        keys = (*dict.fromkeys(k for e in edges for k in e.assumes), item_key)
        read_keys = tuple(dict.fromkeys(keys + tuple(k for e in edges for k in e.cache_assumes)))
        reads, writes = _by_region(edges, s, split, "reads"), _by_region(edges, s, split, "writes")
        total_writes = sum(writes.values())
        if s.kind == "relational":
            engine = s.engine.value
            cls = s.instance_class.value
            if engine == "aurora-postgresql":
                optimized = s.storage_type is not None and s.storage_type.value == IO_OPTIMIZED
                for i, r in enumerate(s.regions):
                    count = 1 + s.read_replicas if i == 0 else 1 + (1 if s.multi_az else 0)
                    out.add(comp, r, f"{'aurora-iopt1' if optimized else 'aurora'}:{cls}", "hour", count * HOURS)
                    out.add(comp, r, "aurora-iopt-storage" if optimized else "aurora-storage", "GB-month", s.storage_gb)
                    if optimized:
                        continue  # I/O-Optimized: no charge per I/O
                    ios = out.fixed("aurora_io", f"{AURORA_IOS} Aurora I/Os per database call", "AURORA_IOS")
                    calls = reads.get(r, 0.0) + (total_writes if r == s.writer_region else 0.0)
                    out.add(
                        comp, r, "aurora-io", "million requests", calls * AURORA_IOS / 1e6, assumes=(*read_keys, ios)
                    )
            else:
                for i, r in enumerate(s.regions):
                    count = (2 if s.multi_az else 1) + s.read_replicas if i == 0 else 1
                    out.add(comp, r, f"rds-postgres:{cls}", "hour", count * HOURS)
                    out.add(comp, r, "rds-gp3", "GB-month", count * s.storage_gb)
            change = out.fixed(
                "change_per_day", f"{CHANGE_PER_DAY:.0%} of a database's data changes a day", "CHANGE_PER_DAY"
            )
            for r in plan.dr.backup_copy_regions:
                out.add(
                    "backups",
                    r,
                    "aurora-backup" if engine == "aurora-postgresql" else "rds-backup",
                    "GB-month",
                    s.storage_gb,
                )
                out.add(
                    "backups",
                    s.writer_region,
                    "inter-region",
                    "GB",
                    s.storage_gb * CHANGE_PER_DAY * 30,
                    assumes=(change,),
                )
        elif s.kind == "key-value":
            assert isinstance(s, KeyValuePlan)
            unit = 1.0 if consistent_reads(s) == "true" else 0.5
            for r in s.regions:
                out.add(
                    comp,
                    r,
                    "dynamodb-read",
                    "million read request units",
                    reads.get(r, 0.0) * unit / 1e6,
                    assumes=read_keys,
                )
                # every region applies every write (global tables: replicated writes cost as writes)
                out.add(comp, r, "dynamodb-write", "million write request units", total_writes / 1e6, assumes=keys)
                out.add(comp, r, "dynamodb-storage", "GB-month", stored or 0.0, assumes=stored_keys)
                out.add(comp, r, "dynamodb-pitr", "GB-month", stored or 0.0, assumes=stored_keys)
        elif s.kind == "cache":
            cls = s.instance_class.value
            for r in s.regions:
                out.add(comp, r, f"{s.engine.value}:{cls}", "node-hour", (1 + s.read_replicas) * HOURS)
        elif s.kind == "queue":
            item = "sqs-fifo" if s.fifo else "sqs"
            sqs = out.fixed(
                "sqs_calls", f"{SQS_CALLS} SQS requests per message (send, receive, delete; up to 64 KB)", "SQS_CALLS"
            )
            producers = [e for e in edges if e.access in ("produce", "produce-consume")] or edges
            sent = _by_region(producers, s, split, "calls")
            keys = (*dict.fromkeys(k for e in producers for k in e.assumes), sqs)
            for r in s.regions:
                out.add(comp, r, item, "million requests", sent.get(r, 0.0) * SQS_CALLS / 1e6, assumes=keys)
        elif s.kind == "object":
            for r in s.regions:
                out.add(comp, r, "s3-storage", "GB-month", stored or 0.0, assumes=stored_keys)
                out.add(comp, r, "s3-get", "thousand requests", reads.get(r, 0.0) / 1e3, assumes=read_keys)
                out.add(
                    comp,
                    r,
                    "s3-put",
                    "thousand requests",
                    total_writes / 1e3,  # each region stores each object: its own PUT or replication's
                    assumes=keys,
                )
        if len(s.regions) > 1 and s.kind in ("relational", "key-value", "object"):
            # every write travels from the region that took it to each other region: 1 KB a row or
            # item, an object its response size (a relational store takes every write at its writer)
            size_kb = use.kb if s.kind == "object" else ITEM_KB
            for r, taken in sorted(writes.items()):
                out.add(
                    "replication traffic",
                    r,
                    "inter-region",
                    "GB",
                    taken * size_kb / 1e6 * (len(s.regions) - 1),
                    assumes=keys + (size if s.kind == "object" else ()),
                )


IO_OPTIMIZED = "aurora-iopt1"
IO_SHARE = 0.25
"""AWS advises Aurora I/O-Optimized when I/O is more than 25 % of the cluster's spend."""
IO_SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.StorageReliability.html#aurora-storage-type"


def aurora_storage(bp: Blueprint, plan: Plan) -> Plan:
    """`plan` with each Aurora store's storage configuration chosen from its estimate under Aurora
    Standard: I/O-Optimized when the I/O would be more than IO_SHARE of the cluster's spend, its
    estimate then redone."""
    assert plan.cost is not None
    changed = False
    stores = []
    for s in plan.datastores:
        if s.kind != "relational" or s.engine.value != "aurora-postgresql":
            stores.append(s)
            continue
        mine = [line for line in plan.cost.lines if line.component == f"store {s.name}"]
        io = sum(line.monthly_min for line in mine if line.item == "aurora-io")
        total = sum(line.monthly_min for line in mine)
        share = io / total if total else 0.0
        decided: Decided[str]
        if share > IO_SHARE:
            decided = Decided[str](
                value=IO_OPTIMIZED,
                reason=f"Aurora I/O-Optimized: under Standard its I/O would be ${io:,.0f} of ${total:,.0f} a month "
                f"({share:.0%}), over the {IO_SHARE:.0%} at which AWS advises I/O-Optimized (no charge per I/O; "
                f"instances and storage cost more) ({IO_SOURCE})",
            )
            changed = True
        else:
            decided = Decided[str](
                value="aurora",
                reason=f"Aurora Standard: its I/O is {share:.0%} of its ${total:,.0f} a month, under the "
                f"{IO_SHARE:.0%} at which AWS advises I/O-Optimized ({IO_SOURCE})",
            )
        stores.append(s.model_copy(update={"storage_type": decided}))
    planned = plan.model_copy(update={"datastores": stores})
    if changed:
        planned = planned.model_copy(update={"cost": estimate(bp, planned)})
    return planned


def _by_region(edges: list[Edge], store: AnyStorePlan, split: Split, kind: str) -> dict[str, float]:
    """The edges' reads, writes or calls a month by the region they reach: a caller's own region when the
    store is there, else the store's writer region."""
    got: dict[str, float] = {}
    # a relational store takes every write at its writer, and serves a strong read there too
    to_writer = isinstance(store, RelationalPlan) and (kind == "writes" or store.consistency.value != "eventual")
    for e in edges:
        value = {"reads": e.reads, "writes": e.writes, "calls": e.calls}[kind]
        for r, part in split(e.service, value).items():
            at = r if r in store.regions and not to_writer else store.writer_region
            got[at] = got.get(at, 0.0) + part
    return got


def _months(lines: list[CostLine]) -> str:
    """The months of the price data the estimate used: `2025-06`, or `2025-06 to 2025-11`."""
    months = sorted({PRICES[line.item].checked for line in lines if line.item in PRICES}) or [CHECKED]
    return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"

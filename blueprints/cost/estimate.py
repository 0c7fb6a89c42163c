"""The monthly cost of a plan: each component's quantities from the plan (tasks, instances, nodes,
regions, zones, NAT gateways) and from the blueprint's usage (`cost:`), priced from the table
(blueprints.cost.prices). Every figure a blueprint does not state is an assumption, stated beside
the line it changes."""

from __future__ import annotations

from blueprints.cost.prices import CHECKED, LEFT_OUT, price
from blueprints.model import Blueprint
from blueprints.plan_model import CostEstimate, CostLine, Plan

HOURS = 730
"""Hours in a month (AWS pricing's convention)."""
SECONDS = HOURS * 3600
AVERAGE_LOAD = 0.3
RESPONSE_KB = 8.0
STORED_GB = 10.0
READ_SHARE = 0.8
"""Of the requests that reach a store, the share that reads (the rest write)."""
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


class _Lines:
    def __init__(self) -> None:
        self.lines: list[CostLine] = []
        self.unpriced: list[str] = []

    def add(
        self,
        component: str,
        region: str,
        item: str,
        unit: str,
        low: float,
        high: float | None = None,
        assumption: str | None = None,
    ) -> None:
        if low <= 0 and not high:
            return
        high = low if high is None else high
        usd = price(item, region)
        if usd is None:
            self.unpriced.append(f"{item} in {region}")
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
                assumption=assumption,
            )
        )


def estimate(bp: Blueprint, plan: Plan) -> CostEstimate:
    usage = bp.cost
    load = usage.average_load or AVERAGE_LOAD
    kb = usage.response_kb or RESPONSE_KB
    stored = usage.stored_gb if usage.stored_gb is not None else STORED_GB
    assumptions = []
    if usage.average_load is None:
        assumptions.append(f"average load {load:.0%} of peak (cost.average_load)")
    if usage.response_kb is None:
        assumptions.append(f"responses of {kb:g} KB (cost.response_kb)")
    if usage.stored_gb is None:
        assumptions.append(f"{stored:g} GB in each key-value and object store (cost.stored_gb)")
    assumptions += [
        f"{READ_SHARE:.0%} of store requests read",
        f"{LOG_GB_PER_TASK:g} GB of logs per task a month",
        f"{NAT_GB:g} GB through each NAT gateway a month",
    ]
    out = _Lines()
    regions = plan.regions.value
    zones = {n.region: len(n.zones) for n in plan.networks}

    # requests a month, per service and region (a serving region's share of the service's peak)
    monthly: dict[tuple[str, str], float] = {}
    for svc in plan.services:
        serving = [c for c in svc.capacity.value if c.role == "serving"] or svc.capacity.value[:1]
        total = (svc.peak_rps or 0) * load * SECONDS
        for cap in serving:
            monthly[(svc.name, cap.region)] = total / len(serving)

    # compute and load balancing
    for r in regions:
        tasks = [(s, c) for s in plan.services for c in s.capacity.value if c.region == r]
        low = sum(c.min_replicas for _, c in tasks)
        high = sum(c.max_replicas for _, c in tasks)
        vcpu_low = sum(c.min_replicas * s.task_cpu.value / 1024 for s, c in tasks)
        vcpu_high = sum(c.max_replicas * s.task_cpu.value / 1024 for s, c in tasks)
        gb_low = sum(c.min_replicas * s.task_memory / 1024 for s, c in tasks)
        gb_high = sum(c.max_replicas * s.task_memory / 1024 for s, c in tasks)
        out.add("compute", r, "fargate-vcpu", "vCPU-hour", vcpu_low * HOURS, vcpu_high * HOURS)
        out.add("compute", r, "fargate-memory", "GB-hour", gb_low * HOURS, gb_high * HOURS)
        if any(s.public for s, _ in tasks):
            rps = sum(v for (_, region), v in monthly.items() if region == r) / SECONDS
            lcu = max(rps * kb * 3600 / 1e6, rps * (1 - KEEPALIVE) / 25)
            out.add("load balancing", r, "alb", "hour", HOURS)
            out.add(
                "load balancing",
                r,
                "alb-lcu",
                "LCU-hour",
                lcu * HOURS,
                assumption="LCUs from processed bytes and new connections",
            )
            out.add(
                "NAT and data transfer",
                r,
                "public-ipv4",
                "hour",
                zones.get(r, 1) * HOURS,
                assumption="the load balancer's address in each zone",
            )
        if tasks:
            inter_az = sum(v for (_, region), v in monthly.items() if region == r) * kb / 1e6
            z = zones.get(r, 1)
            out.add(
                "NAT and data transfer",
                r,
                "inter-az",
                "GB",
                inter_az * (z - 1) / z,
                assumption="requests crossing zones behind the load balancer",
            )
        logs = low * LOG_GB_PER_TASK + FLOW_LOG_GB_PER_ZONE * zones.get(r, 1)
        out.add("logs", r, "logs-ingest", "GB", logs, high * LOG_GB_PER_TASK + FLOW_LOG_GB_PER_ZONE * zones.get(r, 1))
        out.add("logs", r, "logs-storage", "GB-month", logs)
    for n in plan.networks:
        nats = n.nat_gateways.value
        out.add("NAT and data transfer", n.region, "nat", "hour", nats * HOURS)
        out.add("NAT and data transfer", n.region, "nat-data", "GB", nats * NAT_GB)
        out.add(
            "NAT and data transfer",
            n.region,
            "public-ipv4",
            "hour",
            nats * HOURS,
            assumption="one Elastic IP per NAT gateway",
        )

    # stores
    def store_requests(name: str) -> float:
        return sum(v for (svc, _), v in monthly.items() if name in plan.service(svc).stores)

    for s in plan.datastores:
        requests = store_requests(s.name)
        per_region = requests / max(len(s.regions), 1)
        comp = f"store {s.name}"
        if s.kind == "relational":
            engine = s.engine.value
            cls = s.instance_class.value
            if engine == "aurora-postgresql":
                for i, r in enumerate(s.regions):
                    count = 1 + s.read_replicas if i == 0 else 1 + (1 if s.multi_az else 0)
                    out.add(comp, r, f"aurora:{cls}", "hour", count * HOURS)
                    out.add(comp, r, "aurora-storage", "GB-month", s.storage_gb)
                    out.add(
                        comp,
                        r,
                        "aurora-io",
                        "million requests",
                        per_region * 2 / 1e6,
                        assumption="two I/Os per request",
                    )
            else:
                for i, r in enumerate(s.regions):
                    count = (2 if s.multi_az else 1) + s.read_replicas if i == 0 else 1
                    out.add(comp, r, f"rds-postgres:{cls}", "hour", count * HOURS)
                    out.add(comp, r, "rds-gp3", "GB-month", count * s.storage_gb)
            copies = plan.dr.backup_copy_regions
            for r in copies:
                out.add("backups", r, "rds-backup", "GB-month", s.storage_gb)
                out.add(
                    "backups",
                    s.writer_region,
                    "inter-region",
                    "GB",
                    s.storage_gb * CHANGE_PER_DAY * 30,
                    assumption=f"{CHANGE_PER_DAY:.0%} of the data changes a day",
                )
        elif s.kind == "key-value":
            reads, writes = requests * READ_SHARE, requests * (1 - READ_SHARE)
            for r in s.regions:
                share = 1 / len(s.regions)
                out.add(comp, r, "dynamodb-read", "million read request units", reads * share / 1e6)
                # every region applies every write (global tables: replicated writes cost as writes)
                out.add(comp, r, "dynamodb-write", "million write request units", writes / 1e6)
                out.add(comp, r, "dynamodb-storage", "GB-month", stored)
                out.add(comp, r, "dynamodb-pitr", "GB-month", stored)
        elif s.kind == "cache":
            cls = s.instance_class.value
            for r in s.regions:
                out.add(comp, r, f"{s.engine.value}:{cls}", "node-hour", (1 + s.read_replicas) * HOURS)
        elif s.kind == "queue":
            item = "sqs-fifo" if s.fifo else "sqs"
            for r in s.regions:  # a message per request of the services that use the queue
                out.add(
                    comp,
                    r,
                    item,
                    "million requests",
                    per_region * 3 / 1e6,
                    assumption="send, receive and delete per message",
                )
        elif s.kind == "object":
            for r in s.regions:
                out.add(comp, r, "s3-storage", "GB-month", stored)
                out.add(comp, r, "s3-get", "thousand requests", per_region * READ_SHARE / 1e3)
                out.add(comp, r, "s3-put", "thousand requests", per_region * (1 - READ_SHARE) / 1e3)
        if len(s.regions) > 1 and s.kind in ("relational", "key-value", "object"):
            # every write travels to each other region: 1 KB a row or item, an object its response size
            size_kb = kb if s.kind == "object" else 1.0
            out.add(
                "replication traffic",
                s.writer_region if s.kind == "relational" else s.regions[0],
                "inter-region",
                "GB",
                requests * (1 - READ_SHARE) * size_kb / 1e6 * (len(s.regions) - 1),
                assumption=None if s.kind == "object" else "1 KB a write",
            )
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
    public = sum(v for (svc, _), v in monthly.items() if plan.service(svc).public)
    via, note = through_cdn(plan, monthly) if plan.edge.cdn else (0.0, None)
    # responses that leave AWS from the load balancers: the public requests the CDN does not carry
    share = 1 - via / public if public else 0.0
    for r in regions:
        direct = sum(v for (svc, region), v in monthly.items() if region == r and plan.service(svc).public) * share
        out.add("data transfer out", r, "internet-out", "GB", direct * kb / 1e6)
    if plan.edge.cdn:
        out.add("CDN", "global", "cloudfront-https", "10 thousand requests", via / 1e4, assumption=note)
        out.add("CDN", "global", "cloudfront-data", "GB", via * kb / 1e6, assumption=note)
    if plan.edge.waf:
        acls = (1 if "CloudFront" in plan.edge.waf.value else 0) + (
            len(regions) if "load balancer" in plan.edge.waf.value else 0
        )
        out.add("WAF", "global", "waf-acl", "web ACL-month", acls)
        out.add(
            "WAF", "global", "waf-rule", "rule-month", acls * WAF_RULES, assumption=f"{WAF_RULES} rules per web ACL"
        )
        out.add("WAF", "global", "waf-requests", "million requests", public / 1e6)
    if plan.edge.api_host or plan.edge.cdn_host:
        out.add("DNS and health checks", "global", "route53-zone", "hosted zone-month", 1)
        out.add(
            "DNS and health checks",
            "global",
            "route53-queries",
            "million queries",
            public * DNS_SHARE / 1e6,
            assumption=f"{DNS_SHARE:.0%} of requests query Route 53",
        )
        if len(regions) > 1:
            checks = len(regions) * (1 + sum(1 for s in plan.services if s.public))
            out.add(
                "DNS and health checks",
                "global",
                "route53-health-check",
                "health check-month",
                checks,
                assumption="a probe per public service and a calculated check per region",
            )
    total_min = round(sum(line.monthly_min for line in out.lines), 2)
    total_max = round(sum(line.monthly_max for line in out.lines), 2)
    return CostEstimate(
        monthly_min=total_min,
        monthly_max=total_max,
        lines=out.lines,
        unpriced=sorted(set(out.unpriced)),
        assumptions=assumptions,
        left_out=list(LEFT_OUT),
        prices_checked=CHECKED,
        budget=usage.monthly_max,
    )


def through_cdn(plan: Plan, monthly: dict[tuple[str, str], float]) -> tuple[float, str | None]:
    """The public requests a month that pass through the CDN, and the assumption behind the figure.

    Dynamic traffic `through` the CDN: every public request. `bypass`: DNS sends dynamic routes
    straight to the load balancers, so the CDN carries only the routes it caches (`cache: public`),
    each route taken as an equal share of its service's requests."""
    cdn = plan.edge.cdn
    assert cdn is not None
    if cdn.dynamic.value == "through":
        return sum(v for (svc, _), v in monthly.items() if plan.service(svc).public), None
    via = 0.0
    for (name, _), requests in monthly.items():
        svc = plan.service(name)
        if svc.public and svc.routes:
            via += requests * sum(1 for r in svc.routes if r.cached) / len(svc.routes)
    return via, ("the cached routes' share: each route an equal share of its service's requests" if via else None)

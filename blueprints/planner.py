"""plan(blueprint, stack) -> Plan: intent turned into decisions, each with its reason.

Pure: no Pulumi, no boto3, no I/O. When the blueprint leaves the redundancy level
or replication unset, the candidates from `intent.candidates` are planned
cheapest first and the first that meets every target is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from blueprints import availability as av
from blueprints.capacity import FARGATE_SOURCE, design_rps, fargate_size, max_replicas, replicas_per_zone, subnet_layout
from blueprints.figures import SLAS, TIMINGS, zones_of
from blueprints.intent import Intent, candidates
from blueprints.model import AnyStore, Blueprint, Cache, KeyValue, ObjectStore, Queue, Relational, Service
from blueprints.plan_model import (
    Availability,
    Budget,
    CdnPlan,
    Control,
    Decided,
    Dr,
    EdgePlan,
    Journey,
    Network,
    Objective,
    Part,
    Plan,
    RegionCapacity,
    ServicePlan,
    StorePlan,
    Subnet,
    Unmet,
)
from blueprints.rules import effective_consistency, intent_rules
from blueprints.units import format_duration, human_duration


@dataclass(frozen=True)
class StackSettings:
    """What a Pulumi stack may change about a plan: its name and its environment."""

    name: str = "prod"
    environment: str = "production"


PORTS = {"relational": 5432, "key-value": 443, "cache": 6379, "queue": 443, "object": 443}
INSTANCE_CLASSES = {
    ("relational", "production"): "db.r6g.large",
    ("relational", "development"): "db.t4g.medium",
    ("cache", "production"): "cache.r6g.large",
    ("cache", "development"): "cache.t4g.small",
}
"""Instance classes by environment: memory-optimised Graviton for production, burstable for dev."""

FIGURES_NOTE = (
    "SLA-based estimate: AWS SLAs are the monthly uptime AWS pays credits below, not measured "
    "availability; failures are assumed independent (AWS Well-Architected, Reliability Pillar). "
    "Budgets use a 30-day month and a 365-day year."
)


def plan(bp: Blueprint, stack: StackSettings | None = None) -> Plan:
    """The plan for a checked blueprint (see `blueprints.loader.load`)."""
    stack = stack or StackSettings()
    plans = [_plan(bp, intent, stack) for intent in candidates(bp) if not intent_rules(bp, intent)]
    if not plans:
        raise ValueError("blueprint has coherence problems; load it with blueprints.load() first")
    chosen = next((p for p in plans if p.ok), plans[-1])
    return chosen


def _plan(bp: Blueprint, intent: Intent, stack: StackSettings) -> Plan:
    regions = list(intent.regions.value)
    zones = {r: zones_of(r)[: intent.zones.value] for r in regions}
    journeys_by_store = _journey_stores(bp)
    stores = [_store(bp, s, intent, stack, journeys_by_store) for s in bp.datastores]
    edge = _edge(bp, intent)
    services = [_service(bp, s, intent) for s in bp.services]
    journeys = _journeys(bp, intent, stores, edge)
    availability = _availability(bp, journeys)
    dr = _dr(bp, intent, stores, regions)
    objectives = _objectives(bp, intent, dr, stores, journeys_by_store)
    controls = _controls(bp)
    unmet = _unmet(bp, intent, availability, objectives, edge)
    return Plan(
        name=bp.name,
        description=bp.description,
        stack=stack.name,
        environment="development" if stack.environment == "development" else "production",
        level=Decided(value=intent.level.value, reason=intent.level.reason, derived=intent.level.derived),
        replication=Decided(
            value=intent.replication.value, reason=intent.replication.reason, derived=intent.replication.derived
        ),
        consistency=Decided(
            value=intent.consistency.value, reason=intent.consistency.reason, derived=intent.consistency.derived
        ),
        regions=Decided(value=regions, reason=intent.regions.reason, derived=intent.regions.derived),
        primary_region=regions[0],
        zones_per_region=Decided(value=intent.zones.value, reason=intent.zones.reason, derived=intent.zones.derived),
        networks=[_network(r, i, zones[r], stack) for i, r in enumerate(regions)],
        peering=_peering(bp, intent),
        services=services,
        datastores=stores,
        edge=edge,
        security=controls,
        availability=availability,
        dr=dr,
        objectives=objectives,
        unmet=unmet,
        figures_note=FIGURES_NOTE,
    )


# --- network -----------------------------------------------------------------


def _network(region: str, index: int, zones: list[str], stack: StackSettings) -> Network:
    cidr = f"10.{index * 16}.0.0/16"
    layout = subnet_layout(cidr, len(zones))
    subnets = [
        Subnet(zone=zone, tier=tier, cidr=layout[tier][i])
        for tier in ("public", "private", "isolated")
        for i, zone in enumerate(zones)
    ]
    if stack.environment == "development":
        nat: Decided[int] = Decided(value=1, reason="development stack: one NAT gateway (a zone loss cuts egress)")
    else:
        nat = Decided(value=len(zones), reason="production: one NAT gateway per zone, so a zone loss leaves egress up")
    return Network(region=region, cidr=cidr, zones=zones, subnets=subnets, nat_gateways=nat)


# --- services ----------------------------------------------------------------


def _service(bp: Blueprint, svc: Service, intent: Intent) -> ServicePlan:
    units, memory = fargate_size(svc.cpu, svc.memory)
    edges = svc.edges()
    capacity = _capacity(bp, svc, intent)
    rpt = bp.scaling.requests_per_target
    return ServicePlan(
        name=svc.name,
        description=svc.description,
        image=svc.image,
        port=svc.port,
        health=svc.health,
        public=svc.public,
        routes=svc.routes,
        calls=[e.name for e in edges if bp.service(e.name) and not e.async_],
        stores=[e.name for e in edges if bp.store(e.name)],
        async_uses=[e.name for e in edges if e.async_],
        peak_rps=svc.peak_rps,
        rps_per_replica=svc.rps_per_replica,
        task_cpu=Decided(
            value=units,
            reason=f"smallest Fargate size holding {svc.cpu} vCPU and {svc.memory} MiB: "
            f"{units} CPU units / {memory} MiB ({FARGATE_SOURCE})",
        ),
        task_memory=memory,
        capacity=capacity,
        target_cpu=bp.scaling.target_cpu,
        requests_per_target=Decided(
            value=rpt or svc.rps_per_replica * 60,
            reason="set in the blueprint"
            if rpt
            else "rps_per_replica x 60 (ALBRequestCountPerTarget counts per minute)",
            derived=rpt is None,
        ),
    )


def _capacity(bp: Blueprint, svc: Service, intent: Intent) -> Decided[list[RegionCapacity]]:
    regions = list(intent.regions.value)
    zones = intent.zones.value
    out = []
    if intent.active:
        survivors = len(regions) - 1
        design = design_rps(svc.peak_rps, len(regions), True) if svc.peak_rps else 0
        why = (
            f"active-active: each region sized for peak / {survivors} surviving region(s) "
            f"= {design} rps, and each zone for a zone loss: ceil(rps / {svc.rps_per_replica} / ({zones} - 1))"
        )
    else:
        design = svc.peak_rps or 0
        why = (
            f"static stability: ceil(peak {design} rps / {svc.rps_per_replica} per replica / "
            f"({zones} - 1) surviving zones) per zone"
        )
    if not svc.peak_rps:
        why = "no peak_rps given: one replica per zone (spread), scaled out on CPU"
    for i, region in enumerate(regions):
        role = "serving"
        if intent.multi_region and not intent.active and i > 0:
            role = "pilot-light" if _passive_strategy(bp) == "pilot-light" else "warm-standby"
        if role == "serving":
            rpz = replicas_per_zone(design, svc.rps_per_replica, zones) if svc.peak_rps else 1
            region_rps = design
        elif role == "warm-standby":
            rpz, region_rps = 1, svc.rps_per_replica * zones
        else:
            rpz, region_rps = 0, 0
        minimum = rpz * zones
        upper = (
            max_replicas(minimum, bp.scaling.max_scale_out)
            if minimum
            else max_replicas(
                replicas_per_zone(design, svc.rps_per_replica, zones) * zones if svc.peak_rps else zones,
                bp.scaling.max_scale_out,
            )
        )
        out.append(
            RegionCapacity(
                region=region,
                role=role,
                design_rps=region_rps,
                replicas_per_zone=rpz,
                min_replicas=minimum,
                max_replicas=upper,
            )
        )
    if intent.multi_region and not intent.active:
        why += f"; standby region: {out[-1].role} ({out[-1].min_replicas} running)"
    why += f"; max = {bp.scaling.max_scale_out:g} x the minimum (scaling.max_scale_out)"
    return Decided(value=out, reason=why)


# --- data stores -------------------------------------------------------------


def _journey_stores(bp: Blueprint) -> dict[str, set[str]]:
    """Data stores each public service's journeys cross synchronously (following service calls)."""
    out: dict[str, set[str]] = {}
    for svc in bp.services:
        if svc.public:
            out[svc.name] = _chain_stores(bp, svc, set())
    return out


def _chain_stores(bp: Blueprint, svc: Service, seen: set[str]) -> set[str]:
    seen.add(svc.name)
    stores: set[str] = set()
    for edge in svc.edges():
        if edge.async_:
            continue
        callee = bp.service(edge.name)
        if callee and callee.name not in seen:
            stores |= _chain_stores(bp, callee, seen)
        elif bp.store(edge.name):
            stores.add(edge.name)
    return stores


def _passive_strategy(bp: Blueprint) -> str:
    if bp.rto is not None and bp.rto >= TIMINGS["pilot-light-rto"].seconds:
        return "pilot-light"
    return "warm-standby"


def _store(
    bp: Blueprint, store: AnyStore, intent: Intent, stack: StackSettings, journeys: dict[str, set[str]]
) -> StorePlan:
    regions = list(intent.regions.value)
    primary = regions[0]
    used_by = sorted(s.name for s in bp.services if any(e.name == store.name for e in s.edges()))
    on_journeys = any(store.name in stores for stores in journeys.values())
    single_zone = intent.level.value == "single-zone"
    common = dict(
        name=store.name,
        kind=store.kind,
        description=store.description,
        writer_region=primary,
        multi_az=not single_zone,
        used_by=used_by,
        on_journeys=on_journeys,
        port=PORTS[store.kind],
    )
    if isinstance(store, Relational):
        return _relational(bp, store, intent, stack, on_journeys, common)
    if isinstance(store, KeyValue):
        return _key_value(store, intent, common)
    if isinstance(store, Cache):
        engine = store.engine or "valkey"
        return StorePlan(
            **common,
            engine=Decided(
                value=engine,
                reason="pinned in the blueprint"
                if store.engine
                else "cache -> ElastiCache Valkey (Redis-compatible, open source)",
                derived=store.engine is None,
            ),
            consistency=None,
            regions=regions,
            replication=Decided(
                value="single node" if single_zone else "primary + replica per zone, automatic failover",
                reason="one cache per region, close to its readers; a cache is not a system of record",
            ),
            read_replicas=0 if single_zone else intent.zones.value - 1,
            instance_class=Decided(
                value=INSTANCE_CLASSES[
                    ("cache", stack.environment if stack.environment == "development" else "production")
                ],
                reason=f"{stack.environment} stack",
            ),
            zone_loss_rto_seconds=0 if single_zone else TIMINGS["elasticache-failover"].seconds,
            region_loss_rpo_seconds=None,
            cache_ttl_seconds=store.ttl,
        )
    if isinstance(store, Queue):
        return StorePlan(
            **common,
            engine=Decided(
                value="sqs", reason="queue -> SQS (managed, multi-AZ within a region)", derived=store.engine is None
            ),
            consistency=None,
            regions=regions,
            replication=Decided(
                value="one queue per region, stored across zones by SQS",
                reason="producers and consumers stay in their region; messages in a lost region wait for it",
            ),
            read_replicas=0,
            instance_class=None,
            zone_loss_rto_seconds=0,
            region_loss_rpo_seconds=None,
            fifo=store.fifo,
            visibility_timeout_seconds=store.visibility_timeout,
            max_receives=store.max_receives,
            retention_seconds=store.retention,
        )
    assert isinstance(store, ObjectStore)
    multi = len(regions) > 1
    return StorePlan(
        **common,
        engine=Decided(
            value="s3", reason="object -> S3 Standard (stored across >= 3 zones)", derived=store.engine is None
        ),
        consistency=None,
        regions=regions,
        replication=Decided(
            value="cross-region replication with Replication Time Control" if multi else "in-region (S3 Standard)",
            reason="a bucket per region, replicated from the primary" if multi else "one region",
        ),
        read_replicas=0,
        instance_class=None,
        zone_loss_rto_seconds=0,
        region_loss_rpo_seconds=TIMINGS["s3-replication"].seconds if multi else None,
        versioning=store.versioning,
    )


def _relational(
    bp: Blueprint, store: Relational, intent: Intent, stack: StackSettings, on_journeys: bool, common: dict[str, object]
) -> StorePlan:
    regions = list(intent.regions.value)
    consistency = effective_consistency(store, intent)
    rds_sla = SLAS["rds-multi-az"]
    engine: Decided[str]
    if store.engine:
        engine = Decided(value=store.engine, reason="pinned in the blueprint", derived=False)
    elif on_journeys and bp.availability >= rds_sla.percent and intent.level.value != "single-zone":
        engine = Decided(
            value="aurora-postgresql",
            reason=f"on a user journey with target {bp.availability}% >= RDS Multi-AZ's {rds_sla.percent}% SLA, "
            f"which in series would fall below it; Aurora across zones: {SLAS['aurora-multi-az'].percent}%",
        )
    else:
        engine = Decided(
            value="rds-postgresql",
            reason="RDS PostgreSQL Multi-AZ: synchronous standby, the simplest engine that meets the targets"
            + ("" if on_journeys else " (not on a user journey)"),
        )
    aurora = engine.value == "aurora-postgresql"
    single_zone = intent.level.value == "single-zone"
    zones = intent.zones.value
    if store.read_replicas is not None:
        replicas = store.read_replicas
    else:
        replicas = 0 if single_zone or consistency != "eventual" else zones - 1
    if intent.multi_region:
        if aurora:
            mode = "Aurora Global Database: writer in the primary, secondary clusters elsewhere (storage replication < 1 s)"
            lag = TIMINGS["aurora-global-lag"]
        else:
            mode = "Multi-AZ writer in the primary, asynchronous cross-region read replica in each other region"
            lag = TIMINGS["rds-replica-lag"]
        why = (
            f"{consistency} relational store in a multi-region system: one writer in {regions[0]} "
            f"(relational stores have a single writer; "
            + (
                "services in other regions send reads and writes to it, so reads stay strong"
                if consistency == "strong"
                else "other regions read their local replica"
            )
            + f"); on region loss the replica is promoted and writes not yet replicated are lost: "
            f"RPO = replication lag ({lag.what}), not 0"
        )
        rpo: float | None = lag.seconds
    elif single_zone:
        mode, why, rpo = "single instance", "single-zone level", None
    else:
        mode = (
            "Aurora: shared storage across 3 zones, replica in another zone"
            if aurora
            else "Multi-AZ: synchronous standby in another zone"
        )
        why, rpo = "zone loss fails over with no committed write lost (RPO 0)", None
    if aurora and not single_zone:
        replicas = max(replicas, 1)
    rto = 0.0 if single_zone else TIMINGS["aurora-failover" if aurora else "rds-multi-az-failover"].seconds
    return StorePlan(
        **common,
        engine=engine,
        consistency=Decided(
            value=consistency,
            reason="set on the store" if store.consistency else f"system default ({intent.consistency.value})",
            derived=store.consistency is None,
        ),
        regions=regions,
        replication=Decided(value=mode, reason=why),
        read_replicas=replicas,
        instance_class=Decided(
            value=INSTANCE_CLASSES[
                ("relational", "development" if stack.environment == "development" else "production")
            ],
            reason=f"{stack.environment} stack",
        ),
        zone_loss_rto_seconds=rto,
        region_loss_rpo_seconds=rpo,
        storage_gb=store.storage_gb,
    )


def _key_value(store: KeyValue, intent: Intent, common: dict[str, object]) -> StorePlan:
    regions = list(intent.regions.value)
    consistency = effective_consistency(store, intent)
    mode: str | None = None
    replication: Decided[str]
    if not intent.multi_region:
        replication = Decided(
            value="single-region table (stored across zones by DynamoDB)",
            reason=f"{consistency}: "
            + ("strongly consistent reads" if consistency == "strong" else "eventually consistent reads"),
        )
        rpo: float | None = None
    elif intent.active and consistency == "strong":
        mode = "MRSC"
        replication = Decided(
            value=f"global table, multi-region strong consistency in {', '.join(regions)}",
            reason="strong + active-active: only DynamoDB MRSC keeps every region's reads strong (RPO 0)",
        )
        rpo = 0
    else:
        mode = "MREC"
        how = {
            "strong": "reads of the truth go to the primary region's replica",
            "read-your-writes": "requests are pinned to the writer's home region",
            "eventual": "every region reads and writes locally, last writer wins",
        }[consistency]
        replication = Decided(
            value=f"global table, eventual mode, replicas in {', '.join(regions)}",
            reason=f"{consistency} across regions: {how}; replication usually < 1 s",
        )
        rpo = TIMINGS["dynamodb-global-lag"].seconds
    return StorePlan(
        **common,
        engine=Decided(
            value="dynamodb", reason="key-value -> DynamoDB (on-demand capacity)", derived=store.engine is None
        ),
        consistency=Decided(
            value=consistency,
            reason="set on the store" if store.consistency else f"system default ({intent.consistency.value})",
            derived=store.consistency is None,
        ),
        regions=regions,
        replication=replication,
        read_replicas=0,
        instance_class=None,
        zone_loss_rto_seconds=0,
        region_loss_rpo_seconds=rpo,
        global_mode=mode,
        partition_key=store.partition_key,
        ttl_attribute=store.ttl_attribute,
    )


# --- edge --------------------------------------------------------------------


def _edge(bp: Blueprint, intent: Intent) -> EdgePlan:
    edge = bp.edge
    cdn_plan = None
    if edge.cdn:
        cdn = edge.cdn
        cap = SLAS["cloudfront"]
        dynamic: Decided[str]
        if cdn.dynamic:
            dynamic = Decided(value=cdn.dynamic, reason="set in the blueprint", derived=False)
        elif bp.availability > cap.percent:
            dynamic = Decided(
                value="bypass",
                reason=f"target {bp.availability}% is above CloudFront's {cap.percent}% SLA, which would cap "
                "every journey through it: dynamic routes resolve straight to the load balancers; the CDN "
                "serves cacheable responses",
            )
        else:
            dynamic = Decided(value="through", reason=f"target is within CloudFront's {cap.percent}% SLA")
        directives = [f"max-age={cdn.default_ttl}"]
        if cdn.stale_while_revalidate is not None:
            directives.append(f"stale-while-revalidate={cdn.stale_while_revalidate}")
        if cdn.stale_if_error is not None:
            directives.append(f"stale-if-error={cdn.stale_if_error}")
        cdn_plan = CdnPlan(
            min_ttl=cdn.min_ttl,
            default_ttl=cdn.default_ttl,
            max_ttl=cdn.max_ttl,
            compress=cdn.compress,
            origin_shield=cdn.origin_shield,
            dynamic=dynamic,
            cache_control=", ".join(directives),
            origin_failover=intent.multi_region,
        )
    waf: Decided[str] | None = None
    if edge.waf:
        where = "on each region's load balancer"
        if edge.cdn:
            where = (
                "on the CloudFront distribution and on each region's load balancer (the load balancers stay "
                "reachable without the CDN: origin names, health checks"
                + (", dynamic traffic)" if cdn_plan and cdn_plan.dynamic.value == "bypass" else ")")
            )
        waf = Decided(value=where, reason="edge.waf: true (AWS managed common rule set)")
    dns: Decided[str] | None = None
    if edge.domain and intent.multi_region:
        policy = "latency" if intent.active else "failover"
        dns = Decided(
            value=policy,
            reason=f"{'active-active: each user goes to the nearest healthy region' if intent.active else 'passive: primary, standby on health-check failure'}"
            " (Route 53 health checks)",
        )
    elif edge.domain:
        dns = Decided(value="simple", reason="one region: an alias record to the load balancer")
    domain = edge.domain
    certificate: Decided[str] | None = None
    if domain and bp.security.tls == "required":
        certificate = Decided(
            value=f"ACM certificate for {domain} and *.{domain}, DNS-validated in the hosted zone",
            reason="TLS in transit: the load balancers and CloudFront terminate HTTPS with it",
        )
    bypass = cdn_plan is not None and cdn_plan.dynamic.value == "bypass"
    return EdgePlan(
        cdn=cdn_plan,
        waf=waf,
        domain=domain,
        hosted_zone=edge.hosted_zone,
        dns=dns,
        tls=bp.security.tls == "required",
        certificate=certificate,
        api_host=domain,
        cdn_host=(f"cdn.{domain}" if bypass else domain) if domain and cdn_plan else None,
        origin_hosts={r: f"origin-{r}.{domain}" for r in intent.regions.value} if domain else {},
    )


def _peering(bp: Blueprint, intent: Intent) -> Decided[list[str]] | None:
    """Services in every region reach a single-writer relational store in the primary."""
    regions = list(intent.regions.value)
    used = [
        s
        for s in bp.datastores
        if isinstance(s, Relational) and any(e.name == s.name for svc in bp.services for e in svc.edges())
    ]
    if not intent.multi_region or not used:
        return None
    names = ", ".join(s.name for s in used)
    return Decided(
        value=regions[1:],
        reason=f"relational stores ({names}) have one writer in {regions[0]}; services in "
        f"{', '.join(regions[1:])} reach it over inter-region VPC peering (non-overlapping CIDRs)",
    )


# --- availability ------------------------------------------------------------


def _part(key: str, component: str, scope: str) -> Part:
    sla = SLAS[key]
    return Part(
        component=component,
        sla=key,
        percent=sla.percent,
        scope=scope,
        source=sla.source,
        verified=sla.verified,
    )


def _store_part(store: StorePlan, intent: Intent) -> Part:
    single = intent.level.value == "single-zone"
    multi = intent.multi_region
    if store.kind == "relational":
        aurora = store.engine.value == "aurora-postgresql"
        key = ("aurora" if aurora else "rds") + ("-single-az" if single else "-multi-az")
        scope = "global" if multi else "regional"
        return _part(
            key,
            f"{store.name} ({'Aurora' if aurora else 'RDS'}, writer in {store.writer_region})" if multi else store.name,
            scope,
        )
    if store.kind == "key-value":
        return _part("dynamodb-global" if multi else "dynamodb", store.name, "global" if multi else "regional")
    if store.kind == "cache":
        return _part("elasticache-single-az" if single else "elasticache-multi-az", store.name, "regional")
    if store.kind == "queue":
        return _part("sqs", store.name, "regional")
    return _part("s3", store.name, "regional")


def _journeys(bp: Blueprint, intent: Intent, stores: list[StorePlan], edge: EdgePlan) -> list[Journey]:
    single = intent.level.value == "single-zone"
    by_name = {s.name: s for s in stores}
    public = [s for s in bp.services if s.public]
    out = []
    for svc in public or bp.services:
        regional: list[Part] = []
        global_parts: list[Part] = []
        if svc.public:
            regional.append(_part("elb-single-az" if single else "elb-multi-az", "load balancer", "regional"))
            if edge.waf:
                regional.append(_part("waf", "WAF (regional)", "regional"))
            if edge.cdn and edge.cdn.dynamic.value == "through":
                global_parts.append(_part("cloudfront", "CDN", "global"))
                if edge.waf:
                    global_parts.append(_part("waf", "WAF (edge)", "global"))
            if intent.multi_region or edge.domain:
                global_parts.append(_part("route53", "DNS", "global"))
        for name in _chain_services(bp, svc):
            regional.append(_part("ecs-single" if single else "ecs-multi-az", f"{name} (service)", "regional"))
        for name in sorted(_chain_stores(bp, svc, set())):
            part = _store_part(by_name[name], intent)
            (global_parts if part.scope == "global" else regional).append(part)
        n = len(intent.regions.value) if intent.active else 1
        estimate = av.journey([p.percent / 100 for p in regional], [p.percent / 100 for p in global_parts], n)
        chain = " x ".join(f"{p.percent:g}" for p in regional)
        formula = f"({chain})" if n == 1 else f"1 - (1 - {chain})^{n}"
        if global_parts:
            formula += " x " + " x ".join(f"{p.percent:g}" for p in global_parts)
        for route in svc.routes or (["ANY /"] if svc.public else ["(internal)"]):
            out.append(
                Journey(
                    name=f"{svc.name}: {route}",
                    service=svc.name,
                    route=route,
                    regional=regional,
                    global_parts=global_parts,
                    regions_in_parallel=n,
                    estimate=round(estimate * 100, 6),
                    formula=formula,
                )
            )
    return out


def _chain_services(bp: Blueprint, svc: Service) -> list[str]:
    order, stack = [], [svc.name]
    while stack:
        name = stack.pop(0)
        if name in order:
            continue
        order.append(name)
        callee = bp.service(name)
        stack += [e.name for e in callee.edges() if not e.async_ and bp.service(e.name)] if callee else []
    return order


def _budget(fraction: float) -> Budget:
    year, month, year_text, month_text = av.budget(fraction)
    return Budget(
        percent=round(fraction * 100, 6),
        per_year_seconds=round(year, 3),
        per_month_seconds=round(month, 3),
        per_year=year_text,
        per_month=month_text,
    )


def _availability(bp: Blueprint, journeys: list[Journey]) -> Availability:
    weakest = min(journeys, key=lambda j: j.estimate)
    target = bp.availability / 100
    estimate = weakest.estimate / 100
    return Availability(
        target=bp.availability,
        estimate=weakest.estimate,
        met=av.meets(estimate, target),
        weakest=weakest.name,
        journeys=journeys,
        target_budget=_budget(target),
        estimate_budget=_budget(estimate),
        basis=FIGURES_NOTE,
    )


# --- disaster recovery and objectives ----------------------------------------


def _dr(bp: Blueprint, intent: Intent, stores: list[StorePlan], regions: list[str]) -> Dr:
    single_zone = intent.level.value == "single-zone"
    records = [s for s in stores if s.kind in ("relational", "key-value", "object")]
    zone_rto = max([s.zone_loss_rto_seconds for s in stores if s.on_journeys] or [0.0])
    strategy: Decided[str]
    if not intent.multi_region:
        strategy = Decided(
            value="backup-restore",
            reason="one region: automated backups and point-in-time recovery in the region recover a lost "
            "zone or a bad write; they stay in the region, so a region loss is not recoverable by this plan "
            "(redundancy.level: multi-region covers it)",
        )
        region_rto = region_rpo = None
    else:
        promotions = [
            TIMINGS[
                "aurora-global-failover" if s.engine.value == "aurora-postgresql" else "rds-replica-promotion"
            ].seconds
            for s in stores
            if s.kind == "relational" and s.on_journeys
        ]
        if intent.active:
            strategy = Decided(
                value="multi-site-active-active",
                reason="replication: active: the full stack serves in every region (RTO near zero: DNS failover)",
            )
            region_rto = max([TIMINGS["dns-failover"].seconds, *promotions])
        else:
            name = _passive_strategy(bp)
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
            region_rto = max([TIMINGS[f"{name}-rto"].seconds, *promotions])
        lags = [s.region_loss_rpo_seconds for s in records if s.region_loss_rpo_seconds is not None]
        region_rpo = max(lags) if lags else 0.0
    return Dr(
        strategy=strategy,
        zone_loss_rto_seconds=TIMINGS["backup-restore-rto"].seconds if single_zone else zone_rto,
        zone_loss_rpo_seconds=(TIMINGS["pitr-rpo"].seconds if records else 0.0) if single_zone else 0.0,
        region_loss_rto_seconds=region_rto,
        region_loss_rpo_seconds=region_rpo,
        backup_retention_days=bp.security.backup_retention_days,
        backup_copy_regions=regions[1:] if intent.multi_region and not intent.active else [],
    )


def _objectives(
    bp: Blueprint, intent: Intent, dr: Dr, stores: list[StorePlan], journeys: dict[str, set[str]]
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


def _controls(bp: Blueprint) -> list[Control]:
    sec = bp.security
    tls = sec.tls == "required"
    rows = [
        (
            "tls",
            "TLS in transit",
            tls,
            "HTTPS listeners with a TLS 1.2+ policy, HTTP->HTTPS redirect, CloudFront redirect-to-https, Redis in-transit encryption",
        ),
        (
            "encryption-at-rest",
            "Encryption at rest",
            sec.encryption_at_rest,
            "a customer-managed KMS key per region (key rotation on) for databases, tables, caches, queues, buckets and logs",
        ),
        (
            "private-data",
            "Nothing stateful is public",
            True,
            "stores in isolated subnets, not publicly accessible; S3 public access blocked",
        ),
        (
            "data-flow-network",
            "Network follows the data flow",
            True,
            "a store admits only the services that `use` it, on its port",
        ),
        (
            "managed-secrets",
            "No plaintext secrets",
            True,
            "database passwords managed by Secrets Manager; nothing secret in config or outputs",
        ),
        (
            "non-root",
            "Least-privilege containers",
            True,
            "containers run as a non-root user with a read-only root filesystem",
        ),
        (
            "deletion-protection",
            "No deletion by accident",
            sec.deletion_protection,
            "deletion protection, final snapshots, Pulumi protect/retainOnDelete on stateful resources",
        ),
        (
            "backups",
            "Automated backups",
            sec.backup_retention_days >= 7,
            f"retention {sec.backup_retention_days} days; DynamoDB point-in-time recovery",
        ),
        ("dead-letter-queues", "Dead-letter queues", True, "every SQS queue has a dead-letter queue"),
        (
            "waf",
            "Web application firewall",
            bp.edge.waf,
            "AWS managed common rule set on the public edge" if bp.edge.waf else "not asked for (edge.waf)",
        ),
    ]
    relaxable = {"tls", "encryption-at-rest", "deletion-protection", "backups"}
    return [Control(key=k, title=t, enabled=on, relaxed=(k in relaxable and not on), detail=d) for k, t, on, d in rows]


def _unmet(
    bp: Blueprint, intent: Intent, availability: Availability, objectives: list[Objective], edge: EdgePlan
) -> list[Unmet]:
    out = []
    if not availability.met:
        weakest = next(j for j in availability.journeys if j.name == availability.weakest)
        parts = sorted(weakest.regional + weakest.global_parts, key=lambda p: p.percent)
        fixes = []
        keys = {p.sla for p in parts}
        if "cloudfront" in keys:
            fixes.append("edge.cdn.dynamic: bypass (keep the CDN off dynamic journeys)")
        if not intent.active:
            fixes.append("redundancy: {level: multi-region, replication: active} (regions in parallel)")
        if "rds-multi-az" in keys:
            fixes.append("engine: aurora-postgresql on the relational store (99.99 % across zones)")
        if "sqs" in keys:
            fixes.append("write to the queue off the journey: uses: [{name: <queue>, async: true}]")
        if "waf" in keys:
            fixes.append("edge.waf: false, or accept its 99.95 % in the chain")
        fixes.append(f"availability: {math.floor(availability.estimate * 1000) / 1000:g} (what this design reaches)")
        out.append(
            Unmet(
                what="availability",
                why=f"journey {weakest.name!r} reaches {availability.estimate:.4f}% < target {bp.availability}% "
                f"(weakest parts: {', '.join(f'{p.component} {p.percent:g}%' for p in parts[:3])})",
                fixes=fixes,
            )
        )
    for objective in objectives:
        if objective.met:
            continue
        if objective.name == "rto":
            fixes = (
                ["redundancy.replication: active (DNS failover, minutes)"]
                if intent.multi_region
                else ["redundancy.level: multi-zone or multi-region"]
            )
        else:
            fixes = ["rpo at or above the expected figure", "kind: key-value with consistency: strong (RPO 0)"]
        out.append(Unmet(what=objective.name, why=objective.detail, fixes=fixes))
    return out

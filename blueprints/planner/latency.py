"""Latency per user journey and users' area: the hops a request crosses, each with its figure and
source (blueprints.latency), composed into a median and a 99th percentile.

The model, stated in the plan:
- A request follows its journey (journeys.chain_services, stores.route_stores): the user's last
  mile, the round trip to the serving region (or to the CDN edge, and from there to the origin on
  a miss), the load balancer, each service's processing, each data store call, and the cross-zone
  and cross-region hops between them. Calls are counted in series (a parallel fan-out costs at most
  their sum).
- Each hop has a share: the requests that take it (the misses of a cache or the CDN, a batched
  call's `calls` below 1; `calls` above 1 repeats the call; a consumer polls off the path). The median
  is the sum of the medians of the hops most requests take (share above 0.5); the 99th percentile
  is the sum of the 99th percentiles of every hop more than 1 % of requests take. A sum of
  percentiles is an upper bound of the percentile of a sum (Dean and Barroso, "The Tail at Scale").
- A connection's first request also pays a DNS lookup and the TCP and TLS 1.3 handshakes to the
  entry (one round trip each): shown apart, since keep-alive connections pay them once.
- The serving region: the nearest region to the user when Route 53 routes by latency (an
  active-active design with a domain, or the stack's hld:domain), else the primary; whatever goes
  through the CDN reaches its origin group's primary (the group fails over on errors only). A write goes to the store's writer; a read
  of a relational store goes to a replica in the serving region only when the store's reads may lag
  (eventual consistency and replicas serving reads), else to the writer.
- Targets are met per area: each area's users get p50 and p99 under the target.
"""

from __future__ import annotations

import math

from blueprints.cost.usage import CACHE_HIT
from blueprints.figures import MRSC_REGION_SETS
from blueprints.latency import HANDSHAKES, HOPS, MRSC, PACELC, RTT_DATED, RTT_SOURCE, TAIL_AT_SCALE, nearest, rtt
from blueprints.model import Blueprint, Route, Service
from blueprints.plan_model import (
    AnyStorePlan,
    AreaLatency,
    CachePlan,
    Decided,
    JourneyLatency,
    KeyValuePlan,
    LatencyHop,
    LatencyPlan,
    Pacelc,
    Plan,
    RelationalPlan,
)
from blueprints.planner.journeys import chain_services
from blueprints.planner.stores import route_stores

MEDIAN_SHARE = 0.5
"""A hop counts in the median when more than this share of requests take it."""
TAIL_SHARE = 0.01
"""A hop counts in the 99th percentile when more than this share of requests take it."""
PROCESSING_TAIL = 5.0
"""A route's processing p99 when the blueprint states only its median: 5 x (an assumption)."""
READS = ("GET", "HEAD")
ZONAL = ("relational", "cache")
"""Stores with a node in one zone that every call reaches (a writer, a primary): tasks in the other
zones cross zones to it. DynamoDB, S3 and SQS are regional endpoints whose figures include that."""
STORE_HOPS = {"key-value": "dynamodb", "cache": "elasticache", "object": "s3", "queue": "sqs"}

MODEL = (
    "p50: the sum of the medians of the hops more than half the requests take; p99: the sum of the 99th "
    "percentiles of the hops more than 1 % take (an upper bound: a sum of percentiles is at least the "
    "percentile of the sum; calls counted in series). The round trip between regions uses cloudping's "
    "p90 as its tail (no p99 is published). Targets are met per users' area. A connection's first "
    "request adds DNS and the TCP and TLS 1.3 handshakes, shown apart."
)


def latency(bp: Blueprint, plan: Plan) -> LatencyPlan:
    """Each journey's latency for each users' area of the plan."""
    users = _users(bp, plan)
    routing = _routing(plan)
    assumed: dict[str, str] = {}
    out: list[JourneyLatency] = []
    for svc, route, journey in _journeys(bp, plan):
        out.append(_journey(bp, plan, svc, route, journey, users.value, routing.value, assumed))
    for store in plan.datastores:
        if store.kind == "object" and getattr(store, "public", False) and plan.edge.cdn is not None:
            out.append(_site(bp, plan, store, users.value, assumed))
    targeted = [j for j in out if j.met is not None]
    met = all(j.met for j in targeted) if targeted else None
    worst = _worst(out)
    return LatencyPlan(
        users=users,
        routing=routing,
        journeys=out,
        met=met,
        worst=f"{worst[0]} from {worst[1]}" if worst else None,
        worst_journey=worst[0] if worst else None,
        worst_area=worst[1] if worst else None,
        pacelc=pacelc(plan, users.value),
        assumptions=[f"{what} ({where})" for what, where in sorted(assumed.items())],
        model=MODEL,
        source=f"round trips between regions: {RTT_SOURCE}, dated {RTT_DATED}; tail model: {TAIL_AT_SCALE}",
    )


def _users(bp: Blueprint, plan: Plan) -> Decided[dict[str, float]]:
    if bp.users:
        return Decided(value=dict(bp.users), reason="set in the blueprint (`users`)", derived=False)
    return Decided(
        value={plan.primary_region: 100.0},
        reason=f"unset: every user near the primary region ({plan.primary_region}); `users` sets where they are",
    )


def _dns_policy(plan: Plan) -> tuple[str | None, str]:
    """The API name's routing policy, and how it is known: the plan's DNS decision, or for a design
    whose domain the stack sets (`hld:domain`, required to deploy it) the policy that domain gets."""
    if plan.edge.dns is not None:
        return plan.edge.dns.value, ""
    if plan.edge.needs_domain and len(plan.regions.value) > 1 and any(s.public for s in plan.services):
        policy = "latency" if plan.replication.value == "active" else "failover"
        return policy, " (assuming the stack's hld:domain, which deploying needs)"
    return None, ""


def _routing(plan: Plan) -> Decided[str]:
    cdn = plan.edge.cdn
    policy, assuming = _dns_policy(plan)
    if policy == "latency":
        if cdn is not None and cdn.dynamic.value == "through":
            return Decided(
                value="primary",
                reason=f"every request goes through the CDN, whose origin group sends it to {plan.primary_region} "
                "(the group fails over on errors only, not by latency)",
            )
        why = f"Route 53 latency records{assuming}: each user reaches the nearest healthy region"
        if cdn is not None and cdn.cached:
            why += f"; the CDN's cache misses go to its origin group's primary, {plan.primary_region}"
        return Decided(value="latency", reason=why)
    if len(plan.regions.value) > 1:
        why = (
            f"failover records{assuming}: the primary serves everyone until it fails"
            if policy == "failover"
            else "no domain"
        )
        return Decided(value="primary", reason=f"{why}; every user reaches {plan.primary_region}")
    return Decided(value="primary", reason=f"one region: every user reaches {plan.primary_region}")


def serving_region(plan: Plan, area: str, routing: str, through_cdn: bool = False) -> str:
    """The region that serves the users of `area`: through the CDN, its origin group's primary (the
    group fails over on errors, never by latency); else the nearest under latency routing, else
    the primary."""
    if through_cdn or routing != "latency":
        return plan.primary_region
    return nearest(area, plan.regions.value)


def _journeys(bp: Blueprint, plan: Plan) -> list[tuple[Service, Route, str]]:
    out = []
    public = [s for s in bp.services if s.public]
    for svc in public:
        for route in svc.route_specs() or [Route(route="ANY /")]:
            out.append((svc, route, f"{svc.name}: {route.route}"))
    return out


def _hop(
    key: str, share: float = 1.0, *, what: str | None = None, region: str | None = None, store: str | None = None
) -> LatencyHop:
    hop = HOPS[key]
    return LatencyHop(
        key=key,
        what=what or hop.what,
        p50=hop.p50,
        p99=hop.p99,
        share=share,
        source=hop.source,
        assumed=hop.assumed,
        region=region,
        store=store,
    )


def wan(a: str, b: str, what: str, share: float = 1.0, store: str | None = None) -> LatencyHop:
    """A round trip between regions `a` and `b` (the tail: cloudping's p90)."""
    p50, tail = rtt(a, b)
    return LatencyHop(
        key="wan",
        what=f"{what} ({a} to {b})",
        p50=p50,
        p99=tail,
        share=share,
        source=f"{RTT_SOURCE}; the tail is the p90",
        region=b,
        store=store,
    )


def compose(hops: list[LatencyHop]) -> tuple[float, float]:
    """(p50, p99): the sums of the hops' percentiles over the hops that count in each."""
    p50 = sum(h.p50 for h in hops if h.share > MEDIAN_SHARE)
    p99 = sum(h.p99 for h in hops if h.share > TAIL_SHARE)
    return round(p50, 1), round(p99, 1)


def _operation(route: Route) -> str:
    return "read" if route.method in READS else "write"


def _store_use(bp: Blueprint, chain: list[str], store: str, op: str) -> tuple[str | None, float]:
    """What the route does to `store` and how many calls per request: the edge's access where it says
    (None: it only consumes, off the request path), else the route's operation; its `calls`."""
    for name in chain:
        svc = bp.service(name)
        for edge in svc.edges() if svc is not None else []:
            if edge.name != store or edge.async_:
                continue
            if edge.access == "consume":
                return None, 0.0
            if edge.access == "read":
                return "read", edge.calls
            if edge.access in ("write", "produce"):
                return "write", edge.calls
            return op, edge.calls
    return op, 1.0


def _route_stores(bp: Blueprint, plan: Plan, svc: Service, route: Route, chain: list[str]) -> list[str]:
    """The route's stores in the order a request calls them: caches first (cache-aside reads them
    before the stores behind), then as the services' `uses` list them."""
    used = route_stores(bp, svc, route)
    services = [s for name in chain if (s := bp.service(name)) is not None]
    order = [e.name for s in services for e in s.edges()]
    ranked = sorted(used, key=lambda s: (order.index(s) if s in order else len(order), s))
    return sorted(ranked, key=lambda s: not isinstance(plan.store(s), CachePlan))


def store_hops(
    store: AnyStorePlan, op: str, serving: str, share: float, zones: int, consistency: str | None = None
) -> list[LatencyHop]:
    """The hops of one call of `store` from `serving`: the store's own figure, in the region that
    answers it, with the round trip there when it is another region, and the cross-zone hop to a
    zonal store's node. `consistency` replaces the store's own (the PACELC comparison)."""
    chosen = consistency or getattr(getattr(store, "consistency", None), "value", None)
    at = answering_region(store, op, serving, chosen)
    out: list[LatencyHop] = []
    if at != serving:
        why = "to the writer" if op == "write" or at == store.writer_region else "to the nearest copy"
        out.append(wan(serving, at, f"{store.name}: {why}", share, store.name))
    if store.kind == "relational":
        key = "relational-write" if op == "write" else "relational-read"
    else:
        key = STORE_HOPS[store.kind]
    out.append(_hop(key, share, what=f"{store.name}: {HOPS[key].what}", region=at, store=store.name))
    if store.kind in ZONAL and zones > 1:
        out.append(
            _hop(
                "cross-zone",
                share * (zones - 1) / zones,
                what=f"{store.name}: its node is in one zone of {zones}; calls from the others cross zones",
                region=at,
                store=store.name,
            )
        )
    strong_global = isinstance(store, KeyValuePlan) and len(store.regions) > 1 and _strong_global(store, consistency)
    if strong_global and (op == "write" or chosen == "strong"):
        other = nearest(at, [r for r in store.regions if r != at])
        p50, tail = rtt(at, other)
        out.append(
            LatencyHop(
                key="mrsc",
                what=f"{store.name}: a strongly consistent global table confirms with another region ({at} to {other})",
                p50=p50,
                p99=tail,
                share=share,
                source=MRSC,
                assumed=True,
                region=other,
                store=store.name,
            )
        )
    return out


def _strong_global(store: KeyValuePlan, consistency: str | None) -> bool:
    """The table confirms with another region: it is MRSC, or (the PACELC comparison) would be."""
    if consistency is None:
        return store.global_mode == "MRSC"
    return consistency == "strong"


def answering_region(store: AnyStorePlan, op: str, serving: str, consistency: str | None) -> str:
    """The region whose copy of `store` answers a call from `serving`."""
    if op == "write" and store.single_writer:
        return store.writer_region
    if isinstance(store, RelationalPlan):
        # a read may go to a replica in the serving region only when it may lag the writer
        local = serving in store.regions and (serving != store.writer_region or store.replicas_serve_reads)
        return serving if op == "read" and consistency == "eventual" and local else store.writer_region
    return serving if serving in store.regions else nearest(serving, store.regions)


def _front(area: str, serving: str, cached: float, through: bool) -> tuple[list[LatencyHop], str]:
    """The hops from the user to the load balancer: (hops, the entry a new connection opens to)."""
    hops = [_hop("last-mile", region=area)]
    origin = 1.0 - cached
    if through:
        hops.append(_hop("cdn-hit", what="CloudFront at the edge near the user", region=area))
        if serving != area:
            hops.append(wan(area, serving, "the edge to the origin region", origin))
        return hops, "edge"
    if serving != area:
        hops.append(wan(area, serving, "the user to the serving region"))
    return hops, serving


def _first(area: str, entry: str) -> list[LatencyHop]:
    """A new connection's DNS lookup and handshakes, to the CDN edge (near the user) or the region."""
    last = HOPS["last-mile"]
    p50, tail = (0.0, 0.0) if entry == "edge" else rtt(area, entry)
    hops = [_hop("dns", region=area)]
    for name in ("tcp", "tls")[:HANDSHAKES]:
        hops.append(
            LatencyHop(
                key=name,
                what=f"the {name.upper()} handshake (one round trip to {'the CDN edge' if entry == 'edge' else entry})",
                p50=round(last.p50 + p50, 1),
                p99=round(last.p99 + tail, 1),
                source="RFC 9293 (TCP), RFC 8446 (TLS 1.3: one round trip); the round trip: last mile "
                + ("" if entry == "edge" else f"and {RTT_SOURCE}"),
                assumed=last.assumed,
                region=None if entry == "edge" else entry,
            )
        )
    return hops


def _processing(svc: Service | None, route: Route | None) -> LatencyHop:
    if route is not None and route.processing is not None:
        p50 = route.processing.p50
        p99 = route.processing.p99 if route.processing.p99 is not None else p50 * PROCESSING_TAIL
        return LatencyHop(
            key="processing",
            what=f"{svc.name if svc else '?'}: its own processing on {route.route}",
            p50=p50,
            p99=round(p99, 3),
            source="set in the blueprint (routes[].processing)"
            + ("" if route.processing.p99 is not None else f"; p99 {PROCESSING_TAIL:g} x the median, an assumption"),
            assumed=route.processing.p99 is None,
        )
    return _hop("processing", what=f"{svc.name if svc else '?'}: {HOPS['processing'].what}")


def _cache_hit(bp: Blueprint, cache: str) -> float:
    spec = bp.store(cache)
    ratio = getattr(spec, "hit_ratio", None)
    return CACHE_HIT if ratio is None else ratio


def _journey(
    bp: Blueprint,
    plan: Plan,
    svc: Service,
    route: Route,
    name: str,
    users: dict[str, float],
    routing: str,
    assumed: dict[str, str],
) -> JourneyLatency:
    op = _operation(route)
    cdn = plan.edge.cdn
    cacheable = cdn is not None and route.cache == "public" and op == "read"
    through = cdn is not None and (route.cache == "public" or cdn.dynamic.value == "through")
    hit = (cdn.hit_ratio or 0.0) if cacheable and cdn is not None else 0.0
    if cacheable and cdn is not None and cdn.hit_ratio is None:
        assumed["CDN hits: none counted"] = "edge.cdn.hit_ratio states the share of cached requests the edge answers"
    origin = 1.0 - hit
    chain = chain_services(bp, svc, route)
    stores = _route_stores(bp, plan, svc, route, chain)
    caches = [s for s in stores if isinstance(plan.store(s), CachePlan)]
    target = route.latency or bp.latency
    zones = plan.zones_per_region.value
    areas = []
    for area, share in users.items():
        serving = serving_region(plan, area, routing, through)
        front, entry = _front(area, serving, hit, through)
        hops = list(front)
        hops.append(_hop("load-balancer", origin, region=serving))
        for i, name_ in enumerate(chain):
            if zones > 1:
                hops.append(
                    _hop(
                        "cross-zone",
                        origin * (zones - 1) / zones,
                        what=f"to a task of {name_} in another zone ({zones - 1} of {zones} zones)",
                        region=serving,
                    )
                )
            callee = bp.service(name_)
            hops.append(
                _processing(callee, route if i == 0 else None).model_copy(update={"share": origin, "region": serving})
            )
        for store_name in stores:
            store = plan.store(store_name)
            store_op, calls = _store_use(bp, chain, store_name, op)
            if store_op is None:
                continue  # a consumer polls off the request path
            took = origin * min(1.0, calls)  # `calls: 0.1`: one call in ten requests (batches)
            if store.kind in ("relational", "key-value") and caches and store_op == "read":
                took *= 1 - _cache_hit(bp, caches[0])  # cache-aside: the store answers the misses
                if getattr(bp.store(caches[0]), "hit_ratio", None) is None:
                    index = next(k for k, s in enumerate(bp.datastores) if s.name == caches[0])
                    assumed[f"{caches[0]} answers {CACHE_HIT:.0%} of reads"] = f"datastores[{index}].hit_ratio"
            for _ in range(max(1, math.ceil(calls))):  # `calls: 3`: three calls, one after another
                hops += store_hops(store, store_op, serving, took, zones)
        areas.append(_area(area, share, serving, hops, entry, target, assumed))
    return _journey_of(name, op, cacheable and hit > 0, target, route.latency is not None, areas)


def _area(
    area: str,
    share: float,
    serving: str,
    hops: list[LatencyHop],
    entry: str,
    target: object,
    assumed: dict[str, str],
) -> AreaLatency:
    """One area's latency from its hops (and the assumptions they rest on, noted in `assumed`)."""
    for hop in hops:
        if hop.assumed and hop.key in HOPS:
            assumed[f"{HOPS[hop.key].what}: {hop.p50:g}/{hop.p99:g} ms"] = _where(hop.key)
    p50, p99 = compose(hops)
    first = _first(area, entry)
    f50, f99 = compose(first)
    return AreaLatency(
        area=area,
        share=share,
        serving=serving,
        hops=hops,
        p50=p50,
        p99=p99,
        first_request=first,
        first_p50=round(p50 + f50, 1),
        first_p99=round(p99 + f99, 1),
        met=_met(target, p50, p99),
    )


def _site(
    bp: Blueprint, plan: Plan, store: AnyStorePlan, users: dict[str, float], assumed: dict[str, str]
) -> JourneyLatency:
    """A static site: the edge answers the hits, the bucket (the primary's, failing over) the misses."""
    cdn = plan.edge.cdn
    assert cdn is not None
    hit = cdn.hit_ratio or 0.0
    if cdn.hit_ratio is None:
        assumed["CDN hits: none counted"] = "edge.cdn.hit_ratio states the share of cached requests the edge answers"
    areas = []
    for area, share in users.items():
        bucket = store.writer_region
        hops = [
            _hop("last-mile", region=area),
            _hop("cdn-hit", what="CloudFront at the edge near the user", region=area),
        ]
        if bucket != area:
            hops.append(wan(area, bucket, "the edge to the bucket's region", 1 - hit, store.name))
        hops.append(_hop("s3", 1 - hit, what=f"{store.name}: {HOPS['s3'].what}", region=bucket, store=store.name))
        areas.append(_area(area, share, bucket, hops, "edge", bp.latency, assumed))
    return _journey_of(f"{store.name}: GET /*", "read", hit > 0, bp.latency, False, areas)


def _journey_of(
    name: str, op: str, cached: bool, target: object, own: bool, areas: list[AreaLatency]
) -> JourneyLatency:
    p50 = getattr(target, "p50", None)
    p99 = getattr(target, "p99", None)
    judged = [a.met for a in areas if a.met is not None]
    return JourneyLatency(
        journey=name,
        operation="read" if op == "read" else "write",
        cached=cached,
        target_p50=p50,
        target_p99=p99,
        target_source="routes[].latency" if own else "latency" if target is not None else "none",
        areas=areas,
        met=all(judged) if judged else None,
    )


def _met(target: object, p50: float, p99: float) -> bool | None:
    if target is None:
        return None
    t50, t99 = getattr(target, "p50", None), getattr(target, "p99", None)
    return (t50 is None or p50 <= t50) and (t99 is None or p99 <= t99)


def _where(key: str) -> str:
    return "services[].routes[].processing" if key == "processing" else "fixed: blueprints/latency.py HOPS"


def excess(j: JourneyLatency, a: AreaLatency) -> float:
    """How far an area's latency is over its journey's target, ms (0 when met or no target)."""
    over = 0.0
    if j.target_p50 is not None:
        over += max(0.0, a.p50 - j.target_p50)
    if j.target_p99 is not None:
        over += max(0.0, a.p99 - j.target_p99)
    return round(over, 1)


def _worst(journeys: list[JourneyLatency]) -> tuple[str, str] | None:
    """(journey, area): the furthest over its target, else the slowest p99."""
    pairs = [(j, a) for j in journeys for a in j.areas]
    if not pairs:
        return None
    missed = [(j, a) for j, a in pairs if a.met is False]
    j, a = max(missed, key=lambda p: excess(*p)) if missed else max(pairs, key=lambda p: p[1].p99)
    return j.journey, a.area


def pacelc(plan: Plan, users: dict[str, float]) -> list[Pacelc]:
    """Each relational and key-value store's PACELC record, with what strong costs per area (at the
    median) over eventual on reads and on writes, from the serving regions of this plan."""
    routing = _routing(plan).value
    zones = plan.zones_per_region.value
    out = []
    for store in plan.datastores:
        if not isinstance(store, RelationalPlan | KeyValuePlan):
            continue
        reads: dict[str, float] = {}
        writes: dict[str, float] = {}
        saves = False  # the store's own choice is faster than strong somewhere
        for area in users:
            serving = serving_region(plan, area, routing)
            for op, into in (("read", reads), ("write", writes)):
                strong = compose(store_hops(store, op, serving, 1.0, zones, "strong"))[0]
                weak = compose(store_hops(store, op, serving, 1.0, zones, "eventual"))[0]
                own = compose(store_hops(store, op, serving, 1.0, zones))[0]
                into[area] = round(strong - weak, 1)
                saves = saves or own < strong
        consistency = store.consistency.value
        record = _record(store, consistency, saves)
        out.append(
            Pacelc(
                store=store.name,
                consistency=consistency,
                record=record,
                strong_read_ms=reads,
                strong_write_ms=writes,
                reason=_pacelc_reason(
                    store, record, consistency, any(v > 0 for v in (*reads.values(), *writes.values()))
                ),
            )
        )
    return out


def _record(store: RelationalPlan | KeyValuePlan, consistency: str, saves: bool) -> str:
    """PA or PC: whether a partition leaves it answering (multi-active tables, lagging replicas) or
    refusing (one writer, a strong set, strong reads); EL or EC: whether, with no partition, its own
    choice answers faster than strong would (from this plan's serving regions)."""
    if isinstance(store, KeyValuePlan) and len(store.regions) > 1:
        partition = "PC" if store.global_mode == "MRSC" else "PA"
    elif isinstance(store, RelationalPlan):
        partition = "PC"  # one writer: a partition from it stops writes
    else:
        partition = "PC" if consistency == "strong" else "PA"
    return f"{partition}/{'EL' if saves else 'EC'}"


def _pacelc_reason(store: RelationalPlan | KeyValuePlan, record: str, consistency: str, costs: bool) -> str:
    if record.endswith("EL"):
        said = "it answers from a nearer copy (latency) instead of paying what strong costs"
    elif costs:
        said = "it pays what strong costs (consistency)"
    else:
        said = "strong costs nothing more at the median here, so there is no latency to trade"
    in_a_set = isinstance(store, KeyValuePlan) and any(
        set(store.regions) <= set(members) and len(store.regions) == 3 for members in MRSC_REGION_SETS.values()
    )
    if (
        isinstance(store, KeyValuePlan)
        and len(store.regions) > 1
        and store.global_mode != "MRSC"
        and costs
        and not in_a_set
    ):
        said += (
            "; strong across these regions is a figure only: DynamoDB's strong global tables need 3 regions "
            "of one region set"
        )
    return f"{consistency}: else (no partition) {said} ({PACELC})"

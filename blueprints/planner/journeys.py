"""Availability per user journey: each public route's chain of parts, their SLA figures, the
estimate, and the system's weakest journey (HLD-RULES §2).

A journey is a public route (or the static site the CDN serves) and every part it crosses
synchronously: edge, load balancer, the services it calls, the stores they use (the route's own
`uses` where it names them). Regions of an active-active system are in parallel, global parts in
series; a multi-region active journey also pays for its regional failovers under a stated
assumption. A cacheable route served stale on error needs its origin only for the misses, at the
hit ratio the blueprint states.
"""

from __future__ import annotations

from blueprints import availability as av
from blueprints.consistency import journey_reads
from blueprints.figures import FIGURES_NOTE, MONTH_SECONDS, SETTINGS, SLAS, TIMINGS, YEAR_SECONDS
from blueprints.intent import Intent
from blueprints.model import Blueprint, ObjectStore, Route, Service
from blueprints.plan_model import AnyStorePlan, Availability, Budget, EdgePlan, FailoverCost, Journey, Part
from blueprints.planner.stores import route_stores


def part(key: str, component: str, scope: str) -> Part:
    sla = SLAS[key]
    return Part(
        component=component,
        sla=key,
        percent=sla.percent,
        scope=scope,
        source=sla.source,
        verified=sla.verified,
    )


def store_part(store: AnyStorePlan) -> Part:
    """The link a data store adds to the journeys that use it (its kind's planner chose the figure)."""
    return part(store.sla, store.chain_label, store.scope)


def pct(value: float) -> str:
    """A percentage as people write it: at most 4 decimals, no trailing zeros (99.96, not 99.960006)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def failover_cost(bp: Blueprint, intent: Intent) -> FailoverCost | None:
    """Regional failovers in an active-active design: detection plus the record's TTL, for the users of
    the lost region, `redundancy.failovers_per_year` times a year (a stated assumption)."""
    if not intent.active or not any(s.public for s in bp.services):
        return None  # a static site fails over inside the CDN (an origin group), not through DNS
    detect, ttl = TIMINGS["route53-health-detect"], TIMINGS["alias-ttl"]
    seconds = SETTINGS["health-check-interval"].value * SETTINGS["health-check-failures"].value + ttl.seconds
    per_year = bp.redundancy.failovers_per_year
    target_budget = (1 - bp.availability / 100) * MONTH_SECONDS
    return FailoverCost(
        seconds=seconds,
        per_year=per_year,
        share_of_month_budget=seconds / target_budget if target_budget else float("inf"),
        points=per_year * seconds / YEAR_SECONDS * 100,
        source=f"{detect.what} ({detect.source}), then {ttl.what.lower()} ({ttl.source})",
    )


def journeys(
    bp: Blueprint, intent: Intent, stores: list[AnyStorePlan], edge: EdgePlan, cost: FailoverCost | None = None
) -> list[Journey]:
    single = intent.level.value == "single-zone"
    by_name = {s.name: s for s in stores}
    public = [s for s in bp.services if s.public]
    out = []
    for svc in public or bp.services:
        front: list[Part] = []
        global_front: list[Part] = []
        if svc.public:
            front.append(part("elb-single-az" if single else "elb-multi-az", "load balancer", "regional"))
            if edge.waf:
                front.append(part("waf", "WAF (regional)", "regional"))
            if intent.multi_region or edge.domain:
                global_front.append(part("route53", "DNS", "global"))
        routes = svc.route_specs() or [
            Route(route="ANY /") if svc.public else Route.model_construct(route="(internal)")
        ]
        for route in routes:
            regional = list(front)
            global_parts = list(global_front)
            for name in chain_services(bp, svc, route):
                regional.append(part("ecs-single" if single else "ecs-multi-az", f"{name} (service)", "regional"))
            for name in sorted(route_stores(bp, svc, route)):
                link = store_part(by_name[name])
                (global_parts if link.scope == "global" else regional).append(link)
            cached = edge.cdn is not None and route.cache == "public"
            through = edge.cdn is not None and (cached or edge.cdn.dynamic.value == "through")
            if through:
                global_parts = [part("cloudfront", "CDN", "global"), *global_parts]
                if edge.waf:
                    global_parts.insert(1, part("waf", "WAF (edge)", "global"))
            n = len(intent.regions.value) if intent.active else 1
            reads = journey_reads(
                [by_name[s] for s in sorted(route_stores(bp, svc, route))],
                intent.multi_region,
                cached,
                edge.cdn.default_ttl if edge.cdn is not None else None,
            )
            out.append(
                _journey(
                    f"{svc.name}: {route.route}" if svc.public else f"{svc.name}: (internal)",
                    svc.name,
                    route.route if svc.public else "(internal)",
                    regional,
                    global_parts,
                    n,
                    _hit_ratio(edge) if cached else None,
                    cached,
                    cost,
                ).model_copy(update={"reads": reads})
            )
    for store in bp.datastores:
        if isinstance(store, ObjectStore) and store.public and edge.cdn is not None:
            regional = [store_part(by_name[store.name])]
            global_parts = [part("cloudfront", "CDN", "global")]
            if edge.waf:
                global_parts.append(part("waf", "WAF (edge)", "global"))
            if edge.domain:
                global_parts.append(part("route53", "DNS", "global"))
            n = len(intent.regions.value) if intent.multi_region else 1  # origin failover between buckets
            out.append(
                _journey(
                    f"{store.name}: GET /*",
                    store.name,
                    "GET /*",
                    regional,
                    global_parts,
                    n,
                    _hit_ratio(edge),
                    True,
                    None,
                )
            )
    return out


def _hit_ratio(edge: EdgePlan) -> float | None:
    """The origin counts only for misses when the CDN may serve stale on error and the blueprint
    states its hit ratio; otherwise no credit."""
    cdn = edge.cdn
    if cdn is None or cdn.hit_ratio is None or not cdn.stale_if_error:
        return None
    return cdn.hit_ratio


def _journey(
    name: str,
    service: str,
    route: str,
    regional: list[Part],
    global_parts: list[Part],
    n: int,
    hit: float | None,
    cached: bool,
    cost: FailoverCost | None,
) -> Journey:
    origin = av.parallel(*[av.series(*[p.percent / 100 for p in regional])] * n)
    if hit is not None:
        origin = hit + (1 - hit) * origin
    estimate = av.series(origin, *[p.percent / 100 for p in global_parts])
    chain = " x ".join(pct(p.percent) for p in regional)
    formula = f"({chain})" if n == 1 else f"1 - (1 - {chain})^{n}"
    if hit is not None:
        formula = f"({pct(hit * 100)}% hits + {pct(100 - hit * 100)}% misses x {formula})"
    if global_parts:
        formula += " x " + " x ".join(pct(p.percent) for p in global_parts)
    points = cost.points if cost is not None and n > 1 else 0.0
    if points:
        formula += f" - {pct(points)} (failovers)"
    return Journey(
        name=name,
        service=service,
        route=route,
        regional=regional,
        global_parts=global_parts,
        regions_in_parallel=n,
        estimate=round(estimate * 100 - points, 6),
        formula=formula,
        cached=cached,
        hit_ratio=hit,
        failover_cost=round(points, 6),
    )


def chain_services(bp: Blueprint, svc: Service, route: Route | None = None) -> list[str]:
    first = [e.name for e in svc.edges() if not e.async_ and bp.service(e.name)]
    if route is not None and route.uses is not None:
        first = [name for name in first if name in route.uses]
    order, stack = [svc.name], first
    while stack:
        name = stack.pop(0)
        if name in order:
            continue
        order.append(name)
        callee = bp.service(name)
        stack += [e.name for e in callee.edges() if not e.async_ and bp.service(e.name)] if callee else []
    return order


def budget(fraction: float) -> Budget:
    year, month, year_text, month_text = av.budget(fraction)
    return Budget(
        percent=round(fraction * 100, 6),
        per_year_seconds=round(year, 3),
        per_month_seconds=round(month, 3),
        per_year=year_text,
        per_month=month_text,
    )


def availability(bp: Blueprint, journeys: list[Journey], cost: FailoverCost | None = None) -> Availability:
    weakest = min(journeys, key=lambda j: j.estimate)
    target = bp.availability / 100
    estimate = weakest.estimate / 100
    met = av.meets(estimate, target)
    margin = weakest.estimate - bp.availability
    return Availability(
        target=bp.availability,
        estimate=weakest.estimate,
        met=met,
        margin=round(margin, 6) + 0.0,
        weakest=weakest.name,
        journeys=journeys,
        target_budget=budget(target),
        estimate_budget=budget(estimate),
        failover=cost,
        basis=FIGURES_NOTE,
    )

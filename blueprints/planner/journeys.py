"""Availability per user journey: each public route's chain of parts, their SLA figures, the
estimate, and the system's weakest journey (HLD-RULES §2)."""

from __future__ import annotations

from blueprints import availability as av
from blueprints.figures import FIGURES_NOTE, SLAS
from blueprints.intent import Intent
from blueprints.model import Blueprint, Service
from blueprints.plan_model import AnyStorePlan, Availability, Budget, EdgePlan, Journey, Part
from blueprints.planner.stores import chain_stores


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


def journeys(bp: Blueprint, intent: Intent, stores: list[AnyStorePlan], edge: EdgePlan) -> list[Journey]:
    single = intent.level.value == "single-zone"
    by_name = {s.name: s for s in stores}
    public = [s for s in bp.services if s.public]
    out = []
    for svc in public or bp.services:
        regional: list[Part] = []
        global_parts: list[Part] = []
        if svc.public:
            regional.append(part("elb-single-az" if single else "elb-multi-az", "load balancer", "regional"))
            if edge.waf:
                regional.append(part("waf", "WAF (regional)", "regional"))
            if edge.cdn and edge.cdn.dynamic.value == "through":
                global_parts.append(part("cloudfront", "CDN", "global"))
                if edge.waf:
                    global_parts.append(part("waf", "WAF (edge)", "global"))
            if intent.multi_region or edge.domain:
                global_parts.append(part("route53", "DNS", "global"))
        for name in chain_services(bp, svc):
            regional.append(part("ecs-single" if single else "ecs-multi-az", f"{name} (service)", "regional"))
        for name in sorted(chain_stores(bp, svc, set())):
            link = store_part(by_name[name])
            (global_parts if link.scope == "global" else regional).append(link)
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


def chain_services(bp: Blueprint, svc: Service) -> list[str]:
    order, stack = [], [svc.name]
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


def availability(bp: Blueprint, journeys: list[Journey]) -> Availability:
    weakest = min(journeys, key=lambda j: j.estimate)
    target = bp.availability / 100
    estimate = weakest.estimate / 100
    return Availability(
        target=bp.availability,
        estimate=weakest.estimate,
        met=av.meets(estimate, target),
        weakest=weakest.name,
        journeys=journeys,
        target_budget=budget(target),
        estimate_budget=budget(estimate),
        basis=FIGURES_NOTE,
    )

"""The edge: CDN (and whether dynamic routes go through it), WAF, DNS routing, certificates."""

from __future__ import annotations

from blueprints.figures import SLAS
from blueprints.intent import Intent
from blueprints.model import Blueprint
from blueprints.plan_model import CdnPlan, Decided, EdgePlan, ListenerRule, ServicePlan
from blueprints.routing import path_pattern


def edge(bp: Blueprint, intent: Intent) -> EdgePlan:
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


def listener_rules(services: list[ServicePlan]) -> list[ListenerRule]:
    """The load balancers' routing: one rule per distinct public path pattern, most specific first,
    each owned by the first service that claims it. The first public service's health path comes
    first, so regional health checks reach a real health endpoint."""
    public = [s for s in services if s.public]
    if not public:
        return []
    patterns: list[tuple[str, str]] = [(public[0].name, public[0].health)]
    for svc in public:
        for route in svc.routes or ["ANY /*"]:
            pattern = path_pattern(route)
            if (svc.name, pattern) not in patterns:
                patterns.append((svc.name, pattern))
    head, rest = patterns[:1], patterns[1:]
    rest.sort(key=lambda p: (p[1].count("*") > 0, -len(p[1].replace("*", "")), p[1], p[0]))
    seen: set[str] = set()
    out: list[ListenerRule] = []
    for owner, pattern in head + rest:
        if pattern in seen:  # two services claim one path: the first, most specific, wins
            continue
        seen.add(pattern)
        out.append(ListenerRule(service=owner, pattern=pattern, priority=10 * (len(out) + 1)))
    return out

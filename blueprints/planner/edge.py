"""The edge: CDN (what it caches, whether dynamic routes go through it, what it serves), WAF, DNS
routing and health probes, certificates, load-balancer routing and timeouts."""

from __future__ import annotations

from blueprints.figures import SETTINGS, SLAS
from blueprints.intent import Intent
from blueprints.model import Blueprint, ObjectStore
from blueprints.plan_model import CdnPlan, Decided, EdgePlan, ListenerRule, ServicePlan
from blueprints.routing import path_pattern

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE", "ANY")
BODY_METHODS = ("POST", "PUT", "PATCH")
"""Methods whose requests carry a body the service accepts (the WAF's 8 KB body rule spares them)."""


def through_ceiling(waf: bool) -> float:
    """The most a journey through the CDN can reach, in percent: CloudFront's SLA, in series with
    the WAF's on the distribution when there is one (every other part only lowers it)."""
    ceiling = SLAS["cloudfront"].percent / 100
    if waf:
        ceiling *= SLAS["waf"].percent / 100
    return round(ceiling * 100, 6)


def through_text(waf: bool) -> str:
    """`through_ceiling` in words, with its figures."""
    cdn = f"CloudFront's {SLAS['cloudfront'].percent}% SLA"
    if not waf:
        return cdn
    return f"{cdn} x the WAF's {SLAS['waf'].percent}% ({through_ceiling(waf):.4g}%)"


def edge(bp: Blueprint, intent: Intent) -> EdgePlan:
    edge = bp.edge
    public = [s for s in bp.services if s.public]
    sites = [s.name for s in bp.datastores if isinstance(s, ObjectStore) and s.public]
    cdn_plan = None
    if edge.cdn:
        cdn = edge.cdn
        cap = SLAS["cloudfront"]
        dynamic: Decided[str]
        if cdn.dynamic:
            dynamic = Decided(value=cdn.dynamic, reason="set in the blueprint", derived=False)
        elif not public:
            ceiling = through_ceiling(edge.waf)
            dynamic = Decided(
                value="bypass",
                reason="no services: the CDN serves the public object store only; its journey is capped at "
                + through_text(edge.waf)
                + (
                    f", below the target {bp.availability}%: no redundancy level reaches it"
                    if bp.availability >= ceiling
                    else ""
                ),
            )
        elif bp.availability >= through_ceiling(edge.waf):
            dynamic = Decided(
                value="bypass",
                reason=f"target {bp.availability}% is at or above {through_text(edge.waf)}, which caps every "
                "journey through it (the rest of the chain only lowers it), so going through would make the "
                "target unreachable: dynamic routes resolve straight to the load balancers; the CDN serves "
                "the routes marked `cache: public`",
            )
        else:
            dynamic = Decided(
                value="through",
                reason=f"target {bp.availability}% is below {through_text(edge.waf)}, the most a journey "
                "through the CDN can reach",
            )
        directives = [f"max-age={cdn.default_ttl}"]
        if cdn.stale_while_revalidate is not None:
            directives.append(f"stale-while-revalidate={cdn.stale_while_revalidate}")
        if cdn.stale_if_error is not None:
            directives.append(f"stale-if-error={cdn.stale_if_error}")
        routes = [r for s in public for r in s.route_specs()]
        if dynamic.value == "bypass" and public and not any(r.cache == "public" for r in routes):
            dynamic = dynamic.model_copy(
                update={
                    "reason": dynamic.reason
                    + " (none is yet: mark the GET routes whose responses any user may share; each then "
                    f"counts CloudFront's {cap.percent}% in its journey)"
                }
            )
        cdn_plan = CdnPlan(
            min_ttl=cdn.min_ttl,
            default_ttl=cdn.default_ttl,
            max_ttl=cdn.max_ttl,
            compress=cdn.compress,
            origin_shield=cdn.origin_shield,
            dynamic=dynamic,
            cache_control=", ".join(directives),
            origin_failover=intent.multi_region,
            cached=sorted({path_pattern(r.route) for r in routes if r.cache == "public"}),
            writes=sorted({path_pattern(r.route) for r in routes if r.method in WRITE_METHODS}),
            hit_ratio=cdn.hit_ratio,
            stale_if_error=cdn.stale_if_error,
            site=sites[0] if sites else None,
        )
    waf: Decided[str] | None = None
    waf_body_methods: list[str] = []
    if edge.waf:
        where = "on each region's load balancer" if public else "on the CloudFront distribution"
        if edge.cdn and public:
            where = (
                "on the CloudFront distribution and on each region's load balancer (the load balancers stay "
                "reachable without the CDN: origin names, health checks"
                + (", dynamic traffic)" if cdn_plan and cdn_plan.dynamic.value == "bypass" else ")")
            )
        bodies = sorted({r.method for s in public for r in s.route_specs() if r.method in BODY_METHODS})
        reason = "edge.waf: true (AWS managed common rule set, known bad inputs)"
        if bodies:
            reason += (
                f"; the common rule set blocks request bodies over 8 KB (SizeRestrictions_BODY), which would "
                f"break the write routes: that rule only counts, and a rule after it blocks large bodies on "
                f"every method but {', '.join(bodies)}"
            )
        waf = Decided(value=where, reason=reason)
        waf_body_methods = bodies
    dns: Decided[str] | None = None
    if edge.domain and intent.multi_region and public:
        policy = "latency" if intent.active else "failover"
        dns = Decided(
            value=policy,
            reason=(
                "active-active: each user goes to the nearest healthy region"
                if intent.active
                else "passive: primary, standby on health-check failure"
            )
            + "; a region is healthy while every public service's health probe answers (a calculated "
            "Route 53 health check over one HTTPS probe per service)",
        )
    elif edge.domain:
        dns = Decided(value="simple", reason="one region: an alias record to the entry point")
    domain = edge.domain
    tls = bp.security.tls == "required"
    certificate: Decided[str] | None = None
    if domain and tls:
        certificate = Decided(
            value=f"ACM certificate for {domain} and *.{domain}, DNS-validated in the hosted zone",
            reason="TLS in transit: the load balancers and CloudFront terminate HTTPS with it",
        )
    bypass = cdn_plan is not None and cdn_plan.dynamic.value == "bypass"
    long_lived = [s.name for s in public if s.connections == "long-lived"]
    idle = SETTINGS["idle-timeout-long-lived" if long_lived else "idle-timeout"]
    return EdgePlan(
        idle_timeout_seconds=Decided(
            value=idle.value,
            reason=f"{', '.join(long_lived)} hold long-lived connections: {idle.why}" if long_lived else idle.why,
        ),
        cdn=cdn_plan,
        waf=waf,
        waf_body_methods=waf_body_methods,
        domain=domain,
        hosted_zone=edge.hosted_zone,
        dns=dns,
        tls=tls,
        certificate=certificate,
        needs_domain=tls and domain is None and bool(public or sites),
        api_host=domain if public else None,
        cdn_host=(f"cdn.{domain}" if bypass and public else domain) if domain and cdn_plan else None,
        origin_hosts={r: f"origin-{r}.{domain}" for r in intent.regions.value} if domain and public else {},
    )


def listener_rules(services: list[ServicePlan]) -> list[ListenerRule]:
    """The load balancers' routing: a probe rule per public service first (its health path with
    `?hld-probe=<service>`, so health checks reach every service), then one rule per distinct
    public path pattern, most specific first, owned by the first service that claims it."""
    public = [s for s in services if s.public]
    out = [
        ListenerRule(service=svc.name, pattern=svc.health, priority=10 * (i + 1), probe=True)
        for i, svc in enumerate(public)
    ]
    patterns: list[tuple[str, str]] = []
    for svc in public:
        for route in svc.routes or []:
            pattern = path_pattern(route.route)
            if (svc.name, pattern) not in patterns:
                patterns.append((svc.name, pattern))
        if not svc.routes and (svc.name, "/*") not in patterns:
            patterns.append((svc.name, "/*"))
    patterns.sort(key=lambda p: (p[1].count("*") > 0, -len(p[1].replace("*", "")), p[1], p[0]))
    seen: set[str] = set()
    for owner, pattern in patterns:
        if pattern in seen:  # two services claim one path: the first, most specific, wins
            continue
        seen.add(pattern)
        out.append(ListenerRule(service=owner, pattern=pattern, priority=10 * (len(out) + 1)))
    return out

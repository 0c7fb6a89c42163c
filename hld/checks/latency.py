"""The deployed routing keeps the assumptions the latency estimate made (blueprints.planner.latency).

The estimate's assumptions are its hops (plan.latency.journeys[].areas[].hops): the region whose load
balancer each users' area reaches (its `load-balancer` hop; a static site's, its bucket's), each data
store call in the region that answers it, and the edge in front of a route it counted as cached. Each
check reads what is deployed and recomputes where a request goes, never the plan's `routing`,
`serving` or `cached` reasons for it:

    latency-routing  what Route 53 (latency, failover or simple records on the API name) or
                     CloudFront (a behaviour's origin, an origin group's primary) sends each area's
                     users to, against the region each hop list assumed
    latency-reads    every store call the estimate answered in a region has that store's copy there
                     that can answer it (a replica with instances, a table replica, a cache, a queue)
    latency-cache    every route the estimate counted CDN hits for has a CloudFront behaviour that
                     caches it (its method cached, TTLs over zero), and a name that reaches the CDN
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from blueprints.latency import nearest
from blueprints.plan_model import AreaLatency, JourneyLatency, LatencyPlan, Plan
from hld.checks.facts import holders
from hld.checks.registry import Check, NotApplicable, Run
from hld.graph import Graph, Resource, dig, first, value

RECORD = "aws:route53/record:Record"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy"
MANAGED_POLICIES = {
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": ("Managed-CachingDisabled", 0, 0),
    "658327ea-f89d-4fab-a63d-7e88639e58f6": ("Managed-CachingOptimized", 86400, 31536000),
}
"""AWS's managed cache policies by id: (name, default TTL, max TTL), from the CloudFront developer
guide, "Use managed cache policies"."""
STORE_CALLS = ("relational-read", "relational-write", "dynamodb", "mrsc", "elasticache", "s3", "sqs")
"""The hop keys of a call answered by a store's copy in the hop's region (`wan` is the round trip there,
`cross-zone` the hop to a zonal node: neither is a copy)."""
MAX_ALIASES = 4
"""How many names an alias chain may follow before it is read as a loop."""


# --- reading the estimate's assumptions ---------------------------------------------------------


def _estimate(plan: Plan) -> LatencyPlan:
    if plan.latency is None:
        raise NotApplicable("the plan has no latency estimate")
    return plan.latency


def _route(journey: JourneyLatency) -> tuple[str, str]:
    """(method, path) of a journey named `service: METHOD /path`."""
    method, _, path = journey.journey.partition(": ")[2].partition(" ")
    return method, path


def _sample(path: str) -> str:
    """A request path of the route: each `{parameter}` as one path segment."""
    return re.sub(r"\{[^}]*\}", "hld-sample", path)


def _assumed_entry(area: AreaLatency) -> str | None:
    """The region the estimate counted this area's requests in: its load balancer's (a static site: the
    bucket the edge reads on a miss)."""
    lb = next((h.region for h in area.hops if h.key == "load-balancer"), None)
    return lb or next((h.region for h in area.hops if h.key == "s3"), None)


def _through_edge(area: AreaLatency) -> bool:
    return any(h.key == "cdn-hit" for h in area.hops)


# --- where a name sends a user ------------------------------------------------------------------


def _host(name: Any) -> str:
    return str(name or "").lower().rstrip(".").removeprefix("dualstack.")


def _records(g: Graph, host: str) -> list[Resource]:
    return [r for r in g.of(RECORD) if _host(value(r, "name")) == host and value(r, "type") in ("A", "AAAA", "CNAME")]


def _targets(record: Resource) -> list[str]:
    return [_host(dig(a, "name")) for a in value(record, "aliases") or []] + [
        _host(x) for x in value(record, "records") or []
    ]


def _latency_region(record: Resource) -> str | None:
    policy = first(value(record, "latency_routing_policies"))
    return str(dig(policy, "region")) if policy else None


def _failover_role(record: Resource) -> str | None:
    policy = first(value(record, "failover_routing_policies"))
    return str(dig(policy, "type")) if policy else None


def _policy(record: Resource) -> str:
    if _latency_region(record):
        return "latency"
    if _failover_role(record):
        return "failover"
    for other in ("weighted", "geolocation", "geoproximity", "cidr"):
        if value(record, f"{other}_routing_policies"):
            return other
    return "simple"


def resolve(g: Graph, host: str, area: str, depth: int = 0) -> tuple[str | None, str]:
    """(region, why): the region of the load balancer or bucket a user nearest `area` reaches through
    `host` while every region is healthy (latency records: the nearest of their regions; failover: the
    PRIMARY; simple: its one target), or (None, why it cannot be read)."""
    for lb in g.of("aws:lb/loadBalancer:LoadBalancer"):
        if _host(value(lb, "dns_name")) == host:
            return lb.region, f"{lb.name} in {lb.region}"
    for bucket in g.of("aws:s3/bucket:Bucket"):
        if _host(value(bucket, "bucket_regional_domain_name")) == host:
            return bucket.region, f"{bucket.name} in {bucket.region}"
    records = _records(g, host)
    if not records or depth >= MAX_ALIASES:
        return None, f"{host} names nothing of this stack"
    policies = {_policy(r) for r in records}
    chosen: Resource | None
    if policies == {"latency"}:
        by_region = {str(_latency_region(r)): r for r in records}
        try:
            chosen = by_region[nearest(area, sorted(by_region))]
        except KeyError:  # a region hld has no round trips for
            return None, f"no round trip known from {area} to {', '.join(sorted(by_region))}"
    elif policies == {"failover"}:
        chosen = next((r for r in records if _failover_role(r) == "PRIMARY"), None)
    elif policies == {"simple"} and len(records) == 1:
        chosen = records[0]
    else:
        return None, f"{host} has {', '.join(sorted(policies))} records: which one answers is not readable"
    if chosen is None:
        return None, f"{host}: no record answers while every region is healthy"
    for target in _targets(chosen):
        region, why = resolve(g, target, area, depth + 1)
        if region is not None:
            return region, f"{chosen.name} -> {why}"
    return None, f"{chosen.name} points at nothing of this stack"


# --- the CDN's behaviour for a path -------------------------------------------------------------


def _matches(path: str, pattern: str) -> bool:
    """CloudFront's path-pattern match: case-sensitive, `*` any characters (with `/`), `?` one."""
    pattern = pattern if pattern.startswith("/") else "/" + pattern
    return fnmatch.fnmatchcase(path, pattern.replace("[", "[[]"))


def behaviour(dist: Resource, path: str) -> dict[str, Any]:
    """The cache behaviour CloudFront applies to `path`: the first ordered one whose pattern matches,
    else the default."""
    for b in value(dist, "ordered_cache_behaviors") or []:
        if _matches(path, str(dig(b, "path_pattern"))):
            return dict(b)
    return dict(first(value(dist, "default_cache_behavior")) or {})


def _origin_region(g: Graph, dist: Resource, target: str, area: str) -> tuple[str | None, str]:
    """Where the behaviour's origin is: an origin group's first member while it answers (the group
    fails over on errors only)."""
    for group in value(dist, "origin_groups") or []:
        if str(dig(group, "origin_id")) == target:
            members = dig(group, "members") or []
            target = str(dig(members, 0, "origin_id"))
            break
    origin = next((o for o in value(dist, "origins") or [] if str(dig(o, "origin_id")) == target), None)
    if origin is None:
        return None, f"{dist.name}: no origin {target}"
    region, why = resolve(g, _host(dig(origin, "domain_name")), area)
    return region, f"{dist.name} origin {target} -> {why}"


def _reached(g: Graph, plan: Plan, journey: JourneyLatency, area: AreaLatency) -> tuple[str | None, str]:
    """The region the deployed names send this area's requests of this journey to."""
    if _through_edge(area):
        dists = g.of(DISTRIBUTION)
        if not dists:
            return None, "no CloudFront distribution, yet the estimate counts the edge"
        path = _sample(_route(journey)[1])
        b = behaviour(dists[0], path)
        return _origin_region(g, dists[0], str(dig(b, "target_origin_id")), area.area)
    host = plan.edge.api_host
    if host:
        return resolve(g, _host(host), area.area)
    regions = sorted({str(lb.region) for lb in g.of("aws:lb/loadBalancer:LoadBalancer") if not value(lb, "internal")})
    if len(regions) == 1:
        return regions[0], f"the one public load balancer, in {regions[0]}"
    return None, "no public name: users reach whichever load balancer they are given"


# --- the records on the API name ----------------------------------------------------------------


def _api_records(g: Graph, plan: Plan) -> list[str]:
    """What is wrong with the API name's records for the routing the estimate assumed: latency records,
    each on its own region's load balancer, and nothing else on the name; or, where the estimate sends
    everyone to the primary, no latency record. (That each record's health check probes its region is
    `dns-failover`'s and `probes`' to prove.)"""
    host = plan.edge.api_host
    if not host:
        return []
    routing = _estimate(plan).routing.value
    records = _records(g, _host(host))
    out = []
    if routing != "latency":
        return [
            f"{r.name}: a latency record for {host} ({_latency_region(r)}), yet the estimate sends every user "
            f"to the primary ({plan.primary_region})"
            for r in records
            if _latency_region(r)
        ]
    for r in records:
        region = _latency_region(r)
        if region is None:
            out.append(
                f"{r.name}: a {_policy(r)} record for {host} beside latency routing: it answers users the "
                "estimate sends to their nearest region"
            )
            continue
        reached: list[str] = [x for x in (resolve(g, t, region)[0] for t in _targets(r)) if x]
        if reached != [region]:
            out.append(f"{r.name}: the latency record for {region} points at {reached or 'nothing'}, not {region}")
    return out


def latency_routing(run: Run) -> tuple[list[str], str]:
    """Every users' area reaches the region the latency estimate counted its requests in: for each
    journey and area, what the deployed names send those users to (the API name's Route 53 records:
    the nearest latency record's region, a failover pair's primary, a simple record's target; a route
    through the CDN: its behaviour's origin, an origin group's first member), recomputed from the
    records, against the region of the estimate's load-balancer hop. Under latency routing every record
    of the API name is a latency record on its own region's load balancer; where the estimate sends
    everyone to the primary, none is a latency record."""
    plan, g = run.plan, run.graph
    estimate = _estimate(plan)
    if not estimate.journeys:
        raise NotApplicable("no public journey")
    out = _api_records(g, plan)
    proven, unread = 0, []
    for j in estimate.journeys:
        for a in j.areas:
            assumed = _assumed_entry(a)
            if assumed is None:
                continue
            region, why = _reached(g, plan, j, a)
            if region is None:
                unread.append(f"{j.journey} from {a.area}: {why}")
            elif region != assumed:
                out.append(
                    f"{j.journey} from {a.area}: the estimate counts its requests in {assumed}, the deployed "
                    f"routing sends them to {region} ({why})"
                )
            else:
                proven += 1
    detail = f"{proven} journey-areas reach the region the estimate counted them in ({estimate.routing.value} routing)"
    if unread:
        detail += f"; not readable from state: {'; '.join(unread)}"
    return out, detail


# --- the stores' copies -------------------------------------------------------------------------


def _rds_writer(rs: dict[str, list[Resource]], region: str) -> Resource | None:
    """The deployed writer in `region` (where the estimate sends the store's writes): an instance that
    replicates nothing, or an Aurora cluster created with the credentials (a global database's
    secondaries take them from it)."""
    instances = [i for i in rs.get("aws:rds/instance:Instance", []) if not value(i, "replicate_source_db")]
    clusters = [c for c in rs.get("aws:rds/cluster:Cluster", []) if value(c, "master_username")]
    return next((w for w in instances + clusters if w.region == region), None)


def _cluster_instances(g: Graph, cluster: Resource) -> list[Resource]:
    return [
        i
        for i in g.of("aws:rds/clusterInstance:ClusterInstance")
        if i.region == cluster.region
        and value(i, "cluster_identifier") in (cluster.id, value(cluster, "cluster_identifier"))
    ]


def _relational_copy(g: Graph, rs: dict[str, list[Resource]], writes_to: str, op: str, region: str) -> str:
    """Why no copy of a relational store whose writes go to `writes_to` answers `op` in `region` (''
    when one does)."""
    writer = _rds_writer(rs, writes_to)
    if writer is None:
        return f"no writer in {writes_to}"
    if writer.region == region:
        if writer.type.endswith(":Cluster") and not _cluster_instances(g, writer):
            return f"its writer cluster {writer.name} has no instance"
        return ""
    if op == "write":
        return f"its writer is in {writer.region}"
    sources = {str(value(writer, "arn")), writer.id, str(value(writer, "identifier"))}
    replicas = [
        i
        for i in rs.get("aws:rds/instance:Instance", [])
        if i.region == region and str(value(i, "replicate_source_db")) in sources
    ]
    joined = str(value(writer, "global_cluster_identifier") or "")
    secondaries = [
        c
        for c in rs.get("aws:rds/cluster:Cluster", [])
        if c.region == region and joined and str(value(c, "global_cluster_identifier")) == joined
    ]
    if replicas or any(_cluster_instances(g, c) for c in secondaries):
        return ""
    if secondaries:
        return f"its secondary cluster {secondaries[0].name} has no instance to read from"
    return f"no read replica of the {writer.region} writer in {region}"


def _copy(g: Graph, plan: Plan, store_name: str, key: str, region: str) -> str:
    """Why the store's copy in `region` cannot answer a call of kind `key` ('' when it can)."""
    store = plan.store(store_name)
    rs = holders(plan, g, store)
    if key.startswith("relational-"):
        return _relational_copy(g, rs, store.writer_region, key.removeprefix("relational-"), region)
    kinds = {
        "dynamodb": "aws:dynamodb/table:Table",
        "mrsc": "aws:dynamodb/table:Table",
        "elasticache": "aws:elasticache/replicationGroup:ReplicationGroup",
        "s3": "aws:s3/bucket:Bucket",
        "sqs": "aws:sqs/queue:Queue",
    }
    found = [r for r in rs.get(kinds[key], []) if "-dlq-" not in r.name]
    if key in ("dynamodb", "mrsc"):
        held = {str(t.region) for t in found} | {
            str(dig(x, "region_name")) for t in found for x in value(t, "replicas") or []
        }
        return "" if region in held else f"its table has no replica in {region} (held in {sorted(held)})"
    return "" if any(r.region == region for r in found) else f"no {kinds[key].rsplit(':', 1)[-1]} in {region}"


def latency_reads(run: Run) -> tuple[list[str], str]:
    """Every data store call the latency estimate answered in a region has that store's copy deployed
    there that can answer it: a relational write the writer (an instance replicating nothing, or the
    Aurora cluster holding the credentials, with an instance); a relational read in another region a
    read replica of that writer or a global database secondary there with an instance; a DynamoDB call
    the table or its replica in that region; a cache, queue or bucket call one in that region. A call
    the estimate sent to another region pays its round trip there (a `wan` hop) and is checked where
    it lands."""
    plan, g = run.plan, run.graph
    calls: dict[tuple[str, str, str], list[str]] = {}
    for j in _estimate(plan).journeys:
        for a in j.areas:
            for h in a.hops:
                if h.store and h.region and h.key in STORE_CALLS:
                    calls.setdefault((h.store, h.key, h.region), []).append(f"{j.journey} from {a.area}")
    if not calls:
        raise NotApplicable("no journey calls a data store")
    out = []
    for (store, key, region), where in sorted(calls.items()):
        why = _copy(g, plan, store, key, region)
        if why:
            out.append(f"{store}: the estimate answers its {key} calls in {region} ({where[0]}), but {why}")
    return out, f"{len(calls)} store calls each answered by the store's copy in the region the estimate counted"


# --- the CDN caches what the estimate counted as hits --------------------------------------------


def _ttls(g: Graph, b: dict[str, Any]) -> tuple[float, float] | str:
    """(default, max) TTL of a behaviour: its cache policy's (this stack's, or AWS-managed), or the
    legacy TTLs on the behaviour; a string when they cannot be read."""
    policy_id = dig(b, "cache_policy_id")
    if not policy_id:
        return float(dig(b, "default_ttl") or 0), float(dig(b, "max_ttl") or 0)
    if str(policy_id) in MANAGED_POLICIES:
        _, default, most = MANAGED_POLICIES[str(policy_id)]
        return float(default), float(most)
    for p in g.of(CACHE_POLICY):
        if str(policy_id) in (p.id, str(value(p, "id")), str(value(p, "name"))):
            return float(value(p, "default_ttl") or 0), float(value(p, "max_ttl") or 0)
    return f"cache policy {policy_id} is neither this stack's nor an AWS-managed one hld knows: TTLs not readable"


def _caches(g: Graph, dist: Resource, method: str, path: str) -> str:
    """Why the distribution does not cache `method path` ('' when it does)."""
    b = behaviour(dist, path)
    where = f"{dist.name} behaviour {dig(b, 'path_pattern') or 'default'}"
    if method not in (dig(b, "allowed_methods") or []) or method not in (dig(b, "cached_methods") or []):
        return f"{where} does not cache {method}"
    ttls = _ttls(g, b)
    if isinstance(ttls, str):
        return f"{where}: {ttls}"
    default, most = ttls
    if default <= 0 or most <= 0:
        return f"{where} caches nothing (default TTL {default:g} s, max TTL {most:g} s)"
    return ""


def latency_cache(run: Run) -> tuple[list[str], str]:
    """Every route the latency estimate counted CDN hits for is cached at the edge: the CloudFront
    behaviour CloudFront applies to the route's path (the first ordered pattern that matches, else the
    default) allows and caches its method, under a cache policy whose default and max TTLs are over
    zero; and, with a domain, a Route 53 name of this stack aliases the distribution (users reach it)."""
    plan, g = run.plan, run.graph
    cached = [j for j in _estimate(plan).journeys if j.cached]
    if not cached:
        raise NotApplicable("the estimate counts no CDN hits (no cacheable route with edge.cdn.hit_ratio)")
    dists = g.of(DISTRIBUTION)
    if not dists:
        return [f"{j.journey}: no CloudFront distribution, yet the estimate counts its CDN hits" for j in cached], ""
    out = []
    for j in cached:
        method, path = _route(j)
        whys = [_caches(g, d, method, _sample(path)) for d in dists]
        if all(whys):
            out.append(f"{j.journey}: counted as cached, but {whys[0]}")
    if plan.edge.domain:
        names = {_host(value(d, "domain_name")) for d in dists}
        if not any(set(_targets(r)) & names for r in g.of(RECORD)):
            out.append(
                f"no Route 53 record of {plan.edge.domain} aliases the distribution: users never reach its cache"
            )
    return out, f"{len(cached)} cached routes each cached at the edge with TTLs over zero"


CHECKS: tuple[Check, ...] = (
    Check("latency-routing", "Every area reaches the region the latency estimate counts it in", None, latency_routing),
    Check("latency-reads", "Every store call the latency estimate counts has its copy there", None, latency_reads),
    Check("latency-cache", "Every route the latency estimate counts as cached is cached", None, latency_cache),
)

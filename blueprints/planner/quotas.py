"""The AWS quotas a plan needs, per region (and once for the account's global services), at the
static-stability minimum and at the autoscaling maximum, beside AWS's figures (blueprints.quotas).

Counted from the plan's decisions as the aws target turns them into resources: Fargate vCPU from
each service's replicas and task size, an Elastic IP per NAT gateway, a VPC, load balancer, target
group and listener rules where public services run, DB instances, cache nodes and tables per store
copy, a certificate per load balancer (and CloudFront's in us-east-1), a distribution and its cache
behaviors for the CDN. A need above its quota is a warning with the request that raises it: AWS
grants increases, so the design stands and `hld plan` still succeeds."""

from __future__ import annotations

import math

from blueprints.plan_model import CachePlan, KeyValuePlan, Plan, QuotaNeed, Quotas, RelationalPlan
from blueprints.quotas import CHECKED, CLOUDFRONT_VERIFICATION, QUOTAS

DEPLOYMENT_MAXIMUM_PERCENT = 200
"""ECS rolling deployments start a service's new tasks before stopping the old (the aws target's
deploymentMaximumPercent): while one service deploys, its tasks run twice."""

CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"
"""CloudFront uses ACM certificates from us-east-1 only."""


def quotas(plan: Plan) -> Quotas:
    needs: list[QuotaNeed] = []

    def need(key: str, region: str, low: float, high: float | None, how: str) -> None:
        high = low if high is None else high
        if high <= 0:
            return
        limit = QUOTAS[key].threshold
        needs.append(
            QuotaNeed(
                quota=key,
                region=region,
                minimum=round(low, 2),
                maximum=round(high, 2),
                limit=limit,
                over=high > limit,
                how=how,
            )
        )

    public = [s for s in plan.services if s.public]
    certified: set[str] = set()
    for region in plan.regions.value:
        net = plan.network(region)
        primary = region == plan.primary_region
        tasks = [(s, c) for s in plan.services for c in s.capacity.value if c.region == region]
        need(
            "fargate-vcpu",
            region,
            sum(c.min_replicas * s.task_cpu.value for s, c in tasks) / 1024,
            sum(c.max_replicas * s.task_cpu.value for s, c in tasks) / 1024,
            "tasks x task CPU units / 1024, summed over the services: "
            + ", ".join(f"{s.name} {c.min_replicas}..{c.max_replicas} x {s.task_cpu.value}" for s, c in tasks),
        )
        if net.vpc:
            need("vpcs", region, 1, None, "one VPC per region")
        nat = net.nat_gateways.value
        need("eips", region, nat, None, f"an Elastic IP per NAT gateway ({net.nat_gateways.reason})")
        need("nat-per-zone", region, math.ceil(nat / max(len(net.zones), 1)), None, "NAT gateways in one zone")
        vpc_stores = [
            s for s in plan.datastores if s.in_vpc and region in s.regions and (primary or not s.single_writer)
        ]
        serving = bool(plan.services)
        if serving:
            replicas = [
                s.name
                for s in plan.datastores
                if isinstance(s, RelationalPlan) and region in s.regions and region != s.writer_region
            ]
            groups = (1 if public else 0) + len(plan.services) + len(vpc_stores) + len(replicas)
            need(
                "security-groups",
                region,
                groups,
                None,
                "one per service, the load balancer, each store in the VPC and each database copy of another region",
            )
            role, rules = _busiest_group(plan, region, [s.name for s in vpc_stores], replicas)
            need("sg-rules", region, rules, None, f"the busiest security group ({role}), inbound or outbound")
        if serving and public:
            need("albs", region, 1, None, "one load balancer per region for the public services")
            need("target-groups", region, len(public), None, "one per public service")
            need(
                "listener-rules", region, len(plan.routing), None, "a rule per public path pattern and per health probe"
            )
            if plan.edge.certificate:
                certified.add(region)
        db_instances = 0
        for s in plan.datastores:
            if isinstance(s, RelationalPlan) and region in s.regions:
                aurora = "aurora" in s.engine.value
                if region == s.writer_region:
                    db_instances += 1 + s.read_replicas
                else:
                    db_instances += 1 + (1 if aurora and s.multi_az else 0)
        need("db-instances", region, db_instances, None, "writers and replicas (a Multi-AZ standby is not one)")
        clusters = sum(
            1
            for s in plan.datastores
            if isinstance(s, RelationalPlan) and "aurora" in s.engine.value and region in s.regions
        )
        need("db-clusters", region, clusters, None, "one Aurora cluster per store copy")
        nodes = sum(1 + s.read_replicas for s in plan.datastores if isinstance(s, CachePlan) and region in s.regions)
        need("cache-nodes", region, nodes, None, "a primary and its replicas per cache")
        tables = sum(1 for s in plan.datastores if isinstance(s, KeyValuePlan) and region in s.regions)
        need("dynamodb-tables", region, tables, None, "a table (or global table replica) per key-value store")
        need("kms-keys", region, 1, None, "the region's encryption key")
    cdn = plan.edge.cdn
    distribution = cdn is not None and (bool(public) or cdn.site is not None)
    if distribution and plan.edge.certificate:
        certified.add(CLOUDFRONT_CERTIFICATE_REGION)
    for region in sorted(certified):
        need("certificates", region, 1, None, "the domain's certificate for the load balancer or CloudFront")
    if distribution and cdn is not None:
        need("distributions", "account", 1, None, "one CloudFront distribution")
        behaviors = len(set(cdn.cached) | set(cdn.writes))
        need("cache-behaviors", "account", behaviors, None, "a behavior per cached or write path pattern")
    zones = sum(
        1
        for s in plan.datastores
        if isinstance(s, RelationalPlan) and s.writer_name is not None and "aurora" not in s.engine.value
    )
    need("hosted-zones", "account", zones, None, "a private zone per writer name on a failover pair of records")
    notes = [CLOUDFRONT_VERIFICATION] if distribution else []
    over: dict[tuple[str, float, float], list[QuotaNeed]] = {}
    for n in needs:
        if n.over:
            over.setdefault((n.quota, n.minimum, n.maximum), []).append(n)
    warnings = [_warning(plan, same) for same in over.values()]
    return Quotas(needs=needs, warnings=warnings, notes=notes, checked=CHECKED)


def _busiest_group(plan: Plan, region: str, stores: list[str], replicas: list[str]) -> tuple[str, int]:
    """The security group with the most inbound or outbound rules, as the aws target writes them
    from the data flow (a rule per source or destination, HTTPS out for services, in the primary
    region a rule per peer private subnet for single-writer stores, a database copy's group a rule
    per user)."""
    public = [s for s in plan.services if s.public]
    inbound: dict[str, int] = {s.name: 0 for s in plan.services} | dict.fromkeys(stores, 0)
    outbound: dict[str, int] = dict.fromkeys(inbound, 0)
    if public:
        inbound["load balancer"] = 2 if plan.edge.tls else 1
        outbound["load balancer"] = len(public)
    for svc in public:
        inbound[svc.name] += 1
    for svc in plan.services:
        for callee in svc.calls:
            inbound[callee] += 1
            outbound[svc.name] += 1
        for name in svc.stores:
            store = plan.store(name)
            if name in inbound:
                inbound[name] += 1
                outbound[svc.name] += 1
            elif store.single_writer and region != plan.primary_region:
                outbound[svc.name] += 1
        outbound[svc.name] += 1  # HTTPS to AWS APIs and image pulls
    for name in replicas:
        inbound[f"{name} replica"] = len(plan.store(name).used_by)
        outbound[f"{name} replica"] = 0
    if region == plan.primary_region and plan.peering:
        peers = sum(1 for n in plan.networks[1:] for s in n.subnets if s.tier == "private")
        for name in stores:
            store = plan.store(name)
            if store.single_writer and store.used_by:
                inbound[name] += peers
    role = max(inbound, key=lambda r: (max(inbound[r], outbound[r]), r))
    return role, max(inbound[role], outbound[role])


def _warning(plan: Plan, same: list[QuotaNeed]) -> str:
    """One warning for a quota the design needs more of, naming every region that needs the same."""
    n, q = same[0], QUOTAS[same[0].quota]
    regions = [x.region for x in same]
    where = "the account" if regions == ["account"] else ", ".join(regions)
    unit = f" {q.unit}" if q.unit else ""
    at = (
        f"{n.maximum:g}{unit} at the autoscaling maximum ({n.minimum:g} at the minimum)"
        if n.maximum != n.minimum
        else f"{n.maximum:g}{unit}"
    )
    desired = n.maximum
    extra = ""
    if n.quota == "fargate-vcpu":
        # a rolling deployment runs one service's tasks twice: room for the largest service's
        largest = max(
            (
                c.max_replicas * s.task_cpu.value / 1024
                for s in plan.services
                for c in s.capacity.value
                if c.region == n.region
            ),
            default=0.0,
        )
        desired = math.ceil(n.maximum + largest * (DEPLOYMENT_MAXIMUM_PERCENT - 100) / 100)
        extra = f"; ask for {desired:g}: a rolling deployment briefly runs the largest service's tasks twice"
    limit = (
        f"the {n.limit:,} a new account may start with (AWS's default is {q.default:,}; {q.note})"
        if q.new_account is not None
        else f"AWS's default of {n.limit:,}"
    )
    also = (
        " (likewise with " + ", ".join(f"--region {r}" for r in regions[1:]) + ")"
        if q.service_code and q.quota_code and len(regions) > 1
        else ""
    )
    each = " in each region" if len(regions) > 1 else ""
    return (
        f"{q.name} in {where}: the design needs {at}, more than {limit}{extra}. Request an increase{each} "
        f"before `pulumi up`: {q.request(n.region, desired)}{also} ({q.source})"
    )


def rows(plan: Plan) -> list[tuple[str, str, str]]:
    """(quota, what the design needs where, AWS's figure) for `hld plan` and the HLD document: regions
    with the same need share a row."""
    out: list[tuple[str, str, str]] = []
    if plan.quotas is None:
        return out
    for key, q in QUOTAS.items():
        by: dict[tuple[float, float], list[str]] = {}
        for n in plan.quotas.needs:
            if n.quota == key:
                by.setdefault((n.minimum, n.maximum), []).append(n.region)
        for (low, high), regions in by.items():
            need = f"{low:g}" if low == high else f"{low:g}..{high:g}"
            if q.unit:
                need += f" {q.unit}"
            figure = f"{q.threshold:,}" + (f" (a new account; default {q.default:,})" if q.new_account else "")
            where = "the account" if regions == ["account"] else ", ".join(regions)
            unverified = "" if q.verified else " (unverified)"
            out.append((f"{q.service}: {q.name}{unverified}", f"{need} in {where}", figure))
    return out

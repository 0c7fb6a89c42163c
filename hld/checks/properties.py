"""Each promise checked as the property that delivers it, read from the deployed state: not that a
resource exists, but that it holds the value the promise needs (autoscaling bounds and policies,
a NAT per zone used by that zone, no plain-HTTP forwarding, health-checked failover records, CDN
origin groups, redrive counts, global-table modes). `invariants` recomputes what the blueprint's
own numbers and the sourced figures require, without the plan's conclusions, so a planner bug
fails `verify` even when the graph matches the plan.
"""

from __future__ import annotations

import json
import math
from typing import Any

from blueprints import availability as av
from blueprints.capacity import fullest_zone
from blueprints.figures import SLAS
from blueprints.names import env_var
from blueprints.plan_model import KeyValuePlan, QueuePlan, RelationalPlan
from generators.aws.tags import ROLE_TAG, TIER_TAG
from hld.checks.registry import Check, NotApplicable, Run
from hld.graph import (
    Graph,
    Resource,
    dig,
    doc,
    first,
    prefixed,
    role_of,
    tags,
    undeclared_inline_rules,
    value,
    zones_of_subnets,
)

CPU = "ECSServiceAverageCPUUtilization"
REQUESTS = "ALBRequestCountPerTarget"


def _service_id(svc: Resource) -> str:
    """The scalable resource id of an ECS service: service/<cluster name>/<service name>."""
    return str(value(svc, "name") or "")


def _count(raw: Any) -> int | None:
    return None if raw is None else int(raw)


def autoscaling(run: Run) -> list[str]:
    """Every ECS service's scalable target has the plan's minimum and maximum for its region, and
    target-tracking policies on CPU (every service) and requests per target (public services, with
    the plan's target)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    targets = g.of("aws:appautoscaling/target:Target")
    policies = g.of("aws:appautoscaling/policy:Policy")
    for svc in plan.services:
        for cap in svc.capacity.value:
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", cap.region)
            if not found:
                continue
            ecs = _service_id(found[0])
            target = [t for t in targets if str(value(t, "resource_id")).endswith(f"/{ecs}")]
            if not target:
                out.append(f"{found[0].name}: no scalable target")
                continue
            low, high = (_count(value(target[0], k)) for k in ("min_capacity", "max_capacity"))
            if (low, high) != (cap.min_replicas, cap.max_replicas):
                out.append(
                    f"{target[0].name}: scales {low}..{high}, the plan needs {cap.min_replicas}..{cap.max_replicas}"
                )
            mine = [p for p in policies if str(value(p, "resource_id")).endswith(f"/{ecs}")]
            metrics = {}
            for p in mine:
                config = first(value(p, "target_tracking_scaling_policy_configuration")) or {}
                kind = dig(first(dig(config, "predefined_metric_specification")) or {}, "predefined_metric_type")
                metrics[kind] = dig(config, "target_value")
            if metrics.get(CPU) != svc.target_cpu:
                out.append(f"{found[0].name}: no CPU target tracking at {svc.target_cpu} % (has {metrics.get(CPU)})")
            if svc.public and metrics.get(REQUESTS) != svc.requests_per_target.value:
                out.append(
                    f"{found[0].name}: no requests-per-target tracking at {svc.requests_per_target.value} "
                    f"(has {metrics.get(REQUESTS)})"
                )
    return out


def _subnet_zone(g: Graph, subnet_id: str) -> tuple[str, str] | None:
    subnet = g.by_id(subnet_id)
    return (str(value(subnet, "availability_zone")), tags(subnet).get(TIER_TAG, "")) if subnet else None


DEFAULT_ROUTES = frozenset({"0.0.0.0/0", "::/0"})
INTERNET = frozenset({"internet gateway", "NAT gateway", "egress-only gateway"})
"""Route targets that lead to the internet."""
ROUTE_TARGETS = (
    ("gateway_id", "gateway"),
    ("nat_gateway_id", "NAT gateway"),
    ("egress_only_gateway_id", "egress-only gateway"),
    ("transit_gateway_id", "transit gateway"),
    ("vpc_peering_connection_id", "peering"),
    ("network_interface_id", "network interface"),
    ("vpc_endpoint_id", "endpoint"),
    ("carrier_gateway_id", "carrier gateway"),
    ("local_gateway_id", "local gateway"),
    ("core_network_arn", "core network"),
)


def _route(g: Graph, route: Any, *destinations: str) -> tuple[str, str, str]:
    """(destination, what it goes through, the target's id) of one route."""
    dest = next((str(dig(route, k)) for k in destinations if dig(route, k)), "")
    for key, kind in ROUTE_TARGETS:
        target = dig(route, key)
        if not target:
            continue
        target = str(target)
        if kind == "gateway":
            found = g.by_id(target)
            if target == "local":
                kind = "local"
            elif target.startswith("igw-") or (found is not None and found.type.endswith(":InternetGateway")):
                kind = "internet gateway"
            elif target.startswith("vpce-"):
                kind = "endpoint"
        return dest, kind, target
    return dest, "local", ""


def _routes(g: Graph, table: Resource) -> list[tuple[str, str, str]]:
    """Every route of a table: its inline routes and the separate aws:ec2/route:Route resources."""
    found = [
        _route(g, r, "cidr_block", "ipv6_cidr_block", "destination_prefix_list_id")
        for r in value(table, "routes") or []
    ]
    for r in g.of("aws:ec2/route:Route"):
        if value(r, "route_table_id") == table.id:
            found.append(
                _route(
                    g,
                    {**r.inputs, **r.state},
                    "destination_cidr_block",
                    "destination_ipv6_cidr_block",
                    "destination_prefix_list_id",
                )
            )
    return found


def _tier_routes(
    tier: str, zone: str, routes: list[tuple[str, str, str]], nat_zone: dict[str, str], production: bool
) -> list[str]:
    """What is wrong with the routes of a subnet of `tier` in `zone`."""
    out = []
    outward = [(d, k, t) for d, k, t in routes if k in INTERNET or d in DEFAULT_ROUTES]
    if tier == "isolated":
        out += [
            f"route {d or 'traffic'} to the {k} {t}: an isolated subnet has no route to the internet"
            for d, k, t in outward
        ]
    elif tier == "private":
        out += [f"route {d} to the {k} {t}, not through a NAT gateway" for d, k, t in outward if k != "NAT gateway"]
        via = [t for d, k, t in outward if k == "NAT gateway"]
        if not via:
            out.append(
                "have no route to the internet through a NAT gateway (tasks cannot pull images or reach AWS APIs)"
            )
        out += [f"route to the NAT gateway {t}, which is not deployed" for t in via if t not in nat_zone]
        zones = {nat_zone[t] for t in via if t in nat_zone}
        if production and via and zone not in zones:
            out.append(f"leave through {sorted(zones)}")
    elif tier == "public" and not any(k == "internet gateway" and d in DEFAULT_ROUTES for d, k, _ in routes):
        out.append("have no default route to the internet gateway (the load balancer and NAT gateways cannot answer)")
    return out


def egress(run: Run) -> list[str]:
    """Every route table of every VPC, by the tier of the subnets it serves: an isolated subnet has no
    route to the internet (no default route, nothing through an internet, NAT or egress-only gateway);
    a private subnet reaches the internet only through a deployed NAT gateway (never the internet
    gateway), and in production through its own zone's, with a NAT gateway in every planned zone (a
    zone loss takes only its own egress); a public subnet has its default route to the internet
    gateway; every NAT gateway sits in a public subnet. A subnet without a table of its own follows the
    VPC's main table (the local route only)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    subnets = g.of("aws:ec2/subnet:Subnet")
    if not subnets:
        raise NotApplicable("no VPC: nothing runs in a network")
    production = plan.environment == "production"
    nat_zone = {}
    for nat in g.of("aws:ec2/natGateway:NatGateway"):
        where = _subnet_zone(g, str(value(nat, "subnet_id")))
        if where:
            nat_zone[nat.id] = where[0]
        if not where or where[1] != "public":
            out.append(
                f"{nat.name}: in a {where[1] if where else 'unknown'} subnet, not a public one: it has no way out"
            )
    if production:
        for net in plan.networks:
            if not net.vpc:
                continue
            missing = set(net.zones) - set(nat_zone.values())
            if missing:
                out.append(f"{net.region}: no NAT gateway in {', '.join(sorted(missing))}")
    tables = {t.id: t for t in g.of("aws:ec2/routeTable:RouteTable")}
    table_of = {
        str(value(a, "subnet_id")): str(value(a, "route_table_id"))
        for a in g.of("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    for subnet in subnets:
        tier, zone = tags(subnet).get(TIER_TAG, ""), str(value(subnet, "availability_zone"))
        table = tables.get(table_of.get(subnet.id, ""))
        label, routes = (table.name, _routes(g, table)) if table is not None else (subnet.name, [])
        for problem in _tier_routes(tier, zone, routes, nat_zone, production):
            line = f"{label}: {tier} subnets in {zone} {problem}"
            if line not in out:
                out.append(line)
    return out


def egress_rules(run: Run) -> list[str]:
    """Every security group lets out only what its role uses, derived from the blueprint's flows
    (Plan.data_flow): a service reaches the services it calls and the stores it uses on their ports
    (their groups; a single writer in another region at that VPC's CIDR) and HTTPS (443) for AWS APIs
    and image pulls, which every service needs; the load balancer reaches its public services on their
    ports; a store lets nothing out. No rule on every protocol, no port range, no inline egress, and
    no rule in a VPC's default group."""
    plan, g = run.plan, run.graph
    groups = g.of("aws:ec2/securityGroup:SecurityGroup")
    if not groups:
        raise NotApplicable("no security groups: nothing runs in a VPC")
    out: list[str] = []
    allowed: dict[str, set[tuple[str, int]]] = {}
    for to, source, kind in plan.data_flow("alb"):
        allowed.setdefault(source, set()).add((to, plan.store(to).port if kind else plan.service(to).port))
    services = {s.name for s in plan.services}
    afar: dict[str, set[tuple[str, int, str]]] = {}
    for svc in plan.services:
        for name in svc.stores:
            store = plan.store(name)
            if store.in_vpc and store.single_writer:
                afar.setdefault(svc.name, set()).add(
                    (plan.network(store.writer_region).cidr, store.port, store.writer_region)
                )
    https: set[tuple[str | None, str | None]] = set()
    for rule in g.of("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"):
        role = role_of(g, str(value(rule, "security_group_id")))
        low, high = value(rule, "from_port"), value(rule, "to_port")
        if str(value(rule, "ip_protocol")) in ("-1", "all"):
            out.append(f"{rule.name}: lets {role} out on every protocol and port")
            continue
        if low is None or high is None or int(low) != int(high):
            out.append(f"{rule.name}: lets {role} out on a port range ({low}-{high})")
            continue
        port = int(low)
        group = value(rule, "referenced_security_group_id")
        cidr = value(rule, "cidr_ipv4") or value(rule, "cidr_ipv6")
        if group:
            target = role_of(g, str(group))
            ok, dest = (str(target), port) in allowed.get(str(role), set()), f"{target}'s group"
        elif value(rule, "prefix_list_id") or cidr == "0.0.0.0/0":
            ok, dest = role in services and port == 443, str(cidr or value(rule, "prefix_list_id"))
            if ok:
                https.add((role, rule.region))
        else:
            ok = any(c == cidr and p == port and w != rule.region for c, p, w in afar.get(str(role), set()))
            dest = str(cidr)
        if not ok:
            out.append(f"{rule.name}: lets {role} out to {dest} on {port}, which the blueprint does not declare")
    for sg in groups:
        role = tags(sg).get(ROLE_TAG)
        if stray := undeclared_inline_rules(g, sg, "egress"):
            out.append(f"{sg.name}: inline egress rules bypass the data-flow rules ({', '.join(stray)})")
        if role in services and (role, sg.region) not in https:
            out.append(f"{sg.name}: no HTTPS egress: {role}'s tasks cannot pull images or reach AWS APIs")
    for default in g.of("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"):
        if value(default, "ingress") or value(default, "egress"):
            out.append(f"{default.name}: the VPC's default group keeps rules (whatever runs without a group gets them)")
    return out


def _forwards(actions: Any) -> bool:
    return any(dig(a, "type") == "forward" for a in actions or [])


def listeners(run: Run) -> list[str]:
    """With TLS required, no HTTP listener forwards to a service (it only redirects to HTTPS), and
    every public route has its rule on an HTTPS listener."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    protocol = {str(value(lis, "arn")): str(value(lis, "protocol")) for lis in g.of("aws:lb/listener:Listener")}
    if plan.edge.tls:
        for lis in g.of("aws:lb/listener:Listener"):
            if value(lis, "protocol") == "HTTP" and _forwards(value(lis, "default_actions")):
                out.append(f"{lis.name}: forwards plain HTTP to a service")
        for rule in g.of("aws:lb/listenerRule:ListenerRule"):
            if protocol.get(str(value(rule, "listener_arn"))) == "HTTP" and _forwards(value(rule, "actions")):
                out.append(f"{rule.name}: forwards plain HTTP to a service")
    wanted = {(r.pattern, r.probe) for r in plan.routing}
    for region in {lb.region for lb in g.of("aws:lb/loadBalancer:LoadBalancer")}:
        have = set()
        for rule in g.of("aws:lb/listenerRule:ListenerRule"):
            if rule.region != region:
                continue
            secure = protocol.get(str(value(rule, "listener_arn"))) == ("HTTPS" if plan.edge.tls else "HTTP")
            conditions = value(rule, "conditions") or []
            patterns = [p for c in conditions for p in dig(first(dig(c, "path_pattern")) or {}, "values") or []]
            probe = any(dig(c, "query_strings") for c in conditions)
            if secure:
                have |= {(p, probe) for p in patterns}
        for pattern, probe in sorted(wanted - have):
            out.append(
                f"{region}: no {'probe ' if probe else ''}rule for {pattern} on the {'HTTPS' if plan.edge.tls else 'HTTP'} listener"
            )
    return out


def dns_failover(run: Run) -> list[str]:
    """Every latency or failover record carries a health check that probes the region: a calculated
    check over an HTTPS (or HTTP without TLS) probe of each public service's health path. Where the
    blueprint has public services in several regions behind its domain (and dynamic traffic does not
    go through the CDN), every region's load balancer has such a record. Not applicable otherwise,
    unless a writer's name fails over."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    checks = {c.id: c for c in g.of("aws:route53/healthCheck:HealthCheck")}
    paths = {s.health for s in plan.services if s.public}
    writers: dict[str, set[str]] = {}
    routed_records = [
        r
        for r in g.of("aws:route53/record:Record")
        if value(r, "latency_routing_policies") or value(r, "failover_routing_policies")
    ]
    needed = _dns_failover_needed(plan)
    if needed is not None and not routed_records:
        raise NotApplicable(needed)
    if needed is None:
        albs = {_alias(value(lb, "dns_name")): lb.region for lb in g.of("aws:lb/loadBalancer:LoadBalancer")}
        entries = {
            str(albs.get(_alias(dig(first(value(r, "aliases")), "name")), ""))
            for r in routed_records
            if value(r, "aliases") and value(r, "health_check_id")
        }
        for region in sorted({str(lb.region) for lb in g.of("aws:lb/loadBalancer:LoadBalancer")} - entries):
            out.append(f"{region}: no health-checked routed record sends users there (a lost region stays in DNS)")
    for record in routed_records:
        if not value(record, "aliases"):  # a store's writer name: moves on an alarm, not a probe
            role = str(dig(first(value(record, "failover_routing_policies")), "type") or "")
            writers.setdefault(str(value(record, "name")), set()).add(role)
            if role == "PRIMARY":
                out += _writer_health(g, record, checks.get(str(value(record, "health_check_id") or "")))
            continue
        check = checks.get(str(value(record, "health_check_id") or ""))
        if check is None:
            out.append(f"{record.name}: a routed record without a health check (a failed region stays in DNS)")
            continue
        children = (
            [checks.get(str(c)) for c in value(check, "child_healthchecks") or []]
            if value(check, "type") == "CALCULATED"
            else [check]
        )
        probes = [c for c in children if c is not None]
        kind = "HTTPS" if plan.edge.tls else "HTTP"
        probed = {str(value(c, "resource_path") or "").split("?")[0] for c in probes if value(c, "type") == kind}
        if not probes or not paths <= probed:
            out.append(f"{record.name}: its health check does not probe every public service's {kind} health path")
    for writer, roles in sorted(writers.items()):
        if roles != {"PRIMARY", "SECONDARY"}:
            out.append(f"{writer}: a failover name needs a PRIMARY and a SECONDARY record (has {sorted(roles)})")
    return out


def _dns_failover_needed(plan: Any) -> str | None:
    """None when the design moves users between regions in DNS; else why it does not."""
    if len(plan.regions.value) < 2:
        return "one region: DNS has no other region to send users to"
    if not any(s.public for s in plan.services):
        return "no public service"
    if not plan.edge.domain:
        return "no domain"
    if plan.edge.cdn is not None and plan.edge.cdn.dynamic.value == "through":
        return "dynamic traffic goes through the CDN, which fails over between origins"
    return None


def _writer_health(g: Graph, record: Resource, check: Resource | None) -> list[str]:
    """A writer name's PRIMARY record moves on Route 53's data plane only when its health check
    follows an alarm that breaches on missing data and is unhealthy when the alarm cannot be read
    (the writer's region lost): else the name stays on the lost writer."""
    if check is None or value(check, "type") != "CLOUDWATCH_METRIC":
        return [f"{record.name}: the writer's PRIMARY record has no CloudWatch-alarm health check"]
    out = []
    if value(check, "insufficient_data_health_status") != "Unhealthy":
        out.append(f"{check.name}: insufficient data (the alarm's region lost) must count as Unhealthy")
    alarms = [
        a
        for a in g.of("aws:cloudwatch/metricAlarm:MetricAlarm")
        if value(a, "name") == value(check, "cloudwatch_alarm_name")
    ]
    if not alarms:
        out.append(f"{check.name}: the alarm it follows is not deployed")
    elif value(alarms[0], "treat_missing_data") != "breaching":
        out.append(f"{alarms[0].name}: a writer that stops reporting must breach (treat_missing_data: breaching)")
    return out


def cdn_failover(run: Run) -> list[str]:
    """Where the blueprint puts a CDN in front of several regions, reads fail over between them at
    the CDN (whatever the plan's own flag says): the origin group holds the primary's origin and
    another serving region's (CloudFront groups hold two), and every cached or default read
    behaviour targets the group. Not applicable without a CDN or with one region."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    if plan.edge.cdn is None:
        raise NotApplicable("no CDN")
    if len(plan.regions.value) < 2:
        raise NotApplicable("one region: no other region's origin to fail over to")
    serving = {c.region for s in plan.services for c in s.capacity.value if c.role == "serving"} or set(
        plan.regions.value
    )
    distributions = g.of("aws:cloudfront/distribution:Distribution")
    if not distributions:
        out.append(f"{plan.name}: no CloudFront distribution, though the blueprint puts a CDN in front")
    for dist in distributions:
        origins = {dig(o, "origin_id"): str(dig(o, "domain_name")) for o in value(dist, "origins") or []}
        groups = value(dist, "origin_groups") or []
        if not groups:
            out.append(f"{dist.name}: no origin group: reads do not fail over between regions")
            continue
        members = [dig(m, "origin_id") for m in dig(groups[0], "members") or []]
        regions = {r for r in plan.regions.value for m in members if m and m.endswith(r) and m in origins}
        if plan.primary_region not in regions or len(regions) < min(2, len(serving)):
            out.append(
                f"{dist.name}: its origin group holds {sorted(regions)}, not the primary and another serving region"
            )
        group_id = dig(groups[0], "origin_id")
        default = first(value(dist, "default_cache_behavior")) or {}
        reads = [
            b for b in value(dist, "ordered_cache_behaviors") or [] if "POST" not in (dig(b, "allowed_methods") or [])
        ]
        for behaviour in [default, *reads]:
            if dig(behaviour, "target_origin_id") != group_id and "POST" not in (
                dig(behaviour, "allowed_methods") or []
            ):
                out.append(
                    f"{dist.name}: reads on {dig(behaviour, 'path_pattern') or 'the default path'} do not fail over"
                )
    return out


def queues(run: Run) -> list[str]:
    """Each queue store is deployed, each of its queues redrives to its dead-letter queue after the
    plan's number of receives, and the dead-letter queue keeps messages longer than the queue does.
    Not applicable without a queue."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    by_arn = {str(value(q, "arn")): q for q in g.of("aws:sqs/queue:Queue")}
    planned = [s for s in plan.datastores if isinstance(s, QueuePlan)]
    if not planned:
        raise NotApplicable("no queue")
    for store in planned:
        held = prefixed(g, "aws:sqs/queue:Queue", f"{plan.name}-{store.name}")
        dead = {str(dig(doc(value(q, "redrive_policy")), "deadLetterTargetArn")) for q in held}
        mine = [q for q in held if str(value(q, "arn")) not in dead]  # by its component, whatever its name
        if not mine:
            out.append(f"{store.name}: no queue deployed")
        for q in mine:
            policy = value(q, "redrive_policy")
            policy = json.loads(policy) if isinstance(policy, str) else policy or {}
            if int(policy.get("maxReceiveCount", -1)) != store.max_receives:
                out.append(
                    f"{q.name}: redrives after {policy.get('maxReceiveCount')} receives, the plan says {store.max_receives}"
                )
            dlq = by_arn.get(str(policy.get("deadLetterTargetArn")))
            kept = int(value(q, "message_retention_seconds") or 345600)
            if dlq is None:
                out.append(f"{q.name}: its dead-letter queue does not exist")
            elif int(value(dlq, "message_retention_seconds") or 345600) <= kept:
                out.append(f"{dlq.name}: keeps messages no longer than {q.name} does ({kept} s)")
    return out


def global_tables(run: Run) -> list[str]:
    """Each key-value store is a table with a replica in every region of a multi-region design, and
    strongly consistent replicas (MRSC) where the store's consistency is strong and every region
    writes (whatever mode the plan chose). Not applicable without a key-value store or in one region."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    stores = [s for s in plan.datastores if isinstance(s, KeyValuePlan)]
    if not stores:
        raise NotApplicable("no key-value store")
    if len(plan.regions.value) < 2:
        raise NotApplicable("one region: no table spans regions")
    active = plan.replication.value == "active"
    for store in stores:
        tables = [t for t in g.of("aws:dynamodb/table:Table") if t.name == f"{plan.name}-{store.name}"]
        if not tables:
            out.append(f"{plan.name}-{store.name}: no table deployed")
        for table in tables:
            replicas = value(table, "replicas") or []
            regions = {str(table.region)} | {str(dig(r, "region_name")) for r in replicas}
            if regions != set(plan.regions.value):
                out.append(
                    f"{table.name}: replicas in {sorted(regions)}, the design runs in {sorted(plan.regions.value)}"
                )
            strong = {str(dig(r, "consistency_mode") or "EVENTUAL") for r in replicas}
            if active and store.consistency.value == "strong" and strong != {"STRONG"}:
                out.append(f"{table.name}: replicas are {sorted(strong)}, not strongly consistent (MRSC)")
    return out


def convergence(run: Run) -> list[str]:
    """Each store's claim of how its writes reach the other regions is the one its kind allows
    (blueprints.convergence, recomputed), and its path is deployed: a global table's replicas in
    every region, a replication configuration on each region's bucket, Aurora's global cluster or
    a replica in each other region; a cache with no path converges at the TTL its services get."""
    from blueprints.convergence import convergence as claim
    from hld.checks.edges import _containers

    plan, g = run.plan, run.graph
    regions = list(plan.regions.value)
    out: list[str] = []
    if plan.level.value != "multi-region":
        raise NotApplicable(f"{plan.level.value}: one region, no other region for writes to reach")
    for store in plan.datastores:
        expected = claim(store, regions)
        if store.convergence != expected:
            out.append(
                f"{store.name}: the plan claims {(store.convergence and store.convergence.path) or 'no path'}, "
                f"its kind gives {(expected and expected.path) or 'no path'}"
            )
        if expected is None:
            continue
        prefix = f"{plan.name}-{store.name}"
        others = set(store.regions) - {store.writer_region}
        if expected.resource == "aws:dynamodb/table:Table":
            tables = [t for t in g.of(expected.resource) if t.name == prefix]
            have = {str(dig(r, "region_name")) for t in tables for r in value(t, "replicas") or []}
            if not others <= have:
                out.append(
                    f"{prefix}: no global table replica in {sorted(others - have)}: nothing carries its writes there"
                )
        elif expected.resource == "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
            from hld.checks.deployable import replication_gaps

            out += [f"{prefix}: {gap}" for gap in replication_gaps(run, store)]
        elif expected.resource == "aws:rds/globalCluster:GlobalCluster":
            if not prefixed(g, expected.resource, prefix):
                out.append(f"{prefix}: no Aurora global cluster carries its writes to {sorted(others)}")
        elif expected.resource == "aws:rds/instance:Instance":
            copies = {
                str(r.region)
                for r in prefixed(g, expected.resource, prefix)
                if str(value(r, "replicate_source_db") or "").startswith("arn:")
            }
            if not others <= copies:
                out.append(f"{prefix}: no cross-region replica in {sorted(others - copies)}")
        elif store.kind == "cache" and expected.seconds is not None:
            key = env_var(store.name, "TTL_SECONDS")
            for svc in plan.services:
                if store.name not in svc.stores:
                    continue
                for task in prefixed(g, "aws:ecs/taskDefinition:TaskDefinition", f"{plan.name}-{svc.name}"):
                    env = {e["name"]: e["value"] for c in _containers(task) for e in c.get("environment") or []}
                    if env.get(key) != str(int(expected.seconds)):
                        out.append(
                            f"{task.name}: {key} is {env.get(key)!r}; the plan says other regions' writes reach "
                            f"{store.name} within {expected.seconds:g} s (its TTL)"
                        )
    return out


def app_contract(run: Run) -> list[str]:
    """Every task gets exactly the app contract's variables for its service and region
    (generators.contract, the same list kind's render is held to), and every reader the plan
    counts is named: in the writer's region, a store whose replicas serve reads gives its tasks a
    read host naming each replica (Aurora's reader endpoint; every RDS replica's address)."""
    from generators.contract import variables
    from hld.checks.edges import _containers

    plan, g = run.plan, run.graph
    out: list[str] = []
    for svc in plan.services:
        for task in prefixed(g, "aws:ecs/taskDefinition:TaskDefinition", f"{plan.name}-{svc.name}"):
            region = str(task.region)
            containers = _containers(task)
            env = {e["name"]: str(e["value"]) for c in containers for e in c.get("environment") or []}
            given = set(env) | {s["name"] for c in containers for s in c.get("secrets") or []}
            wanted = set(variables(plan, svc, region))
            if given != wanted:
                missing, extra = sorted(wanted - given), sorted(given - wanted)
                out.append(
                    f"{task.name}: "
                    + "; ".join(
                        part
                        for part in (missing and f"missing {missing}", extra and f"not in the contract {extra}")
                        if part
                    )
                )
            for name in svc.stores:
                store = plan.store(name)
                if (
                    not isinstance(store, RelationalPlan)
                    or region != store.writer_region
                    or not store.read_host_in(region)
                ):
                    continue
                key = env_var(store.name, "READ_HOST")
                hosts = set(env.get(key, "").split(","))
                prefix = f"{plan.name}-{store.name}"
                readers = [
                    str(value(r, "address"))
                    for r in prefixed(g, "aws:rds/instance:Instance", prefix, region)
                    if value(r, "replicate_source_db") and not str(value(r, "replicate_source_db")).startswith("arn:")
                ] + [str(value(c, "reader_endpoint")) for c in prefixed(g, "aws:rds/cluster:Cluster", prefix, region)]
                unnamed = sorted(r for r in readers if r not in hosts)
                if not readers or unnamed:
                    out.append(
                        f"{task.name}: {key} does not name the readers the plan counts ({unnamed or 'none deployed'})"
                    )
    return out


def invariants(run: Run) -> list[str]:
    """What the blueprint's own numbers and the sourced figures require, recomputed without the
    plan's conclusions: above single-zone every zonal store survives a zone (Multi-AZ writer,
    cache failover); after losing the fullest zone (and, active-active, a region), the tasks left
    x rps_per_replica carry the peak; each region's autoscaling maximum is max_scale_out x the
    static-stability minimum it serves with (a standby's: the serving regions'); each journey's
    estimate is its parts' figures composed (series, regions in parallel, each global part once),
    with the parts global that the deployed state makes global; each store's zone-loss RTO and
    region-loss RPO are what its deployed mechanism gives."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    if plan.level.value != "single-zone":
        for db in g.of("aws:rds/instance:Instance"):
            if not value(db, "replicate_source_db") and value(db, "multi_az") is not True:
                out.append(f"{db.name}: a writer in one zone in a {plan.level.value} design")
        for cache in g.of("aws:elasticache/replicationGroup:ReplicationGroup"):
            if value(cache, "automatic_failover_enabled") is not True:
                out.append(f"{cache.name}: no automatic failover in a {plan.level.value} design")
    regions = plan.regions.value
    active = plan.replication.value == "active" and len(regions) > 1
    for svc in plan.services:
        if not svc.peak_rps or plan.level.value == "single-zone":
            continue
        serving = [c.region for c in svc.capacity.value if c.role == "serving"]
        need = math.ceil(svc.peak_rps / (len(serving) - 1)) if active and len(serving) > 1 else svc.peak_rps
        for region in serving:
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", region)
            if not found:
                continue
            tasks = int(value(found[0], "desired_count") or 0)
            spread = zones_of_subnets(g, dig(first(value(found[0], "network_configuration")) or {}, "subnets") or [])
            left = tasks - (fullest_zone(tasks, len(spread)) if len(spread) > 1 else tasks)
            if left * svc.rps_per_replica < need:
                out.append(
                    f"{found[0].name}: {tasks} tasks over {len(spread)} zones keep {left} x {svc.rps_per_replica} rps "
                    f"after a zone loss, short of {need} rps"
                )
    for journey in plan.availability.journeys:
        globals_ = [p.sla for p in journey.global_parts]
        if len(globals_) != len(set(globals_)):
            out.append(f"journey {journey.name!r}: a global part counted twice")
        regional = av.series(*[SLAS[p.sla].fraction for p in journey.regional])
        origin = av.parallel(*[regional] * journey.regions_in_parallel)
        if journey.hit_ratio is not None:
            origin = journey.hit_ratio + (1 - journey.hit_ratio) * origin
        estimate = (
            av.series(origin, *[SLAS[p.sla].fraction for p in journey.global_parts]) * 100 - journey.failover_cost
        )
        if abs(estimate - journey.estimate) > 1e-5:
            out.append(f"journey {journey.name!r}: its parts give {estimate:.6f} %, the plan says {journey.estimate} %")
    return out + _scale_out(plan, g) + _scopes(plan, g) + _per_store(plan, g)


def _scale_out(plan: Any, g: Graph) -> list[str]:
    """Each region's autoscaling maximum is the blueprint's max_scale_out x the static-stability
    minimum it serves with: its own in a serving region; in a standby region the serving regions'
    (what it must reach once it takes over)."""
    out: list[str] = []
    targets = g.of("aws:appautoscaling/target:Target")
    for svc in plan.services:
        found: dict[str, Resource] = {}
        for ecs in prefixed(g, ECS_SERVICE, f"{plan.name}-{svc.name}"):
            mine = [t for t in targets if str(value(t, "resource_id")).endswith(f"/{_service_id(ecs)}")]
            if mine:
                found[str(ecs.region)] = mine[0]
        serving = {c.region for c in svc.capacity.value if c.role == "serving"}
        served = max((int(value(found[r], "min_capacity") or 0) for r in serving if r in found), default=0)
        for region, target in sorted(found.items()):
            base = int(value(target, "min_capacity") or 0) if region in serving else served
            want = max(base, math.ceil(base * svc.max_scale_out))
            high = int(value(target, "max_capacity") or 0)
            if high != want:
                whose = "" if region in serving else " of the serving regions (once it takes over)"
                out.append(
                    f"{target.name}: scales to {high}; scaling.max_scale_out {svc.max_scale_out:g} x the "
                    f"static-stability minimum{whose} {base} is {want}"
                )
    return out


def _writable(r: Resource) -> bool:
    if r.type == "aws:rds/instance:Instance":
        return not value(r, "replicate_source_db")
    if r.type == "aws:rds/cluster:Cluster":
        return not (value(r, "global_cluster_identifier") and not value(r, "master_username"))
    return True


def _scopes(plan: Any, g: Graph) -> list[str]:
    """Which journey parts are global, from what is deployed: DNS and the CDN always; in several
    regions a store when one resource holds its data in several of them (a global table) or every
    region's users depend on one region's writer; load balancers, services and every other store
    regional."""
    from hld.checks.facts import HOLDERS, holders

    multi = len(plan.regions.value) > 1
    scope: dict[str, str] = {}
    for store in plan.datastores:
        found = holders(plan, g, store)
        spans = any(len(HOLDERS[t].held(g, r)) > 1 for t, rs in found.items() for r in rs)
        writable = {r.region for rs in found.values() for r in rs if _writable(r)}
        users = {e.region for name in store.used_by for e in prefixed(g, ECS_SERVICE, f"{plan.name}-{name}")}
        one_writer = len(writable) == 1 and len(users) > 1
        scope[store.chain_label] = "global" if multi and (spans or one_writer) else "regional"
    out: list[str] = []
    for journey in plan.availability.journeys:
        for where, parts in (("regional", journey.regional), ("global", journey.global_parts)):
            for part in parts:
                if part.sla in ("route53", "cloudfront"):
                    want = "global"
                elif part.component in scope:
                    want = scope[part.component]
                elif part.sla.startswith(("elb", "ecs")):
                    want = "regional"
                else:
                    continue  # a WAF is as global as what it is attached to
                if where != want or part.scope != want:
                    line = f"journey {journey.name!r}: {part.component} counted {where}, the deployed state makes it {want}"
                    if line not in out:
                        out.append(line)
    return out


def _per_store(plan: Any, g: Graph) -> list[str]:
    """Each store's own recovery figures, as the plan states them, are what its deployed mechanism
    gives (hld.failures): the zone-loss RTO above single-zone, the region-loss RPO of a system of
    record in several regions."""
    from hld.failures import DeployedPlacement

    placement = DeployedPlacement(plan, g)
    out: list[str] = []
    for store in plan.datastores:
        if plan.level.value != "single-zone":
            deployed = placement.zone_failover(store)
            if deployed != store.zone_loss_rto_seconds:
                out.append(
                    f"{store.name}: the plan states a zone-loss RTO of {store.zone_loss_rto_seconds:g} s, its "
                    f"deployed failover takes {deployed:g} s"
                )
        if len(plan.regions.value) > 1 and store.record:
            lag = placement.replication_lag(store)
            if lag != store.region_loss_rpo_seconds:
                claimed = "none" if store.region_loss_rpo_seconds is None else f"{store.region_loss_rpo_seconds:g} s"
                out.append(
                    f"{store.name}: the plan states a region-loss RPO of {claimed}, its deployed replication gives "
                    + ("no copy in another region" if lag is None else f"{lag:g} s")
                )
    return out


def _alias(name: Any) -> str:
    """An alias target's DNS name as Route 53 compares it."""
    return str(name or "").lower().rstrip(".").removeprefix("dualstack.")


ECS_SERVICE = "aws:ecs/service:Service"


def deployments(run: Run) -> list[str]:
    """A rolling deployment keeps what a zone loss leaves: while ECS replaces tasks it keeps
    ceil(desired x minimum healthy percent / 100) running, which must be no fewer than the tasks left
    after losing the fullest zone (above single-zone) nor than the tasks that carry the design load,
    recomputed from the blueprint's peak_rps / rps_per_replica (the peak over the surviving regions,
    active-active); the maximum percent leaves room above that floor to start a replacement; the
    circuit breaker rolls a failing deployment back. Read from every ECS service that runs tasks
    (ECS's own deployments; rolling updates for the floor)."""
    plan, g = run.plan, run.graph
    out: list[str] = []
    regions = plan.regions.value
    active = plan.replication.value == "active" and len(regions) > 1
    single = plan.level.value == "single-zone"
    seen = 0
    for svc in plan.services:
        serving = [c.region for c in svc.capacity.value if c.role == "serving"]
        load = 0
        if svc.peak_rps:
            load = math.ceil(svc.peak_rps / (len(serving) - 1)) if active and len(serving) > 1 else svc.peak_rps
        for ecs in prefixed(g, ECS_SERVICE, f"{plan.name}-{svc.name}"):
            desired = int(value(ecs, "desired_count") or 0)
            if desired == 0 or (dig(first(value(ecs, "deployment_controller")), "type") or "ECS") != "ECS":
                continue
            seen += 1
            breaker = first(value(ecs, "deployment_circuit_breaker")) or {}
            if dig(breaker, "enable") is not True or dig(breaker, "rollback") is not True:
                out.append(
                    f"{ecs.name}: no deployment circuit breaker with rollback: a deployment whose tasks fail "
                    "goes on replacing them"
                )
            if (dig(first(value(ecs, "deployment_configuration")), "strategy") or "ROLLING") != "ROLLING":
                continue
            low = value(ecs, "deployment_minimum_healthy_percent")
            high = value(ecs, "deployment_maximum_percent")
            low, high = (100 if low is None else int(low)), (200 if high is None else int(high))
            floor, ceiling = math.ceil(desired * low / 100), desired * high // 100
            zones = len(zones_of_subnets(g, dig(first(value(ecs, "network_configuration")) or {}, "subnets") or []))
            wants = []
            if not single and zones > 1:
                wants.append((desired - fullest_zone(desired, zones), f"losing the fullest of {zones} zones leaves"))
            if load and ecs.region in serving:
                wants.append(
                    (math.ceil(load / svc.rps_per_replica), f"carry {load} rps at {svc.rps_per_replica} rps each")
                )
            short = [(want, what) for want, what in wants if floor < want]
            if short:
                want, what = max(short)
                out.append(
                    f"{ecs.name}: a rolling deployment keeps {floor} of {desired} tasks ({low} % minimum healthy), "
                    f"fewer than the {want} that {what}"
                )
            if ceiling <= floor:
                out.append(
                    f"{ecs.name}: {high} % maximum lets a deployment run {ceiling} tasks, no room above the {floor} "
                    "it keeps: it cannot start a replacement"
                )
    if not seen:
        raise NotApplicable("no service runs tasks")
    return out


RTC_MINUTES = 15
"""S3 Replication Time Control's only threshold (and its metrics' event threshold)."""


def _daily(schedule: str) -> bool:
    """A backup schedule runs at least once a day: a cron expression on every day, or a rate of a day or less."""
    text = schedule.strip()
    if text.startswith("rate(") and text.endswith(")"):
        amount, _, unit = text[5:-1].partition(" ")
        per = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
        return amount.isdigit() and unit in per and int(amount) * per[unit] <= 86400
    if text.startswith("cron(") and text.endswith(")"):
        fields = text[5:-1].split()
        return len(fields) == 6 and fields[2] in ("*", "?") and fields[3] == "*" and fields[4] in ("*", "?")
    return False


def _kept(label: str, lifecycle: Any, keep: int) -> list[str]:
    """What is wrong with how long a backup rule (or a copy) keeps its recovery points."""
    delete, cold = dig(lifecycle, "delete_after"), dig(lifecycle, "cold_storage_after")
    out = []
    if delete is not None and int(delete) < keep:
        out.append(f"{label}: deletes recovery points after {int(delete)} days, the blueprint keeps backups {keep}")
    if delete is not None and cold is not None and int(delete) < int(cold) + 90:
        out.append(
            f"{label}: deletes after {int(delete)} days what moves to cold storage after {int(cold)}: AWS keeps "
            "cold recovery points 90 days at least"
        )
    return out


def data_protection(run: Run) -> list[str]:
    """What recovers the data holds it as long and as fresh as the plan states: every AWS Backup rule
    runs at least daily (the age a restore's RPO counts on) and keeps each recovery point, and each
    cross-region copy, at least the blueprint's backup_retention_days (cold storage: 90 days more, as
    AWS requires); a table's point-in-time recovery window, where set, is no shorter; every replication
    rule of an object store held in several regions has S3 Replication Time Control at 15 minutes with
    its metrics, the bound the region-loss RPO and the convergence claim count on. (A database's own
    retention is the `backups` control's.)"""
    from blueprints.figures import TIMINGS

    plan, g = run.plan, run.graph
    keep = plan.dr.backup_retention_days
    out: list[str] = []
    plans = g.of("aws:backup/plan:Plan")
    for backup in plans:
        for rule in value(backup, "rules") or []:
            label = f"{backup.name}: rule {dig(rule, 'rule_name')}"
            schedule = str(dig(rule, "schedule") or "")
            if not _daily(schedule):
                out.append(
                    f"{label} runs {schedule!r}, less often than daily ({TIMINGS['backup-restore-rpo'].what.lower()})"
                )
            out += _kept(label, first(dig(rule, "lifecycle")), keep)
            for copy in dig(rule, "copy_actions") or []:
                out += _kept(
                    f"{label}: copy to {dig(copy, 'destination_vault_arn')}", first(dig(copy, "lifecycle")), keep
                )
    tables = g.of("aws:dynamodb/table:Table")
    for table in tables:
        pitr = first(value(table, "point_in_time_recovery")) or {}
        days = dig(pitr, "recovery_period_in_days")
        if days is not None and int(days) < keep:
            out.append(
                f"{table.name}: point-in-time recovery reaches back {int(days)} days, the blueprint keeps {keep}"
            )
    replicated = 0
    configs = g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    for store in plan.datastores:
        buckets = prefixed(g, "aws:s3/bucket:Bucket", f"{plan.name}-{store.name}")
        if store.kind != "object" or len({b.region for b in buckets}) < 2:
            continue
        replicated += 1
        ids = {b.id for b in buckets} | {str(value(b, "bucket")) for b in buckets}
        for config in [c for c in configs if str(value(c, "bucket")) in ids]:
            for rule in value(config, "rules") or []:
                if dig(rule, "status") != "Enabled":
                    continue
                dest = first(dig(rule, "destination")) or {}
                rtc, metrics = first(dig(dest, "replication_time")) or {}, first(dig(dest, "metrics")) or {}
                minutes = dig(first(dig(rtc, "time")) or {}, "minutes")
                threshold = dig(first(dig(metrics, "event_threshold")) or {}, "minutes")
                label = f"{config.name}: rule {dig(rule, 'id')}"
                if dig(rtc, "status") != "Enabled" or minutes is None or int(minutes) != RTC_MINUTES:
                    out.append(
                        f"{label} replicates without Replication Time Control ({RTC_MINUTES} min): {store.name}'s "
                        f"region-loss RPO counts on S3's {RTC_MINUTES}-minute bound"
                    )
                elif dig(metrics, "status") != "Enabled" or threshold is None or int(threshold) != RTC_MINUTES:
                    out.append(f"{label}: Replication Time Control without its metrics ({RTC_MINUTES} min threshold)")
    if not plans and not tables and not replicated:
        raise NotApplicable("no backup plan, table or replicated bucket")
    return out


def _matches(pattern: str, text: str) -> bool:
    """An ALB condition value: `*` any characters, `?` one, case-sensitive."""
    import fnmatch

    return fnmatch.fnmatchcase(text, pattern.replace("[", "[[]"))


def _rule_takes(rule: Resource, path: str, query: dict[str, str], host: str) -> bool:
    """The listener rule matches a GET of `path?query` for `host` (ALB: path, query-string and host
    conditions; a rule with any other condition is taken not to match)."""
    conditions = value(rule, "conditions") or []
    for c in conditions:
        paths = dig(first(dig(c, "path_pattern")) or {}, "values")
        hosts = dig(first(dig(c, "host_header")) or {}, "values")
        pairs = dig(c, "query_strings")
        if paths is not None:
            if not any(_matches(str(p), path) for p in paths):
                return False
        elif hosts is not None:
            if not any(_matches(str(h).lower(), host.lower()) for h in hosts):
                return False
        elif pairs is not None:
            if not any(
                _matches(str(dig(q, "value")), query.get(str(dig(q, "key") or ""), "\0"))
                if dig(q, "key")
                else any(_matches(str(dig(q, "value")), v) for v in query.values())
                for q in pairs
            ):
                return False
        else:
            return False
    return bool(conditions)


def _forwarded(actions: Any) -> set[str]:
    """The target groups an action list forwards to."""
    out = set()
    for a in actions or []:
        if dig(a, "type") != "forward":
            continue
        if dig(a, "target_group_arn"):
            out.add(str(dig(a, "target_group_arn")))
        out |= {str(dig(t, "arn")) for t in dig(first(dig(a, "forward")) or {}, "target_groups") or []}
    return out


def probes(run: Run) -> list[str]:
    """Every public service's health probe reaches that service, in every region its tasks run: on
    the listener the public entry uses (HTTPS with TLS), the first rule by priority that matches a GET
    of `<health>?hld-probe=<service>` forwards to the target group the service's tasks register in
    (else the listener's default action does); that group checks the service's health path on the
    service's port; each Route 53 probe asks for its service's own health path and name, at the origin
    name of the region whose record it guards."""
    from blueprints.plan_model import PROBE

    plan, g = run.plan, run.graph
    public = [s for s in plan.services if s.public]
    if not public:
        raise NotApplicable("no public service")
    out: list[str] = []
    protocol = "HTTPS" if plan.edge.tls else "HTTP"
    groups = {str(value(t, "arn")): t for t in g.of("aws:lb/targetGroup:TargetGroup")}
    for svc in public:
        query = {PROBE: svc.name}
        for ecs in prefixed(g, ECS_SERVICE, f"{plan.name}-{svc.name}"):
            region = str(ecs.region)
            mine = {str(dig(lb, "target_group_arn")) for lb in value(ecs, "load_balancers") or []}
            if not mine:
                out.append(f"{ecs.name}: registers in no target group: the load balancer cannot reach it")
                continue
            for arn in sorted(mine):
                tg = groups.get(arn)
                check = (first(value(tg, "health_check")) or {}) if tg is not None else {}
                if tg is None:
                    out.append(f"{ecs.name}: its target group {arn} is not deployed")
                elif dig(check, "enabled") is False or str(dig(check, "path") or "/") != svc.health:
                    out.append(
                        f"{tg.name}: checks {dig(check, 'path') or '/'} (enabled: {dig(check, 'enabled')}), "
                        f"not {svc.name}'s health path {svc.health}"
                    )
                elif (
                    str(dig(check, "port") or "traffic-port") not in ("traffic-port", str(svc.port))
                    or int(value(tg, "port") or svc.port) != svc.port
                ):
                    out.append(f"{tg.name}: checks another port than {svc.name}'s {svc.port}")
            host = plan.edge.origin_hosts.get(region, "")
            for lis in [x for x in g.of("aws:lb/listener:Listener") if x.region == region]:
                if value(lis, "protocol") != protocol:
                    continue
                rules = sorted(
                    (
                        r
                        for r in g.of("aws:lb/listenerRule:ListenerRule")
                        if value(r, "listener_arn") == value(lis, "arn")
                    ),
                    key=lambda r: int(value(r, "priority") or 50000),
                )
                taker = next((r for r in rules if _rule_takes(r, svc.health or "/", query, host)), None)
                sent = _forwarded(value(taker, "actions") if taker else value(lis, "default_actions"))
                if not sent & mine:
                    by = (
                        f"{taker.name} (priority {int(value(taker, 'priority') or 0)})"
                        if taker
                        else "its default action"
                    )
                    out.append(
                        f"{lis.name}: {svc.name}'s health probe ({svc.health}?{PROBE}={svc.name}) goes by {by} to "
                        f"{sorted(sent) or 'no target group'}, not to {svc.name}'s tasks"
                    )
    out += _route53_probes(run, public)
    return out


def _route53_probes(run: Run, public: list[Any]) -> list[str]:
    from urllib.parse import parse_qs, urlsplit

    from blueprints.plan_model import PROBE

    g, out = run.graph, []
    by_name = {s.name: s for s in public}
    checks = {c.id: c for c in g.of("aws:route53/healthCheck:HealthCheck")}
    albs = {_alias(value(lb, "dns_name")): lb.region for lb in g.of("aws:lb/loadBalancer:LoadBalancer")}
    names = {
        _alias(value(r, "name")): albs.get(_alias(dig(first(value(r, "aliases")), "name")))
        for r in g.of("aws:route53/record:Record")
        if value(r, "aliases")
    }
    for record in g.of("aws:route53/record:Record"):
        check = checks.get(str(value(record, "health_check_id") or ""))
        if check is None or not value(record, "aliases"):
            continue
        region = albs.get(_alias(dig(first(value(record, "aliases")), "name")))
        children = (
            [checks.get(str(c)) for c in value(check, "child_healthchecks") or []]
            if value(check, "type") == "CALCULATED"
            else [check]
        )
        seen = set()
        for child in [c for c in children if c is not None and value(c, "type") in ("HTTP", "HTTPS")]:
            parts = urlsplit(str(value(child, "resource_path") or ""))
            named = (parse_qs(parts.query).get(PROBE) or [""])[0]
            svc = by_name.get(named)
            seen.add(named)
            if svc is None or parts.path != svc.health:
                out.append(
                    f"{child.name}: probes {parts.path}?{PROBE}={named or '(none)'}, not a public service's own "
                    "health path and name"
                )
            where = names.get(_alias(value(child, "fqdn")), "unknown") if value(child, "fqdn") else "unknown"
            if region is not None and where != region:
                out.append(f"{child.name}: guards {record.name} ({region}) but probes {value(child, 'fqdn')} ({where})")
        missing = sorted(set(by_name) - seen)
        if missing:
            out.append(f"{record.name}: its health check probes no {', '.join(missing)}")
    return out


CHECKS: tuple[Check, ...] = (
    Check("autoscaling", "Autoscaling bounds and policies as planned", None, autoscaling),
    Check(
        "egress", "No route to the internet from isolated subnets; private ones through their zone's NAT", None, egress
    ),
    Check("egress-rules", "Security groups let out only what each role uses", None, egress_rules),
    Check("deployments", "Rolling deployments keep what a zone loss leaves", None, deployments),
    Check(
        "data-protection",
        "Backups, point-in-time recovery and replication as long and as fresh as stated",
        None,
        data_protection,
    ),
    Check("probes", "Every public service's health probe reaches that service", None, probes),
    Check("listeners", "No plain-HTTP forwarding; every route on the TLS listener", None, listeners),
    Check("dns-failover", "Routed records carry health checks of every service", None, dns_failover),
    Check("cdn-failover", "CDN reads fail over between regions", None, cdn_failover),
    Check("queues", "Redrive counts and dead-letter retention", None, queues),
    Check("global-tables", "Global tables: replicas and consistency mode", None, global_tables),
    Check("app-contract", "Every task gets the app contract; every counted reader is named", None, app_contract),
    Check(
        "convergence", "Each store's writes reach the other regions by a deployed path, as claimed", None, convergence
    ),
    Check("invariants", "What the blueprint's numbers require, recomputed", None, invariants),
)
"""Each promise as the property that delivers it."""

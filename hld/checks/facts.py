"""What the resources that hold a store's data say about surviving a zone and a region, by AWS
resource type: the one place the checks know AWS types; the checks themselves go over the
plan's promises (a store is multi-AZ, has a copy in each of its regions) and ask these facts.
Also where each serving resource is placed (`SERVES_FROM`) and the zones its subnets cover
(`spanned`), which the `zones` check holds against the plan's serving zones and against AWS's
minimums (blueprints.zone_minimums).

A store kind built from these types needs nothing here; a kind built on a new AWS type adds
its facts here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from blueprints.plan_model import AnyStorePlan, Plan
from blueprints.zone_minimums import ZoneMinimum, subnet_ids, zone_minimum
from hld.graph import Graph, Resource, dig, first, prefixed, value, zones_of_subnets


@dataclass(frozen=True)
class Holder:
    """Facts of one AWS resource type that holds data."""

    held: Callable[[Graph, Resource], set[str]]
    """Regions this resource keeps the data in."""
    zone: Callable[[Graph, Resource, set[str]], list[str]] | None = None
    """What keeps it from surviving a zone loss, given the region's planned zones."""
    copies: Callable[[Graph, AnyStorePlan, list[Resource]], list[str]] | None = None
    """What is missing of the copies in the store's other regions (the store's resources of this type)."""


def _own(_g: Graph, r: Resource) -> set[str]:
    return {r.region} if r.region else set()


def _writer(r: Resource) -> bool:
    return not value(r, "replicate_source_db")


def _instance_zone(_g: Graph, r: Resource, _zones: set[str]) -> list[str]:
    if _writer(r) and value(r, "multi_az") is not True:
        return [f"{r.name}: not Multi-AZ"]
    return []


def _instance_copies(g: Graph, store: AnyStorePlan, rs: list[Resource]) -> list[str]:
    writer = next((w for w in rs if _writer(w) and w.region == store.writer_region), None)
    out = []
    for region in store.regions:
        if region == store.writer_region:
            continue
        replicas = [
            r
            for r in rs
            if r.region == region
            and writer is not None
            and str(value(r, "replicate_source_db")) in (str(value(writer, "arn")), writer.id)
        ]
        if not replicas:
            out.append(f"{store.name}: no read replica of the {store.writer_region} writer in {region}")
    return out


def _cluster_zone(g: Graph, cluster: Resource, _zones: set[str]) -> list[str]:
    members = [
        i
        for i in g.of("aws:rds/clusterInstance:ClusterInstance")
        if i.region == cluster.region and value(i, "cluster_identifier") == cluster.id
    ]
    spread = {str(value(i, "availability_zone")) for i in members}
    if len(spread) < 2 and not value(cluster, "global_cluster_identifier"):
        return [f"{cluster.name}: instances in {sorted(spread)}, not two zones or more"]
    return []


def _cluster_copies(g: Graph, store: AnyStorePlan, rs: list[Resource]) -> list[str]:
    members = {c.region for c in rs if value(c, "global_cluster_identifier")}
    return [
        f"{store.name}: no Aurora Global Database member in {region}"
        for region in store.regions
        if region != store.writer_region and region not in members
    ]


def _table_held(_g: Graph, table: Resource) -> set[str]:
    return _own(_g, table) | {str(dig(x, "region_name")) for x in value(table, "replicas") or []}


def _table_copies(g: Graph, store: AnyStorePlan, rs: list[Resource]) -> list[str]:
    out = []
    others = {r for r in store.regions if r != store.writer_region}
    for table in rs:
        have = {str(dig(x, "region_name")) for x in value(table, "replicas") or []}
        if others - have:
            out.append(f"{table.name}: no replica in {', '.join(sorted(others - have))}")
    return out


def _cache_zone(_g: Graph, group: Resource, zones: set[str]) -> list[str]:
    out = []
    have = set(value(group, "member_zones") or value(group, "preferred_cache_cluster_azs") or [])
    if value(group, "automatic_failover_enabled") is not True:
        out.append(f"{group.name}: no automatic failover")
    if not zones <= have:
        out.append(f"{group.name}: nodes in {sorted(have)}, not every planned zone {sorted(zones)}")
    return out


def _bucket_copies(g: Graph, store: AnyStorePlan, rs: list[Resource]) -> list[str]:
    rules = [
        str(dig(first(dig(rule, "destination")), "bucket"))
        for c in g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
        for rule in value(c, "rules") or []
    ]
    out = []
    for region in store.regions:
        if region == store.writer_region:
            continue
        targets = [b for b in rs if b.region == region]
        if not any(str(value(b, "arn")) in rules or b.id in " ".join(rules) for b in targets):
            out.append(f"{store.name}: not replicated to {region}")
    return out


HOLDERS: dict[str, Holder] = {
    "aws:rds/instance:Instance": Holder(_own, _instance_zone, _instance_copies),
    "aws:rds/cluster:Cluster": Holder(_own, _cluster_zone, _cluster_copies),
    "aws:dynamodb/table:Table": Holder(_table_held, None, _table_copies),
    "aws:elasticache/replicationGroup:ReplicationGroup": Holder(_own, _cache_zone),
    "aws:sqs/queue:Queue": Holder(_own),
    "aws:s3/bucket:Bucket": Holder(_own, None, _bucket_copies),
}
"""The resource types that hold a store's data, and their facts."""


def holders(plan: Plan, graph: Graph, store: AnyStorePlan) -> dict[str, list[Resource]]:
    """The store's data-holding resources, by type (found through the store's components)."""
    found = {t: prefixed(graph, t, f"{plan.name}-{store.name}") for t in HOLDERS}
    return {t: rs for t, rs in found.items() if rs}


def _in_zone(g: Graph, r: Resource) -> set[str]:
    """The zone asked for; unasked, AWS may place it in any zone of its DB subnet group (its
    cluster's, for an Aurora instance), whatever zone a cloud then reports (moto: always the
    region's first, and a cross-region replica's source's)."""
    if r.inputs.get("availabilityZone"):
        return {str(r.inputs["availabilityZone"])}
    owner = next((c for c in g.of("aws:rds/cluster:Cluster") if c.id == value(r, "cluster_identifier")), r)
    group = value(owner, "db_subnet_group_name")
    for found in g.of("aws:rds/subnetGroup:SubnetGroup"):
        if group and found.region == r.region and group in (found.id, value(found, "name")):
            return zones_of_subnets(g, value(found, "subnet_ids") or [])
    zone = str(value(r, "availability_zone") or "")
    return {zone} if zone and (not r.region or zone.startswith(r.region)) else set()


def _nodes(_g: Graph, r: Resource) -> set[str]:
    return {str(z) for z in value(r, "member_zones") or value(r, "preferred_cache_cluster_azs") or []}


def _subnet(g: Graph, r: Resource) -> set[str]:
    return zones_of_subnets(g, [str(value(r, "subnet_id"))])


def _tasks(g: Graph, r: Resource) -> set[str]:
    return zones_of_subnets(g, dig(first(value(r, "network_configuration")) or {}, "subnets") or [])


SERVES_FROM: dict[str, Callable[[Graph, Resource], set[str]]] = {
    "aws:ecs/service:Service": _tasks,
    "aws:rds/instance:Instance": _in_zone,
    "aws:rds/clusterInstance:ClusterInstance": _in_zone,
    "aws:elasticache/replicationGroup:ReplicationGroup": _nodes,
    "aws:ec2/natGateway:NatGateway": _subnet,
}
"""The zones a serving resource may run in, by type: tasks where their subnets are, a DB instance in
the zone asked for (else any of its subnet group's, AWS's choice, as for a Multi-AZ one's standby),
cache nodes in theirs, a NAT gateway in its subnet's."""


def spanned(g: Graph, r: Resource) -> tuple[ZoneMinimum, set[str]] | None:
    """The resource's row of blueprints.zone_minimums and the zones its subnets cover (None: no row)."""
    inputs = {**r.inputs, **r.state}
    row = zone_minimum(r.type, inputs)
    if row is None:
        return None
    return row, zones_of_subnets(g, subnet_ids(row, inputs))

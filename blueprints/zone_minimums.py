"""The zones AWS requires a resource to span, by the resource types hld places in subnets: one
table, each row with its source. The planner reads it to give a single-zone design the subnets
AWS demands (blueprints.planner.network), the offline clouds refuse a resource that breaks its row
as AWS does (hld.offline.refusals), and the `zones` check reads it on the deployed state
(hld.checks.promises), independently of what the plan decided.

A row whose minimum is 1 records that AWS sets none (checked on the same pages), so "no rule" is a
sourced finding, not an omission. Types hld does not make are not listed: a Network Load Balancer
and a Gateway Load Balancer take subnets in one zone or more, an interface VPC endpoint one subnet
per zone and no minimum (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_ELB_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
_ALB_SUBNETS = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"
    "#subnets-load-balancer"
)
_RDS_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html"
_RDS_SUBNETS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Subnets"
)
_AURORA_SUBNETS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"
)
_CACHE_API = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html"
_CACHE_GROUP_API = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
_ECS_API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html"
_NAT = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html"


def _always(_inputs: dict[str, Any]) -> bool:
    return True


def _application(inputs: dict[str, Any]) -> bool:
    return str(inputs.get("loadBalancerType") or "application") == "application"


@dataclass(frozen=True)
class ZoneMinimum:
    """What AWS requires of the zones one resource type's subnets cover."""

    key: str
    resource: str
    """The resource as AWS names it."""
    types: tuple[str, ...]
    """The Pulumi types the rule applies to."""
    subnets: tuple[str, ...]
    """The path of the input that lists the resource's subnets (Pulumi's camelCase names)."""
    zones: int
    """Distinct Availability Zones the subnets must cover (1: AWS sets no minimum)."""
    refusal: str
    """AWS's error, as AWS words it; `{zones}` is the zones the subnets cover, `{count}` their number."""
    source: str
    one_per_zone: bool = False
    """AWS also refuses two of the subnets in one zone."""
    crowded: str = ""
    """AWS's error for two subnets in one zone (with one_per_zone)."""
    applies: Callable[[dict[str, Any]], bool] = _always
    """Whether the rule applies to a resource of the type, given its inputs."""
    note: str = ""


ZONE_MINIMUMS: dict[str, ZoneMinimum] = {
    row.key: row
    for row in (
        ZoneMinimum(
            "alb",
            "Application Load Balancer",
            ("aws:lb/loadBalancer:LoadBalancer",),
            ("subnets",),
            2,
            "ValidationError: At least two subnets in two different Availability Zones must be specified",
            f'{_ELB_API} (Subnets: "[Application Load Balancers] You must specify subnets from at least two '
            f'Availability Zones", "You can specify only one subnet per Availability Zone"); {_ALB_SUBNETS}',
            one_per_zone=True,
            crowded="InvalidConfigurationRequest: A load balancer cannot be attached to multiple subnets in the same "
            "Availability Zone",
            applies=_application,
            note="a Network or Gateway Load Balancer takes one zone or more (same page)",
        ),
        ZoneMinimum(
            "db-subnet-group",
            "DB subnet group (RDS DB instances and Aurora DB clusters)",
            ("aws:rds/subnetGroup:SubnetGroup",),
            ("subnetIds",),
            2,
            "DBSubnetGroupDoesNotCoverEnoughAZs: The DB subnet group doesn't meet Availability Zone (AZ) coverage "
            "requirement. Current AZ coverage: {zones}. Add subnets to cover at least 2 AZs.",
            f'{_RDS_API} (Errors: DBSubnetGroupDoesNotCoverEnoughAZs, "Subnets in the DB subnet group should cover '
            f'at least two Availability Zones unless there is only one Availability Zone"); {_RDS_SUBNETS}; '
            f"{_AURORA_SUBNETS}",
            note="a Single-AZ DB instance too: its subnet group covers two zones, the instance is in one "
            "(CreateDBInstance AvailabilityZone); every region hld plans has three zones or more",
        ),
        ZoneMinimum(
            "cache-subnet-group",
            "ElastiCache subnet group",
            ("aws:elasticache/subnetGroup:SubnetGroup",),
            ("subnetIds",),
            1,
            "",
            f"{_CACHE_API} (no Availability Zone coverage among its constraints or errors); {_CACHE_GROUP_API}",
            note="no zone minimum; a replication group with automatic failover needs NumCacheClusters >= 2, "
            "placed in zones by PreferredCacheClusterAZs (a node count, not a subnet rule)",
        ),
        ZoneMinimum(
            "ecs-service",
            "ECS service (awsvpc network configuration)",
            ("aws:ecs/service:Service",),
            ("networkConfiguration", "subnets"),
            1,
            "",
            f"{_ECS_API} (subnets: required, at most 16, no zone minimum)",
            note="tasks are spread over the zones of the subnets given",
        ),
        ZoneMinimum(
            "nat-gateway",
            "NAT gateway",
            ("aws:ec2/natGateway:NatGateway",),
            ("subnetId",),
            1,
            "",
            f"{_NAT} (a NAT gateway is created in one subnet, in one zone)",
        ),
    )
}
"""Every AWS rule of the form "at least N zones" the resources hld makes in subnets meet."""


def zone_minimum(typ: str, inputs: dict[str, Any]) -> ZoneMinimum | None:
    """The row for a resource of type `typ` with these inputs (camelCase), or None."""
    for row in ZONE_MINIMUMS.values():
        if typ in row.types and row.applies(inputs):
            return row
    return None


def subnet_ids(row: ZoneMinimum, inputs: dict[str, Any]) -> list[str]:
    """The subnet ids a resource's inputs name, along the row's path (a list of one block is
    read as the block, as Pulumi passes nested inputs)."""
    found: Any = inputs
    for key in row.subnets:
        if isinstance(found, list):
            found = found[0] if found else None
        found = found.get(key) if isinstance(found, dict) else None
    if found is None:
        return []
    return [str(s) for s in (found if isinstance(found, list) else [found]) if s]


def minimum_zones(key: str) -> int:
    return ZONE_MINIMUMS[key].zones

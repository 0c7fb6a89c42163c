"""The AWS FIS actions hld uses (and the ones it could), as AWS documents them: pure data.

Each row: the action id, the target key the action names its target by and the resource type that
target must be, the action's required and optional parameters (with the values a parameter takes where
the documentation lists them), how the target may pick its resources (by ARN, by tags, by parameters,
with filters), the permissions the experiment role needs, and the section of the documentation it was
read from. The target resource types' own parameters and the selection modes follow.

Read in December 2026 from the AWS FIS User Guide:
  actions  https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html
  targets  https://docs.aws.amazon.com/fis/latest/userguide/targets.html
The offline cloud (hld.offline.moto.fis) refuses a template that breaks a row; moto creates templates
without checking any of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CHECKED = "2026-12"
"""The month the rows below were read."""
ACTIONS_SOURCE = "https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html"
TARGETS_SOURCE = "https://docs.aws.amazon.com/fis/latest/userguide/targets.html"

ARNS, TAGS, PARAMETERS, FILTERS = "arns", "tags", "parameters", "filters"
"""How a target picks its resources: `resourceArns`, `resourceTags`, resource `parameters`, `filters`."""
ANY_WAY = (ARNS, TAGS, PARAMETERS, FILTERS)

DURATION_MIN_SECONDS = 60
DURATION_MAX_SECONDS = 12 * 3600
"""`duration`: "from one minute to 12 hours", an ISO 8601 string (PT1M) in the FIS API."""


@dataclass(frozen=True)
class FisAction:
    id: str
    target_key: str
    """The key the action's `targets` map uses (`Subnets`, `Tasks`, ...)."""
    resource_type: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Parameters whose values the documentation enumerates."""
    targeting: tuple[str, ...] = ANY_WAY
    """How its target may pick resources (S3's pause: tags only)."""
    permissions: tuple[str, ...] = ()
    source: str = ACTIONS_SOURCE
    used: bool = False
    """hld's experiments use it (the others are here because the stack could)."""
    zonal: bool = False
    """It takes away one zone's share of what it targets (AZ power-interruption style)."""


ACTIONS: dict[str, FisAction] = {
    a.id: a
    for a in (
        FisAction(
            "aws:network:disrupt-connectivity",
            "Subnets",
            "aws:ec2:subnet",
            required=("duration", "scope"),
            optional=("prefixListIdentifier",),
            values={"scope": ("all", "availability-zone", "dynamodb", "prefix-list", "s3", "s3express", "vpc")},
            permissions=(
                "ec2:CreateNetworkAcl",
                "ec2:CreateNetworkAclEntry",
                "ec2:CreateTags",
                "ec2:DeleteNetworkAcl",
                "ec2:DescribeManagedPrefixLists",
                "ec2:DescribeNetworkAcls",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
                "ec2:GetManagedPrefixListEntries",
                "ec2:ReplaceNetworkAclAssociation",
            ),
            source=f"{ACTIONS_SOURCE}#disrupt-connectivity",
            used=True,
            zonal=True,
        ),
        FisAction(
            "aws:network:route-table-disrupt-cross-region-connectivity",
            "Subnets",
            "aws:ec2:subnet",
            required=("region", "duration"),
            permissions=(
                "ec2:AssociateRouteTable",
                "ec2:CreateManagedPrefixList",
                "ec2:CreateNetworkInterface",
                "ec2:CreateRoute",
                "ec2:CreateRouteTable",
                "ec2:CreateTags",
                "ec2:DeleteManagedPrefixList",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteRouteTable",
                "ec2:DescribeManagedPrefixLists",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeVpcs",
                "ec2:DisassociateRouteTable",
                "ec2:GetManagedPrefixListEntries",
                "ec2:ModifyManagedPrefixList",
                "ec2:ModifyVpcEndpoint",
                "ec2:ReplaceRouteTableAssociation",
            ),
            source=f"{ACTIONS_SOURCE}#route-table-disrupt-cross-region-connectivity",
            used=True,
        ),
        FisAction(
            "aws:network:transit-gateway-disrupt-cross-region-connectivity",
            "TransitGateways",
            "aws:ec2:transit-gateway",
            required=("region", "duration"),
            source=f"{ACTIONS_SOURCE}#transit-gateway-disrupt-cross-region-connectivity",
        ),
        FisAction(
            "aws:ecs:stop-task",
            "Tasks",
            "aws:ecs:task",
            required=(),
            permissions=("ecs:DescribeTasks", "ecs:ListTasks", "ecs:StopTask", "tag:GetResources"),
            source=f"{ACTIONS_SOURCE}#stop-task",
            used=True,
            zonal=True,
        ),
        FisAction(
            "aws:rds:failover-db-cluster",
            "Clusters",
            "aws:rds:cluster",
            required=(),
            permissions=("rds:FailoverDBCluster", "rds:DescribeDBClusters", "tag:GetResources"),
            source=f"{ACTIONS_SOURCE}#failover-db-cluster",
            used=True,
            zonal=True,
        ),
        FisAction(
            "aws:rds:reboot-db-instances",
            "DBInstances",
            "aws:rds:db",
            required=(),
            optional=("forceFailover",),
            values={"forceFailover": ("true", "false")},
            permissions=("rds:RebootDBInstance", "rds:DescribeDBInstances", "tag:GetResources"),
            source=f"{ACTIONS_SOURCE}#reboot-db-instances",
            used=True,
            zonal=True,
        ),
        FisAction(
            "aws:elasticache:replicationgroup-interrupt-az-power",
            "ReplicationGroups",
            "aws:elasticache:replicationgroup",
            required=("duration",),
            permissions=(
                "elasticache:InterruptClusterAzPower",
                "elasticache:DescribeReplicationGroups",
                "tag:GetResources",
            ),
            targeting=(TAGS, PARAMETERS),  # AWS's AZ power-interruption scenario selects replication groups by tag
            source=f"{ACTIONS_SOURCE}#replicationgroup-interrupt-az-power",
            used=True,
            zonal=True,
        ),
        FisAction(
            "aws:dynamodb:global-table-pause-replication",
            "Tables",
            "aws:dynamodb:global-table",
            required=("duration",),
            permissions=(
                "dynamodb:PutResourcePolicy",
                "dynamodb:DeleteResourcePolicy",
                "dynamodb:GetResourcePolicy",
                "dynamodb:DescribeTable",
                "tag:GetResources",
            ),
            source=f"{ACTIONS_SOURCE}#global-table-pause-replication",
            used=True,
        ),
        FisAction(
            "aws:s3:bucket-pause-replication",
            "Buckets",
            "aws:s3:bucket",
            required=("duration", "region"),
            optional=("destinationBuckets", "prefixes"),
            targeting=(TAGS,),  # "This action only supports targeting by tags."
            permissions=(
                "s3:PutReplicationConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:PauseReplication",
                "s3:ListAllMyBuckets",
                "tag:GetResources",
            ),
            source=f"{ACTIONS_SOURCE}#bucket-pause-replication",
            used=True,
        ),
        FisAction(
            "aws:memorydb:multi-region-cluster-pause-replication",
            "MultiRegionClusters",
            "aws:memorydb:multi-region-cluster",
            required=("duration",),
            source=f"{ACTIONS_SOURCE}#multi-region-cluster-pause-replication",
        ),
        FisAction(
            "aws:network:disrupt-vpc-endpoint",
            "VPCEndpoints",
            "aws:ec2:vpc-endpoint",
            required=("duration",),
            source=f"{ACTIONS_SOURCE}#disrupt-vpc-endpoint",
        ),
        FisAction(
            "aws:fis:wait",
            "",
            "",
            required=("duration",),
            source=f"{ACTIONS_SOURCE}#wait",
        ),
    )
}
"""Every action hld uses (`used`) and the ones this stack's resources could take."""


@dataclass(frozen=True)
class TargetType:
    resource_type: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    source: str = f"{TARGETS_SOURCE}#target-parameters"


TARGET_TYPES: dict[str, TargetType] = {
    t.resource_type: t
    for t in (
        TargetType("aws:ec2:subnet", optional=("availabilityZoneIdentifier", "vpc")),
        TargetType("aws:ecs:task", optional=("cluster", "service")),
        TargetType("aws:rds:cluster", optional=("writerAvailabilityZoneIdentifiers",)),
        TargetType("aws:rds:db", optional=("availabilityZoneIdentifiers",)),
        TargetType("aws:elasticache:replicationgroup", required=("availabilityZoneIdentifier",)),
        TargetType("aws:dynamodb:global-table"),
        TargetType("aws:s3:bucket"),
        TargetType("aws:ec2:transit-gateway"),
        TargetType("aws:ec2:vpc-endpoint"),
        TargetType("aws:memorydb:multi-region-cluster"),
    )
}
"""The target resource types' own parameters ("Resource parameters"): ElastiCache's AZ is required."""

SELECTION_MODE = re.compile(r"^(ALL|COUNT\((\d+)\)|PERCENT\((\d+)\))$")
"""`ALL`, `COUNT(n)`, `PERCENT(n)` (targets.html#target-selection-mode)."""
STOP_SOURCES = ("aws:cloudwatch:alarm", "none")
"""A stop condition's `source`: a CloudWatch alarm (its ARN the `value`), or none."""
DESCRIPTION_MAX = 512
"""The CreateExperimentTemplate API's limit on `description`."""
ISO_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def duration_seconds(text: str) -> int | None:
    """An ISO 8601 duration of hours, minutes and seconds (PT10M) in seconds; None if it is not one."""
    m = ISO_DURATION.match(text)
    if not m or not any(m.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in m.groups())
    return hours * 3600 + minutes * 60 + seconds


def iso_duration(seconds: int) -> str:
    """PT10M for 600."""
    if seconds % 3600 == 0:
        return f"PT{seconds // 3600}H"
    if seconds % 60 == 0:
        return f"PT{seconds // 60}M"
    return f"PT{seconds}S"


def selection_ok(mode: str) -> bool:
    m = SELECTION_MODE.match(mode)
    if not m:
        return False
    percent = m.group(3)
    count = m.group(2)
    return (percent is None or 1 <= int(percent) <= 100) and (count is None or int(count) >= 1)

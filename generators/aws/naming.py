"""Names AWS accepts: what pulumi-aws and AWS require of each resource's name, and how hld fits
its logical names into them.

pulumi-aws auto-names a resource whose name is not set: the logical name, a separator and
7 random hex characters. It does not shorten: when the logical name and the suffix are longer
than the provider's limit it stops with an error, and where the provider's limit is looser
than AWS's, Terraform's validation or the AWS API refuses the name instead. `NAMING` holds,
for every resource type the AWS target emits with a name, the provider's auto-naming and the
rule AWS (or Terraform's validator) applies; the offline run (hld.offline) refuses a name the
way they would, and the AWS target shortens its logical names with `fit` so none is refused.

Sources: pulumi-aws v7 `provider/autonaming.go` (default: `name`, max 255, separator `-`,
7 random characters) and `provider/resource_overrides.go` (per-resource limits);
pulumi-terraform-bridge `pkg/tfbridge/names.go` (the error below); the AWS API references
named per row. Read 2026-11.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# logical names are shortened by blueprints.names, where the `derived-names` rule makes the same
# names to refuse two components whose names would meet
from blueprints.names import fit as fit
from blueprints.names import short_place as short_place

RANDOM = 7
"""Random hex characters pulumi-aws appends to an auto-name."""


@dataclass(frozen=True)
class NameRule:
    prop: str  # the input that holds the name (camelCase, as registered)
    autonamed: bool  # the provider makes a name when it is not set
    provider_max: int  # the provider's limit on an auto-name (logical + separator + random)
    aws_max: int  # what AWS (or Terraform's validator) accepts
    pattern: str  # what AWS accepts, as a regular expression
    separator: str = "-"
    lower: bool = False  # the provider lower-cases the logical name first
    no_double_dash: bool = False  # RDS and ElastiCache refuse "--" and a final "-"
    prefix: str = ""  # the provider puts it before an auto-name (after the length check)
    source: str = ""

    @property
    def room(self) -> int:
        """The longest logical name the provider can auto-name within both limits (for a name that
        is not auto-named: the longest name AWS accepts)."""
        if not self.autonamed:
            return self.aws_max
        return min(self.provider_max, self.aws_max) - len(self.separator) - RANDOM

    def problem(self, physical: str) -> str | None:
        """Why AWS refuses `physical` as this resource's name, or None."""
        if len(physical) > self.aws_max:
            return f"name {physical!r} is {len(physical)} characters; AWS accepts at most {self.aws_max}"
        if not re.fullmatch(self.pattern, physical):
            return f"name {physical!r} does not match {self.pattern}"
        if self.no_double_dash and ("--" in physical or physical.endswith("-")):
            return f"name {physical!r} has two dashes in a row or ends with one"
        return None


_ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
_TG = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"
_RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
_CACHE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
_IDENT = r"[a-z][a-z0-9-]*"

NAMING: dict[str, NameRule] = {
    "aws:lb/loadBalancer:LoadBalancer": NameRule(
        "name", True, 255, 32, r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?", source=_ELB
    ),
    "aws:lb/targetGroup:TargetGroup": NameRule(
        "name", True, 32, 32, r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?", source=_TG
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": NameRule(
        "replicationGroupId", True, 40, 40, _IDENT, lower=True, no_double_dash=True, source=_CACHE
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": NameRule("name", True, 255, 255, r"[A-Za-z0-9-]+"),
    "aws:iam/role:Role": NameRule(
        "name",
        True,
        64,
        64,
        r"[\w+=,.@-]+",
        source="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    ),
    "aws:iam/rolePolicy:RolePolicy": NameRule("name", True, 255, 128, r"[\w+=,.@-]+"),
    "aws:s3/bucket:Bucket": NameRule(
        "bucket",
        True,
        63,
        63,
        r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
        lower=True,
        source="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    ),
    "aws:sqs/queue:Queue": NameRule(
        "name",
        True,
        80,
        85,
        r"[A-Za-z0-9_-]{1,80}(\.fifo)?",
        source="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
    ),
    "aws:backup/vault:Vault": NameRule(
        "name",
        True,
        255,
        50,
        r"[A-Za-z0-9_-]{2,50}",
        source="https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html",
    ),
    "aws:backup/plan:Plan": NameRule("name", True, 255, 50, r"[A-Za-z0-9_.-]{1,50}"),
    "aws:backup/selection:Selection": NameRule("name", True, 255, 50, r"[A-Za-z0-9_.-]{1,50}"),
    "aws:cloudwatch/logGroup:LogGroup": NameRule("name", True, 255, 512, r"[\w/.#-]+"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": NameRule(
        "name",
        True,
        255,
        255,
        r"[^\x00-\x1f]+",
        source="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    ),
    "aws:ecs/cluster:Cluster": NameRule("name", True, 255, 255, r"[A-Za-z0-9_-]+"),
    "aws:ecs/service:Service": NameRule("name", True, 255, 255, r"[A-Za-z0-9_-]+"),
    "aws:ecs/taskDefinition:TaskDefinition": NameRule("family", False, 255, 255, r"[A-Za-z0-9_-]+"),
    "aws:rds/instance:Instance": NameRule(
        "identifier", True, 255, 63, _IDENT, separator="", no_double_dash=True, source=_RDS
    ),
    "aws:rds/cluster:Cluster": NameRule("clusterIdentifier", False, 63, 63, _IDENT, no_double_dash=True),
    "aws:rds/clusterInstance:ClusterInstance": NameRule("identifier", False, 63, 63, _IDENT, no_double_dash=True),
    "aws:rds/globalCluster:GlobalCluster": NameRule(
        "globalClusterIdentifier", False, 63, 63, _IDENT, no_double_dash=True
    ),
    "aws:rds/subnetGroup:SubnetGroup": NameRule("name", True, 255, 255, r"[0-9a-z_ .-]+"),
    "aws:rds/parameterGroup:ParameterGroup": NameRule("name", True, 255, 255, r"[a-z][0-9a-z.-]*", no_double_dash=True),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": NameRule(
        "name", True, 255, 255, r"[a-z][0-9a-z.-]*", no_double_dash=True
    ),
    "aws:ec2/securityGroup:SecurityGroup": NameRule("name", True, 255, 255, r"(?!sg-).+"),
    "aws:kms/alias:Alias": NameRule("name", True, 238, 256, r"alias/(?!aws/)[A-Za-z0-9/_-]+", prefix="alias/"),
    "aws:secretsmanager/secret:Secret": NameRule("name", True, 255, 512, r"[\w/+=.@-]+"),
    "aws:dynamodb/table:Table": NameRule("name", True, 255, 255, r"[A-Za-z0-9_.-]{3,255}"),
    "aws:wafv2/webAcl:WebAcl": NameRule("name", True, 255, 128, r"[\w-]+"),
    "aws:cloudfront/cachePolicy:CachePolicy": NameRule("name", True, 255, 128, r"[\w-]+"),
    "aws:appautoscaling/policy:Policy": NameRule("name", True, 255, 255, r"[^:/]+"),
    "aws:ssm/document:Document": NameRule(
        "name",
        True,
        255,
        128,
        r"(?!(?i:aws|amazon|amzn))[A-Za-z0-9_.-]{3,128}",
        source="https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html",
    ),
}
"""Name rules by Pulumi type (see the module docstring for the sources)."""

SNAPSHOT = NameRule("finalSnapshotIdentifier", False, 255, 255, r"[A-Za-z][A-Za-z0-9-]*", no_double_dash=True)
"""RDS final snapshot identifiers (an explicit name on instances and clusters)."""


def provider_error(type_: str, logical: str, rule: NameRule) -> str:
    """The bridge's own message when an auto-name cannot fit (pkg/tfbridge/names.go)."""
    return (
        f"could not make instance of '{type_}': name '{logical}{rule.separator}' plus {RANDOM} random chars "
        f"is longer than maximum length {rule.provider_max}"
    )


def stack_label(stack: str) -> str:
    """A stack name as physical names take it: letters, digits and single dashes, 24 at most (a
    Pulumi stack name may hold `_`, `.` and capitals)."""
    label = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", stack.lower())).strip("-")[:24].rstrip("-")
    return label or "stack"

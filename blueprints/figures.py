"""The figures the planner stands on, each with its source (HLD-RULES.md §1, §3).

One table, no literals scattered in code: the planner, `hld plan` and the HLD
document read a figure by key and show its source next to it. A row whose figure
is not confirmed from the provider's own page says so (`verified=False`) and the
plan prints that beside the number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sla:
    key: str
    component: str
    deployment: str
    percent: float
    source: str
    verified: bool = True

    @property
    def fraction(self) -> float:
        return self.percent / 100


_COMPUTE = "https://aws.amazon.com/compute/sla/"
_ELB = "https://aws.amazon.com/elasticloadbalancing/sla/"
_RDS = "https://aws.amazon.com/rds/sla/"
_AURORA = "https://aws.amazon.com/rds/aurora/sla/"
_DDB = "https://aws.amazon.com/dynamodb/sla/"
_CACHE = "https://aws.amazon.com/elasticache/sla/"

SLAS: dict[str, Sla] = {
    row.key: row
    for row in (
        Sla("ecs-multi-az", "ECS on Fargate", "tasks across >= 2 zones", 99.99, _COMPUTE),
        Sla("ecs-single", "ECS on Fargate", "tasks in one zone", 99.5, _COMPUTE),
        Sla("elb-multi-az", "Elastic Load Balancing", "ALB in >= 2 zones", 99.99, _ELB),
        Sla("elb-single-az", "Elastic Load Balancing", "ALB in one zone", 99.9, _ELB),
        Sla("rds-multi-az", "RDS PostgreSQL", "Multi-AZ DB instance", 99.95, _RDS),
        Sla("rds-single-az", "RDS PostgreSQL", "single-AZ DB instance", 99.5, _RDS),
        Sla("aurora-multi-az", "Aurora PostgreSQL", "instances in >= 2 zones", 99.99, _AURORA),
        Sla("aurora-single-az", "Aurora PostgreSQL", "single-AZ cluster", 99.9, _AURORA),
        Sla("dynamodb", "DynamoDB", "single-region table", 99.99, _DDB),
        Sla("dynamodb-global", "DynamoDB", "global table", 99.999, _DDB),
        Sla("elasticache-multi-az", "ElastiCache", "Multi-AZ, automatic failover", 99.99, _CACHE),
        Sla("elasticache-single-az", "ElastiCache", "single-AZ", 99.5, _CACHE),
        Sla("cloudfront", "CloudFront", "distribution", 99.9, "https://aws.amazon.com/cloudfront/sla/"),
        Sla(
            "route53",
            "Route 53",
            "DNS queries",
            100.0,
            "https://aws.amazon.com/route53/sla/",
            verified=False,
        ),
        Sla("s3", "S3 Standard", "bucket", 99.9, "https://aws.amazon.com/s3/sla/"),
        Sla("waf", "AWS WAF", "web ACL", 99.95, "https://aws.amazon.com/waf/sla/"),
        Sla(
            "sqs",
            "SQS",
            "queue",
            99.9,
            "https://aws.amazon.com/messaging/sla/",
            verified=False,
        ),
    )
}


@dataclass(frozen=True)
class Timing:
    """A recovery time or data-loss window, in seconds, with its source."""

    key: str
    what: str
    seconds: float
    source: str
    verified: bool = True


_DR = (
    "https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/"
    "disaster-recovery-options-in-the-cloud.html"
)
_MULTI_AZ = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html"
_AURORA_GLOBAL = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html"
)
_R53_HC = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html"

TIMINGS: dict[str, Timing] = {
    row.key: row
    for row in (
        Timing("rds-multi-az-failover", "RDS Multi-AZ instance failover (60-120 s)", 120, _MULTI_AZ),
        Timing(
            "aurora-failover",
            "Aurora failover to a replica in another zone",
            60,
            "https://aws.amazon.com/rds/aurora/faqs/",
            verified=False,
        ),
        Timing(
            "elasticache-failover",
            "ElastiCache Multi-AZ automatic failover",
            60,
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html",
            verified=False,
        ),
        Timing("aurora-global-lag", "Aurora Global Database storage replication (< 1 s)", 1, _AURORA_GLOBAL),
        Timing(
            "aurora-global-failover",
            "Aurora Global Database unplanned failover (minutes)",
            300,
            _AURORA_GLOBAL,
        ),
        Timing(
            "rds-replica-lag",
            "RDS cross-region read replica lag (asynchronous; no AWS bound, assumed)",
            30,
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html",
            verified=False,
        ),
        Timing(
            "rds-replica-promotion",
            "Promote a cross-region RDS replica and repoint DNS (minutes)",
            600,
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html",
            verified=False,
        ),
        Timing(
            "dynamodb-global-lag",
            "DynamoDB global table replication, eventual mode (usually < 1 s)",
            1,
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html",
        ),
        Timing(
            "s3-replication",
            "S3 Replication Time Control (99.99 % of objects within 15 min)",
            900,
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html",
        ),
        Timing("backup-restore-rto", "Backup & restore: rebuild from backups (hours)", 4 * 3600, _DR),
        Timing("backup-restore-rpo", "Backup & restore: last cross-region copy (daily)", 86400, _DR),
        Timing("pitr-rpo", "Point-in-time recovery: restorable to within 5 min", 300, _MULTI_AZ),
        Timing(
            "pilot-light-rto",
            "Pilot light suits recovery objectives of tens of minutes: an RTO this long or longer chooses it",
            1800,
            _DR,
        ),
        Timing(
            "route53-health-detect",
            "Route 53 health checks find an endpoint unhealthy: 3 failures x 30 s request interval",
            90,
            _R53_HC,
        ),
        Timing(
            "alias-ttl",
            "Resolvers drop a cached answer: an alias record to a load balancer has its 60 s TTL",
            60,
            "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html",
        ),
        Timing(
            "cloudfront-origin-failover",
            "CloudFront tries the secondary origin after the primary fails: 10 s connection timeout x 3 attempts",
            30,
            "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html",
        ),
        Timing(
            "writer-record-failover",
            "Route 53 answers a writer name's secondary record: its CloudWatch alarm (3 x 60 s of missing data) "
            "turns the health check unhealthy, then the record's 30 s TTL",
            210,
            "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html",
        ),
        Timing(
            "route53-record-change",
            "Change a Route 53 record (ChangeResourceRecordSets, a control-plane call served from us-east-1) "
            "and let the 30 s TTL pass",
            90,
            "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html",
            verified=False,
        ),
        Timing(
            "ecs-scale-out",
            "Scale an ECS service out: target tracking acts on 3 one-minute datapoints, then Fargate starts the "
            "tasks (image pull and start, about 2 min; AWS publishes no bound)",
            300,
            "https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html",
            verified=False,
        ),
        Timing(
            "task-replacement",
            "Replace lost tasks in surviving zones (static stability: none needed)",
            0,
            "https://aws.amazon.com/builders-library/static-stability-using-availability-zones/",
        ),
    )
}

ROUTE53_CONTROL_REGION = "us-east-1"
"""Where Route 53's control plane (record and health-check changes) is served from, whatever the
zone: a recovery step that changes a record needs this region (AWS Fault Isolation Boundaries,
"Global services"); answering queries and health checking are its global data plane."""
ROUTE53_CONTROL_SOURCE = (
    "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html"
)

MONTH_SECONDS = 30 * 86400
"""The month used for downtime budgets: 30 days, stated wherever a budget is shown."""

YEAR_SECONDS = 365 * 86400

SLA_RESOLUTION = 3
"""Decimal places of percent at which AWS publishes SLAs (99.999): the finest target a blueprint
may state. Estimates are compared with the target exactly (only float noise is forgiven) and the
margin is shown: an estimate 0.0001 points short is short."""

FLOAT_NOISE = 1e-12
"""Products of a dozen SLA fractions carry rounding error far below 1e-12; a shortfall larger
than this is real."""

MRSC_REGION_SETS: dict[str, tuple[str, ...]] = {
    "US": ("us-east-1", "us-east-2", "us-west-2"),
    "EU": ("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"),
    "AP": ("ap-northeast-1", "ap-northeast-2", "ap-northeast-3"),
}
"""DynamoDB multi-region strong consistency: exactly 3 regions inside one set."""

REGION_ZONES: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ab",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-south-1": "abc",
    "sa-east-1": "abc",
}
"""Zone letters per region (as `describe-availability-zones` names them)."""


def zones_of(region: str) -> list[str]:
    return [f"{region}{letter}" for letter in REGION_ZONES[region]]


FIGURES_NOTE = (
    "SLA-based estimate: AWS SLAs are the monthly uptime AWS pays credits below, not measured "
    "availability; failures are assumed independent (AWS Well-Architected, Reliability Pillar). "
    "Budgets use a 30-day month and a 365-day year."
)


@dataclass(frozen=True)
class Setting:
    """A number hld sets on a resource, with why that value and its source."""

    key: str
    value: int
    why: str
    source: str


_ALB_ATTRS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html"
_TG_ATTRS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html"
SETTINGS: dict[str, Setting] = {
    row.key: row
    for row in (
        Setting("idle-timeout", 60, "ALB default: a short request ends well within it", _ALB_ATTRS),
        Setting(
            "idle-timeout-long-lived",
            3600,
            "long-lived connections (websockets, streaming) stay open an hour without traffic (ALB allows "
            "1 to 4000 s); clients send keep-alives within it",
            _ALB_ATTRS,
        ),
        Setting(
            "health-check-interval",
            30,
            "Route 53's standard request interval (10 s is the fast, dearer one); with the failure threshold "
            "it is how long a region loss takes to be seen, the first step of the RTO",
            _R53_HC,
        ),
        Setting(
            "health-check-failures",
            3,
            "Route 53's default failure threshold: three failed checks in a row, so one lost probe does not "
            "move traffic",
            _R53_HC,
        ),
        Setting("deregistration-delay", 30, "short requests finish within 30 s of a task leaving", _TG_ATTRS),
        Setting(
            "deregistration-delay-long-lived",
            300,
            "a task leaving keeps its open connections 5 minutes, so most sessions end on their own before "
            "clients must reconnect (ALB allows 0 to 3600 s)",
            _TG_ATTRS,
        ),
    )
}
"""Load-balancer and health-check settings: the generators set these values, the RTO is computed
from them, and checks read them back from the deployed state."""

"""What watches a promise: the CloudWatch metrics AWS publishes for each resource hld deploys, and the
burn-rate alerting table the SLO alarms follow. Pure data, each row with its source; the planner picks
from it, the AWS target emits it and `hld verify` checks the deployed alarms against it.
"""

from __future__ import annotations

from dataclasses import dataclass

CHECKED = "2026-12"
"""When the metric rows were last read against AWS's documentation."""


@dataclass(frozen=True)
class Metric:
    """A metric AWS publishes: its namespace and name, the dimensions an alarm on one resource must
    name (all of them, exactly these; the first takes the id of the resource), its unit, the statistic an alarm on it uses, the resource type
    (pulumi-aws) whose id its first dimension takes, where it is published, and its source."""

    key: str
    namespace: str
    name: str
    dimensions: tuple[str, ...]
    unit: str
    statistic: str
    resource: str
    published: str
    source: str
    verified: bool = True


_ALB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html"
_RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html"
_AURORA = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html"
_DYNAMODB = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html"
_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-metrics.html"
_SQS = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html"
)
_ECS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html"
_R53 = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html"

METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "alb-elb-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            ("LoadBalancer",),
            "Count",
            "Sum",
            "aws:lb/loadBalancer:LoadBalancer",
            "the load balancer's region, every 60 s while requests flow",
            _ALB,
        ),
        Metric(
            "alb-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            ("LoadBalancer",),
            "Count",
            "Sum",
            "aws:lb/loadBalancer:LoadBalancer",
            "the load balancer's region, every 60 s while requests flow",
            _ALB,
        ),
        Metric(
            "alb-requests",
            "AWS/ApplicationELB",
            "RequestCount",
            ("LoadBalancer",),
            "Count",
            "Sum",
            "aws:lb/loadBalancer:LoadBalancer",
            "the load balancer's region, every 60 s while requests flow",
            _ALB,
        ),
        Metric(
            "cloudfront-5xx-rate",
            "AWS/CloudFront",
            "5xxErrorRate",
            ("DistributionId", "Region"),
            "Percent",
            "Average",
            "aws:cloudfront/distribution:Distribution",
            "us-east-1 only, with Region=Global",
            "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html",
        ),
        Metric(
            "rds-replica-lag",
            "AWS/RDS",
            "ReplicaLag",
            ("DBInstanceIdentifier",),
            "Seconds",
            "Maximum",
            "aws:rds/instance:Instance",
            "the read replica's region",
            _RDS,
        ),
        Metric(
            "rds-cpu",
            "AWS/RDS",
            "CPUUtilization",
            ("DBInstanceIdentifier",),
            "Percent",
            "Maximum",
            "aws:rds/instance:Instance",
            "the instance's region (the writer-name health check follows an alarm on it)",
            _RDS,
        ),
        Metric(
            "aurora-global-rpo-lag",
            "AWS/RDS",
            "AuroraGlobalDBRPOLag",
            ("DBClusterIdentifier",),
            "Milliseconds",
            "Maximum",
            "aws:rds/cluster:Cluster",
            "the secondary cluster's region (Aurora PostgreSQL)",
            _AURORA,
            verified=False,
        ),
        Metric(
            "dynamodb-replication-latency",
            "AWS/DynamoDB",
            "ReplicationLatency",
            ("TableName", "ReceivingRegion"),
            "Milliseconds",
            "Maximum",
            "aws:dynamodb/table:Table",
            "the region a replica writes from, one series per receiving region",
            _DYNAMODB,
        ),
        Metric(
            "s3-replication-latency",
            "AWS/S3",
            "ReplicationLatency",
            ("SourceBucket", "DestinationBucket", "RuleId"),
            "Seconds",
            "Maximum",
            "aws:s3/bucket:Bucket",
            "the source bucket's region (with S3 Replication Time Control's metrics on)",
            _S3,
        ),
        Metric(
            "sqs-visible",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            ("QueueName",),
            "Count",
            "Maximum",
            "aws:sqs/queue:Queue",
            "the queue's region",
            _SQS,
        ),
        Metric(
            "ecs-running-tasks",
            "ECS/ContainerInsights",
            "RunningTaskCount",
            ("ServiceName", "ClusterName"),
            "Count",
            "Minimum",
            "aws:ecs/service:Service",
            "the cluster's region (Container Insights on)",
            _ECS,
        ),
        Metric(
            "route53-health",
            "AWS/Route53",
            "HealthCheckStatus",
            ("HealthCheckId",),
            "None",
            "Minimum",
            "aws:route53/healthCheck:HealthCheck",
            "us-east-1 only, whatever the checked endpoint's region",
            _R53,
        ),
    )
}

ROUTE53_METRICS_REGION = "us-east-1"
"""Route 53 publishes health-check metrics in us-east-1 only (_R53): alarms on them live there."""

RDS_EVENTS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html"
"""RDS event notifications: the `failover` category for instances and clusters."""


@dataclass(frozen=True)
class BurnRate:
    """A multi-window, multi-burn-rate alert: page (or ticket) when both windows burn the 30-day
    budget `burn_rate` times faster than it lasts (the Google SRE workbook, "Alerting on SLOs",
    table 5-8: 2 % of the budget in 1 h, 5 % in 6 h, 10 % in 3 days; short window 1/12 of the long)."""

    severity: str
    burn_rate: float
    long_seconds: int
    short_seconds: int
    budget_consumed: float


SRE_WORKBOOK = "https://sre.google/workbook/alerting-on-slos/"
SLO_WINDOW_DAYS = 30
ERROR_RATIO = "(FILL(elb, 0) + FILL(targets, 0)) / (FILL(requests, 0) + FILL(elb, 0) + 0.000001)"
"""A region's entry error ratio: the load balancer's own 5xx (no healthy target, a target that timed out
or refused: HTTPCode_ELB_5XX_Count) and its targets' 5xx over its requests. RequestCount counts only the
requests for which the load balancer chose a target (_ALB), so the ones it answered 503 to without one are
added to the requests too: a total outage is a ratio of 1, never a silent 0. The ids are the metrics'
(`elb`: alb-elb-5xx, `targets`: alb-target-5xx, `requests`: alb-requests); the tiny term keeps an idle
minute at 0 rather than a division by zero."""
ENTRY_METRICS = {"elb": "alb-elb-5xx", "targets": "alb-target-5xx", "requests": "alb-requests"}

BURN_RATES: tuple[BurnRate, ...] = (
    BurnRate("page", 14.4, 3600, 300, 0.02),
    BurnRate("page", 6.0, 6 * 3600, 1800, 0.05),
)
"""The workbook's two paging pairs. Its third (a ticket at 1x over 3 days and 6 h) is left out: hld
sends every alert to one topic, and a 3-day window is past what a CloudWatch alarm can evaluate
below a 1-hour period."""

STOP_WINDOW_SECONDS = 300
"""The window an experiment's stop alarm judges the entry's error ratio over (the fastest page's short one)."""

DATAPOINT_SECONDS = 60
"""A standard-resolution CloudWatch datapoint (the load balancer reports every 60 s, _ALB): the
shortest an alarm can see. A month's budget shorter than this is spent by a full outage before an
alarm has one datapoint to judge: burn-rate alerting means nothing there (the workbook's "extreme
availability goals"), so hld alerts on the fast signal instead: one minute over the budget's ratio."""


def burn_rate_ratio(target_percent: float, burn_rate: float) -> float:
    """The error ratio a burn rate stands for: burn_rate x (1 - target), rounded to what a threshold
    can carry without float noise."""
    return round(burn_rate * (1 - target_percent / 100), 10)


def budget_seconds(target_percent: float, days: int = SLO_WINDOW_DAYS) -> float:
    """The window's error budget as time at a full outage."""
    return round(days * 86400 * (1 - target_percent / 100), 3)


def burn_rate_meaningful(target_percent: float) -> bool:
    """The month's budget outlasts one datapoint (DATAPOINT_SECONDS)."""
    return budget_seconds(target_percent) >= DATAPOINT_SECONDS

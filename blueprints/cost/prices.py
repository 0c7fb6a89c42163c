"""The price table: on-demand list prices in USD, per region, each row with the AWS pricing page it
comes from and the month it was read. A region missing from a row is unpriced, and the estimate
says so rather than guess."""

from __future__ import annotations

from dataclasses import dataclass

CHECKED = "2025-11"
"""When the figures were read off the pricing pages (the same month as the engine versions table).
Re-read the pages and update both before relying on a figure for a purchase."""

US = ("us-east-1", "us-east-2", "us-west-2")
REGIONS = (*US, "eu-west-1", "ap-northeast-1")


@dataclass(frozen=True)
class Price:
    item: str
    unit: str
    usd: dict[str, float]  # region (or "global") -> USD per unit
    source: str
    checked: str = CHECKED


def _us(us: float, eu: float, tokyo: float) -> dict[str, float]:
    return {**dict.fromkeys(US, us), "eu-west-1": eu, "ap-northeast-1": tokyo}


PRICES: dict[str, Price] = {
    p.item: p
    for p in [
        Price("fargate-vcpu", "vCPU-hour", _us(0.04048, 0.04048, 0.05056), "https://aws.amazon.com/fargate/pricing/"),
        Price("fargate-memory", "GB-hour", _us(0.004445, 0.004445, 0.00553), "https://aws.amazon.com/fargate/pricing/"),
        Price("alb", "hour", _us(0.0225, 0.0252, 0.0243), "https://aws.amazon.com/elasticloadbalancing/pricing/"),
        Price("alb-lcu", "LCU-hour", _us(0.008, 0.008, 0.008), "https://aws.amazon.com/elasticloadbalancing/pricing/"),
        Price("nat", "hour", _us(0.045, 0.048, 0.062), "https://aws.amazon.com/vpc/pricing/"),
        Price("nat-data", "GB", _us(0.045, 0.048, 0.062), "https://aws.amazon.com/vpc/pricing/"),
        Price("public-ipv4", "hour", _us(0.005, 0.005, 0.005), "https://aws.amazon.com/vpc/pricing/"),
        Price("inter-az", "GB", _us(0.02, 0.02, 0.02), "https://aws.amazon.com/ec2/pricing/on-demand/ (0.01 each way)"),
        Price("inter-region", "GB", _us(0.02, 0.02, 0.09), "https://aws.amazon.com/ec2/pricing/on-demand/"),
        Price(
            "internet-out",
            "GB",
            _us(0.09, 0.09, 0.114),
            "https://aws.amazon.com/ec2/pricing/on-demand/ (data transfer out to the internet, first 10 TB a month)",
        ),
        Price(
            "rds-postgres:db.r6g.large",
            "hour",
            _us(0.225, 0.25, 0.29),
            "https://aws.amazon.com/rds/postgresql/pricing/",
        ),
        Price(
            "rds-postgres:db.t4g.medium",
            "hour",
            _us(0.065, 0.072, 0.083),
            "https://aws.amazon.com/rds/postgresql/pricing/",
        ),
        Price("rds-gp3", "GB-month", _us(0.115, 0.127, 0.138), "https://aws.amazon.com/rds/postgresql/pricing/"),
        Price("rds-backup", "GB-month", _us(0.095, 0.095, 0.095), "https://aws.amazon.com/rds/postgresql/pricing/"),
        Price("aurora:db.r6g.large", "hour", _us(0.26, 0.29, 0.31), "https://aws.amazon.com/rds/aurora/pricing/"),
        Price("aurora:db.t4g.medium", "hour", _us(0.073, 0.081, 0.09), "https://aws.amazon.com/rds/aurora/pricing/"),
        Price("aurora-storage", "GB-month", _us(0.10, 0.11, 0.12), "https://aws.amazon.com/rds/aurora/pricing/"),
        Price("aurora-io", "million requests", _us(0.20, 0.22, 0.24), "https://aws.amazon.com/rds/aurora/pricing/"),
        Price(
            "dynamodb-write",
            "million write request units",
            _us(0.625, 0.7063, 0.715),
            "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        ),
        Price(
            "dynamodb-read",
            "million read request units",
            _us(0.125, 0.1413, 0.143),
            "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        ),
        Price(
            "dynamodb-storage",
            "GB-month",
            _us(0.25, 0.283, 0.285),
            "https://aws.amazon.com/dynamodb/pricing/on-demand/",
        ),
        Price(
            "dynamodb-pitr", "GB-month", _us(0.20, 0.226, 0.228), "https://aws.amazon.com/dynamodb/pricing/on-demand/"
        ),
        Price(
            "valkey:cache.r6g.large",
            "node-hour",
            _us(0.1648, 0.1832, 0.2128),
            "https://aws.amazon.com/elasticache/pricing/",
        ),
        Price(
            "valkey:cache.t4g.small",
            "node-hour",
            _us(0.0256, 0.0288, 0.0328),
            "https://aws.amazon.com/elasticache/pricing/",
        ),
        Price("sqs", "million requests", _us(0.40, 0.40, 0.40), "https://aws.amazon.com/sqs/pricing/"),
        Price("sqs-fifo", "million requests", _us(0.50, 0.50, 0.50), "https://aws.amazon.com/sqs/pricing/"),
        Price("s3-storage", "GB-month", _us(0.023, 0.023, 0.025), "https://aws.amazon.com/s3/pricing/"),
        Price("s3-put", "thousand requests", _us(0.005, 0.005, 0.0047), "https://aws.amazon.com/s3/pricing/"),
        Price("s3-get", "thousand requests", _us(0.0004, 0.0004, 0.00037), "https://aws.amazon.com/s3/pricing/"),
        Price("logs-ingest", "GB", _us(0.50, 0.57, 0.76), "https://aws.amazon.com/cloudwatch/pricing/"),
        Price("logs-storage", "GB-month", _us(0.03, 0.03, 0.033), "https://aws.amazon.com/cloudwatch/pricing/"),
        Price("kms-key", "key-month", _us(1.0, 1.0, 1.0), "https://aws.amazon.com/kms/pricing/"),
        Price("secret", "secret-month", _us(0.40, 0.40, 0.40), "https://aws.amazon.com/secrets-manager/pricing/"),
        Price(
            "cloudfront-data",
            "GB",
            {"global": 0.085},
            "https://aws.amazon.com/cloudfront/pricing/ (North America, first 10 TB)",
        ),
        Price(
            "cloudfront-https", "10 thousand requests", {"global": 0.01}, "https://aws.amazon.com/cloudfront/pricing/"
        ),
        Price("waf-acl", "web ACL-month", {"global": 5.0}, "https://aws.amazon.com/waf/pricing/"),
        Price("waf-rule", "rule-month", {"global": 1.0}, "https://aws.amazon.com/waf/pricing/"),
        Price("waf-requests", "million requests", {"global": 0.60}, "https://aws.amazon.com/waf/pricing/"),
        Price("route53-zone", "hosted zone-month", {"global": 0.50}, "https://aws.amazon.com/route53/pricing/"),
        Price(
            "route53-health-check",
            "health check-month",
            {"global": 1.50},
            "https://aws.amazon.com/route53/pricing/ (AWS endpoint $0.50 + HTTPS $1.00)",
        ),
        Price(
            "route53-queries", "million queries", {"global": 0.60}, "https://aws.amazon.com/route53/pricing/ (latency)"
        ),
    ]
}
"""Every price the estimate uses, by item."""

LEFT_OUT = (
    "taxes",
    "support plans",
    "free tiers",
    "savings plans and reserved capacity",
    "the lower data-transfer rates above 10 TB a month (every GB is priced at the first tier's)",
    "container image storage and pulls (ECR)",
)
"""What the estimate does not count."""


def price(item: str, region: str) -> float | None:
    """USD per unit of `item` in `region` (or its global price), None when the table lacks it."""
    row = PRICES.get(item)
    if row is None:
        return None
    return row.usd.get(region, row.usd.get("global"))

"""AWS's default quotas that a design can run into on `pulumi up`, each with its source, the Service
Quotas codes that raise it (where known) and when it was checked: one table, read by the planner
(blueprints.planner.quotas), which sets what the design needs beside each.

`default` is what AWS documents for an account. Some quotas start lower on a new account and AWS
raises them with usage (Fargate's vCPU count: the ECS quotas page says "New AWS accounts might have
initial lower quotas that can increase over time"); `new_account` is then the lowest figure seen on
a new account, and the rule warns against that one, since that is where a first `pulumi up` stops.
A figure not confirmed on AWS's own page says so (`verified=False`), as in blueprints.figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CHECKED = "2026-12"
"""When the figures were read (from stored copies of the pages below). Quotas change: the Service
Quotas console shows an account's applied values (`aws service-quotas list-service-quotas`)."""

_ECS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
_VPC = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
_ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
_RDS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html"
_CACHE = "https://docs.aws.amazon.com/general/latest/gr/elasticache-service.html"
_DDB = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
_KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html"
_ACM = "https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html"
_CDN = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html"
_R53 = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html"


@dataclass(frozen=True)
class Quota:
    key: str
    service: str
    """The AWS service, as `hld plan` shows it."""
    name: str
    """The quota as the Service Quotas console names it."""
    scope: Literal["region", "account", "resource"]
    """Counted per region, once for the account (global services), or per resource (one ALB, one VPC)."""
    default: int
    source: str
    service_code: str | None = None
    quota_code: str | None = None
    """Service Quotas codes: with both, the fix is one `aws service-quotas` call; else the console."""
    new_account: int | None = None
    """The lowest figure a new account has been seen to start with (None: the default applies)."""
    verified: bool = True
    unit: str = ""
    note: str = ""
    checked: str = CHECKED

    @property
    def threshold(self) -> int:
        """What a design is compared with: a new account's figure where AWS starts it lower."""
        return self.new_account if self.new_account is not None else self.default

    def request(self, region: str, desired: float) -> str:
        """How to ask AWS for more: the CLI call where the codes are known, else the console."""
        where = "us-east-1" if self.scope == "account" else region
        if self.service_code and self.quota_code:
            return (
                f"aws service-quotas request-service-quota-increase --service-code {self.service_code} "
                f"--quota-code {self.quota_code} --desired-value {desired:g} --region {where}"
            )
        return f"the Service Quotas console ({where}): {self.name}"


QUOTAS: dict[str, Quota] = {
    q.key: q
    for q in (
        Quota(
            "fargate-vcpu",
            "Fargate",
            "Fargate On-Demand vCPU resource count",
            "region",
            4000,
            _ECS,
            "fargate",
            "L-3032A538",
            new_account=6,
            verified=False,
            unit="vCPU",
            note="new accounts start far lower and AWS raises the quota with usage, publishing no figure (new "
            "accounts have reported 6 and 8 vCPU)",
        ),
        Quota("eips", "EC2", "EC2-VPC Elastic IPs", "region", 5, _VPC, "ec2", "L-0263D0A3"),
        Quota("nat-per-zone", "VPC", "NAT gateways per Availability Zone", "resource", 5, _VPC, "vpc", "L-FE5A380F"),
        Quota("vpcs", "VPC", "VPCs per Region", "region", 5, _VPC, "vpc", "L-F678F1CE"),
        Quota(
            "interface-endpoints",
            "VPC",
            "Interface VPC endpoints per VPC",
            "resource",
            50,
            "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html",
            "vpc",
            "L-29B6F2EB",
        ),
        Quota("security-groups", "VPC", "VPC security groups per Region", "region", 2500, _VPC, "vpc", "L-E79EC296"),
        Quota(
            "sg-rules",
            "VPC",
            "Inbound or outbound rules per security group",
            "resource",
            60,
            _VPC,
            "vpc",
            "L-0EA8095F",
        ),
        Quota(
            "albs",
            "ELB",
            "Application Load Balancers per Region",
            "region",
            50,
            _ELB,
            "elasticloadbalancing",
            "L-53DA6B97",
        ),
        Quota(
            "target-groups",
            "ELB",
            "Target Groups per Region",
            "region",
            3000,
            _ELB,
            "elasticloadbalancing",
            "L-B22855CB",
        ),
        Quota(
            "listener-rules",
            "ELB",
            "Rules per Application Load Balancer",
            "resource",
            100,
            _ELB,
            "elasticloadbalancing",
            "L-7EED9B64",
            note="not counting default rules",
        ),
        Quota("db-instances", "RDS", "DB instances", "region", 40, _RDS, "rds", "L-7B6409FD"),
        Quota("db-clusters", "RDS", "DB clusters", "region", 40, _RDS, note="Aurora clusters"),
        Quota(
            "cache-nodes",
            "ElastiCache",
            "Nodes per Region",
            "region",
            300,
            _CACHE,
            "elasticache",
            "L-DFE45DF3",
            verified=False,
            note="the figure and code from secondary copies of the page",
        ),
        Quota(
            "dynamodb-tables", "DynamoDB", "Maximum number of tables", "region", 2500, _DDB, "dynamodb", "L-F98FE922"
        ),
        Quota("kms-keys", "KMS", "Customer managed keys", "region", 100_000, _KMS, verified=False),
        Quota("certificates", "ACM", "ACM certificates", "region", 2500, _ACM),
        Quota(
            "distributions",
            "CloudFront",
            "Web distributions per AWS account",
            "account",
            200,
            _CDN,
            verified=False,
            note="200 on the page as read; a later copy of it says 500",
        ),
        Quota(
            "cache-behaviors",
            "CloudFront",
            "Cache behaviors per distribution",
            "resource",
            25,
            _CDN,
            verified=False,
            note="25 on the page as read; a later copy of it says 75",
        ),
        Quota("hosted-zones", "Route 53", "Hosted zones", "account", 500, _R53),
    )
}
"""AWS's default quotas for what hld deploys. Not listed: SQS queues and Secrets Manager secrets (no count
a design approaches), S3 buckets (created once per store)."""

CLOUDFRONT_VERIFICATION = (
    "CloudFront on a new account: AWS may refuse the first distribution until it verifies the account "
    '(CreateDistribution: AccessDenied, "Your account must be verified before you can add new CloudFront '
    'resources. To verify your account, please contact AWS Support"). Open a case with AWS Support before '
    "the first `pulumi up`; AWS documents no quota for it (reported in aws-samples/aws-cdk-examples#279 and "
    "hashicorp/terraform-provider-aws#36663)"
)

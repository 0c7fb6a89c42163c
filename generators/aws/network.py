"""hld:aws:Network (per region) and hld:aws:Peering: VPC, subnets per zone, gateways, routes, KMS key."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Network as NetworkPlan
from blueprints.plan_model import Plan
from generators.aws import grants
from generators.aws.common import LOG_RETENTION_DAYS, Region, Subnets, name, physical
from generators.aws.tags import TIER_TAG

ALERT_PUBLISHERS = (
    ("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com"),
    ("RdsEventsPublish", "events.rds.amazonaws.com"),
)
"""The services that publish to a region's alert topic (generators.aws.monitors), SSE-KMS encrypted with
the region's key: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services"""


def key_policy(account: str, region: str, cdn_reads: bool) -> dict[str, object]:
    """The region's key: the account administers it (IAM policies then grant its use to roles and
    to the services acting for them: RDS, DynamoDB, SQS, S3 replication, Backup), CloudWatch Logs
    encrypts this region's log groups with it, CloudWatch alarms and RDS events publish to the alert
    topic it encrypts, and CloudFront reads a static site's objects.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html,
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
    """
    statements: list[dict[str, object]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudWatchLogsEncrypts",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            # no kms:Describe*: DescribeKey carries no encryption context, so under this condition it
            # would be a grant that never applies
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account}:log-group:*"}
            },
        },
    ]
    statements += [
        {
            # the region's alert topic is encrypted with this key: a service publishing to it needs the
            # key, or its notifications are dropped while the alarm still reports success
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        }
        for sid, principal in ALERT_PUBLISHERS
    ]
    if cdn_reads:
        statements.append(
            {
                "Sid": "CloudFrontReadsTheSite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                # this account's distributions: the distribution's own ARN would make the key wait on it
                "Condition": {"StringLike": {"AWS:SourceArn": f"arn:aws:cloudfront::{account}:distribution/*"}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class Network(pulumi.ComponentResource):
    """Public, private and isolated subnets in every planned zone of one region (and, as the plan's
    `subnet_zones` decides, public and isolated ones in a zone that serves nothing, where AWS requires
    the load balancer or a DB subnet group to span more zones than a single-zone design serves from).

    Public subnets hold the load balancer and NAT gateways; private ones the tasks
    (egress through NAT); isolated ones the data stores (no route out at all).
    """

    key: aws.kms.Key
    """The region's customer-managed KMS key: encryption at rest for every store, log and vault."""
    vpc: aws.ec2.Vpc
    subnets: Subnets
    private_route_tables: list[aws.ec2.RouteTable]
    isolated_route_table: aws.ec2.RouteTable | None = None

    def __init__(self, plan: Plan, net: NetworkPlan, region: Region, parent: pulumi.Resource):
        r = net.region
        super().__init__("hld:aws:Network", name(plan, "network", r), None, pulumi.ResourceOptions(parent=parent))
        self.region, self.cidr, self.zones = region, net.cidr, net.zones
        self.subnets = Subnets()
        self.private_route_tables = []
        self.has_vpc = net.vpc
        opts = region.opts(self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=region.provider)).account_id
        self.account: pulumi.Output[str] = account
        """The account: trust policies' source conditions (generators.aws.grants.trust)."""
        site = plan.edge.cdn is not None and plan.edge.cdn.site is not None
        self.key = aws.kms.Key(
            name(plan, "key", r),
            description=f"{plan.name} ({plan.stack}): encryption at rest in {r}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=account.apply(lambda a: json.dumps(key_policy(a, r, cdn_reads=site))),
            opts=region.opts(self, retain_on_delete=True, protect=plan.control("deletion-protection").enabled),
        )
        aws.kms.Alias(
            name(plan, "key-alias", r), name=f"alias/{physical(plan)}", target_key_id=self.key.key_id, opts=opts
        )
        if not net.vpc:  # nothing runs in a VPC (a static site): the region's key is all there is
            self.register_outputs({})
            return
        vpc = aws.ec2.Vpc(
            name(plan, "vpc", r),
            cidr_block=net.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": name(plan, "vpc", r)},
            opts=opts,
        )
        self.vpc = vpc
        vpc_opts = region.opts(vpc)
        # the default security group admits nothing: every group hld uses is its own
        aws.ec2.DefaultSecurityGroup(name(plan, "default-sg", r), vpc_id=vpc.id, opts=vpc_opts)
        self._flow_logs(plan, r, vpc, region)
        igw = aws.ec2.InternetGateway(name(plan, "igw", r), vpc_id=vpc.id, opts=vpc_opts)
        for spec in net.subnets:
            created = aws.ec2.Subnet(
                name(plan, spec.tier, spec.zone),
                vpc_id=vpc.id,
                cidr_block=spec.cidr,
                availability_zone=spec.zone,
                map_public_ip_on_launch=False,
                tags={"Name": name(plan, spec.tier, spec.zone), TIER_TAG: spec.tier},
                opts=vpc_opts,
            )
            getattr(self.subnets, spec.tier)[spec.zone] = created

        public_rt = aws.ec2.RouteTable(
            name(plan, "public-rt", r),
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            opts=vpc_opts,
        )
        for zone, subnet in sorted(self.subnets.public.items()):
            aws.ec2.RouteTableAssociation(
                name(plan, "public-rta", zone), subnet_id=subnet.id, route_table_id=public_rt.id, opts=vpc_opts
            )

        nats = []
        for zone in net.zones[: net.nat_gateways.value]:
            eip = aws.ec2.Eip(name(plan, "nat-eip", zone), domain="vpc", opts=vpc_opts)
            nats.append(
                aws.ec2.NatGateway(
                    name(plan, "nat", zone),
                    allocation_id=eip.id,
                    subnet_id=self.subnets.public[zone].id,
                    opts=region.opts(vpc, depends_on=[igw]),
                )
            )
        for i, zone in enumerate(net.zones):
            nat = nats[i] if i < len(nats) else nats[0]
            rt = aws.ec2.RouteTable(
                name(plan, "private-rt", zone),
                vpc_id=vpc.id,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
                opts=vpc_opts,
            )
            self.private_route_tables.append(rt)
            aws.ec2.RouteTableAssociation(
                name(plan, "private-rta", zone),
                subnet_id=self.subnets.private[zone].id,
                route_table_id=rt.id,
                opts=vpc_opts,
            )
        isolated_rt = aws.ec2.RouteTable(name(plan, "isolated-rt", r), vpc_id=vpc.id, opts=vpc_opts)
        self.isolated_route_table = isolated_rt
        for zone, subnet in sorted(self.subnets.isolated.items()):
            aws.ec2.RouteTableAssociation(
                name(plan, "isolated-rta", zone), subnet_id=subnet.id, route_table_id=isolated_rt.id, opts=vpc_opts
            )
        self.vpc_id = vpc.id
        self.register_outputs({"vpc_id": vpc.id})

    def _flow_logs(self, plan: Plan, r: str, vpc: aws.ec2.Vpc, region: Region) -> None:
        """Every flow of the VPC (accepted and rejected) to a log group under the region's key."""
        opts = region.opts(vpc)
        encrypted = plan.control("encryption-at-rest").enabled
        logs = aws.cloudwatch.LogGroup(
            name(plan, "flow-logs", r),
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=self.key.arn if encrypted else None,
            opts=opts,
        )
        role = aws.iam.Role(
            name(plan, "flow-logs", r, kind="aws:iam/role:Role"),
            assume_role_policy=grants.trust("vpc-flow-logs.amazonaws.com", r, self.account),
            opts=opts,
        )
        aws.iam.RolePolicy(
            name(plan, "flow-logs-policy", r),
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            # the log group is hld's: no logs:CreateLogGroup, nor DescribeLogGroups (it
                            # takes no resource, so a grant scoped to the group would do nothing)
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            "Resource": [logs.arn, logs.arn.apply(lambda a: f"{a}:*")],
                        }
                    ],
                }
            ),
            opts=opts,
        )
        aws.ec2.FlowLog(
            name(plan, "flow-log", r),
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=logs.arn,
            iam_role_arn=role.arn,
            opts=opts,
        )


class Peering(pulumi.ComponentResource):
    """Inter-region VPC peering from the primary, with routes on both sides' private and isolated
    subnets: the stores' replies to a peer region's tasks leave from the isolated ones."""

    def __init__(self, plan: Plan, primary: Network, other: Network, parent: pulumi.Resource):
        super().__init__(
            "hld:aws:Peering", name(plan, "peering", other.region.name), None, pulumi.ResourceOptions(parent=parent)
        )
        link = aws.ec2.VpcPeeringConnection(
            name(plan, "peer", primary.region.name, other.region.name),
            vpc_id=primary.vpc.id,
            peer_vpc_id=other.vpc.id,
            peer_region=other.region.name,
            tags={"Name": name(plan, "peer", other.region.name)},
            opts=primary.region.opts(self),
        )
        aws.ec2.VpcPeeringConnectionAccepter(
            name(plan, "peer-accept", other.region.name),
            vpc_peering_connection_id=link.id,
            auto_accept=True,
            opts=other.region.opts(self),
        )
        for here, there in ((primary, other), (other, primary)):
            tables = [(zone, rt) for zone, rt in zip(here.zones, here.private_route_tables, strict=True)]
            if here.isolated_route_table is not None:
                tables.append(("isolated-" + here.region.name, here.isolated_route_table))
            for label, rt in tables:
                aws.ec2.Route(
                    name(plan, "peer-route", label, there.region.name),
                    route_table_id=rt.id,
                    destination_cidr_block=there.cidr,
                    vpc_peering_connection_id=link.id,
                    opts=here.region.opts(self),
                )
        self.register_outputs({"peering_id": link.id})

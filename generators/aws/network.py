"""hld:aws:Network (per region) and hld:aws:Peering: VPC, subnets per zone, gateways, routes, KMS key."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Network as NetworkPlan
from blueprints.plan_model import Plan
from generators.aws.common import Region, Subnets, name
from generators.aws.tags import TIER_TAG


class Network(pulumi.ComponentResource):
    """Public, private and isolated subnets in every planned zone of one region.

    Public subnets hold the load balancer and NAT gateways; private ones the tasks
    (egress through NAT); isolated ones the data stores (no route out at all).
    """

    key: aws.kms.Key
    """The region's customer-managed KMS key: encryption at rest for every store, log and vault."""
    vpc: aws.ec2.Vpc
    subnets: Subnets
    private_route_tables: list[aws.ec2.RouteTable]

    def __init__(self, plan: Plan, net: NetworkPlan, region: Region, parent: pulumi.Resource):
        r = net.region
        super().__init__("hld:aws:Network", name(plan, "network", r), None, pulumi.ResourceOptions(parent=parent))
        self.region, self.cidr, self.zones = region, net.cidr, net.zones
        self.subnets = Subnets()
        self.private_route_tables = []
        self.has_vpc = net.vpc
        opts = region.opts(self)
        self.key = aws.kms.Key(
            name(plan, "key", r),
            description=f"{plan.name}: encryption at rest in {r}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=region.opts(self, retain_on_delete=True, protect=plan.control("deletion-protection").enabled),
        )
        aws.kms.Alias(name(plan, "key-alias", r), name=f"alias/{plan.name}", target_key_id=self.key.key_id, opts=opts)
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
        for zone, subnet in sorted(self.subnets.isolated.items()):
            aws.ec2.RouteTableAssociation(
                name(plan, "isolated-rta", zone), subnet_id=subnet.id, route_table_id=isolated_rt.id, opts=vpc_opts
            )
        self.vpc_id = vpc.id
        self.register_outputs({"vpc_id": vpc.id})


class Peering(pulumi.ComponentResource):
    """Inter-region VPC peering from the primary, with routes on both sides' private subnets."""

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
            for i, rt in enumerate(here.private_route_tables):
                aws.ec2.Route(
                    name(plan, "peer-route", here.zones[i], there.region.name),
                    route_table_id=rt.id,
                    destination_cidr_block=there.cidr,
                    vpc_peering_connection_id=link.id,
                    opts=here.region.opts(self),
                )
        self.register_outputs({"peering_id": link.id})

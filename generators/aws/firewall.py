"""hld:aws:Firewall (per region): security groups that follow the declared data flow.

A store admits only the services that `use` it, on its port; a service admits only
the load balancer (if public) and its callers; the load balancer admits the
internet on 443 (and 80, which only redirects). Across regions, where security
groups cannot reference each other, the peer's private subnets are named.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Plan
from generators.aws.common import name
from generators.aws.network import Network
from generators.aws.tags import ROLE_TAG


class Firewall(pulumi.ComponentResource):
    groups: dict[str, aws.ec2.SecurityGroup]
    """Security groups by role: `alb`, each service, each store in the VPC."""

    def __init__(self, plan: Plan, network: Network, parent: pulumi.Resource):
        region = network.region
        r = region.name
        super().__init__("hld:aws:Firewall", name(plan, "firewall", r), None, pulumi.ResourceOptions(parent=parent))
        opts = region.opts(self)
        self.groups = groups = {}

        def group(role: str, what: str) -> aws.ec2.SecurityGroup:
            created = aws.ec2.SecurityGroup(
                name(plan, "sg", role, r),
                vpc_id=network.vpc.id,
                description=f"{plan.name} {what}",
                revoke_rules_on_delete=True,
                tags={"Name": name(plan, "sg", role, r), ROLE_TAG: role},
                opts=opts,
            )
            groups[role] = created
            return created

        public = [s for s in plan.services if s.public]
        if public:
            group("alb", "load balancer: the internet on 443 (80 redirects)")
        for svc in plan.services:
            group(svc.name, f"service {svc.name}")
        # a store in the VPC gets its group where its writer runs: each region's own copy, or the
        # primary's single writer that other regions reach over peering
        vpc_stores = [
            s for s in plan.datastores if s.in_vpc and r in s.regions and (region.primary or not s.single_writer)
        ]
        for store in vpc_stores:
            group(store.name, f"{store.kind} {store.name}: only its users")

        def allow(role: str, source: str, port: int, why: str) -> None:
            aws.vpc.SecurityGroupIngressRule(
                name(plan, "in", role, "from", source, r),
                security_group_id=groups[role].id,
                referenced_security_group_id=groups[source].id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=why,
                opts=opts,
            )
            aws.vpc.SecurityGroupEgressRule(
                name(plan, "out", source, "to", role, r),
                security_group_id=groups[source].id,
                referenced_security_group_id=groups[role].id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=why,
                opts=opts,
            )

        if public:
            ports = [443, 80] if plan.edge.tls else [80]
            for port in ports:
                aws.vpc.SecurityGroupIngressRule(
                    name(plan, "in", "alb", str(port), r),
                    security_group_id=groups["alb"].id,
                    cidr_ipv4="0.0.0.0/0",
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    description="HTTPS from the internet" if port == 443 else "HTTP, redirected to HTTPS",
                    opts=opts,
                )
        for svc in public:
            allow(svc.name, "alb", svc.port, f"load balancer to {svc.name}")
        for svc in plan.services:
            for callee in svc.calls:
                allow(callee, svc.name, plan.service(callee).port, f"{svc.name} calls {callee}")
            for store_name in svc.stores:
                store = plan.store(store_name)
                if store.name in groups:
                    allow(store.name, svc.name, store.port, f"{svc.name} uses {store.name}")
                elif store.single_writer and not region.primary:
                    aws.vpc.SecurityGroupEgressRule(
                        name(plan, "out", svc.name, "to", store.name, r),
                        security_group_id=groups[svc.name].id,
                        cidr_ipv4=primary_cidr(plan),
                        ip_protocol="tcp",
                        from_port=store.port,
                        to_port=store.port,
                        description=f"{svc.name} uses {store.name} (writer in {plan.primary_region}, over peering)",
                        opts=opts,
                    )
            aws.vpc.SecurityGroupEgressRule(
                name(plan, "out", svc.name, "https", r),
                security_group_id=groups[svc.name].id,
                cidr_ipv4="0.0.0.0/0",
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description="AWS APIs (DynamoDB, SQS, S3, Secrets Manager) and image pulls, over TLS",
                opts=opts,
            )
        if region.primary and plan.peering:
            for store in [s for s in plan.datastores if s.single_writer and s.used_by]:
                for net in plan.networks[1:]:
                    for subnet in [s for s in net.subnets if s.tier == "private"]:
                        aws.vpc.SecurityGroupIngressRule(
                            name(plan, "in", store.name, "from", subnet.zone),
                            security_group_id=groups[store.name].id,
                            cidr_ipv4=subnet.cidr,
                            ip_protocol="tcp",
                            from_port=store.port,
                            to_port=store.port,
                            description=f"users of {store.name} in {net.region} (over peering)",
                            opts=opts,
                        )
        self.register_outputs({})


def primary_cidr(plan: Plan) -> str:
    return plan.networks[0].cidr

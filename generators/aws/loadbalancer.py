"""hld:aws:Cluster and hld:aws:LoadBalancer (per region).

The ALB spans every public subnet the plan gives the region: every planned zone's, and in a
single-zone design a second zone's, as AWS requires two (nothing serves from it). With TLS (the default) it
listens on 443 with a TLS 1.2+ policy and an ACM certificate for the domain (and
its wildcard, for origin hostnames), and on 80 only to redirect to HTTPS.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Plan
from generators.aws.common import TLS_POLICY, Region, aws_log_group, identifier, name
from generators.aws.firewall import Firewall
from generators.aws.network import Network


class Cluster(pulumi.ComponentResource):
    """The ECS cluster and the private DNS namespace services find each other in. Container Insights
    writes to `/aws/ecs/containerinsights/<cluster>/performance`: hld names the cluster itself and
    makes that log group first, under the region's key, so ECS does not make it under AWS's key."""

    cluster: aws.ecs.Cluster
    namespace: aws.servicediscovery.PrivateDnsNamespace

    def __init__(self, plan: Plan, network: Network, parent: pulumi.Resource):
        region = network.region
        r = region.name
        super().__init__("hld:aws:Cluster", name(plan, "cluster", r), None, pulumi.ResourceOptions(parent=parent))
        cluster_name = identifier(plan, "ecs", r, room=255)
        insights = aws_log_group(
            plan,
            name(plan, "insights-logs", r),
            f"/aws/ecs/containerinsights/{cluster_name}/performance",
            region,
            network.key.arn,
            self,
        )
        self.cluster = aws.ecs.Cluster(
            name(plan, "ecs", r),
            name=cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=region.opts(self, depends_on=[insights]),
        )
        self.namespace = aws.servicediscovery.PrivateDnsNamespace(
            name(plan, "namespace", r),
            name=f"{plan.name}.internal",
            vpc=network.vpc.id,
            description=f"{plan.name} services in {r}",
            opts=region.opts(self),
        )
        self.register_outputs({"cluster": self.cluster.name})


def certificate(
    plan: Plan,
    region: Region,
    zone_id: pulumi.Input[str],
    parent: pulumi.Resource,
    record: list[aws.route53.Record],
    label: str | None = None,
) -> pulumi.Output[str]:
    """An ACM certificate for the domain and its wildcard, DNS-validated.

    ACM's validation record is the same in every region for one domain, so it is
    created once (`record` carries it) and every region's validation waits on it.
    """
    domain = plan.edge.domain
    label = label or region.name
    cert = aws.acm.Certificate(
        name(plan, "cert", label),
        domain_name=domain,
        subject_alternative_names=[f"*.{domain}"],
        validation_method="DNS",
        opts=region.opts(parent, delete_before_replace=False),
    )
    if not record:
        option = cert.domain_validation_options[0]
        record.append(
            aws.route53.Record(
                name(plan, "cert-validation"),
                zone_id=zone_id,
                name=option.resource_record_name,
                type=option.resource_record_type,
                records=[option.resource_record_value],
                ttl=60,
                allow_overwrite=True,
                opts=region.opts(parent),
            )
        )
    validation = aws.acm.CertificateValidation(
        name(plan, "cert-validation", label),
        certificate_arn=cert.arn,
        validation_record_fqdns=[record[0].fqdn],
        opts=region.opts(parent),
    )
    arn: pulumi.Output[str] = validation.certificate_arn
    return arn


class LoadBalancer(pulumi.ComponentResource):
    """The region's public entry: the ALB and the listener its routes hang on."""

    alb: aws.lb.LoadBalancer
    listener: aws.lb.Listener

    def __init__(
        self,
        plan: Plan,
        network: Network,
        firewall: Firewall,
        certificate_arn: pulumi.Input[str] | None,
        parent: pulumi.Resource,
    ):
        region = network.region
        r = region.name
        super().__init__("hld:aws:LoadBalancer", name(plan, "lb", r), None, pulumi.ResourceOptions(parent=parent))
        opts = region.opts(self)
        self.alb = aws.lb.LoadBalancer(
            name(plan, "alb", r, kind="aws:lb/loadBalancer:LoadBalancer"),
            load_balancer_type="application",
            internal=False,
            subnets=network.subnets.ids("public"),
            security_groups=[firewall.groups["alb"].id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=plan.control("deletion-protection").enabled,
            enable_cross_zone_load_balancing=True,
            idle_timeout=plan.edge.idle_timeout_seconds.value,
            opts=opts,
        )
        not_found = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="text/plain", message_body="not found", status_code="404"
            ),
        )
        if plan.edge.tls and certificate_arn is not None:
            self.listener = aws.lb.Listener(
                name(plan, "https", r),
                load_balancer_arn=self.alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=certificate_arn,
                default_actions=[not_found],
                opts=opts,
            )
            aws.lb.Listener(
                name(plan, "http-redirect", r),
                load_balancer_arn=self.alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                            port="443", protocol="HTTPS", status_code="HTTP_301"
                        ),
                    )
                ],
                opts=opts,
            )
        else:
            self.listener = aws.lb.Listener(
                name(plan, "http", r),
                load_balancer_arn=self.alb.arn,
                port=80,
                protocol="HTTP",
                default_actions=[not_found],
                opts=opts,
            )
        self.register_outputs({"dns_name": self.alb.dns_name})

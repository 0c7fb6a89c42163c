"""hld:aws:Edge (CloudFront, cache policy, WAF) and hld:aws:Dns (Route 53 records, health checks)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Plan
from generators.aws.common import CLOUDFRONT_TLS, Region, name
from generators.aws.loadbalancer import LoadBalancer

ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""Managed origin request policy: forward viewer headers, cookies and query, not Host."""
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
"""Managed response headers policy: HSTS, X-Content-Type-Options, frame options, XSS protection."""
FAILOVER_CODES = [500, 502, 503, 504]


def web_acl(plan: Plan, scope: str, region_name: str, opts: pulumi.ResourceOptions) -> aws.wafv2.WebAcl:
    """A web ACL with the AWS managed common rule set and known-bad-inputs rules."""
    metric = name(plan, "waf", region_name).replace("-", "")

    def managed(rule: str, priority: int) -> aws.wafv2.WebAclRuleArgs:
        return aws.wafv2.WebAclRuleArgs(
            name=rule,
            priority=priority,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=rule, vendor_name="AWS"
                )
            ),
            visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=f"{metric}{rule}", sampled_requests_enabled=True
            ),
        )

    return aws.wafv2.WebAcl(
        name(plan, "waf", region_name, kind="aws:wafv2/webAcl:WebAcl"),
        scope=scope,
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        rules=[managed("AWSManagedRulesCommonRuleSet", 0), managed("AWSManagedRulesKnownBadInputsRuleSet", 1)],
        visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
        ),
        opts=opts,
    )


class Edge(pulumi.ComponentResource):
    """CloudFront in front of the regional load balancers, with origin failover across regions."""

    distribution: aws.cloudfront.Distribution

    def __init__(
        self,
        plan: Plan,
        entries: dict[str, LoadBalancer],
        edge_region: Region,
        certificate_arn: pulumi.Input[str] | None,
        parent: pulumi.Resource,
    ):
        super().__init__("hld:aws:Edge", name(plan, "edge"), None, pulumi.ResourceOptions(parent=parent))
        cdn = plan.edge.cdn
        assert cdn is not None
        opts = edge_region.opts(self)
        policy = aws.cloudfront.CachePolicy(
            name(plan, "cache-policy", kind="aws:cloudfront/cachePolicy:CachePolicy"),
            comment=f"{plan.name}: TTLs from the blueprint; Cache-Control from the services within them",
            min_ttl=cdn.min_ttl,
            default_ttl=cdn.default_ttl,
            max_ttl=cdn.max_ttl,
            parameters_in_cache_key_and_forwarded_to_origin=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs(
                enable_accept_encoding_gzip=cdn.compress,
                enable_accept_encoding_brotli=cdn.compress,
                cookies_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs(
                    cookie_behavior="none"
                ),
                headers_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs(
                    header_behavior="none"
                ),
                query_strings_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs(
                    query_string_behavior="all"
                ),
            ),
            opts=opts,
        )
        acl = web_acl(plan, "CLOUDFRONT", "edge", opts) if plan.edge.waf else None
        origins = []
        for r in plan.regions.value:
            host = plan.edge.origin_hosts.get(r) or entries[r].alb.dns_name
            origins.append(
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=f"alb-{r}",
                    domain_name=host,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,
                        https_port=443,
                        origin_protocol_policy="https-only" if plan.edge.tls else "http-only",
                        origin_ssl_protocols=["TLSv1.2"],
                    ),
                    origin_shield=aws.cloudfront.DistributionOriginOriginShieldArgs(
                        enabled=True, origin_shield_region=r
                    )
                    if cdn.origin_shield
                    else None,
                )
            )
        groups = []
        target = "alb-" + plan.primary_region
        if cdn.origin_failover and len(origins) > 1:
            target = "regions"
            groups.append(
                aws.cloudfront.DistributionOriginGroupArgs(
                    origin_id=target,
                    failover_criteria=aws.cloudfront.DistributionOriginGroupFailoverCriteriaArgs(
                        status_codes=FAILOVER_CODES
                    ),
                    members=[
                        aws.cloudfront.DistributionOriginGroupMemberArgs(origin_id=f"alb-{r}")
                        for r in plan.regions.value[:2]
                    ],
                )
            )
        aliases = [plan.edge.cdn_host] if plan.edge.cdn_host and certificate_arn is not None else None
        self.distribution = aws.cloudfront.Distribution(
            name(plan, "cdn"),
            enabled=True,
            comment=f"{plan.name} edge",
            is_ipv6_enabled=True,
            http_version="http2and3",
            price_class="PriceClass_All",
            aliases=aliases,
            origins=origins,
            origin_groups=groups or None,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=target,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=policy.id,
                origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST,
                response_headers_policy_id=SECURITY_HEADERS,
                compress=cdn.compress,
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=CLOUDFRONT_TLS,
            )
            if certificate_arn is not None
            else aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
            web_acl_id=acl.arn if acl else None,
            opts=opts,
        )
        self.register_outputs({"domain_name": self.distribution.domain_name})


class Dns(pulumi.ComponentResource):
    """Route 53: origin names, the API name (latency or failover across regions), the CDN name."""

    def __init__(
        self,
        plan: Plan,
        entries: dict[str, LoadBalancer],
        primary: Region,
        zone_id: pulumi.Input[str],
        distribution: aws.cloudfront.Distribution | None,
        parent: pulumi.Resource,
    ):
        super().__init__("hld:aws:Dns", name(plan, "dns"), None, pulumi.ResourceOptions(parent=parent))
        opts = primary.opts(self)
        edge = plan.edge
        health_path = next((s.health for s in plan.services if s.public), "/")
        policy = edge.dns.value if edge.dns else "simple"
        through_cdn = edge.cdn is not None and edge.cdn.dynamic.value == "through"
        for i, r in enumerate(plan.regions.value):
            alb = entries[r].alb
            alias = aws.route53.RecordAliasArgs(name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True)
            aws.route53.Record(
                name(plan, "origin", r),
                zone_id=zone_id,
                name=edge.origin_hosts[r],
                type="A",
                aliases=[alias],
                opts=opts,
            )
            if through_cdn or policy == "simple":
                continue
            check = aws.route53.HealthCheck(
                name(plan, "health", r),
                fqdn=edge.origin_hosts[r],
                port=443 if edge.tls else 80,
                type="HTTPS" if edge.tls else "HTTP",
                resource_path=health_path,
                failure_threshold=3,
                request_interval=30,
                tags={"Name": name(plan, "health", r)},
                opts=opts,
            )
            aws.route53.Record(
                name(plan, "api", r),
                zone_id=zone_id,
                name=edge.api_host,
                type="A",
                set_identifier=r,
                health_check_id=check.id,
                aliases=[alias],
                latency_routing_policies=[aws.route53.RecordLatencyRoutingPolicyArgs(region=r)]
                if policy == "latency"
                else None,
                failover_routing_policies=[
                    aws.route53.RecordFailoverRoutingPolicyArgs(type="PRIMARY" if i == 0 else "SECONDARY")
                ]
                if policy == "failover"
                else None,
                opts=opts,
            )
        if not through_cdn and policy == "simple":
            alb = entries[plan.primary_region].alb
            aws.route53.Record(
                name(plan, "api"),
                zone_id=zone_id,
                name=edge.api_host,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True)
                ],
                opts=opts,
            )
        if distribution is not None and edge.cdn_host:
            aws.route53.Record(
                name(plan, "cdn-record"),
                zone_id=zone_id,
                name=edge.cdn_host,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=distribution.domain_name, zone_id=distribution.hosted_zone_id, evaluate_target_health=False
                    )
                ],
                opts=opts,
            )
        self.register_outputs({})

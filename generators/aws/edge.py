"""hld:aws:Edge (CloudFront, cache policy, WAF) and hld:aws:Dns (Route 53 records, health checks)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.figures import SETTINGS
from blueprints.plan_model import PROBE, Plan
from generators.aws.bucket import Bucket
from generators.aws.common import CLOUDFRONT_TLS, Region, name
from generators.aws.loadbalancer import LoadBalancer

ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""Managed origin request policy: forward viewer headers, cookies and query, not Host."""
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
"""Managed response headers policy: HSTS, X-Content-Type-Options, frame options, XSS protection."""
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""Managed cache policy: nothing cached (every request reaches the origin)."""
FAILOVER_CODES = [500, 502, 503, 504]


BODY_RULE = "SizeRestrictions_BODY"
BODY_LABEL = "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body"
"""The common rule set's 8 KB body limit and the label it adds (AWS WAF developer guide: baseline
rule groups; the exemption pattern: waf-labels, count then match the label)."""


def web_acl(plan: Plan, scope: str, region_name: str, opts: pulumi.ResourceOptions) -> aws.wafv2.WebAcl:
    """A web ACL with the AWS managed common rule set and known-bad-inputs rules."""
    metric = name(plan, "waf", region_name).replace("-", "")

    bodies = plan.edge.waf_body_methods

    def visibility(rule: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
        return aws.wafv2.WebAclRuleVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=f"{metric}{rule}", sampled_requests_enabled=True
        )

    def managed(rule: str, priority: int, counted: tuple[str, ...] = ()) -> aws.wafv2.WebAclRuleArgs:
        return aws.wafv2.WebAclRuleArgs(
            name=rule,
            priority=priority,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=rule,
                    vendor_name="AWS",
                    rule_action_overrides=[
                        aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                            name=counted_rule,
                            action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                                count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
                            ),
                        )
                        for counted_rule in counted
                    ]
                    or None,
                )
            ),
            visibility_config=visibility(rule),
        )

    def method_is(method: str) -> aws.wafv2.WebAclRuleStatementArgs:
        return aws.wafv2.WebAclRuleStatementArgs(
            byte_match_statement=aws.wafv2.WebAclRuleStatementByteMatchStatementArgs(
                field_to_match=aws.wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs(
                    method=aws.wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchMethodArgs()
                ),
                positional_constraint="EXACTLY",
                search_string=method,
                text_transformations=[
                    aws.wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs(priority=0, type="NONE")
                ],
            )
        )

    rules = [
        managed("AWSManagedRulesCommonRuleSet", 0, (BODY_RULE,) if bodies else ()),
        managed("AWSManagedRulesKnownBadInputsRuleSet", 1),
    ]
    if bodies:  # the body rule counts; this one blocks what it matched unless a write method carries it
        writes = (
            method_is(bodies[0])
            if len(bodies) == 1
            else aws.wafv2.WebAclRuleStatementArgs(
                or_statement=aws.wafv2.WebAclRuleStatementOrStatementArgs(statements=[method_is(m) for m in bodies])
            )
        )
        rules.append(
            aws.wafv2.WebAclRuleArgs(
                name="LargeBodiesOnlyOnWrites",
                priority=2,
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    and_statement=aws.wafv2.WebAclRuleStatementAndStatementArgs(
                        statements=[
                            aws.wafv2.WebAclRuleStatementArgs(
                                label_match_statement=aws.wafv2.WebAclRuleStatementLabelMatchStatementArgs(
                                    scope="LABEL", key=BODY_LABEL
                                )
                            ),
                            aws.wafv2.WebAclRuleStatementArgs(
                                not_statement=aws.wafv2.WebAclRuleStatementNotStatementArgs(statement=writes)
                            ),
                        ]
                    )
                ),
                visibility_config=visibility("LargeBodiesOnlyOnWrites"),
            )
        )

    return aws.wafv2.WebAcl(
        name(plan, "waf", region_name, kind="aws:wafv2/webAcl:WebAcl"),
        scope=scope,
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        rules=rules,
        visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
        ),
        opts=opts,
    )


class Edge(pulumi.ComponentResource):
    """CloudFront in front of the regional load balancers (or a public bucket), with origin failover
    across regions. Only routes the plan marks cacheable are cached; writes go to the primary
    region's origin (an origin group fails over reads only); everything else passes through."""

    distribution: aws.cloudfront.Distribution

    def __init__(
        self,
        plan: Plan,
        entries: dict[str, LoadBalancer],
        site: Bucket | None,
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
        if site is not None:
            origins, prefix = self._bucket_origins(plan, site, opts), "site"
        else:
            origins, prefix = self._alb_origins(plan, entries), "alb"
        regions = plan.regions.value
        primary = f"{prefix}-{plan.primary_region}"
        groups = []
        reads = primary
        if cdn.origin_failover and len(origins) > 1:
            reads = "regions"
            groups.append(
                aws.cloudfront.DistributionOriginGroupArgs(
                    origin_id=reads,
                    failover_criteria=aws.cloudfront.DistributionOriginGroupFailoverCriteriaArgs(
                        status_codes=FAILOVER_CODES
                    ),
                    members=[
                        aws.cloudfront.DistributionOriginGroupMemberArgs(origin_id=f"{prefix}-{r}") for r in regions[:2]
                    ],
                )
            )
        every = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
        safe = ["GET", "HEAD", "OPTIONS"]

        def behavior(
            pattern: str, target: str, methods: list[str], cached: bool
        ) -> aws.cloudfront.DistributionOrderedCacheBehaviorArgs:
            return aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                path_pattern=pattern,
                target_origin_id=target,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=methods,
                cached_methods=["GET", "HEAD"],
                cache_policy_id=policy.id if cached else CACHING_DISABLED,
                origin_request_policy_id=None if site is not None else ALL_VIEWER_EXCEPT_HOST,
                response_headers_policy_id=SECURITY_HEADERS,
                compress=cdn.compress,
            )

        patterns = sorted(
            set(cdn.writes) | set(cdn.cached), key=lambda p: (p.count("*") > 0, -len(p.replace("*", "")), p)
        )
        ordered = [
            behavior(p, primary, every, p in cdn.cached)  # writes reach the primary's origin (reads of it cached)
            if p in cdn.writes
            else behavior(p, reads, safe, True)
            for p in patterns
        ]
        default_cached = site is not None
        aliases = [plan.edge.cdn_host] if plan.edge.cdn_host and certificate_arn is not None else None
        self.distribution = aws.cloudfront.Distribution(
            name(plan, "cdn"),
            enabled=True,
            comment=f"{plan.name} edge",
            default_root_object="index.html" if site is not None else None,
            is_ipv6_enabled=False,  # no AAAA records are published for its names
            http_version="http2and3",
            price_class="PriceClass_All",
            aliases=aliases,
            origins=origins,
            origin_groups=groups or None,
            ordered_cache_behaviors=ordered or None,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=reads,
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=safe if groups or site is not None else every,
                cached_methods=["GET", "HEAD"],
                cache_policy_id=policy.id if default_cached else CACHING_DISABLED,
                origin_request_policy_id=None if site is not None else ALL_VIEWER_EXCEPT_HOST,
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
        if site is not None:
            site.serve(self.distribution)
        self.register_outputs({"domain_name": self.distribution.domain_name})

    def _alb_origins(self, plan: Plan, entries: dict[str, LoadBalancer]) -> list[aws.cloudfront.DistributionOriginArgs]:
        cdn = plan.edge.cdn
        assert cdn is not None
        return [
            aws.cloudfront.DistributionOriginArgs(
                origin_id=f"alb-{r}",
                domain_name=plan.edge.origin_hosts.get(r) or entries[r].alb.dns_name,
                custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                    http_port=80,
                    https_port=443,
                    origin_protocol_policy="https-only" if plan.edge.tls else "http-only",
                    origin_ssl_protocols=["TLSv1.2"],
                ),
                origin_shield=aws.cloudfront.DistributionOriginOriginShieldArgs(enabled=True, origin_shield_region=r)
                if cdn.origin_shield
                else None,
            )
            for r in plan.regions.value
        ]

    def _bucket_origins(
        self, plan: Plan, site: Bucket, opts: pulumi.ResourceOptions
    ) -> list[aws.cloudfront.DistributionOriginArgs]:
        """The site's buckets, read through an origin access control (signed requests; the buckets
        stay private)."""
        oac = aws.cloudfront.OriginAccessControl(
            name(plan, "site-access"),
            description=f"{plan.name}: the CDN reads the site's buckets",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=opts,
        )
        return [
            aws.cloudfront.DistributionOriginArgs(
                origin_id=f"site-{r}",
                domain_name=bucket.bucket_regional_domain_name,
                origin_access_control_id=oac.id,
            )
            for r, bucket in site.buckets.items()
        ]


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
        public = [s for s in plan.services if s.public]
        policy = edge.dns.value if edge.dns else "simple"
        through_cdn = edge.cdn is not None and edge.cdn.dynamic.value == "through"
        self.health: dict[str, aws.route53.HealthCheck] = {}
        """Per region, the health check that decides whether Route 53 answers with it."""
        for i, r in enumerate(plan.regions.value if public else []):  # a static site: only the CDN's record
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
            probes = [
                aws.route53.HealthCheck(
                    name(plan, "health", svc.name, r),
                    fqdn=edge.origin_hosts[r],
                    port=443 if edge.tls else 80,
                    type="HTTPS" if edge.tls else "HTTP",
                    resource_path=f"{svc.health}?{PROBE}={svc.name}",
                    failure_threshold=SETTINGS["health-check-failures"].value,
                    request_interval=SETTINGS["health-check-interval"].value,
                    tags={"Name": name(plan, "health", svc.name, r)},
                    opts=opts,
                )
                for svc in public
            ]
            check = aws.route53.HealthCheck(  # the region is healthy while every public service is
                name(plan, "health", r),
                type="CALCULATED",
                child_healthchecks=[p.id for p in probes],
                child_health_threshold=len(probes),
                tags={"Name": name(plan, "health", r)},
                opts=opts,
            )
            self.health[r] = check
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
        if public and not through_cdn and policy == "simple":
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

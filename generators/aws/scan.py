"""The checkov checks (terraform_plan framework) the AWS program does not meet, each with its
reason: the one list `make scan` skips (like the Kubernetes target's SCAN_SKIPS). Everything else
checkov runs over `hld synth --terraform-plan` must pass."""

from __future__ import annotations

AWS_SCAN_SKIPS: dict[str, str] = {
    "CKV_AWS_18": "S3 server access logs would need a log bucket per region; requests reach the buckets only "
    "through the services and CloudFront, whose own metrics are on",
    "CKV_AWS_31": "the cache's AUTH token is write-only (auth_token_wo), which the check does not read; hld "
    "verify's private-data check proves the token and transit encryption",
    "CKV_AWS_68": "a WAF is the blueprint's choice (edge.waf); hld verify's waf check proves it where asked",
    "CKV2_AWS_28": "a WAF is the blueprint's choice (edge.waf); hld verify's waf check proves it where asked",
    "CKV_AWS_86": "CloudFront standard logs need an ACL-enabled bucket; every hld bucket enforces bucket-owner "
    "ownership (no ACLs)",
    "CKV_AWS_91": "ALB access logs go only to SSE-S3 buckets; every hld bucket is encrypted with the region's KMS key",
    "CKV_AWS_118": "Performance Insights and slow-query logs are on; enhanced OS monitoring needs a monitoring "
    "role hld does not add",
    "CKV_AWS_260": "port 80 on the public load balancer only redirects to HTTPS (hld verify's tls check)",
    "CKV_AWS_305": "a default root object is set where the CDN serves a static site; API distributions have none",
    "CKV_AWS_310": "a one-region design has no second origin to fail over to",
    "CKV_AWS_338": "logs are kept 30 days for operations; audit trails (CloudTrail) are outside the design",
    "CKV_AWS_374": "the design serves users worldwide: no geo restriction",
    "CKV_AWS_378": "TLS ends at the load balancer; tasks in private subnets speak HTTP to it",
    "CKV2_AWS_31": "WAF request logs are not kept (cost); CloudWatch metrics and sampled requests are on",
    "CKV2_AWS_32": "the AWS-managed SecurityHeadersPolicy is attached by id, not as a resource the check can connect",
    "CKV2_AWS_47": "AWSManagedRulesAnonymousIpList blocks hosting-provider and anonymiser addresses, among "
    "them server-to-server API clients; the known-bad-inputs rules (Log4j) are on",
    "CKV2_AWS_76": "AWSManagedRulesAnonymousIpList blocks hosting-provider and anonymiser addresses, among "
    "them server-to-server API clients; the known-bad-inputs rules (Log4j) are on",
    "CKV2_AWS_57": "generated secrets have no rotation Lambda; RDS-managed passwords rotate where RDS manages them",
    "CKV2_AWS_62": "no consumer of bucket events is in the design",
    "CKV2_AWS_71": "the certificate names *.<domain> for the CDN and origin hosts under the stack's own domain",
}


def skip_list() -> str:
    """The skips as checkov's --skip-check takes them."""
    return ",".join(sorted(AWS_SCAN_SKIPS))


if __name__ == "__main__":
    print(skip_list())

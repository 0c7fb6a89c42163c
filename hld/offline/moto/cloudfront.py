"""CloudFront: distributions: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none


@handles("aws:cloudfront/distribution:Distribution")
def _distribution(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    def items(values: list[Any]) -> dict[str, Any]:
        return {"Quantity": len(values), "Items": values}

    origins = []
    for o in i["origins"]:
        custom = first(o.get("customOriginConfig")) or {}
        origin: dict[str, Any] = {"Id": o["originId"], "DomainName": o["domainName"], "OriginPath": ""}
        if custom:
            origin["CustomOriginConfig"] = {
                "HTTPPort": int(custom.get("httpPort", 80)),
                "HTTPSPort": int(custom.get("httpsPort", 443)),
                "OriginProtocolPolicy": custom["originProtocolPolicy"],
                "OriginSslProtocols": items(custom.get("originSslProtocols", ["TLSv1.2"])),
            }
        shield = first(o.get("originShield"))
        if shield:
            origin["OriginShield"] = {
                "Enabled": bool(shield["enabled"]),
                "OriginShieldRegion": shield.get("originShieldRegion", r),
            }
        origins.append(origin)
    behavior = first(i["defaultCacheBehavior"])
    cert = first(i.get("viewerCertificate")) or {}
    config: dict[str, Any] = {
        "CallerReference": m.physical(name),
        "Comment": i.get("comment", ""),
        "Enabled": bool(i.get("enabled", True)),
        "Origins": items(origins),
        "DefaultCacheBehavior": drop_none(
            {
                "TargetOriginId": behavior["targetOriginId"],
                "ViewerProtocolPolicy": behavior["viewerProtocolPolicy"],
                "AllowedMethods": items(behavior.get("allowedMethods", ["GET", "HEAD"]))
                | {"CachedMethods": items(behavior.get("cachedMethods", ["GET", "HEAD"]))},
                "Compress": bool(behavior.get("compress")),
                "CachePolicyId": behavior.get("cachePolicyId"),
                "OriginRequestPolicyId": behavior.get("originRequestPolicyId"),
            }
        ),
        "PriceClass": i.get("priceClass", "PriceClass_All"),
        "IsIPV6Enabled": bool(i.get("isIpv6Enabled")),
        "HttpVersion": i.get("httpVersion", "http2"),
        "WebACLId": i.get("webAclId", ""),
    }
    groups = [
        {
            "Id": g["originId"],
            "FailoverCriteria": {"StatusCodes": items([int(c) for c in first(g["failoverCriteria"])["statusCodes"]])},
            "Members": items([{"OriginId": mem["originId"]} for mem in g["members"]]),
        }
        for g in i.get("originGroups") or []
    ]
    if groups:
        config["OriginGroups"] = items(groups)
        # moto accepts only an origin as a behavior's target: aim at the group's primary member
        primary = {g["Id"]: g["Members"]["Items"][0]["OriginId"] for g in groups}
        target = config["DefaultCacheBehavior"]["TargetOriginId"]
        config["DefaultCacheBehavior"]["TargetOriginId"] = primary.get(target, target)
    if i.get("aliases"):
        config["Aliases"] = items(i["aliases"])
    if cert.get("acmCertificateArn"):
        config["ViewerCertificate"] = {
            "ACMCertificateArn": cert["acmCertificateArn"],
            "SSLSupportMethod": cert.get("sslSupportMethod", "sni-only"),
            "MinimumProtocolVersion": cert.get("minimumProtocolVersion", "TLSv1.2_2021"),
        }
    dist = m.client("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]
    return dist["Id"], {
        "arn": dist["ARN"],
        "domainName": dist["DomainName"],
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "status": dist.get("Status", "Deployed"),
    }

"""WAFv2: web ACLs and their associations: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles


@handles("aws:wafv2/webAcl:WebAcl")
def _web_acl(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    region = "us-east-1" if i.get("scope") == "CLOUDFRONT" else r

    def visibility(v: Any) -> dict[str, Any]:
        v = first(v) or {}
        return {
            "SampledRequestsEnabled": bool(v.get("sampledRequestsEnabled")),
            "CloudWatchMetricsEnabled": bool(v.get("cloudwatchMetricsEnabled")),
            "MetricName": v.get("metricName", name),
        }

    rules = []
    for rule in i.get("rules") or []:
        statement = first(rule["statement"])
        managed = first(statement.get("managedRuleGroupStatement")) or {}
        rules.append(
            {
                "Name": rule["name"],
                "Priority": int(rule["priority"]),
                "Statement": {
                    "ManagedRuleGroupStatement": {"VendorName": managed["vendorName"], "Name": managed["name"]}
                },
                "OverrideAction": {"None": {}},
                "VisibilityConfig": visibility(rule.get("visibilityConfig")),
            }
        )
    default = first(i.get("defaultAction")) or {"allow": {}}
    acl = m.client("wafv2", region).create_web_acl(
        Name=i["name"],
        Scope=i["scope"],
        DefaultAction={"Allow": {}} if "allow" in default else {"Block": {}},
        Rules=rules,
        VisibilityConfig=visibility(i.get("visibilityConfig")),
    )["Summary"]
    return acl["Id"], {"arn": acl["ARN"], "name": acl["Name"]}


@handles("aws:wafv2/webAclAssociation:WebAclAssociation")
def _web_acl_association(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("wafv2", r).associate_web_acl(WebACLArn=i["webAclArn"], ResourceArn=i["resourceArn"])
    return f"{i['webAclArn']},{i['resourceArn']}", {}

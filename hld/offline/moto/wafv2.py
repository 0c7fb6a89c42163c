"""WAFv2: web ACLs and their associations: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import pascal


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
        out = {
            "Name": rule["name"],
            "Priority": int(rule["priority"]),
            "Statement": _statement(first(rule["statement"])),
            "VisibilityConfig": visibility(rule.get("visibilityConfig")),
        }
        if rule.get("action"):
            out["Action"] = pascal(first(rule["action"]))
        else:
            out["OverrideAction"] = {"None": {}}
        rules.append(out)
    default = first(i.get("defaultAction")) or {"allow": {}}
    acl = m.client("wafv2", region).create_web_acl(
        Name=i["name"],
        Scope=i["scope"],
        DefaultAction={"Allow": {}} if "allow" in default else {"Block": {}},
        Rules=rules,
        VisibilityConfig=visibility(i.get("visibilityConfig")),
    )["Summary"]
    return acl["Id"], {"arn": acl["ARN"], "name": acl["Name"]}


def _statement(statement: dict[str, Any]) -> dict[str, Any]:
    """A rule statement as the API takes it: nested statements (and, or, not), managed groups with
    their rule overrides, label and byte matches (Pulumi's camelCase blocks, PascalCase here)."""
    out: dict[str, Any] = {}
    for key, value in statement.items():
        block: dict[str, Any] = first(value) or {}
        if key in ("andStatement", "orStatement"):
            out[key[:1].upper() + key[1:]] = {"Statements": [_statement(first(s)) for s in block["statements"]]}
        elif key == "notStatement":
            out["NotStatement"] = {"Statement": _statement(first(block["statement"]))}
        else:
            out[key[:1].upper() + key[1:]] = pascal(block)
    return out


@handles("aws:wafv2/webAclAssociation:WebAclAssociation")
def _web_acl_association(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("wafv2", r).associate_web_acl(WebACLArn=i["webAclArn"], ResourceArn=i["resourceArn"])
    return f"{i['webAclArn']},{i['resourceArn']}", {}

"""Elastic Load Balancing v2: load balancers, target groups, listeners, listener rules: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num, pascal, tag_list


def _actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n, a in enumerate(actions):
        action: dict[str, Any] = {"Type": a["type"], "Order": n + 1}
        if a.get("targetGroupArn"):
            action["TargetGroupArn"] = a["targetGroupArn"]
        if a.get("redirect"):
            action["RedirectConfig"] = pascal(first(a["redirect"]))
        if a.get("fixedResponse"):
            action["FixedResponseConfig"] = pascal(first(a["fixedResponse"]))
        out.append(action)
    return out


@handles("aws:lb/loadBalancer:LoadBalancer")
def _alb(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    elb = m.client("elbv2", r)
    lb = elb.create_load_balancer(
        Name=i["name"],
        Subnets=i["subnets"],
        SecurityGroups=i.get("securityGroups") or [],
        Scheme="internal" if i.get("internal") else "internet-facing",
        Type=i.get("loadBalancerType", "application"),
        **drop_none({"Tags": tag_list(i.get("tags"))}),
    )["LoadBalancers"][0]
    attributes = {
        "deletion_protection.enabled": i.get("enableDeletionProtection"),
        "routing.http.drop_invalid_header_fields.enabled": i.get("dropInvalidHeaderFields"),
        "idle_timeout.timeout_seconds": num(i.get("idleTimeout")),
    }
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": k, "Value": str(v).lower()} for k, v in attributes.items() if v is not None],
    )
    read = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    arn = lb["LoadBalancerArn"]
    return arn, {
        "arn": arn,
        "arnSuffix": arn.split(":loadbalancer/", 1)[-1],
        "dnsName": lb["DNSName"],
        "zoneId": lb["CanonicalHostedZoneId"],
        "name": lb["LoadBalancerName"],
        "enableDeletionProtection": read.get("deletion_protection.enabled") == "true",
        "availabilityZones": sorted(z["ZoneName"] for z in lb.get("AvailabilityZones", [])),
    }


@handles("aws:lb/targetGroup:TargetGroup")
def _target_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    hc = first(i.get("healthCheck")) or {}
    tg = m.client("elbv2", r).create_target_group(
        Name=i["name"],
        Protocol=i.get("protocol", "HTTP"),
        Port=int(i["port"]),
        VpcId=i["vpcId"],
        TargetType=i.get("targetType", "instance"),
        **drop_none(
            {
                "HealthCheckPath": hc.get("path"),
                "HealthCheckIntervalSeconds": num(hc.get("interval")),
                "HealthyThresholdCount": num(hc.get("healthyThreshold")),
                "UnhealthyThresholdCount": num(hc.get("unhealthyThreshold")),
                "Matcher": {"HttpCode": hc["matcher"]} if hc.get("matcher") else None,
            }
        ),
    )["TargetGroups"][0]
    arn = tg["TargetGroupArn"]
    return arn, {"arn": arn, "arnSuffix": arn.split(":", 5)[-1], "name": tg["TargetGroupName"]}


@handles("aws:lb/listener:Listener")
def _listener(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    lst = m.client("elbv2", r).create_listener(
        LoadBalancerArn=i["loadBalancerArn"],
        Protocol=i.get("protocol", "HTTP"),
        Port=int(i["port"]),
        DefaultActions=_actions(i.get("defaultActions") or []),
        **drop_none(
            {
                "SslPolicy": i.get("sslPolicy"),
                "Certificates": [{"CertificateArn": i["certificateArn"]}] if i.get("certificateArn") else None,
            }
        ),
    )["Listeners"][0]
    return lst["ListenerArn"], {"arn": lst["ListenerArn"], "sslPolicy": lst.get("SslPolicy")}


@handles("aws:lb/listenerRule:ListenerRule")
def _listener_rule(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    conditions = []
    for c in i.get("conditions") or []:
        if c.get("pathPattern"):
            conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": c["pathPattern"]["values"]}})
        if c.get("queryStrings"):
            conditions.append(
                {
                    "Field": "query-string",
                    "QueryStringConfig": {
                        "Values": [{"Key": q["key"], "Value": q["value"]} for q in c["queryStrings"]]
                    },
                }
            )
        if c.get("hostHeader"):
            conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": c["hostHeader"]["values"]}})
    rule = m.client("elbv2", r).create_rule(
        ListenerArn=i["listenerArn"],
        Priority=int(i["priority"]),
        Conditions=conditions,
        Actions=_actions(i.get("actions") or []),
    )["Rules"][0]
    return rule["RuleArn"], {"arn": rule["RuleArn"]}

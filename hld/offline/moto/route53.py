"""Route 53: health checks and records: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num


@handles("aws:route53/healthCheck:HealthCheck")
def _health_check(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    hc = m.client("route53", "us-east-1").create_health_check(
        CallerReference=m.physical(name),
        HealthCheckConfig=drop_none(
            {
                "Type": i["type"],
                "FullyQualifiedDomainName": i.get("fqdn"),
                "Port": num(i.get("port")),
                "ResourcePath": i.get("resourcePath"),
                "RequestInterval": num(i.get("requestInterval")),
                "FailureThreshold": num(i.get("failureThreshold")),
                "ChildHealthChecks": i.get("childHealthchecks"),
                "HealthThreshold": num(i.get("childHealthThreshold")),
                "AlarmIdentifier": {"Region": i["cloudwatchAlarmRegion"], "Name": i["cloudwatchAlarmName"]}
                if i.get("cloudwatchAlarmName")
                else None,
                "InsufficientDataHealthStatus": i.get("insufficientDataHealthStatus"),
            }
        ),
    )["HealthCheck"]
    return hc["Id"], {"arn": f"arn:aws:route53:::healthcheck/{hc['Id']}"}


@handles("aws:route53/record:Record")
def _record(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    record: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
    aliases = i.get("aliases") or []
    if aliases:
        alias = first(aliases)
        record["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth")),
        }
    else:
        record |= {"TTL": int(i.get("ttl", 300)), "ResourceRecords": [{"Value": v} for v in i.get("records") or []]}
    if i.get("setIdentifier"):
        record["SetIdentifier"] = i["setIdentifier"]
    if i.get("healthCheckId"):
        record["HealthCheckId"] = i["healthCheckId"]
    for policy in i.get("latencyRoutingPolicies") or []:
        record["Region"] = policy["region"]
    for policy in i.get("failoverRoutingPolicies") or []:
        record["Failover"] = policy["type"]
    m.client("route53", "us-east-1").change_resource_record_sets(
        HostedZoneId=i["zoneId"], ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
    )
    rid = "_".join(p for p in (i["zoneId"], i["name"], i["type"], i.get("setIdentifier", "")) if p)
    return rid, {"fqdn": i["name"].rstrip(".")}


@handles("aws:route53/zone:Zone")
def _zone(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    """A hosted zone; a private one is associated with every VPC it names (in their regions)."""
    r53 = m.client("route53", "us-east-1")
    vpcs = i.get("vpcs") or []
    private = {"VPC": {"VPCRegion": vpcs[0]["vpcRegion"], "VPCId": vpcs[0]["vpcId"]}} if vpcs else {}
    zone = r53.create_hosted_zone(
        Name=i["name"],
        CallerReference=m.physical(name),
        HostedZoneConfig={"Comment": i.get("comment", ""), "PrivateZone": bool(vpcs)},
        **private,
    )["HostedZone"]
    zone_id = zone["Id"].split("/")[-1]
    for vpc in vpcs[1:]:
        r53.associate_vpc_with_hosted_zone(
            HostedZoneId=zone_id, VPC={"VPCRegion": vpc["vpcRegion"], "VPCId": vpc["vpcId"]}
        )
    return zone_id, {"zoneId": zone_id, "arn": f"arn:aws:route53:::hostedzone/{zone_id}", "name": i["name"]}

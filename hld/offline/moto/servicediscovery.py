"""Cloud Map: private DNS namespaces and services: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles


@handles("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def _namespace(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    sd = m.client("servicediscovery", r)
    sd.create_private_dns_namespace(Name=i["name"], Vpc=i["vpc"], Description=i.get("description", ""))
    found = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == i["name"]]
    ns = sorted(found, key=lambda n: n.get("CreateDate", 0))[-1]
    return ns["Id"], {
        "arn": ns["Arn"],
        "hostedZone": ns.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId", ""),
    }


@handles("aws:servicediscovery/service:Service")
def _discovery_service(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    dns = first(i.get("dnsConfig")) or {}
    svc = m.client("servicediscovery", r).create_service(
        Name=i["name"],
        DnsConfig={
            "NamespaceId": dns["namespaceId"],
            "RoutingPolicy": dns.get("routingPolicy", "MULTIVALUE"),
            "DnsRecords": [{"Type": d["type"], "TTL": int(d["ttl"])} for d in dns.get("dnsRecords", [])],
        },
        HealthCheckCustomConfig={"FailureThreshold": 1},
    )["Service"]
    return svc["Id"], {"arn": svc["Arn"]}

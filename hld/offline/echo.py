"""EchoMocks: inputs echoed back, with the attributes AWS computes (ARNs, DNS names, endpoints),
shaped like the real ones, so references resolve. Fast; AWS itself is not consulted."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi

from hld.offline.cloud import ACCOUNT, OfflineCloud, caller_identity


def _arn(service: str, region: str, kind: str, name: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{kind}{name}"


class EchoMocks(OfflineCloud):
    """Plain mocks. Names are made and refused as pulumi-aws makes and refuses them
    (generators.aws.naming): an auto-name is the logical name, a separator and 7 characters,
    never shortened, and a name over a resource's limit or outside its rules fails the run."""

    cloud = "mocks"

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:providers:aws":
            return self.provider(args)
        region = self.region_of(args.provider)
        if typ.startswith("aws:"):
            inputs = self.named(typ, name, inputs, region)
        rid, state = computed(typ, name, inputs, region)
        if typ == "aws:ec2/subnet:Subnet" and inputs.get("availabilityZone"):
            self.subnet_zones[rid] = str(inputs["availabilityZone"])
        return rid, {**inputs, **state}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return caller_identity(), []
        if (zone := self.zone_call(args.token, dict(args.args))) is not None:
            return zone, []
        if args.token == "aws:secretsmanager/getRandomPassword:getRandomPassword":
            return {"randomPassword": "generated-in-the-mock-runtime"}, []
        return {}, []


RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
"""pulumi-random's password: made by the Pulumi engine's random provider, not by AWS (both clouds
answer it here)."""
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_SPECIAL = "!#$%&*()-_=+[]{}<>:?"


def generated_password(name: str, inputs: dict[str, Any]) -> str:
    """What the random provider would generate for this RandomPassword: `length` characters of the
    classes it allows, deterministic over its name and its inputs (new keepers, a new value: the
    provider replaces the password when they change)."""
    alphabet = _ALPHABET + (_SPECIAL if inputs.get("special", True) else "")
    length = int(inputs.get("length", 16))
    seed = json.dumps([name, inputs], sort_keys=True, default=str).encode()
    stream = b"".join(hashlib.sha256(seed + bytes([i])).digest() for i in range(length // 32 + 1))
    return "".join(alphabet[b % len(alphabet)] for b in stream[:length])


def computed(typ: str, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """The id and the attributes AWS computes for a resource, from its inputs."""
    if typ == RANDOM_PASSWORD:
        return "none", {"result": generated_password(name, inputs)}
    service = typ.split(":")[1].split("/")[0]
    physical = (
        inputs.get("name")
        or inputs.get("identifier")
        or inputs.get("bucket")
        or inputs.get("replicationGroupId")
        or inputs.get("clusterIdentifier")
        or f"{name}-0000000"
    )
    state: dict[str, Any] = {"arn": _arn(service, region, "", physical), "region": region}
    rid = str(physical)
    if typ == "aws:acm/certificate:Certificate":
        state["domainValidationOptions"] = [
            {
                "domainName": inputs["domainName"],
                "resourceRecordName": f"_x1.{inputs['domainName']}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": "_x2.acm-validations.aws.",
            }
        ]
    elif typ == "aws:lb/loadBalancer:LoadBalancer":
        state |= {
            "dnsName": f"{name}.{region}.elb.amazonaws.com",
            "zoneId": "Z35SXDOTRQ7X7K",
            "arnSuffix": f"app/{name}/1",
        }
    elif typ == "aws:lb/targetGroup:TargetGroup":
        state["arnSuffix"] = f"targetgroup/{name}/1"
    elif typ == "aws:rds/instance:Instance":
        state |= {
            "address": f"{name}.abc.{region}.rds.amazonaws.com",
            "identifier": physical,
            "resourceId": "db-" + hashlib.sha1(f"{name}".encode()).hexdigest()[:26].upper(),
            "masterUserSecrets": [{"secretArn": _arn("secretsmanager", region, "secret:", f"rds!{name}")}],
        }
    elif typ == "aws:rds/cluster:Cluster":
        state |= {
            "endpoint": f"{name}.cluster-abc.{region}.rds.amazonaws.com",
            "readerEndpoint": f"{name}.cluster-ro-abc.{region}.rds.amazonaws.com",
            "clusterResourceId": "cluster-" + hashlib.sha1(f"{name}".encode()).hexdigest()[:26].upper(),
            "masterUserSecrets": [{"secretArn": _arn("secretsmanager", region, "secret:", f"rds!{name}")}],
        }
    elif typ == "aws:cloudfront/distribution:Distribution":
        state |= {"domainName": "d111111abcdef8.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2"}
    elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
        state |= {
            "primaryEndpointAddress": f"master.{name}.cache.amazonaws.com",
            "readerEndpointAddress": f"replica.{name}.cache.amazonaws.com",
        }
    elif typ == "aws:sqs/queue:Queue":
        state["url"] = f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{physical}"
    elif typ == "aws:s3/bucket:Bucket":
        state["bucket"] = physical
    elif typ == "aws:route53/record:Record":
        state["fqdn"] = inputs.get("name")
    elif typ == "aws:rds/globalCluster:GlobalCluster":
        state["endpoint"] = f"{physical}.global-abc.global.rds.amazonaws.com"
    elif typ == "aws:route53/zone:Zone":
        rid = "Z" + hashlib.sha1(f"{name}".encode()).hexdigest()[:12].upper()
        state["zoneId"] = rid
    elif typ == "aws:acm/certificateValidation:CertificateValidation":
        state["certificateArn"] = inputs.get("certificateArn")
    elif typ == "aws:kms/key:Key":
        state["keyId"] = f"{name}-key-id"
        rid = state["keyId"]
    elif typ == "aws:sns/topicPolicy:TopicPolicy":
        state["arn"] = inputs.get("arn")  # the topic's: a topic policy has no ARN of its own
        rid = str(inputs.get("arn"))
    state.setdefault("name", physical)
    return rid, state

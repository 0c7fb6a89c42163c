"""ElastiCache: subnet groups and replication groups: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.cloud import ACCOUNT
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num


@handles("aws:elasticache/subnetGroup:SubnetGroup")
def _cache_subnets(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    group = i["name"]
    m.client("elasticache", r).create_cache_subnet_group(
        CacheSubnetGroupName=group,
        CacheSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"],
    )
    return group, {"name": group, "arn": f"arn:aws:elasticache:{r}:{ACCOUNT}:subnetgroup:{group}"}


@handles("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec = m.client("elasticache", r)
    group_id = i["replicationGroupId"]
    group = ec.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription=i.get("description", ""),
        **drop_none(
            {
                "Engine": i.get("engine"),
                "EngineVersion": i.get("engineVersion"),
                "CacheNodeType": i.get("nodeType"),
                "NumCacheClusters": num(i.get("numCacheClusters")),
                # moto sizes a cluster-mode-disabled group from ReplicasPerNodeGroup only
                "ReplicasPerNodeGroup": int(i["numCacheClusters"]) - 1 if i.get("numCacheClusters") else None,
                "PreferredCacheClusterAZs": i.get("preferredCacheClusterAzs"),
                "AutomaticFailoverEnabled": i.get("automaticFailoverEnabled"),
                "MultiAZEnabled": i.get("multiAzEnabled"),
                "CacheSubnetGroupName": i.get("subnetGroupName"),
                "SecurityGroupIds": i.get("securityGroupIds"),
                "AtRestEncryptionEnabled": i.get("atRestEncryptionEnabled"),
                "TransitEncryptionEnabled": i.get("transitEncryptionEnabled"),
                "AuthToken": i.get("authTokenWo") or i.get("authToken"),
                "KmsKeyId": i.get("kmsKeyId"),
                "Port": num(i.get("port")),
                "SnapshotRetentionLimit": num(i.get("snapshotRetentionLimit")),
            }
        ),
    )["ReplicationGroup"]
    read = ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]
    groups = read.get("NodeGroups") or [{}]
    primary = groups[0].get("PrimaryEndpoint", {}).get("Address") or f"master.{group_id}.cache.amazonaws.com"
    reader = groups[0].get("ReaderEndpoint", {}).get("Address") or f"replica.{group_id}.cache.amazonaws.com"
    zones = sorted(
        {
            mem.get("PreferredAvailabilityZone")
            for mem in groups[0].get("NodeGroupMembers", [])
            if mem.get("PreferredAvailabilityZone")
        }
    )
    return group_id, {
        "arn": group.get("ARN", f"arn:aws:elasticache:{r}:{ACCOUNT}:replicationgroup:{group_id}"),
        "primaryEndpointAddress": primary,
        "readerEndpointAddress": reader,
        "memberClusters": read.get("MemberClusters", []),
        "multiAzEnabled": read.get("MultiAZ") == "enabled",
        "automaticFailoverEnabled": read.get("AutomaticFailover") == "enabled",
        "atRestEncryptionEnabled": read.get("AtRestEncryptionEnabled", False),
        "transitEncryptionEnabled": read.get("TransitEncryptionEnabled", False),
        "memberZones": zones,
    }

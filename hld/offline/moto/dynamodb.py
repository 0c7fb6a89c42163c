"""DynamoDB: tables and global-table replicas: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, tag_list


@handles("aws:dynamodb/table:Table")
def _table(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    table_name = i["name"]
    key_schema = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
    if i.get("rangeKey"):
        key_schema.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
    sse = first(i.get("serverSideEncryption")) or {}

    def create(region: str, kms: str | None, pitr: bool, protect: bool) -> dict[str, Any]:
        ddb = m.client("dynamodb", region)
        desc = ddb.create_table(
            TableName=table_name,
            AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in i["attributes"]],
            KeySchema=key_schema,
            BillingMode=i.get("billingMode", "PAY_PER_REQUEST"),
            DeletionProtectionEnabled=protect,
            **drop_none(
                {
                    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": i["streamViewType"]}
                    if i.get("streamEnabled")
                    else None,
                    "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms} if kms else None,
                    "Tags": tag_list(i.get("tags")) or None,
                }
            ),
        )["TableDescription"]
        if pitr:
            ddb.update_continuous_backups(
                TableName=table_name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        ttl = first(i.get("ttl"))
        if ttl and ttl.get("enabled"):
            ddb.update_time_to_live(
                TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]}
            )
        return dict(desc)

    desc = create(
        r,
        sse.get("kmsKeyArn") if sse.get("enabled") else None,
        bool((first(i.get("pointInTimeRecovery")) or {}).get("enabled")),
        bool(i.get("deletionProtectionEnabled")),
    )
    replicas = []
    for replica in i.get("replicas") or []:
        region = replica["regionName"]
        created = create(
            region,
            replica.get("kmsKeyArn"),
            bool(replica.get("pointInTimeRecovery")),
            bool(replica.get("deletionProtectionEnabled", i.get("deletionProtectionEnabled"))),
        )
        replicas.append({**replica, "arn": created["TableArn"]})
    ddb = m.client("dynamodb", r)
    read = ddb.describe_table(TableName=table_name)["Table"]
    backups = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    sse_read = read.get("SSEDescription", {})
    return table_name, {
        "arn": desc["TableArn"],
        "name": table_name,
        "streamArn": read.get("LatestStreamArn", ""),
        "replicas": replicas,
        "pointInTimeRecovery": {"enabled": pitr},
        "deletionProtectionEnabled": read.get("DeletionProtectionEnabled", False),
        "serverSideEncryption": {
            "enabled": sse_read.get("Status") == "ENABLED",
            "kmsKeyArn": sse_read.get("KMSMasterKeyArn"),
        },
    }

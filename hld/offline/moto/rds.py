"""RDS and Aurora: subnet and parameter groups, instances, global clusters, clusters, cluster instances: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.logs import written_by_aws
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num, tag_list


@handles("aws:rds/subnetGroup:SubnetGroup")
def _db_subnets(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    group = i["name"]
    out = m.client("rds", r).create_db_subnet_group(
        DBSubnetGroupName=group,
        DBSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"],
    )["DBSubnetGroup"]
    return group, {"name": group, "arn": out["DBSubnetGroupArn"]}


@handles("aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup")
def _db_parameters(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    group = i["name"]
    params = [
        {"ParameterName": p["name"], "ParameterValue": p["value"], "ApplyMethod": p.get("applyMethod", "immediate")}
        for p in i.get("parameters") or []
    ]
    description = i.get("description", "Managed by Pulumi")
    if i.get("family", "").startswith("aurora"):
        arn = rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=group, DBParameterGroupFamily=i["family"], Description=description
        )["DBClusterParameterGroup"]["DBClusterParameterGroupArn"]
        if params:
            rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=params)
    else:
        arn = rds.create_db_parameter_group(
            DBParameterGroupName=group, DBParameterGroupFamily=i["family"], Description=description
        )["DBParameterGroup"]["DBParameterGroupArn"]
        if params:
            rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=params)
    return group, {"name": group, "arn": arn}


def _instance_state(d: dict[str, Any]) -> dict[str, Any]:
    secret = d.get("MasterUserSecret")
    return {
        "arn": d["DBInstanceArn"],
        "identifier": d["DBInstanceIdentifier"],
        "resourceId": d.get("DbiResourceId", ""),
        "address": d.get("Endpoint", {}).get("Address", ""),
        "endpoint": f"{d.get('Endpoint', {}).get('Address', '')}:{d.get('Endpoint', {}).get('Port', 5432)}",
        "availabilityZone": d.get("AvailabilityZone"),
        "multiAz": d.get("MultiAZ", False),
        "storageEncrypted": d.get("StorageEncrypted", False),
        "kmsKeyId": d.get("KmsKeyId"),
        "publiclyAccessible": d.get("PubliclyAccessible", False),
        "deletionProtection": d.get("DeletionProtection", False),
        "backupRetentionPeriod": d.get("BackupRetentionPeriod", 0),
        "replicateSourceDb": d.get("ReadReplicaSourceDBInstanceIdentifier"),
        "masterUserSecrets": [
            {
                "secretArn": secret["SecretArn"],
                "kmsKeyId": secret.get("KmsKeyId"),
                "secretStatus": secret.get("SecretStatus"),
            }
        ]
        if secret
        else [],
    }


@handles("aws:rds/instance:Instance")
def _db_instance(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    identifier = i["identifier"]
    common = drop_none(
        {
            "DBInstanceClass": i.get("instanceClass"),
            "AvailabilityZone": i.get("availabilityZone"),
            "MultiAZ": i.get("multiAz"),
            "KmsKeyId": i.get("kmsKeyId"),
            "PubliclyAccessible": i.get("publiclyAccessible"),
            "DeletionProtection": i.get("deletionProtection"),
            "DBParameterGroupName": i.get("parameterGroupName"),
            "VpcSecurityGroupIds": i.get("vpcSecurityGroupIds"),
            "CopyTagsToSnapshot": i.get("copyTagsToSnapshot"),
            "AutoMinorVersionUpgrade": i.get("autoMinorVersionUpgrade"),
            "EnablePerformanceInsights": i.get("performanceInsightsEnabled"),
            "Tags": tag_list(i.get("tags")) or None,
        }
    )
    source = i.get("replicateSourceDb")
    if source:
        cross_region = source.startswith("arn:") and f":{r}:" not in source
        rds.create_db_instance_read_replica(
            DBInstanceIdentifier=identifier, SourceDBInstanceIdentifier=source, **common
        )
        # moto resolves a replica's subnet group in the source's region: set it (and the
        # backups a replica keeps once promoted) with ModifyDBInstance, as a second call
        d = rds.modify_db_instance(
            DBInstanceIdentifier=identifier,
            ApplyImmediately=True,
            **drop_none(
                {
                    "DBSubnetGroupName": i.get("dbSubnetGroupName") if cross_region else None,
                    "BackupRetentionPeriod": num(i.get("backupRetentionPeriod")),
                }
            ),
        )["DBInstance"]
    else:
        d = rds.create_db_instance(
            DBInstanceIdentifier=identifier,
            Engine=i.get("engine", "postgres"),
            **common,
            **drop_none(
                {
                    "EngineVersion": i.get("engineVersion"),
                    "AllocatedStorage": num(i.get("allocatedStorage")),
                    "MaxAllocatedStorage": num(i.get("maxAllocatedStorage")),
                    "StorageType": i.get("storageType"),
                    "StorageEncrypted": i.get("storageEncrypted"),
                    "DBSubnetGroupName": i.get("dbSubnetGroupName"),
                    "MasterUsername": i.get("username"),
                    "MasterUserPassword": i.get("password") or i.get("passwordWo"),
                    "ManageMasterUserPassword": i.get("manageMasterUserPassword"),
                    "MasterUserSecretKmsKeyId": i.get("masterUserSecretKmsKeyId"),
                    "DBName": i.get("dbName"),
                    "BackupRetentionPeriod": num(i.get("backupRetentionPeriod")),
                }
            ),
        )["DBInstance"]
    _exports(m, r, "instance", identifier, i)
    return identifier, _instance_state(d)


def _exports(m: MotoMocks, r: str, kind: str, identifier: str, i: dict[str, Any]) -> None:
    """RDS starts exporting logs once the instance or cluster is up: to /aws/rds/<kind>/<id>/<log>,
    made by RDS when it is missing (hld.offline.moto.logs.written_by_aws)."""
    for log in i.get("enabledCloudwatchLogsExports") or []:
        written_by_aws(m, r, f"/aws/rds/{kind}/{identifier}/{log}")


@handles("aws:rds/globalCluster:GlobalCluster")
def _global_cluster(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ident = i["globalClusterIdentifier"]
    out = m.client("rds", r).create_global_cluster(
        GlobalClusterIdentifier=ident,
        **drop_none(
            {
                "Engine": i.get("engine"),
                "EngineVersion": i.get("engineVersion"),
                "StorageEncrypted": i.get("storageEncrypted"),
                "DeletionProtection": i.get("deletionProtection"),
                "DatabaseName": i.get("databaseName"),
            }
        ),
    )["GlobalCluster"]
    return ident, {
        "arn": out["GlobalClusterArn"],
        "globalClusterIdentifier": ident,
        "endpoint": out.get("Endpoint") or f"{ident}.global-hld.global.rds.amazonaws.com",
    }


@handles("aws:rds/cluster:Cluster")
def _db_cluster(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    ident = i["clusterIdentifier"]
    c = rds.create_db_cluster(
        DBClusterIdentifier=ident,
        Engine=i.get("engine", "aurora-postgresql"),
        **drop_none(
            {
                "EngineVersion": i.get("engineVersion"),
                "MasterUsername": i.get("masterUsername"),
                "ManageMasterUserPassword": i.get("manageMasterUserPassword"),
                "MasterUserSecretKmsKeyId": i.get("masterUserSecretKmsKeyId"),
                "MasterUserPassword": i.get("masterPasswordWo") or i.get("masterPassword"),
                "DatabaseName": i.get("databaseName"),
                "DBSubnetGroupName": i.get("dbSubnetGroupName"),
                "VpcSecurityGroupIds": i.get("vpcSecurityGroupIds"),
                "DBClusterParameterGroupName": i.get("dbClusterParameterGroupName"),
                "StorageEncrypted": i.get("storageEncrypted"),
                "KmsKeyId": i.get("kmsKeyId"),
                "BackupRetentionPeriod": num(i.get("backupRetentionPeriod")),
                "DeletionProtection": i.get("deletionProtection"),
                "CopyTagsToSnapshot": i.get("copyTagsToSnapshot"),
                "EnableCloudwatchLogsExports": i.get("enabledCloudwatchLogsExports"),
                "GlobalClusterIdentifier": i.get("globalClusterIdentifier"),
            }
        ),
    )["DBCluster"]
    _exports(m, r, "cluster", ident, i)
    secret = c.get("MasterUserSecret")
    return ident, {
        "arn": c["DBClusterArn"],
        "clusterIdentifier": ident,
        "clusterResourceId": c.get("DbClusterResourceId", ""),
        "endpoint": c.get("Endpoint", ""),
        "readerEndpoint": c.get("ReaderEndpoint", ""),
        "storageEncrypted": c.get("StorageEncrypted", False),
        "kmsKeyId": c.get("KmsKeyId"),
        "deletionProtection": c.get("DeletionProtection", False),
        "backupRetentionPeriod": c.get("BackupRetentionPeriod", 0),
        "masterUserSecrets": [{"secretArn": secret["SecretArn"], "kmsKeyId": secret.get("KmsKeyId")}] if secret else [],
        "masterPasswordWo": None,  # write-only: not in the provider's state
    }


@handles("aws:rds/clusterInstance:ClusterInstance")
def _cluster_instance(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    identifier = i["identifier"]
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBClusterIdentifier=i["clusterIdentifier"],
        Engine=i.get("engine", "aurora-postgresql"),
        DBInstanceClass=i["instanceClass"],
        **drop_none(
            {
                "AvailabilityZone": i.get("availabilityZone"),
                "PubliclyAccessible": i.get("publiclyAccessible"),
                "AutoMinorVersionUpgrade": i.get("autoMinorVersionUpgrade"),
                "EnablePerformanceInsights": i.get("performanceInsightsEnabled"),
            }
        ),
    )
    d = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    state = _instance_state(d)
    return identifier, {k: state[k] for k in ("arn", "identifier", "availabilityZone", "publiclyAccessible")} | {
        "endpoint": state["address"]
    }


@handles("aws:rds/eventSubscription:EventSubscription")
def _event_subscription(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rds = m.client("rds", r)
    sources = list(i.get("sourceIds") or [])
    describe = rds.describe_db_clusters if i.get("sourceType") == "db-cluster" else rds.describe_db_instances
    key = "DBClusterIdentifier" if i.get("sourceType") == "db-cluster" else "DBInstanceIdentifier"
    for source in sources:  # RDS refuses a source that is not in the subscription's region
        describe(**{key: source})
    out = rds.create_event_subscription(
        SubscriptionName=i["name"],
        SnsTopicArn=i["snsTopic"],
        **drop_none(
            {
                "SourceType": i.get("sourceType"),
                "EventCategories": i.get("eventCategories"),
                "SourceIds": sources or None,
                "Enabled": i.get("enabled", True),
            }
        ),
    )["EventSubscription"]
    return i["name"], {"arn": out.get("EventSubscriptionArn", ""), "name": i["name"]}

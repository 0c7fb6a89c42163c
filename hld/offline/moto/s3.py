"""S3: buckets and their configuration (versioning, encryption, public access, policy, ownership, replication): the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num, pascal


@handles("aws:s3/bucket:Bucket")
def _bucket(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    bucket = i["bucket"]
    extra = {} if r == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": r}}
    m.client("s3", r).create_bucket(Bucket=bucket, **extra)
    return bucket, {
        "arn": f"arn:aws:s3:::{bucket}",
        "bucket": bucket,
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{r}.amazonaws.com",
        "region": r,
    }


@handles("aws:s3/bucketVersioning:BucketVersioning")
def _versioning(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    status = first(i["versioningConfiguration"])["status"]
    m.client("s3", r).put_bucket_versioning(Bucket=i["bucket"], VersioningConfiguration={"Status": status})
    return i["bucket"], {}


@handles("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
def _encryption(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i["rules"]:
        default = first(rule.get("applyServerSideEncryptionByDefault")) or {}
        rules.append(
            drop_none(
                {
                    "ApplyServerSideEncryptionByDefault": drop_none(
                        {"SSEAlgorithm": default.get("sseAlgorithm"), "KMSMasterKeyID": default.get("kmsMasterKeyId")}
                    ),
                    "BucketKeyEnabled": rule.get("bucketKeyEnabled"),
                }
            )
        )
    s3 = m.client("s3", r)
    s3.put_bucket_encryption(Bucket=i["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
    read = s3.get_bucket_encryption(Bucket=i["bucket"])["ServerSideEncryptionConfiguration"]["Rules"]
    return i["bucket"], {
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": x["ApplyServerSideEncryptionByDefault"].get("SSEAlgorithm"),
                    "kmsMasterKeyId": x["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID"),
                },
                "bucketKeyEnabled": x.get("BucketKeyEnabled", False),
            }
            for x in read
        ]
    }


@handles("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
def _public_access(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    s3 = m.client("s3", r)
    keys = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    s3.put_public_access_block(
        Bucket=i["bucket"],
        PublicAccessBlockConfiguration={
            ("BlockPublicAcls" if k == "blockPublicAcls" else k[:1].upper() + k[1:]): bool(i.get(k)) for k in keys
        },
    )
    read = s3.get_public_access_block(Bucket=i["bucket"])["PublicAccessBlockConfiguration"]
    return i["bucket"], {k: read[k[:1].upper() + k[1:]] for k in keys}


@handles("aws:s3/bucketPolicy:BucketPolicy")
def _bucket_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    s3 = m.client("s3", r)
    s3.put_bucket_policy(Bucket=i["bucket"], Policy=i["policy"])
    return i["bucket"], {"policy": s3.get_bucket_policy(Bucket=i["bucket"])["Policy"]}


@handles("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
def _ownership(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rule = first(i["rule"])
    m.client("s3", r).put_bucket_ownership_controls(
        Bucket=i["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": rule["objectOwnership"]}]}
    )
    return i["bucket"], {}


@handles("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
def _replication(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i["rules"]:
        dest = first(rule["destination"])
        rules.append(
            drop_none(
                {
                    "ID": rule.get("id"),
                    "Priority": num(rule.get("priority")),
                    "Status": rule["status"],
                    "Filter": {"Prefix": (first(rule.get("filter")) or {}).get("prefix", "")},
                    "DeleteMarkerReplication": pascal(first(rule.get("deleteMarkerReplication"))),
                    "SourceSelectionCriteria": pascal(first(rule.get("sourceSelectionCriteria"))),
                    "Destination": drop_none(
                        {
                            "Bucket": dest["bucket"],
                            "EncryptionConfiguration": {
                                "ReplicaKmsKeyID": first(dest["encryptionConfiguration"])["replicaKmsKeyId"]
                            }
                            if dest.get("encryptionConfiguration")
                            else None,
                            "ReplicationTime": pascal(first(dest.get("replicationTime"))),
                            "Metrics": pascal(first(dest.get("metrics"))),
                        }
                    ),
                }
            )
        )
    m.client("s3", r).put_bucket_replication(
        Bucket=i["bucket"], ReplicationConfiguration={"Role": i["role"], "Rules": rules}
    )
    return i["bucket"], {}


@handles("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
def _lifecycle(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    rules = []
    for rule in i.get("rules") or []:
        out: dict[str, Any] = {"ID": rule.get("id", "rule"), "Status": rule.get("status", "Enabled")}
        out["Filter"] = {"Prefix": (rule.get("filter") or {}).get("prefix", "")}
        abort = rule.get("abortIncompleteMultipartUpload")
        if abort:
            out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(abort["daysAfterInitiation"])}
        rules.append(out)
    m.client("s3", r).put_bucket_lifecycle_configuration(Bucket=i["bucket"], LifecycleConfiguration={"Rules": rules})
    return i["bucket"], {}

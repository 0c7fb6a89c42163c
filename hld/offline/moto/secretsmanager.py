"""Secrets Manager: secrets and their versions: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none


@handles("aws:secretsmanager/secret:Secret")
def _secret(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    replicas = [drop_none({"Region": x["region"], "KmsKeyId": x.get("kmsKeyId")}) for x in i.get("replicas") or []]
    out = m.client("secretsmanager", r).create_secret(
        Name=i["name"],
        **drop_none(
            {"Description": i.get("description"), "KmsKeyId": i.get("kmsKeyId"), "AddReplicaRegions": replicas}
        ),
    )
    return out["ARN"], {"arn": out["ARN"], "name": out["Name"]}


@handles("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    value = i.get("secretStringWo") or i.get("secretString") or ""
    out = m.client("secretsmanager", r).put_secret_value(SecretId=i["secretId"], SecretString=value)
    state = {"arn": out["ARN"], "versionId": out["VersionId"]}
    # write-only: not in the provider's state (Pulumi keeps it among the inputs, as a secret)
    return f"{out['ARN']}|{out['VersionId']}", state | {"secretStringWo": None}

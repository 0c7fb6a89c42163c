"""KMS: customer-managed keys and their aliases: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.cloud import ACCOUNT
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, tag_list


@handles("aws:kms/key:Key")
def _key(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    kms = m.client("kms", r)
    meta = kms.create_key(
        Description=i.get("description", ""),
        **drop_none({"Tags": tag_list(i.get("tags"), "TagKey", "TagValue"), "Policy": i.get("policy")}),
    )["KeyMetadata"]
    if i.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=meta["KeyId"])
    rotation = kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"]
    policy = kms.get_key_policy(KeyId=meta["KeyId"], PolicyName="default")["Policy"]
    return meta["KeyId"], {"arn": meta["Arn"], "keyId": meta["KeyId"], "enableKeyRotation": rotation, "policy": policy}


@handles("aws:kms/alias:Alias")
def _alias(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    alias = i["name"] if i["name"].startswith("alias/") else f"alias/{i['name']}"
    m.client("kms", r).create_alias(AliasName=alias, TargetKeyId=i["targetKeyId"])
    return alias, {"arn": f"arn:aws:kms:{r}:{ACCOUNT}:{alias}", "name": alias}

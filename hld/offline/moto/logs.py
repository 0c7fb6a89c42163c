"""CloudWatch Logs: log groups: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none


@handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    logs = m.client("logs", r)
    group = i["name"]
    logs.create_log_group(logGroupName=group, **drop_none({"kmsKeyId": i.get("kmsKeyId")}))
    if i.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=group, retentionInDays=int(i["retentionInDays"]))
    read = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    return group, {"arn": read["arn"].removesuffix(":*"), "name": group, "kmsKeyId": read.get("kmsKeyId")}

"""CloudWatch Logs: log groups: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none


def written_by_aws(m: MotoMocks, region: str, group: str) -> None:
    """What an AWS service does when it starts writing to a log group that does not exist (RDS log
    exports, ECS Container Insights): it makes it, under AWS's own key, kept forever. A log group hld
    makes later under that name is then refused (ResourceAlreadyExistsException), as in AWS."""
    logs = m.client("logs", region)
    found = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    if not any(g["logGroupName"] == group for g in found):
        logs.create_log_group(logGroupName=group)


@handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    logs = m.client("logs", r)
    group = i["name"]
    logs.create_log_group(logGroupName=group, **drop_none({"kmsKeyId": i.get("kmsKeyId")}))
    if i.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=group, retentionInDays=int(i["retentionInDays"]))
    read = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    return group, {"arn": read["arn"].removesuffix(":*"), "name": group, "kmsKeyId": read.get("kmsKeyId")}

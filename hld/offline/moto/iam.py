"""IAM: roles, inline policies, managed-policy attachments: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

import functools
import json
from typing import Any

from hld.offline.cloud import ACCOUNT
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, tag_list


@handles("aws:iam/role:Role")
def _role(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    role_name = i["name"]
    role = m.client("iam", "us-east-1").create_role(
        RoleName=role_name,
        AssumeRolePolicyDocument=i["assumeRolePolicy"],
        **drop_none({"Tags": tag_list(i.get("tags"))}),
    )["Role"]
    return role_name, {"arn": role["Arn"], "name": role_name, "uniqueId": role["RoleId"]}


@handles("aws:iam/rolePolicy:RolePolicy")
def _role_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    policy = i["name"]
    m.client("iam", "us-east-1").put_role_policy(RoleName=i["role"], PolicyName=policy, PolicyDocument=i["policy"])
    return f"{i['role']}:{policy}", {"name": policy}


@handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _attachment(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    iam = m.client("iam", "us-east-1")
    if i["policyArn"].startswith("arn:aws:iam::aws:policy/"):
        _aws_managed_policy(i["policyArn"])
    iam.attach_role_policy(RoleName=i["role"], PolicyArn=i["policyArn"])
    return f"{i['role']}-{m.physical(name)}", {}


def _aws_managed_policy(arn: str) -> None:
    """Load one AWS managed policy into moto (loading all of them costs ~1.5 s per run)."""
    from moto.iam.models import AWSManagedPolicy, iam_backends

    backend = iam_backends[ACCOUNT]["global"]
    if arn in backend.managed_policies:
        return
    data = _managed_policies().get(arn.rsplit("/", 1)[-1])
    if data is not None:
        policy = AWSManagedPolicy.from_data(arn.rsplit("/", 1)[-1], ACCOUNT, "us-east-1", data)
        backend.managed_policies[policy.arn] = policy


@functools.cache
def _managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return dict(json.loads(aws_managed_policies_data))

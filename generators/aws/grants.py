"""Least privilege by what an edge does (HLD-RULES §7): the IAM statements a task role gets for one
edge, exactly the actions of the edge's access (blueprints.access) on exactly the edge's resources;
the region's key only through the store's own service and for that resource (`kms:ViaService` and
the service's encryption context); and the trust policies, with the source conditions each service
principal documents against the confused deputy
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).

What each store's service asks of KMS on its caller's behalf:
SQS, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
(producers kms:GenerateDataKey and kms:Decrypt, consumers kms:Decrypt; context `aws:sqs:arn`);
S3, https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html (GetObject
kms:Decrypt, PutObject kms:GenerateDataKey, and kms:Decrypt for multipart uploads; with an S3 Bucket
Key the context `aws:s3:arn` is the bucket's ARN); DynamoDB,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html (context
`aws:dynamodb:tableName`); Secrets Manager,
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html (context
`SecretARN`)."""

from __future__ import annotations

from typing import Any

import pulumi

TABLE: dict[str, tuple[str, ...]] = {
    "read": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"),
    "write": (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
    ),
}
QUEUE: dict[str, tuple[str, ...]] = {
    "produce": ("sqs:SendMessage", "sqs:GetQueueAttributes"),
    "consume": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"),
}
OBJECTS: dict[str, tuple[str, ...]] = {"read": ("s3:GetObject",), "write": ("s3:PutObject",)}
"""On the bucket's objects (`<bucket ARN>/*`)."""
LISTING: dict[str, tuple[str, ...]] = {"read": ("s3:ListBucket",)}
"""On the bucket itself: a reader may list it (a missing key is then 404, not 403)."""
KEY: dict[str, dict[str, tuple[str, ...]]] = {
    "key-value": {"read": ("kms:Decrypt",), "write": ("kms:Decrypt", "kms:GenerateDataKey")},
    "queue": {"produce": ("kms:Decrypt", "kms:GenerateDataKey"), "consume": ("kms:Decrypt",)},
    "object": {"read": ("kms:Decrypt",), "write": ("kms:Decrypt", "kms:GenerateDataKey")},
}
"""What the store's service asks KMS for on the caller's behalf, per access."""
VIA: dict[str, str] = {"key-value": "dynamodb", "queue": "sqs", "object": "s3", "secret": "secretsmanager"}
"""The service whose requests alone may use the key (`kms:ViaService`)."""
CONTEXT: dict[str, str] = {
    "key-value": "kms:EncryptionContext:aws:dynamodb:tableName",
    "queue": "kms:EncryptionContext:aws:sqs:arn",
    "object": "kms:EncryptionContext:aws:s3:arn",
    "secret": "kms:EncryptionContext:SecretARN",
}
"""The encryption-context key that names the edge's resource in the service's KMS requests."""
DB_CONNECT = "rds-db:connect"
"""IAM database authentication: connect as one database user of one instance or cluster."""


def modes(access: str) -> tuple[str, ...]:
    """`read-write` -> (read, write); `produce-consume` -> (produce, consume); else the one mode."""
    return tuple(access.split("-")) if access in ("read-write", "produce-consume") else (access,)


def actions(table: dict[str, tuple[str, ...]], access: str) -> list[str]:
    """The actions of every mode of `access` in `table`, once each, in the table's order."""
    out: list[str] = []
    for mode in modes(access):
        out += [a for a in table.get(mode, ()) if a not in out]
    return out


def allow(actions_: list[str], resources: list[pulumi.Input[str]]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions_, "Resource": resources}


def key_use(
    kind: str, access: str, region: str, key_arn: pulumi.Input[str], context: pulumi.Input[str] | list[Any]
) -> dict[str, Any]:
    """The region's key for one edge: only in requests `kind`'s service makes in `region`, for the
    resource the encryption context names."""
    return {
        "Effect": "Allow",
        "Action": actions(KEY[kind], access) if kind in KEY else ["kms:Decrypt"],
        "Resource": [key_arn],
        "Condition": {
            "StringEquals": {"kms:ViaService": f"{VIA[kind]}.{region}.amazonaws.com", CONTEXT[kind]: context}
        },
    }


def db_user_arn(instance_arn: str, resource_id: str, user: str) -> str:
    """`arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/<user>` of the instance or cluster whose
    ARN is `instance_arn` (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html)."""
    _, partition, _, region, account, *_ = instance_arn.split(":")
    return f"arn:{partition}:rds-db:{region}:{account}:dbuser:{resource_id}/{user}"


SOURCE_ARNS: dict[str, str] = {
    "ecs-tasks.amazonaws.com": "arn:aws:ecs:{region}:{account}:*",
    "vpc-flow-logs.amazonaws.com": "arn:aws:ec2:{region}:{account}:vpc-flow-log/*",
}
"""The service principals that document source conditions on the roles they assume, with the
`aws:SourceArn` they send: ECS for task and task execution roles
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html), VPC Flow Logs
(https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html)."""
NO_SOURCE_CONDITION: dict[str, str] = {
    "backup.amazonaws.com": "AWS Backup documents source conditions for resource policies (vault notifications, "
    "keys), not for the service role it assumes "
    "(https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-service-confused-deputy-prevention.html); "
    "a condition on a key the service does not send would refuse every backup",
    "s3.amazonaws.com": "S3 replication's role trust policy is documented without source conditions "
    "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html); a "
    "condition on a key S3 does not send would stop replication",
}
"""Service principals whose roles carry no source condition, each with the reason."""


def trust(principal: str, region: str, account: pulumi.Input[str]) -> pulumi.Output[str]:
    """A trust policy admitting `principal`, with its documented source conditions (SOURCE_ARNS)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    if principal in SOURCE_ARNS:
        source = pulumi.Output.from_input(account).apply(
            lambda a: SOURCE_ARNS[principal].format(region=region, account=a)
        )
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account}, "ArnLike": {"aws:SourceArn": source}}
    elif principal not in NO_SOURCE_CONDITION:
        raise ValueError(f"{principal}: state its source conditions in SOURCE_ARNS, or why it has none")
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [statement]})

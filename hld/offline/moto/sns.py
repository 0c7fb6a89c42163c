"""SNS: alert topics, their policies and email subscriptions: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none


@handles("aws:sns/topic:Topic")
def _topic(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    topic = i.get("name") or m.physical(name)
    attributes = drop_none({"KmsMasterKeyId": i.get("kmsMasterKeyId"), "Policy": i.get("policy")})
    arn = m.client("sns", r).create_topic(
        Name=topic,
        Attributes=attributes,
        Tags=[{"Key": k, "Value": v} for k, v in sorted((i.get("tags") or {}).items())],
    )["TopicArn"]
    return arn, {"arn": arn, "name": topic}


@handles("aws:sns/topicPolicy:TopicPolicy")
def _topic_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("sns", r).set_topic_attributes(TopicArn=i["arn"], AttributeName="Policy", AttributeValue=i["policy"])
    return i["arn"], {}


@handles("aws:sns/topicSubscription:TopicSubscription")
def _subscription(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    arn = m.client("sns", r).subscribe(TopicArn=i["topic"], Protocol=i["protocol"], Endpoint=i["endpoint"])[
        "SubscriptionArn"
    ]
    return arn, {"arn": arn}

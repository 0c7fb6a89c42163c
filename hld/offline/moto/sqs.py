"""SQS: queues and redrive-allow policies: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles


@handles("aws:sqs/queue:Queue")
def _queue(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    sqs = m.client("sqs", r)
    fifo = bool(i.get("fifoQueue"))
    queue_name = i["name"] if i["name"].endswith(".fifo") or not fifo else f"{i['name']}.fifo"
    keys = {
        "delaySeconds": "DelaySeconds",
        "messageRetentionSeconds": "MessageRetentionPeriod",
        "visibilityTimeoutSeconds": "VisibilityTimeout",
        "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
        "maxMessageSize": "MaximumMessageSize",
        "kmsMasterKeyId": "KmsMasterKeyId",
        "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
        "redrivePolicy": "RedrivePolicy",
        "fifoQueue": "FifoQueue",
        "contentBasedDeduplication": "ContentBasedDeduplication",
    }
    attributes = {
        api: (str(v).lower() if isinstance(v, bool) else str(int(v)) if isinstance(v, float) else str(v))
        for k, api in keys.items()
        if (v := i.get(k)) not in (None, "")
    }
    url = sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
    read = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return url, {
        "arn": read["QueueArn"],
        "url": url,
        "name": queue_name,
        "kmsMasterKeyId": read.get("KmsMasterKeyId"),
        "redrivePolicy": read.get("RedrivePolicy"),
    }


@handles("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
def _redrive_allow(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("sqs", r).set_queue_attributes(
        QueueUrl=i["queueUrl"], Attributes={"RedriveAllowPolicy": i["redriveAllowPolicy"]}
    )
    return i["queueUrl"], {}

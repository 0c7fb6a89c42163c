"""hld:aws:Queue: an SQS queue with KMS encryption and a dead-letter queue, in one region."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from blueprints.plan_model import Plan, QueuePlan, ServicePlan
from generators.aws import grants
from generators.aws.common import Access, env_key, name, stateful
from generators.aws.network import Network

QUEUE = "aws:sqs/queue:Queue"
DLQ_RETENTION = 14 * 86400
"""Dead letters are kept for the maximum SQS allows, 14 days."""


class Queue(pulumi.ComponentResource):
    def __init__(self, plan: Plan, store: QueuePlan, network: Network, parent: pulumi.Resource):
        region = network.region
        r = region.name
        super().__init__("hld:aws:Queue", name(plan, store.name, r), None, pulumi.ResourceOptions(parent=parent))
        fifo = bool(store.fifo)
        encrypted = plan.control("encryption-at-rest").enabled
        common = dict(
            fifo_queue=fifo or None,
            kms_master_key_id=network.key.arn if encrypted else None,
            kms_data_key_reuse_period_seconds=300 if encrypted else None,
            sqs_managed_sse_enabled=None if encrypted else True,
        )
        suffix = ".fifo" if fifo else ""
        dlq_name = name(plan, store.name, "dlq", r, kind=QUEUE)
        queue_name = name(plan, store.name, r, kind=QUEUE)
        self.dlq = aws.sqs.Queue(
            dlq_name,
            name=f"{dlq_name}{suffix}" if fifo else None,
            message_retention_seconds=DLQ_RETENTION,
            **common,
            opts=stateful(plan, region.opts(self)),
        )
        self.queue = aws.sqs.Queue(
            queue_name,
            name=f"{queue_name}{suffix}" if fifo else None,
            visibility_timeout_seconds=store.visibility_timeout_seconds,
            message_retention_seconds=store.retention_seconds,
            receive_wait_time_seconds=20,
            content_based_deduplication=True if fifo else None,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": self.dlq.arn, "maxReceiveCount": store.max_receives}
            ),
            **common,
            opts=stateful(plan, region.opts(self)),
        )
        aws.sqs.RedriveAllowPolicy(
            name(plan, store.name, "dlq-allow", r),
            queue_url=self.dlq.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [self.queue.arn]}
            ),
            opts=region.opts(self),
        )
        self.store, self.region = store, region
        self.encrypted, self.key_arn = encrypted, network.key.arn
        self.register_outputs({"url": self.queue.url, "dlq_url": self.dlq.url})

    def access(self, region: str, svc: ServicePlan) -> Access:
        """This region's queue for `svc`: a producer sends, a consumer receives, deletes and extends;
        the region's key only through SQS, for this queue. Never its dead-letter queue."""
        mode = svc.access_to(self.store.name)
        statements = [grants.allow(grants.actions(grants.QUEUE, mode), [self.queue.arn])]
        if self.encrypted:
            statements.append(grants.key_use("queue", mode, self.region.name, self.key_arn, self.queue.arn))
        return Access(env={f"{env_key(self.store.name)}_QUEUE_URL": self.queue.url}, statements=statements)

"""Queues: SQS, one per region, with a dead-letter queue."""

from __future__ import annotations

from typing import Any

from blueprints.intent import Intent
from blueprints.model import Blueprint, Queue
from blueprints.plan_model import Decided, QueuePlan
from blueprints.planner.settings import StackSettings

PORT = 443


def plan(bp: Blueprint, store: Queue, intent: Intent, stack: StackSettings, common: dict[str, Any]) -> QueuePlan:
    return QueuePlan(
        **common,
        engine=Decided(
            value="sqs", reason="queue -> SQS (managed, multi-AZ within a region)", derived=store.engine is None
        ),
        replication=Decided(
            value="one queue per region, stored across zones by SQS",
            reason="producers and consumers stay in their region; messages in a lost region wait for it",
        ),
        port=PORT,
        record=False,
        in_vpc=False,
        messaging=True,
        single_writer=False,
        sla="sqs",
        scope="regional",
        chain_label=store.name,
        technology="Amazon SQS",
        zone_loss_rto_seconds=0,
        region_loss_rpo_seconds=None,
        fifo=store.fifo,
        visibility_timeout_seconds=store.visibility_timeout,
        max_receives=store.max_receives,
        retention_seconds=store.retention,
    )

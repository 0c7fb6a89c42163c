"""Object stores: S3 Standard, a bucket per region, replicated from every region that is written:
all of them under active-active, the primary otherwise."""

from __future__ import annotations

from typing import Any

from blueprints.figures import TIMINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint, ObjectStore
from blueprints.plan_model import Decided, ObjectPlan
from blueprints.planner.settings import StackSettings

PORT = 443


def plan(bp: Blueprint, store: ObjectStore, intent: Intent, stack: StackSettings, common: dict[str, Any]) -> ObjectPlan:
    multi = len(intent.regions.value) > 1
    return ObjectPlan(
        **common,
        engine=Decided(
            value="s3", reason="object -> S3 Standard (stored across >= 3 zones)", derived=store.engine is None
        ),
        replication=Decided(
            value=(
                "two-way cross-region replication with Replication Time Control"
                if intent.active
                else "cross-region replication with Replication Time Control"
            )
            if multi
            else "in-region (S3 Standard)",
            reason=(
                "active-active: every region writes its own bucket, which replicates to every other (replica "
                "modifications synced both ways)"
                if intent.active
                else "writes go to the primary's bucket, which replicates to the standby regions"
            )
            if multi
            else "one region",
        ),
        port=PORT,
        record=True,
        in_vpc=False,
        messaging=False,
        single_writer=False,
        sla="s3",
        scope="regional",
        chain_label=store.name,
        technology="Amazon S3",
        zone_loss_rto_seconds=0,
        region_loss_rpo_seconds=TIMINGS["s3-replication"].seconds if multi else None,
        versioning=store.versioning,
        public=store.public,
    )

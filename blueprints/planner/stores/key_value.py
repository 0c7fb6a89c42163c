"""Key-value stores: DynamoDB, a global table across regions (eventual mode, or strong mode where
the plan is strong and active-active)."""

from __future__ import annotations

from typing import Any, Literal

from blueprints.figures import TIMINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint, KeyValue
from blueprints.plan_model import Decided, KeyValuePlan
from blueprints.planner.settings import StackSettings
from blueprints.rules import effective_consistency

PORT = 443


def plan(bp: Blueprint, store: KeyValue, intent: Intent, stack: StackSettings, common: dict[str, Any]) -> KeyValuePlan:
    regions = list(intent.regions.value)
    consistency = effective_consistency(store, intent)
    mode: Literal["MREC", "MRSC"] | None = None
    replication: Decided[str]
    if not intent.multi_region:
        replication = Decided(
            value="single-region table (stored across zones by DynamoDB)",
            reason=f"{consistency}: "
            + ("strongly consistent reads" if consistency == "strong" else "eventually consistent reads"),
        )
        rpo: float | None = None
    elif intent.active and consistency == "strong":
        mode = "MRSC"
        replication = Decided(
            value=f"global table, multi-region strong consistency in {', '.join(regions)}",
            reason="strong + active-active: only DynamoDB MRSC keeps every region's reads strong (RPO 0); "
            "MRSC tables have no transactions (TransactWriteItems), no TTL and no local secondary indexes, "
            "and are created empty: writes that must change several items at once need another design",
        )
        rpo = 0
    else:
        mode = "MREC"
        how = {
            "strong": "reads of the truth go to the primary region's replica",
            "read-your-writes": "requests are pinned to the writer's home region",
            "eventual": "every region reads and writes locally, last writer wins",
        }[consistency]
        replication = Decided(
            value=f"global table, eventual mode, replicas in {', '.join(regions)}",
            reason=f"{consistency} across regions: {how}; replication usually < 1 s",
        )
        rpo = TIMINGS["dynamodb-global-lag"].seconds
    return KeyValuePlan(
        **common,
        engine=Decided(
            value="dynamodb", reason="key-value -> DynamoDB (on-demand capacity)", derived=store.engine is None
        ),
        consistency=Decided(
            value=consistency,
            reason="set on the store" if store.consistency else f"system default ({intent.consistency.value})",
            derived=store.consistency is None,
        ),
        replication=replication,
        port=PORT,
        record=True,
        in_vpc=False,
        messaging=False,
        single_writer=False,
        sla="dynamodb-global" if intent.multi_region else "dynamodb",
        scope="global" if intent.multi_region else "regional",
        chain_label=store.name,
        technology="Amazon DynamoDB",
        zone_loss_rto_seconds=0,
        region_loss_rpo_seconds=rpo,
        global_mode=mode,
        partition_key=store.partition_key,
        ttl_attribute=store.ttl_attribute,
    )

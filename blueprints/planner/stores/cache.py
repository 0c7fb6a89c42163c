"""Caches: ElastiCache (Valkey or Redis OSS), one per region, a replica per zone with automatic
failover above single-zone."""

from __future__ import annotations

from typing import Any

from blueprints.figures import SLAS, TIMINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint, Cache
from blueprints.plan_model import CachePlan, Decided
from blueprints.planner.settings import StackSettings
from blueprints.sizes import cache as cache_size

PORT = 6379


def plan(bp: Blueprint, store: Cache, intent: Intent, stack: StackSettings, common: dict[str, Any]) -> CachePlan:
    single_zone = intent.level.value == "single-zone"
    environment = "development" if stack.environment == "development" else "production"
    return CachePlan(
        **common,
        engine=Decided(
            value=store.engine or "valkey",
            reason="pinned in the blueprint"
            if store.engine
            else "cache -> ElastiCache Valkey (Redis-compatible, open source)",
            derived=store.engine is None,
        ),
        replication=Decided(
            value="single node"
            if single_zone
            else "primary + replica per zone, automatic failover"
            + ("; reads spread over the replicas" if intent.multi_region or intent.serving_replicas else ""),
            reason="one cache per region, close to its readers; a cache is not a system of record"
            + (
                "; replication: passive: the replicas only take over"
                if intent.level.value == "multi-zone" and not intent.serving_replicas
                else "; replication: active in one region: reads spread over the replicas in every zone"
                if intent.serving_replicas
                else ""
            )
            + ("" if single_zone else f" (ElastiCache Multi-AZ: {SLAS['elasticache-multi-az'].percent}%)"),
        ),
        read_replicas=0 if single_zone else intent.zones.value - 1,
        replicas_serve_reads=not single_zone and (intent.multi_region or intent.serving_replicas),
        instance_class=Decided(value=(sized := cache_size(store.memory, environment))[0], reason=sized[1]),
        port=PORT,
        record=False,
        in_vpc=True,
        messaging=False,
        single_writer=False,
        sla="elasticache-single-az" if single_zone else "elasticache-multi-az",
        scope="regional",
        chain_label=store.name,
        technology="Amazon ElastiCache",
        zone_loss_rto_seconds=0 if single_zone else TIMINGS["elasticache-failover"].seconds,
        region_loss_rpo_seconds=None,
        cache_ttl_seconds=store.ttl,
    )

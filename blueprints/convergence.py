"""Convergence across regions, as data: for each store of a multi-region plan, the replication
path that carries a write to the other regions and the bound within which they see it, or the
plain statement that nothing carries it (a region's cache fills only from its own region's reads
and writes, so another region's write reaches it when the entry expires; a queue's messages stay
in the region they were sent in).

A claim such as "converges within a second" is only made where a path carries the state; `hld
verify` finds each path in the deployed graph (hld.checks.properties.convergence).
"""

from __future__ import annotations

from blueprints.figures import TIMINGS
from blueprints.names import env_var
from blueprints.plan_model import AnyStorePlan, CachePlan, Convergence, KeyValuePlan, ObjectPlan, QueuePlan

_CACHE_SOURCE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Strategies.html"
_SQS_SOURCE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/welcome.html"


def convergence(store: AnyStorePlan, regions: list[str]) -> Convergence | None:
    """How `store`'s writes reach its other regions (None: one region, nothing to converge)."""
    if len(regions) < 2:
        return None
    others = ", ".join(regions[1:])
    if isinstance(store, KeyValuePlan):
        if store.global_mode == "MRSC":
            return Convergence(
                path="DynamoDB global table, multi-region strong consistency (synchronous)",
                resource="aws:dynamodb/table:Table",
                seconds=0,
                reason="a write is acknowledged once it is durable in the region set: every region reads it",
                source=TIMINGS["dynamodb-global-lag"].source,
            )
        lag = TIMINGS["dynamodb-global-lag"]
        return Convergence(
            path="DynamoDB global table replication (eventual mode)",
            resource="aws:dynamodb/table:Table",
            seconds=lag.seconds,
            reason=f"{lag.what}: a bound AWS does not publish; the table's ReplicationLatency metric measures it",
            source=lag.source,
        )
    if isinstance(store, ObjectPlan):
        rtc = TIMINGS["s3-replication"]
        return Convergence(
            path="S3 cross-region replication with Replication Time Control",
            resource="aws:s3/bucketReplicationConfig:BucketReplicationConfig",
            seconds=rtc.seconds,
            reason=rtc.what,
            source=rtc.source,
        )
    if isinstance(store, CachePlan):
        ttl = store.cache_ttl_seconds
        return Convergence(
            path=None,
            resource=None,
            seconds=float(ttl) if ttl else None,
            reason="one cache per region, and nothing carries an entry between them: a region's cache holds "
            "what its own services read or wrote, so a write made in another region reaches it when the entry "
            + (
                f"expires (the {ttl} s TTL the services get as {env_var(store.name, 'TTL_SECONDS')})"
                if ttl
                else "is evicted: never"
            )
            + "; work fanned out in one region fills that region's cache only",
            source=_CACHE_SOURCE,
        )
    if isinstance(store, QueuePlan):
        return Convergence(
            path=None,
            resource=None,
            seconds=None,
            reason=f"one queue per region: a message is consumed in the region it was sent in and never reaches "
            f"{others} (to carry work to every region, send it to every region's queue)",
            source=_SQS_SOURCE,
        )
    if store.single_writer and len(store.regions) > 1:
        aurora = store.engine.value == "aurora-postgresql"
        lag = TIMINGS["aurora-global-lag" if aurora else "rds-replica-lag"]
        return Convergence(
            path="Aurora Global Database storage replication" if aurora else "RDS cross-region read replica",
            resource="aws:rds/globalCluster:GlobalCluster" if aurora else "aws:rds/instance:Instance",
            seconds=lag.seconds,
            reason=f"one writer in {store.writer_region}; the other regions read copies: {lag.what}",
            source=lag.source,
        )
    return None

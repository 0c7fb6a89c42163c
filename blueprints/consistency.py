"""What a journey's read path delivers: the consistency its reads really have, which is the
weakest of what each part it reads through gives, not the consistency the stores were asked for.
A cache in front of a strong store serves values up to its TTL old; a CDN-cached route serves
its cached response; DynamoDB gives strong reads only to reads made with ConsistentRead, and a
global table in eventual mode only within the region that wrote; a relational store's replicas
lag its writer."""

from __future__ import annotations

from blueprints.names import env_var
from blueprints.plan_model import AnyStorePlan, CachePlan, Decided, KeyValuePlan, RelationalPlan

ORDER = ("eventual", "read-your-writes", "strong")


def consistent_reads_variable(store: str) -> str:
    """The app contract's variable that tells a service to read `store` with ConsistentRead."""
    return env_var(store, "CONSISTENT_READS")


def consistent_reads(store: KeyValuePlan) -> str:
    """What the services are told: read this table with ConsistentRead (strong or read-your-writes)."""
    return "false" if store.consistency.value == "eventual" else "true"


def _store_reads(store: AnyStorePlan, multi_region: bool) -> tuple[str, str] | None:
    if isinstance(store, KeyValuePlan):
        asked = store.consistency.value
        if asked == "eventual":
            return "eventual", f"{store.name}: eventually consistent reads"
        if store.global_mode == "MRSC":
            return asked, f"{store.name}: strongly consistent reads in every region (MRSC)"
        flag = consistent_reads_variable(store.name)
        if multi_region:
            return (
                "read-your-writes",
                f"{store.name}: reads with ConsistentRead ({flag}=true) see every write made in their own "
                "region; a global table in eventual mode shows other regions' writes about 1 s later, so a user "
                "whose requests stay in one region reads their writes (latency routing keeps them there until a "
                "failover), and others' writes may lag",
            )
        return asked, f"{store.name}: reads with ConsistentRead (the services get {flag}=true)"
    if isinstance(store, RelationalPlan):
        asked = store.consistency.value
        if asked != "eventual":
            return asked, f"{store.name}: reads go to the writer"
        return "eventual", f"{store.name}: reads may go to replicas, which lag the writer"
    return None


def journey_reads(
    stores: list[AnyStorePlan], multi_region: bool, cdn_cached: bool, cdn_ttl: int | None
) -> Decided[str]:
    """The consistency a journey's reads have, and why (the weakest part of its read path)."""
    parts = [r for s in stores if (r := _store_reads(s, multi_region)) is not None]
    caches = [s for s in stores if isinstance(s, CachePlan)]
    if not parts and not caches:
        return Decided(value="n/a", reason="the journey reads no store")
    weakest = min((level for level, _ in parts), key=ORDER.index, default="eventual")
    reasons = [why for _, why in parts]
    if caches:
        ttl = ", ".join(f"{c.name} (TTL {c.cache_ttl_seconds} s)" for c in caches)
        if weakest != "eventual":
            reasons.append(
                f"but its reads go through {ttl} first: a read may return a value up to the TTL old, whatever "
                f"the store behind it gives ({weakest}); to keep {weakest} on this route, read the store directly "
                "(a route's own `uses`) or invalidate the entry on every write"
            )
        weakest = "eventual"
    if cdn_cached:
        reasons.append(f"the CDN serves this route's cached response (up to {cdn_ttl} s old)")
        weakest = "eventual"
    return Decided(value=weakest, reason="; ".join(reasons))

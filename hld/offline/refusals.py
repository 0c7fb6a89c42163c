"""What AWS refuses at creation beyond names, applied by both offline clouds before a resource is
created: engine versions it no longer creates (generators.aws.versions), what a read replica
cannot have, a zone asked of a Multi-AZ instance, and subnets covering fewer zones than AWS
requires (blueprints.zone_minimums). Each refusal is worded as AWS words it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENGINE_TYPES = {
    "aws:rds/instance:Instance": "postgres",
    "aws:rds/cluster:Cluster": "aurora-postgresql",
    "aws:rds/clusterInstance:ClusterInstance": "aurora-postgresql",
    "aws:rds/globalCluster:GlobalCluster": "aurora-postgresql",
    "aws:elasticache/replicationGroup:ReplicationGroup": "redis",
}
"""Types that take an engine version, and the engine AWS assumes when none is named."""


def refusal(typ: str, inputs: dict[str, Any]) -> str | None:
    """Why AWS (or the provider) would refuse to create this resource, or None."""
    from generators.aws.versions import VERSIONS

    replica = typ == "aws:rds/instance:Instance" and bool(inputs.get("replicateSourceDb"))
    if typ in ENGINE_TYPES and not replica:
        engine = str(inputs.get("engine") or ENGINE_TYPES[typ])
        wanted = inputs.get("engineVersion")
        row = VERSIONS.get(engine)
        if wanted and row is not None and str(wanted) not in row.creatable:
            return (
                f"InvalidParameterCombination: Cannot find version {wanted} for {engine} (creatable as of "
                f"{row.checked}: {', '.join(row.creatable)})"
            )
    if typ == "aws:rds/instance:Instance" and inputs.get("multiAz") and inputs.get("availabilityZone"):
        return (
            "InvalidParameterCombination: Requesting a specific availability zone is not valid for Multi-AZ instances."
        )
    if replica:
        if inputs.get("finalSnapshotIdentifier") or inputs.get("skipFinalSnapshot") is False:
            return "InvalidParameterCombination: a read replica takes no final snapshot (skip_final_snapshot)"
        if str(inputs.get("replicateSourceDb", "")).startswith("arn:") and inputs.get("backupRetentionPeriod"):
            return "InvalidParameterCombination: a cross-region read replica is created without backups"
    return None


def zone_refusal(typ: str, inputs: dict[str, Any], zone_of: Callable[[str], str | None]) -> str | None:
    """Why AWS would refuse this resource for the zones its subnets cover (its row of
    blueprints.zone_minimums), or None; `zone_of` answers a subnet id's zone as the cloud placed it
    (None: a subnet the cloud does not know, which the cloud itself refuses)."""
    from blueprints.zone_minimums import subnet_ids, zone_minimum

    row = zone_minimum(typ, inputs)
    if row is None:
        return None
    ids = subnet_ids(row, inputs)
    placed = [z for z in (zone_of(s) for s in ids) if z]
    zones = sorted(set(placed))
    if len(placed) < len(ids):
        return None
    if row.one_per_zone and len(placed) > len(zones):
        return row.crowded
    if len(zones) < row.zones:
        return row.refusal.format(zones=", ".join(zones) or "none", count=len(ids))
    return None

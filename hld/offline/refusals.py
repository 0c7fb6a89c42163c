"""What AWS refuses at creation beyond names, applied by both offline clouds before a resource is
created: engine versions it no longer creates (generators.aws.versions), and what a read
replica cannot have. Each refusal is worded as AWS words it."""

from __future__ import annotations

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
    if replica:
        if inputs.get("finalSnapshotIdentifier") or inputs.get("skipFinalSnapshot") is False:
            return "InvalidParameterCombination: a read replica takes no final snapshot (skip_final_snapshot)"
        if str(inputs.get("replicateSourceDb", "")).startswith("arn:") and inputs.get("backupRetentionPeriod"):
            return "InvalidParameterCombination: a cross-region read replica is created without backups"
    return None

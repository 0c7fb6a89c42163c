"""Engine versions: the one dated, sourced table of what hld asks AWS to create.

AWS stops creating minor versions on a schedule (RDS for PostgreSQL 16.1-16.5 and 16.7 could not
be created by late 2025), so a pinned minor breaks `pulumi up` some months later. Where the
provider accepts a prefix (RDS instances with auto minor upgrade), hld pins the major only: AWS
creates the newest minor it offers, and the provider keeps "16" against the actual 16.x (its
`engine_version_actual`), so no diff appears after AWS upgrades the minor. Aurora global
clusters need a full version (the provider overwrites a partial one with the actual version and
then tries to upgrade to it), so Aurora pins a version its global databases support, and its
clusters, instances and global cluster ignore engine-version changes: after AWS upgrades the
minor (automatic minor upgrades are on), `pulumi up` does not try to set the pinned one again, a
downgrade AWS refuses. ElastiCache takes major.minor (7.1, 8.0) and its minor-upgrade campaigns
move it: its groups ignore engine-version changes too. The `engine-versions` check
(hld.checks.deployable) fails any resource that pins otherwise.

The offline cloud refuses any other version (hld.offline.refusals), the way AWS answers a version
it does not create.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineVersion:
    engine: str
    """The engine as AWS names it."""
    version: str
    """What hld sets as engine_version."""
    family: str
    """The parameter group family of that version."""
    creatable: tuple[str, ...]
    """Versions AWS creates as of `checked` (what the offline cloud accepts)."""
    checked: str
    source: str


RDS_DEPRECATIONS = "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html"

VERSIONS: dict[str, EngineVersion] = {
    v.engine: v
    for v in (
        EngineVersion(
            "postgres",
            "16",
            "postgres16",
            creatable=("16", "17", "16.6", "16.8", "16.9", "16.10", "16.11"),
            checked="2025-11",
            source=RDS_DEPRECATIONS + " (16.1-16.5 and 16.7: no new instances; engine_version accepts a "
            "major prefix with auto_minor_version_upgrade: pulumi-aws rds.Instance)",
        ),
        EngineVersion(
            "aurora-postgresql",
            "16.6",
            "aurora-postgresql16",
            creatable=("16.6", "16.8", "16.9"),
            checked="2025-11",
            source="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/"
            "aurorapostgresql-release-calendar.html (16.6+ named for global database resiliency: "
            "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-secondary-availability.html)",
        ),
        EngineVersion(
            "valkey",
            "8.0",
            "valkey8",
            creatable=("7.2", "8.0", "8.1"),
            checked="2025-11",
            source="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
        ),
        EngineVersion(
            "redis",
            "7.1",
            "redis7",
            creatable=("6.2", "7.0", "7.1"),
            checked="2025-11",
            source="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html",
        ),
    )
}

PLANNED_ENGINE = {"rds-postgresql": "postgres", "aurora-postgresql": "aurora-postgresql", "valkey": "valkey"}
"""The plan's engine -> the AWS engine name (redis is the same in both)."""


def version(planned: str) -> EngineVersion:
    """The version row for an engine the plan chose (rds-postgresql, aurora-postgresql, valkey, redis)."""
    return VERSIONS[PLANNED_ENGINE.get(planned, planned)]

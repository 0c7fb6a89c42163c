"""Relational stores: RDS PostgreSQL Multi-AZ or Aurora PostgreSQL, one writer in the primary
region, read replicas, and a cross-region replica or an Aurora Global Database secondary."""

from __future__ import annotations

from typing import Any

from blueprints.access import bootstrap_sql, infer
from blueprints.figures import SLAS, TIMINGS
from blueprints.intent import Intent
from blueprints.model import Blueprint, Relational
from blueprints.names import DATABASE_ADMIN, database_name, database_user
from blueprints.plan_model import DatabaseUser, Decided, RelationalPlan
from blueprints.planner.settings import StackSettings
from blueprints.rules import effective_consistency
from blueprints.sizes import relational as relational_size

PORT = 5432


def plan(
    bp: Blueprint, store: Relational, intent: Intent, stack: StackSettings, common: dict[str, Any]
) -> RelationalPlan:
    regions = list(intent.regions.value)
    on_journeys = bool(common["on_journeys"])
    consistency = effective_consistency(store, intent)
    engine = choose_engine(bp, store, intent, on_journeys)
    aurora = engine.value == "aurora-postgresql"
    single_zone = intent.level.value == "single-zone"
    zones = intent.zones.value
    if store.read_replicas is not None:
        replicas = store.read_replicas
    elif intent.serving_replicas:
        replicas = zones - 1
    else:
        replicas = 0 if single_zone or consistency != "eventual" else zones - 1
    if intent.multi_region:
        if aurora:
            mode = "Aurora Global Database: writer in the primary, secondary clusters elsewhere (storage replication < 1 s)"
            lag = TIMINGS["aurora-global-lag"]
        else:
            mode = "Multi-AZ writer in the primary, asynchronous cross-region read replica in each other region"
            lag = TIMINGS["rds-replica-lag"]
        why = (
            f"{consistency} relational store in a multi-region system: one writer in {regions[0]} "
            f"(relational stores have a single writer; "
            + (
                "services in other regions send reads and writes to it, so reads stay strong"
                if consistency == "strong"
                else "other regions read their local replica"
            )
            + f"); on region loss the replica is promoted and writes not yet replicated are lost: "
            f"RPO = replication lag ({lag.what}), not 0"
        )
        rpo: float | None = lag.seconds
    elif single_zone:
        mode, why, rpo = "single instance", "single-zone level: no standby (a zone loss is restored from backups)", None
    elif intent.serving_replicas:
        mode = (
            "Aurora readers in every other zone serve reads; one takes over on a zone loss"
            if aurora
            else "RDS Multi-AZ with read replicas in the other zones serving reads"
        )
        why, rpo = (
            "replication: active in one region: replicas serve; a zone loss fails over with no committed "
            "write lost (RPO 0)",
            None,
        )
    else:
        mode = (
            (
                "Aurora: shared storage across 3 zones, "
                + (f"{replicas} replicas in the other zones" if replicas > 1 else "a replica in another zone")
            )
            if aurora
            else "Multi-AZ: synchronous standby in another zone"
        )
        why = "zone loss fails over with no committed write lost (RPO 0)"
        if intent.level.value == "multi-zone" and replicas and consistency == "eventual":
            why = (
                f"replication: passive, yet this store's reads are eventual, so {replicas} read replicas in the "
                "other zones serve them; " + why
            )
        elif intent.level.value == "multi-zone":
            why = "replication: passive: the standby takes over on a zone loss and does not serve; " + why
        rpo = None
    if aurora and not single_zone:
        replicas = max(replicas, 1)
    rto = 0.0 if single_zone else TIMINGS["aurora-failover" if aurora else "rds-multi-az-failover"].seconds
    environment = "development" if stack.environment == "development" else "production"
    return RelationalPlan(
        **common,
        engine=engine,
        consistency=Decided(
            value=consistency,
            reason="set on the store" if store.consistency else f"system default ({intent.consistency.value})",
            derived=store.consistency is None,
        ),
        replication=Decided(value=mode, reason=why),
        read_replicas=replicas,
        replicas_serve_reads=replicas > 0 and (intent.serving_replicas or consistency == "eventual"),
        instance_class=Decided(
            value=(sized := relational_size(engine.value, store.instance_class, environment))[0],
            reason=sized[1],
            derived=store.instance_class is None,
        ),
        writer_name=_writer_name(bp, store.name, aurora) if intent.multi_region else None,
        port=PORT,
        record=True,
        in_vpc=True,
        messaging=False,
        single_writer=intent.multi_region,
        sla=("aurora" if aurora else "rds") + ("-single-az" if single_zone else "-multi-az"),
        scope="global" if intent.multi_region else "regional",
        technology="Amazon Aurora PostgreSQL" if aurora else "Amazon RDS for PostgreSQL",
        chain_label=f"{store.name} ({'Aurora' if aurora else 'RDS'}, writer in {regions[0]})"
        if intent.multi_region
        else store.name,
        zone_loss_rto_seconds=rto,
        region_loss_rpo_seconds=rpo,
        storage_gb=store.storage_gb,
        **_users(bp, store),
    )


def _users(bp: Blueprint, store: Relational) -> dict[str, Any]:
    """One database user per service that uses the store, with its edge's access, and the SQL that
    makes them on AWS: hld cannot run SQL at deploy time, so an operator runs it once, as the master
    user, after the first `pulumi up` (and after a new service starts using the store)."""
    users = [
        DatabaseUser(service=svc.name, user=database_user(svc.name), access=infer(bp, svc, edge)[0])
        for svc in bp.services
        for edge in svc.edges()
        if edge.name == store.name
    ]
    if not users:
        return {}
    sql = bootstrap_sql(database_name(store.name), [(u.user, u.access) for u in users], "iam")
    return {
        "users": users,
        "bootstrap": Decided(
            value=sql,
            reason="services connect as their own users with IAM database authentication, never as the master; "
            "hld cannot run SQL while deploying, so once after the first `pulumi up` an operator runs these lines "
            f"with psql on the writer (database {database_name(store.name)}, user {DATABASE_ADMIN}, the master "
            "secret's password, sslmode=require); schema changes stay the master user's",
        ),
    }


def _writer_name(bp: Blueprint, store: str, aurora: bool) -> Decided[str]:
    if aurora:
        return Decided(
            value="the global cluster's writer endpoint",
            reason="Aurora Global Database moves its writer endpoint to the promoted region on a switchover or "
            "failover, so applications keep their address",
        )
    return Decided(
        value=f"writer.{store}.{bp.name}.internal",
        reason="a private DNS name in every region's VPC: a failover pair of records, the writer and the "
        "replica the runbook promotes, the writer's health check following a CloudWatch alarm on its metrics "
        "(missing data breaches), so the name moves on Route 53's data plane when the writer's region is lost, "
        "and applications keep their address (TLS: verify the CA, as the certificate names the instance)",
    )


def choose_engine(bp: Blueprint, store: Relational, intent: Intent, on_journeys: bool) -> Decided[str]:
    """The engine of a relational store: pinned, else Aurora where serving replicas or the target
    need it, else RDS PostgreSQL (the rules check a pinned instance class against it)."""
    rds_sla = SLAS["rds-multi-az"]
    engine: Decided[str]
    if store.engine:
        engine = Decided(value=store.engine, reason="pinned in the blueprint", derived=False)
    elif intent.serving_replicas:
        engine = Decided(
            value="aurora-postgresql",
            reason="replication: active in one region: readers in every other zone serve reads off Aurora's "
            f"shared storage, and one takes over on a zone loss (Aurora across zones: "
            f"{SLAS['aurora-multi-az'].percent}%)",
        )
    elif on_journeys and bp.availability >= rds_sla.percent and intent.level.value != "single-zone":
        engine = Decided(
            value="aurora-postgresql",
            reason=f"on a user journey with target {bp.availability}% >= RDS Multi-AZ's {rds_sla.percent}% SLA, "
            f"which in series would fall below it; Aurora across zones: {SLAS['aurora-multi-az'].percent}%",
        )
    else:
        engine = Decided(
            value="rds-postgresql",
            reason=(
                "RDS PostgreSQL, one instance in the one zone: the simplest engine that meets the targets"
                if intent.level.value == "single-zone"
                else "RDS PostgreSQL Multi-AZ: synchronous standby, the simplest engine that meets the targets"
            )
            + ("" if on_journeys else " (not on a user journey)"),
        )
    return engine

"""Recovery as data: the steps a region loss takes, each with the AWS service that performs it,
the plane (control or data) and the region whose plane it needs, its duration and that figure's
source. The RTO is their sum by stage, never a constant, and a step that needs the lost region's
control plane cannot run: AWS Fault Isolation Boundaries keeps control planes out of the recovery
path, and so does a what-if here (blocked steps make it fail).

The planner (blueprints.planner.recovery) calls this with the plan's mechanisms; the deployed
state's what-if (hld.failures) with the mechanisms it finds in the resource graph: the same
steps, so a deployed mechanism that differs from the planned one shows in the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from blueprints.figures import ROUTE53_CONTROL_REGION, SETTINGS, TIMINGS
from blueprints.plan_model import AnyStorePlan, EdgePlan, RecoveryStep, RelationalPlan

Promotion = Literal["aurora-global", "rds-replica"]
WriterName = Literal["global-endpoint", "failover-record", "record-change"]


@dataclass(frozen=True)
class Entry:
    """How users reach the serving regions, and how fast that entry stops sending them to a lost one."""

    through_cdn: bool
    """CloudFront's origin group fails each request over by itself (else Route 53 health-checked records)."""
    detect_seconds: float
    """Route 53 health checks: request interval x failure threshold."""
    ttl_seconds: float
    """How long resolvers keep the lost region's answer."""


@dataclass(frozen=True)
class StoreWay:
    """How one store's writer moves to another region (None: every region writes, or nothing moves)."""

    name: str
    on_journeys: bool
    writer_region: str
    regions: tuple[str, ...]
    promotion: Promotion | None
    writer_name: WriterName | None
    address: str | None = None
    """The name applications reach the writer by (for the step's words)."""


def planned_entry(edge: EdgePlan) -> Entry:
    """How the plan's entry fails a region over: CloudFront's origin group when dynamic traffic goes
    through the CDN, else Route 53 health-checked records (the settings the AWS target sets)."""
    return Entry(
        through_cdn=edge.cdn is not None and edge.cdn.dynamic.value == "through" and edge.cdn.origin_failover,
        detect_seconds=SETTINGS["health-check-interval"].value * SETTINGS["health-check-failures"].value,
        ttl_seconds=TIMINGS["alias-ttl"].seconds,
    )


def store_way(store: AnyStorePlan) -> StoreWay:
    """How the plan moves a store's writer to another region."""
    promotion: Promotion | None = None
    writer: WriterName | None = None
    address = None
    if isinstance(store, RelationalPlan) and store.single_writer and len(store.regions) > 1:
        aurora = store.engine.value == "aurora-postgresql"
        promotion = "aurora-global" if aurora else "rds-replica"
        writer = "global-endpoint" if aurora else "failover-record"
        address = store.writer_name.value if store.writer_name else None
    return StoreWay(
        name=store.name,
        on_journeys=store.on_journeys,
        writer_region=store.writer_region,
        regions=tuple(store.regions),
        promotion=promotion,
        writer_name=writer,
        address=address,
    )


def _step(timing: str, **fields: Any) -> RecoveryStep:
    """A step whose duration is the figure `timing` (blueprints.figures.TIMINGS), with its source."""
    t = TIMINGS[timing]
    return RecoveryStep(seconds=t.seconds, source=t.source, verified=t.verified, **fields)


def region_loss_steps(
    lost: str,
    regions: list[str],
    active: bool,
    strategy: str,
    entry: Entry,
    stores: list[StoreWay],
    services: list[str],
    retention_days: int,
) -> list[RecoveryStep]:
    """Every step of recovering from losing `lost`, in order (empty: nothing to recover, e.g. the
    lost region served no one)."""
    survivors = [r for r in regions if r != lost]
    if not survivors:
        return []
    serving = active or lost == regions[0]
    steps: list[RecoveryStep] = []
    if serving:
        if entry.through_cdn:
            steps.append(
                _step(
                    "cloudfront-origin-failover",
                    stage="detect",
                    action=f"CloudFront's origin group sends each request {lost}'s origin fails to the next region's",
                    service="CloudFront",
                    plane="data",
                    region=None,
                    automated=True,
                )
            )
        else:
            detect = TIMINGS["route53-health-detect"]
            steps += [
                RecoveryStep(
                    stage="detect",
                    action=f"Route 53 health checks find {lost} unhealthy and stop answering with it "
                    f"({entry.detect_seconds:g} s: request interval x failure threshold)",
                    service="Route 53",
                    plane="data",
                    region=None,
                    automated=True,
                    seconds=entry.detect_seconds,
                    source=detect.source,
                ),
                RecoveryStep(
                    stage="recover",
                    action=f"resolvers drop their cached answer for {lost} (TTL {entry.ttl_seconds:g} s)",
                    service="Route 53",
                    plane="data",
                    region=None,
                    automated=True,
                    seconds=entry.ttl_seconds,
                    source=TIMINGS["alias-ttl"].source,
                ),
            ]
    if not active and lost == regions[0]:
        standby = survivors[0]
        listed = ", ".join(services) or "none"
        if strategy == "pilot-light":
            steps.append(
                _step(
                    "ecs-scale-out",
                    stage="recover",
                    action=f"raise the minimum of {standby}'s services ({listed}) from zero to their serving capacity",
                    service="Application Auto Scaling",
                    plane="control",
                    region=standby,
                    automated=False,
                    command=f"aws application-autoscaling register-scalable-target --region {standby} "
                    "--service-namespace ecs --scalable-dimension ecs:service:DesiredCount "
                    "--resource-id service/<cluster>/<service> --min-capacity <serving minimum>  # each service",
                )
            )
        else:
            steps.append(
                _step(
                    "ecs-scale-out",
                    stage="recover",
                    action=f"target tracking scales {standby}'s services ({listed}) out to serve the whole load",
                    service="Application Auto Scaling",
                    plane="control",
                    region=standby,
                    automated=True,
                )
            )
    for store in stores:
        if store.writer_region != lost or store.promotion is None:
            continue
        steps += _promotion(store, lost, retention_days)
    return steps


def _promotion(store: StoreWay, lost: str, retention_days: int) -> list[RecoveryStep]:
    target = next((r for r in store.regions if r != lost), None)
    if target is None:
        return []
    if store.promotion == "aurora-global":
        return [
            _step(
                "aurora-global-failover",
                stage="recover",
                action=f"{store.name}: fail the global database over to {target} (managed failover, served by "
                f"{target}'s RDS control plane); its global writer endpoint follows, so applications keep their address",
                service="RDS",
                plane="control",
                region=target,
                automated=False,
                command=f"aws rds failover-global-cluster --region {target} --global-cluster-identifier "
                f"<{store.name} global cluster> --target-db-cluster-identifier <{store.name} cluster ARN in {target}> "
                "--allow-data-loss",
                store=store.name,
                on_journeys=store.on_journeys,
            )
        ]
    out = [
        _step(
            "rds-replica-promotion",
            stage="recover",
            action=f"{store.name}: promote the read replica in {target} to a standalone writer",
            service="RDS",
            plane="control",
            region=target,
            automated=False,
            command=f"aws rds promote-read-replica --region {target} --db-instance-identifier <{store.name} replica "
            f"in {target}>",
            store=store.name,
            on_journeys=store.on_journeys,
        )
    ]
    address = store.address or "the writer name"
    if store.writer_name == "failover-record":
        out.append(
            _step(
                "writer-record-failover",
                stage="recover",
                action=f"{store.name}: Route 53 answers {address} with the replica in {target} (a failover record "
                "whose health check follows the writer's CloudWatch alarm); writes succeed once it is promoted",
                service="Route 53",
                plane="data",
                region=None,
                automated=True,
                store=store.name,
                on_journeys=store.on_journeys,
            )
        )
    elif store.writer_name == "record-change":
        out.append(
            _step(
                "route53-record-change",
                stage="recover",
                action=f"{store.name}: point {address} at the promoted instance",
                service="Route 53",
                plane="control",
                region=ROUTE53_CONTROL_REGION,
                automated=False,
                command="aws route53 change-resource-record-sets --hosted-zone-id <zone> --change-batch <UPSERT>",
                store=store.name,
                on_journeys=store.on_journeys,
            )
        )
    out.append(
        RecoveryStep(
            stage="after",
            action=f"{store.name}: turn on automated backups of the promoted instance (a replica has none); "
            f"re-create replicas from it once {lost} is back",
            service="RDS",
            plane="control",
            region=target,
            automated=False,
            command=f"aws rds modify-db-instance --region {target} --db-instance-identifier <promoted instance> "
            f"--backup-retention-period {retention_days} --apply-immediately",
            seconds=0,
            source="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html",
            store=store.name,
            on_journeys=store.on_journeys,
        )
    )
    return out


def blocked(steps: list[RecoveryStep], lost: str) -> list[RecoveryStep]:
    """The steps that need the lost region's control plane: they cannot run."""
    return [s for s in steps if s.plane == "control" and s.region == lost]


def rto_of(steps: list[RecoveryStep], lost: str) -> float | None:
    """The journeys' recovery time: the slowest journey step of each stage, stage after stage; None
    when a journey step cannot run (it needs the lost region's control plane)."""
    if any(s.on_journeys for s in blocked(steps, lost)):
        return None
    return sum(
        max((s.seconds for s in steps if s.stage == stage and s.on_journeys), default=0.0)
        for stage in ("detect", "recover")
    )


def runbook(steps: list[RecoveryStep]) -> list[str]:
    """What an operator runs, in order, with the plane and region each step needs."""
    out = []
    for s in steps:
        if s.automated:
            continue
        plane = f"{s.service} {s.plane} plane in {s.region}" if s.region else f"{s.service}'s global {s.plane} plane"
        out.append(f"{s.action} (`{s.command}`; {plane}; " + _about(s) + ")")
    return out


def _about(step: RecoveryStep) -> str:
    if not step.seconds:
        return "after service is restored"
    minutes = step.seconds / 60
    figure = f"about {minutes:g} min" if minutes >= 1 else f"about {step.seconds:g} s"
    return figure + ("" if step.verified else ", an unverified figure")

"""Operations: what watches each promise once deployed, what proves it under failure, and what an
operator does when one is at stake. Decided here from the plan's own figures; the AWS target emits
alarms, topics, the dashboard, FIS templates and Automation documents, the docs target the SLOs
(OpenSLO) and the runbooks.

    SLOs        one per user journey: the blueprint's target over 30 days; multi-window, multi-burn-rate
                alarms (blueprints.monitoring.BURN_RATES), or the fast signal where the budget is too
                small for burn rates to mean anything
    watches     RPO: a lag alarm per replicated system of record at the plan's RPO, on the metric AWS
                publishes for that replication; RTO inputs and static stability: Route 53 health
                checks, running tasks against the static-stability minimum, dead letters, failovers
    runbooks    per loss the design must survive (and a single zone's restore): the recovery steps
"""

from __future__ import annotations

from blueprints import monitoring
from blueprints import steps as recovery_steps
from blueprints.figures import TIMINGS
from blueprints.model import Blueprint
from blueprints.plan_model import (
    AnyStorePlan,
    BurnWindow,
    Decided,
    KeyValuePlan,
    ObjectPlan,
    Operations,
    Plan,
    QueuePlan,
    RecoveryStep,
    RelationalPlan,
    Runbook,
    RunbookStep,
    Slo,
    Watch,
)
from blueprints.planner.experiments import experiments
from blueprints.units import human_duration
from blueprints.whatif import explain, has_zonal_parts, must_survive, zone_detection


def operations(bp: Blueprint, plan: Plan) -> Operations:
    emails = list(bp.operations.alerts.email)
    warnings = []
    if not emails:
        warnings.append(
            "nobody is told when an alarm fires: each region's alert topic has no subscriber; "
            "set operations.alerts.email"
        )
    slos = [slo(plan, j.name, j.service, j.route) for j in plan.availability.journeys]
    if any(s.alerting == "fast-signal" for s in slos):
        warnings.append(slos[0].reason)
    site = plan.edge.cdn.site if plan.edge.cdn else None
    if any(s.service == site for s in slos) and "us-east-1" not in plan.regions.value:
        warnings.append(
            f"the journeys of {site} (served by the CDN) are not alarmed: CloudFront publishes its metrics in "
            "us-east-1 only, a region this design has no alert topic in"
        )
    if health_checks(plan) and monitoring.ROUTE53_METRICS_REGION not in plan.regions.value:
        warnings.append(
            "the regions' Route 53 health checks are not watched: Route 53 publishes their metrics in "
            f"{monitoring.ROUTE53_METRICS_REGION} only, a region this design has no alert topic in"
        )
    return Operations(
        alert_emails=Decided(
            value=emails,
            reason="operations.alerts.email: subscribed to every region's alert topic"
            if emails
            else "operations.alerts.email unset: alarms publish to each region's topic, which nobody reads",
            derived=not emails,
        ),
        slos=slos,
        watches=watches(bp, plan),
        experiments=experiments(plan),
        runbooks=runbooks(plan),
        dashboard=f"{plan.name}-{plan.stack}",
        warnings=warnings,
    )


# --- SLOs --------------------------------------------------------------------------------------


def slo(plan: Plan, journey: str, service: str, route: str) -> Slo:
    target = plan.availability.target
    budget = monitoring.budget_seconds(target)
    days = monitoring.SLO_WINDOW_DAYS
    if monitoring.burn_rate_meaningful(target):
        windows = [
            BurnWindow(
                severity="page",
                burn_rate=b.burn_rate,
                long_seconds=b.long_seconds,
                short_seconds=b.short_seconds,
                budget_consumed=b.budget_consumed,
                error_ratio=monitoring.burn_rate_ratio(target, b.burn_rate),
            )
            for b in monitoring.BURN_RATES
        ]
        alerting, reason = (
            "burn-rate",
            f"{target} % over {days} days leaves a budget of {human_duration(budget)}: page when "
            + " or ".join(
                f"{b.burn_rate:g}x the budget's rate ({b.error_ratio:.4%} errors) over "
                f"{human_duration(b.long_seconds)} and {human_duration(b.short_seconds)}"
                for b in windows
            ),
        )
    else:
        windows = []
        alerting, reason = (
            "fast-signal",
            f"{target} % over {days} days leaves a budget of {budget:g} s, shorter than one CloudWatch "
            f"datapoint ({monitoring.DATAPOINT_SECONDS} s): a full outage spends it before a burn-rate "
            "alarm can judge, so each journey pages on the fast signal instead: one minute with errors "
            f"over {monitoring.burn_rate_ratio(target, 1):.4%} of requests",
        )
    return Slo(
        journey=journey,
        service=service,
        route=route,
        target=target,
        window_days=days,
        budget_seconds=budget,
        alerting=alerting,
        reason=reason,
        windows=windows,
        source=monitoring.SRE_WORKBOOK,
    )


# --- watches -----------------------------------------------------------------------------------


def rpo_threshold(bp: Blueprint, plan: Plan, store: AnyStorePlan) -> float:
    """The lag a store's alarm fires above: the blueprint's rpo, else the plan's region-loss RPO."""
    if bp.rpo is not None:
        return float(bp.rpo)
    return float(plan.dr.region_loss_rpo_seconds or store.region_loss_rpo_seconds or 0)


def watches(bp: Blueprint, plan: Plan) -> list[Watch]:
    out: list[Watch] = []
    for store in plan.datastores:
        out += rpo_watches(bp, plan, store)
    out += health_watches(plan)
    for svc in plan.services:
        for cap in svc.capacity.value:
            if cap.min_replicas > 0:
                out.append(
                    Watch(
                        key="running-tasks",
                        subject=svc.name,
                        region=cap.region,
                        metric="ecs-running-tasks",
                        dimensions={"ClusterName": f"the cluster in {cap.region}", "ServiceName": svc.name},
                        comparison="LessThanThreshold",
                        threshold=cap.min_replicas,
                        reason=f"static stability: {svc.name} holds its peak in {cap.region} with "
                        f"{cap.min_replicas} tasks running (the zones' share kept through a zone loss); fewer "
                        "is capacity the plan counts on and does not have",
                    )
                )
    for store in plan.datastores:
        if isinstance(store, QueuePlan):
            out += [
                Watch(
                    key="dead-letters",
                    subject=store.name,
                    region=r,
                    metric="sqs-visible",
                    dimensions={"QueueName": f"{store.name} dead-letter queue in {r}"},
                    comparison="GreaterThanThreshold",
                    threshold=0,
                    reason=f"a message that failed {store.max_receives} times waits in the dead-letter queue: "
                    "work the system accepted and has not done",
                )
                for r in store.regions
            ]
        if isinstance(store, RelationalPlan):
            source = "db-cluster" if store.engine.value.startswith("aurora") else "db-instance"
            out += [
                Watch(
                    key="failover",
                    kind="event",
                    subject=store.name,
                    region=r,
                    metric="rds-events",
                    dimensions={"SourceType": source, "EventCategories": "failover"},
                    comparison="GreaterThanThreshold",
                    threshold=0,
                    reason=f"RDS tells the alert topic when {store.name} fails over in {r} (event category "
                    f"failover): the zone-loss recovery the plan counts {human_duration(store.zone_loss_rto_seconds)} "
                    "for has started",
                )
                for r in store.regions
            ]
    return out


def rpo_watches(bp: Blueprint, plan: Plan, store: AnyStorePlan) -> list[Watch]:
    """A lag alarm per replication path of a system of record whose region-loss RPO the plan claims."""
    if len(store.regions) < 2 or not store.record or store.region_loss_rpo_seconds is None:
        return []
    seconds = rpo_threshold(bp, plan, store)
    what = f"the plan's RPO of {human_duration(seconds) if seconds else '0 s'}"
    copies = [r for r in store.regions if r != store.writer_region]
    if isinstance(store, RelationalPlan):
        aurora = store.engine.value.startswith("aurora")
        metric = monitoring.METRICS["aurora-global-rpo-lag" if aurora else "rds-replica-lag"]
        return [
            Watch(
                key="rpo",
                subject=store.name,
                region=r,
                metric=metric.key,
                dimensions={metric.dimensions[0]: f"{store.name} {'cluster' if aurora else 'replica'} in {r}"},
                comparison="GreaterThanThreshold",
                threshold=seconds * 1000 if metric.unit == "Milliseconds" else seconds,
                reason=f"{store.name}'s copy in {r} lags its writer by more than {what} ({metric.namespace} "
                f"{metric.name}, {metric.unit.lower()}, published in {metric.published}; {metric.source})",
            )
            for r in copies
        ]
    if isinstance(store, KeyValuePlan):
        if store.global_mode != "MREC":
            return []  # MRSC: every write is in two regions before it is acknowledged; no lag to watch
        metric = monitoring.METRICS["dynamodb-replication-latency"]
        return [
            Watch(
                key="rpo",
                subject=store.name,
                region=src,
                metric=metric.key,
                dimensions={"TableName": f"{store.name} table", "ReceivingRegion": dst},
                comparison="GreaterThanThreshold",
                threshold=seconds * 1000,
                reason=f"{store.name}'s writes in {src} reach {dst} later than {what} ({metric.namespace} "
                f"{metric.name}, milliseconds, published in {metric.published}; {metric.source})",
            )
            for src in store.regions
            for dst in store.regions
            if dst != src
        ]
    if isinstance(store, ObjectPlan):
        metric = monitoring.METRICS["s3-replication-latency"]
        writers = store.regions if plan.replication.value == "active" else store.regions[:1]
        return [
            Watch(
                key="rpo",
                subject=store.name,
                region=src,
                metric=metric.key,
                dimensions={
                    "SourceBucket": f"{store.name} bucket in {src}",
                    "DestinationBucket": f"{store.name} bucket in {dst}",
                    "RuleId": f"to-{dst}",
                },
                comparison="GreaterThanThreshold",
                threshold=seconds,
                reason=f"{store.name}'s objects in {src} reach {dst} later than {what} ({metric.namespace} "
                f"{metric.name}, seconds, published in {metric.published}; {metric.source})",
            )
            for src in writers
            for dst in store.regions
            if dst != src
        ]
    return []


def health_checks(plan: Plan) -> bool:
    """Route 53 health checks decide which region answers (the API name's latency or failover
    records; generators.aws.edge.Dns makes them under the same condition)."""
    edge = plan.edge
    through_cdn = edge.cdn is not None and edge.cdn.dynamic.value == "through"
    policy = edge.dns.value if edge.dns else "simple"
    return bool(edge.domain) and any(s.public for s in plan.services) and not through_cdn and policy != "simple"


def health_watches(plan: Plan) -> list[Watch]:
    if not health_checks(plan) or monitoring.ROUTE53_METRICS_REGION not in plan.regions.value:
        return []
    detect = TIMINGS["route53-health-detect"]
    return [
        Watch(
            key="health-check",
            subject="entry",
            region=monitoring.ROUTE53_METRICS_REGION,
            metric="route53-health",
            dimensions={"HealthCheckId": f"the health check of {r}"},
            comparison="LessThanThreshold",
            threshold=1,
            reason=f"Route 53 finds {r} unhealthy and stops answering with it (the region-loss RTO's first step, "
            f"{human_duration(detect.seconds)}); metrics of health checks are published in us-east-1 only",
        )
        for r in plan.regions.value
    ]


# --- runbooks ----------------------------------------------------------------------------------

AUTOMATED_APIS = {
    "aws rds promote-read-replica": "promote",
    "aws rds failover-global-cluster": "failover",
    "aws application-autoscaling register-scalable-target": "scale-up",
}
"""The operator steps an AWS API performs, and the word their Automation document is named by."""


def automation_name(plan: Plan, step: RecoveryStep) -> str | None:
    """The Systems Manager Automation document that performs `step` (generators.aws.runbooks)."""
    if step.automated or not step.command or step.region is None:
        return None
    verb = next((v for prefix, v in AUTOMATED_APIS.items() if step.command.startswith(prefix)), None)
    if verb is None:
        return None
    return f"{plan.name}-{plan.stack}-{step.store or 'capacity'}-{verb}-{step.region}"


def as_runbook(plan: Plan, steps: list[RecoveryStep]) -> list[RunbookStep]:
    return [
        RunbookStep(
            order=i,
            stage=s.stage,
            on_journeys=s.on_journeys,
            store=s.store,
            action=s.action,
            service=s.service,
            plane=s.plane,
            region=s.region,
            seconds=s.seconds,
            source=s.source,
            automated=s.automated,
            command=s.command,
            automation=automation_name(plan, s),
        )
        for i, s in enumerate(steps, start=1)
    ]


def zone_steps(plan: Plan, region: str) -> list[RecoveryStep]:
    """What recovers a lost zone in `region`: each store on a journey fails over (the plan's zone-loss
    RTO is the slowest), while the load balancer stops sending to the zone's tasks and ECS replaces them
    in the other zones (the others already hold the peak: static stability)."""
    out: list[RecoveryStep] = []
    public = [s for s in plan.services if s.public]
    if public:
        health = public[0].health_check
        out.append(
            RecoveryStep(
                stage="recover",
                action="the load balancer's health checks take the lost zone's tasks out of service "
                f"({health.unhealthy_threshold} failed checks {health.interval_seconds} s apart); until then "
                "requests the load balancer sends them fail (the zone-loss RTO is never shorter)",
                service="Elastic Load Balancing",
                plane="data",
                region=region,
                seconds=zone_detection(plan.services),
                source="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
                automated=True,
            )
        )
    for store in plan.datastores:
        if region not in store.regions or not store.on_journeys or store.zone_loss_rto_seconds <= 0:
            continue
        timing = (
            TIMINGS["aurora-failover"]
            if store.engine.value.startswith("aurora")
            else TIMINGS["rds-multi-az-failover"]
            if isinstance(store, RelationalPlan)
            else TIMINGS["elasticache-failover"]
        )
        out.append(
            RecoveryStep(
                stage="recover",
                action=f"{store.name}: {timing.what} (automatic; its endpoint's name moves to the new primary)",
                service=store.technology,
                plane="data",
                region=region,
                seconds=store.zone_loss_rto_seconds,
                source=timing.source,
                verified=timing.verified,
                automated=True,
                store=store.name,
            )
        )
    for svc in plan.services:
        out.append(
            RecoveryStep(
                stage="after",
                action=f"ECS starts {svc.name}'s lost tasks in the other zones (the desired count is kept); "
                "the zone's share returns when the zone does",
                service="ECS",
                plane="control",
                region=region,
                seconds=svc.health_check.start_seconds,
                source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html",
                verified=False,
                automated=True,
                on_journeys=False,
            )
        )
    return out


def runbooks(plan: Plan) -> list[Runbook]:
    out: list[Runbook] = []
    if has_zonal_parts(plan) and must_survive(plan, "zone-loss"):
        for r in plan.regions.value:
            for zone in plan.zones(r):
                steps = zone_steps(plan, r)
                out.append(
                    Runbook(
                        name=f"zone-loss-{zone}",
                        disruption="zone-loss",
                        lost=zone,
                        steps=as_runbook(plan, steps),
                        rto_seconds=recovery_steps.rto_of(steps, zone),
                        rpo_seconds=plan.dr.zone_loss_rpo_seconds,
                    )
                )
    if must_survive(plan, "region-loss"):
        for r in plan.regions.value:
            lost = explain(plan, "region-loss", r)
            out.append(
                Runbook(
                    name=f"region-loss-{r}",
                    disruption="region-loss",
                    lost=r,
                    steps=as_runbook(plan, lost.steps),
                    rto_seconds=lost.rto_seconds,
                    rpo_seconds=lost.rpo_seconds,
                )
            )
    return out

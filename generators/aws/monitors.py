"""hld:aws:Monitors: what watches the plan's promises (blueprints.planner.operations), per region.

- an alert topic per region, encrypted with the region's key (the key admits the publishers:
  generators.aws.network.ALERT_PUBLISHERS), with the blueprint's email subscriptions;
- per public service and region, its journeys' SLO alarms: for each burn-rate pair of the SLO a
  metric-math alarm on the long window and one on the short, and a composite alarm that pages when
  both burn (or the one fast-signal alarm); the window alarms have no action of their own;
- a stop alarm per region (any SLO alarm of the region): the FIS experiments' stop condition;
- one alarm per watch (replication lag at the RPO, health checks, running tasks, dead letters) and
  RDS failover events sent to the topic;
- one dashboard per system and stack, a row per journey.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from blueprints import monitoring
from blueprints.plan_model import Plan, Slo, Watch
from generators.aws.common import Region, name, physical

PERIOD = 60
"""Standard resolution (blueprints.monitoring.DATAPOINT_SECONDS)."""


def entry_queries(load_balancer: pulumi.Input[str], seconds: int) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    """A region's entry error ratio over `seconds` (blueprints.monitoring.ERROR_RATIO): what an SLO alarm
    compares with a burn rate's error ratio, and an experiment's stop alarm with its hypothesis."""

    def stat(qid: str, key: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        metric = monitoring.METRICS[key]
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=qid,
            return_data=False,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=metric.namespace,
                metric_name=metric.name,
                dimensions={"LoadBalancer": load_balancer},
                period=seconds,
                stat=metric.statistic,
            ),
        )

    return [
        *[stat(qid, key) for qid, key in monitoring.ENTRY_METRICS.items()],
        aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="ratio", expression=monitoring.ERROR_RATIO, label="error ratio", return_data=True
        ),
    ]


Measure = Callable[[int], dict[str, Any]]
"""What a window alarm watches over `seconds`: MetricAlarm arguments (a metric, or metric queries)."""
CDN_METRICS_REGION = "us-east-1"
"""CloudFront publishes its metrics in us-east-1 (blueprints.monitoring.METRICS)."""


def alb_measure(load_balancer: pulumi.Output[str]) -> Measure:
    return lambda seconds: {"metric_queries": entry_queries(load_balancer, seconds)}


def cdn_measure(distribution_id: pulumi.Output[str]) -> Measure:
    """A site the CDN serves from a bucket: CloudFront's 5xx error rate (a percentage of requests)."""
    metric = monitoring.METRICS["cloudfront-5xx-rate"]
    return lambda seconds: {
        "namespace": metric.namespace,
        "metric_name": metric.name,
        "dimensions": {"DistributionId": distribution_id, "Region": "Global"},
        "statistic": metric.statistic,
        "period": seconds,
    }


@dataclass(frozen=True)
class Handles:
    """The resources the watches name, by what the plan calls them (generators.aws.program)."""

    clusters: dict[str, Any]
    services: dict[tuple[str, str], Any]
    stores: dict[str, Any]
    per_region: dict[tuple[str, str], Any]
    health_checks: dict[str, aws.route53.HealthCheck]


class Monitors(pulumi.ComponentResource):
    topics: dict[str, aws.sns.Topic]
    stop_alarms: dict[tuple[str, str], pulumi.Output[str]]
    """Per region and disruption, the ARN of the alarm that stops its experiments."""

    def __init__(
        self,
        plan: Plan,
        regions: dict[str, Region],
        networks: dict[str, Any],
        entries: dict[str, Any],
        clusters: dict[str, Any],
        services: dict[tuple[str, str], Any],
        stores: dict[str, Any],
        per_region: dict[tuple[str, str], Any],
        health_checks: dict[str, aws.route53.HealthCheck],
        distribution: aws.cloudfront.Distribution | None,
        parent: pulumi.Resource,
    ):
        super().__init__("hld:aws:Monitors", name(plan, "monitors"), None, pulumi.ResourceOptions(parent=parent))
        ops = plan.operations
        assert ops is not None
        self.plan, self.regions = plan, regions
        self.topics, self.stop_alarms = {}, {}
        encrypted = plan.control("encryption-at-rest").enabled
        for r, region in regions.items():
            if r not in networks:
                continue
            account = networks[r].account
            topic_name = physical(plan, "alerts", r)
            topic = aws.sns.Topic(
                name(plan, "alerts", r),
                name=topic_name,
                kms_master_key_id=networks[r].key.arn if encrypted else None,
                # the topic's own policy: its ARN is known from its name, so no second resource waits on it
                policy=pulumi.Output.from_input(account).apply(functools.partial(_policy_of, r, topic_name)),
                tags={"Name": name(plan, "alerts", r)},
                opts=region.opts(self),
            )
            for i, email in enumerate(ops.alert_emails.value):
                aws.sns.TopicSubscription(
                    name(plan, "alerts", str(i), r),
                    topic=topic.arn,
                    protocol="email",
                    endpoint=email,
                    opts=region.opts(self),
                )
            self.topics[r] = topic

        site = plan.edge.cdn.site if plan.edge.cdn else None
        through_cdn = [s for s in ops.slos if s.service == site]
        through_lb = [s for s in ops.slos if s.service != site]
        measures: dict[str, tuple[Measure, float]] = {}
        """Per region, how its entry's error ratio is measured, and the unit's scale (100: a percentage)."""
        fastest: dict[str, Any] = {}
        """Per region, its fastest page (the 14.4x pair's composite, or the fast-signal alarm)."""
        for r, region in regions.items():
            if through_lb and r in entries and r in self.topics:
                measures[r] = (alb_measure(entries[r].alb.arn_suffix), 1)
                fastest[r] = self._slo_alarms(through_lb, r, region, *measures[r])[0]
        if through_cdn and distribution is not None and CDN_METRICS_REGION in self.topics:
            measures.setdefault(CDN_METRICS_REGION, (cdn_measure(distribution.id), 100))
            fastest.setdefault(
                CDN_METRICS_REGION,
                self._slo_alarms(
                    through_cdn, CDN_METRICS_REGION, regions[CDN_METRICS_REGION], cdn_measure(distribution.id), 100
                )[0],
            )

        self.handles = Handles(clusters, services, stores, per_region, health_checks)
        for watch in ops.watches:
            self._watch(watch)
        for r, disruption in sorted({(e.region, e.disruption) for e in ops.experiments}):
            if r not in measures:
                continue  # generators.aws.experiments refuses a template with nothing to stop it
            measure, scale = measures[r]
            ratio = max(e.stop_ratio for e in ops.experiments if (e.region, e.disruption) == (r, disruption))
            if disruption != "zone-loss":
                # a region's isolation or paused replication should cost no errors: it stops on the fastest page
                self.stop_alarms[(r, disruption)] = fastest[r].arn
                continue
            stop = aws.cloudwatch.MetricAlarm(
                name(plan, "stop", disruption, r),
                name=physical(plan, "stop", disruption, r),
                alarm_description=f"{plan.name} ({plan.stack}): the {disruption} experiments in {r} stop when more "
                f"than {ratio:.4%} of the entry's requests fail over {monitoring.STOP_WINDOW_SECONDS // 60} "
                "minutes: worse than their hypothesis",
                **measure(monitoring.STOP_WINDOW_SECONDS),
                comparison_operator="GreaterThanThreshold",
                threshold=ratio * scale,
                evaluation_periods=1,
                treat_missing_data="notBreaching",
                alarm_actions=[self.topics[r].arn],
                opts=regions[r].opts(self),
            )
            self.stop_alarms[(r, disruption)] = stop.arn
        self._dashboard(plan, services, entries)
        self.register_outputs({})

    # --- SLOs ------------------------------------------------------------------------------

    def _slo_alarms(self, slos: list[Slo], r: str, region: Region, measure: Measure, scale: float) -> list[Any]:
        """The SLOs' paging alarms in `r`, one set for the journeys through one entry (the load balancer
        measures the region's entry, not a route): `measure(seconds)` is what a window alarm watches, its
        error ratio in units `scale` times the ratio's (100: a percentage)."""
        plan, topic = self.plan, self.topics[r]
        slo = slos[0]  # one target for every journey (the blueprint's availability)
        journeys = _cut(", ".join(s.journey for s in slos), 300)
        part = "site" if scale != 1 else "entry"
        if slo.alerting == "fast-signal":
            ratio = monitoring.burn_rate_ratio(slo.target, 1)
            return [
                aws.cloudwatch.MetricAlarm(
                    name(plan, "slo", part, "fast", r),
                    name=physical(plan, "slo", part, "fast", r),
                    alarm_description=_cut(
                        f"SLO {slo.target} % of {journeys} in {r}: errors over {ratio:.4%} of requests for a minute "
                        f"(fast signal: {slo.reason})"
                    ),
                    **measure(PERIOD),
                    comparison_operator="GreaterThanThreshold",
                    threshold=ratio * scale,
                    evaluation_periods=1,
                    treat_missing_data="notBreaching",
                    alarm_actions=[topic.arn],
                    ok_actions=[topic.arn],
                    opts=region.opts(self),
                )
            ]
        out = []
        for w in slo.windows:
            rate = f"{w.burn_rate:g}x".replace(".", "_")
            windows = []
            for label, seconds in (("long", w.long_seconds), ("short", w.short_seconds)):
                windows.append(
                    aws.cloudwatch.MetricAlarm(
                        name(plan, "slo", part, rate, label, r),
                        name=physical(plan, "slo", part, rate, label, r),
                        alarm_description=_cut(
                            f"SLO {slo.target} % of {journeys} in {r}: the error ratio over {seconds} s above "
                            f"{w.error_ratio:.6g} ({w.burn_rate:g}x the budget's rate); one window of a burn-rate "
                            "pair, paged through its composite alarm"
                        ),
                        **measure(seconds),
                        comparison_operator="GreaterThanThreshold",
                        threshold=w.error_ratio * scale,
                        evaluation_periods=1,
                        treat_missing_data="notBreaching",
                        opts=region.opts(self),
                    )
                )
            out.append(
                aws.cloudwatch.CompositeAlarm(
                    name(plan, "slo", part, rate, r),
                    alarm_name=physical(plan, "slo", part, rate, r),
                    alarm_description=_cut(
                        f"SLO {slo.target} % of {journeys} in {r}: {w.burn_rate:g}x burn over {w.long_seconds} s "
                        f"and {w.short_seconds} s ({w.budget_consumed:.0%} of the {slo.window_days}-day budget; "
                        f"{slo.source})"
                    ),
                    alarm_rule=pulumi.Output.all(windows[0].name, windows[1].name).apply(
                        lambda n: f'ALARM("{n[0]}") AND ALARM("{n[1]}")'
                    ),
                    alarm_actions=[topic.arn],
                    ok_actions=[topic.arn],
                    opts=region.opts(self),
                )
            )
        return out

    # --- watches ---------------------------------------------------------------------------

    def _watch(self, watch: Watch) -> aws.cloudwatch.MetricAlarm | None:
        plan, r = self.plan, watch.region
        region, topic = self.regions[r], self.topics[r]
        label = (
            watch.dimensions.get("ReceivingRegion")
            or watch.dimensions.get("RuleId")
            or watch.dimensions.get("HealthCheckId", "").rsplit(" ", 1)[-1]
        )
        parts = [watch.key, watch.subject, *([label] if label else []), r]
        if watch.kind == "event":
            db = self.handles.stores[watch.subject].by_region[r]
            aws.rds.EventSubscription(
                name(plan, *parts),
                name=physical(plan, *parts),
                sns_topic=topic.arn,
                source_type=watch.dimensions["SourceType"],
                source_ids=[db.cluster_identifier if watch.dimensions["SourceType"] == "db-cluster" else db.identifier],
                event_categories=[watch.dimensions["EventCategories"]],
                opts=region.opts(self),
            )
            return None
        metric = monitoring.METRICS[watch.metric]
        dims = self._dimensions(watch)
        return aws.cloudwatch.MetricAlarm(
            name(plan, *parts),
            name=physical(plan, *parts),
            alarm_description=_cut(watch.reason),
            namespace=metric.namespace,
            metric_name=metric.name,
            dimensions=dims,
            statistic=metric.statistic,
            period=PERIOD,
            evaluation_periods=1,
            threshold=watch.threshold,
            comparison_operator=watch.comparison,
            # no datapoint: no replication traffic, no dead letters; but a silent task count or health
            # check is itself the failure
            treat_missing_data="breaching" if watch.key in ("running-tasks", "health-check") else "notBreaching",
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            opts=region.opts(self),
        )

    def _dimensions(self, watch: Watch) -> dict[str, pulumi.Input[str]]:
        r, subject = watch.region, watch.subject
        clusters, services, stores = self.handles.clusters, self.handles.services, self.handles.stores
        per_region, health_checks = self.handles.per_region, self.handles.health_checks
        if watch.metric == "rds-replica-lag":
            copy = next(
                reg for reg in stores[subject].by_region if watch.dimensions["DBInstanceIdentifier"].endswith(f" {reg}")
            )
            return {"DBInstanceIdentifier": stores[subject].by_region[copy].identifier}
        if watch.metric == "aurora-global-rpo-lag":
            return {"DBClusterIdentifier": stores[subject].by_region[r].cluster_identifier}
        if watch.metric == "dynamodb-replication-latency":
            return {"TableName": stores[subject].table.name, "ReceivingRegion": watch.dimensions["ReceivingRegion"]}
        if watch.metric == "s3-replication-latency":
            dst = watch.dimensions["RuleId"].removeprefix("to-")
            buckets = stores[subject].buckets
            return {
                "SourceBucket": buckets[r].bucket,
                "DestinationBucket": buckets[dst].bucket,
                "RuleId": watch.dimensions["RuleId"],
            }
        if watch.metric == "sqs-visible":
            return {"QueueName": per_region[(subject, r)].dlq.name}
        if watch.metric == "ecs-running-tasks":
            return {"ClusterName": clusters[r].cluster.name, "ServiceName": services[(subject, r)].service.name}
        if watch.metric == "route53-health":
            checked = watch.dimensions["HealthCheckId"].rsplit(" ", 1)[-1]
            return {"HealthCheckId": health_checks[checked].id}
        raise ValueError(f"no dimensions for {watch.metric}")

    # --- dashboard -------------------------------------------------------------------------

    def _dashboard(self, plan: Plan, services: dict[tuple[str, str], Any], entries: dict[str, Any]) -> None:
        ops = plan.operations
        assert ops is not None
        series: list[pulumi.Output[Any]] = []
        for slo in ops.slos:
            for r in plan.regions.value:
                svc = services.get((slo.service, r))
                if svc is None or svc.target_group is None or r not in entries:
                    continue
                series.append(
                    pulumi.Output.all(entries[r].alb.arn_suffix, svc.target_group.arn_suffix).apply(
                        functools.partial(_row, slo.journey, r)
                    )
                )
        if not series:
            return
        primary = self.regions[plan.primary_region]
        aws.cloudwatch.Dashboard(
            name(plan, "dashboard"),
            dashboard_name=ops.dashboard,
            dashboard_body=pulumi.Output.all(*series).apply(lambda rows: json.dumps(dashboard_body(ops.slos, rows))),
            opts=primary.opts(self),
        )


def _cut(text: str, limit: int = 1024) -> str:
    """Within CloudWatch's limit on an alarm description (1024 characters)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _row(journey: str, region: str, suffixes: list[str]) -> tuple[str, str, str, str]:
    return journey, region, suffixes[0], suffixes[1]


def _policy_of(region: str, topic: str, account: str) -> str:
    return json.dumps(topic_policy(f"arn:aws:sns:{region}:{account}:{topic}", account))


def alarm_name(alarm: aws.cloudwatch.CompositeAlarm | aws.cloudwatch.MetricAlarm) -> pulumi.Output[str]:
    named: pulumi.Output[str] = alarm.alarm_name if isinstance(alarm, aws.cloudwatch.CompositeAlarm) else alarm.name
    return named


def topic_policy(topic_arn: str, account: str) -> dict[str, Any]:
    """Who may publish to an alert topic: CloudWatch alarms and RDS events of this account only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
            for sid, principal in (
                ("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com"),
                ("RdsEventsPublish", "events.rds.amazonaws.com"),
            )
        ],
    }


def dashboard_body(slos: list[Slo], rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """A row per journey: per region, the entry's error ratio against the SLO's budget ratio, and the
    requests of the journey's service (its target group)."""
    widgets: list[dict[str, Any]] = []
    y = 0
    for slo in slos:
        mine = [row for row in rows if row[0] == slo.journey]
        if not mine:
            continue
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": 24,
                "height": 1,
                "properties": {"markdown": f"### {slo.journey}: SLO {slo.target} % over {slo.window_days} days"},
            }
        )
        y += 1
        for i, (_, r, lb, tg) in enumerate(mine):
            entry = ["LoadBalancer", lb]
            widgets.append(
                {
                    "type": "metric",
                    "x": (i % 2) * 12,
                    "y": y + 6 * (i // 2),
                    "width": 12,
                    "height": 6,
                    "properties": {
                        "title": f"{slo.journey} in {r}",
                        "region": r,
                        "period": PERIOD,
                        "metrics": [
                            [{"expression": monitoring.ERROR_RATIO, "label": "entry error ratio", "id": "ratio"}],
                            *[
                                [
                                    monitoring.METRICS[key].namespace,
                                    monitoring.METRICS[key].name,
                                    *entry,
                                    {"id": qid, "stat": "Sum", "visible": False},
                                ]
                                for qid, key in monitoring.ENTRY_METRICS.items()
                            ],
                            [
                                "AWS/ApplicationELB",
                                "RequestCount",
                                "TargetGroup",
                                tg,
                                *entry,
                                {"stat": "Sum", "yAxis": "right", "label": "the service's requests"},
                            ],
                        ],
                        "annotations": {
                            "horizontal": [
                                {"label": "budget ratio", "value": monitoring.burn_rate_ratio(slo.target, 1)}
                            ]
                        },
                    },
                }
            )
        y += 6 * ((len(mine) + 1) // 2)
    return {"widgets": widgets}

"""What operations adds to the monthly cost: each alarm at its price per alarm metric (a metric-math
alarm per metric it uses) or per composite alarm, the dashboard, and each FIS experiment's price per
run stated beside the month (a template costs nothing to keep); counted as the AWS target creates them."""

from __future__ import annotations

import functools

import pytest

from blueprints import load, plan
from blueprints.cost import estimate
from blueprints.cost.estimate import SLO_ALARM_METRICS, action_minutes, alarms
from blueprints.cost.prices import LEFT_OUT, PRICES, price
from blueprints.plan_model import (
    BurnWindow,
    Decided,
    Experiment,
    ExperimentAction,
    Operations,
    Slo,
    Watch,
)
from tests.aws.mocks.conftest import STACKS, synthesized
from tests.helpers import EXAMPLES

URL_SHORTENER = EXAMPLES / "url-shortener.yaml"


@functools.cache
def planned():
    bp = load(str(URL_SHORTENER))
    return bp, plan(bp)


def window(burn_rate: float, long_seconds: int) -> BurnWindow:
    return BurnWindow(
        severity="page",
        burn_rate=burn_rate,
        long_seconds=long_seconds,
        short_seconds=long_seconds // 12,
        budget_consumed=0.02,
        error_ratio=burn_rate * 0.001,
    )


def slo(journey: str, service: str, alerting: str) -> Slo:
    return Slo(
        journey=journey,
        service=service,
        route="GET /",
        target=99.9,
        window_days=30,
        budget_seconds=2592.0,
        alerting=alerting,
        reason="test",
        windows=[window(14.4, 3600), window(6.0, 21600)] if alerting == "burn-rate" else [],
        source="https://sre.google/workbook/alerting-on-slos/",
    )


def operations(p) -> Operations:
    """Three SLOs (a burn-rate one with two pairs, a second journey of its service, one of a service
    no load balancer measures), a metric watch in each of two regions and an event watch, an experiment of two 10-minute actions and one of an action without a duration."""
    first, second = p.regions.value[:2]
    watch = {
        "subject": "urls",
        "metric": "dynamodb-replication-latency",
        "dimensions": {"TableName": "the table"},
        "comparison": "GreaterThanThreshold",
        "threshold": 1.0,
        "reason": "test",
    }
    action = {"target": "aws:ec2:subnet", "subject": "subnets", "parameters": {"duration": "PT10M"}}
    return Operations(
        alert_emails=Decided[list[str]](value=["ops@example.com"], reason="test"),
        slos=[
            slo("shorten", "shortener", "burn-rate"),
            slo("follow", "shortener", "fast-signal"),  # the same service: its load balancer's alarms serve both
            slo("report", "analytics", "burn-rate"),  # not public: no load balancer measures it
        ],
        watches=[
            Watch(key="rpo", region=first, **watch),
            Watch(key="rpo", region=second, **watch),
            Watch(key="failover", kind="event", region=first, **watch),  # an RDS event subscription: no alarm
        ],
        experiments=[
            Experiment(
                name="zone-loss",
                disruption="zone-loss",
                lost=f"{first}a",
                region=first,
                actions=[
                    ExperimentAction(name="subnets", action="aws:network:disrupt-connectivity", **action),
                    ExperimentAction(
                        name="cache", action="aws:elasticache:replicationgroup-interrupt-az-power", **action
                    ),
                ],
                duration_seconds=600,
                hypothesis="test",
                stop_on=[],
                stop_ratio=0.1,
                run="aws fis start-experiment",
                watch=[],
            ),
            Experiment(
                name="writer-reboot",
                disruption="zone-loss",
                lost=f"{first}a",
                region=first,
                actions=[
                    ExperimentAction(
                        name="reboot",
                        action="aws:rds:reboot-db-instances",
                        target="aws:rds:db",
                        subject="db",
                        parameters={},
                    )
                ],
                duration_seconds=300,
                hypothesis="test",
                stop_on=[],
                stop_ratio=0.1,
                run="aws fis start-experiment",
                watch=[],
            ),
        ],
        runbooks=[],
        dashboard="url-shortener-prod",
    )


@functools.cache
def with_operations():
    bp, p = planned()
    q = p.model_copy(update={"operations": operations(p)})
    return q, estimate(bp, q)


def monitoring(cost, item=None, region=None):
    return [
        x
        for x in cost.lines
        if x.component == "monitoring" and (item is None or x.item == item) and (region is None or x.region == region)
    ]


def test_each_alarm_is_priced_per_metric_it_uses_and_each_composite_per_alarm():
    p, cost = with_operations()
    writer = p.store("click-stats").writer_region  # its failover record follows a writer alarm
    first = p.regions.value[0]  # both experiments are zone losses there: one stop alarm
    for r in p.regions.value:
        # one entry set per region (the load balancer measures the entry, not a route): 2 burn-rate pairs
        # x (long + short) metric-math alarms of 3 metrics each; the zone-loss stop alarm on the same
        # measure where the experiments are; a metric watch; the writer alarm
        stop = 1 if r == first else 0
        expected = 4 * SLO_ALARM_METRICS + stop * SLO_ALARM_METRICS + 1 + (1 if r == writer else 0)
        [metrics] = monitoring(cost, "cloudwatch-alarm-metric", r)
        assert metrics.quantity_min == metrics.quantity_max == expected
        assert metrics.monthly_min == pytest.approx(expected * 0.10, abs=0.01)
        assert metrics.usd_per_unit == price("cloudwatch-alarm-metric", r) == 0.10
        [composites] = monitoring(cost, "cloudwatch-composite-alarm", r)
        assert composites.quantity_min == 2  # one per burn-rate pair
        assert composites.monthly_min == pytest.approx(1.00)
    assert alarms(p) == {
        r: (4 + (r == first) + 1 + (r == writer), 4 * 3 + 3 * (r == first) + 1 + (r == writer), 2)
        for r in p.regions.value
    }


def test_the_dashboard_is_priced_without_the_free_tier_like_every_line():
    p, cost = with_operations()
    [dash] = monitoring(cost, "cloudwatch-dashboard")
    assert (dash.region, dash.quantity_min, dash.monthly_min) == (p.primary_region, 1, 3.0)
    assert "free tiers" in cost.left_out  # CloudWatch's 10 alarm metrics and 3 dashboards are not taken off
    for line in monitoring(cost):
        assert line.source.startswith("https://aws.amazon.com/cloudwatch/pricing/")
        assert PRICES[line.item].checked == "2026-12"


def test_the_monitors_add_exactly_their_lines_to_the_total():
    bp, p = planned()
    _, cost = with_operations()
    bare = estimate(bp, p.model_copy(update={"operations": None}))
    added = sum(x.monthly_min for x in monitoring(cost))
    assert added > 0 and not monitoring(bare)
    assert cost.monthly_min == pytest.approx(bare.monthly_min + added, abs=0.02)
    assert cost.monthly_max == pytest.approx(bare.monthly_max + added, abs=0.02)
    assert bare.left_out == list(LEFT_OUT)


def test_an_experiment_is_priced_per_run_and_not_per_month():
    _, cost = with_operations()
    zone, reboot = operations(planned()[1]).experiments
    assert action_minutes(zone) == 20 and action_minutes(reboot) == 1  # no duration: it ends with its calls
    [runs] = [x for x in cost.left_out if x.startswith("running the FIS experiments")]
    assert "https://aws.amazon.com/fis/pricing/" in runs and "never runs them" in runs
    assert "zone-loss $2.00 (20 action-minutes)" in runs and "writer-reboot $0.10 (1 action-minutes)" in runs
    assert not [x for x in cost.lines if x.item == "fis-action-minute"]
    assert any("email notifications" in x for x in cost.left_out)


@pytest.mark.parametrize("stack", STACKS)
def test_hld_cost_counts_the_alarms_the_aws_target_creates(stack):
    """The priced alarms of each stack (url-shortener-prod's burn-rate pairs, social-feed's fast
    signals) are those its AWS program declares, region by region, metric by metric."""
    result = synthesized(stack)
    p = result.plan
    if p.operations is None:
        pytest.skip("the planner does not fill plan.operations yet (blueprints.planner.operations)")
    counted: dict[str, list[int]] = {}
    for a in result.graph.of("aws:cloudwatch/metricAlarm:MetricAlarm"):
        row = counted.setdefault(a.region, [0, 0, 0])
        queries = a.inputs.get("metricQueries") or []
        row[0] += 1
        row[1] += sum(1 for q in queries if q.get("metric")) if queries else 1
    for a in result.graph.of("aws:cloudwatch/compositeAlarm:CompositeAlarm"):
        counted.setdefault(a.region, [0, 0, 0])[2] += 1
    assert {r: tuple(v) for r, v in counted.items()} == alarms(p)
    priced = {x.region: x.quantity_min for x in monitoring(p.cost, "cloudwatch-alarm-metric")}
    assert priced == {r: m for r, (_, m, _) in alarms(p).items() if m}
    dashboards = monitoring(p.cost, "cloudwatch-dashboard")
    assert result.graph.count("aws:cloudwatch/dashboard:Dashboard") == sum(x.quantity_min for x in dashboards)

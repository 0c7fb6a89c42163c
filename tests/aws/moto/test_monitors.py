"""Every promise has a monitor: the url-shortener-prod stack's alarms pass the monitor checks, and a
transform that breaks each (a threshold off the burn rate, the load balancer's own 5xx left out, a lag
alarm over the RPO or on the wrong statistic, an alarm with no action, a metric AWS does not publish, a
key that refuses CloudWatch or is not this stack's, an experiment that fails on an empty target or
stops later than its hypothesis allows) fails the check that names it."""

from __future__ import annotations

import functools
import json

import pytest

from generators.aws.monitors import _cut, dashboard_body
from hld.testing import synth
from tests.helpers import EXAMPLES

URL = EXAMPLES / "url-shortener.yaml"
CHECKS = ["slo-alarms", "rpo-alarms", "alarm-actions", "alarm-metrics", "key-policies", "experiments"]
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"


def only(typ: str, part: str, change):
    def transform(t: str, name: str, props: dict):
        return change(props) if t == typ and name.endswith(part) else None

    return transform


def alarm(part: str, change):
    return only(ALARM, part, change)


def without_elb(props: dict) -> dict:
    queries = [q for q in props["metric_queries"] if getattr(q, "id", None) != "elb"]
    return {**props, "metric_queries": queries}


def without_cloudwatch(t: str, name: str, props: dict):
    if t != "aws:kms/key:Key" or not name.endswith("us-west-2"):
        return None

    def edit(text: str) -> str:
        policy = json.loads(text)
        policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "CloudWatchAlarmsPublish"]
        return json.dumps(policy)

    return {**props, "policy": props["policy"].apply(edit)}


@functools.cache
def outcomes(broken: bool) -> dict[str, object]:
    transforms = (
        [
            alarm("slo-entry-14_4x-long-us-east-1", lambda p: {**p, "threshold": p["threshold"] * 2}),
            alarm("slo-entry-6x-short-us-west-2", without_elb),
            alarm("rpo-click-stats-us-west-2", lambda p: {**p, "threshold": 600}),
            alarm("rpo-urls-us-east-1-us-west-2", lambda p: {**p, "statistic": "Minimum"}),
            alarm("dead-letters-clicks-us-east-1", lambda p: {**p, "alarm_actions": [], "ok_actions": []}),
            alarm("running-tasks-analytics-us-west-2", lambda p: {**p, "metric_name": "RunningTasks"}),
            alarm("stop-zone-loss-us-west-2", lambda p: {**p, "threshold": 0.5}),
            only(TEMPLATE, "fis-us-east-1b", lambda p: {**p, "experiment_options": None}),
            only("aws:sns/topic:Topic", "alerts-us-east-1", lambda p: {**p, "kms_master_key_id": "alias/aws/sns"}),
            without_cloudwatch,
        ]
        if broken
        else []
    )
    result = synth(URL, stack="url-shortener-prod", cloud="moto", transforms=transforms)
    return {o.check: o for o in result.checks(CHECKS)}


def test_the_reference_stack_has_every_monitor():
    found = outcomes(False)
    for key in CHECKS:
        assert found[key].status == "pass", (key, found[key].problems)
    assert "2 entry alarm sets" in found["slo-alarms"].detail  # one load balancer per region, two regions
    assert "3 replication paths" in found["rpo-alarms"].detail  # the RDS replica, the table both ways


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (
            "slo-alarms",
            "the entry in us-east-1 (shortener: GET /{code}, shortener: POST /shorten): no paging pair at 14.4x",
        ),
        (
            "slo-alarms",
            "the entry in us-west-2 (shortener: GET /{code}, shortener: POST /shorten): no paging pair at 6x",
        ),
        ("rpo-alarms", "url-shortener-rpo-click-stats-us-west-2: over 60 seconds (the RPO) does not page"),
        ("rpo-alarms", "url-shortener-rpo-urls-us-east-1-us-west-2: over 60000 milliseconds (the RPO) does not page"),
        ("alarm-actions", "url-shortener-dead-letters-clicks-us-east-1: no action"),
        ("alarm-metrics", "ECS/ContainerInsights RunningTasks is not a metric hld knows"),
        ("key-policies", "cloudwatch.amazonaws.com may not use it to publish to url-shortener-alerts-us-west-2"),
        ("key-policies", "url-shortener-alerts-us-east-1: encrypted with alias/aws/sns, not a key of this stack"),
        ("experiments", "url-shortener-zone-loss-us-east-1b: empty targets fail the experiment"),
        ("experiments", "url-shortener-zone-loss-us-west-2a: stops only when 50.0000% of requests fail"),
    ],
)
def test_each_broken_monitor_is_named(check, expected):
    outcome = outcomes(True)[check]
    assert outcome.status == "fail"
    assert any(expected in p for p in outcome.problems), outcome.problems


def test_the_dashboard_rows_never_overlap_and_descriptions_fit():
    from blueprints import load, plan

    p = plan(load(EXAMPLES / "payments-ledger.yaml"))  # three regions
    rows = [
        (s.journey, r, f"app/lb-{r}/1", f"targetgroup/tg-{r}/1") for s in p.operations.slos for r in p.regions.value
    ]
    widgets = dashboard_body(p.operations.slos, rows)["widgets"]
    cells = [(w["x"], w["y"]) for w in widgets]
    assert len(cells) == len(set(cells)) and len(widgets) == len(p.operations.slos) * 4
    assert len(_cut("x" * 5000)) == 1024 and _cut("short") == "short"

"""Operations decided from the plan: the SLOs' burn-rate thresholds by hand, the fast signal where the
budget is under a datapoint, a lag alarm per replication path at the RPO, and runbooks whose totals are
the plan's RTOs."""

from __future__ import annotations

import pytest

from blueprints import load, monitoring, plan
from blueprints.planner.settings import StackSettings
from tests.helpers import EXAMPLES


def planned(name: str, **changes):
    bp = load(EXAMPLES / f"{name}.yaml")
    if changes:
        bp = bp.model_copy(update=changes)
    return plan(bp, StackSettings(name="prod"))


@pytest.mark.parametrize(
    ("target", "budget", "fast", "slow"),
    [
        (99.9, 2592.0, 0.0144, 0.006),  # 30 d x 0.1 %; 14.4 x 0.001; 6 x 0.001
        (99.99, 259.2, 0.00144, 0.0006),
        (99.95, 1296.0, 0.0072, 0.003),
    ],
)
def test_burn_rate_thresholds_by_hand(target, budget, fast, slow):
    assert monitoring.budget_seconds(target) == pytest.approx(budget)
    assert monitoring.burn_rate_meaningful(target)
    assert [monitoring.burn_rate_ratio(target, b.burn_rate) for b in monitoring.BURN_RATES] == pytest.approx(
        [fast, slow]
    )


def test_five_nines_alerts_on_the_fast_signal_and_says_why():
    assert monitoring.budget_seconds(99.999) == pytest.approx(25.92)
    assert not monitoring.burn_rate_meaningful(99.999)
    assert monitoring.burn_rate_meaningful(99.995)  # 129.6 s: over one datapoint
    p = planned("url-shortener", availability=99.999)
    slo = p.operations.slos[0]
    assert slo.alerting == "fast-signal" and slo.windows == []
    assert "25.92 s" in slo.reason and "60 s" in slo.reason
    assert slo.reason in p.operations.warnings


def test_every_journey_has_an_slo_at_the_target():
    p = planned("url-shortener")
    assert [s.journey for s in p.operations.slos] == [j.name for j in p.availability.journeys]
    assert all(s.target == 99.99 and s.window_days == 30 for s in p.operations.slos)
    assert [w.error_ratio for w in p.operations.slos[0].windows] == pytest.approx([0.00144, 0.0006])


def test_a_lag_alarm_per_replication_path_at_the_rpo():
    p = planned("url-shortener")
    rpo = {(w.subject, w.region, w.metric): w for w in p.operations.watches if w.key == "rpo"}
    # the blueprint's rpo: 1m; RDS's ReplicaLag in seconds, DynamoDB's ReplicationLatency in ms
    assert rpo[("click-stats", "us-west-2", "rds-replica-lag")].threshold == 60
    assert rpo[("urls", "us-east-1", "dynamodb-replication-latency")].threshold == 60_000
    assert rpo[("urls", "us-west-2", "dynamodb-replication-latency")].dimensions["ReceivingRegion"] == "us-east-1"
    assert len(rpo) == 3
    tasks = [w for w in p.operations.watches if w.key == "running-tasks"]
    minimums = {(s.name, c.region): c.min_replicas for s in p.services for c in s.capacity.value}
    assert {(w.subject, w.region): w.threshold for w in tasks} == {k: v for k, v in minimums.items() if v}


def test_runbooks_total_the_plans_rto():
    p = planned("url-shortener")
    books = {b.name: b for b in p.operations.runbooks}
    primary = books["region-loss-us-east-1"]
    assert primary.rto_seconds == p.dr.region_loss_rto_seconds
    by_stage = {
        stage: max((s.seconds for s in primary.steps if s.stage == stage and s.on_journeys), default=0)
        for stage in ("detect", "recover")
    }
    assert sum(by_stage.values()) == primary.rto_seconds
    zone = books["zone-loss-us-east-1a"]
    assert zone.rto_seconds == p.dr.zone_loss_rto_seconds
    assert len([b for b in books if b.startswith("zone-loss-")]) == sum(len(p.zones(r)) for r in p.regions.value)
    promote = next(s for s in primary.steps if s.command and "promote-read-replica" in s.command)
    assert promote.automation == "url-shortener-prod-click-stats-promote-us-west-2"


def test_alerts_go_where_the_blueprint_says():
    bp = load(EXAMPLES / "url-shortener.yaml")
    quiet = plan(bp, StackSettings(name="prod")).operations
    assert quiet.alert_emails.value == [] and any("nobody is told" in w for w in quiet.warnings)
    told = bp.model_copy(
        update={"operations": bp.operations.model_validate({"alerts": {"email": ["oncall@example.com"]}})}
    )
    ops = plan(told, StackSettings(name="prod")).operations
    assert ops.alert_emails.value == ["oncall@example.com"] and not any("nobody is told" in w for w in ops.warnings)

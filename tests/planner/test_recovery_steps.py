"""Recovery as data: every region-loss step names its service, plane, region and source; the RTO
is the steps' sum by stage (recomputed here), no step needs the lost region's control plane, and
the deployed state's what-if reads the mechanism and its settings from the resources."""

from __future__ import annotations

import functools

import pytest

from blueprints import StackSettings
from blueprints.loader import load
from blueprints.planner import plan as make_plan
from blueprints.steps import Entry, StoreWay, blocked, region_loss_steps, rto_of
from hld.failures import what_if
from hld.testing import synth
from tests.aws.mocks.test_properties import only
from tests.helpers import EXAMPLES

MULTI_REGION = ["url-shortener", "social-feed", "payments-ledger"]
DNS = Entry(through_cdn=False, detect_seconds=90, ttl_seconds=60)


def _plan(name: str):
    return make_plan(load(EXAMPLES / f"{name}.yaml"), StackSettings(name="prod"))


@pytest.mark.parametrize("name", MULTI_REGION)
def test_the_rto_is_the_sum_of_the_steps_and_none_needs_the_lost_region(name):
    p = _plan(name)
    lost = p.primary_region
    steps = p.dr.region_loss_steps
    assert steps and all(s.source.startswith("https://") and s.service for s in steps)
    assert not [s for s in steps if s.plane == "control" and s.region == lost]
    stages = [
        max((s.seconds for s in steps if s.stage == st and s.on_journeys), default=0) for st in ("detect", "recover")
    ]
    assert p.dr.region_loss_rto_seconds == sum(stages)
    operator = [s for s in steps if not s.automated]
    assert len(p.dr.runbook) == len(operator) and all(s.command for s in operator)


def test_a_writer_name_changed_by_a_record_change_cannot_recover_when_us_east_1_is_lost():
    """Route 53's control plane is served from us-east-1: a runbook that changes a record there is no
    recovery from losing us-east-1 (it is from losing another region)."""
    store = StoreWay(
        name="db",
        on_journeys=True,
        writer_region="us-east-1",
        regions=("us-east-1", "us-west-2"),
        promotion="rds-replica",
        writer_name="record-change",
    )
    steps = region_loss_steps("us-east-1", ["us-east-1", "us-west-2"], True, "x", DNS, [store], ["api"], 7)
    assert [s.service for s in blocked(steps, "us-east-1")] == ["Route 53"]
    assert rto_of(steps, "us-east-1") is None
    moved = StoreWay(**{**store.__dict__, "writer_region": "us-west-2", "regions": ("us-west-2", "us-east-1")})
    steps = region_loss_steps("us-west-2", ["us-west-2", "us-east-1"], True, "x", DNS, [moved], ["api"], 7)
    assert not blocked(steps, "us-west-2") and rto_of(steps, "us-west-2") == 90 + 600
    healthy = StoreWay(**{**store.__dict__, "writer_name": "failover-record"})
    steps = region_loss_steps("us-east-1", ["us-east-1", "us-west-2"], True, "x", DNS, [healthy], ["api"], 7)
    assert not blocked(steps, "us-east-1") and rto_of(steps, "us-east-1") == 90 + 600


@functools.cache
def _deployed(*transforms):
    return synth(
        EXAMPLES / "url-shortener.yaml", stack="url-shortener-prod", cloud="mocks", transforms=list(transforms)
    )


def test_the_deployed_what_if_reads_the_writer_names_mechanism():
    intact = _deployed()
    assert "not recoverable" not in what_if(intact.plan, intact.graph, "region-loss", "us-east-1").summary
    single = _deployed(
        only(
            "aws:route53/record:Record",
            "click-stats-writer-secondary",
            lambda p: {**p, "failover_routing_policies": None, "set_identifier": None},
        )
    )
    loss = what_if(single.plan, single.graph, "region-loss", "us-east-1")
    assert "not recoverable without us-east-1's control plane: click-stats" in loss.summary


def test_the_deployed_rto_follows_the_deployed_health_check_settings():
    def faster(props):
        return {**props, "request_interval": 10} if props.get("type") == "HTTPS" else None

    fast = _deployed(only("aws:route53/healthCheck:HealthCheck", "", faster))
    assert what_if(fast.plan, fast.graph, "region-loss", "us-east-1").rto_seconds == 10 * 3 + 60
    assert what_if(_deployed().plan, _deployed().graph, "region-loss", "us-east-1").rto_seconds == 30 * 3 + 60

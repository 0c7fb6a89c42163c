"""Each check of the plan's promises fails when the deployed state breaks its promise, and
the what-ifs on the deployed state agree with `hld explain` on the plan."""

from __future__ import annotations

import dataclasses

import pytest

from blueprints.whatif import explain
from hld.checks import PLAN, Run, evaluate
from hld.failures import agreement, what_if
from hld.graph import Graph, Resource
from tests.aws.mocks.conftest import STACKS, synthesized
from tests.aws.moto.conftest import in_moto


def changed(result, edit) -> Run:
    """The run with `edit(resource) -> Resource | None` applied (None drops the resource)."""
    resources = [r2 for r in result.graph.resources if (r2 := edit(r)) is not None]
    return Run(result.plan, Graph(resources), result.outputs)


def with_state(r: Resource, **state) -> Resource:
    return dataclasses.replace(r, state={**r.state, **state}, inputs={**r.inputs, **state})


def failing(run: Run, key: str) -> list[str]:
    [outcome] = evaluate(run, [key])
    assert outcome.status == "fail", f"{key} did not fail"
    return outcome.problems


def test_plan_checks_pass_on_every_stack_under_mocks_too():
    for stack in STACKS:
        result = synthesized(stack)
        outcomes = result.checks(PLAN)
        assert all(o.status == "pass" or o.detail.startswith("not applicable: ") for o in outcomes), stack


def test_availability_fails_when_a_journey_part_is_missing():
    result = synthesized("url-shortener-prod")
    run = changed(result, lambda r: None if r.type == "aws:elasticache/replicationGroup:ReplicationGroup" else r)
    assert any("no ReplicationGroup for url-cache" in p for p in failing(run, "availability"))


def test_availability_fails_when_the_estimate_misses_the_target():
    result = synthesized("e-commerce-prod")
    missed = result.plan.model_copy(update={"availability": result.plan.availability.model_copy(update={"met": False})})
    problems = failing(Run(missed, result.graph, result.outputs), "availability")
    assert "below the target" in problems[0]


def test_zones_fails_when_a_service_is_confined_to_one_zone():
    result = in_moto("url-shortener-prod")
    one_zone = [
        s.id for s in result.graph.find("aws.ec2.Subnet", _region="us-east-1") if s.name.endswith("private-us-east-1a")
    ]

    def edit(r):
        if r.type == "aws:ecs/service:Service" and r.name == "url-shortener-shortener-us-east-1":
            net = {**r.state["networkConfiguration"], "subnets": one_zone}
            return with_state(r, networkConfiguration=net)
        return r

    assert any(
        "url-shortener-shortener-us-east-1: tasks can run in ['us-east-1a']" in p
        for p in failing(changed(result, edit), "zones")
    )


def test_zones_fails_when_the_database_is_not_multi_az():
    result = in_moto("url-shortener-prod")
    run = changed(
        result,
        lambda r: with_state(r, multiAz=False) if r.name == "url-shortener-click-stats-us-east-1" and r.custom else r,
    )
    assert "url-shortener-click-stats-us-east-1: not Multi-AZ" in failing(run, "zones")


def test_regions_fails_when_a_table_replica_is_missing():
    result = in_moto("payments-ledger-prod")

    def edit(r):
        if r.type == "aws:dynamodb/table:Table":
            return with_state(r, replicas=[x for x in r.state["replicas"] if x["regionName"] != "us-west-2"])
        return r

    assert any("no replica in us-west-2" in p for p in failing(changed(result, edit), "regions"))


def test_regions_fails_when_the_cross_region_replica_is_missing():
    result = in_moto("url-shortener-prod")
    run = changed(result, lambda r: None if r.name == "url-shortener-click-stats-replica-us-west-2" and r.custom else r)
    assert "click-stats: no read replica of the us-east-1 writer in us-west-2" in failing(run, "regions")


def test_static_stability_fails_when_a_zone_loss_leaves_too_few_tasks():
    result = in_moto("url-shortener-prod")
    run = changed(
        result,
        lambda r: with_state(r, desiredCount=12) if r.name == "url-shortener-shortener-us-east-1" and r.custom else r,
    )
    problems = failing(run, "static-stability")
    assert any("after losing one, 8 x 500 = 4000 rps < 5000 rps" in p for p in problems), problems


def test_static_stability_fails_when_autoscaling_may_scale_in_below_the_minimum():
    result = synthesized("url-shortener-prod")
    run = changed(
        result,
        lambda r: with_state(r, minCapacity=3) if r.name == "url-shortener-shortener-scaling-us-west-2" else r,
    )
    assert any("scale in below the static-stability minimum" in p for p in failing(run, "static-stability"))


def test_dr_fails_when_a_region_gets_no_users():
    result = synthesized("social-feed-prod")

    def edit(r):
        policies = r.inputs.get("latencyRoutingPolicies") or [{}]
        return None if r.type == "aws:route53/record:Record" and policies[0].get("region") == "eu-west-1" else r

    assert "eu-west-1: no latency record sends users there" in failing(changed(result, edit), "dr")


def test_dr_fails_when_the_pilot_light_is_running():
    from hld.testing import synth_blueprint
    from tests.aws.mocks.test_checks import EVERY_KIND

    result = synth_blueprint(EVERY_KIND, stack="every-kind")
    assert result.plan.dr.strategy.value == "pilot-light"
    run = changed(
        result, lambda r: with_state(r, desiredCount=2) if r.name == "every-kind-api-us-west-2" and r.custom else r
    )
    assert any("pilot light runs 2 tasks" in p for p in failing(run, "dr"))


@pytest.mark.parametrize("stack", STACKS)
def test_what_ifs_on_the_deployed_state_agree_with_explain_on_the_plan(stack):
    result = in_moto(stack)
    plan = result.plan
    cases = [("zone-loss", z) for n in plan.networks for z in n.zones] + [
        ("region-loss", r) for r in plan.regions.value
    ]
    for disruption, lost in cases:
        assert agreement(explain(plan, disruption, lost), what_if(plan, result.graph, disruption, lost)) == [], (
            disruption,
            lost,
        )


def test_deployed_what_if_sees_what_the_plan_cannot():
    """The deployed state, not the plan, decides: fewer tasks deployed, less capacity left."""
    result = in_moto("url-shortener-prod")
    run = changed(
        result,
        lambda r: with_state(r, desiredCount=9) if r.name == "url-shortener-shortener-us-east-1" and r.custom else r,
    )
    deployed = what_if(result.plan, run.graph, "zone-loss", "us-east-1b")
    shortener = next(s for s in deployed.services if s.service == "shortener")
    assert not shortener.enough_without_scaling and "9 tasks over 3 zones, 6 left" in shortener.detail
    assert agreement(explain(result.plan, "zone-loss", "us-east-1b"), deployed)

"""FIS experiment templates in the offline cloud: the multi-region reference stack and a single-region
one pass `experiments`; a template that drops a zone's subnet, cuts off another zone's, stops on no
alarm of the stack or names an action FIS does not have is caught, by the check or by the offline
cloud's refusal."""

from __future__ import annotations

import functools

import pytest

from hld.errors import CloudRejected
from hld.testing import synth
from tests.helpers import EXAMPLES

URL = EXAMPLES / "url-shortener.yaml"
SHOP = EXAMPLES / "e-commerce.yaml"
TEMPLATE = "aws:fis/experimentTemplate:ExperimentTemplate"


def template(part: str, change):
    """A transform of the FIS template whose name contains `part`."""

    def transform(t: str, name: str, props: dict):
        return change(props) if t == TEMPLATE and name.endswith(part) else None

    return transform


def _check(*transforms, blueprint=URL, stack="url-shortener-prod", cloud="moto"):
    result = synth(blueprint, stack=stack, cloud=cloud, transforms=list(transforms))
    [outcome] = result.checks(["experiments"])
    return outcome, result


@functools.cache
def baseline(blueprint=URL, stack="url-shortener-prod"):
    return _check(blueprint=blueprint, stack=stack)


@pytest.mark.parametrize(
    ("blueprint", "stack", "losses"), [(URL, "url-shortener-prod", 8), (SHOP, "e-commerce-prod", 3)]
)
def test_every_required_loss_has_its_template(blueprint, stack, losses):
    outcome, result = baseline(blueprint, stack)
    assert outcome.status == "pass", outcome.problems
    assert outcome.detail.startswith(f"{losses} losses the design must survive")
    templates = result.graph.of(TEMPLATE)
    assert len(templates) == losses
    for t in templates:  # what moto holds is what was sent
        assert t.id and str(t.state.get("arn", "")).startswith(f"arn:aws:fis:{t.region}:")
        assert len(t.inputs["description"]) <= 512 and "expected RTO" in t.inputs["description"]


def _subnet_target(props):
    return next(t for t in props["targets"] if t.resource_type == "aws:ec2:subnet")


def _drop_one(props):
    target = _subnet_target(props)
    target.resource_arns = list(target.resource_arns)[1:]
    return props


def test_a_template_missing_a_subnet_of_its_zone_fails():
    outcome, _ = _check(template("fis-us-east-1a", _drop_one))
    assert outcome.status == "fail"
    assert any(
        p.startswith("zone-loss us-east-1a: url-shortener-zone-loss-us-east-1a: misses 1 of the 3 subnets")
        for p in outcome.problems
    ), outcome.problems


def test_a_template_cutting_off_another_zones_subnet_fails():
    seen: list = []

    def remember(props):
        seen.extend(_subnet_target(props).resource_arns)
        return props

    def swap(props):
        target = _subnet_target(props)
        target.resource_arns = [seen[0], *list(target.resource_arns)[1:]]
        return props

    outcome, _ = _check(template("fis-us-east-1a", remember), template("fis-us-east-1b", swap))
    assert outcome.status == "fail"
    assert any(
        p.startswith("zone-loss us-east-1b: url-shortener-zone-loss-us-east-1b: cuts off arn:aws:ec2:us-east-1:")
        and p.endswith("a subnet of us-east-1a, another zone")
        for p in outcome.problems
    ), outcome.problems


def test_a_template_without_stop_conditions_is_refused_by_the_offline_cloud_and_fails_the_check():
    def no_stops(props):
        return {**props, "stop_conditions": []}

    with pytest.raises(CloudRejected, match="no stop condition on a CloudWatch alarm"):
        _check(template("fis-us-west-2b", no_stops))
    outcome, _ = _check(template("fis-us-west-2b", no_stops), cloud="mocks")  # what a lenient cloud would keep
    assert any(p.startswith("url-shortener-zone-loss-us-west-2b: no stop condition") for p in outcome.problems), (
        outcome.problems
    )


def test_a_template_stopping_on_another_stacks_alarm_fails():
    def foreign(props):
        import pulumi_aws as aws

        arn = "arn:aws:cloudwatch:us-west-2:123456789012:alarm:someone-elses-alarm"
        return {
            **props,
            "stop_conditions": [aws.fis.ExperimentTemplateStopConditionArgs(source="aws:cloudwatch:alarm", value=arn)],
        }

    outcome, _ = _check(template("fis-us-west-2", foreign))
    assert any(
        p
        == "url-shortener-region-loss-us-west-2: stops on arn:aws:cloudwatch:us-west-2:123456789012:alarm:someone-elses-alarm, "
        "no alarm of this stack in us-west-2"
        for p in outcome.problems
    ), outcome.problems


def test_an_invalid_action_id_is_refused_with_the_documented_ones():
    def invalid(props):
        props["actions"][0].action_id = "aws:network:disrupt-everything"
        return props

    with pytest.raises(CloudRejected) as refused:
        _check(template("fis-us-east-1c", invalid))
    message = str(refused.value)
    assert "ValidationException" in message and "unknown action id 'aws:network:disrupt-everything'" in message
    assert "aws:network:disrupt-connectivity" in message  # says what FIS documents


def test_a_target_of_the_wrong_resource_type_or_a_missing_zone_parameter_is_refused():
    def wrong_type(props):
        _subnet_target(props).resource_type = "aws:ec2:instance"
        return props

    with pytest.raises(CloudRejected, match="unknown resource type 'aws:ec2:instance'"):
        _check(template("fis-us-east-1a", wrong_type), blueprint=SHOP, stack="e-commerce-prod")

    def no_zone(props):
        cache = next(t for t in props["targets"] if t.resource_type == "aws:elasticache:replicationgroup")
        cache.parameters = None
        return props

    with pytest.raises(CloudRejected, match="requires the target parameter 'availabilityZoneIdentifier'"):
        _check(template("fis-us-east-1b", no_zone), blueprint=SHOP, stack="e-commerce-prod")

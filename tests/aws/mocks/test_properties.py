"""Each promise checked as a property: a realistic regression of the generators (a changed value,
made with hld.testing's `transforms`) or of the planner (a patched function) makes exactly the
check that guards it fail, naming the resource; the same checks pass on every reference stack."""

from __future__ import annotations

import functools

import pulumi
import pytest

from hld.checks import CHECKS, PLAN
from hld.testing import synth
from tests.aws.mocks.conftest import STACKS, synthesized
from tests.helpers import EXAMPLES, ROOT

PROPERTIES = ("autoscaling", "egress", "listeners", "dns-failover", "cdn-failover", "queues", "global-tables")


@pytest.mark.parametrize("stack", STACKS)
def test_every_property_holds_on_every_reference_stack(stack):
    outcomes = synthesized(stack).checks(PLAN)
    # what the design does not have is not applicable (never passed): every other check passes
    assert all(o.status == "pass" or o.detail.startswith("not applicable: ") for o in outcomes), [
        (o.check, o.status, o.problems) for o in outcomes if o.status != "pass"
    ]


def _broken(stack: str, *transforms):
    config_blueprint = {
        "url-shortener-prod": "url-shortener.yaml",
        "payments-ledger-prod": "payments-ledger.yaml",
        "social-feed-prod": "social-feed.yaml",
        "e-commerce-prod": "e-commerce.yaml",
    }[stack]
    return synth(EXAMPLES / config_blueprint, stack=stack, cloud="mocks", transforms=list(transforms))


def _failed(result) -> dict[str, list[str]]:
    return {o.check: o.problems for o in result.checks() if o.status == "fail"}


def only(typ: str, suffix: str = "", change=None):
    """A transform of the resources of `typ` whose name ends with `suffix`."""

    def transform(t: str, name: str, props: dict):
        if t != typ or not name.endswith(suffix):
            return None
        return change(props)

    return transform


@functools.cache
def _url_failed(key: str) -> dict[str, list[str]]:
    return _failed(_broken("url-shortener-prod", *BREAKS[key]))


BREAKS = {
    "max-capacity": [
        only(
            "aws:appautoscaling/target:Target",
            "shortener-scaling-us-east-1",
            lambda p: {**p, "max_capacity": p["min_capacity"]},
        )
    ],
    "cpu-target": [
        only(
            "aws:appautoscaling/policy:Policy",
            "shortener-scale-on-cpu-us-east-1",
            lambda p: {
                **p,
                "target_tracking_scaling_policy_configuration": {
                    "target_value": 90,
                    "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
                },
            },
        )
    ],
    "one-zone-nat": [
        only(
            "aws:ec2/natGateway:NatGateway",
            "nat-us-east-1b",
            lambda p: {**p, "subnet_id": "url-shortener-public-us-east-1a-0000000"},
        )
    ],
    "other-zones-nat": [
        only(
            "aws:ec2/routeTable:RouteTable",
            "private-rt-us-east-1c",
            lambda p: {
                **p,
                "routes": [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "url-shortener-nat-us-east-1a-0000000"}],
            },
        )
    ],
    "http-forward": [
        only(
            "aws:lb/listener:Listener",
            "http-redirect-us-east-1",
            lambda p: {
                **p,
                "default_actions": [{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:tg"}],
            },
        )
    ],
    "unchecked-record": [only("aws:route53/record:Record", "api-us-west-2", lambda p: {**p, "health_check_id": None})],
    "writer-last-known": [
        only(
            "aws:route53/healthCheck:HealthCheck",
            "click-stats-writer-health",
            lambda p: {**p, "insufficient_data_health_status": "LastKnownStatus"},
        )
    ],
    "writer-alarm-missing": [
        only("aws:cloudwatch/metricAlarm:MetricAlarm", "writer-alarm", lambda p: {**p, "treat_missing_data": "missing"})
    ],
    "cdn-no-failover": [
        only(
            "aws:cloudfront/distribution:Distribution",
            "cdn",
            lambda p: (pulumi.set(p["default_cache_behavior"], "target_origin_id", "alb-us-east-1"), p)[1],
        )
    ],
    "many-retries": [
        only(
            "aws:sqs/queue:Queue",
            "clicks-us-west-2",
            lambda p: {
                **p,
                "redrive_policy": p["redrive_policy"].apply(
                    lambda s: s.replace('"maxReceiveCount": 5', '"maxReceiveCount": 1000')
                ),
            },
        )
    ],
}


@pytest.mark.parametrize(
    ("key", "check", "named"),
    [
        ("max-capacity", "autoscaling", "url-shortener-shortener-scaling-us-east-1"),
        ("cpu-target", "autoscaling", "url-shortener-shortener-us-east-1"),
        ("one-zone-nat", "egress", "us-east-1"),
        ("other-zones-nat", "egress", "url-shortener-private-rt-us-east-1c"),
        ("http-forward", "listeners", "url-shortener-http-redirect-us-east-1"),
        ("unchecked-record", "dns-failover", "url-shortener-api-us-west-2"),
        ("writer-last-known", "dns-failover", "url-shortener-click-stats-writer-health"),
        ("writer-alarm-missing", "dns-failover", "url-shortener-click-stats-writer-alarm"),
        ("cdn-no-failover", "cdn-failover", "url-shortener-cdn"),
        ("many-retries", "queues", "url-shortener-clicks-us-west-2"),
    ],
)
def test_a_regression_fails_the_check_that_guards_it(key, check, named):
    failed = _url_failed(key)
    assert check in failed, failed
    assert any(p.startswith(named) for p in failed[check]), failed[check]
    # what else may notice: the §7 TLS control sees plain HTTP too; a loss played on the state
    assert set(failed) - {check} <= {"tls", "losses", "static-stability", "zones", "invariants"}, failed


def test_dropping_strong_consistency_from_a_global_table_fails_global_tables():
    def eventual(props):
        for replica in props["replicas"]:
            pulumi.set(replica, "consistency_mode", None)
        return props

    failed = _failed(_broken("payments-ledger-prod", only("aws:dynamodb/table:Table", "ledger", eventual)))
    assert "not strongly consistent" in failed["global-tables"][0]
    # eventual replicas also lose the RPO of 0: the blueprint's (objectives) and the store's own (invariants);
    # and an eventual global table is one FIS can pause, which the region experiments do not (experiments)
    assert set(failed) <= {"global-tables", "objectives", "invariants", "experiments"}


def test_a_planner_that_sizes_regions_for_less_than_the_peak_fails_invariants(monkeypatch):
    import blueprints.planner.services as services

    real = services.design_rps
    monkeypatch.setattr(services, "design_rps", lambda peak, regions, active: real(peak, regions, active) // 4)
    result = synth(EXAMPLES / "url-shortener.yaml", stack="url-shortener-prod", cloud="mocks")
    failed = _failed(result)
    assert "static-stability" not in failed  # the graph matches the (wrong) plan
    assert any("short of 5000 rps" in p for p in failed["invariants"]), failed


def test_a_planner_that_misquotes_a_figure_fails_invariants(monkeypatch):
    import importlib

    journeys = importlib.import_module("blueprints.planner.journeys")
    real = journeys.part

    def generous(key, component, scope):
        made = real(key, component, scope)
        return made.model_copy(update={"percent": 100.0}) if key == "elb-multi-az" else made

    monkeypatch.setattr(journeys, "part", generous)
    result = synth(EXAMPLES / "e-commerce.yaml", stack="e-commerce-prod", cloud="mocks")
    failed = _failed(result)
    assert any("its parts give" in p for p in failed["invariants"]), failed


def test_a_multi_zone_writer_in_one_zone_fails_invariants(monkeypatch):
    result = synth(
        ROOT / "tests" / "data" / "designs" / "regional-api.yaml",
        cloud="mocks",
        transforms=[only("aws:rds/instance:Instance", "orders-us-east-1", lambda p: {**p, "multi_az": False})],
    )
    failed = _failed(result)
    assert any("a writer in one zone" in p for p in failed["invariants"]), failed


def test_losses_fail_when_a_zone_loss_leaves_too_few_tasks():
    result = _broken(
        "url-shortener-prod",
        only("aws:ecs/service:Service", "shortener-us-east-1", lambda p: {**p, "desired_count": 3}),
    )
    failed = _failed(result)
    assert any("us-east-1a: shortener keeps" in p for p in failed["losses"]), failed


def test_the_check_catalog_lists_every_property():
    assert set(PROPERTIES) <= set(CHECKS) and "invariants" in CHECKS and "losses" in CHECKS


@functools.cache
def _feed_failed(key: str) -> dict[str, list[str]]:
    return _failed(_broken("social-feed-prod", *FEED_BREAKS[key]))


def _ttl(props):
    defs = props["container_definitions"]

    def change(s):
        return s.replace(
            '"name": "TIMELINE_CACHE_TTL_SECONDS", "value": "300"',
            '"name": "TIMELINE_CACHE_TTL_SECONDS", "value": "86400"',
        )

    return {**props, "container_definitions": defs.apply(change) if hasattr(defs, "apply") else change(defs)}


FEED_BREAKS = {
    "cache-ttl": [only("aws:ecs/taskDefinition:TaskDefinition", "timeline-task-eu-west-1", _ttl)],
    "table-two-regions": [
        only(
            "aws:dynamodb/table:Table",
            "posts",
            lambda p: {**p, "replicas": [r for r in p["replicas"] if pulumi.get(r, "region_name") != "ap-northeast-1"]},
        )
    ],
}


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("cache-ttl", "social-feed-timeline-task-eu-west-1"),
        ("table-two-regions", "social-feed-posts"),
    ],
)
def test_a_convergence_claim_without_its_path_fails_convergence(key, named):
    failed = _feed_failed(key)
    assert "convergence" in failed, failed
    assert any(p.startswith(named) for p in failed["convergence"]), failed["convergence"]


def test_convergence_is_not_applicable_in_one_region():
    outcomes = {o.check: o for o in synthesized("e-commerce-prod").checks()}
    assert outcomes["convergence"].status == "skip" and "not applicable" in outcomes["convergence"].detail


def _drop_read_host(props):
    import json as _json

    def change(raw):
        containers = _json.loads(raw) if isinstance(raw, str) else raw
        for c in containers:
            c["environment"] = [e for e in c.get("environment") or [] if e["name"] != "CATALOG_READ_HOST"]
        return _json.dumps(containers)

    defs = props["container_definitions"]
    return {**props, "container_definitions": defs.apply(change) if hasattr(defs, "apply") else change(defs)}


def test_a_reader_the_plan_counts_that_no_task_names_fails_app_contract():
    """e-commerce's plan counts 2 Aurora replicas serving catalog's reads: the tasks must get the
    cluster's reader endpoint, or those replicas serve nothing."""
    intact = {o.check: o for o in synthesized("e-commerce-prod").checks()}
    assert intact["app-contract"].status == "pass", intact["app-contract"].problems
    failed = _failed(
        _broken(
            "e-commerce-prod", only("aws:ecs/taskDefinition:TaskDefinition", "product-task-us-east-1", _drop_read_host)
        )
    )
    assert any(
        p.startswith("e-commerce-product-task-us-east-1: missing ['CATALOG_READ_HOST']") for p in failed["app-contract"]
    )
    assert any("does not name the readers" in p for p in failed["app-contract"]), failed["app-contract"]

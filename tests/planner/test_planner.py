"""Planner decisions: engines, replication, capacity, DR, objectives, derived knobs."""

from __future__ import annotations

import pytest

from blueprints import StackSettings, load, plan
from tests.helpers import EXAMPLES, make, parse_doc


@pytest.fixture(scope="module")
def plans():
    return {p.stem: plan(load(p)) for p in EXAMPLES.glob("*.yaml")}


def test_every_reference_blueprint_meets_its_targets(plans):
    assert set(plans) == {"url-shortener", "e-commerce", "social-feed", "payments-ledger"}
    for name, p in plans.items():
        assert p.ok, (name, p.unmet)


def test_url_shortener_decisions(plans):
    p = plans["url-shortener"]
    assert p.regions.value == ["us-east-1", "us-west-2"]
    assert [n.zones for n in p.networks] == [
        ["us-east-1a", "us-east-1b", "us-east-1c"],
        ["us-west-2a", "us-west-2b", "us-west-2c"],
    ]
    assert p.store("urls").engine.value == "dynamodb" and p.store("urls").global_mode == "MREC"
    assert p.store("url-cache").engine.value == "valkey"
    assert p.store("clicks").engine.value == "sqs"
    stats = p.store("click-stats")
    assert stats.engine.value == "rds-postgresql"
    assert "one writer in us-east-1" in stats.replication.reason
    assert "RPO = replication lag" in stats.replication.reason and "not 0" in stats.replication.reason
    assert p.dr.strategy.value == "multi-site-active-active"
    short = p.service("shortener")
    assert [c.replicas_per_zone for c in short.capacity.value] == [5, 5]
    assert [c.max_replicas for c in short.capacity.value] == [150, 150]
    assert p.edge.cdn and p.edge.cdn.dynamic.value == "bypass"
    assert p.edge.cdn.cache_control == "max-age=3600, stale-while-revalidate=60"


def test_e_commerce_picks_aurora_for_journey_stores_at_99_95(plans):
    p = plans["e-commerce"]
    assert p.store("orders").engine.value == "aurora-postgresql"
    assert "99.95" in p.store("orders").engine.reason
    assert p.store("catalog").read_replicas == 2  # eventual: replicas serve reads
    assert p.store("orders").read_replicas == 1  # strong: one failover replica
    assert p.dr.strategy.value == "backup-restore"
    order = next(j for j in p.availability.journeys if j.service == "order")
    assert {part.sla for part in order.regional} >= {"elb-multi-az", "ecs-multi-az", "aurora-multi-az", "dynamodb"}
    assert "sqs" not in {part.sla for part in order.regional}  # async edge is off the journey


def test_payments_ledger_uses_mrsc(plans):
    p = plans["payments-ledger"]
    assert p.store("ledger").global_mode == "MRSC"
    assert p.dr.region_loss_rpo_seconds == 0


def test_rds_not_on_journey_below_rds_sla_stays_rds():
    p = plan(parse_doc(make(availability=99.9, redundancy={"level": "multi-zone"})))
    assert p.store("db").engine.value == "aurora-postgresql" or p.availability.target < 99.95
    assert p.store("db").engine.value == "rds-postgresql"


@pytest.mark.parametrize(
    ("availability", "level", "replication"),
    [
        (99.0, "multi-zone", "passive"),  # single-zone cannot carry a relational store at 99 %
        (99.9, "multi-zone", "passive"),
        (99.98, "multi-region", "active"),
    ],
)
def test_derived_level_is_the_cheapest_that_meets_the_target(availability, level, replication):
    p = plan(parse_doc(make(availability=availability, consistency="eventual")))
    assert (p.level.value, p.replication.value) == (level, replication)
    assert p.level.derived and "lowest level" in p.level.reason
    assert p.ok


def test_cdn_through_caps_a_journey_at_its_sla():
    doc = make(
        availability=99.99,
        consistency="eventual",
        redundancy={"level": "multi-region", "replication": "active"},
        edge={"cdn": {"dynamic": "through"}, "domain": "a.example.com"},
    )
    p = plan(parse_doc(doc))
    assert p.availability.estimate < 99.9
    assert not p.ok
    bypass = next(fix for u in p.unmet for fix in u.fixes if "bypass" in fix.change)
    assert not bypass.meets and bypass.reaches == "99.9895%"  # the Aurora writer all regions share limits it


def test_passive_strategy_follows_rto():
    doc = make(availability=99.9, redundancy={"level": "multi-region", "replication": "passive"}, rto="1h")
    p = plan(parse_doc(doc))
    assert p.dr.strategy.value == "pilot-light"
    assert p.service("api").capacity.value[1].role == "pilot-light"
    assert p.service("api").capacity.value[1].min_replicas == 0
    doc["rto"] = "15m"
    p = plan(parse_doc(doc))
    assert p.dr.strategy.value == "warm-standby"
    assert p.dr.backup_copy_regions == ["us-west-2"]


def test_rto_shorter_than_the_standby_can_fail_is_unmet():
    doc = make(availability=99.9, redundancy={"level": "multi-region", "replication": "passive"}, rto="2m")
    p = plan(parse_doc(doc))
    assert not p.ok
    unmet = next(u for u in p.unmet if u.what == "rto")
    # active-active still promotes the one relational writer on a region loss (health checks 1.5 min,
    # then the promotion 10 min): the standby's 11.5 min, so it moves nothing and is not offered
    assert "11.5 min" in unmet.why
    assert not any("replication: active" in fix.change for fix in unmet.fixes)
    assert any(fix.meets is False and "6.5 min" in fix.reaches for fix in unmet.fixes)


def test_development_stack_uses_one_nat_and_small_classes():
    bp = parse_doc(make())
    prod, dev = plan(bp), plan(bp, StackSettings(name="dev", environment="development"))
    assert prod.networks[0].nat_gateways.value == 3
    assert dev.networks[0].nat_gateways.value == 1
    assert dev.store("db").instance_class and dev.store("db").instance_class.value == "db.t4g.medium"


def test_relaxed_controls_are_flagged():
    p = plan(parse_doc(make(security={"tls": "disabled", "encryption_at_rest": False, "backup_retention_days": 3})))
    relaxed = {c.key for c in p.security if c.relaxed}
    assert relaxed == {"tls", "encryption-at-rest", "backups"}
    assert p.control("private-data").enabled


def test_plan_is_deterministic(example_text):
    from blueprints import parse

    text = example_text("url-shortener")
    assert plan(parse(text)).model_dump_json() == plan(parse(text)).model_dump_json()


@pytest.mark.parametrize(
    ("availability", "waf", "dynamic"),
    [(99.9, False, "bypass"), (99.89, False, "through"), (99.86, True, "bypass"), (99.8, True, "through")],
)
def test_dynamic_routes_bypass_the_cdn_when_going_through_it_would_make_the_target_unreachable(
    availability, waf, dynamic
):
    # through the CDN, CloudFront's 99.9 % (x the WAF's 99.95 % on the distribution) caps every journey
    doc = make(availability=availability)
    doc["edge"] = {"domain": "api.example.com", "cdn": {}, "waf": waf}
    p = plan(parse_doc(doc))
    assert p.edge.cdn.dynamic.value == dynamic, p.edge.cdn.dynamic.reason
    if dynamic == "bypass":
        assert "would make the target unreachable" in p.edge.cdn.dynamic.reason
    if availability == 99.9:
        assert p.ok, p.unmet


def test_a_single_zone_plan_says_so_in_its_sizing_and_its_database():
    doc = make(redundancy={"level": "single-zone"}, availability=99.0)
    p = plan(parse_doc(doc))
    [svc] = p.services
    assert "(1 - 1)" not in svc.capacity.reason and "one zone" in svc.capacity.reason
    db = p.store("db")
    assert db.engine.value == "rds-postgresql" and "Multi-AZ" not in db.engine.reason
    assert "Multi-AZ" not in db.replication.reason and "no standby" in db.replication.reason


@pytest.mark.parametrize(
    ("cpu", "memory", "size", "why"),
    [
        (0.3, "40Gi", (8192, 40960), "4096 CPU units hold at most 30720 MiB, so 40960 MiB needs 8192"),
        (1.5, "512Mi", (2048, 4096), "2048 CPU units take 4096 MiB or more"),
        (0.25, "512Mi", (256, 512), None),
    ],
)
def test_a_task_size_rounded_up_to_fargate_says_so_and_why(cpu, memory, size, why):
    from hld.report import plan_view

    doc = make()
    doc["services"][0].update(cpu=cpu, memory=memory)
    p = plan(parse_doc(doc))
    [svc] = p.services
    assert (svc.task_cpu.value, svc.task_memory) == size
    if why is None:
        assert "rounded up" not in svc.task_cpu.reason
        return
    assert f"rounded up from {cpu} vCPU" in svc.task_cpu.reason and why in svc.task_cpu.reason
    from rich.console import Console

    console = Console(width=400, record=True)
    console.print(plan_view(p))
    text = console.export_text()
    assert "(rounded up to a Fargate size)" in text and why in text

"""A single-zone design serves from one zone, and its network has subnets in a second zone only for
what AWS requires to span two (an ALB, a DB subnet group): the plan says so, with the reason, and its
availability stays single-zone (issue 24 §1)."""

from __future__ import annotations

from blueprints import load, plan
from blueprints.zone_minimums import ZONE_MINIMUMS
from tests.helpers import DESIGNS, make, parse_doc


def test_a_single_zone_plan_adds_a_second_zone_only_for_the_alb_and_the_db_subnet_group():
    p = plan(load(DESIGNS / "guestbook.yaml"))
    assert p.ok, p.unmet
    [net] = p.networks
    assert net.zones == ["us-east-1a"]
    assert net.subnet_zones is not None and net.subnet_zones.value == ["us-east-1a", "us-east-1b"]
    by_tier = {tier: [s.zone for s in net.subnets if s.tier == tier] for tier in ("public", "private", "isolated")}
    assert by_tier == {
        "public": ["us-east-1a", "us-east-1b"],
        "private": ["us-east-1a"],
        "isolated": ["us-east-1a", "us-east-1b"],
    }
    assert len({s.cidr for s in net.subnets}) == len(net.subnets)
    reason = net.subnet_zones.reason
    assert "AWS requires an Application Load Balancer's subnets to cover at least 2 zones" in reason
    assert "a DB subnet group's subnets to cover at least 2 zones" in reason
    assert "stay in us-east-1a" in reason and "nothing serves from us-east-1b" in reason
    assert net.nat_gateways.value == 1


def test_its_availability_stays_single_zone():
    p = plan(load(DESIGNS / "guestbook.yaml"))
    for journey in p.availability.journeys:
        slas = {part.sla for part in journey.regional}
        assert {"elb-single-az", "ecs-single", "rds-single-az", "elasticache-single-az"} <= slas
        assert not any(s.endswith("multi-az") for s in slas)
    assert all(not s.multi_az for s in p.datastores)


def test_only_what_needs_a_second_zone_gets_one():
    internal = plan(
        parse_doc(
            make(
                availability=95,
                redundancy={"level": "single-zone"},
                edge=None,
                services=[{"name": "worker", "image": "ghcr.io/x/w:1", "uses": ["jobs"]}],
                datastores=[{"name": "jobs", "kind": "cache"}],
            )
        )
    )
    [net] = internal.networks
    assert {s.zone for s in net.subnets} == {"us-east-1a"}  # no ALB, no DB subnet group: one zone
    assert net.subnet_zones is not None and net.subnet_zones.value == ["us-east-1a"]


def test_a_multi_zone_plan_is_unchanged():
    p = plan(parse_doc(make()))
    for net in p.networks:
        assert net.subnet_zones is not None and net.subnet_zones.value == net.zones
        assert [s.zone for s in net.subnets if s.tier == "private"] == net.zones
        assert "enough for what AWS requires" in net.subnet_zones.reason


def test_the_minimums_the_planner_reads_are_the_sourced_ones():
    assert ZONE_MINIMUMS["alb"].zones == 2 and ZONE_MINIMUMS["db-subnet-group"].zones == 2
    assert ZONE_MINIMUMS["cache-subnet-group"].zones == 1 and ZONE_MINIMUMS["ecs-service"].zones == 1

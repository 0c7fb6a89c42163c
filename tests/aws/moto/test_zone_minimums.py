"""Issue 24 §1: a single-zone design gave its ALB one subnet and its DB subnet group one zone, which
AWS refuses, and `verify` passed. The offline clouds now refuse every resource whose subnets cover
fewer zones than its row of blueprints.zone_minimums (as AWS words it, naming the resource); the
single-zone design keeps its serving resources in one zone while the ALB and the DB subnet group
span two, and the `zones` check holds both on the deployed state."""

from __future__ import annotations

import dataclasses

import pytest

from blueprints.zone_minimums import ZONE_MINIMUMS, subnet_ids, zone_minimum
from hld.checks import Run, evaluate
from hld.errors import CloudRejected
from hld.graph import Graph, value, zones_of_subnets
from hld.offline.refusals import refusal, zone_refusal
from hld.testing import synth
from tests.aws.mocks.conftest import synthesized
from tests.helpers import DESIGNS, make

SINGLE = DESIGNS / "guestbook.yaml"
ALB = "aws:lb/loadBalancer:LoadBalancer"
DB_SUBNETS = "aws:rds/subnetGroup:SubnetGroup"


def first_subnet_only(typ: str, prop: str):
    """A transform that keeps only the first of the subnets a resource of `typ` is given."""

    def transform(t: str, _name: str, props: dict):
        if t != typ:
            return None
        return {**props, prop: list(props[prop])[:1]}

    return transform


@pytest.mark.parametrize("cloud", ["moto", "mocks"])
def test_an_alb_with_subnets_in_one_zone_is_refused(cloud):
    with pytest.raises(CloudRejected) as refused:
        synth(SINGLE, cloud=cloud, transforms=[first_subnet_only(ALB, "subnets")])
    message = str(refused.value)
    assert f"AWS rejected {ALB} 'guestbook-alb-us-east-1' in us-east-1" in message
    assert "At least two subnets in two different Availability Zones must be specified" in message


@pytest.mark.parametrize("cloud", ["moto", "mocks"])
def test_a_db_subnet_group_in_one_zone_is_refused(cloud):
    with pytest.raises(CloudRejected) as refused:
        synth(SINGLE, cloud=cloud, transforms=[first_subnet_only(DB_SUBNETS, "subnet_ids")])
    message = str(refused.value)
    assert f"AWS rejected {DB_SUBNETS} 'guestbook-entries-subnets-us-east-1' in us-east-1" in message
    assert "DBSubnetGroupDoesNotCoverEnoughAZs" in message and "Current AZ coverage: us-east-1a" in message


def test_an_aurora_clusters_subnet_group_in_one_zone_is_refused():
    doc = make(
        availability=95,
        redundancy={"level": "single-zone"},
        datastores=[{"name": "db", "kind": "relational", "engine": "aurora-postgresql"}],
    )
    with pytest.raises(CloudRejected, match=r"'shop-db-subnets-us-east-1'.*DBSubnetGroupDoesNotCoverEnoughAZs"):
        synth(doc, cloud="moto", transforms=[first_subnet_only(DB_SUBNETS, "subnet_ids")])


def test_an_alb_with_two_subnets_in_one_zone_is_refused():
    """AWS takes one subnet per zone: two public subnets moved into one zone are refused too."""

    def same_zone(t: str, name: str, props: dict):
        if t == "aws:ec2/subnet:Subnet" and name == "regional-api-public-us-east-1b":
            return {**props, "availability_zone": "us-east-1a"}
        return None

    with pytest.raises(
        CloudRejected, match=r"LoadBalancer 'regional-api-alb-[\w-]+'.*multiple subnets in the same Availability"
    ):
        synth(DESIGNS / "regional-api.yaml", cloud="moto", transforms=[same_zone])


def test_the_refusal_follows_the_zones_the_cloud_placed():
    zones = {"s-a": "us-east-1a", "s-a2": "us-east-1a", "s-b": "us-east-1b"}.get
    assert zone_refusal(ALB, {"subnets": ["s-a", "s-b"]}, zones) is None
    assert zone_refusal(ALB, {"subnets": ["s-a"]}, zones).startswith("ValidationError: At least two subnets")
    assert zone_refusal(ALB, {"subnets": ["s-a", "s-a2"]}, zones).startswith("InvalidConfigurationRequest")
    assert zone_refusal(ALB, {"subnets": ["s-a"], "loadBalancerType": "network"}, zones) is None  # an NLB: one zone
    assert zone_refusal(DB_SUBNETS, {"subnetIds": ["s-a", "s-a2"]}, zones).startswith(
        "DBSubnetGroupDoesNotCoverEnoughAZs"
    )
    assert zone_refusal("aws:elasticache/subnetGroup:SubnetGroup", {"subnetIds": ["s-a"]}, zones) is None
    assert zone_refusal("aws:ecs/service:Service", {"networkConfiguration": {"subnets": ["s-a"]}}, zones) is None
    assert zone_refusal(ALB, {"subnets": ["s-a", "unknown"]}, zones) is None  # the cloud refuses an unknown subnet


def test_a_multi_az_instance_asked_for_a_zone_is_refused():
    asked = {"engine": "postgres", "multiAz": True, "availabilityZone": "us-east-1a"}
    assert refusal("aws:rds/instance:Instance", asked).startswith("InvalidParameterCombination: Requesting a specific")
    assert refusal("aws:rds/instance:Instance", {**asked, "multiAz": False}) is None


def test_every_row_has_a_source_and_every_resource_given_subnets_has_a_row():
    assert all(row.source.startswith("https://") and row.zones >= 1 for row in ZONE_MINIMUMS.values())
    assert all(row.refusal for row in ZONE_MINIMUMS.values() if row.zones > 1)
    for stack in ("e-commerce-prod", "url-shortener-prod"):
        for r in synthesized(stack).graph.resources:
            inputs = {**r.inputs, **r.state}
            given = {k for k in ("subnets", "subnetIds", "subnetId") if k in inputs}
            given |= {"networkConfiguration"} if "subnets" in str(inputs.get("networkConfiguration")) else set()
            if given and r.type != "aws:ec2/routeTableAssociation:RouteTableAssociation":
                row = zone_minimum(r.type, inputs)
                assert row is not None, f"{r.type} takes subnets and has no row in blueprints.zone_minimums"
                assert subnet_ids(row, inputs), r.name


# the single-zone design ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def single():
    return synth(SINGLE, cloud="moto")


def test_the_single_zone_design_verifies_with_every_check_passing(single):
    outcomes = single.checks()
    assert [o.check for o in outcomes if o.status == "fail"] == [], [o.problems for o in outcomes]


def test_it_serves_from_one_zone_and_spans_two_where_aws_requires(single):
    g = single.graph
    [alb] = g.of(ALB)
    assert sorted(value(alb, "availability_zones")) == ["us-east-1a", "us-east-1b"]
    [db_group] = g.of(DB_SUBNETS)
    assert zones_of_subnets(g, value(db_group, "subnet_ids")) == {"us-east-1a", "us-east-1b"}
    [cache_group] = g.of("aws:elasticache/subnetGroup:SubnetGroup")
    assert zones_of_subnets(g, value(cache_group, "subnet_ids")) == {"us-east-1a"}  # ElastiCache: no minimum
    [db] = g.of("aws:rds/instance:Instance")
    rds = single.client("rds", "us-east-1")
    [placed] = rds.describe_db_instances(DBInstanceIdentifier=value(db, "identifier"))["DBInstances"]
    assert placed["AvailabilityZone"] == "us-east-1a" and placed["MultiAZ"] is False
    [cache] = g.of("aws:elasticache/replicationGroup:ReplicationGroup")
    assert value(cache, "member_zones") == ["us-east-1a"]
    [svc] = g.of("aws:ecs/service:Service")
    assert zones_of_subnets(g, value(svc, "network_configuration")["subnets"]) == {"us-east-1a"}
    assert {str(value(s, "availability_zone")) for s in g.of("aws:ec2/subnet:Subnet")} == {"us-east-1a", "us-east-1b"}
    private = [s for s in g.of("aws:ec2/subnet:Subnet") if "-private-" in s.name]
    assert [str(value(s, "availability_zone")) for s in private] == ["us-east-1a"]


def _zones_problems(single, edit) -> list[str]:
    run = Run(single.plan, Graph([edit(r) for r in single.graph.resources]), single.outputs)
    [outcome] = evaluate(run, ["zones"])
    assert outcome.status == "fail", "zones did not fire"
    return outcome.problems


def test_the_zones_check_fires_on_a_db_instance_outside_the_serving_zone(single):
    def moved(r):
        if r.type != "aws:rds/instance:Instance":
            return r
        moved = {"availabilityZone": "us-east-1b"}
        return dataclasses.replace(r, inputs={**r.inputs, **moved}, state={**r.state, **moved})

    problems = _zones_problems(single, moved)
    assert any("guestbook-entries-us-east-1: serves from ['us-east-1b']" in p for p in problems), problems


def test_the_zones_check_fires_on_an_alb_in_one_zone_whatever_the_plan_says(single):
    def narrowed(r):
        if r.type != ALB:
            return r
        return dataclasses.replace(
            r,
            inputs={**r.inputs, "subnets": r.inputs["subnets"][:1]},
            state={**r.state, "subnets": r.state["subnets"][:1], "availabilityZones": ["us-east-1a"]},
        )

    problems = _zones_problems(single, narrowed)
    assert any("guestbook-alb-us-east-1: subnets in ['us-east-1a'], fewer than the 2 zones" in p for p in problems)


def test_the_zones_check_fires_on_a_single_az_instance_left_to_aws_to_place():
    """Unasked, AWS may place a Single-AZ instance in any zone of its subnet group, the one that
    serves nothing included (moto always answers the first zone: the check does not trust it)."""

    def unpinned(t: str, _name: str, props: dict):
        return {**props, "availability_zone": None} if t == "aws:rds/instance:Instance" else None

    [outcome] = synth(SINGLE, cloud="moto", transforms=[unpinned]).checks(["zones"])
    assert outcome.status == "fail"
    assert any("guestbook-entries-us-east-1: serves from ['us-east-1b']" in p for p in outcome.problems)

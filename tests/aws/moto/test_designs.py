"""The test designs (tests/data/designs) through the Pulumi program into moto's AWS: every check
passes, and what the design asks for is what is deployed."""

from __future__ import annotations

import functools

import pytest

from blueprints.figures import SETTINGS
from blueprints.plan_model import PROBE
from hld import testing
from hld.graph import value
from tests.helpers import DESIGNS


@functools.cache
def deployed(stem: str) -> testing.Tested:
    return testing.synth(DESIGNS / f"{stem}.yaml", cloud="moto")


MEETING = ["regional-api", "wiki", "static-site", "static-site-waf", "chat", "guestbook"]


@pytest.mark.parametrize("stem", MEETING)
def test_every_check_passes(stem):
    outcomes = deployed(stem).checks()
    assert [o.check for o in outcomes if o.status == "fail"] == [], [o.problems for o in outcomes]


def test_without_a_domain_the_offline_run_uses_the_invalid_placeholder():
    result = deployed("regional-api")
    placeholder = f"{result.stack}.regional-api.hld.invalid"
    assert result.outputs["domain"] == placeholder
    assert result.outputs["api_url"] == f"https://{placeholder}"
    certs = result.graph.of("aws:acm/certificate:Certificate")
    assert certs and all(str(value(c, "domain_name")).endswith(".invalid") for c in certs)


def test_a_static_site_is_a_bucket_behind_the_cdn_and_nothing_else():
    result = deployed("static-site")
    types = {r.type for r in result.graph.resources}
    for absent in (
        "aws:ec2/vpc:Vpc",
        "aws:ec2/natGateway:NatGateway",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:ecs/cluster:Cluster",
        "aws:ecs/service:Service",
    ):
        assert absent not in types, absent
    [distribution] = result.graph.of("aws:cloudfront/distribution:Distribution")
    origins = value(distribution, "origins")
    assert origins and all(o.get("originAccessControlId") for o in origins)
    assert all(not o.get("customOriginConfig") for o in origins)
    assert value(distribution, "default_root_object") == "index.html"
    [oac] = result.graph.of("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert value(oac, "origin_access_control_origin_type") == "s3" and value(oac, "signing_behavior") == "always"
    policies = result.graph.of("aws:s3/bucketPolicy:BucketPolicy")
    assert any("cloudfront.amazonaws.com" in str(value(p, "policy")) for p in policies)
    assert any("AWS:SourceArn" in str(value(p, "policy")) for p in policies)  # only this distribution reads it


def test_long_lived_connections_reach_the_load_balancer_and_target_groups():
    result = deployed("chat")
    [alb] = result.graph.of("aws:lb/loadBalancer:LoadBalancer")
    assert value(alb, "idle_timeout") == SETTINGS["idle-timeout-long-lived"].value
    groups = [g for g in result.graph.of("aws:lb/targetGroup:TargetGroup") if "gateway" in g.name]
    assert groups and all(
        value(g, "deregistration_delay") in (SETTINGS["deregistration-delay-long-lived"].value, "300") for g in groups
    )
    short = deployed("regional-api")
    [alb] = short.graph.of("aws:lb/loadBalancer:LoadBalancer")
    assert value(alb, "idle_timeout") == SETTINGS["idle-timeout"].value


def test_every_public_service_is_probed_and_the_region_check_is_calculated():
    from tests.aws.moto.conftest import in_moto

    result = in_moto("url-shortener-prod")
    plan = result.plan
    public = [s for s in plan.services if s.public]
    checks = result.graph.of("aws:route53/healthCheck:HealthCheck")
    for region in plan.regions.value:
        probes = [c for c in checks if value(c, "type") == "HTTPS" and region in c.name]
        assert {str(value(p, "resource_path")) for p in probes} == {f"{s.health}?{PROBE}={s.name}" for s in public}
        [calculated] = [c for c in checks if value(c, "type") == "CALCULATED" and region in c.name]
        assert value(calculated, "child_health_threshold") == len(public)
        assert len(value(calculated, "child_healthchecks")) == len(public)
    # the API's routed records (aliases to the load balancers); a store's writer name is a failover
    # pair on an alarm's health check, which dns-failover holds to its own rule
    records = [
        r for r in result.graph.of("aws:route53/record:Record") if value(r, "set_identifier") and value(r, "aliases")
    ]
    calculated_ids = {c.id for c in checks if value(c, "type") == "CALCULATED"}
    assert records and all(str(value(r, "health_check_id")) in calculated_ids for r in records)
    # each probe reaches its own service: a listener rule on the health path with ?hld-probe=<service>
    rules = result.graph.of("aws:lb/listenerRule:ListenerRule")
    for svc in public:
        assert any(
            f"'{PROBE}'" in str(value(rule, "conditions")) and f"'{svc.name}'" in str(value(rule, "conditions"))
            for rule in rules
        ), svc.name


def test_only_public_routes_are_cached_at_the_edge():
    result = deployed("wiki")
    [distribution] = result.graph.of("aws:cloudfront/distribution:Distribution")
    disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # the managed CachingDisabled policy
    default = value(distribution, "default_cache_behavior")
    assert default["cachePolicyId"] == disabled
    ordered = value(distribution, "ordered_cache_behaviors") or []
    cached = [b["pathPattern"] for b in ordered if b["cachePolicyId"] != disabled]
    assert cached == ["/wiki/*"]


def test_a_static_site_in_two_regions_survives_every_loss_on_the_deployed_state():
    # nothing zonal (no VPC, no subnets): the zone losses are survived trivially, and the regions
    # are those holding its buckets
    from hld.failures import what_if

    result = deployed("static-site-waf")
    [losses] = [o for o in result.checks() if o.check == "losses"]
    assert losses.status == "pass", losses.problems
    zone = what_if(result.plan, result.graph, "zone-loss", "us-east-1a")
    assert all(j.survives for j in zone.journeys) and "survived trivially" in zone.journeys[0].detail
    region = what_if(result.plan, result.graph, "region-loss", "us-east-1")
    assert all(j.survives for j in region.journeys)

"""Sound designs written by others in the published format plan as their authors meant: no domain,
replication inside one region, a static site, per-route data flow, long-lived connections
(tests/data/designs)."""

from __future__ import annotations

import pytest
import yaml

from blueprints import load, plan
from blueprints.figures import SETTINGS
from hld.stack import ConfigError, StackConfig, is_placeholder, plan_for
from tests.helpers import DESIGNS, make, parse_doc


def planned(stem: str):
    return plan(load(DESIGNS / f"{stem}.yaml"))


@pytest.mark.parametrize(
    "stem", ["regional-api", "wiki", "static-site", "static-site-waf", "chat", "guestbook", "typeahead"]
)
def test_each_design_meets_its_targets(stem):
    p = planned(stem)
    assert p.ok, p.unmet


def test_a_design_without_a_domain_plans_and_says_a_deployment_needs_one():
    p = planned("regional-api")
    assert p.edge.domain is None and p.edge.needs_domain
    assert p.edge.certificate is None and p.edge.api_host is None


def test_an_offline_run_without_a_domain_uses_a_placeholder_under_invalid():
    config = StackConfig(blueprint=DESIGNS / "regional-api.yaml", offline=True)
    p = plan_for(config, "dev")
    assert p.edge.domain == "dev.regional-api.hld.invalid" and is_placeholder(p.edge.domain)
    assert p.edge.certificate is not None


def test_a_real_run_without_a_domain_stops_naming_hld_domain():
    config = StackConfig(blueprint=DESIGNS / "regional-api.yaml")
    with pytest.raises(ConfigError, match="hld:domain") as raised:
        plan_for(config, "prod")
    assert "nothing was created" in str(raised.value)


def test_the_stack_domain_is_applied_before_validation(tmp_path):
    # a hosted zone without a domain is invalid on its own; the stack's domain completes it
    text = (DESIGNS / "regional-api.yaml").read_text() + "edge:\n  hosted_zone: Z123EXAMPLE\n"
    path = tmp_path / "zoned.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="hosted zone needs `domain`"):
        plan_for(StackConfig(blueprint=path), "prod")
    p = plan_for(StackConfig(blueprint=path, domain="orders.example.com"), "prod")
    assert p.edge.domain == "orders.example.com" and p.edge.hosted_zone == "Z123EXAMPLE"


def test_multi_zone_passive_standbys_take_over_and_do_not_serve():
    p = planned("regional-api")
    assert (p.level.value, p.replication.value) == ("multi-zone", "passive")
    orders = p.store("orders")
    assert orders.engine.value == "rds-postgresql" and orders.read_replicas == 0
    assert "does not serve" in orders.replication.reason
    journey = p.availability.journeys[0]
    assert {part.sla for part in journey.regional} >= {"rds-multi-az"}


def test_multi_zone_active_replicas_serve_reads():
    doc = make(redundancy={"level": "multi-zone", "replication": "active"})
    doc["datastores"].append({"name": "sessions", "kind": "cache"})
    doc["services"][0]["uses"].append("sessions")
    p = plan(parse_doc(doc))
    db, cache = p.store("db"), p.store("sessions")
    assert db.engine.value == "aurora-postgresql" and "readers in every other zone serve reads" in db.engine.reason
    assert db.read_replicas == p.zones_per_region.value - 1
    assert cache.replicas_serve_reads and "reads spread over the replicas" in cache.replication.reason
    journey = p.availability.journeys[0]
    assert "aurora-multi-az" in {part.sla for part in journey.regional}
    passive = plan(parse_doc(make(redundancy={"level": "multi-zone", "replication": "passive"})))
    assert passive.store("db").read_replicas == 0


def test_replication_is_refused_only_where_there_is_nothing_to_replicate_to():
    from blueprints import BlueprintError

    with pytest.raises(BlueprintError, match="single-zone"):
        parse_doc(make(redundancy={"level": "single-zone", "replication": "passive"}))
    parse_doc(make(redundancy={"level": "multi-zone", "replication": "passive"}))


def test_a_static_site_has_no_services_network_or_load_balancer():
    p = planned("static-site")
    assert not p.services and not p.routing
    assert all(not n.vpc and n.nat_gateways.value == 0 for n in p.networks)
    assert p.edge.cdn is not None and p.edge.cdn.site == "site"
    assert [j.name for j in p.availability.journeys] == ["site: GET /*"]
    assert {part.sla for part in p.availability.journeys[0].global_parts} >= {"cloudfront"}
    controls = {c.key: c for c in p.security}
    assert not controls["non-root"].applies and not controls["dead-letter-queues"].applies
    assert "HTTPS listeners" not in controls["tls"].detail and "CloudFront" in controls["tls"].detail


def test_the_security_controls_name_only_parts_that_exist():
    p = planned("regional-api")  # no CDN, no table, no queue, no bucket
    text = " ".join(c.detail for c in p.security)
    for absent in ("CloudFront", "DynamoDB", "queue", "bucket", "cache"):
        assert absent not in text, absent
    assert not {c.key: c for c in p.security}["dead-letter-queues"].applies


def test_each_route_follows_its_own_uses():
    p = planned("chat")
    by_route = {j.route: {part.component for part in j.regional} for j in p.availability.journeys}
    assert "fanout" in by_route["POST /rooms/{id}/messages"]
    assert "fanout" not in by_route["GET /rooms/{id}/history"] and "presence" not in by_route["GET /rooms/{id}/history"]
    estimates = {j.route: j.estimate for j in p.availability.journeys}
    assert estimates["GET /rooms/{id}/history"] > estimates["POST /rooms/{id}/messages"]
    # the network stays per service: the gateway reaches every store it uses on any route
    assert set(p.service("gateway").stores) == {"messages", "presence", "fanout"}


def test_a_route_may_not_use_what_its_service_does_not():
    from blueprints import BlueprintError

    doc = make()
    doc["services"][0]["routes"] = [{"route": "GET /", "uses": ["other"]}]
    with pytest.raises(BlueprintError, match="other"):
        parse_doc(doc)


def test_long_lived_connections_set_idle_timeout_and_draining_with_reasons():
    p = planned("chat")
    gateway = p.service("gateway")
    assert gateway.connections.value == "long-lived" and gateway.connections.reason
    assert p.edge.idle_timeout_seconds.value == SETTINGS["idle-timeout-long-lived"].value
    assert p.edge.idle_timeout_seconds.value > SETTINGS["idle-timeout"].value
    assert "long-lived connections" in p.edge.idle_timeout_seconds.reason
    short = planned("regional-api")
    assert short.edge.idle_timeout_seconds.value == SETTINGS["idle-timeout"].value
    assert gateway.deregistration_delay_seconds > short.service("api").deregistration_delay_seconds


def test_long_lived_connections_need_a_public_service():
    from blueprints import BlueprintError

    doc = make()
    doc["services"].append({"name": "worker", "image": "ghcr.io/x/w:1", "connections": "long-lived"})
    with pytest.raises(BlueprintError, match="long-lived"):
        parse_doc(doc)


def test_a_static_site_says_up_front_what_the_cdn_and_waf_cap_it_at():
    p = planned("static-site-waf")
    assert p.level.value == "multi-region" and p.ok
    reason = p.edge.cdn.dynamic.reason
    assert "capped at CloudFront's 99.9% SLA x the WAF's 99.95% (99.85%)" in reason
    assert "below the target" not in reason
    doc = yaml.safe_load((DESIGNS / "static-site-waf.yaml").read_text())
    doc["availability"] = 99.9
    high = plan(parse_doc(doc))
    assert "(99.85%), below the target 99.9%: no redundancy level reaches it" in high.edge.cdn.dynamic.reason


def test_a_static_site_survives_a_zone_loss_trivially_and_a_region_loss_by_origin_failover():
    from blueprints.whatif import explain

    p = planned("static-site-waf")
    zone = explain(p, "zone-loss")
    assert all(j.survives for j in zone.journeys) and zone.services == [] and zone.rto_seconds == 0
    assert "survived trivially" in zone.journeys[0].detail and "nothing zonal" in zone.summary
    with pytest.raises(ValueError, match="not in the plan"):
        explain(p, "zone-loss", "eu-west-1a")
    region = explain(p, "region-loss")  # the journey's "service" is the bucket: no StopIteration
    assert all(j.survives for j in region.journeys) and "origin group" in region.journeys[0].detail

"""Latency per journey and users' area: the hops, their composition, the routing and consistency
assumptions, the targets and the PACELC record, against hand-computed figures."""

from __future__ import annotations

import pytest

from blueprints import BlueprintError, load, plan
from blueprints.latency import HOPS, RTT_P50, RTT_P90, nearest, rtt
from blueprints.plan_model import LatencyHop
from blueprints.planner.latency import compose
from blueprints.units import parse_millis
from tests.helpers import BASE, EXAMPLES, make, parse_doc


def _hop(p50: float, p99: float, share: float = 1.0) -> LatencyHop:
    return LatencyHop(key="x", what="x", p50=p50, p99=p99, share=share, source="test")


@pytest.mark.parametrize(
    ("hops", "p50", "p99"),
    [
        ([(10, 50, 1.0), (5, 10, 1.0)], 15, 60),  # in series: the sums
        ([(10, 50, 1.0), (5, 10, 0.2)], 10, 60),  # a hop a fifth take: in the tail, not the median
        ([(10, 50, 1.0), (5, 10, 0.6)], 15, 60),  # most requests take it: in both
        ([(10, 50, 1.0), (100, 200, 0.005)], 10, 50),  # under 1 %: in neither
        ([(10, 50, 1.0), (100, 200, 0.5)], 10, 250),  # exactly half: not the median
    ],
)
def test_composition_sums_the_hops_each_percentile_counts(hops, p50, p99):
    assert compose([_hop(*h) for h in hops]) == (p50, p99)


@pytest.mark.parametrize(("text", "ms"), [("50ms", 50.0), ("0.3s", 300.0), (12, 12.0), ("2.5 ms", 2.5), ("1s", 1000.0)])
def test_milliseconds_as_written(text, ms):
    assert parse_millis(text) == ms


@pytest.mark.parametrize("text", ["-1ms", "0", "fast", "5m", True])
def test_milliseconds_refused(text):
    with pytest.raises(ValueError, match="latency"):
        parse_millis(text)


def test_round_trips_are_symmetric_and_zero_within_a_region():
    assert rtt("us-east-1", "eu-west-1") == rtt("eu-west-1", "us-east-1")
    assert rtt("us-east-1", "us-east-1") == (0.0, 0.0)
    assert RTT_P90[("us-east-1", "eu-west-1")] >= RTT_P50[("us-east-1", "eu-west-1")]
    assert nearest("eu-west-2", ["us-east-1", "eu-west-1"]) == "eu-west-1"


def test_a_europe_user_of_the_url_shortener_pays_the_atlantic_by_hand():
    """url-shortener: eu-west-1's users reach us-east-1 (latency routing: the nearest of us-east-1 and
    us-west-2). POST /shorten writes urls (DynamoDB, local: MREC), url-cache (ElastiCache, one node
    in one of 3 zones) and sends to clicks (SQS)."""
    p = plan(load(EXAMPLES / "url-shortener.yaml"))
    assert p.latency is not None and p.latency.routing.value == "latency"
    journey = next(j for j in p.latency.journeys if j.journey == "shortener: POST /shorten")
    eu = next(a for a in journey.areas if a.area == "eu-west-1")
    assert eu.serving == "us-east-1"
    wan50, wan99 = RTT_P50[("eu-west-1", "us-east-1")], RTT_P90[("eu-west-1", "us-east-1")]
    h = HOPS
    # last mile, the Atlantic, load balancer, a task in another zone, processing, SQS, cache + its zone, DynamoDB
    p50 = 20 + wan50 + 1 + 1 + 10 + 10 + 0.5 + 1 + 5
    p99 = 60 + wan99 + 5 + 3.4 + 50 + 30 + 1 + 3.4 + 10
    assert (eu.p50, eu.p99) == (round(p50, 1), round(p99, 1))
    assert [x.key for x in eu.hops].count("cross-zone") == 2 and h["cross-zone"].p50 == 1
    # a new connection: DNS, then TCP and TLS 1.3 (one round trip each) to us-east-1
    assert eu.first_p50 == round(eu.p50 + 20 + 2 * (20 + wan50), 1)
    us = next(a for a in journey.areas if a.area == "us-west-2")
    assert us.serving == "us-west-2" and not [x for x in us.hops if x.key == "wan"]


def test_a_read_through_the_cache_takes_the_store_for_its_misses_only():
    p = plan(load(EXAMPLES / "url-shortener.yaml"))
    journey = next(j for j in p.latency.journeys if j.journey == "shortener: GET /{code}")
    hop = next(x for x in journey.areas[0].hops if x.store == "urls")
    assert hop.share == pytest.approx(0.2)  # url-cache answers 80 % (the stated assumption)
    assert any("url-cache answers 80% of reads" in a for a in p.latency.assumptions)
    post = next(j for j in p.latency.journeys if j.journey == "shortener: POST /shorten")
    assert next(x for x in post.areas[0].hops if x.store == "urls").share == 1.0  # writes always reach it


def _relational(regions, consistency, users, **more):
    doc = make(
        regions=regions,
        users=users,
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "relational", "consistency": consistency}],
        **more,
    )
    return plan(parse_doc(doc))


def test_strong_relational_reads_go_to_the_writer_and_eventual_ones_stay_local():
    users = {"us-east-1": 50, "eu-west-1": 50}
    strong = _relational(["us-east-1", "eu-west-1"], "strong", users)
    eu = strong.latency.journeys[0].areas[1]
    assert eu.serving == "eu-west-1"
    wan = [x for x in eu.hops if x.key == "wan"]
    assert [(x.store, x.region) for x in wan] == [("db", "us-east-1")]
    eventual = _relational(["us-east-1", "eu-west-1"], "eventual", users)
    eu_local = eventual.latency.journeys[0].areas[1]
    assert not [x for x in eu_local.hops if x.key == "wan"]
    assert eu.p50 - eu_local.p50 == pytest.approx(rtt("eu-west-1", "us-east-1")[0], abs=0.11)
    record = next(r for r in strong.latency.pacelc if r.store == "db")
    assert record.record == "PC/EC" and record.strong_read_ms["eu-west-1"] == pytest.approx(
        rtt("eu-west-1", "us-east-1")[0]
    )
    assert record.strong_read_ms["us-east-1"] == 0  # the writer's own region pays nothing more


def test_a_write_route_writes_to_the_single_writer_whatever_the_consistency():
    doc = make(
        regions=["us-east-1", "eu-west-1"],
        users={"us-east-1": 50, "eu-west-1": 50},
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "relational", "consistency": "eventual"}],
    )
    doc["services"][0]["routes"] = ["POST /"]
    p = plan(parse_doc(doc))
    eu = p.latency.journeys[0].areas[1]
    assert p.latency.journeys[0].operation == "write"
    assert [(x.store, x.region) for x in eu.hops if x.key == "wan"] == [("db", "us-east-1")]


def test_mrsc_writes_and_strong_reads_confirm_with_the_nearest_other_region():
    p = plan(load(EXAMPLES / "payments-ledger.yaml"))
    journey = next(j for j in p.latency.journeys if j.journey == "ledger-api: POST /payments")
    west = next(a for a in journey.areas if a.area == "us-west-2")
    mrsc = [x for x in west.hops if x.key == "mrsc"]
    other = nearest("us-west-2", ["us-east-1", "us-east-2"])
    assert [(x.store, x.region, x.p50) for x in mrsc] == [("ledger", other, rtt("us-west-2", other)[0])]
    assert mrsc[0].assumed
    record = next(r for r in p.latency.pacelc if r.store == "ledger")
    assert record.record == "PC/EC"


def test_eventual_global_tables_are_pa_el_and_price_what_strong_would_cost():
    p = plan(load(EXAMPLES / "url-shortener.yaml"))
    record = next(r for r in p.latency.pacelc if r.store == "urls")
    assert record.record == "PA/EL"
    assert record.strong_write_ms["us-east-1"] == rtt("us-east-1", "us-west-2")[0]


def _cached(hit_ratio):
    doc = make(edge={"domain": "shop.example.com", "cdn": {"hit_ratio": hit_ratio, "stale_if_error": "1h"}})
    doc["services"][0]["routes"] = [{"route": "GET /", "cache": "public"}]
    return plan(parse_doc(doc)).latency.journeys[0]


def test_cdn_hits_leave_the_origin_out_of_the_median_and_out_of_the_tail_only_above_99_percent():
    most = _cached(0.9)
    area = most.areas[0]
    assert most.cached
    origin = [x for x in area.hops if x.share < 1 and x.key != "cross-zone"]
    assert origin and all(x.share == pytest.approx(0.1) for x in origin)
    assert area.p50 == HOPS["last-mile"].p50 + HOPS["cdn-hit"].p50  # the median request is a hit
    assert area.p99 > HOPS["last-mile"].p99 + HOPS["cdn-hit"].p99  # its tail reaches the origin
    nearly_all = _cached(0.995).areas[0]
    assert nearly_all.p99 == HOPS["last-mile"].p99 + HOPS["cdn-hit"].p99


def test_without_a_stated_hit_ratio_no_hit_is_counted_and_that_is_said():
    doc = make(edge={"domain": "shop.example.com", "cdn": {}})
    doc["services"][0]["routes"] = [{"route": "GET /", "cache": "public"}]
    p = plan(parse_doc(doc))
    assert not p.latency.journeys[0].cached
    assert any("CDN hits: none counted" in a for a in p.latency.assumptions)


def test_targets_are_met_per_area_and_a_route_target_overrides_the_systems():
    doc = make(users={"us-east-1": 80, "ap-southeast-2": 20}, latency={"p50": "80ms"})
    doc["services"][0]["routes"] = ["GET /", {"route": "POST /", "latency": {"p50": "400ms"}}]
    p = plan(parse_doc(doc))
    get, post = p.latency.journeys
    assert [a.met for a in get.areas] == [True, False]  # Sydney's users cross the Pacific
    assert get.target_source == "latency" and post.target_source == "routes[].latency"
    assert post.met is True and p.latency.met is False
    missed = next(u for u in p.unmet if u.what == "latency")
    assert "from ap-southeast-2" in missed.why and "20 % of users" in missed.why


def test_a_route_states_its_processing_and_its_tail_defaults_to_five_times():
    doc = make()
    doc["services"][0]["routes"] = [{"route": "GET /", "processing": {"p50": "4ms"}}]
    hop = next(x for x in plan(parse_doc(doc)).latency.journeys[0].areas[0].hops if x.key == "processing")
    assert (hop.p50, hop.p99, hop.assumed) == (4.0, 20.0, True)
    doc["services"][0]["routes"] = [{"route": "GET /", "processing": {"p50": "4ms", "p99": "9ms"}}]
    hop = next(x for x in plan(parse_doc(doc)).latency.journeys[0].areas[0].hops if x.key == "processing")
    assert (hop.p50, hop.p99, hop.assumed) == (4.0, 9.0, False)


def test_unset_regions_go_where_most_users_are():
    doc = make(users={"eu-central-1": 70, "us-east-1": 30})
    assert plan(parse_doc(doc)).primary_region == "eu-central-1"
    doc = make(
        users={"eu-central-1": 70, "us-east-1": 30},
        redundancy={"level": "multi-region", "replication": "active"},
        consistency="eventual",
    )
    p = plan(parse_doc(doc))
    assert p.regions.value == ["eu-central-1", "us-east-1"] and "next-largest" in p.regions.reason


def test_without_users_every_user_is_near_the_primary():
    p = plan(parse_doc(make(regions=["eu-west-1"])))
    assert p.latency.users.value == {"eu-west-1": 100.0} and p.latency.users.derived


@pytest.mark.parametrize(
    ("users", "message"),
    [
        ({"us-east-1": 60, "eu-west-1": 30}, "add up to 90, not 100"),
        ({"us-east-1": 60, "eu-wset-1": 40}, "unknown region 'eu-wset-1'"),
        ({}, "at least 1"),
    ],
)
def test_users_are_checked(users, message):
    with pytest.raises(BlueprintError, match=message):
        parse_doc(make(users=users))


def test_a_median_above_the_tail_is_refused():
    with pytest.raises(BlueprintError, match="median cannot exceed the tail"):
        parse_doc(make(latency={"p50": "300ms", "p99": "100ms"}))


def test_advice_for_a_missed_latency_target_is_a_region_near_the_users_and_it_meets_it():
    doc = make(
        regions=["us-east-1"],
        users={"us-east-1": 50, "eu-west-1": 30, "ap-northeast-1": 20},
        latency={"p50": "100ms", "p99": "250ms"},
        datastores=[{"name": "db", "kind": "key-value"}],
    )
    p = plan(parse_doc(doc))
    unmet = next(u for u in p.unmet if u.what == "latency")
    meeting = [f for f in unmet.fixes if f.meets and not f.relaxes]
    assert meeting, [f.change for f in unmet.fixes]
    regions = next(e.value for e in meeting[0].edits if e.path == ["regions"])
    assert set(regions) == {"us-east-1", "eu-west-1", "ap-northeast-1"}
    relaxed = [f for f in unmet.fixes if f.relaxes]
    assert relaxed and relaxed[0].meets


def test_the_plan_json_carries_every_hop_with_its_figure_and_source():
    p = plan(parse_doc(make(users={"us-east-1": 100})))
    data = p.model_dump(mode="json")
    hops = data["latency"]["journeys"][0]["areas"][0]["hops"]
    assert hops and all({"p50", "p99", "share", "source", "assumed"} <= set(h) for h in hops)
    assert BASE["services"][0]["routes"] == ["GET /"]


def test_the_alternatives_show_each_designs_latency_per_area():
    """What each nine costs, and what it costs in milliseconds: a single-region design serves
    us-west-2's users from us-east-1; the chosen active-active design serves them at home."""
    from blueprints.cost.alternatives import alternatives

    bp = load(EXAMPLES / "url-shortener.yaml")
    p = plan(bp)
    rows = {a.label: a for a in alternatives(bp, p) if a.plan is not None}
    one = rows["multi-zone passive"].latency["us-west-2"]
    both = rows["multi-region active"].latency["us-west-2"]
    assert one[0] - both[0] == pytest.approx(rtt("us-west-2", "us-east-1")[0], abs=0.11)
    assert rows["multi-region active"].as_dict()["latency"]["us-west-2"] == {"p50": both[0], "p99": both[1]}


def test_an_alternative_that_misses_the_latency_target_does_not_meet_the_targets():
    from blueprints.cost.alternatives import alternatives

    doc = make(
        regions=["us-east-1", "eu-west-1"],
        users={"us-east-1": 50, "eu-west-1": 50},
        latency={"p50": "60ms"},
        consistency="eventual",
        datastores=[{"name": "db", "kind": "key-value"}],
        redundancy={"level": "multi-region", "replication": "active"},
    )
    bp = parse_doc(doc)
    p = plan(bp)
    assert p.latency.met
    rows = {a.label: a for a in alternatives(bp, p) if a.plan is not None}
    assert rows["multi-region active"].meets
    assert not rows["multi-region passive"].meets  # Europe's users cross the Atlantic to the primary
    assert rows["multi-region passive"].as_dict()["latency_met"] is False


def test_through_the_cdn_every_user_reaches_the_origin_groups_primary():
    """CloudFront's origin group fails over on errors, never by latency: a design whose dynamic routes
    go through the CDN serves every area from the primary, and says so."""
    doc = make(
        regions=["us-east-1", "eu-west-1"],
        users={"us-east-1": 50, "eu-west-1": 50},
        consistency="eventual",
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value"}],
        edge={"domain": "shop.example.com", "cdn": {"dynamic": "through"}},
    )
    p = plan(parse_doc(doc))
    assert p.latency.routing.value == "primary" and "origin group" in p.latency.routing.reason
    eu = p.latency.journeys[0].areas[1]
    assert eu.serving == "us-east-1"
    assert [(h.region, h.share) for h in eu.hops if h.key == "wan"] == [("us-east-1", 1.0)]
    doc["edge"]["cdn"]["dynamic"] = "bypass"
    assert plan(parse_doc(doc)).latency.journeys[0].areas[1].serving == "eu-west-1"


def test_a_strong_table_replicated_passively_pays_no_strong_set_round_trip():
    """MREC with ConsistentRead: strong reads in the region that writes; only MRSC confirms with
    another region."""
    p = plan(
        parse_doc(
            make(
                regions=["us-east-1", "us-west-2"],
                redundancy={"level": "multi-region", "replication": "passive"},
                datastores=[{"name": "db", "kind": "key-value", "consistency": "strong"}],
            )
        )
    )
    assert p.store("db").global_mode != "MRSC"
    assert not [h for j in p.latency.journeys for a in j.areas for h in a.hops if h.key == "mrsc"]


def test_a_design_whose_domain_the_stack_sets_is_estimated_with_the_records_it_will_get():
    doc = make(
        regions=["us-east-1", "eu-west-1"],
        users={"us-east-1": 50, "eu-west-1": 50},
        consistency="eventual",
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value"}],
    )
    del doc["edge"]
    p = plan(parse_doc(doc))
    assert p.edge.needs_domain and p.edge.dns is None
    assert p.latency.routing.value == "latency" and "hld:domain" in p.latency.routing.reason
    assert p.latency.journeys[0].areas[1].serving == "eu-west-1"


def test_far_users_of_a_strong_relational_store_are_advised_a_region_with_eventual_reads():
    doc = make(users={"us-east-1": 50, "eu-west-1": 50}, latency={"p50": "80ms"})
    p = plan(parse_doc(doc))
    unmet = next(u for u in p.unmet if u.what == "latency")
    meeting = [f for f in unmet.fixes if f.meets and not f.relaxes]
    assert meeting and "consistency: eventual on 'db'" in meeting[0].change
    assert {"path": ["datastores", 0, "consistency"], "value": "eventual"} in [e.model_dump() for e in meeting[0].edits]


def _uses(use):
    doc = make(datastores=[{"name": "db", "kind": "key-value"}, {"name": "jobs", "kind": "queue"}])
    doc["services"][0]["uses"] = use
    return plan(parse_doc(doc)).latency.journeys[0].areas[0].hops


def test_each_call_a_request_makes_counts_and_a_consumer_is_off_the_path():
    three = _uses([{"name": "db", "calls": 3}])
    assert [h.key for h in three].count("dynamodb") == 3
    batched = _uses(["db", {"name": "jobs", "access": "produce", "calls": 0.1}])
    assert [round(h.share, 3) for h in batched if h.key == "sqs"] == [0.1]  # in the tail, not the median
    polled = _uses(["db", {"name": "jobs", "access": "consume"}])
    assert not [h for h in polled if h.key == "sqs"]


def test_caches_come_first_then_the_stores_in_the_order_uses_lists_them():
    doc = make(datastores=[{"name": "zeta", "kind": "key-value"}, {"name": "alpha", "kind": "cache"}])
    doc["services"][0]["uses"] = ["zeta", "alpha"]
    hops = plan(parse_doc(doc)).latency.journeys[0].areas[0].hops
    assert [h.store for h in hops if h.store and h.key != "cross-zone"] == ["alpha", "zeta"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"latency": {"p99": "300ms"}, "public": False}, "no user journey to measure it on"),
        ({"route_latency": True, "public": False}, "which is not public"),
    ],
)
def test_a_latency_target_needs_a_user_journey(change, message):
    doc = make()
    svc = doc["services"][0]
    svc["public"] = change["public"]
    if "latency" in change:
        doc["latency"] = change["latency"]
    if change.get("route_latency"):
        svc["routes"] = [{"route": "GET /", "latency": {"p50": "20ms"}}]
    doc.pop("edge")
    with pytest.raises(BlueprintError, match=message):
        parse_doc(doc)


def test_users_where_no_strong_set_is_still_plan_strong_active_active_on_a_set():
    doc = make(
        users={"sa-east-1": 60, "us-east-1": 40},
        consistency="strong",
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value"}],
    )
    p = plan(parse_doc(doc))
    assert len(p.regions.value) == 3 and "no region set" in p.regions.reason


def test_a_relational_store_that_reads_its_writer_records_consistency_else():
    p = _relational(["us-east-1", "eu-west-1"], "read-your-writes", {"us-east-1": 50, "eu-west-1": 50})
    assert next(r for r in p.latency.pacelc if r.store == "db").record == "PC/EC"
    eventual = _relational(["us-east-1", "eu-west-1"], "eventual", {"us-east-1": 50, "eu-west-1": 50})
    assert next(r for r in eventual.latency.pacelc if r.store == "db").record == "PC/EL"

"""CAP / RPO / redundancy rules: each rejection names the field, the rule and a fix."""

from __future__ import annotations

import pytest

from blueprints import BlueprintError
from tests.helpers import make, parse_doc


def problems(doc):
    with pytest.raises(BlueprintError) as info:
        parse_doc(doc)
    return info.value.problems


def only(doc):
    found = problems(doc)
    assert len(found) == 1, [p.render() for p in found]
    return found[0]


def test_rpo_zero_across_regions_with_relational_store_is_rejected():
    p = only(
        make(
            availability=99.99,
            redundancy={"level": "multi-region", "replication": "active"},
            rpo=0,
            consistency="eventual",
        )
    )
    assert p.rule == "CAP/RPO"
    assert "relational" in p.message and "asynchronous" in p.message
    assert "key-value" in p.fix and "consistency: strong" in p.fix
    assert p.path == ("rpo",)


def test_rpo_zero_with_eventual_key_value_across_regions_is_rejected():
    doc = make(
        availability=99.99,
        consistency="eventual",
        rpo=0,
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value"}],
    )
    p = only(doc)
    assert p.rule == "CAP/RPO" and "last writer wins" in p.message


def test_strong_active_needs_three_regions_of_one_strong_set():
    doc = make(
        availability=99.99,
        consistency="strong",
        regions=["us-east-1", "eu-west-1"],
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value"}],
    )
    p = only(doc)
    assert p.rule == "CAP"
    assert p.path == ("redundancy", "replication")
    assert "exactly 3 regions" in p.message and "[us-east-1, eu-west-1]" in p.message
    # a standby cannot reach 99.99 %: only fixes that validate are offered (not passive)
    assert "replication: passive" not in p.fix and "us-east-2" in p.fix


def test_strong_active_in_three_regions_of_two_sets_is_rejected():
    doc = make(
        availability=99.99,
        consistency="strong",
        regions=["us-east-1", "us-east-2", "eu-west-1"],
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value"}],
    )
    assert only(doc).rule == "CAP"


def test_strong_active_key_value_cannot_have_ttl():
    doc = make(
        availability=99.99,
        consistency="strong",
        regions=["us-east-1", "us-east-2", "us-west-2"],
        redundancy={"level": "multi-region", "replication": "active"},
        datastores=[{"name": "db", "kind": "key-value", "ttl_attribute": "exp"}],
    )
    p = only(doc)
    assert p.path == ("datastores", 0, "ttl_attribute") and "TTL" in p.message


def test_target_above_level_ceiling_is_rejected():
    p = only(make(availability=99.99, redundancy={"level": "multi-zone"}))
    assert p.rule == "availability"
    assert p.path == ("redundancy", "level")
    assert "99.98%" in p.message and "level: multi-region, replication: active" in p.fix
    assert "multi-zone" not in p.fix.split(", or lower")[0].replace("multi-region", "")  # not the level it has


def test_a_target_missed_only_for_want_of_a_region_names_the_region_alone():
    # multi-region active with one region listed: what is missing is the second region, not redundancy
    p = only(make(availability=99.99, regions=["eu-west-1"], redundancy={"level": "multi-region"}))
    assert p.path == ("regions",) and "at least 2 regions" in p.message


def test_multi_region_needs_two_regions():
    p = only(make(regions=["us-east-1"], redundancy={"level": "multi-region", "replication": "passive"}))
    assert p.path == ("regions",) and "at least 2 regions" in p.message


def test_replication_in_a_single_zone_is_rejected():
    p = only(make(availability=99, redundancy={"level": "single-zone", "replication": "active"}))
    assert p.path == ("redundancy", "replication") and "multi-zone" in p.fix


def test_single_zone_with_many_zones():
    p = only(
        make(
            availability=99,
            redundancy={"level": "single-zone", "zones": 3},
            datastores=[{"name": "db", "kind": "key-value"}],
        )
    )
    assert p.path == ("redundancy", "zones")


def test_more_zones_than_the_region_has():
    p = only(make(regions=["us-west-1"], redundancy={"level": "multi-zone", "zones": 3}))
    assert "us-west-1 has 2" in p.message


def test_unknown_reference_suggests_a_close_name():
    doc = make()
    doc["services"][0]["uses"] = ["dbb"]
    p = only(doc)
    assert p.path == ("services", 0, "uses", 0)
    assert "'dbb'" in p.message and "'db'" in p.fix


def test_duplicate_names_across_services_and_stores():
    doc = make()
    doc["datastores"].append({"name": "api", "kind": "queue"})
    p = only(doc)
    assert p.path == ("datastores", 1, "name") and "already used by a service" in p.message


def test_sync_call_cycle_is_rejected():
    doc = make()
    doc["services"] = [
        {"name": "a", "image": "x", "public": True, "uses": ["b"]},
        {"name": "b", "image": "x", "uses": ["a"]},
    ]
    found = problems(doc)
    assert {p.path for p in found} == {("services", 0, "uses"), ("services", 1, "uses")}
    assert all("async: true" in p.fix for p in found)


def test_async_edge_breaks_a_cycle():
    doc = make()
    doc["services"] = [
        {"name": "a", "image": "x", "public": True, "uses": ["b"]},
        {"name": "b", "image": "x", "uses": [{"name": "a", "async": True}]},
    ]
    doc["datastores"] = []
    parse_doc(doc)


def test_unknown_region():
    p = only(make(regions=["us-east-9"]))
    assert p.path == ("regions", 0) and "us-east-" in p.fix


def test_routes_on_private_service():
    doc = make()
    doc["services"][0]["public"] = False
    doc.pop("edge", None)
    p = only(doc)
    assert p.path == ("services", 0, "routes") and "public: true" in p.fix


def test_cdn_without_public_service():
    doc = make(edge={"cdn": {"default_ttl": "1h"}, "domain": "a.example.com"})
    doc["services"][0]["public"] = False
    doc["services"][0]["routes"] = []
    p = only(doc)
    assert p.path == ("edge",)


def test_cdn_ttl_order():
    p = only(make(edge={"cdn": {"default_ttl": "2d", "max_ttl": "1d"}, "domain": "a.example.com"}))
    assert p.path == ("edge", "cdn", "default_ttl") and "min <= default <= max" in p.message


def test_derived_level_rejects_only_when_no_candidate_is_coherent():
    # 99.99 with level unset: multi-zone would be rejected, multi-region active is coherent.
    parse_doc(make(availability=99.99, consistency="eventual"))


def test_a_domain_is_a_deployment_fact_not_a_design_fact():
    parse_doc(make(edge=None))  # public and TLS, no domain: valid (the stack or the blueprint adds it)
    parse_doc(make(edge=None, security={"tls": "disabled"}))

"""The deployed routing keeps the latency estimate's assumptions: the url-shortener-prod stack passes the
latency checks where they apply, and so does a variant whose GET route is cached at the edge (a stated
hit ratio) and whose public service reads the relational store from each region; a transform that
breaks each assumption (a latency record on another region's load balancer,
a table without its replica, a secondary that no longer replicates, a cache policy with TTLs of zero)
fails the check that names it. One moto run each: the reference, the variant, the broken variant."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import pytest
import yaml

from hld.checks import Run, evaluate
from hld.graph import Graph
from hld.testing import Tested as Result
from hld.testing import synth
from tests.helpers import EXAMPLES

URL = EXAMPLES / "url-shortener.yaml"
STACK = "url-shortener-prod"
CHECKS = ["latency-routing", "latency-reads", "latency-cache"]
RECORD = "aws:route53/record:Record"


def variant() -> dict[str, Any]:
    """url-shortener with users near both regions, `GET /{code}` cached at the edge (90 % hits, stale on
    error) and the shortener reading click-stats, eventually consistent, from its own region."""
    doc = yaml.safe_load(URL.read_text())
    doc["users"] = {"us-east-1": 60, "us-west-2": 40}
    shortener = next(s for s in doc["services"] if s["name"] == "shortener")
    shortener["routes"] = ["POST /shorten", {"route": "GET /{code}", "cache": "public"}]
    shortener["uses"].append({"name": "click-stats", "access": "read"})
    doc["edge"]["cdn"].update({"hit_ratio": 0.9, "stale_if_error": "1d"})
    stats = next(d for d in doc["datastores"] if d["name"] == "click-stats")
    stats["consistency"] = "eventual"
    return doc


def only(typ: str, part: str, change):
    def transform(t: str, name: str, props: dict):
        return change(props) if t == typ and name.endswith(part) else None

    return transform


def records_swapped():
    """us-west-2's latency record aliased to us-east-1's load balancer (the records register in region
    order: the first one's alias is kept for the second)."""
    seen: dict[str, Any] = {}

    def transform(t: str, name: str, props: dict):
        if t != RECORD:
            return None
        if name.endswith("api-us-east-1"):
            seen["east"] = props["aliases"]
            return None
        if name.endswith("api-us-west-2"):
            return {**props, "aliases": seen["east"]}
        return None

    return transform


@functools.cache
def reference() -> Result:
    return synth(URL, stack=STACK, cloud="moto")


@functools.cache
def run(broken: bool) -> Result:
    transforms = (
        [
            records_swapped(),
            only("aws:dynamodb/table:Table", "-urls", lambda p: {**p, "replicas": []}),
            # a standalone cluster where the global database's secondary was: it holds none of the writer's data
            only(
                "aws:rds/cluster:Cluster",
                "click-stats-us-west-2",
                lambda p: {
                    **p,
                    "global_cluster_identifier": None,
                    "master_username": "hld_admin",
                    "master_password": "not-replicated-0123",
                },
            ),
            only(
                "aws:cloudfront/cachePolicy:CachePolicy",
                "cache-policy",
                lambda p: {**p, "min_ttl": 0, "default_ttl": 0, "max_ttl": 0},
            ),
        ]
        if broken
        else []
    )
    return synth(variant(), stack=STACK, cloud="moto", transforms=transforms)


def outcomes(result: Result) -> dict[str, Any]:
    return {o.check: o for o in result.checks(CHECKS)}


def test_the_reference_stack_keeps_the_estimate_s_routing_and_reads():
    found = outcomes(reference())
    for key in ("latency-routing", "latency-reads"):
        assert found[key].status == "pass", (key, found[key].problems)
    areas = len(reference().plan.latency.users.value)
    assert f"{2 * areas} journey-areas reach the region" in found["latency-routing"].detail
    assert found["latency-cache"].status == "skip"  # no route counted as cached


def test_the_variant_caches_its_counted_route_and_reads_each_store_where_the_estimate_does():
    result = run(False)
    assert result.plan.latency.routing.value == "latency"
    assert [j.journey for j in result.plan.latency.journeys if j.cached] == ["shortener: GET /{code}"]
    found = outcomes(result)
    for key in ("latency-reads", "latency-cache"):
        assert found[key].status == "pass", (key, found[key].problems)
    assert "1 cached routes" in found["latency-cache"].detail


def test_a_cached_route_s_misses_are_counted_at_the_primary_where_the_origin_group_sends_them():
    """The cached behaviour's origin group sends every miss to the primary's load balancer (it fails
    over on errors only, never by latency): the estimate counts us-west-2's misses there, with the
    round trip from the edge, and the deployed routing agrees."""
    result = run(False)
    outcome = outcomes(result)["latency-routing"]
    assert outcome.status == "pass", outcome.problems
    journey = next(j for j in result.plan.latency.journeys if j.journey == "shortener: GET /{code}")
    west = next(a for a in journey.areas if a.area == "us-west-2")
    assert west.serving == "us-east-1"
    wan = [h for h in west.hops if h.key == "wan"]
    assert [(h.region, round(h.share, 3)) for h in wan] == [("us-east-1", 0.1)]


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("latency-routing", "url-shortener-api-us-west-2: the latency record for us-west-2 points at ['us-east-1']"),
        (
            "latency-routing",
            "shortener: POST /shorten from us-west-2: the estimate counts its requests in us-west-2, the deployed "
            "routing sends them to us-east-1",
        ),
        ("latency-reads", "urls: the estimate answers its dynamodb calls in us-west-2"),
        ("latency-reads", "its table has no replica in us-west-2"),
        ("latency-reads", "click-stats: the estimate answers its relational-read calls in us-west-2"),
        ("latency-reads", "no read replica of the us-east-1 writer in us-west-2"),
        (
            "latency-cache",
            "shortener: GET /{code}: counted as cached, but url-shortener-cdn behaviour /* caches nothing",
        ),
    ],
)
def test_each_broken_assumption_is_named(check, expected):
    outcome = outcomes(run(True))[check]
    assert outcome.status == "fail"
    assert any(expected in p for p in outcome.problems), outcome.problems


def _edited(result: Result, name: str, drop: str) -> Graph:
    """The run's graph with one resource's input and state `drop` (camelCase) removed."""

    def without(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if k != drop}

    return Graph(
        [
            dataclasses.replace(r, inputs=without(r.inputs), state=without(r.state)) if r.name == name else r
            for r in result.graph.resources
        ]
    )


def test_a_record_without_its_latency_policy_beside_latency_records_is_named():
    result = reference()
    graph = _edited(result, "url-shortener-api-us-west-2", "latencyRoutingPolicies")
    (outcome,) = evaluate(Run(result.plan, graph), "latency-routing")
    assert outcome.status == "fail"
    assert any(
        p.startswith("url-shortener-api-us-west-2: a simple record for short.example.com beside latency routing")
        for p in outcome.problems
    ), outcome.problems


def test_latency_records_where_the_estimate_sends_everyone_to_the_primary_are_named():
    result = reference()
    latency = result.plan.latency
    primary = latency.model_copy(update={"routing": latency.routing.model_copy(update={"value": "primary"})})
    plan = result.plan.model_copy(update={"latency": primary})
    (outcome,) = evaluate(Run(plan, result.graph), "latency-routing")
    assert outcome.status == "fail"
    assert (
        "url-shortener-api-us-west-2: a latency record for short.example.com (us-west-2), yet the estimate sends "
        "every user to the primary (us-east-1)" in outcome.problems
    )

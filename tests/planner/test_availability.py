"""Composite availability and downtime budgets, exactly as HLD-RULES.md §2."""

from __future__ import annotations

import pytest

from blueprints import availability as av
from blueprints.figures import SLAS


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((0.9999, 0.9999, 0.9999), 0.99970003),  # three 99.99 % parts -> 99.97 %
        ((0.999, 0.995), 0.994005),
        ((1.0, 0.9995), 0.9995),
        ((0.99,), 0.99),
    ],
)
def test_series(parts, expected):
    assert av.series(*parts) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("copies", "expected"),
    [
        ((0.99, 0.99), 0.9999),
        ((0.999, 0.999, 0.999), 0.999999999),
        ((0.9, 0.5), 0.95),
        ((0.9987,), 0.9987),
    ],
)
def test_parallel(copies, expected):
    assert av.parallel(*copies) == pytest.approx(expected, abs=1e-12)


def test_journey_is_regions_in_parallel_then_globals_in_series():
    regional = [0.9999, 0.9999]
    expected = (1 - (1 - 0.9999 * 0.9999) ** 2) * 0.99999
    assert av.journey(regional, [0.99999], regions=2) == pytest.approx(expected, abs=1e-15)
    assert av.journey(regional, [], regions=1) == pytest.approx(0.9999 * 0.9999)


# (availability %, per 365-day year, per 30-day month) in seconds, from the seed table
BUDGETS = [
    (99.0, 3.65 * 86400, 7.2 * 3600),
    (99.9, 8.76 * 3600, 43.2 * 60),
    (99.95, 4.38 * 3600, 21.6 * 60),
    (99.99, 52.56 * 60, 4.32 * 60),
    (99.999, 5.256 * 60, 25.92),
]


@pytest.mark.parametrize(("percent", "year", "month"), BUDGETS)
def test_downtime_budget_matches_the_rules_table(percent, year, month):
    got_year, got_month, year_text, month_text = av.budget(percent / 100)
    assert got_year == pytest.approx(year, rel=1e-9)
    assert got_month == pytest.approx(month, rel=1e-9)
    assert year_text and month_text


@pytest.mark.parametrize(
    ("percent", "words"),
    [(99.9, ("8.76 h", "43.2 min")), (99.99, ("52.6 min", "4.32 min")), (99.999, ("5.26 min", "25.9 s"))],
)
def test_budget_words(percent, words):
    _, _, year_text, month_text = av.budget(percent / 100)
    assert (year_text, month_text) == words


@pytest.mark.parametrize(
    ("estimate", "target", "met"),
    [
        (0.9999899978, 0.99999, False),  # equal when rounded to the figures' 0.001 points, yet short
        (0.99999 - 1e-15, 0.99999, True),  # float noise of a product, not a shortfall
        (0.99998, 0.99999, False),
        (0.9995001, 0.9995, True),
        (0.99949, 0.9995, False),
    ],
)
def test_meets_is_exact_up_to_float_noise(estimate, target, met):
    assert av.meets(estimate, target) is met


def test_every_sla_row_has_a_source():
    for row in SLAS.values():
        assert row.source.startswith("https://aws.amazon.com/")
        assert 90 <= row.percent <= 100
    assert not SLAS["sqs"].verified and not SLAS["route53"].verified


# The plan's availability table: failover time, cached routes, margin (issue: availability that
# holds up to review).


def _plan(path):
    from blueprints import load, plan

    return plan(load(path))


def test_a_regional_failover_costs_detection_plus_ttl_and_its_share_of_the_budget_is_stated():
    from blueprints.figures import MONTH_SECONDS, SETTINGS, TIMINGS, YEAR_SECONDS
    from tests.helpers import EXAMPLES

    p = _plan(EXAMPLES / "url-shortener.yaml")
    cost = p.availability.failover
    assert cost is not None
    seconds = SETTINGS["health-check-interval"].value * SETTINGS["health-check-failures"].value
    seconds += TIMINGS["alias-ttl"].seconds
    assert cost.seconds == seconds == 30 * 3 + 60  # interval x failure threshold + record TTL
    budget = (1 - 0.9999) * MONTH_SECONDS  # 4.32 min
    assert cost.share_of_month_budget == pytest.approx(seconds / budget)
    assert cost.share_of_month_budget > 0.5  # more than half of a 99.99 % month
    assert "health-checks" in cost.source and cost.per_year == 1
    journey = p.availability.journeys[0]
    assert journey.failover_cost == pytest.approx(cost.points, abs=1e-6)
    assert journey.failover_cost == pytest.approx(seconds / YEAR_SECONDS * 100, abs=1e-6)
    # the estimate is the parallel chain minus the failovers
    regional = av.series(*[p_.percent / 100 for p_ in journey.regional])
    chain = av.parallel(regional, regional) * av.series(*[g.percent / 100 for g in journey.global_parts])
    assert journey.estimate == pytest.approx(chain * 100 - cost.points, abs=1e-6)


def test_the_failover_assumption_is_the_blueprints_to_state():
    from tests.helpers import EXAMPLES, parse_doc

    doc = yaml_doc(EXAMPLES / "url-shortener.yaml")
    doc["redundancy"]["failovers_per_year"] = 4
    from blueprints import plan

    four = plan(parse_doc(doc)).availability
    one = _plan(EXAMPLES / "url-shortener.yaml").availability
    assert four.failover.points == pytest.approx(4 * one.failover.points)
    assert four.estimate < one.estimate


def test_one_region_and_standby_designs_pay_no_dns_failover_in_the_estimate():
    from blueprints import plan
    from tests.helpers import DESIGNS, EXAMPLES, make, parse_doc

    assert _plan(DESIGNS / "regional-api.yaml").availability.failover is None
    assert _plan(EXAMPLES / "e-commerce.yaml").availability.failover is None
    # a standby region: the primary's chain is the estimate; its failover is the RTO objective
    standby = plan(parse_doc(make(redundancy={"level": "multi-region", "replication": "passive"})))
    assert standby.availability.failover is None and standby.availability.journeys[0].regions_in_parallel == 1


def test_a_cached_route_counts_its_origin_only_for_misses_at_the_stated_hit_ratio():
    from blueprints import plan
    from tests.helpers import DESIGNS, parse_doc

    p = _plan(DESIGNS / "wiki.yaml")
    cached = next(j for j in p.availability.journeys if j.route == "GET /wiki/{page}")
    write = next(j for j in p.availability.journeys if j.route == "POST /wiki/{page}")
    assert cached.cached and cached.hit_ratio == 0.9
    assert not write.cached and write.hit_ratio is None
    origin = av.series(*[part.percent / 100 for part in cached.regional])
    cdn = next(g.percent / 100 for g in cached.global_parts if g.sla == "cloudfront")
    assert cached.estimate == pytest.approx((0.9 + 0.1 * origin) * cdn * 100, abs=1e-6)
    assert p.availability.met  # 99.85 % with the hit ratio...
    doc = yaml_doc(DESIGNS / "wiki.yaml")
    del doc["edge"]["cdn"]["hit_ratio"]
    no_ratio = plan(parse_doc(doc))
    assert not no_ratio.availability.met  # ...and not without it: no invented default
    assert next(j for j in no_ratio.availability.journeys if j.route == "GET /wiki/{page}").hit_ratio is None
    doc = yaml_doc(DESIGNS / "wiki.yaml")
    del doc["edge"]["cdn"]["stale_if_error"]
    assert not plan(parse_doc(doc)).availability.met  # a failed origin is not hidden without stale-if-error


def test_only_routes_marked_public_are_cached():
    from tests.helpers import DESIGNS, EXAMPLES

    wiki = _plan(DESIGNS / "wiki.yaml").edge.cdn
    assert wiki is not None and wiki.cached == ["/wiki/*"]
    assert "/wiki/*" in wiki.writes  # the same pattern carries the edits: uncached methods reach the origin
    shop = _plan(EXAMPLES / "e-commerce.yaml").edge.cdn
    assert shop is not None and shop.cached == []  # /orders/{id} and /users/{id} are private responses


def test_the_margin_is_shown_and_a_shortfall_is_never_rounded_away():
    from tests.helpers import EXAMPLES

    p = _plan(EXAMPLES / "e-commerce.yaml").availability
    assert p.met and p.margin == pytest.approx(p.estimate - p.target, abs=1e-6) and p.margin > 0
    from hld.report import margin_text

    assert "thinner than the figures' 0.001-point rounding" in margin_text(p)
    short = p.model_copy(update={"estimate": p.target - 0.0001, "margin": -0.0001, "met": False})
    assert margin_text(short).startswith("short by 0.0001 points")


def yaml_doc(path):
    import yaml

    return yaml.safe_load(path.read_text())

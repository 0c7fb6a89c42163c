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
        (0.9999899978, 0.99999, True),  # equal at the 0.001-point resolution of the SLA figures
        (0.99998, 0.99999, False),
        (0.9995001, 0.9995, True),
        (0.99949, 0.9995, False),
    ],
)
def test_meets_compares_at_sla_resolution(estimate, target, met):
    assert av.meets(estimate, target) is met


def test_every_sla_row_has_a_source():
    for row in SLAS.values():
        assert row.source.startswith("https://aws.amazon.com/")
        assert 90 <= row.percent <= 100
    assert not SLAS["sqs"].verified and not SLAS["route53"].verified

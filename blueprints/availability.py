"""Composite availability and downtime budgets (HLD-RULES.md §2).

Series: A = A1 x A2 x ...; parallel independent copies: A = 1 - (1 - A1)(1 - A2)...
Both assume independent failures. Budgets use a 30-day month and a 365-day year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from blueprints.figures import FLOAT_NOISE, MONTH_SECONDS, YEAR_SECONDS
from blueprints.units import human_duration


def series(*parts: float) -> float:
    """Hard dependencies one after another: every part must be up."""
    return math.prod(parts)


def parallel(*copies: float) -> float:
    """Independent redundant copies: one up is enough."""
    return 1 - math.prod(1 - a for a in copies)


def journey(regional: Iterable[float], global_parts: Iterable[float], regions: int = 1) -> float:
    """A regional chain copied in `regions` regions in parallel, then the global parts in series."""
    chain = series(*regional)
    return series(parallel(*([chain] * regions)), *global_parts)


def downtime_seconds(fraction: float, period_seconds: float) -> float:
    return (1 - fraction) * period_seconds


def budget(fraction: float) -> tuple[float, float, str, str]:
    """Allowed downtime per 365-day year and per 30-day month, exact and in words."""
    year = downtime_seconds(fraction, YEAR_SECONDS)
    month = downtime_seconds(fraction, MONTH_SECONDS)
    return year, month, human_duration(year), human_duration(month)


def meets(estimate: float, target: float) -> bool:
    """Exactly: only float noise is forgiven, never a shortfall hidden by rounding."""
    return estimate >= target - FLOAT_NOISE

"""What the HLD document's Latency section and its PACELC record format: figures in ms, the
journeys' rows per users' area, the worst journey's hops with the assumed ones marked, and a
missed latency target's fixes. Nothing is decided here: every figure is the plan's
(blueprints.planner.latency); this module only words and formats it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blueprints.plan_model import AreaLatency, Fix, JourneyLatency, LatencyHop, LatencyPlan, Plan, Unmet

ASSUMED = "†"
"""The mark of a hop whose figure is an assumption (no published figure), explained under the table."""
ASSUMED_NOTE = f"{ASSUMED} no published figure: an assumption (the list of assumptions below says where to change it)."
NONE = "—"
"""A met cell without a target."""


def ms(value: float) -> str:
    """Milliseconds as the plan rounds them: at most one decimal, no trailing zero (`33.5`, `20`)."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


def percent(value: float) -> str:
    """A percentage (already in percent) with at most one decimal: `60 %`, `66.7 %`."""
    return f"{ms(value)} %"


def target(journey: JourneyLatency) -> str:
    """`p50 50, p99 300` (ms), one of them, or `none`."""
    parts = [
        f"{name} {ms(v)}" for name, v in (("p50", journey.target_p50), ("p99", journey.target_p99)) if v is not None
    ]
    return ", ".join(parts) or "none"


def met(value: bool | None) -> str:
    return NONE if value is None else "yes" if value else "**no**"


@dataclass(frozen=True)
class Worst:
    """The journey and users' area `latency.worst` names, with why it was chosen."""

    journey: JourneyLatency
    area: AreaLatency
    why: str


def worst(latency: LatencyPlan) -> Worst | None:
    """The pair `latency.worst` names (`journey from area`), matched whole rather than split, since a
    journey's route may itself contain ` from `."""
    for j in latency.journeys:
        for a in j.areas:
            if f"{j.journey} from {a.area}" == latency.worst:
                missed = any(x.met is False for jj in latency.journeys for x in jj.areas)
                why = "the furthest over its target" if missed else "the slowest 99th percentile"
                return Worst(j, a, why)
    return None


@dataclass(frozen=True)
class HopRow:
    what: str
    p50: str
    p99: str
    share: str
    source: str
    assumed: bool


def hop_rows(area: AreaLatency) -> list[HopRow]:
    """The area's hops in request order, then what a connection's first request adds."""

    def row(hop: LatencyHop, share: str) -> HopRow:
        return HopRow(hop.what, ms(hop.p50), ms(hop.p99), share, hop.source, hop.assumed)

    return [row(h, percent(h.share * 100)) for h in area.hops] + [row(h, "first request") for h in area.first_request]


def pacelc_costs(costs: dict[str, float]) -> str:
    """`us-east-1 +0, eu-west-1 +69.6`: what strong costs over eventual per users' area, ms."""
    return ", ".join(f"{area} +{ms(v)}" for area, v in costs.items()) or "-"


def latency_unmet(plan: Plan) -> list[Unmet]:
    return [u for u in plan.unmet if u.what == "latency"]


def fix_text(unmet: Unmet, fix: Fix) -> str:
    """A fix as the plan's own report words it (hld.report): what it reaches, and what it meets or
    breaks of the blueprint's other targets."""
    said = ""
    if fix.meets_targets:
        said += f"; meets {', '.join(fix.meets_targets)}"
    if fix.breaks:
        said += f"; breaks {', '.join(fix.breaks)}"
    reaches = f"{fix.change} (reaches {fix.reaches}{said})"
    if fix.relaxes:
        return f"or relax the target: {reaches}"
    if fix.meets:
        return f"meets it: {reaches}"
    if unmet.what in fix.meets_targets:
        return f"meets it, breaks {', '.join(fix.breaks)}: {reaches}"
    return f"not enough alone: {reaches}"


def sections(plan: Plan) -> dict[str, int]:
    """The numbers of the sections after the fixed eight, in order, for those the plan has."""
    present = [
        ("latency", plan.latency is not None),
        ("operations", plan.operations is not None),
        ("cost", plan.cost is not None),
    ]
    numbers: dict[str, int] = {}
    for key, here in present:
        if here:
            numbers[key] = 9 + len(numbers)
    return numbers


def latency_helpers(plan: Plan) -> dict[str, Any]:
    """What the template's Latency section and PACELC record use."""
    helpers: dict[str, Any] = {
        "section": sections(plan),
        "ms": ms,
        "share_percent": percent,
        "latency_target": target,
        "latency_met": met,
        "pacelc_costs": pacelc_costs,
        "assumed_mark": ASSUMED,
        "assumed_note": ASSUMED_NOTE,
        "latency_unmet": latency_unmet(plan),
        "fix_text": fix_text,
        "worst": None,
        "worst_hops": [],
    }
    if plan.latency is not None:
        chosen = worst(plan.latency)
        helpers["worst"] = chosen
        helpers["worst_hops"] = hop_rows(chosen.area) if chosen else []
    return helpers

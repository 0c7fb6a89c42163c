"""What each nine costs: the same blueprint planned with each redundancy choice the planner could
make, each a real re-plan (blueprints.planner), with its availability, recovery on zone and
region loss, latency per users' area, and monthly cost; cheapest first, the chosen design marked."""

from __future__ import annotations

from dataclasses import dataclass

from blueprints.model import Blueprint, KeyValue
from blueprints.plan_model import Plan

CHOICES = (
    ("single-zone", None),
    ("multi-zone", "passive"),
    ("multi-zone", "active"),
    ("multi-region", "passive"),
    ("multi-region", "active"),
)


@dataclass(frozen=True)
class Alternative:
    level: str
    replication: str | None
    plan: Plan | None  # None: the blueprint refuses this choice (e.g. its regions or consistency)
    refused: str = ""
    chosen: bool = False
    meets: bool = False
    """Meets the blueprint's availability target, recovery objectives and latency targets."""

    @property
    def label(self) -> str:
        return self.level + (f" {self.replication}" if self.replication else "")

    @property
    def complete(self) -> bool:
        """Every line of its estimate is priced (else its cost is a lower bound)."""
        return bool(self.plan and self.plan.cost and self.plan.cost.complete)

    @property
    def monthly(self) -> float:
        return self.plan.cost.monthly_min if self.plan and self.plan.cost else float("inf")

    @property
    def latency(self) -> dict[str, tuple[float, float]]:
        """Per users' area, the slowest journey's p50 and p99 (ms) in this design."""
        lat = self.plan.latency if self.plan else None
        out: dict[str, tuple[float, float]] = {}
        for j in lat.journeys if lat else []:
            for a in j.areas:
                p50, p99 = out.get(a.area, (0.0, 0.0))
                out[a.area] = (max(p50, a.p50), max(p99, a.p99))
        return out

    @property
    def latency_text(self) -> str:
        """`us-east-1 48.5/162.8; eu-west-1 118.1/236.5`: per area, the slowest p50/p99 in ms."""
        return "; ".join(f"{area} {p50:g}/{p99:g}" for area, (p50, p99) in self.latency.items()) or "-"

    def as_dict(self) -> dict[str, object]:
        p = self.plan
        if p is None:
            return {"design": self.label, "refused": self.refused}
        rec = {o.disruption + ":" + o.name: o.expected_seconds for o in p.objectives}
        return {
            "design": self.label,
            "chosen": self.chosen,
            "availability": p.availability.estimate,
            "meets": self.meets,
            "zone_loss_rto_seconds": p.dr.zone_loss_rto_seconds,
            "zone_loss_rpo_seconds": p.dr.zone_loss_rpo_seconds,
            "region_loss_rto_seconds": p.dr.region_loss_rto_seconds,
            "region_loss_rpo_seconds": p.dr.region_loss_rpo_seconds,
            "objectives": rec,
            "latency": {area: {"p50": p50, "p99": p99} for area, (p50, p99) in self.latency.items()},
            "latency_text": self.latency_text,
            "latency_met": p.latency.met if p.latency else None,
            "monthly_usd": p.cost.monthly_min if p.cost else None,
            "monthly_usd_at_max": p.cost.monthly_max if p.cost else None,
            "complete": self.complete,
        }


def alternatives(bp: Blueprint, chosen: Plan, stack: object = None) -> list[Alternative]:
    """Every redundancy choice for `bp`, planned; cheapest first, the fully priced ones before
    those whose estimate misses a price (a lower bound cannot rank below a complete figure)."""
    from blueprints.intent import candidates, nearby_regions
    from blueprints.planner import _plan
    from blueprints.planner.settings import StackSettings

    settings = stack if isinstance(stack, StackSettings) else StackSettings()
    out = []
    for level, replication in CHOICES:
        doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
        red = dict(doc.get("redundancy") or {})
        red["level"] = level
        if replication:
            red["replication"] = replication
        else:
            red.pop("replication", None)
        if level != "multi-region" and bp.regions:
            doc["regions"] = bp.regions[:1]  # one region: the primary
        if level == "multi-region" and bp.regions:
            # regions near the system's own (same geography), never the planner's US default pair
            consistency = bp.consistency or "strong"
            strong = replication == "active" and any(
                isinstance(s, KeyValue) and (s.consistency or consistency) == "strong" for s in bp.datastores
            )
            near = nearby_regions(list(bp.regions), strong)
            if near is None:
                out.append(Alternative(level, replication, None, refused=f"no region set near {bp.regions[0]}"))
                continue
            doc["regions"] = near
        if level == "single-zone":
            red.pop("zones", None)
        doc["redundancy"] = red
        try:
            changed = Blueprint.model_validate(doc)
        except ValueError as exc:
            out.append(Alternative(level, replication, None, refused=str(exc).splitlines()[0]))
            continue
        # planned for what it reaches even when that misses the target (the rules would refuse
        # the choice up front): the same intent the planner would try, planned directly
        [intent] = candidates(changed)
        try:
            planned = _plan(changed, intent, settings)
        except (ValueError, KeyError, StopIteration) as exc:
            out.append(Alternative(level, replication, None, refused=str(exc) or type(exc).__name__))
            continue
        same = planned.level.value == chosen.level.value and planned.replication.value == chosen.replication.value
        meets = (
            planned.availability.estimate >= bp.availability - 1e-12
            and all(o.met for o in planned.objectives)
            and (planned.latency is None or planned.latency.met is not False)
        )
        out.append(Alternative(level, replication, planned, chosen=same, meets=meets))
    return sorted(out, key=lambda a: (not a.complete, a.monthly, CHOICES.index((a.level, a.replication))))


def steps(rows: list[Alternative]) -> list[str]:
    """`99.95 % -> 99.99 %: +$X/month` between consecutive designs that raise the availability."""
    from blueprints.planner.journeys import pct

    priced = [a for a in rows if a.complete]
    out, best = [], None
    for a in priced:
        assert a.plan is not None
        if best is None or a.plan.availability.estimate > best.plan.availability.estimate:  # type: ignore[union-attr]
            if best is not None:
                assert best.plan is not None
                out.append(
                    f"{pct(best.plan.availability.estimate)} % ({best.label}) -> {pct(a.plan.availability.estimate)} % "
                    f"({a.label}): +${a.monthly - best.monthly:,.0f}/month"
                )
            best = a
    return out

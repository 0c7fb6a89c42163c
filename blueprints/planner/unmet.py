"""What the plan does not meet, and what would: advice that is computed, never guessed.

Each candidate change is a change to the blueprint, as edits to its document. It is applied, the
blueprint is checked and planned again, and the change is shown with what that plan reaches; only a
change whose plan meets the target (and misses nothing the original met) is labelled as meeting
it. When no single design change does, the smallest combination that does is searched for. A
change that is already set is never offered. Relaxing the target comes last, said as such.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from blueprints.model import Blueprint, Queue, Relational
from blueprints.plan_model import Edit as PlanEdit
from blueprints.plan_model import Fix, Plan, Unmet
from blueprints.planner.journeys import pct

Replan = Callable[[Blueprint], Plan | None]
MAX_COMBINATION = 3
MAX_SHOWN = 3


Key = str | int
Edit = tuple[tuple[Key, ...], Any]
"""A path into the blueprint document and the value it gets (None: the key is removed)."""


@dataclass(frozen=True)
class Change:
    """A change to the blueprint, in the blueprint's own words and as edits to its document."""

    text: str
    edits: tuple[Edit, ...]
    target: str | None = None
    """Set when the change relaxes that target (availability, rto, rpo) instead of the design."""

    @property
    def relaxes(self) -> bool:
        return self.target is not None

    def apply(self, doc: dict[str, Any]) -> None:
        for path, value in self.edits:
            apply_edit(doc, path, value)


def apply_edit(doc: dict[str, Any], path: tuple[Key, ...], value: Any) -> None:
    """Set (or with None remove) the value at `path`, creating the mappings on the way."""
    node: Any = doc
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    last = path[-1]
    if value is None:
        if isinstance(node, dict):
            node.pop(last, None)
    else:
        node[last] = value


def misses(bp: Blueprint, plan: Plan) -> list[Unmet]:
    """The targets the plan misses, each with why (the fixes come from `advise`)."""
    out = []
    avail = plan.availability
    if not avail.met:
        weakest = next(j for j in avail.journeys if j.name == avail.weakest)
        if weakest.regions_in_parallel > 1:
            # the regions in parallel are near 100 %: what limits it is what every region shares
            limits = [f"{p.component} {pct(p.percent)}% (all regions)" for p in weakest.global_parts if p.percent < 100]
            if weakest.failover_cost:
                limits.append(f"regional failovers -{pct(weakest.failover_cost)} points")
        else:
            parts = sorted(weakest.regional + weakest.global_parts, key=lambda p: p.percent)
            limits = [f"{p.component} {pct(p.percent)}%" for p in parts[:3]]
        out.append(
            Unmet(
                what="availability",
                why=f"journey {weakest.name!r} reaches {pct(avail.estimate)}% < target {pct(bp.availability)}% "
                f"(limited by: {', '.join(limits)})",
                fixes=[],
            )
        )
    for objective in plan.objectives:
        if not objective.met:
            out.append(Unmet(what=objective.name, why=objective.detail, fixes=[]))
    budget = bp.cost.monthly_max
    if budget is not None and plan.cost is not None and plan.cost.budget_status == "unchecked":
        out.append(
            Unmet(
                what="cost",
                why=f"the estimate has no price for {plan.cost.unpriced_text} (blueprints/cost/prices.py), "
                f"so ${plan.cost.monthly_min:,.0f}/month is a lower bound and the budget of ${budget:,.0f} "
                "(cost.monthly_max) cannot be checked",
                fixes=[],
            )
        )
    if budget is not None and plan.cost is not None and plan.cost.budget_status == "over":
        over = plan.cost.monthly_min - budget
        out.append(
            Unmet(
                what="cost",
                why=f"the design its targets need ({plan.level.value}"
                f"{' ' + plan.replication.value if plan.replication.value else ''}, "
                f"{len(plan.regions.value)} region(s)) costs ${plan.cost.monthly_min:,.0f}/month, "
                f"${over:,.0f} over the budget of ${budget:,.0f} (cost.monthly_max): availability "
                f"{pct(bp.availability)}%"
                + (f", rto {bp.rto:g} s" if bp.rto is not None else "")
                + (f", rpo {bp.rpo:g} s" if bp.rpo is not None else "")
                + " conflict with it",
                fixes=[],
            )
        )
    return out


def advise(bp: Blueprint, plan: Plan, replan: Replan) -> list[Unmet]:
    """`plan`'s misses, each with the changes that were tried and what their plans reach.

    A change is labelled as meeting a target when its plan meets that target and misses nothing
    the original met. Design changes come first: the singles that meet, else the smallest
    combinations that do (up to MAX_COMBINATION changes); then the singles that do not, with what
    they reach; last, relaxing the target itself to what the design reaches."""
    missed = misses(bp, plan)
    if not missed:
        return []
    doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
    changes = candidates(bp, plan)
    tried: dict[tuple[int, ...], Plan | None] = {}
    before = {u.what for u in missed}

    def outcome(combo: tuple[int, ...]) -> Plan | None:
        if combo not in tried:
            edited = copy.deepcopy(doc)
            for i in combo:
                changes[i].apply(edited)
            try:
                candidate = Blueprint.model_validate(edited)
            except ValueError:
                tried[combo] = None
            else:
                tried[combo] = replan(candidate)
        return tried[combo]

    def meets(combo: tuple[int, ...], what: str) -> bool:
        reached = outcome(combo)
        if reached is None:
            return False
        after = {u.what for u in misses(bp, reached)}
        return what not in after and after <= before

    design = [i for i, c in enumerate(changes) if not c.relaxes]
    relaxing = [i for i, c in enumerate(changes) if c.relaxes]
    out = []
    for unmet in missed:
        if unmet.what == "cost" and plan.cost is not None and plan.cost.budget_status == "unchecked":
            out.append(unmet)  # no design change prices what the table lacks
            continue
        meeting: list[tuple[int, ...]] = [(i,) for i in design if meets((i,), unmet.what)]
        # combinations only of the changes that help alone: one that does not move the target
        # (it is off the weakest journey, or changes nothing there) cannot be what a combination needs
        helping = [i for i in design if _better(outcome((i,)), plan, unmet.what)]
        size = 2
        while not meeting and size <= min(MAX_COMBINATION, len(helping)):
            meeting = [c for c in itertools.combinations(helping, size) if meets(c, unmet.what)]
            size += 1
        searched = (
            ""
            if meeting
            else f"no change to the design hld knows of meets it, alone or up to {min(MAX_COMBINATION, len(design))} together"
            if len(design) > 1
            else "no change to the design hld knows of meets it"
        )
        fixes = [_fix(changes, combo, outcome(combo), unmet.what, True) for combo in meeting[:MAX_SHOWN]]
        for i in design:
            reached = outcome((i,))
            if unmet.what == "cost" and not _better(reached, plan, "cost"):
                continue  # a design change that costs more is no step toward a budget
            if (i,) not in meeting and reached is not None:
                fixes.append(_fix(changes, (i,), reached, unmet.what, False))
        for i in relaxing:
            if changes[i].target == unmet.what and (reached := outcome((i,))) is not None:
                fixes.append(_fix(changes, (i,), reached, unmet.what, meets((i,), unmet.what)))
        out.append(unmet.model_copy(update={"fixes": fixes, "searched": searched}))
    return out


def _better(reached: Plan | None, plan: Plan, what: str) -> bool:
    """The change moves this target the right way (a higher estimate, a shorter expected recovery)."""
    if reached is None:
        return False
    if what == "availability":
        return reached.availability.estimate > plan.availability.estimate
    if what == "cost":
        return bool(
            reached.cost and plan.cost and reached.cost.complete and reached.cost.monthly_min < plan.cost.monthly_min
        )
    old = next(o for o in plan.objectives if o.name == what)
    new = next((o for o in reached.objectives if o.name == what), None)
    if new is None or new.expected_seconds is None:
        return False
    return old.expected_seconds is None or new.expected_seconds < old.expected_seconds


def _fix(changes: list[Change], combo: tuple[int, ...], plan: Plan | None, what: str, meets: bool) -> Fix:
    assert plan is not None
    if what == "availability":
        reaches = f"{pct(plan.availability.estimate)}%"
    elif what == "cost":
        reaches = f"${plan.cost.monthly_min:,.0f}/month" if plan.cost else "unpriced"
    else:
        objective = next(o for o in plan.objectives if o.name == what)
        reaches = objective.detail.split(";", 1)[0]
    return Fix(
        change=" + ".join(changes[i].text for i in combo),
        edits=[PlanEdit(path=list(path), value=value) for i in combo for path, value in changes[i].edits],
        reaches=reaches,
        meets=meets,
        relaxes=any(changes[i].relaxes for i in combo),
    )


def _floor(estimate: float) -> float:
    """The estimate rounded down to the 0.001 points a target may state."""
    return int(round(estimate * 1000, 6)) / 1000


def candidates(bp: Blueprint, plan: Plan) -> list[Change]:
    """The changes worth trying for this blueprint: each only where it is not already so."""
    out: list[Change] = []
    edge = plan.edge
    if edge.cdn is not None and edge.cdn.dynamic.value == "through":
        out.append(Change("edge.cdn.dynamic: bypass", ((("edge", "cdn", "dynamic"), "bypass"),)))
    if plan.level.value == "single-zone":
        out.append(Change("redundancy.level: multi-zone", ((("redundancy", "level"), "multi-zone"),)))
    if plan.level.value == "multi-zone" and plan.replication.value != "active":
        out.append(
            Change(
                "redundancy: {level: multi-zone, replication: active}",
                ((("redundancy", "level"), "multi-zone"), (("redundancy", "replication"), "active")),
            )
        )
    if not (plan.level.value == "multi-region" and plan.replication.value == "active"):
        edits: tuple[Edit, ...] = (
            (("redundancy", "level"), "multi-region"),
            (("redundancy", "replication"), "active"),
        )
        if bp.regions is not None and len(bp.regions) < 2:
            edits += ((("regions",), None),)  # the planner's default regions for active-active
        out.append(Change("redundancy: {level: multi-region, replication: active}", edits))
    for i, store in enumerate(bp.datastores):
        planned = plan.store(store.name)
        if isinstance(store, Relational) and planned.engine.value != "aurora-postgresql" and planned.on_journeys:
            out.append(
                Change(
                    f"engine: aurora-postgresql on {store.name!r}",
                    ((("datastores", i, "engine"), "aurora-postgresql"),),
                )
            )
    queued = [
        (i, j, svc.name, use.name)
        for i, svc in enumerate(bp.services)
        for j, use in enumerate(svc.edges())
        if isinstance(bp.store(use.name), Queue) and not use.async_
    ]
    if queued:  # one change: a queue written through an outbox leaves every journey it was on
        out.append(
            Change(
                "queues off the journeys (written through an outbox): "
                + ", ".join(f"{svc} uses {{name: {queue}, async: true}}" for _, _, svc, queue in queued),
                tuple(((("services", i, "uses", j), {"name": queue, "async": True})) for i, j, _, queue in queued),
            )
        )
    if bp.edge.waf:
        out.append(
            Change(
                "edge.waf: false (its 99.95% leaves the chain, and so does its protection)", ((("edge", "waf"), False),)
            )
        )
    if bp.rto is not None and plan.objectives and any(o.name == "rto" and not o.met for o in plan.objectives):
        expected = next(o.expected_seconds for o in plan.objectives if o.name == "rto")
        if expected is not None:
            out.append(Change(f"rto: {_seconds(expected)}", ((("rto",), _seconds(expected)),), target="rto"))
    if bp.rpo is not None and any(o.name == "rpo" and not o.met for o in plan.objectives):
        expected = next(o.expected_seconds for o in plan.objectives if o.name == "rpo")
        if expected is not None:
            out.append(Change(f"rpo: {_seconds(expected)}", ((("rpo",), _seconds(expected)),), target="rpo"))
    if not plan.availability.met:
        floor = _floor(plan.availability.estimate)
        out.append(
            Change(
                f"availability: {floor:g} (what this design reaches)",
                ((("availability",), floor),),
                target="availability",
            )
        )
    cost = plan.cost
    if bp.cost.monthly_max is not None and cost is not None and cost.budget_status == "over":
        needed = math.ceil(cost.monthly_min)
        out.append(
            Change(
                f"cost.monthly_max: {needed} (what the design its targets need costs)",
                ((("cost", "monthly_max"), needed),),
                target="cost",
            )
        )
    return out


def _seconds(value: float) -> str:
    from blueprints.units import format_duration

    return format_duration(float(int(value + 0.999)))

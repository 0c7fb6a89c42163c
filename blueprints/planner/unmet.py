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
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from blueprints.intent import nearby_regions
from blueprints.latency import nearest, rtt
from blueprints.model import Blueprint, KeyValue, Queue, Relational
from blueprints.plan_model import Edit as PlanEdit
from blueprints.plan_model import Fix, Plan, Unmet
from blueprints.planner.journeys import pct
from blueprints.planner.latency import excess

Replan = Callable[[Blueprint], Plan | None]
MAX_COMBINATION = 3
MAX_SHOWN = 3
NEAR_MS = 30.0
"""A users' area is near a region when their median round trip is under this: farther areas are
worth a region of their own when a latency target is missed."""


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
    if plan.latency is not None and plan.latency.met is False:
        out.append(Unmet(what="latency", why=_latency_why(plan), fixes=[]))
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


def _missed_pairs(plan: Plan) -> list[tuple[float, str, str]]:
    """(excess ms, journey, area) of every journey and area over its latency target, worst first."""
    if plan.latency is None:
        return []
    pairs = [(excess(j, a), j.journey, a.area) for j in plan.latency.journeys for a in j.areas if a.met is False]
    return sorted(pairs, key=lambda p: (-p[0], p[1], p[2]))


def _latency_why(plan: Plan) -> str:
    assert plan.latency is not None
    missed = _missed_pairs(plan)
    _, name, area = missed[0]
    journey = next(j for j in plan.latency.journeys if j.journey == name)
    at = next(a for a in journey.areas if a.area == area)
    targets = [f"p{q} {v:g} ms" for q, v in (("50", journey.target_p50), ("99", journey.target_p99)) if v is not None]
    counted = sorted((h for h in at.hops if h.share > 0.01), key=lambda h: -h.p99)[:3]
    more = f"; {len(missed) - 1} more journey and area pair(s) miss theirs" if len(missed) > 1 else ""
    return (
        f"journey {name!r} from {area} ({at.share:g} % of users, served from {at.serving}) takes p50 "
        f"{at.p50:g} ms, p99 {at.p99:g} ms, over its target of {', '.join(targets)} (slowest hops: "
        + ", ".join(f"{h.what} {h.p99:g} ms" for h in counted)
        + f"){more}"
    )


def advise(bp: Blueprint, plan: Plan, replan: Replan) -> list[Unmet]:
    """`plan`'s misses, each with the changes that were tried and what their plans reach.

    Every change is applied to the blueprint and planned again; its fix says which targets that
    plan meets and which it breaks (met before, missed after), and it is labelled as meeting a
    target only when its plan meets it and breaks nothing. Design changes come first: the singles
    that meet, else the smallest combinations that do (up to MAX_COMBINATION changes); then the
    singles that move the target the right way, with what they reach (a change that leaves the
    target where it was is not offered); last, relaxing the target to what the relaxed blueprint's
    own plan reaches (re-planned until that plan meets the value it quotes: a lower target may
    choose another design)."""
    missed = misses(bp, plan)
    if not missed:
        return []
    doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
    changes = candidates(bp, plan)
    tried: dict[str, Plan | None] = {}
    before = {u.what for u in missed}
    targets = _targets(bp)

    def outcome(combo: tuple[Change, ...]) -> Plan | None:
        key = json.dumps([c.edits for c in combo], sort_keys=True, default=str)
        if key not in tried:
            edited = copy.deepcopy(doc)
            for change in combo:
                change.apply(edited)
            try:
                candidate = Blueprint.model_validate(edited)
            except ValueError:
                tried[key] = None
            else:
                tried[key] = replan(candidate)
        return tried[key]

    def verdict(combo: tuple[Change, ...]) -> tuple[list[str], list[str]] | None:
        reached = outcome(combo)
        if reached is None:
            return None
        after = {u.what for u in misses(bp, reached)}
        return [t for t in targets if t not in after], [t for t in targets if t in after and t not in before]

    def meets(combo: tuple[Change, ...], what: str) -> bool:
        judged = verdict(combo)
        return judged is not None and what in judged[0] and not judged[1]

    def fix(combo: tuple[Change, ...], what: str) -> Fix:
        reached = outcome(combo)
        judged = verdict(combo)
        assert reached is not None and judged is not None
        return _fix(combo, reached, what, meets(combo, what), *judged)

    design = [c for c in changes if not c.relaxes]
    out = []
    for unmet in missed:
        if unmet.what == "cost" and plan.cost is not None and plan.cost.budget_status == "unchecked":
            out.append(unmet)  # no design change prices what the table lacks
            continue
        meeting: list[tuple[Change, ...]] = [(c,) for c in design if meets((c,), unmet.what)]
        # combinations with at least one change that helps alone (one that does not, e.g. a second
        # region behind a CDN that caps the chain, may still be what a helping change needs);
        # never two changes that set the same field
        helping = [c for c in design if _better(outcome((c,)), plan, unmet.what)]
        size = 2
        while not meeting and helping and size <= min(MAX_COMBINATION, len(design)):
            meeting = [
                combo
                for combo in itertools.combinations(design, size)
                if any(c in helping for c in combo) and _disjoint(combo) and meets(combo, unmet.what)
            ]
            size += 1
        searched = (
            ""
            if meeting
            else f"no change to the design hld knows of meets it, alone or up to {min(MAX_COMBINATION, len(design))} together"
            if len(design) > 1
            else "no change to the design hld knows of meets it"
        )
        fixes = [fix(combo, unmet.what) for combo in meeting[:MAX_SHOWN]]
        for c in design:
            if (c,) not in meeting and _better(outcome((c,)), plan, unmet.what):
                fixes.append(fix((c,), unmet.what))  # moves this target: said with what it meets and breaks
        relaxed = _relaxation(bp, plan, unmet.what, outcome)
        if relaxed is not None:
            fixes.append(fix((relaxed,), unmet.what))
        out.append(unmet.model_copy(update={"fixes": fixes, "searched": searched}))
    return out


def _targets(bp: Blueprint) -> list[str]:
    """The targets the blueprint states, in the order advice names them."""
    out = ["availability"]
    if bp.rto is not None:
        out.append("rto")
    if bp.rpo is not None:
        out.append("rpo")
    if bp.cost.monthly_max is not None:
        out.append("cost")
    if bp.latency is not None or any(r.latency is not None for svc in bp.services for r in svc.route_specs()):
        out.append("latency")
    return out


def _disjoint(combo: tuple[Change, ...]) -> bool:
    """No two changes of the combination set the same field (the later would undo the earlier)."""
    seen: list[tuple[Key, ...]] = []
    for change in combo:
        paths = [path for path, _ in change.edits]
        if any(p[: len(q)] == q or q[: len(p)] == p for p in paths for q in seen):
            return False  # the same field, or one inside the other (edge.cdn and edge.cdn.dynamic)
        seen += paths
    return True


def _relaxation(
    bp: Blueprint, plan: Plan, what: str, outcome: Callable[[tuple[Change, ...]], Plan | None]
) -> Change | None:
    """The target set to what the relaxed blueprint's own plan reaches: a lower target may choose
    another design (a cheaper level, the CDN back in the path, RDS for Aurora), so the edited
    blueprint is planned again with the value its plan reaches until that plan meets it."""
    value = _reached(bp, plan, what)
    change = None
    for _ in range(8):
        if value is None:
            return change
        change = _relax(what, value)
        reached = outcome((change,))
        if reached is None:
            return None
        if what not in {u.what for u in misses(bp, reached)}:
            return change
        again = _reached(bp, reached, what)
        if again == value:
            return change  # the design cannot meet even what it reaches: shown as not meeting
        value = again
    return change


def _reached(bp: Blueprint, plan: Plan, what: str) -> float | str | int | tuple[Edit, ...] | None:
    """What `plan` reaches for a target, as a value the blueprint may state (for latency: the edits
    that set each missed target to what its journeys reach, rounded up to whole ms)."""
    if what == "latency":
        return _latency_reached(bp, plan)
    if what == "availability":
        return _floor(plan.availability.estimate)
    if what == "cost":
        return math.ceil(plan.cost.monthly_min) if plan.cost is not None else None
    expected = [o.expected_seconds for o in plan.objectives if o.name == what and o.expected_seconds is not None]
    return _seconds(max(expected)) if expected else None


def _latency_reached(bp: Blueprint, plan: Plan) -> tuple[Edit, ...] | None:
    if plan.latency is None:
        return None
    edits: list[Edit] = []

    def worst(journeys: list[str], target: Any) -> dict[str, str]:
        areas = [a for j in plan.latency.journeys if j.journey in journeys for a in j.areas]  # type: ignore[union-attr]
        out = {}
        for q in ("p50", "p99"):
            if getattr(target, q) is not None:
                reached = max(getattr(a, q) for a in areas)
                out[q] = f"{max(math.ceil(reached), math.ceil(getattr(target, q))):g}ms"
        return out

    own = {
        (i, j): f"{svc.name}: {route.route}"
        for i, svc in enumerate(bp.services)
        for j, route in enumerate(svc.route_specs())
        if route.latency is not None
    }
    if bp.latency is not None:
        system = [j.journey for j in plan.latency.journeys if j.target_source == "latency"]
        if system:
            edits.append((("latency",), worst(system, bp.latency)))
    for (i, j), name in own.items():
        journey = next((x for x in plan.latency.journeys if x.journey == name), None)
        if journey is not None and journey.met is False:
            target = bp.services[i].route_specs()[j].latency
            edits.append((("services", i, "routes", j, "latency"), worst([name], target)))  # a route in full form
    return tuple(edits) or None


def _relax(what: str, value: float | str | int | tuple[Edit, ...]) -> Change:
    if what == "latency":
        assert isinstance(value, tuple)
        said = ", ".join(
            ("latency" if path == ("latency",) else f"services[{path[1]}].routes[{path[3]}].latency")
            + ": {"
            + ", ".join(f"{k}: {v}" for k, v in target.items())
            + "}"
            for path, target in value
        )
        return Change(f"{said} (what the design reaches)", value, target=what)
    assert not isinstance(value, tuple)
    if what == "availability":
        return Change(
            f"availability: {value:g} (what the blueprint planned with it reaches)",
            ((("availability",), value),),
            target=what,
        )
    if what == "cost":
        return Change(
            f"cost.monthly_max: {value} (what the design its targets need costs)",
            ((("cost", "monthly_max"), value),),
            target=what,
        )
    return Change(f"{what}: {value}", (((what,), value),), target=what)


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
    if what == "latency":
        return sum(p[0] for p in _missed_pairs(reached)) < sum(p[0] for p in _missed_pairs(plan))
    old = [o.expected_seconds for o in plan.objectives if o.name == what and not o.met]
    new = [o.expected_seconds for o in reached.objectives if o.name == what]
    known_new = [s for s in new if s is not None]
    if not new or len(known_new) < len(new):
        return False
    known_old = [s for s in old if s is not None]
    if not old or len(known_old) < len(old):
        return True
    return max(known_new) < max(known_old)


NAMES = {"availability": "availability", "rto": "RTO", "rpo": "RPO", "cost": "budget", "latency": "latency"}


def _fix(combo: tuple[Change, ...], plan: Plan, what: str, meets: bool, met: list[str], breaks: list[str]) -> Fix:
    if what == "availability":
        reaches = f"{pct(plan.availability.estimate)}%"
    elif what == "cost":
        reaches = f"${plan.cost.monthly_min:,.0f}/month" if plan.cost else "unpriced"
    elif what == "latency":
        reaches = _latency_reaches(plan)
    else:
        objective = next(o for o in plan.objectives if o.name == what)
        reaches = objective.detail.split(";", 1)[0]
    return Fix(
        change=" + ".join(c.text for c in combo),
        edits=[PlanEdit(path=list(path), value=value) for c in combo for path, value in c.edits],
        reaches=reaches,
        meets=meets,
        relaxes=any(c.relaxes for c in combo),
        meets_targets=[NAMES[t] for t in met],
        breaks=[NAMES[t] for t in breaks],
    )


def _latency_reaches(plan: Plan) -> str:
    """The slowest journey and area's p50 and p99, and how many pairs still miss."""
    if plan.latency is None or not plan.latency.journeys:
        return "no journey"
    missed = _missed_pairs(plan)
    if missed:
        _, name, area = missed[0]
    else:
        name, area = max(
            ((j.journey, a.area, a.p99) for j in plan.latency.journeys for a in j.areas), key=lambda p: p[2]
        )[:2]
    at = next(a for j in plan.latency.journeys if j.journey == name for a in j.areas if a.area == area)
    return f"p50 {at.p50:g} ms, p99 {at.p99:g} ms ({name} from {area}); {len(missed)} pair(s) over target"


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
        text = "redundancy: {level: multi-region, replication: active}"
        regions = _active_regions(bp)
        if regions is not None and regions != bp.regions:
            # never another continent: regions near the ones set (the strong set holding the primary)
            edits += ((("regions",), regions),)
            text += f", regions: [{', '.join(regions)}]"
        if regions is not None or bp.regions is None:
            out.append(Change(text, edits))
    for i, store in enumerate(bp.datastores):
        planned = plan.store(store.name)
        if isinstance(store, Relational) and planned.engine.value != "aurora-postgresql" and planned.on_journeys:
            out.append(
                Change(
                    f"engine: aurora-postgresql on {store.name!r}",
                    ((("datastores", i, "engine"), "aurora-postgresql"),),
                )
            )
    serving = _on_journeys(bp)
    queued = [
        (i, j, svc.name, use.name)
        for i, svc in enumerate(bp.services)
        for j, use in enumerate(svc.edges())
        if svc.name in serving and isinstance(bp.store(use.name), Queue) and not use.async_
    ]
    if queued:  # one change: a queue written through an outbox leaves every journey it was on
        out.append(
            Change(
                "queues off the journeys (written through an outbox): "
                + ", ".join(f"{svc} uses {{name: {queue}, async: true}}" for _, _, svc, queue in queued),
                tuple(((("services", i, "uses", j), {"name": queue, "async": True})) for i, j, _, queue in queued),
            )
        )
    if bp.edge.cdn is not None:
        cached = [
            (i, j, f"{svc.name} {route.route}")
            for i, svc in enumerate(bp.services)
            for j, route in enumerate(svc.route_specs())
            if route.cache == "public"
        ]
        out.append(
            Change(
                "remove edge.cdn (its 99.9% leaves the chain, and so does its caching)"
                + (f", and `cache: public` from {', '.join(name for _, _, name in cached)}" if cached else ""),
                ((("edge", "cdn"), None), *((("services", i, "routes", j, "cache"), None) for i, j, _ in cached)),
            )
        )
    if bp.edge.waf:
        out.append(
            Change(
                "edge.waf: false (its 99.95% leaves the chain, and so does its protection)", ((("edge", "waf"), False),)
            )
        )
    if plan.latency is not None and plan.latency.met is False:
        out += _latency_changes(bp, plan)
    return out


def _latency_changes(bp: Blueprint, plan: Plan) -> list[Change]:
    """Changes that cut a missed latency target: a region near users far from every region (served
    there by latency routing), and reads or writes that stop crossing regions (PACELC's else: latency
    instead of consistency, said as such)."""
    out: list[Change] = []
    regions = list(plan.regions.value)
    cdn = plan.edge.cdn
    if not any(s.public for s in plan.services) or (cdn is not None and cdn.dynamic.value == "through"):
        return out  # served from the primary whatever the regions (a site's bucket, the CDN's origin group)
    far = sorted(
        (a for a in bp.users or {} if rtt(a, nearest(a, regions))[0] > NEAR_MS),
        key=lambda a: (-(bp.users or {})[a], a),
    )
    groups = [[area] for area in far[:2]] + ([far] if len(far) > 1 else [])
    # strong tables active in regions of no strong set would be refused: they go multi-region eventual
    strong = [
        (i, s.name)
        for i, s in enumerate(bp.datastores)
        if isinstance(s, KeyValue) and (s.consistency or bp.consistency or "strong") == "strong"
    ]
    # strong relational reads go to the one writer from every region: a region near the users helps
    # them only when their reads may come from its replica
    lagging = [
        (i, s.name)
        for i, s in enumerate(bp.datastores)
        if isinstance(s, Relational)
        and plan.store(s.name).on_journeys
        and (s.consistency or bp.consistency or "strong") != "eventual"
    ]
    for group in groups:
        added = [*regions, *group]
        served = " and ".join(f"{a}'s" for a in group)
        text = (
            f"redundancy: {{level: multi-region, replication: active}}, regions: [{', '.join(added)}] "
            f"(serves {served} users from their own region by latency routing"
            + ("" if bp.edge.domain or plan.edge.needs_domain else ", which needs edge.domain")
            + ")"
        )
        edits: tuple[Edit, ...] = (
            (("redundancy", "level"), "multi-region"),
            (("redundancy", "replication"), "active"),
            (("regions",), added),
        )
        if strong:
            text += (
                ", with "
                + ", ".join(f"consistency: read-your-writes on {name!r}" for _, name in strong)
                + (" (writes reach the other regions about 1 s later: latency instead of consistency)")
            )
            edits += tuple((("datastores", i, "consistency"), "read-your-writes") for i, _ in strong)
        out.append(Change(text, edits))
        if lagging:
            out.append(
                Change(
                    text
                    + ", with "
                    + ", ".join(f"consistency: eventual on {name!r}" for _, name in lagging)
                    + " (reads from the replica in each region, which lags the writer: latency instead of "
                    "consistency)",
                    edits + tuple((("datastores", i, "consistency"), "eventual") for i, _ in lagging),
                )
            )
    if len(regions) > 1:
        for i, store in enumerate(bp.datastores):
            planned = plan.store(store.name)
            if not planned.on_journeys:
                continue
            if isinstance(store, Relational) and planned.consistency.value != "eventual":  # type: ignore[union-attr]
                out.append(
                    Change(
                        f"consistency: eventual on {store.name!r} (reads from a replica in each region, which "
                        "lags the writer: latency instead of consistency)",
                        ((("datastores", i, "consistency"), "eventual"),),
                    )
                )
            if isinstance(store, KeyValue) and getattr(planned, "global_mode", None) == "MRSC":
                out.append(
                    Change(
                        f"consistency: read-your-writes on {store.name!r} (writes commit in their region and reach "
                        "the others about 1 s later: latency instead of consistency)",
                        ((("datastores", i, "consistency"), "read-your-writes"),),
                    )
                )
    return out


def _active_regions(bp: Blueprint) -> list[str] | None:
    """The regions a multi-region active design of `bp` would have, near its own (None when the
    blueprint leaves them unset, or no region set near the primary can serve it)."""
    if bp.regions is None:
        return None
    consistency = bp.consistency or "strong"
    strong = any(isinstance(s, KeyValue) and (s.consistency or consistency) == "strong" for s in bp.datastores)
    return nearby_regions(list(bp.regions), strong)


def _on_journeys(bp: Blueprint) -> set[str]:
    """The services a user journey crosses: the public ones and those they call synchronously."""
    out = {s.name for s in bp.services if s.public}
    todo = list(out)
    while todo:
        svc = bp.service(todo.pop())
        for use in svc.edges() if svc is not None else []:
            if not use.async_ and bp.service(use.name) is not None and use.name not in out:
                out.add(use.name)
                todo.append(use.name)
    return out


def _seconds(value: float) -> str:
    from blueprints.units import format_duration

    return format_duration(float(int(value + 0.999)))

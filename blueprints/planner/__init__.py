"""plan(blueprint, stack) -> Plan: intent turned into decisions, each with its reason.

Pure: no Pulumi, no boto3, no I/O. When the blueprint leaves the redundancy level or
replication unset, the candidates from `intent.candidates` are planned cheapest first and the
first that meets every target is kept. One module per decision area:

    network.py    VPCs, subnets per zone, NAT, peering
    services.py   task sizes, capacity per region (static stability), scaling bounds
    stores/       one module per data-store kind
    edge.py       CDN, WAF, DNS, certificates, load-balancer routing
    journeys.py   availability per user journey
    recovery.py   DR strategy, recovery on zone and region loss, objectives
    controls.py   the security and data-safety controls
    unmet.py      what the plan misses, and what would meet it
    operations.py SLOs and alarms, experiments and runbooks for what the plan promises
    latency.py    each journey's latency per users' area, and the PACELC record
    quotas.py     the AWS quotas the design needs, beside AWS's defaults
"""

from __future__ import annotations

from blueprints.capacity import offered_load
from blueprints.convergence import convergence
from blueprints.cost import estimate
from blueprints.cost.estimate import aurora_storage
from blueprints.figures import FIGURES_NOTE, zones_of
from blueprints.intent import Intent, candidates, unmet_level
from blueprints.model import Blueprint
from blueprints.plan_model import Plan
from blueprints.planner.controls import controls
from blueprints.planner.edge import edge, listener_rules
from blueprints.planner.journeys import availability, failover_cost, journeys
from blueprints.planner.latency import latency
from blueprints.planner.network import network, peering, spans
from blueprints.planner.operations import operations
from blueprints.planner.quotas import quotas
from blueprints.planner.recovery import dr, objectives
from blueprints.planner.services import service
from blueprints.planner.settings import StackSettings
from blueprints.planner.stores import journey_stores, store
from blueprints.planner.unmet import advise, misses
from blueprints.rules import check, intent_rules, unchecked_fixes

__all__ = ["StackSettings", "plan"]


def plan(bp: Blueprint, stack: StackSettings | None = None) -> Plan:
    """The plan for a checked blueprint (see `blueprints.loader.load`)."""
    with unchecked_fixes():  # the planner needs only whether a candidate has problems
        return _planned(bp, stack)


def _planned(bp: Blueprint, stack: StackSettings | None) -> Plan:
    settings = stack or StackSettings()
    chosen = _choose(bp, settings)
    if chosen is None:
        raise ValueError("blueprint has coherence problems; load it with blueprints.load() first")
    if chosen.ok:
        return chosen

    def replan(changed: Blueprint) -> Plan | None:
        return None if check(changed) else _choose(changed, settings)

    return chosen.model_copy(
        update={
            "level": unmet_level(chosen.level, [u.what for u in chosen.unmet]),
            "unmet": advise(bp, chosen, replan),
        }
    )


def _choose(bp: Blueprint, stack: StackSettings) -> Plan | None:
    """The cheapest candidate plan that meets every target, else the last (strongest) one; no advice.

    The budget (cost.monthly_max) does not choose: the design is the one the targets need, and a
    budget it exceeds is reported against that design, not against a stronger candidate tried
    after it."""
    last = None
    for intent in candidates(bp):
        if intent_rules(bp, intent):
            continue
        last = _plan(bp, intent, stack)
        if all(u.what == "cost" for u in last.unmet):
            return last
    return last


def _plan(bp: Blueprint, intent: Intent, stack: StackSettings) -> Plan:
    regions = list(intent.regions.value)
    zones = {r: zones_of(r)[: intent.zones.value] for r in regions}
    journeys_by_store = journey_stores(bp)
    stores = [store(bp, s, intent, stack, journeys_by_store) for s in bp.datastores]
    stores = [s.model_copy(update={"convergence": convergence(s, regions)}) for s in stores]
    planned_edge = edge(bp, intent)
    offered = offered_load(bp)
    services = [service(bp, s, intent, offered) for s in bp.services]
    cost = failover_cost(bp, intent)
    planned_journeys = journeys(bp, intent, stores, planned_edge, cost)
    planned_availability = availability(bp, planned_journeys, cost)
    planned_dr = dr(bp, intent, stores, regions, planned_edge, services)
    planned_objectives = objectives(bp, intent, planned_dr, stores, journeys_by_store)
    planned = Plan(
        name=bp.name,
        description=bp.description,
        stack=stack.name,
        environment="development" if stack.environment == "development" else "production",
        level=intent.level,
        replication=intent.replication,
        consistency=intent.consistency,
        regions=intent.regions,
        primary_region=regions[0],
        zones_per_region=intent.zones,
        networks=[
            network(r, i, zones[r], stack, vpc=bool(bp.services), needs=spans(r, services, stores))
            for i, r in enumerate(regions)
        ],
        peering=peering(intent, stores),
        services=services,
        datastores=stores,
        edge=planned_edge,
        routing=listener_rules(services),
        security=controls(bp),
        availability=planned_availability,
        dr=planned_dr,
        objectives=planned_objectives,
        unmet=[],
        figures_note=FIGURES_NOTE,
    )
    planned = planned.model_copy(update={"operations": operations(bp, planned), "latency": latency(bp, planned)})
    planned = aurora_storage(bp, planned.model_copy(update={"cost": estimate(bp, planned)}))
    planned = planned.model_copy(update={"quotas": quotas(planned)})
    return planned.model_copy(update={"unmet": misses(bp, planned)})

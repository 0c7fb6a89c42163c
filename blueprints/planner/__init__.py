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
"""

from __future__ import annotations

from blueprints.figures import FIGURES_NOTE, zones_of
from blueprints.intent import Intent, candidates
from blueprints.model import Blueprint
from blueprints.plan_model import Plan
from blueprints.planner.controls import controls
from blueprints.planner.edge import edge, listener_rules
from blueprints.planner.journeys import availability, journeys
from blueprints.planner.network import network, peering
from blueprints.planner.recovery import dr, objectives
from blueprints.planner.services import service
from blueprints.planner.settings import StackSettings
from blueprints.planner.stores import journey_stores, store
from blueprints.planner.unmet import unmet
from blueprints.rules import intent_rules

__all__ = ["StackSettings", "plan"]


def plan(bp: Blueprint, stack: StackSettings | None = None) -> Plan:
    """The plan for a checked blueprint (see `blueprints.loader.load`)."""
    stack = stack or StackSettings()
    plans = [_plan(bp, intent, stack) for intent in candidates(bp) if not intent_rules(bp, intent)]
    if not plans:
        raise ValueError("blueprint has coherence problems; load it with blueprints.load() first")
    return next((p for p in plans if p.ok), plans[-1])


def _plan(bp: Blueprint, intent: Intent, stack: StackSettings) -> Plan:
    regions = list(intent.regions.value)
    zones = {r: zones_of(r)[: intent.zones.value] for r in regions}
    journeys_by_store = journey_stores(bp)
    stores = [store(bp, s, intent, stack, journeys_by_store) for s in bp.datastores]
    planned_edge = edge(bp, intent)
    services = [service(bp, s, intent) for s in bp.services]
    planned_journeys = journeys(bp, intent, stores, planned_edge)
    planned_availability = availability(bp, planned_journeys)
    planned_dr = dr(bp, intent, stores, regions)
    planned_objectives = objectives(bp, intent, planned_dr, stores, journeys_by_store)
    return Plan(
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
        networks=[network(r, i, zones[r], stack) for i, r in enumerate(regions)],
        peering=peering(intent, stores),
        services=services,
        datastores=stores,
        edge=planned_edge,
        routing=listener_rules(services),
        security=controls(bp),
        availability=planned_availability,
        dr=planned_dr,
        objectives=planned_objectives,
        unmet=unmet(bp, intent, planned_availability, planned_objectives, planned_edge),
        figures_note=FIGURES_NOTE,
    )

"""Data stores: one module per kind, each turning the blueprint's store into its plan (engine,
replication, replicas, instance class) and the promises checks and what-ifs read (zone and
region recovery, system of record, the SLA figure its journeys stand on)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blueprints.intent import Intent
from blueprints.model import AnyStore, Blueprint, ObjectStore, Route, Service
from blueprints.plan_model import AnyStorePlan
from blueprints.planner.settings import StackSettings
from blueprints.planner.stores import cache, key_value, objects, queue, relational

Planner = Callable[[Blueprint, Any, Intent, StackSettings, dict[str, Any]], AnyStorePlan]
KINDS: dict[str, Planner] = {
    "relational": relational.plan,
    "key-value": key_value.plan,
    "cache": cache.plan,
    "queue": queue.plan,
    "object": objects.plan,
}
"""The planner of each store kind."""


def journey_stores(bp: Blueprint) -> dict[str, set[str]]:
    """Data stores each public service's journeys cross synchronously (following service calls and
    each route's own `uses`), and the public object stores the CDN serves."""
    out: dict[str, set[str]] = {}
    for svc in bp.services:
        if svc.public:
            out[svc.name] = set().union(
                *(route_stores(bp, svc, r) for r in svc.route_specs() or [Route(route="ANY /")])
            )
    for store in bp.datastores:
        if isinstance(store, ObjectStore) and store.public:
            out[store.name] = {store.name}
    return out


def route_stores(bp: Blueprint, svc: Service, route: Route) -> set[str]:
    """The stores a route's journey crosses: the route's own `uses` (or its service's), following
    synchronous calls to other services."""
    if route.uses is None:
        return chain_stores(bp, svc, set())
    stores: set[str] = set()
    for edge in svc.edges():
        if edge.async_ or edge.name not in route.uses:
            continue
        callee = bp.service(edge.name)
        if callee is not None:
            stores |= chain_stores(bp, callee, {svc.name})
        elif bp.store(edge.name):
            stores.add(edge.name)
    return stores


def chain_stores(bp: Blueprint, svc: Service, seen: set[str]) -> set[str]:
    seen.add(svc.name)
    stores: set[str] = set()
    for edge in svc.edges():
        if edge.async_:
            continue
        callee = bp.service(edge.name)
        if callee and callee.name not in seen:
            stores |= chain_stores(bp, callee, seen)
        elif bp.store(edge.name):
            stores.add(edge.name)
    return stores


def store(
    bp: Blueprint, store: AnyStore, intent: Intent, stack: StackSettings, journeys: dict[str, set[str]]
) -> AnyStorePlan:
    """The plan of one data store: the fields every kind shares, then its kind's planner."""
    regions = list(intent.regions.value)
    common: dict[str, Any] = dict(
        name=store.name,
        description=store.description,
        regions=regions,
        writer_region=regions[0],
        multi_az=intent.level.value != "single-zone",
        used_by=sorted(s.name for s in bp.services if any(e.name == store.name for e in s.edges())),
        on_journeys=any(store.name in stores for stores in journeys.values()),
    )
    return KINDS[store.kind](bp, store, intent, stack, common)

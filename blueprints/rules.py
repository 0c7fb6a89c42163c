"""Coherence rules: what the schema alone cannot see (HLD-RULES.md §4).

Each rule returns Findings that name the field, the value, the rule and a change
that would be accepted. An incoherent choice is an input error, never a silent
downgrade. Rules that depend on derived knobs are checked on every candidate
resolution; the blueprint is rejected only when no candidate is coherent.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from blueprints import limits, names
from blueprints.access import MODES
from blueprints.capacity import design_rps, max_replicas, offered_load, replicas_per_zone
from blueprints.figures import FLOAT_NOISE, MRSC_REGION_SETS, REGION_ZONES, zones_of
from blueprints.intent import Intent, candidates, ceiling, nearby_regions
from blueprints.model import (
    AnyStore,
    Blueprint,
    HealthExec,
    KeyValue,
    ObjectStore,
    Relational,
    Route,
    Service,
    UseRef,
)
from blueprints.problems import Broken, Path
from blueprints.routing import path_pattern
from blueprints.units import format_duration


@dataclass(frozen=True)
class Finding:
    path: Path
    message: str
    rule: str
    fix: str
    at_key: bool = False
    others: tuple[Path, ...] = ()
    """Other places the problem involves (the other component of a name collision): the loader
    names each with its FILE:LINE:COL."""
    edits: tuple[tuple[Path, object], ...] = ()
    """The fix as edits to the blueprint document (path, value; None removes), when it is one
    change that validates (see `_that_validate`)."""


def effective_consistency(store: AnyStore, intent: Intent) -> str:
    own = getattr(store, "consistency", None)
    return own or intent.consistency.value


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.3f}".rstrip("0").rstrip(".") + "%"


def check(bp: Blueprint, broken: Broken | None = None) -> list[Finding]:
    """Every problem of the blueprint as written (after the schema). With `broken` (the parts that
    failed the schema), each rule runs when the parts it reads are valid, so one run reports
    every problem there is."""
    broken = broken or Broken()
    found: list[Finding] = []
    if broken.reads("services", "datastores"):
        found += _references(bp, broken)
        found += derived_names(bp, broken)
    regions_found = _regions_known(bp) if broken.reads("regions") else []
    found += regions_found
    if broken.reads("users"):
        found += _users(bp)
    if broken.whole("latency", "services", "datastores", "edge"):
        found += _latency_journeys(bp)
    if broken.whole("edge", "security", "services"):
        found += _edge(bp)
    if broken.reads(*INTENT_FIELDS) and not regions_found:
        resolved = candidates(bp)
        with unchecked_fixes():  # whether each candidate is coherent; the fixes only for the one reported
            per_candidate = [intent_rules(bp, intent, broken) for intent in resolved]
        if all(per_candidate):
            found += intent_rules(bp, resolved[-1], broken)
    return found


INTENT_FIELDS = ("availability", "redundancy", "regions", "consistency", "rto", "rpo", "scaling", "users")
"""The top-level fields the intent (level, replication, regions, zones) is resolved from."""


def _references(bp: Blueprint, broken: Broken) -> list[Finding]:
    out: list[Finding] = []
    seen: dict[str, str] = {}
    for group, items in (("services", bp.services), ("datastores", bp.datastores)):
        for i, item in enumerate(items):
            if item.name in seen:
                out.append(
                    Finding(
                        (group, i, "name"),
                        f"name {item.name!r} is already used by a {seen[item.name]}",
                        "unique-names",
                        "give every service and data store its own name",
                    )
                )
            seen.setdefault(item.name, group[:-1].replace("datastore", "data store"))
    names = sorted(seen)
    for i, svc in enumerate(bp.services):
        for j, edge in enumerate(svc.edges()):
            path: Path = ("services", i, "uses", j)
            if edge.name == svc.name:
                out.append(Finding(path, f"{svc.name!r} uses itself", "data-flow", "remove it from `uses`"))
            elif edge.name not in seen and edge.name not in broken.declared:
                close = difflib.get_close_matches(edge.name, names, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "declare it under `services` or `datastores`"
                out.append(Finding(path, f"uses {edge.name!r}, which is not declared", "data-flow", hint))
            else:
                if edge.access is not None:
                    out += _access_rule(bp, path, edge.name, edge.access)
                out += _read_share_rule(bp, path, svc, edge)
        if svc.routes and not svc.public:
            out.append(
                Finding(
                    ("services", i, "routes"),
                    "routes are public user journeys, but the service is not public",
                    "journeys",
                    "set `public: true`, or remove `routes`",
                )
            )
        if svc.connections == "long-lived" and not svc.public:
            out.append(
                Finding(
                    ("services", i, "connections"),
                    "long-lived connections are held through the load balancer, but the service is not public",
                    "journeys",
                    "set `public: true`, or remove `connections`",
                )
            )
        out += _route_rules(bp, i, svc)
        out += _public_health(i, svc)
    if not out:
        out += _cycles(bp)
    if broken.whole("services") and not out:
        out += _listener_rules(bp)
    return out


def _read_share_rule(bp: Blueprint, path: Path, svc: Service, edge: UseRef) -> list[Finding]:
    """`read_share` splits a read-write edge's calls; on any other edge it contradicts the access."""
    if edge.read_share is None:
        return []
    from blueprints.access import infer

    store = bp.store(edge.name)
    if store is None:
        what = f"a call to the service {edge.name!r}"
    elif store.kind == "queue" or (edge.access is not None and edge.access not in MODES[store.kind]):
        what = f"an edge to a {STORE_WORDS.get(store.kind, store.kind)}"
    else:
        access = infer(bp, svc, edge)[0]
        if access == "read-write":
            return []
        what = f"a {access}-only edge (every call {'reads' if access == 'read' else 'writes'})"
    return [
        Finding(
            (*path, "read_share"),
            f"`read_share` on {what}: it splits the calls of a read-write edge to a store",
            "access",
            "remove `read_share`" + ("" if store is None or store.kind == "queue" else ", or set access: read-write"),
            edits=(((*path, "read_share"), None),),
        )
    ]


def _access_rule(bp: Blueprint, path: Path, name: str, access: str) -> list[Finding]:
    """An edge's `access` is one its store's kind takes (blueprints.access.MODES); a service has none."""
    store = bp.store(name)
    if store is None:
        if bp.service(name) is None:
            return []  # not declared (an item the schema left out): reported as such
        return [
            Finding(
                (*path, "access"),
                f"`access` {access!r} on a call to the service {name!r}: only a data store's edge has an access mode",
                "access",
                "remove `access` from this edge",
            )
        ]
    modes = MODES[store.kind]
    if access in modes:
        return []
    return [
        Finding(
            (*path, "access"),
            f"`access` {access!r} is not what an edge to a {STORE_WORDS.get(store.kind, store.kind)} does",
            "access",
            f"use one of {', '.join(modes)} for {_what(bp, name)}",
        )
    ]


def _what(bp: Blueprint, name: str) -> str:
    store = bp.store(name)
    kind = "service" if store is None else store.kind
    return f"{STORE_WORDS.get(kind, kind)} {name!r}"


STORE_WORDS = {"relational": "relational store", "key-value": "key-value store", "object": "object store"}


def derived_names(bp: Blueprint, broken: Broken | None = None) -> list[Finding]:
    """Every identifier the targets derive from the names (blueprints.names) is unique, and no
    component takes a name a target keeps for itself: otherwise one object, file or variable would
    replace another, or `pulumi up` would stop on a duplicate URN."""
    broken = broken or Broken()
    paths: dict[str, Path] = {}
    for group, items in (("services", bp.services), ("datastores", bp.datastores)):
        for i, item in enumerate(items):
            paths.setdefault(item.name, (group, i, "name"))
    out: list[Finding] = []
    if broken.reads("name") and bp.name in names.RESERVED_NAMESPACES:
        out.append(
            Finding(
                ("name",),
                f"the system's name is its Kubernetes namespace, and {bp.name!r} is one a kind cluster already "
                "has (its controllers do not meet the restricted pod security the render sets on it)",
                "reserved-names",
                f"rename the system, e.g. {bp.name + '-app'!r}",
            )
        )
    for name, path in paths.items():
        if name in names.RESERVED_NAMES:
            kind = next(k for k, v in names.SHARED_STAND_INS.items() if v == name)
            out.append(
                Finding(
                    path,
                    f"{name!r} is the name of the stand-in that serves every {kind} store on kind (its workload, "
                    "Service and pods)",
                    "reserved-names",
                    f"rename {_what(bp, name)}, e.g. {name + '-app'!r}",
                )
            )
    if len(paths) != len(bp.services) + len(bp.datastores):
        return out  # a name used twice: `unique-names` says so, and everything it derives is doubled
    components = [c for c in names.components(bp) if c.name not in names.RESERVED_NAMES]
    regions = _planned_regions(bp, broken)
    zones = [z for r in regions for z in zones_of(r)]
    for collision in names.collisions(names.derived(bp.name, components, regions, zones)):
        first, second = collision.first, collision.second
        if not first.owner:
            first, second = second, first
        what = names.describe(first)
        if not second.owner:
            out.append(
                Finding(
                    paths[first.owner],
                    f"{_what(bp, first.owner)} would make {what} ({first.role}), which the targets make for "
                    f"the system: {second.role}",
                    "derived-names",
                    f"rename {first.owner!r}",
                )
            )
            continue
        a, b = sorted((first, second), key=lambda d: (d.renamed, paths[d.owner]))
        either = [d.owner for d in (b, a) if d.renamed]
        out.append(
            Finding(
                paths[b.owner],
                f"{_what(bp, b.owner)} would make {what} ({b.role}), and so would {_what(bp, a.owner)} "
                f"({a.role}): one would replace the other",
                "derived-names",
                f"rename {' or '.join(repr(n) for n in either)}: the targets name what they make after "
                "them, words joined by dashes",
                others=(paths[a.owner],),
            )
        )
    return out


def _planned_regions(bp: Blueprint, broken: Broken) -> list[str]:
    """Every region a plan of the blueprint may use (each candidate intent's)."""
    if broken.reads(*INTENT_FIELDS):
        found = {r for intent in candidates(bp) for r in intent.regions.value}
    else:
        found = set(bp.regions or []) if broken.reads("regions") else set()
    return sorted(r for r in found if r in REGION_ZONES) or ["us-east-1"]


def _public_health(i: int, svc: Service) -> list[Finding]:
    """A public service is health-checked over HTTP: the load balancer's target group (and Route 53's
    probes through it) can only GET a path, so `exec` and `none` are for services without one."""
    if not svc.public or isinstance(svc.health, str):
        return []
    form = "a command (`exec`)" if isinstance(svc.health, HealthExec) else "`none`"
    return [
        Finding(
            ("services", i, "health"),
            f"a public service's health is {form}, but the load balancer checks a public service over HTTP",
            "public-health",
            "give `health` the HTTP path the service answers (e.g. `health: /healthz`), or make the service not public",
        )
    ]


def _route_rules(bp: Blueprint, i: int, svc: Service) -> list[Finding]:
    """A route's own `uses` is a subset of its service's; only safe methods are cached, by a CDN."""
    out = []
    declared = {e.name for e in svc.edges()}
    for j, route in enumerate(svc.routes):
        if isinstance(route, str):
            continue
        for k, name in enumerate(route.uses or []):
            if name not in declared:
                out.append(
                    Finding(
                        ("services", i, "routes", j, "uses", k),
                        f"route {route.route!r} uses {name!r}, which its service does not use",
                        "data-flow",
                        f"add {name!r} to the service's `uses`, or remove it from the route's",
                    )
                )
        if route.cache == "public" and route.method not in ("GET", "HEAD"):
            out.append(
                Finding(
                    ("services", i, "routes", j, "cache"),
                    f"{route.method} responses are not cached (a CDN caches GET and HEAD)",
                    "cdn",
                    "remove `cache: public`, or make the route GET",
                )
            )
        if route.cache == "public" and not bp.edge.cdn:
            out.append(
                Finding(
                    ("services", i, "routes", j, "cache"),
                    "cache: public needs a CDN to cache it",
                    "cdn",
                    "add edge.cdn, or remove `cache: public`",
                )
            )
    return out


def _listener_rules(bp: Blueprint) -> list[Finding]:
    """Every distinct public path becomes a load-balancer listener rule (plus the health path):
    an ALB holds MAX_LISTENER_RULES."""
    patterns = {
        path_pattern(route.route)
        for s in bp.services
        if s.public
        for route in s.route_specs() or [Route(route="ANY /*")]
    }
    if len(patterns) + 1 <= limits.MAX_LISTENER_RULES:
        return []
    return [
        Finding(
            ("services",),
            f"the public routes need {len(patterns) + 1} load-balancer listener rules (one per distinct path, "
            f"and the health path); an Application Load Balancer holds {limits.MAX_LISTENER_RULES}",
            "limits",
            "merge routes under path patterns (e.g. 'GET /items/{id}' and 'PUT /items/{id}' share one), "
            "or split the system",
        )
    ]


def _cycles(bp: Blueprint) -> list[Finding]:
    """Synchronous service-to-service calls must not loop: a journey would never end."""
    calls = {s.name: [e.name for e in s.edges() if not e.async_ and bp.service(e.name)] for s in bp.services}
    out = []
    for i, svc in enumerate(bp.services):
        stack, seen = list(calls[svc.name]), set()
        while stack:
            name = stack.pop()
            if name == svc.name:
                out.append(
                    Finding(
                        ("services", i, "uses"),
                        f"synchronous calls from {svc.name!r} come back to it",
                        "data-flow",
                        "break the loop: make one call `{name: ..., async: true}` through a queue",
                    )
                )
                break
            if name not in seen:
                seen.add(name)
                stack += calls[name]
    return out


def _size_rules(bp: Blueprint, intent: Intent) -> list[Finding]:
    """A pinned instance class the engine this resolution gives the store offers (blueprints.sizes;
    the engine as blueprints.planner.stores.relational.choose_engine decides it)."""
    from blueprints.planner.stores import journey_stores
    from blueprints.planner.stores.relational import choose_engine
    from blueprints.sizes import relational_problem

    out = []
    journeys = None
    for i, store in enumerate(bp.datastores):
        if not isinstance(store, Relational) or store.instance_class is None:
            continue
        journeys = journeys if journeys is not None else journey_stores(bp)
        on_journeys = any(store.name in stores for stores in journeys.values())
        engine = choose_engine(bp, store, intent, on_journeys)
        problem = relational_problem(store.engine, store.instance_class, [engine.value])
        if problem is None:
            continue
        why, pin = problem
        path: Path = ("datastores", i, "instance_class")
        edits: tuple[tuple[Path, object], ...] = ()
        fix = "choose one of the classes named"
        if pin:
            why += f" ({engine.reason})"
            fix, edits = f"pin the engine: engine: {pin}", ((("datastores", i, "engine"), pin),)
        out.append(Finding(path, why, "instance-class", fix, edits=edits))
    return out


def _users(bp: Blueprint) -> list[Finding]:
    """Where the users are: each area a region hld has latency figures for, the shares adding up to 100."""
    out = []
    for area in bp.users or {}:
        if area not in REGION_ZONES:
            close = difflib.get_close_matches(area, list(REGION_ZONES), n=1)
            out.append(
                Finding(
                    ("users", area),
                    f"unknown region {area!r} as a users' area (an area is the AWS region its users are nearest)",
                    "latency",
                    f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(REGION_ZONES)}",
                    at_key=True,
                )
            )
    total = sum((bp.users or {}).values())
    if bp.users and abs(total - 100) > 0.01:
        out.append(
            Finding(
                ("users",),
                f"the users' shares add up to {total:g}, not 100",
                "latency",
                "give each area its percent of the users, adding up to 100",
            )
        )
    return out


def _latency_journeys(bp: Blueprint) -> list[Finding]:
    """A latency target is measured on a user journey: a public service's route, or a site."""
    out = []
    for i, svc in enumerate(bp.services):
        for j, route in enumerate(svc.route_specs()):
            if route.latency is not None and not svc.public:
                out.append(
                    Finding(
                        ("services", i, "routes", j, "latency"),
                        f"a latency target on a route of {svc.name!r}, which is not public: only a public "
                        "service's routes are user journeys, measured at the user",
                        "latency",
                        "remove this route's `latency`, or make the service public",
                    )
                )
    site = any(getattr(s, "public", False) for s in bp.datastores) and bp.edge.cdn is not None
    if bp.latency is not None and not any(s.public for s in bp.services) and not site:
        out.append(
            Finding(
                ("latency",),
                "a latency target, but no user journey to measure it on: no service is public and no site is "
                "served through the CDN",
                "latency",
                "remove `latency`, or make the service users call public",
            )
        )
    return out


def _regions_known(bp: Blueprint) -> list[Finding]:
    out = []
    for i, region in enumerate(bp.regions or []):
        if region not in REGION_ZONES:
            close = difflib.get_close_matches(region, list(REGION_ZONES), n=1)
            out.append(
                Finding(
                    ("regions", i),
                    f"unknown region {region!r}",
                    "regions",
                    f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(REGION_ZONES)}",
                )
            )
        elif (bp.regions or []).index(region) != i:
            out.append(Finding(("regions", i), f"region {region!r} is listed twice", "regions", "list it once"))
    return out


def _edge(bp: Blueprint) -> list[Finding]:
    out = []
    edge = bp.edge
    sites = [i for i, s in enumerate(bp.datastores) if isinstance(s, ObjectStore) and s.public]
    if (edge.cdn or edge.waf or edge.domain) and not any(s.public for s in bp.services) and not sites:
        out.append(
            Finding(
                ("edge",),
                "an edge (CDN, WAF, domain) needs something public behind it",
                "edge",
                "set `public: true` on a service (or on an object store served by the CDN), or remove `edge`",
            )
        )
    if not bp.services and not sites:
        out.append(
            Finding(
                ("services",),
                "a system needs a service, or a public object store the CDN serves",
                "journeys",
                "add a service, or a `kind: object` store with `public: true` and edge.cdn (a static site)",
            )
        )
    if sites and any(s.public for s in bp.services):
        out.append(
            Finding(
                ("datastores", sites[0], "public"),
                "a public object store is served at the CDN's root, and public services need the edge too: "
                "hld serves a static site only in a system without public services",
                "edge",
                "serve the files from a public service, or describe the site as a blueprint of its own",
            )
        )
    for i in sites[1:]:
        out.append(
            Finding(
                ("datastores", i, "public"),
                f"only one public object store can be the CDN's site; {bp.datastores[sites[0]].name!r} already is",
                "edge",
                "keep `public: true` on one object store",
            )
        )
    for i in sites:
        if not edge.cdn:
            out.append(
                Finding(
                    ("datastores", i, "public"),
                    "a public object store is served through the CDN, and there is none",
                    "edge",
                    "add edge.cdn (TTLs, compression), or remove `public: true`",
                )
            )
    if edge.hosted_zone and not edge.domain:
        out.append(Finding(("edge", "hosted_zone"), "a hosted zone needs `domain`", "edge", "add `edge.domain`"))
    if edge.cdn and not edge.cdn.min_ttl <= edge.cdn.default_ttl <= edge.cdn.max_ttl:
        out.append(
            Finding(
                ("edge", "cdn", "default_ttl"),
                f"TTLs must satisfy min <= default <= max; got {format_duration(edge.cdn.min_ttl)} / "
                f"{format_duration(edge.cdn.default_ttl)} / {format_duration(edge.cdn.max_ttl)}",
                "cdn",
                "raise max_ttl or lower default_ttl",
            )
        )
    return out


def _knob_path(bp: Blueprint, field: str) -> Path:
    """Point at the knob when the blueprint sets it, else at what it was derived from."""
    explicit = {
        "level": bp.redundancy.level,
        "replication": bp.redundancy.replication,
        "zones": bp.redundancy.zones,
    }
    if explicit.get(field) is not None:
        return ("redundancy", field)
    if field == "regions" and bp.regions:
        return ("regions",)
    return ("availability",) if field in ("level", "replication") else ("redundancy",)


def intent_rules(bp: Blueprint, intent: Intent, broken: Broken | None = None) -> list[Finding]:
    """The rules that depend on the resolved intent (one candidate resolution of the knobs)."""
    broken = broken or Broken()
    return (
        _redundancy_rules(bp, intent)
        + _cap_rules(bp, intent)
        + (_capacity_rules(bp, intent) if broken.reads("services") else [])
        + (_size_rules(bp, intent) if broken.reads("services", "datastores") else [])
    )


def _capacity_rules(bp: Blueprint, intent: Intent) -> list[Finding]:
    """A service's autoscaling maximum fits the ECS tasks-per-service quota in every region."""
    out = []
    zones = intent.zones.value
    regions = len(intent.regions.value)
    offered = offered_load(bp)
    for i, svc in enumerate(bp.services):
        peak = offered[svc.name][0]
        if not peak:
            continue
        design = design_rps(peak, regions, intent.active)
        minimum = replicas_per_zone(design, svc.rps_per_replica, zones) * zones
        upper = max_replicas(minimum, bp.scaling.max_scale_out)
        if upper > limits.MAX_TASKS_PER_SERVICE:
            out.append(
                Finding(
                    ("services", i, "peak_rps"),
                    f"{svc.name!r} needs {minimum:,} tasks per region for peak {peak:,} rps at "
                    f"{svc.rps_per_replica:,} per replica, and scales to {upper:,}; ECS runs "
                    f"{limits.MAX_TASKS_PER_SERVICE:,} tasks per service at most",
                    "limits",
                    "raise rps_per_replica (larger replicas: cpu, memory), lower scaling.max_scale_out, "
                    "or split the service",
                )
            )
    return out


def _redundancy_rules(bp: Blueprint, intent: Intent) -> list[Finding]:
    out: list[Finding] = []
    level, regions, zones = intent.level.value, intent.regions.value, intent.zones.value
    if level == "multi-region" and len(regions) < 2:
        finding = Finding(
            _knob_path(bp, "regions"),
            f"multi-region needs at least 2 regions; got {list(regions)}",
            "redundancy",
            "add a second region, e.g. regions: [us-east-1, us-west-2]",
        )
        # a region near the one set (same geography), or the strong set strong active-active needs
        near = nearby_regions(list(regions), intent.active and _strong_tables(bp)) if regions else None
        options: list[tuple[str, tuple[tuple[Path, object], ...]]] = (
            [(f"set regions: [{', '.join(near)}] (near {regions[0]})", ((("regions",), near),))] if near else []
        )
        kept = options if _CHECKING[0] else _that_validate(bp, finding, options)
        out.append(replace(finding, fix=kept[0][0], edits=kept[0][1]) if kept else finding)
    if level != "multi-region" and len(regions) > 1:
        out.append(
            Finding(
                _knob_path(bp, "regions"),
                f"{level} runs in one region; got {list(regions)}",
                "redundancy",
                "set redundancy.level: multi-region, or list one region",
            )
        )
    if bp.redundancy.replication and level == "single-zone":
        out.append(
            Finding(
                ("redundancy", "replication"),
                f"replication {bp.redundancy.replication!r} needs a copy in another zone or region, but the "
                "level is single-zone",
                "redundancy",
                "remove redundancy.replication, or set redundancy.level: multi-zone (or multi-region)",
            )
        )
    if level == "single-zone" and zones > 1:
        out.append(
            Finding(
                _knob_path(bp, "zones"),
                f"single-zone with zones: {zones}",
                "redundancy",
                "set zones: 1, or level: multi-zone",
            )
        )
    if level != "single-zone" and zones < 2:
        out.append(
            Finding(
                _knob_path(bp, "zones"),
                f"{level} needs at least 2 zones; got {zones}",
                "redundancy",
                "set zones: 3 (or 2)",
            )
        )
    for region in regions:
        if region in REGION_ZONES and zones > len(REGION_ZONES[region]):
            out.append(
                Finding(
                    _knob_path(bp, "zones"),
                    f"{zones} zones asked, but {region} has {len(REGION_ZONES[region])}",
                    "redundancy",
                    f"set zones: {len(REGION_ZONES[region])} or fewer",
                )
            )
    # a multi-region design has two regions at least (the rule above names a missing one)
    counted = max(len(regions), 2) if level == "multi-region" else len(regions)
    best = ceiling(level, intent.replication.value, counted) if bp.services else 1.0
    target = bp.availability / 100
    if best < target - FLOAT_NOISE:
        reaching = [
            (text, reach)
            for text, reach in (
                ("level: multi-zone", ceiling("multi-zone")),
                ("level: multi-region, replication: active", ceiling("multi-region", "active", max(counted, 2))),
            )
            if reach > best + FLOAT_NOISE and reach >= target - FLOAT_NOISE
        ]
        raise_it: list[tuple[str, tuple[tuple[Path, object], ...]]] = []
        for text, reach in reaching:
            edits: tuple[tuple[Path, object], ...] = ((("redundancy", "level"), text.split(",")[0][7:]),)
            if "active" in text:
                edits += ((("redundancy", "replication"), "active"),)
                near = nearby_regions(list(bp.regions), _strong_tables(bp)) if bp.regions else None
                if bp.regions and near is None:
                    continue
                if near and near != list(bp.regions or []):
                    edits += ((("regions",), near),)
                    text += f", regions: [{', '.join(near)}]"
            raise_it.append((f"set redundancy {text} (reaches {_pct6(reach)} by SLA)", edits))
        finding = Finding(
            _knob_path(bp, "level"),
            f"availability {bp.availability}% is above what {level}"
            + (f" ({intent.replication.value})" if intent.replication.value else "")
            + f" can reach by SLA: {_pct(best)} (load balancer x compute, before any data store)",
            "availability",
            "",
        )
        kept = (raise_it if _CHECKING[0] else _that_validate(bp, finding, raise_it))[:1]
        # no bound is quoted for a lower target: what the level reaches with its data stores and
        # edge is what `hld plan` computes, below this ceiling
        lower = "lower the target to what `hld plan` shows this level reaches"
        out.append(
            replace(
                finding,
                fix=", or ".join([*(text for text, _ in kept), lower]),
                edits=kept[0][1] if kept else (),
            )
        )
    return out


def _cap_rules(bp: Blueprint, intent: Intent) -> list[Finding]:
    out: list[Finding] = []
    regions = intent.regions.value
    for i, store in enumerate(bp.datastores):
        path: Path = ("datastores", i)
        consistency = effective_consistency(store, intent)
        if intent.multi_region and bp.rpo == 0:
            if isinstance(store, Relational):
                out.append(
                    Finding(
                        ("rpo",),
                        f"rpo 0 across regions, but {store.name!r} is relational: cross-region "
                        "relational replication is asynchronous (RDS replicas, Aurora Global "
                        "Database), so a region loss can lose the last writes",
                        "CAP/RPO",
                        f"make {store.name!r} kind: key-value with consistency: strong (DynamoDB "
                        "strong global tables, RPO 0), or accept rpo: 1m, or use one region "
                        "(multi-zone: synchronous standby, RPO 0 on zone loss)",
                    )
                )
            elif isinstance(store, KeyValue) and consistency != "strong":
                where = (*path, "consistency") if store.consistency else ("rpo",)
                message = (
                    f"rpo 0 across regions, but {store.name!r} is {consistency}: global tables in "
                    "eventual mode replicate asynchronously (last writer wins)"
                )
                strong: list[tuple[Path, object]] = [((*path, "consistency"), "strong")]
                near = nearby_regions(list(regions), True) if intent.active else None
                options = [
                    (f"set consistency: strong on {store.name!r}", tuple(strong)),
                    *(
                        [
                            (
                                f"set consistency: strong on {store.name!r} and regions: [{', '.join(near)}] "
                                "(3 regions of one strong set)",
                                (*strong, (("regions",), near)),
                            )
                        ]
                        if near and near != list(regions)
                        else []
                    ),
                    ("set rpo: 1m", ((("rpo",), "1m"),)),
                ]
                out.append(_validated_fix(bp, Finding(where, message, "CAP/RPO", ""), options))
            elif isinstance(store, ObjectStore):
                out.append(
                    Finding(
                        ("rpo",),
                        f"rpo 0 across regions, but {store.name!r} is an object store: S3 replication is asynchronous",
                        "CAP/RPO",
                        "accept rpo: 15m (S3 Replication Time Control), or keep the objects in one region",
                    )
                )
        if isinstance(store, KeyValue) and intent.active and consistency == "strong":
            sets = [name for name, members in MRSC_REGION_SETS.items() if set(regions) <= set(members)]
            if len(regions) != 3 or not sets:
                near = nearby_regions(list(regions), True)
                options = [
                    ("set redundancy.replication: passive", ((("redundancy", "replication"), "passive"),)),
                    (f"set consistency: eventual on {store.name!r}", (((*path, "consistency"), "eventual"),)),
                    *(
                        [(f"set regions: [{', '.join(near)}] (3 regions of one strong set)", ((("regions",), near),))]
                        if near
                        else []
                    ),
                ]
                finding = Finding(
                    _knob_path(bp, "replication") if bp.redundancy.replication else ("regions",),
                    f"replication 'active' with consistency 'strong' on {store.name!r} needs DynamoDB "
                    f"strong global tables in exactly 3 regions of one region set; got "
                    f"{len(regions)} regions [{', '.join(regions)}]",
                    "CAP",
                    "",
                )
                out.append(_validated_fix(bp, finding, options))
            if store.ttl_attribute:
                out.append(
                    Finding(
                        (*path, "ttl_attribute"),
                        "DynamoDB strong global tables do not support TTL",
                        "CAP",
                        "remove ttl_attribute, or set consistency: eventual on this store",
                    )
                )
    return out


def _pct6(fraction: float) -> str:
    return f"{fraction * 100:.6f}".rstrip("0").rstrip(".") + "%"


def _strong_tables(bp: Blueprint) -> bool:
    consistency = bp.consistency or "strong"
    return any(isinstance(s, KeyValue) and (s.consistency or consistency) == "strong" for s in bp.datastores)


_CHECKING = [0]
"""Depth of `_validated_fix`'s own checks: a fix is checked one level deep, never recursively."""


@contextmanager
def unchecked_fixes() -> Iterator[None]:
    """Rules run without checking that their fixes validate: for callers that need only whether a
    blueprint has problems (the planner choosing a candidate, re-planning advice)."""
    _CHECKING[0] += 1
    try:
        yield
    finally:
        _CHECKING[0] -= 1


def _validated_fix(
    bp: Blueprint, finding: Finding, options: list[tuple[str, tuple[tuple[Path, object], ...]]]
) -> Finding:
    """`finding` with the options whose edited blueprint validates without it and without a new
    problem (a fix that chains into another error is not offered); the first one's edits are the
    finding's. Inside that check (one level deep), every option is kept."""
    kept = options if _CHECKING[0] else _that_validate(bp, finding, options)
    if not kept:
        return replace(
            finding,
            fix="no single change of replication, consistency, regions or rpo resolves this: "
            "use one region (redundancy.level: multi-zone), or a key-value store in a DynamoDB strong region set",
        )
    return replace(finding, fix=", or ".join(text for text, _ in kept), edits=kept[0][1])


def _that_validate(
    bp: Blueprint, finding: Finding, options: list[tuple[str, tuple[tuple[Path, object], ...]]]
) -> list[tuple[str, tuple[tuple[Path, object], ...]]]:
    from blueprints.planner.unmet import apply_edit

    def key(f: Finding) -> tuple[Path, str, str]:
        return (f.path, f.rule, f.message)

    _CHECKING[0] += 1
    try:
        base = {key(f) for f in check(bp)}
        out = []
        for text, edits in options:
            doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
            for path, value in edits:
                apply_edit(doc, path, value)
            try:
                edited = Blueprint.model_validate(doc)
            except ValueError:
                continue
            after = {key(f) for f in check(edited)}
            if key(finding) not in after and after <= base:
                out.append((text, edits))
        return out
    finally:
        _CHECKING[0] -= 1

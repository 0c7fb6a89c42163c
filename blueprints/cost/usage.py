"""The usage the estimate prices: requests a month reaching each service (after the CDN's hits),
the calls each `uses` edge makes (its `calls` per request, over the routes that reach it), split
into reads and writes (its access mode, or `read_share`), the reads a cache answers for the stores
behind it, and the messages each queue carries. Every figure the blueprint does not state is an
Assumption, recorded once where it is first used, with its value and the field that sets it."""

from __future__ import annotations

from dataclasses import dataclass, field

from blueprints.access import consumes, produces, reads
from blueprints.model import Blueprint, Cache
from blueprints.plan_model import Assumption, Plan

HOURS = 730
"""Hours in a month (AWS pricing's convention)."""
SECONDS = HOURS * 3600
AVERAGE_LOAD = 0.3
RESPONSE_KB = 8.0
STORED_GB = 10.0
READ_SHARE = 0.8
"""Of a read-write edge's calls, the share that reads (unless the edge states `read_share`)."""
CACHE_HIT = 0.8
"""Of the reads through a cache, the share it answers (unless the cache states `hit_ratio`)."""
READ_THROUGH = ("relational", "key-value")
"""The store kinds a service's cache fronts (cache-aside)."""


@dataclass
class Assumptions:
    """Each assumption once, in the order the estimate first uses it."""

    items: dict[str, Assumption] = field(default_factory=dict)

    def note(self, key: str, text: str, where: str) -> str:
        if key not in self.items:
            self.items[key] = Assumption(key=key, text=text, where=where)
        return key

    def listed(self) -> list[Assumption]:
        return list(self.items.values())


@dataclass
class Edge:
    """A `uses` edge of a service, in the estimate's terms."""

    service: str
    target: str
    access: str | None
    """The store edge's access mode (None for a call to a service)."""
    calls: float
    """Calls a month on the edge, whole system."""
    read_share: float
    cache_hit: float
    """Share of its reads a cache in front answers (0: none)."""
    assumes: tuple[str, ...]
    cache_assumes: tuple[str, ...] = ()
    """What its reads rest on besides `assumes` (the cache's hit ratio)."""

    @property
    def reads(self) -> float:
        return self.calls * self.read_share * (1 - self.cache_hit)

    @property
    def writes(self) -> float:
        return self.calls * (1 - self.read_share)


@dataclass
class Usage:
    load: float
    kb: float
    arriving: dict[str, float]
    """Requests a month reaching each service (its tasks, through its load balancer)."""
    public: dict[str, float]
    """Requests a month at the edge, per public service (before the CDN)."""
    via_cdn: dict[str, float]
    """Of those, the requests the CDN carries."""
    edges: list[Edge]
    messages: dict[str, float]
    """Messages a month per queue."""
    assumptions: Assumptions
    base: tuple[str, ...]
    """The assumptions every request-driven line rests on (average load)."""
    edge_assumes: tuple[str, ...] = ()
    """What the requests at the edge and the load balancers rest on besides `base`: the routes'
    shares and the CDN's hits."""

    def into(self, store: str) -> list[Edge]:
        return [e for e in self.edges if e.target == store]


def usage(bp: Blueprint, plan: Plan) -> Usage:
    notes = Assumptions()
    costs = bp.cost
    load = costs.average_load or AVERAGE_LOAD
    base: tuple[str, ...] = ()
    if costs.average_load is None:
        base = (notes.note("average_load", f"average load {load:.0%} of peak", "cost.average_load"),)
    kb = costs.response_kb or RESPONSE_KB
    cdn = plan.edge.cdn
    hit = (cdn.hit_ratio or 0.0) if cdn else 0.0

    public: dict[str, float] = {}
    via_cdn: dict[str, float] = {}
    # requests a month reaching each target of a service's edges, before `calls`
    reach: dict[str, dict[str, float]] = {}
    arriving: dict[str, float] = {}
    route_assumes: dict[str, tuple[str, ...]] = {}

    def entry(name: str) -> None:
        """A service with its own peak: its requests, split over its routes (the CDN answering the
        cached routes' hits), reaching the edges each route uses."""
        svc = plan.service(name)
        total = (svc.peak_rps or 0) * load * SECONDS
        edges = [e.name for e in bp.service(name).edges()]  # type: ignore[union-attr]
        if svc.public:
            public[name] = total
        if not svc.routes:
            arriving[name] = total
            reach[name] = dict.fromkeys(edges, total)
            return
        share = total / len(svc.routes)
        keys: list[str] = []
        weighed = cdn is not None and any(r.cached or cdn.dynamic.value == "through" for r in svc.routes)
        if len(svc.routes) > 1 and (weighed or len({tuple(sorted(r.uses)) for r in svc.routes}) > 1):
            keys.append(
                notes.note(
                    "route_share",
                    "each route an equal share of its service's requests",
                    "fixed (split a service to weigh its routes)",
                )
            )
        origin, through = 0.0, 0.0
        reached = dict.fromkeys(edges, 0.0)
        for route in svc.routes:
            carried = cdn is not None and (route.cached or cdn.dynamic.value == "through")
            through += share if carried else 0.0
            at_origin = share * (1 - hit) if carried and route.cached else share
            if carried and route.cached and cdn is not None and cdn.hit_ratio is None:
                keys.append(
                    notes.note(
                        "cdn_hit",
                        "the CDN answers none of the cached routes' requests from its cache: each also reaches "
                        "the origin (no credit, as in the availability estimate)",
                        "edge.cdn.hit_ratio",
                    )
                )
            origin += at_origin
            for target in route.uses:
                if target in reached:
                    reached[target] += at_origin
        if svc.public:
            via_cdn[name] = through
        arriving[name] = origin
        reach[name] = reached
        route_assumes[name] = tuple(keys)

    derived = [s for s in plan.services if s.peak_source != "peak_rps"]
    for own in plan.services:
        if own.peak_source == "peak_rps":
            entry(own.name)

    edge_specs = {(s.name, e.name): e for s in bp.services for e in s.edges()}

    def calls_of(service: str, target: str) -> float:
        return reach.get(service, {}).get(target, 0.0) * edge_specs[(service, target)].calls

    # services without their own peak: what their callers send, else the messages they consume
    messages: dict[str, float] = {}
    visiting: set[str] = set()

    def queue_messages(queue: str) -> float:
        if queue not in messages:
            producers = [(s, e) for (s, t), e in edge_specs.items() if t == queue and produces(_access(plan, s, t))]
            for s, _ in producers:
                arrive(s)
            sent = sum(calls_of(s, queue) for s, _ in producers)
            if not producers:  # produced outside the system: what its consumers take
                consumers = [s for (s, t) in edge_specs if t == queue]
                for s in consumers:
                    arrive(s)
                sent = sum(calls_of(s, queue) for s in consumers)
            messages[queue] = sent
        return messages[queue]

    def arrive(name: str) -> float:
        if name in arriving:
            return arriving[name]
        if name in visiting:  # a cycle (refused by its own rule) carries nothing
            return 0.0
        visiting.add(name)
        sent = 0.0
        for (caller, target), _ in edge_specs.items():
            if target == name:
                arrive(caller)
                sent += calls_of(caller, name)
        if not sent:
            consumed = [
                t for (s, t) in edge_specs if s == name and bp.store(t) is not None and consumes(_access(plan, s, t))
            ]
            shares = []
            for queue in consumed:
                taking = [s for (s, t) in edge_specs if t == queue and consumes(_access(plan, s, t))]
                shares.append(queue_messages(queue) / len(taking))
            sent = sum(shares)
        visiting.discard(name)
        arriving[name] = sent
        edges = [e.name for e in bp.service(name).edges()]  # type: ignore[union-attr]
        reach[name] = dict.fromkeys(edges, sent)
        return sent

    for planned in derived:
        arrive(planned.name)

    edges: list[Edge] = []
    for svc in bp.services:
        # the caches it reads (cache-aside): one it only writes (a worker filling it) answers none of its reads
        caches = [
            e.name
            for e in svc.edges()
            if isinstance(bp.store(e.name), Cache) and reads(_access(plan, svc.name, e.name))
        ]
        for spec in svc.edges():
            store = bp.store(spec.name)
            access = _access(plan, svc.name, spec.name) if store is not None else None
            keys = list(base) + list(route_assumes.get(svc.name, ()))
            if not arriving.get(svc.name):
                index = next(j for j, x in enumerate(bp.services) if x.name == svc.name)
                keys.append(
                    notes.note(
                        f"idle:{svc.name}",
                        f"{svc.name} gets no requests the estimate can count (no peak_rps, no caller, no message "
                        "anything sends it): its calls are priced at zero",
                        f"services[{index}].peak_rps",
                    )
                )
            if "calls" not in spec.model_fields_set:
                keys.append(notes.note("calls", "one call per request on each `uses` edge", "services[].uses[].calls"))
            share = 1.0 if access in ("read",) else 0.0
            if access == "read-write":
                if spec.read_share is None:
                    share = READ_SHARE
                    keys.append(
                        notes.note(
                            "read_share",
                            f"{READ_SHARE:.0%} of a read-write edge's calls read, the rest write",
                            "services[].uses[].read_share",
                        )
                    )
                else:
                    share = spec.read_share
            cache_hit, cache_keys = 0.0, []
            if store is not None and store.kind in READ_THROUGH and caches:
                cache = bp.store(caches[0])
                assert isinstance(cache, Cache)
                if cache.hit_ratio is None:
                    cache_hit = CACHE_HIT
                    index = next(j for j, s in enumerate(bp.datastores) if s.name == cache.name)
                    cache_keys.append(
                        notes.note(
                            f"cache_hit:{cache.name}",
                            f"{cache.name} answers {CACHE_HIT:.0%} of the reads its callers make of their "
                            "relational and key-value stores (cache-aside)",
                            f"datastores[{index}].hit_ratio",
                        )
                    )
                else:
                    cache_hit = cache.hit_ratio
            edges.append(
                Edge(
                    service=svc.name,
                    target=spec.name,
                    access=access,
                    calls=calls_of(svc.name, spec.name),
                    read_share=share,
                    cache_hit=cache_hit,
                    assumes=tuple(dict.fromkeys(keys)),
                    cache_assumes=tuple(cache_keys),
                )
            )
    return Usage(
        load=load,
        kb=kb,
        arriving=arriving,
        public=public,
        via_cdn=via_cdn,
        edges=edges,
        messages={q.name: queue_messages(q.name) for q in plan.datastores if q.kind == "queue"},
        assumptions=notes,
        base=base,
        edge_assumes=tuple(dict.fromkeys(k for keys in route_assumes.values() for k in keys)),
    )


def _access(plan: Plan, service: str, store: str) -> str:
    svc = plan.service(service)
    return next(a.access.value for a in svc.access if a.store == store)

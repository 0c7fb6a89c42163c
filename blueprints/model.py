"""The blueprint: a system's high-level design as intent.

These models say *what* the system needs (availability, consistency, redundancy,
scaling, services, data stores and the data flow between them), never *how* a
cloud provides it: that is the planner's job. Every field has a description and a
visible default; `hld schema` publishes the JSON Schema generated from them.
Fields left unset (`None`) are derived by the planner, which records why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from blueprints import grammar, limits, sizes
from blueprints.units import Duration, Memory, Millis

NAME_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
"""Lower-case letters and digits in words joined by single dashes, starting with a letter. Names
become AWS identifiers (RDS and ElastiCache refuse two dashes in a row, or a final dash), DNS
labels and Kubernetes names; the AWS target shortens what is too long for a resource."""
Name = Annotated[
    str,
    Field(
        pattern=NAME_PATTERN,
        min_length=1,
        max_length=40,
        description="Lower-case letters, digits and single dashes; 1 to 40 characters; starts with a letter, "
        "does not end with a dash.",
    ),
]


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """A grammar check (blueprints.grammar) as a validator: its problem raised as a ValueError."""

    def check(value: str) -> str:
        if message := problem(value):
            raise ValueError(message)
        return value

    return check


Description = Annotated[str, Field(max_length=limits.MAX_DESCRIPTION), AfterValidator(_checked(grammar.text_problem))]
DOMAIN_PATTERN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
Percent = Annotated[float, Field(ge=0, le=100)]
Consistency = Literal["strong", "read-your-writes", "eventual"]
Access = Literal["read", "write", "read-write", "produce", "consume", "produce-consume"]
"""What a `uses` edge does to its data store (blueprints.access: which modes each kind takes)."""


class Strict(BaseModel):
    """Unknown fields are errors: a typo must not silently become a default. Types are strict: true
    is not a number (it would become 1), a number is not true, a quoted "8080" is not a number
    (durations and memory keep their own forms: blueprints.units)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Redundancy(Strict):
    level: Literal["single-zone", "multi-zone", "multi-region"] | None = Field(
        default=None,
        description="Failure domain the system survives. Unset: the lowest level whose "
        "SLA-based estimate meets `availability`.",
    )
    replication: Literal["active", "passive"] | None = Field(
        default=None,
        description="Across regions: `active` (every region serves) or `passive` (a standby region). "
        "Inside one region (multi-zone): `active` (replicas in the other zones serve reads: Aurora "
        "readers, cache replicas read) or `passive` (standbys that only take over: RDS Multi-AZ). "
        "Unset: `active` when a standby cannot meet the availability or `rto` target, else `passive`.",
    )
    zones: int | None = Field(
        default=None,
        ge=1,
        le=6,
        description="Zones per region. Unset: 1 for single-zone, else 3 (static stability "
        "with one zone lost costs 50 % extra capacity at 3 zones, 100 % at 2).",
    )
    failovers_per_year: float = Field(
        default=1,
        ge=0,
        le=52,
        description="An assumption of the availability estimate: how many times a year a region fails "
        "over (multi-region). Each failover costs its users the DNS failover time; the plan shows what "
        "share of the monthly downtime budget that is.",
    )


class Scaling(Strict):
    target_cpu: int = Field(default=60, ge=10, le=90, description="Target-tracking CPU utilisation, percent.")
    max_scale_out: float = Field(
        default=3,
        ge=1,
        le=100,
        description="Maximum replicas = this x the static-stability minimum (horizontal bound).",
    )
    requests_per_target: int | None = Field(
        default=None,
        ge=1,
        le=limits.MAX_RPS_PER_REPLICA * 60,
        description="Second target-tracking policy on load-balancer requests per replica. "
        "Unset: the service's `rps_per_replica` x 60 (per minute, as the metric counts).",
    )


class Cdn(Strict):
    min_ttl: Duration = Field(default=0, le=limits.MAX_TTL_SECONDS, description="Cache policy minimum TTL.")
    default_ttl: Duration = Field(
        default=86400, le=limits.MAX_TTL_SECONDS, description="Cache policy default TTL (CloudFront's default: 1d)."
    )
    max_ttl: Duration = Field(
        default=31536000,
        le=limits.MAX_TTL_SECONDS,
        description="Cache policy maximum TTL (CloudFront's default: 365d).",
    )
    stale_while_revalidate: Duration | None = Field(
        default=None,
        le=limits.MAX_TTL_SECONDS,
        description="Served stale while refreshing; becomes a Cache-Control directive the "
        "services send (CloudFront honours it since May 2023).",
    )
    stale_if_error: Duration | None = Field(
        default=None,
        le=limits.MAX_TTL_SECONDS,
        description="Served stale when the origin fails; a Cache-Control directive.",
    )
    compress: bool = Field(default=True, description="gzip and Brotli at the edge.")
    origin_shield: bool = Field(default=False, description="A regional cache layer in front of the origin.")
    hit_ratio: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of requests to cacheable routes (`cache: public`) the CDN answers from its "
        "cache. With `stale_if_error`, the origin then counts only for misses in the estimate. "
        "Unset: no credit (every request counts on the origin).",
    )
    dynamic: Literal["bypass", "through"] | None = Field(
        default=None,
        description="Route dynamic traffic around the CDN (`bypass`: DNS straight to the "
        "load balancers) or through it. Unset: `bypass` when the availability target is "
        "above the CDN's SLA, which would otherwise cap every journey.",
    )


class Edge(Strict):
    cdn: Cdn | None = Field(default=None, description="A CDN in front of the public services.")
    waf: bool = Field(default=False, description="A web application firewall on the public edge.")
    domain: str | None = Field(
        default=None,
        pattern=DOMAIN_PATTERN,
        max_length=limits.MAX_DOMAIN,
        description="Public DNS name (a deployment fact: the stack's `hld:domain` overrides it); with it "
        "the HTTPS listener gets an ACM certificate and multi-region systems get Route 53 health-checked "
        "records. Not needed to validate, plan or render.",
    )
    hosted_zone: str | None = Field(
        default=None, pattern=r"^Z[A-Z0-9]{1,31}$", description="Route 53 hosted zone id that holds `domain`."
    )


class Security(Strict):
    tls: Literal["required", "disabled"] = Field(
        default="required",
        description="TLS in transit: HTTPS listeners (TLS 1.2+), HTTP->HTTPS redirect, "
        "CloudFront redirect-to-https, Redis in-transit encryption.",
    )
    encryption_at_rest: bool = Field(
        default=True, description="Customer-managed KMS key per region for every stateful store."
    )
    deletion_protection: bool = Field(
        default=True,
        description="Deletion protection, final snapshots and Pulumi `protect` on stateful stores.",
    )
    backup_retention_days: int = Field(
        default=7, ge=1, le=35, description="Automated backup retention (7 days or more is the default)."
    )


class UseRef(Strict):
    name: Name = Field(description="A service or data store this service calls.")
    async_: bool = Field(
        default=False,
        alias="async",
        description="Off the caller's journey (e.g. a queue written through an outbox).",
    )
    access: Access | None = Field(
        default=None,
        description="What the edge does to a data store (none for a service): `read`, `write` or `read-write` "
        "(relational, key-value, cache, object); `produce`, `consume` or `produce-consume` (queue). The service's "
        "grants follow it: a reader may not write, a producer may not receive. Unset: inferred where the routes "
        "make it unambiguous (a service whose routes are all GET or HEAD reads; a worker, with no routes and no "
        "callers, consumes its one queue; a queue used `async` from routes is produced to), else the widest.",
    )
    calls: float = Field(
        default=1,
        ge=0,
        le=limits.MAX_CALLS_PER_REQUEST,
        description="Calls this edge makes per request that reaches it: to a service, the load it sends (its "
        "capacity follows); to a store, the requests it makes (the cost estimate); to a queue, the messages it "
        "sends (0.1 for batches of ten). 1 unless stated.",
    )
    read_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Of this edge's calls to a store, the share that reads (the cost estimate); only for "
        "`read-write` access. Unset: 0.8 for read-write (1 for read, 0 for write).",
    )


MAX_LATENCY_MS = 60_000.0
"""A latency target or processing time above a minute is a batch job's, not a journey's."""


class Latency(Strict):
    """Latency at the user, in milliseconds: the median and the 99th percentile of a journey's
    requests (blueprints.planner.latency composes the estimate from its hops)."""

    p50: Millis | None = Field(default=None, le=MAX_LATENCY_MS, description="Median, e.g. `50ms`.")
    p99: Millis | None = Field(
        default=None,
        le=MAX_LATENCY_MS,
        description="99th percentile, e.g. `300ms`: the tail, which users of many requests feel most.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Latency:
        if self.p50 is None and self.p99 is None:
            raise ValueError("state p50, p99 or both, e.g. {p50: 50ms, p99: 300ms}")
        if self.p50 is not None and self.p99 is not None and self.p50 > self.p99:
            raise ValueError(f"p50 {self.p50:g}ms is above p99 {self.p99:g}ms: a median cannot exceed the tail")
        return self


class Processing(Strict):
    """The service's own time for a request (not counting the stores and services it calls)."""

    p50: Millis = Field(le=MAX_LATENCY_MS, description="Median, e.g. `8ms`.")
    p99: Millis | None = Field(
        default=None,
        le=MAX_LATENCY_MS,
        description="99th percentile. Unset: 5 x the median (hld's stated assumption).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Processing:
        if self.p99 is not None and self.p50 > self.p99:
            raise ValueError(f"p50 {self.p50:g}ms is above p99 {self.p99:g}ms: a median cannot exceed the tail")
        return self


def route_problem(route: str) -> str:
    """Check a route's text (`METHOD /path`, blueprints.grammar); raise ValueError naming what is wrong."""
    if message := grammar.route_problem(route):
        raise ValueError(message)
    return route


class Route(Strict):
    route: str = Field(description="`METHOD /path`.")
    uses: list[Name] | None = Field(
        default=None,
        max_length=limits.MAX_SERVICES + limits.MAX_DATASTORES,
        description="What this route calls: a subset of its service's `uses`. Its journey (and its "
        "availability) follows these. Unset: all of the service's.",
    )
    cache: Literal["public", "none"] = Field(
        default="none",
        description="`public`: one user's response may be served to another, so the CDN caches it "
        "(GET and HEAD only). Nothing else is cached.",
    )
    latency: Latency | None = Field(
        default=None, description="This journey's latency target at the user. Unset: the system's `latency`."
    )
    processing: Processing | None = Field(
        default=None,
        description="The service's own processing time on this route, when the team knows it. Unset: "
        "10ms median, 50ms p99 (a stated assumption).",
    )

    @field_validator("route")
    @classmethod
    def _route(cls, route: str) -> str:
        return route_problem(route)

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.route.split(" ", 1)[1]


RouteEntry = Annotated[
    Annotated[Annotated[str, AfterValidator(route_problem)], Tag("str")] | Annotated[Route, Tag("Route")],
    Discriminator(lambda v: "str" if isinstance(v, str) else "Route"),
]
"""A route as text or in its full form: text is checked as text (its problem at the item, not as
a failed mapping too)."""


MAX_HEALTH_COMMAND = 32
"""Words of an exec health check: a program and its arguments (a shell line is `[sh, -c, LINE]`, three
words), bounded like every list of a blueprint (each word up to limits.MAX_HEALTH_PATH characters)."""


def _command_word(word: str) -> str:
    """One word of an exec health check: not blank, no control or bidirectional characters."""
    if not word.strip():
        raise ValueError("a command word is empty; give the program and each argument as a word")
    return _checked(grammar.text_problem)(word)


class HealthExec(Strict):
    """Health as a command run inside the container (its exit status: 0 healthy): on kind an exec
    probe, on ECS the container health check (`CMD`, no shell). For a process with no HTTP server,
    e.g. a queue worker that can tell whether it is consuming."""

    command: list[
        Annotated[str, Field(min_length=1, max_length=limits.MAX_HEALTH_PATH), AfterValidator(_command_word)]
    ] = Field(
        alias="exec",
        min_length=1,
        max_length=MAX_HEALTH_COMMAND,
        description="The program and its arguments, one word each (no shell: write `[sh, -c, '...']` for one).",
    )


class HealthNone(Strict):
    """No health check, with why: the process is not probed (kind: no liveness or readiness probe;
    ECS: no container health check), so only its exit is seen. A public service must keep an HTTP path."""

    reason: Description = Field(
        alias="none",
        min_length=1,
        description="Why the process has no health check (e.g. a batch consumer with no HTTP server).",
    )

    @field_validator("reason")
    @classmethod
    def _stated(cls, reason: str) -> str:
        if not reason.strip():
            raise ValueError("say why the service has no health check")
        return reason


HealthPath = Annotated[
    str,
    Field(max_length=limits.MAX_HEALTH_PATH, json_schema_extra={"pattern": grammar.HEALTH_SCHEMA_PATTERN}),
    AfterValidator(_checked(grammar.health_problem)),
]


def _health_tag(value: object) -> str:
    if isinstance(value, str):
        return "path"
    return "none" if isinstance(value, dict) and "none" in value and "exec" not in value else "exec"


HealthEntry = Annotated[
    Annotated[HealthPath, Tag("path")] | Annotated[HealthExec, Tag("exec")] | Annotated[HealthNone, Tag("none")],
    Discriminator(_health_tag),
]
"""A service's health: an HTTP path (text, the common case), `{exec: [cmd, ...]}` or `{none: reason}`."""


class Service(Strict):
    name: Name
    description: Description = Field(default="", description="What the service does.")
    image: str = Field(
        min_length=1,
        max_length=limits.MAX_IMAGE,
        json_schema_extra={"pattern": grammar.IMAGE_SCHEMA_PATTERN},
        description="Container image reference: [registry[:port]/]repository[:tag][@digest], the repository "
        "in lower case.",
    )
    port: int = Field(default=8080, ge=1, le=65535, description="Container port.")
    health: HealthEntry = Field(
        default="/healthz",
        description="HTTP health-check path: '/' and segments of letters, digits, '-', '.', '_' and '~'; or, "
        "for a service without an HTTP server (a queue worker), `{exec: [program, arg, ...]}` (a command "
        "whose exit status 0 is healthy) or `{none: reason}`. A public service keeps an HTTP path.",
    )
    public: bool = Field(default=False, description="Reachable from the internet through the edge.")
    routes: list[RouteEntry] = Field(
        default_factory=list,
        max_length=limits.MAX_ROUTES,
        description="Public routes as `METHOD /path` (or `{route: METHOD /path, uses: [...], cache: public}`); "
        "each is a user journey.",
    )
    uses: list[Name | UseRef] = Field(
        default_factory=list,
        max_length=limits.MAX_SERVICES + limits.MAX_DATASTORES,
        description="Services and data stores this one calls: the data flow. Security "
        "groups and network policies admit exactly these edges.",
    )
    peak_rps: int | None = Field(
        default=None, ge=1, le=limits.MAX_PEAK_RPS, description="Peak requests per second, whole system."
    )
    rps_per_replica: int = Field(
        default=100, ge=1, le=limits.MAX_RPS_PER_REPLICA, description="What one replica serves."
    )
    cpu: float = Field(default=0.25, ge=0.25, le=16, description="vCPU per replica (vertical size).")
    memory: Memory = Field(default=512, ge=512, le=122880, description="Memory per replica.")
    connections: Literal["short", "long-lived"] = Field(
        default="short",
        description="`long-lived`: clients hold connections open (websockets, streaming): the load "
        "balancer's idle timeout, the deregistration delay and the ingress timeouts are set for them.",
    )
    architecture: Literal["x86_64", "arm64"] = Field(
        default="x86_64",
        description="CPU architecture the image is built for. `arm64` (Graviton) costs about 20 % less "
        "on Fargate, but an image built only for amd64 does not start on it.",
    )

    @field_validator("image")
    @classmethod
    def _image(cls, image: str) -> str:
        return _checked(grammar.image_problem)(image)

    @field_validator("routes")
    @classmethod
    def _routes(cls, routes: list[str | Route]) -> list[str | Route]:
        texts = [r if isinstance(r, str) else r.route for r in routes]
        if len(set(texts)) != len(texts):
            raise ValueError("routes are listed twice; list each once")
        return routes

    def edges(self) -> list[UseRef]:
        return [UseRef(name=u) if isinstance(u, str) else u for u in self.uses]

    def route_specs(self) -> list[Route]:
        """Every route in its full form."""
        return [Route(route=r) if isinstance(r, str) else r for r in self.routes]


StoredGb = Annotated[
    float | None,
    Field(
        ge=0, le=1_000_000, description="Data the store holds, GB (the cost estimate). Unset: cost.stored_gb, else 10."
    ),
]
"""What a key-value or object store holds, for its storage lines."""


class _Store(Strict):
    name: Name
    description: Description = Field(default="", description="What the store holds.")


class Relational(_Store):
    kind: Literal["relational"]
    engine: Literal["rds-postgresql", "aurora-postgresql"] | None = Field(
        default=None, description="Pin the engine. Unset: chosen from availability and redundancy."
    )
    consistency: Consistency | None = Field(
        default=None, description="Overrides the system's consistency for this store."
    )
    read_replicas: int | None = Field(
        default=None,
        ge=0,
        le=5,
        description="Readable replicas in the primary region. Unset: one per extra zone for "
        "eventual consistency (replicas serve reads), else 0.",
    )
    storage_gb: int = Field(
        default=20, ge=20, le=65536, description="Allocated storage (RDS); the data an Aurora cluster holds."
    )
    instance_class: str | None = Field(
        default=None,
        max_length=32,
        json_schema_extra={"enum": [*sorted(sizes.OFFERED), None]},
        description="Size the instances (e.g. db.t4g.medium for a small internal tool, db.r6g.2xlarge): one the "
        "engine offers (blueprints.sizes). Unset: db.r6g.large in production, db.t4g.medium in development.",
    )

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str | None) -> str | None:
        offered = sorted(sizes.OFFERED)
        if value is None or value in offered:
            return value
        import difflib

        close = difflib.get_close_matches(value, offered, n=1)
        raise ValueError(
            f"expected {close[0] if close else 'a class a PostgreSQL engine offers'}, got {value!r}; "
            f"the classes: {', '.join(offered)}"
        )


class KeyValue(_Store):
    kind: Literal["key-value"]
    engine: Literal["dynamodb"] | None = Field(default=None, description="Pin the engine.")
    consistency: Consistency | None = Field(
        default=None, description="Overrides the system's consistency for this store."
    )
    partition_key: str = Field(
        default="pk",
        min_length=1,
        max_length=limits.MAX_ATTRIBUTE,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Partition key attribute (string).",
    )
    ttl_attribute: str | None = Field(
        default=None,
        min_length=1,
        max_length=limits.MAX_ATTRIBUTE,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Attribute holding an expiry time (not with strong multi-region).",
    )
    stored_gb: StoredGb = None


class Cache(_Store):
    kind: Literal["cache"]
    engine: Literal["redis", "valkey"] | None = Field(default=None, description="Pin the engine. Unset: valkey.")
    ttl: Duration = Field(
        default=3600, le=limits.MAX_TTL_SECONDS, description="Default time to live of cached entries."
    )
    memory: Memory = Field(
        default=1024,
        ge=512,
        le=limits.MAX_CACHE_MEMORY_MIB,
        description="Memory per cache node: the node type is the smallest that holds it (blueprints.sizes).",
    )
    hit_ratio: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of reads the cache answers for the relational and key-value stores its callers "
        "read through it (cache-aside), in the cost estimate. Unset: 0.8.",
    )


class Queue(_Store):
    kind: Literal["queue"]
    engine: Literal["sqs"] | None = Field(default=None, description="Pin the engine.")
    fifo: bool = Field(default=False, description="Ordered, exactly-once processing.")
    visibility_timeout: Duration = Field(
        default=30, le=limits.SQS_MAX_VISIBILITY_SECONDS, description="How long a consumer holds a message."
    )
    max_receives: int = Field(
        default=5, ge=1, le=1000, description="Receives before a message goes to the dead-letter queue."
    )
    retention: Duration = Field(
        default=345600,
        ge=limits.SQS_MIN_RETENTION_SECONDS,
        le=limits.SQS_MAX_RETENTION_SECONDS,
        description="Message retention (4d, SQS's default).",
    )


class ObjectStore(_Store):
    kind: Literal["object"]
    engine: Literal["s3"] | None = Field(default=None, description="Pin the engine.")
    versioning: bool = Field(default=True, description="Keep previous versions (loss-free default).")
    public: bool = Field(
        default=False,
        description="Served read-only to the internet through the CDN (edge.cdn): a static site or "
        "public assets. The bucket stays private; only the CDN reads it.",
    )
    stored_gb: StoredGb = None


DataStore = Annotated[
    Relational | KeyValue | Cache | Queue | ObjectStore,
    Field(discriminator="kind"),
]


class Cost(Strict):
    """The budget, and the usage prices depend on (each unset figure is an assumption the
    estimate states)."""

    monthly_max: float | None = Field(
        default=None,
        gt=0,
        le=10_000_000,
        description="USD a month the design may cost at its static-stability minimum. The plan fails "
        "(naming the conflict and by how much) when the design its targets need costs more.",
    )
    average_load: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Average load as a share of peak (requests priced per request). Unset: 0.3.",
    )
    response_kb: float | None = Field(
        default=None, gt=0, le=100_000, description="Average response size, KB (CDN and load balancer data). Unset: 8."
    )
    stored_gb: float | None = Field(
        default=None,
        ge=0,
        le=1_000_000,
        description="Data each key-value and object store holds, GB, where the store does not state its own "
        "`stored_gb`. Unset: 10 (relational: its storage_gb).",
    )


class Alerts(Strict):
    """Where the alarms that watch the design's promises send their notifications."""

    email: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", max_length=254)]] = (
        Field(
            default_factory=list,
            max_length=10,
            description="Addresses subscribed to each region's alert topic (each confirms its subscription "
            "once, from the message AWS sends). Unset: none, and the plan warns that nobody is told.",
        )
    )


class Operations(Strict):
    """Running the design: who is told when a promise is at stake."""

    alerts: Alerts = Field(default_factory=Alerts)


class Blueprint(Strict):
    """A system's high-level design."""

    name: Name
    description: Description = Field(default="", description="One paragraph: what the system does.")
    availability: float = Field(
        ge=90,
        lt=100,
        description="Target availability, percent per month (e.g. 99.99).",
    )
    consistency: Consistency | None = Field(
        default=None,
        description="System default consistency (CAP). Unset: strong, the safe choice.",
    )
    redundancy: Redundancy = Field(default_factory=Redundancy)
    cost: Cost = Field(default_factory=Cost, description="Budget and usage for the monthly cost estimate.")
    rto: Duration | None = Field(
        default=None,
        le=limits.MAX_OBJECTIVE_SECONDS,
        description="Recovery time objective for the failure the level covers.",
    )
    rpo: Duration | None = Field(
        default=None,
        le=limits.MAX_OBJECTIVE_SECONDS,
        description="Recovery point objective: data loss tolerated (0 = none).",
    )
    regions: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None,
        min_length=1,
        max_length=6,
        description="AWS regions, the first is primary. Unset: us-east-1 (+ us-west-2 for "
        "multi-region; the US strong-consistency set for strong active-active).",
    )
    users: dict[Annotated[str, Field(max_length=32)], Annotated[float, Field(gt=0, le=100)]] | None = Field(
        default=None,
        min_length=1,
        max_length=17,
        description="Where the users are: a share (percent) per AWS region they are nearest, adding up to "
        "100, e.g. {us-east-1: 60, eu-west-1: 30, ap-northeast-1: 10}. Unset: all near the primary region.",
    )
    latency: Latency | None = Field(
        default=None,
        description="Latency target at the user for every journey (a route's own `latency` overrides it), "
        "e.g. {p50: 50ms, p99: 300ms}. Unset: latency is estimated, not a target.",
    )
    scaling: Scaling = Field(default_factory=Scaling)
    edge: Edge = Field(default_factory=Edge)
    security: Security = Field(default_factory=Security)
    operations: Operations = Field(
        default_factory=Operations, description="Alerts: who is told when an alarm on a promise fires."
    )
    services: list[Service] = Field(
        default_factory=list,
        max_length=limits.MAX_SERVICES,
        description="The compute: containers. May be empty when a public object store is all there is "
        "(a static site served by the CDN).",
    )
    datastores: list[DataStore] = Field(
        default_factory=list, max_length=limits.MAX_DATASTORES, description="The state."
    )

    @field_validator("availability")
    @classmethod
    def _availability(cls, value: float) -> float:
        scaled = value * 10**limits.AVAILABILITY_DECIMALS
        if abs(scaled - round(scaled)) > 1e-6:
            raise ValueError(
                f"availability {value} has more than {limits.AVAILABILITY_DECIMALS} decimals; AWS publishes SLAs "
                f"to {limits.AVAILABILITY_DECIMALS} decimals of a percent, so no estimate can tell finer targets apart"
            )
        return value

    def store(self, name: str) -> Relational | KeyValue | Cache | Queue | ObjectStore | None:
        return next((s for s in self.datastores if s.name == name), None)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)


AnyStore = Relational | KeyValue | Cache | Queue | ObjectStore

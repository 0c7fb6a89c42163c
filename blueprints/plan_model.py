"""The Plan: every decision the tool made, each with the reason that produced it.

Targets translate a Plan and nothing else; if a target needs a choice, it belongs
here. `hld plan --json` prints `Plan.model_dump(mode="json")`.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Decided(Model, Generic[T]):
    value: T
    reason: str
    derived: bool = True


class Part(Model):
    """One link of a journey's chain and the SLA figure it stands on."""

    component: str
    sla: str
    percent: float
    scope: Literal["regional", "global"]
    source: str
    verified: bool


class Journey(Model):
    name: str
    service: str
    route: str
    regional: list[Part]
    global_parts: list[Part]
    regions_in_parallel: int
    estimate: float
    formula: str
    cached: bool = False
    """Served by the CDN from its cache; with a stated hit ratio and stale-if-error, the origin
    counts only for the misses."""
    hit_ratio: float | None = None
    failover_cost: float = 0.0
    """Percentage points the regional failovers assumed a year cost this journey (multi-region
    active: DNS failover time for the users of the lost region)."""
    reads: Decided[str] | None = None
    """The consistency its reads have through their path (blueprints.consistency): what the CAP
    record states per journey, never stronger than the weakest part it reads through."""


class FailoverCost(Model):
    """What regional failovers cost a multi-region active design, under a stated assumption."""

    seconds: float
    """One failover: health-check detection plus the record's TTL."""
    per_year: float
    """The assumption: failovers a year (redundancy.failovers_per_year)."""
    share_of_month_budget: float
    """What one failover takes of the target's monthly downtime budget (0..)."""
    points: float
    """Percentage points taken off the estimate."""
    source: str


class Budget(Model):
    percent: float
    per_year_seconds: float
    per_month_seconds: float
    per_year: str
    per_month: str


class Availability(Model):
    target: float
    estimate: float
    met: bool
    margin: float
    """Estimate minus target, in percentage points (negative when short)."""
    weakest: str
    journeys: list[Journey]
    target_budget: Budget
    estimate_budget: Budget
    failover: FailoverCost | None
    basis: str


class Subnet(Model):
    zone: str
    tier: Literal["public", "private", "isolated"]
    cidr: str


class Network(Model):
    region: str
    cidr: str
    zones: list[str]
    """The zones that serve: tasks, DB instances, cache nodes and NAT gateways are placed in these."""
    subnets: list[Subnet]
    nat_gateways: Decided[int]
    vpc: bool = True
    """A VPC exists: something runs in it (services, stores in the VPC)."""
    subnet_zones: Decided[list[str]] | None = None
    """The zones with subnets: the serving zones, and any more that AWS requires a load balancer or
    a subnet group to span (blueprints.zone_minimums), which hold only those subnets (None: no VPC)."""


class RegionCapacity(Model):
    region: str
    role: Literal["serving", "warm-standby", "pilot-light"]
    design_rps: int
    replicas_per_zone: int
    min_replicas: int
    max_replicas: int
    drain_floor: int
    """Replicas kept up while one zone's share is drained (a disruption budget's minimum)."""


class RoutePlan(Model):
    route: str
    uses: list[str]
    """What its journey calls directly: the route's own `uses`, or its service's."""
    cached: bool
    """The CDN may serve one user's response to another (`cache: public`)."""


class EdgeAccess(Model):
    """What one of a service's edges does to its data store (blueprints.access): the targets grant
    exactly this (IAM actions and resources; a relational store's per-service database user)."""

    store: str
    kind: str
    access: Decided[str]


class HealthPlan(Model):
    """How a service's health is judged, alike on both targets: an HTTP GET of `path` on its port
    (AWS: the target group's check; kind: httpGet probes), a command run in the container (`exec`:
    ECS's container health check; kind: exec probes) or nothing (`none`, with `reason`). The timings
    are the target group's (or the ECS container check's) and the kind probes': a check every
    `interval_seconds`, failed after `timeout_seconds`, `unhealthy_threshold` failures in a row take
    the task out, `healthy_threshold` successes bring it back; `start_seconds` is the allowance for a
    slow start before failures count."""

    kind: Literal["http", "exec", "none"] = "http"
    path: str | None = "/healthz"
    command: list[str] = Field(default_factory=list)
    reason: str = ""
    """Why a service has no health check (`none`)."""
    interval_seconds: int = 15
    timeout_seconds: int = 5
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3
    start_seconds: int = 180
    why: str = ""
    """How the timings follow from the task size."""


class ServicePlan(Model):
    name: str
    description: str
    image: str
    port: int
    health: str | None
    """The HTTP health path (None when the service's health is a command or none: `health_check`)."""
    public: bool
    routes: list[RoutePlan]
    calls: list[str]
    stores: list[str]
    async_uses: list[str]
    peak_rps: int | None
    """The peak it is sized for: its own, or what its synchronous callers send (peak_source)."""
    peak_source: str = "peak_rps"
    rps_per_replica: int
    task_cpu: Decided[int]
    task_memory: int
    capacity: Decided[list[RegionCapacity]]
    target_cpu: int
    max_scale_out: float = 3.0
    """The blueprint's `scaling.max_scale_out`, as given: the autoscaling maximum is this x the
    static-stability minimum (what `verify` recomputes the maximum from)."""
    requests_per_target: Decided[int]
    connections: Decided[str]
    """short, or long-lived (websockets, streaming): what the load balancer and ingress allow for."""
    deregistration_delay_seconds: int
    """How long a task being replaced keeps its connections before the load balancer drops them."""
    architecture: Decided[str] = Decided(value="x86_64", reason="default")
    """The CPU architecture the tasks run on (the image must be built for it)."""
    access: list[EdgeAccess] = Field(default_factory=list)
    """What each of its store edges does, stated or inferred, with the reason."""
    health_check: HealthPlan = Field(default_factory=HealthPlan)
    """How its health is judged, with the timings both targets use."""

    def access_to(self, store: str) -> str:
        """The access mode of its edge to `store`."""
        return next(a.access.value for a in self.access if a.store == store)


class Convergence(Model):
    """How a store's state reaches the other regions of a multi-region plan, and within what bound:
    the replication path that carries it (checks find `resource` in the deployed graph), or none."""

    path: str | None
    """The AWS mechanism that carries a write to the other regions (None: nothing does)."""
    resource: str | None
    """The resource type that path is deployed as (what `hld verify` looks for)."""
    seconds: float | None
    """Every region sees a write within this (None: never, e.g. messages stay in their region)."""
    reason: str
    source: str


class StoreBase(Model):
    """What every data store's plan says: where it lives, how it survives a zone and a region, who
    uses it. Checks and what-ifs read these promises; a kind's own fields follow in its class."""

    name: str
    kind: str
    description: str
    engine: Decided[str]
    regions: list[str]
    writer_region: str
    multi_az: bool
    replication: Decided[str]
    port: int
    used_by: list[str]
    on_journeys: bool
    record: bool
    """A system of record: its data must survive (backups, a copy in the standby region)."""
    in_vpc: bool
    """Reached inside the VPC on `port` (security groups); else an AWS API over HTTPS and IAM."""
    single_writer: bool
    """One writer, in the primary region, for every region (services elsewhere reach it over VPC
    peering); the other regions hold read copies."""
    messaging: bool
    """A channel: services put messages in and consumers take them out (else reads and writes)."""
    sla: str
    """The SLA figure (blueprints.figures.SLAS) its journeys stand on."""
    scope: Literal["regional", "global"]
    """Regional: copied into each region's chain; global: once, in series after the regions."""
    technology: str
    """The AWS service that runs it, in words."""
    chain_label: str
    """How it appears in a journey's chain (with its writer's region when that matters)."""
    zone_loss_rto_seconds: float
    region_loss_rpo_seconds: float | None
    convergence: Convergence | None = None
    """Multi-region plans: how its state reaches the other regions (blueprints.convergence)."""

    def headline(self) -> str:
        """The engine as a plan shows it (with its size and consistency where the kind has them)."""
        return self.engine.value


class DatabaseUser(Model):
    """A service's own database user, granted its edge's access (blueprints.access.bootstrap_sql)."""

    service: str
    user: str
    access: str


class RelationalPlan(StoreBase):
    kind: Literal["relational"] = "relational"
    consistency: Decided[str]
    read_replicas: int
    instance_class: Decided[str]
    storage_gb: int
    storage_type: Decided[str] | None = None
    """Aurora's storage configuration: `aurora` (Standard, billed per I/O) or `aurora-iopt1`
    (I/O-Optimized), chosen from the estimate (blueprints.cost.estimate.aurora_storage)."""
    writer_name: Decided[str] | None = None
    """The name applications reach the writer by when it can move to another region: Aurora's
    global writer endpoint, or a private DNS name on a failover pair of records."""
    replicas_serve_reads: bool = False
    """The writer region's read replicas serve reads (else they only take over on a zone loss)."""
    users: list[DatabaseUser] = Field(default_factory=list)
    """One database user per service that uses it (`<DB>_USER`): services never connect as the master."""
    bootstrap: Decided[list[str]] | None = None
    """The SQL that makes the users on AWS, once, as the master user (IAM authentication: rds_iam)."""

    def read_host_in(self, region: str) -> bool:
        """Services in `region` get a read host (`<DB>_READ_HOST`): the region's cross-region copy, or
        in the writer's region the replicas that serve reads. Every reader the plan counts is named."""
        if region not in self.regions:
            return False
        if region != self.writer_region:
            return True
        return self.replicas_serve_reads and self.read_replicas > 0

    def headline(self) -> str:
        return f"{self.engine.value} ({self.instance_class.value}), {self.consistency.value}"


class KeyValuePlan(StoreBase):
    kind: Literal["key-value"] = "key-value"
    consistency: Decided[str]
    global_mode: Literal["MREC", "MRSC"] | None
    partition_key: str
    ttl_attribute: str | None

    def headline(self) -> str:
        return f"{self.engine.value}, {self.consistency.value}"


class CachePlan(StoreBase):
    kind: Literal["cache"] = "cache"
    read_replicas: int
    replicas_serve_reads: bool
    """Services read from the replicas (active); else the replicas only take over (passive)."""
    instance_class: Decided[str]
    cache_ttl_seconds: int

    def headline(self) -> str:
        return f"{self.engine.value} ({self.instance_class.value})"


class QueuePlan(StoreBase):
    kind: Literal["queue"] = "queue"
    fifo: bool
    visibility_timeout_seconds: int
    max_receives: int
    retention_seconds: int


class ObjectPlan(StoreBase):
    kind: Literal["object"] = "object"
    versioning: bool
    public: bool = False
    """Served read-only through the CDN (the bucket stays private; only the CDN reads it)."""


StorePlan = Annotated[
    RelationalPlan | KeyValuePlan | CachePlan | QueuePlan | ObjectPlan,
    Field(discriminator="kind"),
]
"""A data store's plan: a union discriminated on `kind`, as the blueprint's stores are."""
AnyStorePlan = RelationalPlan | KeyValuePlan | CachePlan | QueuePlan | ObjectPlan


class CdnPlan(Model):
    min_ttl: int
    default_ttl: int
    max_ttl: int
    compress: bool
    origin_shield: bool
    dynamic: Decided[str]
    cache_control: str
    """What services send on responses the CDN may cache (`cache: public` routes)."""
    origin_failover: bool
    cached: list[str]
    """Path patterns the CDN caches (routes marked `cache: public`); nothing else is cached."""
    writes: list[str]
    """Path patterns with writing methods, sent to the primary region's origin uncached (an origin
    group fails over only reads)."""
    hit_ratio: float | None
    stale_if_error: int | None
    site: str | None = None
    """The public object store the CDN serves (a static site), if any."""


class EdgePlan(Model):
    idle_timeout_seconds: Decided[int]
    """The load balancers' idle timeout (the longest any public service's connections need)."""
    cdn: CdnPlan | None
    waf: Decided[str] | None
    waf_body_methods: list[str] = []
    """Methods the WAF lets carry bodies over 8 KB (the write routes'); every other is blocked."""
    domain: str | None
    hosted_zone: str | None
    dns: Decided[str] | None
    tls: bool
    certificate: Decided[str] | None
    needs_domain: bool
    """TLS with something public and no domain yet: a deployment must name one (hld:domain)."""
    api_host: str | None
    cdn_host: str | None
    origin_hosts: dict[str, str]


PROBE = "hld-probe"
"""The query parameter a probe rule matches: `<health path>?hld-probe=<service>`."""


class ListenerRule(Model):
    """A load-balancer rule: a public path pattern, the service that serves it, its priority. A
    probe rule matches the service's health path with `?hld-probe=<service>`, so each public
    service's health is probed on its own even where services share a health path."""

    service: str
    pattern: str
    priority: int
    probe: bool = False


class Control(Model):
    key: str
    title: str
    enabled: bool
    applies: bool = True
    """The design has parts the control governs (no dead-letter queues without queues)."""
    relaxed: bool
    detail: str


class Objective(Model):
    name: Literal["rto", "rpo"]
    disruption: Literal["zone-loss", "region-loss"]
    required_seconds: int | None
    expected_seconds: float | None
    met: bool
    detail: str


class RecoveryStep(Model):
    """One step of recovering from a region loss, as data: what happens, which AWS service does it,
    on which plane and in which region that plane is served, how long it takes and the source of
    that figure. A step on the lost region's control plane cannot run: the what-if fails there."""

    stage: Literal["detect", "recover", "after"]
    """Steps of one stage run side by side (the stage lasts as long as its slowest step); the stages
    follow each other. `after`: restores what the recovery gave up, outside the RTO."""
    action: str
    service: str
    """The AWS service that performs it (Route 53, RDS, ECS, CloudFront, ...)."""
    plane: Literal["data", "control"]
    region: str | None
    """The region whose plane the step needs (None: a global data plane, e.g. Route 53 answering)."""
    seconds: float
    source: str
    verified: bool = True
    automated: bool
    """True: AWS (or what hld deployed) does it by itself; False: an operator runs `command`."""
    command: str | None = None
    store: str | None = None
    """The store it recovers (None: the system's entry: traffic, capacity)."""
    on_journeys: bool = True
    """The user journeys wait for it (it counts in the RTO); else it recovers a store off them."""


class Dr(Model):
    strategy: Decided[str]
    zone_loss_rto_seconds: float | None
    zone_loss_rpo_seconds: float | None
    region_loss_rto_seconds: float | None
    region_loss_rpo_seconds: float | None
    backup_retention_days: int
    backup_copy_regions: list[str]
    runbook: list[str] = []
    """What an operator does on a region loss, step by step, for what does not fail over by itself."""
    region_loss_steps: list[RecoveryStep] = []
    """Every step of recovering from the loss of the primary region, the RTO their sum by stage."""


class Edit(Model):
    """One edit of the blueprint document: the value at `path` (null: the key removed)."""

    path: list[str | int]
    value: Any


class Fix(Model):
    """A change to the blueprint that was applied and planned again, with what that plan reaches."""

    change: str
    edits: list[Edit]
    reaches: str
    meets: bool
    relaxes: bool = False
    """The change lowers the target itself instead of changing the design."""
    meets_targets: list[str] = []
    """The blueprint's targets (availability, RTO, RPO, budget) the changed blueprint's plan meets."""
    breaks: list[str] = []
    """The targets the plan met that the changed blueprint's plan misses."""


class Unmet(Model):
    what: str
    why: str
    fixes: list[Fix]
    searched: str = ""
    """Said when no design change (alone or combined) meets the target."""


class CostLine(Model):
    """One priced quantity: what it is, where, how much a month at the static-stability minimum
    and at the autoscaling maximum."""

    component: str
    region: str
    item: str
    unit: str
    quantity_min: float
    quantity_max: float
    usd_per_unit: float | None
    """None: the price table has no price for this item in this region (left out of the totals)."""
    monthly_min: float
    monthly_max: float
    assumes: list[str] = []
    """The keys of the assumptions (CostEstimate.assumptions) its quantity rests on."""
    source: str | None = None
    """The pricing page the price was read from (blueprints.cost.prices)."""


class Assumption(Model):
    """A figure the estimate rests on that the blueprint does not state: listed once, with its
    value and where to change it."""

    key: str
    text: str
    """The assumption with its value: `average load 30 % of peak`."""
    where: str
    """The blueprint field that sets it, or `fixed: ...` for a figure of the model."""


class CostEstimate(Model):
    monthly_min: float
    """USD a month at the static-stability minimum (every priced line)."""
    monthly_max: float
    """USD a month with every service at its autoscaling maximum."""
    lines: list[CostLine]
    unpriced: list[str]
    assumptions: list[Assumption]
    left_out: list[str]
    prices_checked: str
    budget: float | None = None
    alternatives: list[dict[str, Any]] = []
    """Each redundancy choice, re-planned (blueprints.cost.alternatives); filled for documents."""
    steps: list[str] = []
    """What each step up in availability costs."""

    @property
    def complete(self) -> bool:
        """Every line is priced: otherwise the totals are lower bounds (a region or item missing
        from the price table counts as $0)."""
        return not self.unpriced

    @property
    def unpriced_text(self) -> str:
        """What misses a price, by region: `alb, nat in sa-east-1` (a count where there are many)."""
        by: dict[str, list[str]] = {}
        for entry in self.unpriced:
            item, _, region = entry.rpartition(" in ")
            by.setdefault(region, []).append(item)
        return "; ".join(
            f"{', '.join(items) if len(items) <= 3 else f'{len(items)} items'} in {region}"
            for region, items in by.items()
        )

    @property
    def budget_status(self) -> Literal["none", "met", "over", "unchecked"]:
        """The budget against the minimum: `unchecked` when the estimate is incomplete and under
        it (an unpriced line could take it over), never `met` on a lower bound."""
        if self.budget is None:
            return "none"
        if self.monthly_min > self.budget:
            return "over"
        return "met" if self.complete else "unchecked"


class QuotaNeed(Model):
    """What the design needs of one AWS quota (blueprints.quotas) in one region (or the account),
    at the static-stability minimum and at the autoscaling maximum, beside AWS's figure."""

    quota: str
    """The key of blueprints.quotas.QUOTAS."""
    region: str
    """A region, or `account` for a global service's quota."""
    minimum: float
    maximum: float
    limit: int
    """What the need is compared with: AWS's default, or a new account's lower figure."""
    over: bool
    """The maximum needs more than `limit`: a warning, not an error (AWS raises quotas on request)."""
    how: str
    """How the need is counted from the plan."""


class Quotas(Model):
    needs: list[QuotaNeed]
    warnings: list[str]
    """Each need above its quota, with the request that raises it: `hld plan` warns and still succeeds."""
    notes: list[str] = []
    """What a new account may need besides (CloudFront's account verification)."""
    checked: str


class BurnWindow(Model):
    """One multi-window, multi-burn-rate alert (the Google SRE workbook, "Alerting on SLOs"): it
    fires when the error ratio over both the long and the short window is above `error_ratio`,
    which is `burn_rate` x the error budget (1 - target)."""

    severity: Literal["page", "ticket"]
    burn_rate: float
    long_seconds: int
    short_seconds: int
    budget_consumed: float
    """The share of the 30-day budget this burn rate spends over the long window (0.02: 2 %)."""
    error_ratio: float


class Slo(Model):
    """An availability SLO per user journey: the blueprint's target over a rolling window, measured
    at the load balancer as the share of the journey's service's requests that are not 5xx."""

    journey: str
    service: str
    route: str
    target: float
    """Percent of requests served without a server error."""
    window_days: int
    budget_seconds: float
    """The window's error budget as time at a full outage: window x (1 - target)."""
    alerting: Literal["burn-rate", "fast-signal"]
    reason: str
    windows: list[BurnWindow]
    """The burn-rate pairs (empty with `fast-signal`: the budget is shorter than alerting can act on)."""
    source: str


class Watch(Model):
    """One alarm a promise needs: on which metric (blueprints.monitoring.METRICS), of what, in which
    region, at what threshold, and why."""

    key: str
    """What it watches for: `rpo`, `health-check`, `running-tasks`, `dead-letters`, `failover`."""
    kind: Literal["metric", "event"] = "metric"
    """A CloudWatch metric alarm, or an AWS service's event notifications (RDS failover events)."""
    subject: str
    """The store or service (or `entry` for the system's health checks)."""
    region: str
    """The region the metric is published in (where the alarm must live)."""
    metric: str
    """A key of blueprints.monitoring.METRICS."""
    dimensions: dict[str, str]
    """Each dimension's name and, in words, the resource whose id it takes (the target resolves it)."""
    comparison: Literal["GreaterThanThreshold", "LessThanThreshold"]
    threshold: float
    """In the metric's own unit."""
    reason: str


class ExperimentAction(Model):
    """One AWS FIS action of an experiment template and what it targets (blueprints.experiments)."""

    name: str
    action: str
    """The FIS action id (`aws:network:disrupt-connectivity`)."""
    target: str
    """The FIS resource type it targets (`aws:ec2:subnet`)."""
    subject: str
    """The stack's resources it targets, in words: `private and isolated subnets in us-east-1a`."""
    parameters: dict[str, str]
    """The action's parameters (durations in ISO 8601: PT10M)."""
    target_parameters: dict[str, str] = {}
    """The target's own parameters (an AZ for ElastiCache's AZ power interruption)."""


class Experiment(Model):
    """An AWS FIS experiment template that proves the design survives one loss it must survive.
    Created by the AWS target, never run by hld (a person runs it: `run`)."""

    name: str
    disruption: Literal["zone-loss", "region-loss"]
    lost: str
    """The zone or the region the experiment takes away."""
    region: str
    """The region the template lives in (FIS targets resources of its own region)."""
    actions: list[ExperimentAction]
    duration_seconds: int
    hypothesis: str
    """What the plan says holds while it runs: capacity left, journeys kept, expected RTO and RPO."""
    stop_on: list[str]
    """The alarms that stop it: their names."""
    stop_ratio: float
    """The entry's error ratio over 5 minutes above which it stops: worse than its hypothesis
    (blueprints.planner.experiments.stop_ratio)."""
    run: str
    """How to run it."""
    watch: list[str]
    """What to watch while it runs."""


class RunbookStep(Model):
    """A recovery step (RecoveryStep) as a runbook states it, with the automation that performs it."""

    order: int
    stage: Literal["detect", "recover", "after"]
    """Steps of one stage run side by side; stages follow each other (the RTO: blueprints.steps.rto_of)."""
    on_journeys: bool = True
    """The journeys wait for it (it counts in the RTO)."""
    store: str | None = None
    action: str
    service: str
    plane: Literal["data", "control"]
    region: str | None
    seconds: float
    source: str
    automated: bool
    """AWS (or what hld deployed) does it by itself; else an operator runs `command` or `automation`."""
    command: str | None = None
    automation: str | None = None
    """The Systems Manager Automation document that performs it (AWS target), when an API does."""


class Runbook(Model):
    """What happens, and what an operator does, when the design loses a zone or a region."""

    name: str
    disruption: Literal["zone-loss", "region-loss"]
    lost: str
    steps: list[RunbookStep]
    rto_seconds: float | None
    """The plan's RTO for this loss: the steps' total by stage (None: not recoverable)."""
    rpo_seconds: float | None


class Operations(Model):
    """What watches the plan's promises once deployed, what proves them under failure and what an
    operator does when one is at stake (blueprints.planner.operations)."""

    alert_emails: Decided[list[str]]
    slos: list[Slo]
    watches: list[Watch]
    experiments: list[Experiment]
    runbooks: list[Runbook]
    dashboard: str
    """The CloudWatch dashboard's name (one per system and stack; a row per journey)."""
    warnings: list[str] = []


class LatencyHop(Model):
    """One hop of a journey's request and its latency (blueprints.latency): median and 99th
    percentile in ms, the share of requests that take it, and its source."""

    key: str
    """A key of blueprints.latency.HOPS, or `wan` (a round trip between regions), `mrsc` (a
    strong global table's round trip to another region of its set), `tcp`/`tls` (handshakes)."""
    what: str
    p50: float
    p99: float
    share: float = 1.0
    """Of the journey's requests, the share that take this hop (the misses of a cache or a CDN)."""
    source: str
    assumed: bool = False
    """No published figure: a stated assumption."""
    region: str | None = None
    """Where the hop happens: a region, or for `wan` the far end."""
    store: str | None = None
    """The data store the hop calls, if any."""


class AreaLatency(Model):
    """One journey's latency for the users of one area (the region they are nearest)."""

    area: str
    share: float
    """Percent of the users."""
    serving: str
    """The region that serves these users' requests (latency routing: the nearest; else the primary)."""
    hops: list[LatencyHop]
    p50: float
    """The sum of the medians of the hops most requests take (share above 0.5)."""
    p99: float
    """The sum of the 99th percentiles of the hops more than 1 % of requests take: an upper bound."""
    first_request: list[LatencyHop]
    """What a new connection adds before its first request: DNS, TCP and TLS 1.3 round trips."""
    first_p50: float
    first_p99: float
    met: bool | None
    """Both stated percentiles are at or under the target (None: no target)."""


class JourneyLatency(Model):
    journey: str
    operation: Literal["read", "write"]
    """GET and HEAD read; every other method writes (the stores a write route uses are written)."""
    cached: bool
    """The estimate counts CDN hits for this route (a cacheable route and a stated hit ratio)."""
    target_p50: float | None
    target_p99: float | None
    target_source: str
    """`latency` (the system's), `routes[].latency` (the route's own) or `none`."""
    areas: list[AreaLatency]
    met: bool | None


class Pacelc(Model):
    """A store's consistency choice as PACELC records it (Abadi 2012): under a Partition,
    Availability or Consistency; Else, Latency or Consistency, with what strong costs per area."""

    store: str
    consistency: str
    record: Literal["PA/EL", "PC/EC", "PA/EC", "PC/EL"]
    strong_read_ms: dict[str, float]
    """Per area: what a strong read costs over an eventual one at the median, ms."""
    strong_write_ms: dict[str, float]
    """Per area: what a strong write costs over an eventual one at the median, ms."""
    reason: str


class LatencyPlan(Model):
    users: Decided[dict[str, float]]
    routing: Decided[str]
    """How a user reaches a region: `latency` (Route 53 latency records: the nearest healthy region),
    or `primary` (one region serves everyone: failover records, one region, or no domain)."""
    journeys: list[JourneyLatency]
    met: bool | None
    worst: str | None
    """`journey from area`: the furthest over its target (or the slowest p99 without targets)."""
    worst_journey: str | None = None
    worst_area: str | None = None
    pacelc: list[Pacelc]
    assumptions: list[str]
    """The hops whose figure is an assumption, with where to change it."""
    model: str
    source: str


class Plan(Model):
    name: str
    description: str
    stack: str
    environment: Literal["production", "development"]
    level: Decided[str]
    replication: Decided[str | None]
    consistency: Decided[str]
    regions: Decided[list[str]]
    primary_region: str
    zones_per_region: Decided[int]
    networks: list[Network]
    peering: Decided[list[str]] | None
    services: list[ServicePlan]
    datastores: list[StorePlan]
    edge: EdgePlan
    routing: list[ListenerRule]
    security: list[Control]
    availability: Availability
    dr: Dr
    objectives: list[Objective]
    cost: CostEstimate | None = None
    """The monthly cost estimate (blueprints.cost)."""
    quotas: Quotas | None = None
    """The AWS quotas the design needs per region beside AWS's defaults (blueprints.planner.quotas)."""
    operations: Operations | None = None
    """Monitors, experiments and runbooks for what the plan promises (blueprints.planner.operations)."""
    latency: LatencyPlan | None = None
    """Each journey's latency per users' area, and the PACELC record (blueprints.planner.latency)."""
    unmet: list[Unmet]
    figures_note: str

    @property
    def ok(self) -> bool:
        return not self.unmet

    def service(self, name: str) -> ServicePlan:
        return next(s for s in self.services if s.name == name)

    def store(self, name: str) -> AnyStorePlan:
        return next(s for s in self.datastores if s.name == name)

    def network(self, region: str) -> Network:
        return next(n for n in self.networks if n.region == region)

    def zones(self, region: str) -> list[str]:
        return next(n.zones for n in self.networks if n.region == region)

    def control(self, key: str) -> Control:
        return next(c for c in self.security if c.key == key)

    def data_flow(self, edge: str) -> set[tuple[str, str, str | None]]:
        """(to, from, store kind or None for a service) for every connection the blueprint
        declares; public services are reached from `edge` (the load balancer, an ingress).
        The targets put their own ports on these edges (security groups, NetworkPolicies)."""
        flows: set[tuple[str, str, str | None]] = set()
        for svc in self.services:
            if svc.public:
                flows.add((svc.name, edge, None))
            for callee in svc.calls:
                flows.add((callee, svc.name, None))
            for store in svc.stores:
                flows.add((store, svc.name, self.store(store).kind))
        return flows

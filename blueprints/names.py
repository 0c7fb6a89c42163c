"""The identifiers each component of a blueprint derives on the targets, in one place.

Every target names what it makes after the components: kind's objects (`<service>`, the stand-in
`<store>` and its headless Service `<store>-pods`, `<stand-in>-bootstrap`, `<name>-ingress`, ...),
their files (`<kind>-<name>.yaml`), the environment of the app contract (`<NAME>_QUEUE_URL`,
`<NAME>_READ_HOST`, ...), and the AWS program's Pulumi logical names (`<system>-<name>-tg-<region>`,
`<system>-in-<to>-from-<from>-<region>`, ...). Names are joined with dashes (and turned into
variables with underscores), so two different components can derive one identifier: a service
`db-pods` and the headless Service of the relational store `db`; a queue `q` (`Q_QUEUE_URL`) and a
service `q-queue` (its callers' `Q_QUEUE_URL`). Then one object replaces the other, a variable is
dropped, or `pulumi up` stops on a duplicate URN.

The generators build these names with the functions and tables below, and the coherence rule
`derived-names` (blueprints.rules) refuses a blueprint in which two components derive one
identifier, or a component takes a name a target keeps for itself (`reserved-names`). What each
component derives is a superset of what a given plan makes (a cache's `<NAME>_READ_HOST` whether or
not its replicas serve reads, every region the blueprint may plan), so a blueprint that validates
stays valid whichever plan it gets. tests/blueprints/test_names.py checks the generators' actual
output against this module.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blueprints.model import Blueprint

# --- Kubernetes (kind) ----------------------------------------------------------------------------

SHARED_STAND_INS: dict[str, str] = {"key-value": "dynamodb-local", "queue": "elasticmq", "object": "minio"}
"""Store kinds whose stand-in serves every store of the kind (one endpoint for an SDK), by its name:
the name of its workload, its Service and its pods."""
STATEFUL_STAND_INS = frozenset({"relational", "key-value", "object"})
"""Stand-ins that run as StatefulSets, each with its governing (headless) Service."""
BOOTSTRAPPED_STAND_INS = frozenset({"relational", "key-value", "object"})
"""Stand-ins a Job fills with the blueprint's tables and buckets, or (PostgreSQL) its services' users."""
CONFIGURED_STAND_INS = frozenset({"queue", "relational", "cache"})
"""Stand-ins whose configuration is a ConfigMap: the queues; PostgreSQL's host-based access and
Valkey's TLS settings, where the blueprint's TLS is on."""
TLS_SECRET = "stand-in-tls"
"""The Secret with the CA and the certificates of the stand-ins that serve TLS on kind."""
AWS_CREDENTIALS = "aws-credentials"
"""The Secret with the placeholder AWS keys the services and the AWS-API stand-ins share on kind."""
NETWORK_POLICIES = ("default-deny", "allow-dns")
"""The NetworkPolicies every render makes, whatever the blueprint."""
INGRESS_NAMESPACE = "ingress-nginx"
"""The ingress controller's namespace (its kind manifest)."""
RESERVED_NAMESPACES = frozenset(
    {"default", "kube-system", "kube-public", "kube-node-lease", "local-path-storage", INGRESS_NAMESPACE}
)
"""Namespaces a kind cluster already has (Kubernetes', kind's storage provisioner's, the ingress
controller's): the system's name is its namespace, and the render labels it for the restricted pod
security profile, which the controllers in these namespaces do not meet."""
RESERVED_NAMES = frozenset(SHARED_STAND_INS.values())
"""Component names kind gives the shared stand-ins."""


def stand_in(kind: str, name: str) -> str:
    """The workload (and Service) that stands for the store `name` of `kind` on kind."""
    return SHARED_STAND_INS.get(kind, name)


def governing_service(workload: str) -> str:
    """A StatefulSet's governing (headless) Service."""
    return f"{workload}-pods"


def config_map(workload: str) -> str:
    return f"{workload}-config"


def bootstrap_job(workload: str) -> str:
    """The Job that creates a stand-in's tables or buckets (its pods are labelled with this name)."""
    return f"{workload}-bootstrap"


def ingress_policy(workload: str) -> str:
    """The NetworkPolicy admitting what reaches `workload`."""
    return f"{workload}-ingress"


def egress_policy(workload: str) -> str:
    """The NetworkPolicy admitting what `workload` reaches."""
    return f"{workload}-egress"


def secret(kind: str, name: str) -> str:
    """The Secret of a store's generated credentials: a relational store's admin, a cache's AUTH token."""
    return f"{name}-credentials" if kind == "relational" else f"{name}-auth"


def dead_letter_queue(name: str) -> str:
    return f"{name}-dlq"


def k8s_file(kind: str, name: str) -> str:
    """The file an object is written to (kinds have no dash, so the file names the object)."""
    return f"{kind.lower()}-{name}.yaml"


# --- the app contract (generators.contract) -------------------------------------------------------


def env_key(name: str) -> str:
    """A name as environment variables carry it: `orders-db` -> `ORDERS_DB`."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def env_var(name: str, suffix: str) -> str:
    return f"{env_key(name)}_{suffix}"


ENV_SUFFIXES: dict[str, tuple[str, ...]] = {
    "service": ("URL",),
    "relational": ("HOST", "PORT", "DB", "USER", "CREDENTIALS", "READ_HOST", "SSLMODE", "CA_FILE"),
    "cache": ("HOST", "PORT", "TTL_SECONDS", "READ_HOST", "AUTH_TOKEN", "TLS", "CA_FILE"),
    "key-value": ("TABLE", "CONSISTENT_READS"),
    "queue": ("QUEUE_URL",),
    "object": ("BUCKET",),
}
"""What a component gives the services that use it (a service: its callers), after its env_key."""
KIND_ONLY_SUFFIXES: dict[str, tuple[str, ...]] = {"relational": ("CREDENTIALS",)}
"""What only kind gives: its PostgreSQL stand-in has no IAM authentication, so a service gets its own
user's password there (`<DB>_CREDENTIALS`); on AWS the task authenticates as `<DB>_USER` with IAM."""


DATABASE_ADMIN = "hld_admin"
"""The master user of every relational store (AWS and kind): an operator's, never a service's."""


def database_name(store: str) -> str:
    """The database a relational store holds (`<DB>_DB`): its name with underscores."""
    return store.replace("-", "_")


def database_user(service: str) -> str:
    """The database user a service connects as (`<DB>_USER`), one per service: never the master user
    (`hld_admin`), which no `svc_` name can be."""
    return "svc_" + service.replace("-", "_")


SYSTEM_ENV = ("HLD_SYSTEM", "HLD_REGION", "PORT", "CACHE_CONTROL")
"""What every service gets whatever it uses."""
STAND_IN_APIS: dict[str, str] = {"key-value": "DYNAMODB", "queue": "SQS", "object": "S3"}
"""The AWS API each shared stand-in speaks: services get AWS_ENDPOINT_URL_<API> on kind."""
KIND_SDK_ENV = frozenset(
    {"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    | {f"AWS_ENDPOINT_URL_{api}" for api in STAND_IN_APIS.values()}
)
"""What kind adds for AWS SDKs to reach the stand-ins (on AWS the task role and the region come from
ECS)."""


# --- AWS (Pulumi logical names) -------------------------------------------------------------------

_WORDS = {
    "northeast": "ne",
    "southeast": "se",
    "northwest": "nw",
    "southwest": "sw",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
}
_PLACE = re.compile(r"^([a-z]{2})-([a-z]+)-(\d)([a-z]?)$")


def short_place(part: str) -> str:
    """`us-east-1` -> `use1`, `ap-northeast-1a` -> `apne1a`; anything else unchanged."""
    match = _PLACE.match(part)
    if not match or match.group(2) not in _WORDS:
        return part
    return f"{match.group(1)}{_WORDS[match.group(2)]}{match.group(3)}{match.group(4)}"


def fit(parts: list[str], room: int) -> str:
    """A logical name of at most `room` characters for the name `-`.join(parts), whose first part
    is the system's name: the name itself when it fits; else with regions and zones abbreviated;
    else without the system's name (every name of a stack has it, and its tags carry it); else
    cut, with a hash of the whole name and the last part (the region or zone) kept.
    Deterministic; two names that differ can still meet once shortened (a name without the system's
    prefix and a longer one with it), which the `derived-names` rule refuses."""
    full = "-".join(parts)
    if len(full) <= room:
        return full
    short = [short_place(p) for p in parts]
    for candidate in (short, short[1:]):
        if candidate and len("-".join(candidate)) <= room:
            return "-".join(candidate)
    digest = hashlib.sha1(full.encode()).hexdigest()[:6]
    rest = short[1:] or short
    tail = rest[-1] if len(rest) > 1 else ""
    keep = room - len(digest) - 1 - (len(tail) + 1 if tail else 0)
    head = "-".join(rest[:-1] if tail else rest)[: max(keep, 1)].rstrip("-")
    return "-".join(p for p in (head, digest, tail) if p)


AWS_ROOMS: dict[str, int] = {
    "aws:lb/targetGroup:TargetGroup": 24,
    "aws:iam/role:Role": 56,
    "aws:rds/instance:Instance": 56,
    "aws:elasticache/replicationGroup:ReplicationGroup": 32,
    "aws:s3/bucket:Bucket": 55,
    "aws:sqs/queue:Queue": 72,
}
"""The longest logical name of each type the AWS target shortens a component's names for
(generators.aws.naming.NAMING[type].room: the provider's auto-name limit less the random suffix)."""

_SYSTEM = "hld:aws:System"
_AWS: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "service": (
        (_SYSTEM, "hld:aws:Service", ("{n}", "{r}")),
        ("hld:aws:Service", "aws:cloudwatch/logGroup:LogGroup", ("{n}", "logs", "{r}")),
        ("hld:aws:Service", "aws:iam/role:Role", ("{n}", "execution", "{r}")),
        ("hld:aws:Service", "aws:iam/role:Role", ("{n}", "task", "{r}")),
        ("hld:aws:Service", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", ("{n}", "execution-managed", "{r}")),
        ("hld:aws:Service", "aws:iam/rolePolicy:RolePolicy", ("{n}", "execution-secrets", "{r}")),
        ("hld:aws:Service", "aws:iam/rolePolicy:RolePolicy", ("{n}", "task-policy", "{r}")),
        ("hld:aws:Service", "aws:ecs/taskDefinition:TaskDefinition", ("{n}", "task", "{r}")),
        ("hld:aws:Service", "ECS task family", ("{n}", "{r}")),
        ("hld:aws:Service", "aws:lb/targetGroup:TargetGroup", ("{n}", "tg", "{r}")),
        ("hld:aws:Service", "aws:servicediscovery/service:Service", ("{n}", "discovery", "{r}")),
        ("hld:aws:Service", "aws:ecs/service:Service", ("{n}", "{r}")),
        ("hld:aws:Service", "aws:appautoscaling/target:Target", ("{n}", "scaling", "{r}")),
        ("hld:aws:Service", "aws:appautoscaling/policy:Policy", ("{n}", "scale-on-cpu", "{r}")),
        ("hld:aws:Service", "aws:appautoscaling/policy:Policy", ("{n}", "scale-on-requests", "{r}")),
        ("hld:aws:Firewall", "aws:ec2/securityGroup:SecurityGroup", ("sg", "{n}", "{r}")),
        ("hld:aws:Firewall", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", ("out", "{n}", "https", "{r}")),
    ),
    "relational": (
        (_SYSTEM, "hld:aws:Database", ("{n}",)),
        ("hld:aws:Database", "aws:rds/subnetGroup:SubnetGroup", ("{n}", "subnets", "{r}")),
        ("hld:aws:Database", "aws:rds/parameterGroup:ParameterGroup", ("{n}", "params", "{r}")),
        ("hld:aws:Database", "aws:rds/clusterParameterGroup:ClusterParameterGroup", ("{n}", "params", "{r}")),
        ("hld:aws:Database", "aws:ec2/securityGroup:SecurityGroup", ("sg", "{n}-replica", "{r}")),
        ("hld:aws:Database", "aws:rds/instance:Instance", ("{n}", "{r}")),
        ("hld:aws:Database", "aws:rds/instance:Instance", ("{n}", "replica", "{z}")),
        ("hld:aws:Database", "aws:rds/instance:Instance", ("{n}", "replica", "{r}")),
        ("hld:aws:Database", "aws:rds/globalCluster:GlobalCluster", ("{n}", "global")),
        ("hld:aws:Database", "aws:rds/cluster:Cluster", ("{n}", "{r}")),
        ("hld:aws:Database", "aws:rds/clusterInstance:ClusterInstance", ("{n}", "instance", "{z}")),
        ("hld:aws:Database", "aws:route53/zone:Zone", ("{n}", "zone")),
        ("hld:aws:Database", "aws:route53/record:Record", ("{n}", "writer")),
        ("hld:aws:Database", "aws:route53/record:Record", ("{n}", "writer", "primary")),
        ("hld:aws:Database", "aws:route53/record:Record", ("{n}", "writer", "secondary")),
        ("hld:aws:Database", "aws:route53/healthCheck:HealthCheck", ("{n}", "writer-health")),
        ("hld:aws:Database", "aws:cloudwatch/metricAlarm:MetricAlarm", ("{n}", "writer-alarm")),
        ("hld:aws:Database", "aws:secretsmanager/secret:Secret", ("{n}", "admin")),
        ("hld:aws:Database", "random:index/randomPassword:RandomPassword", ("{n}", "admin-password")),
        ("hld:aws:Database", "aws:cloudwatch/logGroup:LogGroup", ("{n}", "logs", "{r}")),
        ("hld:aws:Database", "aws:secretsmanager/secretVersion:SecretVersion", ("{n}", "admin-version")),
        ("hld:aws:Firewall", "aws:ec2/securityGroup:SecurityGroup", ("sg", "{n}", "{r}")),
        ("hld:aws:Firewall", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", ("in", "{n}", "from", "{z}")),
    ),
    "cache": (
        (_SYSTEM, "hld:aws:Cache", ("{n}", "{r}")),
        ("hld:aws:Cache", "aws:elasticache/subnetGroup:SubnetGroup", ("{n}", "subnets", "{r}")),
        ("hld:aws:Cache", "aws:secretsmanager/secret:Secret", ("{n}", "auth", "{r}")),
        ("hld:aws:Cache", "random:index/randomPassword:RandomPassword", ("{n}", "auth-token", "{r}")),
        ("hld:aws:Cache", "aws:secretsmanager/secretVersion:SecretVersion", ("{n}", "auth-version", "{r}")),
        ("hld:aws:Cache", "aws:elasticache/replicationGroup:ReplicationGroup", ("{n}", "{r}")),
        ("hld:aws:Firewall", "aws:ec2/securityGroup:SecurityGroup", ("sg", "{n}", "{r}")),
    ),
    "key-value": (
        (_SYSTEM, "hld:aws:Table", ("{n}",)),
        ("hld:aws:Table", "aws:dynamodb/table:Table", ("{n}",)),
    ),
    "queue": (
        (_SYSTEM, "hld:aws:Queue", ("{n}", "{r}")),
        ("hld:aws:Queue", "aws:sqs/queue:Queue", ("{n}", "{r}")),
        ("hld:aws:Queue", "aws:sqs/queue:Queue", ("{n}", "dlq", "{r}")),
        ("hld:aws:Queue", "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", ("{n}", "dlq-allow", "{r}")),
    ),
    "object": (
        (_SYSTEM, "hld:aws:Bucket", ("{n}",)),
        ("hld:aws:Bucket", "aws:s3/bucket:Bucket", ("{n}", "{r}")),
        ("hld:aws:Bucket", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", ("{n}", "public-access", "{r}")),
        ("hld:aws:Bucket", "aws:s3/bucketOwnershipControls:BucketOwnershipControls", ("{n}", "ownership", "{r}")),
        ("hld:aws:Bucket", "aws:s3/bucketVersioning:BucketVersioning", ("{n}", "versioning", "{r}")),
        (
            "hld:aws:Bucket",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            ("{n}", "lifecycle", "{r}"),
        ),
        (
            "hld:aws:Bucket",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            ("{n}", "encryption", "{r}"),
        ),
        ("hld:aws:Bucket", "aws:s3/bucketPolicy:BucketPolicy", ("{n}", "tls-only", "{r}")),
        ("hld:aws:Bucket", "aws:iam/role:Role", ("{n}", "replication")),
        ("hld:aws:Bucket", "aws:iam/rolePolicy:RolePolicy", ("{n}", "replication-policy")),
        ("hld:aws:Bucket", "aws:s3/bucketReplicationConfig:BucketReplicationConfig", ("{n}", "replication")),
        ("hld:aws:Bucket", "aws:s3/bucketReplicationConfig:BucketReplicationConfig", ("{n}", "replication", "{r}")),
    ),
}
"""The Pulumi logical names the AWS target gives each kind of component: (parent component type,
resource type, the parts after the system's name). `{n}` is the component's name, `{r}` each region,
`{z}` each zone. A Pulumi URN is the parent's type, the resource's type and the name: two resources
collide when all three are equal. ("ECS task family" is a task definition's physical name.) A
service's listener rules, `<name>-rule-<priority>-<region>` and `-probe-`, are left out: the
priority is a number, so the name decodes into one service and cannot meet another's."""

_AWS_FLOWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "hld:aws:Firewall",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ("in", "{to}", "from", "{from}", "{r}"),
    ),
    (
        "hld:aws:Firewall",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        ("out", "{from}", "to", "{to}", "{r}"),
    ),
)
"""The security-group rules of each data-flow edge into a security group (a caller to a service, a
service to a store in the VPC, the load balancer to a public service)."""
_AWS_REPLICA_FLOWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "hld:aws:Database",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ("in", "{to}-replica", "from", "{from}", "{r}"),
    ),
    (
        "hld:aws:Database",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        ("out", "{from}", "to", "{to}-replica", "{r}"),
    ),
)
"""A relational store's read copy in another region admits its users through its own group."""
_AWS_SYSTEM: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("hld:aws:Firewall", "aws:ec2/securityGroup:SecurityGroup", ("sg", "alb", "{r}")),
    ("hld:aws:Firewall", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", ("in", "alb", "443", "{r}")),
    ("hld:aws:Firewall", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", ("in", "alb", "80", "{r}")),
    ("hld:aws:Dns", "aws:route53/healthCheck:HealthCheck", ("health", "{r}")),
)
"""Names of the same types the AWS target gives the system itself (the load balancer's group and
rules, each region's calculated health check)."""
_AWS_PUBLIC: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("hld:aws:Dns", "aws:route53/healthCheck:HealthCheck", ("health", "{n}", "{r}")),
)
VPC_KINDS = frozenset({"relational", "cache"})
"""Stores that run in the VPC, behind a security group."""


# --- what each component derives ------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    """One identifier a target makes: where it must be unique (`space`), its value, the component it
    is made for (`owner`: a service's or store's name; "" for the system) and what it is (`role`)."""

    space: str
    value: str
    owner: str
    role: str
    renamed: bool = True
    """Whether renaming the owner renames it (not for a shared stand-in's names: `minio-pods`)."""


@dataclass(frozen=True)
class Component:
    """What naming needs of a service or data store: its kind (`service` or a store kind), its name,
    whether it is public, and what it uses (services)."""

    kind: str
    name: str
    public: bool = False
    uses: tuple[str, ...] = ()


def components(bp: Blueprint) -> list[Component]:
    """The blueprint's services, then its data stores, as naming sees them."""
    services = [Component("service", s.name, s.public, tuple(e.name for e in s.edges())) for s in bp.services]
    return services + [Component(s.kind, s.name) for s in bp.datastores]


def _k8s(space: str, value: str, owner: str, role: str) -> Iterator[Derived]:
    yield Derived(f"Kubernetes {space}", value, owner, role)
    yield Derived("kind file", k8s_file(space, value), owner, role)


def _workload(name: str, owner: str, whose: str) -> Iterator[Derived]:
    """A workload's pods (their `app.kubernetes.io/name` label, which Services, NetworkPolicies and
    spread constraints select) and the NetworkPolicies that admit them."""
    yield Derived("pod label", name, owner, f"{whose} pods")
    yield from _k8s("NetworkPolicy", ingress_policy(name), owner, f"the policy of what reaches {whose} pods")
    yield from _k8s("NetworkPolicy", egress_policy(name), owner, f"the policy of what {whose} pods reach")


def kubernetes(system: str, components: list[Component]) -> Iterator[Derived]:
    """Everything the kind render names after the system and the components."""
    yield from _k8s("Namespace", system, "", "the system's namespace")
    yield from _k8s("Ingress", system, "", "the system's Ingress")
    for policy in NETWORK_POLICIES:
        yield from _k8s("NetworkPolicy", policy, "", "a policy of every render")
    shared_done: set[str] = set()
    if any(c.kind in STAND_IN_APIS for c in components):
        yield Derived("Kubernetes Secret", AWS_CREDENTIALS, "", "the stand-ins' AWS keys")
    if any(c.kind in ("relational", "cache") for c in components):
        yield Derived("Kubernetes Secret", TLS_SECRET, "", "the TLS stand-ins' CA and certificates")
    for c in components:
        if c.kind == "service":
            yield from _workload(c.name, c.name, "its")
            for kind in ("ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
                yield from _k8s(kind, c.name, c.name, f"its {kind}")
            continue
        if c.kind in ("relational", "cache"):
            yield Derived("Kubernetes Secret", secret(c.kind, c.name), c.name, "its credentials")
        if c.kind == "queue":  # ElasticMQ's queues on kind (and a FIFO queue's name on AWS)
            yield Derived("queue", c.name, c.name, "its queue")
            yield Derived("queue", dead_letter_queue(c.name), c.name, "its dead-letter queue")
        workload = stand_in(c.kind, c.name)
        if workload in shared_done:
            continue
        shared_done.add(workload)
        shared = c.kind in SHARED_STAND_INS
        whose = f"the shared {workload} stand-in's" if shared else "its stand-in's"
        for item in _stand_in(c, workload, whose):
            yield replace(item, renamed=False) if shared else item


def _stand_in(c: Component, workload: str, whose: str) -> Iterator[Derived]:
    yield from _workload(workload, c.name, whose)
    stateful = c.kind in STATEFUL_STAND_INS
    kind = "StatefulSet" if stateful else "Deployment"
    yield from _k8s(kind, workload, c.name, f"{whose} {kind}")
    yield from _k8s("Service", workload, c.name, f"{whose} Service")
    if stateful:
        yield from _k8s("Service", governing_service(workload), c.name, f"{whose} headless Service")
    if c.kind in CONFIGURED_STAND_INS:
        yield from _k8s("ConfigMap", config_map(workload), c.name, f"{whose} configuration")
    if c.kind in BOOTSTRAPPED_STAND_INS:
        job = bootstrap_job(workload)
        yield from _workload(job, c.name, f"{whose} bootstrap Job's")
        yield from _k8s("Job", job, c.name, f"{whose} bootstrap Job")


def environment(components: list[Component]) -> Iterator[Derived]:
    """The app contract's variables, by what gives them."""
    for variable in (*SYSTEM_ENV, *sorted(KIND_SDK_ENV)):
        yield Derived("environment variable", variable, "", "a variable every service may get")
    for c in components:
        for suffix in ENV_SUFFIXES[c.kind]:
            what = "its callers" if c.kind == "service" else "the services that use it"
            yield Derived("environment variable", env_var(c.name, suffix), c.name, f"given to {what}")


def _expand(
    system: str,
    template: tuple[str, str, tuple[str, ...]],
    values: dict[str, str],
    regions: list[str],
    zones: list[str],
) -> Iterator[tuple[str, str]]:
    parent, type_, parts = template
    if "{z}" in parts:
        places: list[dict[str, str]] = [{"{z}": z} for z in zones]
    elif "{r}" in parts:
        places = [{"{r}": r} for r in regions]
    else:
        places = [{}]
    for place in places:
        made = [place.get(p) or _fill(p, values) for p in parts]
        room = AWS_ROOMS.get(type_)
        name = fit([system, *made], room) if room else "-".join([system, *made])
        yield (f"Pulumi {type_} under {parent}" if ":" in type_ else type_), name


def _fill(part: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        part = part.replace(key, value)
    return part


def aws(system: str, components: list[Component], regions: list[str], zones: list[str]) -> Iterator[Derived]:
    """The AWS program's Pulumi logical names made after the components (and the system's own of the
    same types), in `regions` and `zones`."""
    by_name = {c.name: c for c in components}

    def made(
        template: tuple[str, str, tuple[str, ...]], values: dict[str, str], owner: str, role: str
    ) -> Iterator[Derived]:
        for space, name in _expand(system, template, values, regions, zones):
            yield Derived(space, name, owner, role)

    for template in _AWS_SYSTEM:
        yield from made(template, {}, "", "the load balancer's (or a region's health check)")
    for c in components:
        role = "its resources"
        for template in _AWS[c.kind]:
            yield from made(template, {"{n}": c.name}, c.name, role)
        if c.kind != "service":
            continue
        edges = [(c.name, "alb")] if c.public else []
        edges += [(t, c.name) for t in c.uses if t in by_name and by_name[t].kind in ({"service"} | VPC_KINDS)]
        for to, source in edges:
            role = f"the security-group rules letting {source!r} reach {to!r}"
            owner = c.name
            for template in _AWS_FLOWS:
                yield from made(template, {"{to}": to, "{from}": source}, owner, role)
            if by_name.get(to, c).kind == "relational":
                for template in _AWS_REPLICA_FLOWS:
                    yield from made(template, {"{to}": to, "{from}": source}, owner, role)
        if c.public:
            for template in _AWS_PUBLIC:
                yield from made(template, {"{n}": c.name}, c.name, "its health check")


def derived(system: str, components: list[Component], regions: list[str], zones: list[str]) -> list[Derived]:
    """Every identifier the targets derive from the system's and the components' names."""
    return [*kubernetes(system, components), *environment(components), *aws(system, components, regions, zones)]


@dataclass(frozen=True)
class Collision:
    """Two components (or a component and the system, `first.owner == ""`) that derive one identifier."""

    first: Derived
    second: Derived


def collisions(identifiers: Iterable[Derived]) -> list[Collision]:
    """Each identifier made twice, for different components or as different things, once per pair of
    owners (the first one found), in the order the identifiers were made."""
    seen: dict[tuple[str, str], Derived] = {}
    out: list[Collision] = []
    pairs: set[frozenset[str]] = set()
    for item in identifiers:
        key = (item.space, item.value)
        first = seen.setdefault(key, item)
        if first is item or (first.owner, first.role) == (item.owner, item.role):
            continue
        pair = frozenset((first.owner, item.owner))
        if pair in pairs:
            continue
        pairs.add(pair)
        out.append(Collision(first, item))
    return out


def describe(item: Derived) -> str:
    """The identifier as a problem names it: `the Kubernetes Service 'db-pods'`, `the environment
    variable 'Q_QUEUE_URL'`, `the Pulumi name 'shop-sg-alb-us-east-1' (aws:ec2/securityGroup:...)`."""
    if item.space.startswith("Pulumi "):
        type_ = item.space.removeprefix("Pulumi ").split(" under ")[0]
        return f"the Pulumi name {item.value!r} ({type_})"
    if item.space == "pod label":
        return f"the pod label app.kubernetes.io/name={item.value}"
    if item.space == "kind file":
        return f"the file {item.value!r}"
    return f"the {item.space} {item.value!r}"

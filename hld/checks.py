"""Named checks over one offline run: does what was declared keep the plan's promises?

Each check is a documented function `(Run) -> list[str]` returning what is wrong, one
line per resource ("name: problem"); an empty list passes. Checks read the resources'
*state* (what the cloud returned: under plain mocks the inputs echoed back, under the
moto-backed cloud what AWS reports), falling back to the inputs.

The security and data-safety checks (one per default of HLD-RULES.md §7, keyed like the
plan's controls) are skipped, with the reason, when the blueprint turned the default off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from blueprints.plan_model import Plan
from blueprints.units import format_duration, human_duration
from hld.graph import Graph, Resource, dig, doc, first, prefixed, role_of, tags, value, zones_of_subnets

TLS12_POLICIES = ("ELBSecurityPolicy-TLS13-1-2", "ELBSecurityPolicy-TLS-1-2", "ELBSecurityPolicy-FS-1-2")
"""ALB security policy families that refuse anything older than TLS 1.2."""
STATEFUL = (
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:dynamodb/table:Table",
    "aws:s3/bucket:Bucket",
    "aws:sqs/queue:Queue",
    "aws:kms/key:Key",
    "aws:backup/vault:Vault",
)
"""Resource types that hold data (or the key to it): Pulumi protect + retainOnDelete."""
STORE_HOLDERS = (
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:dynamodb/table:Table",
    "aws:s3/bucket:Bucket",
)
"""The resources that hold a record store's data (what a backup plan must select)."""
ROOT_USERS = ("", "0", "root", "0:0")
NOT_SECRETS = ("manageMasterUserPassword", "masterUserSecretKmsKeyId", "masterPasswordWoVersion")
"""Attributes whose names mention passwords but hold none."""


@dataclass(frozen=True)
class Run:
    """What the checks look at: the plan and the graph of one run, and its stack outputs."""

    plan: Plan
    graph: Graph
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    check: str
    title: str
    status: str  # pass | fail | skip
    detail: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "fail"


@dataclass(frozen=True)
class Tally:
    """How a set of outcomes counts: one way, everywhere (text, --json, hld.testing)."""

    passed: list[str]
    failed: list[str]
    skipped: list[str]

    @property
    def total(self) -> int:
        return len(self.passed) + len(self.failed) + len(self.skipped)

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        """`14 passed, 0 failed, 1 skipped (15 checks)`."""
        return (
            f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.skipped)} skipped ({self.total} checks)"
        )

    def as_dict(self) -> dict[str, object]:
        return {"total": self.total, "passed": self.passed, "failed": self.failed, "skipped": self.skipped}


def tally(outcomes: Iterable[Outcome]) -> Tally:
    outcomes = list(outcomes)
    return Tally(
        passed=[o.check for o in outcomes if o.status == "pass"],
        failed=[o.check for o in outcomes if o.status == "fail"],
        skipped=[o.check for o in outcomes if o.status == "skip"],
    )


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    control: str | None  # the plan control that can turn this check off
    run: Callable[[Run], list[str]]

    @property
    def doc(self) -> str:
        return " ".join((self.run.__doc__ or "").split())


CHECKS: dict[str, Check] = {}


def check(key: str, title: str, control: str | None = None) -> Callable[[Callable[[Run], list[str]]], Any]:
    def register(fn: Callable[[Run], list[str]]) -> Callable[[Run], list[str]]:
        CHECKS[key] = Check(key, title, control, fn)
        return fn

    return register


def evaluate(run: Run, keys: Iterable[str] | None = None) -> list[Outcome]:
    """Run the named checks (default: all, in registration order)."""
    outcomes = []
    for key in keys or CHECKS:
        c = CHECKS[key]
        if c.control is not None and not run.plan.control(c.control).enabled:
            outcomes.append(Outcome(key, c.title, "skip", f"turned off by the blueprint ({c.control})"))
            continue
        problems = c.run(run)
        detail = f"{len(problems)} problem(s): {problems[0]}" if problems else c.doc
        outcomes.append(Outcome(key, c.title, "fail" if problems else "pass", detail, problems))
    return outcomes


def _referenced(graph: Graph, type_: str, key: str) -> dict[str, list[Resource]]:
    """Resources of `type_` grouped by the id they reference through `key` (e.g. bucket)."""
    out: dict[str, list[Resource]] = {}
    for r in graph.of(type_):
        out.setdefault(str(value(r, key)), []).append(r)
    return out


def _bucket_ids(graph: Graph) -> list[tuple[Resource, str]]:
    return [(b, b.id) for b in graph.of("aws:s3/bucket:Bucket")]


def _writers(graph: Graph) -> list[Resource]:
    return [r for r in graph.of("aws:rds/instance:Instance") if not value(r, "replicate_source_db")]


def _local_replicas(graph: Graph) -> list[Resource]:
    """Read replicas in their source's region (the source named by identifier, not ARN)."""
    return [
        r
        for r in graph.of("aws:rds/instance:Instance")
        if value(r, "replicate_source_db") and not str(value(r, "replicate_source_db")).startswith("arn:")
    ]


# --- §7 security and data safety -----------------------------------------------------------


@check("tls", "TLS in transit", control="tls")
def tls_in_transit(run: Run) -> list[str]:
    """HTTPS listeners on a TLS 1.2+ policy, HTTP redirected to HTTPS, CloudFront redirect-to-https,
    TLS to origins, Redis in-transit encryption, PostgreSQL rds.force_ssl, S3 TLS-only policies."""
    g, out = run.graph, []
    for lst in g.of("aws:lb/listener:Listener"):
        protocol = value(lst, "protocol")
        if protocol == "HTTPS":
            policy = str(value(lst, "ssl_policy") or "")
            if not policy.startswith(TLS12_POLICIES):
                out.append(f"{lst.name}: ssl policy {policy or 'default'} admits TLS older than 1.2")
        elif protocol == "HTTP":
            actions = value(lst, "default_actions") or []
            if not any(
                dig(a, "type") == "redirect" and dig(first(dig(a, "redirect")), "protocol") == "HTTPS" for a in actions
            ):
                out.append(f"{lst.name}: HTTP listener serves plain HTTP instead of redirecting to HTTPS")
    for dist in g.of("aws:cloudfront/distribution:Distribution"):
        behaviors = [first(value(dist, "default_cache_behavior")), *(value(dist, "ordered_cache_behaviors") or [])]
        for b in behaviors:
            if dig(b, "viewer_protocol_policy") not in ("redirect-to-https", "https-only"):
                out.append(f"{dist.name}: a cache behavior allows plain HTTP ({dig(b, 'viewer_protocol_policy')})")
        cert = first(value(dist, "viewer_certificate")) or {}
        if dig(cert, "acm_certificate_arn") and not str(dig(cert, "minimum_protocol_version")).startswith("TLSv1.2"):
            out.append(f"{dist.name}: minimum viewer protocol {dig(cert, 'minimum_protocol_version')} is below TLS 1.2")
        for origin in value(dist, "origins") or []:
            policy = dig(first(dig(origin, "custom_origin_config")), "origin_protocol_policy")
            if policy is not None and policy != "https-only":
                out.append(f"{dist.name}: origin {dig(origin, 'origin_id')} is reached over {policy}")
    for group in g.of("aws:elasticache/replicationGroup:ReplicationGroup"):
        if value(group, "transit_encryption_enabled") is not True:
            out.append(f"{group.name}: in-transit encryption is off")
    forced = {
        p.id
        for p in g.of("aws:rds/parameterGroup:ParameterGroup")
        + g.of("aws:rds/clusterParameterGroup:ClusterParameterGroup")
        if any(dig(x, "name") == "rds.force_ssl" and str(dig(x, "value")) == "1" for x in value(p, "parameters") or [])
    }
    for db in g.of("aws:rds/instance:Instance"):  # PostgreSQL only (replicas inherit the engine)
        if value(db, "parameter_group_name") not in forced:
            out.append(f"{db.name}: its parameter group does not set rds.force_ssl=1")
    for cluster in g.of("aws:rds/cluster:Cluster"):
        if value(cluster, "db_cluster_parameter_group_name") not in forced:
            out.append(f"{cluster.name}: its cluster parameter group does not set rds.force_ssl=1")
    policies = _referenced(g, "aws:s3/bucketPolicy:BucketPolicy", "bucket")
    for bucket, bid in _bucket_ids(g):
        denies = [
            s
            for p in policies.get(bid, [])
            for s in (doc(value(p, "policy")) or {}).get("Statement", [])
            if s.get("Effect") == "Deny" and dig(s, "Condition", "Bool", "aws:SecureTransport") in ("false", False)
        ]
        if not denies:
            out.append(f"{bucket.name}: no policy denies requests without TLS (aws:SecureTransport)")
    return out


@check("encryption-at-rest", "Encryption at rest (KMS)", control="encryption-at-rest")
def encryption_at_rest(run: Run) -> list[str]:
    """Customer-managed KMS keys with rotation on encrypt every database, table, cache, queue,
    bucket, log group and backup vault."""
    g, out = run.graph, []
    for key in g.of("aws:kms/key:Key"):
        if value(key, "enable_key_rotation") is not True:
            out.append(f"{key.name}: key rotation is off")
    for db in g.of("aws:rds/instance:Instance"):
        cross_region = str(value(db, "replicate_source_db") or "").startswith("arn:")
        if not value(db, "replicate_source_db") and value(db, "storage_encrypted") is not True:
            out.append(f"{db.name}: storage is not encrypted")
        if (cross_region or not value(db, "replicate_source_db")) and not value(db, "kms_key_id"):
            out.append(f"{db.name}: not encrypted with the region's KMS key")
    for cluster in g.of("aws:rds/cluster:Cluster"):
        if value(cluster, "storage_encrypted") is not True or not value(cluster, "kms_key_id"):
            out.append(f"{cluster.name}: storage is not encrypted with the region's KMS key")
    for table in g.of("aws:dynamodb/table:Table"):
        sse = first(value(table, "server_side_encryption")) or {}
        if dig(sse, "enabled") is not True or not dig(sse, "kms_key_arn"):
            out.append(f"{table.name}: not encrypted with a customer-managed KMS key")
        for replica in value(table, "replicas") or []:
            if not dig(replica, "kms_key_arn"):
                out.append(f"{table.name}: replica in {dig(replica, 'region_name')} has no KMS key")
    for group in g.of("aws:elasticache/replicationGroup:ReplicationGroup"):
        if value(group, "at_rest_encryption_enabled") not in (True, "true") or not value(group, "kms_key_id"):
            out.append(f"{group.name}: not encrypted at rest with the region's KMS key")
    for queue in g.of("aws:sqs/queue:Queue"):
        if not value(queue, "kms_master_key_id"):
            out.append(f"{queue.name}: not encrypted with a KMS key")
    configs = _referenced(
        g, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket"
    )
    for bucket, bid in _bucket_ids(g):
        rules = [r for c in configs.get(bid, []) for r in value(c, "rules") or []]
        by_kms = [
            r
            for r in rules
            if dig(first(dig(r, "apply_server_side_encryption_by_default")), "sse_algorithm") == "aws:kms"
        ]
        if not by_kms:
            out.append(f"{bucket.name}: no default encryption with a KMS key")
    for logs in g.of("aws:cloudwatch/logGroup:LogGroup"):
        if not value(logs, "kms_key_id"):
            out.append(f"{logs.name}: log group not encrypted with the region's KMS key")
    for vault in g.of("aws:backup/vault:Vault"):
        if not value(vault, "kms_key_arn"):
            out.append(f"{vault.name}: backup vault not encrypted with the region's KMS key")
    return out


@check("private-data", "Nothing stateful is public", control="private-data")
def private_data(run: Run) -> list[str]:
    """Databases not publicly accessible and in isolated subnets, caches in isolated subnets,
    tasks without public IPs in private subnets, S3 public access blocked."""
    g, out = run.graph, []
    for db in g.of("aws:rds/instance:Instance") + g.of("aws:rds/clusterInstance:ClusterInstance"):
        if value(db, "publicly_accessible") is not False:
            out.append(f"{db.name}: publicly accessible")

    def tier(subnet_id: str) -> str | None:
        subnet = g.by_id(subnet_id)
        return tags(subnet).get("hld:tier") if subnet else None

    for sg in g.of("aws:rds/subnetGroup:SubnetGroup") + g.of("aws:elasticache/subnetGroup:SubnetGroup"):
        for sid in value(sg, "subnet_ids") or []:
            if tier(sid) != "isolated":
                out.append(f"{sg.name}: subnet {sid} is {tier(sid) or 'unknown'}, not isolated")
    for svc in g.of("aws:ecs/service:Service"):
        net = first(value(svc, "network_configuration")) or {}
        if dig(net, "assign_public_ip") is not False:
            out.append(f"{svc.name}: tasks get public IPs")
        for sid in dig(net, "subnets") or []:
            if tier(sid) != "private":
                out.append(f"{svc.name}: runs in subnet {sid} ({tier(sid) or 'unknown'}), not a private one")
    blocks = _referenced(g, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket")
    wanted = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    for bucket, bid in _bucket_ids(g):
        found = blocks.get(bid, [])
        if not found or not all(value(found[0], k) is True for k in wanted):
            out.append(f"{bucket.name}: public access is not blocked (all four settings)")
    return out


def allowed_flows(plan: Plan) -> set[tuple[str, str, int]]:
    """(to, from, port) for every connection the blueprint declares, plus the ALB in front of public services."""
    return {
        (to, source, plan.store(to).port if kind else plan.service(to).port)
        for to, source, kind in plan.data_flow("alb")
    }


@check("data-flow-network", "Network follows the data flow", control="data-flow-network")
def data_flow_network(run: Run) -> list[str]:
    """Every ingress rule is a declared flow: a store admits only the services that use it, on
    its port; only the load balancer admits the internet (443, and 80 that redirects)."""
    g, plan, out = run.graph, run.plan, []
    flows = allowed_flows(plan)
    private_cidrs = {s.cidr for net in plan.networks for s in net.subnets if s.tier == "private"}
    for rule in g.of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        to = role_of(g, str(value(rule, "security_group_id")))
        port = int(value(rule, "from_port") or -1)
        if int(value(rule, "to_port") or -1) != port:
            out.append(f"{rule.name}: opens a port range ({port}-{value(rule, 'to_port')})")
        source_group = value(rule, "referenced_security_group_id")
        cidr = value(rule, "cidr_ipv4")
        if source_group:
            source = role_of(g, str(source_group))
            if (to, source, port) not in flows:
                out.append(f"{rule.name}: admits {source} to {to} on {port}, which the blueprint does not declare")
        elif cidr == "0.0.0.0/0":
            if to != "alb" or port not in (443, 80):
                out.append(f"{rule.name}: opens {to} port {port} to the internet")
        elif cidr not in private_cidrs or not any(t == to and p == port for t, _, p in flows):
            out.append(f"{rule.name}: admits {cidr} to {to} on {port}, which is not a peer's private subnet")
    for group in g.of("aws:ec2/securityGroup:SecurityGroup"):
        if value(group, "ingress"):
            out.append(f"{group.name}: inline ingress rules bypass the data-flow rules")
    return out


@check("managed-secrets", "No plaintext secrets", control="managed-secrets")
def managed_secrets(run: Run) -> list[str]:
    """Database master passwords managed by Secrets Manager (or write-only for Aurora Global);
    no password in any resource's state or in the stack outputs."""
    g, out = run.graph, []
    for db in _writers(g):
        if value(db, "manage_master_user_password") is not True:
            out.append(f"{db.name}: master password is not managed by Secrets Manager")
    for cluster in g.of("aws:rds/cluster:Cluster"):
        managed = value(cluster, "manage_master_user_password") is True
        # write-only: sent to AWS, never kept in state, so read from the inputs
        write_only = bool(cluster.inputs.get("masterPasswordWoVersion") or cluster.inputs.get("masterPasswordWo"))
        secondary = bool(value(cluster, "global_cluster_identifier")) and not value(cluster, "master_username")
        if not (managed or write_only or secondary):
            out.append(f"{cluster.name}: master password is not managed by Secrets Manager")
    for r in g.resources:
        for key, v in (r.inputs | r.state).items():
            lowered = key.lower()
            secret = ("password" in lowered or lowered == "secretstring") and not lowered.endswith("wo")
            if secret and v and key not in NOT_SECRETS:
                out.append(f"{r.name}: {key} holds a secret in plain state")
    for key in _secret_keys(run.outputs):
        out.append(f"stack output {key} looks like a secret")
    return out


def _secret_keys(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        found = []
        for k, v in data.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if any(word in str(k).lower() for word in ("password", "secret")):
                found.append(path)
            found += _secret_keys(v, path)
        return found
    return []


@check("non-root", "Least-privilege containers", control="non-root")
def non_root(run: Run) -> list[str]:
    """Every container runs as a non-root user with a read-only root filesystem, unprivileged."""
    out = []
    for task in run.graph.of("aws:ecs/taskDefinition:TaskDefinition"):
        for container in doc(value(task, "container_definitions")) or []:
            who = f"{task.name}: container {container.get('name')}"
            if str(container.get("user", "")) in ROOT_USERS:
                out.append(f"{who} runs as root")
            if container.get("readonlyRootFilesystem") is not True:
                out.append(f"{who} has a writable root filesystem")
            if container.get("privileged"):
                out.append(f"{who} is privileged")
    return out


@check("deletion-protection", "No deletion by accident", control="deletion-protection")
def deletion_protection(run: Run) -> list[str]:
    """Deletion protection and final snapshots on databases, deletion protection on tables and
    load balancers, Pulumi protect + retainOnDelete on every stateful resource."""
    g, out = run.graph, []
    local_replicas = {r.name for r in _local_replicas(g)}
    for db in g.of("aws:rds/instance:Instance") + g.of("aws:rds/cluster:Cluster"):
        if db.name in local_replicas:
            continue  # an in-region read replica holds no data of its own, and RDS refuses its final snapshot
        if value(db, "deletion_protection") is not True:
            out.append(f"{db.name}: deletion protection is off")
        if value(db, "skip_final_snapshot") is not False or not value(db, "final_snapshot_identifier"):
            out.append(f"{db.name}: no final snapshot on delete")
    for table in g.of("aws:dynamodb/table:Table"):
        if value(table, "deletion_protection_enabled") is not True:
            out.append(f"{table.name}: deletion protection is off")
        for replica in value(table, "replicas") or []:
            if dig(replica, "deletion_protection_enabled") is not True:
                out.append(f"{table.name}: replica in {dig(replica, 'region_name')} has no deletion protection")
    for alb in g.of("aws:lb/loadBalancer:LoadBalancer"):
        if value(alb, "enable_deletion_protection") is not True:
            out.append(f"{alb.name}: deletion protection is off")
    for r in g.resources:
        if r.type in STATEFUL and r.name not in local_replicas and not (r.protect and r.retain_on_delete):
            missing = [k for k, on in (("protect", r.protect), ("retainOnDelete", r.retain_on_delete)) if not on]
            out.append(f"{r.name}: stateful but not {' / '.join(missing)}")
    return out


@check("backups", "Automated backups", control="backups")
def backups(run: Run) -> list[str]:
    """Automated backups kept for the blueprint's retention (7 days or more) on databases,
    point-in-time recovery on tables, an AWS Backup plan over the stateful stores, copied to
    the standby region(s) when the DR strategy needs it."""
    g, plan, out = run.graph, run.plan, []
    keep = plan.dr.backup_retention_days
    for db in _writers(g) + g.of("aws:rds/cluster:Cluster"):
        if db.type.endswith("Cluster") and value(db, "global_cluster_identifier") and not value(db, "master_username"):
            continue  # a secondary cluster of an Aurora Global Database: backups live with the primary
        days = int(value(db, "backup_retention_period") or 0)
        if days < keep:
            out.append(f"{db.name}: backups kept {days} days, the blueprint asks for {keep}")
    for table in g.of("aws:dynamodb/table:Table"):
        if dig(first(value(table, "point_in_time_recovery")), "enabled") is not True:
            out.append(f"{table.name}: point-in-time recovery is off")
        for replica in value(table, "replicas") or []:
            if dig(replica, "point_in_time_recovery") is not True:
                out.append(f"{table.name}: replica in {dig(replica, 'region_name')} has no point-in-time recovery")
    stores = [s for s in plan.datastores if s.kind in ("relational", "key-value", "object")]
    if stores:
        plans = g.of("aws:backup/plan:Plan")
        selected = [str(a) for s in g.of("aws:backup/selection:Selection") for a in value(s, "resources") or []]
        if not plans:
            out.append("no AWS Backup plan over the stateful stores")
        for store in stores:
            holders = [r for type_ in STORE_HOLDERS for r in prefixed(g, type_, f"{plan.name}-{store.name}")]
            if not any(str(value(r, "arn")) in selected for r in holders):
                out.append(f"{store.name}: not selected by an AWS Backup plan")
        for p in plans:
            copies = [
                str(dig(c, "destination_vault_arn"))
                for rule in value(p, "rules") or []
                for c in dig(rule, "copy_actions") or []
            ]
            for region in plan.dr.backup_copy_regions:
                if not any(f":{region}:" in arn for arn in copies):
                    out.append(
                        f"{p.name}: backups are not copied to {region}, as the {plan.dr.strategy.value} DR needs"
                    )
    return out


@check("dead-letter-queues", "Dead-letter queues", control="dead-letter-queues")
def dead_letter_queues(run: Run) -> list[str]:
    """Every queue that is not itself a dead-letter queue redrives to one that exists."""
    g, out = run.graph, []
    queues = g.of("aws:sqs/queue:Queue")
    arns = {str(value(q, "arn")): q for q in queues}
    targets = {str(dig(doc(value(q, "redrive_policy")), "deadLetterTargetArn")) for q in queues}
    for q in queues:
        if str(value(q, "arn")) in targets:
            continue  # a dead-letter queue
        policy = doc(value(q, "redrive_policy"))
        if not policy:
            out.append(f"{q.name}: no dead-letter queue")
        elif str(policy.get("deadLetterTargetArn")) not in arns:
            out.append(f"{q.name}: dead-letter queue {policy.get('deadLetterTargetArn')} does not exist")
    return out


@check("waf", "Web application firewall", control="waf")
def waf(run: Run) -> list[str]:
    """When the blueprint asks for a WAF: every public load balancer has a web ACL associated,
    and every CloudFront distribution names one."""
    g, out = run.graph, []
    associated = {str(value(a, "resource_arn")) for a in g.of("aws:wafv2/webAclAssociation:WebAclAssociation")}
    for alb in g.of("aws:lb/loadBalancer:LoadBalancer"):
        if value(alb, "internal") is not True and str(value(alb, "arn")) not in associated:
            out.append(f"{alb.name}: no web ACL associated")
    for dist in g.of("aws:cloudfront/distribution:Distribution"):
        if not value(dist, "web_acl_id"):
            out.append(f"{dist.name}: no web ACL")
    return out


SECURITY = tuple(CHECKS)
"""The §7 checks, in order."""


# --- the plan's promises: availability, zones, regions, static stability, DR ----------------


def _serving(plan: Plan) -> dict[tuple[str, str], Any]:
    """(service, region) -> its RegionCapacity."""
    return {(svc.name, c.region): c for svc in plan.services for c in svc.capacity.value}


PART_TYPES = {
    "elb": "aws:lb/loadBalancer:LoadBalancer",
    "waf": "aws:wafv2/webAcl:WebAcl",
    "cloudfront": "aws:cloudfront/distribution:Distribution",
    "route53": "aws:route53/record:Record",
    "ecs": "aws:ecs/service:Service",
    "rds": "aws:rds/instance:Instance",
    "aurora": "aws:rds/cluster:Cluster",
    "dynamodb": "aws:dynamodb/table:Table",
    "elasticache": "aws:elasticache/replicationGroup:ReplicationGroup",
    "sqs": "aws:sqs/queue:Queue",
    "s3": "aws:s3/bucket:Bucket",
}


@check("availability", "Availability target")
def availability(run: Run) -> list[str]:
    """The plan's SLA-based estimate meets the target, and every link of every journey's chain
    exists in the deployed graph."""
    plan, g, out = run.plan, run.graph, []
    if not plan.availability.met:
        out.append(
            f"{plan.name}: estimate {plan.availability.estimate:g}% is below the target {plan.availability.target:g}% "
            f"(weakest journey: {plan.availability.weakest})"
        )
    for journey in plan.availability.journeys:
        for part in journey.regional + journey.global_parts:
            type_ = PART_TYPES[part.sla.split("-")[0]]
            if part.sla.startswith(("elb", "waf", "cloudfront", "route53")):
                found = g.of(type_)
            else:
                subject = part.component.removesuffix(" (service)").split(" ")[0]
                found = prefixed(g, type_, f"{plan.name}-{subject}")
            if not found:
                out.append(f"{journey.name}: no {type_.split(':')[-1]} for {part.component} in the graph")
    return out


@check("zones", "Spread over the planned zones")
def zones(run: Run) -> list[str]:
    """Subnets in every planned zone; every service and load balancer spans the region's planned
    zones; databases Multi-AZ (or instances in >= 2 zones), caches with a replica per zone and
    automatic failover, as planned (zones read back from the subnets the cloud placed)."""
    plan, g, out = run.plan, run.graph, []
    planned = {net.region: set(net.zones) for net in plan.networks}
    for region, want in planned.items():
        for tier in ("public", "private", "isolated"):
            have = {
                str(value(s, "availability_zone"))
                for s in g.of("aws:ec2/subnet:Subnet")
                if s.region == region and tags(s).get("hld:tier") == tier
            }
            if not want <= have:
                out.append(f"{region}: no {tier} subnet in {', '.join(sorted(want - have))}")
    for svc in g.of("aws:ecs/service:Service"):
        net = first(value(svc, "network_configuration")) or {}
        have = zones_of_subnets(g, dig(net, "subnets") or [])
        want = planned.get(svc.region or "", set())
        if not want <= have:
            out.append(f"{svc.name}: tasks can run in {sorted(have)}, not in every planned zone {sorted(want)}")
    for alb in g.of("aws:lb/loadBalancer:LoadBalancer"):
        have = set(value(alb, "availability_zones") or []) or zones_of_subnets(g, value(alb, "subnets") or [])
        want = planned.get(alb.region or "", set())
        if len(want) >= 2 and not want <= have:
            out.append(f"{alb.name}: spans {sorted(have)}, not every planned zone {sorted(want)}")
    for store in plan.datastores:
        if not store.multi_az:
            continue
        prefix = f"{plan.name}-{store.name}"
        if store.kind == "relational":
            writers = [
                w for w in prefixed(g, "aws:rds/instance:Instance", prefix) if not value(w, "replicate_source_db")
            ]
            for w in writers:
                if value(w, "multi_az") is not True:
                    out.append(f"{w.name}: not Multi-AZ")
            for cluster in prefixed(g, "aws:rds/cluster:Cluster", prefix):
                members = [
                    i
                    for i in g.of("aws:rds/clusterInstance:ClusterInstance")
                    if i.region == cluster.region and value(i, "cluster_identifier") == cluster.id
                ]
                spread = {str(value(i, "availability_zone")) for i in members}
                if len(spread) < 2 and not value(cluster, "global_cluster_identifier"):
                    out.append(f"{cluster.name}: instances in {sorted(spread)}, not two zones or more")
        elif store.kind == "cache":
            for group in prefixed(g, "aws:elasticache/replicationGroup:ReplicationGroup", prefix):
                have = set(value(group, "member_zones") or value(group, "preferred_cache_cluster_azs") or [])
                want = planned.get(group.region or "", set())
                if value(group, "automatic_failover_enabled") is not True:
                    out.append(f"{group.name}: no automatic failover")
                if not want <= have:
                    out.append(f"{group.name}: nodes in {sorted(have)}, not every planned zone {sorted(want)}")
    return out


@check("regions", "Every planned region, replicas where planned")
def regions(run: Run) -> list[str]:
    """Every planned region has its provider, network and compute; replicas exist where the plan
    puts them: RDS cross-region replicas of the writer, DynamoDB replica tables, Aurora Global
    Database members, per-region caches, queues and replicated buckets."""
    plan, g, out = run.plan, run.graph, []
    providers = {str(p.inputs.get("region")) for p in g.of("pulumi:providers:aws")}
    for region in plan.regions.value:
        if region not in providers:
            out.append(f"{region}: no provider for the region")
        if not [v for v in g.of("aws:ec2/vpc:Vpc") if v.region == region]:
            out.append(f"{region}: no network")
        if plan.services and not [c for c in g.of("aws:ecs/cluster:Cluster") if c.region == region]:
            out.append(f"{region}: no compute cluster")
    for store in plan.datastores:
        prefix = f"{plan.name}-{store.name}"
        others = [r for r in store.regions if r != store.writer_region]
        if store.kind == "key-value":
            for table in prefixed(g, "aws:dynamodb/table:Table", prefix):
                have = {str(dig(x, "region_name")) for x in value(table, "replicas") or []}
                if set(others) - have:
                    out.append(f"{table.name}: no replica in {', '.join(sorted(set(others) - have))}")
        elif store.kind == "relational" and others:
            clusters = prefixed(g, "aws:rds/cluster:Cluster", prefix)
            if clusters:
                members = {c.region for c in clusters if value(c, "global_cluster_identifier")}
                for region in others:
                    if region not in members:
                        out.append(f"{store.name}: no Aurora Global Database member in {region}")
                continue
            writer = next(
                (
                    w
                    for w in prefixed(g, "aws:rds/instance:Instance", prefix, store.writer_region)
                    if not value(w, "replicate_source_db")
                ),
                None,
            )
            for region in others:
                replicas = [
                    r
                    for r in prefixed(g, "aws:rds/instance:Instance", prefix, region)
                    if writer is not None
                    and str(value(r, "replicate_source_db")) in (str(value(writer, "arn")), writer.id)
                ]
                if not replicas:
                    out.append(f"{store.name}: no read replica of the {store.writer_region} writer in {region}")
        elif store.kind in ("cache", "queue", "object"):
            type_ = {
                "cache": "aws:elasticache/replicationGroup:ReplicationGroup",
                "queue": "aws:sqs/queue:Queue",
                "object": "aws:s3/bucket:Bucket",
            }[store.kind]
            for region in store.regions:
                if not prefixed(g, type_, prefix, region):
                    out.append(f"{store.name}: nothing in {region}")
            if store.kind == "object" and others:
                rules = [
                    str(dig(first(dig(rule, "destination")), "bucket"))
                    for c in g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
                    for rule in value(c, "rules") or []
                ]
                for region in others:
                    targets = prefixed(g, "aws:s3/bucket:Bucket", prefix, region)
                    if not any(str(value(b, "arn")) in rules or b.id in " ".join(rules) for b in targets):
                        out.append(f"{store.name}: not replicated to {region}")
    return out


@check("static-stability", "Static stability (a zone lost, peak still served)")
def static_stability(run: Run) -> list[str]:
    """In every serving region, after losing any one zone the tasks left x rps per replica still
    carry the design load, without waiting for autoscaling; the autoscaling floor keeps them."""
    plan, g, out = run.plan, run.graph, []
    capacity = _serving(plan)
    for svc in plan.services:
        for c in svc.capacity.value:
            if c.role != "serving" or not svc.peak_rps:
                continue
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", c.region)
            if not found:
                out.append(f"{svc.name}: no service in {c.region}")
                continue
            ecs = found[0]
            tasks = int(value(ecs, "desired_count") or 0)
            zones = max(1, len(zones_of_subnets(g, dig(first(value(ecs, "network_configuration")), "subnets") or [])))
            lost = -(-tasks // zones)  # the zone with the most tasks
            left = (tasks - lost) * svc.rps_per_replica
            if left < c.design_rps:
                out.append(
                    f"{ecs.name}: {tasks} tasks over {zones} zones; after losing one, {tasks - lost} x "
                    f"{svc.rps_per_replica} = {left} rps < {c.design_rps} rps"
                )
            for target in prefixed(g, "aws:appautoscaling/target:Target", f"{plan.name}-{svc.name}", c.region):
                if int(value(target, "min_capacity") or 0) < capacity[(svc.name, c.region)].min_replicas:
                    out.append(f"{target.name}: autoscaling may scale in below the static-stability minimum")
    return out


@check("dr", "Disaster recovery parts")
def dr(run: Run) -> list[str]:
    """The planned DR strategy's required parts exist (HLD-RULES §3): backup copies for
    backup & restore; for pilot light compute defined at zero in the standby; for warm standby
    compute running below the primary's; for active/active full capacity and latency records
    in every region."""
    plan, g, out = run.plan, run.graph, []
    strategy = plan.dr.strategy.value
    regions_ = plan.regions.value
    stateful_stores = any(s.kind in ("relational", "key-value", "object") for s in plan.datastores)
    if (
        (strategy == "backup-restore" or plan.dr.backup_copy_regions)
        and stateful_stores
        and not g.of("aws:backup/plan:Plan")
    ):
        out.append(f"{plan.name}: no backup plan")
    for svc in plan.services:
        for c in svc.capacity.value:
            found = prefixed(g, "aws:ecs/service:Service", f"{plan.name}-{svc.name}", c.region)
            tasks = int(value(found[0], "desired_count") or 0) if found else -1
            if tasks < 0:
                out.append(f"{svc.name}: no compute defined in {c.region} ({c.role})")
            elif c.role == "pilot-light" and tasks != 0:
                out.append(f"{found[0].name}: pilot light runs {tasks} tasks; compute should be scaled to zero")
            elif c.role == "warm-standby" and not 0 < tasks < max(x.min_replicas for x in svc.capacity.value):
                out.append(f"{found[0].name}: warm standby runs {tasks} tasks; it should run at reduced capacity")
            elif c.role == "serving" and tasks < c.min_replicas:
                out.append(f"{found[0].name}: serving with {tasks} tasks, below the planned {c.min_replicas}")
    public = any(s.public for s in plan.services)
    through_cdn = plan.edge.cdn is not None and plan.edge.cdn.dynamic.value == "through"
    if len(regions_) > 1 and public and through_cdn:
        members = {
            str(dig(mem, "origin_id"))
            for dist in g.of("aws:cloudfront/distribution:Distribution")
            for group in value(dist, "origin_groups") or []
            for mem in dig(group, "members") or []
        }
        for region in regions_:
            if f"alb-{region}" not in members:
                out.append(f"{region}: not in the CDN's origin failover group")
    elif strategy == "multi-site-active-active" and plan.edge.domain and public:
        routed = {
            str(dig(p, "region"))
            for rec in g.of("aws:route53/record:Record")
            for p in value(rec, "latency_routing_policies") or []
        }
        for region in regions_:
            if region not in routed:
                out.append(f"{region}: no latency record sends users there")
    elif len(regions_) > 1 and strategy in ("pilot-light", "warm-standby") and plan.edge.domain and public:
        failover = {
            str(dig(p, "type"))
            for rec in g.of("aws:route53/record:Record")
            for p in value(rec, "failover_routing_policies") or []
        }
        if {"PRIMARY", "SECONDARY"} - failover:
            out.append(f"{plan.name}: no PRIMARY/SECONDARY failover records")
    return out


@check("objectives", "Recovery objectives (RTO/RPO)")
def objectives(run: Run) -> list[str]:
    """The blueprint's RTO and RPO hold on the deployed state: after losing any zone (and, in a
    multi-region design, any region), the failover and replication mechanisms deployed recover
    within the RTO and lose no more than the RPO (hld.failures plays each loss on the graph)."""
    from hld.failures import what_if

    plan, out = run.plan, []
    required: dict[str, int | None] = {o.name: o.required_seconds for o in plan.objectives}
    if all(v is None for v in required.values()):
        return []
    if plan.level.value == "multi-region":
        losses = [("region-loss", r) for r in plan.regions.value]
    else:
        losses = [("zone-loss", z) for z in plan.zones(plan.primary_region)]
    for disruption, lost in losses:
        try:
            impact = what_if(plan, run.graph, disruption, lost)
        except ValueError as exc:
            out.append(f"{lost}: {exc}")
            continue
        for name, expected in (("rto", impact.rto_seconds), ("rpo", impact.rpo_seconds)):
            need = required[name]
            if need is None:
                continue
            if expected is None:
                out.append(
                    f"{lost}: {name.upper()} {format_duration(need)} required, but the deployed state "
                    f"cannot recover from losing {lost}"
                )
            elif expected > need:
                out.append(
                    f"{lost}: {name.upper()} {format_duration(need)} required, the deployed mechanisms give "
                    f"{human_duration(expected)}"
                )
    return out


PLAN = tuple(k for k in CHECKS if k not in SECURITY)
"""The checks of the plan's promises, in order."""

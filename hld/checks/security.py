"""The HLD-RULES §7 controls, one check each: TLS, encryption at rest (and every log and secret under
the region's key), private data, network following the data flow, managed secrets, non-root
containers, deletion protection, backups, dead-letter queues, WAF."""

from __future__ import annotations

import json
from typing import Any

from blueprints.plan_model import Plan
from generators.aws.tags import TIER_TAG
from hld.checks.facts import holders
from hld.checks.registry import Check, Run, control
from hld.graph import Graph, Resource, dig, doc, first, role_of, tags, undeclared_inline_rules, value

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
ROOT_USERS = ("", "0", "root", "0:0")
NOT_SECRETS = ("manageMasterUserPassword", "masterUserSecretKmsKeyId", "masterPasswordWoVersion")
"""Attributes whose names mention passwords but hold none."""
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
"""A password kept as a resource in the stack's state (pulumi-random)."""
INSIGHTS = ("enabled", "enhanced")
"""containerInsights settings under which ECS writes the cluster's performance log group."""


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


def _key_regions(g: Graph) -> dict[str, str | None]:
    """Each customer-managed key of the graph, by ARN and by id, -> its region."""
    out: dict[str, str | None] = {}
    for key in g.of("aws:kms/key:Key"):
        for ref in (value(key, "arn"), value(key, "key_id"), key.id):
            if ref:
                out[str(ref)] = key.region
    return out


def _log_destinations(g: Graph) -> list[tuple[Resource, str, str, bool]]:
    """(writer, log group name, region, made by AWS when missing) for every log group a resource of
    the graph writes to."""
    out: list[tuple[Resource, str, str, bool]] = []
    for db in g.of("aws:rds/instance:Instance") + g.of("aws:rds/cluster:Cluster"):
        cluster = db.type == "aws:rds/cluster:Cluster"
        ident = value(db, "cluster_identifier" if cluster else "identifier")
        for log in value(db, "enabled_cloudwatch_logs_exports") or []:
            kind = "cluster" if cluster else "instance"
            out.append((db, f"/aws/rds/{kind}/{ident}/{log}", str(db.region), True))
    for ecs in g.of("aws:ecs/cluster:Cluster"):
        if any(
            dig(s, "name") == "containerInsights" and dig(s, "value") in INSIGHTS for s in value(ecs, "settings") or []
        ):
            out.append((ecs, f"/aws/ecs/containerinsights/{value(ecs, 'name')}/performance", str(ecs.region), True))
    for task in g.of("aws:ecs/taskDefinition:TaskDefinition"):
        for container in doc(value(task, "container_definitions")) or []:
            logging = container.get("logConfiguration") or {}
            options = logging.get("options") or {}
            if logging.get("logDriver") == "awslogs" and options.get("awslogs-group"):
                where = str(options.get("awslogs-region") or task.region)
                out.append((task, str(options["awslogs-group"]), where, False))
    arns = {str(value(lg, "arn")).removesuffix(":*"): lg for lg in g.of("aws:cloudwatch/logGroup:LogGroup")}
    for flow in g.of("aws:ec2/flowLog:FlowLog"):
        if value(flow, "log_destination_type") in (None, "cloud-watch-logs"):
            arn = str(value(flow, "log_destination") or "").removesuffix(":*")
            target = arns.get(arn)
            group = str(value(target, "name")) if target else arn.split(":log-group:")[-1]
            out.append((flow, group, str(flow.region), False))
    return out


def keyed_logs_and_secrets(run: Run) -> list[str]:
    """Every log group a resource writes to is made by hld, under its region's customer-managed key,
    before the resource that writes to it: the groups RDS and Aurora export to
    (`/aws/rds/instance|cluster/<identifier>/<log>`), Container Insights'
    (`/aws/ecs/containerinsights/<cluster>/performance`), the tasks' awslogs groups, the flow logs'.
    (AWS makes a missing one itself, under its own key and kept forever, and hld's CreateLogGroup
    then fails.) Every Secrets Manager secret, each of its replicas, and every master user secret RDS
    manages names the key of its own region (RDS and Secrets Manager use AWS's own key otherwise).
    Read from the writers and the keys in the deployed state, not from the plan."""
    g, out = run.graph, []
    keys = _key_regions(g)
    groups = {(str(value(lg, "name")), lg.region): lg for lg in g.of("aws:cloudwatch/logGroup:LogGroup")}
    for writer, group, region, made_by_aws in _log_destinations(g):
        found = groups.get((group, region))
        if found is None:
            out.append(
                f"{writer.name}: writes to the log group {group} in {region}, which is not made here"
                + (" (AWS makes it, under its own key, kept forever)" if made_by_aws else "")
            )
            continue
        key = value(found, "kms_key_id")
        if not key or keys.get(str(key)) != region:
            out.append(f"{found.name}: {group} is not under {region}'s customer-managed key ({key or 'AWS-owned'})")
        if made_by_aws and not g.waits_on(writer, found):
            out.append(
                f"{writer.name}: may be created before {found.name}: AWS then makes {group} under its own key, "
                "and CreateLogGroup fails (ResourceAlreadyExistsException)"
            )
    for secret in g.of("aws:secretsmanager/secret:Secret"):
        key = value(secret, "kms_key_id")
        if not key or keys.get(str(key)) != secret.region:
            out.append(
                f"{secret.name}: not under {secret.region}'s customer-managed key ({key or 'aws/secretsmanager'})"
            )
        for replica in value(secret, "replicas") or []:
            where, key = dig(replica, "region"), dig(replica, "kms_key_id")
            if not key or keys.get(str(key)) != where:
                out.append(f"{secret.name}: its replica in {where} is not under that region's customer-managed key")
    for db in g.of("aws:rds/instance:Instance") + g.of("aws:rds/cluster:Cluster"):
        if value(db, "manage_master_user_password") is not True:
            continue
        named = value(db, "master_user_secret_kms_key_id")
        reported = [dig(s, "kms_key_id") for s in db.state.get("masterUserSecrets") or [] if dig(s, "kms_key_id")]
        for key in [named, *reported]:
            if not key or keys.get(str(key)) != db.region:
                out.append(
                    f"{db.name}: the master user secret RDS manages is not under {db.region}'s customer-managed "
                    f"key ({key or 'aws/secretsmanager'})"
                )
                break
    return out


def private_data(run: Run) -> list[str]:
    """Databases not publicly accessible and in isolated subnets, caches in isolated subnets and
    answering only clients with their AUTH token, tasks without public IPs in private subnets, S3
    public access blocked."""
    g, out = run.graph, []
    for db in g.of("aws:rds/instance:Instance") + g.of("aws:rds/clusterInstance:ClusterInstance"):
        if value(db, "publicly_accessible") is not False:
            out.append(f"{db.name}: publicly accessible")
    for cache in g.of("aws:elasticache/replicationGroup:ReplicationGroup"):
        token = cache.inputs.get("authTokenWoVersion") or value(cache, "auth_token_enabled") is True
        if value(cache, "transit_encryption_enabled") is True and not token:
            out.append(f"{cache.name}: answers any client in its subnets (no AUTH token)")

    def tier(subnet_id: str) -> str | None:
        subnet = g.by_id(subnet_id)
        return tags(subnet).get(TIER_TAG) if subnet else None

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
        if stray := undeclared_inline_rules(g, group, "ingress"):
            out.append(f"{group.name}: inline ingress rules bypass the data-flow rules ({', '.join(stray)})")
    return out


def managed_secrets(run: Run) -> list[str]:
    """Database master passwords managed by Secrets Manager (or write-only where RDS cannot manage it:
    a source with replicas, Aurora Global), in a secret each region reads locally;
    no password in any resource's plain state or in the stack outputs. Every write-only secret
    (`*Wo`: database passwords, AUTH tokens, secret values) is a password kept as a resource in the
    stack's state (a pulumi-random RandomPassword it depends on, not an invoke that generates a new
    value on every preview), and its `*WoVersion` is that password's rotation (its keepers), so a
    new password is written and a replaced database gets the one its secret holds."""
    g, out = run.graph, []
    for db in _writers(g):
        # write-only: out of the provider's state (Pulumi keeps it among the inputs, as a secret), so read from the inputs
        write_only = bool(db.inputs.get("passwordWoVersion"))
        if value(db, "manage_master_user_password") is not True and not write_only:
            out.append(f"{db.name}: master password is not managed by Secrets Manager")
    for cluster in g.of("aws:rds/cluster:Cluster"):
        managed = value(cluster, "manage_master_user_password") is True
        write_only = bool(cluster.inputs.get("masterPasswordWoVersion") or cluster.inputs.get("masterPasswordWo"))
        secondary = bool(value(cluster, "global_cluster_identifier")) and not value(cluster, "master_username")
        if not (managed or write_only or secondary):
            out.append(f"{cluster.name}: master password is not managed by Secrets Manager")
    for r in g.resources:
        for key, v in (r.inputs | r.state).items():
            lowered = key.lower()
            secret = ("password" in lowered or lowered == "secretstring") and not lowered.endswith(("wo", "woversion"))
            if secret and v and key not in NOT_SECRETS:
                out.append(f"{r.name}: {key} holds a secret in plain state")
    for key in _secret_keys(run.outputs):
        out.append(f"stack output {key} looks like a secret")
    out += _write_only_sources(g)
    for task in g.of("aws:ecs/taskDefinition:TaskDefinition"):
        containers = value(task, "container_definitions")
        for container in json.loads(containers) if isinstance(containers, str) else containers or []:
            for secret in container.get("secrets") or []:
                where = str(secret.get("valueFrom", "")).split(":")
                if len(where) > 3 and where[3] != task.region:
                    out.append(
                        f"{task.name}: reads {secret.get('name')} from {where[3]}, not its own region {task.region} "
                        "(that region's key does not decrypt it, and a region loss takes it away)"
                    )
    return out


def _write_only_sources(g: Graph) -> list[str]:
    out = []
    passwords = {p.urn: p for p in g.of(RANDOM_PASSWORD)}
    for r in g.resources:
        for key in sorted(k for k in r.inputs if k.endswith("Wo")):
            # what this input's value comes from (all of the resource's dependencies where a reader of
            # the state has no per-input ones)
            feeds = r.property_dependencies.get(key, r.dependencies if not r.property_dependencies else ())
            sources = [passwords[u] for u in feeds if u in passwords]
            if not sources:
                out.append(
                    f"{r.name}: {key} is not a password kept in the stack's state (a value made anew on every "
                    "preview: a replaced resource gets one its secret never saw)"
                )
                continue
            rotations = {str(dig(value(p, "keepers"), "rotation")) for p in sources}
            version = r.inputs.get(f"{key}Version")
            if version is None or f"{float(version):g}" not in {f"{float(x):g}" for x in rotations if _number(x)}:
                out.append(
                    f"{r.name}: {key}Version {version} does not follow the rotation of {sources[0].name} "
                    f"({', '.join(sorted(rotations))}): a new password would never be written"
                )
    return out


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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
        if value(db, "replicate_source_db"):
            continue  # a cross-region replica takes no final snapshot (AWS refuses one); it is protected
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
    stores = [s for s in plan.datastores if s.record]
    if stores:
        plans = g.of("aws:backup/plan:Plan")
        selected = [str(a) for s in g.of("aws:backup/selection:Selection") for a in value(s, "resources") or []]
        if not plans:
            out.append("no AWS Backup plan over the stateful stores")
        for store in stores:
            held = [r for resources in holders(plan, g, store).values() for r in resources]
            if not any(str(value(r, "arn")) in selected for r in held):
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


def waf(run: Run) -> list[str]:
    """When the blueprint asks for a WAF: every public load balancer has a web ACL associated,
    and every CloudFront distribution names one; where routes take request bodies, the common rule
    set's 8 KB body rule only counts and a later rule blocks large bodies on every other method, so
    the write routes work."""
    g, out = run.graph, []
    associated = {str(value(a, "resource_arn")) for a in g.of("aws:wafv2/webAclAssociation:WebAclAssociation")}
    for alb in g.of("aws:lb/loadBalancer:LoadBalancer"):
        if value(alb, "internal") is not True and str(value(alb, "arn")) not in associated:
            out.append(f"{alb.name}: no web ACL associated")
    for dist in g.of("aws:cloudfront/distribution:Distribution"):
        if not value(dist, "web_acl_id"):
            out.append(f"{dist.name}: no web ACL")
    if run.plan.edge.waf_body_methods:
        for acl in g.of("aws:wafv2/webAcl:WebAcl"):
            text = json.dumps(value(acl, "rules") or [])
            counted = '"SizeRestrictions_BODY"' in text and '"count"' in text
            if not counted or "core-rule-set:SizeRestrictions_Body" not in text:
                out.append(
                    f"{acl.name}: the common rule set blocks bodies over 8 KB on the write routes "
                    f"({', '.join(run.plan.edge.waf_body_methods)})"
                )
    return out


CHECKS: tuple[Check, ...] = (
    control("tls", tls_in_transit),
    control("encryption-at-rest", encryption_at_rest),
    Check(
        "keyed-logs-and-secrets",
        "Every log and secret under the region's key",
        "encryption-at-rest",
        keyed_logs_and_secrets,
    ),
    control("private-data", private_data),
    control("data-flow-network", data_flow_network),
    control("managed-secrets", managed_secrets),
    control("non-root", non_root),
    control("deletion-protection", deletion_protection),
    control("backups", backups),
    control("dead-letter-queues", dead_letter_queues),
    control("waf", waf),
)
"""The §7 checks, in the catalog's order."""

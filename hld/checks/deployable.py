"""What `pulumi up` on real AWS needs beyond what the offline cloud refuses at creation: the order
the provider documents, key policies that let each service use its key, routes that carry the
declared flows across regions, permissions AWS Backup needs, names that stay apart between stacks,
replication in every direction that is written, and engine versions the program never fights AWS over.

Each check reads the run's graph (with the dependencies the Pulumi engine orders creation by) and
names the resource and what AWS would answer.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from blueprints.plan_model import AnyStorePlan
from generators.aws.naming import stack_label
from hld.checks.registry import Check, NotApplicable, Run
from hld.graph import Graph, Resource, dig, doc, value


def _actions(rule: Resource) -> list[dict[str, Any]]:
    return list(value(rule, "actions") or value(rule, "default_actions") or [])


def ordering(run: Run) -> list[str]:
    """Creation order the provider documents: an ECS service after the listener rule that forwards
    to its target group (else "target group does not have an associated load balancer"); an Aurora
    global secondary after the primary's writer instance, ignoring the replication source AWS moves
    on failover; an Automation document after the scalable targets its steps raise."""
    g, out = run.graph, []
    forwarders = g.of("aws:lb/listenerRule:ListenerRule") + g.of("aws:lb/listener:Listener")
    for svc in g.of("aws:ecs/service:Service"):
        for lb in value(svc, "load_balancers") or []:
            group = dig(lb, "target_group_arn")
            rules = [
                r
                for r in forwarders
                if any(dig(a, "target_group_arn") == group for a in _actions(r)) and r.region == svc.region
            ]
            if not rules:
                out.append(f"{svc.name}: no listener forwards to its target group")
            elif not any(g.waits_on(svc, rule) for rule in rules):
                out.append(
                    f"{svc.name}: may be created before {rules[0].name} forwards to its target group "
                    "(ECS: the target group does not have an associated load balancer)"
                )
    clusters = g.of("aws:rds/cluster:Cluster")
    for secondary in clusters:
        global_id = value(secondary, "global_cluster_identifier")
        if not global_id or value(secondary, "master_username"):
            continue
        primary = [
            c for c in clusters if value(c, "global_cluster_identifier") == global_id and value(c, "master_username")
        ]
        writers = [
            i
            for i in g.of("aws:rds/clusterInstance:ClusterInstance")
            if primary and value(i, "cluster_identifier") in {primary[0].id, value(primary[0], "cluster_identifier")}
        ]
        if not writers or not any(g.waits_on(secondary, w) for w in writers):
            out.append(f"{secondary.name}: does not wait for the primary cluster's writer instance")
        if "replicationSourceIdentifier" not in secondary.ignore_changes:
            out.append(f"{secondary.name}: would undo the replication source AWS moves on a global failover")
    out += _documents_after_what_they_name(g)
    return out


def _documents_after_what_they_name(g: Graph) -> list[str]:
    """An Automation document whose step raises a scalable target is made after that target (the
    document names it; made before, the document points at nothing until the target exists, and the
    offline cloud refuses it at random, by which of the two registers first)."""
    targets = g.of("aws:appautoscaling/target:Target")
    out = []
    for document in g.of("aws:ssm/document:Document"):
        try:
            body = yaml.safe_load(str(value(document, "content") or "")) or {}
        except yaml.YAMLError:
            continue
        for step in body.get("mainSteps", []) if isinstance(body, dict) else []:
            inputs = step.get("inputs") or {}
            if inputs.get("Api") != "RegisterScalableTarget":
                continue
            named = [
                t
                for t in targets
                if value(t, "resource_id") == inputs.get("ResourceId") and t.region == document.region
            ]
            if named and not any(g.waits_on(document, t) for t in named):
                out.append(f"{document.name}: may be made before {named[0].name}, the scalable target its step raises")
    return out


def _policy(resource: Resource, key: str = "policy") -> dict[str, Any]:
    text = value(resource, key)
    try:
        return json.loads(text) if isinstance(text, str) else dict(text or {})
    except ValueError:
        return {}


def _allows(policy: dict[str, Any], service: str, action: str) -> bool:
    for statement in policy.get("Statement") or []:
        principal = statement.get("Principal") or {}
        services = principal.get("Service") if isinstance(principal, dict) else None
        services = [services] if isinstance(services, str) else services or []
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        matches = any(a == action or (a.endswith("*") and action.startswith(a[:-1])) for a in actions)
        if statement.get("Effect") == "Allow" and service in services and matches:
            return True
    return False


def _administered(policy: dict[str, Any]) -> bool:
    return any(
        s.get("Effect") == "Allow"
        and (s.get("Principal") or {}).get("AWS", "").endswith(":root")
        and s.get("Action") in ("kms:*", ["kms:*"])
        for s in policy.get("Statement") or []
    )


def key_policies(run: Run) -> list[str]:
    """Every KMS key's policy lets the account administer it (so IAM policies can grant its use) and
    lets each service that encrypts on its own behalf use it: CloudWatch Logs for the region's log
    groups (else CreateLogGroup is AccessDenied), CloudFront for a static site's objects, and each
    service that publishes to an encrypted alert topic: CloudWatch for the alarms that name it, RDS
    for the event subscriptions that do, in the key's policy and the topic's (else AWS drops the
    notification and the alarm still reports its action as done)."""
    g, out = run.graph, []
    keys = {str(value(k, "arn")): k for k in g.of("aws:kms/key:Key")}
    out += _alert_publishers(g, keys)
    for each in keys.values():
        if not _administered(_policy(each)):
            out.append(f"{each.name}: its policy does not let the account administer the key")
    for group in g.of("aws:cloudwatch/logGroup:LogGroup"):
        used = keys.get(str(value(group, "kms_key_id") or ""))
        if used is not None and not _allows(_policy(used), f"logs.{group.region}.amazonaws.com", "kms:GenerateDataKey"):
            out.append(f"{group.name}: CloudWatch Logs may not use {used.name} (AccessDenied on CreateLogGroup)")
    for dist in g.of("aws:cloudfront/distribution:Distribution"):
        for origin in value(dist, "origins") or []:
            if not dig(origin, "origin_access_control_id"):
                continue
            bucket = str(dig(origin, "domain_name")).split(".s3.")[0]
            for encryption in g.of(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
            ):
                if str(value(encryption, "bucket")) != bucket:
                    continue
                rule = (value(encryption, "rules") or [{}])[0]
                key = keys.get(str(dig(rule, "apply_server_side_encryption_by_default", "kms_master_key_id") or ""))
                if key is not None and not _allows(_policy(key), "cloudfront.amazonaws.com", "kms:Decrypt"):
                    out.append(
                        f"{key.name}: CloudFront may not decrypt the site's objects in {bucket} (403 to every visitor)"
                    )
    return out


def _alert_publishers(g: Graph, keys: dict[str, Resource]) -> list[str]:
    out = []
    # the topic a policy is for is its `arn` input (an offline cloud's state may give the policy an ARN of its own)
    policies = {str(value(t, "arn")): doc(value(t, "policy")) for t in g.of("aws:sns/topic:Topic")}
    policies |= {
        str(p.inputs.get("arn") or value(p, "arn")): doc(value(p, "policy"))
        for p in g.of("aws:sns/topicPolicy:TopicPolicy")
    }
    publishers: dict[str, set[str]] = {}
    for alarm in [
        *g.of("aws:cloudwatch/metricAlarm:MetricAlarm"),
        *g.of("aws:cloudwatch/compositeAlarm:CompositeAlarm"),
    ]:
        for arn in [*(value(alarm, "alarm_actions") or []), *(value(alarm, "ok_actions") or [])]:
            publishers.setdefault(str(arn), set()).add("cloudwatch.amazonaws.com")
    for sub in g.of("aws:rds/eventSubscription:EventSubscription"):
        publishers.setdefault(str(value(sub, "sns_topic")), set()).add("events.rds.amazonaws.com")
    for topic in g.of("aws:sns/topic:Topic"):
        arn = str(value(topic, "arn"))
        named = value(topic, "kms_master_key_id")
        key = keys.get(str(named or ""))
        if named and key is None and publishers.get(arn):
            # AWS's own key for SNS (alias/aws/sns) cannot admit CloudWatch: a key hld does not make is a
            # key whose policy hld cannot vouch for
            out.append(
                f"{topic.name}: encrypted with {named}, not a key of this stack whose policy admits its publishers"
            )
            continue
        for service in sorted(publishers.get(arn, set())):
            if key is not None and not all(
                _allows(_policy(key), service, a) for a in ("kms:GenerateDataKey", "kms:Decrypt")
            ):
                out.append(f"{key.name}: {service} may not use it to publish to {topic.name} (notifications dropped)")
            policy = policies.get(arn, {})
            if isinstance(policy, dict) and not _allows_publish(policy, service):  # not a dict: not known yet
                out.append(f"{topic.name}: its policy does not let {service} publish (notifications dropped)")
    return out


def _allows_publish(policy: dict[str, Any], service: str) -> bool:
    return _allows(policy, service, "sns:Publish")


def _subnet_tiers(g: Graph) -> dict[str, str]:
    return {s.id: str((value(s, "tags") or {}).get("hld:tier", "")) for s in g.of("aws:ec2/subnet:Subnet")}


def peering_routes(run: Run) -> list[str]:
    """Where tasks in one region reach a store's single writer in another (the blueprint's uses, the
    regions the services run in), a VPC peering carries the flow, and every route table of the private
    and isolated subnets on both sides has a route to the other side's CIDR through it: a store's
    replies leave from the isolated subnets. Not applicable where no flow crosses regions in the VPCs."""
    g, plan, out = run.graph, run.plan, []
    links = g.of("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    afar = sorted(
        s.name
        for s in plan.datastores
        if s.in_vpc
        and s.single_writer
        and any(c.region != s.writer_region for u in s.used_by for c in plan.service(u).capacity.value)
    )
    if not links and not afar:
        raise NotApplicable("no flow crosses regions inside the VPCs (no writer that another region's tasks reach)")
    if afar and not links:
        out.append(f"{plan.name}: {', '.join(afar)} reached from other regions, but no VPC peering carries the flow")
    vpcs = {v.id: v for v in g.of("aws:ec2/vpc:Vpc")}
    tiers = _subnet_tiers(g)
    tables: dict[str, set[str]] = {}
    for assoc in g.of("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        if tiers.get(str(value(assoc, "subnet_id"))) in ("private", "isolated"):
            tables.setdefault(str(value(assoc, "route_table_id")), set()).add(tiers[str(value(assoc, "subnet_id"))])
    routes = g.of("aws:ec2/route:Route")
    for link in links:
        for here, there in (
            (value(link, "vpc_id"), value(link, "peer_vpc_id")),
            (value(link, "peer_vpc_id"), value(link, "vpc_id")),
        ):
            cidr = value(vpcs[there], "cidr_block") if there in vpcs else None
            for table in g.of("aws:ec2/routeTable:RouteTable"):
                if value(table, "vpc_id") != here or table.id not in tables:
                    continue
                inline = [r for r in value(table, "routes") or [] if dig(r, "cidr_block") == cidr]
                separate = [
                    r
                    for r in routes
                    if value(r, "route_table_id") == table.id and value(r, "destination_cidr_block") == cidr
                ]
                if not inline and not separate:
                    out.append(
                        f"{table.name}: no route to the peer {cidr} ({', '.join(sorted(tables[table.id]))} subnets)"
                    )
    return out


S3_BACKUP = "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup"
S3_RESTORE = "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore"


def backup_permissions(run: Run) -> list[str]:
    """AWS Backup's role can back up and restore what its selection holds: S3 buckets need the S3
    managed policies besides the generic ones (else "does not have permission to describe")."""
    g, out = run.graph, []
    roles = {str(value(r, "arn")): r for r in g.of("aws:iam/role:Role")}
    attached: dict[str, set[str]] = {}
    for attachment in g.of("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        attached.setdefault(str(value(attachment, "role")), set()).add(str(value(attachment, "policy_arn")))
    for selection in g.of("aws:backup/selection:Selection"):
        resources = [str(r) for r in value(selection, "resources") or []]
        role = roles.get(str(value(selection, "iam_role_arn")))
        have = attached.get(str(value(role, "name")) if role else "", set())
        if any(r.startswith("arn:aws:s3:::") for r in resources) and not {S3_BACKUP, S3_RESTORE} <= have:
            out.append(f"{selection.name}: backs up S3 buckets without the S3 backup and restore policies on its role")
    return out


STACK_NAMED = {
    "aws:kms/alias:Alias": ("name",),
    "aws:rds/globalCluster:GlobalCluster": ("global_cluster_identifier",),
    "aws:rds/instance:Instance": ("final_snapshot_identifier", "identifier"),
    "aws:rds/cluster:Cluster": ("final_snapshot_identifier", "cluster_identifier"),
    "aws:ecs/cluster:Cluster": ("name",),
}
"""Names hld sets itself (no random suffix) that must be unique in an account and region (an
identifier only where hld sets it: in-region read replicas and Aurora instances are auto-named)."""


def stack_names(run: Run) -> list[str]:
    """Names hld sets itself carry the stack, so a dev and a prod stack of one system in one account
    never take each other's alias, global cluster or final snapshot."""
    g, out = run.graph, []
    stack = stack_label(run.plan.stack)
    for typ, props in STACK_NAMED.items():
        for r in g.of(typ):
            for prop in props:
                physical = value(r, prop)
                if physical and _set_here(r, prop) and f"-{stack}" not in str(physical):
                    out.append(f"{r.name}: {prop} {physical!r} does not carry the stack {stack!r}")
    return out


def _set_here(r: Resource, prop: str) -> bool:
    """hld set this name itself (else the provider made it, with a random suffix): every one of
    STACK_NAMED but an RDS instance's identifier, which hld sets where the instance exports logs
    (their log group is named after it)."""
    if r.type == "aws:rds/instance:Instance" and prop == "identifier":
        return bool(value(r, "enabled_cloudwatch_logs_exports"))
    return True


def replication_directions(run: Run) -> list[str]:
    """An object store of a multi-region design replicates from every written region to every other;
    one written only in the primary replicates from it to the others (the plan says which). Not
    applicable without an object store or in one region."""
    out: list[str] = []
    stores = [s for s in run.plan.datastores if s.kind == "object" and len(run.plan.regions.value) >= 2]
    if not stores:
        raise NotApplicable("no object store in several regions")
    for store in stores:
        out += replication_gaps(run, store)
    return out


def replication_gaps(run: Run, store: AnyStorePlan) -> list[str]:
    """The regions an object store's writes do not replicate to, from each region that writes it."""
    g, plan, out = run.graph, run.plan, []
    configs = g.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    buckets = {str(value(b, "bucket")): b for b in g.of("aws:s3/bucket:Bucket")}
    written = store.regions if plan.replication.value == "active" else store.regions[:1]
    by_region = {b.region: b for b in buckets.values() if b.name.startswith(f"{plan.name}-{store.name}-")}
    for source in written:
        bucket = by_region.get(source)
        if bucket is None:
            continue
        config = [c for c in configs if str(value(c, "bucket")) in (bucket.id, value(bucket, "bucket"))]
        targets = {
            str(dig(rule, "destination", "bucket"))
            for c in config
            for rule in value(c, "rules") or []
            if dig(rule, "status") == "Enabled"
        }
        for other in store.regions:
            if other != source and other in by_region and str(value(by_region[other], "arn")) not in targets:
                out.append(f"{store.name}: writes in {source} do not replicate to {other}")
    return out


VERSIONED = {
    "aws:rds/instance:Instance": "postgres",
    "aws:rds/cluster:Cluster": "aurora-postgresql",
    "aws:rds/clusterInstance:ClusterInstance": "aurora-postgresql",
    "aws:rds/globalCluster:GlobalCluster": "aurora-postgresql",
    "aws:elasticache/replicationGroup:ReplicationGroup": "redis",
}
"""Resources whose engine AWS upgrades on its own (automatic minor version upgrades are on unless
turned off; a global cluster's version follows its members'), with the engine AWS assumes."""
PREFIX_KEPT = frozenset({"aws:rds/instance:Instance"})
"""Types whose provider keeps a major-version prefix against the version AWS upgrades to (pulumi-aws
rds.Instance engine_version: "If auto_minor_version_upgrade is enabled, you can provide a prefix of
the version such as 8.0 (for 8.0.36)"; the actual one is engine_version_actual). Aurora and
ElastiCache read the upgraded version back into engine_version, and would diff against the pin."""


def _auto_upgraded(g: Graph, r: Resource) -> bool:
    if r.type == "aws:rds/globalCluster:GlobalCluster":
        return True
    if r.type == "aws:rds/cluster:Cluster":
        members = [
            i
            for i in g.of("aws:rds/clusterInstance:ClusterInstance")
            if value(i, "cluster_identifier") in {r.id, value(r, "cluster_identifier")}
        ]
        return any(value(m, "auto_minor_version_upgrade") is not False for m in members) or not members
    return value(r, "auto_minor_version_upgrade") is not False


def engine_versions(run: Run) -> list[str]:
    """Nothing fights a version AWS upgrades: a database or cache AWS upgrades on its own (automatic
    minor version upgrades) pins only a major version where the provider keeps a prefix against the
    upgraded one (an RDS instance: "16" for 16.x), or ignores engine-version changes (Aurora clusters,
    their instances and global cluster, ElastiCache groups), else the next `pulumi up` after an
    upgrade tries to downgrade it, which AWS refuses. Read from what the program asks (its inputs and
    ignore_changes), whatever the plan says."""
    g, out = run.graph, []
    for typ, engine in VERSIONED.items():
        for r in g.of(typ):
            pinned = r.inputs.get("engineVersion")
            if not pinned or "engineVersion" in r.ignore_changes or not _auto_upgraded(g, r):
                continue
            if typ in PREFIX_KEPT and "." not in str(pinned):
                continue
            out.append(
                f"{r.name}: pins {r.inputs.get('engine') or engine} {pinned} while AWS upgrades its minor "
                "version, and does not ignore engine-version changes: the next `pulumi up` after an upgrade "
                "would try to downgrade it (AWS refuses)"
            )
    return out


CHECKS: tuple[Check, ...] = (
    Check("ordering", "Creation order the provider documents", None, ordering),
    Check("key-policies", "Key policies admit the services that use the keys", None, key_policies),
    Check("peering-routes", "Cross-region flows are routed both ways", None, peering_routes),
    Check("backup-permissions", "AWS Backup may back up what it selects", None, backup_permissions),
    Check("stack-names", "Set names carry the stack", None, stack_names),
    Check("replication-directions", "Objects replicate from every region written", None, replication_directions),
    Check("engine-versions", "No engine version AWS upgrades is pinned against it", None, engine_versions),
)
"""The checks that `pulumi up` would pass on real AWS, beyond what the offline cloud refuses."""

"""Every data-flow edge proven in every region a service runs: for each store a service `uses`,
the network path both ways (security groups on both ends; peering routes when the store's writer
is in another region), the identity (the task role may call what the edge needs on that region's
resource, and nothing the edge does not need), the key (the role may use the resource's key), the
secret (readable in that region, with the local key) and discovery (the name the app receives is
that region's resource, or the writer's movable name).

The identity follows the edge's access (the plan's, blueprints.access): what the access needs must
succeed and everything else must be refused: the other mode (a producer may not receive, a reader
may not put), the calls no edge needs (delete the queue, the table, the bucket), the same calls on
every other queue and table of the region, another database user. It is exercised for real where
moto's IAM access control covers the service: with access control on, the edge's calls are made in
moto as the task's role (SQS; DynamoDB, whose requests moto authorizes against `*` unless told the
table: CALLED). Where moto's access control is wrong for the service (S3: see CALLED) and for IAM
database authentication (rds-db:connect), the role's policies are evaluated with moto's own policy
evaluator. The key is usable only through the store's own service and only for the edge's resource
(`kms:ViaService` and the service's encryption context, evaluated with those keys in the request
context), and no grant of the task role names a resource outside its edges. Secrets are read back in
their region. The outcome says which way each edge was proven.

`trust-policies`: every role's trust policy admits one service principal, with the source
conditions that principal documents (confused deputy), or the documented reason it has none.
"""

from __future__ import annotations

import fnmatch
import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from blueprints.access import consumes, produces, reads, writes
from blueprints.plan_model import AnyStorePlan, Plan, ServicePlan
from generators.aws.tags import ROLE_TAG
from hld.checks.registry import Check, Run
from hld.graph import Graph, Resource, doc, prefixed, tags, value

NOT_NEEDED = {"queue": "sqs:DeleteQueue", "object": "s3:DeleteBucket", "key-value": "dynamodb:DeleteTable"}
"""A call each kind of edge never needs: the role must be refused it."""
CALLED = frozenset({"queue", "key-value"})
"""Edges proven by calls in moto as the role. DynamoDB with the table named to moto's access control
(it authorizes DynamoDB requests against `*` by itself: _as_role); not S3 (moto applies a bucket
policy's Deny without evaluating its condition, so the TLS-only policy refuses every call): moto's
policy evaluator over the role's policies proves those."""
KEY_VIA = {"key-value": "dynamodb", "queue": "sqs", "object": "s3", "secret": "secretsmanager"}
"""The service whose requests alone may use the store's key (kms:ViaService)."""
KEY_CONTEXT = {
    "key-value": "kms:EncryptionContext:aws:dynamodb:tableName",
    "queue": "kms:EncryptionContext:aws:sqs:arn",
    "object": "kms:EncryptionContext:aws:s3:arn",
    "secret": "kms:EncryptionContext:SecretARN",
}
"""The encryption-context key AWS documents for the service's KMS requests (the table's name; the
queue's, the bucket's (an S3 Bucket Key's) and the secret's ARN)."""
SOURCE_ARNS = {
    "ecs-tasks.amazonaws.com": "arn:aws:ecs:{region}:{account}:",
    "vpc-flow-logs.amazonaws.com": "arn:aws:ec2:{region}:{account}:vpc-flow-log/",
    "fis.amazonaws.com": "arn:aws:fis:{region}:{account}:experiment/",
}
"""What `aws:SourceArn` must start with for the principals that document source conditions (ECS
task roles: task-iam-roles.html; VPC Flow Logs: flow-logs-iam-role.html; FIS experiment roles:
https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html)."""


def _matches(pattern: str, text: str) -> bool:
    return fnmatch.fnmatchcase(text, pattern)


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    """IAM's condition operators hld's policies use, over a request context: every key of every
    operator must be present and match (a missing key fails, as in IAM); other operators never hold."""
    for operator, keys in condition.items():
        for key, wanted in keys.items():
            actual, options = context.get(key), wanted if isinstance(wanted, list) else [wanted]
            if actual is None:
                return False
            if operator in ("StringEquals", "ArnEquals") and actual not in options:
                return False
            if operator in ("StringLike", "ArnLike") and not any(_matches(o, actual) for o in options):
                return False
            if operator not in ("StringEquals", "ArnEquals", "StringLike", "ArnLike"):
                return False
    return True


def _allows(policies: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> bool:
    """Identity policies evaluated with a request context (conditions included): an explicit Deny
    wins, else some Allow must match the action, the resource and every condition."""
    allowed = False
    for policy in policies:
        for st in _statements(policy):
            actions, resources = _listed(st.get("Action")), _listed(st.get("Resource"))
            if not any(_matches(a, action) for a in actions) or not any(_matches(r, resource) for r in resources):
                continue
            if not _condition_holds(st.get("Condition") or {}, context):
                continue
            if st.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    raw = policy.get("Statement") or []
    return [raw] if isinstance(raw, dict) else list(raw)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _permits(policies: list[dict[str, Any]], action: str, resource: str) -> bool:
    """moto's IAM policy evaluator (the one its access control runs) over identity policies."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    allowed = False
    for policy in policies:
        result = IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return False
        allowed = allowed or result == PermissionResult.PERMITTED
    return allowed


class Edges:
    """The graph read for edges: roles and their inline policies, tasks, security groups."""

    def __init__(self, plan: Plan, g: Graph):
        self.plan, self.g = plan, g
        self.roles = {str(value(r, "arn")): r for r in g.of("aws:iam/role:Role")}
        self.inline: dict[str, list[dict[str, Any]]] = {}
        for policy in g.of("aws:iam/rolePolicy:RolePolicy"):
            self.inline.setdefault(str(value(policy, "role")), []).append(doc(value(policy, "policy")) or {})

    def policies(self, role_arn: str) -> list[dict[str, Any]]:
        role = self.roles.get(role_arn)
        if role is None:
            return []
        return self.inline.get(str(value(role, "name")), []) + self.inline.get(role.id, [])

    def group(self, role: str, region: str) -> Resource | None:
        found = [
            sg
            for sg in self.g.of("aws:ec2/securityGroup:SecurityGroup")
            if sg.region == region and tags(sg).get(ROLE_TAG) == role
        ]
        return found[0] if found else None

    def sg_path(self, svc: str, store: str, port: int, region: str) -> list[str]:
        """Security groups both ways: the store's group admits the service's, the service's lets it out."""
        source, target = self.group(svc, region), self.group(store, region)
        if source is None or target is None:
            return [
                f"{svc} -> {store} in {region}: no security group for {'the service' if source is None else 'the store'}"
            ]
        out = []
        ingress = [
            r
            for r in self.g.of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if value(r, "security_group_id") == target.id
            and value(r, "referenced_security_group_id") == source.id
            and int(value(r, "from_port") or -1) == port
        ]
        egress = [
            r
            for r in self.g.of("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
            if value(r, "security_group_id") == source.id
            and value(r, "referenced_security_group_id") == target.id
            and int(value(r, "from_port") or -1) == port
        ]
        if not ingress:
            out.append(f"{svc} -> {store} in {region}: {store}'s security group does not admit {svc} on {port}")
        if not egress:
            out.append(f"{svc} -> {store} in {region}: {svc}'s security group does not let it reach {store} on {port}")
        return out


def _containers(task: Resource) -> list[dict[str, Any]]:
    raw = value(task, "container_definitions")
    return list(json.loads(raw) if isinstance(raw, str) else raw or [])


def _resource_of(g: Graph, plan: Plan, store: AnyStorePlan, region: str) -> Resource | None:
    typ = {
        "key-value": "aws:dynamodb/table:Table",
        "queue": "aws:sqs/queue:Queue",
        "object": "aws:s3/bucket:Bucket",
        "cache": "aws:elasticache/replicationGroup:ReplicationGroup",
    }.get(store.kind)
    if typ is None:
        return None
    found = [r for r in prefixed(g, typ, f"{plan.name}-{store.name}") if "-dlq-" not in r.name]
    if store.kind == "key-value":
        return found[0] if found else None
    here = [r for r in found if r.region == region]
    return here[0] if here else None


def _arn_in(resource: Resource, region: str) -> str:
    arn = str(value(resource, "arn"))
    return arn if resource.region == region else arn.replace(f":{resource.region}:", f":{region}:")


@contextmanager
def _as_role(client: Callable[[str, str], Any], role_arn: str, region: str) -> Iterator[Callable[[str], Any]]:
    """Clients signed as `role_arn` (assumed in moto), with moto's IAM access control on, and DynamoDB
    requests authorized against their table's ARN (moto itself authorizes them against `*`, which no
    grant scoped to a table matches)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.dynamodb.responses import DynamoHandler

    from hld.offline.moto.clients import signed_client

    def table_arn(handler: Any) -> str:
        table = handler._get_param("TableName")
        return f"arn:aws:dynamodb:{handler.region}:{handler.current_account}:table/{table}" if table else "*"

    creds = client("sts", region).assume_role(RoleArn=role_arn, RoleSessionName="hld-edge")["Credentials"]
    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    DynamoHandler._determine_resource = table_arn  # type: ignore[attr-defined]
    try:
        yield lambda service: signed_client(service, region, creds)
    finally:
        del DynamoHandler._determine_resource  # type: ignore[attr-defined]
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved


def _denied(call: Callable[[], Any]) -> bool | None:
    """True when moto refuses the call (403 / AccessDenied), False when it succeeds."""
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code"))
        return code in ("AccessDenied", "403", "AccessDeniedException") or "403" in str(exc)
    return False


def _mode_calls(needs: bool, call: Callable[[], Any], action: str, unneeded: str) -> list[str]:
    """One call of an access mode: refused while the edge needs it, or allowed while it does not."""
    refused = _denied(call)
    if needs and refused:
        return [f"{action} refused"]
    if not needs and not refused:
        return [f"{action} allowed, which {unneeded} never needs"]
    return []


def _called(
    make: Callable[[str], Any], store: AnyStorePlan, access: str, resource: Resource, others: list[Resource]
) -> list[str]:
    """The edge's calls as the role: what its access needs succeeds; the other mode, what no edge
    needs and the same calls on the region's other queues or tables are refused."""
    problems = []
    if store.kind == "queue":
        sqs, url = make("sqs"), str(value(resource, "url") or resource.id)
        problems += _mode_calls(
            produces(access),
            lambda: sqs.send_message(QueueUrl=url, MessageBody="hld edge proof"),
            "sqs:SendMessage",
            "a consumer",
        )
        # WaitTimeSeconds=0: the queue's long polling (up to 20 s) must not hold the check when an
        # earlier edge's proof already took the message
        problems += _mode_calls(
            consumes(access),
            lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0),
            "sqs:ReceiveMessage",
            "a producer",
        )
        if not _denied(lambda: sqs.delete_queue(QueueUrl=url)):
            problems.append("sqs:DeleteQueue allowed, which the edge never needs")
        for other in others:
            there = str(value(other, "url") or other.id)
            send = partial(sqs.send_message, QueueUrl=there, MessageBody="hld edge proof")
            if not _denied(send) or not _denied(partial(sqs.receive_message, QueueUrl=there, WaitTimeSeconds=0)):
                problems.append(f"may use the queue {other.name}, which is not this edge's")
    elif store.kind == "key-value":
        ddb, table, pk = make("dynamodb"), str(value(resource, "name")), getattr(store, "partition_key", "id")
        item = {pk: {"S": "hld-edge-proof"}}
        problems += _mode_calls(
            writes(access), lambda: ddb.put_item(TableName=table, Item=item), "dynamodb:PutItem", "a reader"
        )
        problems += _mode_calls(
            reads(access), lambda: ddb.get_item(TableName=table, Key=item), "dynamodb:GetItem", "a writer"
        )
        for other in others:
            name, key = str(value(other, "name")), str(value(other, "hash_key") or "id")
            probe = {key: {"S": "hld-edge-proof"}}
            get = partial(ddb.get_item, TableName=name, Key=probe)
            if not _denied(get) or not _denied(partial(ddb.put_item, TableName=name, Item=probe)):
                problems.append(f"may use the table {other.name}, which is not this edge's")
    return problems


def _evaluated(policies: list[dict[str, Any]], store: AnyStorePlan, access: str, arn: str) -> list[str]:
    """An object store's edge by moto's policy evaluator over the role's policies."""
    out = []
    objects = f"{arn}/hld-edge-proof"
    for needs, action, target, unneeded in (
        (writes(access), "s3:PutObject", objects, "a reader"),
        (reads(access), "s3:GetObject", objects, "a writer"),
        (reads(access), "s3:ListBucket", arn, "a writer"),
    ):
        permitted = _permits(policies, action, target)
        if needs and not permitted:
            out.append(f"the task role may not {action} on {arn}")
        if not needs and permitted:
            out.append(f"the task role may {action} on {arn}, which {unneeded} never needs")
    if _permits(policies, NOT_NEEDED[store.kind], arn):
        out.append(f"the task role may {NOT_NEEDED[store.kind]}, which the edge never needs")
    return out


def _key_use(
    policies: list[dict[str, Any]], kind: str, access: str, key_arn: str, region: str, names: str, other: str
) -> list[str]:
    """The key through the store's service for the edge's resource only: usable with that service's
    kms:ViaService and encryption context naming `names`; not directly, not for `other`."""
    needed = "kms:GenerateDataKey" if writes(access) or produces(access) else "kms:Decrypt"
    via, context = f"{KEY_VIA[kind]}.{region}.amazonaws.com", KEY_CONTEXT[kind]
    key = key_arn.rsplit("/", 1)[-1]
    out = []
    if not _allows(policies, needed, key_arn, {"kms:ViaService": via, context: names}):
        out.append(f"may not {needed} with the key {key} through {KEY_VIA[kind]} for {names}")
    for action in ("kms:Decrypt", "kms:GenerateDataKey"):
        if _allows(policies, action, key_arn, {context: names}):
            out.append(f"may {action} with the key {key} directly, not only through {KEY_VIA[kind]} (kms:ViaService)")
        if _allows(policies, action, key_arn, {"kms:ViaService": via, context: other}):
            out.append(f"may {action} with the key {key} for other resources than {names} (encryption context)")
    return out


def _connects(g: Graph, plan: Plan, store: AnyStorePlan) -> list[tuple[str, str]]:
    """(ARN, resource id) of every instance and cluster of a relational store (not Aurora's instances:
    IAM authentication names the cluster)."""
    out = []
    for typ, rid in (("aws:rds/instance:Instance", "resource_id"), ("aws:rds/cluster:Cluster", "cluster_resource_id")):
        for r in prefixed(g, typ, f"{plan.name}-{store.name}"):
            out.append((str(value(r, "arn")), str(value(r, rid) or "")))
    return out


def _db_user_arn(arn: str, resource_id: str, user: str) -> str:
    _, partition, _, region, account, *_ = arn.split(":")
    return f"arn:{partition}:rds-db:{region}:{account}:dbuser:{resource_id}/{user}"


def _database(g: Graph, plan: Plan, svc: ServicePlan, store: AnyStorePlan, policies: list[dict[str, Any]]) -> list[str]:
    """IAM database authentication as the service's own user on every instance and cluster of the
    store; never as the master user or another user."""
    from blueprints.names import database_user

    user, out = database_user(svc.name), []
    for arn, rid in _connects(g, plan, store):
        if not _permits(policies, "rds-db:connect", _db_user_arn(arn, rid, user)):
            out.append(f"the task role may not rds-db:connect as {user} to {arn.rsplit(':', 1)[-1]}")
        for other in ("hld_admin", "svc_hld_probe"):
            if _permits(policies, "rds-db:connect", _db_user_arn(arn, rid, other)):
                out.append(
                    f"the task role may rds-db:connect as {other} to {arn.rsplit(':', 1)[-1]}, not only as {user}"
                )
    return out


def data_flow(run: Run) -> tuple[list[str], str]:
    """Every `uses` edge, in every region its service runs: network both ways, identity by the edge's
    access, key, secret, discovery, and no grant outside the service's edges (see the module's
    docstring); the detail counts how each was proven."""
    plan, g = run.plan, run.graph
    edges = Edges(plan, g)
    out: list[str] = []
    proofs: Counter[str] = Counter()
    for svc in plan.services:
        for task in prefixed(g, "aws:ecs/taskDefinition:TaskDefinition", f"{plan.name}-{svc.name}"):
            region = str(task.region)
            containers = _containers(task)
            env = {e["name"]: e["value"] for c in containers for e in c.get("environment") or []}
            secrets = {s["name"]: s["valueFrom"] for c in containers for s in c.get("secrets") or []}
            role = str(value(task, "task_role_arn"))
            execution = str(value(task, "execution_role_arn"))
            granted: set[str] = set()
            for name in svc.stores:
                out += _edge(run, edges, svc, plan.store(name), region, env, secrets, role, execution, proofs, granted)
            out += _outside(edges, svc, region, role, granted)
            out += _outside(edges, svc, region, execution, set(secrets.values()) | _keys(g, region))
            proofs["scope: no grant outside the edges"] += 1
    total = sum(proofs.values())
    detail = (
        f"{proofs['edges']} edges (service x store x region) proven: "
        + ", ".join(f"{what} {n}" for what, n in sorted(proofs.items()) if what != "edges")
        if total
        else "no data-flow edges"
    )
    return out, detail


def _keys(g: Graph, region: str) -> set[str]:
    return {str(value(k, "arn")) for k in g.of("aws:kms/key:Key") if k.region == region}


def _outside(edges: Edges, svc: ServicePlan, region: str, role: str, granted: set[str]) -> list[str]:
    """Every resource the role's inline policies allow is one of its edges' (`granted`): a wildcard,
    another store's resource or another region's is a grant outside the edges."""
    out = []
    who = edges.roles[role].name if role in edges.roles else role
    for policy in edges.policies(role):
        for st in _statements(policy):
            if st.get("Effect") != "Allow":
                continue
            if "NotAction" in st or "NotResource" in st:
                out.append(f"{who}: allows by NotAction or NotResource, which names no edge of {svc.name}")
                continue
            for resource in _listed(st.get("Resource")):
                if resource not in granted:
                    actions = ", ".join(_listed(st.get("Action")))
                    out.append(f"{who}: grants {actions} on {resource}, which no edge of {svc.name} in {region} names")
    return out


def _edge(
    run: Run,
    edges: Edges,
    svc: ServicePlan,
    store: AnyStorePlan,
    region: str,
    env: dict[str, str],
    secrets: dict[str, str],
    role: str,
    execution: str,
    proofs: Counter[str],
    granted: set[str],
) -> list[str]:
    """One edge's proofs; the resources its grants may name are added to `granted`."""
    plan, g, out = run.plan, run.graph, []
    label = f"{svc.name} -> {store.name} in {region}"
    key = store.name.upper().replace("-", "_")
    access = svc.access_to(store.name)
    proofs["edges"] += 1
    # network
    if store.in_vpc:
        home = region if region in store.regions else store.writer_region
        if home == region:
            out += edges.sg_path(svc.name, store.name, store.port, region)
        else:
            out += _peered(g, plan, region, home, label)
        proofs["network: security groups both ways"] += 1
    resource = _resource_of(g, plan, store, region)
    policies = edges.policies(role)
    # identity and key
    if store.kind in NOT_NEEDED:
        if resource is None:
            return [*out, f"{label}: no {store.kind} resource reachable from {region}"]
        arn = _arn_in(resource, region)
        granted.update({arn, f"{arn}/*"} if store.kind == "object" else {arn})
        if store.kind in CALLED and run.client is not None:
            others = _others(g, plan, svc, store, region)
            with _as_role(run.client, role, region) as make:
                out += [
                    f"{label}: {p} as the task's role (a call in moto; {access})"
                    for p in _called(make, store, access, resource, others)
                ]
            proofs["identity: calls in moto as the task role"] += 1
        else:
            if store.kind == "key-value":  # no moto client: the evaluator, as for S3
                out += [f"{label}: {p}" for p in _table_evaluated(policies, access, arn)]
            else:
                out += [f"{label}: {p}" for p in _evaluated(policies, store, access, arn)]
            proofs["identity: moto's policy evaluator"] += 1
        key_arn = _key_of(g, resource, region)
        if key_arn:
            granted.add(key_arn)
            names = str(value(resource, "name")) if store.kind == "key-value" else arn
            other = "hld-other-table" if store.kind == "key-value" else f"{arn.rsplit(':', 1)[0]}:hld-other"
            found = _key_use(policies, store.kind, access, key_arn, region, names, other)
            out += [f"{label}: the task role {p}" for p in found]
            proofs["key: through the store's service, for its resource"] += 1
    elif store.kind == "relational":
        from blueprints.names import database_user

        user = database_user(svc.name)
        granted.update(_db_user_arn(a, rid, user) for a, rid in _connects(g, plan, store))
        out += [f"{label}: {p}" for p in _database(g, plan, svc, store, policies)]
        if env.get(f"{key}_USER") != user:
            out.append(f"{label}: {key}_USER is {env.get(f'{key}_USER')}, not the service's own user {user}")
        proofs["identity: moto's policy evaluator (IAM database authentication as the service's own user)"] += 1
    # secret
    wanted = [
        n for n in secrets if n.startswith(f"{key}_") and (n.endswith("_CREDENTIALS") or n.endswith("_AUTH_TOKEN"))
    ]
    for name in wanted:
        arn = secrets[name]
        if arn.split(":")[3] != region:
            out.append(f"{label}: {name} is read from {arn.split(':')[3]}")
        exec_policies = edges.policies(execution)
        if not _permits(exec_policies, "secretsmanager:GetSecretValue", arn):
            out.append(f"{label}: the execution role may not read {name}")
        if plan.control("encryption-at-rest").enabled:
            for key_arn in _keys(g, region):
                found = _key_use(exec_policies, "secret", "read", key_arn, region, arn, f"{arn}-other")
                out += [f"{label}: the execution role {p}" for p in found]
        if run.client is not None:
            try:
                run.client("secretsmanager", region).describe_secret(SecretId=arn)
            except Exception:
                out.append(f"{label}: {name} does not exist in {region}")
        proofs["secret: in the region, readable by the execution role"] += 1
    # discovery
    out += _discovery(g, plan, store, region, env, key, resource, label)
    proofs["discovery"] += 1
    return out


def _others(g: Graph, plan: Plan, svc: ServicePlan, store: AnyStorePlan, region: str) -> list[Resource]:
    """The region's queues (dead-letter queues included) or tables that no edge of `svc` uses."""
    mine = {
        r.urn
        for name in svc.stores
        if plan.store(name).kind == store.kind and (r := _resource_of(g, plan, plan.store(name), region)) is not None
    }
    typ = "aws:sqs/queue:Queue" if store.kind == "queue" else "aws:dynamodb/table:Table"
    return [
        r
        for r in g.of(typ)
        if r.urn not in mine
        and (r.region == region or any(x.get("regionName") == region for x in value(r, "replicas") or []))
    ]


def _table_evaluated(policies: list[dict[str, Any]], access: str, arn: str) -> list[str]:
    out = []
    for needs, action, unneeded in (
        (writes(access), "dynamodb:PutItem", "a reader"),
        (reads(access), "dynamodb:GetItem", "a writer"),
    ):
        permitted = _permits(policies, action, arn)
        if needs and not permitted:
            out.append(f"the task role may not {action} on {arn}")
        if not needs and permitted:
            out.append(f"the task role may {action} on {arn}, which {unneeded} never needs")
    if _permits(policies, NOT_NEEDED["key-value"], arn):
        out.append(f"the task role may {NOT_NEEDED['key-value']}, which the edge never needs")
    return out


def _peered(g: Graph, plan: Plan, region: str, home: str, label: str) -> list[str]:
    cidr = next((n.cidr for n in plan.networks if n.region == home), None)
    routes = [
        r for r in g.of("aws:ec2/route:Route") if r.region == region and value(r, "destination_cidr_block") == cidr
    ]
    return [] if routes else [f"{label}: no route from {region} to the writer's network in {home}"]


def _key_of(g: Graph, resource: Resource, region: str) -> str | None:
    if resource.type == "aws:sqs/queue:Queue":
        return str(value(resource, "kms_master_key_id") or "") or None
    if resource.type == "aws:dynamodb/table:Table":
        if resource.region == region:
            return str((value(resource, "server_side_encryption") or {}).get("kmsKeyArn") or "") or None
        replica = [r for r in value(resource, "replicas") or [] if r.get("regionName") == region]
        return str(replica[0].get("kmsKeyArn") or "") or None if replica else None
    if resource.type == "aws:s3/bucket:Bucket":
        for enc in g.of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"):
            if value(enc, "bucket") in (resource.id, value(resource, "bucket")):
                rule = (value(enc, "rules") or [{}])[0]
                default = rule.get("applyServerSideEncryptionByDefault") or {}
                return str(default.get("kmsMasterKeyId") or "") or None
    return None


def _discovery(
    g: Graph,
    plan: Plan,
    store: AnyStorePlan,
    region: str,
    env: dict[str, str],
    key: str,
    resource: Resource | None,
    label: str,
) -> list[str]:
    out = []
    if store.kind == "relational":
        host = env.get(f"{key}_HOST")
        writer = getattr(store, "writer_name", None)
        if writer is not None and "." in writer.value and host != writer.value:
            out.append(f"{label}: {key}_HOST is {host}, not the writer's movable name {writer.value}")
        elif not host:
            out.append(f"{label}: no {key}_HOST")
    elif resource is not None:
        expected = {
            "key-value": (f"{key}_TABLE", value(resource, "name")),
            "queue": (f"{key}_QUEUE_URL", value(resource, "url")),
            "object": (f"{key}_BUCKET", value(resource, "bucket")),
            "cache": (f"{key}_HOST", value(resource, "primary_endpoint_address")),
        }[store.kind]
        if env.get(expected[0]) != expected[1]:
            out.append(f"{label}: {expected[0]} is {env.get(expected[0])}, not {region}'s {expected[1]}")
    return out


def trust_policies(run: Run) -> tuple[list[str], str]:
    """Every role's trust policy admits service principals only, each with the source conditions it
    documents against the confused deputy: `aws:SourceAccount` the role's own account and
    `aws:SourceArn` within that account and the role's region (SOURCE_ARNS), or, for a principal that
    documents none for the roles it assumes, the reason (generators.aws.grants.NO_SOURCE_CONDITION)."""
    from generators.aws.grants import NO_SOURCE_CONDITION

    out: list[str] = []
    exempt: Counter[str] = Counter()
    roles = run.graph.of("aws:iam/role:Role")
    for role in roles:
        account = str(value(role, "arn") or "").split(":")[4] if ":" in str(value(role, "arn") or "") else ""
        for st in _statements(doc(value(role, "assume_role_policy")) or {}):
            if st.get("Effect") != "Allow":
                continue
            principal = st.get("Principal") or {}
            services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
            if not services or (isinstance(principal, dict) and set(principal) != {"Service"}):
                out.append(f"{role.name}: trusts {json.dumps(principal)}, not a service principal")
                continue
            for service in services:
                if service in NO_SOURCE_CONDITION:
                    exempt[service] += 1
                    continue
                if service not in SOURCE_ARNS:
                    out.append(f"{role.name}: trusts {service}, whose source conditions hld does not know")
                    continue
                out += _source_conditions(role, service, account, st.get("Condition") or {})
    detail = f"{len(roles)} roles"
    if exempt:
        detail += "; without source conditions: " + "; ".join(
            f"{n} trusting {service} ({NO_SOURCE_CONDITION[service]})" for service, n in sorted(exempt.items())
        )
    return out, detail


def _source_conditions(role: Resource, service: str, account: str, condition: dict[str, Any]) -> list[str]:
    prefix = SOURCE_ARNS[service].format(region=role.region, account=account)
    accounts = _listed((condition.get("StringEquals") or {}).get("aws:SourceAccount"))
    arns = _listed((condition.get("ArnLike") or {}).get("aws:SourceArn")) + _listed(
        (condition.get("ArnEquals") or {}).get("aws:SourceArn")
    )
    out = []
    if accounts != [account]:
        out.append(f"{role.name}: {service} may assume it without aws:SourceAccount {account} (confused deputy)")
    if not arns or not all(a.startswith(prefix) for a in arns):
        out.append(f"{role.name}: {service} may assume it without an aws:SourceArn under {prefix}* (confused deputy)")
    return out


CHECKS: tuple[Check, ...] = (
    Check("data-flow", "Every data-flow edge, in every region", None, data_flow),
    Check("trust-policies", "Every role trusts a service principal under its source conditions", None, trust_policies),
)

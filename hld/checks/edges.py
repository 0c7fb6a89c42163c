"""Every data-flow edge proven in every region a service runs: for each store a service `uses`,
the network path both ways (security groups on both ends; peering routes when the store's writer
is in another region), the identity (the task role may call what the edge needs on that region's
resource, and nothing the edge does not need), the key (the role may use the resource's key), the
secret (readable in that region, with the local key) and discovery (the name the app receives is
that region's resource, or the writer's movable name).

The identity is exercised for real where moto's IAM access control covers the service: with
access control on, the edge's calls are made in moto as the task's role (send and receive a
message) and must succeed, and a call the edge does not need (delete the queue) must be denied.
Where moto's access control is wrong for the service (see CALLED), the role's policies are
evaluated with moto's own policy evaluator. Secrets are read back in their region. The outcome
says which way each edge was proven.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from blueprints.plan_model import AnyStorePlan, Plan, ServicePlan
from generators.aws.tags import ROLE_TAG
from hld.checks.registry import Check, Run
from hld.graph import Graph, Resource, doc, prefixed, tags, value

NOT_NEEDED = {"queue": "sqs:DeleteQueue", "object": "s3:DeleteBucket", "key-value": "dynamodb:DeleteTable"}
"""A call each kind of edge never needs: the role must be refused it."""
CALLED = frozenset({"queue"})
"""Edges proven by calls in moto as the role. Not DynamoDB (moto's access control checks no table
ARN: it refuses a role its table's grant) nor S3 (moto applies a bucket policy's Deny without
evaluating its condition, so the TLS-only policy refuses every call): moto's policy evaluator
over the role's policies proves those."""


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
    """Clients signed as `role_arn` (assumed in moto), with moto's IAM access control on."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    from hld.offline.moto.clients import signed_client

    creds = client("sts", region).assume_role(RoleArn=role_arn, RoleSessionName="hld-edge")["Credentials"]
    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield lambda service: signed_client(service, region, creds)
    finally:
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


def _called(make: Callable[[str], Any], store: AnyStorePlan, resource: Resource) -> list[str]:
    """The edge's calls as the role: what it needs succeeds, what it does not is refused."""
    problems = []
    if store.kind == "queue":
        sqs, url = make("sqs"), str(value(resource, "url") or resource.id)
        if _denied(lambda: sqs.send_message(QueueUrl=url, MessageBody="hld edge proof")):
            problems.append("sqs:SendMessage refused")
        # WaitTimeSeconds=0: the queue's long polling (up to 20 s) must not hold the check when an
        # earlier edge's proof already took the message
        if _denied(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)):
            problems.append("sqs:ReceiveMessage refused")
        if not _denied(lambda: sqs.delete_queue(QueueUrl=url)):
            problems.append("sqs:DeleteQueue allowed, which the edge never needs")
    elif store.kind == "object":
        s3, bucket = make("s3"), str(value(resource, "bucket"))
        if _denied(lambda: s3.put_object(Bucket=bucket, Key="hld-edge-proof", Body=b"x")):
            problems.append("s3:PutObject refused")
        if _denied(lambda: s3.get_object(Bucket=bucket, Key="hld-edge-proof")):
            problems.append("s3:GetObject refused")
        if not _denied(lambda: s3.delete_bucket(Bucket=bucket)):
            problems.append("s3:DeleteBucket allowed, which the edge never needs")
    return problems


def data_flow(run: Run) -> tuple[list[str], str]:
    """Every `uses` edge, in every region its service runs: network both ways, identity, key,
    secret, discovery (see the module's docstring); the detail counts how each was proven."""
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
            for name in svc.stores:
                out += _edge(run, edges, svc, plan.store(name), region, env, secrets, role, execution, proofs)
    total = sum(proofs.values())
    detail = (
        f"{proofs['edges']} edges (service x store x region) proven: "
        + ", ".join(f"{what} {n}" for what, n in sorted(proofs.items()) if what != "edges")
        if total
        else "no data-flow edges"
    )
    return out, detail


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
) -> list[str]:
    plan, g, out = run.plan, run.graph, []
    label = f"{svc.name} -> {store.name} in {region}"
    key = store.name.upper().replace("-", "_")
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
    # identity and key
    if store.kind in NOT_NEEDED:
        if resource is None:
            return [*out, f"{label}: no {store.kind} resource reachable from {region}"]
        arn = _arn_in(resource, region)
        policies = edges.policies(role)
        if store.kind in CALLED and run.client is not None:
            with _as_role(run.client, role, region) as make:
                out += [f"{label}: {p} as the task's role (a call in moto)" for p in _called(make, store, resource)]
            proofs["identity: calls in moto as the task role"] += 1
        else:
            target = arn if store.kind != "object" else f"{arn}/hld-edge-proof"
            needed = {"key-value": "dynamodb:PutItem", "queue": "sqs:SendMessage", "object": "s3:PutObject"}[store.kind]
            if not _permits(policies, needed, target):
                out.append(f"{label}: the task role may not {needed} on {arn}")
            if _permits(policies, NOT_NEEDED[store.kind], arn):
                out.append(f"{label}: the task role may {NOT_NEEDED[store.kind]}, which the edge never needs")
            proofs["identity: moto's policy evaluator"] += 1
        key_arn = _key_of(g, resource, region)
        if key_arn and not _permits(policies, "kms:GenerateDataKey", key_arn):
            out.append(f"{label}: the task role may not use the key {key_arn.rsplit('/', 1)[-1]} of {store.name}")
    # secret
    wanted = [
        n for n in secrets if n.startswith(f"{key}_") and (n.endswith("_CREDENTIALS") or n.endswith("_AUTH_TOKEN"))
    ]
    for name in wanted:
        arn = secrets[name]
        if arn.split(":")[3] != region:
            out.append(f"{label}: {name} is read from {arn.split(':')[3]}")
        if not _permits(edges.policies(execution), "secretsmanager:GetSecretValue", arn):
            out.append(f"{label}: the execution role may not read {name}")
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


CHECKS: tuple[Check, ...] = (Check("data-flow", "Every data-flow edge, in every region", None, data_flow),)

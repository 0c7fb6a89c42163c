"""The §7 security and data-safety checks: every stack passes them, and each default, when
removed from the program (a Pulumi stack transformation strips it before registration),
makes its check fail and name the resource."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from hld.checks import CHECKS, SECURITY
from hld.testing import Tested as Result
from hld.testing import synth, synth_blueprint
from tests.helpers import ROOT

EVERY_KIND = ROOT / "tests" / "data" / "stacks" / "every-kind.yaml"


def test_every_stack_passes_every_security_check(any_stack):
    outcomes = any_stack.checks(SECURITY)
    assert [o.check for o in outcomes] == list(SECURITY)
    failed = {o.check: o.problems for o in outcomes if not o.ok}
    assert not failed
    assert {o.check for o in outcomes if o.status == "skip"} <= {"waf"}  # only what a blueprint did not ask for


def test_every_check_is_documented():
    for check in CHECKS.values():
        assert check.doc and check.title, check.key


def test_an_unknown_check_name_is_refused_with_the_names(any_stack):
    with pytest.raises(ValueError, match=r"no check named 'encryption'; checks: .*encryption-at-rest"):
        any_stack.checks(["encryption"])
    [one] = any_stack.checks("tls")  # one name alone: that check, not its letters
    assert one.check == "tls"


def put(obj: Any, key: str, value: Any) -> None:
    if isinstance(obj, dict):
        obj[key] = value
    else:
        pulumi.set(obj, key, value)


def get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else pulumi.get(obj, key)


def containers(change: Callable[[dict], dict]) -> Callable[[dict], None]:
    def apply(props: dict) -> None:
        props["container_definitions"] = pulumi.Output.from_input(props["container_definitions"]).apply(
            lambda text: json.dumps([change(c) for c in json.loads(text)])
        )

    return apply


def unprotect(props: dict) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(protect=False, retain_on_delete=False)


@dataclass(frozen=True)
class Removal:
    """Remove one default from one resource; `check` must then report `expect` about `name`."""

    id: str
    check: str
    type: str
    name: str
    change: Callable[[dict], Any]
    expect: str
    subject: str = ""  # the resource the finding names, when not the one changed

    @property
    def about(self) -> str:
        return self.subject or self.name


REMOVALS = [
    Removal(
        "listener-tls-policy",
        "tls",
        "aws:lb/listener:Listener",
        "every-kind-https-us-east-1",
        lambda p: p.update(ssl_policy="ELBSecurityPolicy-2016-08"),
        "admits TLS older than 1.2",
    ),
    Removal(
        "http-redirect",
        "tls",
        "aws:lb/listener:Listener",
        "every-kind-http-redirect-us-east-1",
        lambda p: p.update(
            default_actions=[
                {"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "200"}}
            ]
        ),
        "serves plain HTTP",
    ),
    Removal(
        "cdn-redirect-to-https",
        "tls",
        "aws:cloudfront/distribution:Distribution",
        "every-kind-cdn",
        lambda p: put(p["default_cache_behavior"], "viewer_protocol_policy", "allow-all"),
        "allows plain HTTP",
    ),
    Removal(
        "cache-in-transit",
        "tls",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "every-kind-cache-us-east-1",
        lambda p: p.update(transit_encryption_enabled=False, transit_encryption_mode=None),
        "in-transit encryption is off",
    ),
    Removal(
        "postgres-force-ssl",
        "tls",
        "aws:rds/parameterGroup:ParameterGroup",
        "every-kind-items-params-us-east-1",
        lambda p: p.update(parameters=[]),
        "rds.force_ssl",
        "every-kind-items-us-east-1",
    ),
    Removal(
        "bucket-tls-only",
        "tls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "every-kind-files-tls-only-us-east-1",
        lambda p: p.update(policy=json.dumps({"Version": "2012-10-17", "Statement": []})),
        "without TLS",
        "every-kind-files-us-east-1",
    ),
    Removal(
        "key-rotation",
        "encryption-at-rest",
        "aws:kms/key:Key",
        "every-kind-key-us-east-1",
        lambda p: p.update(enable_key_rotation=False),
        "key rotation is off",
    ),
    Removal(
        "rds-kms",
        "encryption-at-rest",
        "aws:rds/instance:Instance",
        "every-kind-items-us-east-1",
        lambda p: p.update(storage_encrypted=False, kms_key_id=None),
        "storage is not encrypted",
    ),
    Removal(
        "replica-kms",
        "encryption-at-rest",
        "aws:rds/instance:Instance",
        "every-kind-items-replica-us-west-2",
        lambda p: p.update(kms_key_id=None),
        "not encrypted with the region's KMS key",
    ),
    Removal(
        "table-kms",
        "encryption-at-rest",
        "aws:dynamodb/table:Table",
        "every-kind-sessions",
        lambda p: p.update(server_side_encryption=None),
        "customer-managed KMS key",
    ),
    Removal(
        "cache-at-rest",
        "encryption-at-rest",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "every-kind-cache-us-east-1",
        lambda p: p.update(at_rest_encryption_enabled=False, kms_key_id=None),
        "not encrypted at rest",
    ),
    Removal(
        "queue-kms",
        "encryption-at-rest",
        "aws:sqs/queue:Queue",
        "every-kind-jobs-us-west-2",
        lambda p: p.update(kms_master_key_id=None),
        "not encrypted with a KMS key",
    ),
    Removal(
        "bucket-kms",
        "encryption-at-rest",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "every-kind-files-encryption-us-east-1",
        lambda p: p.update(rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]),
        "no default encryption with a KMS key",
        "every-kind-files-us-east-1",
    ),
    Removal(
        "logs-kms",
        "encryption-at-rest",
        "aws:cloudwatch/logGroup:LogGroup",
        "every-kind-api-logs-us-east-1",
        lambda p: p.update(kms_key_id=None),
        "log group not encrypted",
    ),
    Removal(
        "rds-export-log-group",
        "keyed-logs-and-secrets",
        "aws:cloudwatch/logGroup:LogGroup",
        "every-kind-items-logs-us-east-1",
        lambda p: p.update(name="/aws/rds/instance/somewhere-else/postgresql"),
        "which is not made here (AWS makes it, under its own key",
        "every-kind-items-us-east-1",
    ),
    Removal(
        "insights-log-group-key",
        "keyed-logs-and-secrets",
        "aws:cloudwatch/logGroup:LogGroup",
        "every-kind-insights-logs-us-west-2",
        lambda p: p.update(kms_key_id="arn:aws:kms:us-west-2:123456789012:alias/aws/logs"),
        "is not under us-west-2's customer-managed key",
    ),
    Removal(
        "secret-key",
        "keyed-logs-and-secrets",
        "aws:secretsmanager/secret:Secret",
        "every-kind-cache-auth-us-west-2",
        lambda p: p.update(kms_key_id=None),
        "not under us-west-2's customer-managed key (aws/secretsmanager)",
    ),
    Removal(
        "secret-replica-key",
        "keyed-logs-and-secrets",
        "aws:secretsmanager/secret:Secret",
        "every-kind-items-admin",
        lambda p: [put(replica, "kms_key_id", None) for replica in p["replicas"]],
        "its replica in us-west-2 is not under that region's customer-managed key",
    ),
    Removal(
        "rds-private",
        "private-data",
        "aws:rds/instance:Instance",
        "every-kind-items-replica-us-east-1b",
        lambda p: p.update(publicly_accessible=True),
        "publicly accessible",
    ),
    Removal(
        "task-public-ip",
        "private-data",
        "aws:ecs/service:Service",
        "every-kind-worker-us-east-1",
        lambda p: put(p["network_configuration"], "assign_public_ip", True),
        "tasks get public IPs",
    ),
    Removal(
        "bucket-public-access",
        "private-data",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "every-kind-files-public-access-us-east-1",
        lambda p: p.update(block_public_policy=False),
        "public access is not blocked",
        "every-kind-files-us-east-1",
    ),
    Removal(
        "store-open-to-world",
        "data-flow-network",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "every-kind-in-cache-from-api-us-east-1",
        lambda p: p.update(referenced_security_group_id=None, cidr_ipv4="0.0.0.0/0"),
        "to the internet",
    ),
    Removal(
        "store-port-range",
        "data-flow-network",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "every-kind-in-items-from-api-us-east-1",
        lambda p: p.update(from_port=0, to_port=65535),
        "opens a port range",
    ),
    Removal(
        "managed-password",
        "managed-secrets",
        "aws:rds/instance:Instance",
        "every-kind-items-us-east-1",
        lambda p: p.update(
            manage_master_user_password=None,
            password_wo=None,
            password_wo_version=None,
            password="not-a-secret-any-more",
        ),
        "not managed by Secrets Manager",
    ),
    Removal(
        "write-only-from-state",
        "managed-secrets",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "every-kind-cache-us-west-2",
        lambda p: p.update(auth_token_wo="a-value-made-anew-on-every-preview"),
        "authTokenWo is not a password kept in the stack's state",
    ),
    Removal(
        "write-only-version",
        "managed-secrets",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "every-kind-items-admin-version",
        lambda p: p.update(secret_string_wo_version=7),
        "secretStringWoVersion 7.0 does not follow the rotation of every-kind-items-admin-password",
    ),
    Removal(
        "non-root-user",
        "non-root",
        "aws:ecs/taskDefinition:TaskDefinition",
        "every-kind-api-task-us-east-1",
        containers(lambda c: {k: v for k, v in c.items() if k != "user"}),
        "runs as root",
    ),
    Removal(
        "read-only-root",
        "non-root",
        "aws:ecs/taskDefinition:TaskDefinition",
        "every-kind-worker-task-us-east-1",
        containers(lambda c: {**c, "readonlyRootFilesystem": False}),
        "writable root filesystem",
    ),
    Removal(
        "rds-deletion-protection",
        "deletion-protection",
        "aws:rds/instance:Instance",
        "every-kind-items-us-east-1",
        lambda p: p.update(deletion_protection=False),
        "deletion protection is off",
    ),
    Removal(
        "rds-final-snapshot",
        "deletion-protection",
        "aws:rds/instance:Instance",
        "every-kind-items-us-east-1",
        lambda p: p.update(skip_final_snapshot=True),
        "no final snapshot",
    ),
    Removal(
        "table-deletion-protection",
        "deletion-protection",
        "aws:dynamodb/table:Table",
        "every-kind-sessions",
        lambda p: p.update(deletion_protection_enabled=False),
        "deletion protection is off",
    ),
    Removal(
        "alb-deletion-protection",
        "deletion-protection",
        "aws:lb/loadBalancer:LoadBalancer",
        "every-kind-alb-us-west-2",
        lambda p: p.update(enable_deletion_protection=False),
        "deletion protection is off",
    ),
    Removal(
        "pulumi-protect",
        "deletion-protection",
        "aws:s3/bucket:Bucket",
        "every-kind-files-us-west-2",
        unprotect,
        "stateful but not protect / retainOnDelete",
    ),
    Removal(
        "rds-backups",
        "backups",
        "aws:rds/instance:Instance",
        "every-kind-items-us-east-1",
        lambda p: p.update(backup_retention_period=1),
        "backups kept 1 days",
    ),
    Removal(
        "table-pitr",
        "backups",
        "aws:dynamodb/table:Table",
        "every-kind-sessions",
        lambda p: p.update(point_in_time_recovery=None),
        "point-in-time recovery is off",
    ),
    Removal(
        "backup-copy",
        "backups",
        "aws:backup/plan:Plan",
        "every-kind-backup-plan",
        lambda p: [put(rule, "copy_actions", None) for rule in p["rules"]],
        "not copied to us-west-2",
    ),
    Removal(
        "dead-letter",
        "dead-letter-queues",
        "aws:sqs/queue:Queue",
        "every-kind-jobs-us-east-1",
        lambda p: p.update(redrive_policy=None),
        "no dead-letter queue",
    ),
    Removal(
        "alb-waf",
        "waf",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "every-kind-waf-association-us-west-2",
        lambda p: p.update(resource_arn="arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/x/1"),
        "no web ACL associated",
        "every-kind-alb-us-west-2",
    ),
    Removal(
        "cdn-waf",
        "waf",
        "aws:cloudfront/distribution:Distribution",
        "every-kind-cdn",
        lambda p: p.update(web_acl_id=None),
        "no web ACL",
    ),
]


def test_removals_are_distinct():
    assert len({(r.type, r.name, r.expect) for r in REMOVALS}) == len(REMOVALS)
    assert {r.check for r in REMOVALS} == set(SECURITY)


def _removal(removal: Removal):
    """The removal as an hld.testing transform."""

    def transform(typ: str, name: str, props: dict):
        if typ != removal.type or name != removal.name:
            return None
        changed = removal.change(props)
        return (props, changed) if isinstance(changed, pulumi.ResourceOptions) else props

    return transform


@functools.cache
def baseline() -> Result:
    return synth_blueprint(EVERY_KIND, stack="every-kind")


@functools.cache
def stripped() -> Result:
    """every-kind with every default in REMOVALS stripped (one run; each removal asserts its own finding)."""
    return synth(EVERY_KIND, stack="every-kind", cloud="mocks", transforms=[_removal(r) for r in REMOVALS])


def test_every_kind_passes_every_check():
    outcomes = baseline().checks(SECURITY)
    assert all(o.status == "pass" for o in outcomes), [(o.check, o.problems) for o in outcomes]


@pytest.mark.parametrize("removal", REMOVALS, ids=lambda r: r.id)
def test_removing_a_default_fails_its_check(removal):
    names = {r.name for r in stripped().graph.resources if r.type == removal.type}
    assert removal.name in names, f"{removal.name} is not in the program any more; update REMOVALS"
    [outcome] = stripped().checks([removal.check])
    assert outcome.status == "fail"
    assert any(p.startswith(f"{removal.about}:") and removal.expect in p for p in outcome.problems), outcome.problems
    # and the untouched baseline does not report it
    [clean] = baseline().checks([removal.check])
    assert clean.status == "pass"


def test_relaxing_a_default_in_the_blueprint_turns_it_off(tmp_path):
    relaxed = tmp_path / "relaxed.yaml"
    relaxed.write_text(
        EVERY_KIND.read_text().replace("waf: true", "waf: false", 1)
        + "security:\n  deletion_protection: false\n  encryption_at_rest: false\n  backup_retention_days: 3\n"
    )
    result = synth_blueprint(relaxed, stack="relaxed")
    outcomes = {o.check: o for o in result.checks(SECURITY)}
    status = {k: o.status for k, o in outcomes.items()}
    assert status["deletion-protection"] == status["encryption-at-rest"] == status["backups"] == "skip"
    assert outcomes["backups"].detail == "turned off by the blueprint (backups)"
    # a control the design does not ask for is skipped with the plan's reason, not "turned off"
    assert status["waf"] == "skip" and outcomes["waf"].detail == "not asked for (edge.waf)"
    assert status["tls"] == status["private-data"] == status["data-flow-network"] == "pass"
    graph = result.graph
    writer = next(r for r in graph.of("aws.rds.Instance") if not r.inputs.get("replicateSourceDb"))
    assert writer.inputs["deletionProtection"] is False and not writer.protect
    assert writer.inputs["backupRetentionPeriod"] == 3
    assert not writer.inputs.get("kmsKeyId")
    assert not graph.has("aws.dynamodb.Table").inputs.get("serverSideEncryption", {}).get("kmsKeyArn")
    assert all(not q.inputs.get("kmsMasterKeyId") for q in graph.of("aws.sqs.Queue"))


def test_a_transform_that_changes_nothing_warns_with_the_type_tokens():
    url = ROOT / "blueprints" / "examples" / "url-shortener.yaml"

    def graph_spelling(typ, name, props):  # the graph's spelling, not the token transforms see
        return {**props, "deletion_protection": False} if typ == "aws.rds.Instance" else None

    with pytest.warns(UserWarning, match=r"no transform changed any resource; .*aws:"):
        synth(url, cloud="mocks", transforms=[graph_spelling])

    def token_spelling(typ, name, props):
        return {**props, "deletion_protection": False} if typ == "aws:rds/instance:Instance" else None

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert "deletion-protection" in synth(url, cloud="mocks", transforms=[token_spelling]).tally().failed

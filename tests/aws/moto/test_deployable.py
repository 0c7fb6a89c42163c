"""What `pulumi up` on real AWS needs, under moto: each finding of the review is fixed (read back
from moto's AWS), and each class of finding is refused by the offline cloud or failed by a named
check that fires when the fix is taken away."""

from __future__ import annotations

import dataclasses
import json

import pytest

from generators.aws import versions
from generators.aws.program import longest_zone
from hld.checks import DEPLOYABLE, Run, evaluate
from hld.errors import CloudRejected
from hld.graph import Graph, Resource, value
from hld.offline.refusals import refusal
from hld.testing import synth
from tests.aws.mocks.conftest import STACKS
from tests.aws.moto.conftest import in_moto
from tests.helpers import DESIGNS, make


def fresh(stack: str):
    """A run of its own: its moto state stays readable until the next moto-backed run."""
    from hld.testing import synth_stack

    return synth_stack(stack, cloud="moto")


def changed(result, edit) -> Run:
    """The run with `edit(resource) -> Resource | None` applied (None drops it)."""
    resources = [r2 for r in result.graph.resources if (r2 := edit(r)) is not None]
    return Run(result.plan, Graph(resources), result.outputs)


def problems(run: Run, key: str) -> list[str]:
    [outcome] = evaluate(run, [key])
    assert outcome.status == "fail", f"{key} did not fire"
    return outcome.problems


def with_inputs(r: Resource, **inputs) -> Resource:
    return dataclasses.replace(r, inputs={**r.inputs, **inputs}, state={**r.state, **inputs})


@pytest.mark.parametrize("stack", STACKS)
def test_no_deployability_check_fires_on_a_reference_stack(stack):
    outcomes = in_moto(stack).checks(DEPLOYABLE)
    assert [o.check for o in outcomes] == list(DEPLOYABLE)
    # peering routes and replication directions are not applicable where no flow crosses regions
    assert all(o.status == "pass" or o.detail.startswith("not applicable: ") for o in outcomes), [
        (o.check, o.problems) for o in outcomes
    ]


# 2. key policies ---------------------------------------------------------------------------------


def test_each_regions_key_lets_cloudwatch_logs_use_it_in_moto():
    result = fresh("url-shortener-prod")
    for region in ("us-east-1", "us-west-2"):
        kms = result.client("kms", region)
        [key] = [
            k
            for k in kms.list_keys()["Keys"]
            if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"
        ]
        policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        principals = [s["Principal"] for s in policy["Statement"]]
        assert {"Service": f"logs.{region}.amazonaws.com"} in principals
        assert {"AWS": "arn:aws:iam::123456789012:root"} in principals


def test_key_policies_fires_without_the_logs_statement_or_the_account():
    result = in_moto("url-shortener-prod")

    def strip(keep):
        def edit(r):
            if r.type != "aws:kms/key:Key":
                return r
            policy = json.loads(value(r, "policy"))
            policy["Statement"] = [s for s in policy["Statement"] if keep(s)]
            return with_inputs(r, policy=json.dumps(policy))

        return edit

    no_logs = problems(changed(result, strip(lambda s: s["Sid"] != "CloudWatchLogsEncrypts")), "key-policies")
    assert any("CloudWatch Logs may not use" in p and "AccessDenied" in p for p in no_logs)
    no_admin = problems(changed(result, strip(lambda s: s["Sid"] != "AccountAdministers")), "key-policies")
    assert any("administer" in p for p in no_admin)


def test_a_static_sites_key_lets_cloudfront_decrypt():
    result = synth(DESIGNS / "static-site.yaml", cloud="moto")
    [key] = result.graph.of("aws:kms/key:Key")
    assert "cloudfront.amazonaws.com" in value(key, "policy")

    def edit(r):
        if r.type != "aws:kms/key:Key":
            return r
        policy = json.loads(value(r, "policy"))
        policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "CloudFrontReadsTheSite"]
        return with_inputs(r, policy=json.dumps(policy))

    assert any("CloudFront may not decrypt" in p for p in problems(changed(result, edit), "key-policies"))


# 3. engine versions ------------------------------------------------------------------------------


def test_engine_versions_come_from_the_dated_table_and_others_are_refused(monkeypatch):
    assert versions.VERSIONS["postgres"].version == "16"  # the major: AWS creates its newest minor
    assert refusal("aws:rds/instance:Instance", {"engine": "postgres", "engineVersion": "16.4"}).startswith(
        "InvalidParameterCombination: Cannot find version 16.4 for postgres"
    )
    assert refusal("aws:rds/instance:Instance", {"engine": "postgres", "engineVersion": "16"}) is None
    assert refusal("aws:elasticache/replicationGroup:ReplicationGroup", {"engine": "valkey", "engineVersion": "6.0"})
    stale = dataclasses.replace(versions.VERSIONS["postgres"], version="16.4")
    monkeypatch.setitem(versions.VERSIONS, "postgres", stale)
    with pytest.raises(CloudRejected, match=r"Cannot find version 16\.4 for postgres"):
        synth(DESIGNS / "regional-api.yaml", cloud="moto")


def test_every_pinned_version_is_one_aws_creates():
    for row in versions.VERSIONS.values():
        assert row.version in row.creatable and row.checked and row.source.startswith("https://")


# 4. creation order -------------------------------------------------------------------------------


def test_ecs_services_wait_for_the_rule_that_forwards_to_their_target_group():
    result = in_moto("url-shortener-prod")
    g = result.graph
    for svc in g.of("aws:ecs/service:Service"):
        if value(svc, "load_balancers"):
            rules = [r for r in g.of("aws:lb/listenerRule:ListenerRule") if r.region == svc.region]
            assert any(g.waits_on(svc, rule) for rule in rules), svc.name
    cut = changed(
        result, lambda r: dataclasses.replace(r, dependencies=()) if r.type == "aws:ecs/service:Service" else r
    )
    assert any("associated load balancer" in p for p in problems(cut, "ordering"))


def test_an_aurora_secondary_waits_for_the_writer_instance_and_keeps_its_replication_source():
    aurora = make(
        availability=99.9,
        consistency="eventual",
        redundancy={"level": "multi-region", "replication": "passive"},
        rto="30m",
    )
    aurora["datastores"][0]["engine"] = "aurora-postgresql"
    result = synth(aurora, cloud="moto")
    secondary = [c for c in result.graph.of("aws:rds/cluster:Cluster") if not value(c, "master_username")]
    assert secondary and all("replicationSourceIdentifier" in c.ignore_changes for c in secondary)
    writers = result.graph.of("aws:rds/clusterInstance:ClusterInstance")
    assert any(result.graph.waits_on(secondary[0], w) for w in writers if w.region == "us-east-1")
    loose = changed(
        result,
        lambda r: dataclasses.replace(r, dependencies=(), ignore_changes=()) if r in secondary else r,
    )
    found = problems(loose, "ordering")
    assert any("writer instance" in p for p in found) and any("replication source" in p for p in found)


# 5. peering routes -------------------------------------------------------------------------------


def test_isolated_subnets_route_to_the_peer_region_in_moto():
    result = fresh("url-shortener-prod")
    ec2 = result.client("ec2", "us-east-1")
    peer_cidr = next(n.cidr for n in result.plan.networks if n.region == "us-west-2")
    [table] = [
        t for t in result.graph.of("aws:ec2/routeTable:RouteTable") if "isolated" in t.name and t.region == "us-east-1"
    ]
    [moto_table] = ec2.describe_route_tables(RouteTableIds=[table.id])["RouteTables"]
    assert any(
        r.get("DestinationCidrBlock") == peer_cidr and r.get("VpcPeeringConnectionId") for r in moto_table["Routes"]
    )
    cut = changed(result, lambda r: None if r.type == "aws:ec2/route:Route" and "isolated" in r.name else r)
    assert any("isolated subnets" in p for p in problems(cut, "peering-routes"))


# 6. secrets in each region -----------------------------------------------------------------------


def test_each_region_reads_its_own_region_s_secret():
    """The cache's AUTH token (services never get the database's master secret: IAM authentication)."""
    result = fresh("url-shortener-prod")
    tasks = [t for t in result.graph.of("aws:ecs/taskDefinition:TaskDefinition") if "shortener-task" in t.name]
    for task in tasks:
        [container] = json.loads(value(task, "container_definitions"))
        assert not any(s["name"] == "CLICK_STATS_CREDENTIALS" for s in container["secrets"])
        [secret] = [s for s in container["secrets"] if s["name"] == "URL_CACHE_AUTH_TOKEN"]
        assert f":{task.region}:" in secret["valueFrom"]
        described = result.client("secretsmanager", task.region).describe_secret(SecretId=secret["valueFrom"])
        assert described["ARN"] == secret["valueFrom"]

    def elsewhere(r):
        if r not in tasks or r.region == "us-east-1":
            return r
        containers = json.loads(value(r, "container_definitions"))
        for c in containers:
            for s in c["secrets"]:
                s["valueFrom"] = s["valueFrom"].replace(":us-west-2:", ":us-east-1:")
        return with_inputs(r, containerDefinitions=json.dumps(containers))

    assert any("not its own region" in p for p in problems(changed(result, elsewhere), "managed-secrets"))


# 7. CloudFront methods ---------------------------------------------------------------------------


def test_write_routes_reach_the_origin_through_the_cdn():
    result = synth(DESIGNS / "wiki.yaml", cloud="moto")
    [distribution] = result.graph.of("aws:cloudfront/distribution:Distribution")
    [writes] = [b for b in value(distribution, "ordered_cache_behaviors") if b["pathPattern"] == "/wiki/*"]
    assert {"POST", "PUT", "PATCH", "DELETE"} <= set(writes["allowedMethods"])


# 8. S3 replication directions --------------------------------------------------------------------


def test_active_active_buckets_replicate_from_every_region_in_moto():
    result = fresh("social-feed-prod")
    regions = result.plan.regions.value
    store = next(s for s in result.plan.datastores if s.kind == "object")
    buckets = {b.region: value(b, "bucket") for b in result.graph.of("aws:s3/bucket:Bucket") if store.name in b.name}
    assert set(buckets) == set(regions)
    for region, bucket in buckets.items():
        rules = result.client("s3", region).get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"]
        assert len(rules) == len(regions) - 1
    one = changed(
        result,
        lambda r: (
            None if r.type.endswith("bucketReplicationConfig:BucketReplicationConfig") and r.region == regions[1] else r
        ),
    )
    assert any(f"writes in {regions[1]} do not replicate" in p for p in problems(one, "replication-directions"))
    assert "two-way" in store.replication.value


# 9. backup of S3 ---------------------------------------------------------------------------------


def test_the_backup_role_holds_the_s3_policies_in_moto():
    result = fresh("social-feed-prod")
    iam = result.client("iam", "us-east-1")
    [role] = [r["RoleName"] for r in iam.list_roles()["Roles"] if "backup-role" in r["RoleName"]]
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]}
    assert "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup" in attached
    assert "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore" in attached
    cut = changed(result, lambda r: None if "S3" in str(r.inputs.get("policyArn", "")) else r)
    assert any("S3 backup and restore policies" in p for p in problems(cut, "backup-permissions"))


# 10. WAF body size -------------------------------------------------------------------------------


def test_the_waf_lets_write_routes_carry_large_bodies_in_moto():
    result = fresh("url-shortener-prod")
    assert "8 KB" in result.plan.edge.waf.reason and result.plan.edge.waf_body_methods == ["POST"]
    wafv2 = result.client("wafv2", "us-east-1")
    summary = wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"][0]
    rules = wafv2.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]["Rules"]
    common = next(r for r in rules if r["Name"] == "AWSManagedRulesCommonRuleSet")
    overrides = common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert overrides == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    after = next(r for r in rules if r["Name"] == "LargeBodiesOnlyOnWrites")
    assert after["Priority"] > common["Priority"] and "Block" in after["Action"]

    def blocking(r):
        if r.type != "aws:wafv2/webAcl:WebAcl":
            return r
        text = json.dumps(value(r, "rules")).replace("SizeRestrictions_BODY", "Other")
        return with_inputs(r, rules=json.loads(text))

    assert any("8 KB" in p for p in problems(changed(result, blocking), "waf"))


# 11. the writer's name ---------------------------------------------------------------------------


def test_applications_reach_a_movable_writer_by_a_private_name_in_every_region():
    result = fresh("url-shortener-prod")
    store = result.plan.store("click-stats")
    assert store.writer_name is not None and store.writer_name.value == "writer.click-stats.url-shortener.internal"
    [zone] = result.graph.of("aws:route53/zone:Zone")
    vpcs = result.client("route53", "us-east-1").get_hosted_zone(Id=zone.id)["VPCs"]
    assert {v["VPCRegion"] for v in vpcs} == {"us-east-1", "us-west-2"}
    for task in result.graph.of("aws:ecs/taskDefinition:TaskDefinition"):
        if "analytics" in task.name:
            [container] = json.loads(value(task, "container_definitions"))
            env = {e["name"]: e["value"] for e in container["environment"]}
            assert env["CLICK_STATS_HOST"] == store.writer_name.value
    assert any("promote-read-replica" in step for step in result.plan.dr.runbook)


# 12. cache authentication ------------------------------------------------------------------------


def test_caches_require_their_auth_token_in_moto():
    result = fresh("url-shortener-prod")
    ec = result.client("elasticache", "us-east-1")
    [group] = ec.describe_replication_groups()["ReplicationGroups"]
    assert group["AuthTokenEnabled"] is True and group["TransitEncryptionEnabled"] is True
    open_cache = changed(
        result,
        lambda r: (
            dataclasses.replace(
                r,
                inputs={k: v for k, v in r.inputs.items() if not k.startswith("authToken")},
                state={**r.state, "authTokenEnabled": False},
            )
            if r.type.endswith("replicationGroup:ReplicationGroup")
            else r
        ),
    )
    assert any("no AUTH token" in p for p in problems(open_cache, "private-data"))


# 13. the smaller ones ----------------------------------------------------------------------------


def test_the_cpu_architecture_is_a_knob_defaulting_to_x86_64():
    result = in_moto("url-shortener-prod")
    for task in result.graph.of("aws:ecs/taskDefinition:TaskDefinition"):
        assert value(task, "runtime_platform")["cpuArchitecture"] == "X86_64"
    doc = make()
    doc["services"][0]["architecture"] = "arm64"
    arm = synth(doc, cloud="mocks")
    assert {
        value(t, "runtime_platform")["cpuArchitecture"] for t in arm.graph.of("aws:ecs/taskDefinition:TaskDefinition")
    } == {"ARM64"}


def test_names_hld_sets_carry_the_stack():
    result = in_moto("url-shortener-prod")
    [alias] = result.graph.of("aws:kms/alias:Alias")[:1]
    assert value(alias, "name") == "alias/url-shortener-url-shortener-prod"
    bare = changed(
        result, lambda r: with_inputs(r, name="alias/url-shortener") if r.type == "aws:kms/alias:Alias" else r
    )
    assert any("does not carry the stack" in p for p in problems(bare, "stack-names"))


@pytest.mark.parametrize(
    ("domain", "zones", "expected"),
    [
        ("dev.short.example.com", [("Z1", "example.com.", False), ("Z2", "short.example.com.", False)], "Z2"),
        ("dev.short.example.com", [("Z1", "example.com.", False)], "Z1"),
        ("example.com", [("Z1", "example.com.", False), ("Z3", "com.", False)], "Z1"),
        ("short.example.com", [("Z1", "example.com.", False), ("Z4", "short.example.com.", True)], "Z1"),
    ],
)
def test_the_hosted_zone_is_the_longest_public_suffix(domain, zones, expected):
    assert longest_zone(domain, zones) == expected


def test_no_zone_for_the_domain_names_the_config_key():
    import pulumi

    with pytest.raises(pulumi.RunError, match="hld:hostedZoneId"):
        longest_zone("app.example.org", [("Z1", "example.com.", False)])


def test_a_cross_region_replica_is_created_without_backups_or_a_final_snapshot():
    result = in_moto("url-shortener-prod")
    replica = next(
        r
        for r in result.graph.of("aws:rds/instance:Instance")
        if value(r, "replicate_source_db") and r.region == "us-west-2"
    )
    assert value(replica, "skip_final_snapshot") is True and not replica.inputs.get("finalSnapshotIdentifier")
    assert not replica.inputs.get("backupRetentionPeriod")
    assert refusal(
        "aws:rds/instance:Instance",
        {"replicateSourceDb": "arn:aws:rds:us-east-1:1:db:x", "finalSnapshotIdentifier": "f"},
    )
    assert refusal(
        "aws:rds/instance:Instance", {"replicateSourceDb": "arn:aws:rds:us-east-1:1:db:x", "backupRetentionPeriod": 7}
    )


# 13. logs and secrets under the region's key, one password in state (issue 24 §1) -----------------


def test_the_log_groups_aws_writes_to_are_under_the_regions_key_and_the_secret_holds_the_password_in_moto():
    result = fresh("url-shortener-prod")
    g = result.graph
    keys = {k.region: value(k, "arn") for k in g.of("aws:kms/key:Key")}
    for region in ("us-east-1", "us-west-2"):
        logs = result.client("logs", region)
        found = {x["logGroupName"]: x for x in logs.describe_log_groups()["logGroups"]}
        made_by_aws = [n for n in found if n.startswith(("/aws/rds/", "/aws/ecs/containerinsights/"))]
        assert len(made_by_aws) == 2, made_by_aws  # the database's (writer or replica) and Container Insights'
        assert all(found[n].get("kmsKeyId") == keys[region] for n in made_by_aws)
    [password] = [p for p in g.of("random:index/randomPassword:RandomPassword") if "admin" in p.name]
    [secret] = [s for s in g.of("aws:secretsmanager/secret:Secret") if "admin" in s.name]
    stored = result.client("secretsmanager", "us-east-1").get_secret_value(SecretId=secret.id)["SecretString"]
    assert json.loads(stored)["password"] == password.state["result"]
    row = next(r for r in result.coverage().rows() if r["type"] == password.type)
    assert row["recorded"] == 3 and row["note"].startswith("recorded only")  # no AWS API makes it


def test_a_log_group_made_after_the_database_that_exports_to_it_is_refused_in_moto():
    """RDS makes the group it exports to when it is missing: hld's CreateLogGroup afterwards is
    refused, as AWS refuses it (the order `keyed-logs-and-secrets` requires)."""
    import pulumi_aws as aws

    from hld.offline import run
    from hld.offline.moto import MotoMocks

    def program():
        db = aws.rds.Instance(
            "db",
            identifier="orders-prod-db",
            engine="postgres",
            engine_version="16",
            instance_class="db.t4g.micro",
            allocated_storage=20,
            username="hld_admin",
            manage_master_user_password=True,
            enabled_cloudwatch_logs_exports=["postgresql"],
        )
        aws.cloudwatch.LogGroup("logs", name=db.identifier.apply(lambda i: f"/aws/rds/instance/{i}/postgresql"))

    with pytest.raises(CloudRejected, match=r"ResourceAlreadyExistsException"):
        run({}, "order", MotoMocks("order"), program=program)

"""Issue 24 §1: one generated password kept in the stack's state, written write-only with a version
that follows it; every log group AWS writes to, and every secret, under the region's key; no engine
version pinned against the minor upgrades AWS applies. Each fix is read back from the program, and
its class is a named check that fails, naming the resource, when a transform takes the fix away."""

from __future__ import annotations

import copy
import dataclasses
import json

import pulumi
import pytest
import yaml

from generators.aws import common
from hld import offline
from hld.checks import Run, evaluate
from hld.graph import Graph, Resource, value
from hld.offline import EchoMocks, run
from hld.testing import synth
from tests.aws.mocks.conftest import STACKS, synthesized
from tests.helpers import EXAMPLES, ROOT, make

URL = EXAMPLES / "url-shortener.yaml"
SINGLE_RDS = make()
"""One region, no read replicas: RDS manages the master password."""
SINGLE_AURORA = copy.deepcopy(SINGLE_RDS)
SINGLE_AURORA["datastores"][0]["engine"] = "aurora-postgresql"
GLOBAL_AURORA = make(
    availability=99.9,
    consistency="eventual",
    redundancy={"level": "multi-region", "replication": "passive"},
    rto="30m",
)
GLOBAL_AURORA["datastores"][0]["engine"] = "aurora-postgresql"
GLOBAL_AURORA["datastores"].append({"name": "cache", "kind": "cache", "ttl": "5m"})
GLOBAL_AURORA["services"][0]["uses"] = ["db", "cache"]


def problems(result, key: str) -> list[str]:
    [outcome] = result.checks([key]) if hasattr(result, "checks") else evaluate(result, [key])
    assert outcome.status == "fail", f"{key} did not fire"
    return outcome.problems


def passes(result, key: str) -> bool:
    [outcome] = result.checks([key])
    return outcome.status == "pass"


def unwrap(v):
    return v.get("value") if isinstance(v, dict) and "value" in v else v


def only(typ: str, name_end: str, **changes):
    def transform(t: str, name: str, props: dict):
        if t != typ or not name.endswith(name_end):
            return None
        return {**props, **changes}

    return transform


# --- one password, in state -----------------------------------------------------------------------


def test_the_password_is_one_resource_in_state_and_every_write_only_version_follows_it(monkeypatch):
    calls: list[str] = []
    call = EchoMocks.call
    monkeypatch.setattr(EchoMocks, "call", lambda self, args: calls.append(args.token) or call(self, args))
    g = synth(URL, stack="url-shortener-prod", cloud="mocks").graph
    assert not [c for c in calls if "getRandomPassword" in c]  # no invoke that answers anew on every preview
    [password] = [p for p in g.of("random:index/randomPassword:RandomPassword") if "admin" in p.name]
    writer = next(r for r in g.of("aws:rds/instance:Instance") if r.inputs.get("passwordWo"))
    version = g.named("url-shortener-click-stats-admin-version")
    assert unwrap(writer.inputs["passwordWo"]) == password.state["result"]
    assert json.loads(unwrap(version.inputs["secretStringWo"]))["password"] == password.state["result"]
    assert writer.inputs["passwordWoVersion"] == version.inputs["secretStringWoVersion"] == 1
    assert writer.property_dependencies["passwordWo"] == (password.urn,)
    # rotating replaces the password and writes the new one to the database and to its secret
    monkeypatch.setattr(common, "ROTATION", 2)
    rotated = synth(URL, stack="url-shortener-prod", cloud="mocks").graph
    [new] = [p for p in rotated.of("random:index/randomPassword:RandomPassword") if "admin" in p.name]
    assert new.state["result"] != password.state["result"]
    writer = next(r for r in rotated.of("aws:rds/instance:Instance") if r.inputs.get("passwordWo"))
    assert writer.inputs["passwordWoVersion"] == rotated.named(version.name).inputs["secretStringWoVersion"] == 2
    assert unwrap(writer.inputs["passwordWo"]) == new.state["result"]


def test_no_write_only_secret_claims_to_stay_out_of_pulumis_state():
    for path in [*(ROOT / "generators").rglob("*.py"), *(ROOT / "hld").rglob("*.py"), ROOT / "README.md"]:
        text = " ".join(path.read_text().split())
        assert "never in the Pulumi state" not in text, path
        assert "never kept in state" not in text, path


# --- logs and secrets under the region's key ------------------------------------------------------


@pytest.mark.parametrize("design", [SINGLE_RDS, SINGLE_AURORA], ids=["rds", "aurora"])
def test_the_master_user_secret_rds_manages_is_under_the_regions_key(design):
    result = synth(design, stack="shop", cloud="mocks")
    g = result.graph
    [writer] = [r for r in g.of("aws:rds/instance:Instance") + g.of("aws:rds/cluster:Cluster")]
    [key] = g.of("aws:kms/key:Key")
    assert value(writer, "manage_master_user_password") is True
    assert value(writer, "master_user_secret_kms_key_id") == value(key, "arn")
    assert passes(result, "keyed-logs-and-secrets")
    broken = synth(
        design, stack="shop", cloud="mocks", transforms=[only(writer.type, "", master_user_secret_kms_key_id=None)]
    )
    found = problems(broken, "keyed-logs-and-secrets")
    assert found == [
        f"{writer.name}: the master user secret RDS manages is not under us-east-1's customer-managed key "
        "(aws/secretsmanager)"
    ]
    assert passes(broken, "encryption-at-rest")  # only the check of this claim notices


def test_every_log_group_aws_writes_to_is_made_first_under_the_regions_key():
    result = synthesized("url-shortener-prod")
    g = result.graph
    groups = {str(value(lg, "name")): lg for lg in g.of("aws:cloudwatch/logGroup:LogGroup")}
    keys = {k.region: value(k, "arn") for k in g.of("aws:kms/key:Key")}
    writers = [r for r in g.of("aws:rds/instance:Instance") if r.inputs.get("enabledCloudwatchLogsExports")]
    assert len(writers) == 2  # the writer and the cross-region replica
    for db in writers:
        group = groups[f"/aws/rds/instance/{value(db, 'identifier')}/postgresql"]
        assert group.region == db.region and value(group, "kms_key_id") == keys[db.region]
        assert value(group, "retention_in_days") == common.LOG_RETENTION_DAYS and g.waits_on(db, group)
    for cluster in g.of("aws:ecs/cluster:Cluster"):
        group = groups[f"/aws/ecs/containerinsights/{value(cluster, 'name')}/performance"]
        assert value(group, "kms_key_id") == keys[cluster.region] and g.waits_on(cluster, group)


def test_a_writer_created_before_its_log_group_fails_the_check():
    result = synthesized("e-commerce-prod")  # Aurora clusters, and an ECS cluster
    cut = [r for r in result.graph.resources if r.type in ("aws:rds/cluster:Cluster", "aws:ecs/cluster:Cluster")]
    graph = Graph([dataclasses.replace(r, dependencies=()) if r in cut else r for r in result.graph.resources])
    found = problems(Run(result.plan, graph, result.outputs), "keyed-logs-and-secrets")
    for r in cut:
        assert any(p.startswith(f"{r.name}: may be created before") and "ResourceAlreadyExists" in p for p in found)


def test_exports_and_insights_named_after_a_name_hld_does_not_set_fail_stack_names():
    result = synthesized("url-shortener-prod")
    foreign = [
        dataclasses.replace(r, state={**r.state, "identifier": "click-stats-primary"}, inputs={**r.inputs})
        if r.type == "aws:rds/instance:Instance" and r.inputs.get("enabledCloudwatchLogsExports")
        else r
        for r in result.graph.resources
    ]
    found = problems(Run(result.plan, Graph(foreign), result.outputs), "stack-names")
    assert any("identifier 'click-stats-primary' does not carry the stack" in p for p in found)


# --- engine versions AWS upgrades -------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_no_reference_stack_pins_a_version_against_aws(stack):
    assert passes(synthesized(stack), "engine-versions")


def test_an_rds_instance_pinned_to_a_minor_fails_engine_versions():
    broken = synth(
        SINGLE_RDS,
        stack="shop",
        cloud="mocks",
        transforms=[only("aws:rds/instance:Instance", "", engine_version="16.8")],
    )
    [writer] = broken.graph.of("aws:rds/instance:Instance")
    assert problems(broken, "engine-versions") == [
        f"{writer.name}: pins postgres 16.8 while AWS upgrades its minor version, and does not ignore "
        "engine-version changes: the next `pulumi up` after an upgrade would try to downgrade it (AWS refuses)"
    ]
    # with automatic minor upgrades off, nothing moves the version: a full one is fine
    still = synth(
        SINGLE_RDS,
        stack="shop",
        cloud="mocks",
        transforms=[only("aws:rds/instance:Instance", "", engine_version="16.8", auto_minor_version_upgrade=False)],
    )
    assert passes(still, "engine-versions")


AURORA_AND_CACHE = (
    "aws:rds/globalCluster:GlobalCluster",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:elasticache/replicationGroup:ReplicationGroup",
)


def _without_ignored_versions(design: dict, tmp_path) -> Run:
    """The program with a Pulumi stack transformation that drops `engineVersion` from every
    resource's ignore_changes (hld.testing's transforms can only add options)."""

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        kept = [c for c in args.opts.ignore_changes or [] if c != "engineVersion"]
        if args.type_ not in AURORA_AND_CACHE or kept == list(args.opts.ignore_changes or []):
            return None
        opts = copy.copy(args.opts)
        opts.ignore_changes = kept
        return pulumi.ResourceTransformationResult(args.props, opts)

    def program() -> None:
        pulumi.runtime.register_stack_transformation(transformation)
        offline.entry_point()

    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(design, sort_keys=False))
    config = {"hld:blueprint": str(path), "hld:target": "aws", "hld:environment": "production"}
    result = run(config, "shop", EchoMocks("shop"), program=program)
    return Run(result.plan, result.graph, result.outputs)


def test_aurora_and_caches_that_do_not_ignore_engine_version_changes_fail_engine_versions(tmp_path):
    clean = synth(GLOBAL_AURORA, stack="shop", cloud="mocks")
    versioned: list[Resource] = [r for t in AURORA_AND_CACHE for r in clean.graph.of(t)]
    assert {r.type for r in versioned} == set(AURORA_AND_CACHE)
    assert all("engineVersion" in r.ignore_changes for r in versioned)
    assert passes(clean, "engine-versions")
    found = problems(_without_ignored_versions(GLOBAL_AURORA, tmp_path), "engine-versions")
    assert sorted(p.split(":")[0] for p in found) == sorted(r.name for r in versioned)
    assert all("would try to downgrade it" in p for p in found)

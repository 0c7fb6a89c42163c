"""`hld audit`'s reading of a real deployment: a `pulumi stack export` becomes the graph the checks
read (hld.state), every reference stack's export audits clean, each drift made in the cloud (and
seen by `pulumi refresh` in the resources' outputs, the inputs left as the program declared them)
fails the check that owns it naming the resource, malformed files are refused as bad input, and a
check that needs a live account is skipped, never passed."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest

from hld.audit import NOT_IN_STATE, Audited, audit, audit_export
from hld.checks import CHECKS, Check
from hld.errors import BadInput
from hld.state import SECRET, SECRET_SIG, SIG, graph_of_export, outputs_of_export, read_export, stack_of_export
from tests.audit.exports import export, mutated, resources, secret
from tests.aws.mocks.conftest import STACKS, synthesized
from tests.helpers import EXAMPLES

STACK = "url-shortener-prod"
"""Two regions, an RDS writer with a cross-region read replica, services behind load balancers."""

# --- a hand-written export, as Pulumi documents the format --------------------------------------

S = "urn:pulumi:shop-prod::hld::"
ROOT = f"{S}pulumi:pulumi:Stack::hld-shop-prod"
NETWORK = f"{S}hld:aws:Network::shop-network"
EU = f"{S}hld:aws:Network$pulumi:providers:aws::shop-aws-eu-west-1"
DEFAULT = f"{S}pulumi:providers:aws::default_6_83_0"
RANDOM = f"{S}pulumi:providers:random::default_4_18_0"
VPC = f"{S}hld:aws:Network$aws:ec2/vpc:Vpc::shop-vpc"
SUBNET = f"{S}hld:aws:Network$aws:ec2/vpc:Vpc$aws:ec2/subnet:Subnet::shop-private-a"
DB = f"{S}aws:rds/instance:Instance::shop-db"
PASSWORD = f"{S}random:index/randomPassword:RandomPassword::shop-db-password"

HAND_WRITTEN: dict[str, Any] = {
    "version": 3,
    "deployment": {
        "manifest": {"time": "2025-06-02T09:31:12Z", "magic": "abc", "version": "v3.178.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:x:y"}},
        "resources": [
            # listed children first: the graph orders parents first whatever the file's order
            {
                "urn": SUBNET,
                "custom": True,
                "id": "subnet-0a1",
                "type": "aws:ec2/subnet:Subnet",
                "inputs": {"vpcId": "vpc-0f1", "cidrBlock": "10.0.1.0/24"},
                "outputs": {"vpcId": "vpc-0f1", "cidrBlock": "10.0.1.0/24", "availabilityZone": "eu-west-1a"},
                "parent": VPC,
                "provider": f"{EU}::9b1a-provider-id",
                "dependencies": [VPC],
                "propertyDependencies": {"vpcId": [VPC]},
            },
            {
                "urn": VPC,
                "custom": True,
                "id": "vpc-0f1",
                "type": "aws:ec2/vpc:Vpc",
                "inputs": {"cidrBlock": "10.0.0.0/16"},
                "outputs": {"cidrBlock": "10.0.0.0/16", "arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0f1"},
                "parent": NETWORK,
                "provider": f"{EU}::9b1a-provider-id",
                "protect": True,
                "retainOnDelete": True,
            },
            {"urn": NETWORK, "custom": False, "type": "hld:aws:Network", "parent": ROOT},
            {
                "urn": EU,
                "custom": True,
                "id": "9b1a-provider-id",
                "type": "pulumi:providers:aws",
                "inputs": {"region": "eu-west-1"},
                "outputs": {"region": "eu-west-1"},
                "parent": NETWORK,
            },
            {"urn": DEFAULT, "custom": True, "id": "77c0-default", "type": "pulumi:providers:aws", "parent": ROOT},
            {"urn": RANDOM, "custom": True, "id": "51e2-random", "type": "pulumi:providers:random", "parent": ROOT},
            {
                "urn": PASSWORD,
                "custom": True,
                "id": "none",
                "type": "random:index/randomPassword:RandomPassword",
                "inputs": {"length": 32, "keepers": {"rotation": "1"}},
                "outputs": {"length": 32, "keepers": {"rotation": "1"}, "result": secret()},
                "parent": ROOT,
                "provider": f"{RANDOM}::51e2-random",
            },
            {
                "urn": DB,
                "custom": True,
                "id": "shop-db",
                "type": "aws:rds/instance:Instance",
                "inputs": {
                    "passwordWo": secret("s3cr3t-pa55", plaintext=True),
                    "dbSubnetGroupName": {SIG: "5cf8f73096256a8f31e491e813e4eb8e", "urn": SUBNET, "id": "sg-grp"},
                },
                "outputs": {
                    "multiAz": True,
                    "endpoint": "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
                    "tags": {"team": {SIG: SECRET_SIG, "plaintext": json.dumps("payments")}},
                },
                "parent": ROOT,
                "provider": f"{DEFAULT}::77c0-default",
                "dependencies": [PASSWORD],
                "propertyDependencies": {"passwordWo": [PASSWORD]},
            },
            {
                "urn": f"{S}aws:rds/instance:Instance::shop-db-old",
                "custom": True,
                "id": "shop-db-old",
                "type": "aws:rds/instance:Instance",
                "delete": True,  # a replaced copy awaiting deletion: not part of the deployment
                "parent": ROOT,
            },
            {
                "urn": ROOT,
                "custom": False,
                "type": "pulumi:pulumi:Stack",
                "outputs": {"api_url": "https://shop.example.com", "admin_token": secret()},
            },
        ],
    },
}


def test_a_hand_written_export_becomes_the_graph_the_checks_read():
    doc = mutated(HAND_WRITTEN)
    g = graph_of_export(doc, default_region="us-east-1")
    assert doc == HAND_WRITTEN  # read, never changed
    names = [r.name for r in g.resources]
    assert "hld-shop-prod" not in names and "shop-db-old" not in names  # the stack, a pending delete
    # depth first, siblings by (type, name), as an offline run orders them
    assert names == [
        "shop-db",
        "shop-network",
        "shop-vpc",
        "shop-private-a",
        "shop-aws-eu-west-1",
        "default_6_83_0",
        "default_4_18_0",
        "shop-db-password",
    ]

    vpc, subnet = g.named("shop-vpc"), g.named("shop-private-a")
    assert (vpc.type, vpc.parent, vpc.parent_urn, vpc.region, vpc.id) == (
        "aws:ec2/vpc:Vpc",
        "shop-network",
        NETWORK,
        "eu-west-1",
        "vpc-0f1",
    )
    assert vpc.protect and vpc.retain_on_delete and vpc.custom
    assert g.named("shop-network").parent is None and not g.named("shop-network").custom  # under the stack
    assert subnet.parent == "shop-vpc" and subnet.region == "eu-west-1"
    assert subnet.state["availabilityZone"] == "eu-west-1a"  # outputs are the state
    assert subnet.dependencies == (VPC,) and subnet.property_dependencies == {"vpcId": (VPC,)}
    assert g.has("aws.ec2.Subnet", cidr_block="10.0.1.0/24", _region="eu-west-1") is subnet

    db = g.named("shop-db")
    assert db.region == "us-east-1"  # the default provider records none: the fallback
    assert db.inputs["passwordWo"] == "s3cr3t-pa55"  # --show-secrets: the JSON-encoded plaintext
    assert db.state["tags"] == {"team": "payments"}
    assert db.inputs["dbSubnetGroupName"] == "sg-grp"  # a resource reference: its id
    assert db.state["endpoint"] is None  # unknown when the state was written
    assert g.named("shop-db-password").state["result"] == SECRET  # encrypted: the placeholder
    assert g.named("shop-db-password").region is None  # random's provider has no region
    assert g.named("shop-aws-eu-west-1").region == "eu-west-1"

    assert outputs_of_export(doc) == {"api_url": "https://shop.example.com", "admin_token": SECRET}
    assert stack_of_export(doc) == "shop-prod"
    assert graph_of_export(doc).named("shop-db").region is None  # no fallback given: not guessed


def test_a_file_backends_checkpoint_reads_as_its_latest_deployment():
    checkpoint = {"version": 3, "checkpoint": {"stack": "shop-prod", "latest": HAND_WRITTEN["deployment"]}}
    assert graph_of_export(checkpoint).listing() == graph_of_export(HAND_WRITTEN).listing()


# --- the reference stacks' exports --------------------------------------------------------------


@functools.cache
def exported(stack: str) -> dict[str, Any]:
    """The stack's state as `pulumi stack export` writes it, read back from its JSON text."""
    return json.loads(json.dumps(export(synthesized(stack))))


def audited(doc: dict[str, Any], stack: str = STACK) -> Audited:
    return audit_export(synthesized(stack).plan, doc)


@pytest.mark.parametrize("stack", STACKS)
def test_every_reference_stacks_export_audits_clean(stack):
    result, doc = synthesized(stack), exported(stack)
    g = graph_of_export(doc)
    # the graph the offline run recorded, read back from the state
    assert g.listing() == result.graph.listing()
    recorded = {r.urn: r for r in result.graph.resources}
    for r in g.resources:
        was = recorded[r.urn]
        assert (r.region, r.parent, r.protect, r.retain_on_delete, r.dependencies) == (
            was.region,
            was.parent,
            was.protect,
            was.retain_on_delete,
            was.dependencies,
        ), r.name
        if r.type == "random:index/randomPassword:RandomPassword":
            assert r.state["result"] == SECRET
    outcomes = audited(doc, stack)
    assert outcomes.stack == stack and not outcomes.notes
    assert [o.check for o in outcomes.outcomes] == list(CHECKS)
    assert not {o.check: o.problems for o in outcomes.outcomes if o.status == "fail"}
    assert outcomes.ok and outcomes.tally.total == len(CHECKS)
    skipped = {o.check: o.detail for o in outcomes.outcomes if o.status == "skip"}
    assert skipped["data-flow"].startswith(f"{NOT_IN_STATE}: ")
    # what the offline run proved it still proves from the state (but what needs the live cloud)
    verified = {o.check for o in result.checks() if o.status == "pass"}
    assert verified - {o.check for o in outcomes.outcomes if o.status == "pass"} == {"data-flow"}


def test_a_default_provider_without_a_region_stands_for_the_plans_primary_region_and_says_so():
    doc = mutated(exported("e-commerce-prod"))
    default = "urn:pulumi:e-commerce-prod::hld::pulumi:providers:aws::default_6_83_0"
    doc["deployment"]["resources"].insert(
        1, {"urn": default, "custom": True, "id": "0c1d-default", "type": "pulumi:providers:aws", "inputs": {}}
    )
    moved = 0
    for r in doc["deployment"]["resources"]:  # every resource made by the default provider instead
        if r.get("provider", "").startswith("urn:pulumi:e-commerce-prod::hld::hld:aws:System$pulumi:providers:aws"):
            r["provider"], moved = f"{default}::0c1d-default", moved + 1
    assert moved > 100
    outcomes = audited(doc, "e-commerce-prod")
    primary = synthesized("e-commerce-prod").plan.primary_region
    assert outcomes.notes == [
        f"provider default_6_83_0 records no region in the state: its resources are read as in {primary}, the "
        "plan's primary region (the stack's aws:region, which `pulumi stack export` does not carry)"
    ]
    assert {r.region for r in graph_of_export(doc, primary).of("aws:ec2/subnet:Subnet")} == {primary}
    assert graph_of_export(doc).of("aws:ec2/subnet:Subnet")[0].region is None  # no fallback: not guessed
    assert outcomes.ok  # every resource read in the region it was deployed to
    assert not audit_export(synthesized("e-commerce-prod").plan, exported("e-commerce-prod")).notes


# --- drift: what changed in the cloud, after `pulumi refresh` -----------------------------------


def _one(doc: dict[str, Any], type_: str, where: Callable[[dict[str, Any]], bool] = lambda r: True) -> dict[str, Any]:
    return next(r for r in resources(doc, type_) if where(r))


def _name(res: dict[str, Any]) -> str:
    return str(res["urn"].rsplit("::", 1)[1])


def scaled_to_one_task(doc):
    svc = _one(doc, "aws:ecs/service:Service")
    svc["outputs"]["desiredCount"] = 1
    return _name(svc)


def scaling_minimum_one(doc):
    target = _one(doc, "aws:appautoscaling/target:Target")
    target["outputs"]["minCapacity"] = 1
    return _name(target)


def read_replica_deleted(doc):
    replica = _one(doc, "aws:rds/instance:Instance", lambda r: bool(r["outputs"].get("replicateSourceDb")))
    doc["deployment"]["resources"].remove(replica)
    return "no read replica of the us-east-1 writer in us-west-2"


def multi_az_off(doc):
    writer = _one(doc, "aws:rds/instance:Instance", lambda r: not r["outputs"].get("replicateSourceDb"))
    writer["outputs"]["multiAz"] = False
    return _name(writer)


def opened_to_the_internet(doc):
    rule = _one(
        doc, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", lambda r: r["inputs"]["fromPort"] == 5432
    )
    rule["outputs"].update(referencedSecurityGroupId=None, cidrIpv4="0.0.0.0/0")
    return _name(rule)


def health_check_changed(doc):
    group = _one(doc, "aws:lb/targetGroup:TargetGroup")
    group["outputs"]["healthCheck"] = {**group["outputs"]["healthCheck"], "path": "/"}
    return _name(group)


def health_check_dropped(doc):
    group = _one(doc, "aws:lb/targetGroup:TargetGroup")
    group["outputs"]["healthCheck"] = None
    return _name(group)


def stray_security_group(doc):
    """A group made in the console: no parent, no hld tags, AWS's default allow-all egress, SSH open."""
    provider = _one(doc, "pulumi:providers:aws")
    doc["deployment"]["resources"].append(
        {
            "urn": f"urn:pulumi:{STACK}::hld::aws:ec2/securityGroup:SecurityGroup::debug-ssh",
            "custom": True,
            "id": "sg-0123456789abcdef0",
            "type": "aws:ec2/securityGroup:SecurityGroup",
            "inputs": {"name": "debug-ssh", "vpcId": "vpc-0f1"},
            "outputs": {
                "name": "debug-ssh",
                "vpcId": "vpc-0f1",
                "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}],
                "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
            },
            "provider": f"{provider['urn']}::{provider['id']}",
        }
    )
    return "debug-ssh"


DRIFTS = [
    (scaled_to_one_task, "dr"),
    (scaling_minimum_one, "autoscaling"),
    (read_replica_deleted, "regions"),
    (multi_az_off, "zones"),
    (opened_to_the_internet, "data-flow-network"),
    (health_check_changed, "probes"),
    (health_check_dropped, "probes"),
    (stray_security_group, "data-flow-network"),
    (stray_security_group, "egress-rules"),
]


@pytest.mark.parametrize(("drift", "check"), DRIFTS, ids=[f"{d.__name__}-{c}" for d, c in DRIFTS])
def test_a_drift_fails_the_check_that_owns_it_naming_the_resource(drift, check):
    doc = mutated(exported(STACK))
    named = drift(doc)
    outcome = next(o for o in audited(doc).outcomes if o.check == check)
    assert outcome.status == "fail", outcome.detail
    assert any(named in p for p in outcome.problems), outcome.problems
    clean = next(o for o in audited(exported(STACK)).outcomes if o.check == check)
    assert clean.status == "pass"  # the drift, not the stack, fails it


# --- malformed files ----------------------------------------------------------------------------


def _refused(tmp_path, text: str) -> str:
    path = tmp_path / "state.json"
    path.write_text(text)
    with pytest.raises(BadInput) as refused:
        read_export(path)
    message = str(refused.value)
    assert message.startswith(str(path)) and "[state]" in message
    assert "pulumi stack export --file state.json" in message and "pulumi refresh" in message
    return message


def test_a_file_that_is_not_json_is_refused(tmp_path):
    assert "not JSON" in _refused(tmp_path, "Previewing update (shop-prod):\n")


def test_an_older_deployment_version_is_refused(tmp_path):
    doc = mutated(HAND_WRITTEN)
    doc["version"] = 2
    message = _refused(tmp_path, json.dumps(doc))
    assert "version 2" in message and "upgrade the Pulumi CLI" in message


@pytest.mark.parametrize(
    ("deployment", "said"),
    [
        ({"manifest": {}}, "no resources"),
        ({"manifest": {}, "resources": []}, "no resources"),
        (None, "no `deployment`"),
        ({"resources": [{"type": "aws:ec2/vpc:Vpc"}]}, "no `urn`"),
        ({"resources": [{"urn": "shop-vpc", "type": "aws:ec2/vpc:Vpc"}]}, "not a Pulumi URN"),
    ],
)
def test_a_deployment_without_its_resources_is_refused(tmp_path, deployment, said):
    doc: dict[str, Any] = {"version": 3}
    if deployment is not None:
        doc["deployment"] = deployment
    assert said in _refused(tmp_path, json.dumps(doc))
    with pytest.raises(BadInput, match=said):
        graph_of_export(doc)


def test_a_missing_file_and_a_json_array_are_refused(tmp_path):
    with pytest.raises(BadInput, match="no such file"):
        read_export(tmp_path / "missing.json")
    assert "JSON object" in _refused(tmp_path, "[]")


# --- what only a live account answers ------------------------------------------------------------


def test_a_check_that_calls_the_cloud_is_skipped_as_not_readable_from_state():
    result = synthesized(STACK)
    outcome = next(o for o in audited(exported(STACK)).outcomes if o.check == "data-flow")
    assert outcome.status == "skip" and outcome.detail.startswith(f"{NOT_IN_STATE}: ")
    assert "task's role" in outcome.detail

    def reads_a_secret_back(run):
        """A secret exists in its region (a call in the cloud)."""
        try:
            run.client("secretsmanager", "us-east-1").describe_secret(SecretId="x")
        except Exception:
            return ["the secret does not exist"]  # a failed call would be a finding
        return []

    checks = {
        "secret-exists": Check("secret-exists", "Secrets exist", None, reads_a_secret_back),
        "budget": Check("budget", "Budget", None, lambda run: []),
        "zones": CHECKS["zones"],
    }
    found = {o.check: o for o in audit(result.plan, graph_of_export(exported(STACK)), checks=checks).outcomes}
    assert found["secret-exists"].status == "skip"
    assert found["secret-exists"].detail == (
        f"{NOT_IN_STATE}: it calls AWS (secretsmanager in us-east-1), which only a live account answers"
    )
    assert found["budget"].status == "skip" and found["budget"].detail.startswith(NOT_IN_STATE)  # never passes
    assert found["zones"].status == "pass"
    with pytest.raises(ValueError, match="no check named 'zone'"):
        audit(result.plan, graph_of_export(exported(STACK)), keys=["zone"])


def test_a_plan_for_another_stack_is_noted():
    plan = synthesized(STACK).plan.model_copy(update={"stack": "url-shortener-dev"})
    notes = audit_export(plan, exported(STACK)).notes
    assert notes and "'url-shortener-dev'" in notes[0] and f"{STACK!r}" in notes[0]


# --- what `pulumi refresh` writes into a security group -------------------------------------------


def _as_refreshed(doc: dict[str, Any]) -> dict[str, Any]:
    """Each group's `ingress` and `egress` outputs list its separate rules, as AWS reports them
    after a refresh (the provider reads every rule of the group into these fields)."""
    groups = {r["id"]: r for r in doc["deployment"]["resources"] if r["type"] == "aws:ec2/securityGroup:SecurityGroup"}
    for r in doc["deployment"]["resources"]:
        direction = {
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "egress",
        }.get(r["type"])
        if direction is None:
            continue
        rule = r["outputs"]
        group = groups[rule["securityGroupId"]]
        entry: dict[str, Any] = {
            "protocol": rule["ipProtocol"],
            "fromPort": rule.get("fromPort", 0),
            "toPort": rule.get("toPort", 0),
            "cidrBlocks": [rule["cidrIpv4"]] if rule.get("cidrIpv4") else [],
            "securityGroups": [rule["referencedSecurityGroupId"]] if rule.get("referencedSecurityGroupId") else [],
            "prefixListIds": [rule["prefixListId"]] if rule.get("prefixListId") else [],
            "self": False,
        }
        group["outputs"].setdefault(direction, []).append(entry)
    return doc


def test_a_refreshed_groups_inline_rules_that_its_rule_resources_declare_pass():
    doc = _as_refreshed(mutated(exported(STACK)))
    groups = resources(doc, "aws:ec2/securityGroup:SecurityGroup")
    assert any(g["outputs"].get("ingress") for g in groups) and any(g["outputs"].get("egress") for g in groups)
    outcomes = {o.check: o for o in audited(doc).outcomes}
    assert outcomes["data-flow-network"].status == "pass", outcomes["data-flow-network"].problems
    assert outcomes["egress-rules"].status == "pass", outcomes["egress-rules"].problems
    # one rule more than the rule resources declare, added in the console: named
    group = next(g for g in groups if g["outputs"].get("ingress"))
    group["outputs"]["ingress"].append({"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]})
    found = next(o for o in audited(doc).outcomes if o.check == "data-flow-network")
    assert found.status == "fail" and any("tcp 22-22 0.0.0.0/0" in p for p in found.problems), found.problems


# --- the command --------------------------------------------------------------------------------


def test_hld_audit_exits_0_on_a_clean_state_1_on_drift_2_on_a_bad_file(tmp_path):
    from typer.testing import CliRunner

    from hld.cli import app

    runner = CliRunner()
    blueprint = str(EXAMPLES / "url-shortener.yaml")
    clean = tmp_path / "state.json"
    clean.write_text(json.dumps(exported(STACK)))
    result = runner.invoke(app, ["audit", blueprint, "--state", str(clean), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["stack"] == STACK and report["tally"]["total"] == len(CHECKS)
    assert any(
        c["check"] == "data-flow" and c["detail"].startswith("not readable from state") for c in report["checks"]
    )
    drifted_doc = mutated(exported(STACK))
    named = multi_az_off(drifted_doc)
    drifted = tmp_path / "drifted.json"
    drifted.write_text(json.dumps(drifted_doc))
    result = runner.invoke(app, ["audit", blueprint, "--state", str(drifted)])
    assert result.exit_code == 1 and "FAILED: zones" in result.output and named in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = runner.invoke(app, ["audit", blueprint, "--state", str(bad)])
    assert result.exit_code == 2 and "pulumi stack export" in result.output

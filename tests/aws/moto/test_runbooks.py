"""Runbook steps an AWS API performs become Systems Manager Automation documents (generators.aws.runbooks):
one per step, in the region whose control plane the step needs, calling the step's API on the stack's own
resources; the offline cloud refuses a document that would not run (hld.offline.moto.ssm)."""

from __future__ import annotations

import dataclasses

import botocore.session
import pulumi
import pytest
import yaml

from hld.checks import evaluate
from hld.checks.registry import Run
from hld.graph import Graph
from hld.offline import SynthError, entry_point, run, stack_config
from hld.offline.moto.mocks import MotoMocks
from hld.offline.moto.ssm import APIS, problems
from hld.testing import synth, synth_stack
from tests.helpers import make

DOCUMENT = "aws:ssm/document:Document"


def automated(plan):
    return {s.automation: s for book in plan.operations.runbooks for s in book.steps if s.automation}


def read_back(result, step):
    got = result.client("ssm", step.region).get_document(Name=step.automation, DocumentFormat="YAML")
    assert got["DocumentType"] == "Automation" and got["DocumentFormat"] == "YAML"
    return yaml.safe_load(got["Content"])


def api_steps(doc, action="aws:executeAwsApi"):
    return [s["inputs"] for s in doc["mainSteps"] if s["action"] == action]


def test_url_shortener_has_a_document_per_manual_api_step_with_the_right_api_and_identifier():
    result = synth_stack("url-shortener-prod", cloud="moto")  # its own run: it reads moto back
    steps = automated(result.plan)
    assert steps, "the plan gives no step an automation"
    assert result.graph.count(DOCUMENT) == len(steps)
    for doc_name, step in steps.items():
        assert not step.automated and step.command.startswith("aws rds promote-read-replica")
        resource = result.graph.has(DOCUMENT, name=doc_name)
        assert resource.region == step.region  # where the promoted replica's control plane is
        doc = read_back(result, step)
        assert doc["schemaVersion"] == "0.3" and "assumeRole" not in doc
        assert "permissions of whoever starts it" in doc["description"]
        [call] = api_steps(doc)
        assert (call["Service"], call["Api"]) == ("rds", "PromoteReadReplica")
        # the replica in the step's region, as RDS (moto) holds it: the writer's copy
        [replica] = [
            i
            for i in result.client("rds", step.region).describe_db_instances()["DBInstances"]
            if i.get("ReadReplicaSourceDBInstanceIdentifier")
        ]
        assert call["DBInstanceIdentifier"] == replica["DBInstanceIdentifier"]
        start, wait = api_steps(doc, "aws:waitForAwsResourceProperty")
        # the promotion must be seen to start before its end counts: right after the call it reads `available`
        assert "modifying" in start["DesiredValues"] and wait["DesiredValues"] == ["available"]
        assert wait["Api"] == "DescribeDBInstances" and wait["DBInstanceIdentifier"] == replica["DBInstanceIdentifier"]


def passive(**changes):
    doc = make(availability=99.9, redundancy={"level": "multi-region", "replication": "passive"}, **changes)
    doc["regions"] = ["us-east-1", "us-west-2"]
    return doc


def test_a_global_database_fails_over_and_a_pilot_light_region_scales_up_through_their_apis():
    aurora = passive()
    aurora["datastores"] = [{"name": "db", "kind": "relational", "engine": "aurora-postgresql"}]
    result = synth(aurora, stack="shop-prod")
    [step] = automated(result.plan).values()
    [call] = api_steps(read_back(result, step))
    assert call["Api"] == "FailoverGlobalCluster" and call["AllowDataLoss"] is True
    [cluster] = result.client("rds", "us-east-1").describe_global_clusters()["GlobalClusters"]
    assert call["GlobalClusterIdentifier"] == cluster["GlobalClusterIdentifier"]
    assert call["TargetDbClusterIdentifier"] in {m["DBClusterArn"] for m in cluster["GlobalClusterMembers"]}
    assert call["TargetDbClusterIdentifier"].split(":")[3] == step.region == "us-west-2"

    light = synth(passive(rto=7200), stack="shop-prod")
    assert light.plan.dr.strategy.value == "pilot-light"
    steps = automated(light.plan)
    [scale] = [s for s in steps.values() if s.command.startswith("aws application-autoscaling")]
    calls = api_steps(read_back(light, scale))
    targets = light.client("application-autoscaling", "us-west-2").describe_scalable_targets(ServiceNamespace="ecs")
    assert {c["ResourceId"] for c in calls} == {t["ResourceId"] for t in targets["ScalableTargets"]}
    serving = {c.min_replicas for s in light.plan.services for c in s.capacity.value if c.role == "serving"}
    assert {c["MinCapacity"] for c in calls} == serving and all(c["Api"] == "RegisterScalableTarget" for c in calls)

    # the document is made after the targets it raises (it reads their ids), else the cloud refuses it at
    # random, by which registers first; `ordering` fails the run where it would not wait
    (ordered,) = evaluate(Run(light.plan, light.graph), "ordering")
    assert ordered.status == "pass", ordered.problems
    [document] = [r for r in light.graph.of(DOCUMENT) if r.region == "us-west-2" and "capacity" in r.name]
    loose = Graph([dataclasses.replace(r, dependencies=()) if r is document else r for r in light.graph.resources])
    (unordered,) = evaluate(Run(light.plan, loose), "ordering")
    assert unordered.status == "fail"
    assert any(p.startswith(f"{document.name}: may be made before") for p in unordered.problems), unordered.problems


BROKEN = {
    "an API that does not exist": (
        "Api: PromoteReadReplica",
        "Api: PromoteReplica",
        "is not an API hld's runbooks call",
    ),
    "a parameter the API does not take": (
        "DBInstanceIdentifier: url",
        "DbInstanceIdentifier: url",
        "takes no parameter 'DbInstanceIdentifier'",
    ),
    "an id left a placeholder": (
        "DBInstanceIdentifier: url-shortener",
        "DBInstanceIdentifier: <click-stats replica> #",
        "is still a placeholder",
    ),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_broken_document_is_refused_by_the_offline_cloud(broken):
    old, new, why = BROKEN[broken]

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.type_ != DOCUMENT:
            return None
        args.props["content"] = pulumi.Output.from_input(args.props["content"]).apply(
            lambda text: text.replace(old, new, 1)
        )
        return pulumi.ResourceTransformationResult(args.props, args.opts)

    def program() -> None:
        pulumi.runtime.register_stack_transformation(transformation)
        entry_point()

    config = stack_config("url-shortener-prod")
    with pytest.raises(SynthError, match=rf"AWS rejected {DOCUMENT} .*InvalidDocumentContent: .*{why}"):
        run(config, "url-shortener-prod", MotoMocks("url-shortener-prod"), program=program)


def test_a_document_naming_a_replica_its_region_does_not_hold_is_refused():
    def program() -> None:
        def moved(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
            if args.type_ == DOCUMENT:
                args.props["content"] = pulumi.Output.from_input(args.props["content"]).apply(
                    lambda text: text.replace("-us-west-2\n", "-us-east-1\n")
                )
                return pulumi.ResourceTransformationResult(args.props, args.opts)
            return None

        pulumi.runtime.register_stack_transformation(moved)
        entry_point()

    with pytest.raises(SynthError, match=r"would fail in us-west-2: .*DBInstanceNotFound"):
        run(stack_config("url-shortener-prod"), "url-shortener-prod", MotoMocks("url-shortener-prod"), program=program)


def test_the_table_of_apis_is_botocores():
    """Each API the refusal table holds exists with exactly these parameters and required ones."""
    session = botocore.session.get_session()
    for (service, api), row in APIS.items():
        shape = session.get_service_model(service).operation_model(api).input_shape
        assert set(shape.members) == row.parameters, api
        assert set(shape.required_members) == row.required, api
        assert row.source.startswith("https://docs.aws.amazon.com/")


def test_documents_of_other_types_and_well_formed_ones_pass():
    assert problems({"documentType": "Command", "content": "{}"}) == []
    good = {
        "schemaVersion": "0.3",
        "mainSteps": [
            {
                "name": "Promote",
                "action": "aws:executeAwsApi",
                "inputs": {"Service": "rds", "Api": "PromoteReadReplica", "DBInstanceIdentifier": "db-1"},
            }
        ],
    }
    assert problems({"documentType": "Automation", "documentFormat": "YAML", "content": yaml.safe_dump(good)}) == []
    good["schemaVersion"] = "2.2"
    good["mainSteps"].append(dict(good["mainSteps"][0], action="aws:runCommand"))
    found = problems({"documentType": "Automation", "documentFormat": "YAML", "content": yaml.safe_dump(good)})
    assert any("schemaVersion" in p for p in found)
    assert any("is taken by an earlier step" in p for p in found)
    assert any("'aws:runCommand' is not one" in p for p in found)

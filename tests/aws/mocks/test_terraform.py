"""The AWS program as a Terraform plan: every type hld declares maps to its Terraform type, values
take Terraform's shape, references connect resources as Terraform records them, and the CLI writes
the plan safely. (`make scan` runs checkov over these plans.)"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from generators.aws.scan import AWS_SCAN_SKIPS
from hld.cli import app
from hld.terraform import TF_TYPES, plan_json
from hld.testing import synth
from tests.aws.mocks.conftest import STACKS, synthesized
from tests.helpers import DESIGN_FILES, EXAMPLES


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_of_every_stack_becomes_a_terraform_resource(stack):
    graph = synthesized(stack).graph
    plan = plan_json(graph, stack)
    resources = plan["planned_values"]["root_module"]["resources"]
    assert len(resources) == sum(1 for r in graph.resources if r.custom and r.type != "pulumi:providers:aws")
    assert {r["type"] for r in resources} <= set(TF_TYPES.values())
    assert len({r["address"] for r in resources}) == len(resources)
    assert [c["change"]["actions"] for c in plan["resource_changes"]] == [["create"]] * len(resources)


def test_the_test_designs_convert_too():
    for path in DESIGN_FILES:
        plan_json(synth(path, cloud="mocks").graph, path.stem)


def _resource(plan, tf_type, part=""):
    return next(
        r for r in plan["planned_values"]["root_module"]["resources"] if r["type"] == tf_type and part in r["name"]
    )


def test_values_take_terraform_shapes_and_references_connect():
    plan = plan_json(synthesized("url-shortener-prod").graph, "url-shortener-prod")
    table = _resource(plan, "aws_dynamodb_table")["values"]
    assert table["replica"][0]["region_name"] == "us-west-2"  # Pulumi's `replicas`, Terraform's `replica` blocks
    assert table["point_in_time_recovery"] == [{"enabled": True}]  # an object block as a one-element list
    distribution = _resource(plan, "aws_cloudfront_distribution")["values"]
    assert distribution["aliases"] == ["cdn.short.example.com"]  # a list of names keeps its name
    config = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    association = next(a for a in config if a.startswith("aws_wafv2_web_acl_association."))
    refs = config[association]["expressions"]
    assert any(r.startswith("aws_lb.") for r in refs["resource_arn"]["references"])
    assert any(r.startswith("aws_wafv2_web_acl.") for r in refs["web_acl_arn"]["references"])
    media = plan_json(synthesized("social-feed-prod").graph, "social-feed-prod")["configuration"]["root_module"]
    encryption = [r for r in media["resources"] if r["type"] == "aws_s3_bucket_server_side_encryption_configuration"]
    assert encryption and all(
        any(ref.startswith("aws_s3_bucket.") for ref in r["expressions"]["bucket"]["references"]) for r in encryption
    )


def test_synth_writes_the_plan_and_never_overwrites_a_file_it_did_not_write(tmp_path):
    runner = CliRunner()
    out = tmp_path / "plan.json"
    args = ["synth", str(EXAMPLES / "e-commerce.yaml"), "--stack", "e-commerce-prod", "--terraform-plan", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    written = json.loads(out.read_text())
    assert written["format_version"] == "1.2" and written["resource_changes"]
    assert runner.invoke(app, args).exit_code == 0  # its own earlier plan: replaced
    mine = tmp_path / "mine.json"
    mine.write_text('{"my": "notes"}')
    result = runner.invoke(app, [*args[:-1], str(mine)])
    assert result.exit_code == 2 and "does not overwrite files it did not write" in result.stderr
    assert mine.read_text() == '{"my": "notes"}'


def test_every_scan_skip_says_why():
    assert AWS_SCAN_SKIPS and all(len(reason) > 40 for reason in AWS_SCAN_SKIPS.values())

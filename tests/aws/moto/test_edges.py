"""Every data-flow edge proven in every region: a grant, a security group rule or a discovered
name broken by a transform fails `data-flow` for that edge, and says how it was proven."""

from __future__ import annotations

import functools
import json

import pytest

from hld.testing import synth
from tests.helpers import EXAMPLES

URL = EXAMPLES / "url-shortener.yaml"


def only(typ: str, part: str, change):
    def transform(t: str, name: str, props: dict):
        return change(props) if t == typ and part in name else None

    return transform


def policy_edit(edit):
    """A RolePolicy transform: edit(document) on the policy JSON (an Output)."""
    return lambda p: {**p, "policy": p["policy"].apply(lambda text: json.dumps(edit(json.loads(text))))}


def data_flow(*transforms):
    result = synth(URL, stack="url-shortener-prod", cloud="moto", transforms=list(transforms))
    [outcome] = result.checks(["data-flow"])
    return outcome


@functools.cache
def baseline():
    return data_flow()


def test_every_edge_of_every_region_is_proven_and_says_how():
    outcome = baseline()
    assert outcome.status == "pass", outcome.problems
    assert "calls in moto as the task role" in outcome.detail and "moto's policy evaluator" in outcome.detail
    assert "10 edges" in outcome.detail  # 2 services x their stores x 2 regions


def _without_sqs(doc):
    doc["Statement"] = [s for s in doc["Statement"] if not any(a.startswith("sqs:") for a in s["Action"])]
    return doc


def _sqs_star(doc):
    for s in doc["Statement"]:
        if any(a.startswith("sqs:") for a in s["Action"]):
            s["Action"] = ["sqs:*"]
    return doc


def _wrong_table_region(doc):
    for s in doc["Statement"]:
        if any(a.startswith("dynamodb:") for a in s["Action"]):
            s["Resource"] = [r.replace(":us-west-2:", ":eu-west-1:") for r in s["Resource"]]
    return doc


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (
            only("aws:iam/rolePolicy:RolePolicy", "shortener-task-policy-us-west-2", policy_edit(_without_sqs)),
            "shortener -> clicks in us-west-2: sqs:SendMessage refused as the task's role (a call in moto)",
        ),
        (
            only("aws:iam/rolePolicy:RolePolicy", "analytics-task-policy-us-east-1", policy_edit(_sqs_star)),
            "analytics -> clicks in us-east-1: sqs:DeleteQueue allowed, which the edge never needs",
        ),
        (
            only("aws:iam/rolePolicy:RolePolicy", "shortener-task-policy-us-west-2", policy_edit(_wrong_table_region)),
            "shortener -> urls in us-west-2: the task role may not dynamodb:PutItem",
        ),
        (
            only(
                "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                "out-analytics-to-click-stats-us-east-1",
                lambda p: {**p, "from_port": 5433, "to_port": 5433},
            ),
            "analytics -> click-stats in us-east-1: analytics's security group does not let it reach click-stats on 5432",
        ),
    ],
    ids=["grant-removed", "grant-too-wide", "grant-wrong-region", "egress-port"],
)
def test_a_broken_edge_fails_data_flow_naming_it(transform, expected):
    outcome = data_flow(transform)
    assert outcome.status == "fail"
    assert any(p.startswith(expected) for p in outcome.problems), outcome.problems


def test_a_name_that_points_at_another_region_fails_discovery():
    def other_region(props):
        def edit(text):
            containers = json.loads(text)
            for c in containers:
                for e in c["environment"]:
                    if e["name"] == "CLICKS_QUEUE_URL":
                        e["value"] = e["value"].replace("us-west-2", "us-east-1")
            return json.dumps(containers)

        return {**props, "container_definitions": props["container_definitions"].apply(edit)}

    outcome = data_flow(only("aws:ecs/taskDefinition:TaskDefinition", "shortener-task-us-west-2", other_region))
    assert any("CLICKS_QUEUE_URL is" in p and "not us-west-2's" in p for p in outcome.problems), outcome.problems

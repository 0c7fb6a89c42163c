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
            "shortener -> clicks in us-west-2: sqs:SendMessage refused as the task's role (a call in moto; produce)",
        ),
        (
            only("aws:iam/rolePolicy:RolePolicy", "analytics-task-policy-us-east-1", policy_edit(_sqs_star)),
            "analytics -> clicks in us-east-1: sqs:DeleteQueue allowed, which the edge never needs",
        ),
        (
            only("aws:iam/rolePolicy:RolePolicy", "shortener-task-policy-us-west-2", policy_edit(_wrong_table_region)),
            "shortener -> urls in us-west-2: dynamodb:PutItem refused as the task's role (a call in moto; read-write)",
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


# least privilege by what the edge does ------------------------------------------------------------


def _add(statement):
    def edit(doc):
        doc["Statement"].append(statement)
        return doc

    return edit


def _with_actions(prefix, *actions):
    def edit(doc):
        for st in doc["Statement"]:
            if any(a.startswith(prefix) for a in st["Action"]):
                st["Action"] = [*st["Action"], *actions]
        return doc

    return edit


def _key_unconditioned(doc):
    for st in doc["Statement"]:
        if any(a.startswith("kms:") for a in st["Action"]):
            st.pop("Condition", None)
    return doc


def _any_database_user(doc):
    for st in doc["Statement"]:
        if "rds-db:connect" in st["Action"]:
            st["Resource"] = [r.rsplit("/", 1)[0] + "/*" for r in st["Resource"]]
    return doc


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (
            only(
                "aws:iam/rolePolicy:RolePolicy",
                "shortener-task-policy-us-east-1",
                policy_edit(_with_actions("sqs:", "sqs:ReceiveMessage")),
            ),
            "shortener -> clicks in us-east-1: sqs:ReceiveMessage allowed, which a producer never needs as the task's role",
        ),
        (
            only(
                "aws:iam/rolePolicy:RolePolicy",
                "analytics-task-policy-us-west-2",
                policy_edit(_with_actions("sqs:", "sqs:SendMessage")),
            ),
            "analytics -> clicks in us-west-2: sqs:SendMessage allowed, which a consumer never needs as the task's role",
        ),
        (
            only(
                "aws:iam/rolePolicy:RolePolicy",
                "analytics-task-policy-us-east-1",
                policy_edit(_add({"Effect": "Allow", "Action": ["dynamodb:*", "sqs:*"], "Resource": "*"})),
            ),
            "url-shortener-analytics-task-us-east-1: grants dynamodb:*, sqs:* on *, which no edge of analytics",
        ),
        (
            only(
                "aws:iam/rolePolicy:RolePolicy",
                "analytics-task-policy-us-east-1",
                policy_edit(_add({"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"})),
            ),
            "analytics -> clicks in us-east-1: may use the queue url-shortener-clicks-dlq-us-east-1, which is not this edge's",
        ),
        (
            only("aws:iam/rolePolicy:RolePolicy", "shortener-task-policy-us-east-1", policy_edit(_key_unconditioned)),
            "shortener -> urls in us-east-1: the task role may kms:Decrypt with the key",
        ),
        (
            only("aws:iam/rolePolicy:RolePolicy", "analytics-task-policy-us-east-1", policy_edit(_any_database_user)),
            "analytics -> click-stats in us-east-1: the task role may rds-db:connect as hld_admin",
        ),
    ],
    ids=[
        "producer-receives",
        "consumer-sends",
        "grant-outside-the-edges",
        "other-queue",
        "key-without-via",
        "any-db-user",
    ],
)
def test_what_the_edge_does_not_need_is_refused(transform, expected):
    outcome = data_flow(transform)
    assert outcome.status == "fail"
    assert any(p.startswith(expected) for p in outcome.problems), outcome.problems


READER = """
name: catalogue
availability: 99.9
regions: [us-east-1]
redundancy: {level: multi-zone}
services:
  - name: api
    image: ghcr.io/example/api:1.0.0
    public: true
    routes: ["GET /items/{id}", "HEAD /items/{id}"]
    uses: [items]
datastores:
  - name: items
    kind: key-value
"""


def test_a_read_only_edge_reads_and_is_refused_puts_in_moto(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(READER)
    result = synth(path, cloud="moto")
    assert result.plan.service("api").access_to("items") == "read"
    [outcome] = result.checks(["data-flow"])
    assert outcome.status == "pass", outcome.problems
    assert "calls in moto as the task role" in outcome.detail
    [policy] = [r for r in result.graph.of("aws:iam/rolePolicy:RolePolicy") if "api-task-policy" in r.name]
    actions = {a for st in json.loads(policy.inputs["policy"])["Statement"] for a in st["Action"]}
    assert "dynamodb:GetItem" in actions and not any(a in actions for a in ("dynamodb:PutItem", "kms:GenerateDataKey"))

    widened = synth(
        path,
        cloud="moto",
        transforms=[
            only(
                "aws:iam/rolePolicy:RolePolicy",
                "api-task-policy",
                policy_edit(_with_actions("dynamodb:", "dynamodb:PutItem")),
            )
        ],
    )
    [outcome] = widened.checks(["data-flow"])
    assert outcome.status == "fail"
    assert any(
        p.startswith(
            "api -> items in us-east-1: dynamodb:PutItem allowed, which a reader never needs as the task's role"
        )
        for p in outcome.problems
    ), outcome.problems

"""Least privilege beyond the data flow: every trust policy carries the source conditions its
service principal documents (`trust-policies`), and every policy document of a stack passes the
maintained IAM analyser `make scan` runs (parliament, hld.iam_scan) but for the justified skips."""

from __future__ import annotations

import json

from hld.testing import synth
from tests.helpers import EXAMPLES

URL = EXAMPLES / "url-shortener.yaml"


def _trust_edit(part, edit):
    def transform(t, name, props):
        if t != "aws:iam/role:Role" or part not in name:
            return None
        policy = props["assume_role_policy"]
        return {**props, "assume_role_policy": policy.apply(lambda text: json.dumps(edit(json.loads(text))))}

    return transform


def _trust(*transforms):
    result = synth(URL, stack="url-shortener-prod", cloud="mocks", transforms=list(transforms))
    [outcome] = result.checks(["trust-policies"])
    return outcome


def test_every_trust_policy_carries_source_conditions_or_says_why_not():
    outcome = _trust()
    assert outcome.status == "pass", outcome.problems
    assert "1 trusting backup.amazonaws.com" in outcome.detail  # AWS Backup documents none: said why


def test_a_trust_policy_without_its_source_conditions_fails_naming_the_role():
    def unconditioned(doc):
        for st in doc["Statement"]:
            st.pop("Condition", None)
        return doc

    outcome = _trust(_trust_edit("shortener-task-us-east-1", unconditioned))
    assert outcome.status == "fail"
    assert any(
        p.startswith(
            "url-shortener-shortener-task-us-east-1: ecs-tasks.amazonaws.com may assume it without aws:SourceAccount"
        )
        for p in outcome.problems
    ), outcome.problems


def test_a_source_arn_of_another_region_or_any_account_fails():
    def anywhere(doc):
        for st in doc["Statement"]:
            st["Condition"]["ArnLike"]["aws:SourceArn"] = "arn:aws:ecs:*:*:*"
        return doc

    outcome = _trust(_trust_edit("analytics-execution-us-west-2", anywhere))
    assert any(
        "analytics-execution-us-west-2: ecs-tasks.amazonaws.com may assume it without an aws:SourceArn" in p
        for p in outcome.problems
    )


def test_every_policy_document_is_extracted_and_passes_the_analyser_but_for_justified_skips():
    from hld.iam_scan import SKIPS, analyse, documents, reference_stacks

    assert ("url-shortener-prod", "blueprints/examples/url-shortener.yaml") in reference_stacks()
    assert all(s.reason for s in SKIPS)
    result = synth(URL, stack="url-shortener-prod", cloud="moto")
    docs = documents(result.graph)
    kinds = {d.kind for d in docs}
    assert kinds == {"trust", "identity", "key"}
    assert len([d for d in docs if d.kind == "trust"]) == len(result.graph.of("aws:iam/role:Role"))
    trust = next(d for d in docs if d.kind == "trust")
    assert all(st["Resource"].startswith("arn:aws:iam::") for st in trust.policy["Statement"])
    findings = analyse(docs)
    assert [f.line() for f in findings if f.skipped is None] == []

    # a grant wider than the edge is what the analyser reports, and no skip covers it
    wide = next(d for d in docs if d.resource.endswith("analytics-task-policy-us-east-1"))
    widened = type(wide)(
        wide.resource,
        wide.kind,
        {
            **wide.policy,
            "Statement": [*wide.policy["Statement"], {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
        },
    )
    assert any(f.issue == "RESOURCE_STAR" and f.skipped is None for f in analyse([widened]))

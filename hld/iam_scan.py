"""`make scan`'s IAM analysis: every policy document the AWS program writes, for every reference stack
(stacks/Pulumi.*.yaml with `hld:target: aws`), through parliament (https://github.com/duo-labs/parliament,
a maintained IAM policy linter), with 0 findings but those SKIPS justifies, each with its reason.

The documents come from a run in the offline cloud (moto), so their ARNs are the ones AWS returns
(parliament matches each action's resource types against them): trust policies (each statement given
its role's ARN as the Resource, which parliament needs of an identity-shaped document), the roles'
inline policies, key policies and bucket policies. The AWS managed policies the roles attach by ARN
(AmazonECSTaskExecutionRolePolicy, AWS Backup's) are AWS's documents, not in the program.

    python -m hld.iam_scan [STACK...]     # every reference stack by default; exit 1 on an unjustified finding
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hld.graph import Graph, doc, value

POLICIES: dict[str, tuple[str, str]] = {
    "aws:iam/role:Role": ("assume_role_policy", "trust"),
    "aws:iam/rolePolicy:RolePolicy": ("policy", "identity"),
    "aws:iam/policy:Policy": ("policy", "identity"),
    "aws:kms/key:Key": ("policy", "key"),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", "bucket"),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy", "queue"),
    "aws:secretsmanager/secretPolicy:SecretPolicy": ("policy", "secret"),
}
"""Every resource type that carries a policy document, the input that holds it, and what it is."""


@dataclass(frozen=True)
class Document:
    resource: str
    kind: str  # trust | identity | key | bucket | queue | secret
    policy: dict[str, Any]


@dataclass(frozen=True)
class Finding:
    resource: str
    kind: str
    issue: str
    detail: str
    skipped: str | None = None
    """The reason from SKIPS, when one justifies it."""

    def line(self) -> str:
        return f"{self.resource} ({self.kind}): {self.issue}: {self.detail}"


@dataclass(frozen=True)
class Skip:
    issue: str
    applies: Callable[[Finding], bool]
    reason: str


SKIPS: tuple[Skip, ...] = (
    Skip(
        "RESOURCE_STAR",
        lambda f: f.kind == "key",
        'in a key policy "Resource": "*" is the key the policy is attached to, as AWS documents every key '
        "policy (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html)",
    ),
    Skip(
        "MISMATCHED_TYPE",
        lambda f: f.kind == "key" and "ArnLike" in f.detail,
        "CloudWatch Logs' documented key policy conditions kms:EncryptionContext:aws:logs:arn with ArnLike "
        "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html); parliament "
        "types every encryption-context key as a String",
    ),
)
"""The one list of parliament findings hld accepts, each with its reason; any other finding fails
`make scan`."""


def documents(graph: Graph) -> list[Document]:
    """Every policy document in a run's graph, in the graph's order."""
    out = []
    for resource in graph.resources:
        if resource.type not in POLICIES:
            continue
        field, kind = POLICIES[resource.type]
        policy = doc(value(resource, field))
        if not isinstance(policy, dict):
            continue
        if kind == "trust":  # parliament reads identity-shaped documents: the role is what is assumed
            arn = str(value(resource, "arn"))
            policy = {**policy, "Statement": [{**s, "Resource": arn} for s in _statements(policy)]}
        out.append(Document(resource.name, kind, policy))
    return out


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    raw = policy.get("Statement") or []
    return [raw] if isinstance(raw, dict) else list(raw)


def analyse(docs: Iterable[Document]) -> list[Finding]:
    """parliament's findings (its default auditors) on every document, each with its skip reason if any."""
    from parliament import analyze_policy_string

    out = []
    for d in docs:
        for found in analyze_policy_string(json.dumps(d.policy)).findings:
            finding = Finding(d.resource, d.kind, found.issue, _brief(found.detail))
            reason = next((s.reason for s in SKIPS if s.issue == finding.issue and s.applies(finding)), None)
            out.append(Finding(**{**finding.__dict__, "skipped": reason}))
    return out


def _brief(detail: Any) -> str:
    text = detail if isinstance(detail, str) else json.dumps(detail, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def reference_stacks(root: Path = Path("stacks")) -> list[tuple[str, str]]:
    """(stack, blueprint) of every stack whose target is AWS."""
    out = []
    for path in sorted(root.glob("Pulumi.*.yaml")):
        text = path.read_text()
        if re.search(r"^\s*hld:target:\s*aws\s*$", text, re.M) and (m := re.search(r"hld:blueprint:\s*(\S+)", text)):
            out.append((path.name.removeprefix("Pulumi.").removesuffix(".yaml"), m.group(1)))
    return out


def scan(stack: str, blueprint: str) -> list[Finding]:
    from hld.testing import synth

    return analyse(documents(synth(blueprint, stack=stack, cloud="moto").graph))


def main(argv: list[str]) -> int:
    stacks = [s for s in reference_stacks() if not argv or s[0] in argv]
    failed = 0
    for stack, blueprint in stacks:
        findings = scan(stack, blueprint)
        open_ = [f for f in findings if f.skipped is None]
        print(f"{stack}: {len(findings)} parliament findings, {len(findings) - len(open_)} justified (SKIPS)")
        for f in open_:
            print(f"  {f.line()}")
        failed += len(open_)
    print("skipped, with reasons:" if SKIPS else "no skips")
    for s in SKIPS:
        print(f"  {s.issue}: {s.reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

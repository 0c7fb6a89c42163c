"""The blueprint's intent checked against a real deployment: every check of hld.checks run over the
state `pulumi stack export` holds (hld.state), the same checks `hld verify` runs over an offline run.

    doc = read_export(Path("state.json"))              # after `pulumi refresh`
    audited = audit_export(plan, doc)                  # plan: the blueprint planned for that stack
    audited.tally.line()                               # 39 passed, 0 failed, 3 skipped (42 checks)

What runs, and why. A check reads the plan and the resource graph: the resources' types, parents,
regions, options (protect, retainOnDelete), dependencies, inputs and state. The export holds each of
these, and its outputs are what the cloud returned at the last refresh, so a change made in the
console (a service scaled down, Multi-AZ turned off, a port opened, a health check changed, a
resource added by hand) is what the checks read. Every check of the AWS target therefore runs, but:

- `data-flow` is skipped, "not readable from state": it proves each edge's identity by making the
  edge's calls in the cloud as the task's role, and reads each secret back in its region. Those
  are answers of a live account (`hld verify` gets them from the offline cloud), not properties a
  state file holds; passing it on the policies alone would claim more than the state shows. The
  network half of each edge is proven here by `data-flow-network` and `egress-rules`.
- `budget` is skipped, "not readable from state": its figure is the plan's estimate at list
  prices (`hld cost`), not a property of what was deployed; the bill is not in the state.
- any other check that tries to call the cloud (`Run.client`) is stopped at its first call and
  skipped the same way, so nothing that needs a live account passes silently over a state file.

A check whose property the design does not have stays "not applicable", and one the blueprint
relaxed stays skipped with its reason, as hld.checks.registry reports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from blueprints.plan_model import Plan
from hld.checks import CHECKS, Check, Outcome, Run, Tally, tally
from hld.checks.registry import evaluate
from hld.graph import Graph

NOT_IN_STATE = "not readable from state"
"""How a skipped outcome's detail starts when the check needs what a state file does not hold."""

UNREADABLE: dict[str, str] = {
    "data-flow": (
        "it proves each edge's identity by calls in the cloud as the task's role and reads each secret back "
        "in its region, answers of a live account (`hld verify` makes them in the offline cloud); the network "
        "half of each edge is proven by data-flow-network and egress-rules"
    ),
    "budget": "the budget is checked on the plan's estimate at list prices (`hld cost`), not on what was deployed",
}
"""Checks that read what a state file does not hold, and why."""


class _Called(BaseException):
    """A check asked for a cloud client. A BaseException, so a check that treats a failed call as a
    finding (`except Exception`) cannot report it as one: the check stops, and is skipped."""

    def __init__(self, service: str, region: str):
        super().__init__(service, region)
        self.service, self.region = service, region


def _no_cloud(service: str, region: str) -> Any:
    raise _Called(service, region)


@dataclass(frozen=True)
class Audited:
    """The outcome of every check over one deployment's state, and what the reading had to assume."""

    outcomes: list[Outcome]
    notes: list[str] = field(default_factory=list)
    stack: str = ""

    @property
    def tally(self) -> Tally:
        return tally(self.outcomes)

    @property
    def ok(self) -> bool:
        return self.tally.ok

    def report(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "stack": self.stack,
            "tally": self.tally.as_dict(),
            "checks": [
                {"check": o.check, "title": o.title, "status": o.status, "detail": o.detail, "problems": o.problems}
                for o in self.outcomes
            ],
            "notes": self.notes,
        }


def audit(
    plan: Plan,
    graph: Graph,
    outputs: dict[str, Any] | None = None,
    checks: dict[str, Check] = CHECKS,
    keys: Iterable[str] | None = None,
    notes: Iterable[str] = (),
    stack: str = "",
) -> Audited:
    """Every check (or `keys`) over a deployment's graph and stack outputs, as the module says: the
    ones that need a live account skipped, "not readable from state: ..."."""
    unknown = [k for k in keys or () if k not in checks]
    if unknown:
        raise ValueError(f"no check named {', '.join(map(repr, unknown))}; checks: {', '.join(checks)}")
    run = Run(plan=plan, graph=graph, outputs=dict(outputs or {}), client=_no_cloud)
    outcomes: list[Outcome] = []
    for key in keys or checks:
        check = checks[key]
        try:
            (outcome,) = evaluate(run, checks, [key])
        except _Called as call:
            why = (
                UNREADABLE.get(key)
                or f"it calls AWS ({call.service} in {call.region}), which only a live account answers"
            )
            outcome = Outcome(key, check.title, "skip", f"{NOT_IN_STATE}: {why}")
        if key in UNREADABLE and outcome.status != "skip":  # a relaxed or not applicable one stays as reported
            outcome = Outcome(key, check.title, "skip", f"{NOT_IN_STATE}: {UNREADABLE[key]}")
        outcomes.append(outcome)
    return Audited(outcomes, list(notes), stack)


def audit_export(plan: Plan, doc: dict[str, Any], file: str = "") -> Audited:
    """`audit` over a `pulumi stack export` (hld.state): the graph, the root stack's outputs, and a
    note for each AWS provider whose region the state does not record (it stands for the plan's
    primary region: the stack's `aws:region`, which the export does not carry), and one when the plan
    was made for another stack than the state's."""
    from hld.state import graph_of_export, outputs_of_export, regionless_providers, stack_of_export

    fallback, stack = plan.primary_region, stack_of_export(doc, file)
    graph = graph_of_export(doc, default_region=fallback, file=file)
    notes = [
        f"provider {name} records no region in the state: its resources are read as in {fallback}, the plan's "
        "primary region (the stack's aws:region, which `pulumi stack export` does not carry)"
        for name in regionless_providers(doc, file)
    ]
    if plan.stack != stack:
        notes.append(
            f"the plan is made for stack {plan.stack!r}, the state is stack {stack!r}: names hld sets carry the "
            "stack, so plan the blueprint for the deployed stack"
        )
    return audit(plan, graph, outputs_of_export(doc, file), notes=notes, stack=stack)

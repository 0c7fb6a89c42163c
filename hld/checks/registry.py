"""The registry of checks: what a check is, what it answers, how outcomes count.

Each check is a documented function `(Run) -> list[str]` returning what is wrong, one line per
resource ("name: problem"); an empty list passes. Checks read the resources' *state* (what the
cloud returned: under plain mocks the inputs echoed back, under the moto-backed cloud what AWS
reports), falling back to the inputs. A check tied to a §7 control is skipped, with the reason,
when the blueprint turned that control off. The groups are declared explicitly in
hld.checks (`SECURITY`, `PROMISES`), not by the order modules happen to register in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from blueprints.controls import BY_KEY
from blueprints.plan_model import Plan
from hld.graph import Graph


@dataclass(frozen=True)
class Run:
    """What the checks look at: the plan and the graph of one run, and its stack outputs."""

    plan: Plan
    graph: Graph
    outputs: dict[str, Any] = field(default_factory=dict)
    client: Callable[[str, str], Any] | None = None
    """boto3 clients onto the run's moto state (moto-backed runs only): checks that make calls use it."""


@dataclass(frozen=True)
class Outcome:
    check: str
    title: str
    status: str  # pass | fail | skip
    detail: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "fail"


@dataclass(frozen=True)
class Tally:
    """How a set of outcomes counts: one way, everywhere (text, --json, hld.testing)."""

    passed: list[str]
    failed: list[str]
    skipped: list[str]

    @property
    def total(self) -> int:
        return len(self.passed) + len(self.failed) + len(self.skipped)

    @property
    def ok(self) -> bool:
        return not self.failed

    def line(self) -> str:
        """`14 passed, 0 failed, 1 skipped (15 checks)`."""
        return (
            f"{len(self.passed)} passed, {len(self.failed)} failed, {len(self.skipped)} skipped ({self.total} checks)"
        )

    def as_dict(self) -> dict[str, object]:
        return {"total": self.total, "passed": self.passed, "failed": self.failed, "skipped": self.skipped}


def tally(outcomes: Iterable[Outcome]) -> Tally:
    outcomes = list(outcomes)
    return Tally(
        passed=[o.check for o in outcomes if o.status == "pass"],
        failed=[o.check for o in outcomes if o.status == "fail"],
        skipped=[o.check for o in outcomes if o.status == "skip"],
    )


class NotApplicable(Exception):
    """Raised by a check whose property the design does not have (one region, no CDN): reported as
    skipped with this reason, never as passed."""


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    control: str | None  # the plan control that can turn this check off
    run: Callable[[Run], Any] = field(repr=False)
    """Returns the problems, or (problems, what was proven) to say more than the docstring."""

    @property
    def doc(self) -> str:
        return " ".join((self.run.__doc__ or "").split())


def evaluate(run: Run, checks: dict[str, Check], keys: Iterable[str] | None = None) -> list[Outcome]:
    """Run the named checks (default: all of `checks`, in their order)."""
    outcomes = []
    for key in keys or checks:
        c = checks[key]
        governing = run.plan.control(c.control) if c.control is not None else None
        if governing is not None and not governing.enabled:
            # relaxed: the blueprint turned a default off; else the design does not ask for it
            why = f"turned off by the blueprint ({c.control})" if governing.relaxed else governing.detail
            outcomes.append(Outcome(key, c.title, "skip", why))
            continue
        try:
            found = c.run(run)
        except NotApplicable as why:
            outcomes.append(Outcome(key, c.title, "skip", f"not applicable: {why}"))
            continue
        problems, proven = found if isinstance(found, tuple) else (found, c.doc)
        detail = f"{len(problems)} problem(s): {problems[0]}" if problems else proven
        outcomes.append(Outcome(key, c.title, "fail" if problems else "pass", detail, problems))
    return outcomes


def control(key: str, run: Callable[[Run], list[str]]) -> Check:
    """The check of a §7 control: keyed and titled as the plan's control (blueprints.controls)."""
    return Check(key, BY_KEY[key].title, key, run)

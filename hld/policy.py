"""hld's checks as Pulumi policies: the policy SDK's resources -> the graph, and one stack validation
per check (the policy pack itself is hld.policypack).

    graph_of_policy_resources(args.resources)   the engine's resources in hld.graph's vocabulary
                                                (hld.policy_resources, the adapter)
    validations(plan)                           [(check key, validate(args, report_violation))]
    stack_plan()                                the plan of the stack the engine runs the pack for

One implementation of each check: a validation adapts what the engine hands a stack validation
policy (`StackValidationArgs.resources`, each a `PolicyResource`: type, outputs as `props`, URN,
name, parent, provider, dependencies, options) to a `Graph` and runs the check of hld.checks over
it. A resource's `inputs` and `state` are both its `props` (the engine gives stack validations the
outputs; at preview, the inputs propagated to them, and unknown what the cloud will compute), its
region its provider's `region`, its parent the parent's name. What the engine does not hand a
policy pack: the Stack's outputs come from the `pulumi:pulumi:Stack` resource's props; Pulumi's
`retainOnDelete` option is not part of the analyzer protocol (protect is), so
`deletion-protection` proves it only under `hld verify`.

Unknown values: at `pulumi preview` a property the cloud computes (an id, an ARN, a zone) is a
sentinel string. The graph keeps the sentinels and records each one a check reads; a check that
read one cannot be decided, and is reported as advisory (the SDK's report for an unknown value),
naming the unknown properties and what the check would find if they stayed as they are. It never
passes silently, and never fails a preview as mandatory on a value nobody knows yet. At `pulumi up`
the stack validation runs after the update, on the outputs, where nothing is unknown.

Not in the pack: the checks that make calls in the cloud (`data-flow` assumes each task's role in
moto and makes the edge's calls: `hld verify` runs it).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hld.checks import CHECKS, Check, Run
from hld.checks.registry import NotApplicable
from hld.graph import Graph
from hld.policy_resources import adapt

LIVE = ("data-flow",)
"""Checks that make calls in the cloud (`Run.client`): `hld verify` runs them, the pack does not."""
BLUEPRINT_ENV = "HLD_BLUEPRINT"
"""Overrides the stack's hld:blueprint (a path, absolute or relative to the project)."""
PROJECT_ENV = "HLD_PROJECT_DIR"
"""The Pulumi project's directory, when neither the working directory nor the pack is inside it."""

Validate = Callable[[Any, Callable[..., None]], None]
"""`validate(args: StackValidationArgs, report_violation)`, as a StackValidationPolicy takes it."""


# --- the plan -----------------------------------------------------------------------------------


class BlueprintNotFound(Exception):
    """The pack cannot learn which blueprint the stack deploys; the message says how to tell it."""


def stack_plan(environ: Mapping[str, str] | None = None, here: Path | None = None) -> Any:
    """The plan of the stack the engine runs the pack for.

    The Pulumi CLI starts a policy pack with the stack's config (PULUMI_CONFIG, read by
    `pulumi.Config`), PULUMI_PROJECT and PULUMI_STACK set, as it starts a program. The blueprint is
    the stack's `hld:blueprint` (or HLD_BLUEPRINT), and the rest of its hld config applies as
    `pulumi up` applies it. A relative path is the project's: HLD_PROJECT_DIR, else the nearest
    directory holding the project's Pulumi.yaml above the working directory or the pack, else
    hld's own project."""
    from pulumi.runtime.config import get_config

    from hld.stack import ConfigError, read_config

    env = os.environ if environ is None else environ
    stack = env.get("PULUMI_STACK") or ""
    if not stack:
        raise BlueprintNotFound(
            "hld's policies need the stack: run them with `pulumi preview --policy-pack DIR` or "
            "`pulumi up --policy-pack DIR` in the project (the CLI sets PULUMI_STACK)"
        )

    def get(key: str) -> str | None:
        if key == "blueprint" and env.get(BLUEPRINT_ENV):
            return env[BLUEPRINT_ENV]
        found = get_config(f"hld:{key}")
        return None if found is None else str(found)

    raw = get("blueprint")
    if not raw:
        raise BlueprintNotFound(
            f"stack {stack!r} has no hld:blueprint in the config the CLI gives the policy pack; set it with "
            "`pulumi config set hld:blueprint blueprints/my-system.yaml` (or set HLD_BLUEPRINT)"
        )
    path = _blueprint_path(raw, env, here)
    try:
        config = read_config(lambda key: str(path) if key == "blueprint" else get(key), stack)
        return _planned(config, stack, path.stat().st_mtime_ns)
    except ConfigError as exc:
        raise BlueprintNotFound(str(exc)) from None


@functools.lru_cache(maxsize=8)
def _planned(config: Any, stack: str, _mtime: int) -> Any:
    """Planned once per blueprint version: every policy of one run asks for the same plan."""
    from hld.stack import plan_for

    return plan_for(config, stack)


def _blueprint_path(raw: str, env: Mapping[str, str], here: Path | None) -> Path:
    path = Path(raw)
    if path.is_absolute():
        if path.is_file():
            return path
        raise BlueprintNotFound(f"the stack's blueprint {raw} does not exist")
    bases = _project_dirs(env, here)
    for base in bases:
        if (base / path).is_file():
            return base / path
    raise BlueprintNotFound(
        f"the stack's blueprint {raw!r} (hld:blueprint) is not in any project directory looked in: "
        + ", ".join(map(str, bases))
        + f"; set {PROJECT_ENV} to the Pulumi project's directory, or {BLUEPRINT_ENV} to the blueprint's path"
    )


def _project_dirs(env: Mapping[str, str], here: Path | None) -> list[Path]:
    from hld.stack import PROJECT_ROOT

    found: list[Path] = []
    if env.get(PROJECT_ENV):
        found.append(Path(env[PROJECT_ENV]))
    project = env.get("PULUMI_PROJECT")
    for start in (Path.cwd(), here or Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if _is_project(folder / "Pulumi.yaml", project) and folder not in found:
                found.append(folder)
                break
    # hld's own checkout is a project only when the pack runs in it (never where hld is installed)
    from hld.project import current

    if not found and current().root == PROJECT_ROOT:
        found.append(PROJECT_ROOT)
    return found


def _is_project(file: Path, project: str | None) -> bool:
    if not file.is_file():
        return False
    if not project:
        return True
    import yaml

    try:
        return (yaml.safe_load(file.read_text()) or {}).get("name") == project
    except (OSError, yaml.YAMLError):
        return False


# --- the validations ----------------------------------------------------------------------------


def pack_checks() -> list[Check]:
    """The checks the pack runs: every check of hld.checks but the ones that call the cloud."""
    return [c for key, c in CHECKS.items() if key not in LIVE]


def validations(plan: Any) -> list[tuple[str, Validate]]:
    """One stack validation per check of the pack: `plan` is the Plan, or a function returning it
    (raising BlueprintNotFound when it cannot: reported as the policy's violation)."""
    return [(c.key, _validation(c, plan)) for c in pack_checks()]


def _validation(check: Check, plan: Any) -> Validate:
    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        try:
            planned = plan() if callable(plan) else plan
        except BlueprintNotFound as exc:
            report_violation(f"{check.key}: no plan to check against: {exc}")
            return
        governing = planned.control(check.control) if check.control is not None else None
        if governing is not None and not governing.enabled:
            args.not_applicable(
                f"turned off by the blueprint ({check.control})" if governing.relaxed else governing.detail
            )
        adapted = adapt(args.resources)
        try:
            found = check.run(Run(planned, adapted.graph, adapted.outputs, None))
        except NotApplicable as why:
            args.not_applicable(f"not applicable: {why}")
            return
        problems = list(found[0] if isinstance(found, tuple) else found)
        if adapted.reads.unknown:
            raise undecided(check.key, sorted(adapted.reads.unknown), problems)
        for problem in problems:
            report_violation(problem, _urn_of(adapted.graph, problem))

    validate.__doc__ = check.run.__doc__
    return validate


def undecided(key: str, unknown: list[str], problems: list[str]) -> Exception:
    """The SDK's report of a policy that read a value unknown at preview (advisory, whatever the
    policy's level), naming the unknown properties and what the check finds with them unknown."""
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

    shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
    message = f"{key} reads {len(unknown)} unknown value(s): {shown}; decided at `pulumi up`"
    if problems:
        message += f"; with them unknown it finds {len(problems)} problem(s): " + "; ".join(problems[:5])
    error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
    error.message = message
    return error


def _urn_of(graph: Graph, problem: str) -> str | None:
    """The URN of the resource a problem names ("name: problem"); None for the stack as a whole."""
    name = problem.split(":", 1)[0].strip()
    found = next((r for r in graph.resources if r.name == name), None)
    return found.urn if found is not None else None

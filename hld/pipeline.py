"""The commands' work, without printing: load and plan a blueprint, run the AWS program in the
offline cloud with its checks, render the Kubernetes target with its checks, the HLD document,
and the whole `build`. The command line (hld.cli) parses arguments, calls these and prints.

Everything refused as input raises `BadInput` (exit 2); a resource the cloud refuses raises
`CloudRejected` (exit 1). Heavy libraries are imported by the functions that need them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hld.errors import BadInput, CloudRejected, ProgramLost, SynthError
from hld.output import OutputRefused, Tree, write_tree

if TYPE_CHECKING:
    from blueprints.model import Blueprint
    from blueprints.plan_model import Plan
    from blueprints.problems import Problem
    from blueprints.whatif import WhatIf
    from hld.checks import Outcome, Tally
    from hld.offline import Result


def load(file: Path) -> Blueprint:
    """The blueprint at `file` (`-`: standard input); every problem is BadInput."""
    from blueprints import BlueprintError
    from blueprints import load as read

    try:
        return read(file)
    except BlueprintError as exc:
        raise BadInput(list(exc.problems)) from None


def validate(files: list[Path]) -> tuple[list[str], list[Problem]]:
    """(the files that are valid, every problem of the others)."""
    from blueprints import BlueprintError
    from blueprints import load as read
    from blueprints.problems import Problem

    valid, problems = [], []
    for i, path in enumerate(files):
        if str(path) == "-" and "-" in map(str, files[:i]):
            problems.append(Problem((), "standard input is read once", "io", "pass `-` once", "<stdin>"))
            continue
        try:
            read(path)
            valid.append("<stdin>" if str(path) == "-" else str(path))
        except BlueprintError as exc:
            problems += exc.problems
    return valid, problems


def explain(file: Path, disruption: str, lost: str | None, environment: str = "production") -> WhatIf:
    """A zone or region loss played through the plan."""
    from blueprints.whatif import explain as play

    planned = plan(file, environment)
    try:
        return play(planned, disruption, lost)  # type: ignore[arg-type]
    except ValueError as exc:
        raise BadInput.option("--lost", str(exc), "what-if", "pass --lost with a planned zone or region") from None


def default_stack(environment: str) -> str:
    """The stack a command names when no --stack is given: `prod`, or `dev` in development (one
    name for plan, cost, synth, verify and build alike)."""
    return "dev" if environment == "development" else "prod"


def plan(file: Path, environment: str = "production", stack: str | None = None) -> Plan:
    from blueprints import StackSettings
    from blueprints import plan as make_plan

    return make_plan(load(file), StackSettings(name=stack or default_stack(environment), environment=environment))


@dataclass
class Costed:
    """`hld cost`: the plan (with its estimate), every alternative design, the steps between them."""

    plan: Plan
    alternatives: list[Any]
    steps: list[str]

    def report(self) -> dict[str, Any]:
        cost = self.plan.cost
        assert cost is not None
        return {
            "ok": self.plan.ok,
            "system": self.plan.name,
            "monthly_usd": cost.monthly_min,
            "monthly_usd_at_max": cost.monthly_max,
            "complete": cost.complete,
            "budget": cost.budget,
            "budget_status": cost.budget_status,
            "unmet": [u.model_dump(mode="json") for u in self.plan.unmet],
            "lines": [line.model_dump(mode="json") | {"assumed": bool(line.assumes)} for line in cost.lines],
            "unpriced": cost.unpriced,
            "assumptions": [a.model_dump(mode="json") for a in cost.assumptions],
            "left_out": cost.left_out,
            "prices_checked": cost.prices_checked,
            "alternatives": [a.as_dict() for a in self.alternatives],
            "steps": self.steps,
        }


def cost(file: Path, environment: str = "production", stack: str | None = None) -> Costed:
    """The plan's monthly cost and each redundancy choice's, every one a real re-plan."""
    from blueprints import StackSettings
    from blueprints.cost.alternatives import alternatives, steps

    if stack:
        settings = StackSettings(name=stack, environment=stack_settings_environment(stack, file))
    else:
        settings = StackSettings(name=default_stack(environment), environment=environment)
    bp = load(file)
    from blueprints import plan as make_plan

    planned = make_plan(bp, settings)
    rows = alternatives(bp, planned, settings)
    return Costed(planned, rows, steps(rows))


def stack_settings_environment(stack: str, file: Path) -> str:
    """The environment a stack of stacks/ names (hld:environment), FILE being its blueprint."""
    return stack_config(stack, file).get("hld:environment", "production")


def stack_config(stack: str, file: Path) -> dict[str, str]:
    """The config of stacks/Pulumi.<stack>.yaml with FILE as its blueprint. A stack deploys the
    blueprint its config names: FILE must be that file."""
    from hld.offline import stack_config as read_config
    from hld.project import current

    try:
        config = read_config(stack)
    except SynthError as exc:
        raise BadInput.option(
            "--stack", str(exc), "stack", "name one of those stacks, or drop --stack to run FILE with --environment"
        ) from None
    named = config.get("hld:blueprint")
    if named:
        configured = current().resolve(named)
        if configured.resolve() != Path(file).resolve():
            raise BadInput.option(
                "--stack",
                f"stack {stack!r} deploys {named}, not {file}",
                "stack",
                f"pass {named} with --stack {stack}, or drop --stack to run {file} with --environment",
            )
    config["hld:blueprint"] = str(Path(file).resolve())
    return config


def _aws_stack(stack: str, file: Path) -> dict[str, str]:
    config = stack_config(stack, file)
    target = config.get("hld:target", "aws")
    if target != "aws":
        raise BadInput.option(
            "--stack",
            f"stack {stack!r} targets {target}; this command runs the aws target",
            "stack",
            "for kubernetes, `hld render` validates every object (schemas and cross-object checks)",
        )
    return config


def configured_path(file: Path) -> str:
    """FILE as `hld:blueprint` names it: relative to the project (the Pulumi program resolves it
    there, hld.stack.read_config), or absolute when it lies outside."""
    from hld.project import current

    return current().relative(file)


def current_stack_file(stack: str) -> str:
    from hld.project import current

    return str(current().stack_file(stack))


def _from_a_path(file: Path) -> None:
    """The Pulumi program (synth, verify, build) reads the blueprint from its path, not standard
    input: refused before anything reads it."""
    if str(file) == "-":
        raise BadInput.option(
            "FILE", "the Pulumi program reads its blueprint from a file, not standard input", "stdin", "pass its path"
        )


def synth(
    file: Path, stack: str | None, environment: str, cloud: str = "mocks", meanwhile: Callable[[], object] | None = None
) -> Result:
    """Run the Pulumi program (stacks/__main__.py) for FILE under the offline runtime;
    `meanwhile`: what the command needs next, loaded while the program's process loads."""
    _from_a_path(file)
    load(file)  # bad input ends here, before Pulumi starts
    from hld.offline.process import start

    if stack:
        config, name = _aws_stack(stack, file), stack
    else:
        config = {"hld:blueprint": str(Path(file).resolve()), "hld:target": "aws", "hld:environment": environment}
        name = default_stack(environment)
    # one run per command: against moto, the program's process is forked before either half loads
    # its libraries (hld.offline.process), and this process brings up the cloud meanwhile; against
    # the echoing mocks the cloud's half is too small to be worth a second process
    process = start(config, name) if cloud == "moto" else None
    try:
        from hld.offline import mocks_for, run

        return run(config, name, mocks_for(cloud, name), process=process, meanwhile=meanwhile)
    except (CloudRejected, ProgramLost):
        raise
    except SynthError as exc:
        if stack:
            raise BadInput.option(
                "--stack", str(exc), "stack", f"check the stack's config ({current_stack_file(stack)})"
            ) from None
        raise BadInput.one(str(exc), "program", "fix the blueprint or the environment it names", str(file)) from None
    finally:
        if process is not None:
            process.close()


def _checks() -> None:
    import hld.checks  # noqa: F401 (loaded for verify while the program's process loads)


@dataclass
class Verified:
    """One offline run and what it proved."""

    result: Result
    outcomes: list[Outcome]
    coverage: Any
    impact: WhatIf | None = None

    @property
    def tally(self) -> Tally:
        from hld.checks import tally

        return tally(self.outcomes)

    def report(self) -> dict[str, Any]:
        return {
            "ok": self.tally.ok,
            "stack": self.result.stack,
            "cloud": self.result.cloud,
            "tally": self.tally.as_dict(),
            "checks": [
                {"check": o.check, "title": o.title, "status": o.status, "detail": o.detail, "problems": o.problems}
                for o in self.outcomes
            ],
            "coverage": {"percent": round(self.coverage.percent, 1), "by_type": self.coverage.rows()},
            "what_if": self.impact.model_dump(mode="json") if self.impact else None,
        }


def parse_disruption(text: str | None, file: Path) -> tuple[str, str] | None:
    if text is None:
        return None
    kind, _, where = text.partition(":")
    if kind not in ("zone", "region") or not where:
        raise BadInput.option(
            "--fail", f"{text!r} is not zone:NAME or region:NAME", "fail", "e.g. --fail zone:us-east-1a"
        )
    return f"{kind}-loss", where


def verify(
    file: Path, stack: str | None, environment: str, cloud: str = "moto", fail: tuple[str, str] | None = None
) -> Verified:
    """The program in the offline cloud, then every named check (and the what-if, with `fail`)."""
    result = synth(file, stack, environment, cloud, meanwhile=_checks)
    from hld.checks import Run, evaluate

    with result.held():
        outcomes = evaluate(Run(result.plan, result.graph, result.outputs, result.live_reader))
    impact = None
    if fail is not None:
        from blueprints.whatif import must_survive
        from hld.checks import Outcome
        from hld.checks.promises import impact_problems
        from hld.failures import what_if

        try:
            impact = what_if(result.plan, result.graph, fail[0], fail[1])
        except ValueError as exc:
            raise BadInput.option("--fail", str(exc), "fail", "name a deployed zone or region") from None
        required = must_survive(result.plan, impact.disruption)
        problems = impact_problems(result.plan, impact) if required else []
        detail = (
            f"the design must survive a {fail[0]} ({result.plan.level.value}), and the deployed state does"
            if required
            else f"the design does not promise to survive a {fail[0]} ({result.plan.level.value}): reported only"
        )
        outcomes.append(
            Outcome(
                "what-if",
                f"What if: {fail[0]} {fail[1]}",
                "fail" if problems else "pass",
                f"{len(problems)} problem(s): {problems[0]}" if problems else detail,
                problems,
            )
        )
    return Verified(result, outcomes, result.coverage(), impact)


@dataclass
class Rendered:
    """The Kubernetes target of a plan: its files, its objects and what its checks found."""

    tree: Tree
    objects: list[dict[str, Any]]
    checks: list[tuple[str, str, list[str]]]
    """Every named check: (name, what it proves, problems)."""
    version: str
    """The Kubernetes version whose schemas the objects were validated against."""

    @property
    def problems(self) -> list[str]:
        return [f"{name}: {p}" for name, _, problems in self.checks for p in problems]


def kind_options(profile: str, cpus: float, memory_gib: float, http_port: int, https_port: int) -> Any:
    """The kind render's options (generators.kubernetes.common.KindOptions); two equal host
    ports are bad input."""
    from generators.kubernetes.common import KindOptions

    if http_port == https_port:
        raise BadInput.option(
            "--https-port",
            f"--http-port and --https-port are both {http_port}",
            "http-port",
            "give the two host ports different numbers",
        )
    return KindOptions(profile, cpus, memory_gib, http_port, https_port)  # type: ignore[arg-type]


def previous_credentials(folder: Path | None, under: str = "") -> dict[str, dict[str, str]]:
    """The credentials an earlier render (`under` a build's folder) wrote into `folder`: only files
    of hld's output there whose content is still what hld wrote (hld.output.read_owned)."""
    from generators.kubernetes.render import parse_env
    from hld.output import read_owned

    if folder is None:
        return {}
    try:
        owned = read_owned(folder, f"{under}secrets/")
    except OSError:
        return {}
    return {
        rel.removeprefix(f"{under}secrets/").removesuffix(".env"): parse_env(text)
        for rel, text in owned.items()
        if rel.endswith(".env")
    }


def kubernetes(plan: Plan, kind: Any = None, previous: Path | None = None, under: str = "") -> Rendered:
    """The kind render (`kind`: generators.kubernetes.common.KindOptions), its credentials kept from
    the render in `previous` when there is one, validated and cross-checked."""
    from generators.kubernetes import K8S_VERSION, kind_cluster, objects
    from generators.kubernetes.common import KindOptions
    from generators.kubernetes.render import tree
    from hld.checks.kubernetes import cross_checks, schema_problems

    kind = kind or KindOptions()
    objs = objects(plan, kind)
    checks = [
        (
            "schemas",
            f"every object is valid against Kubernetes {K8S_VERSION} (strict)",
            schema_problems(objs, K8S_VERSION),
        )
    ]
    checks += cross_checks(plan, objs, kind_cluster(plan, kind), kind)
    files, private = tree(plan, kind, previous_credentials(previous, under))
    return Rendered(Tree(files, private), objs, checks, K8S_VERSION)


def with_alternatives(plan: Plan, file: Path) -> Plan:
    """`plan` with its cost's alternatives table filled (every redundancy choice re-planned)."""
    from blueprints import StackSettings
    from blueprints.cost.alternatives import alternatives, steps

    if plan.cost is None:
        return plan
    rows = alternatives(load(file), plan, StackSettings(name=plan.stack, environment=plan.environment))
    filled = plan.cost.model_copy(update={"alternatives": [a.as_dict() for a in rows], "steps": steps(rows)})
    return plan.model_copy(update={"cost": filled})


def docs(plan: Plan) -> Tree:
    from generators.docs import files, svg_of

    return Tree(files(plan, svg_of(plan)))


def write(out: Path, tree: Tree, command: str, system: str | None = None, option: str = "--out") -> list[str]:
    """Write a command's output for `system` (hld.output); refusals and unwritable places are
    BadInput, named by `option` (--out, or `hld new`'s FOLDER)."""
    try:
        return write_tree(out, tree, command, system)
    except OutputRefused as exc:
        fix = (
            exc.fix
            if option == "--out"
            else exc.fix.replace("another --out", f"another {option}").replace("--out ", "")
        )
        raise BadInput.option(option, str(exc), "out", fix) from None
    except OSError as exc:
        raise BadInput.option(
            option, f"cannot write {out}: {exc.strerror or exc}", "out", f"pass {option} a writable directory"
        ) from None


def write_terraform_plan(out: Path, result: Any, file: Path) -> None:
    """`hld synth --terraform-plan`: a new file, or a plan hld wrote earlier (never another file)."""
    import json

    from hld.output import write_file
    from hld.terraform import plan_json

    text = json.dumps(plan_json(result.graph, result.stack), indent=1, sort_keys=True, default=str) + "\n"
    try:
        write_file(out, text, "a Terraform plan")
    except OutputRefused as exc:
        raise BadInput.option("--terraform-plan", str(exc), "terraform-plan", exc.fix) from None
    except OSError as exc:
        raise BadInput.option(
            "--terraform-plan", f"cannot write {out}: {exc.strerror or exc}", "terraform-plan", "pass a writable path"
        ) from None


def schema_text() -> str:
    from blueprints.schema import schema_text as text

    return text()


def write_schema(out: Path) -> None:
    """`hld schema --out`: a new file, or an earlier schema hld wrote (never another file)."""
    from hld.output import write_file

    try:
        write_file(out, sealed_schema_text(), "a schema")
    except OutputRefused as exc:
        raise BadInput.option("--out", str(exc), "out", exc.fix) from None
    except OSError as exc:
        raise BadInput.option(
            "--out", f"cannot write {out}: {exc.strerror or exc}", "out", "pass a writable path"
        ) from None


def sealed_schema_text() -> str:
    """The schema as `hld schema --out` writes it: with a `$comment` carrying its seal, so hld later
    replaces that file only while its content is what hld wrote (hld.output.write_file)."""
    from hld.output import SEAL

    doc = json.loads(schema_text())
    doc["$comment"] = f"written by hld schema --out; hld overwrites this file only while it is unedited ({SEAL})"
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


@dataclass
class Built:
    """What `hld build` did: the plan it deployed, the offline run, the render, what it wrote."""

    plan: Plan
    verified: Verified | None
    rejected: str | None
    rendered: Rendered
    written: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """What failed, by name: targets the plan misses, checks, the render, a rejection."""
        out = [f"plan: {u.what}" for u in self.plan.unmet]
        if self.rejected:
            out.append("aws: rejected")
        if self.verified is not None:
            out += [f"check: {c}" for c in self.verified.tally.failed]
        out += [f"kubernetes: {name}" for name, _, problems in self.rendered.checks if problems]
        return out

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self, file: Path, out: Path, stack: str | None) -> dict[str, Any]:
        """What `hld build` reports (its --json)."""
        built = self
        verified = built.verified
        tally = verified.tally.as_dict() if verified else None
        return {
            "ok": built.ok,
            "failed": built.failed,
            "availability": {
                "target": built.plan.availability.target,
                "estimate": built.plan.availability.estimate,
                "met": built.plan.availability.met,
            },
            "objectives": [{"objective": o.name, "met": o.met, "detail": o.detail} for o in built.plan.objectives],
            "tally": tally,
            "checks": verified.report()["checks"] if verified else [],
            "rejected": built.rejected,
            "coverage_percent": round(verified.coverage.percent, 1) if verified else None,
            "kubernetes_problems": built.rendered.problems,
            "out": str(out),
            "files": len(built.written),
            "next": [
                f"pulumi preview --stack {stack}"
                if stack
                else f"pulumi stack init <name> && pulumi config set hld:blueprint {configured_path(file)} && "
                "pulumi preview",
                f"follow {out}/kubernetes/README.md: kind cluster, add-ons, kubectl apply -k, curl",
                f"open {out}/docs/HLD.md",
            ]
            if built.ok
            else [
                f"fix what failed ({', '.join(built.failed)}): "
                + _found_in(out, built.rendered.problems)
                + " what each check found",
                "run hld build again; deploy only a build that passes",
            ],
        }


def _found_in(out: Path, kubernetes_problems: list[str]) -> str:
    """Where a failed build's findings are: verify.json, and kubernetes/problems.json only when the
    render failed its checks (a render that passed wrote manifests instead)."""
    if kubernetes_problems:
        return f"{out}/verify.json and {out}/kubernetes/problems.json say"
    return f"{out}/verify.json says"


def _render_report(rendered: Rendered) -> str:
    """The Kubernetes checks of a render, as JSON: each with what it proves and its problems."""
    checks = [
        {"check": name, "proves": proves, "status": "fail" if problems else "pass", "problems": problems}
        for name, proves, problems in rendered.checks
    ]
    return json.dumps({"ok": not rendered.problems, "checks": checks}, indent=2) + "\n"


def build(file: Path, out: Path, stack: str | None, environment: str, status: Any = None, kind: Any = None) -> Built:
    """Validate, plan, run the AWS program in moto with every check, render the Kubernetes target
    with its checks and the HLD document, and write them all to `out` at once (or nothing)."""

    def say(text: str) -> None:
        if status is not None:
            status(text)

    _from_a_path(file)
    planned = plan(file, environment, stack)
    if stack:
        _aws_stack(stack, file)
    say("running the AWS program in the offline cloud (moto)...")
    verified, rejected = None, None
    try:
        verified = verify(file, stack, environment, cloud="moto")
        planned = verified.result.plan or planned  # the plan the program deployed (the stack's settings)
    except CloudRejected as exc:
        rejected = str(exc)
    say("rendering the Kubernetes target and its checks...")
    rendered = kubernetes(planned, kind, out, "kubernetes/")
    say("writing the HLD document...")
    # manifests that fail their checks are not written (as `hld render` refuses them): what the
    # checks found is, in their place
    manifests = rendered.tree if not rendered.problems else Tree({"problems.json": _render_report(rendered)})
    tree = manifests.under("kubernetes") | docs(with_alternatives(planned, file)).under("docs")
    if verified is not None:
        tree = tree | Tree({"verify.json": json.dumps(verified.report(), indent=2) + "\n"})
    else:
        tree = tree | Tree({"verify.json": json.dumps({"ok": False, "rejected": rejected}, indent=2) + "\n"})
    built = Built(planned, verified, rejected, rendered)
    built.written = write(out, tree, "build", planned.name)
    return built


def new(folder: Path, name: str | None, region: str | None, blueprint: Path | None) -> tuple[str, list[str]]:
    """`hld new`: a Pulumi project in `folder` (hld.scaffold), for `blueprint` (copied, after it
    validates) or a starter; returns the system's name and the files written."""
    import re

    from blueprints.figures import REGION_ZONES
    from blueprints.model import NAME_PATTERN
    from hld.scaffold import NewProject, starter_name, tree

    text, zoned = None, True
    if blueprint is not None:
        bp = load(blueprint)
        zoned = bool(bp.services) and (bp.redundancy.level or "") != "single-zone"
        text = Path(blueprint).read_text() if str(blueprint) != "-" else None
        if text is None:
            raise BadInput.option("FILE", "`hld new --from` copies a file", "new", "pass the blueprint's path")
        if name is not None and name != bp.name:
            raise BadInput.option(
                "--name", f"the blueprint names its system {bp.name!r}", "new", f"drop --name, or pass --name {bp.name}"
            )
        name = bp.name
        region = region or (bp.regions[0] if bp.regions else None)
    name = name or starter_name(folder)
    if not re.fullmatch(NAME_PATTERN, name) or len(name) > 40:
        raise BadInput.option(
            "--name",
            f"{name!r} is not a system name: lower-case letters, digits and single dashes, starting with a "
            "letter, at most 40 characters",
            "new",
            "pass --name, e.g. --name orders",
        )
    region = region or "us-east-1"
    if region not in REGION_ZONES:
        raise BadInput.option("--region", f"unknown region {region!r}", "new", f"one of: {', '.join(REGION_ZONES)}")
    files = write(folder, tree(NewProject(name, region, text, zoned)), "new", name, option="FOLDER")
    return name, files


def audit(file: Path, state: Path, stack: str | None, environment: str) -> Any:
    """`hld audit`: the blueprint planned for the deployed stack (its config from the project's
    stack file when it has one: --stack, else the export's own stack name), then every check over
    the state `pulumi stack export` wrote (hld.audit, hld.state)."""
    from hld.audit import audit_export
    from hld.project import current
    from hld.stack import ConfigError, plan_for, read_config
    from hld.state import read_export, stack_of_export

    _from_a_path(file)
    load(file)  # bad input ends here
    doc = read_export(state)
    name = stack or stack_of_export(doc, str(state))
    if stack or current().stack_file(name).exists():
        config = stack_config(name, file)
    else:
        config = {"hld:blueprint": str(Path(file).resolve()), "hld:environment": environment}
    try:
        planned = plan_for(read_config(lambda key: config.get(f"hld:{key}"), name), name)
    except ConfigError as exc:
        raise BadInput.option(
            "--stack", str(exc), "stack", "pass --stack with the stack's file, or set hld:domain in it"
        ) from None
    return audit_export(planned, doc, str(state))

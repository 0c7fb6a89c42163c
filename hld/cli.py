"""The `hld` command line.

Exit codes: 0 success; 1 the design misses its own targets or a check failed;
2 bad input (the blueprint, a flag, a file). Bad input never ends in a traceback.
Heavy libraries (Pulumi, boto3, moto) are imported only by the commands that
need them, so `validate` and `plan` start fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from hld import __version__

if TYPE_CHECKING:
    from blueprints.model import Blueprint

app = typer.Typer(
    name="hld",
    help=(
        "Turn a high-level design (a YAML blueprint: availability target, consistency, "
        "redundancy, scaling, services, data stores) into a plan with reasons, and check it.\n\n"
        "Start with: hld validate blueprints/examples/url-shortener.yaml, then hld plan on the same file.\n\n"
        "Exit codes: 0 ok, 1 the design misses its own targets, 2 bad input."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

FileArg = Annotated[Path, typer.Argument(help="A blueprint YAML file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout (for CI).")]


class Environment(StrEnum):
    production = "production"
    development = "development"


class Disruption(StrEnum):
    zone_loss = "zone-loss"
    region_loss = "region-loss"


EnvOpt = Annotated[
    Environment,
    typer.Option(
        "--environment",
        "-e",
        help="production: NAT per zone, production instance classes; development: smaller.",
    ),
]


def _emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def _fail_input(problems: list[object], as_json: bool) -> NoReturn:
    from blueprints.problems import Problem

    items = [p for p in problems if isinstance(p, Problem)]
    if as_json:
        _emit_json({"valid": False, "problems": [p.as_dict() for p in items]})
    else:
        for p in items:
            sys.stderr.write(p.render() + "\n")
        sys.stderr.write(f"{len(items)} problem(s) found.\n")
    raise typer.Exit(2)


def _written(write: Callable[[], list[str]], out: Path, file: Path, as_json: bool) -> list[str]:
    """Run an output writer; a directory that cannot be written is bad input (exit 2)."""
    from blueprints.problems import Problem

    try:
        return write()
    except OSError as exc:
        _fail_input(
            [
                Problem(
                    (),
                    f"cannot write {out}: {exc.strerror or exc}",
                    "out",
                    "pass --out a writable directory",
                    str(file),
                )
            ],
            as_json,
        )


def _load(path: Path, as_json: bool) -> Blueprint:
    from blueprints import BlueprintError, load

    try:
        return load(path)
    except BlueprintError as exc:
        _fail_input(list(exc.problems), as_json)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hld {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """hld: high-level design in, infrastructure out, verified offline."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="One or more blueprint files.", show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    """Check blueprints; print every problem as FILE:LINE:COL: field: message, with a fix.

    Exit 0 when all are valid, 2 when any is not.
    """
    from blueprints import BlueprintError, load

    problems = []
    valid = []
    for path in files:
        try:
            load(path)
            valid.append(str(path))
        except BlueprintError as exc:
            problems += exc.problems
    if as_json:
        _emit_json(
            {"valid": not problems, "files": [str(f) for f in files], "problems": [p.as_dict() for p in problems]}
        )
        raise typer.Exit(2 if problems else 0)
    for name in valid:
        typer.echo(f"{name}: valid")
    if problems:
        _fail_input(list(problems), False)


@app.command()
def plan(file: FileArg, as_json: JsonOpt = False, environment: EnvOpt = Environment.production) -> None:
    """Turn the blueprint into decisions, each with its reason, and estimate availability.

    Shows regions, zones, engines, replication, DR strategy, capacity, scaling bounds,
    CDN and security controls; the SLA-based availability per user journey (with the
    sources of the figures); the downtime budget; RTO/RPO. Exit 1 when the plan
    cannot meet the blueprint's own targets (it says which, and what would).
    """
    from blueprints import StackSettings
    from blueprints import plan as make_plan

    blueprint = _load(file, as_json)
    result = make_plan(blueprint, StackSettings(environment=environment.value))
    if as_json:
        _emit_json(result.model_dump(mode="json"))
    else:
        from hld.report import console, plan_view

        console().print(plan_view(result))
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def explain(
    file: FileArg,
    what_if: Annotated[
        Disruption, typer.Option("--what-if", help="The disruption to play through the plan.", show_default=False)
    ],
    lost: Annotated[
        str | None,
        typer.Option(
            help="Which zone or region is lost (default: the primary region's first zone, or the primary region)."
        ),
    ] = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
) -> None:
    """Play a zone or region loss through the plan: journeys that survive, capacity left vs
    peak, expected RTO/RPO."""
    from blueprints import StackSettings
    from blueprints import plan as make_plan
    from blueprints.problems import Problem
    from blueprints.whatif import explain as play

    blueprint = _load(file, as_json)
    result = make_plan(blueprint, StackSettings(environment=environment.value))
    try:
        outcome = play(result, what_if.value, lost)
    except ValueError as exc:
        _fail_input([Problem((), str(exc), "what-if", "pass --lost with a planned zone or region", str(file))], as_json)
    if as_json:
        _emit_json(outcome.model_dump(mode="json"))
        return
    from hld.report import console, whatif_view

    console().print(whatif_view(outcome))


class Target(StrEnum):
    aws = "aws"


@app.command()
def synth(
    file: FileArg,
    target: Annotated[Target, typer.Option(help="What to synthesize.")] = Target.aws,
    stack: Annotated[
        str | None,
        typer.Option(
            help="Use the config of stacks/Pulumi.<stack>.yaml (environment, domain, zone), with FILE as its blueprint."
        ),
    ] = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
) -> None:
    """Run the Pulumi program offline (Pulumi's mock runtime: no credentials, no Pulumi CLI)
    and print the resource graph (type, name, parent, region, key inputs) and the stack outputs.

    The program is the one `pulumi preview` runs: stacks/__main__.py.
    """
    _load(file, as_json)  # bad input ends here, before Pulumi starts
    from hld.offline import SynthError, synth_blueprint, synth_stack
    from hld.report import console, synth_view

    try:
        with console(stderr=True).status("running the Pulumi program under mocks..."):
            result = synth_stack(stack, file) if stack else synth_blueprint(file, environment.value)
    except SynthError as exc:
        from blueprints.problems import Problem

        _fail_input(
            [Problem((), str(exc), "stack", "check the stack's config (stacks/Pulumi.<stack>.yaml)", str(file))],
            as_json,
        )
    if as_json:
        _emit_json(
            {
                "stack": result.stack,
                "resources": [{**r.summary(), "inputs": r.inputs} for r in result.graph.resources],
                "outputs": result.outputs,
            }
        )
        return
    console().print(synth_view(result))


class RenderTarget(StrEnum):
    kubernetes = "kubernetes"
    docs = "docs"


@app.command()
def render(
    file: FileArg,
    out: Annotated[Path, typer.Option("--out", help="Directory to write (replaced as a whole, atomically).")],
    target: Annotated[RenderTarget, typer.Option(help="What to render.")] = RenderTarget.kubernetes,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
) -> None:
    """Render a target into DIR (replaced as a whole, atomically).

    kubernetes: a local kind cluster whose worker nodes stand for the planned zones:
    kind-cluster.yaml, kustomization.yaml, one file per object, and generated credentials
    in secrets/ (git-ignored). Every object is validated against the pinned Kubernetes
    OpenAPI schemas (strict) and across objects before anything is written. Then:
    kind create cluster --config DIR/kind-cluster.yaml && kubectl apply -k DIR

    docs: HLD.md (architecture as Mermaid, and as architecture.svg when Graphviz's dot is
    installed; modules, technology, data flow, API, security, scalability, availability
    and consistency) and plan.json, all from the plan.
    """
    from blueprints import StackSettings
    from blueprints import plan as make_plan

    if target == RenderTarget.docs:
        from generators.docs import render as write_docs

        blueprint = _load(file, as_json)
        result = make_plan(blueprint, StackSettings(environment=environment.value))
        written = _written(lambda: write_docs(result, out), out, file, as_json)
        if as_json:
            _emit_json({"ok": True, "out": str(out), "files": written})
        else:
            typer.echo(f"{out}: {', '.join(written)}")
            if "architecture.svg" not in written:
                typer.echo("note: Graphviz's dot is not installed; HLD.md carries the Mermaid diagram only")
        return
    from generators.kubernetes import K8S_VERSION, kind_cluster, objects
    from generators.kubernetes import render as write
    from hld.kube_checks import cross_problems, schema_problems

    blueprint = _load(file, as_json)
    result = make_plan(blueprint, StackSettings(environment=environment.value))
    objs = objects(result)
    problems = schema_problems(objs, K8S_VERSION) + cross_problems(result, objs, kind_cluster(result))
    if problems:
        if as_json:
            _emit_json({"ok": False, "problems": problems})
        else:
            sys.stderr.write("\n".join(problems) + f"\n{len(problems)} problem(s); nothing written.\n")
        raise typer.Exit(1)
    written = _written(lambda: write(result, out), out, file, as_json)
    if as_json:
        _emit_json({"ok": True, "out": str(out), "kubernetes": K8S_VERSION, "objects": len(objs), "files": written})
        return
    typer.echo(
        f"{out}: {len(objs)} objects for a kind cluster with {len(result.zones(result.primary_region))} zone workers "
        f"(valid against Kubernetes {K8S_VERSION}, strict)\n"
        f"next: kind create cluster --config {out}/kind-cluster.yaml && kubectl apply -k {out}"
    )


class Cloud(StrEnum):
    moto = "moto"
    mocks = "mocks"


def _disruption(text: str | None, file: Path, as_json: bool) -> tuple[str, str] | None:
    from blueprints.problems import Problem

    if text is None:
        return None
    kind, _, where = text.partition(":")
    if kind not in ("zone", "region") or not where:
        _fail_input(
            [
                Problem(
                    (),
                    f"--fail {text!r} is not zone:NAME or region:NAME",
                    "fail",
                    "e.g. --fail zone:us-east-1a",
                    str(file),
                )
            ],
            as_json,
        )
    return f"{kind}-loss", where


@app.command()
def verify(
    file: FileArg,
    stack: Annotated[
        str | None,
        typer.Option(
            help="Use the config of stacks/Pulumi.<stack>.yaml (environment, domain, zone), with FILE as its blueprint."
        ),
    ] = None,
    cloud: Annotated[
        Cloud,
        typer.Option(
            help="moto: every resource created in moto's AWS (the default); mocks: inputs echoed back, faster."
        ),
    ] = Cloud.moto,
    fail: Annotated[
        str | None,
        typer.Option(
            "--fail",
            help="Play a disruption on the deployed state: zone:us-east-1a or region:us-east-1.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
) -> None:
    """Run the stack's Pulumi program in an offline AWS (moto: no credentials, no Pulumi CLI),
    then every named check: availability, zones, regions, static stability, security and
    data-safety defaults (HLD-RULES §7), DR.

    Prints each check with its status and detail, and how many resources went through a
    real moto API. With --fail, also what survives that zone or region loss in the deployed
    state. Exit codes: 0 every check passes, 1 a check failed (or AWS rejected a resource),
    2 bad input.
    """
    from blueprints.problems import Problem

    _load(file, as_json)  # bad input ends here, before Pulumi starts
    disruption = _disruption(fail, file, as_json)
    from hld.offline import SynthError, stack_config, synth_blueprint, synth_stack

    if stack:
        try:
            target = stack_config(stack).get("hld:target", "aws")
        except SynthError as exc:
            _fail_input([Problem((), str(exc), "stack", "name a stack of stacks/", str(file))], as_json)
        if target != "aws":
            _fail_input(
                [
                    Problem(
                        (),
                        f"stack {stack!r} targets {target}; hld verify checks the aws target",
                        "stack",
                        "for kubernetes, `hld render` validates every object (schemas and cross-object checks)",
                        str(file),
                    )
                ],
                as_json,
            )
    from hld.report import console, verify_view

    rejected = None
    result = None
    with console(stderr=True).status(f"running the Pulumi program in the offline cloud ({cloud.value})...") as status:
        try:
            if stack:
                result = synth_stack(stack, file, cloud=cloud.value)
            else:
                result = synth_blueprint(file, environment.value, cloud=cloud.value)
        except SynthError as exc:
            if not str(exc).startswith("AWS rejected"):
                _fail_input(
                    [
                        Problem(
                            (), str(exc), "stack", "check the stack's config (stacks/Pulumi.<stack>.yaml)", str(file)
                        )
                    ],
                    as_json,
                )
            rejected = str(exc)
        if result is not None:
            status.update("running the checks...")
            outcomes = result.checks()
    if result is None:
        if as_json:
            _emit_json({"ok": False, "rejected": rejected, "checks": []})
        else:
            sys.stderr.write(f"{rejected}\n")
        raise typer.Exit(1)
    impact = None
    if disruption is not None:
        from hld.failures import what_if

        try:
            impact = what_if(result.plan, result.graph, disruption[0], disruption[1])
        except ValueError as exc:
            _fail_input([Problem((), str(exc), "fail", "name a deployed zone or region", str(file))], as_json)
    coverage = result.coverage()
    ok = all(o.ok for o in outcomes)
    if as_json:
        _emit_json(
            {
                "ok": ok,
                "stack": result.stack,
                "cloud": result.cloud,
                "checks": [
                    {"check": o.check, "title": o.title, "status": o.status, "detail": o.detail, "problems": o.problems}
                    for o in outcomes
                ],
                "coverage": {"percent": round(coverage.percent, 1), "by_type": coverage.rows()},
                "what_if": impact.model_dump(mode="json") if impact else None,
            }
        )
    else:
        console().print(verify_view(result, outcomes, coverage, impact))
    raise typer.Exit(0 if ok else 1)


@app.command()
def build(
    file: FileArg,
    out: Annotated[Path, typer.Option("--out", help="Directory to write (replaced as a whole, atomically).")],
    stack: Annotated[
        str | None,
        typer.Option(help="Verify with the config of stacks/Pulumi.<stack>.yaml (environment, domain, zone)."),
    ] = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
) -> None:
    """The whole job: validate, plan, run the AWS program in the offline cloud (moto) with
    every check, render the Kubernetes target with its checks, and write the HLD document.

    Writes DIR/verify.json (checks and coverage), DIR/kubernetes/ (kind) and DIR/docs/
    (HLD.md, plan.json, architecture.svg with Graphviz), all at once or not at all.
    Exit codes: 0 everything passes, 1 a target missed or a check failed, 2 bad input.
    """
    from blueprints import StackSettings
    from blueprints import plan as make_plan
    from blueprints.problems import Problem
    from hld.report import console

    blueprint = _load(file, as_json)
    result = make_plan(blueprint, StackSettings(name=stack or "prod", environment=environment.value))
    status_console = console(stderr=True)
    with status_console.status("running the AWS program in the offline cloud (moto)...") as status:
        from hld.offline import SynthError, synth_blueprint, synth_stack

        try:
            run = (
                synth_stack(stack, file, cloud="moto")
                if stack
                else synth_blueprint(file, environment.value, cloud="moto")
            )
        except SynthError as exc:
            if not str(exc).startswith("AWS rejected"):
                _fail_input([Problem((), str(exc), "stack", "check the stack's config", str(file))], as_json)
            if as_json:
                _emit_json({"ok": False, "rejected": str(exc)})
            else:
                sys.stderr.write(f"{exc}\n")
            raise typer.Exit(1) from None
        result = run.plan or result  # the plan the program deployed (the stack's settings)
        status.update("checking the deployed state...")
        outcomes = run.checks()
        coverage = run.coverage()
        status.update("rendering the Kubernetes target and its checks...")
        from generators.docs import files as doc_files
        from generators.docs import svg_of
        from generators.kubernetes import K8S_VERSION, kind_cluster, objects
        from generators.kubernetes.render import tree as kube_tree_of
        from hld.kube_checks import cross_problems, schema_problems

        objs = objects(result)
        kube_problems = schema_problems(objs, K8S_VERSION) + cross_problems(result, objs, kind_cluster(result))
        status.update("writing the HLD document...")
        from generators.output import write_tree

        verify_report = {
            "stack": run.stack,
            "cloud": run.cloud,
            "checks": [
                {"check": o.check, "status": o.status, "detail": o.detail, "problems": o.problems} for o in outcomes
            ],
            "coverage": {"percent": round(coverage.percent, 1), "by_type": coverage.rows()},
        }
        tree = {"verify.json": json.dumps(verify_report, indent=2) + "\n"}
        kube_tree, kube_private = kube_tree_of(result)
        tree |= {f"kubernetes/{k}": v for k, v in kube_tree.items()}
        private = frozenset(f"kubernetes/{k}" for k in kube_private)
        tree |= {f"docs/{k}": v for k, v in doc_files(result, svg_of(result)).items()}
        written = _written(lambda: write_tree(out, tree, private), out, file, as_json)
    failed = [o for o in outcomes if o.status == "fail"]
    ok = result.ok and not failed and not kube_problems
    aws_stack = run.stack
    summary = {
        "ok": ok,
        "availability": {"target": result.availability.target, "estimate": result.availability.estimate},
        "checks": {
            "passed": sum(o.status == "pass" for o in outcomes),
            "failed": [o.check for o in failed],
            "skipped": [o.check for o in outcomes if o.status == "skip"],
        },
        "coverage_percent": round(coverage.percent, 1),
        "kubernetes_problems": kube_problems,
        "out": str(out),
        "files": len(written),
        "next": [
            f"pulumi preview --stack {aws_stack}"
            if stack
            else f"pulumi stack init <name> && pulumi config set hld:blueprint {file} && pulumi preview",
            f"kind create cluster --config {out}/kubernetes/kind-cluster.yaml && kubectl apply -k {out}/kubernetes",
            f"open {out}/docs/HLD.md",
        ],
    }
    if as_json:
        _emit_json(summary)
    else:
        lines = [
            f"{result.name}: availability estimate {result.availability.estimate:g}% vs target "
            f"{result.availability.target:g}% ({'met' if result.availability.met else 'NOT met'})",
            f"AWS (offline, moto, stack {aws_stack!r}): {summary['checks']['passed']}/{len(outcomes)} checks pass"
            + (f"; FAILED: {', '.join(o.check for o in failed)}" if failed else "")
            + f"; {coverage.percent:.1f}% of resources through a real moto API",
            f"Kubernetes: {len(objs)} objects, valid against {K8S_VERSION} (strict)"
            + (
                f"; {len(kube_problems)} PROBLEM(S): {kube_problems[0]}"
                if kube_problems
                else ", cross-object checks pass"
            ),
            f"Wrote {len(written)} files to {out}/ (verify.json, kubernetes/, docs/)",
            "Next:",
            *[f"  {step}" for step in summary["next"]],
        ]
        typer.echo("\n".join(lines))
    raise typer.Exit(0 if ok else 1)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the blueprint format (for editor completion).

    Reference it from a blueprint with a first line such as:
    # yaml-language-server: $schema=blueprint.schema.json
    """
    from blueprints.schema import schema_text

    text = schema_text()
    if out is None:
        sys.stdout.write(text)
        return
    from hld.files import write_atomic

    write_atomic(out, text)
    typer.echo(f"wrote {out}")


def run() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    run()

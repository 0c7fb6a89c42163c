"""The `hld` command line: parse arguments, call hld.pipeline, print. Nothing else.

Exit codes: 0 success; 1 the design misses its own targets, a check failed, or the cloud
refused a resource; 2 bad input (the blueprint, a flag, a stack, --out). Bad input never ends
in a traceback; Ctrl-C ends with one line and 130; a closed pipe (`hld plan x | head`) keeps
the command's own exit code. Heavy libraries (Pulumi, boto3, moto) are imported only by the
commands that need them, so `validate` and `plan` start fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from hld import __version__
from hld.errors import BadInput, CloudRejected

if TYPE_CHECKING:
    from blueprints.problems import Problem

app = typer.Typer(
    name="hld",
    help=(
        "Turn a high-level design (a YAML blueprint: availability target, consistency, "
        "redundancy, scaling, services, data stores) into a plan with reasons, and check it.\n\n"
        "Start with: hld validate blueprints/examples/url-shortener.yaml, then hld plan on the same file. "
        "FILE may be - (standard input) for validate, plan, cost, explain and render; synth, verify and "
        "build read it from its path.\n\n"
        "--json (every command but schema) prints one JSON document with `ok`, also for bad input and "
        "usage errors.\n\n"
        "Exit codes: 0 ok, 1 the design misses its own targets or a check failed, 2 bad input, 130 interrupted (143 SIGTERM, 129 SIGHUP)."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

FileArg = Annotated[Path, typer.Argument(help="A blueprint YAML file (- reads standard input).", show_default=False)]
PathArg = Annotated[
    Path,
    typer.Argument(
        help="A blueprint YAML file (not standard input: the Pulumi program reads the blueprint from its path).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout (for CI).")]
StackOpt = Annotated[
    str | None,
    typer.Option(
        help="Use the config of the stack's file, Pulumi.<stack>.yaml, in the Pulumi project of the working "
        "directory (the nearest Pulumi.yaml, its stackConfigDir) (environment, domain, zone); FILE must be the "
        "blueprint that stack names."
    ),
]
OutOpt = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Directory to write: new, empty, or an earlier output of the same command for the same system "
        "(replaced as a whole, atomically). Files hld did not write are never touched: a directory holding "
        "any is refused.",
    ),
]


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


class Profile(StrEnum):
    laptop = "laptop"
    production = "production"


ProfileOpt = Annotated[
    Profile,
    typer.Option(
        "--profile",
        help="kind sizing. laptop: one replica per zone, small requests, limits at the plan's task size; "
        "production: the plan's replicas, requests = limits (needs a large --cpus/--memory-gib).",
    ),
]
CpusOpt = Annotated[
    float, typer.Option("--cpus", min=0.5, help="CPUs the kind cluster's machine (Docker's VM) has: the budget check.")
]
MemoryOpt = Annotated[
    float, typer.Option("--memory-gib", min=1, help="GiB of memory the kind cluster's machine has: the budget check.")
]
HttpPortOpt = Annotated[
    int, typer.Option("--http-port", min=1, max=65535, help="Host port (127.0.0.1) kind maps to the ingress's 80.")
]
HttpsPortOpt = Annotated[
    int, typer.Option("--https-port", min=1, max=65535, help="Host port (127.0.0.1) kind maps to the ingress's 443.")
]


def _kind(profile: Profile, cpus: float, memory_gib: float, http_port: int, https_port: int) -> object:
    from hld import pipeline

    return pipeline.kind_options(profile.value, cpus, memory_gib, http_port, https_port)


def _emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")


def _fail_input(problems: list[Problem], as_json: bool) -> NoReturn:
    if as_json:
        blueprint = not all(p.file == "hld" and not p.line for p in problems)  # else only options are wrong
        _emit_json(
            {"ok": False, **({"valid": False} if blueprint else {}), "problems": [p.as_dict() for p in problems]}
        )
    else:
        for p in problems:
            sys.stderr.write(p.render() + "\n")
        sys.stderr.write(f"{len(problems)} problem(s) found.\n")
    raise typer.Exit(2)


@contextmanager
def _bad_input(as_json: bool) -> Iterator[None]:
    """BadInput raised inside becomes the problems on stderr (or JSON) and exit 2; a lost
    program process (hld.offline.process), its message and exit 1."""
    from hld.errors import ProgramLost

    try:
        yield
    except BadInput as exc:
        _fail_input(exc.problems, as_json)
    except ProgramLost as exc:
        if as_json:
            _emit_json({"ok": False, "error": str(exc)})
        else:
            sys.stderr.write(f"{exc}\n")
        raise typer.Exit(1) from None


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
    files: Annotated[
        list[Path], typer.Argument(help="One or more blueprint files (- reads standard input).", show_default=False)
    ],
    as_json: JsonOpt = False,
) -> None:
    """Check blueprints; print every problem as FILE:LINE:COL: field: message, with a fix.

    Every problem at once: the YAML's, the schema's, and the coherence rules' over every part
    that is itself valid. Exit 0 when all are valid, 2 when any is not.
    """
    from hld import pipeline

    valid, problems = pipeline.validate(files)
    if as_json:
        _emit_json(
            {
                "ok": not problems,
                "valid": not problems,
                "files": [str(f) for f in files],
                "problems": [p.as_dict() for p in problems],
            }
        )
        raise typer.Exit(2 if problems else 0)
    for name in valid:
        typer.echo(f"{name}: valid")
    if problems:
        _fail_input(list(problems), False)


@app.command()
def plan(file: FileArg, as_json: JsonOpt = False, environment: EnvOpt = Environment.production) -> None:
    """Turn the blueprint into decisions, each with its reason, and estimate availability and latency.

    Shows regions, zones, engines, replication, DR strategy, capacity, scaling bounds,
    CDN and security controls; the SLA-based availability per user journey (with the
    sources of the figures); each journey's p50 and p99 latency per users' area (`users`),
    composed from sourced hops (every hop in --json), and each store's PACELC record;
    the downtime budget; RTO/RPO; the AWS quotas the design
    needs per region beside AWS's defaults, with a warning (not a failure) and the
    increase request where it needs more. Exit 1 when the plan cannot meet the
    blueprint's own targets (it says which, and what would).
    """
    from hld import pipeline

    with _bad_input(as_json):
        result = pipeline.plan(file, environment.value)
    if as_json:
        _emit_json({"ok": result.ok, **result.model_dump(mode="json")})
    else:
        from hld.report import console, plan_view

        console().print(plan_view(result))
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def cost(
    file: FileArg, stack: StackOpt = None, as_json: JsonOpt = False, environment: EnvOpt = Environment.production
) -> None:
    """What the design costs a month, and what each alternative design would.

    Per component and region (compute, load balancing, NAT and data transfer, each store, CDN,
    WAF, DNS and health checks, keys and secrets, logs, backups, replication traffic) at the
    static-stability minimum and the autoscaling maximum, from a dated price table with a source
    per row. Then every redundancy choice (single-zone, multi-zone passive/active, multi-region
    passive/active), each a real re-plan, with its availability, RTO/RPO on zone and region loss
    and monthly cost, cheapest first, and what each step up costs.

    Usage is per edge: each `uses` edge's calls per request (`calls`, 1 unless stated), its
    read/write mix (its access mode, or `read_share`), the reads a cache answers (its `hit_ratio`)
    and the requests the CDN answers (edge.cdn.hit_ratio), each store's data (`stored_gb`). Every
    figure the blueprint does not give is an assumption, listed once with its value and the field
    that sets it (--json: assumptions[], and each line's `assumes`).

    Exit 1 only when the design exceeds the blueprint's cost.monthly_max, or the estimate misses a
    price so the budget cannot be checked; a missed availability or recovery target is reported on
    standard error and is `hld plan`'s exit. Exit 2 on bad input.
    """
    from hld import pipeline

    with _bad_input(as_json):
        costed = pipeline.cost(file, environment.value, stack)
    if as_json:
        _emit_json(costed.report())
    else:
        from hld.report import console, cost_view

        console().print(cost_view(costed.plan, costed.alternatives, costed.steps))
        for unmet in costed.plan.unmet:
            sys.stderr.write(f"misses {unmet.what}: {unmet.why}\n")
    # exit 1 for the budget alone: a missed availability or recovery target is `hld plan`'s to report
    status = costed.plan.cost.budget_status if costed.plan.cost is not None else "none"
    raise typer.Exit(1 if status in ("over", "unchecked") else 0)


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
    peak, expected RTO/RPO against the blueprint's `rto` and `rpo`. Exit 1 when the design must
    survive that loss (a zone above single-zone, a region in a multi-region design) and loses a
    journey or misses its RTO or RPO."""
    from hld import pipeline

    with _bad_input(as_json):
        outcome = pipeline.explain(file, what_if.value, lost, environment.value)
    missed = outcome.must_survive and bool(outcome.misses)
    if as_json:
        _emit_json({"ok": not missed, **outcome.model_dump(mode="json")})
    else:
        from hld.report import console, whatif_view

        console().print(whatif_view(outcome))
    if missed:
        raise typer.Exit(1)


class Target(StrEnum):
    aws = "aws"


class Cloud(StrEnum):
    moto = "moto"
    mocks = "mocks"


@app.command()
def synth(
    file: PathArg,
    target: Annotated[Target, typer.Option(help="What to synthesize.")] = Target.aws,
    stack: StackOpt = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
    terraform_plan: Annotated[
        Path | None,
        typer.Option(
            "--terraform-plan",
            metavar="OUT.json",
            help="Also write the resource graph as a Terraform plan (JSON) for Terraform-plan tools, "
            "e.g. `checkov -f OUT.json --framework terraform_plan`.",
        ),
    ] = None,
) -> None:
    """Run the Pulumi program offline (Pulumi's mock runtime: no credentials, no Pulumi CLI)
    and print the resource graph (type, name, parent, region, key inputs) and the stack outputs.

    The program is the one `pulumi preview` runs: stacks/__main__.py. Names are made and
    refused as pulumi-aws makes and refuses them. With --terraform-plan, the graph is also
    written as a Terraform plan (pulumi-aws is the Terraform provider bridged: types and
    arguments map). Exit 1 when the provider would refuse a resource, 2 on bad input.
    """
    from hld import pipeline
    from hld.report import console, synth_view

    with _bad_input(as_json):
        try:
            with console(stderr=True).status("running the Pulumi program under mocks..."):
                result = pipeline.synth(file, stack, environment.value)
        except CloudRejected as exc:
            _rejected(str(exc), as_json)
        if terraform_plan is not None:
            pipeline.write_terraform_plan(terraform_plan, result, file)
    if as_json:
        _emit_json(
            {
                "ok": True,
                "stack": result.stack,
                "resources": [{**r.summary(), "inputs": r.inputs} for r in result.graph.resources],
                "outputs": result.outputs,
            }
        )
        return
    console().print(synth_view(result))


def _rejected(message: str, as_json: bool) -> NoReturn:
    if as_json:
        _emit_json({"ok": False, "rejected": message, "checks": []})
    else:
        sys.stderr.write(f"{message}\n")
    raise typer.Exit(1)


class RenderTarget(StrEnum):
    kubernetes = "kubernetes"
    docs = "docs"


@app.command()
def render(
    file: FileArg,
    out: OutOpt,
    target: Annotated[RenderTarget, typer.Option(help="What to render.")] = RenderTarget.kubernetes,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
    profile: ProfileOpt = Profile.laptop,
    cpus: CpusOpt = 4.0,
    memory_gib: MemoryOpt = 8.0,
    http_port: HttpPortOpt = 80,
    https_port: HttpsPortOpt = 443,
    # the kind target's optional latency profile (generators.kubernetes.latency); off by default
    latency: Annotated[
        bool,
        typer.Option(
            "--latency",
            help="kubernetes: also write latency.yaml, a DaemonSet (its own privileged namespace) that adds the "
            "plan's inter-zone latency between the zone nodes with tc netem (HOPS['cross-zone'], half the round "
            'trip each way), applied on its own: `kubectl apply -f latency.yaml`; README.md\'s "Feel the latency" '
            "says how to measure and remove it. Off: the render is unchanged.",
        ),
    ] = False,
) -> None:
    """Render a target into DIR, atomically (all files or none).

    kubernetes: a local kind cluster whose worker nodes stand for the planned zones:
    kind-cluster.yaml, addons/ (ingress-nginx placed where the host ports are, metrics-server),
    kustomization.yaml, one file per object, README.md with the commands in order, and
    credentials in secrets/ (git-ignored, kept across renders). Every object is validated
    against the pinned Kubernetes OpenAPI schemas (strict), then by named checks (fits the
    --cpus/--memory-gib budget, pull policy, stand-in users, the app contract of AWS,
    bootstrapped stand-ins, credentials, pod security, kind cluster) before anything is written.

    docs: HLD.md (architecture as Mermaid, and as architecture.svg when Graphviz's dot is
    installed; modules, technology, data flow, API, security, scalability, availability
    and consistency) and plan.json, all from the plan.

    DIR must be new, empty, or an earlier output of hld; files hld did not write are never
    touched. Exit 1 when a generated object fails its checks (nothing is written), 2 on bad input.
    """
    from hld import pipeline

    with _bad_input(as_json):
        planned = pipeline.plan(file, environment.value)
        if target == RenderTarget.docs:
            written = pipeline.write(
                out, pipeline.docs(pipeline.with_alternatives(planned, file)), "render --target docs", planned.name
            )
            if as_json:
                _emit_json({"ok": True, "out": str(out), "files": written})
            else:
                typer.echo(f"{out}: {', '.join(written)}")
                if "architecture.svg" not in written:
                    typer.echo("note: Graphviz's dot is not installed; HLD.md carries the Mermaid diagram only")
            return
        kind = _kind(profile, cpus, memory_gib, http_port, https_port)
        if latency:  # the latency profile: KindOptions.latency (generators.kubernetes.latency)
            from dataclasses import replace

            kind = replace(kind, latency=True)  # type: ignore[type-var]
        rendered = pipeline.kubernetes(planned, kind, out)
        if rendered.problems:
            if as_json:
                _emit_json(
                    {
                        "ok": False,
                        "problems": rendered.problems,
                        "checks": [
                            {"check": n, "proves": what, "status": "fail" if p else "pass", "problems": p}
                            for n, what, p in rendered.checks
                        ],
                    }
                )
            else:
                sys.stderr.write(
                    "\n".join(rendered.problems) + f"\n{len(rendered.problems)} problem(s); nothing written.\n"
                )
            raise typer.Exit(1)
        written = pipeline.write(out, rendered.tree, "render --target kubernetes", planned.name)
    objs = rendered.objects
    if as_json:
        _emit_json(
            {
                "ok": True,
                "out": str(out),
                "kubernetes": rendered.version,
                "objects": len(objs),
                "checks": [{"check": n, "proves": what, "status": "pass"} for n, what, _ in rendered.checks],
                "files": written,
            }
        )
        return
    zones = len(planned.zones(planned.primary_region))
    typer.echo(
        f"{out}: {len(objs)} objects for a kind cluster with {zones} zone worker{'s' if zones != 1 else ''} "
        f"(valid against Kubernetes {rendered.version}, strict; {len(rendered.checks)} checks passed)\n"
        f"next: follow {out}/README.md (kind create cluster, add-ons, kubectl apply -k {out}, curl)"
    )


@app.command()
def verify(
    file: PathArg,
    stack: StackOpt = None,
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
    then every named check: availability, zones, regions, static stability, DR, recovery
    objectives (RTO/RPO on the deployed state), and the security and data-safety defaults
    (HLD-RULES §7).

    Prints each check with its status and detail, how they count (passed, failed, skipped),
    and how many resources went through a real moto API. With --fail, also what survives that
    zone or region loss in the deployed state. Exit codes: 0 every check passes, 1 a check
    failed (or AWS rejected a resource), 2 bad input.
    """
    from hld import pipeline
    from hld.report import console, verify_view

    with _bad_input(as_json):
        disruption = pipeline.parse_disruption(fail, file)
        try:
            with console(stderr=True).status(f"running the Pulumi program in the offline cloud ({cloud.value})..."):
                verified = pipeline.verify(file, stack, environment.value, cloud.value, disruption)
        except CloudRejected as exc:
            _rejected(str(exc), as_json)
    if as_json:
        _emit_json(verified.report())
    else:
        console().print(verify_view(verified.result, verified.outcomes, verified.coverage, verified.impact))
    raise typer.Exit(0 if verified.tally.ok else 1)


@app.command()
def build(
    file: PathArg,
    out: OutOpt,
    stack: StackOpt = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
    profile: ProfileOpt = Profile.laptop,
    cpus: CpusOpt = 4.0,
    memory_gib: MemoryOpt = 8.0,
    http_port: HttpPortOpt = 80,
    https_port: HttpsPortOpt = 443,
) -> None:
    """The whole job: validate, plan, run the AWS program in the offline cloud (moto) with
    every check, render the Kubernetes target with its checks, and write the HLD document.

    Writes DIR/verify.json (checks and coverage), DIR/kubernetes/ (kind) and DIR/docs/
    (HLD.md, plan.json, architecture.svg with Graphviz), all at once or not at all. DIR must be
    new, empty, or an earlier output of hld.
    Exit codes: 0 everything passes, 1 a target missed or a check failed (each named), 2 bad input.
    """
    from hld import pipeline
    from hld.report import build_lines, console

    with _bad_input(as_json), console(stderr=True).status("planning...") as status:
        kind = _kind(profile, cpus, memory_gib, http_port, https_port)
        built = pipeline.build(file, out, stack, environment.value, status=status.update, kind=kind)
    summary = built.summary(file, out, stack)
    if as_json:
        _emit_json(summary)
    else:
        typer.echo("\n".join(build_lines(built, summary)))
    raise typer.Exit(0 if built.ok else 1)


@app.command()
def audit(
    file: PathArg,
    state: Annotated[
        Path,
        typer.Option(
            "--state",
            help="The deployed stack's state: `pulumi refresh`, then `pulumi stack export --file state.json`.",
            show_default=False,
        ),
    ],
    stack: StackOpt = None,
    as_json: JsonOpt = False,
    environment: EnvOpt = Environment.production,
) -> None:
    """Check a real deployment against the blueprint's intent.

    Reads what `pulumi stack export` wrote (after `pulumi refresh`, so it holds what the cloud
    reports) and runs every check that reads deployed properties over it, the same checks
    `hld verify` runs offline: a service scaled down to one task, a replica deleted, Multi-AZ
    turned off, a port opened, a health check dropped, a resource added by hand. Each check
    reports pass, fail, skipped as not applicable, or skipped as not readable from state (the
    ones that need calls in a live account). The plan is made for the exported stack, with its
    stack file's config when the project has one (--stack names it otherwise).

    Exit codes: 0 every promise holds, 1 a check failed, 2 bad input (the blueprint, the file).
    """
    from hld import pipeline
    from hld.report import audit_view, console

    with _bad_input(as_json):
        audited = pipeline.audit(file, state, stack, environment.value)
    if as_json:
        _emit_json(audited.report())
    else:
        console().print(audit_view(audited, state))
    raise typer.Exit(0 if audited.ok else 1)


@app.command()
def new(
    folder: Annotated[Path, typer.Argument(help="The folder of the new Pulumi project (new or empty).")],
    name: Annotated[
        str | None, typer.Option(help="The system's name (default: the folder's, or the blueprint's).")
    ] = None,
    region: Annotated[str | None, typer.Option(help="The primary AWS region (default: us-east-1).")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Start from this blueprint (validated, then copied).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Start a Pulumi project of your own that runs hld's program.

    Writes into FOLDER: Pulumi.yaml (Python, a virtualenv), __main__.py (two lines: hld's
    program), requirements.txt pinning hld, blueprints/NAME.yaml (a starter, or --from FILE),
    Pulumi.dev.yaml / Pulumi.prod.yaml / Pulumi.kind.yaml naming it in hld:blueprint,
    tests/test_blueprint.py (hld.testing: the offline checks as pytest), policy/ (hld's checks
    inside `pulumi preview --policy-pack policy`), README.md and a .gitignore for credentials.
    Every command run inside the project then resolves --stack from its own stack files.

    FOLDER must be new, empty, or an earlier `hld new` output; files hld did not write are never
    touched. Exit 2 on bad input.
    """
    from hld import pipeline

    with _bad_input(as_json):
        system, written = pipeline.new(folder, name, region, from_file)
    if as_json:
        _emit_json({"ok": True, "system": system, "out": str(folder), "files": written})
        return
    typer.echo(f"{folder}: {', '.join(written)}")
    typer.echo(
        f"Next: cd {folder} && python -m venv venv && venv/bin/pip install --find-links <the wheel's folder> "
        "-r requirements.txt, then "
        f"venv/bin/hld plan blueprints/{system}.yaml, venv/bin/pytest, and `pulumi stack init prod` "
        "to preview with your credentials."
    )


@app.command()
def schema(
    out: Annotated[
        Path | None,
        typer.Option(help="Write to this file instead of stdout (a new file, or an earlier hld schema)."),
    ] = None,
) -> None:
    """Print the JSON Schema of the blueprint format (for editor completion).

    Reference it from a blueprint with a first line such as:
    # yaml-language-server: $schema=blueprint.schema.json
    """
    from hld import pipeline

    if out is None:
        sys.stdout.write(pipeline.schema_text())
        return
    with _bad_input(False):
        pipeline.write_schema(out)
    typer.echo(f"wrote {out}")


def _run_for_json() -> NoReturn:
    """With --json, a usage error (an unknown option, a value outside its choices) is JSON on
    standard output too, exit 2: a CI script parses every outcome the same way."""
    usage_error = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
    try:
        code = app(standalone_mode=False)
    except usage_error as exc:  # type: ignore[misc]
        param = getattr(exc, "param", None)
        field = getattr(exc, "option_name", None) or (getattr(param, "opts", None) or [getattr(param, "name", "")])[0]
        command = getattr(getattr(exc, "ctx", None), "command_path", "hld")
        problem = {
            "file": "hld",
            "line": 0,
            "column": 0,
            "field": field,
            "message": exc.format_message().replace("Value error, ", ""),
        }
        _emit_json({"ok": False, "problems": [problem | {"rule": "usage", "fix": f"see `{command} --help`"}]})
        raise SystemExit(2) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def run() -> None:
    """Console-script entry point."""
    import gc

    from hld.terminal import INTERRUPTED, ClosedPipeSafe, exit_now, install_stop_handlers, interrupted, stopped_code

    # one command, then the process ends: only the young generation is collected, as during an
    # offline run (hld.offline.runtime), so no full collection walks the run's objects after it
    gc.set_threshold(gc.get_threshold()[0], 1 << 30, 1 << 30)
    sys.stdout = ClosedPipeSafe(sys.stdout)
    sys.stderr = ClosedPipeSafe(sys.stderr)
    install_stop_handlers()
    try:
        if "--json" in sys.argv[1:]:
            _run_for_json()
        app()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:  # a write a stop signal held (typer turns it into exit 130)
            sys.stderr.write(interrupted())
            exit_now(stopped_code())
        exit_now(exc.code)
    exit_now(0)


if __name__ == "__main__":
    run()

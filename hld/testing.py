"""Unit-test blueprints in your own pytest suite, offline (no cloud account, no Pulumi CLI).

    from hld.testing import synth

    def test_orders_survive_a_zone():
        result = synth("blueprints/shop.yaml", stack="shop-prod")       # cloud="moto" by default
        result.graph.has("aws.rds.Instance", multi_az=True)
        assert result.client("rds", "us-east-1").describe_db_instances()["DBInstances"][0]["MultiAZ"]
        assert all(o.ok for o in result.checks())

`synth` runs the real Pulumi program (stacks/__main__.py) under Pulumi's mock runtime,
backed by a fresh moto AWS (`cloud="moto"`) or by plain echoing mocks (`cloud="mocks"`,
faster, no AWS validation). Every call is isolated: fresh moto state, fresh Pulumi
runtime, so tests run in any order. `result.client(...)` reads the moto state of the
latest moto-backed run; read it back before the next `synth`.

A `synth` leaves the process as it found it: the run ignores the user's AWS environment
(profiles, credentials, config files, endpoints, proxies: hld.offline.seal) and restores it
exactly; moto patches nothing after it (hld never starts `mock_aws`: its clients talk to moto
directly, only while the run, or a call through `result.client`, is under way); hld's
speed-ups to moto are undone; and inside the user's own `with mock_aws():` the user's moto
state is untouched and holds none of hld's resources (hld.offline.moto.clients).

The pytest plugin (installed with hld) provides the `hld_synth` fixture: `synth`, with
the kept moto state of the test's last run dropped after the test.
"""

from __future__ import annotations

import dataclasses
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from hld import offline
from hld.checks import Outcome, Run, Tally, evaluate, tally
from hld.errors import CloudRejected, SynthError
from hld.graph import Graph, Resource
from hld.offline import Result, run, stack_config
from hld.project import current

__all__ = [
    "CloudRejected",
    "Graph",
    "Resource",
    "Result",
    "SynthError",
    "Tally",
    "Tested",
    "checked",
    "synth",
    "synth_blueprint",
    "synth_stack",
    "tally",
    "transformed",
]


@dataclasses.dataclass
class Tested(Result):
    """An offline run with the named checks a step away: `checks()` runs them (hld.checks)."""

    def checks(self, keys: Iterable[str] | None = None) -> list[Outcome]:
        """The named checks over this run (default: all, as `hld verify` runs them)."""
        with self.held():
            return evaluate(Run(self.plan, self.graph, self.outputs, self.live_reader), keys)

    def tally(self) -> Tally:
        return tally(self.checks())


def checked(result: Result) -> Tested:
    """`result` with `checks()` and `tally()`."""
    if isinstance(result, Tested):
        return result
    return Tested(**{f.name: getattr(result, f.name) for f in dataclasses.fields(Result)})


def synth_stack(stack: str, blueprint: str | Path | None = None, cloud: str = "mocks") -> Tested:
    """hld.offline.synth_stack, checked."""
    return checked(offline.synth_stack(stack, blueprint, cloud))


def synth_blueprint(
    blueprint: str | Path, environment: str = "production", stack: str = "synth", cloud: str = "mocks"
) -> Tested:
    """hld.offline.synth_blueprint, checked."""
    return checked(offline.synth_blueprint(blueprint, environment, stack, cloud))


def _blueprint_file(blueprint: Any, keep: list[Any]) -> Path:
    if isinstance(blueprint, str | Path):
        path = Path(blueprint)
        return path if path.is_absolute() else Path.cwd() / path
    import yaml

    if hasattr(blueprint, "model_dump"):  # a blueprints.Blueprint
        blueprint = blueprint.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if not isinstance(blueprint, dict):
        raise TypeError("synth() takes a blueprint path, a Blueprint or a dict")
    handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="hld-", delete=False)  # noqa: SIM115
    keep.append(handle)
    handle.write(yaml.safe_dump(blueprint, sort_keys=False))
    handle.close()
    return Path(handle.name)


def _same_blueprint(stack: str, named: str | None, path: Path, in_memory: bool) -> None:
    """A stack deploys the blueprint its config names: a file must be that file; a blueprint given
    in memory (a dict or a Blueprint) must be that system (its `name`)."""
    if not named:
        return
    configured = current().resolve(named)
    if in_memory:
        import yaml

        ours = (yaml.safe_load(path.read_text()) or {}).get("name")
        theirs = (yaml.safe_load(configured.read_text()) or {}).get("name")
        if ours == theirs:
            return
        raise SynthError(f"stack {stack!r} deploys {named} (system {theirs!r}), not system {ours!r}")
    if configured.resolve() != path.resolve():
        raise SynthError(f"stack {stack!r} deploys {named}, not {path}")


Transform = Callable[[str, str, dict[str, Any]], Any]
"""`fn(type, name, props)`: new props (a dict) for that resource, or (props, pulumi.ResourceOptions),
or None to keep it as the program made it."""


def transformed(transforms: Sequence[Transform], changed: list[str] | None = None) -> Callable[[], object]:
    """The stack's entry point with `transforms` applied to every resource before it is registered
    (Pulumi stack transformations: what a drift or a regression would change); `changed` collects
    the `type::name` of each resource a transform changed."""
    import pulumi

    def transformation(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        props, opts, hit = dict(args.props), args.opts, False
        for fn in transforms:
            out = fn(args.type_, args.name, props)
            if out is None:
                continue
            hit = True
            if isinstance(out, tuple):
                props, extra = out
                opts = pulumi.ResourceOptions.merge(opts, extra)
            else:
                props = out
        if hit and changed is not None:
            changed.append(f"{args.type_}::{args.name}")
        return pulumi.ResourceTransformationResult(props, opts) if hit else None

    def program() -> None:
        pulumi.runtime.register_stack_transformation(transformation)
        offline.entry_point()

    return program


def synth(
    blueprint: Any,
    stack: str | None = None,
    cloud: str = "moto",
    environment: str = "production",
    transforms: Sequence[Transform] = (),
) -> Tested:
    """Run the Pulumi program for `blueprint` (a path, a `Blueprint` or a dict) offline.

    `stack`: a stack of stacks/ (its config: environment, domain, zone, with this blueprint),
    or any name (config: this blueprint and `environment`). A stack of stacks/ deploys the
    blueprint its config names: a path must be that file, a dict or Blueprint that system.
    Raises SynthError on a bad blueprint or config, CloudRejected (a SynthError) on a
    resource the provider or AWS (moto) refuses. `tally(result.checks())` counts the checks
    as `hld verify` does.

    `transforms`: functions `fn(type, name, props)` applied to every resource before it is
    registered, each returning new props (or `(props, ResourceOptions)`), or None: a test breaks
    the deployed state the way a regression would and sees which check names it, e.g.

        def unprotected(typ, name, props):
            if typ == "aws:rds/instance:Instance":
                return {**props, "deletion_protection": False}
            return None

        assert "deletion-protection" in synth("blueprints/shop.yaml", transforms=[unprotected]).tally().failed
    """
    from hld.offline import mocks_for

    keep: list[Any] = []
    path = _blueprint_file(blueprint, keep)
    name = stack or path.stem
    if stack and current().stack_file(stack).exists():
        config = stack_config(stack)
        _same_blueprint(stack, config.get("hld:blueprint"), path, in_memory=bool(keep))
    else:
        config = {"hld:target": "aws", "hld:environment": environment}
    config["hld:blueprint"] = str(path.resolve())
    changed: list[str] = []
    try:
        program = transformed(transforms, changed) if transforms else offline.entry_point
        result = checked(run(config, name, mocks_for(cloud, name), program=program))
        result.plan  # noqa: B018 (planned now: a blueprint given as data is a file only until this returns)
        if transforms and not changed:
            # a test that breaks nothing proves nothing: the usual cause is a type written as the
            # graph shows it (aws.rds.Cluster) where transforms see Pulumi's token
            types = sorted({r.type for r in result.graph.resources if r.custom})[:3]
            warnings.warn(
                f"no transform changed any resource; transforms see Pulumi type tokens such as {', '.join(types)}",
                UserWarning,
                stacklevel=2,
            )
        return result
    finally:
        for handle in keep:
            Path(handle.name).unlink(missing_ok=True)

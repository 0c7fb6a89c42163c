"""Running the real Pulumi program offline: the runtime (hld.offline.runtime), and the two clouds
it can run against, behind one interface (hld.offline.cloud): plain mocks (hld.offline.echo) and
moto's AWS (hld.offline.moto). Every run is sealed from the user's AWS environment, which is
restored after it (hld.offline.seal)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hld.errors import CloudRejected, SynthError

if TYPE_CHECKING:
    from hld.offline.cloud import ACCOUNT, OfflineCloud
    from hld.offline.echo import EchoMocks
    from hld.offline.runtime import ENTRY_POINT, Coverage, Result, entry_point, run

_LAZY = {
    "ACCOUNT": "hld.offline.cloud",
    "OfflineCloud": "hld.offline.cloud",
    "EchoMocks": "hld.offline.echo",
    "ENTRY_POINT": "hld.offline.runtime",
    "Coverage": "hld.offline.runtime",
    "Result": "hld.offline.runtime",
    "entry_point": "hld.offline.runtime",
    "run": "hld.offline.runtime",
}
"""Names this package gives from the modules that load the Pulumi SDK, loaded on first use: a run's
program process (hld.offline.process) is forked before either process loads the SDK."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


CLOUDS = ("moto", "mocks")


def mocks_for(cloud: str, stack: str) -> OfflineCloud:
    """The cloud a run is made against: `moto` (AWS as moto models it) or `mocks` (echoed)."""
    if cloud == "moto":
        from hld.offline.moto import MotoMocks

        return MotoMocks(stack)
    if cloud == "mocks":
        from hld.offline.echo import EchoMocks

        return EchoMocks(stack)
    raise SynthError(f"unknown cloud {cloud!r}; use one of: {', '.join(CLOUDS)}")


def synth_stack(stack: str, blueprint: str | Path | None = None, cloud: str = "mocks") -> Result:
    """The program with the config of stacks/Pulumi.<stack>.yaml (and `blueprint`, when given)."""
    from hld.offline.runtime import run

    config = stack_config(stack)
    if blueprint is not None:
        config["hld:blueprint"] = str(Path(blueprint).resolve())
    return run(config, stack, mocks_for(cloud, stack))


def synth_blueprint(
    blueprint: str | Path, environment: str = "production", stack: str = "synth", cloud: str = "mocks"
) -> Result:
    """The program for `blueprint` with no stack file: config from the arguments."""
    from hld.offline.runtime import run

    config = {
        "hld:blueprint": str(Path(blueprint).resolve()),
        "hld:target": "aws",
        "hld:environment": environment,
    }
    return run(config, stack, mocks_for(cloud, stack))


def stack_config(stack: str) -> dict[str, str]:
    """The config of the project's Pulumi.<stack>.yaml (hld.project: the nearest Pulumi.yaml's
    stack files), as the CLI would put it in PULUMI_CONFIG."""
    import yaml

    from hld.project import current

    project = current()
    path = project.stack_file(stack)
    if not path.exists():
        where = (
            f"the Pulumi project at {project.root} has no {path.name} in {project.stacks}"
            if project.found
            else f"no Pulumi.yaml in {project.root} or above it (run hld in your Pulumi project, or `hld new`)"
        )
        known = project.stack_names()
        raise SynthError(f"no stack {stack!r}: {where}" + (f" (its stacks: {', '.join(known)})" if known else ""))
    data = yaml.safe_load(path.read_text()) or {}
    return {str(k): str(v) for k, v in (data.get("config") or {}).items()}


__all__ = [
    "ACCOUNT",
    "ENTRY_POINT",
    "CloudRejected",
    "Coverage",
    "EchoMocks",
    "OfflineCloud",
    "Result",
    "SynthError",
    "entry_point",
    "mocks_for",
    "run",
    "stack_config",
    "synth_blueprint",
    "synth_stack",
]

"""Running the real Pulumi program offline: the runtime (hld.offline.runtime), and the two clouds
it can run against, behind one interface (hld.offline.cloud): plain mocks (hld.offline.echo) and
moto's AWS (hld.offline.moto). Every run is sealed from the user's AWS environment, which is
restored after it (hld.offline.seal)."""

from __future__ import annotations

from pathlib import Path

from hld.errors import CloudRejected, SynthError
from hld.offline.cloud import ACCOUNT, OfflineCloud
from hld.offline.echo import EchoMocks
from hld.offline.runtime import ENTRY_POINT, Coverage, Result, entry_point, run, stack_config

CLOUDS = ("moto", "mocks")


def mocks_for(cloud: str, stack: str) -> OfflineCloud:
    """The cloud a run is made against: `moto` (AWS as moto models it) or `mocks` (echoed)."""
    if cloud == "moto":
        from hld.offline.moto import MotoMocks

        return MotoMocks(stack)
    if cloud == "mocks":
        return EchoMocks(stack)
    raise SynthError(f"unknown cloud {cloud!r}; use one of: {', '.join(CLOUDS)}")


def synth_stack(stack: str, blueprint: str | Path | None = None, cloud: str = "mocks") -> Result:
    """The program with the config of stacks/Pulumi.<stack>.yaml (and `blueprint`, when given)."""
    config = stack_config(stack)
    if blueprint is not None:
        config["hld:blueprint"] = str(Path(blueprint).resolve())
    return run(config, stack, mocks_for(cloud, stack))


def synth_blueprint(
    blueprint: str | Path, environment: str = "production", stack: str = "synth", cloud: str = "mocks"
) -> Result:
    """The program for `blueprint` with no stack file: config from the arguments."""
    config = {
        "hld:blueprint": str(Path(blueprint).resolve()),
        "hld:target": "aws",
        "hld:environment": environment,
    }
    return run(config, stack, mocks_for(cloud, stack))


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

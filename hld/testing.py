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

The pytest plugin (installed with hld) provides the `hld_synth` fixture: `synth`, with
the moto session stopped after the test.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hld.graph import Graph, Resource
from hld.offline import Result, SynthError, run, stack_config
from hld.stack import PROJECT_ROOT

__all__ = ["Graph", "Resource", "Result", "SynthError", "synth"]


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


def synth(
    blueprint: Any,
    stack: str | None = None,
    cloud: str = "moto",
    environment: str = "production",
) -> Result:
    """Run the Pulumi program for `blueprint` (a path, a `Blueprint` or a dict) offline.

    `stack`: a stack of stacks/ (its config: environment, domain, zone, with this blueprint),
    or any name (config: this blueprint and `environment`). Raises SynthError on a bad
    blueprint or config, and on a resource AWS (moto) rejects."""
    from hld.offline import mocks_for

    keep: list[Any] = []
    path = _blueprint_file(blueprint, keep)
    name = stack or path.stem
    if stack and (PROJECT_ROOT / "stacks" / f"Pulumi.{stack}.yaml").exists():
        config = stack_config(stack)
    else:
        config = {"hld:target": "aws", "hld:environment": environment}
    config["hld:blueprint"] = str(path.resolve())
    try:
        return run(config, name, mocks_for(cloud, name))
    finally:
        for handle in keep:
            Path(handle.name).unlink(missing_ok=True)

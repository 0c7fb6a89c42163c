from __future__ import annotations

import functools

import pytest

from hld.testing import Tested as Result
from hld.testing import synth_stack
from tests.helpers import ROOT


def _target(path) -> str:
    import yaml

    return str((yaml.safe_load(path.read_text())["config"]).get("hld:target", "aws"))


ALL_STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)
STACKS = [s for s in ALL_STACKS if _target(ROOT / "stacks" / f"Pulumi.{s}.yaml") == "aws"]
"""The AWS stacks."""


@functools.cache
def synthesized(stack: str) -> Result:
    """One offline run per stack per test session (each run is isolated)."""
    return synth_stack(stack)


@pytest.fixture(params=STACKS)
def any_stack(request) -> Result:
    return synthesized(request.param)

"""Golden resource lists of the AWS stacks: type, name and parent of every resource, in the
run's deterministic order. Regenerate with `make golden`, then review the diff."""

from __future__ import annotations

from hld.graph import Graph
from tests.helpers import ROOT

GOLDEN = ROOT / "tests" / "golden" / "aws"


def render(graph: Graph) -> str:
    lines = [f"{r['type']}  {r['name']}  <- {r['parent'] or '(stack)'}" for r in graph.listing()]
    return "\n".join(lines) + "\n"


def regen() -> None:
    from hld.offline import synth_stack
    from tests.aws.mocks.conftest import STACKS

    GOLDEN.mkdir(parents=True, exist_ok=True)
    for stale in GOLDEN.glob("*.txt"):
        if stale.stem not in STACKS:
            stale.unlink()
    for stack in STACKS:
        (GOLDEN / f"{stack}.txt").write_text(render(synth_stack(stack).graph))

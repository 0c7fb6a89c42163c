"""The resource list of every stack matches its golden file (`make golden` regenerates them)."""

from __future__ import annotations

import difflib

from tests.aws.mocks.conftest import STACKS
from tests.golden_aws import GOLDEN, render


def test_every_stack_has_a_golden_file():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == STACKS


def test_resource_list_matches_golden(any_stack):
    expected = (GOLDEN / f"{any_stack.stack}.txt").read_text()
    actual = render(any_stack.graph)
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "now", n=1))
    assert actual == expected, f"resources changed; if intended, run `make golden` and review:\n{diff[:4000]}"

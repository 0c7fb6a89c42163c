"""The synth benchmark's floor registers exactly the resources hld does (else the ratio lies)."""

from __future__ import annotations

from bench.floor import direct_program
from hld.offline import run
from tests.aws.mocks.conftest import synthesized


def test_floor_registers_the_same_resources_with_the_same_inputs():
    reference = synthesized("url-shortener-dev").graph
    floor = run({}, "floor", program=direct_program(reference)).graph
    assert sorted((r.type, r.name) for r in floor.resources) == sorted(
        (r.type, r.name) for r in reference.resources if r.custom
    )
    mine = {(r.type, r.name): r for r in reference.resources}
    for r in floor.resources:
        assert r.inputs == mine[(r.type, r.name)].inputs, r.name
        assert r.region == mine[(r.type, r.name)].region

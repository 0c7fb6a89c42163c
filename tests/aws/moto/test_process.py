"""A command's run on two processes (hld.offline.process): the program's process records, refuses
and fails exactly as one process does, and never outlives the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hld import pipeline
from hld.errors import BadInput, CloudRejected, ProgramLost
from hld.offline import process
from hld.offline.moto.mocks import MotoMocks
from tests.helpers import EXAMPLES

URL_SHORTENER = EXAMPLES / "url-shortener.yaml"


@pytest.fixture
def forks(monkeypatch):
    """The program processes the runs started (each checked to be a real one)."""
    started: list[process.Program] = []
    original = process.start

    def start(config, stack):
        program = original(config, stack)
        if program is not None:
            assert program.pid > 0
            started.append(program)
        return program

    monkeypatch.setattr(process, "start", start)
    monkeypatch.delenv(process.ONE_PROCESS, raising=False)
    return started


def _gone(pid: int) -> bool:
    """The process was collected: not running, not a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _team_project(tmp_path: Path) -> Path:
    """A team's new project (`hld new shop`)."""
    root = tmp_path / "shop"
    pipeline.new(root, "shop", None, None)
    return root


def _shape(result):
    """What a run recorded, without the ids and ARNs moto draws at random."""
    return [
        (
            r.type,
            r.name,
            r.urn,
            r.parent,
            r.region,
            r.custom,
            r.protect,
            r.retain_on_delete,
            r.exercised,
            sorted(r.dependencies),  # in the order the program's outputs resolved: not fixed
            r.ignore_changes,
            sorted(r.inputs),
            sorted(r.state),
        )
        for r in result.graph.resources
    ]


def test_two_processes_record_and_prove_what_one_process_does(forks, monkeypatch):
    split = pipeline.verify(URL_SHORTENER, "url-shortener-prod", "production", "moto")
    assert len(forks) == 1 and _gone(forks[0].pid)
    monkeypatch.setenv(process.ONE_PROCESS, "1")
    one = pipeline.verify(URL_SHORTENER, "url-shortener-prod", "production", "moto")
    assert len(forks) == 1  # HLD_ONE_PROCESS=1: no second process
    assert _shape(split.result) == _shape(one.result)
    assert split.result.outputs.keys() == one.result.outputs.keys()
    assert split.report() == one.report()
    assert split.tally.ok


def test_the_program_sees_the_offline_config_in_its_own_process(forks, tmp_path, monkeypatch):
    """The program's process runs the config one process runs: with `hld:offline`, a stack
    without a domain gets the offline stand-in, as `hld verify` in a team's new project does."""
    root = _team_project(tmp_path)
    monkeypatch.chdir(root)
    verified = pipeline.verify(Path("blueprints/shop.yaml"), "prod", "production", "moto")
    assert forks and verified.tally.ok


def test_a_refusal_of_the_cloud_fails_the_program_in_its_process_by_name(forks, monkeypatch):
    refused = MotoMocks.new_resource

    def new_resource(self, args):
        if args.typ == "aws:sqs/queue:Queue":
            raise self.reject("SQS refused the queue: a test's refusal")
        return refused(self, args)

    monkeypatch.setattr(MotoMocks, "new_resource", new_resource)
    with pytest.raises(CloudRejected, match="a test's refusal"):
        pipeline.synth(URL_SHORTENER, "url-shortener-prod", "production", "moto")
    assert forks and _gone(forks[0].pid)


def test_the_programs_own_error_is_bad_input_as_in_one_process(forks, tmp_path, monkeypatch):
    root = _team_project(tmp_path)
    monkeypatch.chdir(root)
    stack_file = root / "Pulumi.prod.yaml"
    stack_file.write_text(stack_file.read_text() + "  hld:environment: staging\n")
    with pytest.raises(BadInput) as split:
        pipeline.synth(Path("blueprints/shop.yaml"), "prod", "production", "moto")
    assert forks and _gone(forks[0].pid)
    monkeypatch.setenv(process.ONE_PROCESS, "1")
    with pytest.raises(BadInput) as one:
        pipeline.synth(Path("blueprints/shop.yaml"), "prod", "production", "moto")
    assert "hld:environment is 'staging'" in str(split.value)
    assert str(split.value) == str(one.value)


def test_a_program_process_that_dies_is_reported_not_waited_for(forks, monkeypatch):
    """The program's process killed mid-run (out of memory, a signal): the run fails with its exit
    status, and nothing is left running."""
    served = process.Program.serve

    def serve(self, monitor):
        os.kill(self.pid, 9)
        return served(self, monitor)

    monkeypatch.setattr(process.Program, "serve", serve)
    with pytest.raises(ProgramLost, match=r"ended without a result \(killed by signal 9\)"):
        pipeline.synth(URL_SHORTENER, "url-shortener-prod", "production", "moto")
    assert forks and _gone(forks[0].pid)


def test_the_warm_up_loads_every_service_hld_calls():
    """What the command's process loads while the program's loads (hld.offline.moto.clients.warm)
    is every service a handler or a check makes a client of."""
    import re

    from hld.offline.moto.clients import SERVICES
    from tests.helpers import ROOT

    called = {
        service
        for path in (ROOT / "hld").rglob("*.py")
        for service in re.findall(r"client\(\s*\"([a-z0-9-]+)\"", path.read_text())
    }
    assert called and called <= set(SERVICES), sorted(called - set(SERVICES))


def test_the_checks_bring_the_runs_state_up_once(monkeypatch):
    """Every check's calls onto the run's moto state run inside one bring-up (Result.held), not one
    per call; the outcomes are those of the calls made one by one."""
    from hld.checks import Run, evaluate
    from hld.offline.moto.clients import Session
    from hld.testing import synth

    result = synth(URL_SHORTENER, "url-shortener-prod")
    one_by_one = evaluate(Run(result.plan, result.graph, result.outputs, result.live_reader))
    ups = []
    original = Session._up.__func__

    def counted(cls, generation, state):
        ups.append(generation)
        return original(cls, generation, state)

    monkeypatch.setattr(Session, "_up", classmethod(counted))
    held = result.checks()
    assert ups == [result.generation]
    assert [(o.check, o.status, o.problems) for o in held] == [(o.check, o.status, o.problems) for o in one_by_one]

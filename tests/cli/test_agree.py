"""The commands agree: one way of counting checks (text, --json, hld.testing), the same exit
codes for a design that misses its recovery objective, and a stack deploys only its blueprint."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hld.cli import app
from hld.testing import SynthError, synth, tally
from tests.helpers import EXAMPLES

runner = CliRunner()
URL = EXAMPLES / "url-shortener.yaml"


@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    """url-shortener asking for an RPO its cross-region replica cannot give (30 s of lag)."""
    path = tmp_path_factory.mktemp("tight") / "tight.yaml"
    path.write_text(URL.read_text().replace("rpo: 1m", "rpo: 10s"))
    return path


def test_a_missed_objective_fails_plan_verify_build_and_testing_alike(tight, tmp_path):
    assert runner.invoke(app, ["plan", str(tight)]).exit_code == 1
    verified = runner.invoke(app, ["verify", str(tight), "--json"])
    assert verified.exit_code == 1, verified.output
    counted = json.loads(verified.stdout)["tally"]
    assert counted["failed"] == ["objectives"]
    built = runner.invoke(app, ["build", str(tight), "--out", str(tmp_path / "o"), "--json"])
    assert built.exit_code == 1, built.output
    summary = json.loads(built.stdout)
    assert summary["tally"] == counted
    assert "plan: rpo" in summary["failed"] and "check: objectives" in summary["failed"]
    assert tally(synth(tight).checks()).as_dict() == counted


def test_build_names_what_failed_next_to_its_verdicts(tight, tmp_path):
    built = runner.invoke(app, ["build", str(tight), "--out", str(tmp_path / "o")])
    assert built.exit_code == 1
    lines = built.stdout.splitlines()
    assert any(line.startswith("RPO: expected 30 s on region-loss") and line.endswith("(NOT met)") for line in lines)
    assert any(line.startswith("FAILED: ") and "check: objectives" in line for line in lines)


def test_skips_count_as_skips_everywhere():
    verified = runner.invoke(app, ["verify", str(EXAMPLES / "e-commerce.yaml"), "--cloud", "mocks", "--json"])
    counted = json.loads(verified.stdout)["tally"]
    # waf: the design does not ask for it; the rest are not applicable to one region without a
    # budget (never "passed")
    skipped = ["waf", "budget", "dns-failover", "cdn-failover", "global-tables", "convergence", "rpo-alarms"]
    skipped += ["latency-cache", "peering-routes", "replication-directions"]
    assert counted["skipped"] == skipped and counted["total"] == len(counted["passed"]) + len(skipped)


def test_a_stack_deploys_only_the_blueprint_its_config_names(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text((EXAMPLES / "e-commerce.yaml").read_text())
    for command in ("verify", "synth"):
        result = runner.invoke(app, [command, str(other), "--stack", "url-shortener-prod"])
        assert result.exit_code == 2, result.output
        assert "deploys blueprints/examples/url-shortener.yaml" in result.stderr
    build = runner.invoke(app, ["build", str(other), "--stack", "url-shortener-prod", "--out", str(tmp_path / "o")])
    assert build.exit_code == 2 and not (tmp_path / "o").exists()
    with pytest.raises(SynthError, match=r"deploys blueprints/examples/url-shortener\.yaml"):
        synth(other, stack="url-shortener-prod", cloud="mocks")
    import yaml

    in_memory = yaml.safe_load(other.read_text())
    with pytest.raises(SynthError, match="system 'url-shortener'"):
        synth(in_memory, stack="url-shortener-prod", cloud="mocks")
    in_memory = yaml.safe_load(URL.read_text())
    assert synth(in_memory, stack="url-shortener-prod", cloud="mocks").stack == "url-shortener-prod"


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_the_plans_dr_row_and_explain_region_loss_give_the_same_recovery(example):
    from blueprints.units import human_duration

    path = str(EXAMPLES / f"{example}.yaml")
    shown = runner.invoke(app, ["plan", path], env={"COLUMNS": "400"}).stdout
    row = next(line for line in shown.splitlines() if "DR strategy" in line)
    played = json.loads(runner.invoke(app, ["explain", path, "--what-if", "region-loss", "--json"]).stdout)
    if played["rto_seconds"] is None:
        assert "not recoverable by this plan" in row
        assert not any(j["survives"] for j in played["journeys"])
    else:
        assert f"expected RTO {human_duration(played['rto_seconds'])}" in row


@pytest.mark.parametrize(("environment", "stack"), [("production", "prod"), ("development", "dev")])
def test_every_command_names_the_same_stack_when_none_is_given(environment, stack):
    planned = json.loads(runner.invoke(app, ["plan", str(URL), "-e", environment, "--json"]).stdout)
    assert planned["stack"] == stack
    synthesized = json.loads(runner.invoke(app, ["synth", str(URL), "-e", environment, "--json"]).stdout)
    assert synthesized["stack"] == stack
    assert f"stack {stack!r} ({environment})" in runner.invoke(app, ["plan", str(URL), "-e", environment]).stdout

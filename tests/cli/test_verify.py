"""`hld verify` as a user runs it: exit codes 0/1/2, the checks table, --json, --fail."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hld.checks import CHECKS
from hld.cli import app
from tests.helpers import EXAMPLES, ROOT

runner = CliRunner()
SHOP = str(EXAMPLES / "e-commerce.yaml")


def run(*args: str):
    return runner.invoke(app, list(args))


def test_verify_passes_every_check_in_moto_and_exits_0():
    result = runner.invoke(
        app, ["verify", SHOP, "--stack", "e-commerce-prod", "--fail", "zone:us-east-1b"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    total = len(CHECKS) + 1  # and the what-if of --fail, which a multi-zone design must survive
    # skipped: waf (not asked for); not applicable to one region without a budget: budget, dns-failover,
    # cdn-failover, global-tables, convergence, rpo-alarms, peering-routes, replication-directions;
    # no route counted as cached: latency-cache
    assert (
        f"Verified stack 'e-commerce-prod' in the offline cloud (moto): {total - 10} passed, 0 failed, 10 skipped "
        f"({total} checks)" in result.output
    )
    assert "went through a real moto API" in result.output
    assert "What if: zone-loss (us-east-1b)" in result.output


def test_verify_json_for_ci():
    result = run(
        "verify", SHOP, "--stack", "e-commerce-prod", "--cloud", "mocks", "--json", "--fail", "region:us-east-1"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["cloud"] == "mocks"
    assert {c["check"]: c["status"] for c in data["checks"]}["waf"] == "skip"
    assert data["what_if"]["disruption"] == "region-loss"
    assert data["what_if"]["journeys"] and not any(j["survives"] for j in data["what_if"]["journeys"])


def test_verify_exits_1_when_a_check_fails(tmp_path):
    missed = tmp_path / "missed.yaml"
    text = (ROOT / "tests" / "data" / "stacks" / "every-kind.yaml").read_text()
    missed.write_text(text.replace("availability: 99.5", "availability: 99.95"))
    result = run("verify", str(missed), "--cloud", "mocks", "--json")
    assert result.exit_code == 1, result.output
    failed = [c for c in json.loads(result.stdout)["checks"] if c["status"] == "fail"]
    assert [c["check"] for c in failed] == ["availability"]
    assert "below the target 99.95%" in failed[0]["problems"][0]


def test_verify_bad_input_exits_2(tmp_path):
    result = run("verify", SHOP, "--fail", "rack:7")
    assert result.exit_code == 2 and "hld: --fail: 'rack:7' is not zone:NAME or region:NAME" in result.stderr
    result = run("verify", SHOP, "--cloud", "mocks", "--fail", "zone:eu-west-1a")
    assert result.exit_code == 2 and "has nothing deployed" in result.stderr
    result = run("verify", SHOP, "--stack", "no-such-stack")
    assert result.exit_code == 2 and "no stack 'no-such-stack'" in result.stderr
    result = run("verify", str(EXAMPLES / "url-shortener.yaml"), "--stack", "url-shortener-kind")
    assert result.exit_code == 2 and "targets kubernetes" in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    assert run("verify", str(bad)).exit_code == 2


def test_verify_help_teaches():
    result = run("verify", "--help")
    assert result.exit_code == 0
    for word in ("moto", "--fail", "zone:us-east-1a", "Exit codes"):
        assert word in result.output


def test_a_loss_the_design_must_survive_fails_verify_when_it_does_not(monkeypatch):
    import hld.failures
    from blueprints.whatif import JourneyImpact

    real = hld.failures.what_if

    def broken(plan, graph, disruption, lost):
        impact = real(plan, graph, disruption, lost)
        lost_journey = JourneyImpact(journey=impact.journeys[0].journey, survives=False, detail="no task left")
        return impact.model_copy(update={"journeys": [lost_journey, *impact.journeys[1:]]})

    monkeypatch.setattr(hld.failures, "what_if", broken)
    result = run(
        "verify", SHOP, "--stack", "e-commerce-prod", "--cloud", "mocks", "--json", "--fail", "zone:us-east-1b"
    )
    assert result.exit_code == 1, result.output
    failed = {c["check"]: c["problems"] for c in json.loads(result.stdout)["checks"] if c["status"] == "fail"}
    assert "what-if" in failed and "us-east-1b: journey" in failed["what-if"][0]


def test_a_loss_the_design_does_not_promise_to_survive_is_reported_only(tmp_path):
    import yaml

    from tests.helpers import make

    single = tmp_path / "single.yaml"
    single.write_text(yaml.safe_dump(make(availability=95, redundancy={"level": "single-zone"})))
    result = run("verify", str(single), "--cloud", "mocks", "--json", "--fail", "zone:us-east-1a")
    assert result.exit_code == 0, result.output
    [what_if] = [c for c in json.loads(result.stdout)["checks"] if c["check"] == "what-if"]
    assert what_if["status"] == "pass" and "reported only" in what_if["detail"]


def test_a_single_zone_design_verifies_and_its_plan_states_the_two_zone_minimum():
    """Issue 24 §1: its ALB and DB subnet group span two zones (AWS refuses one), its tasks, DB
    instance and cache nodes stay in the one it serves from."""
    guestbook = str(ROOT / "tests" / "data" / "designs" / "guestbook.yaml")
    result = run("verify", guestbook, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["tally"]["failed"] == []
    planned = run("plan", guestbook, "--json")
    [net] = json.loads(planned.stdout)["networks"]
    assert net["zones"] == ["us-east-1a"] and net["subnet_zones"]["value"] == ["us-east-1a", "us-east-1b"]
    assert (
        "AWS requires an Application Load Balancer's subnets to cover at least 2 zones" in net["subnet_zones"]["reason"]
    )

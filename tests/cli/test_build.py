"""`hld build`: the whole job in one command, all files or none, exit codes 0/1/2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hld.checks import CHECKS
from hld.cli import app
from tests.helpers import EXAMPLES, ROOT

runner = CliRunner()


def test_build_writes_everything_and_summarises(tmp_path):
    out = tmp_path / "shop"
    result = runner.invoke(
        app, ["build", str(EXAMPLES / "e-commerce.yaml"), "--stack", "e-commerce-prod", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] and summary["failed"] == [] and summary["tally"]["failed"] == []
    assert summary["coverage_percent"] >= 90
    assert summary["next"][0] == "pulumi preview --stack e-commerce-prod"
    verify = json.loads((out / "verify.json").read_text())
    assert verify["cloud"] == "moto" and len(verify["checks"]) == len(CHECKS)
    assert verify["tally"] == summary["tally"] and verify["checks"] == summary["checks"]
    assert (out / "kubernetes" / "kind-cluster.yaml").exists() and (out / "kubernetes" / "kustomization.yaml").exists()
    assert (out / "kubernetes" / "secrets" / "orders-credentials.env").stat().st_mode & 0o077 == 0
    assert (out / "docs" / "HLD.md").read_text().startswith("# e-commerce: high-level design")
    assert json.loads((out / "docs" / "plan.json").read_text())["stack"] == "e-commerce-prod"


def test_build_exits_1_when_the_design_misses_its_target(tmp_path):
    missed = tmp_path / "missed.yaml"
    text = (ROOT / "tests" / "data" / "stacks" / "every-kind.yaml").read_text()
    missed.write_text(text.replace("availability: 99.5", "availability: 99.95"))
    result = runner.invoke(app, ["build", str(missed), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["tally"]["failed"] == ["availability"]
    assert not summary["next"][0].startswith("pulumi") and "availability" in summary["next"][0]
    # the render passed: its manifests are written, and the next step names only verify.json
    assert not summary["kubernetes_problems"] and "problems.json" not in summary["next"][0]
    assert summary["next"][0].endswith("/o/verify.json says what each check found")


def test_build_bad_input_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    result = runner.invoke(app, ["build", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_the_next_step_names_the_blueprint_as_the_pulumi_program_resolves_it(tmp_path, monkeypatch):
    from hld.pipeline import configured_path
    from hld.stack import read_config

    inside = EXAMPLES / "e-commerce.yaml"
    outside = tmp_path / "mine.yaml"
    outside.write_text(inside.read_text())
    monkeypatch.chdir(tmp_path)  # a user's own folder, no Pulumi project: paths are its own
    for given, expected in ((inside, inside), (outside, outside), ("mine.yaml", outside)):
        named = configured_path(given)
        config = read_config(lambda key, named=named: {"blueprint": named}.get(key), "s")
        assert config.blueprint.resolve() == expected.resolve(), given
    assert configured_path(inside) == str(inside.resolve())
    # in a Pulumi project (here hld's own), relative to it, as the program resolves it
    monkeypatch.chdir(ROOT / "stacks")
    assert configured_path(inside) == "blueprints/examples/e-commerce.yaml"
    assert read_config(lambda key: {"blueprint": configured_path(inside)}.get(key), "s").blueprint == inside


def test_build_writes_no_manifests_that_fail_their_checks(tmp_path):
    out = tmp_path / "small"
    args = ["build", str(EXAMPLES / "url-shortener.yaml"), "--out", str(out), "--cpus", "0.5", "--memory-gib", "1"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert "kubernetes: fits-budget" in summary["failed"]
    assert sorted(p.name for p in (out / "kubernetes").iterdir()) == ["problems.json"]  # as render refuses them
    found = json.loads((out / "kubernetes" / "problems.json").read_text())
    assert not found["ok"] and [c["check"] for c in found["checks"] if c["status"] == "fail"] == ["fits-budget"]
    assert (out / "docs" / "HLD.md").exists() and (out / "verify.json").exists()
    assert not any(step.startswith("pulumi") for step in summary["next"])
    assert "verify.json and " in summary["next"][0] and "/kubernetes/problems.json say" in summary["next"][0]


def test_a_static_site_in_two_regions_builds_cleanly(tmp_path):
    # nothing zonal, no services: every check passes (losses included), manifests and HLD.md written
    out = tmp_path / "press"
    site = ROOT / "tests" / "data" / "designs" / "static-site-waf.yaml"
    result = runner.invoke(app, ["build", str(site), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ok"] and summary["failed"] == [] and "losses" not in summary["tally"]["skipped"]
    assert (out / "kubernetes" / "kustomization.yaml").exists() and (out / "docs" / "HLD.md").exists()

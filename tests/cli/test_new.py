"""`hld new` in-process (the wheel test runs it from an installed wheel): what it refuses, what it
writes for a blueprint of the team's own, and a Pulumi project of another kind around the run."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hld.cli import app
from tests.helpers import DESIGNS, EXAMPLES

runner = CliRunner()


def test_a_name_the_format_refuses_is_refused_before_anything_is_written(tmp_path):
    result = runner.invoke(app, ["new", str(tmp_path / "p"), "--name", "a" * 41])
    assert result.exit_code == 2 and "at most 40 characters" in result.output
    assert not (tmp_path / "p").exists()


def test_from_a_blueprint_copies_it_and_tests_only_what_it_has(tmp_path):
    result = runner.invoke(app, ["new", str(tmp_path / "site"), "--from", str(DESIGNS / "static-site.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    system = json.loads(result.stdout)["system"]
    project = tmp_path / "site"
    assert (project / "blueprints" / f"{system}.yaml").read_text() == (DESIGNS / "static-site.yaml").read_text()
    test = (project / "tests" / "test_blueprint.py").read_text()
    assert "test_the_design_passes_every_check" in test and "spreads_over_zones" not in test  # no VPC to spread
    shop = runner.invoke(app, ["new", str(tmp_path / "shop"), "--from", str(EXAMPLES / "e-commerce.yaml")])
    assert shop.exit_code == 0 and "spreads_over_zones" in (tmp_path / "shop/tests/test_blueprint.py").read_text()
    assert "pytest" in (tmp_path / "shop/requirements.txt").read_text()


def test_inside_a_pulumi_project_of_another_kind_the_offline_run_is_hlds_program(tmp_path, monkeypatch):
    (tmp_path / "Pulumi.yaml").write_text("name: web\nruntime: nodejs\nmain: index.ts\n")
    (tmp_path / "index.ts").write_text("import * as aws from '@pulumi/aws';\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["synth", str(EXAMPLES / "url-shortener.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resources"]


def test_a_refusal_names_the_folder_argument_not_an_option_new_lacks(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["new", str(tmp_path / "mine")])
    assert result.exit_code == 2 and "FOLDER" in result.output and "--out" not in result.output

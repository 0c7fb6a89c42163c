"""The command line as a user runs it: exit codes, output formats, help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hld.cli import app
from tests.helpers import EXAMPLE_FILES, EXAMPLES, ROOT

runner = CliRunner()
URL = str(EXAMPLES / "url-shortener.yaml")


def run(*args: str):
    return runner.invoke(app, list(args))


def test_validate_all_examples():
    result = run("validate", *map(str, EXAMPLE_FILES))
    assert result.exit_code == 0, result.output
    assert result.output.count(": valid") == len(EXAMPLE_FILES)


def test_validate_bad_input_exits_2_with_file_line_prefix():
    bad = ROOT / "tests" / "data" / "invalid" / "references.yaml"
    result = run("validate", str(bad))
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{bad}:8:12: services[0].uses[0]: ")


def test_validate_json():
    bad = ROOT / "tests" / "data" / "invalid" / "rpo-zero-relational.yaml"
    result = run("validate", "--json", URL, str(bad))
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert [p["field"] for p in data["problems"]] == ["rpo"]
    assert data["problems"][0]["line"] == 7 and data["problems"][0]["rule"] == "CAP/RPO"


def test_plan_text_shows_decisions_sources_and_budget():
    result = run("plan", URL)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needle in (
        "Availability (SLA-based estimate)",
        "https://aws.amazon.com/dynamodb/sla/",
        "(unverified)",
        "30-day month",
        "4.32 min/month",
        "multi-site-active-active",
        "[load balancer 99.99",
        "RTO",
    ):
        assert needle in out, needle


def test_plan_json_is_the_plan():
    result = run("plan", "--json", URL)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["name"] == "url-shortener"
    assert data["availability"]["met"] is True
    assert data["regions"]["value"] == ["us-east-1", "us-west-2"]
    assert {s["name"] for s in data["datastores"]} == {"urls", "url-cache", "clicks", "click-stats"}


def test_plan_exits_1_when_targets_are_missed(tmp_path):
    text = (EXAMPLES / "url-shortener.yaml").read_text().replace("rpo: 1m", "rpo: 10s")
    path = tmp_path / "tight.yaml"
    path.write_text(text)
    result = run("plan", str(path))
    assert result.exit_code == 1
    assert "does not meet" in result.stdout and "rpo" in result.stdout


def test_plan_bad_input_exits_2():
    result = run("plan", "/no/such/file.yaml")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


@pytest.mark.parametrize("disruption", ["zone-loss", "region-loss"])
def test_explain(disruption):
    result = run("explain", URL, "--what-if", disruption, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["disruption"] == disruption
    assert all(j["survives"] for j in data["journeys"])


def test_explain_unknown_zone_is_bad_input():
    result = run("explain", URL, "--what-if", "zone-loss", "--lost", "eu-west-9z")
    assert result.exit_code == 2
    assert "not in the plan" in result.stderr


def test_unknown_what_if_is_a_usage_error():
    assert run("explain", URL, "--what-if", "meteor").exit_code == 2


def test_schema_is_published_and_current():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Blueprint"
    assert "availability" in schema["properties"]
    shipped = (ROOT / "blueprints" / "schema" / "blueprint.schema.json").read_text()
    assert result.stdout == shipped, "run `make golden` to refresh blueprints/schema/blueprint.schema.json"


def test_the_schema_states_every_bound_in_json_schema_keywords_editors_enforce():
    import jsonschema

    from blueprints.schema import schema

    doc = schema()
    jsonschema.Draft202012Validator.check_schema(doc)

    def leaked(node, in_properties=False):
        if isinstance(node, list):
            return [k for item in node for k in leaked(item)]
        if not isinstance(node, dict):
            return []
        own = [] if in_properties else [k for k in ("le", "ge", "lt", "gt") if k in node]
        return own + [k for key, v in node.items() for k in leaked(v, key == "properties" and not in_properties)]

    assert leaked(doc) == []
    validator = jsonschema.Draft202012Validator(doc)
    base = {"name": "shop", "availability": 99.9, "services": [{"name": "api", "image": "ghcr.io/x/api:1"}]}
    for bad in ({"rto": 10**8}, {"services": [{"name": "api", "image": "ghcr.io/x/api:1", "memory": 256}]}):
        assert not validator.is_valid({**base, **bad}), bad  # a Duration's and a Memory's bounds hold
    assert validator.is_valid({**base, "rto": "5m"})
    cdn = doc["$defs"]["Cdn"]["properties"]
    assert cdn["min_ttl"]["maximum"] == cdn["stale_if_error"]["anyOf"][0]["maximum"] == 31536000


def test_schema_out_writes_file(tmp_path):
    out = tmp_path / "s.json"
    assert run("schema", "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())["$id"].endswith("blueprint.schema.json")


def test_help_teaches():
    result = run("--help")
    assert result.exit_code == 0
    assert "Exit codes" in result.stdout and "validate" in result.stdout


def test_fast_paths_do_not_import_heavy_libraries():
    code = (
        "import sys; from hld.cli import app; from typer.testing import CliRunner; "
        f"r = CliRunner().invoke(app, ['plan', {URL!r}]); "
        "heavy = [m for m in ('pulumi', 'pulumi_aws', 'boto3', 'moto') if m in sys.modules]; "
        "print(r.exit_code, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "0 []"


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "hld.cli", "validate", URL], capture_output=True, text=True)
    assert out.returncode == 0 and "valid" in out.stdout


@pytest.mark.parametrize("stem", ["regional-api", "wiki", "static-site", "static-site-waf", "chat"])
def test_designs_written_by_others_validate_plan_and_explain(stem, tmp_path):
    from tests.helpers import DESIGNS

    path = str(DESIGNS / f"{stem}.yaml")
    for args in (("validate", path), ("plan", path), ("explain", path, "--what-if", "zone-loss")):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
    for target in ("kubernetes", "docs"):
        result = run("render", path, "--target", target, "--out", str(tmp_path / target))
        assert result.exit_code == 0, (target, result.output)


def test_synth_without_a_domain_says_it_used_a_placeholder():
    from tests.helpers import DESIGNS

    result = run("synth", str(DESIGNS / "regional-api.yaml"))
    assert result.exit_code == 0, result.output
    assert "prod.regional-api.hld.invalid is a placeholder" in result.stdout
    assert "pulumi config set hld:domain" in result.stdout
    result = run("plan", str(DESIGNS / "regional-api.yaml"))
    assert "sets hld:domain" in result.stdout


def test_plan_json_carries_each_fix_as_edits_and_what_it_reaches():
    from tests.helpers import DESIGNS

    result = run("plan", "--json", str(DESIGNS / "inventory.yaml"))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    [unmet] = data["unmet"]
    assert unmet["what"] == "availability" and unmet["searched"]
    [fix] = unmet["fixes"]
    assert fix["relaxes"] and fix["meets"] and fix["edits"] == [{"path": ["availability"], "value": 99.998}]
    text = run("plan", str(DESIGNS / "inventory.yaml")).stdout
    assert "or relax the target: availability: 99.998" in text and "meets it:" not in text


def test_explain_compares_the_expected_rto_and_rpo_with_the_blueprint_and_exits_1_on_a_miss(tmp_path):
    # url-shortener is multi-region: it must survive a region loss; its expected RTO is 2.5 min
    tight = tmp_path / "tight.yaml"
    tight.write_text((EXAMPLES / "url-shortener.yaml").read_text().replace("\nrto: 5m", "\nrto: 30s"))
    result = runner.invoke(app, ["explain", str(tight), "--what-if", "region-loss"])
    assert result.exit_code == 1, result.output
    assert "RTO 2.5 min against the blueprint's 30 s: MISSED" in result.output
    assert "RPO 30 s against the blueprint's 1 min: met" in result.output
    result = runner.invoke(app, ["explain", str(tight), "--what-if", "region-loss", "--json"])
    body = json.loads(result.stdout)
    assert result.exit_code == 1 and not body["ok"] and body["must_survive"]
    assert body["misses"] == ["RTO 2.5 min is over the blueprint's `rto` of 30 s"]
    met = runner.invoke(app, ["explain", URL, "--what-if", "region-loss"])
    assert met.exit_code == 0 and "RTO 2.5 min against the blueprint's 5 min: met" in met.output
    # a multi-zone design does not promise to survive a region loss: it says so and exits 0
    shop = runner.invoke(app, ["explain", str(EXAMPLES / "e-commerce.yaml"), "--what-if", "region-loss"])
    assert shop.exit_code == 0 and "this level does not promise to survive it" in shop.output

"""The rest of the command line's surface: standard input, closed pipes, Ctrl-C, widths, escaping."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib

from typer.testing import CliRunner

from hld.cli import app
from tests.helpers import EXAMPLES, ROOT

runner = CliRunner()
URL = EXAMPLES / "url-shortener.yaml"
HLD = [sys.executable, "-m", "hld.cli"]


def test_dash_reads_the_blueprint_from_standard_input():
    text = URL.read_text()
    assert runner.invoke(app, ["validate", "-"], input=text).stdout == "<stdin>: valid\n"
    assert runner.invoke(app, ["plan", "-", "--json"], input=text).exit_code == 0
    assert runner.invoke(app, ["explain", "-", "--what-if", "zone-loss"], input=text).exit_code == 0
    bad = runner.invoke(app, ["plan", "-"], input="name: x\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("<stdin>:")
    twice = runner.invoke(app, ["validate", "-", "-"], input=text)
    assert twice.exit_code == 2 and "standard input is read once" in twice.stderr


def test_commands_that_run_the_pulumi_program_refuse_standard_input_before_reading_it(tmp_path):
    text = URL.read_text()
    for args in (["synth", "-"], ["verify", "-"], ["build", "-", "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, args, input=text)
        assert result.exit_code == 2, args
        assert "reads its blueprint from a file" in result.stderr and "empty document" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert "not standard input" in runner.invoke(app, ["build", "--help"]).stdout


def test_a_closed_pipe_keeps_the_exit_code_and_prints_no_traceback():
    for args, code in ((["plan", str(URL)], 0), (["plan", "--json", "/no/such.yaml"], 2)):
        done = subprocess.run(
            f"{' '.join(HLD)} {' '.join(args)} | true; exit ${{PIPESTATUS[0]}}",
            shell=True,
            executable="/bin/bash",
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_ctrl_c_says_nothing_was_written_and_exits_130(tmp_path):
    out = tmp_path / "o"
    child = subprocess.Popen(
        [*HLD, "build", str(URL), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # inside the offline run
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert err.strip().endswith("interrupted: nothing was written") and "Traceback" not in err
    assert not out.exists()


def test_piped_tables_fit_columns_or_a_sensible_width():
    for env, width in (({"COLUMNS": "80"}, 80), ({}, 100)):
        environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | env
        done = subprocess.run([*HLD, "plan", str(URL)], capture_output=True, text=True, cwd=ROOT, env=environ)
        assert max(len(line) for line in done.stdout.splitlines()) <= width


def test_free_text_cannot_break_the_documents_tables():
    from blueprints import parse, plan
    from generators.docs import document

    text = URL.read_text().replace(
        "  - name: analytics\n", '  - name: analytics\n    description: "counts | clicks\\nper day"\n'
    )
    doc = document(plan(parse(text)))
    row = next(line for line in doc.splitlines() if line.startswith("| `analytics` |"))
    assert "counts \\| clicks per day" in row and row.count(" | ") == row.count("|") - row.count("\\|") - 2


def test_pytest_users_see_no_pulumi_aws_deprecation_warnings(tmp_path):
    test = tmp_path / "test_mine.py"
    test.write_text(
        "def test_synth(hld_synth):\n"
        f"    assert hld_synth({str(URL)!r}, cloud='mocks').graph.count('aws.lb.LoadBalancer') == 2\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert "DeprecationWarning" not in done.stdout


def test_the_package_metadata_uses_an_spdx_license():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"  # a table is deprecated (setuptools >= 77 warns)
    assert any(r.startswith("setuptools>=77") for r in project["build-system"]["requires"])


def test_the_process_ends_with_the_commands_code_its_output_flushed_and_exit_handlers_run(tmp_path):
    """hld.terminal.exit_now skips the interpreter's heap teardown (2.5 s after a verify), not what
    a normal exit does: exit handlers, flushed streams and the status."""
    marker = tmp_path / "handler-ran"
    script = (
        "import atexit, pathlib, sys\n"
        "from hld.terminal import exit_now\n"
        f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('yes'))\n"
        "sys.stdout.write('x' * 100000)\n"  # buffered, no newline: lost without a flush
        "sys.stderr.write('partial')\n"
        "exit_now(eval(sys.argv[1]))\n"
    )
    for code, status in (("None", 0), ("0", 0), ("2", 2), ("130", 130), ("'no such stack'", 1)):
        marker.unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, "-c", script, code], capture_output=True, text=True, cwd=ROOT, check=False
        )
        assert done.returncode == status, done.stderr
        assert done.stdout == "x" * 100000
        assert done.stderr.startswith("partial")
        assert marker.read_text() == "yes"
    assert done.stderr == "partialno such stack\n"


def test_a_verify_prints_its_whole_report_and_its_code_as_a_user_runs_it():
    done = subprocess.run(
        [*HLD, "verify", str(URL), "--stack", "url-shortener-dev", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["checks"]
    assert {c["status"] for c in report["checks"]} <= {"pass", "skip"}


def test_a_users_own_blueprints_folder_does_not_shadow_hlds_packages(tmp_path):
    """A team keeps blueprints/shop.yaml beside its tests (as the README shows), and pytest puts
    that folder first on the path: hld's packages must still be the ones imported."""
    (tmp_path / "blueprints").mkdir()
    (tmp_path / "generators").mkdir()
    (tmp_path / "blueprints" / "shop.yaml").write_text(URL.read_text())
    code = (
        "import sys\n"
        "sys.path.insert(0, '')\n"
        "from blueprints import load\n"
        "from hld.testing import synth\n"
        "import generators.kubernetes\n"
        "assert load('blueprints/shop.yaml').name == 'url-shortener'\n"
        "assert synth('blueprints/shop.yaml', cloud='mocks').tally().ok\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_with_json_every_outcome_is_one_json_document_with_ok():
    for args, code in (
        (["plan", str(URL), "--json", "--bogus"], 2),
        (["plan", str(URL), "--json", "-e", "staging"], 2),
        (["verify", str(URL), "--stack", "no-such-stack", "--json"], 2),
    ):
        done = subprocess.run([*HLD, *args], capture_output=True, text=True, cwd=ROOT, check=False)
        assert done.returncode == code, (args, done.stderr)
        report = json.loads(done.stdout)
        assert report["ok"] is False and report["problems"][0]["field"].startswith("--"), report
        assert "valid" not in report  # the blueprint was not what was wrong
    for args in (["validate", str(URL)], ["plan", str(URL)], ["explain", str(URL), "--what-if", "zone-loss"]):
        assert json.loads(runner.invoke(app, [*args, "--json"]).stdout)["ok"] is True, args
    synthesized = runner.invoke(app, ["synth", str(URL), "--json"])
    assert json.loads(synthesized.stdout)["ok"] is True

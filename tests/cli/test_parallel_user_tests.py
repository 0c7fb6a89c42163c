"""A team's blueprint tests run in parallel: `pytest -n 2` (pytest-xdist) over a project of its own,
each worker with its own offline cloud, the hld_synth fixture in both, nothing shared between them."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import EXAMPLES

TEST = """
import os

def test_{name}(hld_synth):
    result = hld_synth("{path}", stack="{stack}")
    assert result.tally().ok
    tables = result.client("dynamodb", "us-east-1").list_tables()["TableNames"]
    # a worker's cloud holds its own run's tables only
    assert tables and all(t.startswith("{prefix}") for t in tables), tables
    with open("{name}.worker", "w") as out:
        out.write(os.environ.get("PYTEST_XDIST_WORKER", "none"))
"""


def test_a_teams_blueprint_tests_run_on_two_workers(tmp_path):
    for name, stack in (("url-shortener", "url-shortener-prod"), ("e-commerce", "e-commerce-prod")):
        test = TEST.format(name=name.replace("-", "_"), path=EXAMPLES / f"{name}.yaml", stack=stack, prefix=name)
        (tmp_path / f"test_{name.replace('-', '_')}.py").write_text(test)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-q", "-p", "no:cacheprovider", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout
    workers = {path.read_text() for path in tmp_path.glob("*.worker")}
    assert workers == {"gw0", "gw1"}, workers  # one test on each worker: both ran, apart

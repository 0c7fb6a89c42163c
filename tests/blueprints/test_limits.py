"""Bounded input: no blueprint can exhaust memory or time; each bound is a located problem, exit 2.

The hostile documents run in a child process with a 1 GiB address-space limit and a hang guard,
so a regression fails the test instead of exhausting the machine (how fast they end is
measured by `python -m bench.run fast`, not asserted here)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
import yaml

from blueprints import BlueprintError, limits, parse
from tests.helpers import BASE, ROOT, make, parse_doc

CHILD = (
    "import resource, sys\n"
    "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    "from hld.cli import run\n"
    "sys.argv = ['hld', 'validate', '--json', sys.argv[1]]\n"
    "run()\n"
)


def validate_in_a_bounded_child(path):
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)["problems"]


def alias_bomb(levels: int = 9) -> str:
    lines = ["name: bomb", "availability: 99.9", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
    previous = "a"
    for anchor in "bcdefghijk"[: levels - 1]:
        lines.append(f"{anchor}: &{anchor} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = anchor
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_the_alias(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    code, problems = validate_in_a_bounded_child(path)
    assert code == 2
    [problem] = problems
    assert problem["rule"] == "limits" and "through aliases" in problem["message"]
    assert (problem["line"], problem["column"]) > (3, 1)  # at an alias, not at the top of the file


def test_a_recursive_alias_and_deep_nesting_are_refused(tmp_path):
    recursive = tmp_path / "recursive.yaml"
    recursive.write_text("name: x\nlist: &a [1, *a]\n")
    code, problems = validate_in_a_bounded_child(recursive)
    assert code == 2 and "refers to the node that contains it" in problems[0]["message"]
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: x\nnested: " + "[" * 900 + "]" * 900 + "\n")
    code, problems = validate_in_a_bounded_child(deep)
    assert code == 2 and f"deeper than {limits.MAX_DEPTH}" in problems[0]["message"]
    assert problems[0]["line"] == 2


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.yaml"
    service = "  - {name: s, image: 'a:1'}\n"
    path.write_text(
        "name: huge\navailability: 99.9\nservices:\n" + service * (limits.MAX_FILE_BYTES // len(service) + 1)
    )
    code, problems = validate_in_a_bounded_child(path)
    assert code == 2 and "larger than 1024 KiB" in problems[0]["message"]


def test_too_many_services_and_a_huge_description_are_located(tmp_path):
    doc = make(services=[{**BASE["services"][0], "name": f"s{i}"} for i in range(limits.MAX_SERVICES + 1)])
    doc["description"] = "x" * 50_000
    path = tmp_path / "many.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, problems = validate_in_a_bounded_child(path)
    fields = {p["field"]: p for p in problems}
    assert code == 2 and {"services", "description"} <= set(fields)
    assert "(50,000 characters)" in fields["description"]["message"]  # the value is not copied back


OUT_OF_RANGE = [
    ("services", 0, "peak_rps", 10**29),
    ("services", 0, "rps_per_replica", 10**12),
    ("services", 0, "cpu", 64),
    ("services", 0, "memory", "1000Gi"),
    ("services", 0, "routes", ["GET /" + "x" * 200]),
    ("services", 0, "image", "x" * 300),
    ("scaling", None, "max_scale_out", 1000),
    ("scaling", None, "target_cpu", 100),
    ("availability", None, None, 99.99991),
    ("rto", None, None, "400d"),
    ("rpo", None, None, "90d"),
    ("redundancy", None, "zones", 9),
    ("datastores", 0, "retention", "30d"),
]


@pytest.mark.parametrize(("top", "index", "key", "value"), OUT_OF_RANGE, ids=lambda v: str(v)[:20])
def test_each_out_of_range_number_is_a_located_problem(top, index, key, value):
    doc = make(datastores=[{"name": "db", "kind": "queue"}] if top == "datastores" else BASE["datastores"])
    if top == "datastores":
        doc["services"][0]["uses"] = ["db"]
    target = doc
    if index is not None:
        target = doc[top][index]
    elif key is not None:
        target = doc.setdefault(top, {})
    if key is None:
        doc[top] = value
    else:
        target[key] = value
    with pytest.raises(BlueprintError) as caught:
        parse_doc(doc)
    problem = caught.value.problems[0]
    assert problem.line > 1 and problem.rule in ("schema", "limits")


def test_replicas_beyond_what_ecs_runs_are_refused_with_the_fix():
    svc = {**BASE["services"][0], "peak_rps": 5_000_000, "rps_per_replica": 100}
    with pytest.raises(BlueprintError) as caught:
        parse_doc(make(services=[svc], redundancy={"level": "multi-zone"}))
    [problem] = caught.value.problems
    assert problem.path == ("services", 0, "peak_rps") and problem.rule == "limits"
    assert f"{limits.MAX_TASKS_PER_SERVICE:,} tasks per service" in problem.message and "rps_per_replica" in problem.fix


def test_more_public_paths_than_a_load_balancer_holds_are_refused():
    services = []
    for i in range(3):
        svc = copy.deepcopy(BASE["services"][0])
        svc["name"] = f"api{i}"
        svc["routes"] = [f"GET /r{i}/p{j}" for j in range(40)]
        services.append(svc)
    with pytest.raises(BlueprintError) as caught:
        parse_doc(make(services=services))
    assert any("listener rules" in p.message for p in caught.value.problems)


def test_a_text_over_the_limit_is_refused_by_parse_too():
    with pytest.raises(BlueprintError) as caught:
        parse("x: " + "y" * (limits.MAX_FILE_BYTES + 1))
    assert caught.value.problems[0].rule == "limits"

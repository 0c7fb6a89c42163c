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


# --- scalars, numbers, tags and flow nesting: refused on the event stream, before YAML builds them ---

SERVICE = "name: x\navailability: 99.9\nservices:\n  - {name: s, image: 'a:1', peak_rps: %s}\n"

HOSTILE_SCALARS = {
    "5,000 decimal digits": (SERVICE % ("1" * 5000), "a number of 5,000 characters"),
    "0x and 20,000 hex digits": (SERVICE % ("0x" + "f" * 20_000), "a hexadecimal number"),
    "0b and 20,000 binary digits": (SERVICE % ("0b" + "1" * 20_000), "a binary number"),
    "0 and 20,000 octal digits": (SERVICE % ("0" + "7" * 20_000), "an octal number"),
    "sexagesimal integer (300 KB)": (SERVICE % ("1" + ":59" * 100_000), "a base-60 (sexagesimal) number"),
    "sexagesimal float": (SERVICE % ("1" + ":59" * 1000 + ".5"), "a base-60 (sexagesimal) number"),
    "explicit !!int, quoted": (SERVICE % ("!!int '" + "1" * 5000 + "'"), "a number of 5,000 characters"),
    "a number as a key": ("name: x\navailability: 99.9\n? " + "9" * 5000 + "\n: 1\n", "a number of 5,000"),
    "a 900 KB value": ("name: x\navailability: 99.9\ndescription: " + "y" * 900_000 + "\n", "a value of 900,000"),
}


@pytest.mark.parametrize("label", list(HOSTILE_SCALARS))
def test_oversized_numbers_and_scalars_are_located_problems(tmp_path, label):
    text, message = HOSTILE_SCALARS[label]
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    code, problems = validate_in_a_bounded_child(path)
    [problem] = problems
    assert code == 2 and problem["rule"] == "limits" and message in problem["message"], problem
    assert (problem["line"], problem["column"]) >= (3, 1)  # at the value, not at the top of the file


def test_numbers_of_every_form_within_the_bound_still_load():
    base = {**BASE["services"][0]}
    for written, value in (("1_000", 1000), ("0x3E8", 1000), ("1e3", None), ("1:40", 100)):
        text = yaml.safe_dump(make(services=[base]), sort_keys=False).replace("peak_rps: 1000", f"peak_rps: {written}")
        if value is None:  # a float is not a whole number of requests
            with pytest.raises(BlueprintError):
                parse(text)
        else:
            assert parse(text).services[0].peak_rps == value
    assert len(str(limits.MAX_PEAK_RPS)) < limits.MAX_NUMBER


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 1000 + "]" * 1000,  # past libyaml's own limit, on one line: it stops before any event
        "[" * 100_000,  # never closed
        "[" * 200 + "]" * 200,  # within libyaml's limit: the event stream's count refuses it
        "{a: " * 1000 + "}" * 1000,
        "[\n" * 1000 + "]" * 1000,
    ],
    ids=["1000-flow", "100000-unclosed", "200-flow", "1000-flow-maps", "1000-flow-lines"],
)
def test_flow_nesting_counts_like_block_nesting(tmp_path, nested):
    path = tmp_path / "deep.yaml"
    path.write_text("name: x\navailability: 99.9\nservices: " + nested + "\n")
    code, problems = validate_in_a_bounded_child(path)
    [problem] = problems
    assert code == 2 and problem["rule"] == "limits"
    assert problem["message"] == f"the document nests deeper than {limits.MAX_DEPTH} levels"
    assert problem["line"] >= 3


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("name: !!binary ZGVtbw==\navailability: 99.9\n", "!!binary"),
        ("name: x\navailability: 99.9\ndescription: !!timestamp 2024-01-01\n", "!!timestamp"),
        ("name: x\navailability: 99.9\nregions: !!set {us-east-1}\n", "!!set"),
        ("name: x\navailability: 99.9\nregions: !!omap [{us-east-1: 1}]\n", "!!omap"),
        ("name: x\navailability: 99.9\ndescription: !mine text\n", "!mine"),
    ],
)
def test_tags_outside_the_core_schema_are_refused(text, tag):
    with pytest.raises(BlueprintError) as caught:
        parse(text, "bp.yaml")
    [problem] = caught.value.problems
    assert problem.rule == "limits" and f"the tag {tag} " in problem.message
    assert (problem.line, problem.column) > (1, 6)  # at the tagged value


def test_core_tags_still_load():
    text = yaml.safe_dump(BASE, sort_keys=False).replace("name: shop", "name: !!str shop", 1)
    assert parse(text.replace("peak_rps: 1000", "peak_rps: !!int 1000")).name == "shop"


@pytest.mark.parametrize(
    ("field", "written", "fragment"),
    [
        ("peak_rps", "true", "got true (true and false are not numbers)"),
        ("cpu", "false", "got false (true and false are not numbers)"),
        ("port", "'8080'", "got '8080'"),
        ("public", "1", "valid boolean; got 1"),
        ("image", "1.5", "valid string; got 1.5"),
        ("port", "80.0", "valid integer; got 80.0"),
    ],
)
def test_types_are_strict(field, written, fragment):
    svc = {**BASE["services"][0], field: "PLACEHOLDER"}
    text = yaml.safe_dump(make(services=[svc]), sort_keys=False).replace("PLACEHOLDER", written)
    with pytest.raises(BlueprintError) as caught:
        parse(text, "bp.yaml")
    [problem] = caught.value.problems
    assert problem.path == ("services", 0, field) and problem.rule == "schema"
    assert fragment in problem.message, problem.message


def test_top_level_numbers_are_strict_too():
    with pytest.raises(BlueprintError) as caught:
        parse(yaml.safe_dump(make(availability=True), sort_keys=False), "bp.yaml")
    assert "not numbers" in caught.value.problems[0].message
    # written forms keep working: durations, memory, whole floats for float fields
    doc = make(rto="5m", availability=99)
    doc["services"][0]["memory"] = "1Gi"
    doc["services"][0]["cpu"] = 1
    bp = parse_doc(doc)
    assert (bp.rto, bp.services[0].memory, bp.services[0].cpu, bp.availability) == (300, 1024, 1.0, 99.0)


def test_every_hostile_case_ends_as_json_with_ok_false(tmp_path):
    """Under --json a hostile input is one JSON document with `ok: false` (never a traceback)."""
    path = tmp_path / "hex.yaml"
    path.write_text(HOSTILE_SCALARS["0x and 20,000 hex digits"][0])
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 2 and json.loads(done.stdout)["ok"] is False, done.stderr[-2000:]

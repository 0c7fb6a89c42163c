"""Loader errors: every class of bad input, with file, line, column and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from blueprints import BlueprintError, load, parse
from tests.helpers import EXAMPLE_FILES, ROOT

INVALID = sorted((ROOT / "tests" / "data" / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_blueprints_produce_exactly_the_golden_errors(path: Path):
    with pytest.raises(BlueprintError) as info:
        parse(path.read_text(), path.name)
    got = "\n".join(p.render() for p in info.value.problems) + "\n"
    assert got == path.with_suffix(".errors").read_text()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_reference_blueprints_load(path: Path):
    assert load(path).name == path.stem


def errors(text: str) -> list:
    with pytest.raises(BlueprintError) as info:
        parse(text, "bp.yaml")
    return info.value.problems


MINIMAL = "name: x\navailability: 99.9\nservices:\n  - name: api\n    image: img\n"


def at(problem) -> tuple:
    return (problem.file, problem.line, problem.column, ".".join(map(str, problem.path)))


def test_malformed_yaml_points_at_the_syntax_error():
    (p,) = errors("name: x\nservices: [\n")
    assert (p.line, p.rule) == (3, "yaml") and "malformed YAML" in p.message


def test_non_mapping_document():
    (p,) = errors("42\n")
    assert "got a number" in p.message


def test_unknown_field_points_at_the_key_and_suggests():
    (p,) = errors(MINIMAL + "    imgae: x\n")
    assert at(p) == ("bp.yaml", 6, 5, "services.0.imgae")
    assert "did you mean 'image'" in p.fix


def test_wrong_type_points_at_the_value():
    (p,) = errors(MINIMAL.replace("99.9", "high"))
    assert at(p) == ("bp.yaml", 2, 15, "availability")
    assert "got 'high'" in p.message


def test_out_of_range():
    (p,) = errors(MINIMAL + "    port: 0\n")
    assert at(p)[1:] == (6, 11, "services.0.port")


def test_missing_field_points_at_its_parent():
    (p,) = errors("name: x\nservices:\n  - name: api\n    image: img\n")
    assert at(p)[1:] == (1, 1, "availability")
    assert p.message == "required field is missing"


def test_discriminated_union_errors_name_the_store_field():
    (p,) = errors(MINIMAL + "datastores:\n  - name: c\n    kind: cache\n    ttl: 5 minutes\n")
    assert at(p)[1:] == (9, 10, "datastores.0.ttl")


def test_duplicate_key_is_reported():
    (p,) = errors(MINIMAL + "name: y\n")
    assert p.rule == "yaml" and "appears twice" in p.message and p.line == 6


def test_every_problem_is_reported_at_once():
    found = errors("name: X\navailability: 101\nservices:\n  - name: api\n    port: -1\n")
    assert {".".join(map(str, p.path)) for p in found} == {
        "name",
        "availability",
        "services.0.image",
        "services.0.port",
    }


def test_missing_file(tmp_path):
    with pytest.raises(BlueprintError) as info:
        load(tmp_path / "nope.yaml")
    assert info.value.problems[0].message == "no such file"


def test_not_utf8(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(BlueprintError):
        load(bad)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("60s", 60), ("5m", 300), ("1h", 3600), ("1d", 86400), (90, 90), ("0", 0), ("500ms", 0)],
)
def test_durations(text, seconds):
    from blueprints.units import parse_duration

    assert parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "mib"), [("512Mi", 512), ("1Gi", 1024), ("2G", 1907), (768, 768)])
def test_memory(text, mib):
    from blueprints.units import parse_memory

    assert parse_memory(text) == mib


@pytest.mark.parametrize("path", [*EXAMPLE_FILES, *INVALID], ids=lambda p: p.stem)
def test_libyaml_and_the_python_parser_give_the_same_document_and_positions(path: Path):
    import yaml

    from blueprints.yamldoc import compose_with as _compose_with

    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml")
    text = path.read_text()
    try:
        fast = _compose_with(yaml.CSafeLoader, text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            _compose_with(yaml.SafeLoader, text)
        return
    slow = _compose_with(yaml.SafeLoader, text)
    assert (fast.data, fast.values, fast.keys, fast.problems) == (slow.data, slow.values, slow.keys, slow.problems)

"""Property: whatever document `hld validate` gets, it answers 0 or 2, never a traceback,
and every problem line starts with FILE:LINE:COL."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hld.cli import app
from tests.helpers import EXAMPLE_FILES, PROPERTY_EXAMPLES

runner = CliRunner()
WORKDIR = Path(tempfile.mkdtemp(prefix="hld-property-"))
SEEDS = [yaml.safe_load(p.read_text()) for p in EXAMPLE_FILES]
PROBLEM_LINE = re.compile(r"^\S+:\d+:\d+: .+: .+")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["multi-region", "active", "eventual", "strong", "1h", "0", "us-east-1", "cache", "relational"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _mutate(doc, path, action, value):
    if not path:
        return value if action == "replace" else doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = value
    elif action == "insert" and isinstance(parent, dict):
        parent[f"{key}_x"] = value
    return doc


@st.composite
def documents(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200))  # raw text, often not YAML at all
    import copy

    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        try:
            doc = _mutate(doc, path, action, draw(values))
        except (KeyError, IndexError, TypeError):
            continue
    return yaml.safe_dump(doc, sort_keys=False)


@settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(documents())
def test_validate_answers_0_or_2_with_located_problems(text):
    path = WORKDIR / "doc.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line and not line.startswith("  Fix:")]
        assert lines[-1].endswith("problem(s) found.")
        for line in lines[:-1]:
            assert PROBLEM_LINE.match(line) and line.startswith(str(path)), line
    else:  # a valid document must also plan: 0 (targets met) or 1 (missed), never a crash
        planned = runner.invoke(app, ["plan", "--json", str(path)])
        assert planned.exception is None or isinstance(planned.exception, SystemExit), planned.exception
        assert planned.exit_code in (0, 1)


USER_FILES = {"README.md": "mine\n", ".git/HEAD": "ref: refs/heads/main\n", "sub/precious.txt": "keep"}


def _user_dir(root: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="user-", dir=root))
    for rel, text in USER_FILES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


@settings(
    max_examples=PROPERTY_EXAMPLES // 10 or 1,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(documents(), st.sampled_from(["kubernetes", "docs"]), st.sampled_from(["user", "new", "again"]))
def test_render_with_out_answers_0_1_or_2_and_never_deletes_a_user_file(text, target, where):
    path = WORKDIR / "doc.yaml"
    path.write_text(text)
    user = _user_dir(WORKDIR)
    out = user if where == "user" else Path(tempfile.mkdtemp(prefix="out-", dir=WORKDIR)) / "o"
    runs = 2 if where == "again" else 1
    for _ in range(runs):
        result = runner.invoke(app, ["render", str(path), "--target", target, "--out", str(out)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code in (0, 1, 2), result.output
    assert all((user / rel).read_text() == text for rel, text in USER_FILES.items())
    if where == "user":
        assert result.exit_code == 2


@settings(
    max_examples=PROPERTY_EXAMPLES // 60 or 1,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(documents())
def test_build_with_out_answers_0_1_or_2_and_never_deletes_a_user_file(text):
    path = WORKDIR / "doc.yaml"
    path.write_text(text)
    user = _user_dir(WORKDIR)
    result = runner.invoke(app, ["build", str(path), "--out", str(user)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert all((user / rel).read_text() == text for rel, text in USER_FILES.items())
    fresh = Path(tempfile.mkdtemp(prefix="out-", dir=WORKDIR)) / "o"
    result = runner.invoke(app, ["build", str(path), "--out", str(fresh)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 2), result.output

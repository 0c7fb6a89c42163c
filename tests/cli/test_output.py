"""`--out` never destroys a user's files: the one writer (hld.output) and every command that writes."""

from __future__ import annotations

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from hld.cli import app
from hld.output import MANIFEST, SEAL, OutputRefused, Tree, write_file, write_tree
from tests.helpers import EXAMPLES

runner = CliRunner()
SHOP = str(EXAMPLES / "e-commerce.yaml")
URL = str(EXAMPLES / "url-shortener.yaml")


def snapshot(folder):
    """Every path under `folder` with its bytes (folders as None)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), folder)] = None
        for f in files:
            path = os.path.join(root, f)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, folder)] = handle.read()
    return out


def a_checkout(tmp_path):
    """A directory as a user has it: a git folder and their own files."""
    repo = tmp_path / "repo"
    (repo / ".git" / "objects").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / "README.md").write_text("# my project\n")
    (repo / "sub").mkdir()
    (repo / "sub" / "precious.txt").write_text("do not lose me")
    return repo


COMMANDS = {
    "render kubernetes": ["render", URL],
    "render docs": ["render", URL, "--target", "docs"],
    "build": ["build", SHOP, "--stack", "e-commerce-prod"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_writing_command_refuses_a_directory_it_did_not_write(tmp_path, command):
    repo = a_checkout(tmp_path)
    before = snapshot(repo)
    result = runner.invoke(app, [*COMMANDS[command], "--out", str(repo)])
    assert result.exit_code == 2, result.output
    assert "hld did not write it" in result.stderr and ".git/" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(repo) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_schema_out_refuses_a_file_it_did_not_write(tmp_path):
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": true}\n')
    result = runner.invoke(app, ["schema", "--out", str(mine)])
    assert result.exit_code == 2 and "not a schema hld wrote" in result.stderr
    assert mine.read_text() == '{"mine": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json"]
    fresh = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "--out", str(fresh)]).exit_code == 0
    assert runner.invoke(app, ["schema", "--out", str(fresh)]).exit_code == 0  # its own file: replaced
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_schema_out_to_an_unwritable_place_is_bad_input(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("x")
    result = runner.invoke(app, ["schema", "--out", str(blocked / "schema.json")])
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("command", ["render kubernetes", "render docs"])
def test_out_naming_an_existing_file_leaves_it_alone(tmp_path, command):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    result = runner.invoke(app, [*COMMANDS[command], "--out", str(afile)])
    assert result.exit_code == 2 and "is a file, not a directory" in result.stderr
    assert afile.read_text() == "keep"
    assert [p.name for p in tmp_path.iterdir()] == ["afile"]


def test_render_replaces_its_own_output_and_nothing_else(tmp_path):
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", URL, "--out", str(out)]).exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["command"] == "render --target kubernetes" and "kind-cluster.yaml" in manifest["files"]
    assert runner.invoke(app, ["render", URL, "--out", str(out)]).exit_code == 0  # its own: replaced
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["render", URL, "--out", str(out)])
    assert result.exit_code == 2 and "notes.txt" in result.stderr and "files hld did not write" in result.stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_the_readme_order_keeps_every_output(tmp_path):
    """make demo builds out/x; rendering into out/x (or a folder of it) is refused, not a wipe."""
    out = tmp_path / "url"
    assert runner.invoke(app, ["render", URL, "--target", "docs", "--out", str(out / "docs")]).exit_code == 0
    before = snapshot(out)
    for target in (out, out / "docs"):
        result = runner.invoke(app, ["render", URL, "--out", str(target)])
        assert result.exit_code == 2, result.output
    assert "holds the output of `hld render --target docs`" in result.stderr
    inner = runner.invoke(app, ["render", URL, "--out", str(out / "docs" / "more")])
    assert inner.exit_code == 2 and "an output hld wrote" in inner.stderr
    assert snapshot(out) == before


def test_modes_are_0644_and_0755_and_credentials_0600(tmp_path):
    out = tmp_path / "a" / "b"
    old = os.umask(0o077)
    try:
        write_tree(
            out, Tree({"x.yaml": "x", "d/y.yaml": "y", "secrets/p.env": "k=v"}, frozenset({"secrets/p.env"})), "t"
        )
    finally:
        os.umask(old)
    modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in tmp_path.rglob("*")}
    assert modes["a"] == modes["a/b"] == modes["a/b/d"] == modes["a/b/secrets"] == 0o755
    assert modes["a/b/x.yaml"] == modes["a/b/d/y.yaml"] == modes[f"a/b/{MANIFEST}"] == 0o644
    assert modes["a/b/secrets/p.env"] == 0o600


def test_a_failed_replacement_leaves_the_previous_output_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "o"
    write_tree(out, Tree({"a.txt": "one", "gone/b.txt": "two"}), "t")
    before = snapshot(out)
    real = os.replace
    calls = []

    def flaky(src, dst, **kw):
        calls.append(dst)
        if len(calls) == 4:  # in the middle of moving the new files in (after the journal's rename)
            raise OSError(28, "No space left on device")
        return real(src, dst, **kw)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError):
        write_tree(out, Tree({"a.txt": "ONE", "c.txt": "three", "d/e.txt": "four"}), "t")
    monkeypatch.setattr(os, "replace", real)
    assert snapshot(out) == before
    write_tree(out, Tree({"a.txt": "ONE", "c.txt": "three"}), "t")  # stale files of the old manifest go
    assert sorted(snapshot(out)) == sorted(["a.txt", "c.txt", MANIFEST])


def test_interrupted_or_failed_writes_into_a_new_directory_leave_nothing(tmp_path, monkeypatch):
    out = tmp_path / "new" / "deep"

    def boom(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("hld.output._replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, Tree({"a.txt": "x"}), "t")
    assert list(tmp_path.iterdir()) == []


def test_a_forged_manifest_cannot_point_outside(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("mine")
    (out / MANIFEST).write_text(json.dumps({"files": ["../elsewhere", "mine.txt"]}))
    with pytest.raises(OutputRefused):
        write_tree(out, Tree({"a.txt": "x"}), "t")
    assert (out / "mine.txt").read_text() == "mine"


def test_write_file_refuses_a_directory_and_foreign_files(tmp_path):
    with pytest.raises(OutputRefused):
        write_file(tmp_path, f"x {SEAL}", "a schema")
    other = tmp_path / "o.json"
    other.write_text("theirs")
    with pytest.raises(OutputRefused):
        write_file(other, f"ours {SEAL}", "a schema")
    assert other.read_text() == "theirs"


def test_ctrl_c_during_a_write_stops_before_any_new_file_or_after_the_last(tmp_path, monkeypatch):
    import hld.output as output

    out = tmp_path / "o"
    write_tree(out, Tree({"a.txt": "one"}), "t")
    before = snapshot(out)
    real_fchmod = os.fchmod

    def ctrl_c_while_staging(fd, mode):
        output.interrupt_pending()  # as the command line's handler does during a write
        return real_fchmod(fd, mode)

    monkeypatch.setattr(os, "fchmod", ctrl_c_while_staging)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, Tree({"a.txt": "ONE", "b.txt": "two"}), "t")
    monkeypatch.setattr(os, "fchmod", real_fchmod)
    assert snapshot(out) == before  # stopped before anything moved: the previous output, whole

    real_replace = os.replace

    def ctrl_c_while_swapping(src, dst, **kw):
        output.interrupt_pending()
        return real_replace(src, dst, **kw)

    monkeypatch.setattr(os, "replace", ctrl_c_while_swapping)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, Tree({"a.txt": "ONE", "b.txt": "two"}), "t")
    monkeypatch.setattr(os, "replace", real_replace)
    assert snapshot(out)["a.txt"] == b"ONE" and snapshot(out)["b.txt"] == b"two"  # finished, then stopped
    assert output.WRITTEN[-1] == out


def test_an_output_of_another_system_is_not_replaced(tmp_path):
    """A render of e-commerce into url-shortener's render would drop its kept credentials."""
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", URL, "--out", str(out)]).exit_code == 0
    assert json.loads((out / MANIFEST).read_text())["system"] == "url-shortener"
    before = snapshot(out)
    result = runner.invoke(app, ["render", SHOP, "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith("hld: --out: ") and "for url-shortener, not e-commerce" in result.stderr
    assert "Fix: choose another --out (e.g. out/e-commerce)" in result.stderr
    assert snapshot(out) == before


def test_option_errors_name_the_option_not_a_place_in_the_blueprint(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    cases = {
        "--out": ["render", URL, "--out", str(afile)],
        "--https-port": ["render", URL, "--out", str(tmp_path / "o"), "--http-port", "8080", "--https-port", "8080"],
        "--stack": ["synth", URL, "--stack", "no-such-stack"],
        "--lost": ["explain", URL, "--what-if", "zone-loss", "--lost", "moon-1a"],
    }
    for option, args in cases.items():
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (option, result.output)
        first, fix = result.stderr.splitlines()[:2]
        assert first.startswith(f"hld: {option}: ") and ":1:1:" not in first, first
        assert fix.startswith("  Fix: ") and len(fix) > len("  Fix: "), (option, fix)

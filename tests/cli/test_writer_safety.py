"""The writer under attack and under faults: planted manifests, links, kill -9 at every step of a
replacement, SIGTERM, concurrent runs (hld.output's promises)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hld.output as output
from hld.cli import app
from hld.output import MANIFEST, WORK, OutputRefused, Tree, read_owned, write_tree
from tests.cli.test_output import snapshot
from tests.helpers import EXAMPLES, ROOT

runner = CliRunner()
URL = str(EXAMPLES / "url-shortener.yaml")

PREVIOUS = Tree(
    {".gitignore": "secrets/\n", "secrets/db.env": "p=1\n", "a.txt": "A1", "gone/b.txt": "B", "keep/k.txt": "K"},
    frozenset({"secrets/db.env"}),
)
NEW = Tree(
    {
        ".gitignore": "secrets/\n# 2\n",
        "secrets/db.env": "p=1\n",
        "secrets/new.env": "q=2\n",
        "a.txt": "A2",
        "c/d.txt": "D",
        "keep/k.txt": "K2",
    },
    frozenset({"secrets/db.env", "secrets/new.env"}),
)
THIRD = Tree({"only.txt": "3"})


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def plant(folder: Path, files: dict[str, str], command: str = "t") -> None:
    """A manifest as an attacker (or a careless hand) writes it: listing `files` with digests."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(json.dumps({"command": command, "files": files}))


def contents(out: Path) -> dict[str, bytes | None]:
    """What the output holds, hld's work folder left out."""
    return {k: v for k, v in snapshot(out).items() if k != WORK and not k.startswith(WORK + "/")}


def files_of(tree: Tree) -> dict[str, bytes]:
    return {k: v.encode() for k, v in tree.files.items()}


def is_whole(out: Path, tree: Tree) -> bool:
    """`out` holds exactly `tree` and its manifest."""
    now = {k: v for k, v in contents(out).items() if v is not None and k != MANIFEST}
    manifest = json.loads((out / MANIFEST).read_text())
    return now == files_of(tree) and manifest["files"] == {k: sha(v) for k, v in tree.files.items()}


# --- ownership is proven, not trusted -----------------------------------------------------------


def test_a_planted_manifest_without_digests_deletes_nothing(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "thesis.md").write_text("three years of work")
    (out / MANIFEST).write_text(json.dumps({"command": "render --target kubernetes", "files": ["thesis.md"]}))
    result = runner.invoke(app, ["render", URL, "--out", str(out)])
    assert result.exit_code == 2 and "without their digests" in result.stderr, result.output
    assert (out / "thesis.md").read_text() == "three years of work"


def test_a_listed_file_whose_content_changed_is_not_replaced(tmp_path):
    out = tmp_path / "o"
    write_tree(out, PREVIOUS, "t")
    (out / "a.txt").write_text("my edit")
    with pytest.raises(OutputRefused, match=r"changed since hld wrote them \(a\.txt\)"):
        write_tree(out, NEW, "t")
    assert (out / "a.txt").read_text() == "my edit" and (out / "gone" / "b.txt").read_text() == "B"


def test_a_manifest_cannot_reach_through_a_link_outside_out(tmp_path):
    """A clone with `out/x/k -> ~/.ssh` and a manifest listing `k/id_ed25519` (its digest right)."""
    ssh = tmp_path / "home" / ".ssh"
    ssh.mkdir(parents=True)
    (ssh / "id_ed25519").write_text("KEY")
    out = tmp_path / "out" / "x"
    plant(out, {"k/id_ed25519": sha("KEY")}, "render --target kubernetes")
    (out / "k").symlink_to(ssh)
    result = runner.invoke(app, ["render", URL, "--out", str(out)])
    assert result.exit_code == 2 and "symbolic links" in result.stderr, result.output
    assert (ssh / "id_ed25519").read_text() == "KEY" and sorted(p.name for p in ssh.iterdir()) == ["id_ed25519"]


@pytest.mark.parametrize("folder", ["addons", "secrets"])
def test_a_folder_of_an_earlier_output_replaced_by_a_link_is_not_written_through(tmp_path, folder):
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", URL, "--out", str(out)]).exit_code == 0
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "kustomization.yaml").write_text("my own\n")
    os.rename(out / folder, tmp_path / "moved")
    (out / folder).symlink_to(mine)
    result = runner.invoke(app, ["render", URL, "--out", str(out)])
    assert result.exit_code == 2 and "symbolic links" in result.stderr, result.output
    assert snapshot(mine) == {"kustomization.yaml": b"my own\n"}


def test_a_link_swapped_in_while_hld_runs_is_not_followed(tmp_path, monkeypatch):
    """Checked at the moment of each operation, not only before: a folder replaced by a link
    between the check and the move makes the move fail; nothing reaches the link's target."""
    out = tmp_path / "o"
    write_tree(out, PREVIOUS, "t")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = output._forward

    def swap_then_forward(root, work, journal):
        os.rename(out / "keep", tmp_path / "keep-moved")
        (out / "keep").symlink_to(elsewhere)
        return real(root, work, journal)

    monkeypatch.setattr(output, "_forward", swap_then_forward)
    with pytest.raises(OutputRefused, match="symbolic link"):
        write_tree(out, NEW, "t")
    assert list(elsewhere.iterdir()) == []


def test_read_owned_gives_only_unchanged_files_and_never_follows_a_link(tmp_path):
    out = tmp_path / "o"
    write_tree(out, PREVIOUS, "t")
    assert read_owned(out, "secrets/") == {"secrets/db.env": "p=1\n"}
    (out / "secrets" / "db.env").write_text("p=edited\n")
    assert read_owned(out, "secrets/") == {}
    (out / "secrets" / "db.env").unlink()
    (tmp_path / "target.env").write_text("p=1\n")
    (out / "secrets" / "db.env").symlink_to(tmp_path / "target.env")
    assert read_owned(out, "secrets/") == {}


def test_schema_out_refuses_an_edited_schema_that_kept_its_id(tmp_path):
    schema = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "--out", str(schema)]).exit_code == 0
    doc = json.loads(schema.read_text())
    doc["title"] = "my edited schema"
    schema.write_text(json.dumps(doc))
    result = runner.invoke(app, ["schema", "--out", str(schema)])
    assert result.exit_code == 2 and "edited since hld wrote it" in result.stderr
    assert json.loads(schema.read_text())["title"] == "my edited schema"
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")
    assert runner.invoke(app, ["schema", "--out", str(link)]).exit_code == 2
    assert not (tmp_path / "target.json").exists()


# --- kill -9 at every step ----------------------------------------------------------------------


COUNTED = ("replace", "unlink", "rmdir", "mkdir", "open", "write", "fchmod", "rename")


def killed_at(step: int, out: Path, tree: Tree) -> bool:
    """Write `tree` into `out` in a child process that kills itself (SIGKILL) at its `step`-th file
    system call; True when it was killed, False when the write finished first."""
    pid = os.fork()
    if pid == 0:  # the child: count each call, die at `step`
        count = [0]

        def counting(real):
            def call(*a, **k):
                count[0] += 1
                if count[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return real(*a, **k)

            return call

        for name in COUNTED:
            setattr(os, name, counting(getattr(os, name)))
        try:
            write_tree(out, tree, "t")
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def assert_safe_at_this_instant(out: Path, before: Tree, after: Tree) -> None:
    """Whatever a stop left: every file is its previous or its new version, and credentials never
    stand without their .gitignore."""
    now = contents(out)
    for rel, data in now.items():
        if data is None or rel == MANIFEST:
            continue
        assert data in (files_of(before).get(rel), files_of(after).get(rel)), rel
    if any(rel.startswith("secrets/") and data is not None for rel, data in now.items()):
        assert ".gitignore" in now
    staged = [p for p in (out / WORK).rglob("*") if p.is_file() and p.name != ".gitignore"]
    if staged:  # hld's work folder, with copies of credentials, is git-ignored whole
        assert (out / WORK / ".gitignore").read_text().splitlines()[-1] == "*"


def test_kill_9_at_every_step_of_a_replacement_is_recovered_by_the_next_run(tmp_path, capfd):
    beside = tmp_path / "beside.txt"
    beside.write_text("untouched")
    kills = 0
    for step in range(1, 400):
        out = tmp_path / f"o{step}"
        write_tree(out, PREVIOUS, "t")
        if not killed_at(step, out, NEW):
            assert is_whole(out, NEW)
            break
        kills += 1
        assert_safe_at_this_instant(out, PREVIOUS, NEW)
        assert read_owned(out, "secrets/")  # the next run: recovers first, then reads the kept credentials
        assert not (out / WORK).exists()
        assert is_whole(out, PREVIOUS) or is_whole(out, NEW), step
        write_tree(out, THIRD, "t")
        assert is_whole(out, THIRD)
    else:
        pytest.fail("the write never finished")
    assert kills > 30  # every step of staging, the commit and the moves was a kill point
    assert beside.read_text() == "untouched" and sorted(p.name for p in tmp_path.iterdir())[0] == "beside.txt"
    assert "an earlier run stopped while replacing this output" in capfd.readouterr().err


def test_kill_9_after_a_random_delay_while_writing_over_and_over(tmp_path):
    """The timed harness: a child replaces the output again and again; killed after N ms, for many N."""
    out = tmp_path / "o"
    write_tree(out, PREVIOUS, "t")
    for delay_ms in range(1, 60, 3):
        pid = os.fork()
        if pid == 0:
            try:
                while True:
                    write_tree(out, NEW, "t")
                    write_tree(out, PREVIOUS, "t")
            finally:
                os._exit(1)
        time.sleep(delay_ms / 1000)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert_safe_at_this_instant(out, PREVIOUS, NEW)
        read_owned(out)
        assert is_whole(out, PREVIOUS) or is_whole(out, NEW), delay_ms


# --- SIGTERM and SIGHUP as Ctrl-C, one writer at a time -----------------------------------------

CHILD = """
import os, signal, sys, time
sys.path.insert(0, {root!r})
from hld.output import Tree, write_tree
from hld.terminal import install_stop_handlers, stopped_code
install_stop_handlers()
a = Tree({{"a.txt": "A" * 200000, "secrets/x.env": "k=v", ".gitignore": "secrets/"}})
b = Tree({{"a.txt": "B" * 200000, "b.txt": "b", ".gitignore": "secrets/"}})
print("ready", flush=True)
try:
    while True:
        write_tree({out!r}, a, "t")
        write_tree({out!r}, b, "t")
except KeyboardInterrupt:
    os._exit(stopped_code())
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_between_whole_outputs(tmp_path, signum):
    out = tmp_path / "o"
    for delay in (0.05, 0.13, 0.31):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD.format(root=str(ROOT), out=str(out))], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(delay)
        child.send_signal(signum)
        assert child.wait(timeout=30) == 128 + signum
        assert not (out / WORK).exists()  # no recovery needed: the stop waited for a whole output
        manifest = json.loads((out / MANIFEST).read_text())
        assert {k: sha((out / k).read_text()) for k in manifest["files"]} == manifest["files"]


def test_a_command_stopped_by_sigterm_says_so_and_exits_143(tmp_path):
    child = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "hld"), "synth", URL], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(1.0)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 143 and "stopped by SIGTERM: nothing was written" in err and "Traceback" not in err


def test_a_second_writer_waits_for_the_first(tmp_path):
    out = tmp_path / "o"
    write_tree(out, PREVIOUS, "t")
    held = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a first run holds it
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        sys.stderr = os.fdopen(write_end, "w")  # the message, wherever the test runner put stderr
        try:
            write_tree(out, NEW, "t")
        finally:
            os._exit(0)
    os.close(write_end)
    time.sleep(0.3)
    assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still waiting
    assert is_whole(out, PREVIOUS)
    fcntl.flock(held, fcntl.LOCK_UN)
    os.close(held)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0 and is_whole(out, NEW)
    assert f"waiting for another hld that is writing {out}" in os.read(read_end, 4096).decode()


def test_concurrent_runs_each_write_a_whole_output(tmp_path):
    out = tmp_path / "o"
    children = []
    for tree in (PREVIOUS, NEW):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
                for _ in range(25):
                    write_tree(out, tree, "t")
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    assert [os.WEXITSTATUS(os.waitpid(pid, 0)[1]) for pid in children] == [0, 0]
    assert is_whole(out, PREVIOUS) or is_whole(out, NEW)
    assert not (out / WORK).exists()


# --- the command line keeps its exit code through a closed pipe ---------------------------------


def test_a_closed_pipe_never_changes_the_exit_code():
    """`hld validate bad.yaml 2>&1 | head -c 1`: exit 2 every time (a BrokenPipeError on standard
    error ended it with click's exit 1 in some runs)."""
    bad = ROOT / "tests" / "data" / "invalid" / "references.yaml"
    hld = ROOT / ".venv" / "bin" / "hld"
    codes = set()
    for _ in range(12):
        done = subprocess.run(
            ["bash", "-c", f"{hld} validate {bad} 2>&1 | head -c 1 > /dev/null; echo ${{PIPESTATUS[0]}}"],
            capture_output=True,
            text=True,
            check=True,
        )
        codes.add(done.stdout.strip())
    assert codes == {"2"}


def test_a_render_after_a_stopped_render_keeps_its_credentials(tmp_path):
    """The next run recovers hld's own work folder itself (it was refused as files hld did not
    write), and the credentials the cluster already uses are kept, not generated anew."""
    out = tmp_path / "kind"
    assert runner.invoke(app, ["render", URL, "--out", str(out)]).exit_code == 0
    kept = {p.name: p.read_text() for p in (out / "secrets").iterdir()}
    assert kept
    (out / WORK / "new" / "secrets").mkdir(parents=True)  # a run stopped while staging
    (out / WORK / ".gitignore").write_text("*\n")
    (out / WORK / "new" / "secrets" / "x.env").write_text("PASSWORD=half")
    result = runner.invoke(app, ["render", URL, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "an earlier run stopped while replacing this output" in result.stderr
    assert {p.name: p.read_text() for p in (out / "secrets").iterdir()} == kept
    assert not (out / WORK).exists()


def test_a_project_hld_new_wrote_holds_other_outputs_and_a_render_output_does_not(tmp_path):
    project = tmp_path / "shop"
    assert runner.invoke(app, ["new", str(project)]).exit_code == 0
    docs = project / "out" / "docs"
    result = runner.invoke(
        app, ["render", str(EXAMPLES / "url-shortener.yaml"), "--target", "docs", "--out", str(docs)]
    )
    assert result.exit_code == 0, result.output
    inside = docs / "more"
    result = runner.invoke(
        app, ["render", str(EXAMPLES / "url-shortener.yaml"), "--target", "docs", "--out", str(inside)]
    )
    assert result.exit_code == 2 and "an output hld wrote" in result.output
    # the project's own rewrite still refuses what it did not write
    result = runner.invoke(app, ["new", str(project)])
    assert result.exit_code == 2 and "out" in result.output
    assert (docs / "HLD.md").is_file()

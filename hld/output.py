"""The one writer of hld's outputs: a directory tree (`render`, `build`) or a single file (`schema`).

What it promises:

- It writes into a directory that is absent, empty, or one that hld itself wrote: such a
  directory holds a manifest (`.hld-manifest`, JSON: the files hld wrote there). Anything else
  is refused with `OutputRefused`, which names what is there and how to proceed. A file hld
  did not write is never deleted or overwritten, with any flag.
- Replacing an earlier output is all or nothing: the new files are staged inside the
  directory, then moved into place; the files of the previous manifest that the new output
  no longer has are removed last. A failure (or Ctrl-C) at any step puts the previous output
  back as it was, and removes every file and folder the run created.
- Files are 0644 and folders 0755 whatever the umask; private files (generated credentials)
  are 0600.

The manifest has no `.json`/`.yaml` extension, so `kubectl apply -f DIR` does not read it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hld import __version__

MANIFEST = ".hld-manifest"
FILE_MODE = 0o644
PRIVATE_MODE = 0o600
DIR_MODE = 0o755
_STAGING = ".hld-staging-"
_PREVIOUS = ".hld-previous-"
_SHOWN = 5
"""How many foreign entries a refusal names before it says `and N more`."""


WRITTEN: list[Path] = []
"""Outputs this process has written completely (what an interrupted command reports)."""


class _Interrupts:
    """While an output is being swapped in, Ctrl-C is held until a point where stopping leaves the
    previous output whole: before the first new file moves in, it undoes everything; after that,
    the swap finishes first."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False

    def check(self) -> None:
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


INTERRUPTS = _Interrupts()


def interrupt_pending() -> bool:
    """Called by the command line's Ctrl-C handler: True when a write is in progress and will stop
    (or finish) on its own; the handler then lets it."""
    if INTERRUPTS.depth:
        INTERRUPTS.pending = True
        return True
    return False


class OutputRefused(Exception):
    """hld will not write there: the message says what is there, the fix how to proceed (exit 2)."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class Tree:
    """A command's output: relative POSIX path -> text, and which paths are private (0600)."""

    files: dict[str, str]
    private: frozenset[str] = frozenset()

    def under(self, folder: str) -> Tree:
        """The same files one folder down (`build` puts each target in its own folder)."""
        return Tree(
            {f"{folder}/{k}": v for k, v in self.files.items()}, frozenset(f"{folder}/{k}" for k in self.private)
        )

    def __or__(self, other: Tree) -> Tree:
        return Tree(self.files | other.files, self.private | other.private)


def write_tree(out: Path, tree: Tree, command: str, system: str | None = None) -> list[str]:
    """Write `tree` as the content of `out` (see the module's promises); returns the paths written.
    `system` names the blueprint's system: an earlier output of another system is not replaced."""
    for rel in tree.files:
        _check_relative(rel)
    out = Path(os.path.abspath(out))
    previous = _previous_files(out, command, system)
    INTERRUPTS.depth += 1
    try:
        _write(out, previous, tree, command, system)
    finally:
        INTERRUPTS.depth -= 1
    WRITTEN.append(out)
    INTERRUPTS.check()  # a Ctrl-C during the swap's last steps: the output is whole, now stop
    return sorted(tree.files)


def _write(out: Path, previous: list[str], tree: Tree, command: str, system: str | None) -> None:
    created_parents = _make_parents(out.parent)
    created_out = False
    try:
        if not out.exists():
            out.mkdir(mode=DIR_MODE)
            os.chmod(out, DIR_MODE)
            created_out = True
        _swap(out, previous, tree, command, system)
    except BaseException:
        if created_out:
            shutil.rmtree(out, ignore_errors=True)
        for parent in reversed(created_parents):
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise


def write_file(path: Path, text: str, owned: Callable[[str], bool], what: str) -> None:
    """Write one file atomically. An existing file is replaced only when `owned(its text)` says
    hld wrote it (`what` names the kind of file in the refusal)."""
    path = Path(os.path.abspath(path))
    if path.is_dir():
        raise OutputRefused(f"{path} is a directory", f"pass a file path (e.g. {path}/{what.replace(' ', '-')}.json)")
    if path.exists() or path.is_symlink():
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current is None or not owned(current):
            raise OutputRefused(
                f"{path} exists and is not {what} hld wrote; hld does not overwrite files it did not write",
                "choose another path, or move that file away first",
            )
    created = _make_parents(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        for parent in reversed(created):
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise


# --- what is there ------------------------------------------------------------------------------


def _check_relative(rel: str) -> None:
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or any(p in ("", ".", "..") for p in parts) or rel == MANIFEST:
        raise ValueError(f"an output path must be relative and plain: {rel!r}")


def read_manifest(folder: Path) -> list[str] | None:
    """The files hld wrote into `folder`, or None when it holds no (readable) manifest."""
    data = _manifest(folder)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    try:
        for rel in files:
            _check_relative(rel)
    except ValueError:
        return None
    return files


def _manifest(folder: Path) -> Any:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _entries(folder: Path) -> list[str]:
    """Every file and folder under `folder`, relative, folders with a trailing slash."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel_root = os.path.relpath(root, folder)
        prefix = "" if rel_root == "." else rel_root.replace(os.sep, "/") + "/"
        out += [prefix + d + "/" for d in dirs]
        out += [prefix + f for f in files]
    return sorted(out)


def _describe(entries: list[str]) -> str:
    tops = sorted({e.split("/", 1)[0] + ("/" if "/" in e else "") for e in entries})
    shown = ", ".join(tops[:_SHOWN])
    return shown + (f" and {len(tops) - _SHOWN} more" if len(tops) > _SHOWN else "")


def _owner(out: Path) -> Path | None:
    """The nearest folder above `out` that holds an output hld wrote."""
    for folder in out.parents:
        if read_manifest(folder) is not None:
            return folder
    return None


def _previous_files(out: Path, command: str, system: str | None = None) -> list[str]:
    """The files of hld's earlier output in `out` (empty when `out` is absent or empty);
    refuses anything else, before anything is created."""
    if out.is_symlink() and not out.exists():
        raise OutputRefused(f"{out} is a broken symbolic link", "pass a directory path")
    if out.exists() and not out.is_dir():
        raise OutputRefused(
            f"{out} is a file, not a directory; hld {command} writes a directory of files",
            "pass a directory path that does not exist yet (it is created) or an empty one",
        )
    if not out.exists():
        owner = _owner(out)
        if owner is not None:
            raise OutputRefused(
                f"{out} is inside {owner}, an output hld wrote",
                f"write elsewhere (e.g. beside {owner}), or rerun the command that wrote {owner}",
            )
        return []
    entries = _entries(out)
    if not entries:
        return []
    files = read_manifest(out)
    if files is None:
        owner = _owner(out)
        if owner is not None:
            raise OutputRefused(
                f"{out} is part of the output hld wrote to {owner}",
                f"rerun the command that wrote {owner}, or choose another --out",
            )
        raise OutputRefused(
            f"{out} is not empty and hld did not write it (it holds {_describe(entries)}); hld writes only into "
            "a new or empty directory, or over its own earlier output",
            "choose a new directory (e.g. --out out/<system>)",
        )
    earlier = str(_manifest(out).get("command", ""))
    if earlier != command:
        raise OutputRefused(
            f"{out} holds the output of `hld {earlier}`; `hld {command}` replaces only its own kind of output",
            "choose another --out",
        )
    earlier_system = _manifest(out).get("system")
    if system is not None and earlier_system is not None and earlier_system != system:
        raise OutputRefused(
            f"{out} holds the output of `hld {command}` for {earlier_system}, not {system}; replacing it "
            f"would drop {earlier_system}'s files (its kept credentials among them)",
            f"choose another --out (e.g. out/{system}), or remove {out} first",
        )
    ours = set(files) | {MANIFEST}
    ours |= {"/".join(f.split("/")[:i]) + "/" for f in files for i in range(1, f.count("/") + 1)}
    foreign = [e for e in entries if e not in ours]
    if foreign:
        raise OutputRefused(
            f"{out} holds hld's earlier output and also files hld did not write ({_describe(foreign)}); "
            "hld replaces only its own output and never deletes other files",
            f"move those files out of {out}, or choose another --out",
        )
    return files


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents (0755); returns the ones created, outermost first."""
    missing = []
    for p in [folder, *folder.parents]:
        if p.exists():
            break
        missing.append(p)
    created = []
    try:
        for p in reversed(missing):
            p.mkdir(mode=DIR_MODE)
            os.chmod(p, DIR_MODE)
            created.append(p)
    except BaseException:
        for p in reversed(created):
            with contextlib.suppress(OSError):
                p.rmdir()
        raise
    return created


# --- the swap -----------------------------------------------------------------------------------


def _swap(out: Path, previous: list[str], tree: Tree, command: str, system: str | None) -> None:
    """Stage the new tree inside `out`, move the previous files aside, move the new ones in,
    write the manifest, then drop what was set aside. Undone completely on any failure."""
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
    aside = Path(tempfile.mkdtemp(prefix=_PREVIOUS, dir=out))
    moved_aside: list[str] = []
    moved_in: list[str] = []
    made_dirs: list[Path] = []
    manifest_replaced = False
    old_manifest = aside / MANIFEST
    try:
        for rel, text in sorted(tree.files.items()):
            target = staging / rel
            _ensure_dir(target.parent, staging, [])
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.chmod(target, PRIVATE_MODE if rel in tree.private else FILE_MODE)
        manifest = {"written_by": f"hld {__version__}", "command": command, "files": sorted(tree.files)}
        if system is not None:
            manifest["system"] = system
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.chmod(staging / MANIFEST, FILE_MODE)
        INTERRUPTS.check()  # the last point where stopping needs no undo of moved files
        for rel in previous:
            source = out / rel
            if source.is_file() or source.is_symlink():
                _ensure_dir((aside / rel).parent, aside, [])
                os.replace(source, aside / rel)
                moved_aside.append(rel)
        for rel in sorted(tree.files):
            _ensure_dir((out / rel).parent, out, made_dirs)
            os.replace(staging / rel, out / rel)
            moved_in.append(rel)
        if (out / MANIFEST).exists():
            os.replace(out / MANIFEST, old_manifest)
        manifest_replaced = True
        os.replace(staging / MANIFEST, out / MANIFEST)
    except BaseException:
        for rel in reversed(moved_in):
            with contextlib.suppress(OSError):
                (out / rel).unlink()
        if manifest_replaced and old_manifest.exists():
            with contextlib.suppress(OSError):
                os.replace(old_manifest, out / MANIFEST)
        for rel in reversed(moved_aside):
            with contextlib.suppress(OSError):
                _ensure_dir((out / rel).parent, out, [])
                os.replace(aside / rel, out / rel)
        for folder in sorted(made_dirs, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(aside, ignore_errors=True)
    _prune_empty(out, previous, set(tree.files))


def _ensure_dir(folder: Path, root: Path, made: list[Path]) -> None:
    missing = []
    for p in [folder, *folder.parents]:
        if p == root or p.exists():
            break
        missing.append(p)
    for p in reversed(missing):
        p.mkdir(mode=DIR_MODE)
        os.chmod(p, DIR_MODE)
        made.append(p)


def _prune_empty(out: Path, previous: list[str], current: set[str]) -> None:
    """Folders of the previous output that no file of the new one uses, if empty."""
    folders = {
        "/".join(rel.split("/")[:i]) for rel in previous if rel not in current for i in range(1, rel.count("/") + 1)
    }
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (out / folder).rmdir()

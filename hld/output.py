"""The one writer of hld's outputs: a directory tree (`render`, `build`) or a single file (`schema
--out`, `synth --terraform-plan`).

What it promises, and how each promise is kept:

- **Only its own files.** A directory hld writes holds a manifest (`.hld-manifest`, JSON: the
  command, the system, and every file hld wrote there with its SHA-256). A file is replaced or
  deleted only when its content still has the digest the manifest records, read at that moment;
  a file the manifest does not list, one whose content changed, a symbolic link, or anything
  that is not a plain file or folder refuses the whole write (`OutputRefused`, naming them),
  before anything is touched. A manifest without digests (an older hld's) proves nothing and is
  refused too. A single file is replaced only when it carries a seal (`hld-sha256:<digest>`)
  that its own content matches: an edited file is not hld's any more.
- **Never through a link, never outside `--out`.** `--out` itself is resolved as the user gave
  it; everything below it is reached one component at a time from an open directory with
  `O_NOFOLLOW` (`openat`-style calls: `dir_fd=`), so a link planted anywhere below, or swapped in
  while hld runs, makes the call fail instead of being followed. `rename(2)` and `unlink(2)` act
  on a link itself, never on what it points at.
- **Recoverable at every instant** (kill -9 included). The new files are staged in hld's work
  folder inside the output (`.hld-txn/`, git-ignored by a `.gitignore` of its own), together
  with a copy of every previous file. Writing the journal (`.hld-txn/journal`, by an atomic
  rename) is the commit point: before it, the output is untouched and a stop only leaves the
  work folder; after it, every step is an atomic rename or unlink that the next run can finish
  (roll forward, or roll back after a failed step) by comparing digests, so the next run finds
  the previous output intact or the new one complete, and clears the work folder itself.
  `.gitignore` files go in first and out last, so kept credentials are never in a folder
  without the `.gitignore` that keeps them out of git.
- **One writer at a time.** The output folder is locked (`flock`) from the ownership check to
  the last rename; a second run waits for the first, and says so.
- Files are 0644 and folders 0755 whatever the umask; private files (generated credentials)
  are 0600; the work folder is 0700.

Durability against power loss (fsync) is not promised: a stop of the process is.

The manifest has no `.json`/`.yaml` extension, so `kubectl apply -f DIR` does not read it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hld import __version__

MANIFEST = ".hld-manifest"
WORK = ".hld-txn"
"""hld's work folder inside an output while it is replaced (and after a stop, until the next run)."""
FILE_MODE = 0o644
PRIVATE_MODE = 0o600
DIR_MODE = 0o755
WORK_MODE = 0o700
_SHOWN = 5
"""How many entries a refusal names before it says `and N more`."""
_JOURNAL = "journal"
_WORK_ENTRIES = frozenset({"new", "old", _JOURNAL, f"{_JOURNAL}.tmp", ".gitignore"})
"""All the work folder ever holds at its top: anything else there is not hld's."""
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
SEAL = "hld-sha256:" + "0" * 64
"""The placeholder a single-file output carries; `write_file` fills in the file's own digest."""
_SEALED = re.compile(r"hld-sha256:([0-9a-f]{64})")
_HEX64 = re.compile(r"[0-9a-f]{64}")


WRITTEN: list[Path] = []
"""Outputs this process has written completely (what an interrupted command reports)."""


class _Interrupts:
    """While an output is being replaced, Ctrl-C (and SIGTERM, SIGHUP) is held until a point where
    stopping leaves an output whole: before the commit point it undoes everything; after it, the
    replacement finishes first."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False

    def check(self) -> None:
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


INTERRUPTS = _Interrupts()


def interrupt_pending() -> bool:
    """Called by the command line's signal handler: True when a write is in progress and will stop
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


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the public calls ---------------------------------------------------------------------------


def write_tree(out: Path, tree: Tree, command: str, system: str | None = None) -> list[str]:
    """Write `tree` as the content of `out` (see the module's promises); returns the paths written.
    `system` names the blueprint's system: an earlier output of another system is not replaced."""
    for rel in tree.files:
        _check_relative(rel)
    out = Path(os.path.abspath(out))
    new = {rel: text.encode("utf-8") for rel, text in tree.files.items()}
    manifest: dict[str, Any] = {"written_by": f"hld {__version__}", "command": command}
    if system is not None:
        manifest["system"] = system
    manifest["files"] = {rel: digest(data) for rel, data in sorted(new.items())}
    INTERRUPTS.depth += 1
    try:
        with _locked(out, create=True) as root:
            _recover(root.fd, out)
            previous, old_manifest = _previous(root.fd, out, command, system)
            _replace(root, previous, old_manifest, new, tree.private, manifest)
    finally:
        INTERRUPTS.depth -= 1
    WRITTEN.append(out)
    INTERRUPTS.check()  # a stop during the replacement's last steps: the output is whole, now stop
    return sorted(tree.files)


def read_owned(folder: Path, prefix: str = "") -> dict[str, str]:
    """The files under `prefix` of hld's earlier output in `folder` whose content is still what hld
    wrote (what a render keeps: its credentials). An interrupted replacement there is finished
    first; a folder that is not hld's output gives nothing."""
    folder = Path(os.path.abspath(folder))
    if not folder.is_dir():
        return {}
    with _locked(folder, create=False) as root:
        try:
            _recover(root.fd, folder)
        except OutputRefused:
            return {}
        data = _json(_read(root.fd, MANIFEST))
        files = _listed(data)
        out = {}
        for rel, want in (files or {}).items():
            if not rel.startswith(prefix):
                continue
            with contextlib.suppress(OSError, _NotPlain):
                content = _read(root.fd, rel)
                if content is not None and digest(content) == want:
                    out[rel] = content.decode("utf-8", "replace")
        return out


def read_manifest(folder: Path) -> list[str] | None:
    """The files hld wrote into `folder`, or None when it holds no (readable) manifest."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    names = list(files) if isinstance(files, dict | list) else None
    if names is None or not all(isinstance(f, str) for f in names):
        return None
    try:
        for rel in names:
            _check_relative(rel)
    except ValueError:
        return None
    return names


def seal(text: str) -> str:
    """`text` (which holds `SEAL` once) with its own digest in place of the placeholder."""
    if text.count(SEAL) != 1:
        raise ValueError("a sealed output holds the seal's placeholder exactly once")
    return text.replace(SEAL, "hld-sha256:" + digest(text.encode("utf-8")))


def sealed(text: str) -> bool:
    """True when `text` carries a seal that its own content matches (hld wrote it, unedited)."""
    found = _SEALED.search(text)
    if found is None:
        return False
    blank = text[: found.start(1)] + "0" * 64 + text[found.end(1) :]
    return digest(blank.encode("utf-8")) == found.group(1)


def write_file(path: Path, text: str, what: str) -> None:
    """Write one file atomically, sealed (`text` holds `SEAL`). An existing file is replaced only
    when it is a plain file whose seal its content matches (`what` names the kind of file)."""
    content = seal(text).encode("utf-8")
    path = Path(os.path.abspath(path))
    if path.is_dir() and not path.is_symlink():
        raise OutputRefused(f"{path} is a directory", f"pass a file path (e.g. {path}/{what.replace(' ', '-')}.json)")
    created = _make_parents(path.parent)
    try:
        parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except BaseException:
        _remove_made(created)
        raise
    tmp = f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        try:
            current = _read(parent, path.name)
        except _NotPlain:
            raise OutputRefused(
                f"{path} is a symbolic link or not a plain file; hld writes only plain files it wrote",
                "choose another path, or move it away first",
            ) from None
        if current is not None:
            text_now = current.decode("utf-8", "replace")
            if not sealed(text_now):
                edited = _SEALED.search(text_now) is not None
                raise OutputRefused(
                    f"{path} exists and is not {what} hld wrote"
                    + ("; it was edited since hld wrote it" if edited else "")
                    + "; hld does not overwrite files it did not write",
                    "choose another path, or move that file away first",
                )
        _create(parent, tmp, content, FILE_MODE)
        os.replace(tmp, path.name, src_dir_fd=parent, dst_dir_fd=parent)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=parent)
        os.close(parent)
        _remove_made(created)
        raise
    os.close(parent)


# --- what is there ------------------------------------------------------------------------------


class _NotPlain(OutputRefused):
    """A path hld would read or replace is a link, or not a plain file or folder."""

    def __init__(self, rel: str) -> None:
        super().__init__(
            f"{rel} is a symbolic link or not a plain file or folder; hld never writes or deletes through a link",
            "remove it (hld did not make it), then rerun",
        )


def _check_relative(rel: str) -> None:
    parts = PurePosixPath(rel).parts
    if (
        not parts
        or rel.startswith("/")
        or "\\" in rel
        or "\0" in rel
        or any(p in ("", ".", "..") for p in parts)
        or rel == MANIFEST
        or parts[0] == WORK
    ):
        raise ValueError(f"an output path must be relative and plain: {rel!r}")


def _listed(data: Any) -> dict[str, str] | None:
    """A manifest's files with their digests, or None when it is not one hld can rely on."""
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    for rel, want in files.items():
        if not isinstance(rel, str) or not isinstance(want, str) or not _HEX64.fullmatch(want):
            return None
        try:
            _check_relative(rel)
        except ValueError:
            return None
    return files


def _json(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def _parts(rel: str) -> list[str]:
    return rel.split("/")


def _open_dir(fd: int, name: str) -> int:
    """The folder `name` in `fd`, never through a link (ELOOP/ENOTDIR become _NotPlain)."""
    try:
        return os.open(name, _DIR, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _NotPlain(name) from None
        raise


@contextlib.contextmanager
def _folder_of(root: int, rel: str, make: bool = False) -> Iterator[tuple[int, str]]:
    """The open folder holding `rel` (and its last component), walked from `root` one component at
    a time without following links; with `make`, missing folders are created (0755)."""
    fds: list[int] = []
    fd = root
    try:
        for name in _parts(rel)[:-1]:
            try:
                fd = _open_dir(fd, name)
            except FileNotFoundError:
                if not make:
                    raise
                os.mkdir(name, DIR_MODE, dir_fd=fd)
                fd = _open_dir(fd, name)
                os.fchmod(fd, DIR_MODE)
            fds.append(fd)
        yield fd, _parts(rel)[-1]
    finally:
        for opened in fds:
            os.close(opened)


def _read(root: int, rel: str) -> bytes | None:
    """The bytes of the plain file `rel` below `root`, None when it (or a folder on its way) is
    absent; a link or anything but a plain file on the way is _NotPlain."""
    try:
        with _folder_of(root, rel) as (fd, name):
            handle = os.open(name, _READ, dir_fd=fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise _NotPlain(rel) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise _NotPlain(rel)
        chunks = []
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(handle)


def _state(root: int, rel: str) -> str | None:
    """The digest of the plain file `rel` below `root`, None when absent."""
    data = _read(root, rel)
    return None if data is None else digest(data)


def _create(fd: int, name: str, data: bytes, mode: int) -> None:
    handle = os.open(name, _CREATE, mode, dir_fd=fd)
    try:
        os.fchmod(handle, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def _entries(root: int, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(relative path, kind) of everything below `root`, kind one of file, dir, link, other;
    folders are walked without following links."""
    with os.scandir(root) as listing:
        items = sorted((entry.name, entry.stat(follow_symlinks=False).st_mode) for entry in listing)
    for name, mode in items:
        rel = prefix + name
        if stat.S_ISLNK(mode):
            yield rel, "link"
        elif stat.S_ISDIR(mode):
            yield rel, "dir"
            sub = _open_dir(root, name)
            try:
                yield from _entries(sub, rel + "/")
            finally:
                os.close(sub)
        elif stat.S_ISREG(mode):
            yield rel, "file"
        else:
            yield rel, "other"


def _describe(entries: list[str]) -> str:
    tops = sorted({e.split("/", 1)[0] + ("/" if "/" in e else "") for e in entries})
    shown = ", ".join(tops[:_SHOWN])
    return shown + (f" and {len(tops) - _SHOWN} more" if len(tops) > _SHOWN else "")


WORKSPACES = frozenset({"new"})
"""Commands whose output is a folder to work in (`hld new`'s project): outputs of other commands
may be written inside it (its own rewrite still refuses whatever it did not write)."""


def _owner(out: Path) -> Path | None:
    """The nearest folder above `out` that holds an output hld wrote (a workspace does not count)."""
    for folder in out.parents:
        if read_manifest(folder) is not None and _command(folder) not in WORKSPACES:
            return folder
    return None


def _command(folder: Path) -> str | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    command = data.get("command") if isinstance(data, dict) else None
    return command if isinstance(command, str) else None


def _previous(root: int, out: Path, command: str, system: str | None) -> tuple[dict[str, bytes], bytes | None]:
    """The files of hld's earlier output in `out` with their bytes, and its manifest's bytes (empty
    when `out` is empty); refuses anything else, before anything is changed."""
    entries = dict(_entries(root))
    if not entries:
        return {}, None
    try:
        raw = _read(root, MANIFEST)
    except _NotPlain:
        raw = None
    data = _json(raw)
    files = _listed(data)
    if files is None:
        owner = _owner(out)
        if owner is not None:
            raise OutputRefused(
                f"{out} is part of the output hld wrote to {owner}",
                f"rerun the command that wrote {owner}, or choose another --out",
            )
        if isinstance(data, dict) and isinstance(data.get("files"), list):
            raise OutputRefused(
                f"{out} holds an output of an earlier hld whose manifest lists files without their digests, "
                "so hld cannot prove which of them it wrote",
                f"move {out} away (copy its secrets/ back into the new output's place only by hand) and rerun",
            )
        raise OutputRefused(
            f"{out} is not empty and hld did not write it (it holds {_describe(list(entries))}); hld writes only "
            "into a new or empty directory, or over its own earlier output",
            "choose a new directory (e.g. --out out/<system>)",
        )
    assert isinstance(data, dict)
    earlier = str(data.get("command", ""))
    if earlier != command:
        raise OutputRefused(
            f"{out} holds the output of `hld {earlier}`; `hld {command}` replaces only its own kind of output",
            "choose another --out",
        )
    earlier_system = data.get("system")
    if system is not None and earlier_system is not None and earlier_system != system:
        raise OutputRefused(
            f"{out} holds the output of `hld {command}` for {earlier_system}, not {system}; replacing it "
            f"would drop {earlier_system}'s files (its kept credentials among them)",
            f"choose another --out (e.g. out/{system}), or remove {out} first",
        )
    folders = {"/".join(_parts(f)[:i]) for f in files for i in range(1, f.count("/") + 1)}
    foreign, links, changed = [], [], []
    contents: dict[str, bytes] = {}
    for rel, kind in entries.items():
        if rel == MANIFEST:
            continue
        if kind == "link":
            links.append(rel)
        elif kind == "dir" and rel in folders:
            continue
        elif kind == "file" and rel in files:
            data_now = _read(root, rel)
            assert data_now is not None
            if digest(data_now) == files[rel]:
                contents[rel] = data_now
            else:
                changed.append(rel)
        else:
            foreign.append(rel + ("/" if kind == "dir" else ""))
    if links:
        raise OutputRefused(
            f"{out} holds symbolic links hld did not make ({', '.join(links[:_SHOWN])}); hld never writes or "
            "deletes through a link",
            f"remove the links from {out}, or choose another --out",
        )
    if changed:
        raise OutputRefused(
            f"{out} holds files that changed since hld wrote them ({', '.join(changed[:_SHOWN])}"
            + (f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else "")
            + "); hld replaces only files whose content is still what it wrote",
            f"move those files out of {out} (or restore them), or choose another --out",
        )
    if foreign:
        raise OutputRefused(
            f"{out} holds hld's earlier output and also files hld did not write ({_describe(foreign)}); "
            "hld replaces only its own output and never deletes other files",
            f"move those files out of {out}, or choose another --out",
        )
    return contents, raw


def _make_parents(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents (0755); returns the ones created, outermost first."""
    missing = []
    for p in [folder, *folder.parents]:
        if p.exists() or p.is_symlink():
            break
        missing.append(p)
    created: list[Path] = []
    try:
        for p in reversed(missing):
            try:
                p.mkdir(mode=DIR_MODE)
            except FileExistsError:  # made meanwhile by another run: not ours to remove
                continue
            os.chmod(p, DIR_MODE)
            created.append(p)
    except BaseException:
        _remove_made(created)
        raise
    return created


def _remove_made(created: list[Path]) -> None:
    """Remove the folders a failed write made, if they are still empty (innermost first)."""
    for p in reversed(created):
        with contextlib.suppress(OSError):
            p.rmdir()


# --- one writer at a time -----------------------------------------------------------------------


@dataclass
class _Root:
    fd: int
    created: list[Path]


@contextlib.contextmanager
def _locked(out: Path, create: bool) -> Iterator[_Root]:
    """`out` open and locked for this process (made first, with its parents, when `create`); a
    folder this run made is removed again if the run fails and leaves it empty."""
    if out.is_symlink() and not out.exists():
        raise OutputRefused(f"{out} is a broken symbolic link", "pass a directory path")
    if out.exists() and not out.is_dir():
        raise OutputRefused(
            f"{out} is a file, not a directory; hld writes a directory of files",
            "pass a directory path that does not exist yet (it is created) or an empty one",
        )
    created: list[Path] = []
    if not out.exists():
        owner = _owner(out)
        if owner is not None:
            raise OutputRefused(
                f"{out} is inside {owner}, an output hld wrote",
                f"write elsewhere (e.g. beside {owner}), or rerun the command that wrote {owner}",
            )
        if not create:
            raise FileNotFoundError(errno.ENOENT, "no such directory", str(out))
        created = _make_parents(out)
    try:
        fd = _lock(out)
    except BaseException:
        _remove_made(created)
        raise
    root = _Root(fd, created)
    try:
        yield root
    except BaseException:
        os.close(fd)
        _remove_made(created)
        raise
    os.close(fd)


def _lock(out: Path) -> int:
    """An open, exclusively locked descriptor of the folder at `out` (waits for another writer)."""
    for _ in range(5):
        fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                sys.stderr.write(f"hld: waiting for another hld that is writing {out}\n")
                sys.stderr.flush()
                fcntl.flock(fd, fcntl.LOCK_EX)
            here = os.fstat(fd)
            now = os.stat(out)
        except FileNotFoundError:  # removed while we waited: that writer failed
            os.close(fd)
            raise
        except BaseException:
            os.close(fd)
            raise
        if (here.st_dev, here.st_ino) == (now.st_dev, now.st_ino):
            return fd
        os.close(fd)  # replaced while we waited: lock the folder that is there now
    raise OutputRefused(f"{out} keeps being replaced while hld waits to write it", "rerun when nothing else writes it")


# --- the replacement ----------------------------------------------------------------------------


def _order(rel: str) -> tuple[bool, str]:
    """`.gitignore` files go in first (and out last), so credentials never stand without one."""
    return (PurePosixPath(rel).name != ".gitignore", rel)


def _replace(
    root: _Root,
    previous: dict[str, bytes],
    old_manifest: bytes | None,
    new: dict[str, bytes],
    private: frozenset[str],
    manifest: dict[str, Any],
) -> None:
    """Stage, commit, apply (see the module's promises)."""
    fd = root.fd
    os.mkdir(WORK, WORK_MODE, dir_fd=fd)
    work = _open_dir(fd, WORK)
    try:
        os.fchmod(work, WORK_MODE)
        _create(work, ".gitignore", b"# hld's work folder: never commit it\n*\n", FILE_MODE)
        for side in ("new", "old"):
            os.mkdir(side, DIR_MODE, dir_fd=work)
        staged = _open_dir(work, "new")
        kept = _open_dir(work, "old")
        try:
            for rel, data in sorted(new.items()):
                with _folder_of(staged, rel, make=True) as (folder, name):
                    _create(folder, name, data, PRIVATE_MODE if rel in private else FILE_MODE)
            _create(staged, MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode(), FILE_MODE)
            for rel, data in sorted(previous.items()):
                with _folder_of(kept, rel, make=True) as (folder, name):
                    _create(folder, name, data, FILE_MODE)
            if old_manifest is not None:
                _create(kept, MANIFEST, old_manifest, FILE_MODE)
        finally:
            os.close(staged)
            os.close(kept)
        INTERRUPTS.check()  # the last point where stopping needs no more than dropping the work folder
        journal = {
            "state": "commit",
            "files": manifest["files"],
            "previous": {rel: digest(data) for rel, data in sorted(previous.items())},
        }
        _write_journal(work, journal)
    except BaseException:
        _drop_work(fd, work)
        raise
    try:
        _forward(fd, work, journal)
    except OSError:
        journal["state"] = "rollback"
        _write_journal(work, journal)
        _back(fd, work, journal)
        _drop_work(fd, work)
        raise
    _drop_work(fd, work)


def _drop_work(root: int, work: int) -> None:
    """Remove the work folder: its copies (credentials among them) before the `.gitignore` that
    keeps them out of git, the journal before the folder."""
    for name in ("new", "old", f"{_JOURNAL}.tmp", _JOURNAL, ".gitignore"):
        try:
            if stat.S_ISDIR(os.stat(name, dir_fd=work, follow_symlinks=False).st_mode):
                shutil.rmtree(name, dir_fd=work)
            else:
                os.unlink(name, dir_fd=work)
        except FileNotFoundError:
            continue
    os.close(work)
    os.rmdir(WORK, dir_fd=root)


def _write_journal(work: int, journal: dict[str, Any]) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(f"{_JOURNAL}.tmp", dir_fd=work)
    _create(work, f"{_JOURNAL}.tmp", (json.dumps(journal, indent=1) + "\n").encode(), FILE_MODE)
    os.replace(f"{_JOURNAL}.tmp", _JOURNAL, src_dir_fd=work, dst_dir_fd=work)


def _move(work: int, side: str, rel: str, root: int) -> None:
    """Rename `side/rel` of the work folder to `rel` of the output (folders made as needed)."""
    with (
        _folder_of(work, f"{side}/{rel}") as (source, source_name),
        _folder_of(root, rel, make=True) as (target, target_name),
    ):
        os.replace(source_name, target_name, src_dir_fd=source, dst_dir_fd=target)


def _remove(root: int, rel: str, want: str) -> None:
    """Delete `rel` when it is a plain file whose content has digest `want` (hld's, unchanged)."""
    try:
        if _state(root, rel) != want:
            return
        with _folder_of(root, rel) as (folder, name):
            os.unlink(name, dir_fd=folder)
    except (FileNotFoundError, _NotPlain):
        return


def _forward(root: int, work: int, journal: dict[str, Any]) -> None:
    """Bring the output to the journal's new files (each step idempotent, so a later run can redo
    it after a stop at any point), then drop the previous files it no longer has."""
    new, previous = journal["files"], journal["previous"]
    for rel in sorted(new, key=_order):
        if _state(root, rel) == new[rel]:
            continue
        if _state(work, f"new/{rel}") != new[rel]:
            raise OutputRefused(f"the staged copy of {rel} is missing; the interrupted replacement cannot finish")
        _move(work, "new", rel, root)
    for rel in sorted(set(previous) - set(new), key=_order, reverse=True):
        _remove(root, rel, previous[rel])
    _prune(root, previous, new)
    if _read(work, f"new/{MANIFEST}") is not None:
        os.replace(f"new/{MANIFEST}", MANIFEST, src_dir_fd=work, dst_dir_fd=root)


def _back(root: int, work: int, journal: dict[str, Any]) -> None:
    """Bring the output back to the journal's previous files (idempotent, like _forward)."""
    new, previous = journal["files"], journal["previous"]
    for rel in sorted(set(new) - set(previous), key=_order, reverse=True):
        _remove(root, rel, new[rel])
    for rel in sorted(previous, key=_order):
        if _state(root, rel) != previous[rel] and _state(work, f"old/{rel}") == previous[rel]:
            _move(work, "old", rel, root)
    _prune(root, new, previous)
    if _read(work, f"old/{MANIFEST}") is not None:
        os.replace(f"old/{MANIFEST}", MANIFEST, src_dir_fd=work, dst_dir_fd=root)


def _prune(root: int, gone: dict[str, str], kept: dict[str, str]) -> None:
    """Folders of `gone`'s files that no file of `kept` uses, if empty (innermost first)."""
    used = {"/".join(_parts(rel)[:i]) for rel in kept for i in range(1, rel.count("/") + 1)}
    folders = {"/".join(_parts(rel)[:i]) for rel in gone for i in range(1, rel.count("/") + 1)} - used
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError, _NotPlain), _folder_of(root, folder) as (fd, name):
            os.rmdir(name, dir_fd=fd)


def _recover(root: int, out: Path) -> None:
    """Finish (or undo) a replacement a stopped run left, and clear hld's work folder; says so."""
    try:
        mode = os.stat(WORK, dir_fd=root, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        raise OutputRefused(f"{out}/{WORK} is not hld's work folder", f"remove {out}/{WORK} (hld did not make it)")
    work = _open_dir(root, WORK)
    try:
        with os.scandir(work) as listing:
            tops = {entry.name for entry in listing}
        if not tops <= _WORK_ENTRIES:
            raise OutputRefused(
                f"{out}/{WORK} holds {', '.join(sorted(tops - _WORK_ENTRIES))}, which hld's work folder never holds",
                f"move {out}/{WORK} away; hld did not write it",
            )
        journal = _json(_read(work, _JOURNAL))
        done = "it had not begun to replace it, or had finished: the output is whole"
        if isinstance(journal, dict):
            files, previous = _listed({"files": journal.get("files")}), _listed({"files": journal.get("previous")})
            if files is None or previous is None or journal.get("state") not in ("commit", "rollback"):
                raise OutputRefused(f"{out}/{WORK}/journal is not a journal hld wrote", f"move {out}/{WORK} away")
            if journal["state"] == "commit":
                _forward(root, work, journal)
                done = "finished it: the output is the new one, complete"
            else:
                _back(root, work, journal)
                done = "undid it: the output is the previous one, intact"
    except BaseException:
        os.close(work)
        raise
    _drop_work(root, work)
    sys.stderr.write(f"hld: {out}: an earlier run stopped while replacing this output; {done}\n")
    sys.stderr.flush()

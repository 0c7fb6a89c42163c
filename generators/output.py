"""Writing a target's output directory atomically: everything goes to a sibling staging
directory first, which then replaces the old one; a failure leaves the old one as it was."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def write_tree(out: Path, files: dict[str, str], private: frozenset[str] = frozenset()) -> list[str]:
    """Write `files` (relative path -> text) as the whole of `out`; `private` paths get mode 600."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for rel, text in sorted(files.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            if rel in private:
                path.chmod(0o600)
        if out.exists():
            old = out.with_name(f".{out.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(files)

"""The process around a command: standard output that survives a closed pipe, and Ctrl-C that
stops at once with one line (hld.cli installs both)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import Any

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


class ClosedPipeSafe:
    """Standard output that survives its reader going away (`hld plan x | head -1`): once the pipe
    is closed, further output is dropped and the command finishes with its own exit code."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.closed_pipe = False

    def _guard(self, call: Callable[[], Any]) -> Any:
        if self.closed_pipe:
            return None
        try:
            return call()
        except BrokenPipeError:
            self.closed_pipe = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            with suppress(OSError, ValueError):
                os.dup2(devnull, self._stream.fileno())
            return None

    def write(self, text: str) -> int:
        self._guard(lambda: self._stream.write(text))
        return len(text)

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def interrupted() -> str:
    from hld.output import WRITTEN

    if not WRITTEN:
        return "\ninterrupted: nothing was written\n"
    return f"\ninterrupted after writing {', '.join(map(str, WRITTEN))} (complete); nothing else was written\n"


def on_ctrl_c(_signum: int, _frame: Any) -> None:
    """Stop at once: nothing hld does outside a write needs undoing (the offline cloud is in
    memory), and interpreter shutdown would wait on the offline runtime's worker threads. A write
    in progress stops (or finishes) on its own and leaves the previous output whole."""
    from hld.output import interrupt_pending

    if interrupt_pending():
        return
    with suppress(Exception):
        sys.stdout.flush()
    sys.stderr.write(interrupted())
    sys.stderr.flush()
    os._exit(INTERRUPTED)

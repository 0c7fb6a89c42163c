"""The process around a command: standard output and error that survive a closed pipe, and
Ctrl-C, SIGTERM and SIGHUP that stop at once with one line (hld.cli installs both)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import Any

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""The signals that stop a command as Ctrl-C does (CI timeouts and `docker stop` send SIGTERM; a
closed terminal SIGHUP): at once, one line, exit 128 + the signal's number."""


class _Stop:
    signum: int = signal.SIGINT


STOP = _Stop()
"""The signal that stopped the command (what its exit code and its line say)."""


class ClosedPipeSafe:
    """A standard stream that survives its reader going away (`hld plan x 2>&1 | head -1`): once
    the pipe is closed, further output is dropped and the command finishes with its own exit code
    (unguarded, the write's BrokenPipeError ended the command with click's exit 1 instead)."""

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

    what = "interrupted" if STOP.signum == signal.SIGINT else f"stopped by {signal.Signals(STOP.signum).name}"
    if not WRITTEN:
        return f"\n{what}: nothing was written\n"
    return f"\n{what} after writing {', '.join(map(str, WRITTEN))} (complete); nothing else was written\n"


def stopped_code() -> int:
    """The exit code of a command a stop signal ended: 128 + its number (130 for Ctrl-C)."""
    return 128 + STOP.signum


def on_stop(signum: int, _frame: Any) -> None:
    """Stop at once: nothing hld does outside a write needs undoing (the offline cloud is in
    memory), and interpreter shutdown would wait on the offline runtime's worker threads. A write
    in progress stops (or finishes) on its own and leaves an output whole."""
    from hld.output import interrupt_pending

    STOP.signum = signum
    if interrupt_pending():
        return
    with suppress(Exception):
        sys.stdout.flush()
    with suppress(Exception):
        sys.stderr.write(interrupted())
        sys.stderr.flush()
    os._exit(stopped_code())


def install_stop_handlers() -> None:
    for signum in STOPS:
        signal.signal(signum, on_stop)


def exit_now(code: object) -> None:
    """End the process with `code` (a SystemExit code) once the command is done, without the
    interpreter tearing down its heap object by object.

    A verify holds a few hundred MB of objects (pulumi-aws's types, moto's cloud, the recorded
    graph): freeing them at interpreter exit took 2.5 s of an 8 s `hld verify` of social-feed,
    after every result had been printed. Exit handlers still run (temporary folders, logging),
    and both streams are flushed, before the process ends."""
    import atexit

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # SystemExit("message"): printed, status 1, as the interpreter would
        sys.stderr.write(f"{code}\n")
        status = 1
    with suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(status)

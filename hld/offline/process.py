"""A command's run on both cores: the Pulumi program in a process of its own, as the Pulumi CLI
runs it (a language host talking to the engine's resource monitor), and the cloud, the
recording and the checks in this one.

A command makes one run, and most of a cold run is loading and working in two halves that only
meet at the monitor: the program's half (the Pulumi SDK, pulumi-aws's modules, the program, the
SDK's serialisation) and the cloud's (moto's backends, botocore's service models, each
resource's API calls, the recording). In one process they take turns on one core; here the
program is forked off before either half is loaded, and the two load and work side by side.
Every monitor call the program makes (register, read, invoke) crosses a pipe to this process,
which answers it with the run's own RecordingMonitor (hld.offline.runtime), so the cloud sees
the same requests, in the order the program makes them, and records the same graph; whatever the
cloud raises is raised in the program's call, as in one process.

The child is a fork: it starts as a copy of this process when the run starts (its modules, the
working directory, the environment) and ends with the run, so nothing of it outlives the run
and nothing of one run reaches another. Where the platform cannot fork, or `HLD_ONE_PROCESS=1`
is set, `start` returns None and the run stays in one process (hld.offline.runtime.run).

Tests in one process (hld.testing, the pytest plugin) make many runs and keep them in-process:
their second and later runs find everything loaded already.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from hld.offline.runtime import RecordingMonitor

ONE_PROCESS = "HLD_ONE_PROCESS"
"""Set to 1: every run stays in one process (the program's and the cloud's halves take turns)."""

REMOTE = {
    # method: (request type, response type), the monitor calls the cloud answers
    "RegisterResource": ("RegisterResourceRequest", "RegisterResourceResponse"),
    "ReadResource": ("ReadResourceRequest", "ReadResourceResponse"),
    "Invoke": ("ResourceInvokeRequest", "ResourceInvokeResponse"),
}
"""The monitor's calls that cross to this process; the rest (features, packages, outputs, shutdown)
the program's own mock monitor answers as in one process."""
_DONE = b"done"


class Program:
    """The program's process of one run (started by `start`)."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn

    def serve(self, monitor: RecordingMonitor) -> tuple[str, Any]:
        """Answer the program's monitor calls with `monitor` until the program ends: ("ok",
        its stack outputs) or ("error", what it raised)."""
        from pulumi.runtime.proto import resource_pb2

        while True:
            try:
                data = self.conn.recv_bytes()
            except EOFError:
                return "error", self._vanished()
            method, _, payload = data.partition(b"\0")
            if method == _DONE:
                return pickle.loads(payload)  # type: ignore[no-any-return]
            name = method.decode()
            request = getattr(resource_pb2, REMOTE[name][0])()
            request.ParseFromString(payload)
            try:
                answer = b"R" + getattr(monitor, name)(request).SerializeToString()
            except Exception as exc:  # raised in the program's call, as in one process
                answer = b"E" + _pickled(exc)
            self.conn.send_bytes(answer)

    def _vanished(self) -> Exception:
        from hld.errors import ProgramLost

        code = self.close()
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return ProgramLost(
            f"the Pulumi program's process ended without a result ({how}); nothing was written. "
            f"Run again, or set {ONE_PROCESS}=1 to run the program in hld's own process"
        )

    def close(self, grace: float = 0.5) -> int | None:
        """Collect the program's process, ended after `grace` seconds if it still runs (it exits
        as soon as it has sent its result): its exit status (None once collected)."""
        import time

        self.conn.close()
        if not self.pid:
            return None
        with contextlib.suppress(ChildProcessError):
            deadline = time.monotonic() + grace
            done, status = os.waitpid(self.pid, os.WNOHANG)
            while done == 0 and time.monotonic() < deadline:
                time.sleep(0.005)
                done, status = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, 9)
                done, status = os.waitpid(self.pid, 0)
            self.pid = 0
            return os.waitstatus_to_exitcode(status)
        return None


def start(config: dict[str, str], stack: str) -> Program | None:
    """Fork the program's process for one run of `config` and `stack` (it runs hld's entry point,
    hld.offline.runtime.entry_point, and waits on the pipe for its monitor's answers); None where
    the platform cannot fork or HLD_ONE_PROCESS=1."""
    if not hasattr(os, "fork") or os.environ.get(ONE_PROCESS) == "1":
        return None
    from multiprocessing import Pipe

    ours, theirs = Pipe()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    pid = os.fork()
    if pid == 0:  # the program's process: never returns
        ours.close()
        _own_streams()
        code = 1
        try:
            _program(theirs, config, stack)
            code = 0
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
    theirs.close()
    return Program(pid, ours)


def _own_streams() -> None:
    """The program process's standard streams, new on the same descriptors: a lock another thread of
    this process held at the fork (a progress display writing) is not held in these."""
    import io

    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True, errors="backslashreplace")


def _program(conn: Connection, config: dict[str, str], stack: str) -> None:
    """In the program's process: run the program against the monitor across the pipe, then send
    what it came to."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a stop ends this process; the command reports it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from hld.offline import runtime

    try:
        outcome: tuple[str, Any] = ("ok", runtime.execute_remote(config, stack, RemoteMonitor(conn)))
    except Exception as exc:
        outcome = ("error", exc)
    with contextlib.suppress(BrokenPipeError, OSError):
        conn.send_bytes(_DONE + b"\0" + _pickled_outcome(outcome))


def RemoteMonitor(conn: Connection) -> Any:
    """The program's mock monitor: the calls in REMOTE go across `conn` to the command's process
    (one at a time: the cloud answers in order), the rest are Pulumi's own mock monitor's."""
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime.proto import resource_pb2

    class _Unused(pulumi_mocks.Mocks):
        """Its mocks: every resource and call goes to the command's process."""

        def new_resource(self, args: Any) -> Any:
            raise NotImplementedError

        def call(self, args: Any) -> Any:
            raise NotImplementedError

    class _Remote(pulumi_mocks.MockMonitor):
        def __init__(self) -> None:
            super().__init__(_Unused())
            self.lock = threading.Lock()

        def _call(self, method: str, request: Any) -> Any:
            with self.lock:
                conn.send_bytes(method.encode() + b"\0" + request.SerializeToString())
                data = conn.recv_bytes()
            if data[:1] == b"E":
                raise pickle.loads(data[1:])
            response = getattr(resource_pb2, REMOTE[method][1])()
            response.ParseFromString(data[1:])
            return response

        def RegisterResource(self, request: Any) -> Any:
            return self._call("RegisterResource", request)

        def ReadResource(self, request: Any) -> Any:
            return self._call("ReadResource", request)

        def Invoke(self, request: Any) -> Any:
            return self._call("Invoke", request)

    return _Remote()


def _pickled(exc: BaseException) -> bytes:
    """`exc` as it can cross the pipe: itself, or (when it does not pickle) a RuntimeError that
    names it."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)  # an exception whose constructor takes other arguments than it keeps
        return data
    except Exception:
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))


def _pickled_outcome(outcome: tuple[str, Any]) -> bytes:
    status, value = outcome
    if status == "error":
        return pickle.dumps(("error", pickle.loads(_pickled(value))))
    try:
        return pickle.dumps(outcome)
    except Exception as exc:
        return pickle.dumps(("error", RuntimeError(f"the stack's outputs do not cross processes: {exc}")))

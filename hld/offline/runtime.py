"""Run the real Pulumi program offline, under Pulumi's mock runtime, and record what it declares.

Each run is isolated: a fresh event loop, a fresh root stack, config supplied as
the Pulumi CLI supplies it (the PULUMI_CONFIG environment variable), and a
recording monitor that keeps each resource's type, name, parent, provider's
region, inputs, and protect / retainOnDelete options.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import json
import os
import runpy
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import CONFIG
from pulumi.runtime.rpc_manager import RPCManager
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from hld.errors import CloudRejected, SynthError
from hld.graph import Graph, Resource, tree_order
from hld.offline.cloud import OfflineCloud
from hld.offline.echo import EchoMocks
from hld.offline.process import Program
from hld.offline.seal import sealed
from hld.stack import PROJECT_ROOT

ENTRY_POINT = PROJECT_ROOT / "stacks" / "__main__.py"
"""hld's own program file (its checkout's Pulumi project)."""
PROJECT = "hld"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent_urn: str
    provider: str
    custom: bool
    protect: bool
    retain_on_delete: bool
    inputs: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    exercised: bool = False
    id: str = ""
    dependencies: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps what the plain one drops: parent, provider, options."""

    def __init__(self, mocks: OfflineCloud):
        super().__init__(mocks)
        self.cloud = mocks
        self.registrations: list[Registration] = []

    @property
    def duplicates(self) -> list[str]:
        """URNs registered twice: the Pulumi engine refuses them, the plain mock monitor does not."""
        counts = Counter(r.urn for r in self.registrations)
        return sorted(urn for urn, n in counts.items() if n > 1)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            return response
        registered = self.resources[response.urn]
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent_urn=request.parent,
                provider=request.provider,
                custom=bool(request.custom),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                inputs=rpc.deserialize_properties(request.object) if request.object else {},
                state=dict(registered.state),
                exercised=bool(self.cloud.exercised.get(f"{request.type}::{request.name}")),
                id=str(response.id or ""),
                dependencies=tuple(request.dependencies),
                ignore_changes=tuple(request.ignoreChanges),
                property_dependencies={k: tuple(v.urns) for k, v in request.propertyDependencies.items()},
            )
        )
        return response


@dataclass
class Coverage:
    """Resources exercised through a real cloud API vs recorded only, by type (with the cloud's
    note on how each type is exercised)."""

    exercised: dict[str, int] = field(default_factory=dict)
    recorded: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.exercised.values()) + sum(self.recorded.values())

    @property
    def percent(self) -> float:
        return 100.0 * sum(self.exercised.values()) / self.total if self.total else 100.0

    def rows(self) -> list[dict[str, Any]]:
        types = sorted(set(self.exercised) | set(self.recorded))
        return [
            {
                "type": t,
                "exercised": self.exercised.get(t, 0),
                "recorded": self.recorded.get(t, 0),
                "note": self.notes.get(t, ""),
            }
            for t in types
        ]


@dataclass
class Result:
    """One offline run: the resource graph, the stack outputs, and a way back to the cloud's state."""

    graph: Graph
    outputs: dict[str, Any]
    stack: str
    config: dict[str, str] = field(default_factory=dict)
    cloud: str = "mocks"  # mocks (inputs echoed) | moto (created in moto's AWS)
    generation: int = 0
    reader: Callable[[str, str], Any] | None = None
    coverage_notes: dict[str, str] = field(default_factory=dict)

    @property
    def live_reader(self) -> Callable[[str, str], Any] | None:
        """`reader` while this run's moto state is still up (a later moto-backed run replaces it)."""
        if self.reader is None or self.cloud != "moto":
            return None
        from hld.offline.moto.clients import Session

        return self.reader if Session.holds(self.generation) else None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """A block of many calls onto this run's state (the checks): moto holds it for the whole
        block (a call outside one brings it up and down again, about 4 ms), and, as during the
        run, only the young generation is collected (a full collection walks every object the
        run and its libraries made, again and again)."""
        with _young_collections_only():
            if self.live_reader is None:
                yield
                return
            from hld.offline.moto.clients import Session

            with Session.using(self.generation):
                yield

    def client(self, service: str, region: str) -> Any:
        """A boto3 client onto the cloud state of this run (moto-backed runs only)."""
        if self.reader is None:
            raise ValueError("client() reads moto's state: synthesize with cloud='moto'")
        return self.reader(service, region)

    def coverage(self) -> Coverage:
        """Resources exercised through a real cloud API vs recorded only, by type."""
        cov = Coverage(notes=dict(self.coverage_notes))
        for r in self.graph.resources:
            if r.custom and r.type != "pulumi:providers:aws":
                bucket = cov.exercised if r.exercised else cov.recorded
                bucket[r.type] = bucket.get(r.type, 0) + 1
        return cov

    @functools.cached_property
    def plan(self) -> Any:
        """The Plan the program deployed (planning is deterministic: same config, same plan)."""
        return _plan(self.config, self.stack)


@contextlib.contextmanager
def _environment(config: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS")}
    os.environ["PULUMI_CONFIG"] = json.dumps(config)
    os.environ.pop("PULUMI_CONFIG_SECRET_KEYS", None)
    loop = asyncio.new_event_loop()
    # a failed program leaves tasks whose exceptions the run reports itself (SynthError):
    # asyncio must not print them again as "never retrieved" tracebacks
    loop.set_exception_handler(lambda _loop, _context: None)
    # the SDK makes every monitor call in the loop's default executor; the offline cloud answers
    # them one at a time anyway (moto's lock, or the pipe to the command's process), so one
    # thread takes them in the order the program makes them: asyncio's default pool of
    # cpu + 4 threads only queued them on the lock and contended with the program for the
    # interpreter (a warm moto run of url-shortener-prod, interleaved in one process: medians
    # from the same to a fifth faster, fastest runs 1.28 s against 1.43 s)
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="hld-monitor"))
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        # the monitor calls still running in the loop's threads end with the run: a failed run's
        # call must not go on into the next run (asyncio's close leaves them running)
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _resolve(value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        return _resolve(_sync_await(value.future()))
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolve(v) for v in value]
    return value


def entry_point() -> None:
    """What `pulumi up` runs in the project of the working directory: its program file (`main` of
    its Pulumi.yaml, hld's stacks/__main__.py in hld's checkout) when it is a Python program that
    calls hld's; otherwise (no project, another kind of project, a missing file) hld's program
    itself (hld.stack.main, which every project's file calls)."""
    from hld.project import current

    project = current()
    program = project.program
    runtime = project.settings.get("runtime")
    python = (runtime.get("name") if isinstance(runtime, dict) else runtime) == "python"
    if python and program is not None and program.is_file() and "hld.stack" in program.read_text(errors="replace"):
        runpy.run_path(str(program), run_name="__main__")
        return
    from hld.stack import main

    main()


def run(
    config: dict[str, str],
    stack: str,
    mocks: OfflineCloud | None = None,
    program: Callable[[], object] = entry_point,
    process: Program | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Result:
    """Run `program` (default: stacks/__main__.py, the file Pulumi runs) with `config`
    (as `pulumi config` holds it) under mocks; with `process` (hld.offline.process.start of the
    same config and stack), the entry point runs there and this process answers its monitor,
    calling `meanwhile` (what the caller needs next) while the program's process loads."""
    try:
        with _young_collections_only():
            return _run(offline_config(config), stack, mocks or EchoMocks(stack), program, process, meanwhile)
    finally:
        if process is not None:
            process.close()


def offline_config(config: dict[str, str]) -> dict[str, str]:
    """The config of an offline run: the program may use offline stand-ins (a placeholder domain)."""
    return {**config, "hld:offline": "true"}


@contextlib.contextmanager
def _young_collections_only() -> Iterator[None]:
    """During a run, the cyclic garbage collector collects the young generation only.

    A run makes about 400 tracked objects per resource (outputs, futures, tasks), most of them
    short-lived cycles that young collections free cheaply. Collections of the older generations
    walked every object that had survived so far, again and again: with them, seconds per resource
    rose 56 % from 10 to 100 services. Turning the collector off instead left one large collection
    after the run (+27 %). Young collections only: +3 to +11 %. The thresholds are restored when
    the run ends, also when it fails."""
    saved = gc.get_threshold()
    gc.set_threshold(saved[0], _NEVER, _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


_NEVER = 1 << 30
"""A threshold no run reaches: that generation is not collected during it."""


def _run(
    config: dict[str, str],
    stack: str,
    mocks: OfflineCloud,
    program: Callable[[], object],
    process: Program | None,
    meanwhile: Callable[[], object] | None = None,
) -> Result:
    planned = _plan(config, stack)
    monitor = RecordingMonitor(mocks)
    # sealed: the user's AWS environment (profiles, endpoints, proxies, credentials) is out of
    # reach for the run and back afterwards (hld.offline.seal); the cloud is up only inside its
    # session (moto: a state of the run's own, the user's moto put back after)
    with sealed(), mocks.session() as generation:
        if planned is not None and planned.edge.domain and not planned.edge.hosted_zone:
            mocks.public_zones = [account_zone(planned.edge.domain)]
        if process is None:
            outputs = _program(config, stack, mocks, monitor, program)
        else:
            if planned is not None:  # while the program's process loads
                mocks.warm(list(planned.regions.value))
            if meanwhile is not None:
                meanwhile()
            outputs = _served(config, stack, mocks, monitor, process)
    result = Result(
        graph=_graph(monitor, mocks),
        outputs=outputs,
        stack=stack,
        config=dict(config),
        cloud=mocks.cloud,
        generation=generation,
        reader=mocks.reader(generation),
        coverage_notes=dict(mocks.coverage_notes),
    )
    if planned is not None:  # the plan of the same config and stack (planning is deterministic)
        result.__dict__["plan"] = planned
    return result


def _program(
    config: dict[str, str], stack: str, mocks: OfflineCloud, monitor: RecordingMonitor, program: Callable[[], object]
) -> dict[str, Any]:
    """Run `program` under Pulumi's mock runtime; the stack's outputs."""
    try:
        outputs = _execute(config, stack, mocks, monitor, program)
    except Exception as exc:
        known = _refused(exc, mocks)
        if known is not None:
            raise known from None
        raise
    _unique(monitor)
    return outputs


def _served(
    config: dict[str, str], stack: str, mocks: OfflineCloud, monitor: RecordingMonitor, process: Program
) -> dict[str, Any]:
    """Answer the program's monitor calls from its own process (hld.offline.process); the stack's
    outputs, or what it raised, judged as `_program` judges it."""
    with _environment(config):
        _fresh_runtime(mocks, stack, monitor)  # the monitor's URNs and serialisation need the settings
        status, value = process.serve(monitor)
    if status == "error":
        known = _refused(value, mocks)
        raise known if known is not None else value
    _unique(monitor)
    return dict(value)


def execute_remote(config: dict[str, str], stack: str, monitor: Any) -> dict[str, Any]:
    """In the program's own process (hld.offline.process): run the entry point against `monitor`,
    sealed as the run is; the stack's outputs. A failure is sent as it is raised, except the
    program's own errors, sent as SynthError (what `_refused` makes of them)."""
    with sealed():
        try:
            return _execute(offline_config(config), stack, monitor.mocks, monitor, entry_point)
        except pulumi.RunError as exc:
            raise SynthError(str(exc)) from None


def _fresh_runtime(mocks: Any, stack: str, monitor: Any) -> None:
    CONFIG.set({})
    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    # the SDK keeps tracked outputs and queued RPCs in context properties that a new
    # settings bag does not replace: start each run from empty ones, so nothing of an
    # earlier (failed) run, bound to its closed event loop, is awaited by this one
    pulumi_settings.SETTINGS.outputs = set()
    pulumi_settings.SETTINGS.rpc_manager = RPCManager()  # type: ignore[no-untyped-call]


def _execute(
    config: dict[str, str], stack: str, mocks: Any, monitor: Any, program: Callable[[], object]
) -> dict[str, Any]:
    """`program` under Pulumi's mock runtime with `monitor`, until its RPCs and outputs settle;
    the stack's outputs. After a failure the RPCs already queued finish before it is raised."""
    with _environment(config), _no_stack_traces():
        _fresh_runtime(mocks, stack, monitor)
        try:
            program()
            _sync_await(_settle())
        except Exception:
            _drain()
            raise
        root = pulumi_settings.get_root_resource()
        return dict(_resolve(dict(getattr(root, "outputs", {}) or {})))


@contextlib.contextmanager
def _no_stack_traces() -> Iterator[None]:
    """During a run, the SDK sends each registration without the Python stack that made it.

    The SDK walks the whole stack and reads each frame's source line for every resource it
    registers (the engine shows the user's line in its diagnostics); the offline monitor and
    everything hld records ignore both fields, and the walk was a tenth of a warm run. The SDK's
    own function is back in place when the run ends, also when it fails (a real `pulumi up`
    never runs through here)."""
    from pulumi.runtime import resource
    from pulumi.runtime.proto import source_pb2

    sdk = resource._get_stack_trace
    resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        resource._get_stack_trace = sdk


def _refused(exc: BaseException, mocks: OfflineCloud) -> Exception | None:
    """What a failed program comes to: the cloud's first refusal, whatever the program made of
    it; the program's own error; None for anything else (raised as it is)."""
    if mocks.rejected:
        return CloudRejected(mocks.rejected[0])
    if isinstance(exc, pulumi.RunError | SynthError):
        return SynthError(str(exc))
    return None


def _unique(monitor: RecordingMonitor) -> None:
    if monitor.duplicates:
        raise SynthError(
            "duplicate resource URNs (two resources of one type share a name): " + ", ".join(monitor.duplicates)
        )


def account_zone(domain: str) -> str:
    """The public zone the offline account holds for `domain`: the domain itself when it is a
    registered name (two labels), else its parent (dev.short.example.com: short.example.com)."""
    labels = domain.split(".")
    return domain if len(labels) <= 2 else ".".join(labels[1:])


def _plan(config: dict[str, str], stack: str) -> Any:
    from hld.stack import ConfigError, plan_for, read_config

    try:
        return plan_for(read_config(lambda key: config.get(f"hld:{key}"), stack), stack)
    except ConfigError:
        return None


async def _settle() -> None:
    """Wait until the program's RPCs and outputs are done: the SDK's wait_for_rpcs, but each
    round awaits all pending outputs at once instead of re-waiting on every pending one for
    the first to finish (which grows with the square of the resource count)."""
    settings = pulumi_settings.SETTINGS
    manager = settings.rpc_manager
    while True:
        while len(manager.rpcs) > 0:
            await manager.rpcs.pop()
        if manager.unhandled_exception is not None:
            raise manager.unhandled_exception.with_traceback(manager.exception_traceback)
        with settings.lock:
            pending = list(settings.outputs)
            settings.outputs.clear()
        if pending:
            await asyncio.gather(*pending)
        if not manager.rpcs and not settings.outputs:
            return


def _drain() -> None:
    """After a failed program: let the RPCs already queued finish, so no task of this run is left
    pending on its event loop (a pending task would block the next run in this process)."""
    with contextlib.suppress(Exception):
        _sync_await(wait_for_rpcs())


def _graph(monitor: RecordingMonitor, mocks: OfflineCloud) -> Graph:
    names = {r.urn: r.name for r in monitor.registrations}
    resources = []
    for reg in monitor.registrations:
        provider_id = reg.provider.split("::")[-1] if reg.provider else ""
        region = mocks.regions.get(provider_id)
        if reg.type == "pulumi:providers:aws":
            region = reg.inputs.get("region")
        resources.append(
            Resource(
                type=reg.type,
                name=reg.name,
                urn=reg.urn,
                parent=names.get(reg.parent_urn),
                region=region,
                inputs=reg.inputs,
                state=reg.state,
                custom=reg.custom,
                protect=reg.protect,
                retain_on_delete=reg.retain_on_delete,
                exercised=reg.exercised,
                parent_urn=reg.parent_urn,
                id=reg.id,
                dependencies=reg.dependencies,
                ignore_changes=reg.ignore_changes,
                property_dependencies=reg.property_dependencies,
            )
        )
    return Graph(tree_order(resources))

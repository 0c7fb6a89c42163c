"""Run the real Pulumi program offline, under Pulumi's mock runtime, and record what it declares.

Each run is isolated: a fresh event loop, a fresh root stack, config supplied as
the Pulumi CLI supplies it (the PULUMI_CONFIG environment variable), and a
recording monitor that keeps each resource's type, name, parent, provider's
region, inputs, and protect / retainOnDelete options.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import hashlib
import json
import os
import runpy
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
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
from hld.graph import Graph, Resource
from hld.stack import PROJECT_ROOT

ENTRY_POINT = PROJECT_ROOT / "stacks" / "__main__.py"
PROJECT = "hld"
ACCOUNT = "123456789012"


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


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that also keeps what the plain one drops: parent, provider, options."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
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
                exercised=bool(getattr(self.mocks, "exercised", {}).get(f"{request.type}::{request.name}")),
                id=str(response.id or ""),
            )
        )
        return response


def _arn(service: str, region: str, kind: str, name: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{kind}{name}"


class EchoMocks(pulumi.runtime.Mocks):
    """Plain mocks: inputs echoed back, with the computed attributes AWS would add
    (ARNs, DNS names, endpoints), shaped like the real ones, so references resolve.

    Names are made and refused as pulumi-aws makes and refuses them (generators.aws.naming):
    an auto-name is the logical name, a separator and 7 characters, never shortened, and a name
    over a resource's limit or outside its character rules fails the run."""

    cloud = "mocks"

    def __init__(self, stack: str = "stack") -> None:
        self.stack = stack
        self.regions: dict[str, str] = {}
        self.exercised: dict[str, bool] = {}
        self.rejected: list[str] = []

    def start(self) -> int:
        """Called before a run: the moto session generation (0: no moto state)."""
        return 0

    def reject(self, message: str) -> CloudRejected:
        self.rejected.append(message)
        return CloudRejected(message)

    def named(self, typ: str, name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
        """`inputs` with the physical name the provider gives the resource; refuses a name the
        provider or AWS would refuse."""
        from generators.aws.naming import NAMING, RANDOM, SNAPSHOT, provider_error

        rule = NAMING.get(typ)
        out = inputs
        if rule is not None:
            physical = inputs.get(rule.prop)
            if not physical:
                logical = name.lower() if rule.lower else name
                if rule.autonamed and len(logical) + len(rule.separator) + RANDOM > rule.provider_max:
                    raise self.reject(f"pulumi-aws refused {typ} {name!r}: {provider_error(typ, logical, rule)}")
                digest = hashlib.sha1(f"{self.stack}/{name}".encode()).hexdigest()
                physical = (
                    f"{rule.prefix}{logical}{rule.separator}{digest[:RANDOM]}"
                    if rule.autonamed
                    else f"tf-{digest[:24]}"
                )
                if typ == "aws:sqs/queue:Queue" and inputs.get("fifoQueue"):
                    physical += ".fifo"  # the provider's own suffix for FIFO queues
                out = {**inputs, rule.prop: physical}
            problem = rule.problem(str(physical))
            if problem:
                raise self.reject(f"AWS rejected {typ} {name!r} in {region}: InvalidParameterValue: {problem}")
        snapshot = inputs.get(SNAPSHOT.prop)
        if snapshot and (problem := SNAPSHOT.problem(str(snapshot))):
            raise self.reject(
                f"AWS rejected {typ} {name!r} in {region}: InvalidParameterValue: final snapshot {problem}"
            )
        return out

    def region_of(self, provider: str | None) -> str:
        if not provider:
            return "us-east-1"
        return self.regions.get(provider.split("::")[-1], self.regions.get(provider, "us-east-1"))

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:providers:aws":
            rid = f"{name}-provider"
            self.regions[rid] = inputs.get("region", "us-east-1")
            return rid, inputs
        region = self.region_of(args.provider)
        if typ.startswith("aws:"):
            inputs = self.named(typ, name, inputs, region)
        rid, state = self.computed(typ, name, inputs, region)
        return rid, {**inputs, **state}

    def computed(self, typ: str, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        service = typ.split(":")[1].split("/")[0]
        physical = (
            inputs.get("name")
            or inputs.get("identifier")
            or inputs.get("bucket")
            or inputs.get("replicationGroupId")
            or inputs.get("clusterIdentifier")
            or f"{name}-0000000"
        )
        state: dict[str, Any] = {"arn": _arn(service, region, "", physical), "region": region}
        rid = str(physical)
        if typ == "aws:acm/certificate:Certificate":
            state["domainValidationOptions"] = [
                {
                    "domainName": inputs["domainName"],
                    "resourceRecordName": f"_x1.{inputs['domainName']}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": "_x2.acm-validations.aws.",
                }
            ]
        elif typ == "aws:lb/loadBalancer:LoadBalancer":
            state |= {
                "dnsName": f"{name}.{region}.elb.amazonaws.com",
                "zoneId": "Z35SXDOTRQ7X7K",
                "arnSuffix": f"app/{name}/1",
            }
        elif typ == "aws:lb/targetGroup:TargetGroup":
            state["arnSuffix"] = f"targetgroup/{name}/1"
        elif typ == "aws:rds/instance:Instance":
            state |= {
                "address": f"{name}.abc.{region}.rds.amazonaws.com",
                "identifier": physical,
                "masterUserSecrets": [{"secretArn": _arn("secretsmanager", region, "secret:", f"rds!{name}")}],
            }
        elif typ == "aws:rds/cluster:Cluster":
            state |= {
                "endpoint": f"{name}.cluster-abc.{region}.rds.amazonaws.com",
                "readerEndpoint": f"{name}.cluster-ro-abc.{region}.rds.amazonaws.com",
                "masterUserSecrets": [{"secretArn": _arn("secretsmanager", region, "secret:", f"rds!{name}")}],
            }
        elif typ == "aws:cloudfront/distribution:Distribution":
            state |= {"domainName": "d111111abcdef8.cloudfront.net", "hostedZoneId": "Z2FDTNDATAQYW2"}
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            state |= {
                "primaryEndpointAddress": f"master.{name}.cache.amazonaws.com",
                "readerEndpointAddress": f"replica.{name}.cache.amazonaws.com",
            }
        elif typ == "aws:sqs/queue:Queue":
            state["url"] = f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{physical}"
        elif typ == "aws:s3/bucket:Bucket":
            state["bucket"] = physical
        elif typ == "aws:route53/record:Record":
            state["fqdn"] = inputs.get("name")
        elif typ == "aws:acm/certificateValidation:CertificateValidation":
            state["certificateArn"] = inputs.get("certificateArn")
        elif typ == "aws:kms/key:Key":
            state["keyId"] = f"{name}-key-id"
            rid = state["keyId"]
        state.setdefault("name", physical)
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "aws:route53/getZone:getZone":
            return {"zoneId": "Z0HLDEXAMPLE", "name": args.args.get("name")}, []
        if args.token == "aws:secretsmanager/getRandomPassword:getRandomPassword":
            return {"randomPassword": "generated-in-the-mock-runtime"}, []
        return {}, []


@dataclass
class Result:
    graph: Graph
    outputs: dict[str, Any]
    stack: str
    config: dict[str, str] = field(default_factory=dict)
    cloud: str = "mocks"  # mocks (inputs echoed) | moto (created in moto's AWS)
    generation: int = 0

    def client(self, service: str, region: str) -> Any:
        """A boto3 client onto the moto state of this run (moto-backed runs only)."""
        if self.cloud != "moto":
            raise ValueError("client() reads moto's state: synthesize with cloud='moto'")
        from hld.cloud import Session

        return Session.client(self.generation, service, region)

    def coverage(self) -> Any:
        """Resources exercised through a real moto API vs recorded only, by type."""
        from hld.cloud import Coverage

        cov = Coverage()
        for r in self.graph.resources:
            if r.custom and r.type != "pulumi:providers:aws":
                bucket = cov.exercised if r.exercised else cov.recorded
                bucket[r.type] = bucket.get(r.type, 0) + 1
        return cov

    @functools.cached_property
    def plan(self) -> Any:
        """The Plan the program deployed (planning is deterministic: same config, same plan)."""
        return _plan(self.config, self.stack)

    def checks(self, keys: Any = None) -> list[Any]:
        """The named checks (hld.checks) over this run."""
        from hld.checks import Run, evaluate

        return evaluate(Run(self.plan, self.graph, self.outputs), keys)


@contextlib.contextmanager
def _environment(config: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS")}
    os.environ["PULUMI_CONFIG"] = json.dumps(config)
    os.environ.pop("PULUMI_CONFIG_SECRET_KEYS", None)
    loop = asyncio.new_event_loop()
    # a failed program leaves tasks whose exceptions the run reports itself (SynthError):
    # asyncio must not print them again as "never retrieved" tracebacks
    loop.set_exception_handler(lambda _loop, _context: None)
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
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


def _entry_point() -> None:
    runpy.run_path(str(ENTRY_POINT), run_name="__main__")


def run(
    config: dict[str, str],
    stack: str,
    mocks: EchoMocks | None = None,
    program: Callable[[], object] = _entry_point,
) -> Result:
    """Run `program` (default: stacks/__main__.py, the file Pulumi runs) with `config`
    (as `pulumi config` holds it) under mocks."""
    with _young_collections_only():
        return _run(config, stack, mocks or EchoMocks(), program)


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


def _run(config: dict[str, str], stack: str, mocks: EchoMocks, program: Callable[[], object]) -> Result:
    generation = mocks.start()
    monitor = RecordingMonitor(mocks)
    with _environment(config):
        CONFIG.set({})
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
        # the SDK keeps tracked outputs and queued RPCs in context properties that a new
        # settings bag does not replace: start each run from empty ones, so nothing of an
        # earlier (failed) run, bound to its closed event loop, is awaited by this one
        pulumi_settings.SETTINGS.outputs = set()
        pulumi_settings.SETTINGS.rpc_manager = RPCManager()  # type: ignore[no-untyped-call]
        try:
            program()
            _sync_await(_settle())
        except Exception as exc:
            _drain()
            if mocks.rejected:  # the cloud's first refusal, whatever the program made of it
                raise CloudRejected(mocks.rejected[0]) from None
            if isinstance(exc, pulumi.RunError | SynthError):
                raise SynthError(str(exc)) from None
            raise
        if monitor.duplicates:
            raise SynthError(
                "duplicate resource URNs (two resources of one type share a name): " + ", ".join(monitor.duplicates)
            )
        root = pulumi_settings.get_root_resource()
        outputs = _resolve(dict(getattr(root, "outputs", {}) or {}))
    cloud = mocks.cloud
    return Result(
        graph=_graph(monitor, mocks),
        outputs=outputs,
        stack=stack,
        config=dict(config),
        cloud=cloud,
        generation=generation,
    )


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


def _graph(monitor: RecordingMonitor, mocks: EchoMocks) -> Graph:
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
            )
        )
    return Graph(_tree_order(resources))


def _tree_order(resources: list[Resource]) -> list[Resource]:
    """Parents before children, siblings by (type, name): the same program gives the same order."""
    urns = {r.urn for r in resources}
    children: dict[str, list[Resource]] = {}
    for r in resources:
        children.setdefault(r.parent_urn if r.parent_urn in urns else "", []).append(r)
    out: list[Resource] = []
    stack = sorted(children.get("", []), key=lambda r: (r.type, r.name), reverse=True)
    while stack:
        node = stack.pop()
        out.append(node)
        stack += sorted(children.get(node.urn, []), key=lambda r: (r.type, r.name), reverse=True)
    return out


def stack_config(stack: str) -> dict[str, str]:
    """The config of stacks/Pulumi.<stack>.yaml, as the CLI would put it in PULUMI_CONFIG."""
    import yaml

    path = PROJECT_ROOT / "stacks" / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in path.parent.glob("Pulumi.*.yaml"))
        raise SynthError(f"no stack {stack!r} (stacks/Pulumi.{stack}.yaml); stacks: {', '.join(known)}")
    data = yaml.safe_load(path.read_text()) or {}
    return {str(k): str(v) for k, v in (data.get("config") or {}).items()}


def mocks_for(cloud: str, stack: str) -> EchoMocks:
    if cloud == "moto":
        from hld.cloud import MotoMocks

        return MotoMocks(stack)
    if cloud == "mocks":
        return EchoMocks(stack)
    raise SynthError(f"unknown cloud {cloud!r}; use moto or mocks")


def synth_stack(stack: str, blueprint: str | Path | None = None, cloud: str = "mocks") -> Result:
    config = stack_config(stack)
    if blueprint is not None:
        config["hld:blueprint"] = str(Path(blueprint).resolve())
    return run(config, stack, mocks_for(cloud, stack))


def synth_blueprint(
    blueprint: str | Path, environment: str = "production", stack: str = "synth", cloud: str = "mocks"
) -> Result:
    config = {
        "hld:blueprint": str(Path(blueprint).resolve()),
        "hld:target": "aws",
        "hld:environment": environment,
    }
    return run(config, stack, mocks_for(cloud, stack))

"""The moto AWS of a run, and the boto3 clients that talk to it.

A moto-backed run gets an AWS of its own, up only while it runs (and, afterwards, while a call
reads its state back), and leaves the process as it found it: the environment (hld.offline.seal),
moto's patching and configuration, hld's speed-ups to moto (hld.offline.moto.speedups) and a
user's own moto state (hld.offline.moto.state).

hld never starts moto's mock (`mock_aws`/`MockAWS`), which patches the whole process (every
boto3 client, `requests`, boto3's default session, the credentials in the environment) and shares
one state with any mock a user has started. hld's own clients are wired to moto's request handler
instead (`guarded`); a run's state is brought up only for the run, then for each call that
reads it back:

- `Session.run()`: a fresh state for one run. It seals the environment, applies the speed-ups,
  sets moto's configuration to moto's defaults (`MOTO_CONFIG`: no passthrough, every service
  mocked, whatever a user's own mock configured), moves whatever state moto holds aside (a
  user's, inside their own `with mock_aws():`), and lets the run create its resources in empty
  backends; on exit it keeps the run's state outside moto and puts back the user's state and
  configuration, the environment and moto's own modules.
- `Session.using(generation)`: the same bring-up for a call onto a kept state (`Result.client`,
  the checks' clients, all `Sealed`), and down again after it; nested uses share one.

Between them nothing of hld's is active: a user's boto3 call is not intercepted by hld, a user's
mock sees only its own state, and moto's patching is whatever the user made it. The state of the
latest moto-backed run is kept, until the next one or `Session.stop()`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import threading
import types
from collections.abc import Iterator
from typing import Any, cast

from hld.offline.moto.speedups import quickened
from hld.offline.moto.state import MotoState, put, take
from hld.offline.seal import ENVIRONMENT, OfflineLeak, sealed

CREDENTIALS = ENVIRONMENT
"""The environment of an offline run (hld.offline.seal.ENVIRONMENT): throwaway credentials."""
MOTO_CONFIG: dict[str, Any] = {
    "batch": {"use_docker": True},
    "lambda": {"use_docker": True},
    "core": {
        "mock_credentials": True,
        "passthrough": {"urls": [], "services": []},
        "reset_boto3_session": True,
        "service_whitelist": None,
    },
    "iam": {"load_aws_managed_policies": False},
    "stepfunctions": {"execute_state_machine": False},
    "iot": {"use_valid_cert": False},
}
"""moto's configuration for hld's runs: moto's defaults (moto.core.config.default_user_config)."""
SIGNED = frozenset({"sqs"})
"""Services moto places in a region by the request's signature, not its endpoint."""
_CLIENTS: dict[tuple[str, str], Any] = {}
CLIENTS_LOCK = threading.Lock()
MOTO_LOCK = threading.RLock()
_ACTIVATION = threading.RLock()
_SESSION: list[Any] = []  # one boto3 session: its loader caches the service and endpoint models
GONE = (
    "this run's moto state is gone: a newer moto-backed run (or hld.offline.moto.Session.stop) replaced it; "
    "read the state back before starting the next run"
)


def guarded(client: Any) -> Any:
    """`client` (a botocore client) answered by moto's backends and nothing else.

    Every botocore client gets moto's stubber from botocore's built-in handlers; it answers only
    while a `mock_aws` is active, and passes on what it does not serve, which botocore then sends
    to the endpoint (or proxy) it resolved. hld's clients have it replaced by `from_moto`: a
    request goes to moto's request handler directly (hld never turns moto's process-wide patching
    on, so no user's boto3 call is ever intercepted by hld), only while a run's state is up, and
    a request moto does not answer is refused with OfflineLeak, never sent."""
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse
    from moto.core.models import botocore_stubber

    def from_moto(request: Any, **_: Any) -> Any:
        if not Session.active:
            raise OfflineLeak(f"hld's offline run refused to send {request.method} {request.url}: no run's state is up")
        answer = botocore_stubber.process_request(request)
        if answer is None:
            raise OfflineLeak(
                f"hld's offline run refused to send {request.method} {request.url}: moto did not answer it, "
                "and an offline run sends nothing out of the process"
            )
        status, headers, body = answer
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    client.meta.events.unregister("before-send", botocore_stubber)
    client.meta.events.register("before-send", from_moto, unique_id="hld-offline-from-moto")
    return client


def _session() -> Any:
    """hld's one boto3 session, made (like every client of it) inside the seal: it reads no
    profile, config file or endpoint of the user's."""
    if not _SESSION:
        import boto3

        _SESSION.append(
            boto3.session.Session(
                aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=CREDENTIALS["AWS_SESSION_TOKEN"],
            )
        )
    return _SESSION[0]


def signed_client(service: str, region: str, credentials: dict[str, str]) -> Any:
    """A client signed with `credentials` (e.g. an assumed role's, for moto's access control),
    made from the process's one session: a new session reparses botocore's endpoint and service
    models (about 0.1 s a client). Its calls run in the latest moto-backed run's state."""
    with CLIENTS_LOCK, sealed():
        made = _session().client(
            service,
            region_name=region,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    return Sealed(guarded(made), Session.active or Session.generation)


def _raw(service: str, region: str) -> Any:
    """One boto3 client per service and region for the process: creating clients is slow, and
    not thread-safe (the mock monitor registers resources from a thread pool). Made sealed (the
    user's environment never reaches a client's endpoint, proxies or credentials), and guarded:
    a request moto does not answer is refused."""
    key = (service, region)
    with CLIENTS_LOCK:
        if key not in _CLIENTS:
            import botocore
            import botocore.config

            # unsigned: moto checks no signature, and SigV4 signing was a tenth of each request's
            # time; moto reads the region from the endpoint, as AWS routes it, except SQS, whose
            # requests moto places by the signature's region (unsigned, every queue landed in
            # us-east-1, with a us-east-1 ARN): SQS is signed
            config = None if service in SIGNED else botocore.config.Config(signature_version=botocore.UNSIGNED)
            with sealed():
                _CLIENTS[key] = guarded(_session().client(service, region_name=region, config=config))
        return _CLIENTS[key]


SERVICES = (
    "acm",
    "application-autoscaling",
    "backup",
    "cloudfront",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "ecs",
    "elasticache",
    "elbv2",
    "fis",
    "iam",
    "kms",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
)
"""The AWS services hld's handlers and checks call (tests/aws/moto/test_process.py holds it to them)."""
GLOBAL = frozenset({"cloudfront", "iam", "route53", "sts"})
"""Services whose clients hld makes in us-east-1 only."""


def warm(regions: list[str]) -> None:
    """Load ahead what a run's first requests would load: moto's backend module and service
    model of each service (kept by moto for the process), and hld's client of each service in
    each of `regions` (kept by hld). Nothing here makes state: no backend is created and no
    request is made, so the run's moto state is the same with or without it; only sooner ready.
    Called while the program, in its own process, is still loading (hld.offline.process)."""
    from moto.backends import get_backend
    from moto.core.utils import get_service_model

    for service in SERVICES:
        get_backend(service)  # type: ignore[call-overload]
        get_service_model(service)
        for region in ["us-east-1"] if service in GLOBAL else regions:
            _raw(service, region)


def client(service: str, region: str) -> Any:
    """A client onto the moto state of the run under way (or the latest run's)."""
    return Sealed(_raw(service, region), Session.active or Session.generation)


class Sealed:
    """A boto3 client (or one of its paginators, page iterators, waiters) whose every call runs
    with its run's moto state up (`Session.using`): between calls, nothing of hld's is active."""

    __slots__ = ("_generation", "_target")

    def __init__(self, target: Any, generation: int) -> None:
        self._target = target
        self._generation = generation

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not inspect.ismethod(attr):
            return attr
        generation = self._generation

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            with Session.using(generation):
                return _sealed(attr(*args, **kwargs), generation)

        return call

    def __iter__(self) -> Iterator[Any]:
        with Session.using(self._generation):
            items = iter(self._target)
        while True:
            with Session.using(self._generation):
                try:
                    item = next(items)
                except StopIteration:
                    return
            yield item

    def __repr__(self) -> str:
        return f"<hld offline run {self._generation}: {self._target!r}>"


def _sealed(value: Any, generation: int) -> Any:
    from botocore.paginate import PageIterator, Paginator
    from botocore.waiter import Waiter

    if isinstance(value, Paginator | PageIterator | Waiter | types.GeneratorType):
        return Sealed(value, generation)
    return value


class Session:
    """hld's moto AWS (see the module's docstring): `run()` for a run, `using(generation)` for a
    call onto a run's state afterwards; the latest run's state is kept until the next run or
    `stop()`."""

    generation = 0
    """The latest moto-backed run's."""
    active = 0
    """The run whose state moto holds now (0: none of hld's)."""
    kept: MotoState | None = None
    """The latest run's state, held outside moto while no call is using it."""
    _dropped = False

    @classmethod
    @contextlib.contextmanager
    def run(cls) -> Iterator[int]:
        """A fresh moto AWS for the block (one run); yields its generation."""
        cls.stop()
        cls.generation += 1
        with cls._up(cls.generation, MotoState()):
            yield cls.generation

    @classmethod
    def holds(cls, generation: int) -> bool:
        """Whether the state of run `generation` is still kept (the latest run's, not stopped)."""
        return bool(generation) and generation == cls.generation and (cls.kept is not None or cls.active == generation)

    @classmethod
    @contextlib.contextmanager
    def using(cls, generation: int) -> Iterator[None]:
        """moto holding run `generation`'s state for the block (already, inside a run or a call)."""
        if cls.active:
            if cls.active != generation:
                raise RuntimeError(GONE)
            yield
            return
        with _ACTIVATION:
            if not cls.holds(generation) or cls.kept is None:
                raise RuntimeError(GONE)
            state, cls.kept = cls.kept, None
            with cls._up(generation, state):
                yield

    @classmethod
    @contextlib.contextmanager
    def _up(cls, generation: int, state: MotoState) -> Iterator[None]:
        """moto holding `state` for the block, with hld's configuration and speed-ups, in the
        sealed environment; then everything as it was (the user's state, configuration, moto)."""
        from moto.core.config import default_user_config as moto_config

        default_user_config = cast(dict[str, Any], moto_config)
        with _ACTIVATION, sealed(), quickened():
            configured = copy.deepcopy(default_user_config)
            theirs = take()
            try:
                default_user_config.clear()
                default_user_config.update(copy.deepcopy(MOTO_CONFIG))
                put(state)
                cls.active, cls._dropped = generation, False
                try:
                    yield
                finally:
                    cls.active = 0
                    ours = take()
                    if generation == cls.generation and not cls._dropped:
                        cls.kept = ours
            finally:
                put(theirs)
                default_user_config.clear()
                default_user_config.update(configured)

    @classmethod
    def stop(cls) -> None:
        """Drop the latest run's state (a run's result can no longer read it back)."""
        cls.kept = None
        cls._dropped = bool(cls.active)

    @classmethod
    def client(cls, generation: int, service: str, region: str) -> Any:
        if not cls.holds(generation):
            raise RuntimeError(GONE)
        return Sealed(_raw(service, region), generation)  # cached: a new client costs ~0.1 s (botocore's models)

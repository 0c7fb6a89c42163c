"""The moto session of a run and the boto3 clients that talk to it."""

from __future__ import annotations

import os
import threading
from typing import Any

from hld.offline.moto.speedups import quicken_moto

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "hld-offline",
    "AWS_SECRET_ACCESS_KEY": "hld-offline",
    "AWS_SESSION_TOKEN": "hld-offline",
    "AWS_DEFAULT_REGION": "us-east-1",
    # the aws target launches no EC2 instances: skip moto's ~1,300 default AMIs (0.7 s a run)
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
SIGNED = frozenset({"sqs"})
"""Services moto places in a region by the request's signature, not its endpoint."""
_CLIENTS: dict[tuple[str, str], Any] = {}
CLIENTS_LOCK = threading.Lock()
MOTO_LOCK = threading.RLock()
_SESSION: list[Any] = []  # one boto3 session: its loader caches the service and endpoint models


def _session() -> Any:
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
    models (about 0.1 s a client)."""
    with CLIENTS_LOCK:
        return _session().client(
            service,
            region_name=region,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )


def client(service: str, region: str) -> Any:
    """One boto3 client per service and region for the process: creating clients is slow, and
    not thread-safe (the mock monitor registers resources from a thread pool). moto intercepts
    every client's requests while a session is up, whenever the client was made."""
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
            _CLIENTS[key] = _session().client(service, region_name=region, config=config)
        return _CLIENTS[key]


class Session:
    """The moto AWS of the latest moto-backed run. It stays up after the run, so a test can
    read the state back (`Result.client`), until the next run starts a fresh one or `stop()`.
    While it is up, boto3 in this process talks to moto, with throwaway credentials."""

    mock: Any = None
    generation = 0
    saved: dict[str, str | None] = {}  # noqa: RUF012 (class-level session state)

    @classmethod
    def start(cls) -> int:
        from moto import mock_aws

        cls.stop()
        quicken_moto()
        cls.saved = {k: os.environ.get(k) for k in CREDENTIALS}
        os.environ.update(CREDENTIALS)
        cls.mock = mock_aws()
        cls.mock.start(reset=True)
        cls.generation += 1
        return cls.generation

    @classmethod
    def stop(cls) -> None:
        if cls.mock is None:
            return
        cls.mock.stop()
        cls.mock = None
        for k, v in cls.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    @classmethod
    def client(cls, generation: int, service: str, region: str) -> Any:
        if cls.mock is None or generation != cls.generation:
            raise RuntimeError(
                "this run's moto state is gone: a newer moto-backed run (or hld.offline.moto.Session.stop) replaced it; "
                "read the state back before starting the next run"
            )
        return client(service, region)  # cached: a new client costs ~0.1 s (botocore's models)

"""The seal: an offline run is cut off from the user's AWS environment, and the process is left as
the run found it.

Offline means offline. A user's shell carries AWS settings meant for a real account, a
LocalStack or a proxy: a profile, credentials, endpoint URLs, a CA bundle, proxies, an instance
metadata service. botocore honours all of them, whoever makes the client, so an offline run that
inherited them would fail on a profile that does not exist, or send its requests to the endpoint
they name and create real resources there. For the duration of every offline run (and of every
call onto an offline run's state afterwards), `sealed()`:

- saves the whole environment, then removes every variable botocore, boto3 and moto read that
  could change where a request goes or whose it is: every `AWS_*` (profiles, credentials,
  `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CA_BUNDLE`, `AWS_ENDPOINT_URL` and each
  `AWS_ENDPOINT_URL_<SERVICE>`, FIPS and dual-stack switches, container and web-identity
  credentials, `AWS_DATA_PATH`...), every `BOTO_*` and `BOTOCORE_*` (a boto2 config, plugins),
  every `MOTO_*` and moto's server and proxy modes, every proxy (`HTTP_PROXY`, `HTTPS_PROXY`,
  `NO_PROXY`, `ALL_PROXY`, in either case) and the CA bundles requests and curl read; the prefixes,
  not a list, so a variable a later botocore adds is removed too (tests/aws/moto/test_sealed.py
  checks every name the installed botocore reads);
- sets the run's own fixed values (`ENVIRONMENT`): throwaway credentials, us-east-1, config
  and credentials files that are empty (os.devnull), configured endpoint URLs ignored, the
  instance metadata service off;
- sets boto3's cached default session aside (a session made before the run keeps the profile
  and config it was made with);

and on exit restores the environment exactly (a variable that was absent is absent again) and
boto3's default session. And every client hld makes sends its requests to moto only: one that
moto does not answer is refused (`OfflineLeak`) before anything is sent
(hld.offline.moto.clients.guarded), so even a gap in the seal cannot reach a network.

Seals nest: only the outermost one saves and restores.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Mapping

from hld.errors import SynthError

PREFIXES = ("AWS_", "BOTO_", "BOTOCORE_", "MOTO_")
"""Variables read by botocore (AWS_*, BOTO_*, BOTOCORE_*) and moto (MOTO_*): all removed."""
NAMES = frozenset(
    {
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "SSLKEYLOGFILE",
        "_X_AMZN_TRACE_ID",
        "TEST_SERVER_MODE",
        "TEST_SERVER_MODE_ENDPOINT",
        "TEST_PROXY_MODE",
        "INITIAL_NO_AUTH_ACTION_COUNT",
    }
)
"""Other variables they read: CA bundles, the TLS key log, the trace header, moto's modes."""
PROXY_SUFFIX = "_PROXY"
"""urllib (and so botocore) takes a proxy from any `<scheme>_proxy` variable, and `no_proxy`."""

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "hld-offline",
    "AWS_SECRET_ACCESS_KEY": "hld-offline",
    "AWS_SESSION_TOKEN": "hld-offline",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "BOTO_CONFIG": os.devnull,
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
    "AWS_EC2_METADATA_DISABLED": "true",
    # the aws target launches no EC2 instances: skip moto's ~1,300 default AMIs (0.7 s a run)
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
"""What an offline run sees instead: fixed, throwaway, pointing nowhere."""


def removed(name: str) -> bool:
    """Whether the seal removes the variable `name` (a user's AWS, proxy or moto setting)."""
    upper = name.upper()
    return upper.startswith(PREFIXES) or upper.endswith(PROXY_SUFFIX) or upper in NAMES


class OfflineLeak(SynthError):
    """A request of an offline run that moto did not answer: refused, never sent."""


_LOCK = threading.RLock()
_DEPTH = [0]


def is_sealed() -> bool:
    return _DEPTH[0] > 0


@contextlib.contextmanager
def sealed() -> Iterator[None]:
    """The offline environment for the block (see the module's docstring); the user's afterwards."""
    saved: dict[str, str] = {}
    boto3 = default_session = None
    with _LOCK:
        _DEPTH[0] += 1
        outermost = _DEPTH[0] == 1
        if outermost:
            saved = dict(os.environ)
            boto3 = sys.modules.get("boto3")
            default_session = getattr(boto3, "DEFAULT_SESSION", None)
            try:
                _replace(saved)
                if boto3 is not None:
                    setattr(boto3, "DEFAULT_SESSION", None)  # noqa: B010 (boto3's typing has no such attribute)
            except BaseException:
                _restore(saved)
                _DEPTH[0] -= 1
                raise
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH[0] -= 1
            if outermost:
                if boto3 is not None:
                    setattr(boto3, "DEFAULT_SESSION", default_session)  # noqa: B010
                _restore(saved)


def _replace(found: Mapping[str, str]) -> None:
    for name in [n for n in found if removed(n)]:
        del os.environ[name]
    os.environ.update(ENVIRONMENT)


def _restore(saved: Mapping[str, str]) -> None:
    """The environment exactly as `saved`: what the block added is removed, what it changed or
    removed is put back."""
    for name in [n for n in os.environ if n not in saved]:
        del os.environ[name]
    for name, value in saved.items():
        if os.environ.get(name) != value:
            os.environ[name] = value

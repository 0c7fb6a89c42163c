"""Offline means offline: an offline run ignores the user's AWS environment (profiles, credentials,
config files, endpoints, proxies) and restores it afterwards; no request leaves the process; and
`hld.testing.synth` leaves the process as it found it: the environment, moto's patching, hld's
speed-ups to moto, and the state of a user's own `mock_aws`."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hld.offline.seal import OfflineLeak, removed, sealed
from hld.testing import synth
from tests.helpers import DESIGNS, EXAMPLES, ROOT

SITE = DESIGNS / "static-site.yaml"  # the smallest moto-backed run: S3, CloudFront, KMS, ACM, IAM
HLD = [sys.executable, "-m", "hld.cli"]


class Server(http.server.ThreadingHTTPServer):
    """A local HTTP server that counts every connection made to it (as an endpoint or a proxy)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Counting)
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Counting(http.server.BaseHTTPRequestHandler):
    timeout = 5  # a connection left open cannot hold the server

    def handle(self) -> None:
        self.server.hits.append(str(self.client_address))  # type: ignore[attr-defined]
        super().handle()

    def _refuse(self) -> None:
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_CONNECT = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


@functools.cache
def endpoint_variables() -> frozenset[str]:
    """`AWS_ENDPOINT_URL_<SERVICE>` for every service the installed botocore knows, named as
    botocore names them."""
    import botocore.session
    from botocore.configprovider import ConfiguredEndpointProvider

    services = botocore.session.Session().get_available_services()  # first called before any bogus profile is set
    return frozenset(ConfiguredEndpointProvider({}, {}, s)._get_service_env_var_name() for s in services)


def users_aws(tmp: Path, url: str) -> dict[str, str]:
    """A user's AWS environment aimed at `url`: a profile that does not exist, credentials, config
    and credentials files naming that endpoint, every endpoint variable, proxies, metadata
    services, a CA bundle that does not exist."""
    config = tmp / "config"
    config.write_text(f"[default]\nregion = eu-west-3\nendpoint_url = {url}\n[profile other]\nendpoint_url = {url}\n")
    credentials = tmp / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIAUSERS\naws_secret_access_key = users-secret\n")
    env = {
        "AWS_PROFILE": "nonexistent",
        "AWS_DEFAULT_PROFILE": "nonexistent",
        "AWS_ACCESS_KEY_ID": "AKIAUSERS",
        "AWS_SECRET_ACCESS_KEY": "users-secret",
        "AWS_SESSION_TOKEN": "users-token",
        "AWS_REGION": "eu-west-3",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CA_BUNDLE": str(tmp / "no-such-ca.pem"),
        "AWS_ENDPOINT_URL": url,
        "AWS_USE_FIPS_ENDPOINT": "true",
        "AWS_USE_DUALSTACK_ENDPOINT": "true",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": url,
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"{url}/credentials",
        "AWS_ROLE_ARN": "arn:aws:iam::999999999999:role/users",
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp / "token"),
        "HTTP_PROXY": url,
        "HTTPS_PROXY": url,
        "ALL_PROXY": url,
        "http_proxy": url,
        "https_proxy": url,
        "NO_PROXY": "",
    }
    return env | dict.fromkeys(endpoint_variables(), url)


def intercepted() -> bool:
    """Whether moto answers a plain boto3 call made in this process (a mock is patching it):
    a handler of the call's own, last in line, answers only when moto does not."""
    import boto3
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    body = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        "<Arn>arn:aws:iam::999999999999:user/u</Arn><UserId>U</UserId><Account>999999999999</Account>"
        "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    )
    sts = boto3.session.Session(aws_access_key_id="u", aws_secret_access_key="u").client("sts", region_name="us-east-1")
    sts.meta.events.register_last(
        "before-send", lambda request, **_: AWSResponse(request.url, 200, {}, MockRawResponse(body))
    )
    return bool(sts.get_caller_identity()["Account"] != "999999999999")


def names(listed: dict[str, Any]) -> list[str]:
    return sorted(b["Name"] for b in listed["Buckets"])


# --- the user's environment ----------------------------------------------------------------


def test_verify_and_synth_ignore_the_users_aws_environment_and_send_nothing(server: Server, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not removed(k)} | users_aws(tmp_path, server.url)
    url = str(EXAMPLES / "url-shortener.yaml")
    commands = {
        "verify": [*HLD, "verify", url, "--stack", "url-shortener-prod", "--json"],
        "synth": [*HLD, "synth", url, "--stack", "url-shortener-prod", "--json"],
    }
    children = {
        name: subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, args in commands.items()
    }
    done = {name: (child, *child.communicate(timeout=300)) for name, child in children.items()}
    for name, (child, _out, err) in done.items():
        assert child.returncode == 0, f"hld {name}: {err[-3000:]}"
        assert "Traceback" not in err
    assert json.loads(done["verify"][1])["ok"] is True
    assert server.hits == []


def test_every_variable_botocore_reads_is_sealed_off_and_restored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The seal removes every environment variable the installed botocore reads (found in its
    source, not listed by hand), and every proxy, and restores each exactly after."""
    import botocore
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    read: set[str] = set()
    for path in Path(botocore.__file__).parent.rglob("*.py"):
        text = "\n".join(line for line in path.read_text().splitlines() if ">>>" not in line)  # not doctests
        read |= set(re.findall(r"""['"]((?:AWS|BOTO)[A-Z0-9]*_[A-Z0-9_]+)['"]""", text))
        read |= set(re.findall(r"""environ(?:\.get)?[(\[]\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""", text))
    for _, variables, _, _ in BOTOCORE_DEFAUT_SESSION_VARIABLES.values():
        read |= {variables} if isinstance(variables, str) else set(variables or ())
    assert {"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "SSLKEYLOGFILE", "REQUESTS_CA_BUNDLE"} <= read
    assert [n for n in sorted(read) if not removed(n)] == []

    users = users_aws(tmp_path, "http://127.0.0.1:9") | dict.fromkeys(read, "users") | {"UNRELATED": "kept"}
    for name, value in users.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_STS_REGIONAL_ENDPOINTS")  # absent before: absent after
    before = dict(os.environ)
    with sealed():
        inside = dict(os.environ)
        os.environ["AWS_ADDED_INSIDE"] = "x"
    assert dict(os.environ) == before
    assert inside["UNRELATED"] == "kept"
    assert {k: v for k, v in inside.items() if users.get(k) == v and k != "UNRELATED"} == {}
    assert inside["AWS_CONFIG_FILE"] == inside["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert inside["AWS_EC2_METADATA_DISABLED"] == "true"
    assert "AWS_PROFILE" not in inside and "HTTPS_PROXY" not in inside and "https_proxy" not in inside


# --- hld.testing.synth leaves the process as it found it -----------------------------------


def test_synth_leaves_the_environment_and_moto_as_it_found_them(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from moto.core.models import MockAWS, botocore_stubber

    users = users_aws(tmp_path, server.url)
    for name, value in users.items():
        monkeypatch.setenv(name, value)
    before = dict(os.environ)
    result = synth(SITE)
    assert dict(os.environ) == before
    assert not botocore_stubber.enabled and MockAWS._nested_count == 0
    s3 = result.client("s3", "us-east-1")
    ours = names(s3.list_buckets())  # the run's state reads back, through a paginator and a waiter too
    assert ours and all(n.startswith("docs-site-") for n in ours)
    assert [p["KeyCount"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=ours[0])] == [0]
    s3.get_waiter("bucket_exists").wait(Bucket=ours[0])
    assert dict(os.environ) == before
    assert server.hits == []
    for name in users:
        monkeypatch.delenv(name)
    assert not intercepted()  # a boto3 call of the user's after the synth: moto does not answer it


def test_a_synth_inside_a_users_mock_keeps_the_users_state_and_credentials() -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="users-own-bucket")
        before = dict(os.environ)  # the user's mock's credentials
        result = synth(SITE)
        assert dict(os.environ) == before
        assert names(s3.list_buckets()) == ["users-own-bucket"]  # not wiped, and hld's not in it
        ours = names(result.client("s3", "us-east-1").list_buckets())
        assert ours and "users-own-bucket" not in ours
        assert names(s3.list_buckets()) == ["users-own-bucket"]
        assert dict(os.environ) == before
        assert intercepted()  # the user's mock is still patching
    assert not intercepted()


def test_hlds_speedups_to_moto_do_not_outlive_its_run() -> None:
    """hld's runs reuse one RSA key for every KMS key (a speed-up); a user's own moto test in the
    same process, after a synth, gets a fresh key for each."""
    import boto3
    from moto import mock_aws

    def public_keys(kms: Any) -> set[bytes]:
        made = [kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"] for _ in range(2)]
        return {kms.get_public_key(KeyId=k)["PublicKey"] for k in made}

    import moto.core.loaders
    import moto.core.utils

    result = synth(SITE)
    assert len(public_keys(result.client("kms", "us-east-1"))) == 1  # inside hld's state: reused
    assert moto.core.utils.create_loader is moto.core.loaders.create_loader  # moto's own loaders again
    with mock_aws():
        assert len(public_keys(boto3.client("kms", region_name="us-east-1"))) == 2


# --- no request leaves the process ----------------------------------------------------------


def test_a_request_moto_does_not_answer_is_refused_never_sent(server: Server) -> None:
    import boto3
    from moto.core.config import default_user_config

    from hld.offline.moto.clients import Session, guarded

    result = synth(SITE)
    s3 = result.client("s3", "us-east-1")
    with Session.using(result.generation):
        default_user_config["core"]["passthrough"]["services"] = ["s3"]  # moto passes S3 on
        with pytest.raises(OfflineLeak, match="moto did not answer"):
            s3.list_buckets()
    assert default_user_config["core"]["passthrough"]["services"] == []  # the user's configuration again
    assert names(s3.list_buckets())

    def aimed() -> Any:  # a client aimed at the local server
        session = boto3.session.Session(aws_access_key_id="u", aws_secret_access_key="u")
        return session.client("s3", region_name="us-east-1", endpoint_url=server.url)

    raw = guarded(aimed())
    with pytest.raises(OfflineLeak, match="no run's state is up"):
        raw.list_buckets()
    with Session.using(result.generation), pytest.raises(OfflineLeak, match="moto did not answer"):
        raw.list_buckets()
    assert server.hits == []
    with pytest.raises(Exception, match="500"):
        aimed().list_buckets()  # the same client, not hld's: it does reach the server
    assert server.hits

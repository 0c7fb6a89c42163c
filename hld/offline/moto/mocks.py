"""MotoMocks: Pulumi mocks whose resources are created in moto's AWS, one handler per resource type
(registered by the service modules of this package)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

import pulumi

from hld.offline.cloud import OfflineCloud, caller_identity
from hld.offline.echo import computed
from hld.offline.moto.clients import MOTO_LOCK, Session, client, warm
from hld.offline.moto.coverage import COVERAGE_NOTES

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""How Pulumi marks a secret value on the wire (pulumi.runtime.rpc)."""
Handler = Callable[["MotoMocks", str, dict[str, Any], str], tuple[str, dict[str, Any]]]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    """Register the function that makes these resource types in moto (one per type)."""

    def register(fn: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = fn
        return fn

    return register


class MotoMocks(OfflineCloud):
    """Pulumi mocks whose resources are created in moto's AWS: for every resource type the AWS
    target emits, the call the real provider makes (boto3 inside `moto.mock_aws`, in the
    resource's region), with the inputs mapped to the API's shape; the state AWS reports (ids,
    ARNs, endpoints, zone names) flows downstream. An input AWS rejects fails the run with the
    AWS error and the Pulumi resource's name. Where moto lacks an API the nearest faithful call
    is made, or the resource is recorded only; COVERAGE_NOTES says which."""

    cloud = "moto"
    coverage_notes = COVERAGE_NOTES

    def __init__(self, stack: str = "stack") -> None:
        super().__init__(stack)
        self.zones: dict[str, str] = {}  # domain -> moto hosted zone id
        self.secrets: set[str] = set()

    def session(self) -> contextlib.AbstractContextManager[int]:
        """A fresh moto AWS for this run, up while it runs (hld.offline.moto.clients)."""
        return Session.run()

    def warm(self, regions: list[str]) -> None:
        warm(regions)

    def reader(self, generation: int) -> Callable[[str, str], Any] | None:
        return lambda service, region: Session.client(generation, service, region)

    # --- plumbing -------------------------------------------------------------------------

    def client(self, service: str, region: str) -> Any:
        return client(service, region)

    def physical(self, name: str) -> str:
        """A stable token for a resource of this stack (caller references, not names)."""
        return f"{name}-{hashlib.sha1(f'{self.stack}/{name}'.encode()).hexdigest()[:7]}"

    def zone_of(self, subnet_id: str, region: str) -> str | None:
        """The subnet's zone as moto's EC2 placed it (None: a subnet moto does not hold). A
        subnet's zone is fixed when it is made, so each subnet is asked about once per run."""
        from botocore.exceptions import ClientError

        if subnet_id in self.subnet_zones:
            return self.subnet_zones[subnet_id]
        with MOTO_LOCK:
            try:
                [subnet] = self.client("ec2", region).describe_subnets(SubnetIds=[subnet_id])["Subnets"]
            except (ClientError, ValueError):
                return None
        zone = self.subnet_zones[subnet_id] = str(subnet["AvailabilityZone"])
        return zone

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:providers:aws":
            return self.provider(args)
        region = self.region_of(args.provider)
        inputs = self.named(typ, name, self._unwrap(inputs), region)
        handler = HANDLERS.get(typ)
        if handler is None:
            rid, state = computed(typ, name, inputs, region)
            return rid, {**inputs, **state}
        from botocore.exceptions import ClientError, ParamValidationError

        try:
            with MOTO_LOCK:  # moto's backends are not thread-safe; the monitor registers from a pool
                rid, state = handler(self, name, inputs, region)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise self.reject(
                f"AWS rejected {typ} {name!r} in {region}: {error.get('Code')}: {error.get('Message')}"
            ) from None
        except (ParamValidationError, KeyError, ValueError) as exc:
            raise self.reject(
                self._redact(f"AWS rejected {typ} {name!r} in {region}: {type(exc).__name__}: {exc}")
            ) from None
        self.exercised[f"{typ}::{name}"] = True
        return rid, {**inputs, **state, "region": region}

    def _unwrap(self, value: Any) -> Any:
        """Secret inputs arrive wrapped ({sig: secret, value: ...}): pass the value to AWS, and
        remember it so no error message repeats it."""
        if isinstance(value, dict):
            if value.get(SIG_KEY) == SECRET_SIG:
                inner = self._unwrap(value.get("value"))
                if isinstance(inner, str) and inner:
                    self.secrets.add(inner)
                return inner
            return {k: self._unwrap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._unwrap(v) for v in value]
        return value

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[secret]")
        return text

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        with MOTO_LOCK:
            return self._call(args)

    def _call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return caller_identity(), []
        if args.token in ("aws:route53/getZones:getZones", "aws:route53/getZone:getZone"):
            ids = {z: self.zone_for(z) for z in self.public_zones}  # the account's zones, created in moto
            if args.token == "aws:route53/getZones:getZones":
                return {"ids": sorted(ids.values()), "id": "zones"}, []
            by_id = {v: k for k, v in ids.items()}
            if args.args.get("zoneId"):
                zone_id = str(args.args["zoneId"])
                return {"zoneId": zone_id, "name": by_id.get(zone_id, ""), "privateZone": False}, []
            domain = str(args.args.get("name")).rstrip(".")
            return {"zoneId": self.zone_for(domain), "name": domain, "privateZone": False}, []
        if args.token == "aws:secretsmanager/getRandomPassword:getRandomPassword":
            sm = self.client("secretsmanager", "us-east-1")
            password = sm.get_random_password(
                PasswordLength=int(args.args.get("passwordLength", 32)),
                ExcludePunctuation=bool(args.args.get("excludePunctuation", False)),
            )["RandomPassword"]
            return {"randomPassword": password}, []
        return {}, []

    def zone_for(self, domain: str) -> str:
        """The public hosted zone for `domain` (created in moto: in a real account it exists)."""
        if domain not in self.zones:
            r53 = self.client("route53", "us-east-1")
            found = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == domain]
            zone = found[0] if found else r53.create_hosted_zone(Name=domain, CallerReference=domain)["HostedZone"]
            self.zones[domain] = zone["Id"].split("/")[-1]
        return self.zones[domain]

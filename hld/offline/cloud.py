"""The offline cloud's one small interface, and what both clouds share: provider regions, names
made and refused as pulumi-aws makes and refuses them, and refusals recorded for the run.

Two implementations: `EchoMocks` (hld.offline.echo: inputs echoed back with AWS's computed
attributes) and `MotoMocks` (hld.offline.moto: every resource created in moto's AWS)."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

import pulumi

from hld.errors import CloudRejected
from hld.offline.refusals import refusal, zone_refusal

ACCOUNT = "123456789012"
"""The account id resources are created in (moto's default)."""


def caller_identity() -> dict[str, str]:
    """What aws.get_caller_identity answers offline: moto's account."""
    return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/hld", "userId": "AIDAHLDOFFLINE", "id": ACCOUNT}


class OfflineCloud(pulumi.runtime.Mocks):
    """Pulumi mocks that stand for AWS. A run happens inside `session()`; the run's result reads the
    cloud's state back through `reader(generation)` and counts `exercised` resources."""

    cloud = "offline"
    coverage_notes: dict[str, str] = {}  # noqa: RUF012 (class-level constant per cloud)

    def __init__(self, stack: str = "stack") -> None:
        self.stack = stack
        self.regions: dict[str, str] = {}
        self.exercised: dict[str, bool] = {}
        self.rejected: list[str] = []
        self.subnet_zones: dict[str, str] = {}
        """Subnet id -> the zone the cloud placed it in (recorded as subnets are created)."""
        self.public_zones: list[str] = []
        """The account's public hosted zones (set by the runtime before a run: the zone a real
        account would hold for the stack's domain)."""

    def zone_ids(self) -> dict[str, str]:
        """Zone id -> name of the account's public zones."""
        return {f"Z{hashlib.sha1(z.encode()).hexdigest()[:12].upper()}": z for z in self.public_zones}

    def zone_call(self, token: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """getZones and getZone as Route 53 answers them for this account, or None for other tokens."""
        zones = self.zone_ids()
        if token == "aws:route53/getZones:getZones":
            return {"ids": sorted(zones), "id": "zones"}
        if token == "aws:route53/getZone:getZone":
            if args.get("zoneId"):
                zone_id = str(args["zoneId"])
                return {"zoneId": zone_id, "name": zones.get(zone_id, ""), "privateZone": False}
            name = str(args.get("name", "")).rstrip(".")
            found = [i for i, z in zones.items() if z == name]
            return {"zoneId": found[0] if found else "Z0HLDEXAMPLE", "name": name, "privateZone": False}
        return None

    def session(self) -> contextlib.AbstractContextManager[int]:
        """The cloud up for the duration of a run (the runtime enters it around the program):
        yields a generation number for the state the run creates (0: none kept)."""
        return contextlib.nullcontext(0)

    def warm(self, regions: list[str]) -> None:
        """Load now what the first requests in `regions` would load (nothing here): called while
        the program, in its own process, is still loading (hld.offline.process)."""

    def reader(self, generation: int) -> Callable[[str, str], Any] | None:
        """A boto3-client factory (service, region) onto this run's state, or None."""
        return None

    def zone_of(self, subnet_id: str, region: str) -> str | None:
        """The zone of a subnet this run created, as the cloud placed it (None: not one of them)."""
        return self.subnet_zones.get(subnet_id)

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
        if refused := refusal(typ, inputs) or zone_refusal(typ, inputs, lambda s: self.zone_of(s, region)):
            raise self.reject(f"AWS rejected {typ} {name!r} in {region}: {refused}")
        return out

    def region_of(self, provider: str | None) -> str:
        if not provider:
            return "us-east-1"
        return self.regions.get(provider.split("::")[-1], self.regions.get(provider, "us-east-1"))

    def provider(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """An AWS provider: remember its region."""
        rid = f"{args.name}-provider"
        self.regions[rid] = dict(args.inputs).get("region", "us-east-1")
        return rid, dict(args.inputs)

"""What every AWS component shares: names, tags, options for stateful resources, the region context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from blueprints.plan_model import Plan
from generators.aws.naming import NAMING, fit, stack_label
from generators.contract import env_key as env_key  # the app contract, shared with kind
from generators.contract import ident as ident

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""ALB policy: TLS 1.3 and 1.2 only."""
CLOUDFRONT_TLS = "TLSv1.2_2021"
LOG_RETENTION_DAYS = 30
DB_ADMIN = "hld_admin"


def name(plan: Plan, *parts: str, kind: str | None = None) -> str:
    """`{system}-{component}-{region|zone}`: stable, so URNs never move. With `kind` (a Pulumi
    type whose name AWS limits, see generators.aws.naming), shortened so that the provider's
    auto-name (this name, a separator and 7 random characters) fits that resource."""
    if kind is None:
        return "-".join([plan.name, *parts])
    return fit([plan.name, *parts], NAMING[kind].room)


def physical(plan: Plan, *parts: str) -> str:
    """A physical name hld sets itself (no random suffix): it carries the stack, so a dev and a prod
    stack of one system in one account never collide (`{system}-{stack}-...`). A stack name may hold
    what these names refuse (`_`, `.`, capitals): it is lowered to letters, digits and single dashes,
    and kept to 24 characters."""
    return "-".join([plan.name, stack_label(plan.stack), *parts])


def identifier(plan: Plan, *parts: str, room: int = 63) -> str:
    """A physical identifier hld sets itself because AWS names something after it before Pulumi could
    read it back (RDS exports to `/aws/rds/instance/<identifier>/postgresql`): `physical`'s name
    when it fits in `room` (RDS and Aurora identifiers: 63), else the name fitted to the room
    left, then the stack: the stack is never the part shortened away."""
    whole = physical(plan, *parts)
    if len(whole) <= room:
        return whole
    label = stack_label(plan.stack)
    return f"{fit([plan.name, *parts], room - len(label) - 1)}-{label}"


def aws_log_group(
    plan: Plan, logical: str, path: str, region: Region, key: pulumi.Input[str], parent: pulumi.Resource
) -> aws.cloudwatch.LogGroup:
    """The log group an AWS service writes to, under the name that service uses (`path`), made by hld
    before the resource that writes to it (which must depend on it): a service that finds no group
    makes its own, under AWS's own key and kept forever, and hld's CreateLogGroup then fails
    (ResourceAlreadyExistsException). Under the region's key, with hld's retention."""
    encrypted = plan.control("encryption-at-rest").enabled
    return aws.cloudwatch.LogGroup(
        logical,
        name=path,
        retention_in_days=LOG_RETENTION_DAYS,
        kms_key_id=key if encrypted else None,
        opts=region.opts(parent),
    )


ROTATION = 1
"""The generation of every password hld generates: raising it replaces each password (its keepers
change) and writes the new one to its database or cache and to its secret in the same update."""


@dataclass(frozen=True)
class Credential:
    """A generated password kept in the stack's state, and the version its write-only uses take."""

    value: pulumi.Output[str]
    version: pulumi.Output[int]

    def write_only(self, field: str) -> dict[str, Any]:
        """`{field}_wo` and `{field}_wo_version`, as pulumi-aws v7 takes a write-only argument."""
        return {f"{field}_wo": self.value, f"{field}_wo_version": self.version}


def credential(logical: str, length: int, parent: pulumi.Resource) -> Credential:
    """One generated password, kept as a resource in the stack's state (pulumi-random RandomPassword,
    whose result is a secret output: encrypted in the state by the stack's secrets provider), so every
    preview and every `pulumi up` sees the same value, and a replaced database is created with the
    password its secret holds. (A `get_random_password` invoke runs again on every preview: a value
    no one keeps.)

    Write-only arguments (`password_wo`, `master_password_wo`, `auth_token_wo`, `secret_string_wo`)
    take it with `*_wo_version` read back from the password's own keepers (the rotation): pulumi-aws v7
    sends a write-only value on create and then only when its version changes ("Changing this value
    triggers an update"), and a RandomPassword is replaced, with a new value, when its keepers change.
    So the version changes exactly when the password does. Every other argument of the password is
    fixed here (a change to one would replace the password without a new version: raise ROTATION
    with it). A hash of the value as the version would change with it too, but would put a digest of
    the password in plain state.

    Write-only keeps the value out of the provider's state, not out of Pulumi's: Pulumi stores a
    write-only argument's value among the resource's inputs, as a secret (pulumi/docs#16806,
    pulumi-terraform-bridge#3201). Both copies are encrypted with the stack's secrets provider;
    neither is in plain state or in the outputs."""
    password = random.RandomPassword(
        logical,
        length=length,
        special=False,  # RDS refuses / @ " and spaces; ElastiCache AUTH a few more: letters and digits
        keepers={"rotation": str(ROTATION)},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    version = password.keepers.apply(lambda kept: int((kept or {}).get("rotation", ROTATION)))
    return Credential(password.result, version)


def stateful(plan: Plan, opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """Data safety: stateful resources are protected and kept if removed from the program."""
    keep = plan.control("deletion-protection").enabled
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=keep, retain_on_delete=keep))


@dataclass
class Subnets:
    public: dict[str, aws.ec2.Subnet] = field(default_factory=dict)
    private: dict[str, aws.ec2.Subnet] = field(default_factory=dict)
    isolated: dict[str, aws.ec2.Subnet] = field(default_factory=dict)

    def ids(self, tier: str, zones: list[str] | None = None) -> list[pulumi.Output[str]]:
        """The tier's subnet ids, by zone; with `zones`, only theirs (a single-zone network also has
        subnets in a zone that serves nothing, for what AWS requires to span two)."""
        return [s.id for zone, s in sorted(getattr(self, tier).items()) if zones is None or zone in zones]


@dataclass(frozen=True)
class Region:
    """Where a component runs: the region, whether it is the primary, and its provider."""

    name: str
    primary: bool
    provider: aws.Provider

    def opts(self, parent: pulumi.Resource | None = None, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(provider=self.provider, parent=parent, **extra)


@dataclass
class Access:
    """How a service in one region reaches a store: environment, the task role's IAM statements
    (exactly the edge's access on exactly its resources, its key only through the store's service:
    generators.aws.grants), secrets."""

    env: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    statements: list[dict[str, Any]] = field(default_factory=list)
    secrets: dict[str, pulumi.Input[str]] = field(default_factory=dict)

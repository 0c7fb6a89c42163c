"""What every AWS component shares: names, tags, options for stateful resources, the region context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

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


def stateful(plan: Plan, opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """Data safety: stateful resources are protected and kept if removed from the program."""
    keep = plan.control("deletion-protection").enabled
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=keep, retain_on_delete=keep))


@dataclass
class Subnets:
    public: dict[str, aws.ec2.Subnet] = field(default_factory=dict)
    private: dict[str, aws.ec2.Subnet] = field(default_factory=dict)
    isolated: dict[str, aws.ec2.Subnet] = field(default_factory=dict)

    def ids(self, tier: str) -> list[pulumi.Output[str]]:
        return [s.id for _, s in sorted(getattr(self, tier).items())]


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
    """How a service in one region reaches a store: environment, IAM grants, secrets."""

    env: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    resources: list[pulumi.Input[str]] = field(default_factory=list)
    secrets: dict[str, pulumi.Input[str]] = field(default_factory=dict)

"""The network: a VPC per region with public, private and isolated subnets per zone, NAT per
zone in production, and peering where services in other regions reach a single writer."""

from __future__ import annotations

from blueprints.capacity import subnet_layout
from blueprints.intent import Intent
from blueprints.plan_model import AnyStorePlan, Decided, Network, Subnet
from blueprints.planner.settings import StackSettings


def network(region: str, index: int, zones: list[str], stack: StackSettings, vpc: bool = True) -> Network:
    """The region's network; without anything that runs in a VPC (no services: a static site),
    only the region's encryption key."""
    cidr = f"10.{index * 16}.0.0/16"
    if not vpc:
        return Network(
            region=region,
            cidr=cidr,
            zones=zones,
            subnets=[],
            nat_gateways=Decided(value=0, reason="no services: nothing runs in a VPC"),
            vpc=False,
        )
    layout = subnet_layout(cidr, len(zones))
    subnets = [
        Subnet(zone=zone, tier=tier, cidr=layout[tier][i])
        for tier in ("public", "private", "isolated")
        for i, zone in enumerate(zones)
    ]
    if stack.environment == "development":
        nat: Decided[int] = Decided(value=1, reason="development stack: one NAT gateway (a zone loss cuts egress)")
    else:
        nat = Decided(value=len(zones), reason="production: one NAT gateway per zone, so a zone loss leaves egress up")
    return Network(region=region, cidr=cidr, zones=zones, subnets=subnets, nat_gateways=nat)


def peering(intent: Intent, stores: list[AnyStorePlan]) -> Decided[list[str]] | None:
    """Services in every region reach a store with a single writer in the primary region."""
    regions = list(intent.regions.value)
    used = [s for s in stores if s.single_writer and s.used_by]
    if not intent.multi_region or not used:
        return None
    names = ", ".join(s.name for s in used)
    return Decided(
        value=regions[1:],
        reason=f"relational stores ({names}) have one writer in {regions[0]}; services in "
        f"{', '.join(regions[1:])} reach it over inter-region VPC peering (non-overlapping CIDRs)",
    )

"""The network: a VPC per region with public, private and isolated subnets per serving zone (and
in as many more zones as AWS requires a load balancer or a subnet group to span), NAT per zone in
production, and peering where services in other regions reach a single writer."""

from __future__ import annotations

from blueprints.capacity import subnet_layout
from blueprints.figures import zones_of
from blueprints.intent import Intent
from blueprints.plan_model import AnyStorePlan, Decided, Network, ServicePlan, Subnet
from blueprints.planner.settings import StackSettings
from blueprints.zone_minimums import ZONE_MINIMUMS, ZoneMinimum

TIERS = ("public", "private", "isolated")


def spans(region: str, services: list[ServicePlan], stores: list[AnyStorePlan]) -> dict[str, list[ZoneMinimum]]:
    """Tier -> the rows of blueprints.zone_minimums whose resources take that tier's subnets in the
    region: the load balancer (public services) the public ones, the tasks the private ones, each
    relational or cache store of the region the isolated ones."""
    out: dict[str, list[ZoneMinimum]] = {tier: [] for tier in TIERS}
    if any(s.public for s in services):
        out["public"].append(ZONE_MINIMUMS["alb"])
    if services:
        out["private"].append(ZONE_MINIMUMS["ecs-service"])
    kinds = {s.kind for s in stores if region in s.regions}
    if "relational" in kinds:
        out["isolated"].append(ZONE_MINIMUMS["db-subnet-group"])
    if "cache" in kinds:
        out["isolated"].append(ZONE_MINIMUMS["cache-subnet-group"])
    return out


def _rules(rows: list[ZoneMinimum]) -> str:
    """The rules, said: "an Application Load Balancer's subnets to cover at least 2 zones and ..."."""
    said = []
    for row in rows:
        name = row.resource.split(" (")[0]
        said.append(f"{'an' if name[0] in 'AEIOU' else 'a'} {name}'s subnets to cover at least {row.zones} zones")
    return " and ".join(said)


def _subnet_zones(
    region: str, zones: list[str], needs: dict[str, list[ZoneMinimum]]
) -> tuple[dict[str, list[str]], Decided[list[str]]]:
    """Each tier's zones: the serving zones, then the region's next zones while a resource on the
    tier needs more (AWS's minimum); and the decision, with its reason."""
    spare = [z for z in zones_of(region) if z not in zones]
    tiers = {}
    for tier in TIERS:
        need = max([len(zones), *(row.zones for row in needs.get(tier, []))])
        tiers[tier] = zones + spare[: need - len(zones)]
    widest = max(tiers.values(), key=len)
    added = [z for z in widest if z not in zones]
    rows = sorted({row.key: row for tier in TIERS for row in needs.get(tier, [])}.values(), key=lambda r: r.key)
    demanded = [r for r in rows if r.zones > 1]
    rules = _rules(demanded)
    if not added:
        reason = f"subnets in the serving zones ({', '.join(zones)})" + (
            f", enough for what AWS requires ({rules})" if demanded else ""
        )
    else:
        extra = [r for r in demanded if r.zones > len(zones)]
        needing = _rules(extra)
        only = " and ".join(t for t in TIERS if any(z in tiers[t] for z in added))
        reason = (
            f"subnets in {len(widest)} zones ({', '.join(widest)}): AWS requires {needing} "
            f"(blueprints/zone_minimums.py); {', '.join(added)} holds only the {only} subnets they take, and the "
            f"serving resources (tasks, DB instances, cache nodes, NAT) stay in {', '.join(zones)}: nothing serves "
            f"from {', '.join(added)}"
        )
    return tiers, Decided(value=widest, reason=reason)


def network(
    region: str,
    index: int,
    zones: list[str],
    stack: StackSettings,
    vpc: bool = True,
    needs: dict[str, list[ZoneMinimum]] | None = None,
) -> Network:
    """The region's network; without anything that runs in a VPC (no services: a static site),
    only the region's encryption key. `needs` (from `spans`): what takes each tier's subnets."""
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
    tiers, subnet_zones = _subnet_zones(region, zones, needs or {})
    layout = subnet_layout(cidr, len(subnet_zones.value))
    subnets = [
        Subnet(zone=zone, tier=tier, cidr=layout[tier][i]) for tier in TIERS for i, zone in enumerate(tiers[tier])
    ]
    if stack.environment == "development":
        nat: Decided[int] = Decided(value=1, reason="development stack: one NAT gateway (a zone loss cuts egress)")
    else:
        nat = Decided(value=len(zones), reason="production: one NAT gateway per zone, so a zone loss leaves egress up")
    return Network(region=region, cidr=cidr, zones=zones, subnets=subnets, nat_gateways=nat, subnet_zones=subnet_zones)


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

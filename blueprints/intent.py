"""The four HLD knobs resolved: explicit values kept, unset ones derived with a reason.

A blueprint may leave `redundancy.level`, `redundancy.replication`, `regions`,
`consistency` and `redundancy.zones` unset. `candidates()` lists, cheapest first,
the resolutions the planner may try; when the level or replication is explicit
there is one. Each derived value carries the reason that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass

from blueprints.figures import MRSC_REGION_SETS, SLAS
from blueprints.model import Blueprint, KeyValue
from blueprints.plan_model import Decided

LEVELS = ("single-zone", "multi-zone", "multi-region")
DEFAULT_ZONES = 3
"""Three zones: losing one leaves two thirds of capacity (static stability costs +50 %)."""
DEFAULT_REGIONS = ("us-east-1", "us-west-2")
DEFAULT_STRONG_ACTIVE_REGIONS = MRSC_REGION_SETS["US"]


@dataclass(frozen=True)
class Intent:
    level: Decided[str]
    replication: Decided[str | None]
    regions: Decided[list[str]]
    zones: Decided[int]
    consistency: Decided[str]

    @property
    def multi_region(self) -> bool:
        return self.level.value == "multi-region"

    @property
    def active(self) -> bool:
        """Every region serves (active-active across regions)."""
        return self.multi_region and self.replication.value == "active"

    @property
    def serving_replicas(self) -> bool:
        """Inside a region, replicas in the other zones serve reads (multi-zone, active)."""
        return self.level.value == "multi-zone" and self.replication.value == "active"


def ceiling(level: str, replication: str | None = None, regions: int = 2) -> float:
    """Best SLA-based availability a level can reach: load balancer x compute, nothing else."""
    if level == "single-zone":
        return SLAS["elb-single-az"].fraction * SLAS["ecs-single"].fraction
    one_region = SLAS["elb-multi-az"].fraction * SLAS["ecs-multi-az"].fraction
    if level == "multi-zone" or replication != "active":
        return one_region
    return (1 - (1 - one_region) ** regions) * SLAS["route53"].fraction


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.4f}".rstrip("0").rstrip(".") + " %"


def candidates(bp: Blueprint) -> list[Intent]:
    """Resolutions to try, cheapest first; one when level and replication are explicit."""
    red = bp.redundancy
    consistency: Decided[str] = (
        Decided(value=bp.consistency, reason="set in the blueprint", derived=False)
        if bp.consistency
        else Decided(value="strong", reason="unset: strong is the safe default (no stale reads); relax explicitly")
    )
    pairs: list[tuple[str, str | None]] = [
        (level, replication)
        for level in ((red.level,) if red.level else LEVELS)
        for replication in (
            (None,) if level == "single-zone" else (red.replication,) if red.replication else ("passive", "active")
        )
    ]
    target = bp.availability / 100
    out = []
    for level, replication in pairs:
        out.append(
            Intent(
                level=_level(bp, level, target),
                replication=_replication(bp, level, replication),
                regions=_regions(bp, level, replication, consistency.value),
                zones=_zones(bp, level),
                consistency=consistency,
            )
        )
    return out


def _level(bp: Blueprint, level: str, target: float) -> Decided[str]:
    if bp.redundancy.level:
        return Decided(value=level, reason="set in the blueprint", derived=False)
    lower = [lv for lv in LEVELS[: LEVELS.index(level)]]
    why = f"unset: the lowest level whose SLA-based estimate meets {_pct(target)}"
    if lower:
        why += f" ({', '.join(lower)} cannot)"
    return Decided(value=level, reason=why)


def unmet_level(level: Decided[str], missed: list[str]) -> Decided[str]:
    """A derived level whose plan misses a target says so, instead of claiming it meets it."""
    if not level.derived:
        return level
    return Decided(
        value=level.value,
        reason=f"unset: no level this blueprint allows meets its {' and '.join(missed)} target; "
        f"{level.value} is the strongest (see what would meet it below)",
    )


def _replication(bp: Blueprint, level: str, replication: str | None) -> Decided[str | None]:
    if level == "single-zone":
        return Decided(value=None, reason="single-zone: nothing to replicate to")
    if bp.redundancy.replication:
        return Decided(value=replication, reason="set in the blueprint", derived=False)
    if level == "multi-zone":
        if replication == "passive":
            return Decided(
                value=replication,
                reason="unset: standbys in the other zones take over on a zone loss but do not serve "
                "(the cheaper choice) when they meet the targets",
            )
        return Decided(
            value=replication,
            reason="unset: replicas in the other zones serve reads, since standbys cannot meet the "
            "availability or RTO target",
        )
    if replication == "passive":
        return Decided(value=replication, reason="unset: a standby region (cheaper) when it meets the targets")
    return Decided(
        value=replication,
        reason="unset: every region serving (active-active), since a standby cannot meet the availability or "
        "RTO target",
    )


def _regions(bp: Blueprint, level: str, replication: str | None, consistency: str) -> Decided[list[str]]:
    if bp.regions:
        return Decided(value=list(bp.regions), reason="set in the blueprint; the first is primary", derived=False)
    strong_tables = consistency == "strong" and any(
        isinstance(s, KeyValue) and (s.consistency or consistency) == "strong" for s in bp.datastores
    )
    if bp.users:
        return _near_users(bp.users, level, replication, strong_tables)
    if level != "multi-region":
        return Decided(value=["us-east-1"], reason="unset: us-east-1")
    if replication == "active" and strong_tables:
        return Decided(
            value=list(DEFAULT_STRONG_ACTIVE_REGIONS),
            reason="unset: strong active-active needs DynamoDB strong global tables in 3 regions of one set",
        )
    return Decided(value=list(DEFAULT_REGIONS), reason="unset: us-east-1 (primary) and us-west-2")


def _near_users(users: dict[str, float], level: str, replication: str | None, strong: bool) -> Decided[list[str]]:
    """Regions where the users are: the largest area is primary (its users pay no round trip); an
    active design serves the second-largest area from its own region (latency routing sends each
    user to the nearest), a passive one keeps its standby near the primary (the same users fail over)."""
    areas = sorted(users, key=lambda a: (-users[a], list(users).index(a)))
    primary = areas[0]
    why = f"unset: the primary where most users are ({primary}, {users[primary]:g} % of `users`)"
    if level != "multi-region":
        return Decided(value=[primary], reason=why)
    if replication == "active" and strong:
        regions = nearby_regions([primary], True)
        if regions is not None:
            return Decided(
                value=regions,
                reason=f"{why}; strong active-active needs DynamoDB strong global tables in 3 regions of its set",
            )
        return Decided(
            value=list(DEFAULT_STRONG_ACTIVE_REGIONS),
            reason=f"unset: most users are in {primary}, but no region set of DynamoDB strong global tables "
            "holds it, and strong active-active needs 3 regions of one set: the US set",
        )
    if replication == "active" and len(areas) > 1 and not strong:
        return Decided(
            value=[primary, areas[1]],
            reason=f"{why}, and {areas[1]} for the next-largest area ({users[areas[1]]:g} %): latency routing "
            "sends each user to the nearer region",
        )
    second = NEAR.get(primary, DEFAULT_REGIONS)[0]
    return Decided(value=[primary, second], reason=f"{why}, and {second}, the nearest region of its geography")


def _zones(bp: Blueprint, level: str) -> Decided[int]:
    if bp.redundancy.zones:
        return Decided(value=bp.redundancy.zones, reason="set in the blueprint", derived=False)
    if level == "single-zone":
        return Decided(value=1, reason="single-zone level: one zone")
    return Decided(
        value=DEFAULT_ZONES,
        reason="unset: 3 zones, so losing one keeps two thirds of capacity (static stability at +50 %)",
    )


NEAR: dict[str, tuple[str, ...]] = {
    "us-east-1": ("us-west-2", "us-east-2", "us-west-1", "ca-central-1"),
    "us-east-2": ("us-east-1", "us-west-2", "us-west-1", "ca-central-1"),
    "us-west-1": ("us-west-2", "us-east-2", "us-east-1", "ca-central-1"),
    "us-west-2": ("us-east-2", "us-east-1", "us-west-1", "ca-central-1"),
    "ca-central-1": ("us-east-1", "us-east-2", "us-west-2", "us-west-1"),
    "eu-west-1": ("eu-west-2", "eu-central-1", "eu-west-3", "eu-north-1"),
    "eu-west-2": ("eu-west-1", "eu-west-3", "eu-central-1", "eu-north-1"),
    "eu-west-3": ("eu-west-2", "eu-central-1", "eu-west-1", "eu-north-1"),
    "eu-central-1": ("eu-west-1", "eu-west-3", "eu-north-1", "eu-west-2"),
    "eu-north-1": ("eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3"),
    "ap-northeast-1": ("ap-northeast-3", "ap-northeast-2"),
    "ap-northeast-2": ("ap-northeast-1", "ap-northeast-3"),
    "ap-northeast-3": ("ap-northeast-1", "ap-northeast-2"),
    "ap-southeast-1": ("ap-southeast-2", "ap-south-1", "ap-northeast-1"),
    "ap-southeast-2": ("ap-southeast-1", "ap-northeast-1"),
    "ap-south-1": ("ap-southeast-1", "ap-northeast-1"),
    "sa-east-1": ("us-east-1",),
}
"""For each region, the others of its geography, nearest first (sa-east-1 has none: us-east-1)."""


def nearby_regions(regions: list[str], strong_active: bool) -> list[str] | None:
    """The regions a multi-region design of a system in `regions` would use, the given ones first:
    a second region near the primary (same geography), or for strong active-active the DynamoDB
    strong-consistency set (MRSC_REGION_SETS) holding the primary, 3 regions of it. None: no such set."""
    primary = regions[0]
    if strong_active:
        for members in MRSC_REGION_SETS.values():
            if primary in members:
                kept = [r for r in regions if r in members]
                rest = sorted((r for r in members if r not in kept), key=lambda r: _nearness(primary, r))
                return (kept + rest)[:3]
        return None
    if len(regions) >= 2:
        return list(regions)
    return [primary, NEAR.get(primary, DEFAULT_REGIONS)[0]]


def _nearness(primary: str, region: str) -> int:
    near = NEAR.get(primary, ())
    return near.index(region) if region in near else len(near)

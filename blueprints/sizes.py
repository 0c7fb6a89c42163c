"""Instance sizes: the classes each engine offers (the ones a blueprint may pin), what each holds,
and the choice when a blueprint pins none, with its reason. Graviton classes only: they are
offered in every region the format accepts (blueprints.figures.REGION_ZONES) and cost less than
their x86 peers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    vcpu: int
    memory_gib: float
    burstable: bool = False

    @property
    def family(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def size(self) -> str:
        return self.name.rsplit(".", 1)[1]


_STEPS = {"micro": 0.125, "small": 0.25, "medium": 0.5, "large": 1, "xlarge": 2}


def scale(size: str) -> float:
    """How many `large` a size is: xlarge 2, 2xlarge 4, 16xlarge 32; medium 0.5 (AWS prices a
    family's sizes in proportion to it)."""
    if size in _STEPS:
        return _STEPS[size]
    return 2 * float(size.removesuffix("xlarge"))


def _family(prefix: str, memory_per_large: float, sizes: tuple[str, ...]) -> list[Size]:
    return [Size(f"{prefix}.{s}", max(1, int(2 * scale(s))), memory_per_large * scale(s)) for s in sizes]


RDS_SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html"
AURORA_SOURCE = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html"
)
CACHE_SOURCE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"
T_CLASS_ADVICE = (
    "AWS advises the burstable T classes for development and test only (their CPU credits run out under sustained load)"
)

_R6G = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
RELATIONAL: dict[str, tuple[Size, ...]] = {
    "rds-postgresql": (
        Size("db.t4g.micro", 2, 1, True),
        Size("db.t4g.small", 2, 2, True),
        Size("db.t4g.medium", 2, 4, True),
        Size("db.t4g.large", 2, 8, True),
        *_family("db.m6g", 8, ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")),
        *_family("db.r6g", 16, _R6G),
    ),
    "aurora-postgresql": (
        Size("db.t4g.medium", 2, 4, True),
        Size("db.t4g.large", 2, 8, True),
        *_family("db.r6g", 16, _R6G),
    ),
}
"""The Graviton classes each PostgreSQL engine offers (RDS_SOURCE, AURORA_SOURCE): Aurora offers
no m6g and only the medium and large T sizes."""

CACHE: tuple[Size, ...] = (
    Size("cache.t4g.micro", 2, 0.5, True),
    Size("cache.t4g.small", 2, 1.37, True),
    Size("cache.t4g.medium", 2, 3.09, True),
    Size("cache.r6g.large", 2, 13.07),
    Size("cache.r6g.xlarge", 4, 26.32),
    Size("cache.r6g.2xlarge", 8, 52.82),
    Size("cache.r6g.4xlarge", 16, 105.81),
    Size("cache.r6g.8xlarge", 32, 209.55),
    Size("cache.r6g.12xlarge", 48, 317.77),
    Size("cache.r6g.16xlarge", 64, 419.09),
)
"""ElastiCache node types by memory (CACHE_SOURCE), smallest first."""

OFFERED = frozenset(s.name for classes in RELATIONAL.values() for s in classes)
"""Every class a blueprint may pin (by some engine; blueprints.rules checks the store's)."""

DEFAULT_RELATIONAL = {"production": "db.r6g.large", "development": "db.t4g.medium"}


def relational(engine: str, pinned: str | None, environment: str) -> tuple[str, str]:
    """(class, reason) of a relational store's instances."""
    if pinned:
        size = next((s for s in RELATIONAL[engine] if s.name == pinned), None)
        if size is None:  # a design the rules refuse (instance-class), planned directly as an alternative
            problem = relational_problem(engine, pinned, [engine])
            raise ValueError(problem[0] if problem else f"{engine} offers no {pinned}")
        return pinned, f"set in the blueprint ({size.vcpu} vCPU, {size.memory_gib:g} GiB)"
    name = DEFAULT_RELATIONAL[environment]
    size = next(s for s in RELATIONAL[engine] if s.name == name)
    if environment == "production":
        why = (
            f"production stack: the smallest memory-optimised Graviton class ({size.vcpu} vCPU, "
            f"{size.memory_gib:g} GiB); {T_CLASS_ADVICE}. Set instance_class to size it "
            "(db.t4g.medium for a small internal tool, db.r6g.2xlarge for a busy one)"
        )
    else:
        why = f"development stack: a burstable class ({size.vcpu} vCPU, {size.memory_gib:g} GiB)"
    return name, why


def cache(memory_mib: int, environment: str) -> tuple[str, str]:
    """(node type, reason) of a cache holding `memory_mib` a node."""
    gib = memory_mib / 1024
    ladder = [s for s in CACHE if environment == "development" or not s.burstable]
    size = next(s for s in ladder if s.memory_gib >= gib)
    why = f"the smallest node type holding memory: {gib:g} GiB ({size.memory_gib:g} GiB, {size.vcpu} vCPU)"
    if environment != "development":
        why = (
            why.replace("smallest", "smallest memory-optimised")
            + f"; no burstable T type in production: {T_CLASS_ADVICE}"
        )
    return size.name, why


def relational_problem(engine: str | None, pinned: str, possible: list[str]) -> tuple[str, str | None] | None:
    """Why `pinned` cannot size a relational store whose engine is `engine` (pinned), or, unpinned,
    one of the `possible` engines the planner may choose, with the engine to pin that offers it;
    None when every engine it may get offers it."""
    offered = {e: {s.name for s in classes} for e, classes in RELATIONAL.items()}
    engines = [engine] if engine else possible
    missing = [e for e in engines if pinned not in offered[e]]
    if not missing:
        return None
    having = [e for e in RELATIONAL if pinned in offered[e]]
    if engine is None and having:
        return (
            f"{pinned} is offered by {having[0]} only, and the planner chooses {missing[0]}",
            having[0],
        )
    names = ", ".join(sorted(offered[engines[0]], key=_order))
    return f"{engines[0]} offers no {pinned}; its classes: {names}", None


def _order(name: str) -> tuple[str, float]:
    family, size = name.rsplit(".", 1)
    return family, scale(size)

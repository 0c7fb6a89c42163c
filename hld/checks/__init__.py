"""Named checks over one offline run (the AWS target) and over the Kubernetes render.

    registry.py    what a check is, Outcome, Tally, evaluate
    security.py    the HLD-RULES §7 controls (and every log and secret under the region's key)
    promises.py    availability, zones, regions, static stability, DR, recovery objectives, losses
    properties.py  each promise as the property that delivers it; invariants recomputed
    edges.py       every data-flow edge in every region: network, identity by the edge's access
                   (calls in moto), key, secret, discovery, nothing granted outside the edges; and
                   every trust policy's source conditions
    monitors.py    every promise has a monitor: SLO burn-rate pairs, RPO lag alarms, actions, metrics
    latency.py     the deployed routing keeps the latency estimate's assumptions: the region each area
                   reaches, each store call's copy there, the edge caching what it counted as hits
    deployable.py  what real AWS needs beyond what the offline cloud refuses: order, key policies,
                   peering routes, backup permissions, stack-qualified names, replication,
                   engine versions AWS upgrades
    kubernetes.py  the Kubernetes target: strict schemas and cross-object checks

Checks sit above the offline runtime: they read a run's graph and the plan, never the reverse.
"""

from __future__ import annotations

from collections.abc import Iterable

from hld.checks import deployable, edges, experiments, latency, monitors, promises, properties, security
from hld.checks.registry import Check, Outcome, Run, Tally, tally
from hld.checks.registry import evaluate as _evaluate

SECURITY_CHECKS = security.CHECKS
PROMISE_CHECKS = (
    promises.CHECKS + properties.CHECKS + edges.CHECKS + monitors.CHECKS + experiments.CHECKS + latency.CHECKS
)
DEPLOYABLE_CHECKS = deployable.CHECKS
CHECKS: dict[str, Check] = {c.key: c for c in (*SECURITY_CHECKS, *PROMISE_CHECKS, *DEPLOYABLE_CHECKS)}
"""Every check of the AWS target: the §7 controls, the plan's promises, then what real AWS needs."""
SECURITY = tuple(c.key for c in SECURITY_CHECKS)
"""The §7 checks, in the catalog's order."""
PLAN = tuple(c.key for c in PROMISE_CHECKS)
"""The checks of the plan's promises, in order."""
DEPLOYABLE = tuple(c.key for c in DEPLOYABLE_CHECKS)
"""The checks of what `pulumi up` on real AWS needs, in order."""


def evaluate(run: Run, keys: Iterable[str] | None = None) -> list[Outcome]:
    """Run the named checks (default: all, SECURITY then PLAN); an unknown name is a ValueError
    that lists the names."""
    if isinstance(keys, str):
        keys = [keys]  # one name, not its letters
    unknown = [k for k in keys or () if k not in CHECKS]
    if unknown:
        raise ValueError(f"no check named {', '.join(map(repr, unknown))}; checks: {', '.join(CHECKS)}")
    return _evaluate(run, CHECKS, keys)


__all__ = ["CHECKS", "DEPLOYABLE", "PLAN", "SECURITY", "Check", "Outcome", "Run", "Tally", "evaluate", "tally"]

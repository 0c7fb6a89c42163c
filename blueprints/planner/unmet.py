"""What the plan does not meet, and what would."""

from __future__ import annotations

import math

from blueprints.intent import Intent
from blueprints.model import Blueprint
from blueprints.plan_model import Availability, EdgePlan, Objective, Unmet


def unmet(
    bp: Blueprint, intent: Intent, availability: Availability, objectives: list[Objective], edge: EdgePlan
) -> list[Unmet]:
    out = []
    if not availability.met:
        weakest = next(j for j in availability.journeys if j.name == availability.weakest)
        parts = sorted(weakest.regional + weakest.global_parts, key=lambda p: p.percent)
        fixes = []
        keys = {p.sla for p in parts}
        if "cloudfront" in keys:
            fixes.append("edge.cdn.dynamic: bypass (keep the CDN off dynamic journeys)")
        if not intent.active:
            fixes.append("redundancy: {level: multi-region, replication: active} (regions in parallel)")
        if "rds-multi-az" in keys:
            fixes.append("engine: aurora-postgresql on the relational store (99.99 % across zones)")
        if "sqs" in keys:
            fixes.append("write to the queue off the journey: uses: [{name: <queue>, async: true}]")
        if "waf" in keys:
            fixes.append("edge.waf: false, or accept its 99.95 % in the chain")
        fixes.append(f"availability: {math.floor(availability.estimate * 1000) / 1000:g} (what this design reaches)")
        out.append(
            Unmet(
                what="availability",
                why=f"journey {weakest.name!r} reaches {availability.estimate:.4f}% < target {bp.availability}% "
                f"(weakest parts: {', '.join(f'{p.component} {p.percent:g}%' for p in parts[:3])})",
                fixes=fixes,
            )
        )
    for objective in objectives:
        if objective.met:
            continue
        if objective.name == "rto":
            fixes = (
                ["redundancy.replication: active (DNS failover, minutes)"]
                if intent.multi_region
                else ["redundancy.level: multi-zone or multi-region"]
            )
        else:
            fixes = ["rpo at or above the expected figure", "kind: key-value with consistency: strong (RPO 0)"]
        out.append(Unmet(what=objective.name, why=objective.detail, fixes=fixes))
    return out

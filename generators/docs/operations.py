"""The plan's operations as files beside the HLD document: `openslo.yaml`, the availability SLOs as
OpenSLO v1 documents (https://github.com/OpenSLO/OpenSLO, README "Specification"; the field rules
the OpenSLO go-sdk's v1 validation enforces), and `runbooks.json`, every runbook with its steps.

OpenSLO v1, as followed here: every object's `metadata.name` an RFC 1123 DNS label (at most 63
characters of `a-z`, `0-9` and `-`), `displayName` at most 63 characters, descriptions at most
1050; an SLO's `objectives[].target` in [0, 1), exactly one `timeWindow`, `budgetingMethod` one
of Occurrences, Timeslices, RatioTimeslices; a ratio indicator with `bad` (or `good`) and `total`
metric sources, each with a non-empty `spec`; an AlertPolicy with exactly one condition and at
least one notification target; a `burnrate` AlertCondition with `op`, `threshold` and a
duration-shorthand `lookbackWindow` (`5m`, `1h`, `3d`).

A multi-window burn-rate alert (blueprints.monitoring.BURN_RATES) fires when both its long and its
short window burn faster than the rate; an AlertCondition has one `lookbackWindow`, so the long
window is the lookback and the short one rides in the `hld/short-window` annotation (and the
description), as does the error ratio the AWS target's alarm compares (`hld/error-ratio`).

Nothing is decided here: every figure is the plan's (blueprints.planner.operations)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from blueprints.monitoring import DATAPOINT_SECONDS, METRICS
from blueprints.plan_model import Plan, Runbook, Slo

API_VERSION = "openslo/v1"
NAME_LIMIT = 63
"""RFC 1123 DNS labels: what every OpenSLO implementation must accept as `metadata.name`."""
DISPLAY_LIMIT = 63
DESCRIPTION_LIMIT = 1050
ANNOTATION = "hld"
"""The prefix of hld's own annotations (a DNS label: OpenSLO annotation keys are `prefix/name`)."""
BAD = (METRICS["alb-elb-5xx"], METRICS["alb-target-5xx"])
TOTAL = (METRICS["alb-requests"], METRICS["alb-elb-5xx"])
"""The indicator, as the alarms measure it (blueprints.monitoring.ERROR_RATIO): the load balancer's own
5xx and its targets' over its requests and the ones it answered without a target."""
RTO_STAGES = ("detect", "recover")
"""The stages an RTO spans (blueprints.steps.rto_of); `after` restores what recovery gave up."""


def dns_label(*parts: str) -> str:
    """`parts` joined with `-` as a DNS label: lowercase, runs of anything else as one `-`; longer
    than NAME_LIMIT: cut, with 8 hex digits of the whole name's hash to keep it unique."""
    whole = "-".join(parts)
    label = re.sub(r"[^a-z0-9]+", "-", whole.lower()).strip("-") or "x"
    if len(label) <= NAME_LIMIT:
        return label
    digest = hashlib.sha256(whole.encode()).hexdigest()[:8]
    return f"{label[: NAME_LIMIT - 9].rstrip('-')}-{digest}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def duration_shorthand(seconds: float) -> str:
    """Seconds as OpenSLO's duration shorthand in the largest unit that divides them (d, h, m);
    less than a whole minute is rounded up to minutes (the shorthand has no seconds)."""
    whole = int(-(-seconds // 60)) * 60
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    raise AssertionError("unreachable: whole minutes divide by 60")


def _doc(kind: str, name: str, spec: dict[str, Any], display: str = "", **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if display:
        metadata["displayName"] = _short(display, DISPLAY_LIMIT)
    metadata |= meta
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def slo_name(plan: Plan, slo: Slo) -> str:
    return dns_label(plan.name, slo.journey)


def measured(plan: Plan, slo: Slo) -> bool:
    """A load balancer measures the SLO: its journey's service is a public one (a static site's journey
    is served by the CDN from a bucket: its alarms watch CloudFront's 5xx error rate, a percentage, not
    the counts an OpenSLO ratio indicator takes)."""
    return any(s.name == slo.service and s.public for s in plan.services)


def _regions(plan: Plan, slo: Slo) -> list[str]:
    """The regions where the journey's service runs behind a load balancer (a target group each)."""
    return [c.region for c in plan.service(slo.service).capacity.value]


def _source(plan: Plan, slo: Slo, metrics: tuple[Any, ...]) -> dict[str, Any]:
    """A CloudWatch metric source in CloudWatch's own terms (GetMetricData's MetricStat): the metrics,
    summed, one series per serving region, summed; the dimension's value names, in words, the resource
    whose id it takes (the AWS target creates them: their ids exist only once deployed)."""
    series = [
        {
            "region": region,
            "dimensions": [{"name": "LoadBalancer", "value": f"ARN suffix of the load balancer in {region}"}],
        }
        for region in _regions(plan, slo)
    ]
    spec = {
        "namespace": metrics[0].namespace,
        "metricNames": [m.name for m in metrics],
        "stat": metrics[0].statistic,
        "period": DATAPOINT_SECONDS,
        "series": series,
        "aggregation": "sum of the metrics and the series",
    }
    return {"metricSource": {"type": "CloudWatch", "spec": spec}}


def _indicator(plan: Plan, slo: Slo, name: str) -> dict[str, Any]:
    return {
        "metadata": {"name": dns_label(name, "errors"), "displayName": _short(f"{slo.service} 5xx", DISPLAY_LIMIT)},
        "spec": {
            "description": _short(
                f"Requests of the journeys through each serving region's load balancer answered with a server "
                f"error (5xx) by the load balancer or its targets, over all its requests ({BAD[0].source}).",
                DESCRIPTION_LIMIT,
            ),
            "ratioMetric": {
                # CloudWatch gives a count per period, not a running counter
                "counter": False,
                "bad": _source(plan, slo, BAD),
                "total": _source(plan, slo, TOTAL),
            },
        },
    }


def _decimal(ratio: float) -> str:
    """A ratio as a plain decimal string (`0.00002`, never `2e-05`: a YAML 1.2 reader takes that
    for a number, and annotation values are strings)."""
    return f"{ratio:.12f}".rstrip("0").rstrip(".")


def _conditions(slo: Slo) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
    """(name suffix, severity, condition, annotations) per alert: each burn-rate pair, or with `fast-signal`
    the one-minute alarm on the budget's own ratio (a burn rate of 1 over one datapoint)."""
    if slo.alerting == "fast-signal":
        budget_ratio = round(1 - slo.target / 100, 10)
        window = duration_shorthand(DATAPOINT_SECONDS)
        condition = {"kind": "burnrate", "op": "gt", "threshold": 1, "lookbackWindow": window}
        return [(f"fast-{window}", "page", condition, {f"{ANNOTATION}/error-ratio": _decimal(budget_ratio)})]
    out: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
    for w in slo.windows:
        long, short = duration_shorthand(w.long_seconds), duration_shorthand(w.short_seconds)
        condition = {"kind": "burnrate", "op": "gt", "threshold": w.burn_rate, "lookbackWindow": long}
        notes = {f"{ANNOTATION}/short-window": short, f"{ANNOTATION}/error-ratio": _decimal(w.error_ratio)}
        out.append((f"{w.severity}-{long}", w.severity, condition, notes))
    return out


def openslo(plan: Plan) -> list[dict[str, Any]]:
    """The OpenSLO objects, in order: the system's Service, the alert notification target, then per
    SLO a load balancer measures (the plan's order) its AlertConditions, AlertPolicies and the SLO."""
    ops = plan.operations
    if ops is None:
        return []
    service = dns_label(plan.name)
    target = dns_label(plan.name, "alerts")
    emails = ops.alert_emails.value
    docs = [
        _doc("Service", service, {"description": _short(plan.description or plan.name, DESCRIPTION_LIMIT)}, plan.name),
        _doc(
            "AlertNotificationTarget",
            target,
            {
                "target": "email" if emails else "sns",
                "description": _short(
                    "Each region's alert topic (Amazon SNS), "
                    + (f"subscribed by {', '.join(emails)}." if emails else "with no subscriber: nobody is told."),
                    DESCRIPTION_LIMIT,
                ),
            },
        ),
    ]
    for slo in [s for s in ops.slos if measured(plan, s)]:
        name = slo_name(plan, slo)
        policies = []
        for suffix, severity, condition, notes in _conditions(slo):
            condition_name, policy_name = dns_label(name, suffix), dns_label(name, suffix, "policy")
            short = notes.get(f"{ANNOTATION}/short-window")
            both = f" and over {short}" if short else ""
            docs.append(
                _doc(
                    "AlertCondition",
                    condition_name,
                    {
                        "description": _short(
                            f"{slo.journey}: the error budget burns more than {condition['threshold']:g}x its "
                            f"rate over {condition['lookbackWindow']}{both} (error ratio above "
                            f"{notes[f'{ANNOTATION}/error-ratio']}).",
                            DESCRIPTION_LIMIT,
                        ),
                        "severity": severity,
                        "condition": condition,
                    },
                    annotations=notes,
                )
            )
            docs.append(
                _doc(
                    "AlertPolicy",
                    policy_name,
                    {
                        "description": _short(f"{slo.journey}: {slo.reason}", DESCRIPTION_LIMIT),
                        "alertWhenBreaching": True,
                        "alertWhenResolved": False,
                        "alertWhenNoData": False,
                        "conditions": [{"conditionRef": condition_name}],
                        "notificationTargets": [{"targetRef": target}],
                    },
                )
            )
            policies.append({"alertPolicyRef": policy_name})
        spec: dict[str, Any] = {
            "description": _short(f"{slo.journey}: {slo.reason} (source: {slo.source})", DESCRIPTION_LIMIT),
            "service": service,
            "indicator": _indicator(plan, slo, name),
            "timeWindow": [{"duration": duration_shorthand(slo.window_days * 86400), "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": "requests without a server error", "target": target_fraction(slo)}],
        }
        if policies:
            spec["alertPolicies"] = policies
        docs.append(_doc("SLO", name, spec, slo.journey, annotations={f"{ANNOTATION}/alerting": slo.alerting}))
    return docs


def target_fraction(slo: Slo) -> float:
    """The plan's percent as OpenSLO's `target` in [0, 1), without float noise (99.99 -> 0.9999)."""
    return round(slo.target / 100, 10)


def openslo_text(plan: Plan) -> str:
    """`openslo.yaml`: the documents, `---` between them, in openslo()'s order."""
    import yaml

    return yaml.safe_dump_all(openslo(plan), sort_keys=False, default_flow_style=False, allow_unicode=True)


def stage_seconds(runbook: Runbook) -> list[tuple[str, float]]:
    """(stage, its time) for each stage of the RTO: its slowest journey step (steps of a stage run
    side by side)."""
    return [
        (stage, max((s.seconds for s in runbook.steps if s.stage == stage and s.on_journeys), default=0.0))
        for stage in RTO_STAGES
    ]


def runbooks_json(plan: Plan) -> str:
    """`runbooks.json`: every runbook with its ordered steps, in the Plan's own field names (the
    Plan's JSON Schema describes them), and each RTO's stage times."""
    ops = plan.operations
    data = {
        "system": plan.name,
        "stack": plan.stack,
        "runbooks": [
            {
                **r.model_dump(mode="json"),
                "steps": [s.model_dump(mode="json") for s in sorted(r.steps, key=lambda s: s.order)],
                "stages": [{"stage": stage, "seconds": seconds} for stage, seconds in stage_seconds(r)],
            }
            for r in (ops.runbooks if ops else [])
        ],
    }
    return json.dumps(data, indent=2) + "\n"

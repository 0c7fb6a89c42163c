"""AWS FIS: experiment templates, checked against the documented actions (blueprints.fis), then made in
moto.

moto's FIS (CreateExperimentTemplate, GetExperimentTemplate, ListExperimentTemplates, tags, and
StartExperiment as a state machine) stores whatever it is sent: it knows no action id, no resource
type, no parameter and no selection mode, and resolves only targets named by ARN. This handler is what
refuses, before moto is called, each template FIS itself would refuse: an unknown action id, a target
of another resource type than the action's, a missing or unknown parameter (an action's or a target's),
a value outside the documented ones, a duration outside one minute to 12 hours, a bad selection mode,
a target an action names that the template lacks, a target picking resources in a way its action does
not take, ARNs and tags together, an ARN of another region, a description over 512 characters; and,
as hld requires of every template, one without a stop condition on a CloudWatch alarm.
"""

from __future__ import annotations

from typing import Any

from blueprints.fis import (
    ACTIONS,
    ARNS,
    DESCRIPTION_MAX,
    DURATION_MAX_SECONDS,
    DURATION_MIN_SECONDS,
    FILTERS,
    PARAMETERS,
    STOP_SOURCES,
    TAGS,
    TARGET_TYPES,
    duration_seconds,
    selection_ok,
)
from hld.offline.moto.mocks import MotoMocks, handles

TYPE = "aws:fis/experimentTemplate:ExperimentTemplate"


def _pairs(raw: Any) -> dict[str, str]:
    """[{key, value}] (the provider's shape) or a map, as a map."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    return {str(p["key"]): str(p["value"]) for p in raw or []}


def problems(inputs: dict[str, Any], region: str) -> list[str]:
    """Why FIS would refuse this template (as the pulumi-aws inputs give it), by blueprints.fis; [] if it
    would create it."""
    out: list[str] = []
    description = str(inputs.get("description") or "")
    if len(description) > DESCRIPTION_MAX:
        out.append(f"description is {len(description)} characters, over FIS's {DESCRIPTION_MAX}")
    targets = {str(t["name"]): t for t in inputs.get("targets") or []}
    for t_name, t in targets.items():
        out += _target_problems(t_name, t, region)
    actions = inputs.get("actions") or []
    if not actions:
        out.append("no action: a template needs at least one")
    for a in actions:
        out += _action_problems(a, targets)
    stops = inputs.get("stopConditions") or []
    alarms = [s for s in stops if s.get("source") == "aws:cloudwatch:alarm"]
    for s in stops:
        if s.get("source") not in STOP_SOURCES:
            out.append(f"stop condition source {s.get('source')!r} is not one of {', '.join(STOP_SOURCES)}")
        elif s.get("source") == "aws:cloudwatch:alarm" and not str(s.get("value") or "").startswith("arn:"):
            out.append("a stop condition on a CloudWatch alarm names no alarm ARN")
    if not alarms:
        out.append(
            "no stop condition on a CloudWatch alarm: an experiment that nothing stops runs its full "
            "course whatever it breaks (hld requires the region's SLO stop alarm)"
        )
    return out


def _action_problems(a: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    label = f"action {a.get('name')!r}"
    row = ACTIONS.get(str(a.get("actionId")))
    if row is None:
        known = ", ".join(sorted(k for k, r in ACTIONS.items() if r.used))
        return [f"{label}: unknown action id {a.get('actionId')!r} (FIS's documented actions hld uses: {known})"]
    out = []
    params = _pairs(a.get("parameters"))
    for p in row.required:
        if p not in params:
            out.append(f"{label}: {row.id} requires the parameter {p!r} ({row.source})")
    for p, v in params.items():
        if p not in row.required + row.optional:
            out.append(
                f"{label}: {row.id} takes no parameter {p!r} (it takes {', '.join(row.required + row.optional) or 'none'})"
            )
        elif p in row.values and v not in row.values[p]:
            out.append(f"{label}: {p}={v!r} is not one of {', '.join(row.values[p])}")
        elif p == "duration":
            seconds = duration_seconds(v)
            if seconds is None or not DURATION_MIN_SECONDS <= seconds <= DURATION_MAX_SECONDS:
                out.append(f"{label}: duration {v!r} is not an ISO 8601 duration from one minute to 12 hours")
    target = a.get("target") or {}
    if not row.target_key:
        return out
    if not target:
        return [*out, f"{label}: {row.id} needs a target under {row.target_key!r}"]
    if target.get("key") != row.target_key:
        out.append(f"{label}: {row.id} names its target under {row.target_key!r}, not {target.get('key')!r}")
    t = targets.get(str(target.get("value")))
    if t is None:
        return [
            *out,
            f"{label}: its target {target.get('value')!r} is not among the template's targets ({', '.join(targets) or 'none'})",
        ]
    if t.get("resourceType") != row.resource_type:
        out.append(
            f"{label}: {row.id} acts on {row.resource_type}, not {t.get('resourceType')!r} (target {t.get('name')!r})"
        )
    ways = {
        ARNS: bool(t.get("resourceArns")),
        TAGS: bool(t.get("resourceTags")),
        PARAMETERS: bool(t.get("parameters")),
        FILTERS: bool(t.get("filters")),
    }
    for way, used in ways.items():
        if used and way not in row.targeting:
            out.append(f"{label}: {row.id}'s target picks resources only by {', '.join(row.targeting)}, not by {way}")
    return out


def _target_problems(name: str, t: dict[str, Any], region: str) -> list[str]:
    label = f"target {name!r}"
    out = []
    kind = TARGET_TYPES.get(str(t.get("resourceType")))
    if kind is None:
        return [f"{label}: unknown resource type {t.get('resourceType')!r}"]
    if not selection_ok(str(t.get("selectionMode") or "")):
        out.append(f"{label}: selection mode {t.get('selectionMode')!r} is not ALL, COUNT(n) or PERCENT(n)")
    arns, tags = t.get("resourceArns") or [], t.get("resourceTags") or []
    if arns and tags:
        out.append(f"{label}: names resources by ARN and by tags; FIS takes one or the other")
    if not arns and not tags and not t.get("parameters"):
        out.append(f"{label}: names no resource (no ARN, tag or parameter)")
    for arn in arns:
        parts = str(arn).split(":")
        if len(parts) < 6 or (parts[3] and parts[3] != region):
            out.append(f"{label}: {arn} is not a resource of {region} (FIS acts on its own region's resources)")
    params = _pairs(t.get("parameters"))
    for p in kind.required:
        if p not in params:
            out.append(f"{label}: {kind.resource_type} requires the target parameter {p!r} ({kind.source})")
    for p in params:
        if p not in kind.required + kind.optional:
            out.append(f"{label}: {kind.resource_type} takes no target parameter {p!r}")
    return out


@handles(TYPE)
def _template(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    found = problems(i, r)
    if found:
        raise m.reject(f"AWS rejected {TYPE} {name!r} in {r}: ValidationException: " + "; ".join(found))
    targets = {
        str(t["name"]): {
            k: v
            for k, v in {
                "resourceType": t["resourceType"],
                "resourceArns": t.get("resourceArns") or None,
                "resourceTags": _pairs(t.get("resourceTags")) or None,
                "filters": [{"path": f["path"], "values": list(f["values"])} for f in t.get("filters") or []] or None,
                "parameters": _pairs(t.get("parameters")) or None,
                "selectionMode": t["selectionMode"],
            }.items()
            if v is not None
        }
        for t in i.get("targets") or []
    }
    actions = {
        str(a["name"]): {
            k: v
            for k, v in {
                "actionId": a["actionId"],
                "description": a.get("description"),
                "parameters": _pairs(a.get("parameters")) or None,
                "targets": {a["target"]["key"]: a["target"]["value"]} if a.get("target") else None,
                "startAfter": a.get("startAfters") or None,
            }.items()
            if v is not None
        }
        for a in i.get("actions") or []
    }
    made = m.client("fis", r).create_experiment_template(
        clientToken=m.physical(name),
        description=str(i.get("description") or ""),
        stopConditions=[
            {k: v for k, v in s.items() if k in ("source", "value")} for s in i.get("stopConditions") or []
        ],
        targets=targets,
        actions=actions,
        roleArn=str(i["roleArn"]),
        tags={str(k): str(v) for k, v in (i.get("tags") or {}).items()},
    )["experimentTemplate"]
    return str(made["id"]), {"arn": made.get("arn"), "id": made["id"]}

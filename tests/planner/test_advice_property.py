"""Advice is a fixed point: every change hld suggests, applied verbatim, does what it says.

A generator of blueprints (levels, replication, targets, regions, stores, budgets, RTO/RPO, edge,
where the users are and latency targets, the system's and a route's own)
feeds two checks:

- validate: every coherence problem whose `Fix:` carries an edit is fixed by applying that edit to
  the document; the edited blueprint no longer has the problem and has no problem it did not have,
  and the fix's text states the edit (its field and its value);
- plan: every advice line's JSON edit, applied to the document, gives a blueprint that validates,
  and its plan does what the line claims: a change labelled as meeting a target meets it and breaks
  nothing; the targets it says it meets and breaks are the ones that plan meets and breaks; what it
  says it reaches is what that plan reaches; a change not labelled as meeting still moves the target
  it is offered under; the line's text states each edit.

Examples: HLD_PROPERTY_EXAMPLES (default 300, about 40 s on 2 cores); run thousands
locally, e.g. `HLD_PROPERTY_EXAMPLES=3000 .venv/bin/python -m pytest tests/planner/test_advice_property.py`.
"""

from __future__ import annotations

import copy

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprints import BlueprintError, parse, plan
from blueprints.model import Blueprint
from blueprints.planner.journeys import pct
from blueprints.planner.unmet import NAMES, _better, apply_edit
from blueprints.rules import check
from tests.helpers import PROPERTY_EXAMPLES

EXAMPLES = PROPERTY_EXAMPLES

REGIONS = [
    None,
    ["us-east-1"],
    ["eu-central-1"],
    ["ap-northeast-1"],
    ["sa-east-1"],
    ["us-east-1", "us-west-2"],
    ["eu-west-1", "eu-central-1"],
    ["eu-central-1", "us-east-1"],
    ["ap-northeast-1", "ap-northeast-3", "ap-northeast-2"],
    ["us-east-1", "us-east-2", "us-west-2"],
]

USERS = [
    None,
    {"us-east-1": 100},
    {"us-east-1": 60, "eu-west-1": 40},
    {"us-east-1": 50, "ap-northeast-1": 30, "eu-west-1": 20},
    {"eu-central-1": 70, "us-east-1": 30},
]
LATENCIES = [None, None, {"p50": "60ms"}, {"p99": "300ms"}, {"p50": "100ms", "p99": "250ms"}]


@st.composite
def blueprints(draw: st.DrawFn) -> dict:
    level = draw(st.sampled_from([None, "single-zone", "multi-zone", "multi-region"]))
    redundancy: dict = {}
    if level:
        redundancy["level"] = level
    if level != "single-zone":
        replication = draw(st.sampled_from([None, "passive", "active"]))
        if replication:
            redundancy["replication"] = replication
    doc: dict = {
        "name": "prop",
        "availability": draw(st.sampled_from([99.0, 99.4, 99.5, 99.9, 99.95, 99.97, 99.99, 99.995, 99.999])),
    }
    if redundancy:
        doc["redundancy"] = redundancy
    # mostly regions the level takes (one region below multi-region), sometimes any
    fitting = [r for r in REGIONS if r is None or (len(r) > 1) == (level == "multi-region")] if level else REGIONS
    regions = draw(st.sampled_from(fitting if draw(st.integers(0, 3)) else REGIONS))
    if regions:
        doc["regions"] = regions
    consistency = draw(st.sampled_from([None, "strong", "eventual"]))
    if consistency:
        doc["consistency"] = consistency
    rto = draw(st.sampled_from([None, "30s", "2m", "15m", "1h"]))
    if rto:
        doc["rto"] = rto
    rpo = draw(st.sampled_from([None, 0, "1m", "15m"]))
    if rpo is not None:
        doc["rpo"] = rpo
    users = draw(st.sampled_from(USERS))
    if users:
        doc["users"] = users
    latency = draw(st.sampled_from(LATENCIES))
    if latency:
        doc["latency"] = latency
    budget = draw(st.sampled_from([None, 200, 1500, 6000, 30000]))
    if budget:
        doc["cost"] = {"monthly_max": budget}
    edge: dict = {"domain": "prop.example.com"}
    cdn = draw(st.sampled_from([None, "through", "bypass"]))
    if cdn:
        edge["cdn"] = {"dynamic": cdn}
    if draw(st.booleans()):
        edge["waf"] = True
    doc["edge"] = edge
    stores: list[dict] = []
    uses: list[str] = []
    kind = draw(st.sampled_from(["relational", "key-value", "none"]))
    if kind == "relational":
        store: dict = {"name": "db", "kind": "relational"}
        engine = draw(st.sampled_from([None, "rds-postgresql", "aurora-postgresql"]))
        if engine:
            store["engine"] = engine
        stores.append(store)
        uses.append("db")
    elif kind == "key-value":
        store = {"name": "db", "kind": "key-value"}
        own = draw(st.sampled_from([None, "strong", "eventual"]))
        if own:
            store["consistency"] = own
        stores.append(store)
        uses.append("db")
    if draw(st.booleans()):
        stores.append({"name": "sessions", "kind": "cache"})
        uses.append("sessions")
    own = draw(st.sampled_from(LATENCIES))
    write: dict = {"route": "POST /", "latency": own} if own else {"route": "POST /"}
    services = [
        {
            "name": "api",
            "image": "ghcr.io/x/api:1",
            "public": True,
            "routes": ["GET /", write] if draw(st.booleans()) else ["GET /"],
            "uses": uses,
            "peak_rps": draw(st.sampled_from([50, 1000])),
            "rps_per_replica": 100,
        }
    ]
    queue = draw(st.sampled_from(["none", "api", "worker"]))
    if queue != "none":
        stores.append({"name": "jobs", "kind": "queue"})
        if queue == "api":
            uses.append("jobs")
        services.append({"name": "ranker", "image": "ghcr.io/x/ranker:1", "uses": ["jobs"]})
    doc["services"] = services
    doc["datastores"] = stores
    return doc


def _applied(doc: dict, edits) -> dict:
    edited = copy.deepcopy(doc)
    for path, value in edits:
        apply_edit(edited, tuple(path), value)
    return edited


def _said(value: object) -> list[str]:
    """How a fix's text states an edit's value."""
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, list):
        return [", ".join(str(v) for v in value)]
    if isinstance(value, dict):
        return [f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in value.items()]
    return [f"{value:g}" if isinstance(value, float) else str(value)]


def _states(text: str, path, value) -> None:
    key = next((k for k in reversed(list(path)) if isinstance(k, str)), None)
    if isinstance(value, dict):
        key = None  # an edge rewritten: stated by its fields
    assert key is None or key in text, f"{text!r} does not name {key!r}"
    for said in _said(value):
        assert said in text, f"{text!r} does not state {said!r} for {list(path)}"


def _key(finding) -> tuple:
    return (finding.path, finding.rule, finding.message)


def _check_validate(doc: dict) -> None:
    bp = Blueprint.model_validate(doc)
    found = check(bp)
    before = {_key(f) for f in found}
    for finding in found:
        if not finding.edits:
            continue
        for path, value in finding.edits:
            _states(finding.fix, path, value)
        edited = Blueprint.model_validate(_applied(doc, finding.edits))
        after = {_key(f) for f in check(edited)}
        assert _key(finding) not in after, f"fix {finding.fix!r} leaves {finding.message!r}"
        assert after <= before, f"fix {finding.fix!r} brings {after - before}"


def _check_plan(doc: dict) -> None:
    original = plan(parse(yaml.safe_dump(doc, sort_keys=False), "prop.yaml"))
    before = {u.what for u in original.unmet}
    for unmet in original.unmet:
        for fix in unmet.fixes:
            edits = [(e.path, e.value) for e in fix.edits]
            for path, value in edits:
                if value is not None:
                    _states(fix.change, path, value)
            try:
                after_bp = parse(yaml.safe_dump(_applied(doc, edits), sort_keys=False), "prop.yaml")
            except BlueprintError as exc:
                raise AssertionError(f"{fix.change!r} does not validate: {exc}") from None
            after = plan(after_bp)
            missed = {u.what for u in after.unmet}
            if fix.meets:
                assert unmet.what not in missed, f"{fix.change!r} is labelled as meeting {unmet.what}"
                assert missed <= before, f"{fix.change!r} breaks {missed - before}"
            for name in fix.meets_targets:
                assert not {t for t, n in NAMES.items() if n == name} & missed, f"{fix.change!r}: {name} missed"
            for name in fix.breaks:
                target = next(t for t, n in NAMES.items() if n == name)
                assert target in missed and target not in before, f"{fix.change!r} said to break {name}"
            assert {NAMES[t] for t in missed - before} == set(fix.breaks), f"{fix.change!r} breaks unsaid"
            if unmet.what == "availability":
                assert fix.reaches == f"{pct(after.availability.estimate)}%", fix.change
            if not fix.meets and not fix.relaxes:
                assert _better(after, original, unmet.what), f"{fix.change!r} does not move {unmet.what}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
@given(blueprints())
def test_every_fix_does_what_it_says(doc: dict) -> None:
    try:
        bp = Blueprint.model_validate(doc)
    except ValueError:
        return  # outside the format: the schema's business
    if check(bp):
        _check_validate(doc)
        return
    _check_plan(doc)

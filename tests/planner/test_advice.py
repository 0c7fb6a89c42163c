"""Advice is computed, never guessed: every change hld suggests is applied to the blueprint as the
user would, planned again, and must do what its label says."""

from __future__ import annotations

import copy
import functools

import pytest
import yaml

from blueprints import BlueprintError, load, parse, plan
from blueprints.planner.unmet import apply_edit
from tests.helpers import DESIGN_FILES, EXAMPLE_FILES, make

RAISED = (99.95, 99.99, 99.999)


def _cases() -> list[tuple[str, dict]]:
    """Every reference and test blueprint, as written and with its target raised, that misses a target."""
    out = []
    for path in EXAMPLE_FILES + DESIGN_FILES:
        doc = yaml.safe_load(path.read_text())
        for target in sorted({doc["availability"], *RAISED}):
            if target < doc["availability"]:
                continue
            raised = copy.deepcopy(doc) | {"availability": target}
            try:
                _parse(raised)
            except BlueprintError:
                continue  # above what the level it pins can reach: an input error, not a miss
            out.append((f"{path.stem}@{target}", raised))
    wiki = yaml.safe_load((DESIGN_FILES[0].parent / "wiki.yaml").read_text())
    wiki["availability"] = 99.9
    wiki["edge"]["cdn"]["dynamic"] = "through"
    out.append(("wiki-through@99.9", wiki))
    standby = make(availability=99.9, redundancy={"level": "multi-region", "replication": "passive"}, rto="2m")
    out.append(("standby-rto-2m", standby))
    edge = {"domain": "a.example.com", "waf": True, "cdn": {"dynamic": "through"}}
    queues = make(availability=99.97, regions=["us-east-1"], edge=edge)
    queues["datastores"][0]["engine"] = "rds-postgresql"
    queues["datastores"].append({"name": "q", "kind": "queue"})
    queues["services"][0]["uses"].append("q")
    out.append(("cdn-waf-queue@99.97", queues))
    return out


def _parse(doc: dict):
    return parse(yaml.safe_dump(doc, sort_keys=False), "advice.yaml")


@functools.cache
def _planned(name: str):
    doc = dict(CASES)[name]
    return plan(_parse(doc))


CASES = _cases()
MISSING = [name for name, _ in CASES if not _planned(name).ok]


def _applied(doc: dict, fix) -> dict:
    edited = copy.deepcopy(doc)
    for edit in fix.edits:
        apply_edit(edited, tuple(edit.path), edit.value)
    return edited


def test_there_are_misses_to_advise_on():
    assert len(MISSING) >= 8, MISSING
    assert {"inventory@99.999", "wiki-through@99.9", "standby-rto-2m"} <= set(MISSING)


@pytest.mark.parametrize("name", MISSING)
def test_every_change_labelled_as_meeting_meets_when_applied(name):
    doc, original = dict(CASES)[name], _planned(name)
    before = {u.what for u in original.unmet}
    for unmet in original.unmet:
        assert unmet.fixes, f"{name}: no advice for {unmet.what}"
        for fix in unmet.fixes:
            if not fix.meets:
                continue
            after = plan(_parse(_applied(doc, fix)))
            missed = {u.what for u in after.unmet}
            assert unmet.what not in missed, f"{name}: {fix.change!r} is labelled as meeting {unmet.what}"
            assert missed <= before, f"{name}: {fix.change!r} breaks {missed - before}"


@pytest.mark.parametrize("name", MISSING)
def test_every_change_shows_what_its_plan_reaches_and_repeats_nothing_set(name):
    doc, original = dict(CASES)[name], _planned(name)
    decisions = original.model_dump(exclude={"unmet", "level"})
    for unmet in original.unmet:
        for fix in unmet.fixes:
            after = plan(_parse(_applied(doc, fix)))
            assert after.model_dump(exclude={"unmet", "level"}) != decisions, f"{name}: {fix.change!r} changes nothing"
            if unmet.what == "availability":
                assert fix.reaches == f"{after.availability.estimate:.4f}".rstrip("0").rstrip(".") + "%"
                if not fix.meets:
                    assert not after.availability.met, f"{name}: {fix.change!r} meets yet is not labelled so"


def test_replication_already_active_is_never_suggested():
    p = _planned("inventory@99.999")
    assert p.replication.value == "active"
    changes = [fix.change for u in p.unmet for fix in u.fixes]
    assert changes and not any("replication: active" in c for c in changes)


def test_when_no_single_change_suffices_the_smallest_combination_is_shown():
    p = _planned("cdn-waf-queue@99.97")
    fixes = next(u for u in p.unmet if u.what == "availability").fixes
    meeting = [f for f in fixes if f.meets and not f.relaxes]
    assert meeting and all(" + " in f.change for f in meeting)  # no single design change meets 99.97
    assert not any(f.meets for f in fixes if " + " not in f.change and not f.relaxes)


def test_a_derived_level_claims_to_meet_a_target_only_when_it_does():
    for name in MISSING:
        p = _planned(name)
        if p.level.derived:
            assert "the lowest level whose SLA-based estimate meets" not in p.level.reason, name
    met = plan(load(EXAMPLE_FILES[0]))
    assert met.ok


def test_a_change_that_meets_no_target_says_so():
    p = _planned("wiki-through@99.9")
    unmet = next(u for u in p.unmet if u.what == "availability")
    assert unmet.searched.startswith("no change to the design")
    assert [f.change for f in unmet.fixes if f.meets] == [f.change for f in unmet.fixes if f.relaxes]

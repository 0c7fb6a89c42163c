"""FIS experiments as the plan decides them: one per zone of each region above single-zone when
something sits in a zone, one per region of a multi-region design; each in its region, its actions
FIS's documented ones (blueprints.fis), its hypothesis the what-if's own figures."""

from __future__ import annotations

import functools

import pytest

from blueprints import StackSettings
from blueprints.fis import ACTIONS, TARGET_TYPES, duration_seconds
from blueprints.loader import load
from blueprints.planner import plan as make_plan
from blueprints.planner.experiments import experiments, stop_alarm
from blueprints.units import human_duration
from blueprints.whatif import explain
from tests.helpers import DESIGNS, EXAMPLES

EXAMPLE_NAMES = ["url-shortener", "e-commerce", "social-feed", "payments-ledger"]


@functools.cache
def _plan(name: str, folder=EXAMPLES):
    return make_plan(load(folder / f"{name}.yaml"), StackSettings(name=f"{name}-prod"))


def _expected_count(p) -> int:
    zonal = bool(p.services) or any(s.kind in ("relational", "cache") for s in p.datastores)
    zones = sum(len(n.zones) for n in p.networks) if p.level.value != "single-zone" and zonal else 0
    regions = len(p.regions.value) if p.level.value == "multi-region" else 0
    return zones + regions


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_one_experiment_per_zone_of_each_region_and_per_region(name):
    p = _plan(name)
    found = experiments(p)
    assert len(found) == _expected_count(p)
    assert p.operations is not None and p.operations.experiments == found
    zones = [e.lost for e in found if e.disruption == "zone-loss"]
    assert zones == [z for n in p.networks for z in n.zones]
    for e in found:
        region = e.lost if e.disruption == "region-loss" else next(n.region for n in p.networks if e.lost in n.zones)
        assert e.region == region  # FIS acts on its own region's resources
        assert e.stop_on == [stop_alarm(p, region, e.disruption)]
        assert e.stop_on == [f"{p.name}-{p.stack} {e.disruption} stop alarm in {region}"]
        assert e.run.startswith(f"aws fis start-experiment --region {region} --experiment-template-id ")
        assert e.watch and e.actions


def test_url_shortener_counts_six_zones_and_two_regions():
    found = experiments(_plan("url-shortener"))
    assert [e.disruption for e in found].count("zone-loss") == 6
    assert [e.lost for e in found if e.disruption == "region-loss"] == ["us-east-1", "us-west-2"]


def test_a_single_region_design_has_only_zone_experiments():
    found = experiments(_plan("e-commerce"))
    assert [e.lost for e in found] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    actions = {a.action for a in found[0].actions}
    assert actions == {
        "aws:network:disrupt-connectivity",
        "aws:ecs:stop-task",
        "aws:rds:failover-db-cluster",  # Aurora
        "aws:elasticache:replicationgroup-interrupt-az-power",
    }


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_hypothesis_carries_the_what_ifs_figures(name):
    p = _plan(name)
    for e in experiments(p):
        result = explain(p, e.disruption, e.lost)
        for s in result.services:
            assert f"{s.service}: capacity left {s.capacity_rps_left} rps for a peak of " in e.hypothesis
        kept = sum(j.survives for j in result.journeys)
        assert f"journeys kept {kept}/{len(result.journeys)}" in e.hypothesis
        rto = human_duration(result.rto_seconds) if result.rto_seconds else "0 s"
        rpo = human_duration(result.rpo_seconds) if result.rpo_seconds else "0 s"
        assert f"expected RTO {rto}, RPO {rpo}" in e.hypothesis
        assert len(e.hypothesis) <= 512


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_action_is_a_documented_fis_action_with_its_parameters(name):
    for e in experiments(_plan(name)):
        for a in e.actions:
            row = ACTIONS[a.action]
            assert row.used and a.target == row.resource_type
            assert set(row.required) <= set(a.parameters) <= set(row.required + row.optional)
            if "duration" in a.parameters:
                assert duration_seconds(a.parameters["duration"]) == e.duration_seconds == 600
            fis_params = {k for k in a.target_parameters if k not in ("service", "store", "zone")}
            kind = TARGET_TYPES[row.resource_type]
            assert set(kind.required) <= fis_params <= set(kind.required + kind.optional)


def test_zone_actions_stay_in_their_zone_and_region_actions_isolate_from_every_other_region():
    p = _plan("url-shortener")
    for e in experiments(p):
        if e.disruption == "zone-loss":
            zoned = [v for a in e.actions for k, v in a.target_parameters.items() if k != "service" and k != "store"]
            assert set(zoned) == {e.lost}
            assert any(a.action == "aws:rds:reboot-db-instances" for a in e.actions) == (e.region == "us-east-1")
        else:
            isolated = {a.parameters["region"] for a in e.actions if a.action.startswith("aws:network")}
            assert isolated == set(p.regions.value) - {e.region}
            assert any(a.action == "aws:dynamodb:global-table-pause-replication" for a in e.actions)


def test_a_static_site_needs_no_zone_experiment():
    p = _plan("static-site", DESIGNS)
    assert all(e.disruption == "region-loss" for e in experiments(p))

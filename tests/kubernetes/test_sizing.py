"""Sizing on a laptop: the autoscalers' maximums fit the machine, an idle process does not scale
out, the memory limits are stated against what the control plane leaves, probes follow the plan."""

from __future__ import annotations

import functools

from blueprints import load, plan
from generators.kubernetes import kind_cluster, objects
from generators.kubernetes.common import KindOptions
from generators.kubernetes.guide import guide
from generators.kubernetes.profile import demand, memory_limits
from hld.checks.kubernetes import cross_checks
from tests.helpers import EXAMPLES

SHOP = EXAMPLES / "e-commerce.yaml"


@functools.cache
def planned(path: str):
    return plan(load(path))


def budget_problems(objs, p, kind):
    return next(
        problems for name, _, problems in cross_checks(p, objs, kind_cluster(p, kind), kind) if name == "fits-budget"
    )


def test_scaled_out_requests_fit_the_laptop_budget():
    p, kind = planned(str(SHOP)), KindOptions()
    objs = objects(p, kind)
    scaled = demand(objs, 1 + len(p.zones(p.primary_region)), scaled_out=True)
    assert scaled.millicores <= kind.cpus * 1000 and scaled.mebibytes <= kind.memory_gib * 1024
    hpas = {o["metadata"]["name"]: o["spec"] for o in objs if o["kind"] == "HorizontalPodAutoscaler"}
    assert all(3 <= h["minReplicas"] <= h["maxReplicas"] <= 6 for h in hpas.values())
    assert any(h["maxReplicas"] < 6 for h in hpas.values())  # capped: 6 each would not fit 4 CPU
    assert budget_problems(objs, p, kind) == []


def test_the_budget_check_counts_requests_at_the_autoscalers_maximum():
    p, kind = planned(str(SHOP)), KindOptions()
    objs = objects(p, kind)
    for o in objs:
        if o["kind"] == "HorizontalPodAutoscaler":
            o["spec"]["maxReplicas"] = 12
    assert any("scaled out to every autoscaler's maximum" in x for x in budget_problems(objs, p, kind))


def test_a_smaller_machine_gets_lower_ceilings():
    p = planned(str(SHOP))
    small, big = KindOptions(cpus=3.0), KindOptions(cpus=16, memory_gib=32)

    def ceilings(kind):
        return {
            o["metadata"]["name"]: o["spec"]["maxReplicas"]
            for o in objects(p, kind)
            if o["kind"] == "HorizontalPodAutoscaler"
        }

    assert all(v == 3 for v in ceilings(small).values())
    assert all(v == 6 for v in ceilings(big).values())


def test_a_laptop_autoscaler_targets_the_task_share_not_the_small_request():
    p, kind = planned(str(SHOP)), KindOptions()
    for o in objects(p, kind):
        if o["kind"] != "HorizontalPodAutoscaler":
            continue
        svc = p.service(o["metadata"]["name"])
        target = o["spec"]["metrics"][0]["resource"]["target"]
        limit = svc.task_cpu.value * 1000 // 1024
        assert target == {"type": "AverageValue", "averageValue": f"{limit * svc.target_cpu // 100}m"}
        assert int(target["averageValue"][:-1]) >= 150  # well above an idle JVM, above the 100m request
    production = KindOptions(profile="production", cpus=128, memory_gib=256)
    hpa = next(o for o in objects(p, production) if o["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 60}


def test_the_readme_states_the_memory_limits_against_the_control_plane_reserve():
    p, kind = planned(str(SHOP)), KindOptions()
    total = memory_limits(objects(p, kind)) / 1024
    text = guide(p, kind)
    assert f"Memory limits at these replicas add to {total:.1f} GiB" in text
    assert "2 GiB is kept for the control plane" in text and "OOM killer" in text


def test_probes_follow_the_plans_health_check_and_task_size():
    p = planned(str(SHOP))
    for o in objects(p, KindOptions()):
        svc = next((s for s in p.services if s.name == o["metadata"]["name"]), None)
        if o["kind"] != "Deployment" or svc is None:
            continue
        c = o["spec"]["template"]["spec"]["containers"][0]
        ready, live, start = c["readinessProbe"], c["livenessProbe"], c["startupProbe"]
        assert ready["timeoutSeconds"] == (10 if svc.task_cpu.value < 512 else 5) == svc.health_check.timeout_seconds
        assert (ready["periodSeconds"], ready["failureThreshold"], ready["successThreshold"]) == (15, 3, 2)
        assert (live["periodSeconds"], live["failureThreshold"]) == (15, 3)
        assert start["periodSeconds"] * start["failureThreshold"] >= 180


def test_the_probes_check_refuses_a_one_second_timeout():
    p, kind = planned(str(SHOP)), KindOptions()
    objs = objects(p, kind)
    user = next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == "user")
    user["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["timeoutSeconds"] = 1
    problems = next(x for name, _, x in cross_checks(p, objs, kind_cluster(p, kind), kind) if name == "probes")
    assert any("livenessProbe times out after 1 s" in x for x in problems)


def test_the_zone_spread_ignores_cordoned_nodes():
    p = planned(str(SHOP))
    for o in objects(p, KindOptions()):
        if o["kind"] == "Deployment" and any(s.name == o["metadata"]["name"] for s in p.services):
            zone = o["spec"]["template"]["spec"]["topologySpreadConstraints"][0]
            assert zone["whenUnsatisfiable"] == "DoNotSchedule" and zone["nodeTaintsPolicy"] == "Honor"

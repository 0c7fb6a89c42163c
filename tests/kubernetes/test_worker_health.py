"""A worker's health stated as a command or as none: validated, planned, probed on kind, checked by
ECS on AWS; a public service keeps an HTTP health path."""

from __future__ import annotations

import copy

import pytest
import yaml

from blueprints import load, plan
from blueprints.loader import parse
from generators.kubernetes import kind_cluster, objects
from generators.kubernetes.common import KindOptions
from hld.checks.kubernetes import cross_checks
from tests.helpers import EXAMPLES

SHOP = EXAMPLES / "e-commerce.yaml"


def shop_with(health, service="notification"):
    doc = yaml.safe_load(SHOP.read_text())
    doc = copy.deepcopy(doc)
    next(s for s in doc["services"] if s["name"] == service)["health"] = health
    return yaml.safe_dump(doc)


def problems_of(text):
    try:
        parse(text, "shop.yaml")
    except Exception as exc:  # the loader's located problems
        return str(exc)
    return ""


def test_a_health_path_string_keeps_working():
    p = plan(load(SHOP))
    svc = next(s for s in p.services if s.name == "notification")
    assert svc.health == svc.health_check.path == "/healthz" and svc.health_check.kind == "http"


@pytest.mark.parametrize(
    ("health", "expected"),
    [({"exec": []}, "exec"), ({"exec": [""]}, "exec"), ({"none": ""}, "none"), ({"none": "  "}, "say why")],
)
def test_an_empty_command_or_reason_is_refused(health, expected):
    assert expected in problems_of(shop_with(health))


def test_a_public_service_must_keep_an_http_health_path():
    found = problems_of(shop_with({"exec": ["true"]}, service="user"))
    assert "public-health" in found and "health: /healthz" in found


def planned_with(health):
    return plan(parse(shop_with(health), "shop.yaml"))


def check(p, name):
    kind = KindOptions()
    objs = objects(p, kind)
    return objs, next(x for n, _, x in cross_checks(p, objs, kind_cluster(p, kind), kind) if n == name)


def container(objs, name="notification"):
    return next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == name)["spec"]["template"][
        "spec"
    ]["containers"][0]


def test_an_exec_health_becomes_exec_probes_that_the_check_accepts():
    p = planned_with({"exec": ["/app/healthcheck", "--queue"]})
    svc = next(s for s in p.services if s.name == "notification")
    assert svc.health is None and svc.health_check.command == ["/app/healthcheck", "--queue"]
    objs, problems = check(p, "probes")
    assert problems == []
    c = container(objs)
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[kind]["exec"] == {"command": ["/app/healthcheck", "--queue"]}
    c["livenessProbe"]["exec"]["command"] = ["true"]
    kind = KindOptions()
    again = next(x for n, _, x in cross_checks(p, objs, kind_cluster(p, kind), kind) if n == "probes")
    assert any("does not run the service's health command" in x for x in again)


def test_none_means_no_probe_and_the_check_accepts_it():
    p = planned_with({"none": "a batch consumer with no HTTP server"})
    objs, problems = check(p, "probes")
    assert problems == []
    c = container(objs)
    assert not {"startupProbe", "readinessProbe", "livenessProbe"} & set(c)
    c["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": "http"}}
    kind = KindOptions()
    again = next(x for n, _, x in cross_checks(p, objs, kind_cluster(p, kind), kind) if n == "probes")
    assert any("its health is `none`" in x for x in again)


@pytest.mark.parametrize("health", [{"exec": ["/bin/check", "--ready"]}, {"none": "a batch consumer"}])
def test_on_aws_exec_is_the_containers_health_check_and_none_has_none(health, tmp_path):
    import json

    from hld.testing import synth

    bp = tmp_path / "shop.yaml"
    bp.write_text(shop_with(health))
    result = synth(bp, stack="shop", cloud="mocks")
    [task] = [t for t in result.graph.of("aws:ecs/taskDefinition:TaskDefinition") if "notification" in t.name]
    raw = task.inputs["containerDefinitions"]
    [container_] = json.loads(raw) if isinstance(raw, str) else raw
    if "exec" in health:
        assert container_["healthCheck"]["command"] == ["CMD", "/bin/check", "--ready"]
        assert container_["healthCheck"]["timeout"] < container_["healthCheck"]["interval"]
    else:
        assert "healthCheck" not in container_ or container_["healthCheck"] is None
    assert result.tally().ok, result.tally().failed

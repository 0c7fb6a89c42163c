"""The Operations section of the HLD document and the files beside it: `openslo.yaml` (OpenSLO v1,
checked against the rules the OpenSLO go-sdk's v1 validation enforces) and `runbooks.json`.

Until the planner fills `Plan.operations` for every plan, `operations_of` builds one by hand from
the plan's own figures (its journeys, blueprints.monitoring's burn rates, its recovery steps)."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from pymarkdown.api import PyMarkdownApi

from blueprints import load, plan
from blueprints.monitoring import BURN_RATES, SLO_WINDOW_DAYS, budget_seconds, burn_rate_meaningful, burn_rate_ratio
from blueprints.plan_model import (
    BurnWindow,
    Decided,
    Experiment,
    ExperimentAction,
    Operations,
    Plan,
    Runbook,
    RunbookStep,
    Slo,
    Watch,
)
from generators.docs import document, files
from generators.docs.operations import dns_label, duration_shorthand, openslo, stage_seconds
from tests.helpers import EXAMPLES

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DURATION = re.compile(r"^[1-9][0-9]*[mhdwMQY]$")
ANNOTATION_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*/)?[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$"
)
KINDS = {"DataSource", "SLO", "SLI", "AlertPolicy", "AlertCondition", "AlertNotificationTarget", "Service"}


def _slo(p: Plan, journey, target: float) -> Slo:
    service, route = journey.name.split(": ", 1)
    meaningful = burn_rate_meaningful(target)
    return Slo(
        journey=journey.name,
        service=service,
        route=route,
        target=target,
        window_days=SLO_WINDOW_DAYS,
        budget_seconds=budget_seconds(target),
        alerting="burn-rate" if meaningful else "fast-signal",
        reason="the workbook's paging pairs" if meaningful else "the budget is shorter than one datapoint",
        windows=[
            BurnWindow(
                severity=b.severity,
                burn_rate=b.burn_rate,
                long_seconds=b.long_seconds,
                short_seconds=b.short_seconds,
                budget_consumed=b.budget_consumed,
                error_ratio=burn_rate_ratio(target, b.burn_rate),
            )
            for b in (BURN_RATES if meaningful else ())
        ],
        source="https://sre.google/workbook/alerting-on-slos/",
    )


def _runbooks(p: Plan) -> list[Runbook]:
    zone = p.zones(p.primary_region)[0]
    out = [
        Runbook(
            name=f"{p.name}: losing {zone}",
            disruption="zone-loss",
            lost=zone,
            steps=[
                RunbookStep(
                    order=1,
                    stage="detect",
                    action="the load balancer stops routing to the lost zone's targets",
                    service="Elastic Load Balancing",
                    plane="data",
                    region=p.primary_region,
                    seconds=p.dr.zone_loss_rto_seconds or 0.0,
                    source="hand-made",
                    automated=True,
                )
            ],
            rto_seconds=p.dr.zone_loss_rto_seconds,
            rpo_seconds=p.dr.zone_loss_rpo_seconds,
        )
    ]
    if p.dr.region_loss_steps:
        out.append(
            Runbook(
                name=f"{p.name}: losing {p.primary_region}",
                disruption="region-loss",
                lost=p.primary_region,
                steps=[
                    RunbookStep(
                        order=n,
                        **s.model_dump(include={"stage", "on_journeys", "store", "action", "service", "plane"}),
                        region=s.region,
                        seconds=s.seconds,
                        source=s.source,
                        automated=s.automated,
                        command=s.command,
                    )
                    for n, s in enumerate(p.dr.region_loss_steps, 1)
                ],
                rto_seconds=p.dr.region_loss_rto_seconds,
                rpo_seconds=p.dr.region_loss_rpo_seconds,
            )
        )
    return out


def operations_of(p: Plan, emails: list[str] | None = None, targets: dict[str, float] | None = None) -> Operations:
    """A hand-made Operations for `p`: an SLO per journey at the blueprint's target (or `targets`)."""
    zone = p.zones(p.primary_region)[0]
    return Operations(
        alert_emails=Decided(value=emails or [], reason="operations.alerts.email"),
        slos=[_slo(p, j, (targets or {}).get(j.name, p.availability.target)) for j in p.availability.journeys],
        watches=[
            Watch(
                key="running-tasks",
                subject=s.name,
                region=p.primary_region,
                metric="ecs-running-tasks",
                dimensions={"ClusterName": "the region's cluster", "ServiceName": f"{s.name}'s service"},
                comparison="LessThanThreshold",
                threshold=1,
                reason="a service with no task serves nothing",
            )
            for s in p.services
        ],
        experiments=[
            Experiment(
                name=f"{p.name}-zone-loss-{zone}",
                disruption="zone-loss",
                lost=zone,
                region=p.primary_region,
                actions=[
                    ExperimentAction(
                        name="disrupt-subnets",
                        action="aws:network:disrupt-connectivity",
                        target="aws:ec2:subnet",
                        subject=f"private and isolated subnets in {zone}",
                        parameters={"duration": "PT10M", "scope": "all"},
                    )
                ],
                duration_seconds=600,
                hypothesis="the other zones carry peak; every journey keeps serving",
                stop_on=[f"{p.name}-slo-page"],
                stop_ratio=0.1,
                run="aws fis start-experiment --experiment-template-id <template id>",
                watch=["the journeys' 5xx on the dashboard"],
            )
        ],
        runbooks=_runbooks(p),
        dashboard=f"{p.name}-{p.stack}",
        warnings=[] if emails else ["no alert email: nobody is told when an alarm fires"],
    )


def with_operations(stem: str, **kw) -> Plan:
    p = plan(load(EXAMPLES / f"{stem}.yaml"))
    return p if p.operations is not None and not kw else p.model_copy(update={"operations": operations_of(p, **kw)})


STEMS = ["url-shortener", "e-commerce", "payments-ledger", "social-feed"]


def _check_openslo(doc: dict) -> None:
    """The OpenSLO v1 rules (README, go-sdk pkg/openslo/v1) each document must meet."""
    assert doc["apiVersion"] == "openslo/v1" and doc["kind"] in KINDS
    meta = doc["metadata"]
    assert DNS_LABEL.match(meta["name"]), meta["name"]
    assert len(meta.get("displayName", "")) <= 63
    assert all(ANNOTATION_KEY.match(k) and isinstance(v, str) for k, v in meta.get("annotations", {}).items())
    spec = doc["spec"]
    assert len(spec.get("description", "")) <= 1050
    if doc["kind"] == "SLO":
        assert spec["service"] and spec["budgetingMethod"] == "Occurrences"
        assert spec["timeWindow"] == [{"duration": "30d", "isRolling": True}]
        for o in spec["objectives"]:
            assert 0 <= o["target"] < 1 and "op" not in o and "value" not in o
        indicator = spec["indicator"]
        assert DNS_LABEL.match(indicator["metadata"]["name"])
        ratio = indicator["spec"]["ratioMetric"]
        assert set(ratio) == {"counter", "bad", "total"}
        for part in ("bad", "total"):
            assert ratio[part]["metricSource"]["type"] == "CloudWatch" and ratio[part]["metricSource"]["spec"]
    if doc["kind"] == "AlertCondition":
        condition = spec["condition"]
        assert spec["severity"] and condition["kind"] == "burnrate" and condition["op"] in ("gt", "gte", "lt", "lte")
        assert isinstance(condition["threshold"], (int, float)) and DURATION.match(condition["lookbackWindow"])
    if doc["kind"] == "AlertPolicy":
        assert len(spec["conditions"]) == 1 and spec["notificationTargets"]
    if doc["kind"] == "AlertNotificationTarget":
        assert spec["target"]


@pytest.mark.parametrize("stem", STEMS)
def test_openslo_parses_and_carries_each_journeys_target_as_a_fraction(stem):
    p = with_operations(stem)
    out = files(p, None)
    docs = list(yaml.safe_load_all(out["openslo.yaml"]))
    assert docs == openslo(p) and docs, "the YAML is the documents, in order"
    for doc in docs:
        _check_openslo(doc)
    names = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(names) == len(set(names)), "a name is used twice within a kind"
    by_name = {d["metadata"]["name"]: d for d in docs}
    slos = [d for d in docs if d["kind"] == "SLO"]
    assert [d["metadata"]["displayName"] for d in slos] == [s.journey for s in p.operations.slos]
    services = {d["metadata"]["name"] for d in docs if d["kind"] == "Service"}
    for doc, slo in zip(slos, p.operations.slos, strict=True):
        assert doc["spec"]["service"] in services
        assert doc["spec"]["objectives"][0]["target"] == pytest.approx(slo.target / 100, abs=1e-12)
        ratio = doc["spec"]["indicator"]["spec"]["ratioMetric"]
        # the alarms' own indicator: the load balancer's and its targets' 5xx over the requests and the
        # ones it answered without a target (blueprints.monitoring.ERROR_RATIO)
        assert ratio["bad"]["metricSource"]["spec"]["metricNames"] == [
            "HTTPCode_ELB_5XX_Count",
            "HTTPCode_Target_5XX_Count",
        ]
        assert ratio["total"]["metricSource"]["spec"]["metricNames"] == ["RequestCount", "HTTPCode_ELB_5XX_Count"]
        assert {x["region"] for x in ratio["total"]["metricSource"]["spec"]["series"]} == {
            c.region for c in p.service(slo.service).capacity.value
        }
        # every policy the SLO names exists, with a condition and a target that exist: one per burn-rate pair
        policies = [by_name[ref["alertPolicyRef"]] for ref in doc["spec"].get("alertPolicies", [])]
        conditions = [by_name[pol["spec"]["conditions"][0]["conditionRef"]] for pol in policies]
        assert all(by_name[pol["spec"]["notificationTargets"][0]["targetRef"]] for pol in policies)
        if slo.alerting == "burn-rate":
            assert [c["spec"]["condition"]["threshold"] for c in conditions] == [w.burn_rate for w in slo.windows]
            assert [c["metadata"]["annotations"]["hld/short-window"] for c in conditions] == [
                duration_shorthand(w.short_seconds) for w in slo.windows
            ]
        else:
            assert [c["spec"]["condition"]["lookbackWindow"] for c in conditions] == ["1m"]


def test_a_target_too_high_for_burn_rates_alerts_on_the_fast_signal_and_keeps_its_fraction():
    p = plan(load(EXAMPLES / "url-shortener.yaml"))
    first = p.availability.journeys[0].name
    p = p.model_copy(update={"operations": operations_of(p, targets={first: 99.9999})})
    docs = openslo(p)
    slo = next(d for d in docs if d["kind"] == "SLO" and d["metadata"]["displayName"] == first)
    assert slo["spec"]["objectives"][0]["target"] == 0.999999
    assert slo["metadata"]["annotations"]["hld/alerting"] == "fast-signal"
    text = document(p)
    assert "no burn-rate pairs (fast signal)" in text


def test_openslo_is_deterministic_and_absent_without_operations():
    p = with_operations("e-commerce")
    assert files(p, None)["openslo.yaml"] == files(p, None)["openslo.yaml"]
    bare = plan(load(EXAMPLES / "e-commerce.yaml")).model_copy(update={"operations": None})
    out = files(bare, None)
    assert "openslo.yaml" not in out and "runbooks.json" not in out
    assert "## 10. Operations" not in out["HLD.md"] and "Operations" not in out["HLD.md"].split("## 8.")[1]


def test_names_are_dns_labels_whatever_the_journey_says():
    assert dns_label("shop", "cart: GET /carts/{id}") == "shop-cart-get-carts-id"
    long = dns_label("a" * 40, "b" * 40)
    assert len(long) == 63 and DNS_LABEL.match(long) and long != dns_label("a" * 40, "b" * 41)
    assert [duration_shorthand(s) for s in (300, 3600, 21600, 30 * 86400, 90)] == ["5m", "1h", "6h", "30d", "2m"]


def _rto_by_stage(runbook: dict) -> float:
    """Each stage's slowest journey step, stage after stage (recomputed here, not the target's)."""
    total = 0.0
    for stage in ("detect", "recover"):
        total += max([s["seconds"] for s in runbook["steps"] if s["stage"] == stage and s["on_journeys"]] or [0.0])
    return total


@pytest.mark.parametrize("stem", STEMS)
def test_every_runbooks_steps_by_stage_sum_to_the_plans_rto(stem):
    p = with_operations(stem)
    data = json.loads(files(p, None)["runbooks.json"])
    assert data["system"] == p.name and len(data["runbooks"]) == len(p.operations.runbooks)
    expected = {"zone-loss": p.dr.zone_loss_rto_seconds, "region-loss": p.dr.region_loss_rto_seconds}
    for runbook, planned in zip(data["runbooks"], p.operations.runbooks, strict=True):
        assert [s["order"] for s in runbook["steps"]] == sorted(s.order for s in planned.steps)
        assert runbook["rto_seconds"] == expected[runbook["disruption"]]
        if runbook["rto_seconds"] is not None:
            assert _rto_by_stage(runbook) == pytest.approx(runbook["rto_seconds"])
            assert sum(s["seconds"] for s in runbook["stages"]) == pytest.approx(runbook["rto_seconds"])
        assert stage_seconds(planned) == [(s["stage"], s["seconds"]) for s in runbook["stages"]]


@pytest.mark.parametrize("stem", STEMS)
def test_the_operations_section_follows_recovery_and_lints_clean(stem):
    p = with_operations(stem)
    text = document(p)
    sections = ["### Recovery", "## 10. Operations", "### Service level objectives", "### Where alerts go"]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions)
    if p.cost:
        assert text.index("## 10. Operations") < text.index("## 11. Cost")
    ops = text.split("## 10. Operations")[1].split("## 11. Cost")[0]
    for slo in p.operations.slos:
        assert f"| {slo.target} % over 30 days |" in ops
    assert "hld creates these, never runs them" in ops
    for runbook in p.operations.runbooks:
        assert f"#### {runbook.name}" in ops and f"Losing {runbook.lost} ({runbook.disruption})" in ops
        for step in runbook.steps:
            if not step.automated and step.command:
                assert step.command.split(" ")[0] in ops
    result = PyMarkdownApi().disable_rule_by_identifier("md013").scan_string(text)
    assert result.scan_failures == [], result.scan_failures[:5]


def test_where_alerts_go_names_the_addresses_or_says_nobody_is_told():
    told = document(with_operations("url-shortener", emails=["oncall@example.com"]))
    assert "`oncall@example.com`" in told and "Nobody is told" not in told
    silent = document(with_operations("url-shortener", emails=[]))
    assert "**Nobody is told**" in silent and "nobody is told when an alarm fires" in silent
    slo_target = next(d for d in openslo(with_operations("url-shortener")) if d["kind"] == "AlertNotificationTarget")
    assert slo_target["spec"]["target"] == "sns" and "nobody is told" in slo_target["spec"]["description"]


def test_a_static_sites_journey_is_said_to_be_watched_at_the_cdn_and_left_out_of_openslo():
    from tests.helpers import DESIGNS

    p = plan(load(DESIGNS / "static-site.yaml"))
    assert p.operations is not None and p.operations.slos
    docs = list(yaml.safe_load_all(files(p, None)["openslo.yaml"]))
    assert [d["kind"] for d in docs] == ["Service", "AlertNotificationTarget"]
    journey = p.operations.slos[0].journey
    assert f"{journey}: the CDN answers it from the bucket, so its alarms watch CloudFront's 5xx error rate" in (
        document(p).replace("\\*", "*")
    )

"""CloudWatch: metric alarms (one metric, or metric math), composite alarms and dashboards: the calls
pulumi-aws makes, made in moto."""

from __future__ import annotations

import json
import re
from typing import Any

from hld.offline.cloud import ACCOUNT
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num

RULE_NAMES = re.compile(r'ALARM\("([^"]+)"\)')
"""The alarms a composite alarm's rule names (the only state function hld's rules use)."""


def _query(q: dict[str, Any]) -> dict[str, Any]:
    metric = q.get("metric")
    out: dict[str, Any] = {"Id": q["id"], "ReturnData": bool(q.get("returnData", False))}
    if q.get("expression"):
        out["Expression"] = q["expression"]
    if q.get("label"):
        out["Label"] = q["label"]
    if metric:
        out["MetricStat"] = {
            "Metric": {
                "Namespace": metric["namespace"],
                "MetricName": metric["metricName"],
                "Dimensions": [
                    {"Name": k, "Value": str(v)} for k, v in sorted((metric.get("dimensions") or {}).items())
                ],
            },
            "Period": num(metric["period"]),
            "Stat": metric["stat"],
        }
    return out


@handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cloudwatch = m.client("cloudwatch", r)
    alarm = i.get("name") or m.physical(name)
    queries = [_query(q) for q in i.get("metricQueries") or []]
    if queries:
        # what CloudWatch refuses and moto does not: exactly one query returns data, and a metric-math
        # alarm names no metric of its own
        returning = [q["Id"] for q in queries if q["ReturnData"]]
        if len(returning) != 1:
            raise ValueError(f"alarm {alarm}: metric queries must return exactly one series, not {returning}")
        if i.get("metricName") or i.get("namespace"):
            raise ValueError(f"alarm {alarm}: a metric-math alarm sets metric_queries only, not a metric name")
    cloudwatch.put_metric_alarm(
        **drop_none(
            {
                "AlarmName": alarm,
                "AlarmDescription": i.get("alarmDescription"),
                "Namespace": i.get("namespace"),
                "MetricName": i.get("metricName"),
                "Dimensions": [{"Name": k, "Value": str(v)} for k, v in sorted((i.get("dimensions") or {}).items())]
                if not queries
                else None,
                "Metrics": queries or None,
                "Statistic": i.get("statistic"),
                "Period": num(i.get("period")),
                "EvaluationPeriods": num(i.get("evaluationPeriods")),
                "Threshold": float(i.get("threshold", 0)),
                "ComparisonOperator": i.get("comparisonOperator"),
                "TreatMissingData": i.get("treatMissingData"),
                "AlarmActions": i.get("alarmActions"),
                "OKActions": i.get("okActions"),
            }
        )
    )
    # the ARN CloudWatch (and moto) gives an alarm: no DescribeAlarms round trip for it
    return alarm, {"arn": f"arn:aws:cloudwatch:{r}:{ACCOUNT}:alarm:{alarm}", "name": alarm}


@handles("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cloudwatch = m.client("cloudwatch", r)
    alarm = i["alarmName"]
    rule = i["alarmRule"]
    named = RULE_NAMES.findall(rule)
    if not named:
        raise ValueError(f"composite alarm {alarm}: its rule names no alarm: {rule!r}")
    found = cloudwatch.describe_alarms(AlarmNames=named, AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    have = {a["AlarmName"] for a in found["MetricAlarms"] + found["CompositeAlarms"]}
    missing = [n for n in named if n not in have]
    if missing:  # CloudWatch refuses a rule naming an alarm that does not exist in the region
        raise ValueError(f"composite alarm {alarm}: its rule names alarms that do not exist in {r}: {missing}")
    # moto models composite alarms (describe_alarms lists them) but has no PutCompositeAlarm API: the
    # backend call its PutMetricAlarm shares with them makes one
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch_backends[ACCOUNT][r].put_metric_alarm(
        name=alarm,
        namespace="",
        metric_name="",
        comparison_operator="",
        evaluation_periods=0,
        period=0,
        threshold=0.0,
        statistic="",
        description=i.get("alarmDescription") or "",
        dimensions=[],
        alarm_actions=list(i.get("alarmActions") or []),
        ok_actions=list(i.get("okActions") or []),
        rule=rule,
    )
    return alarm, {"arn": f"arn:aws:cloudwatch:{r}:{ACCOUNT}:alarm:{alarm}", "alarmName": alarm}


@handles("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    body = i["dashboardBody"]
    json.loads(body)  # CloudWatch refuses a body that is not JSON
    m.client("cloudwatch", r).put_dashboard(DashboardName=i["dashboardName"], DashboardBody=body)
    arn = m.client("cloudwatch", r).get_dashboard(DashboardName=i["dashboardName"])["DashboardArn"]
    return i["dashboardName"], {"dashboardArn": arn}

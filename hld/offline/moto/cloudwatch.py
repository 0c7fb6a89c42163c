"""CloudWatch: metric alarms: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num


@handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cloudwatch = m.client("cloudwatch", r)
    alarm = i.get("name") or m.physical(name)
    cloudwatch.put_metric_alarm(
        **drop_none(
            {
                "AlarmName": alarm,
                "AlarmDescription": i.get("alarmDescription"),
                "Namespace": i.get("namespace"),
                "MetricName": i.get("metricName"),
                "Dimensions": [{"Name": k, "Value": str(v)} for k, v in sorted((i.get("dimensions") or {}).items())],
                "Statistic": i.get("statistic"),
                "Period": num(i.get("period")),
                "EvaluationPeriods": num(i.get("evaluationPeriods")),
                "Threshold": float(i.get("threshold", 0)),
                "ComparisonOperator": i.get("comparisonOperator"),
                "TreatMissingData": i.get("treatMissingData"),
                "AlarmActions": i.get("alarmActions"),
            }
        )
    )
    read = cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
    return alarm, {"arn": read["AlarmArn"], "name": alarm}

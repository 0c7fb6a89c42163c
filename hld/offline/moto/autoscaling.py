"""Application Auto Scaling: scalable targets and policies: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.graph import first
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import pascal


@handles("aws:appautoscaling/target:Target")
def _scaling_target(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("application-autoscaling", r).register_scalable_target(
        ServiceNamespace=i["serviceNamespace"],
        ResourceId=i["resourceId"],
        ScalableDimension=i["scalableDimension"],
        MinCapacity=int(i["minCapacity"]),
        MaxCapacity=int(i["maxCapacity"]),
    )
    return f"{i['serviceNamespace']}/{i['resourceId']}", {}


@handles("aws:appautoscaling/policy:Policy")
def _scaling_policy(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    config = pascal(first(i.get("targetTrackingScalingPolicyConfiguration")) or {})
    spec = config.get("PredefinedMetricSpecification")
    if isinstance(spec, list):
        config["PredefinedMetricSpecification"] = first(spec)
    policy_name = i.get("name") or name
    out = m.client("application-autoscaling", r).put_scaling_policy(
        PolicyName=policy_name,
        ServiceNamespace=i["serviceNamespace"],
        ResourceId=i["resourceId"],
        ScalableDimension=i["scalableDimension"],
        PolicyType=i.get("policyType", "TargetTrackingScaling"),
        TargetTrackingScalingPolicyConfiguration=config,
    )
    return policy_name, {"arn": out["PolicyARN"], "name": policy_name}

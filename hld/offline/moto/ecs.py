"""ECS: clusters, task definitions, services: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

import json
from typing import Any

from hld.graph import first
from hld.offline.moto.logs import written_by_aws
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none, num, pascal_lower


@handles("aws:ecs/cluster:Cluster")
def _ecs_cluster(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cluster = m.client("ecs", r).create_cluster(
        clusterName=i["name"],
        settings=[{"name": s["name"], "value": s["value"]} for s in i.get("settings") or []],
    )["cluster"]
    if any(s["name"] == "containerInsights" and s["value"] != "disabled" for s in i.get("settings") or []):
        # Container Insights writes the cluster's performance events from the start
        written_by_aws(m, r, f"/aws/ecs/containerinsights/{cluster['clusterName']}/performance")
    return cluster["clusterArn"], {"arn": cluster["clusterArn"], "name": cluster["clusterName"]}


@handles("aws:ecs/taskDefinition:TaskDefinition")
def _task_definition(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    task = m.client("ecs", r).register_task_definition(
        family=i["family"],
        containerDefinitions=json.loads(i["containerDefinitions"]),
        **drop_none(
            {
                "cpu": i.get("cpu"),
                "memory": i.get("memory"),
                "networkMode": i.get("networkMode"),
                "requiresCompatibilities": i.get("requiresCompatibilities"),
                "executionRoleArn": i.get("executionRoleArn"),
                "taskRoleArn": i.get("taskRoleArn"),
                "volumes": [{"name": v["name"]} for v in i.get("volumes") or []],
                "runtimePlatform": pascal_lower(i.get("runtimePlatform")),
            }
        ),
    )["taskDefinition"]
    arn = task["taskDefinitionArn"]
    return arn, {"arn": arn, "revision": task["revision"], "arnWithoutRevision": arn.rsplit(":", 1)[0]}


@handles("aws:ecs/service:Service")
def _ecs_service(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    net = first(i.get("networkConfiguration")) or {}
    service = m.client("ecs", r).create_service(
        cluster=i["cluster"],
        serviceName=i["name"],
        taskDefinition=i["taskDefinition"],
        desiredCount=int(i.get("desiredCount", 1)),
        **drop_none(
            {
                "launchType": i.get("launchType"),
                "platformVersion": i.get("platformVersion"),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": net.get("subnets", []),
                        "securityGroups": net.get("securityGroups", []),
                        "assignPublicIp": "ENABLED" if net.get("assignPublicIp") else "DISABLED",
                    }
                }
                if net
                else None,
                "loadBalancers": pascal_lower(i.get("loadBalancers")),
                "serviceRegistries": pascal_lower([first(i["serviceRegistries"])])
                if i.get("serviceRegistries")
                else None,
                "deploymentConfiguration": drop_none(
                    {
                        "maximumPercent": num(i.get("deploymentMaximumPercent")),
                        "minimumHealthyPercent": num(i.get("deploymentMinimumHealthyPercent")),
                    }
                ),
            }
        ),
    )["service"]
    read = service.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
    return service["serviceArn"], {
        "arn": service["serviceArn"],
        "name": service["serviceName"],
        "networkConfiguration": {
            "subnets": read.get("subnets", []),
            "securityGroups": read.get("securityGroups", []),
            "assignPublicIp": read.get("assignPublicIp") == "ENABLED",
        },
    }

"""Services as workloads: a Deployment spread over the zone workers, its Service, autoscaler and
disruption budget."""

from __future__ import annotations

import re
from typing import Any

from blueprints.plan_model import Plan, ServicePlan
from generators.kubernetes.common import (
    HOST_KEY,
    HTTP_PORT,
    UID,
    ZONE_KEY,
    container_security,
    labels,
    meta,
    pod_security,
    selector,
    workload_meta,
)
from generators.kubernetes.standins import store_env


def _cpu(task_cpu: int) -> str:
    return f"{task_cpu * 1000 // 1024}m"


def _replicas(plan: Plan, svc: ServicePlan) -> tuple[int, int, int]:
    """(replicas, max, drain floor) of the primary region's serving capacity."""
    cap = next(c for c in svc.capacity.value if c.region == plan.primary_region)
    return cap.min_replicas, cap.max_replicas, cap.drain_floor


def _spread(name: str) -> list[dict[str, Any]]:
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": selector(name)},
        },
        {
            "maxSkew": 1,
            "topologyKey": HOST_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector(name)},
        },
    ]


def service_objects(plan: Plan, svc: ServicePlan) -> list[dict[str, Any]]:
    replicas, upper, drain = _replicas(plan, svc)
    env = [{"name": "HLD_SYSTEM", "value": plan.name}, {"name": "PORT", "value": str(svc.port)}]
    for store in svc.stores:
        env += store_env(plan, plan.store(store))
    for callee in svc.calls:
        env.append({"name": f"{re.sub(r'[^A-Z0-9]', '_', callee.upper())}_URL", "value": f"http://{callee}"})
    probe = {"httpGet": {"path": svc.health, "port": "http"}, "periodSeconds": 10, "failureThreshold": 3}
    container = {
        "name": svc.name,
        "image": svc.image,
        "imagePullPolicy": "Always",
        "ports": [{"name": "http", "containerPort": svc.port, "protocol": "TCP"}],
        "env": env,
        "resources": {
            "requests": {"cpu": _cpu(svc.task_cpu.value), "memory": f"{svc.task_memory}Mi"},
            "limits": {"cpu": _cpu(svc.task_cpu.value), "memory": f"{svc.task_memory}Mi"},
        },
        "readinessProbe": probe,
        "livenessProbe": {**probe, "initialDelaySeconds": 10},
        "securityContext": container_security(UID),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    pod_labels = labels(plan, svc.name, "service")
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta(plan, svc.name, "service"),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": workload_meta(plan, svc.name, "service"),
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": selector(svc.name)},
                "template": {
                    "metadata": {"labels": pod_labels},
                    "spec": {
                        "serviceAccountName": svc.name,
                        "automountServiceAccountToken": False,
                        "securityContext": pod_security(UID),
                        "topologySpreadConstraints": _spread(svc.name),
                        "containers": [container],
                        "volumes": [{"name": "tmp", "emptyDir": {}}],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(plan, svc.name, "service"),
            "spec": {
                "selector": selector(svc.name),
                "ports": [{"name": "http", "port": HTTP_PORT, "targetPort": "http", "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta(plan, svc.name, "service"),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": svc.name},
                "minReplicas": replicas,
                "maxReplicas": upper,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": svc.target_cpu},
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta(plan, svc.name, "service"),
            "spec": {
                "minAvailable": drain,
                "selector": {"matchLabels": selector(svc.name)},
            },
        },
    ]

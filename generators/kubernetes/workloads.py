"""Services as workloads: a Deployment spread over the zone workers, its Service, autoscaler and
disruption budget, sized by the profile (generators.kubernetes.profile)."""

from __future__ import annotations

from typing import Any

from blueprints.plan_model import Plan, ServicePlan
from generators.contract import env_key
from generators.kubernetes.common import (
    HOST_KEY,
    HTTP_PORT,
    PULL_POLICY,
    UID,
    ZONE_KEY,
    KindOptions,
    container_security,
    labels,
    meta,
    pod_security,
    selector,
    workload_meta,
)
from generators.kubernetes.profile import bounds, resources
from generators.kubernetes.standins import probes, sdk_env, store_env


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


def service_env(plan: Plan, svc: ServicePlan) -> list[dict[str, Any]]:
    """The app contract (generators.contract) with kind's values, and what SDKs need here."""
    region = plan.primary_region
    env: list[dict[str, Any]] = [
        {"name": "HLD_SYSTEM", "value": plan.name},
        {"name": "HLD_REGION", "value": region},
        {"name": "PORT", "value": str(svc.port)},
    ]
    stores = [plan.store(s) for s in svc.stores]
    for store in stores:
        env += store_env(plan, store, region, svc.name)
    for callee in svc.calls:
        env.append({"name": f"{env_key(callee)}_URL", "value": f"http://{callee}"})
    if svc.public and plan.edge.cdn:
        env.append({"name": "CACHE_CONTROL", "value": plan.edge.cdn.cache_control})
    return env + sdk_env(plan, stores)


K8S_DEFAULT_GRACE_SECONDS = 30
"""Kubernetes' default terminationGracePeriodSeconds (the Pod spec's documented default)."""


def grace(svc: ServicePlan) -> dict[str, int]:
    """A pod leaving keeps its connections as long as a task leaving the AWS target group does (the
    deregistration delay: 300 s for long-lived connections, blueprints.figures); omitted where that is
    Kubernetes' own default."""
    delay = svc.deregistration_delay_seconds
    return {} if delay == K8S_DEFAULT_GRACE_SECONDS else {"terminationGracePeriodSeconds": delay}


def service_objects(plan: Plan, svc: ServicePlan, kind: KindOptions) -> list[dict[str, Any]]:
    replicas, upper, drain = bounds(plan, svc, kind)
    check = {"httpGet": {"path": svc.health, "port": "http"}}
    container = {
        "name": svc.name,
        "image": svc.image,
        "imagePullPolicy": PULL_POLICY,
        "ports": [{"name": "http", "containerPort": svc.port, "protocol": "TCP"}],
        "env": service_env(plan, svc),
        "resources": resources(svc, kind),
        **probes(check),
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
                        **grace(svc),
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
                # a crash-looping pod never becomes healthy: let a drain evict it anyway
                "unhealthyPodEvictionPolicy": "AlwaysAllow",
            },
        },
    ]

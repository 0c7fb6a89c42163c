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
from generators.kubernetes.profile import bounds, cpu_target, resources
from generators.kubernetes.standins import ca_files, sdk_env, store_env


def _spread(name: str) -> list[dict[str, Any]]:
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "DoNotSchedule",
            # a cordoned or tainted node's zone does not count: a drained worker's pod may start in
            # another zone instead of staying Pending until the node returns
            "nodeTaintsPolicy": "Honor",
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


STARTUP_PERIOD_SECONDS = 5
"""How often the startup probe asks while a service starts (at least its timeout)."""


def probes(svc: ServicePlan) -> dict[str, Any]:
    """The service's probes, judged as AWS judges the task (blueprints.plan_model.HealthPlan): an
    HTTP GET of its health path, or its command (`exec`), every interval with the plan's timeout
    (longer for a small task: its CPU limit is the task size, and a throttled process answers
    slower); readiness drops it after the unhealthy threshold and takes it back after the healthy
    one, liveness restarts it after the unhealthy threshold. A startup probe holds both off for the
    plan's start allowance. `none`: no probe at all (the blueprint says why): the kubelet sees only
    the process exiting, and with no Service traffic to withhold, readiness would guard nothing."""
    hc = svc.health_check
    if hc.kind == "none":
        return {}
    action: dict[str, Any] = (
        {"exec": {"command": list(hc.command)}} if hc.kind == "exec" else {"httpGet": {"path": hc.path, "port": "http"}}
    )
    timed = {**action, "timeoutSeconds": hc.timeout_seconds}
    start = max(STARTUP_PERIOD_SECONDS, hc.timeout_seconds)
    return {
        "startupProbe": {**timed, "periodSeconds": start, "failureThreshold": -(-hc.start_seconds // start)},
        "readinessProbe": {
            **timed,
            "periodSeconds": hc.interval_seconds,
            "failureThreshold": hc.unhealthy_threshold,
            "successThreshold": hc.healthy_threshold,
        },
        "livenessProbe": {**timed, "periodSeconds": hc.interval_seconds, "failureThreshold": hc.unhealthy_threshold},
    }


def service_objects(plan: Plan, svc: ServicePlan, kind: KindOptions) -> list[dict[str, Any]]:
    replicas, upper, drain = bounds(plan, svc, kind)
    ca_init, ca_volumes, ca_mounts = ca_files(plan, [plan.store(s) for s in svc.stores])  # the contract's CA path
    container = {
        "name": svc.name,
        "image": svc.image,
        "imagePullPolicy": PULL_POLICY,
        "ports": [{"name": "http", "containerPort": svc.port, "protocol": "TCP"}],
        "env": service_env(plan, svc),
        "resources": resources(svc, kind),
        **probes(svc),
        "securityContext": container_security(UID),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, *ca_mounts],
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
                        **({"initContainers": ca_init} if ca_init else {}),
                        "containers": [container],
                        "volumes": [{"name": "tmp", "emptyDir": {}}, *ca_volumes],
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
                            "target": cpu_target(svc, kind),
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

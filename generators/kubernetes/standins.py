"""Stand-ins: a local server per data-store kind that speaks its AWS API (PostgreSQL, Valkey,
DynamoDB Local, ElasticMQ, MinIO), and the environment a service receives to reach it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from blueprints.plan_model import AnyStorePlan, Plan, RelationalPlan
from generators.kubernetes.common import UID, container_security, labels, meta, pod_security, selector, workload_meta


@dataclass(frozen=True)
class StandIn:
    """A local server that speaks the API of an AWS store kind."""

    product: str  # what it is, in words
    image: str
    port: int
    user: int
    data: str  # where it writes (a volume)
    env: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()
    probe: tuple[str, ...] = ()  # exec probe; empty: TCP on the port
    stateful: bool = False
    secret_keys: tuple[str, ...] = ()
    endpoint: bool = False  # an AWS API: services get `<STORE>_ENDPOINT` (an HTTP URL)
    runtime: tuple[tuple[str, str], ...] = ()  # (volume, path): more writable folders it needs


STAND_INS: dict[str, StandIn] = {
    "relational": StandIn(
        "PostgreSQL",
        "postgres:16.4-alpine",
        5432,
        UID,
        "/var/lib/postgresql/data",
        env=(("PGDATA", "/var/lib/postgresql/data/pgdata"),),
        probe=("pg_isready", "-U", "hld_admin"),
        stateful=True,
        secret_keys=("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"),
        runtime=(("run", "/var/run/postgresql"),),
    ),
    "cache": StandIn("Valkey", "valkey/valkey:8.0-alpine", 6379, UID, "/data", probe=("valkey-cli", "ping")),
    "key-value": StandIn(
        "DynamoDB Local",
        "amazon/dynamodb-local:2.5.4",
        8000,
        UID,
        "/home/dynamodblocal/data",
        args=("-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/home/dynamodblocal/data"),
        stateful=True,
        endpoint=True,
    ),
    "queue": StandIn("ElasticMQ", "softwaremill/elasticmq-native:1.6.11", 9324, UID, "/tmp", endpoint=True),
    "object": StandIn(
        "MinIO",
        "minio/minio:RELEASE.2024-11-07T00-52-20Z",
        9000,
        UID,
        "/data",
        args=("server", "/data"),
        stateful=True,
        secret_keys=("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"),
        endpoint=True,
    ),
}
"""The stand-in of each store kind."""
VOLUME_GB = 5
"""A stand-in's volume when the plan does not size the store's storage."""


def volume_gb(store: AnyStorePlan) -> int:
    return store.storage_gb if isinstance(store, RelationalPlan) else VOLUME_GB


def secret_name(store: AnyStorePlan) -> str:
    return f"{store.name}-credentials"


def store_env(plan: Plan, store: AnyStorePlan) -> list[dict[str, Any]]:
    key = re.sub(r"[^A-Z0-9]", "_", store.name.upper())
    stand_in = STAND_INS[store.kind]
    host = f"{store.name}.{plan.name}.svc.cluster.local"
    env: list[dict[str, Any]] = [
        {"name": f"{key}_HOST", "value": host},
        {"name": f"{key}_PORT", "value": str(stand_in.port)},
    ]
    if stand_in.endpoint:
        env.append({"name": f"{key}_ENDPOINT", "value": f"http://{host}:{stand_in.port}"})
    for secret_key in stand_in.secret_keys:
        env.append(
            {
                "name": f"{key}_{secret_key.split('_', 1)[1]}",
                "valueFrom": {"secretKeyRef": {"name": secret_name(store), "key": secret_key}},
            }
        )
    return env


def store_objects(plan: Plan, store: AnyStorePlan) -> list[dict[str, Any]]:
    s = STAND_INS[store.kind]
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in s.env]
    env += [{"name": k, "valueFrom": {"secretKeyRef": {"name": secret_name(store), "key": k}}} for k in s.secret_keys]
    probe: dict[str, Any] = ({"exec": {"command": list(s.probe)}} if s.probe else {"tcpSocket": {"port": "api"}}) | {
        "periodSeconds": 10
    }
    container: dict[str, Any] = {
        "name": store.kind.replace("-", ""),
        "image": s.image,
        "imagePullPolicy": "Always",
        "ports": [{"name": "api", "containerPort": s.port, "protocol": "TCP"}],
        "readinessProbe": probe,
        "livenessProbe": {**probe, "initialDelaySeconds": 15},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
        "securityContext": container_security(s.user),
        "volumeMounts": [{"name": "data", "mountPath": s.data}, {"name": "tmp", "mountPath": "/tmp"}]
        if s.data != "/tmp"
        else [{"name": "tmp", "mountPath": "/tmp"}],
    }
    container["volumeMounts"] += [{"name": volume, "mountPath": path} for volume, path in s.runtime]
    if env:
        container["env"] = env
    if s.args:
        container["args"] = list(s.args)
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    volumes += [{"name": volume, "emptyDir": {}} for volume, _ in s.runtime]
    if not s.stateful and s.data != "/tmp":
        volumes.append({"name": "data", "emptyDir": {}})
    pod = {
        "metadata": {"labels": labels(plan, store.name, "datastore")},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": pod_security(s.user),
            "containers": [container],
            "volumes": volumes,
        },
    }
    spec: dict[str, Any] = {"replicas": 1, "selector": {"matchLabels": selector(store.name)}, "template": pod}
    if s.stateful:
        spec |= {
            "serviceName": store.name,
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": f"{volume_gb(store)}Gi"}},
                    },
                }
            ],
        }
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet" if s.stateful else "Deployment",
            "metadata": workload_meta(plan, store.name, "datastore"),
            "spec": spec,
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(plan, store.name, "datastore"),
            "spec": {
                "selector": selector(store.name),
                "ports": [{"name": "api", "port": s.port, "targetPort": "api", "protocol": "TCP"}],
            },
        },
    ]


def secret_keys(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Secret name -> the keys the render generates values for."""
    return {secret_name(s): STAND_INS[s.kind].secret_keys for s in plan.datastores if STAND_INS[s.kind].secret_keys}


MC_IMAGE = "minio/mc:RELEASE.2024-11-21T17-21-54Z"
"""MinIO's client, to create the static site's bucket and let anyone read it (as the CDN does)."""


def publisher(site: str) -> str:
    return f"{site}-publish"


def site_objects(plan: Plan) -> list[dict[str, Any]]:
    """The static site on kind: a Job makes the site's bucket in its MinIO stand-in and opens it to
    anonymous reads (on AWS only CloudFront reads it; here the ingress stands for the CDN)."""
    site = plan.edge.cdn.site if plan.edge.cdn else None
    if site is None:
        return []
    store = plan.store(site)
    name = publisher(site)
    env = [
        {"name": key, "valueFrom": {"secretKeyRef": {"name": secret_name(store), "key": key}}}
        for key in STAND_INS["object"].secret_keys
    ] + [{"name": "MC_CONFIG_DIR", "value": "/tmp/.mc"}]
    script = (
        f'until mc alias set local http://{site}:{STAND_INS["object"].port} "$MINIO_ROOT_USER" '
        '"$MINIO_ROOT_PASSWORD"; do sleep 2; done && '
        f"mc mb --ignore-existing local/{site} && mc anonymous set download local/{site}"
    )
    container = {
        "name": "publish",
        "image": MC_IMAGE,
        "imagePullPolicy": "Always",
        "command": ["/bin/sh", "-c", script],
        "env": env,
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": container_security(UID),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": workload_meta(plan, name, "job"),
            "spec": {
                "backoffLimit": 6,
                "ttlSecondsAfterFinished": 86400,
                "template": {
                    "metadata": {"labels": labels(plan, name, "job")},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "restartPolicy": "OnFailure",
                        "securityContext": pod_security(UID),
                        "containers": [container],
                        "volumes": [{"name": "tmp", "emptyDir": {}}],
                    },
                },
            },
        }
    ]

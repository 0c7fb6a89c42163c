"""The Kubernetes target: the Plan's primary region as a local kind cluster whose worker
nodes stand for the planned zones.

Pure: a Plan in, plain objects (dicts) out, in a stable order. `render` adds the file
layout (`kind-cluster.yaml`, `kustomization.yaml`, one file per object). Credentials are
never in the object files: kustomize's secretGenerator builds the Secrets from
`secrets.env`, which the render writes with values generated then (and a .gitignore).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from blueprints.plan_model import Plan, ServicePlan, StorePlan

ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"
KIND_NODE_IMAGE = "kindest/node:v1.33.1"
INGRESS_NAMESPACE = "ingress-nginx"
HTTP_PORT = 80
UID = 10001
"""Every container runs as this user and group: non-root, above the host's UID range."""
SCAN_SKIPS = {
    "CKV_K8S_43": "images are pinned by tag in the blueprint; the registry resolves the digest at deploy time",
    "CKV_K8S_35": "the applications and the stand-ins' images read credentials from environment variables "
    "(as on ECS); the values come from a Secret, never the manifest",
}
"""Security-scanner (checkov) checks the generator does not meet, each with its reason (annotated on workloads)."""


@dataclass(frozen=True)
class StandIn:
    """A local server that speaks the API of an AWS store kind."""

    image: str
    port: int
    user: int
    data: str  # where it writes (a volume)
    env: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()
    probe: tuple[str, ...] = ()  # exec probe; empty: TCP on the port
    stateful: bool = False
    secret_keys: tuple[str, ...] = ()


STAND_INS: dict[str, StandIn] = {
    "relational": StandIn(
        "postgres:16.4-alpine",
        5432,
        UID,
        "/var/lib/postgresql/data",
        env=(("PGDATA", "/var/lib/postgresql/data/pgdata"),),
        probe=("pg_isready", "-U", "hld_admin"),
        stateful=True,
        secret_keys=("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"),
    ),
    "cache": StandIn("valkey/valkey:8.0-alpine", 6379, UID, "/data", probe=("valkey-cli", "ping")),
    "key-value": StandIn(
        "amazon/dynamodb-local:2.5.4",
        8000,
        UID,
        "/home/dynamodblocal/data",
        args=("-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/home/dynamodblocal/data"),
        stateful=True,
    ),
    "queue": StandIn("softwaremill/elasticmq-native:1.6.11", 9324, UID, "/tmp"),
    "object": StandIn(
        "minio/minio:RELEASE.2024-11-07T00-52-20Z",
        9000,
        UID,
        "/data",
        args=("server", "/data"),
        stateful=True,
        secret_keys=("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"),
    ),
}


def labels(plan: Plan, name: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": plan.name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "hld",
    }


def selector(name: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name}


def meta(plan: Plan, name: str, component: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": plan.name, "labels": labels(plan, name, component), **extra}


def workload_meta(plan: Plan, name: str, component: str) -> dict[str, Any]:
    """Workloads carry the justified scanner skips (checkov reads `checkov.io/skipN`)."""
    skips = {f"checkov.io/skip{i}": f"{check}={why}" for i, (check, why) in enumerate(sorted(SCAN_SKIPS.items()), 1)}
    return meta(plan, name, component, annotations=skips)


def secret_name(store: StorePlan) -> str:
    return f"{store.name}-credentials"


def _cpu(task_cpu: int) -> str:
    return f"{task_cpu * 1000 // 1024}m"


def _replicas(plan: Plan, svc: ServicePlan) -> tuple[int, int, int]:
    """(replicas, max, zones) of the primary region's serving capacity."""
    cap = next(c for c in svc.capacity.value if c.region == plan.primary_region)
    return cap.min_replicas, cap.max_replicas, len(plan.zones(plan.primary_region))


def pod_security(user: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security(user: int) -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": user,
        "capabilities": {"drop": ["ALL"]},
    }


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


def _store_env(plan: Plan, store: StorePlan) -> list[dict[str, Any]]:
    key = re.sub(r"[^A-Z0-9]", "_", store.name.upper())
    stand_in = STAND_INS[store.kind]
    host = f"{store.name}.{plan.name}.svc.cluster.local"
    env: list[dict[str, Any]] = [
        {"name": f"{key}_HOST", "value": host},
        {"name": f"{key}_PORT", "value": str(stand_in.port)},
    ]
    if store.kind in ("key-value", "queue", "object"):
        env.append({"name": f"{key}_ENDPOINT", "value": f"http://{host}:{stand_in.port}"})
    for secret_key in stand_in.secret_keys:
        env.append(
            {
                "name": f"{key}_{secret_key.split('_', 1)[1]}",
                "valueFrom": {"secretKeyRef": {"name": secret_name(store), "key": secret_key}},
            }
        )
    return env


def service_objects(plan: Plan, svc: ServicePlan) -> list[dict[str, Any]]:
    replicas, upper, zones = _replicas(plan, svc)
    survivors = replicas - -(-replicas // zones)  # after losing the zone with the most pods
    env = [{"name": "HLD_SYSTEM", "value": plan.name}, {"name": "PORT", "value": str(svc.port)}]
    for store in svc.stores:
        env += _store_env(plan, plan.store(store))
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
                "minAvailable": max(survivors, 1 if replicas > 1 else 0),
                "selector": {"matchLabels": selector(svc.name)},
            },
        },
    ]


def store_objects(plan: Plan, store: StorePlan) -> list[dict[str, Any]]:
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
    if store.kind == "relational":
        container["volumeMounts"].append({"name": "run", "mountPath": "/var/run/postgresql"})
    if env:
        container["env"] = env
    if s.args:
        container["args"] = list(s.args)
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    if store.kind == "relational":
        volumes.append({"name": "run", "emptyDir": {}})
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
                        "resources": {"requests": {"storage": f"{store.storage_gb or 5}Gi"}},
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


def _path(route: str) -> str:
    """`GET /links/{code}` -> `/links`: the literal prefix an Ingress can match."""
    path = route.split(" ", 1)[-1]
    literal = path.split("{", 1)[0].rstrip("/")
    return literal or "/"


def ingress(plan: Plan) -> list[dict[str, Any]]:
    public = [s for s in plan.services if s.public]
    if not public:
        return []
    paths: dict[str, str] = {}
    for svc in public:
        for route in svc.routes or ["ANY /"]:
            paths.setdefault(_path(route), svc.name)
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {
                    "path": path,
                    "pathType": "Prefix",
                    "backend": {"service": {"name": name, "port": {"name": "http"}}},
                }
                for path, name in sorted(paths.items(), key=lambda kv: (-len(kv[0]), kv[0]))
            ]
        }
    }
    if plan.edge.api_host:
        rule["host"] = plan.edge.api_host
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta(plan, plan.name, "edge"),
            "spec": {"ingressClassName": "nginx", "rules": [rule]},
        }
    ]


def flows(plan: Plan) -> set[tuple[str, str, int]]:
    """(to, from, port) the data flow declares; `from` "ingress" is the ingress controller.
    The same edges as the AWS security groups (Plan.data_flow), on the stand-ins' ports."""
    return {
        (to, source, STAND_INS[kind].port if kind else plan.service(to).port)
        for to, source, kind in plan.data_flow("ingress")
    }


def network_policies(plan: Plan) -> list[dict[str, Any]]:
    def peer(source: str) -> dict[str, Any]:
        if source == "ingress":
            return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}}}
        return {"podSelector": {"matchLabels": selector(source)}}

    out: list[dict[str, Any]] = [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(plan, "default-deny", "network"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(plan, "allow-dns", "network"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        },
    ]
    by_target: dict[str, list[tuple[str, int]]] = {}
    by_source: dict[str, list[tuple[str, int]]] = {}
    for to, source, port in sorted(flows(plan)):
        by_target.setdefault(to, []).append((source, port))
        if source != "ingress":
            by_source.setdefault(source, []).append((to, port))
    for to, sources in sorted(by_target.items()):
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta(plan, f"{to}-ingress", "network"),
                "spec": {
                    "podSelector": {"matchLabels": selector(to)},
                    "policyTypes": ["Ingress"],
                    "ingress": [
                        {"from": [peer(source)], "ports": [{"protocol": "TCP", "port": port}]}
                        for source, port in sources
                    ],
                },
            }
        )
    for source, targets in sorted(by_source.items()):
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta(plan, f"{source}-egress", "network"),
                "spec": {
                    "podSelector": {"matchLabels": selector(source)},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {"to": [peer(to)], "ports": [{"protocol": "TCP", "port": port}]} for to, port in targets
                    ],
                },
            }
        )
    return out


def objects(plan: Plan) -> list[dict[str, Any]]:
    """Every object, in a stable order: namespace, stores, services, edge, network."""
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": plan.name, "labels": labels(plan, plan.name, "namespace")},
    }
    out = [namespace]
    for store in plan.datastores:
        out += store_objects(plan, store)
    for svc in plan.services:
        out += service_objects(plan, svc)
    return out + ingress(plan) + network_policies(plan)


def kind_cluster(plan: Plan) -> dict[str, Any]:
    """One control plane and one worker per planned zone of the primary region, labelled with it."""
    workers = [
        {"role": "worker", "image": KIND_NODE_IMAGE, "labels": {ZONE_KEY: zone}}
        for zone in plan.zones(plan.primary_region)
    ]
    control = {
        "role": "control-plane",
        "image": KIND_NODE_IMAGE,
        "labels": {"ingress-ready": "true"},
        "extraPortMappings": [
            {"containerPort": 80, "hostPort": 80, "protocol": "TCP"},
            {"containerPort": 443, "hostPort": 443, "protocol": "TCP"},
        ],
    }
    return {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "name": plan.name, "nodes": [control, *workers]}


def file_name(obj: dict[str, Any]) -> str:
    return f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def secret_keys(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Secret name -> the keys the render generates values for."""
    return {secret_name(s): STAND_INS[s.kind].secret_keys for s in plan.datastores if STAND_INS[s.kind].secret_keys}


def kustomization(plan: Plan, files: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": plan.name,
        "resources": files,
    }
    secrets = secret_keys(plan)
    if secrets:
        data["secretGenerator"] = [
            {"name": name, "envs": [f"secrets/{name}.env"], "options": {"disableNameSuffixHash": True}}
            for name in sorted(secrets)
        ]
    return data

"""The cluster and its assembly: the kind configuration (zone workers), the add-ons it needs
(an ingress controller placed where the host ports are, metrics for the autoscalers), every
object in order, file names, and the kustomization."""

from __future__ import annotations

from typing import Any

from blueprints.names import k8s_file
from blueprints.plan_model import Plan
from generators.kubernetes import images
from generators.kubernetes.common import RESTRICTED, ZONE_KEY, KindOptions, labels
from generators.kubernetes.network import ingress, network_policies
from generators.kubernetes.standins import secret_keys, stand_ins, store_objects
from generators.kubernetes.workloads import service_objects

KIND_NODE_IMAGE = images.ref("kind-node")
"""kind v0.29.0's node image for Kubernetes 1.33.1, by the digest its release notes publish (a tag
alone may be rebuilt; kind's docs: "always use the @sha256 digest")."""

INGRESS_NGINX = "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.13.0/deploy/static/provider/kind/deploy.yaml"
"""ingress-nginx's kind manifest (hostPort 80/443 on the controller), pinned to a release."""
METRICS_SERVER = "https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.0/components.yaml"
"""metrics-server, pinned: the HorizontalPodAutoscalers read CPU from it; kind has none."""
INGRESS_NODE_LABEL = {"ingress-ready": "true"}
"""The label of the node whose ports the host maps: the ingress controller must run there."""
CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}


def objects(plan: Plan, kind: KindOptions | None = None) -> list[dict[str, Any]]:
    """Every object, in a stable order: namespace, stores, services, edge, network."""
    kind = kind or KindOptions()
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": plan.name, "labels": labels(plan, plan.name, "namespace") | RESTRICTED},
    }
    out = [namespace]
    for name, stand_in, stores in stand_ins(plan):
        out += store_objects(plan, name, stand_in, stores)
    for svc in plan.services:
        out += service_objects(plan, svc, kind)
    return out + ingress(plan) + network_policies(plan)


def kind_cluster(plan: Plan, kind: KindOptions | None = None) -> dict[str, Any]:
    """One control plane, where the host's ports land (on 127.0.0.1 only), and one worker per
    planned zone of the primary region, labelled with it."""
    kind = kind or KindOptions()
    workers = [
        {"role": "worker", "image": KIND_NODE_IMAGE, "labels": {ZONE_KEY: zone}}
        for zone in plan.zones(plan.primary_region)
    ]
    control = {
        "role": "control-plane",
        "image": KIND_NODE_IMAGE,
        "labels": dict(INGRESS_NODE_LABEL),
        "extraPortMappings": [
            {"containerPort": 80, "hostPort": kind.http_port, "listenAddress": "127.0.0.1", "protocol": "TCP"},
            {"containerPort": 443, "hostPort": kind.https_port, "listenAddress": "127.0.0.1", "protocol": "TCP"},
        ],
    }
    return {"kind": "Cluster", "apiVersion": "kind.x-k8s.io/v1alpha4", "name": plan.name, "nodes": [control, *workers]}


def addons() -> dict[str, Any]:
    """`addons/kustomization.yaml`: ingress-nginx, placed on the node whose ports the host maps
    (its current kind manifest selects only `kubernetes.io/os: linux`, so it would land on any
    worker and localhost would get nothing), and metrics-server with kind's self-signed kubelet
    certificates accepted."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [INGRESS_NGINX, METRICS_SERVER],
        "patches": [
            {
                "target": {"kind": "Deployment", "name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
                "patch": _json_patch(
                    [
                        (
                            "add",
                            "/spec/template/spec/nodeSelector",
                            {**INGRESS_NODE_LABEL, "kubernetes.io/os": "linux"},
                        ),
                        ("add", "/spec/template/spec/tolerations", [CONTROL_PLANE_TAINT]),
                    ]
                ),
            },
            {
                "target": {"kind": "Deployment", "name": "metrics-server", "namespace": "kube-system"},
                "patch": _json_patch([("add", "/spec/template/spec/containers/0/args/-", "--kubelet-insecure-tls")]),
            },
        ],
    }


def _json_patch(ops: list[tuple[str, str, Any]]) -> str:
    import json

    return json.dumps([{"op": op, "path": path, "value": value} for op, path, value in ops], indent=1)


def file_name(obj: dict[str, Any]) -> str:
    return k8s_file(obj["kind"], obj["metadata"]["name"])


def kustomization(plan: Plan, files: list[str]) -> dict[str, Any]:
    """The objects, and the generated credentials as Secrets whose names carry a hash of their
    contents: kustomize rewrites every reference, so changed credentials roll the pods."""
    data: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": plan.name,
        "resources": files,
    }
    secrets = secret_keys(plan)
    if secrets:
        data["secretGenerator"] = [{"name": name, "envs": [f"secrets/{name}.env"]} for name in sorted(secrets)]
    return data

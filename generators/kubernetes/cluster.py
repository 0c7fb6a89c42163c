"""The cluster and its assembly: the kind configuration (zone workers), every object in order,
file names, and the kustomization."""

from __future__ import annotations

from typing import Any

from blueprints.plan_model import Plan
from generators.kubernetes.common import ZONE_KEY, labels
from generators.kubernetes.network import ingress, network_policies
from generators.kubernetes.standins import secret_keys, site_objects, store_objects
from generators.kubernetes.workloads import service_objects

KIND_NODE_IMAGE = "kindest/node:v1.33.1"


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
    return out + site_objects(plan) + ingress(plan) + network_policies(plan)


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

"""The Kubernetes target as a Pulumi program (pulumi-kubernetes): the same objects the
render writes, each its own resource, against the kind cluster's context, so `pulumi up`
deploys what `kubectl apply -k` would. Credentials are generated at deploy time and kept
as Pulumi secrets."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from blueprints.plan_model import Plan
from generators.kubernetes.cluster import objects
from generators.kubernetes.render import secret_values

GROUPS = {
    "": "core",
    "apps": "apps",
    "autoscaling": "autoscaling",
    "policy": "policy",
    "networking.k8s.io": "networking",
}


def resource_class(api_version: str, kind: str) -> Any:
    """apps/v1 Deployment -> pulumi_kubernetes.apps.v1.Deployment"""
    group, _, version = api_version.rpartition("/")
    module = importlib.import_module(f"pulumi_kubernetes.{GROUPS[group]}.{version}")
    return getattr(module, kind)


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def build(plan: Plan, context: str | None = None) -> dict[str, Any]:
    provider = k8s.Provider(f"{plan.name}-kind", context=context or f"kind-{plan.name}")
    opts = pulumi.ResourceOptions(provider=provider)
    created: dict[tuple[str, str], pulumi.Resource] = {}
    namespace: pulumi.Resource | None = None
    for obj in objects(plan):
        kind, name = obj["kind"], obj["metadata"]["name"]
        fields = {snake(k): v for k, v in obj.items() if k not in ("apiVersion", "kind")}
        depends: list[pulumi.Resource] = [namespace] if namespace is not None else []
        created[(kind, name)] = resource_class(obj["apiVersion"], kind)(
            f"{plan.name}-{kind.lower()}-{name}",
            **fields,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=depends)),
        )
        if kind == "Namespace":
            namespace = created[(kind, name)]
    for secret, values in sorted(secret_values(plan).items()):
        k8s.core.v1.Secret(
            f"{plan.name}-secret-{secret}",
            metadata={"name": secret, "namespace": plan.name},
            string_data=pulumi.Output.secret(values),
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=[namespace] if namespace else [])
            ),
        )
    return {"namespace": plan.name, "objects": len(created), "kind_context": context or f"kind-{plan.name}"}

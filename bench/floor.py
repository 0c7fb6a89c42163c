"""The floor for `synth`: the same resources, registered directly with pulumi-aws classes
(no blueprint, no planner, no hld components), under the same mock runtime."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from typing import Any

from hld.graph import Graph


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def resource_class(token: str) -> Any:
    """aws:rds/instance:Instance -> pulumi_aws.rds.Instance; random:index/randomPassword:RandomPassword
    -> pulumi_random.RandomPassword"""
    package, module, cls = token.split(":")
    module = module.split("/")[0]
    path = f"pulumi_{package}" if module == "index" else f"pulumi_{package}.{module}"
    return getattr(importlib.import_module(path), cls)


def direct_program(graph: Graph) -> Callable[[], None]:
    """A program that registers every custom resource of `graph` with its recorded inputs."""
    import pulumi
    import pulumi_aws as aws

    providers = [r for r in graph.resources if r.type == "pulumi:providers:aws"]
    resources = [r for r in graph.resources if r.custom and r.type != "pulumi:providers:aws"]
    classes = {r.type: resource_class(r.type) for r in resources}

    def program() -> None:
        by_region = {
            p.region: aws.Provider(
                p.name, region=p.region, default_tags=json.loads(p.inputs.get("defaultTags") or "null")
            )
            for p in providers
        }
        for r in resources:
            opts = pulumi.ResourceOptions(
                provider=by_region.get(r.region), protect=r.protect, retain_on_delete=r.retain_on_delete
            )
            kwargs = {snake(k): v for k, v in r.inputs.items()}
            classes[r.type](r.name, **kwargs, opts=opts)

    return program

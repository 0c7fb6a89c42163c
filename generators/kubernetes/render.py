"""The Kubernetes target as files: `kind-cluster.yaml`, `kustomization.yaml`, one file per object,
and `secrets/*.env` (generated now, ignored by git). hld.output writes them."""

from __future__ import annotations

import secrets as random_secrets
from typing import Any

import yaml

from blueprints.plan_model import Plan
from generators.kubernetes.cluster import file_name, kind_cluster, kustomization, objects
from generators.kubernetes.standins import secret_keys

K8S_VERSION = "1.33.0"
"""The Kubernetes version whose OpenAPI schemas the objects are validated against (kind's node image)."""


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def files(plan: Plan) -> dict[str, str]:
    """Relative path -> text: everything but the secrets (deterministic)."""
    objs = objects(plan)
    out = {file_name(o): dump(o) for o in objs}
    out["kind-cluster.yaml"] = dump(kind_cluster(plan))
    out["kustomization.yaml"] = dump(kustomization(plan, [file_name(o) for o in objs]))
    out[".gitignore"] = "# generated credentials: never commit them\nsecrets/\n"
    return out


def secret_values(plan: Plan) -> dict[str, dict[str, str]]:
    """Credentials for the stand-ins, generated at render time."""
    values: dict[str, dict[str, str]] = {}
    for name, keys in secret_keys(plan).items():
        store = name.removesuffix("-credentials")
        values[name] = {
            k: (
                "hld_admin"
                if k.endswith("_USER")
                else store.replace("-", "_")
                if k.endswith("_DB")
                else random_secrets.token_urlsafe(24)
            )
            for k in keys
        }
    return values


def tree(plan: Plan) -> tuple[dict[str, str], frozenset[str]]:
    """Every file of the target, generated secrets included, and which of them are private."""
    out = files(plan)
    private = set()
    for name, values in sorted(secret_values(plan).items()):
        rel = f"secrets/{name}.env"
        out[rel] = "".join(f"{k}={v}\n" for k, v in values.items())
        private.add(rel)
    return out, frozenset(private)

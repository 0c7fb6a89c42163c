"""The Kubernetes target as files: `kind-cluster.yaml`, `addons/`, `kustomization.yaml`, one file
per object, a `README.md` with the commands in order, and `secrets/*.env` (generated once, kept
across renders, ignored by git); with the latency profile (KindOptions.latency) also `latency.yaml`,
outside the kustomization. hld.output writes them."""

from __future__ import annotations

import secrets as random_secrets
from typing import Any

import yaml

from blueprints.plan_model import Plan
from generators.kubernetes import latency, tls
from generators.kubernetes.cluster import addons, file_name, kind_cluster, kustomization, objects
from generators.kubernetes.common import KindOptions
from generators.kubernetes.guide import guide
from generators.kubernetes.standins import derived, is_derived, secret_keys

K8S_VERSION = "1.33.0"
"""The Kubernetes version whose OpenAPI schemas the objects are validated against (kind's node image)."""


class _PlainDumper(yaml.SafeDumper):
    """YAML without anchors and aliases (`&id001`): every object written out in full, as kubectl
    and reviewers read it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    """Multi-line strings (scripts, configuration files) as literal blocks, line for line."""
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_PlainDumper.add_representer(str, _text)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, default_flow_style=False)


def files(plan: Plan, kind: KindOptions | None = None) -> dict[str, str]:
    """Relative path -> text: everything but the secrets (deterministic)."""
    from generators.kubernetes.images import preload_script

    kind = kind or KindOptions()
    objs = objects(plan, kind)
    extra = latency.objects(plan, kind) if kind.latency else []  # applied on its own, not by -k
    out = {file_name(o): dump(o) for o in objs}
    out["kind-cluster.yaml"] = dump(kind_cluster(plan, kind))
    out["addons/kustomization.yaml"] = dump(addons())
    out["kustomization.yaml"] = dump(kustomization(plan, [file_name(o) for o in objs]))
    out["README.md"] = guide(plan, kind)
    out["preload-images.sh"] = preload_script([*objs, *extra], {s.image for s in plan.services}, plan.name)
    if extra:
        out[latency.FILE] = "---\n".join(dump(o) for o in extra)
    out[".gitignore"] = "# generated credentials: never commit them\nsecrets/\n"
    return out


def _fresh(key: str) -> str:
    if key == "POSTGRES_USER":
        return "hld_admin"
    if key == "AWS_ACCESS_KEY_ID":
        return f"hld{random_secrets.token_hex(8)}"
    return random_secrets.token_urlsafe(24)


def secret_values(plan: Plan, previous: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """Credentials for the stand-ins: those of the previous render where it had them (a stand-in
    keeps the first password in its volume: a new one would lock the services out), new ones
    otherwise. The stand-ins' TLS (generators.kubernetes.tls) likewise: the kept CA and certificates,
    a certificate issued anew only when its stand-in's names change or it nears its end."""
    previous = previous or {}
    values: dict[str, dict[str, str]] = {}
    for name, keys in secret_keys(plan).items():
        kept = previous.get(name, {})
        if name == tls.TLS_SECRET:
            values[name] = tls.material(plan, kept)
            continue
        values[name] = {k: kept.get(k) or _fresh(k) for k in keys if not is_derived(k)}
        values[name] |= {k: derived(k, values[name]) for k in keys if is_derived(k)}
    return values


def parse_env(text: str) -> dict[str, str]:
    """A `secrets/*.env` file hld wrote: KEY=VALUE lines."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key and not key.startswith("#"):
            out[key.strip()] = value
    return out


def tree(
    plan: Plan, kind: KindOptions | None = None, previous: dict[str, dict[str, str]] | None = None
) -> tuple[dict[str, str], frozenset[str]]:
    """Every file of the target, credentials included, and which of them are private."""
    out = files(plan, kind)
    private = set()
    for name, values in sorted(secret_values(plan, previous).items()):
        rel = f"secrets/{name}.env"
        out[rel] = "".join(f"{k}={v}\n" for k, v in values.items())
        private.add(rel)
    return out, frozenset(private)

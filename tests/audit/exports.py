"""An offline run written as `pulumi stack export` would write the stack's state after `pulumi up`.

    doc = export(synth_stack("url-shortener-prod"))      # {"version": 3, "deployment": {...}}

The document follows Pulumi's untyped deployment (sdk/go/common/apitype: UntypedDeployment,
DeploymentV3, ResourceV3): the root stack resource first, holding the stack outputs; each AWS
provider with its `region`; every other resource after its parent, with its provider reference
(`<provider urn>::<provider id>`), inputs, outputs (the state the cloud returned), dependencies,
property dependencies and options. Secrets are in the export's sigil form: every
RandomPassword's `result` (a secret output of the provider) and every write-only input (`*Wo`)
encrypted, as an export without `--show-secrets` holds them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hld.graph import Resource
from hld.state import SECRET_SIG, SIG

PROJECT = "hld"
CIPHERTEXT = "v1:qg3+xmZ3lWqXxHCL:h5xGBd9XNmHrrG1n3E2aWw=="
"""What a passphrase secrets provider writes for a secret (its value is never read back here)."""


def secret(value: Any = None, plaintext: bool = False) -> dict[str, Any]:
    """A secret as the export holds it: encrypted, or with `--show-secrets` its JSON-encoded plaintext."""
    if plaintext:
        return {SIG: SECRET_SIG, "plaintext": json.dumps(value)}
    return {SIG: SECRET_SIG, "ciphertext": CIPHERTEXT}


def _json(data: Any) -> Any:
    """Plain JSON, as the export serializes property values."""
    return json.loads(json.dumps(data, default=str))


def _resource(r: Resource, providers: dict[str, Resource]) -> dict[str, Any]:
    inputs, outputs = _json(r.inputs), _json(r.state)
    if r.type == "random:index/randomPassword:RandomPassword" and "result" in outputs:
        outputs["result"] = secret()
    for key in [k for k in inputs if k.endswith("Wo")]:
        inputs[key] = secret()
        outputs.pop(key, None)  # write-only: never in the provider's state
    out: dict[str, Any] = {"urn": r.urn, "custom": r.custom}
    if r.custom:
        out["id"] = r.id
    out["type"] = r.type
    out["inputs"] = inputs
    out["outputs"] = outputs
    if r.parent_urn:
        out["parent"] = r.parent_urn
    if r.protect:
        out["protect"] = True
    provider = providers.get(r.region or "")
    if r.custom and r.type != "pulumi:providers:aws" and provider is not None:
        out["provider"] = f"{provider.urn}::{provider.id}"
    if r.dependencies:
        out["dependencies"] = list(r.dependencies)
    if r.property_dependencies:
        out["propertyDependencies"] = {k: list(v) for k, v in r.property_dependencies.items()}
    if r.retain_on_delete:
        out["retainOnDelete"] = True
    if r.ignore_changes:
        out["ignoreChanges"] = list(r.ignore_changes)
    out["created"] = out["modified"] = "2025-06-02T09:30:00.000000Z"
    return out


def stack_urn(stack: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{stack}"


def export(result: Any) -> dict[str, Any]:
    """`pulumi stack export` of the stack `result` (an offline run: hld.offline.Result) deployed."""
    graph = result.graph
    providers = {r.region: r for r in graph.of("pulumi:providers:aws") if r.region}
    stack_outputs = _json(result.outputs)
    root = {
        "urn": stack_urn(result.stack),
        "custom": False,
        "type": "pulumi:pulumi:Stack",
        "outputs": stack_outputs,
        "created": "2025-06-02T09:30:00.000000Z",
        "modified": "2025-06-02T09:30:00.000000Z",
    }
    ordered = sorted(graph.resources, key=lambda r: r.type != "pulumi:providers:aws")  # providers first, as Pulumi
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": "2025-06-02T09:31:12.345678Z",
                "magic": "0f6c7c8f3c1d5c3e0b9f4d2f6f1a9e7b0c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f",
                "version": "v3.178.0",
            },
            "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:eUvJrQwm0Ls=:v1:Lz6s5f0k:Zx=="}},
            "resources": [root, *(_resource(r, providers) for r in ordered)],
        },
    }


def mutated(doc: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of an export, to change without touching the original."""
    return copy.deepcopy(doc)


def resources(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """The export's resources of one Pulumi type token."""
    return [r for r in doc["deployment"]["resources"] if r["type"] == type_]

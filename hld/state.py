"""A deployed stack's state, as `pulumi stack export` writes it, mapped onto hld.graph's vocabulary.

    doc = read_export(Path("state.json"))        # pulumi refresh && pulumi stack export --file state.json
    graph = graph_of_export(doc, default_region="us-east-1")
    outputs = outputs_of_export(doc)

The export is Pulumi's untyped deployment (sdk/go/common/apitype: `UntypedDeployment` holding a
`DeploymentV3`): `{"version": 3, "deployment": {"manifest", "secrets_providers", "resources":
[ResourceV3...]}}`. Version 4 has the same shape and adds `features`, so both are read; a file
backend's checkpoint (`{"version": 3, "checkpoint": {"latest": deployment}}`) is read as its latest
deployment. Each resource becomes a hld.graph.Resource as an offline run records it
(hld.offline.runtime): its name is the URN's last segment, its parent the parent's name, its
region its AWS provider's `region`, its state the provider's outputs (what the cloud returned at
the last refresh). What the offline graph does not hold is left out here too: the root stack
resource (its outputs are the stack outputs), resources pending deletion (`delete`: a replaced
resource's old copy) and resources Pulumi only reads (`external`: `.get()` lookups).

Values come back as the program saw them: a secret (`{SIG: SECRET, "plaintext" | "ciphertext"}`)
as its plaintext when the export holds it (`--show-secrets`), else as SECRET, a placeholder no
check can mistake for a real value; a resource reference as its id; a value unknown at export
time as None. Malformed input is BadInput (exit 2) naming what is wrong and how to get a good file.

No pulumi or boto3 import: reading a state file must start as fast as `hld plan`.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hld.errors import BadInput
from hld.graph import Graph, Resource, tree_order

VERSIONS = (3, 4)
"""Deployment schema versions read (apitype.DeploymentSchemaVersionCurrent and ...Latest)."""

SIG = "4dabf18193072939515e22adb298388d"
"""The key of a typed value in a serialized property map (sdk/go/common/resource/sig: Key)."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
BYTE_STRING_SIG = "803fd3297a5875dc03ca845dda5d2a98"
FLOAT_SIG = "8ad145fe-0d11-4827-bfd7-1abcbf086f5c"
"""A NaN or an infinity, as its IEEE 754 bits in hex (pkg/resource/stack: floatSignature)."""
COMPUTED = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""A value not known when the state was written (pkg/resource/stack: computedValuePlaceholder)."""

SECRET = "[secret]"
"""What an encrypted secret reads as: not a real value of any AWS property."""

STACK_TYPE = "pulumi:pulumi:Stack"
AWS_PROVIDER = "pulumi:providers:aws"

RULE = "state"
FIX = "run `pulumi refresh`, then `pulumi stack export --file state.json` in the stack, and pass that file"


def _refuse(message: str, file: str, path: tuple[str | int, ...] = (), fix: str = FIX) -> BadInput:
    from blueprints.problems import Problem

    return BadInput([Problem(path, message, RULE, fix, file or "<state>", 0, 0)])


def read_export(path: Path) -> dict[str, Any]:
    """The JSON document of a state file, checked to be a deployment `graph_of_export` reads."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _refuse(f"no such file: {path}", str(path)) from None
    except IsADirectoryError:
        raise _refuse(f"{path} is a directory, not a state file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _refuse(f"cannot read {path}: {exc}", str(path)) from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise _refuse(f"not JSON ({exc})", str(path)) from None
    deployment(doc, str(path))
    return doc  # type: ignore[no-any-return]


def deployment(doc: Any, file: str = "") -> dict[str, Any]:
    """The deployment of an export (or of a file backend's checkpoint), refused unless it is one."""
    if not isinstance(doc, dict):
        raise _refuse(f"a stack export is a JSON object, not {type(doc).__name__}", file)
    version = doc.get("version")
    if "version" not in doc:
        raise _refuse("no `version`: this is not the output of `pulumi stack export`", file, ("version",))
    if isinstance(version, bool) or version not in VERSIONS:
        raise _refuse(
            f"deployment version {version!r}; hld reads versions {' and '.join(map(str, VERSIONS))}, "
            "which Pulumi 3 writes",
            file,
            ("version",),
            fix=f"upgrade the Pulumi CLI, then {FIX}",
        )
    found = doc.get("deployment")
    if found is None and isinstance(doc.get("checkpoint"), dict):
        found = doc["checkpoint"].get("latest")  # a file backend's .pulumi/stacks/<stack>.json
    if not isinstance(found, dict):
        raise _refuse("no `deployment` object: this is not the output of `pulumi stack export`", file, ("deployment",))
    resources = found.get("resources")
    if not isinstance(resources, list) or not resources:
        raise _refuse(
            "the deployment has no resources: the stack was never deployed (or was destroyed)",
            file,
            ("deployment", "resources"),
            fix=f"deploy the stack (`pulumi up`), then {FIX}",
        )
    for i, res in enumerate(resources):
        where = ("deployment", "resources", i)
        if not isinstance(res, dict):
            raise _refuse(f"a resource is a JSON object, not {type(res).__name__}", file, where)
        for key in ("urn", "type"):
            if not isinstance(res.get(key), str) or not res[key]:
                raise _refuse(f"the resource has no `{key}`", file, (*where, key))
        if res["urn"].count("::") < 3:
            raise _refuse(f"{res['urn']!r} is not a Pulumi URN (urn:pulumi:STACK::PROJECT::TYPE::NAME)", file, where)
    return found


def _name(urn: str) -> str:
    """A URN's last segment: urn:pulumi:<stack>::<project>::<qualified type>::<name>."""
    return urn.split("::", 3)[3]


def stack_of_export(doc: dict[str, Any], file: str = "") -> str:
    """The stack the state belongs to (`urn:pulumi:<stack>::...`): the name the stack's plan is made
    for (names hld sets carry it)."""
    first = deployment(doc, file)["resources"][0]["urn"]
    return str(first.split("::", 1)[0].removeprefix("urn:pulumi:"))


def plain(value: Any) -> Any:
    """A serialized property value as the program saw it (secrets unwrapped or SECRET)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return None if value == COMPUTED else value
    if not isinstance(value, dict):
        return value
    sig = value.get(SIG)
    if sig == SECRET_SIG:
        if "plaintext" not in value:
            return SECRET
        try:
            return plain(json.loads(value["plaintext"]))  # the plaintext is the value's JSON encoding
        except (TypeError, ValueError):
            return value["plaintext"]
    if sig == RESOURCE_REFERENCE_SIG:
        return value.get("id") or value.get("urn")
    if sig == OUTPUT_VALUE_SIG:
        return plain(value.get("value"))
    if sig == BYTE_STRING_SIG:
        return base64.b64decode(str(value.get("value", ""))).decode("utf-8", "replace")
    if sig == FLOAT_SIG:
        return struct.unpack(">d", bytes.fromhex(str(value.get("value"))))[0]
    return {k: plain(v) for k, v in value.items()}  # assets and archives keep their serialized form


def outputs_of_export(doc: dict[str, Any], file: str = "") -> dict[str, Any]:
    """The stack outputs: the root stack resource's outputs."""
    for res in deployment(doc, file)["resources"]:
        if res["type"] == STACK_TYPE and not res.get("parent"):
            return dict(plain(res.get("outputs") or {}))
    return {}


def _kept(resources: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the offline graph would hold: no stack, nothing pending deletion, nothing only read."""
    return [
        r
        for r in resources
        if r["type"] != STACK_TYPE and not r.get("delete") and not r.get("pendingReplacement") and not r.get("external")
    ]


def _provider_urn(reference: str) -> str:
    """`<provider urn>::<provider id>` -> the provider's URN."""
    return reference.rsplit("::", 1)[0] if reference else ""


def _own_region(res: dict[str, Any]) -> str | None:
    for source in ("outputs", "inputs"):
        region = plain((res.get(source) or {}).get("region"))
        if isinstance(region, str) and region:
            return region
    return None


def regionless_providers(doc: dict[str, Any], file: str = "") -> list[str]:
    """The AWS providers whose region the state does not record (a default provider configured by
    the environment or `aws:region` outside the state): their resources get the fallback region."""
    return [
        _name(r["urn"])
        for r in _kept(deployment(doc, file)["resources"])
        if r["type"] == AWS_PROVIDER and not _own_region(r)
    ]


def graph_of_export(doc: dict[str, Any], default_region: str | None = None, file: str = "") -> Graph:
    """The resource graph of a `pulumi stack export`, parents before children as an offline run
    orders it. An AWS provider that records no region (a default provider) stands for
    `default_region`; a resource of any other provider (random) has no region, as offline."""
    kept = _kept(deployment(doc, file)["resources"])
    by_urn = {r["urn"]: r for r in kept}
    resources = []
    for res in kept:
        provider = by_urn.get(_provider_urn(str(res.get("provider") or "")))
        if res["type"] == AWS_PROVIDER:
            region = _own_region(res) or default_region
        elif provider is not None:
            region = (_own_region(provider) or default_region) if provider["type"] == AWS_PROVIDER else None
        else:
            region = default_region if res.get("custom") and res["type"].startswith("aws:") else None
        parent_urn = str(res.get("parent") or "")
        resources.append(
            Resource(
                type=res["type"],
                name=_name(res["urn"]),
                urn=res["urn"],
                parent=_name(parent_urn) if parent_urn in by_urn else None,
                region=region,
                inputs=dict(plain(res.get("inputs") or {})),
                state=dict(plain(res.get("outputs") or {})),
                custom=bool(res.get("custom")),
                protect=bool(res.get("protect")),
                retain_on_delete=bool(res.get("retainOnDelete")),
                parent_urn=parent_urn,
                id=str(res.get("id") or ""),
                dependencies=tuple(res.get("dependencies") or ()),
                ignore_changes=tuple(res.get("ignoreChanges") or ()),
                property_dependencies={k: tuple(v or ()) for k, v in (res.get("propertyDependencies") or {}).items()},
            )
        )
    return Graph(tree_order(resources))

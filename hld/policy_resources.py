"""The policy SDK's view of a stack's resources in hld.graph's vocabulary: what the engine hands a
stack validation policy (`StackValidationArgs.resources`, each a `PolicyResource`: type, outputs as
`props`, URN, name, parent, provider, dependencies, options) as a Graph the checks read, with the
values unknown at preview kept as the SDK's sentinels and every one a check reads recorded. An
adapter beside the offline runtime (hld.offline) and the state reader (hld.state), below the
checks; hld.policy runs the checks over it."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hld.graph import Graph, Resource, tree_order

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
RETAIN_ON_DELETE = True
"""What a policy resource says of Pulumi's retainOnDelete option: nothing (the analyzer protocol
carries protect, not retainOnDelete), so the pack takes it as set and leaves its proof to
`hld verify`; every other part of `deletion-protection` is checked."""


# --- unknown values -----------------------------------------------------------------------------


@functools.cache
def _sentinels() -> frozenset[str]:
    from pulumi_policy import proxy

    return frozenset(
        (
            proxy.UNKNOWN_BOOLEAN_VALUE,
            proxy.UNKNOWN_NUMBER_VALUE,
            proxy.UNKNOWN_STRING_VALUE,
            proxy.UNKNOWN_ARRAY_VALUE,
            proxy.UNKNOWN_ASSET_VALUE,
            proxy.UNKNOWN_ARCHIVE_VALUE,
            proxy.UNKNOWN_OBJECT_VALUE,
        )
    )


def is_unknown(value: Any) -> bool:
    """A value the engine does not know yet (at preview: what the cloud computes)."""
    return isinstance(value, str) and value in _sentinels()


@dataclass
class Reads:
    """The unknown properties read so far, as `resource.path.to.property`."""

    unknown: set[str] = field(default_factory=set)

    def note(self, path: str, value: Any) -> None:
        if is_unknown(value):
            self.unknown.add(path)


class _Props(dict[str, Any]):
    """A resource's properties that record every unknown value read out of them."""

    def __init__(self, items: Mapping[str, Any], path: str, reads: Reads):
        super().__init__(items)
        self._path, self._reads = path, reads

    def __getitem__(self, key: str) -> Any:
        found = super().__getitem__(key)
        self._reads.note(f"{self._path}.{key}", found)
        return found

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if dict.__contains__(self, key) else default

    def __iter__(self) -> Iterator[str]:
        # not dict's own iterator: copies (dict(props)) then read through __getitem__
        return iter(list(dict.__iter__(self)))

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(k, self[k]) for k in dict.__iter__(self)]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[k] for k in dict.__iter__(self)]


class _Items(list[Any]):
    """A list property that records every unknown value read out of it."""

    def __init__(self, items: Iterable[Any], path: str, reads: Reads):
        super().__init__(items)
        self._path, self._reads = path, reads

    def __getitem__(self, index: Any) -> Any:
        found = super().__getitem__(index)
        if isinstance(index, int):
            self._reads.note(f"{self._path}[{index}]", found)
        else:
            for i, item in zip(range(len(self))[index], found, strict=False):
                self._reads.note(f"{self._path}[{i}]", item)
        return found

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]


def _raw(value: Any) -> Any:
    """The value under the SDK's proxies (which raise on an unknown as soon as it is touched):
    plain dicts and lists, unknowns left as their sentinels."""
    if isinstance(value, dict):
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_raw(v) for v in value]
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str | bytes):
        try:
            return _raw(value["__target"])  # type: ignore[call-overload]
        except (KeyError, TypeError, IndexError):
            return _raw(dict(value) if isinstance(value, Mapping) else list(value))
    return value


def _tracked(value: Any, path: str, reads: Reads) -> Any:
    if isinstance(value, dict):
        return _Props({k: _tracked(v, f"{path}.{k}", reads) for k, v in value.items()}, path, reads)
    if isinstance(value, list):
        return _Items([_tracked(v, f"{path}[{i}]", reads) for i, v in enumerate(value)], path, reads)
    return value


# --- the adapter --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adapted:
    """The engine's resources as a graph, the stack's outputs, and the unknowns read from either."""

    graph: Graph
    outputs: dict[str, Any]
    reads: Reads


def adapt(resources: Sequence[Any]) -> Adapted:
    """`StackValidationArgs.resources` (PolicyResource) in hld.graph's vocabulary."""
    reads = Reads()
    stacks = {r.urn for r in resources if r.resource_type == STACK_TYPE}
    names = {r.urn: r.name for r in resources if r.urn not in stacks}
    outputs: dict[str, Any] = {}
    out = []
    for r in resources:
        props = _tracked(_raw(r.props), r.name, reads)
        if r.urn in stacks:
            outputs = props
            continue
        opts = getattr(r, "opts", None)
        parent_urn = (getattr(opts, "parent", None) or (r.parent.urn if r.parent is not None else "")) or ""
        provider = getattr(r, "provider", None)
        provider_type = r.resource_type.startswith(PROVIDER_PREFIX)
        raw_id = dict.get(props, "id") if isinstance(props, dict) else None
        out.append(
            Resource(
                type=r.resource_type,
                name=r.name,
                urn=r.urn,
                parent=names.get(parent_urn),
                region=_region(props if provider_type else _raw(provider.props) if provider else None, props)
                if provider is not None or provider_type
                else None,
                inputs=props,
                state=props,
                custom=provider is not None or provider_type,
                protect=bool(getattr(opts, "protect", False)),
                retain_on_delete=RETAIN_ON_DELETE,
                parent_urn=parent_urn,
                id="" if raw_id is None or is_unknown(raw_id) else str(raw_id),
                dependencies=tuple(d.urn for d in r.dependencies or ()),
                ignore_changes=tuple(getattr(opts, "ignore_changes", None) or ()),
                property_dependencies={k: tuple(d.urn for d in v) for k, v in (r.property_dependencies or {}).items()},
            )
        )
    return Adapted(Graph(tree_order(out)), dict(outputs), reads)


def graph_of_policy_resources(resources: Sequence[Any]) -> Graph:
    """The engine's resources (PolicyResource) as hld's graph: what every check reads."""
    return adapt(resources).graph


def _region(provider_props: Any, props: Any) -> str | None:
    """The region of the resource's provider (pulumi-aws: one provider per region); else the
    resource's own `region` (pulumi-aws 7 has one on every resource)."""
    for source in (provider_props, props):
        region = dict.get(source, "region") if isinstance(source, dict) else None
        if isinstance(region, str) and region and not is_unknown(region):
            return region
    return None

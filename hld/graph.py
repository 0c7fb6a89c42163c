"""The resource graph of one offline run, and assertions over it (CDK-style).

    graph.count("aws:rds/instance:Instance")            # or "aws.rds.Instance"
    graph.has("aws.rds.Instance", multi_az=True)        # snake_case or camelCase keys
    graph.has("aws.ec2.Subnet", _region="us-west-2")    # _region, _parent, _name: graph attributes

A failed `has` says how many resources of the type exist and which came closest.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generators.aws.tags import ROLE_TAG


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    parent: str | None
    region: str | None
    inputs: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    custom: bool = True
    protect: bool = False
    retain_on_delete: bool = False
    exercised: bool = False
    parent_urn: str = ""
    id: str = ""
    dependencies: tuple[str, ...] = ()
    """URNs this resource waits on: its depends_on and the resources its inputs come from (what
    the Pulumi engine orders creation by)."""
    ignore_changes: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Input (camelCase) -> the URNs of the resources its value comes from."""

    def summary(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "region": self.region,
            "protect": self.protect,
            "retain_on_delete": self.retain_on_delete,
        }


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.cache
def _type_matches(token: str, wanted: str) -> bool:
    """`token` (a Pulumi type token) is the type `wanted` names (a token, or aws.rds.Instance):
    a pure function of two strings from a small set, so each pair is matched once per process
    (the checks ask the graph for a type about a thousand times a run)."""
    if ":" in wanted:
        return token == wanted
    # "aws.rds.Instance" -> package aws, module rds, class Instance
    package, _, rest = wanted.partition(".")
    module, _, cls = rest.rpartition(".")
    match = re.match(r"^([^:]+):([^/:]+)(?:/[^:]*)?:(.+)$", token)
    if not match:
        return False
    return match.group(1) == package and match.group(2) == module.replace(".", "/") and match.group(3) == cls


def _matches(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        if isinstance(actual, str):
            try:
                actual = json.loads(actual)
            except ValueError:
                return False
        if not isinstance(actual, dict):
            return False
        return all(_matches(actual.get(camel(k), actual.get(k)), v) for k, v in expected.items())
    if isinstance(expected, list):
        if isinstance(actual, str):
            try:
                actual = json.loads(actual)
            except ValueError:
                return False
        if not isinstance(actual, list):
            return False
        return all(any(_matches(a, e) for a in actual) for e in expected)
    return bool(actual == expected)


class Graph:
    def __init__(self, resources: list[Resource]):
        self.resources = resources

    def __len__(self) -> int:
        return len(self.resources)

    def of(self, type_: str) -> list[Resource]:
        if ":" in type_:  # a Pulumi type token: the checks' usual question, about a thousand a run
            return [r for r in self.resources if r.type == type_]
        return [r for r in self.resources if _type_matches(r.type, type_)]

    def count(self, type_: str) -> int:
        return len(self.of(type_))

    def named(self, name: str) -> Resource:
        found = [r for r in self.resources if r.name == name]
        if not found:
            close = sorted({r.name for r in self.resources if name.split("-")[0] in r.name})[:5]
            raise AssertionError(f"no resource named {name!r}; similar: {close}")
        return found[0]

    def by_id(self, id_: str) -> Resource | None:
        """The custom resource whose physical id is `id_` (what other resources reference)."""
        return next((r for r in self.resources if r.custom and r.id == id_), None)

    def waits_on(self, resource: Resource, other: Resource) -> bool:
        """`resource` is created after `other`: a chain of dependencies leads from one to the other
        (depending on a component waits on every resource inside it, as the Pulumi engine does)."""
        by_urn = {r.urn: r for r in self.resources}
        inside: dict[str, list[str]] = {}
        for r in self.resources:
            inside.setdefault(r.parent_urn, []).append(r.urn)
        seen, stack = set(), list(resource.dependencies)
        while stack:
            urn = stack.pop()
            if urn == other.urn:
                return True
            if urn in seen or urn not in by_urn:
                continue
            seen.add(urn)
            stack += list(by_urn[urn].dependencies)
            if not by_urn[urn].custom:
                stack += inside.get(urn, [])
        return False

    def children(self, parent: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == parent]

    def _score(self, resource: Resource, partial: dict[str, Any]) -> int:
        return sum(self._one(resource, k, v) for k, v in partial.items())

    @staticmethod
    def _one(resource: Resource, key: str, value: Any) -> bool:
        if key in ("_region", "_parent", "_name"):
            return bool(getattr(resource, key[1:]) == value)
        if key in ("_protect", "_retain_on_delete"):
            return bool(getattr(resource, key[1:]) == value)
        actual = resource.inputs.get(camel(key), resource.inputs.get(key))
        return _matches(actual, value)

    def find(self, type_: str, **partial: Any) -> list[Resource]:
        return [r for r in self.of(type_) if self._score(r, partial) == len(partial)]

    def has(self, type_: str, **partial: Any) -> Resource:
        """The first resource of `type_` whose inputs contain `partial`; else an AssertionError
        naming how many of the type exist and the closest one."""
        found = self.find(type_, **partial)
        if found:
            return found[0]
        candidates = self.of(type_)
        if not candidates:
            types = sorted({r.type for r in self.resources if type_.split(".")[-1].lower() in r.type.lower()})
            raise AssertionError(f"no resources of type {type_}" + (f"; similar types: {types}" if types else ""))
        best = max(candidates, key=lambda r: self._score(r, partial))
        missing = {k: v for k, v in partial.items() if not self._one(best, k, v)}
        shown = {
            k: best.inputs.get(camel(k), getattr(best, k[1:], None) if k.startswith("_") else None) for k in missing
        }
        raise AssertionError(
            f"{len(candidates)} resources of type {type_}, none match {partial}; closest: {best.name} "
            f"differs on {missing}: has {shown}"
        )

    def listing(self) -> list[dict[str, Any]]:
        """type + name + parent for every resource, in registration order (golden files)."""
        return [{"type": r.type, "name": r.name, "parent": r.parent} for r in self.resources]


# --- reading a resource's state -----------------------------------------------------------------


def value(resource: Resource, key: str) -> Any:
    """A top-level attribute: the state (what the cloud says) first, then the inputs."""
    k = camel(key)
    for source in (resource.state, resource.inputs):
        if k in source:
            return source[k]
        if key in source:
            return source[key]
    return None


def doc(raw: Any) -> Any:
    """A JSON document attribute (policies, container definitions), parsed."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return raw


def dig(data: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and len(data) > step else None
        elif isinstance(data, dict):
            data = data.get(camel(step), data.get(step))
        else:
            return None
    return data


def first(data: Any) -> Any:
    """Nested blocks come back as a dict or a one-element list, depending on the provider version."""
    return data[0] if isinstance(data, list) and data else data


def tags(resource: Resource) -> dict[str, str]:
    return dict(value(resource, "tags") or {})


def role_of(graph: Graph, group_id: str) -> str | None:
    group = graph.by_id(group_id)
    return tags(group).get(ROLE_TAG) if group else None


def prefixed(graph: Graph, type_: str, component: str, region: str | None = None) -> list[Resource]:
    """Resources of a type that belong to `component`: their parent is the component named
    `component`, or its part in the resource's own region (`component-<region>`, as the AWS
    target names per-region components). Matched on the component, not on the resource's own
    name, which the AWS target shortens to fit the provider's limits."""
    return [
        r
        for r in graph.of(type_)
        if r.parent in (component, f"{component}-{r.region}") and (region is None or r.region == region)
    ]


def zones_of_subnets(graph: Graph, ids: Iterable[str]) -> set[str]:
    zones = set()
    for sid in ids:
        subnet = graph.by_id(sid)
        if subnet is not None and value(subnet, "availability_zone"):
            zones.add(str(value(subnet, "availability_zone")))
    return zones


RULE_TYPES = {
    "ingress": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "egress": "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
}


def _protocol(raw: Any) -> str:
    text = str(raw).lower()
    return {"6": "tcp", "17": "udp", "all": "-1"}.get(text, text)


def _ports(protocol: str, low: Any, high: Any) -> tuple[int, int]:
    if protocol == "-1":
        return 0, 0
    return int(low if low is not None else -1), int(high if high is not None else -1)


def undeclared_inline_rules(graph: Graph, group: Resource, direction: str) -> list[str]:
    """The group's inline `ingress` or `egress` rules that no separate rule resource of the group
    declares, each as `protocol from-to target`. In a program's inputs these fields are empty (the
    AWS target declares every rule as its own resource); after `pulumi refresh`, AWS reports every
    rule of the group in them, the separate ones included, so only a rule none of them declares is
    one added outside the design."""
    declared = set()
    for rule in graph.of(RULE_TYPES[direction]):
        if not group.id or str(value(rule, "security_group_id")) != group.id:
            continue
        protocol = _protocol(value(rule, "ip_protocol"))
        low, high = _ports(protocol, value(rule, "from_port"), value(rule, "to_port"))
        for target in ("cidr_ipv4", "cidr_ipv6", "referenced_security_group_id", "prefix_list_id"):
            if value(rule, target):
                declared.add((protocol, low, high, str(value(rule, target))))
    out = []
    for entry in value(group, direction) or []:
        if not isinstance(entry, dict):
            continue
        protocol = _protocol(dig(entry, "protocol"))
        low, high = _ports(protocol, dig(entry, "from_port"), dig(entry, "to_port"))
        targets = [
            *(dig(entry, "cidr_blocks") or []),
            *(dig(entry, "ipv6_cidr_blocks") or []),
            *(dig(entry, "security_groups") or []),
            *(dig(entry, "prefix_list_ids") or []),
        ]
        if dig(entry, "self"):
            targets.append(group.id)
        for target in targets or ["(none)"]:
            if (protocol, low, high, str(target)) not in declared:
                out.append(f"{protocol} {low}-{high} {target}")
    return out


def tree_order(resources: list[Resource]) -> list[Resource]:
    """Parents before children, siblings by (type, name): the same program gives the same order,
    whether its graph was recorded offline, read from a state export or handed to a policy pack."""
    urns = {r.urn for r in resources}
    children: dict[str, list[Resource]] = {}
    for r in resources:
        children.setdefault(r.parent_urn if r.parent_urn in urns else "", []).append(r)
    out: list[Resource] = []
    stack = sorted(children.get("", []), key=lambda r: (r.type, r.name), reverse=True)
    while stack:
        node = stack.pop()
        out.append(node)
        stack += sorted(children.get(node.urn, []), key=lambda r: (r.type, r.name), reverse=True)
    return out

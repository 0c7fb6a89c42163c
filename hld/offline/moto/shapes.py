"""Pulumi inputs in the shapes the AWS APIs take."""

from __future__ import annotations

from typing import Any


def tag_list(tags: dict[str, str] | None, key: str = "Key", val: str = "Value") -> list[dict[str, str]]:
    return [{key: k, val: str(v)} for k, v in sorted((tags or {}).items())]


def tag_spec(kind: str, tags: dict[str, str] | None) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": tag_list(tags)}] if tags else []


def pascal(value: Any) -> Any:
    """camelCase keys (Pulumi) -> PascalCase keys (most AWS APIs), recursively."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def num(value: Any) -> int | None:
    return None if value is None else int(value)


def drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {}}


def pascal_lower(value: Any) -> Any:
    """ECS speaks camelCase like Pulumi: nested blocks pass through (floats -> ints)."""
    if isinstance(value, dict):
        return {k: pascal_lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal_lower(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value

"""The JSON Schema of the blueprint format, generated from the Pydantic models."""

from __future__ import annotations

import json
from typing import Any

from blueprints.model import Blueprint

SCHEMA_ID = "https://hld.dev/schema/blueprint.schema.json"


KEYWORDS = {"le": "maximum", "ge": "minimum", "lt": "exclusiveMaximum", "gt": "exclusiveMinimum"}
"""Pydantic's bound names and JSON Schema's. A custom type's own schema (a `Duration`, a `Memory`:
a string form or a number) loses a field's bounds, or leaks them under pydantic's names when the
field is optional; editors know only JSON Schema's."""


def schema() -> dict[str, object]:
    doc = Blueprint.model_json_schema(mode="validation", by_alias=True)
    _standard_bounds(doc)
    _field_bounds(doc)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **doc}


def _standard_bounds(node: object, in_properties: bool = False) -> None:
    """Rename a leaked `le`/`ge`/`lt`/`gt` to its JSON Schema keyword (a property named `le` stays)."""
    if isinstance(node, list):
        for item in node:
            _standard_bounds(item)
    if not isinstance(node, dict):
        return
    for key in list(node):
        if not in_properties and key in KEYWORDS and isinstance(node[key], int | float):
            node[KEYWORDS[key]] = node.pop(key)
    for key, value in node.items():
        _standard_bounds(value, in_properties=key == "properties" and not in_properties)


def _field_bounds(doc: dict[str, Any]) -> None:
    """Every field's bounds in its schema: where a custom type's schema dropped them, at the
    property's top level (JSON Schema's numeric keywords constrain numbers only, so the string form
    stays free: the loader bounds it)."""
    from pydantic import BaseModel

    import blueprints.model as model

    classes = {c.__name__: c for c in vars(model).values() if isinstance(c, type) and issubclass(c, BaseModel)}
    owners: list[tuple[type[BaseModel], dict[str, Any]]] = [(Blueprint, doc)]
    owners += [(classes[n], d) for n, d in doc.get("$defs", {}).items() if n in classes]
    for cls, node in owners:
        properties = node.get("properties", {})
        for name, field in cls.model_fields.items():
            prop = properties.get(field.alias or name)
            if prop is None:
                continue
            for meta in field.metadata:
                for key, keyword in KEYWORDS.items():
                    bound = getattr(meta, key, None)
                    if isinstance(bound, int | float) and not _has(prop, keyword, bound):
                        prop[keyword] = bound


def _has(node: object, keyword: str, bound: float) -> bool:
    """`node` states this bound already (a custom type's own, weaker bound does not count)."""
    if isinstance(node, dict):
        return node.get(keyword) == bound or any(_has(v, keyword, bound) for v in node.values())
    if isinstance(node, list):
        return any(_has(v, keyword, bound) for v in node)
    return False


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"

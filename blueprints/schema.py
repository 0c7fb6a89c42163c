"""The JSON Schema of the blueprint format, generated from the Pydantic models."""

from __future__ import annotations

import json

from blueprints.model import Blueprint

SCHEMA_ID = "https://hld.dev/schema/blueprint.schema.json"


def schema() -> dict[str, object]:
    doc = Blueprint.model_json_schema(mode="validation", by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **doc}


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"

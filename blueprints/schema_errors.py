"""Pydantic's validation errors, as problems a person can act on: the path in the file (union
tags dropped), the value received, and a fix (a close field name, the accepted kinds)."""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from blueprints.model import NAME_PATTERN, Blueprint
from blueprints.problems import Path, Problem, shown
from blueprints.yamldoc import Document


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every BaseModel class inside an annotation (unions, lists, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _model_at(path: Path, data: Any) -> type[BaseModel] | None:
    """The model that owns the mapping at `path` (for field suggestions)."""
    model: type[BaseModel] | None = Blueprint
    candidates: list[type[BaseModel]] = [Blueprint]
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
            continue
        if model is None or part not in model.model_fields:
            return None
        candidates = _models_in(model.model_fields[part].annotation)
        data = data.get(part) if isinstance(data, dict) else None
        model = candidates[0] if candidates else None
    if len(candidates) > 1 and isinstance(data, dict):
        for option in candidates:
            kind = option.model_fields.get("kind")
            if kind is not None and data.get("kind") in typing.get_args(kind.annotation):
                return option
        return None
    return model


_SCALAR_TAGS = {"str", "constrained-str", "int", "float", "bool", "list", "dict"}


def _is_tag(part: str) -> bool:
    """Pydantic names a union member it tried by its type: `str`, `UseRef`, `function-after[...]`."""
    return part in _SCALAR_TAGS or "[" in part or part[:1].isupper()


def _display_path(loc: tuple[Any, ...], data: Any, error_type: str) -> Path:
    """Drop Pydantic's union tags from a location, keeping real keys and indexes."""
    path: list[str | int] = []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(data, dict):
            if part in data:
                path.append(part)
                data = data[part]
            elif part == data.get("kind"):
                continue
            elif last and error_type in ("missing", "extra_forbidden"):
                path.append(part)
            elif isinstance(part, str) and _is_tag(part):
                continue
            else:
                path.append(part)
                data = None
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            path.append(part)
            data = data[part]
        elif isinstance(part, str) and data is not None and not isinstance(data, list):
            continue  # a tag naming which union member was tried
        elif isinstance(part, str) and isinstance(data, list):
            continue
        else:
            path.append(part)
    return tuple(path)


def _got(value: object) -> str:
    """The received value as the YAML wrote it: `true`, `null`, or the value's repr."""
    if isinstance(value, bool) or value is None:
        return f"; got {'null' if value is None else str(value).lower()}"
    return f"; got {shown(value)}"


def _describe(model: type[BaseModel] | None, field: str) -> str:
    if model is None or field not in model.model_fields:
        return ""
    return model.model_fields[field].description or ""


def _schema_problem(error: Any, doc: Document) -> tuple[Path, str, str, bool]:
    kind = error["type"]
    path = _display_path(tuple(error["loc"]), doc.data, kind)
    field = path[-1] if path else ""
    owner = _model_at(path[:-1], doc.data) if path else None
    if kind == "extra_forbidden":
        known = sorted(owner.model_fields) if owner else []
        aliases = [f.alias for f in owner.model_fields.values() if f.alias] if owner else []
        close = difflib.get_close_matches(str(field), known + aliases, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
        return path, f"unknown field {shown(field)}", f"remove it; {hint}", True
    if kind == "missing":
        what = _describe(owner, str(field))
        return path, "required field is missing", f"add `{field}:`" + (f" ({what})" if what else ""), False
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(error["ctx"]["expected_tags"]).split(",")]
        got = error["ctx"]["tag"]
        close = difflib.get_close_matches(str(got), tags, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(tags)
        return (*path, "kind"), f"unknown kind {shown(got)}; kinds: {', '.join(tags)}", hint, False
    message = str(error["msg"])
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] == NAME_PATTERN:
        message = "a name is lower-case letters, digits and dashes (1 to 40, starting with a letter)"
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    elif "input" in error and not isinstance(error["input"], dict | list):
        message += _got(error["input"])
    if kind in ("int_type", "float_type") and isinstance(error.get("input"), bool):
        message += " (true and false are not numbers)"
    what = _describe(owner, str(field)) if isinstance(field, str) else ""
    if kind == "literal_error" and isinstance(error.get("input"), str):
        options = [o.strip(" '") for o in str(error["ctx"]["expected"]).replace(" or ", ", ").split(",")]
        close = difflib.get_close_matches(error["input"], options, n=1)
        if close:
            return (
                path,
                message,
                f"did you mean '{close[0]}'? ({what})" if what else f"did you mean '{close[0]}'?",
                False,
            )
    return path, message, _action(kind, error, field, what), False


BOUNDS = {
    "less_than": ("lt", "below"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "above"),
    "greater_than_equal": ("ge", "at least"),
    "too_long": ("max_length", "with at most"),
    "string_too_long": ("max_length", "of at most"),
    "too_short": ("min_length", "with at least"),
    "string_too_short": ("min_length", "of at least"),
}
"""Pydantic's bound errors: the context key holding the bound, and how a fix says it."""


def _action(kind: str, error: Any, field: object, what: str) -> str:
    """What to do about a schema error, then what the field is for: the field's description alone
    says what it means, not how to fix the value."""
    ctx = error.get("ctx") or {}
    name = f"`{field}`" if isinstance(field, str) else "it"
    action = ""
    if kind in BOUNDS and BOUNDS[kind][0] in ctx:
        key, words = BOUNDS[kind]
        bound = ctx[key]
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        if kind.endswith(("too_long", "too_short")):
            verb = "shorten" if kind.endswith("too_long") else "lengthen"
            unit = "characters" if kind.startswith("string") else "items"
            action = f"{verb} {name} to {words.removeprefix('with ').removeprefix('of ')} {bound} {unit}"
        else:
            action = f"set {name} {words} {bound}"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        action = f"write {name} as a whole number"
    elif kind in ("float_parsing", "float_type"):
        action = f"write {name} as a number"
    elif kind in ("bool_parsing", "bool_type"):
        action = f"write {name} as true or false"
    elif kind in ("string_type",):
        action = f"write {name} as text (quote it)"
    elif kind in ("list_type",):
        action = f"write {name} as a list: [a, b]"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        action = f"write {name} as a mapping of fields"
    elif kind == "literal_error":
        options = [o.strip(" '") for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(",") if o.strip()]
        action = "use one of: " + ", ".join(options) if options else ""
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") == NAME_PATTERN:
        suggestion = "-".join(
            p for p in "".join(c if c.isalnum() else "-" for c in str(error.get("input", "")).lower()).split("-") if p
        )
        action = f"rename it, e.g. '{suggestion}'" if suggestion[:1].isalpha() else "rename it, e.g. 'orders-api'"
    elif kind.startswith("value_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if message.startswith("expected "):
            action = "write " + message.removeprefix("expected ").split(", got ")[0]
        elif "e.g. " in message:
            action = "write it like " + message.rsplit("e.g. ", 1)[1]
    if not action:
        return what or "see `hld schema` for this field"
    return f"{action} ({what.rstrip('.')})" if what else action


def problems(doc: Document, error: ValidationError, file: str) -> list[Problem]:
    merged: dict[Path, tuple[list[str], str, bool]] = {}
    found = [(raw, _schema_problem(raw, doc)) for raw in error.errors(include_url=False)]
    deeper = {found_path[:i] for _, (found_path, *_rest) in found for i in range(len(found_path))}
    for raw, (path, message, fix, at_key) in found:
        if raw["type"].endswith("_type") and isinstance(raw.get("input"), dict | list) and path in deeper:
            continue  # a union member of the wrong shape; the member that fits says what is wrong
        if path in merged:  # the members of a union each failed: say it once
            got = _got(raw["input"]) if "input" in raw and not isinstance(raw["input"], dict | list) else ""
            first = merged[path][0]
            first[0] = first[0].removesuffix(got)
            extra = message.removesuffix(got).removeprefix("Input should be ")
            if extra not in first:
                first.append(extra)
            if got and not first[-1].endswith(got):
                first[-1] += got
        else:
            merged[path] = ([message], fix, at_key)
    out = []
    for path, (messages, fix, at_key) in merged.items():
        if len(messages) > 1:
            fix = "see `hld schema` for the accepted forms"
        line, column = doc.position(path, key=at_key)
        out.append(Problem(path, " or ".join(messages), "schema", fix, file, line, column))
    return out

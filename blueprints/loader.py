"""Load a blueprint file and report every problem with FILE:LINE:COL.

YAML is composed into nodes (which carry their marks) and then built into plain
data while the position of every key and value is recorded by path. Pydantic's
error locations and the coherence rules' paths are then mapped back onto those
positions, so each problem points at the line a person has to change.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from blueprints.model import NAME_PATTERN, Blueprint
from blueprints.problems import BlueprintError, Path, Problem

Position = tuple[int, int]


class _Document:
    """Plain data plus the (line, column) of every key and value, by path."""

    def __init__(self) -> None:
        self.data: Any = None
        self.values: dict[Path, Position] = {}
        self.keys: dict[Path, Position] = {}
        self.problems: list[tuple[Path, Position, str]] = []

    def position(self, path: Path, *, key: bool = False) -> Position:
        """The position of `path`, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if key and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return (1, 1)


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _compose(text: str) -> _Document:
    """The document, with the position of every key and value. libyaml's parser when PyYAML has
    it (20x faster, same nodes and marks); a YAML error is reported by the pure-Python parser,
    whose messages are the ones users see everywhere else."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _compose_with(fast, text)
        except yaml.YAMLError:
            pass
    return _compose_with(yaml.SafeLoader, text)


def _compose_with(loader_class: Any, text: str) -> _Document:
    doc = _Document()
    loader = loader_class(text)
    try:
        root = loader.get_single_node()

        def build(node: yaml.Node, path: Path) -> Any:
            doc.values[path] = _mark(node)
            if isinstance(node, yaml.MappingNode):
                loader.flatten_mapping(node)
                out: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    key = loader.construct_object(key_node, deep=True)
                    if not isinstance(key, str | int | float | bool) or key is None:
                        key = str(key)
                    child = (*path, key) if isinstance(key, str | int) else (*path, str(key))
                    if key in out:
                        doc.problems.append((child, _mark(key_node), f"key {key!r} appears twice; remove one"))
                    doc.keys[child] = _mark(key_node)
                    out[key] = build(value_node, child)
                return out
            if isinstance(node, yaml.SequenceNode):
                return [build(item, (*path, i)) for i, item in enumerate(node.value)]
            return loader.construct_object(node, deep=True)

        doc.data = None if root is None else build(root, ())
    finally:
        loader.dispose()
    return doc


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


def _describe(model: type[BaseModel] | None, field: str) -> str:
    if model is None or field not in model.model_fields:
        return ""
    return model.model_fields[field].description or ""


def _schema_problem(error: Any, doc: _Document) -> tuple[Path, str, str, bool]:
    kind = error["type"]
    path = _display_path(tuple(error["loc"]), doc.data, kind)
    field = path[-1] if path else ""
    owner = _model_at(path[:-1], doc.data) if path else None
    if kind == "extra_forbidden":
        known = sorted(owner.model_fields) if owner else []
        aliases = [f.alias for f in owner.model_fields.values() if f.alias] if owner else []
        close = difflib.get_close_matches(str(field), known + aliases, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
        return path, f"unknown field {field!r}", f"remove it; {hint}", True
    if kind == "missing":
        what = _describe(owner, str(field))
        return path, "required field is missing", f"add `{field}:`" + (f" ({what})" if what else ""), False
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(error["ctx"]["expected_tags"]).split(",")]
        got = error["ctx"]["tag"]
        close = difflib.get_close_matches(str(got), tags, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(tags)
        return (*path, "kind"), f"unknown kind {got!r}; kinds: {', '.join(tags)}", hint, False
    message = str(error["msg"])
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] == NAME_PATTERN:
        message = "a name is lower-case letters, digits and dashes (1 to 40, starting with a letter)"
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    elif "input" in error and not isinstance(error["input"], dict | list):
        message += f"; got {error['input']!r}"
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
    return path, message, what or "see `hld schema` for this field", False


def _problems(doc: _Document, error: ValidationError, file: str) -> list[Problem]:
    merged: dict[Path, tuple[list[str], str, bool]] = {}
    found = [(raw, _schema_problem(raw, doc)) for raw in error.errors(include_url=False)]
    deeper = {found_path[:i] for _, (found_path, *_rest) in found for i in range(len(found_path))}
    for raw, (path, message, fix, at_key) in found:
        if raw["type"].endswith("_type") and isinstance(raw.get("input"), dict | list) and path in deeper:
            continue  # a union member of the wrong shape; the member that fits says what is wrong
        if path in merged:  # the members of a union each failed: say it once
            got = f"; got {raw['input']!r}" if "input" in raw and not isinstance(raw["input"], dict | list) else ""
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


def parse(text: str, file: str = "<blueprint>") -> Blueprint:
    """Parse and check one blueprint; raise BlueprintError with every problem."""
    from blueprints.rules import check

    try:
        doc = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = getattr(exc, "problem", None)
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
            before = text[: exc.position]
            line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
            char = chr(exc.character) if isinstance(exc.character, int) else exc.character
            reason = f"character {char!r} is not allowed ({exc.reason})"
        reason = " ".join(str(reason or exc).split())
        raise BlueprintError(
            [Problem((), f"malformed YAML: {reason}", "yaml", "fix the syntax at this position", file, line, column)]
        ) from None
    if not isinstance(doc.data, dict):
        kinds = {int: "a number", float: "a number", str: "a string", list: "a list", bool: "true/false"}
        got = "an empty document" if doc.data is None else kinds.get(type(doc.data), "a scalar")
        raise BlueprintError(
            [
                Problem(
                    (),
                    f"a blueprint is a mapping of fields, got {got}",
                    "schema",
                    "start from blueprints/examples/url-shortener.yaml (`name:`, `availability:`, `services:`)",
                    file,
                    *doc.position(()),
                )
            ]
        )
    problems = [
        Problem(path, message, "yaml", "keep one of them", file, line, column)
        for path, (line, column), message in doc.problems
    ]
    try:
        blueprint = Blueprint.model_validate(doc.data)
    except ValidationError as exc:
        raise BlueprintError(_ordered(problems + _problems(doc, exc, file))) from None
    for found in check(blueprint):
        line, column = doc.position(found.path, key=found.at_key)
        problems.append(Problem(found.path, found.message, found.rule, found.fix, file, line, column))
    if problems:
        raise BlueprintError(_ordered(problems))
    return blueprint


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.column))


def load(path: str | FsPath) -> Blueprint:
    """Read and check a blueprint file; unreadable files are problems too."""
    name = str(path)
    try:
        text = FsPath(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BlueprintError(
            [Problem((), "no such file", "io", "check the path (examples: blueprints/examples/)", name)]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BlueprintError([Problem((), f"cannot read: {exc}", "io", "pass a UTF-8 YAML file", name)]) from None
    return parse(text, name)


__all__ = ["BlueprintError", "Problem", "load", "parse"]

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

from blueprints import limits
from blueprints.model import NAME_PATTERN, Blueprint
from blueprints.problems import BlueprintError, Broken, Path, Problem, shown

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


class _Refused(Exception):
    """The document is over one of the input bounds (blueprints.limits): nothing is built."""

    def __init__(self, line: int, column: int, message: str, fix: str):
        super().__init__(message)
        self.line, self.column, self.message, self.fix = line, column, message, fix


def _compose(text: str) -> _Document:
    """The document, with the position of every key and value. The event stream is scanned
    first (libyaml's parser when PyYAML has it: 20x faster, same marks) for the input bounds:
    nesting depth, and the nodes aliases expand to, counted without expanding them. A YAML
    error is reported by the pure-Python parser, whose messages are the ones users see
    everywhere else."""
    fast = getattr(yaml, "CSafeLoader", None)
    loader_class = fast or yaml.SafeLoader
    try:
        _scan(text, loader_class)
        return _compose_with(loader_class, text)
    except yaml.YAMLError as exc:
        if fast is None:
            raise
        raise _python_error(text, exc) from None


def _scan(text: str, loader_class: Any) -> None:
    """Refuse a document nested deeper than MAX_DEPTH, or whose aliases expand it past MAX_NODES
    nodes, or whose alias refers to the node that contains it, before anything is built."""
    depth = 0
    total = 0
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, nodes counted before it)
    sizes: dict[str, int] = {}
    for event in yaml.parse(text, Loader=loader_class):
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise _Refused(
                    mark.line + 1,
                    mark.column + 1,
                    f"alias *{event.anchor} refers to the node that contains it (a recursive document)",
                    "replace the alias with the values it should repeat",
                )
            total += sizes.get(str(event.anchor), 1)
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            total += 1
            depth += 1
            open_nodes.append((event.anchor, total - 1))
            if depth > limits.MAX_DEPTH:
                raise _Refused(
                    mark.line + 1,
                    mark.column + 1,
                    f"the document nests deeper than {limits.MAX_DEPTH} levels",
                    "a blueprint nests 6 levels at most; see blueprints/examples/",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = open_nodes.pop()
            depth -= 1
            if anchor:
                sizes[anchor] = total - before
        if total > limits.MAX_NODES:
            through = " through aliases" if isinstance(event, yaml.AliasEvent) else ""
            raise _Refused(
                mark.line + 1,
                mark.column + 1,
                f"the document expands{through} to more than {limits.MAX_NODES:,} nodes",
                "write the values out instead of repeating them through aliases; a blueprint has a few thousand "
                "nodes at most"
                if through
                else "a blueprint has a few thousand nodes at most",
            )


def _python_error(text: str, fast_error: yaml.YAMLError) -> yaml.YAMLError:
    """The pure-Python parser's error for a document libyaml refused. Only the text up to the end of
    the line after libyaml's error is parsed again, so a large file costs no more than a small one;
    when that text parses, libyaml's own error stands."""
    mark = getattr(fast_error, "problem_mark", None) or getattr(fast_error, "context_mark", None)
    cut = len(text)
    if mark is not None and getattr(mark, "index", None) is not None:
        end = text.find("\n", mark.index)
        end = text.find("\n", end + 1) if end != -1 else -1
        cut = len(text) if end == -1 else end + 1
    try:
        loader = yaml.SafeLoader(text[:cut])
        try:
            loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return exc
    except RecursionError:
        pass
    return fast_error


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
        message += f"; got {shown(error['input'])}"
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
            got = f"; got {shown(raw['input'])}" if "input" in raw and not isinstance(raw["input"], dict | list) else ""
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
    """Parse and check one blueprint; raise BlueprintError with every problem: the YAML's, the
    schema's, and the coherence rules' over every part that is itself valid, in one run."""
    from blueprints.rules import check

    if len(text) > limits.MAX_FILE_BYTES:
        raise BlueprintError(
            [Problem((), f"the text is larger than {limits.MAX_FILE_BYTES // 1024} KiB", "limits", "", file)]
        )
    try:
        doc = _compose(text)
    except _Refused as exc:
        raise BlueprintError([Problem((), exc.message, "limits", exc.fix, file, exc.line, exc.column)]) from None
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
    valid: Blueprint | None = None
    blueprint: Blueprint | None
    try:
        blueprint = valid = Blueprint.model_validate(doc.data)
        broken: Broken = Broken()
    except ValidationError as exc:
        problems += _problems(doc, exc, file)
        blueprint, broken = _valid_parts(doc.data)
    if blueprint is not None:
        for found in check(blueprint, broken):
            line, column = doc.position(found.path, key=found.at_key)
            problems.append(Problem(found.path, found.message, found.rule, found.fix, file, line, column))
    if problems or valid is None:
        raise BlueprintError(_ordered(problems))
    return valid


def _valid_parts(data: dict[str, Any]) -> tuple[Blueprint | None, Broken]:
    """The blueprint without its invalid parts, for the coherence rules: a service or data store
    that fails the schema is left out (its name still counts as declared), a top-level field that
    fails is left at its default and marked broken, so no rule reads it."""
    import copy

    repaired = copy.deepcopy(data)
    broken = Broken()
    for _ in range(4):
        try:
            blueprint = Blueprint.model_validate(repaired)
        except ValidationError as exc:
            drop: dict[str, set[int]] = {}
            for error in exc.errors(include_url=False):
                loc = error["loc"]
                if not loc:
                    return None, broken
                top = str(loc[0])
                items = repaired.get(top)
                if top in ("services", "datastores") and len(loc) > 1 and isinstance(loc[1], int):
                    if isinstance(items, list) and loc[1] < len(items):
                        drop.setdefault(top, set()).add(loc[1])
                        item = items[loc[1]]
                        if isinstance(item, dict) and isinstance(item.get("name"), str):
                            broken.declared.add(item["name"])
                    broken.partial.add(top)
                    continue
                field = Blueprint.model_fields.get(top)
                if field is None:  # an unknown top-level field: reported, read by nothing
                    repaired.pop(top, None)
                    continue
                broken.fields.add(top)
                if field.is_required() and top != "services":
                    repaired[top] = _PLACEHOLDERS[top]
                elif top == "services":
                    repaired[top] = []
                else:
                    repaired.pop(top, None)
            for top, indexes in drop.items():
                repaired[top] = [x for i, x in enumerate(repaired[top]) if i not in indexes]
            if not repaired.get("services"):  # every service was invalid: rules over services are skipped
                broken.fields.add("services")
                repaired["services"] = [_PLACEHOLDERS["service"]]
            continue
        if "services" in broken.fields:
            blueprint = blueprint.model_copy(update={"services": []})
        return blueprint, broken
    return None, broken


_PLACEHOLDERS: dict[str, Any] = {
    "name": "placeholder",
    "availability": 99.0,
    "service": {"name": "placeholder", "image": "placeholder"},
}
"""Valid stand-ins for a required field that failed, so the other parts can be checked; every rule
that reads such a field is skipped (Broken.fields)."""


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.column))


STDIN = "-"
"""The path that means standard input (`hld validate -`); problems name it `<stdin>`."""


def read(path: str | FsPath) -> tuple[str, str]:
    """(text, name) of a blueprint file, or of standard input for `-`; at most MAX_FILE_BYTES.
    Unreadable, oversized and non-UTF-8 input are problems too."""
    import sys

    name = "<stdin>" if str(path) == STDIN else str(path)
    try:
        if str(path) == STDIN:
            data = sys.stdin.buffer.read(limits.MAX_FILE_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limits.MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BlueprintError(
            [Problem((), "no such file", "io", "check the path (examples: blueprints/examples/)", name)]
        ) from None
    except IsADirectoryError:
        raise BlueprintError([Problem((), "is a directory", "io", "pass a blueprint YAML file", name)]) from None
    except OSError as exc:
        raise BlueprintError(
            [Problem((), f"cannot read: {exc.strerror or exc}", "io", "pass a readable YAML file", name)]
        ) from None
    if len(data) > limits.MAX_FILE_BYTES:
        raise BlueprintError(
            [
                Problem(
                    (),
                    f"the file is larger than {limits.MAX_FILE_BYTES // 1024} KiB",
                    "limits",
                    "a blueprint describes one system in a few KiB; split a larger design into systems",
                    name,
                )
            ]
        )
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise BlueprintError(
            [Problem((), "not UTF-8 text", "io", "save the file as UTF-8", name, line, column)]
        ) from None


def load(path: str | FsPath) -> Blueprint:
    """Read and check a blueprint file (`-`: standard input)."""
    text, name = read(path)
    return parse(text, name)


__all__ = ["STDIN", "BlueprintError", "Problem", "load", "parse", "read"]

"""Load a blueprint file and report every problem with FILE:LINE:COL.

YAML is composed into nodes (which carry their marks) and then built into plain
data while the position of every key and value is recorded by path. Pydantic's
error locations and the coherence rules' paths are then mapped back onto those
positions, so each problem points at the line a person has to change.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from blueprints import limits
from blueprints.model import Blueprint
from blueprints.problems import BlueprintError, Broken, Path, Problem, dotted
from blueprints.schema_errors import problems as schema_problems
from blueprints.yamldoc import Refused, compose


def parse(text: str, file: str = "<blueprint>", overrides: dict[Path, Any] | None = None) -> Blueprint:
    """Parse and check one blueprint; raise BlueprintError with every problem: the YAML's, the
    schema's, and the coherence rules' over every part that is itself valid, in one run."""
    from blueprints.rules import check

    if len(text) > limits.MAX_FILE_BYTES:
        raise BlueprintError(
            [Problem((), f"the text is larger than {limits.MAX_FILE_BYTES // 1024} KiB", "limits", "", file)]
        )
    try:
        doc = compose(text)
    except Refused as exc:
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
    for path, value in (overrides or {}).items():  # e.g. a stack's hld:domain, before validation
        target = doc.data
        for key in path[:-1]:
            target = target.setdefault(key, {}) if isinstance(target, dict) else {}
        if isinstance(target, dict):
            target[path[-1]] = value
    valid: Blueprint | None = None
    blueprint: Blueprint | None
    try:
        blueprint = valid = Blueprint.model_validate(doc.data)
        broken: Broken = Broken()
    except ValidationError as exc:
        problems += schema_problems(doc, exc, file)
        blueprint, broken = _valid_parts(doc.data)
    if blueprint is not None:
        for found in check(blueprint, broken):
            line, column = doc.position(found.path, key=found.at_key)
            message = found.message
            for other in found.others:  # the other side of the problem, located too
                at = doc.position(other, key=found.at_key)
                message += f" ({dotted(other)} at {file}:{at[0]}:{at[1]})"
            problems.append(Problem(found.path, message, found.rule, found.fix, file, line, column, found.edits))
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


def load(path: str | FsPath, overrides: dict[Path, Any] | None = None) -> Blueprint:
    """Read and check a blueprint file (`-`: standard input); `overrides` (path -> value) replace
    fields before validation."""
    text, name = read(path)
    return parse(text, name, overrides)


__all__ = ["STDIN", "BlueprintError", "Problem", "load", "parse", "read"]

"""YAML in, plain data out, with the position of every key and value, within the input bounds
(blueprints.limits): nesting depth (block and flow alike), the nodes aliases expand to, the length
of every scalar and of every number, and the tags are checked on the event stream before anything
is built or resolved."""

from __future__ import annotations

from typing import Any

import yaml

from blueprints import limits
from blueprints.problems import Path

Position = tuple[int, int]


class Document:
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


class Refused(Exception):
    """The document is over one of the input bounds (blueprints.limits): nothing is built."""

    def __init__(self, line: int, column: int, message: str, fix: str):
        super().__init__(message)
        self.line, self.column, self.message, self.fix = line, column, message, fix


def compose(text: str) -> Document:
    """The document, with the position of every key and value. The event stream is scanned
    first (libyaml's parser when PyYAML has it: 20x faster, same marks) for the input bounds:
    nesting depth, and the nodes aliases expand to, counted without expanding them. A YAML
    error is reported by the pure-Python parser, whose messages are the ones users see
    everywhere else."""
    fast = getattr(yaml, "CSafeLoader", None)
    loader_class = fast or yaml.SafeLoader
    try:
        _scan(text, loader_class)
        return compose_with(loader_class, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if getattr(exc, "problem", None) == _LIBYAML_TOO_DEEP and mark is not None:
            # libyaml's scanner reads a line of flow collections ahead of the events (`[[[[...`): it
            # stops at its own limit before the depth count above sees them; the same bound, said so
            raise _too_deep(mark) from None
        if fast is None:
            raise
        raise _python_error(text, exc) from None


_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
"""libyaml's ScannerError problem when flow collections nest past its own limit (1,000)."""


def _too_deep(mark: Any) -> Refused:
    return Refused(
        mark.line + 1,
        mark.column + 1,
        f"the document nests deeper than {limits.MAX_DEPTH} levels",
        "a blueprint nests 6 levels at most; see blueprints/examples/",
    )


_YAML_TAG = "tag:yaml.org,2002:"
CORE_TAGS = frozenset({"!", *(f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map"))})
"""The tags a blueprint may carry (YAML's core schema; `!` is the non-specific tag). Others
(`!!binary`, `!!timestamp`, `!!set`, `!!omap`, `!!pairs`, local tags) would build bytes, dates,
sets or pairs where the format has text, numbers and lists."""
_NUMBER_TAGS = frozenset({f"{_YAML_TAG}int", f"{_YAML_TAG}float"})
_RESOLVER = yaml.resolver.Resolver()
"""Resolves a plain scalar's tag the way the loaders do (YAML 1.1: `0x1F`, `0b101`, `017`, `1:30`
and `1_000` are integers), without constructing it."""


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _number_form(value: str) -> str:
    text = value.lstrip("+-")
    if text[:2] in ("0x", "0X"):
        return "a hexadecimal number"
    if text[:2] in ("0b", "0B"):
        return "a binary number"
    if ":" in text:
        return "a base-60 (sexagesimal) number"
    if len(text) > 1 and text[0] == "0" and text[1:2].isdigit():
        return "an octal number"
    return "a number"


def _check_tag(event: Any, mark: Any) -> None:
    tag = getattr(event, "tag", None)
    if tag is not None and tag not in CORE_TAGS:
        raise Refused(
            mark.line + 1,
            mark.column + 1,
            f"the tag {_short_tag(str(tag))} is not part of the blueprint format: values are text, numbers, "
            "true/false, lists and mappings",
            "remove the tag and write the value as text (quoted), a number or a list",
        )


def _check_scalar(event: Any, mark: Any) -> None:
    """Refuse a scalar longer than MAX_SCALAR, a number longer than MAX_NUMBER (as written, before YAML
    converts it: Python refuses 4,300 digits, and base-60 and hexadecimal forms cost time quadratic in
    their length), and a tag outside the core schema."""
    _check_tag(event, mark)
    value: str = event.value
    if len(value) <= limits.MAX_NUMBER:
        return
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
    if tag in _NUMBER_TAGS:
        raise Refused(
            mark.line + 1,
            mark.column + 1,
            f"{_number_form(value)} of {len(value):,} characters; a blueprint's numbers are written in "
            f"{limits.MAX_NUMBER} at most",
            "write the number in decimal (e.g. 1000000 or 1e6), or quote it if it is text",
        )
    if len(value) > limits.MAX_SCALAR:
        raise Refused(
            mark.line + 1,
            mark.column + 1,
            f"a value of {len(value):,} characters; a blueprint's longest field (a description) holds "
            f"{limits.MAX_DESCRIPTION:,}, and no value may pass {limits.MAX_SCALAR:,}",
            "shorten it: a description is one paragraph",
        )


def _scan(text: str, loader_class: Any) -> None:
    """Refuse a document nested deeper than MAX_DEPTH, or whose aliases expand it past MAX_NODES
    nodes, or whose alias refers to the node that contains it, or with a scalar, a number or a tag
    outside the bounds (_check_scalar), before anything is built."""
    depth = 0
    total = 0
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, nodes counted before it)
    sizes: dict[str, int] = {}
    for event in yaml.parse(text, Loader=loader_class):
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise Refused(
                    mark.line + 1,
                    mark.column + 1,
                    f"alias *{event.anchor} refers to the node that contains it (a recursive document)",
                    "replace the alias with the values it should repeat",
                )
            total += sizes.get(str(event.anchor), 1)
        elif isinstance(event, yaml.ScalarEvent):
            _check_scalar(event, mark)
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            _check_tag(event, mark)
            total += 1
            depth += 1
            open_nodes.append((event.anchor, total - 1))
            if depth > limits.MAX_DEPTH:
                raise _too_deep(mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = open_nodes.pop()
            depth -= 1
            if anchor:
                sizes[anchor] = total - before
        if total > limits.MAX_NODES:
            through = " through aliases" if isinstance(event, yaml.AliasEvent) else ""
            raise Refused(
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


def compose_with(loader_class: Any, text: str) -> Document:
    doc = Document()
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

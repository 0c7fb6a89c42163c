"""YAML in, plain data out, with the position of every key and value, within the input bounds
(blueprints.limits): nesting depth and the nodes aliases expand to are checked on the event
stream before anything is built."""

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
                raise Refused(
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
                raise Refused(
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

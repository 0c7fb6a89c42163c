"""A problem in a blueprint: where, what was received, the rule, and a fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Path = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


SHOWN = 60
"""Characters of a received value a problem repeats (the rest is counted, not copied)."""


def shown(value: object) -> str:
    """A received value as a problem quotes it: its repr, cut to SHOWN characters."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    return f"{text[: SHOWN - 3]}... ({len(str(value)):,} characters)"


def printable(text: str) -> str:
    """One line, whatever the input held: control and line-break characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def dotted(path: Path) -> str:
    """`('services', 0, 'uses', 1)` -> `services[0].uses[1]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("--") and not out:  # a command-line option (hld.errors.BadInput.option)
            out = part
        elif not _PLAIN_KEY.fullmatch(part) or len(part) > SHOWN:
            out += f"[{shown(part)}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


@dataclass
class Broken:
    """The parts of a blueprint that failed the schema, so the coherence rules skip what reads them:
    `fields` (top-level fields left at a default or a placeholder), `partial` (lists that lost
    an invalid item), `declared` (names of the items left out, still counted as declared)."""

    fields: set[str] = field(default_factory=set)
    partial: set[str] = field(default_factory=set)
    declared: set[str] = field(default_factory=set)

    def reads(self, *fields: str) -> bool:
        """True when a rule reading these top-level fields can run (none of them is broken)."""
        return not any(f in self.fields for f in fields)

    def whole(self, *fields: str) -> bool:
        """True when these fields are valid and complete (no item left out)."""
        return self.reads(*fields) and not any(f in self.partial for f in fields)


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    rule: str = ""
    fix: str = ""
    file: str = "<blueprint>"
    line: int = 1
    column: int = 1
    edits: tuple[tuple[Path, object], ...] = ()
    """The fix as edits to the document (path, value; None removes), when it is one change that
    validates: what `--json` gives a tool to apply."""

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file  # line 0: no position
        text = f"{where}: {printable(dotted(self.path))}: {printable(self.message)}"
        if self.rule:
            text += f" [{self.rule}]"
        if self.fix:
            text += f"\n  Fix: {printable(self.fix)}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": dotted(self.path),
            "message": self.message,
            "rule": self.rule,
            "fix": self.fix,
            "edits": [{"path": list(path), "value": value} for path, value in self.edits],
        }


class BlueprintError(Exception):
    """Every problem found in one blueprint, reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))

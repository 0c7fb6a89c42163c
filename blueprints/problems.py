"""A problem in a blueprint: where, what was received, the rule, and a fix."""

from __future__ import annotations

import re
from dataclasses import dataclass

Path = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def printable(text: str) -> str:
    """One line, whatever the input held: control and line-break characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def dotted(path: Path) -> str:
    """`('services', 0, 'uses', 1)` -> `services[0].uses[1]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN_KEY.match(part):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    rule: str = ""
    fix: str = ""
    file: str = "<blueprint>"
    line: int = 1
    column: int = 1

    def render(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {printable(dotted(self.path))}: {printable(self.message)}"
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
        }


class BlueprintError(Exception):
    """Every problem found in one blueprint, reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))

"""One exception hierarchy for everything hld refuses or that fails, so the command line tells
errors apart by type, never by their text.

    HldError
    ├── BadInput          the user's input is wrong (blueprint, flag, stack, --out): exit 2
    └── SynthError        the Pulumi program failed to run (config, program error)
        └── CloudRejected the provider or AWS, as the offline cloud models them, refused a
                          resource: the design would fail on `pulumi up` (exit 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from blueprints.problems import Problem


class HldError(Exception):
    """Anything hld refuses or that fails; the message says what and how to proceed."""


class BadInput(HldError):
    """Bad input: each problem has the file, the position when there is one, the rule and a fix."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))

    @classmethod
    def one(cls, message: str, rule: str, fix: str, file: str = "") -> BadInput:
        from blueprints.problems import Problem

        return cls([Problem((), message, rule, fix, file)])

    @classmethod
    def option(cls, option: str, message: str, rule: str, fix: str) -> BadInput:
        """A command-line option or argument is wrong, not the blueprint: named without a file
        position (`hld: --stack: ...`)."""
        from blueprints.problems import Problem

        return cls([Problem((option,), message, rule, fix, "hld", 0, 0)])


class SynthError(HldError):
    """The program failed: bad config, a bad blueprint, or a resource the cloud rejected."""


class CloudRejected(SynthError):
    """The provider or AWS (as the offline cloud models them) refused a resource: the program
    would fail on `pulumi up` (exit 1, not bad input)."""


class ProgramLost(HldError):
    """The Pulumi program's own process (hld.offline.process) ended without a result: killed (out
    of memory, a signal) or crashed; not the input's fault (exit 1)."""

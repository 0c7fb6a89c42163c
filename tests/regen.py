"""Regenerate golden files: `make golden`. Review the diff before committing."""

from __future__ import annotations

import sys

from tests.helpers import ROOT

INVALID = ROOT / "tests" / "data" / "invalid"


def invalid_errors() -> None:
    from blueprints import BlueprintError, parse

    for path in sorted(INVALID.glob("*.yaml")):
        try:
            parse(path.read_text(), path.name)
        except BlueprintError as exc:
            path.with_suffix(".errors").write_text("\n".join(p.render() for p in exc.problems) + "\n")
        else:
            sys.exit(f"{path.name} is valid; every file in {INVALID} must be invalid")


def schema() -> None:
    from blueprints.schema import schema_text

    (ROOT / "blueprints" / "schema" / "blueprint.schema.json").write_text(schema_text())


if __name__ == "__main__":
    schema()
    invalid_errors()
    for extra in sys.argv[1:]:
        __import__(f"tests.golden_{extra}", fromlist=["regen"]).regen()

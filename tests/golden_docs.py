"""Golden HLD documents of the reference blueprints (without the Graphviz SVG, which depends
on the installed dot). Regenerate with `make golden`, then review the diff."""

from __future__ import annotations

from tests.helpers import EXAMPLE_FILES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "docs"


def document_of(path) -> str:
    from blueprints import load, plan
    from generators.docs import document

    return document(plan(load(path)))


def regen() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLE_FILES:
        (GOLDEN / f"{path.stem}.md").write_text(document_of(path))

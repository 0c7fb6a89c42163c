"""Golden renders of the reference blueprints for kind (everything but the generated secrets).
Regenerate with `make golden`, then review the diff."""

from __future__ import annotations

from tests.helpers import EXAMPLE_FILES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "kubernetes"


def text(blueprint) -> str:
    from blueprints import load, plan
    from generators.kubernetes import files

    rendered = files(plan(load(blueprint)))
    return "".join(f"# --- {name}\n{body}" for name, body in sorted(rendered.items()))


def regen() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLE_FILES:
        (GOLDEN / f"{path.stem}.yaml").write_text(text(path))

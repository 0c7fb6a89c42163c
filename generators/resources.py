"""Where the files shipped beside the code are: the top-level `templates/` of a checkout, or its
copy in an installed wheel (`generators/templates`, pyproject's package-dir)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def templates() -> Path:
    """The templates folder: the checkout's `templates/`, else the installed copy."""
    checkout = _HERE.parent / "templates"
    if (checkout / "HLD.md.j2").is_file():
        return checkout
    return _HERE / "templates"

"""Public routes as load-balancer path patterns (pure)."""

from __future__ import annotations

import re


def path_pattern(route: str) -> str:
    """`GET /{code}` -> `/*`; `POST /users/{id}/cart` -> `/users/*/cart`."""
    path = route.split(" ", 1)[1]
    return re.sub(r"\{[^}]*\}", "*", path)

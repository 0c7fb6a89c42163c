"""What a Pulumi stack may change about a plan."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StackSettings:
    """What a Pulumi stack may change about a plan: its name and its environment."""

    name: str = "prod"
    environment: str = "production"

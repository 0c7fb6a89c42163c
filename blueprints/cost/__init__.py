"""What the design costs a month, and what each alternative would (blueprints.cost.alternatives)."""

from blueprints.cost.estimate import estimate

__all__ = ["estimate"]

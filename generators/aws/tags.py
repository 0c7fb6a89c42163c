"""The tags the AWS target writes for readers of the deployed state (the checks)."""

from __future__ import annotations

ROLE_TAG = "hld:role"
"""On security groups: the service, store or `alb` the group stands for."""
TIER_TAG = "hld:tier"
"""On subnets: public, private or isolated."""

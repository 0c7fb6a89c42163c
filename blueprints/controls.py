"""The security and data-safety controls of HLD-RULES.md §7: one catalog, read by the planner
(what the plan promises, and why) and by the checks (what `hld verify` proves)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ControlSpec:
    key: str
    title: str
    relaxable: bool
    """The blueprint may turn it off (security.*); the plan then flags it RELAXED."""


CONTROLS: tuple[ControlSpec, ...] = (
    ControlSpec("tls", "TLS in transit", True),
    ControlSpec("encryption-at-rest", "Encryption at rest", True),
    ControlSpec("private-data", "Nothing stateful is public", False),
    ControlSpec("data-flow-network", "Network follows the data flow", False),
    ControlSpec("managed-secrets", "No plaintext secrets", False),
    ControlSpec("non-root", "Least-privilege containers", False),
    ControlSpec("deletion-protection", "No deletion by accident", True),
    ControlSpec("backups", "Automated backups", True),
    ControlSpec("dead-letter-queues", "Dead-letter queues", False),
    ControlSpec("waf", "Web application firewall", False),
)
BY_KEY = {c.key: c for c in CONTROLS}

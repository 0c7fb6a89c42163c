"""The security and data-safety controls (HLD-RULES §7) the plan promises, and which the
blueprint relaxed; keys, titles and which can be relaxed come from blueprints.controls."""

from __future__ import annotations

from blueprints.controls import CONTROLS
from blueprints.model import Blueprint
from blueprints.plan_model import Control


def controls(bp: Blueprint) -> list[Control]:
    sec = bp.security
    state: dict[str, tuple[bool, str]] = {
        "tls": (
            sec.tls == "required",
            "HTTPS listeners with a TLS 1.2+ policy, HTTP->HTTPS redirect, CloudFront redirect-to-https, "
            "Redis in-transit encryption",
        ),
        "encryption-at-rest": (
            sec.encryption_at_rest,
            "a customer-managed KMS key per region (key rotation on) for databases, tables, caches, queues, "
            "buckets and logs",
        ),
        "private-data": (True, "stores in isolated subnets, not publicly accessible; S3 public access blocked"),
        "data-flow-network": (True, "a store admits only the services that `use` it, on its port"),
        "managed-secrets": (
            True,
            "database passwords managed by Secrets Manager; nothing secret in config or outputs",
        ),
        "non-root": (True, "containers run as a non-root user with a read-only root filesystem"),
        "deletion-protection": (
            sec.deletion_protection,
            "deletion protection, final snapshots, Pulumi protect/retainOnDelete on stateful resources",
        ),
        "backups": (
            sec.backup_retention_days >= 7,
            f"retention {sec.backup_retention_days} days; DynamoDB point-in-time recovery",
        ),
        "dead-letter-queues": (True, "every SQS queue has a dead-letter queue"),
        "waf": (
            bp.edge.waf,
            "AWS managed common rule set on the public edge" if bp.edge.waf else "not asked for (edge.waf)",
        ),
    }
    return [
        Control(
            key=c.key,
            title=c.title,
            enabled=state[c.key][0],
            relaxed=c.relaxable and not state[c.key][0],
            detail=state[c.key][1],
        )
        for c in CONTROLS
    ]

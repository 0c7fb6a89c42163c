"""The security and data-safety controls (HLD-RULES §7) the plan promises, and which the
blueprint relaxed; keys, titles and which can be relaxed come from blueprints.controls.

Each control's detail names only the parts this design has (no CloudFront where there is no CDN,
no point-in-time recovery where there is no table); a control with nothing to govern is marked
as not applying, and says so.
"""

from __future__ import annotations

from blueprints.controls import CONTROLS
from blueprints.model import Blueprint, Cache, KeyValue, ObjectStore, Queue, Relational
from blueprints.plan_model import Control


def _join(parts: list[str]) -> str:
    return ", ".join(p for p in parts if p)


def controls(bp: Blueprint) -> list[Control]:
    sec = bp.security
    kinds = {type(s) for s in bp.datastores}
    public = any(s.public for s in bp.services)
    services = bool(bp.services)
    cdn = bp.edge.cdn is not None
    site = any(isinstance(s, ObjectStore) and s.public for s in bp.datastores)
    in_vpc = Relational in kinds or Cache in kinds
    stateful = bool(kinds - {Cache}) or services  # stores, or the services' log groups
    # every log group AWS writes to: hld makes each under the region's key (AWS's own would be used
    # for one it makes itself); secrets: database credentials, cache AUTH tokens (with TLS)
    logs = _join(
        [
            "the services' and Container Insights'" if services else "",
            "the databases' exports" if Relational in kinds else "",
            "VPC flow logs" if services or in_vpc else "",
        ]
    )
    secrets = Relational in kinds or (Cache in kinds and sec.tls == "required")
    at_rest = [
        "databases" if Relational in kinds else "",
        "tables" if KeyValue in kinds else "",
        "caches" if Cache in kinds else "",
        "queues" if Queue in kinds else "",
        "buckets" if ObjectStore in kinds else "",
        "secrets" if secrets else "",
        f"logs ({logs})" if logs else "",
    ]
    backed_up = [
        "databases" if Relational in kinds else "",
        "tables (and DynamoDB point-in-time recovery)" if KeyValue in kinds else "",
        "buckets (versioned)" if ObjectStore in kinds else "",
    ]
    state: dict[str, tuple[bool, bool, str]] = {
        "tls": (
            sec.tls == "required",
            public or cdn or Cache in kinds,
            _join(
                [
                    "HTTPS listeners with a TLS 1.2+ policy and an HTTP->HTTPS redirect" if public else "",
                    "CloudFront redirect-to-https" if cdn else "",
                    "cache in-transit encryption" if Cache in kinds else "",
                ]
            ),
        ),
        "encryption-at-rest": (
            sec.encryption_at_rest,
            any(at_rest),
            f"a customer-managed KMS key per region (key rotation on) for {_join(at_rest)}",
        ),
        "private-data": (
            True,
            bool(kinds),
            _join(
                [
                    "stores in isolated subnets, not publicly accessible" if in_vpc else "",
                    "S3 public access blocked" if ObjectStore in kinds else "",
                    "the site's bucket is read only by CloudFront (origin access control)" if site else "",
                    "tables and queues have no network endpoint of their own: reached through their AWS API, "
                    "with IAM, by the roles of the services that use them"
                    if kinds & {KeyValue, Queue}
                    else "",
                ]
            ),
        ),
        "data-flow-network": (
            True,
            services and bool(kinds),
            "a store admits only the services that `use` it, on its port",
        ),
        "managed-secrets": (
            True,
            True,
            _join(
                [
                    "database passwords in Secrets Manager (managed by RDS, or generated once, kept in the "
                    "stack's state as a secret and written write-only)"
                    if Relational in kinds
                    else "",
                    "nothing secret in config or outputs",
                ]
            ),
        ),
        "non-root": (
            True,
            services,
            "containers run as a non-root user with a read-only root filesystem",
        ),
        "deletion-protection": (
            sec.deletion_protection,
            stateful,
            "deletion protection"
            + (", final snapshots of databases" if Relational in kinds else "")
            + ", Pulumi protect/retainOnDelete on stateful resources",
        ),
        "backups": (
            sec.backup_retention_days >= 7,
            any(backed_up),
            f"retention {sec.backup_retention_days} days for {_join(backed_up)}",
        ),
        "dead-letter-queues": (True, Queue in kinds, "every SQS queue has a dead-letter queue"),
        "waf": (
            bp.edge.waf,
            public or cdn,
            "AWS managed common rule set on the public edge" if bp.edge.waf else "not asked for (edge.waf)",
        ),
    }
    out = []
    for c in CONTROLS:
        enabled, applies, detail = state[c.key]
        out.append(
            Control(
                key=c.key,
                title=c.title,
                enabled=enabled,
                applies=applies,
                relaxed=applies and c.relaxable and not enabled,
                detail=detail if applies else "nothing in this design it applies to",
            )
        )
    return out

"""The app contract: the environment every target gives a service, by name and meaning, so the
same container image runs on AWS and on kind. The AWS program and the kind render each fill it
with their own values; checks compare both against this list."""

from __future__ import annotations

import re

from blueprints.plan_model import Plan, ServicePlan


def env_key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", text.upper())


def ident(text: str) -> str:
    """An identifier for engines that refuse dashes (database names)."""
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


MEANINGS = {
    "HLD_SYSTEM": "the blueprint's name",
    "HLD_REGION": "the region the task runs in (kind: the primary region)",
    "PORT": "the port to listen on",
    "<CALLEE>_URL": "base URL of a service it calls",
    "CACHE_CONTROL": "the Cache-Control header public responses carry (behind the CDN)",
    "<DB>_HOST / _PORT / _DB": "the relational writer, its port and database name",
    "<DB>_READ_HOST": "a regional read replica (a region that is not the writer's)",
    "<DB>_CREDENTIALS": 'JSON {"username", "password"} (AWS: from Secrets Manager)',
    "<CACHE>_HOST / _PORT / _TTL_SECONDS": "the cache's primary endpoint, port and entry TTL",
    "<CACHE>_READ_HOST": "the cache's reader endpoint, when replicas serve reads",
    "<CACHE>_AUTH_TOKEN": "the cache's AUTH token (with TLS)",
    "<TABLE>_TABLE": "the DynamoDB table name",
    "<QUEUE>_QUEUE_URL": "the SQS queue URL",
    "<BUCKET>_BUCKET": "the S3 bucket name",
}
"""Each variable and what it means on every target."""

KIND_ONLY = frozenset(
    {"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS"}
    | {"AWS_ENDPOINT_URL_S3"}
)
"""What kind adds for AWS SDKs to reach the stand-ins (on AWS the task role and the region come from
ECS): the region, placeholder keys (the stand-ins' own), and each service's endpoint."""


def variables(plan: Plan, svc: ServicePlan, region: str) -> list[str]:
    """The names `svc` receives in `region`, sorted (secrets included)."""
    names = {"HLD_SYSTEM", "HLD_REGION", "PORT"}
    names |= {f"{env_key(callee)}_URL" for callee in svc.calls}
    if svc.public and plan.edge.cdn:
        names.add("CACHE_CONTROL")
    for name in svc.stores:
        store = plan.store(name)
        key = env_key(store.name)
        if store.kind == "relational":
            names |= {f"{key}_HOST", f"{key}_PORT", f"{key}_DB", f"{key}_CREDENTIALS"}
            if region in store.regions and region != store.writer_region:
                names.add(f"{key}_READ_HOST")
        elif store.kind == "cache":
            names |= {f"{key}_HOST", f"{key}_PORT", f"{key}_TTL_SECONDS"}
            if store.replicas_serve_reads:
                names.add(f"{key}_READ_HOST")
            if plan.edge.tls:
                names.add(f"{key}_AUTH_TOKEN")
        elif store.kind == "key-value":
            names.add(f"{key}_TABLE")
        elif store.kind == "queue":
            names.add(f"{key}_QUEUE_URL")
        elif store.kind == "object":
            names.add(f"{key}_BUCKET")
    return sorted(names)

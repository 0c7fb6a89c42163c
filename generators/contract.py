"""The app contract: the environment every target gives a service, by name and meaning, so the
same container image runs on AWS and on kind. The AWS program and the kind render each fill it
with their own values; checks compare both against this list."""

from __future__ import annotations

import re

from blueprints.names import ENV_SUFFIXES, KIND_ONLY_SUFFIXES, KIND_SDK_ENV, SYSTEM_ENV, env_key, env_var
from blueprints.plan_model import CachePlan, Plan, RelationalPlan, ServicePlan

__all__ = ["CA_FILE", "KIND_ONLY", "MEANINGS", "TLS_SUFFIXES", "env_key", "ident", "sources", "tls_env", "variables"]


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
    "<DB>_READ_HOST": "read replicas for reads that may lag: the region's cross-region copy, or in the writer's "
    "region its serving replicas (Aurora's reader endpoint; RDS: the replicas' hosts, comma-separated as libpq takes)",
    "<DB>_USER": "the service's own database user (AWS: authenticate with an IAM token, "
    "rds.generate_db_auth_token, over TLS; never the master user)",
    "<DB>_CREDENTIALS": 'kind only: JSON {"username", "password"} of that user (the stand-in has no IAM)',
    "<CACHE>_HOST / _PORT / _TTL_SECONDS": "the cache's primary endpoint, port and entry TTL",
    "<CACHE>_READ_HOST": "the cache's reader endpoint, when replicas serve reads",
    "<CACHE>_AUTH_TOKEN": "the cache's AUTH token (with TLS)",
    "<DB>_SSLMODE": "with TLS: verify-full, libpq's sslmode (the server forces TLS: RDS rds.force_ssl, kind's "
    "PostgreSQL hostssl only); verify the server against <DB>_CA_FILE",
    "<CACHE>_TLS": "with TLS: true, connect over TLS (ElastiCache in-transit encryption required; kind's Valkey "
    "has no plaintext port); verify the server against <CACHE>_CA_FILE",
    "<DB>_CA_FILE / <CACHE>_CA_FILE": "with TLS: CA_FILE's path, the CA bundle the store's server certificate "
    "chains to (AWS: the image holds AWS's bundle there, RDS's global bundle and Amazon Trust Services' roots; "
    "kind: the render mounts the stand-ins' CA there)",
    "<TABLE>_TABLE": "the DynamoDB table name",
    "<TABLE>_CONSISTENT_READS": "true: read with ConsistentRead (the store is strong or read-your-writes)",
    "<QUEUE>_QUEUE_URL": "the SQS queue URL",
    "<BUCKET>_BUCKET": "the S3 bucket name",
}
"""Each variable and what it means on every target."""

CA_FILE = "/etc/hld/tls/ca-bundle.pem"
"""The CA bundle a service verifies its stores' TLS against, the same path on every target. On AWS the
image holds AWS's bundle at this path (hld does not build the image): RDS's global bundle
(https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem) and Amazon Trust Services' roots
(https://www.amazontrust.com/repository/AmazonRootCA1.pem, which ElastiCache's certificates chain to).
On kind the render mounts the stand-ins' CA at this path, over whatever the image holds there."""
SSLMODE = "verify-full"
"""libpq's sslmode for a relational store with TLS: encrypted, the server's certificate and name verified."""
TLS_SUFFIXES: dict[str, tuple[str, ...]] = {"relational": ("SSLMODE", "CA_FILE"), "cache": ("TLS", "CA_FILE")}
"""What a store that requires TLS (the blueprint's TLS on) also gives the services that use it, on
every target with the same values (tls_env)."""


def tls_env(plan: Plan, kind: str, name: str) -> dict[str, str]:
    """The transport variables of store `name` of `kind`: identical on AWS and on kind."""
    if not plan.edge.tls or kind not in TLS_SUFFIXES:
        return {}
    key = env_key(name)
    first = f"{key}_SSLMODE" if kind == "relational" else f"{key}_TLS"
    return {first: SSLMODE if kind == "relational" else "true", f"{key}_CA_FILE": CA_FILE}


KIND_ONLY = KIND_SDK_ENV
"""What kind adds for AWS SDKs to reach the stand-ins (on AWS the task role and the region come from
ECS): the region, placeholder keys (the stand-ins' own), and each service's endpoint."""


def sources(plan: Plan, svc: ServicePlan, region: str, target: str = "aws") -> list[tuple[str, str]]:
    """(variable, what gives it: a callee's or a store's name, "" for the system) for every variable
    `svc` receives in `region` on `target` (aws, or kubernetes: also KIND_ONLY_SUFFIXES), in the order
    given. The names come from blueprints.names, which the `derived-names` rule checks are unique, so
    no two sources give one variable."""
    fixed = [v for v in SYSTEM_ENV if v != "CACHE_CONTROL" or (svc.public and plan.edge.cdn)]
    out = [(v, "") for v in fixed]
    out += [(env_var(callee, suffix), callee) for callee in svc.calls for suffix in ENV_SUFFIXES["service"]]
    for name in svc.stores:
        store = plan.store(name)
        for suffix in ENV_SUFFIXES[store.kind]:
            if suffix in TLS_SUFFIXES.get(store.kind, ()):
                continue  # the transport's, below (tls_env)
            if suffix == "READ_HOST" and isinstance(store, RelationalPlan):
                wanted = store.read_host_in(region)
            elif suffix == "READ_HOST":
                wanted = isinstance(store, CachePlan) and store.replicas_serve_reads
            elif suffix == "AUTH_TOKEN":
                wanted = bool(plan.edge.tls)
            elif suffix in KIND_ONLY_SUFFIXES.get(store.kind, ()):
                wanted = target == "kubernetes"
            else:
                wanted = True
            if wanted:
                out.append((env_var(store.name, suffix), store.name))
        out += [(variable, store.name) for variable in tls_env(plan, store.kind, store.name)]
    return out


def variables(plan: Plan, svc: ServicePlan, region: str, target: str = "aws") -> list[str]:
    """The names `svc` receives in `region` on `target`, sorted (secrets included)."""
    return sorted({name for name, _ in sources(plan, svc, region, target)})

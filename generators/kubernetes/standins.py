"""Stand-ins: local servers that speak each store's AWS API (PostgreSQL and Valkey per store;
one DynamoDB Local, one ElasticMQ and one MinIO for all tables, queues and buckets, so an SDK's
single service endpoint reaches every one), what creates the tables, queues and buckets the
blueprint names, and the environment a service receives (generators.contract)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from blueprints import names
from blueprints.consistency import consistent_reads, consistent_reads_variable
from blueprints.plan_model import AnyStorePlan, CachePlan, KeyValuePlan, ObjectPlan, Plan, QueuePlan, RelationalPlan
from generators.contract import env_key, ident, tls_env
from generators.kubernetes import images, tls
from generators.kubernetes.common import (
    PULL_POLICY,
    UID,
    container_security,
    labels,
    meta,
    pod_security,
    selector,
    workload_meta,
)


@dataclass(frozen=True)
class StandIn:
    """A local server that speaks the API of an AWS store kind."""

    product: str  # what it is, in words
    image: str
    port: int
    data: str  # where it writes (a volume)
    env: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()
    probe: tuple[str, ...] = ()  # exec probe; empty: TCP on the port
    stateful: bool = False
    shared: str | None = None  # one stand-in for every store of the kind, by this name
    api: str | None = None  # the AWS API it speaks: services get AWS_ENDPOINT_URL_<API>
    runtime: tuple[tuple[str, str], ...] = ()  # (volume, path): more writable folders it needs
    shm: bool = False  # needs more shared memory than the container runtime's 64 MiB /dev/shm


STAND_INS: dict[str, StandIn] = {
    "relational": StandIn(
        "PostgreSQL",
        images.ref("postgres"),
        5432,
        "/var/lib/postgresql/data",
        env=(("PGDATA", "/var/lib/postgresql/data/pgdata"),),
        # TCP on the service port: the entrypoint's first-run server listens on the socket only
        probe=("pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "hld_admin"),
        stateful=True,
        runtime=(("run", "/var/run/postgresql"),),
        shm=True,
    ),
    "cache": StandIn("Valkey", images.ref("valkey"), 6379, "/data"),
    "key-value": StandIn(
        "DynamoDB Local",
        images.ref("dynamodb-local"),
        8000,
        "/home/dynamodblocal/data",
        args=(
            "-jar",
            "DynamoDBLocal.jar",
            "-sharedDb",
            "-dbPath",
            "/home/dynamodblocal/data",
            "-disableTelemetry",
        ),
        stateful=True,
        shared=names.SHARED_STAND_INS["key-value"],
        api="DYNAMODB",
    ),
    "queue": StandIn(
        "ElasticMQ",
        images.ref("elasticmq"),
        9324,
        "/tmp",
        shared=names.SHARED_STAND_INS["queue"],
        api="SQS",
    ),
    "object": StandIn(
        "MinIO",
        images.ref("minio"),
        9000,
        "/data",
        args=("server", "/data"),
        stateful=True,
        shared=names.SHARED_STAND_INS["object"],
        api="S3",
    ),
}
"""The stand-in of each store kind."""

MC_IMAGE = images.ref("mc")
"""MinIO's client: makes the buckets (and opens a static site's to reads, as the CDN does)."""
AWS_CLI_IMAGE = images.ref("aws-cli")
"""The AWS CLI: makes the DynamoDB tables in DynamoDB Local, with the keys and TTL of AWS."""

IMAGE_USERS: dict[str, tuple[int | None, str]] = {
    "docker.io/library/postgres": (70, "the alpine image's postgres user (uid 70); initdb needs a user that exists"),
    "docker.io/valkey/valkey": (None, "writes only /data, a volume the pod's fsGroup owns"),
    "docker.io/amazon/dynamodb-local": (1000, "the image's user (uid 1000) owns its jar and /home/dynamodblocal"),
    "docker.io/softwaremill/elasticmq-native": (None, "a static binary that keeps queues in memory"),
    "quay.io/minio/minio": (None, "MinIO runs as any user; writes only /data, a volume"),
    "quay.io/minio/mc": (None, "a client; its config goes to /tmp (MC_CONFIG_DIR)"),
    "docker.io/amazon/aws-cli": (None, "a client; HOME is /tmp"),
}
"""The user each stand-in image must run as (None: any non-root user), with the reason; a stand-in
image missing here fails the render's `stand-in-users` check."""

CREDENTIALS = names.AWS_CREDENTIALS
"""The Secret with the placeholder AWS keys every service and stand-in shares on kind (MinIO's root
user; DynamoDB Local and ElasticMQ accept any key)."""
QUEUE_ACCOUNT = "000000000000"
"""The account ElasticMQ puts in its queue URLs."""
VOLUME_GB = 5
"""A stand-in's volume when the plan does not size the store's storage."""


VALKEY_CONF = "valkey.conf"
"""The key of a cache's Secret that holds Valkey's configuration file (`requirepass <AUTH_TOKEN>`):
the server reads its AUTH token from the file, so the token is never on a command line, where any
process of the node could read it (/proc/<pid>/cmdline)."""
VALKEY_CONF_DIR = "/etc/valkey"
"""Where the configuration file is mounted (from the Secret, read-only)."""
CREDENTIALS_SUFFIX = ".credentials"
PASSWORD_SUFFIX = ".password"
"""A relational store's Secret holds, per service that uses it, its database user's password
(`<user>.password`) and `<DB>_CREDENTIALS` (`<user>.credentials`, JSON): each service connects as its
own user (blueprints.names.database_user), never as the stand-in's superuser."""


def is_derived(key: str) -> bool:
    """Secret keys whose values are made from the others (secret_values, the Pulumi program)."""
    return key == VALKEY_CONF or key.endswith(CREDENTIALS_SUFFIX)


def user_keys(user: str) -> tuple[str, str]:
    """(password key, credentials key) of a database user in its store's Secret."""
    return f"{user}{PASSWORD_SUFFIX}", f"{user}{CREDENTIALS_SUFFIX}"


def valkey_config(token: str) -> str:
    """Valkey's configuration with `token` as its AUTH password (one line: a `secrets/*.env` value)."""
    return f"requirepass {token}"


def derived(key: str, values: dict[str, str]) -> str:
    """The value of a derived key (is_derived) from the other keys of its Secret."""
    if key.endswith(CREDENTIALS_SUFFIX):
        user = key.removesuffix(CREDENTIALS_SUFFIX)
        return credentials_json(user, values[f"{user}{PASSWORD_SUFFIX}"])
    if key == VALKEY_CONF:
        return valkey_config(values["AUTH_TOKEN"])
    raise KeyError(key)


def image_repo(image: str) -> str:
    return image.split("@", 1)[0].rsplit(":", 1)[0]


def user_of(image: str) -> int:
    fixed = IMAGE_USERS.get(image_repo(image), (None, ""))[0]
    return UID if fixed is None else fixed


def stand_in_name(store: AnyStorePlan) -> str:
    """The Service (and workload) that stands for `store` on kind."""
    return STAND_INS[store.kind].shared or store.name


def stand_ins(plan: Plan) -> list[tuple[str, StandIn, list[AnyStorePlan]]]:
    """(name, stand-in, the stores it serves), in the plan's order."""
    out: dict[str, tuple[str, StandIn, list[AnyStorePlan]]] = {}
    for store in plan.datastores:
        name = stand_in_name(store)
        out.setdefault(name, (name, STAND_INS[store.kind], []))[2].append(store)
    return list(out.values())


def secret_name(store: AnyStorePlan) -> str:
    return names.secret(store.kind, store.name)


def host(plan: Plan, name: str) -> str:
    return f"{name}.{plan.name}.svc.cluster.local"


def queue_name(store: QueuePlan, dlq: bool = False) -> str:
    return f"{names.dead_letter_queue(store.name) if dlq else store.name}{'.fifo' if store.fifo else ''}"


def queue_url(plan: Plan, store: QueuePlan) -> str:
    port = STAND_INS["queue"].port
    return f"http://{host(plan, stand_in_name(store))}:{port}/{QUEUE_ACCOUNT}/{queue_name(store)}"


def secret_ref(secret: str, key: str) -> dict[str, Any]:
    return {"valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def store_env(plan: Plan, store: AnyStorePlan, region: str, service: str = "") -> list[dict[str, Any]]:
    """The contract's variables for `store` (generators.contract), with kind's values, for `service`
    (a relational store's user and its credentials are the service's own)."""
    key, stand_in = env_key(store.name), STAND_INS[store.kind]
    where = host(plan, stand_in_name(store))
    env: list[dict[str, Any]] = []
    if isinstance(store, RelationalPlan):
        env += [
            {"name": f"{key}_HOST", "value": where},
            {"name": f"{key}_PORT", "value": str(stand_in.port)},
            {"name": f"{key}_DB", "value": ident(store.name)},
            {"name": f"{key}_USER", "value": names.database_user(service)},
            {
                "name": f"{key}_CREDENTIALS",
                **secret_ref(secret_name(store), user_keys(names.database_user(service))[1]),
            },
        ]
        if store.read_host_in(region):
            env.append({"name": f"{key}_READ_HOST", "value": where})
        env += [{"name": k, "value": v} for k, v in tls_env(plan, store.kind, store.name).items()]
    elif isinstance(store, CachePlan):
        env += [
            {"name": f"{key}_HOST", "value": where},
            {"name": f"{key}_PORT", "value": str(stand_in.port)},
            {"name": f"{key}_TTL_SECONDS", "value": str(store.cache_ttl_seconds)},
        ]
        if store.replicas_serve_reads:
            env.append({"name": f"{key}_READ_HOST", "value": where})
        if plan.edge.tls:
            env.append({"name": f"{key}_AUTH_TOKEN", **secret_ref(secret_name(store), "AUTH_TOKEN")})
        env += [{"name": k, "value": v} for k, v in tls_env(plan, store.kind, store.name).items()]
    elif isinstance(store, KeyValuePlan):
        env += [
            {"name": f"{key}_TABLE", "value": store.name},
            {"name": consistent_reads_variable(store.name), "value": consistent_reads(store)},
        ]
    elif isinstance(store, QueuePlan):
        env.append({"name": f"{key}_QUEUE_URL", "value": queue_url(plan, store)})
    elif isinstance(store, ObjectPlan):
        env.append({"name": f"{key}_BUCKET", "value": store.name})
    return env


def sdk_env(plan: Plan, stores: list[AnyStorePlan]) -> list[dict[str, Any]]:
    """What an AWS SDK needs on kind to reach the stand-ins of `stores` (contract.KIND_ONLY)."""
    apis = sorted({(s.api, stand_in_name(store), s.port) for store in stores if (s := STAND_INS[store.kind]).api})
    if not apis:
        return []
    env: list[dict[str, Any]] = [
        {"name": "AWS_REGION", "value": plan.primary_region},
        {"name": "AWS_ACCESS_KEY_ID", **secret_ref(CREDENTIALS, "AWS_ACCESS_KEY_ID")},
        {"name": "AWS_SECRET_ACCESS_KEY", **secret_ref(CREDENTIALS, "AWS_SECRET_ACCESS_KEY")},
    ]
    return env + [{"name": f"AWS_ENDPOINT_URL_{api}", "value": f"http://{host(plan, n)}:{p}"} for api, n, p in apis]


def ca_files(
    plan: Plan, stores: list[AnyStorePlan]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(init containers, volumes, the service container's mounts) that put the stand-ins' CA at the
    contract's CA path for a service using `stores`, when one of them serves TLS. The init container
    runs a TLS stand-in's image (a shell and base64; the service's image may have neither), as the
    service's user, with the folders that image writes given as scratch volumes."""
    secure = [x for x in stores if tls.uses_tls(plan, x)]
    if not secure:
        return [], [], []
    s = STAND_INS[min(secure, key=lambda x: x.kind != "cache").kind]  # Valkey's is the smaller image
    scratch = [x for x in dict.fromkeys([s.data, *(path for _, path in s.runtime)]) if x != "/tmp"]
    extra = [{"name": "tmp", "mountPath": "/tmp"}]
    extra += [{"name": f"tls-scratch-{i}", "mountPath": path} for i, path in enumerate(scratch)]
    name = tls.ca_file_name()
    init = tls.init_container(s.image, PULL_POLICY, container_security(UID), tls.decode_script([name]), extra)
    volumes = [tls.source_volume([(tls.CA_CERT, name)]), tls.tls_volume()]
    volumes += [{"name": f"tls-scratch-{i}", "emptyDir": {}} for i in range(len(scratch))]
    return [init], volumes, [tls.service_ca_mount()]


def _probe(s: StandIn) -> dict[str, Any]:
    return {"exec": {"command": list(s.probe)}} if s.probe else {"tcpSocket": {"port": "api"}}


def probes(check: dict[str, Any], period: int = 10) -> dict[str, Any]:
    """Readiness and liveness, with a startup probe that holds liveness off while the server
    starts (a JVM at a small CPU limit takes tens of seconds): up to 5 s x 36 = 3 minutes."""
    return {
        "startupProbe": {**check, "periodSeconds": 5, "failureThreshold": 36},
        "readinessProbe": {**check, "periodSeconds": period},
        "livenessProbe": {**check, "periodSeconds": period, "failureThreshold": 3},
    }


def store_objects(plan: Plan, name: str, s: StandIn, stores: list[AnyStorePlan]) -> list[dict[str, Any]]:
    """The stand-in's workload and Service (and for a StatefulSet, its headless Service)."""
    first = stores[0]
    user = user_of(s.image)
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in s.env]
    args = list(s.args)
    if isinstance(first, RelationalPlan):
        env += [{"name": k, **secret_ref(secret_name(first), k)} for k in ("POSTGRES_USER", "POSTGRES_PASSWORD")]
        env += [{"name": "POSTGRES_DB", "value": ident(first.name)}]
    if s.api == "S3":
        env += [
            {"name": "MINIO_ROOT_USER", **secret_ref(CREDENTIALS, "AWS_ACCESS_KEY_ID")},
            {"name": "MINIO_ROOT_PASSWORD", **secret_ref(CREDENTIALS, "AWS_SECRET_ACCESS_KEY")},
        ]
    auth = isinstance(first, CachePlan) and plan.edge.tls
    secure = tls.uses_tls(plan, first)
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    if auth:  # the same AUTH as ElastiCache, from a configuration file the Secret holds (not argv)
        args = ["valkey-server", f"{VALKEY_CONF_DIR}/{VALKEY_CONF}"]
        if secure:  # the server's file: TLS only, then `include` of the Secret's (AUTH)
            mounts.append(
                {"name": "tls-config", "mountPath": f"{VALKEY_CONF_DIR}/{VALKEY_CONF}", "subPath": VALKEY_CONF}
            )
            volumes.append({"name": "tls-config", "configMap": {"name": names.config_map(name)}})
        auth_dir = f"{VALKEY_CONF_DIR}/{VALKEY_AUTH_DIR}" if secure else VALKEY_CONF_DIR
        mounts.append({"name": "config", "mountPath": auth_dir, "readOnly": True})
        volumes.append(
            {
                "name": "config",
                "secret": {
                    "secretName": secret_name(first),
                    "items": [{"key": VALKEY_CONF, "path": VALKEY_CONF}],
                    "defaultMode": 0o440,
                },
            }
        )
    if s.data != "/tmp":
        mounts.insert(0, {"name": "data", "mountPath": s.data})
    mounts += [{"name": volume, "mountPath": path} for volume, path in s.runtime]
    volumes += [{"name": volume, "emptyDir": {}} for volume, _ in s.runtime]
    if s.shm:  # PostgreSQL's parallel queries use /dev/shm; the runtime's default is 64 MiB
        mounts.append({"name": "shm", "mountPath": "/dev/shm"})
        volumes.append({"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}})
    if s.api == "SQS":  # ElasticMQ reads its queues and its URLs' host from /opt/elasticmq.conf
        mounts.append({"name": "config", "mountPath": "/opt/elasticmq.conf", "subPath": "elasticmq.conf"})
        volumes.append({"name": "config", "configMap": {"name": names.config_map(name)}})
    if not s.stateful and s.data != "/tmp":
        volumes.append({"name": "data", "emptyDir": {}})
    init: list[dict[str, Any]] = []
    if secure:  # the CA and the server's certificate and key, decoded from the TLS Secret (tls)
        writes = ("/tmp", s.data, *(path for _, path in s.runtime))
        init.append(
            tls.init_container(
                s.image,
                PULL_POLICY,
                container_security(user),
                tls.decode_script(list(tls.FILES), private=("tls.key",)),
                [dict(m) for m in mounts if m["mountPath"] in writes],
            )
        )
        mounts.append({"name": "tls", "mountPath": tls.TLS_DIR, "readOnly": True})
        items = [(tls.CA_CERT, "ca.crt"), (tls.cert_key(name), "tls.crt"), (tls.key_key(name), "tls.key")]
        volumes += [tls.source_volume(items), tls.tls_volume()]
        if isinstance(first, RelationalPlan):  # SSL on, and TLS-only access as RDS with rds.force_ssl
            args += [
                "-c",
                "ssl=on",
                "-c",
                f"ssl_cert_file={tls.TLS_DIR}/tls.crt",
                "-c",
                f"ssl_key_file={tls.TLS_DIR}/tls.key",
                "-c",
                "ssl_min_protocol_version=TLSv1.2",
                "-c",
                f"hba_file={PG_HBA_DIR}/{PG_HBA}",
            ]
            mounts.append({"name": "tls-config", "mountPath": PG_HBA_DIR, "readOnly": True})
            volumes.append({"name": "tls-config", "configMap": {"name": names.config_map(name)}})
    container: dict[str, Any] = {
        "name": first.kind.replace("-", ""),
        "image": s.image,
        "imagePullPolicy": PULL_POLICY,
        "ports": [{"name": "api", "containerPort": s.port, "protocol": "TCP"}],
        **probes(_probe(s) if not auth else {"tcpSocket": {"port": "api"}}),
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
        "securityContext": container_security(user),
        "volumeMounts": mounts,
    }
    if env:
        container["env"] = env
    if args:
        container["args"] = args
    pod = {
        "metadata": {"labels": labels(plan, name, "datastore")},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": pod_security(user),
            **({"initContainers": init} if init else {}),
            "containers": [container],
            "volumes": volumes,
        },
    }
    spec: dict[str, Any] = {"replicas": 1, "selector": {"matchLabels": selector(name)}, "template": pod}
    out: list[dict[str, Any]] = []
    if s.stateful:
        size = sum(x.storage_gb if isinstance(x, RelationalPlan) else VOLUME_GB for x in stores)
        spec |= {
            "serviceName": names.governing_service(name),
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{size}Gi"}}},
                }
            ],
        }
        out.append(
            {  # the StatefulSet's governing Service: headless, as the API requires
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta(plan, names.governing_service(name), "datastore"),
                "spec": {
                    "clusterIP": "None",
                    "selector": selector(name),
                    "ports": [{"name": "api", "port": s.port, "targetPort": "api", "protocol": "TCP"}],
                },
            }
        )
    if s.api == "SQS":
        out.append(_elasticmq_config(plan, name, [q for q in stores if isinstance(q, QueuePlan)]))
    if secure:
        out.append(_tls_config(plan, name, first))
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet" if s.stateful else "Deployment",
            "metadata": workload_meta(plan, name, "datastore", user),
            "spec": spec,
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(plan, name, "datastore"),
            "spec": {
                "selector": selector(name),
                "ports": [{"name": "api", "port": s.port, "targetPort": "api", "protocol": "TCP"}],
            },
        },
        *out,
        *bootstrap(plan, name, s, stores),
    ]


def _elasticmq_config(plan: Plan, name: str, queues: list[QueuePlan]) -> dict[str, Any]:
    """ElasticMQ's configuration: the queues as on AWS (FIFO, visibility, long polling, retention
    is AWS's alone, a dead-letter queue after max receives) and the node address its QueueUrls
    carry: the Service, not its default `localhost`."""
    port = STAND_INS["queue"].port
    lines = [
        'include classpath("application.conf")',
        f'node-address {{ protocol = http, host = "{host(plan, name)}", port = {port}, context-path = "" }}',
        f'rest-sqs {{ enabled = true, bind-port = {port}, bind-hostname = "0.0.0.0", sqs-limits = strict }}',
        "generate-node-address = false",
        f'aws {{ region = "{plan.primary_region}", accountId = "{QUEUE_ACCOUNT}" }}',
        "queues {",
    ]
    for q in queues:
        fifo = " fifo = true, contentBasedDeduplication = true," if q.fifo else ""
        lines.append(f'  "{queue_name(q, dlq=True)}" {{{fifo.rstrip(",")} }}')
        lines.append(
            f'  "{queue_name(q)}" {{ defaultVisibilityTimeout = {q.visibility_timeout_seconds} seconds, '
            f"receiveMessageWait = 20 seconds,{fifo} "
            f'deadLettersQueue {{ name = "{queue_name(q, dlq=True)}", maxReceiveCount = {q.max_receives} }} }}'
        )
    lines.append("}")
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(plan, names.config_map(name), "datastore"),
        "data": {"elasticmq.conf": "\n".join(lines) + "\n"},
    }


VALKEY_AUTH_DIR = "auth"
"""With TLS, the folder under VALKEY_CONF_DIR the AUTH Secret's file is mounted in; the server's own
file (a ConfigMap) includes it."""
PG_HBA_DIR = "/etc/postgresql/hba"
PG_HBA = "pg_hba.conf"
"""PostgreSQL's host-based access file with TLS (a ConfigMap): password logins over TLS only."""


def valkey_tls_config() -> str:
    """Valkey's configuration with TLS: no plaintext port, TLS on the service port with the mounted
    certificate, no client certificates (ElastiCache asks none), then the AUTH Secret's file."""
    port = STAND_INS["cache"].port
    return (
        "\n".join(
            [
                "port 0",
                f"tls-port {port}",
                f"tls-cert-file {tls.TLS_DIR}/tls.crt",
                f"tls-key-file {tls.TLS_DIR}/tls.key",
                f"tls-ca-cert-file {tls.TLS_DIR}/ca.crt",
                "tls-auth-clients no",
                'tls-protocols "TLSv1.2 TLSv1.3"',
                f"include {VALKEY_CONF_DIR}/{VALKEY_AUTH_DIR}/{VALKEY_CONF}",
            ]
        )
        + "\n"
    )


def pg_hba() -> str:
    """TLS only, as RDS with rds.force_ssl: a TCP connection without TLS matches no line and is refused."""
    return "local all all scram-sha-256\nhostssl all all all scram-sha-256\n"


def _tls_config(plan: Plan, name: str, store: AnyStorePlan) -> dict[str, Any]:
    data = {PG_HBA: pg_hba()} if isinstance(store, RelationalPlan) else {VALKEY_CONF: valkey_tls_config()}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(plan, names.config_map(name), "datastore"),
        "data": data,
    }


def bootstrapper(name: str) -> str:
    return names.bootstrap_job(name)


def bootstrap(plan: Plan, name: str, s: StandIn, stores: list[AnyStorePlan]) -> list[dict[str, Any]]:
    """A Job that creates what the blueprint names in an AWS-API stand-in, idempotently (a re-apply
    or a restart of the Job changes nothing): DynamoDB tables with their key and TTL; buckets, with
    versioning as on AWS, a static site's opened to anonymous reads. Queues need none: ElasticMQ
    creates them from its configuration."""
    q = shlex.quote  # every argument made of blueprint text is quoted: the script runs in a shell
    port, endpoint = s.port, q(f"http://{name}:{s.port}")
    site = plan.edge.cdn.site if plan.edge.cdn else None
    relational = [x for x in stores if isinstance(x, RelationalPlan) and x.users]
    if relational:
        image, steps, env = s.image, *_database_users(relational[0], name, port)
    elif s.api == "DYNAMODB":
        image, steps = (
            AWS_CLI_IMAGE,
            [f"until aws dynamodb list-tables --endpoint-url {endpoint} >/dev/null; do sleep 2; done"],
        )
        for t in [x for x in stores if isinstance(x, KeyValuePlan)]:
            table = q(t.name)
            steps.append(
                f"aws dynamodb describe-table --table-name {table} --endpoint-url {endpoint} >/dev/null 2>&1 || "
                f"aws dynamodb create-table --table-name {table} --endpoint-url {endpoint} "
                f"--attribute-definitions {q(f'AttributeName={t.partition_key},AttributeType=S')} "
                f"--key-schema {q(f'AttributeName={t.partition_key},KeyType=HASH')} --billing-mode PAY_PER_REQUEST"
            )
            if t.ttl_attribute:
                steps.append(
                    f"aws dynamodb describe-time-to-live --table-name {table} --endpoint-url {endpoint} "
                    "--query TimeToLiveDescription.TimeToLiveStatus --output text | grep -q ENABLED || "
                    f"aws dynamodb update-time-to-live --table-name {table} --endpoint-url {endpoint} "
                    f"--time-to-live-specification {q(f'Enabled=true,AttributeName={t.ttl_attribute}')} || "
                    "echo 'TTL not supported by this DynamoDB Local: items do not expire here'"
                )
        env = [
            {"name": "AWS_REGION", "value": plan.primary_region},
            {"name": "AWS_ACCESS_KEY_ID", **secret_ref(CREDENTIALS, "AWS_ACCESS_KEY_ID")},
            {"name": "AWS_SECRET_ACCESS_KEY", **secret_ref(CREDENTIALS, "AWS_SECRET_ACCESS_KEY")},
            {"name": "HOME", "value": "/tmp"},
        ]
    elif s.api == "S3":
        image = MC_IMAGE
        # the alias comes from MC_HOST_local (its keys expanded by the kubelet into the environment), not
        # from `mc alias set local URL KEY SECRET`, which would put the keys on mc's command line
        steps = ["until mc ls local >/dev/null; do sleep 2; done"]
        for b in [x for x in stores if isinstance(x, ObjectPlan)]:
            bucket = q(f"local/{b.name}")
            steps.append(f"mc mb --ignore-existing {bucket}")
            if b.versioning:
                steps.append(f"mc version enable {bucket}")
            if b.name == site:
                steps.append(f"mc anonymous set download {bucket}")
                # a placeholder page until the site is published (mc mirror ./public local/<site>)
                page = q(f"local/{b.name}/index.html")
                text = f"<h1>{plan.name}</h1><p>Publish the site: mc mirror ./public local/{b.name}</p>"
                steps.append(f"mc stat {page} >/dev/null 2>&1 || echo {q(text)} | mc pipe {page}")
        env = [
            {"name": "AWS_ACCESS_KEY_ID", **secret_ref(CREDENTIALS, "AWS_ACCESS_KEY_ID")},
            {"name": "AWS_SECRET_ACCESS_KEY", **secret_ref(CREDENTIALS, "AWS_SECRET_ACCESS_KEY")},
            {"name": "MC_HOST_local", "value": f"http://$(AWS_ACCESS_KEY_ID):$(AWS_SECRET_ACCESS_KEY)@{name}:{port}"},
            {"name": "MC_CONFIG_DIR", "value": "/tmp/.mc"},
        ]
    else:
        return []
    job = bootstrapper(name)
    container: dict[str, Any] = {
        "name": "bootstrap",
        "image": image,
        "imagePullPolicy": PULL_POLICY,
        "command": ["/bin/sh", "-ec", "\n".join(steps)],  # one step a line: -e stops at the first failure
        "env": env,
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "securityContext": container_security(user_of(image)),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    volumes: list[dict[str, Any]] = [{"name": "tmp", "emptyDir": {}}]
    if image == s.image:  # the stand-in's own image (psql): the folders it declares are writable here too
        for i, path in enumerate([s.data, *(p for _, p in s.runtime)]):
            container["volumeMounts"].append({"name": f"scratch-{i}", "mountPath": path})
            volumes.append({"name": f"scratch-{i}", "emptyDir": {}})
    return [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": workload_meta(plan, job, "job", user_of(image)),
            "spec": {
                "backoffLimit": 6,
                "activeDeadlineSeconds": 600,  # a stand-in that never starts fails the Job, not an endless wait
                "ttlSecondsAfterFinished": 86400,
                "template": {
                    "metadata": {"labels": labels(plan, job, "job")},
                    "spec": {
                        "automountServiceAccountToken": False,
                        "restartPolicy": "OnFailure",
                        "securityContext": pod_security(user_of(image)),
                        "containers": [container],
                        "volumes": volumes,
                    },
                },
            },
        }
    ]


def _database_users(store: RelationalPlan, name: str, port: int) -> tuple[list[str], list[dict[str, Any]]]:
    """The PostgreSQL stand-in's users: one per service, with its edge's privileges (the SQL the plan
    states for AWS, blueprints.access.bootstrap_sql, with a password login: the stand-in has no IAM).
    psql reads the passwords from its environment (\\getenv), so none is on a command line."""
    from blueprints.access import bootstrap_sql

    users = [(u.user, u.access) for u in store.users]
    sql = [f"\\getenv {user}_password {_password_variable(user)}" for user, _ in users]
    sql += bootstrap_sql(ident(store.name), users, "password")
    steps = [
        "until pg_isready -q; do sleep 2; done",
        "psql -v ON_ERROR_STOP=1 --no-psqlrc <<'SQL'\n" + "\n".join(sql) + "\nSQL",
    ]
    secret = secret_name(store)
    env = [
        {"name": "PGHOST", "value": name},
        {"name": "PGPORT", "value": str(port)},
        {"name": "PGDATABASE", "value": ident(store.name)},
        {"name": "PGUSER", **secret_ref(secret, "POSTGRES_USER")},
        {"name": "PGPASSWORD", **secret_ref(secret, "POSTGRES_PASSWORD")},
        {"name": "HOME", "value": "/tmp"},
        *({"name": _password_variable(user), **secret_ref(secret, user_keys(user)[0])} for user, _ in users),
    ]
    return steps, env


def _password_variable(user: str) -> str:
    return f"{user.upper()}_PASSWORD"


def secret_keys(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Secret name -> the keys the render generates values for."""
    out: dict[str, tuple[str, ...]] = {}
    for store in plan.datastores:
        if isinstance(store, RelationalPlan):
            users = tuple(k for u in store.users for k in user_keys(u.user))
            out[secret_name(store)] = ("POSTGRES_USER", "POSTGRES_PASSWORD", *users)
        elif store.kind == "cache" and plan.edge.tls:
            out[secret_name(store)] = ("AUTH_TOKEN", VALKEY_CONF)
    if keys := tls.secret_keys(plan):
        out[tls.TLS_SECRET] = keys
    if any(STAND_INS[s.kind].api for s in plan.datastores):
        out[CREDENTIALS] = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    return out


def credentials_json(user: str, password: str) -> str:
    """`<DB>_CREDENTIALS`: the shape of the RDS secret on AWS."""
    return json.dumps({"username": user, "password": password}, separators=(",", ":"))

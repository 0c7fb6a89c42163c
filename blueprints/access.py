"""What each `uses` edge does to its data store (HLD-RULES §7, least privilege by what an edge does):
stated in the blueprint (`uses: [{name: clicks, access: produce}]`), or inferred where the routes
and roles leave one answer, else the widest mode with the reason to state it. The targets grant
exactly an edge's mode (generators/aws: IAM actions; a relational store's per-service user)."""

from __future__ import annotations

from blueprints.model import Blueprint, Service, UseRef

MODES: dict[str, tuple[str, ...]] = {
    "relational": ("read", "write", "read-write"),
    "key-value": ("read", "write", "read-write"),
    "cache": ("read", "write", "read-write"),
    "object": ("read", "write", "read-write"),
    "queue": ("produce", "consume", "produce-consume"),
}
"""The access modes each store kind takes."""
WIDEST = {kind: modes[-1] for kind, modes in MODES.items()}
AMBIGUOUS = "ambiguous: state access to narrow it"
READ_METHODS = frozenset({"GET", "HEAD"})
CACHE_NOTE = "on AWS one AUTH token admits every command, so a cache's access is stated, not enforced"


def reads(access: str) -> bool:
    return access in ("read", "read-write")


def writes(access: str) -> bool:
    return access in ("write", "read-write")


def produces(access: str) -> bool:
    return access in ("produce", "produce-consume")


def consumes(access: str) -> bool:
    return access in ("consume", "produce-consume")


def callers(bp: Blueprint, name: str) -> list[str]:
    """The services whose `uses` name `name`."""
    return [s.name for s in bp.services if any(e.name == name for e in s.edges())]


def infer(bp: Blueprint, svc: Service, edge: UseRef) -> tuple[str, str, bool]:
    """(access, reason, derived) of `svc`'s edge to a data store."""
    store = bp.store(edge.name)
    if store is None:
        raise ValueError(f"{edge.name!r} is not a data store")
    if edge.access is not None:
        return edge.access, "set in the blueprint", False
    if store.kind == "queue":
        return _queue(bp, svc, edge)
    reached = [r for r in svc.route_specs() if r.uses is None or edge.name in r.uses]
    called = callers(bp, svc.name)
    background = [
        e.name
        for e in svc.edges()
        if (s := bp.store(e.name)) is not None and s.kind == "queue" and consumes(_queue(bp, svc, e)[0])
    ]
    only_reads = bool(reached) and all(r.method in READ_METHODS for r in reached) and not called and not background
    if store.kind == "cache":
        why = (
            "its routes only read, but a cache is filled by the services that read it (cache-aside)"
            if only_reads
            else AMBIGUOUS
        )
        return "read-write", f"{why}; {CACHE_NOTE}", True
    if only_reads:
        routes = ", ".join(r.route for r in reached)
        return "read", f"every route that reaches it is GET or HEAD ({routes}) and no service calls {svc.name}", True
    return WIDEST[store.kind], AMBIGUOUS, True


def _queue(bp: Blueprint, svc: Service, edge: UseRef) -> tuple[str, str, bool]:
    if edge.access is not None:
        return edge.access, "set in the blueprint", False
    reached = [r for r in svc.route_specs() if r.uses is None or edge.name in r.uses]
    if reached and edge.async_:
        return "produce", "used `async` from its routes: it enqueues, off the journey", True
    queues = [e for e in svc.edges() if (s := bp.store(e.name)) is not None and s.kind == "queue"]
    if not svc.routes and not callers(bp, svc.name) and len(queues) == 1:
        return "consume", "a worker (no routes, and no service calls it): its work comes from this queue", True
    return "produce-consume", AMBIGUOUS, True


DATA_PRIVILEGES = {"read": ("SELECT",), "write": ("INSERT", "UPDATE", "DELETE")}
"""A database user's privileges on the tables, per mode of its edge's access (no DDL: the schema is
the master user's, changed by an operator's migrations)."""


def bootstrap_sql(database: str, users: list[tuple[str, str]], login: str) -> list[str]:
    """psql lines that make each (user, access) a login of `database` with its edge's privileges on
    the tables (and the sequences, for writers) of the public schema, now and for what the user who
    runs them (the master: the schema is its) creates later; idempotent. `login`: `iam` (AWS: IAM database authentication, GRANT rds_iam) or `password`
    (the password in the psql variable `<user>_password`, set with \\getenv, never on a command line)."""
    lines = []
    db = f'"{database}"'
    for name, access in users:
        user = f'"{name}"'
        privileges = ", ".join(p for mode in ("read", "write") if mode in access for p in DATA_PRIVILEGES[mode])
        lines.append(
            f"SELECT 'CREATE ROLE {user} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}')\\gexec"
        )
        lines.append(
            f"GRANT rds_iam TO {user};" if login == "iam" else f"ALTER ROLE {user} PASSWORD :'{name}_password';"
        )
        lines += [
            f"GRANT CONNECT ON DATABASE {db} TO {user};",
            f"GRANT USAGE ON SCHEMA public TO {user};",
            f"GRANT {privileges} ON ALL TABLES IN SCHEMA public TO {user};",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {privileges} ON TABLES TO {user};",
        ]
        if "write" in access:
            lines += [
                f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {user};",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {user};",
            ]
    return lines

"""What each `uses` edge does (blueprints.access): stated in the blueprint, inferred where the routes
and roles leave one answer, else the widest mode with the reason to state it; shown in the plan."""

from __future__ import annotations

import pytest

from blueprints import BlueprintError
from blueprints.access import AMBIGUOUS
from blueprints.planner import plan
from tests.helpers import make, parse_doc


def _service(name, routes=(), uses=(), public=None):
    svc = {"name": name, "image": f"ghcr.io/x/{name}:1", "uses": list(uses)}
    if routes:
        svc |= {"routes": list(routes), "public": True}
    elif public:
        svc["public"] = True
    return svc


STORES = [
    {"name": "db", "kind": "relational"},
    {"name": "items", "kind": "key-value"},
    {"name": "files", "kind": "object"},
    {"name": "hot", "kind": "cache"},
    {"name": "jobs", "kind": "queue"},
    {"name": "events", "kind": "queue"},
]


def access(*services):
    front = [] if any(s.get("public") for s in services) else [_service("front", ["GET /"], [])]
    planned = plan(parse_doc(make(services=[*services, *front], datastores=STORES)))
    return {
        (s.name, a.store): (a.access.value, a.access.reason, a.access.derived)
        for s in planned.services
        for a in s.access
    }


@pytest.mark.parametrize(
    ("services", "edge", "expected", "why"),
    [
        # a service whose routes are all GET or HEAD reads
        ([_service("api", ["GET /a", "HEAD /a"], ["db", "items", "files"])], ("api", "items"), "read", "GET or HEAD"),
        ([_service("api", ["GET /a"], ["db"])], ("api", "db"), "read", "GET or HEAD"),
        ([_service("api", ["GET /a"], ["files"])], ("api", "files"), "read", "GET or HEAD"),
        # one write route: ambiguous, the widest
        ([_service("api", ["GET /a", "POST /a"], ["items"])], ("api", "items"), "read-write", AMBIGUOUS),
        # a route's own uses narrow it: only GET routes reach `items`
        (
            [
                _service(
                    "api",
                    [{"route": "POST /x", "uses": ["db"]}, {"route": "GET /y", "uses": ["items"]}],
                    ["db", "items"],
                )
            ],
            ("api", "items"),
            "read",
            "GET or HEAD",
        ),
        # a GET-only service that another service calls may be asked to write: ambiguous
        (
            [_service("api", ["GET /a"], ["items"]), _service("front", ["POST /b"], ["api"])],
            ("api", "items"),
            "read-write",
            AMBIGUOUS,
        ),
        # a GET-only service's cache is filled by its readers
        ([_service("api", ["GET /a"], ["hot"])], ("api", "hot"), "read-write", "cache-aside"),
        # a worker (no routes, no callers) consumes its one queue
        ([_service("worker", (), ["jobs", "db"])], ("worker", "jobs"), "consume", "a worker"),
        # ... but with two queues it may consume one and produce into the other
        ([_service("worker", (), ["jobs", "events"])], ("worker", "jobs"), "produce-consume", AMBIGUOUS),
        # a queue used async from routes is produced to
        ([_service("api", ["POST /a"], [{"name": "jobs", "async": True}])], ("api", "jobs"), "produce", "async"),
        # used synchronously from routes: ambiguous
        ([_service("api", ["POST /a"], ["jobs"])], ("api", "jobs"), "produce-consume", AMBIGUOUS),
        # a worker writes what it consumes: its table is ambiguous
        ([_service("worker", (), ["jobs", "items"])], ("worker", "items"), "read-write", AMBIGUOUS),
        # stated: the blueprint wins, and the plan says so
        ([_service("api", ["POST /a"], [{"name": "jobs", "access": "produce"}])], ("api", "jobs"), "produce", "set in"),
        ([_service("api", ["POST /a"], [{"name": "items", "access": "write"}])], ("api", "items"), "write", "set in"),
    ],
    ids=[
        "get-only-reads-table",
        "get-only-reads-database",
        "get-only-reads-objects",
        "a-write-route-is-ambiguous",
        "route-uses-narrow",
        "called-service-is-ambiguous",
        "cache-aside",
        "worker-consumes",
        "worker-with-two-queues",
        "async-produces",
        "sync-queue-is-ambiguous",
        "worker-table-is-ambiguous",
        "stated-queue",
        "stated-table",
    ],
)
def test_each_edge_access_is_inferred_or_stated_with_its_reason(services, edge, expected, why):
    value, reason, derived = access(*services)[edge]
    assert value == expected and why in reason
    assert derived is ("set in" not in why)


def test_the_reference_blueprints_state_or_infer_every_edge():
    from blueprints.loader import load
    from tests.helpers import EXAMPLES

    shortener = plan(load(EXAMPLES / "url-shortener.yaml"))
    assert shortener.service("shortener").access_to("clicks") == "produce"  # stated: it only enqueues
    assert shortener.service("analytics").access_to("clicks") == "consume"  # inferred: a worker
    shop = plan(load(EXAMPLES / "e-commerce.yaml"))
    assert shop.service("product").access_to("catalog") == "read"  # GET-only
    assert shop.service("order").access_to("notifications") == "produce"  # async from its routes
    [user] = shop.store("catalog").users
    assert (user.user, user.access) == ("svc_product", "read")
    sql = "\n".join(shop.store("catalog").bootstrap.value)
    assert (
        'GRANT rds_iam TO "svc_product"' in sql
        and 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "svc_product"' in sql
    )
    assert "INSERT" not in sql  # a reader gets no write privilege


def test_the_plan_shows_each_edge_access_with_its_reason():
    from typer.testing import CliRunner

    from hld.cli import app
    from tests.helpers import EXAMPLES

    result = CliRunner().invoke(app, ["plan", str(EXAMPLES / "e-commerce.yaml")], env={"COLUMNS": "200"})
    table = result.output.split("Data-flow access", 1)[1]
    line = next(line for line in table.splitlines() if "product" in line and "catalog " in line)
    assert "read " in line and "GET or HEAD" in line


def _problems(doc):
    with pytest.raises(BlueprintError) as info:
        parse_doc(doc)
    return info.value.problems


def test_a_stated_access_must_be_one_its_store_takes_and_is_located():
    doc = make(
        services=[
            _service("api", ["GET /a"], [{"name": "items", "access": "produce"}, {"name": "jobs", "access": "consume"}])
        ],
        datastores=STORES,
    )
    [p] = _problems(doc)
    assert p.path == ("services", 0, "uses", 0, "access") and p.rule == "access"
    assert "'produce'" in p.message and "key-value store" in p.message
    assert p.fix == "use one of read, write, read-write for key-value store 'items'"
    assert p.line > 0  # located: FILE:LINE:COL of the value


def test_a_call_to_a_service_has_no_access():
    doc = make(
        services=[
            _service("api", ["GET /a"], [{"name": "worker", "access": "read"}]),
            _service("worker", (), ["jobs"]),
        ],
        datastores=STORES,
    )
    [p] = _problems(doc)
    assert p.path == ("services", 0, "uses", 0, "access") and "service 'worker'" in p.message
    assert p.fix == "remove `access` from this edge"


def test_an_unknown_access_is_a_schema_problem():
    doc = make(services=[_service("api", ["GET /a"], [{"name": "items", "access": "delete"}])], datastores=STORES)
    [p] = _problems(doc)
    assert p.path[:5] == ("services", 0, "uses", 0, "access")

"""Usage per edge. Each `uses` edge's calls per request, its read/write mix (from its
access mode, or `read_share`), the reads a cache answers for the stores behind it, the requests
the CDN answers for the origin, each store's own data, the messages a queue carries, and the
instance sizes: each changes exactly the lines it should, and each default is a listed assumption."""

from __future__ import annotations

import copy

import pytest
from typer.testing import CliRunner

from blueprints import plan
from blueprints.cost.usage import CACHE_HIT, READ_SHARE
from blueprints.problems import BlueprintError
from hld.cli import app
from tests.helpers import make, parse_doc

runner = CliRunner()

SHOP = make(availability=99.5, redundancy={"level": "multi-zone"})
SHOP["services"][0]["routes"] = ["GET /items", "POST /orders"]
SHOP["services"][0]["uses"] = ["db", "sessions", "events"]
SHOP["datastores"] += [
    {"name": "sessions", "kind": "key-value", "consistency": "eventual"},
    {"name": "events", "kind": "queue"},
]


def doc(**edits):
    d = copy.deepcopy(SHOP)
    for key, value in edits.items():
        d[key] = value
    return d


def edge(d, name, **fields):
    svc = d["services"][0]
    svc["uses"] = [{"name": u, **fields} if u == name else u for u in svc["uses"]]
    return d


def amount(p, component, item):
    return sum(line.quantity_min for line in p.cost.lines if line.component == component and line.item == item)


def by_component(p):
    out = {}
    for line in p.cost.lines:
        out[(line.component, line.region, line.item)] = line.quantity_min
    return out


def keys(p):
    return {a.key: a for a in p.cost.assumptions}


def test_calls_per_request_scale_that_edges_lines_and_no_other():
    base = plan(parse_doc(doc()))
    tripled = plan(parse_doc(edge(doc(), "sessions", calls=3)))
    before, after = by_component(base), by_component(tripled)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed and all(c == "store sessions" for c, _, _ in changed), changed
    for k in changed:
        assert after[k] == pytest.approx(3 * before[k], rel=1e-3), k
    # a batch of ten messages per request: a tenth of the queue's requests
    batched = plan(parse_doc(edge(doc(), "events", calls=0.1)))
    assert amount(batched, "store events", "sqs") == pytest.approx(amount(base, "store events", "sqs") / 10, rel=1e-3)
    assert "calls" in keys(base) and keys(base)["calls"].where == "services[].uses[].calls"


def test_the_read_write_mix_follows_the_access_mode_or_read_share():
    widest = plan(parse_doc(doc()))
    reads = amount(widest, "store sessions", "dynamodb-read")
    writes = amount(widest, "store sessions", "dynamodb-write")
    assert reads and writes and keys(widest)["read_share"].text.startswith(f"{READ_SHARE:.0%}")
    only_reads = plan(parse_doc(edge(doc(), "sessions", access="read")))
    assert amount(only_reads, "store sessions", "dynamodb-write") == 0
    # eventual reads cost half a read unit: 80 % of the calls at 0.5 before, all of them now
    assert amount(only_reads, "store sessions", "dynamodb-read") == pytest.approx(reads / READ_SHARE, rel=1e-3)
    only_writes = plan(parse_doc(edge(doc(), "sessions", access="write")))
    assert amount(only_writes, "store sessions", "dynamodb-read") == 0
    assert amount(only_writes, "store sessions", "dynamodb-write") == pytest.approx(writes / (1 - READ_SHARE), rel=1e-3)
    half = plan(parse_doc(edge(doc(), "sessions", access="read-write", read_share=0.5)))
    assert amount(half, "store sessions", "dynamodb-write") == pytest.approx(writes * 0.5 / (1 - READ_SHARE), rel=1e-3)


def test_strong_reads_cost_twice_eventual_ones():
    eventual = plan(parse_doc(edge(doc(), "sessions", access="read")))
    strong_doc = edge(doc(), "sessions", access="read")
    strong_doc["datastores"][1]["consistency"] = "strong"
    strong = plan(parse_doc(strong_doc))
    assert amount(strong, "store sessions", "dynamodb-read") == pytest.approx(
        2 * amount(eventual, "store sessions", "dynamodb-read"), rel=1e-6
    )


@pytest.mark.parametrize("access", ["read", "write"])
def test_read_share_on_an_edge_that_only_reads_or_writes_is_refused_with_a_fix_that_validates(access):
    bad = edge(doc(), "sessions", access=access, read_share=0.5)
    with pytest.raises(BlueprintError) as exc:
        parse_doc(bad)
    [problem] = exc.value.problems
    assert problem.rule == "access" and "read_share" in problem.message and f"{access}-only" in problem.message
    fixed = edge(doc(), "sessions", access=access)
    assert plan(parse_doc(fixed)).ok  # what the fix says: remove read_share


def test_a_cache_answers_its_hit_ratio_of_the_reads_behind_it():
    cached = doc()
    cached["datastores"].append({"name": "hot", "kind": "cache"})
    cached["services"][0]["uses"].append("hot")
    cached = edge(cached, "sessions", access="read")
    without = plan(parse_doc(edge(doc(), "sessions", access="read")))
    default = plan(parse_doc(cached))
    full_reads = amount(without, "store sessions", "dynamodb-read")
    assert amount(default, "store sessions", "dynamodb-read") == pytest.approx(full_reads * (1 - CACHE_HIT), rel=1e-3)
    assert keys(default)["cache_hit:hot"].where == "datastores[3].hit_ratio"
    cached["datastores"][3]["hit_ratio"] = 0.95
    stated = plan(parse_doc(cached))
    assert amount(stated, "store sessions", "dynamodb-read") == pytest.approx(full_reads * 0.05, rel=1e-3)
    assert "cache_hit:hot" not in keys(stated)
    # the cache answers reads, never writes: the queue and the table's writes are untouched
    assert amount(stated, "store events", "sqs") == amount(without, "store events", "sqs")


def test_the_cdn_answers_its_hit_ratio_of_a_cached_route_before_the_origin():
    d = doc(edge={"domain": "shop.example.com", "cdn": {}})
    d["services"][0]["routes"] = [
        {"route": "GET /items", "cache": "public", "uses": ["sessions"]},
        {"route": "POST /orders", "uses": ["db", "events"]},
    ]
    none = plan(parse_doc(d))
    assert "cdn_hit" in keys(none) and keys(none)["cdn_hit"].where == "edge.cdn.hit_ratio"
    d["edge"]["cdn"]["hit_ratio"] = 0.9
    hits = plan(parse_doc(d))
    assert "cdn_hit" not in keys(hits)
    # GET /items is the only route reaching sessions: 90 % of its requests never reach the table
    for item in ("dynamodb-read", "dynamodb-write"):
        assert amount(hits, "store sessions", item) == pytest.approx(
            amount(none, "store sessions", item) * 0.1, rel=1e-3
        )
    # ... nor the load balancer, which sees the misses and the other route
    assert amount(hits, "load balancing", "alb-lcu") == pytest.approx(
        amount(none, "load balancing", "alb-lcu") * (0.5 + 0.5 * 0.1), rel=1e-3
    )
    # the CDN still carries (and bills) every request of the cached route
    assert amount(hits, "CDN", "cloudfront-https") == amount(none, "CDN", "cloudfront-https")


def test_each_store_holds_its_own_data():
    d = doc()
    d["datastores"][1]["stored_gb"] = 500
    p = plan(parse_doc(d))
    assert amount(p, "store sessions", "dynamodb-storage") == 500
    assert "stored_gb:sessions" not in keys(p)
    other = doc()
    other["datastores"].append({"name": "media", "kind": "object"})
    other["services"][0]["uses"].append("media")
    q = plan(parse_doc(other))
    assert amount(q, "store media", "s3-storage") == 10 and amount(q, "store sessions", "dynamodb-storage") == 10
    assert {"stored_gb:sessions", "stored_gb:media"} <= set(keys(q))


def test_a_queue_carries_what_its_producers_send_and_a_worker_does_what_it_receives():
    d = doc()
    d["services"][0]["uses"] = ["db", {"name": "events", "access": "produce", "calls": 0.5}]
    d["services"].append(
        {"name": "worker", "image": "ghcr.io/x/worker:1", "uses": ["events", {"name": "sessions", "access": "write"}]}
    )
    p = plan(parse_doc(d))
    api = next(s for s in p.services if s.name == "api")
    from blueprints.cost.usage import usage

    use = usage(parse_doc(d), p)
    assert use.messages["events"] == pytest.approx(use.arriving["api"] * 0.5)
    # a send, a receive and a delete per message; the consumer adds none of its own
    assert amount(p, "store events", "sqs") == pytest.approx(use.messages["events"] * 3 / 1e6, rel=1e-3)
    # the worker, with no peak of its own, writes once per message it receives
    assert use.arriving["worker"] == pytest.approx(use.messages["events"])
    assert amount(p, "store sessions", "dynamodb-write") == pytest.approx(use.messages["events"] / 1e6, rel=1e-3)
    assert api.peak_rps == 1000


def test_a_service_calls_edge_sets_its_callees_load():
    d = make(availability=99.9, redundancy={"level": "multi-zone"})
    d["services"][0]["uses"] = ["db", {"name": "pricing", "calls": 3}]
    d["services"].append({"name": "pricing", "image": "ghcr.io/x/pricing:1", "rps_per_replica": 100})
    p = plan(parse_doc(d))
    callee = next(s for s in p.services if s.name == "pricing")
    assert callee.peak_rps == 3000 and "3 calls per request" in callee.peak_source


def test_cost_exits_1_for_the_budget_alone(tmp_path):
    import yaml

    missed = doc(availability=99.9)  # the queue on the journey caps it at 99.86 %
    bp = tmp_path / "missed.yaml"
    bp.write_text(yaml.safe_dump(missed))
    assert runner.invoke(app, ["plan", str(bp)]).exit_code == 1
    result = runner.invoke(app, ["cost", str(bp)])
    assert result.exit_code == 0, result.output  # no budget: nothing for `cost` to fail
    assert "misses availability" in result.output
    over = tmp_path / "over.yaml"
    over.write_text(yaml.safe_dump(missed | {"cost": {"monthly_max": 1}}))
    assert runner.invoke(app, ["cost", str(over)]).exit_code == 1


def test_a_pinned_instance_class_is_planned_priced_and_shown(tmp_path):
    small = make()
    small["datastores"][0]["instance_class"] = "db.t4g.medium"
    small["datastores"][0]["engine"] = "rds-postgresql"
    p = plan(parse_doc(small))
    db = p.store("db")
    assert db.instance_class.value == "db.t4g.medium" and not db.instance_class.derived
    assert amount(p, "store db", "rds-postgres:db.t4g.medium") > 0
    default = plan(parse_doc(make()))
    assert "AWS advises the burstable T classes for development" in default.store("db").instance_class.reason
    assert p.cost.monthly_min < default.cost.monthly_min
    import yaml

    bp = tmp_path / "small.yaml"
    bp.write_text(yaml.safe_dump(small))
    out = runner.invoke(app, ["plan", str(bp)], env={"COLUMNS": "400"}).output
    assert "db.t4g.medium: set in the blueprint" in out


def test_a_class_the_engine_does_not_offer_is_refused_with_the_engine_that_does():
    # at 99.95 % every resolution puts the store on Aurora (its journey needs more than RDS Multi-AZ)
    bad = make(availability=99.95)
    bad["datastores"][0]["instance_class"] = "db.t4g.micro"
    with pytest.raises(BlueprintError) as exc:
        parse_doc(bad)
    [problem] = exc.value.problems
    assert problem.rule == "instance-class" and "rds-postgresql only" in problem.message
    assert "the planner chooses aurora-postgresql (on a user journey" in problem.message
    # where some resolution keeps RDS, the planner takes it and the pinned class stands
    fits = make(availability=99.9)
    fits["datastores"][0]["instance_class"] = "db.t4g.micro"
    assert plan(parse_doc(fits)).store("db").engine.value == "rds-postgresql"
    bad["datastores"][0]["engine"] = "rds-postgresql"  # the fix, applied verbatim
    assert plan(parse_doc(bad)).store("db").instance_class.value == "db.t4g.micro"
    bad["datastores"][0]["engine"] = "aurora-postgresql"
    with pytest.raises(BlueprintError) as exc:
        parse_doc(bad)
    assert "aurora-postgresql offers no db.t4g.micro" in exc.value.problems[0].message


@pytest.mark.parametrize(("memory", "node"), [("1Gi", "cache.r6g.large"), ("40Gi", "cache.r6g.2xlarge")])
def test_a_caches_memory_chooses_its_node_type(memory, node):
    d = make()
    d["datastores"].append({"name": "hot", "kind": "cache", "memory": memory})
    d["services"][0]["uses"].append("hot")
    p = plan(parse_doc(d))
    assert p.store("hot").instance_class.value == node
    assert amount(p, "store hot", f"valkey:{node}") > 0 and p.cost.complete


def test_aurora_is_io_optimized_when_its_io_would_pass_a_quarter_of_its_cost():
    d = make(availability=99.9, redundancy={"level": "multi-zone"})
    d["datastores"][0]["engine"] = "aurora-postgresql"
    d["services"][0]["peak_rps"] = 50
    quiet = plan(parse_doc(d))
    assert quiet.store("db").storage_type.value == "aurora"
    assert amount(quiet, "store db", "aurora-io") > 0
    d["services"][0]["peak_rps"] = 1000
    busy = plan(parse_doc(d))
    store = busy.store("db")
    assert store.storage_type.value == "aurora-iopt1" and "over the 25%" in store.storage_type.reason
    assert amount(busy, "store db", "aurora-io") == 0 and amount(busy, "store db", "aurora-iopt-storage") > 0
    from hld.testing import synth

    [cluster] = synth(d, stack="shop", cloud="mocks").graph.of("aws:rds/cluster:Cluster")
    assert cluster.inputs.get("storageType") == "aurora-iopt1"
    d["services"][0]["peak_rps"] = 50
    [standard] = synth(d, stack="shop", cloud="mocks").graph.of("aws:rds/cluster:Cluster")
    assert "storageType" not in standard.inputs  # Standard is AWS's default, reported as empty


def test_a_cache_a_service_only_writes_answers_none_of_its_reads():
    d = edge(doc(), "sessions", access="read")
    d["datastores"].append({"name": "hot", "kind": "cache"})
    d["services"][0]["uses"].append({"name": "hot", "access": "write"})
    filled = plan(parse_doc(d))
    plain = plan(parse_doc(edge(doc(), "sessions", access="read")))
    assert amount(filled, "store sessions", "dynamodb-read") == amount(plain, "store sessions", "dynamodb-read")
    assert "cache_hit:hot" not in keys(filled)


def multi_region(consistency):
    d = make(
        availability=99.9,
        consistency=consistency,
        redundancy={"level": "multi-region", "replication": "active"},
        regions=["us-east-1", "us-west-2"],
        rpo="1m",
    )
    d["services"][0]["uses"] = [{"name": "db", "access": "read-write"}]
    d["services"][0]["peak_rps"] = 50  # Aurora Standard: the I/O is priced per call
    d["datastores"] = [{"name": "db", "kind": "relational", "engine": "aurora-postgresql"}]
    return d


def test_a_strong_relational_store_serves_every_read_and_write_at_its_writer():
    p = plan(parse_doc(multi_region("strong")))
    writer = p.store("db").writer_region
    ios = [line for line in p.cost.lines if line.item == "aurora-io" and line.quantity_min]
    assert ios and {line.region for line in ios} == {writer}


def test_replication_traffic_leaves_from_the_region_that_took_the_write():
    d = make(availability=99.9, consistency="eventual", redundancy={"level": "multi-region", "replication": "active"})
    d["datastores"] = [{"name": "db", "kind": "key-value"}]
    d["services"][0]["uses"] = [{"name": "db", "access": "read-write"}]
    p = plan(parse_doc(d))
    out = [line for line in p.cost.lines if line.component == "replication traffic"]
    assert {line.region for line in out} == set(p.store("db").regions)  # each region sends its own writes
    assert len({line.quantity_min for line in out}) == 1  # the callers split evenly over the regions


def test_a_queues_consumer_is_not_behind_the_load_balancer():
    d = doc()
    d["services"][0]["uses"] = ["db", {"name": "events", "access": "produce"}]
    d["services"].append({"name": "worker", "image": "ghcr.io/x/worker:1", "uses": ["events", "sessions"]})
    with_worker = plan(parse_doc(d))
    d["services"][0]["uses"] = ["db", {"name": "events", "access": "produce", "calls": 0.001}]
    fewer = plan(parse_doc(d))  # a thousand times fewer messages: the load balancer's lines do not move
    for item in ("inter-az", "alb-lcu"):
        assert amount(with_worker, "NAT and data transfer" if item == "inter-az" else "load balancing", item) == amount(
            fewer, "NAT and data transfer" if item == "inter-az" else "load balancing", item
        )


def test_each_web_acl_is_billed_for_what_it_inspects():
    d = doc(edge={"domain": "shop.example.com", "cdn": {"hit_ratio": 0.5}, "waf": True})
    d["services"][0]["routes"] = [{"route": "GET /items", "cache": "public"}, "POST /orders"]
    p = plan(parse_doc(d))
    assert "CloudFront" in p.edge.waf.value and "load balancer" in p.edge.waf.value
    from blueprints.cost.usage import usage

    use = usage(parse_doc(d), p)
    inspected = sum(use.via_cdn.values()) + use.arriving["api"]
    assert amount(p, "WAF", "waf-requests") == pytest.approx(inspected / 1e6, rel=1e-3)
    assert inspected > sum(use.public.values())  # a cached route's miss passes both ACLs


def test_the_cdns_hits_are_listed_when_only_the_edge_rests_on_them():
    d = doc(edge={"domain": "shop.example.com", "cdn": {}})
    d["services"][0]["routes"] = [{"route": "GET /items", "cache": "public"}]
    d["services"][0]["uses"] = []
    d["datastores"] = []
    p = plan(parse_doc(d))
    assert "cdn_hit" in keys(p)
    assert any("cdn_hit" in line.assumes for line in p.cost.lines if line.item == "alb-lcu")


def test_a_service_with_nothing_to_count_is_a_listed_assumption():
    d = doc()
    d["services"].append({"name": "cron", "image": "ghcr.io/x/cron:1", "uses": ["sessions"]})
    p = plan(parse_doc(d))
    assert keys(p)["idle:cron"].where == "services[1].peak_rps"


def test_an_alternative_whose_engine_lacks_the_pinned_class_says_so():
    from blueprints.cost.alternatives import alternatives

    d = make(availability=99.9)
    d["datastores"][0]["instance_class"] = "db.m6g.large"
    bp = parse_doc(d)
    refused = {a.label: a.refused for a in alternatives(bp, plan(bp)) if a.plan is None}
    assert "aurora-postgresql offers no db.m6g.large" in refused["multi-zone active"]

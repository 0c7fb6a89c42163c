"""The monthly cost: the arithmetic of each component kind from the price table, a source and a
date on every price, the alternatives as real re-plans, the budget, and the fast path."""

from __future__ import annotations

import functools
import json
import math
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from blueprints import load, plan
from blueprints.cost.alternatives import CHOICES, alternatives
from blueprints.cost.estimate import HOURS
from blueprints.cost.prices import PRICES, price
from blueprints.figures import REGION_ZONES
from blueprints.model import Service, UseRef
from hld.cli import app
from tests.helpers import DESIGN_FILES, EXAMPLE_FILES, EXAMPLES, ROOT, make, parse_doc

runner = CliRunner()


@functools.cache
def planned(path: str):
    bp = load(path)
    return bp, plan(bp)


def lines(p, component=None, item=None, region=None):
    return [
        line
        for line in p.cost.lines
        if (component is None or line.component == component)
        and (item is None or line.item == item)
        and (region is None or line.region == region)
    ]


UNREAD = {("valkey", "ap-northeast-3"), ("redis", "ap-northeast-3")}
"""The (item prefix, region) pairs with no price data: ElastiCache's Graviton nodes in Osaka."""


def test_every_price_has_a_page_a_month_and_every_region_the_format_accepts():
    for row in PRICES.values():
        assert row.source.startswith("https://aws.amazon.com/"), row.item
        assert re.fullmatch(r"20\d{2}-(0[1-9]|1[0-2])", row.checked), row.item
        assert all(usd > 0 for usd in row.usd.values()), row.item
        if set(row.usd) == {"global"}:
            continue
        missing = set(REGION_ZONES) - set(row.usd)
        assert missing == {r for prefix, r in UNREAD if row.item.startswith(prefix + ":")}, row.item


@pytest.mark.parametrize("region", sorted(REGION_ZONES))
def test_a_system_in_any_region_is_priced_there(region):
    doc = make(regions=[region], redundancy={"level": "multi-zone", "zones": min(3, len(REGION_ZONES[region]))})
    doc["datastores"] += [{"name": "sessions", "kind": "key-value"}, {"name": "jobs", "kind": "queue"}]
    doc["services"][0]["uses"] += ["sessions", "jobs"]
    p = plan(parse_doc(doc))
    assert p.cost.complete, p.cost.unpriced
    assert {line.region for line in p.cost.lines} <= {region, "global"}
    assert all(line.source and line.source.startswith("https://aws.amazon.com/") for line in p.cost.lines)


@pytest.mark.parametrize("path", [*EXAMPLE_FILES, *DESIGN_FILES], ids=lambda p: p.stem)
def test_every_line_of_every_reference_plan_is_priced_and_adds_up(path):
    _, p = planned(str(path))
    assert p.cost.unpriced == []
    for line in p.cost.lines:
        assert line.usd_per_unit == price(line.item, line.region)
        assert line.monthly_min == pytest.approx(line.quantity_min * line.usd_per_unit, abs=0.01)
        assert line.monthly_max == pytest.approx(line.quantity_max * line.usd_per_unit, abs=0.01)
    assert p.cost.monthly_min == pytest.approx(sum(x.monthly_min for x in p.cost.lines), abs=0.05)
    assert p.cost.monthly_min <= p.cost.monthly_max


def test_compute_is_tasks_times_task_size_times_hours():
    _, p = planned(str(EXAMPLES / "url-shortener.yaml"))
    for r in p.regions.value:
        caps = [(s, c) for s in p.services for c in s.capacity.value if c.region == r]
        [vcpu] = lines(p, "compute", "fargate-vcpu", r)
        assert vcpu.quantity_min == pytest.approx(
            sum(c.min_replicas * s.task_cpu.value / 1024 for s, c in caps) * HOURS
        )
        assert vcpu.quantity_max == pytest.approx(
            sum(c.max_replicas * s.task_cpu.value / 1024 for s, c in caps) * HOURS
        )
        [memory] = lines(p, "compute", "fargate-memory", r)
        assert memory.quantity_min == pytest.approx(sum(c.min_replicas * s.task_memory / 1024 for s, c in caps) * HOURS)


def test_nat_load_balancer_and_keys_per_region():
    _, p = planned(str(EXAMPLES / "url-shortener.yaml"))
    for n in p.networks:
        [nat] = lines(p, "NAT and data transfer", "nat", n.region)
        assert nat.quantity_min == n.nat_gateways.value * HOURS
        [alb] = lines(p, "load balancing", "alb", n.region)
        assert alb.monthly_min == pytest.approx(HOURS * price("alb", n.region), abs=0.01)
        [key] = lines(p, "keys and secrets", "kms-key", n.region)
        assert key.monthly_min == price("kms-key", n.region)


def test_each_store_kind_is_priced_from_its_plan():
    _, p = planned(str(EXAMPLES / "url-shortener.yaml"))
    rds = p.store("click-stats")
    writer = lines(p, "store click-stats", f"rds-postgres:{rds.instance_class.value}", rds.writer_region)[0]
    assert writer.quantity_min == ((2 if rds.multi_az else 1) + rds.read_replicas) * HOURS
    cache = p.store("url-cache")
    for r in cache.regions:
        [nodes] = lines(p, "store url-cache", f"valkey:{cache.instance_class.value}", r)
        assert nodes.quantity_min == (1 + cache.read_replicas) * HOURS
    table = p.store("urls")
    writes = lines(p, "store urls", "dynamodb-write")
    assert {w.region for w in writes} == set(table.regions)  # a global table applies every write everywhere
    assert len({w.quantity_min for w in writes}) == 1
    assert lines(p, "store clicks", "sqs")
    _, e = planned(str(EXAMPLES / "e-commerce.yaml"))
    aurora = e.store("catalog")
    [instances] = lines(e, "store catalog", f"aurora:{aurora.instance_class.value}")
    assert instances.quantity_min == (1 + aurora.read_replicas) * HOURS
    _, social = planned(str(EXAMPLES / "social-feed.yaml"))
    assert {x.region for x in lines(social, "store media", "s3-storage")} == set(social.store("media").regions)


def test_usage_comes_from_the_blueprint_or_is_a_stated_assumption():
    doc = make()
    _, p = planned(str(EXAMPLES / "e-commerce.yaml"))
    assert any(a.where == "cost.average_load" for a in p.cost.assumptions)
    stated = parse_doc(doc | {"cost": {"average_load": 0.5, "response_kb": 4, "stored_gb": 1}})
    q = plan(stated)
    assert not {"average_load", "response_kb"} & {a.key for a in q.cost.assumptions}
    cheaper = plan(parse_doc(doc | {"cost": {"average_load": 0.1}}))
    assert cheaper.cost.monthly_min < q.cost.monthly_min
    assert "taxes" in p.cost.left_out


@pytest.mark.parametrize("path", [*EXAMPLE_FILES, *DESIGN_FILES], ids=lambda p: p.stem)
def test_each_assumption_is_listed_once_with_where_to_change_it(path):
    bp, p = planned(str(path))
    keys = [a.key for a in p.cost.assumptions]
    assert len(keys) == len(set(keys))
    texts = [a.text for a in p.cost.assumptions]
    assert len(texts) == len(set(texts))
    used = {k for line in p.cost.lines for k in line.assumes}
    # every line's assumptions are listed, and nothing listed is unused (but an idle service's, whose lines are 0)
    assert used == {k for k in keys if not k.startswith("idle:")}
    for a in p.cost.assumptions:
        if not a.where.startswith("fixed"):
            resolve(bp, a.where)


ELEMENTS = {"services": Service, "uses": UseRef}
"""The model of each element of a list a `where` names with `[]` (every element)."""


def resolve(bp, where):
    """The field `where` names (`datastores[2].hit_ratio`, `services[].uses[].calls`) exists in the format."""
    node = bp
    for part in where.split(" ")[0].split("."):
        name, index = re.fullmatch(r"(\w+)(?:\[(\d*)\])?", part).groups()
        model = node if isinstance(node, type) else type(node)
        assert name in model.model_fields, (where, name)
        if index == "":
            node = ELEMENTS[name]
        elif index is not None:
            node = getattr(node, name)[int(index)]
        else:
            node = getattr(node, name) if not isinstance(node, type) else node


OSAKA_CACHE = {"name": "hot", "kind": "cache"}


def osaka(**changes):
    doc = make(regions=["ap-northeast-3"], **changes)
    doc["datastores"].append(OSAKA_CACHE)
    doc["services"][0]["uses"].append("hot")
    return doc


def test_a_price_missing_from_the_table_is_unpriced_not_guessed():
    p = plan(parse_doc(osaka()))
    assert "valkey:cache.r6g.large in ap-northeast-3" in p.cost.unpriced
    assert all(x.monthly_min == 0 for x in p.cost.lines if x.item.startswith("valkey:"))
    assert not p.cost.complete and p.ok  # no budget: the plan stands, its total a lower bound
    from hld.report import cost_text

    assert cost_text(p).startswith("at least $") and "in ap-northeast-3" in cost_text(p)


def test_an_incomplete_estimate_never_meets_a_budget_nor_ranks_as_cheaper(tmp_path):
    from hld.testing import synth

    doc = osaka(cost={"monthly_max": 1_000_000})
    p = plan(parse_doc(doc))
    assert p.cost.budget_status == "unchecked"
    [miss] = p.unmet
    assert miss.what == "cost" and "cannot be checked" in miss.why and "in ap-northeast-3" in miss.why
    bp = tmp_path / "unpriced.yaml"
    bp.write_text(json.dumps(doc))
    result = runner.invoke(app, ["plan", str(bp)])
    assert result.exit_code == 1 and "not checked" in result.output
    outcomes = {o.check: o for o in synth(bp, cloud="mocks").checks()}
    assert outcomes["budget"].status == "fail" and "cannot be checked" in outcomes["budget"].detail
    # the multi-region rows stay in the system's geography (ap-northeast-1 + ap-northeast-3, the
    # second without a cache price)
    tokyo = make(regions=["ap-northeast-1"], cost={"monthly_max": 1_000_000})
    tokyo["datastores"].append(OSAKA_CACHE)
    tokyo["services"][0]["uses"].append("hot")
    tokyo = parse_doc(tokyo)
    rows = alternatives(tokyo, plan(tokyo))
    assert all(a.plan.regions.value[0] == "ap-northeast-1" for a in rows if a.plan is not None)
    complete = [a.complete for a in rows if a.plan is not None]
    assert complete == sorted(complete, reverse=True) and True in complete and False in complete
    assert all(a.complete for a in rows[: complete.count(True)])
    data = json.loads(runner.invoke(app, ["cost", str(bp), "--json"]).stdout)
    assert data["complete"] is False and data["budget_status"] == "unchecked"


def test_a_budget_never_changes_the_design_it_is_checked_against():
    doc = make(availability=99.95, redundancy={"level": "multi-zone"})
    free = plan(parse_doc(doc))
    assert free.ok and free.replication.value == "passive"
    tight = plan(parse_doc(doc | {"cost": {"monthly_max": 100}}))
    assert (tight.level.value, tight.replication.value) == (free.level.value, free.replication.value)
    assert tight.cost.monthly_min == free.cost.monthly_min
    [miss] = tight.unmet
    assert miss.what == "cost" and f"${free.cost.monthly_min - 100:,.0f} over the budget" in miss.why
    # the advice: never a design change that costs more; the budget the design needs, as a relaxation
    for f in miss.fixes:
        if not f.relaxes:
            assert float(f.reaches.strip("$/month").replace(",", "")) < tight.cost.monthly_min, f.change
    [relax] = [f for f in miss.fixes if f.relaxes]
    assert relax.meets and relax.change.startswith(f"cost.monthly_max: {math.ceil(free.cost.monthly_min)}")
    again = doc | {"cost": {"monthly_max": relax.edits[0].value}}
    assert plan(parse_doc(again)).ok


RISING = (
    (("single-zone", None), ("multi-zone", "passive"), ("multi-zone", "active"), ("multi-region", "active")),
    (("single-zone", None), ("multi-zone", "passive"), ("multi-region", "passive"), ("multi-region", "active")),
)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_alternatives_are_real_re_plans_and_cost_rises_with_redundancy(path):
    bp, p = planned(str(path))
    rows = alternatives(bp, p)
    assert [a for a in rows if a.chosen and a.plan.cost.monthly_min == p.cost.monthly_min]
    by_choice = {(a.level, a.replication): a for a in rows if a.plan is not None}
    assert len(by_choice) == len(CHOICES)
    # cost never falls as redundancy rises, along each chain of designs that contain the one before
    # (multi-zone active and multi-region passive add different things: neither contains the other)
    for chain in RISING:
        costs = [by_choice[c].monthly for c in chain]
        assert costs == sorted(costs), (chain, costs)
    assert by_choice[CHOICES[0]].monthly < by_choice[CHOICES[-1]].monthly
    assert [a.monthly for a in rows] == sorted(a.monthly for a in rows)  # cheapest first
    for a in rows:
        if not a.meets:
            continue
        doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
        doc["redundancy"] = {**doc.get("redundancy", {}), "level": a.level}
        if a.replication:
            doc["redundancy"]["replication"] = a.replication
        else:
            doc["redundancy"].pop("replication", None)
            doc["redundancy"].pop("zones", None)
        if a.level != "multi-region" and doc.get("regions"):
            doc["regions"] = doc["regions"][:1]
        if a.level == "multi-region" and len(doc.get("regions") or []) < 2:
            doc.pop("regions", None)
        again = plan(parse_doc(doc))
        assert again.availability.estimate == a.plan.availability.estimate, a.label
        assert again.dr.zone_loss_rto_seconds == a.plan.dr.zone_loss_rto_seconds, a.label
        assert again.dr.region_loss_rpo_seconds == a.plan.dr.region_loss_rpo_seconds, a.label
        assert again.cost.monthly_min == a.plan.cost.monthly_min, a.label


def test_hld_cost_shows_the_table_and_json_marks_assumptions():
    result = runner.invoke(app, ["cost", str(EXAMPLES / "e-commerce.yaml")])
    assert result.exit_code == 0, result.output
    assert "Alternatives" in result.output and "+$" in result.output and "chosen" in result.output
    data = json.loads(runner.invoke(app, ["cost", str(EXAMPLES / "e-commerce.yaml"), "--json"]).stdout)
    assert data["monthly_usd"] > 0 and len(data["alternatives"]) == len(CHOICES)
    assert any(line["assumed"] for line in data["lines"]) and not all(line["assumed"] for line in data["lines"])
    assert sum(a["chosen"] for a in data["alternatives"] if "chosen" in a) == 1


def test_a_budget_the_targets_cannot_meet_exits_1_naming_the_conflict(tmp_path):
    bp = tmp_path / "tight.yaml"
    bp.write_text((EXAMPLES / "e-commerce.yaml").read_text() + "cost:\n  monthly_max: 3000\n")
    result = runner.invoke(app, ["cost", str(bp)])
    assert result.exit_code == 1
    assert "misses cost" in result.output and "over the budget of $3,000" in result.output
    assert "availability 99.95%" in result.output
    assert runner.invoke(app, ["plan", str(bp)]).exit_code == 1
    roomy = tmp_path / "roomy.yaml"
    roomy.write_text((EXAMPLES / "e-commerce.yaml").read_text() + "cost:\n  monthly_max: 50000\n")
    assert runner.invoke(app, ["cost", str(roomy)]).exit_code == 0


@pytest.mark.parametrize("budget", ["-5", "0", "lots"])
def test_an_invalid_budget_is_bad_input(tmp_path, budget):
    bp = tmp_path / "bad.yaml"
    bp.write_text((EXAMPLES / "e-commerce.yaml").read_text() + f"cost:\n  monthly_max: {budget}\n")
    result = runner.invoke(app, ["cost", str(bp)])
    assert result.exit_code == 2 and "cost.monthly_max" in result.output


def test_hld_cost_stays_on_the_fast_path():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from hld.cli import app\n"
        f"r = CliRunner().invoke(app, ['cost', {str(EXAMPLES / 'social-feed.yaml')!r}, '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi', 'pulumi_aws', 'boto3', 'botocore', 'moto'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_document_and_plan_json_carry_the_cost_and_its_alternatives(tmp_path):
    out = tmp_path / "docs"
    result = runner.invoke(app, ["render", str(EXAMPLES / "url-shortener.yaml"), "--target", "docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (out / "HLD.md").read_text()
    section = re.split(r"^## \d+\. Cost$", text, maxsplit=1, flags=re.M)[1]
    assert "| multi-region active |" in section and "**chosen**" in section and "+$" in section
    # per component, largest first, adding up to the total
    rows = re.findall(r"^\| ([a-zA-Z][^|]*?) \| ([\d,]+) \| ([\d,]+) \|$", section, flags=re.M)
    minimums = [float(low.replace(",", "")) for _, low, _ in rows]
    assert minimums == sorted(minimums, reverse=True) and "compute" in {c for c, _, _ in rows}
    total = float(re.search(r"\$([\d,]+) a month at the static-stability minimum", section)[1].replace(",", ""))
    assert sum(minimums) == pytest.approx(total, abs=len(rows))
    data = json.loads((out / "plan.json").read_text())
    assert data["cost"]["monthly_min"] > 0 and len(data["cost"]["alternatives"]) == len(CHOICES)
    assert data["cost"]["lines"] and data["cost"]["assumptions"]


def test_verify_names_a_budget_the_design_exceeds(tmp_path):
    from hld.testing import synth

    bp = tmp_path / "tight.yaml"
    bp.write_text((EXAMPLES / "e-commerce.yaml").read_text() + "cost:\n  monthly_max: 3000\n")
    outcomes = {o.check: o for o in synth(bp, cloud="mocks").checks()}
    assert outcomes["budget"].status == "fail" and "over the budget of $3,000" in outcomes["budget"].detail
    unbounded = {o.check: o for o in synth(EXAMPLES / "e-commerce.yaml", cloud="mocks").checks()}
    assert unbounded["budget"].status == "skip" and unbounded["budget"].detail.startswith("not applicable: ")


def test_edge_lines_cdn_waf_and_dns_follow_the_public_load():
    from blueprints.cost.estimate import DNS_SHARE, SECONDS, WAF_RULES
    from blueprints.cost.usage import AVERAGE_LOAD, RESPONSE_KB

    bp, p = planned(str(EXAMPLES / "url-shortener.yaml"))
    public = sum((s.peak_rps or 0) for s in p.services if s.public) * AVERAGE_LOAD * SECONDS
    # dynamic routes bypass the CDN (99.99 % is above CloudFront's SLA) and none is cached: the
    # CDN carries nothing, so it bills nothing
    assert p.edge.cdn.dynamic.value == "bypass" and not lines(p, "CDN")
    # ... and every response leaves from the load balancers: billed as data transfer out
    egress = sum(x.quantity_min for x in lines(p, "data transfer out", "internet-out"))
    assert egress == pytest.approx(public * RESPONSE_KB / 1e6, rel=1e-3)
    doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
    doc["services"][0]["routes"] = ["POST /shorten", {"route": "GET /{code}", "cache": "public"}]
    cached = plan(parse_doc(doc))
    [requests] = lines(cached, "CDN", "cloudfront-https")
    assert requests.quantity_min == pytest.approx(public / 2 / 1e4, rel=1e-6)  # one route of two
    assert "route_share" in requests.assumes
    half = sum(x.quantity_min for x in lines(cached, "data transfer out", "internet-out"))
    assert half == pytest.approx(egress / 2, rel=1e-3)  # the other half goes out through the CDN
    doc["edge"]["cdn"]["dynamic"] = "through"
    through = plan(parse_doc(doc))
    [requests] = lines(through, "CDN", "cloudfront-https")
    assert requests.quantity_min == pytest.approx(public / 1e4, rel=1e-6)
    [data] = lines(through, "CDN", "cloudfront-data")
    assert data.quantity_min == pytest.approx(public * RESPONSE_KB / 1e6, rel=1e-6)
    assert not lines(through, "data transfer out")  # every response leaves through the CDN
    [acls] = lines(p, "WAF", "waf-acl")
    assert acls.quantity_min == 1 + len(p.regions.value)  # the distribution's and each load balancer's
    [rules] = lines(p, "WAF", "waf-rule")
    assert rules.quantity_min == acls.quantity_min * WAF_RULES
    [queries] = lines(p, "DNS and health checks", "route53-queries")
    assert queries.quantity_min == pytest.approx(public * DNS_SHARE / 1e6, rel=1e-6)
    [checks] = lines(p, "DNS and health checks", "route53-health-check")
    assert checks.quantity_min == len(p.regions.value) * (1 + sum(1 for s in p.services if s.public))

"""The HLD document: every section from the plan, a well-formed Mermaid graph, lint-clean
Markdown, the Graphviz SVG when dot is installed, golden and deterministic."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from pymarkdown.api import PyMarkdownApi
from typer.testing import CliRunner

from blueprints import load, plan
from generators.docs import diagram, document, files
from hld.cli import app
from tests.golden_docs import GOLDEN, document_of
from tests.helpers import EXAMPLE_FILES, EXAMPLES, ROOT, make, parse_doc

STEMS = [p.stem for p in EXAMPLE_FILES]
SECTIONS = [
    "## 1. Architecture",
    "## 2. Module breakdown",
    "## 3. Technology stack",
    "## 4. Data flow",
    "## 5. API design",
    "## 6. Security considerations",
    "## 7. Scalability and performance",
    "## 8. Availability and consistency",
]


@pytest.mark.parametrize("stem", STEMS)
def test_document_has_every_section_and_matches_golden(stem):
    text = document_of(EXAMPLES / f"{stem}.yaml")
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert text == document_of(EXAMPLES / f"{stem}.yaml")  # deterministic
    assert text == (GOLDEN / f"{stem}.md").read_text(), "document changed; if intended, run `make golden`"


@pytest.mark.parametrize("stem", STEMS)
def test_markdown_is_lint_clean(stem):
    """pymarkdown (GitHub-flavoured rules); line length is off: tables and generated prose."""
    result = PyMarkdownApi().disable_rule_by_identifier("md013").scan_string(document_of(EXAMPLES / f"{stem}.yaml"))
    assert result.scan_failures == [], result.scan_failures[:5]


@pytest.mark.parametrize("stem", STEMS)
def test_mermaid_graph_is_well_formed(stem):
    text = diagram(plan(load(EXAMPLES / f"{stem}.yaml"))).mermaid()
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    declared = [m.group(1) for line in lines if (m := re.match(r'^\s+(\w+)\["[^"]*"\]$', line))]
    assert len(declared) == len(set(declared)), "a node is declared twice"
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", n) for n in declared)
    edges = [re.match(r"^\s+(\w+) -->(?:\|[^|]*\|)? (\w+)$", line) for line in lines if "-->" in line]
    assert edges and all(edges)
    for e in edges:
        assert e.group(1) in declared and e.group(2) in declared, e.group(0)
    assert sum(line.strip().startswith("subgraph ") for line in lines) == sum(line.strip() == "end" for line in lines)
    # users reach a load balancer, and every service is drawn per region
    p = plan(load(EXAMPLES / f"{stem}.yaml"))
    for svc in p.services:
        for region in p.regions.value:
            assert f"svc_{svc.name.replace('-', '_')}_{region.replace('-', '_')}" in declared


def test_statements_come_from_the_plan():
    doc = make(availability=99.5, security={"deletion_protection": False})
    text = document(plan(parse_doc(doc)))
    assert "Target 99.5 % per month" in text
    assert "| No deletion by accident | **RELAXED by the blueprint** |" in text
    assert "`api`" in text and "| `api` | GET | `/` | yes |" in text


def test_render_docs_writes_plan_json_and_the_svg_when_dot_is_installed(tmp_path):
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        app, ["render", str(EXAMPLES / "e-commerce.yaml"), "--target", "docs", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "plan.json").read_text())
    assert data["name"] == "e-commerce" and data["availability"]["met"] is True
    text = (out / "HLD.md").read_text()
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed here (CI installs it)")
    svg = (out / "architecture.svg").read_text()
    assert "<svg" in svg and "order" in svg
    assert "![Architecture (Graphviz)](architecture.svg)" in text


def test_without_dot_the_document_says_so(monkeypatch):
    import importlib

    module = importlib.import_module("generators.docs.document")

    monkeypatch.setattr(module.shutil, "which", lambda _name: None)
    p = plan(load(EXAMPLES / "e-commerce.yaml"))
    out = files(p, module.svg_of(p))
    assert "architecture.svg" not in out
    assert "Graphviz's `dot` was not installed" in out["HLD.md"]


def test_ci_installs_graphviz():
    assert "apt-get install -y -q graphviz" in (ROOT / ".ci" / "run").read_text()


def _design_document(stem: str) -> str:
    from tests.helpers import DESIGNS

    return document_of(DESIGNS / f"{stem}.yaml")


@pytest.mark.parametrize("stem", ["regional-api", "wiki", "static-site", "static-site-waf", "chat"])
def test_the_test_designs_document_lint_clean(stem):
    text = _design_document(stem)
    assert all(section in text for section in SECTIONS)
    result = PyMarkdownApi().disable_rule_by_identifier("md013").scan_string(text)
    assert result.scan_failures == [], result.scan_failures[:5]


def test_a_static_site_document_draws_the_cdn_and_the_bucket_and_no_compute():
    text = _design_document("static-site")
    assert "cdn -->|origin access control| store_site_us_east_1" in text
    assert "origin access control" in text.split("## 4. Data flow")[1].split("## 5.")[0]
    assert "Amazon ECS" not in text and "Load balancer" not in text and "HTTPS listeners" not in text
    assert "No services" in text and "No API" in text


def test_the_security_section_names_only_parts_that_exist():
    security = _design_document("regional-api").split("## 6. Security considerations")[1].split("## 7.")[0]
    for absent in ("CloudFront", "DynamoDB", "SQS", "S3"):
        assert absent not in security, absent
    assert "| Dead-letter queues | n/a |" in security


def test_each_route_has_its_own_data_flow_steps():
    text = _design_document("chat")
    history = text.split("### gateway: GET /rooms/{id}/history")[1].split("###")[0]
    send = text.split("### gateway: POST /rooms/{id}/messages")[1].split("##")[0]
    assert "`messages`" in history and "`fanout`" not in history and "`presence`" not in history
    assert "enqueues to `fanout`" in send


def test_the_diagram_and_the_flows_show_only_what_the_plan_carries():
    bp = load(EXAMPLES / "url-shortener.yaml")  # dynamic traffic bypasses the CDN, nothing is cached
    p = plan(bp)
    mermaid = diagram(p).mermaid()
    assert "carries no route" in mermaid and "--> cdn" not in mermaid and "cdn -->" not in mermaid
    text = document(p)
    assert "`shortener` reads `urls`" in text and "`shortener` reads and writes `urls`" in text  # GET, POST
    assert "web application firewall's rules pass it" in text  # edge.waf: on the load balancers
    doc = bp.model_dump(mode="json", by_alias=True, exclude_unset=True)
    doc["services"][0]["routes"] = ["POST /shorten", {"route": "GET /{code}", "cache": "public"}]
    cached = diagram(plan(parse_doc(doc))).mermaid()
    assert "dns --> cdn" in cached and "cdn -->|cached routes| lb_us_east_1" in cached

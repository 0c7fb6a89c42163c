"""The HLD document: `HLD.md` (jinja2, templates/HLD.md.j2; its Latency section and PACELC record
formatted by generators.docs.latency), the architecture as Mermaid and, when Graphviz's `dot` is
installed, as SVG, `plan.json` and, for a plan with operations, its SLOs as OpenSLO and its
runbooks (generators.docs.operations). Every statement comes from the Plan; nothing is written
per example.

Text from the blueprint is written only escaped for where it lands: free text and routes as
Markdown inline text (`inline`: one line, Markdown and HTML punctuation backslash-escaped, so
no heading, list, fence, table cell break, link, emphasis, raw HTML or math starts in it), names
and paths as code spans fenced longer than any backtick run inside (`code`), Mermaid labels
with Mermaid's entity codes (`mermaid_label`), Graphviz labels DOT-quoted (`dot_label`).
Control characters are refused before (blueprints.grammar); any that got here would be written
as visible escapes (`\\x1b`), never as the byte."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Any

from blueprints.figures import SLAS
from blueprints.monitoring import METRICS
from blueprints.plan_model import Plan, RoutePlan, Runbook, RunbookStep
from blueprints.planner.quotas import rows as quota_rows
from blueprints.problems import printable
from blueprints.units import human_duration
from blueprints.whatif import explain, region_loss_text
from generators.docs.latency import latency_helpers
from generators.docs.operations import measured, openslo_text, runbooks_json, stage_seconds
from generators.resources import templates

TEMPLATES = templates()

MARKDOWN_PUNCTUATION = frozenset("\\`*_[]<>#|~!&$")
"""What CommonMark, GFM and GitHub's math read in inline text: escapes, code spans, emphasis,
links and images, raw HTML and autolinks, headings, table cells, strikethrough, entities and
`$` math. Each is backslash-escaped (CommonMark: any ASCII punctuation may be)."""
_BLOCK_START = re.compile(r"^(?:([-+=])|([0-9]{1,9})([.)]))")
"""What starts a list, a thematic break or a setext underline at the start of a line."""
MERMAID_SAFE = re.compile(r"[A-Za-z0-9 .,:;()+_/'-]")
"""Characters a quoted Mermaid label shows as themselves; any other is written `#<code>;`."""


def inline(text: object) -> str:
    """Text as Markdown inline content that renders as that text: one line (a paragraph or a table
    cell), each Markdown or HTML character backslash-escaped, a list or break marker at the start
    escaped."""
    line = printable(" ".join(str(text).split()))
    escaped = "".join("\\" + c if c in MARKDOWN_PUNCTUATION else c for c in line)
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


URL = re.compile(r"https?://[^\s<>()|`]+[^\s<>()|`.,;:]")


def inline_links(text: object) -> str:
    """`inline`, with each URL in it as an autolink (`<https://...>`, whose text is not escaped)."""
    line = " ".join(str(text).split())
    parts = URL.split(line)

    def segment(part: str) -> str:  # inline() trims: the spaces around a URL are kept
        return (" " if part[:1] == " " else "") + inline(part) + (" " if part[-1:] == " " and part.strip() else "")

    out = [segment(parts[0])]
    for url, rest in zip(URL.findall(line), parts[1:], strict=True):
        out += [f"<{printable(url)}>", segment(rest)]
    return "".join(out)


def code(text: object, cell: bool = False) -> str:
    """Text as a Markdown code span: on one line, fenced with one backtick more than its longest
    run of backticks (padded when it starts or ends with one); in a table `cell`, `|` escaped."""
    body = printable(" ".join(str(text).split())) or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    pad = " " if body[0] == "`" or body[-1] == "`" else ""
    if cell:
        body = body.replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def mermaid_label(text: object) -> str:
    """Text for a quoted Mermaid label or edge text: MERMAID_SAFE as is, anything else (quotes,
    brackets, `<`, `#`, `|`, line breaks, non-ASCII) as Mermaid's `#<decimal>;` entity code."""
    return "".join(c if MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};" for c in " ".join(str(text).split()))


def dot_label(text: object) -> str:
    """Text for a double-quoted Graphviz string: backslashes and quotes escaped, one line."""
    return printable(" ".join(str(text).split())).replace("\\", "\\\\").replace('"', '\\"')


@dataclass
class Diagram:
    """A graph both Mermaid and Graphviz can draw: nodes (id, label, group) and edges."""

    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (label, group)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, label)

    def node(self, ident: str, label: str, group: str = "") -> str:
        safe = re.sub(r"[^A-Za-z0-9_]", "_", ident)
        self.nodes.setdefault(safe, (label, group))
        return safe

    def edge(self, a: str, b: str, label: str = "") -> None:
        if (a, b, label) not in self.edges:
            self.edges.append((a, b, label))

    def mermaid(self) -> str:
        lines = ["flowchart LR"]
        groups: dict[str, list[str]] = {}
        for ident, (_, group) in self.nodes.items():
            groups.setdefault(group, []).append(ident)
        for group, idents in groups.items():
            if group:
                lines.append(f'  subgraph {re.sub(r"[^A-Za-z0-9_]", "_", group)}["{mermaid_label(group)}"]')
            for ident in idents:
                label = mermaid_label(self.nodes[ident][0])
                lines.append(f'    {ident}["{label}"]' if group else f'  {ident}["{label}"]')
            if group:
                lines.append("  end")
        for a, b, label in self.edges:
            lines.append(f"  {a} -->|{mermaid_label(label)}| {b}" if label else f"  {a} --> {b}")
        return "\n".join(lines)

    def dot(self) -> str:
        lines = ["digraph hld {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
        groups: dict[str, list[str]] = {}
        for ident, (_, group) in self.nodes.items():
            groups.setdefault(group, []).append(ident)
        for n, (group, idents) in enumerate(groups.items()):
            if group:
                lines.append(f'  subgraph cluster_{n} {{ label="{dot_label(group)}";')
            for ident in idents:
                lines.append(f'    {ident} [label="{dot_label(self.nodes[ident][0])}"];')
            if group:
                lines.append("  }")
        for a, b, label in self.edges:
            lines.append(f'  {a} -> {b} [label="{dot_label(label)}"];' if label else f"  {a} -> {b};")
        lines.append("}")
        return "\n".join(lines)


def diagram(plan: Plan) -> Diagram:
    """Users -> DNS -> CDN/WAF -> load balancer -> services -> data stores, per region."""
    d = Diagram()
    users = d.node("users", "Users")
    entry = users
    public = [s for s in plan.services if s.public]
    if public and plan.edge.domain:
        dns = d.node("dns", f"Route 53: {plan.edge.domain}", "edge")
        d.edge(entry, dns)
        entry = dns
    through_cdn = plan.edge.cdn is not None and plan.edge.cdn.dynamic.value == "through"
    site = plan.edge.cdn.site if plan.edge.cdn is not None else None
    if site is not None:  # a static site: users -> DNS -> CloudFront -> the site's bucket(s)
        if plan.edge.domain:
            dns = d.node("dns", f"Route 53: {plan.edge.domain}", "edge")
            d.edge(entry, dns)
            entry = dns
        cdn = d.node("cdn", "CloudFront" + (" + WAF" if plan.edge.waf else ""), "edge")
        d.edge(entry, cdn, "HTTPS" if plan.edge.tls else "HTTP")
        for region in plan.store(site).regions:
            group = f"{region}" + (" (primary)" if region == plan.primary_region else "")
            d.edge(cdn, d.node(f"store_{site}_{region}", f"{site}: s3 (private)", group), "origin access control")
    # the CDN carries public traffic only through it, or the routes it caches: drawn as it carries
    cached = plan.edge.cdn is not None and bool(plan.edge.cdn.cached)
    if public and plan.edge.cdn is not None:
        waf = " + WAF" if plan.edge.waf else ""
        if through_cdn or cached:
            cdn = d.node("cdn", "CloudFront" + waf, "edge")
            d.edge(entry, cdn)
        else:
            d.node("cdn", f"CloudFront{waf}: carries no route (none is cache: public)", "edge")
        if through_cdn:
            entry = cdn
    for region in plan.regions.value:
        group = f"{region}" + (" (primary)" if region == plan.primary_region else "")
        lb = d.node(f"lb_{region}", "Load balancer" + (" + WAF" if plan.edge.waf else ""), group) if public else ""
        if lb:
            d.edge(entry, lb, "HTTPS" if plan.edge.tls else "HTTP")
            if cached and not through_cdn:
                d.edge(d.node("cdn", "CloudFront", "edge"), lb, "cached routes")
        for svc in plan.services:
            cap = next(c for c in svc.capacity.value if c.region == region)
            node = d.node(
                f"svc_{svc.name}_{region}", f"{svc.name} ({cap.min_replicas}-{cap.max_replicas} tasks)", group
            )
            if svc.public and lb:
                d.edge(lb, node)
            for callee in svc.calls:
                d.edge(node, d.node(f"svc_{callee}_{region}", callee, group))
            for store_name in svc.stores:
                store = plan.store(store_name)
                if region in store.regions or store.single_writer:
                    home = region if region in store.regions and not store.single_writer else store.writer_region
                    home_group = home + (" (primary)" if home == plan.primary_region else "")
                    target = d.node(f"store_{store.name}_{home}", f"{store.name}: {store.engine.value}", home_group)
                    d.edge(node, target, "async" if store_name in svc.async_uses else "")
        for store in plan.datastores:
            if region in store.regions and store.single_writer and region != store.writer_region:
                replica = d.node(f"store_{store.name}_{region}", f"{store.name} replica", group)
                d.edge(d.node(f"store_{store.name}_{store.writer_region}", store.name, ""), replica, "replication")
    return d


def _waf_on(plan: Plan, where: str) -> bool:
    """The plan puts a web application firewall on `where` ("CloudFront", "load balancer")."""
    return plan.edge.waf is not None and where in plan.edge.waf.value


def _steps(plan: Plan) -> list[dict[str, Any]]:
    """Numbered data-flow steps per public route (sync calls first, then async paths)."""
    flows = []
    for svc in [s for s in plan.services if s.public]:
        for route in svc.routes or [RoutePlan(route="ANY /", uses=svc.calls + svc.stores, cached=False)]:
            steps = [
                "The user's request resolves through Route 53" if plan.edge.domain else "The user's request arrives"
            ]
            if route.cached:
                steps.append("CloudFront answers it from its cache (a shared, public response) or forwards it")
            elif plan.edge.cdn is not None and plan.edge.cdn.dynamic.value == "through":
                steps.append("CloudFront forwards it, uncached, to the nearest healthy region")
            waf = " and its web application firewall's rules pass it" if _waf_on(plan, "load balancer") else ""
            steps.append(
                f"The load balancer terminates {'TLS' if plan.edge.tls else 'HTTP'}{waf}, and forwards to {code(svc.name)}"
            )
            for callee in svc.calls:
                if callee in route.uses:
                    steps.append(f"{code(svc.name)} calls {code(callee)}")
            reads_only = route.route.split(" ", 1)[0] in ("GET", "HEAD")
            for store in [s for s in svc.stores if s in route.uses]:
                used = plan.store(store)
                # the blueprint says which stores a route uses, not how: a safe method is taken to
                # read, any other to read and write; a queue is written to
                if used.messaging:
                    verb = "may enqueue to" if reads_only else "enqueues to"
                else:
                    verb = "reads" if reads_only else "reads and writes"
                when = " (asynchronously, off the request path)" if store in svc.async_uses else ""
                steps.append(f"{code(svc.name)} {verb} {code(store)} ({used.technology}){when}")
            flows.append({"route": f"{svc.name}: {route.route}", "steps": steps})
    if plan.edge.cdn is not None and plan.edge.cdn.site:
        site = plan.store(plan.edge.cdn.site)
        flows.append(
            {
                "route": f"{site.name}: GET /*",
                "steps": [
                    "The user's request resolves through Route 53"
                    if plan.edge.domain
                    else "The user's request arrives",
                    "CloudFront answers it from its cache, or reads the object from the bucket through its origin "
                    f"access control ({code(site.name)}, {site.technology}; the bucket stays private)",
                ],
            }
        )
    consumers = []
    for svc in plan.services:
        if not svc.public:
            for store in svc.stores:
                if plan.store(store).messaging:
                    consumers.append(
                        f"{code(svc.name)} consumes {code(store)} and processes its messages outside any request"
                    )
    return flows + ([{"route": "asynchronous paths", "steps": consumers}] if consumers else [])


def store_technologies(plan: Plan) -> list[tuple[str, str, str]]:
    """(kind, what runs it on AWS, its stand-in on kind) for each kind of store the plan has."""
    from generators.kubernetes.standins import STAND_INS

    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for store in plan.datastores:
        out.setdefault((store.kind, store.technology), (store.kind, store.technology, STAND_INS[store.kind].product))
    return list(out.values())


def cost_components(plan: Plan) -> list[tuple[str, float, float]]:
    """(component, USD a month at the minimum, at the maximum) over every region, largest first."""
    totals: dict[str, list[float]] = {}
    for line in plan.cost.lines if plan.cost else []:
        low_high = totals.setdefault(line.component, [0.0, 0.0])
        low_high[0] += line.monthly_min
        low_high[1] += line.monthly_max
    return sorted(((c, low, high) for c, (low, high) in totals.items()), key=lambda row: (-row[1], row[0]))


def context(plan: Plan, svg: str | None) -> dict[str, Any]:
    zone = explain(plan, "zone-loss")
    region = explain(plan, "region-loss") if plan.level.value == "multi-region" else None
    return {
        "plan": plan,
        "mermaid": diagram(plan).mermaid(),
        "svg": svg,
        "store_technologies": store_technologies(plan),
        "cost_components": cost_components(plan),
        "flows": _steps(plan),
        "slas": SLAS,
        "figures": list(
            dict.fromkeys(p.sla for j in plan.availability.journeys for p in [*j.regional, *j.global_parts])
        ),
        "zone": zone,
        "region": region,
        "duration": lambda s: "not recoverable by the plan" if s is None else human_duration(s) if s else "0 s",
        "region_loss": region_loss_text(plan),
        "cdn_caching": _cdn_caching(plan),
        "quota_rows": quota_rows(plan),
        **operations_helpers(),
        **latency_helpers(plan),
    }


def operations_helpers() -> dict[str, Any]:
    """What the Operations section formats: metrics by their key, percentages, FIS parameters, a
    runbook's RTO by stage and who performs a step."""

    def stage_sum(runbook: Runbook) -> str:
        return " + ".join(f"{stage} {human_duration(s) if s else '0 s'}" for stage, s in stage_seconds(runbook))

    def how(step: RunbookStep) -> str:
        if step.automated:
            return "automatic"
        if step.automation:
            return f"operator: Systems Manager Automation {code(step.automation, cell=True)}"
        return f"operator: {code(step.command, cell=True)}" if step.command else "operator"

    def params(*maps: dict[str, str]) -> str:
        return ", ".join(code(f"{k}={v}", cell=True) for m in maps for k, v in sorted(m.items())) or "-"

    return {
        "metric_name": lambda key: f"{METRICS[key].namespace} {METRICS[key].name}" if key in METRICS else key,
        "metric_unit": lambda key: (
            f" {METRICS[key].unit.lower()}" if key in METRICS and METRICS[key].unit != "None" else ""
        ),
        "percent": lambda ratio: f"{ratio * 100:.4g} %",
        "params": params,
        "stage_sum": stage_sum,
        "measured": measured,
        "how": how,
    }


def _cdn_caching(plan: Plan) -> str:
    cdn = plan.edge.cdn
    if cdn is None:
        return ""
    if cdn.site:
        text = "the site's files are cached within these TTLs"
    elif cdn.cached:
        text = f"cached: {', '.join(code(p) for p in cdn.cached)}, whose responses carry `Cache-Control: {cdn.cache_control}`"
    else:
        text = "nothing dynamic is cached (no route is `cache: public`)"
    if cdn.hit_ratio is not None:
        text += f"; stated hit ratio {cdn.hit_ratio:.0%}"
    return text


def cell(text: object) -> str:
    """Free text made safe for a Markdown table cell: `|` escaped, line breaks as spaces."""
    return " ".join(str(text).replace("\\", "\\\\").replace("|", "\\|").split())


def document(plan: Plan, svg: str | None = None) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["cell"] = cell
    env.filters["inline"] = inline
    env.filters["inline_links"] = inline_links
    env.filters["code"] = code
    env.filters["code_cell"] = lambda text: code(text, cell=True)
    env.filters["links"] = lambda text: re.sub(r"(https?://[^\s)>,]+)", r"<\1>", str(text))
    text = env.get_template("HLD.md.j2").render(**context(plan, svg))
    return re.sub(r"\n{3,}", "\n\n", text)


def svg_of(plan: Plan) -> str | None:
    """The architecture as SVG through Graphviz, or None when `dot` is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    done = subprocess.run([dot, "-Tsvg"], input=diagram(plan).dot(), capture_output=True, text=True, check=True)
    return done.stdout


def files(plan: Plan, svg: str | None) -> dict[str, str]:
    """HLD.md, plan.json, with Graphviz architecture.svg and, when the plan has operations, the
    SLOs as OpenSLO (openslo.yaml) and the runbooks (runbooks.json: JSON like plan.json, in the
    Plan's own field names, so the Plan's schema describes each step)."""
    out = {"HLD.md": document(plan, svg), "plan.json": plan.model_dump_json(indent=2) + "\n"}
    if svg is not None:
        out["architecture.svg"] = svg
    if plan.operations is not None:
        out["openslo.yaml"] = openslo_text(plan)
        out["runbooks.json"] = runbooks_json(plan)
    return out

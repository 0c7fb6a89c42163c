"""Human-readable views of a Plan and of a what-if, for the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from blueprints.figures import MONTH_SECONDS, SLAS
from blueprints.plan_model import Availability, Decided, FailoverCost, Fix, Journey, Plan, RecoveryStep
from blueprints.planner.journeys import pct
from blueprints.units import human_duration
from blueprints.whatif import WhatIf, region_loss_text

if TYPE_CHECKING:
    from hld.offline import Result

KEY_INPUTS = {
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("availabilityZone", "cidrBlock"),
    "aws:rds/instance:Instance": ("engine", "instanceClass", "multiAz", "replicateSourceDb"),
    "aws:rds/cluster:Cluster": ("engine", "globalClusterIdentifier"),
    "aws:rds/clusterInstance:ClusterInstance": ("instanceClass", "availabilityZone"),
    "aws:dynamodb/table:Table": ("billingMode", "replicas"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("engine", "nodeType", "numCacheClusters", "multiAzEnabled"),
    "aws:ecs/service:Service": ("desiredCount", "launchType"),
    "aws:ecs/taskDefinition:TaskDefinition": ("cpu", "memory"),
    "aws:appautoscaling/target:Target": ("minCapacity", "maxCapacity"),
    "aws:appautoscaling/policy:Policy": ("policyType",),
    "aws:lb/listener:Listener": ("port", "protocol", "sslPolicy"),
    "aws:lb/listenerRule:ListenerRule": ("priority",),
    "aws:sqs/queue:Queue": ("fifoQueue", "visibilityTimeoutSeconds"),
    "aws:route53/record:Record": ("name", "type", "setIdentifier"),
    "aws:cloudfront/distribution:Distribution": ("aliases",),
    "aws:wafv2/webAcl:WebAcl": ("scope",),
}


def _mark(ok: bool) -> Text:
    return Text("met", style="bold green") if ok else Text("NOT MET", style="bold red")


def _why(decided: Decided[Any]) -> str:
    return ("derived: " if decided.derived else "") + decided.reason


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", expand=False, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def margin_text(avail: Availability) -> str:
    """The estimate's margin over the target, in points and in downtime a month."""
    import math

    seconds = abs(avail.margin) / 100 * MONTH_SECONDS
    digits = max(4, 1 - math.floor(math.log10(abs(avail.margin)))) if avail.margin else 0
    size = f"{abs(avail.margin):.{digits}f}".rstrip("0").rstrip(".") + f" points ({human_duration(seconds)}/month)"
    if avail.margin < 0:
        return f"short by {size}"
    thin = ", thinner than the figures' 0.001-point rounding" if avail.margin < 0.001 else ""
    return f"margin {size}{thin}"


def chain_text(j: Journey) -> str:
    """A journey's chain in one unit (percent), the regions in parallel, the cache and the failovers."""
    chain = " x ".join(f"{p.component} {pct(p.percent)}" for p in j.regional)
    if j.regions_in_parallel > 1:
        chain = f"[{chain}] in {j.regions_in_parallel} regions"
    if j.hit_ratio is not None:
        chain = f"(hits {pct(j.hit_ratio * 100)}% + misses {pct(100 - j.hit_ratio * 100)}% x [{chain}])"
    if j.global_parts:
        chain += " x " + " x ".join(f"{p.component} {pct(p.percent)}" for p in j.global_parts)
    if j.failover_cost:
        chain += f" - {pct(j.failover_cost)} (regional failovers)"
    return chain


def failover_text(cost: FailoverCost) -> str:
    return (
        f"Regional failover: {human_duration(cost.seconds)} of errors for the lost region's users each time "
        f"({cost.source}); one takes {cost.share_of_month_budget:.0%} of the target's monthly budget. Assumed "
        f"{cost.per_year:g} a year (redundancy.failovers_per_year): -{pct(cost.points)} points in the estimate."
    )


def cost_text(plan: Plan) -> str:
    cost = plan.cost
    assert cost is not None
    at_least = "" if cost.complete else "at least "
    text = (
        f"{at_least}${cost.monthly_min:,.0f}/month at the static-stability minimum, {at_least}"
        f"${cost.monthly_max:,.0f} at the autoscaling maximum (prices of {cost.prices_checked}; `hld cost` for "
        "each line, its assumptions and what each alternative design costs)"
    )
    status = cost.budget_status
    if status != "none":
        word = {"met": "met", "over": "exceeded", "unchecked": "not checked (the estimate is incomplete)"}[status]
        text += f"; budget ${cost.budget:,.0f} {word}"
    if cost.unpriced:
        text += f"; incomplete, no price for {cost.unpriced_text}"
    return text


def cost_view(plan: Plan, rows: list[Any], steps: list[str]) -> Group:
    """`hld cost`: per component and region, the alternatives table, the steps between them."""
    cost = plan.cost
    assert cost is not None
    parts: list[Any] = [Text.assemble((f"{plan.name}: ", "bold"), cost_text(plan))]
    by: dict[tuple[str, str], list[float]] = {}
    for line in cost.lines:
        low_high = by.setdefault((line.component, line.region), [0.0, 0.0])
        low_high[0] += line.monthly_min
        low_high[1] += line.monthly_max
    table = _table("Per component and region (USD a month)", "component", "region", "minimum", "maximum")
    for (component, region), (low, high) in sorted(by.items()):
        table.add_row(component, region, f"{low:,.2f}", f"{high:,.2f}")
    parts.append(table)
    alts = _table(
        "Alternatives (each a re-plan; cheapest first)",
        "design",
        "availability",
        "zone loss RTO/RPO",
        "region loss RTO/RPO",
        "latency p50/p99 ms (slowest, per area)",
        "USD/month",
        "",
    )
    for a in rows:
        if a.plan is None:
            alts.add_row(a.label, "-", "-", "-", "-", "-", f"refused: {a.refused}")
            continue
        dr = a.plan.dr
        alts.add_row(
            a.label,
            f"{pct(a.plan.availability.estimate)}%",
            f"{_secs(dr.zone_loss_rto_seconds)} / {_secs(dr.zone_loss_rpo_seconds)}",
            f"{_secs(dr.region_loss_rto_seconds)} / {_secs(dr.region_loss_rpo_seconds)}",
            a.latency_text,
            f"{a.monthly:,.0f}" if a.complete else f">= {a.monthly:,.0f} (incomplete)",
            ("chosen " if a.chosen else "") + ("meets the targets" if a.meets else "misses a target"),
        )
    parts.append(alts)
    for step in steps:
        parts.append(Text(step))
    parts.append(Text("Assumptions (each once, with where to change it):"))
    for a in cost.assumptions:
        parts.append(Text(f"  - {a.text} ({a.where})"))
    parts.append(Text("Left out: " + "; ".join(cost.left_out)))
    return Group(*parts)


def quotas_view(plan: Plan) -> list[Any]:
    """The quotas the design needs beside AWS's, then a warning for each it needs more of (they do not
    fail the plan: AWS raises quotas on request) and what a new account may need besides."""
    from blueprints.planner.quotas import rows
    from blueprints.quotas import QUOTAS

    if plan.quotas is None or not plan.quotas.needs:
        return []
    table = _table(
        f"AWS quotas the design needs, minimum..autoscaling maximum (AWS's figures of {plan.quotas.checked})",
        "quota",
        "needs",
        "AWS quota",
    )
    for row in rows(plan):
        table.add_row(*row)
    sources = sorted({QUOTAS[n.quota].source for n in plan.quotas.needs})
    parts: list[Any] = [table, Text("Quota sources: " + " ".join(sources), style="dim")]
    parts += [Text(f"Warning: {w}", style="yellow") for w in plan.quotas.warnings]
    parts += [Text(f"Note: {n}", style="dim") for n in plan.quotas.notes]
    return parts


def operations_view(plan: Plan) -> list[Any]:
    """What watches the promises once deployed: the SLOs and their alerting, the other alarms, the
    experiments hld creates (and never runs) and the runbooks, then where alerts go."""
    ops = plan.operations
    if ops is None:
        return []
    slos = _table("SLOs (30-day window) and how they page", "journey", "target", "budget", "alerting")
    for s in ops.slos:
        alerting = (
            "; ".join(
                f"{w.burn_rate:g}x: {w.error_ratio:.4%} over {_dur(w.long_seconds)} and {_dur(w.short_seconds)}"
                for w in s.windows
            )
            if s.windows
            else "fast signal (budget under one datapoint)"
        )
        slos.add_row(s.journey, f"{s.target:g} %", f"{s.budget_seconds:g} s", alerting)
    parts: list[Any] = [slos]
    if ops.watches:
        watches = _table("Alarms on the plan's other promises", "watch", "of", "region", "metric", "fires")
        for w in ops.watches:
            sign = ">" if w.comparison == "GreaterThanThreshold" else "<"
            fires = "on each failover event" if w.kind == "event" else f"{sign} {w.threshold:g}"
            of = w.dimensions["HealthCheckId"].removeprefix("the ") if w.key == "health-check" else w.subject
            watches.add_row(w.key, of, w.region, w.metric, fires)
        parts.append(watches)
    if ops.experiments:
        exp = _table(
            "Fault-injection experiments (created by `pulumi up`, never run by hld; how to run each: the HLD "
            "document, or --json)",
            "template",
            "loses",
            "actions",
        )
        for e in ops.experiments:
            exp.add_row(e.name, e.lost, ", ".join(sorted({a.action for a in e.actions})))
        parts.append(exp)
    if ops.runbooks:
        books = _table("Runbooks", "loss", "steps", "manual", "RTO")
        for b in ops.runbooks:
            manual = [s for s in b.steps if not s.automated]
            books.add_row(
                b.lost,
                str(len(b.steps)),
                ", ".join(s.automation or s.command or s.action for s in manual)[:120] or "none",
                _secs(b.rto_seconds),
            )
        parts.append(books)
    parts.append(Text(f"Alerts: {', '.join(ops.alert_emails.value) or 'nobody'} ({ops.alert_emails.reason})"))
    parts += [Text(f"Warning: {w}", style="yellow") for w in ops.warnings]
    return parts


def _dur(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


def _secs(value: float | None) -> str:
    return "not survived" if value is None else f"{value:g} s"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def latency_view(plan: Plan) -> list[object]:
    """Each journey's latency per users' area beside availability, the slowest pair's hops, and the
    PACELC record of each store."""
    lat = plan.latency
    if lat is None or not lat.journeys:
        return []
    judged = lat.met is not None
    head = Text.assemble(
        ("Latency (estimate at the user, ms): ", "bold"),
        f"users {', '.join(f'{a} {s:g}%' for a, s in lat.users.value.items())}; routing {lat.routing.value} "
        f"({lat.routing.reason}); slowest: {lat.worst}" + ("; targets " if judged else ""),
        _mark(bool(lat.met)) if judged else "",
    )
    table = _table("", "journey", "users' area", "served from", "p50", "p99", "first request p50/p99", "target")
    for j in lat.journeys:
        target = "/".join(_ms(v) for v in (j.target_p50, j.target_p99)) if j.met is not None else "none"
        for a in j.areas:
            table.add_row(
                j.journey + (" (CDN hits counted)" if j.cached else ""),
                f"{a.area} ({a.share:g}%)",
                a.serving,
                _ms(a.p50),
                _ms(a.p99),
                f"{_ms(a.first_p50)}/{_ms(a.first_p99)}",
                Text.assemble(target + " ", _mark(a.met)) if a.met is not None else target,
            )
    out: list[object] = [head, table]
    if lat.worst is not None:
        name, area = lat.worst_journey, lat.worst_area
        at = next(a for j in lat.journeys if j.journey == name for a in j.areas if a.area == area)
        hops = _table(f"Hops of {lat.worst} (share: of its requests)", "hop", "p50", "p99", "share")
        for h in at.hops:
            hops.add_row(h.what + (" (assumed)" if h.assumed else ""), _ms(h.p50), _ms(h.p99), f"{h.share:.0%}")
        out.append(hops)
        out.append(Text("Each hop's source: plan --json, latency.journeys[].areas[].hops[].source.", style="dim"))
    if lat.pacelc:
        record = _table(
            "PACELC (beside CAP): what strong costs over eventual, median ms",
            "store",
            "consistency",
            "record",
            "per area: reads / writes",
        )
        for r in lat.pacelc:
            record.add_row(
                r.store,
                r.consistency,
                r.record,
                "; ".join(f"{a}: +{r.strong_read_ms[a]:g} / +{r.strong_write_ms[a]:g}" for a in r.strong_read_ms),
            )
        out.append(record)
    out.append(Text(lat.model, style="dim"))
    return out


def plan_view(plan: Plan) -> Group:
    parts: list[object] = [
        Text(f"{plan.name}: plan for stack {plan.stack!r} ({plan.environment})", style="bold"),
    ]
    knobs = _table("Decisions", "knob", "value", "why")
    knobs.add_row("redundancy level", plan.level.value, _why(plan.level))
    knobs.add_row("replication", str(plan.replication.value or "-"), _why(plan.replication))
    knobs.add_row("consistency", plan.consistency.value, _why(plan.consistency))
    knobs.add_row("regions", ", ".join(plan.regions.value) + f" (primary {plan.primary_region})", _why(plan.regions))
    knobs.add_row("zones per region", str(plan.zones_per_region.value), _why(plan.zones_per_region))
    knobs.add_row(
        "DR strategy", f"{plan.dr.strategy.value} (region loss: {region_loss_text(plan)})", _why(plan.dr.strategy)
    )
    for net in plan.networks:
        knobs.add_row(
            f"network {net.region}",
            f"{net.cidr}, zones {', '.join(net.zones)}, {net.nat_gateways.value} NAT",
            net.nat_gateways.reason,
        )
        if net.subnet_zones and net.subnet_zones.value != net.zones:
            knobs.add_row(f"subnet zones {net.region}", ", ".join(net.subnet_zones.value), net.subnet_zones.reason)
    parts.append(knobs)

    avail = plan.availability
    head = Text.assemble(
        ("Availability (SLA-based estimate): ", "bold"),
        f"target {pct(avail.target)}%, estimate {pct(avail.estimate)}%, {margin_text(avail)} "
        f"(weakest: {avail.weakest}) ",
        _mark(avail.met),
    )
    parts.append(head)
    journeys = _table("", "journey", "chain (percent)", "estimate")
    for j in avail.journeys:
        journeys.add_row(j.name, chain_text(j), f"{pct(j.estimate)}%")
    parts.append(journeys)
    month_days = MONTH_SECONDS // 86400
    parts.append(
        Text(
            f"Downtime budget ({month_days}-day month, 365-day year): target {avail.target_budget.per_month}/month, "
            f"{avail.target_budget.per_year}/year; this design's estimate {avail.estimate_budget.per_month}/month."
        )
    )
    if avail.failover is not None:
        parts.append(Text(failover_text(avail.failover)))
    parts += latency_view(plan)
    if plan.cost is not None:
        parts.append(Text.assemble(("Cost (estimate): ", "bold"), cost_text(plan)))

    services = _table("Services", "service", "task", "per region: replicas/zone, min..max", "why")
    for svc in plan.services:
        caps = "; ".join(
            f"{c.region} {c.role}: {c.replicas_per_zone}/zone, {c.min_replicas}..{c.max_replicas}"
            for c in svc.capacity.value
        )
        rounded = "rounded up from" in svc.task_cpu.reason  # Fargate's fixed sizes: say so, and why
        services.add_row(
            svc.name,
            f"{svc.task_cpu.value} cpu / {svc.task_memory} MiB"
            + (" (rounded up to a Fargate size)" if rounded else "")
            + f", CPU target {svc.target_cpu}%",
            caps,
            (f"task size: {svc.task_cpu.reason.split(' (https://')[0]}; replicas: " if rounded else "")
            + svc.capacity.reason,
        )
    parts.append(services if plan.services else Text("Services: none (the CDN serves the public object store)"))
    if any(svc.access for svc in plan.services):
        access = _table("Data-flow access (each role is granted exactly this)", "service", "store", "access", "why")
        for svc in plan.services:
            for use in svc.access:
                access.add_row(svc.name, use.store, use.access.value, _why(use.access))
        parts.append(access)
    for store in plan.datastores:
        if getattr(store, "bootstrap", None) is not None:
            users = ", ".join(f"{u.user} ({u.access}, {u.service})" for u in getattr(store, "users", []))
            parts.append(
                Text(
                    f"Database users of {store.name}: {users}. Made once by an operator after the first "
                    "`pulumi up` (the SQL: plan --json datastores[].bootstrap, or the HLD document)."
                )
            )

    stores = _table("Data stores", "store", "engine", "replication", "why")
    for store in plan.datastores:
        why = f"{store.engine.reason}. {store.replication.reason}"
        size = getattr(store, "instance_class", None)
        if size is not None:
            why += f". {size.value}: {size.reason}"
        writer = getattr(store, "writer_name", None)
        if writer is not None:
            why += f". Applications reach the writer as {writer.value}: {writer.reason}"
        stores.add_row(store.name, store.headline(), store.replication.value, why)
    parts.append(stores)

    edge = plan.edge
    edges = _table("Edge", "control", "decision")
    if edge.cdn:
        cdn = edge.cdn
        edges.add_row(
            "CDN",
            f"TTL min/default/max {cdn.min_ttl}/{cdn.default_ttl}/{cdn.max_ttl} s, "
            f"compress {'gzip+brotli' if cdn.compress else 'off'}, origin shield {'on' if cdn.origin_shield else 'off'}"
            + (", origin failover across regions" if cdn.origin_failover else ""),
        )
        edges.add_row("dynamic routes", f"{cdn.dynamic.value}: {_why(cdn.dynamic)}")
        if cdn.site:
            edges.add_row("static site", f"object store {cdn.site!r} through origin access control")
        edges.add_row(
            "cached",
            (", ".join(cdn.cached) + f" (services send Cache-Control: {cdn.cache_control})")
            if cdn.cached
            else "nothing dynamic (no route is `cache: public`)",
        )
        if cdn.hit_ratio is not None:
            stale = f", stale for {cdn.stale_if_error} s on origin errors" if cdn.stale_if_error else ""
            edges.add_row("hit ratio", f"{cdn.hit_ratio:.0%} (stated in the blueprint){stale}")
    if edge.waf:
        edges.add_row("WAF", edge.waf.value)
    if edge.domain:
        zone = edge.hosted_zone or f"the public zone {edge.domain.split('.', 1)[-1]}, looked up"
        edges.add_row("domain", f"{edge.domain} (hosted zone: {zone})")
    elif edge.needs_domain:
        edges.add_row(
            "domain",
            "none yet: a deployment sets hld:domain (offline runs use a placeholder under the reserved .invalid)",
        )
    if edge.dns:
        edges.add_row("DNS", f"{edge.dns.value}: {edge.dns.reason}")
    edges.add_row("TLS", "required" if edge.tls else "RELAXED (security.tls: disabled)")
    parts.append(edges)

    controls = _table("Security and data safety (HLD-RULES §7)", "control", "state", "detail")
    for c in plan.security:
        state = (
            Text("n/a", style="dim")
            if not c.applies
            else Text("on", style="green")
            if c.enabled
            else Text("RELAXED" if c.relaxed else "off", style="red" if c.relaxed else "")
        )
        controls.add_row(c.title, state, c.detail)
    parts.append(controls)

    objectives = _table("Recovery objectives", "objective", "disruption", "state", "detail")
    for o in plan.objectives:
        objectives.add_row(o.name.upper(), o.disruption, _mark(o.met), o.detail)
    parts.append(objectives)

    if plan.dr.region_loss_steps:
        parts.append(_steps_table(f"Recovery from losing {plan.primary_region}", plan.dr.region_loss_steps))
    if plan.dr.runbook:
        parts.append(Text("Region-loss runbook (what does not fail over by itself):", style="bold"))
        parts += [Text(f"  {i}. {step}") for i, step in enumerate(plan.dr.runbook, 1)]

    parts += operations_view(plan)
    parts += quotas_view(plan)

    used = sorted({p.sla for j in avail.journeys for p in j.regional + j.global_parts})
    sources = _table("Figures used", "component", "deployment", "SLA")
    sources.add_column("source", no_wrap=True, min_width=max((len(SLAS[k].source) for k in used), default=6))
    for key in used:
        sla = SLAS[key]
        sources.add_row(
            sla.component, sla.deployment, f"{sla.percent:g}%" + ("" if sla.verified else " (unverified)"), sla.source
        )
    parts.append(sources)
    parts.append(Text(plan.figures_note, style="dim"))

    if plan.unmet:
        parts.append(Text("The plan does not meet the blueprint's targets:", style="bold red"))
        for u in plan.unmet:
            parts.append(Text(f"  {u.what}: {u.why}"))
            if u.searched:
                parts.append(Text(f"    {u.searched}", style="yellow"))
            for fix in u.fixes:
                said = _fix_outcome(fix)
                if fix.relaxes:
                    parts.append(Text(f"    or relax the target: {fix.change} (reaches {fix.reaches}{said})"))
                elif fix.meets:
                    parts.append(Text(f"    meets it: {fix.change} (reaches {fix.reaches}{said})", style="green"))
                elif {"rto": "RTO", "rpo": "RPO", "cost": "budget"}.get(u.what, u.what) in fix.meets_targets:
                    parts.append(
                        Text(
                            f"    meets it, breaks {', '.join(fix.breaks)}: {fix.change} (reaches {fix.reaches}{said})"
                        )
                    )
                else:
                    parts.append(Text(f"    not enough alone: {fix.change} (reaches {fix.reaches}{said})"))
    return Group(*parts)  # type: ignore[arg-type]


def _fix_outcome(fix: Fix) -> str:
    """`; meets availability, RTO; breaks budget`: what the changed blueprint's plan meets and breaks."""
    out = ""
    if fix.meets_targets:
        out += f"; meets {', '.join(fix.meets_targets)}"
    if fix.breaks:
        out += f"; breaks {', '.join(fix.breaks)}"
    return out


def whatif_view(result: WhatIf) -> Group:
    parts: list[object] = [Text(f"What if: {result.disruption} ({result.lost})", style="bold"), Text(result.summary)]
    journeys = _table("Journeys", "journey", "survives", "how")
    for j in result.journeys:
        journeys.add_row(j.journey, Text("yes", style="green") if j.survives else Text("no", style="red"), j.detail)
    parts.append(journeys)
    services = _table("Capacity", "service", "left (rps)", "peak (rps)", "holds without scaling", "detail")
    for s in result.services:
        services.add_row(
            s.service,
            str(s.capacity_rps_left),
            str(s.peak_rps or "-"),
            "yes" if s.enough_without_scaling else "no",
            s.detail,
        )
    parts.append(services)
    rto = (
        "not recoverable in this plan"
        if result.rto_seconds is None
        else human_duration(result.rto_seconds)
        if result.rto_seconds
        else "0 s"
    )
    rpo = (
        "not recoverable in this plan"
        if result.rpo_seconds is None
        else human_duration(result.rpo_seconds)
        if result.rpo_seconds
        else "0 s"
    )
    if result.steps:
        parts.append(_steps_table(f"Recovery from losing {result.lost}", result.steps))
    parts.append(Text(f"Expected RTO {rto}, RPO {rpo}"))
    parts += [Text(line, style="red" if "MISSED" in line else "") for line in result.objectives]
    if result.misses:
        must = "must survive this loss" if result.must_survive else "this level does not promise to survive it"
        parts.append(
            Text(f"Misses ({must}): " + "; ".join(result.misses), style="bold red" if result.must_survive else "yellow")
        )
    return Group(*parts)  # type: ignore[arg-type]


def _steps_table(title: str, steps: list[RecoveryStep]) -> Table:
    """Recovery steps: the stage, what happens, on which plane of which region, how long, by whom."""
    table = _table(
        f"{title} (RTO: the slowest journey step of each stage, summed)",
        "stage",
        "step",
        "plane (region)",
        "time",
        "by",
    )
    for s in steps:
        table.add_row(
            s.stage,
            s.action,
            f"{s.service} {s.plane} ({s.region or 'global'})",
            _secs(s.seconds) + ("" if s.verified else " (unverified)"),
            ("automatic" if s.automated else "operator") + ("" if s.on_journeys else ", off the journeys"),
        )
    return table


def _brief(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def synth_view(result: Result) -> Group:
    graph = result.graph
    table = _table(
        f"Resources of stack {result.stack!r}: {len(graph)} (offline: Pulumi mock runtime)",
        "type",
        "name",
        "parent",
        "region",
        "key inputs",
    )
    for r in graph.resources:
        keys = KEY_INPUTS.get(r.type, ())
        shown = ", ".join(f"{k}={_brief(r.inputs[k])}" for k in keys if r.inputs.get(k) is not None)
        flags = " [protect]" if r.protect else ""
        table.add_row(r.type, r.name + flags, r.parent or "-", r.region or "-", shown)
    outputs = _table("Stack outputs", "output", "value")
    for key, value in result.outputs.items():
        outputs.add_row(
            key,
            _brief(value) if not isinstance(value, dict) else ", ".join(f"{k}: {_brief(v)}" for k, v in value.items()),
        )
    return Group(*_placeholder(result), table, outputs)


def _placeholder(result: Result) -> list[Text]:
    """The line that says a run used a placeholder domain, and what a deployment needs instead."""
    from hld.stack import is_placeholder

    domain = result.outputs.get("domain")
    if not is_placeholder(domain):
        return []
    return [
        Text(
            f"domain: {domain} is a placeholder under the reserved .invalid TLD (no domain in the blueprint or "
            "the stack); a deployment names one: pulumi config set hld:domain app.example.com",
            style="yellow",
        )
    ]


PIPED_WIDTH = 100
"""Columns when the output is not a terminal and COLUMNS is not set (a CI log, a file)."""


def console(stderr: bool = False) -> Console:
    """Tables fit the terminal, or COLUMNS when it is set, or PIPED_WIDTH; colours only on a terminal."""
    import os

    width = None if Console().is_terminal or os.environ.get("COLUMNS", "").isdigit() else PIPED_WIDTH
    return Console(stderr=stderr, width=width, highlight=False, markup=False)


def verify_view(result: Result, outcomes: list[Any], coverage: Any, impact: WhatIf | None) -> Group:
    from hld.checks import tally

    counted = tally(outcomes)
    parts: list[object] = [
        Text(
            f"Verified stack {result.stack!r} in the offline cloud ({result.cloud}): {counted.line()}"
            + (f"; FAILED: {', '.join(counted.failed)}" if counted.failed else ""),
            style="bold",
        )
    ]
    parts += _placeholder(result)
    checks = _table("Checks", "check", "status", "detail")
    for o in outcomes:
        style = {"pass": "green", "fail": "red", "skip": "yellow"}[o.status]
        checks.add_row(o.check, Text(o.status, style=style), "\n".join(o.problems) if o.problems else o.detail)
    parts.append(checks)
    recorded = [row for row in coverage.rows() if row["recorded"] or row["note"]]
    exercised = sum(coverage.exercised.values())
    parts.append(
        Text(
            f"Coverage: {exercised}/{coverage.total} resources ({coverage.percent:.1f} %) went through a real "
            + ("moto API" if result.cloud == "moto" else "cloud API (none: plain mocks echo inputs)")
        )
    )
    if recorded and result.cloud == "moto":
        table = _table("Not fully exercised", "type", "exercised", "recorded only", "how")
        for row in recorded:
            table.add_row(row["type"], str(row["exercised"]), str(row["recorded"]), row["note"])
        parts.append(table)
    if impact is not None:
        parts.append(whatif_view(impact))
    return Group(*parts)  # type: ignore[arg-type]


def audit_view(audited: Any, state: Path) -> Group:
    """`hld audit`: each check over the deployed state, how they count, what the reading assumed."""
    counted = audited.tally
    parts: list[object] = [
        Text(
            f"Audited stack {audited.stack!r} from {state}: {counted.line()}"
            + (f"; FAILED: {', '.join(counted.failed)}" if counted.failed else ""),
            style="bold",
        )
    ]
    checks = _table("Checks over the deployed state", "check", "status", "detail")
    for o in audited.outcomes:
        style = {"pass": "green", "fail": "red", "skip": "yellow"}[o.status]
        checks.add_row(o.check, Text(o.status, style=style), "\n".join(o.problems) if o.problems else o.detail)
    parts.append(checks)
    parts += [Text(f"Note: {note}") for note in audited.notes]
    return Group(*parts)  # type: ignore[arg-type]


def build_lines(built: Any, summary: dict[str, Any]) -> list[str]:
    """`hld build`'s summary: each part with its verdict, and what failed named on the last line."""
    plan = built.plan
    avail = plan.availability
    lines = [
        f"{plan.name}: availability estimate {avail.estimate:g}% vs target {avail.target:g}% "
        f"({'met' if avail.met else 'NOT met'})"
    ]
    for o in plan.objectives:
        lines.append(f"{o.name.upper()}: {o.detail} ({'met' if o.met else 'NOT met'})")
    verified = built.verified
    if verified is not None:
        counted = verified.tally
        lines.append(
            f"AWS (offline, moto, stack {verified.result.stack!r}): {counted.line()}"
            + (f"; FAILED: {', '.join(counted.failed)}" if counted.failed else "")
            + f"; {verified.coverage.percent:.1f}% of resources through a real moto API"
        )
    else:
        lines.append(f"AWS (offline, moto): REJECTED: {built.rejected}")
    problems = built.rendered.problems
    lines.append(
        f"Kubernetes: {len(built.rendered.objects)} objects, strict schema validation"
        + (f"; {len(problems)} PROBLEM(S): {problems[0]}" if problems else ", cross-object checks pass")
    )
    kubernetes = "kubernetes/" if not problems else "kubernetes/problems.json, no manifests"
    lines.append(f"Wrote {len(built.written)} files to {summary['out']}/ (verify.json, {kubernetes}, docs/)")
    if built.failed:
        lines.append(f"FAILED: {', '.join(built.failed)}")
    lines += ["Next:", *[f"  {step}" for step in summary["next"]]]
    return lines

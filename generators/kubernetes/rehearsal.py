"""A zone loss rehearsed on kind: the README's runbook per zone worker (drain it or stop its
container, watch, restore). The nodes are those of the cluster configuration the render writes
(cluster.kind_cluster), named as kind names them; the replicas and disruption budgets are those of
the objects it writes (cluster.objects): nothing here is counted by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blueprints.capacity import fullest_zone
from blueprints.plan_model import Plan
from blueprints.problems import printable
from generators.kubernetes.common import ZONE_KEY, KindOptions

COMPONENT = "app.kubernetes.io/component"
UNREACHABLE_TOLERATION_SECONDS = 300
"""How long a pod stays bound to an unreachable node before it is evicted: the toleration the
DefaultTolerationSeconds admission plugin adds to every pod (`node.kubernetes.io/unreachable`,
`--default-unreachable-toleration-seconds`, 300 s by default)."""


def node_names(cluster: dict[str, Any]) -> list[str]:
    """Each node's name, in the configuration's order, as kind names them: `<cluster>-<role>`, a
    number from the second node of a role on (`worker`, `worker2`, `worker3`: kind's
    MakeNodeNamer). The node's container has the same name."""
    seen: dict[str, int] = {}
    out = []
    for node in cluster["nodes"]:
        seen[node["role"]] = seen.get(node["role"], 0) + 1
        count = seen[node["role"]]
        out.append(f"{cluster['name']}-{node['role']}{count if count > 1 else ''}")
    return out


def zone_nodes(plan: Plan, kind: KindOptions) -> list[tuple[str, str]]:
    """(node, zone) of every worker that stands for a zone, in the configuration's order."""
    from generators.kubernetes.cluster import kind_cluster

    cluster = kind_cluster(plan, kind)
    return [
        (name, node["labels"][ZONE_KEY])
        for name, node in zip(node_names(cluster), cluster["nodes"], strict=True)
        if ZONE_KEY in node.get("labels", {})
    ]


@dataclass(frozen=True)
class Kept:
    """A service's Deployment through the loss of one zone's node."""

    name: str
    replicas: int
    on_a_node: int
    """The most replicas the zone spread (maxSkew 1) puts on one zone's node."""
    budget: int
    """The PodDisruptionBudget's minAvailable: what a drain keeps running."""


def services_kept(objs: list[dict[str, Any]], zones: int) -> list[Kept]:
    budgets = {o["metadata"]["name"]: o["spec"]["minAvailable"] for o in objs if o["kind"] == "PodDisruptionBudget"}
    return [
        Kept(o["metadata"]["name"], o["spec"]["replicas"], fullest_zone(o["spec"]["replicas"], zones), budgets[name])
        for o in objs
        if o["kind"] == "Deployment"
        and o["metadata"]["labels"].get(COMPONENT) == "service"
        and (name := o["metadata"]["name"]) in budgets
    ]


def stand_ins(objs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(workload, kind) of every stand-in: one replica each, on whichever worker took it."""
    return [
        (o["metadata"]["name"], o["kind"])
        for o in objs
        if o["kind"] in ("Deployment", "StatefulSet") and o["metadata"]["labels"].get(COMPONENT) == "datastore"
    ]


def _table(kept: list[Kept], nodes: int) -> list[str]:
    if not kept:
        return ["", "No services: only the stand-ins run on the workers.", ""]
    return [
        "",
        "| service | replicas | at most on one zone's node | kept running through a drain | after the loss |",
        "| --- | ---: | ---: | ---: | --- |",
        *(
            f"| `{printable(k.name)}` | {k.replicas} | {k.on_a_node} | {k.budget} (minAvailable) | "
            f"{k.replicas} on the other {nodes - 1} nodes |"
            for k in kept
        ),
        "",
    ]


def runbook(plan: Plan, kind: KindOptions, curl: str) -> list[str]:
    """The README's "Rehearse a zone loss": what to expect, then the commands per zone node."""
    from generators.kubernetes.cluster import objects
    from generators.kubernetes.guide import command

    objs = objects(plan, kind)
    nodes = zone_nodes(plan, kind)
    ns = plan.name
    kept = services_kept(objs, len(nodes))
    stores = stand_ins(objs)
    lines = [
        "## Rehearse a zone loss",
        "",
        f"Each worker stands for one zone ({ZONE_KEY}), so losing a worker rehearses losing that zone. "
        "Every service spreads its replicas over the zones (`maxSkew: 1`) and has a PodDisruptionBudget:",
        *_table(kept, len(nodes)),
        "What to expect:",
        "",
        "- Drain (a planned loss): the node is cordoned, then its pods are evicted no faster than the "
        "disruption budgets allow, so each service keeps at least its minAvailable replicas Ready; the zone "
        "spread skips the cordoned node's zone (`nodeTaintsPolicy: Honor`), so the evicted replicas start on "
        "the other zones' nodes and each service is back to its full count there.",
        "- Stop (an unplanned loss): the node turns NotReady once the node controller stops hearing from it; "
        "its pods then leave the Services' endpoints, so requests go to the other zones' replicas, and after "
        f"{UNREACHABLE_TOLERATION_SECONDS} s (the default toleration of `node.kubernetes.io/unreachable`) they "
        "are evicted and replaced on the other nodes. A disruption budget does not hold back a node that "
        "fails.",
        "- The journeys keep serving: the ingress controller runs on the control-plane node, and every "
        "service keeps replicas in the other zones.",
    ]
    if stores:
        lines.append(
            "- Except through the stand-ins: each has one replica ("
            + ", ".join(f"`{printable(name)}` ({kind_})" for name, kind_ in stores)
            + ") on whichever worker took it (on AWS the stores are Multi-AZ services). A Deployment's "
            "restarts on another node with what it held in memory gone; a StatefulSet's volume is bound to "
            "its node (kind's local-path storage), so it stays Pending until the node is back, and the "
            "journeys that use it fail meanwhile. To rehearse the services alone, pick a node no stand-in "
            "runs on: "
            + f"`{command('kubectl', '-n', ns, 'get', 'pods', '-l', f'{COMPONENT}=datastore', '-o', 'wide')}`."
        )
    lines += [
        "",
        "Watch in a second terminal, and keep a journey asking in a third (a request a second for ten "
        "minutes, each printing its status):",
        "",
        "```sh",
        command("kubectl", "-n", ns, "get", "pods", "-o", "wide", "-w"),
        curl,
        "```",
    ]
    for node, zone in nodes:
        lines += [
            "",
            f"### Lose {zone} (node `{node}`)",
            "",
            "```sh",
            "# what runs there",
            command("kubectl", "-n", ns, "get", "pods", "-o", "wide", "--field-selector", f"spec.nodeName={node}"),
            "# either: drain it (a planned loss), then restore it",
            command("kubectl", "drain", node, "--ignore-daemonsets", "--delete-emptydir-data"),
            command("kubectl", "uncordon", node),
            "# or: stop its container (an unplanned loss), then restore it",
            command("docker", "stop", node),
            command("docker", "start", node),
            "```",
        ]
    if kept:
        lines += [
            "",
            "After a restore the node is Ready and schedulable again, but nothing moves back by itself: the "
            "spread is enforced when pods are scheduled. To even the zones out again: "
            + ", ".join(f"`{command('kubectl', '-n', ns, 'rollout', 'restart', f'deployment/{k.name}')}`" for k in kept)
            + ".",
        ]
    return lines

"""Checks over the Kubernetes target: every object against the OpenAPI schema of the pinned
Kubernetes version (strict: unknown fields fail), then across objects."""

from __future__ import annotations

from typing import Any

from blueprints.capacity import fullest_zone
from blueprints.plan_model import Plan
from generators.kubernetes.common import ZONE_KEY


def schema_problems(objs: list[dict[str, Any]], version: str) -> list[str]:
    import kubernetes_validate

    out = []
    for obj in objs:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path)
            out.append(f"{obj['kind']}/{obj['metadata']['name']}: {where}: {exc.message}")
    return out


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def cross_problems(plan: Plan, objs: list[dict[str, Any]], cluster: dict[str, Any]) -> list[str]:
    """Selectors match pod labels; Service target ports exist on the containers; HPAs and PDBs
    target existing workloads, HPAs with the plan's bounds; every service spreads over the zones
    (maxSkew 1, DoNotSchedule); a PDB lets a zone's share of pods drain and no more;
    NetworkPolicies admit exactly the declared data flow; kind's zones are the planned ones."""
    from generators.kubernetes.network import flows

    out: list[str] = []
    workloads = [o for o in objs if o["kind"] in ("Deployment", "StatefulSet")]
    pods = {o["metadata"]["name"]: o["spec"]["template"] for o in workloads}
    zones = len(plan.zones(plan.primary_region))
    for w in workloads:
        name, template = w["metadata"]["name"], w["spec"]["template"]
        pod_labels = template["metadata"]["labels"]
        if not _matches(w["spec"]["selector"]["matchLabels"], pod_labels):
            out.append(f"{w['kind']}/{name}: selector does not match its pod labels")
        spread = template["spec"].get("topologySpreadConstraints", [])
        for c in spread:
            if not _matches(c["labelSelector"]["matchLabels"], pod_labels):
                out.append(f"{w['kind']}/{name}: spread constraint on {c['topologyKey']} selects other pods")
        if any(s.name == name for s in plan.services) and not any(
            c["topologyKey"] == ZONE_KEY and c["maxSkew"] == 1 and c["whenUnsatisfiable"] == "DoNotSchedule"
            for c in spread
        ):
            out.append(f"{w['kind']}/{name}: not spread over the zones (maxSkew 1 on {ZONE_KEY}, DoNotSchedule)")
    for svc in [o for o in objs if o["kind"] == "Service"]:
        name = svc["metadata"]["name"]
        selected = [t for t in pods.values() if _matches(svc["spec"]["selector"], t["metadata"]["labels"])]
        if not selected:
            out.append(f"Service/{name}: selects no pods")
        ports = {p["name"] for t in selected for c in t["spec"]["containers"] for p in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            if p["targetPort"] not in ports:
                out.append(f"Service/{name}: target port {p['targetPort']!r} is not a container port")
    for hpa in [o for o in objs if o["kind"] == "HorizontalPodAutoscaler"]:
        ref = hpa["spec"]["scaleTargetRef"]
        if not any(w["kind"] == ref["kind"] and w["metadata"]["name"] == ref["name"] for w in workloads):
            out.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: no {ref['kind']} {ref['name']}")
        planned = next((s for s in plan.services if s.name == ref["name"]), None)
        if planned is not None:
            cap = next(c for c in planned.capacity.value if c.region == plan.primary_region)
            bounds = (hpa["spec"].get("minReplicas"), hpa["spec"]["maxReplicas"])
            if bounds != (cap.min_replicas, cap.max_replicas):
                out.append(
                    f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: scales {bounds[0]}..{bounds[1]}, the plan "
                    f"needs {cap.min_replicas}..{cap.max_replicas}"
                )
    for pdb in [o for o in objs if o["kind"] == "PodDisruptionBudget"]:
        name = pdb["metadata"]["name"]
        targets = [
            w
            for w in workloads
            if _matches(pdb["spec"]["selector"]["matchLabels"], w["spec"]["template"]["metadata"]["labels"])
        ]
        if not targets:
            out.append(f"PodDisruptionBudget/{name}: selects no workload")
            continue
        replicas = targets[0]["spec"]["replicas"]
        ceiling = replicas - fullest_zone(replicas, zones)
        if pdb["spec"]["minAvailable"] > max(ceiling, 0) and replicas > 1:
            out.append(
                f"PodDisruptionBudget/{name}: minAvailable {pdb['spec']['minAvailable']} blocks draining a zone "
                f"({replicas} pods over {zones} zones)"
            )
        elif pdb["spec"]["minAvailable"] < ceiling:
            out.append(
                f"PodDisruptionBudget/{name}: minAvailable {pdb['spec']['minAvailable']} lets a drain evict more "
                f"than a zone's share ({replicas} pods over {zones} zones keep {ceiling})"
            )
    out += _network_problems(objs, flows(plan))
    kind_zones = {
        n["labels"][ZONE_KEY] for n in cluster["nodes"] if n["role"] == "worker" and ZONE_KEY in n.get("labels", {})
    }
    if kind_zones != set(plan.zones(plan.primary_region)):
        out.append(
            f"kind-cluster.yaml: worker zones {sorted(kind_zones)} are not the planned {plan.zones(plan.primary_region)}"
        )
    return out


def _network_problems(objs: list[dict[str, Any]], declared: set[tuple[str, str, int]]) -> list[str]:
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    out = []
    if not any(
        p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        out.append("NetworkPolicy: no default deny for the namespace")
    admitted = set()
    for p in policies:
        to = p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in p["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                source = peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                if source is None and "namespaceSelector" in peer:
                    source = "ingress"
                for port in rule.get("ports", []):
                    admitted.add((str(to), str(source), int(port["port"])))
    for flow in sorted(admitted - declared):
        out.append(f"NetworkPolicy: admits {flow[1]} to {flow[0]} on {flow[2]}, which the blueprint does not declare")
    for flow in sorted(declared - admitted):
        out.append(f"NetworkPolicy: the declared flow {flow[1]} -> {flow[0]}:{flow[2]} is not admitted")
    return out

"""Checks over the Kubernetes target: every object against the OpenAPI schema of the pinned
Kubernetes version (strict: unknown fields fail), then across objects."""

from __future__ import annotations

from typing import Any

from blueprints.capacity import fullest_zone
from blueprints.plan_model import Plan
from generators.kubernetes.common import PULL_POLICY, RESTRICTED, ZONE_KEY, KindOptions
from generators.kubernetes.profile import bounds


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


def _objects(plan: Plan, objs: list[dict[str, Any]], cluster: dict[str, Any], kind: KindOptions) -> list[str]:
    """Selectors match pod labels; Service target ports exist on the containers; HPAs and PDBs
    target existing workloads, HPAs with the plan's bounds; every service spreads over the zones
    (maxSkew 1, DoNotSchedule); a PDB lets a zone's share of pods drain and no more;
    NetworkPolicies admit exactly the declared data flow; kind's zones are the planned ones."""
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
            low, high, _ = bounds(plan, planned, kind)
            found = (hpa["spec"].get("minReplicas"), hpa["spec"]["maxReplicas"])
            if found != (low, high):
                out.append(
                    f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: scales {found[0]}..{found[1]}, the plan "
                    f"({kind.profile} profile) needs {low}..{high}"
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
        if pdb["spec"].get("unhealthyPodEvictionPolicy") != "AlwaysAllow":
            out.append(f"PodDisruptionBudget/{name}: a crash-looping pod blocks drains (unhealthyPodEvictionPolicy)")
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
    for p in policies:
        for rule in p["spec"].get("egress", []):
            if any(port.get("port") == 53 for port in rule.get("ports", [])):
                for peer in rule.get("to", []):
                    if peer.get("podSelector", {}).get("matchLabels") != {"k8s-app": "kube-dns"}:
                        out.append(f"NetworkPolicy/{p['metadata']['name']}: DNS egress admits more than CoreDNS")
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


Check = tuple[str, str, list[str]]
"""(name, what it proves, problems)."""


def cross_checks(
    plan: Plan,
    objs: list[dict[str, Any]],
    cluster: dict[str, Any],
    kind: KindOptions | None = None,
    addons: dict[str, Any] | None = None,
    secrets: dict[str, tuple[str, ...]] | None = None,
) -> list[Check]:
    """Every named check of a render, each with its problems (none: it holds)."""
    from generators.kubernetes.cluster import addons as made_addons
    from generators.kubernetes.network import flows
    from generators.kubernetes.standins import secret_keys

    kind = kind or KindOptions()
    addons = made_addons() if addons is None else addons
    secrets = secret_keys(plan) if secrets is None else secrets
    return [
        (
            "objects",
            "selectors, ports, autoscalers, zone spread and disruption budgets agree",
            _objects(plan, objs, cluster, kind),
        ),
        (
            "network",
            "NetworkPolicies admit exactly the declared data flow; DNS only to CoreDNS",
            _network_problems(objs, flows(plan)),
        ),
        (
            "fits-budget",
            f"the pods' requests fit {kind.cpus:g} CPU / {kind.memory_gib:g} GiB",
            _budget(plan, objs, kind),
        ),
        ("pull-policy", f"every container uses images loaded into kind ({PULL_POLICY})", _pull_policy(objs)),
        ("stand-in-users", "each stand-in runs as the user its image expects", _stand_in_users(objs)),
        ("app-contract", "each service gets the variables it gets on AWS (generators.contract)", _contract(plan, objs)),
        (
            "stand-ins-bootstrapped",
            "every table, queue and bucket the blueprint names is created",
            _bootstrapped(plan, objs),
        ),
        ("credentials", "every secret reference resolves to a generated Secret key", _credentials(objs, secrets)),
        ("ingress-paths", "every Exact and Prefix path is one the API and ingress-nginx admit", ingress_paths(objs)),
        (
            "secrets-off-argv",
            "no container's command or arguments carry a secret (they are readable in /proc by every process)",
            argv_secrets(objs, secrets),
        ),
        ("pod-security", "the namespace enforces the restricted profile and every pod meets it", _restricted(objs)),
        (
            "kind-cluster",
            "node images by digest; the ingress controller runs where the host ports are",
            _cluster(objs, cluster, addons),
        ),
    ]


def cross_problems(
    plan: Plan, objs: list[dict[str, Any]], cluster: dict[str, Any], kind: KindOptions | None = None
) -> list[str]:
    """Every problem of every named check, `<check>: <problem>`."""
    return [f"{name}: {p}" for name, _, problems in cross_checks(plan, objs, cluster, kind) for p in problems]


def _pods(objs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod spec) of every object that makes pods."""
    return [(o, o["spec"]["template"]["spec"]) for o in objs if o["kind"] in ("Deployment", "StatefulSet", "Job")]


def _name(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def _budget(plan: Plan, objs: list[dict[str, Any]], kind: KindOptions) -> list[str]:
    from generators.kubernetes.profile import demand

    need = demand(objs, 1 + len(plan.zones(plan.primary_region)))
    cpu, memory = need.millicores / 1000, need.mebibytes / 1024
    if cpu <= kind.cpus and memory <= kind.memory_gib:
        return []
    largest = sorted(need.parts, key=lambda p: -(p[1] / 1000 / kind.cpus + p[2] / 1024 / kind.memory_gib))[:3]
    return [
        f"the pods request {cpu:.2f} CPU / {memory:.1f} GiB, more than the {kind.cpus:g} CPU / "
        f"{kind.memory_gib:g} GiB every kind node shares (largest: "
        + ", ".join(f"{what} {c / 1000:.2f} CPU {m / 1024:.2f} GiB" for what, c, m in largest)
        + "); "
        + (
            "render with --profile laptop, or a larger --cpus / --memory-gib when the machine has it"
            if kind.profile != "laptop"
            else "the laptop profile's requests are already the least each workload runs with: give kind a "
            "larger --cpus / --memory-gib when the machine has it, or render fewer services"
        )
    ]


def _pull_policy(objs: list[dict[str, Any]]) -> list[str]:
    return [
        f"{_name(o)}: container {c['name']} pulls with {c.get('imagePullPolicy', 'the default policy')!s}, so kind "
        "ignores an image loaded with `kind load docker-image`"
        for o, pod in _pods(objs)
        for c in pod["containers"]
        if c.get("imagePullPolicy") not in ("IfNotPresent", "Never")
    ]


def _stand_in_users(objs: list[dict[str, Any]]) -> list[str]:
    from generators.kubernetes.standins import IMAGE_USERS, image_repo

    out = []
    for o, pod in _pods(objs):
        if o["metadata"]["labels"].get("app.kubernetes.io/component") not in ("datastore", "job"):
            continue
        for c in pod["containers"]:
            repo = image_repo(c["image"])
            if repo not in IMAGE_USERS:
                out.append(f"{_name(o)}: {c['image']} is not in IMAGE_USERS: say which user its image expects")
                continue
            expected = IMAGE_USERS[repo][0]
            user = c.get("securityContext", {}).get("runAsUser", pod.get("securityContext", {}).get("runAsUser"))
            if expected is not None and user != expected:
                out.append(
                    f"{_name(o)}: runs {c['image']} as uid {user}; the image expects {expected} ({IMAGE_USERS[repo][1]})"
                )
    return out


def _contract(plan: Plan, objs: list[dict[str, Any]]) -> list[str]:
    from generators.contract import KIND_ONLY, variables

    out = []
    for svc in plan.services:
        deployment = next((o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == svc.name), None)
        if deployment is None:
            out.append(f"{svc.name}: no Deployment")
            continue
        given = [e["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])]
        if twice := sorted({n for n in given if given.count(n) > 1}):  # the last one would win
            out.append(f"{svc.name}: gets {', '.join(twice)} more than once")
        names = set(given)
        expected = set(variables(plan, svc, plan.primary_region))
        if missing := sorted(expected - names):
            out.append(f"{svc.name}: lacks {', '.join(missing)}, which it gets on AWS")
        if extra := sorted(names - expected - KIND_ONLY):
            out.append(f"{svc.name}: gets {', '.join(extra)}, which it does not get on AWS")
        if names & KIND_ONLY and "AWS_REGION" not in names:
            out.append(f"{svc.name}: reaches AWS stand-ins without AWS_REGION (SDKs would ask the metadata endpoint)")
    return out


def _bootstrapped(plan: Plan, objs: list[dict[str, Any]]) -> list[str]:
    from generators.kubernetes.standins import queue_name

    scripts = " ".join(
        " ".join(c.get("command", [])) for o, pod in _pods(objs) if o["kind"] == "Job" for c in pod["containers"]
    )
    configs = " ".join(v for o in objs if o["kind"] == "ConfigMap" for v in o.get("data", {}).values())
    out = []
    for store in plan.datastores:
        if store.kind == "key-value":
            made = f"create-table --table-name {store.name} " in scripts
            keyed = f"AttributeName={store.partition_key},KeyType=HASH" in scripts
            ttl = not store.ttl_attribute or f"AttributeName={store.ttl_attribute}" in scripts
            if not (made and keyed and ttl):
                out.append(f"table {store.name}: not created with its key and TTL by a bootstrap Job")
        elif store.kind == "queue":
            q = store  # a QueuePlan
            dlq = f'deadLettersQueue {{ name = "{queue_name(q, dlq=True)}", maxReceiveCount = {q.max_receives} }}'
            if f'"{queue_name(q)}" {{' not in configs or dlq not in configs:
                out.append(f"queue {store.name}: not configured in ElasticMQ with its dead-letter queue")
        elif store.kind == "object":
            versioned = not store.versioning or f"mc version enable local/{store.name}" in scripts
            if f"mc mb --ignore-existing local/{store.name}" not in scripts or not versioned:
                out.append(f"bucket {store.name}: not created (with its versioning) by a bootstrap Job")
    return out


def _credentials(objs: list[dict[str, Any]], secrets: dict[str, tuple[str, ...]]) -> list[str]:
    out = []
    for o, pod in _pods(objs):
        for c in pod["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["key"] not in secrets.get(ref["name"], ()):
                    out.append(
                        f"{_name(o)}: {e['name']} reads {ref['name']}/{ref['key']}, which the render does not generate"
                    )
        for v in pod.get("volumes", []):
            if "secret" in v:
                name = v["secret"].get("secretName")
                keys = [item["key"] for item in v["secret"].get("items", [])]
                for key in [k for k in keys if k not in secrets.get(name, ())] or ([] if name in secrets else [""]):
                    out.append(
                        f"{_name(o)}: volume {v['name']} mounts {name}{'/' + key if key else ''}, which the render "
                        "does not generate"
                    )
    return out


def ingress_paths(objs: list[dict[str, Any]]) -> list[str]:
    """Exact and Prefix paths the Kubernetes API refuses (not absolute; `//`, `/./`, `/../`, `%2f`;
    a final `/.` or `/..`: pkg/apis/networking/validation) or the pinned ingress-nginx's admission
    webhook refuses (strict-validate-path-type, on by default: generators.kubernetes.network)."""
    from generators.kubernetes.network import INGRESS_PREFIX_SEGMENT

    out = []
    for ingress in [o for o in objs if o["kind"] == "Ingress"]:
        for rule in ingress["spec"].get("rules", []):
            for p in rule.get("http", {}).get("paths", []):
                path = p.get("path", "")
                if p.get("pathType") not in ("Exact", "Prefix"):
                    continue
                api = path.startswith("/") and not any(s in path for s in ("//", "/./", "/../", "%2f", "%2F"))
                api = api and not path.endswith(("/.", "/.."))
                segments = [s for s in path.split("/")[1:] if s]
                if not api or not all(INGRESS_PREFIX_SEGMENT.fullmatch(s) for s in segments):
                    out.append(f"{_name(ingress)}: path {path!r} cannot be used with pathType {p.get('pathType')}")
    return out


def argv_secrets(
    objs: list[dict[str, Any]],
    secrets: dict[str, tuple[str, ...]],
    values: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """Containers whose command or arguments hold a secret: a `$(VAR)` the kubelet expands or a
    `$VAR`/`${VAR}` a shell expands, VAR read from a Secret (env or envFrom), or one of `values`
    (the render's generated credentials, when the caller has them) written out."""
    import re

    out = []
    for o, pod in _pods(objs):
        for c in [*pod.get("initContainers", []), *pod["containers"]]:
            secret_vars = {e["name"] for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})} | {
                f"{src['secretRef'].get('prefix', '')}{key}"
                for src in c.get("envFrom", [])
                if "secretRef" in src
                for key in secrets.get(src["secretRef"]["name"], ())
            }
            argv = [str(a) for a in [*c.get("command", []), *c.get("args", [])]]
            for var in sorted(secret_vars):
                reference = re.compile(rf"\$\({re.escape(var)}\)|\$\{{?{re.escape(var)}\b")
                if any(reference.search(a) for a in argv):
                    out.append(
                        f"{_name(o)}: container {c['name']} puts the Secret-backed {var} on its command line; "
                        "pass it in a file or the environment the program reads"
                    )
            for secret, keys in sorted((values or {}).items()):
                for key, value in sorted(keys.items()):
                    if len(value) >= 8 and any(value in a for a in argv):
                        out.append(f"{_name(o)}: container {c['name']} has {secret}/{key}'s value on its command line")
    return out


ALLOWED_VOLUMES = {"emptyDir", "configMap", "secret", "persistentVolumeClaim", "projected", "downwardAPI"}


def _restricted(objs: list[dict[str, Any]]) -> list[str]:
    out = []
    namespace = next((o for o in objs if o["kind"] == "Namespace"), None)
    if namespace is None or any(namespace["metadata"].get("labels", {}).get(k) != v for k, v in RESTRICTED.items()):
        out.append("the namespace does not enforce the restricted Pod Security profile")
    for o, pod in _pods(objs):
        psc = pod.get("securityContext", {})
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            out.append(f"{_name(o)}: no RuntimeDefault seccomp profile")
        for v in pod.get("volumes", []):
            if not set(v) - {"name"} <= ALLOWED_VOLUMES:
                out.append(f"{_name(o)}: volume {v['name']} is not allowed under restricted")
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("capabilities", {}).get("drop") != ["ALL"]:
                out.append(f"{_name(o)}: container {c['name']} may escalate or keeps capabilities")
            if not (sc.get("runAsNonRoot") or psc.get("runAsNonRoot")):
                out.append(f"{_name(o)}: container {c['name']} may run as root")
            if any("hostPort" in p for p in c.get("ports", [])):
                out.append(f"{_name(o)}: container {c['name']} binds a host port")
            if c.get("livenessProbe") and not c.get("startupProbe"):
                out.append(f"{_name(o)}: container {c['name']} has a liveness probe but no startup probe")
    for o in objs:
        if o["kind"] == "StatefulSet":
            governing = o["spec"].get("serviceName")
            svc = next((x for x in objs if x["kind"] == "Service" and x["metadata"]["name"] == governing), None)
            if svc is None or svc["spec"].get("clusterIP") != "None":
                out.append(f"{_name(o)}: serviceName {governing!r} is not a headless Service")
    return out


def _cluster(objs: list[dict[str, Any]], cluster: dict[str, Any], addons: dict[str, Any]) -> list[str]:
    import json

    out = []
    for n in cluster["nodes"]:
        if "@sha256:" not in n.get("image", ""):
            out.append(f"kind-cluster.yaml: {n['role']} node image {n.get('image')!r} is not pinned by digest")
    mapped = [n for n in cluster["nodes"] if {m["containerPort"] for m in n.get("extraPortMappings", [])} >= {80, 443}]
    patches = {p["target"]["name"]: json.loads(p["patch"]) for p in addons.get("patches", [])}
    ops = {op["path"]: op["value"] for op in patches.get("ingress-nginx-controller", [])}
    selector = ops.get("/spec/template/spec/nodeSelector", {})
    if (
        len(mapped) != 1
        or not selector
        or not all(mapped[0].get("labels", {}).get(k) == v for k, v in selector.items() if k != "kubernetes.io/os")
    ):
        out.append("addons: the ingress controller is not pinned to the one node whose ports 80/443 the host maps")
    if (
        mapped
        and mapped[0]["role"] == "control-plane"
        and not any(
            t.get("key") == "node-role.kubernetes.io/control-plane"
            for t in ops.get("/spec/template/spec/tolerations", [])
        )
    ):
        out.append("addons: the ingress controller does not tolerate the control plane's taint")
    if any(o["kind"] == "HorizontalPodAutoscaler" for o in objs) and "--kubelet-insecure-tls" not in json.dumps(
        patches.get("metrics-server", [])
    ):
        out.append("addons: no metrics-server that reads kind's kubelets: the autoscalers would never scale")
    return out
